package juniperjunos_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/juniperjunos"
)

// sw3 is an emulated Junos EX (containerlab's vJunos-switch: eN is
// ge-0/0/(N-1)). VLANs 10, 20 and 30 are configured.
const topology = `
name: junos
topology:
  nodes:
    sw3: {kind: juniper_vjunosswitch, labels: {cutover.vlans: "10,20,30"}}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw3:eth1", "h1:eth1"]
    - endpoints: ["sw3:eth2", "h2:eth1"]
    - endpoints: ["sw3:eth3", "h3:eth1"]
    - endpoints: ["sw3:eth9", "p:eth1"]
`

var ports = []string{"ge-0/0/0", "ge-0/0/1", "ge-0/0/2"}

// ovs is the lab's OVS port behind a Junos interface (ge-0/0/N is eN+1).
func ovs(iface string) string {
	n, _ := strconv.Atoi(iface[strings.LastIndexByte(iface, '/')+1:])
	return "sw3-e" + strconv.Itoa(n+1)
}

func open(t testing.TB, l *labs.Lab) switchdrivers.Driver { return openPlan(t, l, ports) }

// openPlan opens the driver as an inventory naming plan on the switch would.
func openPlan(t testing.TB, l *labs.Lab, plan []string) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw3", nil)
	cfg.Ports = plan
	d, err := juniperjunos.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}, OVSPort: ovs})
}

// TestCandidateIsATransaction: a rejected line, a dropped session or a
// commit the switch refuses (a VLAN it does not have) leaves nothing of
// the batch applied, and the driver says so naming switch, port and line.
func TestCandidateIsATransaction(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "ge-0/0/0", From: "10", To: "20"}, {Port: "ge-0/0/1", From: "10", To: "30"}}
	cmds, _ := d.Render(batch)
	want := "configure private|" +
		"delete interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members|set interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members 20|" +
		"delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members|set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members 30|" +
		"commit and-quit"
	if strings.Join(cmds, "|") != want {
		t.Fatalf("render %q", cmds)
	}
	unmoved := func(name string) {
		t.Helper()
		for _, p := range []string{"sw3-e1", "sw3-e2"} {
			if v, _ := l.PortTag(ctx, p); v != "10" {
				t.Fatalf("%s: %s moved to %s though nothing was committed", name, p, v)
			}
		}
	}
	for name, f := range map[string]emulator.Faults{"rejected": {RejectCommand: "members 30"}, "dropped": {DropAfter: 3}} {
		srv.SetFaults(f)
		err := d.Apply(ctx, batch)
		if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw3") {
			t.Fatalf("%s: want an untouched error, got %v", name, err)
		}
		if name == "rejected" && !strings.Contains(err.Error(), "port ge-0/0/1") || !strings.Contains(err.Error(), "syntax error") && name == "rejected" {
			t.Fatalf("rejected: %v", err)
		}
		unmoved(name)
	}
	srv.SetFaults(emulator.Faults{})
	err := d.Apply(ctx, []switchdrivers.Change{{Port: "ge-0/0/0", From: "10", To: "20"}, {Port: "ge-0/0/1", From: "10", To: "999"}})
	if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "No vlan matches vlan tag 999") || !strings.Contains(err.Error(), "commit and-quit") {
		t.Fatalf("refused commit: %v", err)
	}
	unmoved("refused commit")
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatalf("save (a no-op: commits persist): %v", err)
	}
}

