package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
)

// crashTopology is one emulated Catalyst with the old system (o1, o2) in
// Production, the new one (n1, n2) in Migration, both o1 and n1 holding
// the service address, a gateway that observes, and a probe host on a
// trunk for the guard.
const crashTopology = `
name: crash
topology:
  nodes:
    sw1: {kind: cisco_cat9kv}
    o1: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    o2: {kind: linux, labels: {cutover.vlan: "66"}}
    n1: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    n2: {kind: linux, labels: {cutover.vlan: "166"}}
    gw: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.1/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:eth1", "o1:eth1"]
    - endpoints: ["sw1:eth2", "o2:eth1"]
    - endpoints: ["sw1:eth3", "n1:eth1"]
    - endpoints: ["sw1:eth4", "n2:eth1"]
    - endpoints: ["sw1:eth8", "gw:eth1"]
    - endpoints: ["sw1:eth9", "probe:eth1"]
`

// TestKillNineThenRecover kills `cutover apply` (SIGKILL) in the middle
// of each batch and at each step boundary on a slow Catalyst; the next
// `cutover apply` finds the unfinished run in the journal and puts every
// port back. Then `cutover rollback` undoes a finished run.
func TestKillNineThenRecover(t *testing.T) {
	l := labtest.Start(t, crashTopology)
	// An observer independent of cutover: the gateway pings the service
	// address throughout and watches for it answering from two MACs.
	obs, err := l.Observe(context.Background(), "gw", "eth1", 66, []netip.Addr{netip.MustParseAddr("192.168.66.30")}, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	watchStart := time.Now()
	defer func() {
		obs.Close()
		// It saw the address answered, so it could have seen two owners.
		owners := obs.Watch.Owners(66, netip.MustParseAddr("192.168.66.30"), watchStart)
		if st := obs.Pinger.Stats(watchStart, time.Now()); len(owners) == 0 || st[0].Received == 0 {
			t.Errorf("the observer saw nothing: owners %v, pings %+v", owners, st)
		}
		if n := obs.Conflicts(); n != 0 {
			t.Errorf("the observer saw 192.168.66.30 answered by two MACs %d times", n)
		} else {
			t.Logf("observer: 0 conflicts over every kill, recovery and rollback")
		}
	}()
	addr := l.EmulatorAddr("sw1")
	inv := writeFile(t, "crash.yml", fmt.Sprintf(`version: 1
name: crash
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: cisco_iosxe, address: %q, username: admin, password: %q, options: {known_hosts: %q}}
systems:
  old: {ports: ["sw1:Gi1/0/1", "sw1:Gi1/0/2"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:Gi1/0/3", "sw1:Gi1/0/4"]}
`, addr, labs.DefaultPassword, l.KnownHosts()))
	tag := func(port string) string { v, _ := l.PortTag(context.Background(), port); return v }
	journaled := journaledResult
	original := map[string]string{"sw1-e1": "66", "sw1-e2": "66", "sw1-e3": "166", "sw1-e4": "166"}
	var dir string
	var args []string
	// Each case kills `cutover apply` (SIGKILL) at one point of the run,
	// while the emulator takes 150 ms per CLI line, then recovers.
	for _, tc := range []struct {
		name   string
		killAt func() bool
		check  map[string]string // where the ports must be when it died
	}{
		{"in the middle of the isolate batch", func() bool { return tag("sw1-e1") == "266" },
			map[string]string{"sw1-e2": "66"}},
		{"between isolate and promote", func() bool { return journaled(dir, "isolate") },
			map[string]string{"sw1-e1": "266", "sw1-e2": "266", "sw1-e3": "166"}},
		{"in the middle of the promote batch", func() bool { return tag("sw1-e3") == "66" },
			map[string]string{"sw1-e4": "166"}},
		{"between promote and park", func() bool { return journaled(dir, "promote") },
			map[string]string{"sw1-e1": "266", "sw1-e3": "66", "sw1-e4": "66"}},
		{"in the middle of the park batch", func() bool { return tag("sw1-e1") == "166" },
			map[string]string{"sw1-e2": "266"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir = t.TempDir()
			args = []string{"apply", inv, "--yes", "--no-guard", "--confirm-timeout", "0", "--journal", dir}
			child := killApply(t, l, args, tc.killAt, func(child *exec.Cmd) {
				if tc.name == "between isolate and promote" {
					// While it runs, status says so (the lock's holder is alive).
					_, out, _ := cli(t, "status", "--journal", dir)
					if !strings.Contains(out, fmt.Sprintf("running (process %d)", child.Process.Pid)) {
						child.Process.Kill()
						t.Fatalf("status of a live run: %s", out)
					}
				}
			})
			for port, want := range tc.check {
				if got := tag(port); got != want {
					t.Fatalf("killed at the wrong moment: %s in %s, want %s", port, got, want)
				}
			}

			// The journal knows the run is unfinished and which ports
			// may have moved.
			code, out, _ := cli(t, "status", "--journal", dir, "-o", "json")
			var st struct {
				State string
				Ports []journal.PortState
			}
			if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !strings.HasPrefix(st.State, "unfinished") || len(st.Ports) != 4 {
				t.Fatalf("status: %s", out)
			}
			for _, p := range st.Ports {
				port := "sw1-e" + strings.TrimPrefix(p.Port, "Gi1/0/")
				if got := tag(port); !p.Pending && got != p.Last {
					t.Errorf("journal says %s is in %s (no change pending), the switch says %s", p.Port, p.Last, got)
				}
			}
			if pid, alive := journal.LockHolder(dir); pid != child.Process.Pid || alive {
				t.Fatalf("lock held by %d (alive %v), want the dead child %d", pid, alive, child.Process.Pid)
			}

			// Recovery: roll back, exit 4, every port where it was.
			began := time.Now()
			code, _, stderr := cli(t, args...)
			t.Logf("recovery took %s", time.Since(began).Round(time.Millisecond))
			if code != exitRolledBack || !strings.Contains(stderr, "recovering the unfinished run") {
				t.Fatalf("recovery: exit %d\n%s", code, stderr)
			}
			for port, want := range original {
				if got := tag(port); got != want {
					t.Errorf("%s in %s after recovery, want %s", port, got, want)
				}
			}
			run, err := journal.Last(dir)
			if err != nil || !run.Ended || run.Result != "rolled_back" {
				t.Fatalf("journal after recovery: %+v %v", run, err)
			}
		})
	}
	if t.Failed() {
		return
	}
	dir = t.TempDir()
	args = []string{"apply", inv, "--yes", "--no-guard", "--confirm-timeout", "0", "--journal", dir}
	// A clean run in a fresh journal goes to the end.
	if code, _, stderr := cli(t, args...); code != 0 {
		t.Fatalf("apply after recovery: %d %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("want 1 run in the journal, got %d", len(files))
	}
	for port, want := range map[string]string{"sw1-e1": "166", "sw1-e2": "166", "sw1-e3": "66", "sw1-e4": "66"} {
		if got := tag(port); got != want {
			t.Errorf("%s in %s after the cut-over, want %s", port, got, want)
		}
	}

	// `cutover rollback` undoes the finished run from its journal.
	code, _, stderr := cli(t, "rollback", inv, "--yes", "--no-guard", "--journal", dir)
	if code != exitRolledBack || !strings.Contains(stderr, "ended done") {
		t.Fatalf("rollback: exit %d\n%s", code, stderr)
	}
	for port, want := range map[string]string{"sw1-e1": "66", "sw1-e2": "66", "sw1-e3": "166", "sw1-e4": "166"} {
		if got := tag(port); got != want {
			t.Errorf("%s in %s after rollback, want %s", port, got, want)
		}
	}
	if run, err := journal.Last(dir); err != nil || run.Result != "rolled_back" {
		t.Fatalf("journal after rollback: %v %v", run, err)
	}

	// A port moved by hand to a VLAN the plan never uses stops a rollback
	// before anything changes, naming the port.
	if code, _, stderr := cli(t, args...); code != 0 {
		t.Fatalf("second apply: %d %s", code, stderr)
	}
	if err := l.SetPortTag(context.Background(), "sw1-e3", "999"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, "rollback", inv, "--yes", "--no-guard", "--journal", dir)
	if code != exitError || !strings.Contains(stderr, `switch sw1 port Gi1/0/3 is in segment "999"`) || !strings.Contains(stderr, "nothing was changed") {
		t.Fatalf("rollback with a foreign port: exit %d\n%s", code, stderr)
	}
	if tag("sw1-e1") != "166" || tag("sw1-e4") != "66" {
		t.Fatalf("a refused rollback moved ports: e1 %s e4 %s", tag("sw1-e1"), tag("sw1-e4"))
	}
}

// killApply starts `cutover apply args` as a child process while the
// emulated sw1 takes 150 ms per CLI line, waits until killAt, runs before
// (if any) and kills the child with SIGKILL.
func killApply(t *testing.T, l *labs.Lab, args []string, killAt func() bool, before func(*exec.Cmd)) *exec.Cmd {
	t.Helper()
	l.Emulator("sw1").SetFaults(emulator.Faults{Delay: 150 * time.Millisecond})
	defer l.Emulator("sw1").SetFaults(emulator.Faults{})
	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "CUTOVER_TEST_AS_MAIN=1")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !killAt() {
		if time.Now().After(deadline) {
			child.Process.Kill()
			child.Wait()
			t.Fatal("the run never got there")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if before != nil {
		before(child)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	return child
}

// TestKillNineThenResume kills a guarded `cutover apply` at each step
// boundary and in the middle of each batch; `cutover apply --recover
// resume` then finishes the run under the guard, which first rebuilds its
// evidence from where the switches show both systems. The gateway's
// independent observer watches Production through each case.
func TestKillNineThenResume(t *testing.T) {
	l := labtest.Start(t, crashTopology)
	service := netip.MustParseAddr("192.168.66.30")
	// observe watches one case: a fresh observer per case, so that the
	// test's own reset of the ports between cases (the old system
	// reclaiming the address the new one had) is not taken for a flip-flop.
	observe := func(t *testing.T) func() {
		obs, err := l.Observe(context.Background(), "gw", "eth1", 66, []netip.Addr{service}, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		// The gateway asks afresh (its cache may hold the other system's
		// MAC from the previous case), so the observer sees the old
		// system answer before the case begins.
		for deadline := time.Now().Add(10 * time.Second); len(obs.Watch.Owners(66, service, start)) == 0; {
			if time.Now().After(deadline) {
				t.Fatal("the old system never answered the gateway")
			}
			labtest.Exec(t, l, "gw", "ip", "neigh", "flush", "dev", "eth1")
			time.Sleep(50 * time.Millisecond)
		}
		return func() {
			obs.Close()
			if owners := obs.Watch.Owners(66, service, start); len(owners) == 0 {
				t.Errorf("the observer never saw %s answered", service)
			}
			if n := obs.Conflicts(); n != 0 {
				for _, e := range obs.Watch.Report().Events {
					if e.IsConflict() {
						t.Logf("conflict at %s: %s %v", e.Time.Format("15:04:05.000"), e.Reason, e.MACs)
					}
				}
				t.Errorf("the observer saw %s answered by two MACs %d times", service, n)
			}
		}
	}
	inv := writeFile(t, "resume.yml", fmt.Sprintf(`version: 1
name: resume
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: cisco_iosxe, address: %q, username: admin, password: %q, options: {known_hosts: %q}}
systems:
  old: {ports: ["sw1:Gi1/0/1", "sw1:Gi1/0/2"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:Gi1/0/3", "sw1:Gi1/0/4"]}
guard: {trunk: eth1, netns: %q, sources: {production: 192.168.66.250}}
`, l.EmulatorAddr("sw1"), labs.DefaultPassword, l.KnownHosts(), l.NodeNS("probe")))
	tag := func(port string) string { v, _ := l.PortTag(context.Background(), port); return v }
	// reset puts the systems back behind cutover's back between cases, in
	// the safe order — the new system out of Production before the old
	// one returns — so the observer does not see the test itself make a
	// conflict.
	reset := func() {
		for _, pv := range [][2]string{{"sw1-e3", "166"}, {"sw1-e4", "166"}, {"sw1-e1", "66"}, {"sw1-e2", "66"}} {
			if err := l.SetPortTag(context.Background(), pv[0], pv[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	final := map[string]string{"sw1-e1": "166", "sw1-e2": "166", "sw1-e3": "66", "sw1-e4": "66"}
	for _, tc := range []struct {
		name     string
		killAt   func(dir string) bool
		resumeAt string // what the resume reports
	}{
		{"in the middle of the isolate batch", func(string) bool { return tag("sw1-e1") == "266" && tag("sw1-e2") == "66" }, "before step isolate"},
		{"between isolate and promote", func(dir string) bool { return journaledResult(dir, "isolate") }, "before step promote"},
		{"in the middle of the promote batch", func(string) bool { return tag("sw1-e3") == "66" && tag("sw1-e4") == "166" }, "before step promote"},
		{"between promote and park", func(dir string) bool { return journaledResult(dir, "promote") }, "before step park"},
		{"in the middle of the park batch", func(string) bool { return tag("sw1-e1") == "166" && tag("sw1-e2") == "266" }, "before step park"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reset()
			defer observe(t)()
			dir := t.TempDir()
			args := []string{"apply", inv, "--yes", "--confirm-timeout", "0", "--journal", dir}
			killApply(t, l, args, func() bool { return tc.killAt(dir) }, nil)

			began := time.Now()
			code, out, stderr := cli(t, append(args, "--recover", "resume", "-o", "json")...)
			t.Logf("resume took %s", time.Since(began).Round(time.Millisecond))
			var rep struct {
				Result string
				Guard  []struct {
					Step   string
					Passed bool
				}
			}
			if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Result != "done" {
				t.Fatalf("resume: exit %d\n%s\n%s", code, out, stderr)
			}
			if !strings.Contains(stderr, "resuming") || !strings.Contains(stderr, "the switches show the run stopped "+tc.resumeAt) {
				t.Fatalf("resume did not say where it resumed (%s):\n%s", tc.resumeAt, stderr)
			}
			resumed := tc.resumeAt != "before step isolate"
			sawResume := false
			for _, c := range rep.Guard {
				if !c.Passed {
					t.Fatalf("failed guard check %+v", c)
				}
				sawResume = sawResume || c.Step == "resume"
			}
			if sawResume != resumed {
				t.Fatalf("guard checks at resume: %v, want %v (%+v)", sawResume, resumed, rep.Guard)
			}
			for port, want := range final {
				if got := tag(port); got != want {
					t.Errorf("%s in %s after the resume, want %s", port, got, want)
				}
			}
			run, err := journal.Last(dir)
			if err != nil || !run.Ended || run.Result != "done" {
				t.Fatalf("journal after the resume: %+v %v", run, err)
			}
		})
	}
}

// journaledResult reports whether a run in dir journaled a result of step.
func journaledResult(dir, step string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*.jsonl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), `"kind":"result","step":"`+step+`"`) {
			return true
		}
	}
	return false
}

// TestRecoveryWaitsForUnconfirmedTrials: a trial the dead process never
// confirmed may still revert on the switch, so the recovery waits for it,
// says so, and can be interrupted with nothing changed.
func TestRecoveryWaitsForUnconfirmedTrials(t *testing.T) {
	dir := t.TempDir()
	p := &plan.Plan{Kind: "cutover", Hash: "abc", Steps: []plan.Step{{Name: "isolate"}}}
	w, err := journal.Create(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	w.Trial("isolate", "sw1", time.Hour)
	w.Trial("isolate", "sw2", time.Hour)
	w.Confirmed("isolate", "sw2", nil)
	w.Close()
	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() { done <- waitForTrials(ctx, run, &stderr) }()
	cancel()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("interrupted wait: %v", err)
	}
	if s := stderr.String(); !strings.Contains(s, "switch sw1: the trial of step isolate was never confirmed") || strings.Contains(s, "sw2") || !strings.Contains(s, "waiting 1h0m") {
		t.Fatalf("stderr: %s", s)
	}
}
