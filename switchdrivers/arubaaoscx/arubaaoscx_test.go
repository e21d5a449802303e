package arubaaoscx_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/arubaaoscx"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// sw4 is an emulated AOS-CX switch (eN is 1/1/N); VLANs 10-30 exist.
const topology = `
name: aoscx
topology:
  nodes:
    sw4: {kind: aruba_aoscx, labels: {cutover.vlans: "10,20,30"}}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw4:eth1", "h1:eth1"]
    - endpoints: ["sw4:eth2", "h2:eth1"]
    - endpoints: ["sw4:eth3", "h3:eth1"]
    - endpoints: ["sw4:eth9", "p:eth1"]
`

var ports = []string{"1/1/1", "1/1/2", "1/1/3"}

func ovs(iface string) string { return "sw4-e" + iface[strings.LastIndexByte(iface, '/')+1:] }

func open(t testing.TB, l *labs.Lab) switchdrivers.Driver { return openPlan(t, l, ports) }

// openPlan opens the driver as an inventory naming plan on the switch would.
func openPlan(t testing.TB, l *labs.Lab, plan []string) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw4", nil)
	cfg.Ports = plan
	d, err := arubaaoscx.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw4", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}, OVSPort: ovs})
}

// TestFaultsAndSave: a rejected line and a VLAN the switch does not have
// name switch, port and line; lines before the failure have landed (line
// mode), which the error makes clear by not claiming "nothing was changed".
func TestFaultsAndSave(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw4")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "1/1/1", From: "10", To: "20"}, {Port: "1/1/2", From: "10", To: "30"}}
	cmds, _ := d.Render(batch)
	if got := strings.Join(cmds, "|"); got != "configure terminal|interface 1/1/1|vlan access 20|interface 1/1/2|vlan access 30|end" {
		t.Fatalf("render %q", got)
	}
	srv.SetFaults(emulator.Faults{RejectCommand: "vlan access 30"})
	err := d.Apply(ctx, batch)
	srv.SetFaults(emulator.Faults{})
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw4 port 1/1/2") || !strings.Contains(err.Error(), `"vlan access 30"`) || !strings.Contains(err.Error(), "Invalid input") {
		t.Fatalf("rejected line: %v", err)
	}
	if v, _ := l.PortTag(ctx, "sw4-e1"); v != "20" {
		t.Fatalf("1/1/1 is in %s: line mode applied the first port", v)
	}
	l.SetPortTag(ctx, "sw4-e1", "10")
	err = d.Apply(ctx, []switchdrivers.Change{{Port: "1/1/1", From: "10", To: "999"}})
	if err == nil || !strings.Contains(err.Error(), "VLAN 999 does not exist") || !strings.Contains(err.Error(), "switch sw4 port 1/1/1") {
		t.Fatalf("missing VLAN: %v", err)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
	macs, err := d.(switchdrivers.MACTabler).MACTable(ctx)
	if err != nil {
		t.Fatalf("MAC table: %v (%d entries)", err, len(macs))
	}
}

func TestValidatePort(t *testing.T) {
	for _, ok := range []string{"1/1/1", "2/1/48", "1/3/12"} {
		if err := arubaaoscx.ValidatePort(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range append(drivertest.BadPortNames, "lag1", "vlan10", "1/1/1;end", "Gi1/0/1") {
		if err := arubaaoscx.ValidatePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRehearsalMovesTraffic cuts a server over from one emulated AOS-CX
// switch to another under the guard while the gateway pings it.
func TestRehearsalMovesTraffic(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "aruba_aoscx", Driver: arubaaoscx.Name, Registry: all.Registry(),
		OldPorts: []string{"1/1/2"}, NewPorts: []string{"1/1/1"}})
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a line above the first interface's block naming the port (a
// line inside a block cuts it: it concerns that interface too, see
// TestReadPortRows).
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw4", Ports: ports[:2], Segments: []string{"10", "20"}, OVSPort: ovs},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver { return openPlan(t, l, plan) },
		Outside:  ports[2],
		Garble:   labtest.ExtraRow(arubaaoscx.CmdInterface, 0, labs.UnreadableRow),
	})
}

// TestTrialConformance: a batch in auto checkpoint mode is seen from a
// new session, confirmed or cancelled from there, and reverts by itself.
func TestTrialConformance(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunTrialConformance(t, labtest.Emulated{Lab: l, Node: "sw4", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}, OVSPort: ovs})
}

