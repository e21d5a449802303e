package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/pinger"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/icmp"
)

// The emulators' revert timers run 100 times as fast (labtest.StartFast):
// a trial of --confirm-timeout 30m reverts after 18 s, one of 10m after 6 s.
// cutover itself is not told: it takes the switches' timers at their word,
// as on real switches, and the code paths are the same.

// trialsTopology is four islands, one per platform with trials, each an
// old system (oN) in Production, a new one (nN) in Migration with the same
// address, a gateway (gN) that observes, and a trunk to the probe host's
// ethN.
// With dual, the systems also hold fd66::30 and the gateway fd66::1.
func trialsTopology(platforms []trialPlatform, dual bool) string {
	var b strings.Builder
	b.WriteString("name: trials\ntopology:\n  nodes:\n")
	var links strings.Builder
	host, gw := `"ip address add 192.168.66.30/24 dev eth1"`, `"ip address add 192.168.66.1/24 dev eth1", "sysctl -qw net.ipv4.neigh.eth1.delay_first_probe_time=60"`
	if dual {
		host += `, "ip address add fd66::30/64 dev eth1 nodad"`
		gw += `, "ip address add fd66::1/64 dev eth1 nodad", "sysctl -qw net.ipv6.neigh.eth1.delay_first_probe_time=60"`
	}
	for i, p := range platforms {
		n := i + 1
		fmt.Fprintf(&b, "    %s: {kind: %s, labels: {cutover.vlans: \"66,166,266\"}}\n", p.node, p.kind)
		fmt.Fprintf(&b, "    o%d: {kind: linux, labels: {cutover.vlan: \"66\"}, exec: [%s]}\n", n, host)
		fmt.Fprintf(&b, "    n%d: {kind: linux, labels: {cutover.vlan: \"166\"}, exec: [%s]}\n", n, host)
		fmt.Fprintf(&b, "    g%d: {kind: linux, labels: {cutover.vlan: \"66\"}, exec: [%s]}\n", n, gw)
		for j, host := range []string{"o", "n", "g"} {
			fmt.Fprintf(&links, "    - endpoints: [\"%s:%s\", \"%s%d:eth1\"]\n", p.node, p.endpoint(j+1), host, n)
		}
		fmt.Fprintf(&links, "    - endpoints: [\"%s:%s\", \"probe:eth%d\"]\n", p.node, p.endpoint(9), n)
	}
	b.WriteString("    probe: {kind: linux, labels: {cutover.role: probe}}\n  links:\n")
	b.WriteString(links.String())
	return b.String()
}

// The gateways' neighbour entries are only re-checked 60 s after they go
// stale (delay_first_probe_time): an address that answers the gateway
// again within seconds of a restore does so because the restore was
// announced, not because the gateway found the new owner by itself.

type trialPlatform struct {
	node, kind, driver string
	segments           string
	// kill: the step whose trial is pending when each mode's run is killed.
	kill map[string]string
}

func (p trialPlatform) endpoint(n int) string {
	name, _ := labs.EndpointName(p.kind, n)
	return name
}

var trialPlatforms = []trialPlatform{
	{node: "ios", kind: "cisco_cat9kv", driver: "cisco_iosxe", kill: map[string]string{"rollback": "isolate", "resume": "promote"}},
	{node: "eos", kind: "arista_ceos", driver: "arista_eos", kill: map[string]string{"rollback": "promote", "resume": "isolate"}},
	{node: "jun", kind: "juniper_vjunosswitch", driver: "juniper_junos", kill: map[string]string{"rollback": "isolate", "resume": "promote"}},
	{node: "srl", kind: "nokia_srlinux", driver: "nokia_srl", segments: "{production: mac-vrf-66, migration: mac-vrf-166, shadow: mac-vrf-266}",
		kill: map[string]string{"rollback": "promote", "resume": "isolate"}},
	{node: "cx", kind: "aruba_aoscx", driver: "aruba_aoscx", kill: map[string]string{"rollback": "isolate", "resume": "promote"}},
}

