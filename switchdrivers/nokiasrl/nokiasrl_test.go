package nokiasrl_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/nokiasrl"
)

// sw5 is an emulated SR Linux (eN is ethernet-1/N); mac-vrf-N is bridged
// as VLAN N, for N in 10, 20, 30.
const topology = `
name: srl
topology:
  nodes:
    sw5: {kind: nokia_srlinux, labels: {cutover.vlans: "10,20,30"}}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw5:e1-1", "h1:eth1"]
    - endpoints: ["sw5:e1-2", "h2:eth1"]
    - endpoints: ["sw5:e1-3", "h3:eth1"]
    - endpoints: ["sw5:e1-9", "p:eth1"]
`

var ports = []string{"ethernet-1/1", "ethernet-1/2", "ethernet-1/3"}

func ovs(iface string) string { return "sw5-e1-" + iface[strings.LastIndexByte(iface, '/')+1:] }

func open(t testing.TB, l *labs.Lab) switchdrivers.Driver { return openPlan(t, l, ports) }

// openPlan opens the driver as an inventory naming plan on the switch would.
func openPlan(t testing.TB, l *labs.Lab, plan []string) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw5", nil)
	cfg.Ports = plan
	d, err := nokiasrl.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw5", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"mac-vrf-10", "mac-vrf-20", "mac-vrf-30"}, OVSPort: ovs,
		Segment: func(tag string) string { return "mac-vrf-" + tag }})
}

// TestCandidateIsATransaction: a rejected line, a dropped session or a
// commit the switch refuses leave nothing applied; errors name switch,
// port and line; segments outside the name grammar never reach the CLI.
func TestCandidateIsATransaction(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw5")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "ethernet-1/1", From: "mac-vrf-10", To: "mac-vrf-20"}, {Port: "ethernet-1/2", From: "mac-vrf-10", To: "mac-vrf-30"}}
	cmds, _ := d.Render(batch)
	want := "enter candidate private name " + cli.SessionName(batch, cli.AttemptPlaceholder) + "|" +
		"delete / network-instance mac-vrf-10 interface ethernet-1/1.0|set / network-instance mac-vrf-20 interface ethernet-1/1.0|" +
		"delete / network-instance mac-vrf-10 interface ethernet-1/2.0|set / network-instance mac-vrf-30 interface ethernet-1/2.0|commit now"
	if strings.Join(cmds, "|") != want {
		t.Fatalf("render %q", cmds)
	}
	unmoved := func(name string) {
		t.Helper()
		for _, p := range []string{"sw5-e1-1", "sw5-e1-2"} {
			if v, _ := l.PortTag(ctx, p); v != "10" {
				t.Fatalf("%s: %s moved to %s though nothing was committed", name, p, v)
			}
		}
	}
	for name, f := range map[string]emulator.Faults{"rejected": {RejectCommand: "mac-vrf-30 interface"}, "dropped": {DropAfter: 3}} {
		srv.SetFaults(f)
		err := d.Apply(ctx, batch)
		if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw5") {
			t.Fatalf("%s: want an untouched error, got %v", name, err)
		}
		unmoved(name)
	}
	srv.SetFaults(emulator.Faults{})
	err := d.Apply(ctx, []switchdrivers.Change{{Port: "ethernet-1/1", From: "mac-vrf-10", To: "mac-vrf-999"}})
	if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "mac-vrf-999 does not exist") || !strings.Contains(err.Error(), "commit now") {
		t.Fatalf("refused commit: %v", err)
	}
	unmoved("refused commit")
	for _, bad := range []string{"mac vrf", "x;commit now", "-x", "a\nb", ""} {
		if _, err := d.Render([]switchdrivers.Change{{Port: "ethernet-1/1", From: "mac-vrf-10", To: bad}}); err == nil {
			t.Errorf("segment %q accepted", bad)
		}
	}
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCommitConfirmed: an unaccepted confirmed commit reverts by itself;
// an accepted one stays.
func TestCommitConfirmed(t *testing.T) {
	l := labtest.New(t, topology)
	l.EmulatorTimeScale = 0.01
	if err := l.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := open(t, l).(switchdrivers.ConfirmedApplier)
	batch := []switchdrivers.Change{{Port: "ethernet-1/1", From: "mac-vrf-10", To: "mac-vrf-20"}}
	cmds, _ := d.RenderConfirmed(batch, 2*time.Minute)
	if got := strings.Join(cmds, "|"); !strings.Contains(got, "commit confirmed timeout 120|! once") || !strings.Contains(got, "tools system configuration confirmed-accept") ||
		!strings.HasSuffix(got, "discard now") {
		t.Fatalf("render %q", cmds)
	}
	tag := func() string { v, _ := l.PortTag(ctx, "sw5-e1-1"); return v }
	if _, err := d.ApplyConfirmed(ctx, batch, time.Minute); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tag() != "10" {
		if time.Now().After(deadline) {
			t.Fatal("the unaccepted commit never reverted")
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
		t.Fatalf("an accepted commit was reverted: %s", tag())
	}
}

// TestTrialConformance: an unconfirmed commit is seen from a new session,
// accepted or rejected from there, and reverts by itself.
func TestTrialConformance(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunTrialConformance(t, labtest.Emulated{Lab: l, Node: "sw5", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"ethernet-1/1", "ethernet-1/2", "ethernet-1/3"}, Segments: []string{"mac-vrf-10", "mac-vrf-20", "mac-vrf-30"},
		Segment: func(tag string) string { return "mac-vrf-" + tag }})
}