// TestTrialRenderAndFailure: the trial renders as it is sent; a trial
// batch refused part-way is cancelled at once (nothing of it stays until
// the timer), and the error names switch, port, line and the
// cancellation; with trials off the driver has no trial at all.
func TestTrialRenderAndFailure(t *testing.T) {
	l := labtest.StartFast(t, topology)
	srv := l.Emulator("sw4")
	ctx := context.Background()
	d := open(t, l)
	ca := d.(switchdrivers.ConfirmedApplier)
	batch := []switchdrivers.Change{{Port: "1/1/1", From: "10", To: "20"}, {Port: "1/1/2", From: "10", To: "30"}}
	cmds, err := ca.RenderConfirmed(batch, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cmds, "|"); got != "checkpoint auto 2|configure terminal|interface 1/1/1|vlan access 20|interface 1/1/2|vlan access 30|end|! once the step's guard has passed, in a new session: checkpoint auto confirm" {
		t.Fatalf("render %q", got)
	}
	srv.SetFaults(emulator.Faults{RejectCommand: "vlan access 30"})
	_, err = ca.ApplyConfirmed(ctx, batch, 5*time.Minute)
	srv.SetFaults(emulator.Faults{})
	if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw4 port 1/1/2") || !strings.Contains(err.Error(), `"vlan access 30"`) || !strings.Contains(err.Error(), "the trial was cancelled") {
		t.Fatalf("a refused line on trial: %v", err)
	}
	if v, _ := l.PortTag(ctx, "sw4-e1"); v != "10" {
		t.Fatalf("1/1/1 in %s after the cancellation, want 10", v)
	}
	if p, err := d.(switchdrivers.TrialRecoverer).PendingTrial(ctx); err != nil || p != nil {
		t.Fatalf("pending after the cancellation: %v, %v", p, err)
	}
	cfg := labtest.SwitchConfig(t, l, "sw4", map[string]string{"known_hosts": l.KnownHosts(), "trials": "off"})
	off, err := arubaaoscx.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := off.(switchdrivers.ConfirmedApplier); ok {
		t.Fatal(`trials: "off" still applies on trial`)
	}
}

func TestTrialMinutes(t *testing.T) {
	for in, want := range map[time.Duration]int{time.Second: 1, time.Minute: 1, 61 * time.Second: 2, 5 * time.Minute: 5, 60 * time.Minute: 60, 3 * time.Hour: 60} {
		if got := arubaaoscx.TrialMinutes(in); got != want {
			t.Errorf("%s: %d, want %d", in, got, want)
		}
	}
}

// TestPendingAuto: the auto checkpoint pending confirmation, read from
// variants of `show checkpoint list all` (columns or the pipes of HPE's
// documentation); a listing without its header is an error.
func TestPendingAuto(t *testing.T) {
	for _, c := range []struct{ out, want, err string }{
		{out: "NAME  TYPE  WRITER  DATE  HARDWARE  IMAGE VERSION\nckpt1  checkpoint  User  2017-03-08 21:39:04  8320  10.13\n"},
		{out: "NAME                     TYPE         WRITER   DATE\nAUTO20261129054500       auto         User     2026-11-29 05:45:00\n", want: "AUTO20261129054500"},
		{out: "|NAME |TYPE |WRITER |DATE |\n|ckpt1 |checkpoint |User |2017-03-08 21:39:04 |\n|AUTO20170308214100 |latest |System |2017-03-08 21:41:02 |\n|AUTO20170309000000 |auto |User |2017-03-09 00:00:00 |\n", want: "AUTO20170309000000"},
		{out: "Invalid input: list", err: "no NAME/TYPE header"},
	} {
		p, err := arubaaoscx.PendingAuto(drivertest.Transcript{arubaaoscx.CmdCheckpoints: c.out})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: want %q, got %+v, %v", c.out, c.err, p, err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.out, err)
		case c.want == "" && p != nil, c.want != "" && (p == nil || p.ID != c.want || p.Detail == ""):
			t.Errorf("%q: got %+v, want %q", c.out, p, c.want)
		}
	}
}

// TestRehearsalOnTrial: the same cut-over with every batch on trial (auto
// checkpoint mode), confirmed once each step's guard has passed.
func TestRehearsalOnTrial(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "aruba_aoscx", Driver: arubaaoscx.Name, Registry: all.Registry(),
		OldPorts: []string{"1/1/2"}, NewPorts: []string{"1/1/1"}, ConfirmTimeout: 2 * time.Minute})
}

// TestRenderIsSent: what `cutover plan` shows for a batch (and, on trial,
// its confirmation) is what the switch receives, line for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw4", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}})
}