// TestCommitConfirmed: a step applied with `commit confirmed` reverts by
// itself unless confirmed; once confirmed it stays.
func TestCommitConfirmed(t *testing.T) {
	l := labtest.New(t, topology)
	l.EmulatorTimeScale = 0.01 // a minute lasts 0.6 s
	if err := l.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := open(t, l).(switchdrivers.ConfirmedApplier)
	batch := []switchdrivers.Change{{Port: "ge-0/0/0", From: "10", To: "20"}}
	cmds, _ := d.RenderConfirmed(batch, 2*time.Minute)
	want := "configure exclusive|show | compare|" +
		"delete interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members|set interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members 20|" +
		"commit confirmed 2|exit configuration-mode|" +
		"! once the step's guard has passed, in a new session: configure exclusive|! once the step's guard has passed, in a new session: show | compare|" +
		"! once the step's guard has passed, in a new session: commit|! once the step's guard has passed, in a new session: exit configuration-mode"
	if got := strings.Join(cmds, "|"); got != want {
		t.Fatalf("render %q", cmds)
	}
	tag := func() string { v, _ := l.PortTag(ctx, "sw3-e1"); return v }
	if _, err := d.ApplyConfirmed(ctx, batch, time.Minute); err != nil {
		t.Fatal(err)
	}
	if tag() != "20" {
		t.Fatalf("trial not applied: %s", tag())
	}
	deadline := time.Now().Add(10 * time.Second)
	for tag() != "10" {
		if time.Now().After(deadline) {
			t.Fatal("the unconfirmed commit never rolled back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	confirm, err := d.ApplyConfirmed(ctx, batch, 5*time.Minute) // long enough to confirm on a loaded machine
	if err != nil {
		t.Fatal(err)
	}
	if err := confirm(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(float64(5*time.Minute)*0.01) + 500*time.Millisecond)
	if tag() != "20" {
		t.Fatalf("a confirmed commit was rolled back: %s", tag())
	}
}

// TestTrialConformance: a pending confirmed commit is seen from a new
// session (the commit history against the switch's clock), confirmed by
// a plain commit or cancelled by rollback 1 from there, and reverts by
// itself.
func TestTrialConformance(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunTrialConformance(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}, OVSPort: ovs})
}

// TestRenderIsSent: what `cutover plan` shows for a batch (Junos), plain
// and on trial with its confirmation, is what the switch receives, line
// for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}, OVSPort: ovs})
}

// TestTrialNeverCommitsSomebodyElsesChanges: with another user's
// uncommitted change in the shared candidate, a trial (and a
// confirmation) is refused before anything is staged, naming the switch;
// the trial is never sent in private mode, where Junos refuses it.
func TestTrialNeverCommitsSomebodyElsesChanges(t *testing.T) {
	l := labtest.StartFast(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	srv.StageShared("ge-0/0/2", 30) // someone's `configure`, `set …`, no commit
	d := open(t, l).(switchdrivers.ConfirmedApplier)
	batch := []switchdrivers.Change{{Port: "ge-0/0/0", From: "10", To: "20"}}
	_, err := d.ApplyConfirmed(ctx, batch, 5*time.Minute)
	if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw3") || !strings.Contains(err.Error(), "uncommitted changes") {
		t.Fatalf("trial over a modified shared candidate: %v", err)
	}
	for _, p := range []string{"sw3-e1", "sw3-e3"} {
		if v, _ := l.PortTag(ctx, p); v != "10" {
			t.Fatalf("%s moved to %s", p, v)
		}
	}
	log := strings.Join(srv.ConfigLog(), "|")
	if strings.Contains(log, "members 20") || strings.Contains(log, "commit") {
		t.Fatalf("configuration was sent: %q", log)
	}
	// Leaving configure exclusive discarded the stale change (Junos does):
	// the next trial goes ahead, in exclusive mode (private would be refused).
	if _, err := d.ApplyConfirmed(ctx, batch, 5*time.Minute); err != nil {
		t.Fatalf("after configure exclusive discarded the stale change: %v", err)
	}
}