// island is one platform's part of the lab.
type island struct {
	t             *testing.T
	l             *labs.Lab
	p             trialPlatform
	n             int
	oldPort       string // as the driver names it
	newPort       string
	oldOVS        string
	newOVS        string
	oldMAC        string
	newMAC        string
	service       netip.Addr
	addrs         []netip.Addr // the service address, and fd66::30 on a dual-stack lab
	inventoryPath string
}

func newIsland(t *testing.T, l *labs.Lab, i int, sources, dual bool) *island {
	p := trialPlatforms[i]
	is := &island{t: t, l: l, p: p, n: i + 1, service: netip.MustParseAddr("192.168.66.30")}
	is.addrs = []netip.Addr{is.service}
	if dual {
		is.addrs = append(is.addrs, netip.MustParseAddr("fd66::30"))
	}
	for _, port := range l.Topo.SwitchPorts(p.node) {
		switch port.Endpoint {
		case p.endpoint(1):
			is.oldPort, is.oldOVS = port.Name, port.OVS
		case p.endpoint(2):
			is.newPort, is.newOVS = port.Name, port.OVS
		}
	}
	if is.oldPort == "" || is.newPort == "" {
		t.Fatalf("%s: ports not found in %+v", p.node, l.Topo.SwitchPorts(p.node))
	}
	mac := func(node string) string {
		return strings.TrimSpace(labtest.Exec(t, l, node, "cat", "/sys/class/net/eth1/address"))
	}
	is.oldMAC, is.newMAC = mac(fmt.Sprintf("o%d", is.n)), mac(fmt.Sprintf("n%d", is.n))
	segments, src := "", ""
	if p.segments != "" {
		segments = ", segments: " + p.segments
	}
	if sources {
		src = ", sources: {production: 192.168.66.250}"
	}
	is.inventoryPath = writeFile(t, p.node+".yml", fmt.Sprintf(`version: 1
name: trial-%s
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: %s, driver: %s, address: %q, username: admin, password: %q, options: {known_hosts: %q}%s}
systems:
  old: {ports: [%q], addresses: [%s]}
  new: {ports: [%q]}
guard: {trunk: eth%d, netns: %q%s}
`, p.node, p.node, p.driver, l.EmulatorAddr(p.node), labs.DefaultPassword, l.KnownHosts(), segments,
		p.node+":"+is.oldPort, joinAddrs(is.addrs), p.node+":"+is.newPort, is.n, l.NodeNS("probe"), src))
	return is
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func (is *island) tag(ovs string) string {
	v, _ := is.l.PortTag(context.Background(), ovs)
	return v
}

// reset puts the systems back behind cutover's back, the new system out
// of Production before the old one returns, and has the gateway find the
// old system afresh.
func (is *island) reset() {
	t := is.t
	for _, pv := range [][2]string{{is.newOVS, "166"}, {is.oldOVS, "66"}} {
		if err := is.l.SetPortTag(context.Background(), pv[0], pv[1]); err != nil {
			t.Fatal(err)
		}
	}
	gw := fmt.Sprintf("g%d", is.n)
	for _, a := range is.addrs {
		for deadline := time.Now().Add(10 * time.Second); is.gatewayMACOf(a) != is.oldMAC; {
			if time.Now().After(deadline) {
				t.Fatalf("the gateway never found the old system at %s: %q", a, is.gatewayMACOf(a))
			}
			labtest.Exec(t, is.l, gw, "ip", "neigh", "flush", "dev", "eth1")
			is.ping(gw, 200*time.Millisecond)
		}
	}
}

// ping pings the island's addresses (both families) from node for d.
func (is *island) ping(node string, d time.Duration) {
	t := is.t
	var c4, c6 *icmp.PacketConn
	labtest.InNode(t, is.l, node, func() (err error) {
		if c4, err = pinger.Listen(); err != nil {
			return err
		}
		c6, err = pinger.Listen6()
		return err
	})
	defer c4.Close()
	defer c6.Close()
	p, err := pinger.NewDualStack(c4, c6, is.addrs, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p.Run(ctx)
}

// gatewayMAC is the MAC the gateway's neighbour cache holds for the
// service address ("" if none).
func (is *island) gatewayMAC() string { return is.gatewayMACOf(is.service) }

// gatewayMACOf is the MAC the gateway's neighbour cache holds for addr.
func (is *island) gatewayMACOf(addr netip.Addr) string {
	out, err := is.l.Exec(context.Background(), fmt.Sprintf("g%d", is.n), nil, "ip", "-j", "neigh", "show", addr.String(), "dev", "eth1")
	if err != nil {
		return ""
	}
	var entries []struct {
		LLAddr string `json:"lladdr"`
	}
	if json.Unmarshal(out, &entries) != nil || len(entries) == 0 {
		return ""
	}
	return entries[0].LLAddr
}

// observe starts the independent observer on the gateway; stop checks
// that it saw the service answer and never from two MACs at once.
func (is *island) observe() (obs *labs.Observer, stop func()) {
	t := is.t
	obs, err := is.l.Observe(context.Background(), fmt.Sprintf("g%d", is.n), "eth1", 66, is.addrs, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	return obs, func() {
		obs.Close()
		if owners := obs.Watch.Owners(66, is.service, start); len(owners) == 0 {
			t.Errorf("the observer never saw %s answered", is.service)
		}
		if n := obs.Conflicts(); n != 0 {
			for _, e := range obs.Watch.Report().Events {
				if e.IsConflict() {
					t.Logf("conflict at %s: %s %v", e.Time.Format("15:04:05.000"), e.Reason, e.MACs)
				}
			}
			t.Errorf("the observer saw %s answered by two MACs %d times", is.service, n)
		}
	}
}

// announcements captures, on the gateway, the gratuitous ARP that claims
// the service address (a capture of its own, beside the observer).
func (is *island) announcements() (a *watch.Analyzer, stop func()) {
	t := is.t
	var tp *afpacket.TPacket
	labtest.InNode(t, is.l, fmt.Sprintf("g%d", is.n), func() (err error) { tp, err = watch.OpenCapture("eth1"); return err })
	a = watch.New(watch.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer tp.Close()
		watch.RunCapture(ctx, tp, a, 66)
	}()
	return a, func() { cancel(); <-done }
}

// announced lists the times mac was announced for addr.
func (is *island) announced(a *watch.Analyzer, addr netip.Addr, mac string) []time.Time {
	var out []time.Time
	for _, e := range a.Report().Events {
		if e.Kind == watch.KindAnnouncement && e.IP == addr && len(e.MACs) == 1 && e.MACs[0] == mac {
			out = append(out, e.Time)
		}
	}
	return out
}

// startApply starts `cutover apply` as a child process while the switch
// takes 150 ms per CLI line; its stderr lines go to lines.
func (is *island) startApply(args []string) (child *exec.Cmd, lines <-chan string) {
	is.l.Emulator(is.p.node).SetFaults(emulator.Faults{Delay: 150 * time.Millisecond})
	child = exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "CUTOVER_TEST_AS_MAIN=1")
	stderr, err := child.StderrPipe()
	if err != nil {
		is.t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		is.t.Fatal(err)
	}
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return child, ch
}

// trialPendingFor reports whether the switch holds a trial of step.
func (is *island) trialPendingFor(step string) bool {
	if pending, _ := is.l.Emulator(is.p.node).PendingTrial(); !pending {
		return false
	}
	switch step {
	case "isolate":
		return is.tag(is.oldOVS) == "266" && is.tag(is.newOVS) == "166"
	case "promote":
		return is.tag(is.newOVS) == "66"
	}
	return false
}

// TestKillNineWithTrialPending kills a guarded `cutover apply` while a
// step is on trial on the switch, on each platform with trials, and
// recovers it with rollback and with resume. The recovery takes the trial
// over — cancels or confirms it — instead of waiting for the switch's
// timer, so the outage after the crash is the recovery's own time; the
// system it leaves in Production is announced, so the gateway reaches it
// at once; and the gateway's own observer never sees two owners.
func TestKillNineWithTrialPending(t *testing.T) {
	l := labtest.StartFast(t, trialsTopology(trialPlatforms, false))
	for i, p := range trialPlatforms {
		is := newIsland(t, l, i, true, false)
		for _, mode := range []string{"rollback", "resume"} {
			step := p.kill[mode]
			t.Run(p.node+"/"+mode+"/killed with "+step+" on trial", func(t *testing.T) {
				is.t = t
				is.reset()
				obs, stop := is.observe()
				defer stop()
				dir := t.TempDir()
				args := []string{"apply", is.inventoryPath, "--yes", "--confirm-timeout", "30m", "--journal", dir}
				child, lines := is.startApply(args)
				go func() {
					for range lines {
					}
				}()
				deadline := time.Now().Add(60 * time.Second)
				for !is.trialPendingFor(step) {
					if time.Now().After(deadline) {
						child.Process.Kill()
						child.Wait()
						t.Fatalf("the run never had %s on trial", step)
					}
					time.Sleep(5 * time.Millisecond)
				}
				child.Process.Signal(syscall.SIGKILL)
				child.Wait()
				killed := time.Now()
				l.Emulator(p.node).SetFaults(emulator.Faults{})
				if !is.trialPendingFor(step) {
					t.Fatalf("killed too late: the trial of %s is no longer pending", step)
				}

				began := time.Now()
				code, _, stderr := cli(t, append(args, "--recover", mode)...)
				ended := time.Now()
				wantCode, wantOld, wantNew := exitRolledBack, "66", "166"
				if mode == "resume" {
					wantCode, wantOld, wantNew = exitOK, "166", "66"
				}
				if code != wantCode {
					t.Fatalf("recovery: exit %d, want %d\n%s", code, wantCode, stderr)
				}
				t.Logf("recovery:\n%s", stderr)
				if !strings.Contains(stderr, "switch "+p.node+": the trial of step "+step+" is still pending") || !strings.Contains(stderr, "taken over") {
					t.Fatalf("the recovery did not take the trial over:\n%s", stderr)
				}
				settled := "cancelled its trial"
				if mode == "resume" {
					settled = "step " + step + " confirmed"
				}
				if !strings.Contains(stderr, settled) || strings.Contains(stderr, "waiting") {
					t.Fatalf("the trial was not settled (%q) or the recovery waited:\n%s", settled, stderr)
				}
				if pending, _ := l.Emulator(p.node).PendingTrial(); pending {
					t.Fatal("a trial is still pending after the recovery")
				}
				if got := is.tag(is.oldOVS); got != wantOld {
					t.Errorf("old port in %s, want %s", got, wantOld)
				}
				if got := is.tag(is.newOVS); got != wantNew {
					t.Errorf("new port in %s, want %s", got, wantNew)
				}

				// The gateway reaches the owner again well before its
				// neighbour entry would be re-checked (60 s): the restore
				// was announced.
				owner := is.oldMAC
				if mode == "resume" {
					owner = is.newMAC
				}
				var answered time.Time
				for limit := ended.Add(20 * time.Second); answered.IsZero(); {
					if obs.Pinger.Answering(ended) {
						answered = time.Now()
					} else if time.Now().After(limit) {
						t.Fatalf("the gateway got no answer from %s after the recovery (its cache: %s, the owner: %s)", is.service, is.gatewayMAC(), owner)
					} else {
						time.Sleep(5 * time.Millisecond)
					}
				}
				if got := is.gatewayMAC(); got != owner {
					t.Errorf("the gateway's cache holds %s for %s, the owner is %s", got, is.service, owner)
				}
				run, err := journal.Last(dir)
				if err != nil || !run.Ended || len(run.PendingTrials()) != 0 {
					t.Fatalf("journal after the recovery: %+v %v", run, err)
				}
				// The recovery's switch work ends with its last result (or
				// the trial it settled last); the command ends after the
				// last announcement round, 2 s after the restore.
				var work time.Time
				for _, rec := range run.Records {
					if rec.Time.After(began) && (rec.Kind == journal.KindResult || rec.Kind == journal.KindConfirm || rec.Kind == journal.KindSettled) {
						work = rec.Time
					}
				}
				gap := obs.Pinger.Stats(killed, answered)[0].LongestGap
				t.Logf("%s %s (killed with %s on trial): recovery's switch work done %s after it started, command %s; first answer %s after the command ended; longest gap in the gateway's pings from the kill on %s",
					p.node, mode, step, work.Sub(began).Round(time.Millisecond), ended.Sub(began).Round(time.Millisecond), answered.Sub(ended).Round(time.Millisecond), gap.Round(time.Millisecond))
				for _, port := range run.Ports() {
					if port.Pending || port.Unknown {
						t.Errorf("status after the recovery: %+v", port)
					}
				}
			})
		}
	}
}

// TestRollbackAnnouncesTheRestore: after a cut-over the gateway reaches
// the new system; `cutover rollback` puts the old one back and announces
// it — gratuitous ARP for the IPv4 address, an unsolicited neighbour
// advertisement for the IPv6 one — and the gateway's neighbour cache
// points at the old system's MAC for both by the time the rollback
// returns; it would otherwise keep the new MAC until it re-checks the
// entry (60 s here). Both announcement rounds go out before it returns.
func TestRollbackAnnouncesTheRestore(t *testing.T) {
	l := labtest.StartFast(t, trialsTopology(trialPlatforms[:1], true))
	is := newIsland(t, l, 0, true, true)
	is.reset()
	_, stop := is.observe()
	defer stop()
	ann, stopAnn := is.announcements()
	defer stopAnn()
	dir := t.TempDir()
	if code, _, stderr := cli(t, "apply", is.inventoryPath, "--yes", "--confirm-timeout", "30m", "--journal", dir); code != 0 {
		t.Fatalf("apply: %d\n%s", code, stderr)
	}
	for _, a := range is.addrs {
		if got := is.gatewayMACOf(a); got != is.newMAC {
			t.Fatalf("after the cut-over the gateway's cache holds %q for %s, want the new system's %s", got, a, is.newMAC)
		}
	}
	// Watch the gateway's cache while the rollback runs.
	var mu sync.Mutex
	flipped := map[netip.Addr]time.Time{}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, a := range is.addrs {
				if is.gatewayMACOf(a) == is.oldMAC {
					mu.Lock()
					if flipped[a].IsZero() {
						flipped[a] = time.Now()
					}
					mu.Unlock()
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	code, _, stderr := cli(t, "rollback", is.inventoryPath, "--yes", "--journal", dir)
	returned := time.Now()
	close(done)
	if code != exitRolledBack || !strings.Contains(stderr, "guard restore: announced 2 addresses in VLAN 66") {
		t.Fatalf("rollback: exit %d\n%s", code, stderr)
	}
	for _, a := range is.addrs {
		if got := is.gatewayMACOf(a); got != is.oldMAC {
			t.Errorf("when the rollback returned the gateway's cache held %q for %s, want the old system's %s", got, a, is.oldMAC)
		}
	}
	// When the old system was back: the undo of isolate's result.
	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	var restored time.Time
	for _, rec := range run.Records {
		if rec.Kind == journal.KindResult && rec.Step == "undo-isolate" && rec.Error == "" {
			restored = rec.Time
		}
	}
	if restored.IsZero() {
		t.Fatal("no undo of isolate in the journal")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range is.addrs {
		// Both announcement rounds went out before the rollback returned:
		// the run's end did not cut the second one short.
		var rounds []time.Time
		for _, at := range is.announced(ann, a, is.oldMAC) {
			if at.After(restored) && at.Before(returned) && (len(rounds) == 0 || at.Sub(rounds[len(rounds)-1]) > time.Second) {
				rounds = append(rounds, at)
			}
		}
		if len(rounds) != 2 {
			t.Errorf("%s: announcement rounds of the old system before the rollback returned: %v, want 2 (restored %s, returned %s; all: %v)", a, rounds, restored, returned, is.announced(ann, a, is.oldMAC))
		}
		if flipped[a].IsZero() {
			t.Errorf("%s: the gateway's cache never pointed at the old system during the rollback", a)
			continue
		}
		t.Logf("%s: the gateway's cache pointed at the old system %s after the restore was read back (the rollback returned %s after it)",
			a, flipped[a].Sub(restored).Round(time.Millisecond), returned.Sub(restored).Round(time.Millisecond))
	}
}

// TestFreezePastTheRevert stops a guarded `cutover apply` (SIGSTOP) while
// it verifies the promote, for longer than the promote's trial, then lets
// it go on (SIGCONT). The switch reverted the promote meanwhile: nothing
// is announced for the new system any more, the ownership check does not
// pass on answers from before the stop, and the run ends rolled back with
// a message that says what happened; the gateway's cache ends on the old
// system, which the rollback put back and announced.
func TestFreezePastTheRevert(t *testing.T) {
	l := labtest.StartFast(t, trialsTopology(trialPlatforms[:1], false))
	// No guard.sources: the ownership check after promote waits for the
	// ACD probe interval, which leaves time to stop the process in it.
	is := newIsland(t, l, 0, false, false)
	is.reset()
	_, stop := is.observe()
	defer stop()
	ann, stopAnn := is.announcements()
	defer stopAnn()
	dir := t.TempDir()
	// 10 minutes of the Catalyst's clock: 6 s.
	child, lines := is.startApply([]string{"apply", is.inventoryPath, "--yes", "--confirm-timeout", "10m", "--journal", dir, "-o", "json"})
	var out []string
	deadline := time.After(90 * time.Second)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				child.Wait()
				t.Fatalf("the run ended before verifying the promote:\n%s", strings.Join(out, "\n"))
			}
			out = append(out, line)
			if strings.Contains(line, "guard promote: verifying ownership") {
				break wait
			}
		case <-deadline:
			child.Process.Kill()
			t.Fatalf("the run never got to verify the promote:\n%s", strings.Join(out, "\n"))
		}
	}
	l.Emulator(is.p.node).SetFaults(emulator.Faults{})
	child.Process.Signal(syscall.SIGSTOP)
	stopped := time.Now()
	// The switch reverts the promote while the process is stopped.
	var reverted time.Time
	for reverted.IsZero() {
		if is.tag(is.newOVS) == "166" {
			reverted = time.Now()
		} else if time.Since(stopped) > 30*time.Second {
			child.Process.Signal(syscall.SIGCONT)
			t.Fatal("the switch never reverted the promote")
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(time.Second)
	child.Process.Signal(syscall.SIGCONT)
	t.Logf("stopped for %s; the switch reverted the promote %s into the stop", time.Since(stopped).Round(time.Millisecond), reverted.Sub(stopped).Round(time.Millisecond))
	for line := range lines {
		out = append(out, line)
	}
	err := child.Wait()
	stderr := strings.Join(out, "\n")
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != exitRolledBack && code != exitBlocked {
		t.Fatalf("exit %d, want rolled back or blocked:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "the process was stopped for") || !strings.Contains(stderr, "reverted it (its trial ran out)") {
		t.Fatalf("the message does not say what happened:\n%s", stderr)
	}
	// The old system coming back is the rollback's doing, not a conflict.
	if strings.Contains(stderr, "HALT") {
		t.Errorf("the guard took the restore for a conflict:\n%s", stderr)
	}
	// No ownership check passed on answers from before the stop.
	run, jerr := journal.Last(dir)
	if jerr != nil {
		t.Fatal(jerr)
	}
	void := false
	for _, rec := range run.Records {
		if rec.Kind != journal.KindGuard || !strings.HasPrefix(rec.Detail, "the incoming system owns every address in Production") {
			continue
		}
		if strings.Contains(rec.Detail, ": passed:") {
			t.Errorf("an ownership check passed across the stop: %s", rec.Detail)
		}
		void = void || strings.Contains(rec.Detail, ": VOID:")
	}
	if !void {
		t.Errorf("no void ownership check in the journal:\n%s", stderr)
	}
	// Nothing announced the new system once the switch had reverted it.
	before := 0
	for _, at := range is.announced(ann, is.service, is.newMAC) {
		if at.After(reverted) {
			t.Errorf("the new system was announced at %s, after the switch reverted it at %s", at.Format("15:04:05.000"), reverted.Format("15:04:05.000"))
		} else {
			before++
		}
	}
	if before == 0 {
		t.Error("the capture saw no announcement of the new system at all: it could not have seen a late one")
	}
	if got := is.tag(is.oldOVS); got != "66" {
		t.Errorf("the old system is in %s, want 66 (rolled back)", got)
	}
	if got := is.gatewayMAC(); got != is.oldMAC {
		t.Errorf("the gateway's cache holds %q, want the old system's %s", got, is.oldMAC)
	}
	t.Logf("run:\n%s", stderr)
}
