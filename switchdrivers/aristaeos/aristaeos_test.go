package aristaeos_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/aristaeos"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// sw2 is an emulated Arista (its eN ports are EthernetN).
const topology = `
name: eos
topology:
  nodes:
    sw2: {kind: arista_ceos}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw2:eth1", "h1:eth1"]
    - endpoints: ["sw2:eth2", "h2:eth1"]
    - endpoints: ["sw2:eth3", "h3:eth1"]
    - endpoints: ["sw2:eth9", "p:eth1"]
`

// open opens the driver as an inventory naming Ethernet1-3 would.
func open(t testing.TB, l *labs.Lab) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw2", nil)
	cfg.Ports = []string{"Ethernet1", "Ethernet2", "Ethernet3"}
	d, err := aristaeos.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw2", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Ethernet1", "Ethernet2", "Ethernet3"}, Segments: []string{"10", "20", "30"}})
}

// TestSessionIsATransaction: a rejected line or a dropped session aborts
// the configuration session; nothing of the batch lands, and the driver
// says so.
func TestSessionIsATransaction(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw2")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "Ethernet1", From: "10", To: "20"}, {Port: "Ethernet2", From: "10", To: "30"}}
	cmds, _ := d.Render(batch)
	want := "configure session " + cli.SessionName(batch, cli.AttemptPlaceholder) + "|interface Ethernet1|switchport access vlan 20|interface Ethernet2|switchport access vlan 30|commit"
	if strings.Join(cmds, "|") != want || !strings.HasPrefix(cmds[0], "configure session cutover-") {
		t.Fatalf("render %q", cmds)
	}
	for name, f := range map[string]emulator.Faults{"rejected": {RejectCommand: "vlan 30"}, "dropped": {DropAfter: 3}} {
		srv.SetFaults(f)
		err := d.Apply(ctx, batch)
		if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw2") {
			t.Fatalf("%s: want an untouched error, got %v", name, err)
		}
		for _, p := range []string{"sw2-e1", "sw2-e2"} {
			if v, _ := l.PortTag(ctx, p); v != "10" {
				t.Fatalf("%s: %s moved to %s though the session never committed", name, p, v)
			}
		}
	}
	srv.SetFaults(emulator.Faults{})
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLostSessionIsNeverReentered: a session dropped before its commit
// stays pending on EOS; the retry uses a session of its own, so the
// stale one is never committed (it would overwrite everything changed
// since it was made), and the driver removes its own stale session —
// only that one — in its next session.
func TestLostSessionIsNeverReentered(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw2")
	ctx := context.Background()
	d := open(t, l)
	sessions := func() map[string]string {
		t.Helper()
		states := map[string]string{}
		var v struct {
			Sessions map[string]struct{ State string } `json:"sessions"`
		}
		if err := json.Unmarshal([]byte(srv.EOSSessionsJSON()), &v); err != nil {
			t.Fatal(err)
		}
		for n, s := range v.Sessions {
			states[n] = s.State
		}
		return states
	}
	// Somebody else's session, left pending: never touched.
	srv.OpenEOSSession("operator-change")
	batch := []switchdrivers.Change{{Port: "Ethernet1", From: "10", To: "20"}, {Port: "Ethernet2", From: "10", To: "30"}}
	srv.SetFaults(emulator.Faults{DropAfter: 3})
	if err := d.Apply(ctx, batch); err == nil || !switchdrivers.IsUntouched(err) {
		t.Fatalf("dropped: %v", err)
	}
	srv.SetFaults(emulator.Faults{})
	var lost string
	for n, st := range sessions() {
		if n != "operator-change" {
			if st != "pending" {
				t.Fatalf("the lost session %s is %s, want pending (EOS keeps it)", n, st)
			}
			lost = n
		}
	}
	if lost == "" {
		t.Fatal("the lost session is gone: the emulator discards what EOS keeps")
	}
	// Another port moves meanwhile; a commit of the stale session would
	// move it back (EOS copies the whole session into running-config).
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet3", From: "10", To: "30"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"sw2-e1": "20", "sw2-e2": "30", "sw2-e3": "30"} {
		if v, _ := l.PortTag(ctx, p); v != want {
			t.Fatalf("%s in %s, want %s", p, v, want)
		}
	}
	st := sessions()
	if _, ok := st[lost]; ok {
		t.Fatalf("the driver's stale session %s is still there: %v", lost, st)
	}
	if st["operator-change"] != "pending" {
		t.Fatalf("another client's pending session was touched: %v", st)
	}
	for _, line := range srv.ConfigLog() {
		if line == "configure session "+lost {
			t.Fatalf("the stale session was entered again: %q", srv.ConfigLog())
		}
	}
}

// TestTrialConformance: a session with a commit timer is seen from a
// new session, committed or aborted from there, and reverts by itself.
func TestTrialConformance(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunTrialConformance(t, labtest.Emulated{Lab: l, Node: "sw2", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Ethernet1", "Ethernet2", "Ethernet3"}, Segments: []string{"10", "20", "30"}})
}

// TestRenderIsSent: what `cutover plan` shows for a batch (EOS), plain
// and on trial with its confirmation, is what the switch receives, line
// for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw2", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Ethernet1", "Ethernet2", "Ethernet3"}, Segments: []string{"10", "20", "30"}})
}

// TestPendingSession: the session in state pendingCommitTimer, read from
// variants of `show configuration sessions | json`.
func TestPendingSession(t *testing.T) {
	for _, c := range []struct {
		out, want, err string
	}{
		{out: `{"maxSavedSessions": 1, "maxOpenSessions": 5, "sessions": {}}`},
		{out: `{"sessions": {"a": {"state": "pending", "instances": {}}, "b": {"state": "completed"}}}`},
		{out: `{"sessions": {"s2": {"state": "pendingCommitTimer", "description": ""}, "s1": {"state": "pending"}}}`, want: "s2"},
		{out: "\n{\"sessions\": {\"z\": {\"state\": \"pendingCommitTimer\"}, \"y\": {\"state\": \"pendingCommitTimer\"}}}", want: "y"},
		{out: `{"sessions": {"a": {}}}`, err: "no state"},
		{out: `{"maxSavedSessions": 1}`, err: "not the JSON expected"},
		{out: `% Invalid input`, err: "not the JSON expected"},
	} {
		p, err := aristaeos.PendingSession(drivertest.Transcript{aristaeos.CmdSessions: c.out})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: want an error %q, got %+v, %v", c.out, c.err, p, err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.out, err)
		case c.want == "" && p != nil, c.want != "" && (p == nil || p.ID != c.want):
			t.Errorf("%s: got %+v, want %q", c.out, p, c.want)
		}
	}
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a row of `show interfaces status` naming the port.
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw2", Ports: []string{"Ethernet1", "Ethernet2"}, Segments: []string{"10", "20"}},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver {
			cfg := labtest.SwitchConfig(t, l, "sw2", nil)
			cfg.Ports = plan
			d, err := aristaeos.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		Outside: "Ethernet3",
		Garble:  labtest.ExtraRow("show interfaces status", 2, labs.UnreadableRow),
	})
}