// TestLockHeldByAnotherUser: while another user (or another cutover
// process) holds the shared candidate in configure exclusive, a trial is
// refused untouched, the error naming the switch and the user; once the
// lock is gone it goes ahead.
func TestLockHeldByAnotherUser(t *testing.T) {
	l := labtest.StartFast(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	release := srv.HoldExclusive("netops")
	d := open(t, l).(switchdrivers.ConfirmedApplier)
	batch := []switchdrivers.Change{{Port: "ge-0/0/0", From: "10", To: "20"}}
	_, err := d.ApplyConfirmed(ctx, batch, 5*time.Minute)
	if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw3") ||
		!strings.Contains(err.Error(), "configuration database locked by") || !strings.Contains(err.Error(), "netops") {
		t.Fatalf("trial under another user's lock: %v", err)
	}
	if v, _ := l.PortTag(ctx, "sw3-e1"); v != "10" {
		t.Fatalf("sw3-e1 moved to %s", v)
	}
	if log := strings.Join(srv.ConfigLog(), "|"); strings.Contains(log, "members 20") {
		t.Fatalf("configuration was sent: %q", log)
	}
	release()
	confirm, err := d.ApplyConfirmed(ctx, batch, 5*time.Minute)
	if err != nil {
		t.Fatalf("after the lock was released: %v", err)
	}
	if err := confirm(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestValidatePort(t *testing.T) {
	for _, ok := range []string{"ge-0/0/1", "xe-1/0/47", "et-0/0/48", "mge-0/0/3"} {
		if err := juniperjunos.ValidatePort(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range append(drivertest.BadPortNames, "ge-0/0/1.0", "ae0", "ge-0/0/1;commit", "Gi1/0/1") {
		if err := juniperjunos.ValidatePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRehearsalMovesTraffic cuts two servers over between two emulated
// EX switches, driven by this driver under the guard and on trial, while
// the gateway pings them.
func TestRehearsalMovesTraffic(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "juniper_vjunosswitch", Driver: juniperjunos.Name, Registry: all.Registry(),
		OldPorts: []string{"ge-0/0/1", "ge-0/0/2"}, NewPorts: []string{"ge-0/0/0", "ge-0/0/1"}, ConfirmTimeout: 2 * time.Minute})
}

// TestPasswordNeverInErrors: a refused login names the switch and user,
// never the password.
func TestPasswordNeverInErrors(t *testing.T) {
	l := labtest.Start(t, topology)
	l.Emulator("sw3").SetFaults(emulator.Faults{RefuseAuth: true})
	_, err := open(t, l).Ports(context.Background())
	if err == nil || !strings.Contains(err.Error(), "switch sw3") || !strings.Contains(err.Error(), "as admin") || strings.Contains(err.Error(), labs.DefaultPassword) {
		t.Fatalf("refused login: %v", err)
	}
}

// TestPendingCommit: napalm's reading of the commit history, on variants
// of the history and the clock: the time decides, not the text.
func TestPendingCommit(t *testing.T) {
	committed := time.Date(2024, 4, 2, 3, 35, 34, 0, time.UTC)
	entry := func(i int, at time.Time, rest string) string {
		return fmt.Sprintf("%-3d %s by mist via netconf%s\n", i, at.Format("2006-01-02 15:04:05 MST"), rest)
	}
	clock := func(at time.Time, zone string) string {
		return "Current time: " + at.Format("2006-01-02 15:04:05") + " " + zone + "\nTime Source:  NTP CLOCK \n"
	}
	for _, c := range []struct {
		name, hist, clock string
		left              time.Duration // 0: nothing pending
		err               string
	}{
		{name: "pending", hist: entry(0, committed, " commit confirmed, rollback in 10mins") + entry(1, committed.Add(-time.Hour), ""),
			clock: clock(committed.Add(4*time.Minute), "UTC"), left: 6 * time.Minute},
		{name: "one minute", hist: entry(0, committed, " commit confirmed, rollback in 1min"), clock: clock(committed.Add(30*time.Second), "UTC"), left: 30 * time.Second},
		{name: "expired", hist: entry(0, committed, " commit confirmed, rollback in 10mins"), clock: clock(committed.Add(11*time.Minute), "UTC")},
		{name: "confirmed by a later commit", hist: entry(0, committed.Add(time.Minute), "") + entry(1, committed, " commit confirmed, rollback in 10mins"), clock: clock(committed.Add(2*time.Minute), "UTC")},
		{name: "virtual chassis", hist: "fpc0:\n--------------------------------------------------------------------------\n" + entry(0, committed, " commit confirmed, rollback in 5mins") + "rescue  2024-01-01 00:00:00 UTC by root via other\n",
			clock: "fpc0:\n------\n" + clock(committed.Add(time.Minute), "UTC"), left: 4 * time.Minute},
		{name: "two zones", hist: entry(0, committed, " commit confirmed, rollback in 10mins"), clock: clock(committed, "CEST"), err: "counts in UTC"},
		{name: "no history", hist: "\n", err: "no newest entry"},
	} {
		p, err := juniperjunos.PendingCommit(drivertest.Transcript{"show system commit": c.hist, "show system uptime": c.clock})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: want an error %q, got %+v, %v", c.name, c.err, p, err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.left == 0 && p != nil:
			t.Errorf("%s: reported pending: %+v", c.name, p)
		case c.left != 0 && (p == nil || p.RevertIn != c.left || p.User != "mist" || p.ID != "2024-04-02 03:35:34 UTC"):
			t.Errorf("%s: got %+v, want %s left", c.name, p, c.left)
		}
	}
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a row of `show ethernet-switching interfaces` naming the port's
// unit 0, above the first interface (a row under an interface may be
// one of its members: it concerns that interface too, see
// TestReadPortRows).
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw3", Ports: ports[:2], Segments: []string{"10", "20"}, OVSPort: ovs},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver { return openPlan(t, l, plan) },
		Outside:  ports[2],
		Garble: labtest.ExtraRow(juniperjunos.CmdSwitching, 2, func(port string) string {
			return fmt.Sprintf("%-12s xcvr fault, see log", port+".0")
		}),
	})
}