// TestRenderIsSent: what `cutover plan` shows for a batch (SR Linux), plain
// and on trial with its confirmation, is what the switch receives, line
// for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw5", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"ethernet-1/1", "ethernet-1/2", "ethernet-1/3"}, Segments: []string{"mac-vrf-10", "mac-vrf-20", "mac-vrf-30"},
		Segment: func(tag string) string { return "mac-vrf-" + tag }})
}

// TestLostBatchIsNotCommittedWithTheNext: SR Linux keeps a candidate
// across sessions (the user's private-<user> one, shared by all of them),
// so a batch lost part-way could be committed by the next; each attempt
// uses a candidate of its own name, and the driver closes its lost one.
// The held candidate of a trial is never discarded before the trial is
// accepted (scrapligo's close would send "discard now").
func TestLostBatchIsNotCommittedWithTheNext(t *testing.T) {
	l := labtest.StartFast(t, topology)
	srv := l.Emulator("sw5")
	ctx := context.Background()
	d := open(t, l)
	srv.SetFaults(emulator.Faults{DropAfter: 2}) // the first port's delete and set, then the drop
	batch := []switchdrivers.Change{{Port: "ethernet-1/1", From: "mac-vrf-10", To: "mac-vrf-20"}, {Port: "ethernet-1/2", From: "mac-vrf-10", To: "mac-vrf-30"}}
	if err := d.Apply(ctx, batch); err == nil || !switchdrivers.IsUntouched(err) {
		t.Fatalf("dropped: %v", err)
	}
	srv.SetFaults(emulator.Faults{})
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "ethernet-1/3", From: "mac-vrf-10", To: "mac-vrf-30"}}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"sw5-e1-1": "10", "sw5-e1-2": "10", "sw5-e1-3": "30"} {
		if v, _ := l.PortTag(ctx, p); v != want {
			t.Fatalf("%s in %s, want %s: the lost batch was committed with the next", p, v, want)
		}
	}
	if open := srv.SRLCandidates(); len(open) != 0 {
		t.Fatalf("candidates left open: %v", open)
	}
	confirm, err := d.(switchdrivers.ConfirmedApplier).ApplyConfirmed(ctx, batch, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	log := srv.ConfigLog()
	if i := slices.Index(log, "commit confirmed timeout 300"); i < 0 || slices.Contains(log[i:], "discard now") {
		t.Fatalf("the trial's candidate was discarded before the trial was accepted: %q", log)
	}
	if open := srv.SRLCandidates(); len(open) != 1 {
		t.Fatalf("the trial's candidate is not held open: %v", open)
	}
	if err := confirm(ctx); err != nil {
		t.Fatal(err)
	}
	if open := srv.SRLCandidates(); len(open) != 0 {
		t.Fatalf("candidates left open after the confirmation: %v", open)
	}
}

func TestValidatePort(t *testing.T) {
	for _, ok := range []string{"ethernet-1/1", "ethernet-2/48", "ethernet-1/3/1"} {
		if err := nokiasrl.ValidatePort(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range append(drivertest.BadPortNames, "ethernet-1/1.0", "mgmt0", "lag1", "ethernet-1/1;commit now") {
		if err := nokiasrl.ValidatePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRehearsalMovesTraffic cuts a server over between two emulated SR
// Linux switches (segments are mac-vrfs) under the guard, on trial.
func TestRehearsalMovesTraffic(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "nokia_srlinux", Driver: nokiasrl.Name, Registry: all.Registry(),
		OldPorts: []string{"ethernet-1/2"}, NewPorts: []string{"ethernet-1/1"}, ConfirmTimeout: 2 * time.Minute,
		Segments: "{production: mac-vrf-66, migration: mac-vrf-166, shadow: mac-vrf-266}", WantOld: "mac-vrf-166", WantNew: "mac-vrf-66"})
}

// TestPendingCommit: the commit in status unconfirmed, wherever the JSON
// nests the list and with or without the module prefix.
func TestPendingCommit(t *testing.T) {
	for _, c := range []struct {
		out, want, err string
	}{
		{out: ``},
		{out: `{}`},
		{out: `{"commit": [{"id": 1, "status": "complete", "username": "admin"}]}`},
		{out: `{"commit": [{"id": 1, "status": "complete"}, {"id": 2, "status": "unconfirmed", "username": "admin"}]}`, want: "2"},
		{out: `{"system": {"configuration": {"commit": [{"id": 7, "status": "srl_nokia-configuration:unconfirmed"}]}}}`, want: "7"},
		{out: `{"srl_nokia-system:system": {"srl_nokia-configuration:configuration": {"commit": [{"id": 3, "status": "rolled-back"}]}}}`},
		{out: `{"system": {"name": "x"}}`, err: "no commit list"},
		{out: `{"commit": ["x"]}`, err: "not an object"},
		{out: `Parsing error: Unknown token 'configuration'`, err: "not the JSON expected"},
	} {
		p, err := nokiasrl.PendingCommit(drivertest.Transcript{nokiasrl.CmdCommits: c.out})
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
// with an entry of the interfaces' state whose admin-state is a number.
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw5", Ports: ports[:2], Segments: []string{"mac-vrf-10", "mac-vrf-20"}, OVSPort: ovs,
			Segment: func(tag string) string { return "mac-vrf-" + tag }},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver { return openPlan(t, l, plan) },
		Outside:  ports[2],
		Garble: func(_ *testing.T, srv *emulator.Server, port string) string {
			// After `{` and `"interface": [`: the first entry.
			srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: nokiasrl.CmdInterfaces, After: 2,
				Row: `    {"name": "` + port + `", "admin-state": 1},`}}})
			return `{"name":"` + port + `","admin-state":1}`
		},
	})
}
