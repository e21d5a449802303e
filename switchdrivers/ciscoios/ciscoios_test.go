package ciscoios_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// sw1 is an emulated Catalyst (its eN ports are GigabitEthernet1/0/N).
const topology = `
name: ios
topology:
  nodes:
    sw1: {kind: cisco_cat9kv}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:eth1", "h1:eth1"]
    - endpoints: ["sw1:eth2", "h2:eth1"]
    - endpoints: ["sw1:eth3", "h3:eth1"]
    - endpoints: ["sw1:eth9", "p:eth1"]
`

func start(t testing.TB) (*labs.Lab, *emulator.Server) {
	t.Helper()
	l := labtest.Start(t, topology)
	return l, l.Emulator("sw1")
}

func open(t testing.TB, l *labs.Lab, ports ...string) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw1", nil)
	cfg.Ports = ports
	d, err := ciscoios.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func tag(t testing.TB, l *labs.Lab, iface string) string {
	v, err := l.PortTag(context.Background(), labtest.OVSPort("sw1", iface))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestConformance(t *testing.T) {
	l, _ := start(t)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw1", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}, Segments: []string{"10", "20", "30"}})
}

// TestSilentSwitchEndsTheSession: a switch that goes silent in the middle
// of a batch (no echo of the line, no prompt, the session left open —
// scrapligo v1 waits for an echo without a timeout) costs the batch, with
// an error naming the switch and the line, and never holds the step
// forever: the session is closed once the driver's timeout has passed.
func TestSilentSwitchEndsTheSession(t *testing.T) {
	l, srv := start(t)
	cfg := labtest.SwitchConfig(t, l, "sw1", map[string]string{"known_hosts": l.KnownHosts(), "timeout": "1s"})
	cfg.Ports = []string{"Gi1/0/2"}
	d, err := ciscoios.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(emulator.Faults{Mute: "switchport access vlan"})
	done := make(chan error, 1)
	go func() {
		done <- d.Apply(context.Background(), []switchdrivers.Change{{Port: "Gi1/0/2", From: "10", To: "20"}})
	}()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute): // far beyond any timeout: a hang, not slowness
		t.Fatal("Apply still waits on a silent switch")
	}
	if err == nil || !strings.Contains(err.Error(), "sw1") || !strings.Contains(err.Error(), "switchport access vlan 20") || !strings.Contains(err.Error(), "answered nothing") {
		t.Fatalf("err %v", err)
	}
	srv.SetFaults(emulator.Faults{})
	if v := tag(t, l, "Gi1/0/2"); v != "10" {
		t.Fatalf("the muted line moved the port: tag %s", v)
	}
}

func TestLongNamesAndSave(t *testing.T) {
	l, srv := start(t)
	d := open(t, l, "GigabitEthernet1/0/2")
	ctx := context.Background()
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "GigabitEthernet1/0/2", From: "10", To: "266"}}); err != nil {
		t.Fatal(err)
	}
	if v := tag(t, l, "Gi1/0/2"); v != "266" {
		t.Fatalf("tag %s", v)
	}
	cmds, _ := d.Render([]switchdrivers.Change{{Port: "GigabitEthernet1/0/2", From: "266", To: "10"}})
	if strings.Join(cmds, "|") != "configure terminal|interface GigabitEthernet1/0/2|switchport access vlan 10|end" {
		t.Fatalf("render %q", cmds)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
	if log := strings.Join(srv.ConfigLog(), "|"); !strings.Contains(log, "interface GigabitEthernet1/0/2|switchport access vlan 266") {
		t.Fatalf("config log %q", log)
	}
}

func TestMACTable(t *testing.T) {
	l, _ := start(t)
	labtest.Exec(t, l, "h1", "ip", "address", "add", "10.0.0.1/24", "dev", "eth1")
	labtest.Exec(t, l, "h2", "ip", "address", "add", "10.0.0.2/24", "dev", "eth1")
	labtest.Ping(t, l, "h1", 300*time.Millisecond, "10.0.0.2")
	mac := strings.TrimSpace(labtest.Exec(t, l, "h1", "cat", "/sys/class/net/eth1/address"))
	entries, err := open(t, l).(switchdrivers.MACTabler).MACTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.MAC == mac {
			if e.Port != "Gi1/0/1" || e.VLAN != 10 {
				t.Fatalf("h1 on %s VLAN %d", e.Port, e.VLAN)
			}
			return
		}
	}
	t.Fatalf("%s not in %+v", mac, entries)
}

func TestHostKeyIsVerified(t *testing.T) {
	l, srv := start(t)
	other := labtest.Start(t, strings.Replace(topology, "name: ios", "name: ios2", 1)) // another switch, another key
	ctx := context.Background()
	d, _ := ciscoios.Open(labtest.SwitchConfig(t, l, "sw1", map[string]string{"known_hosts": other.KnownHosts()}))
	before := srv.Sessions()
	if _, err := d.Ports(ctx); err == nil || !strings.Contains(err.Error(), "switch sw1") {
		t.Fatalf("a wrong host key was accepted: %v", err)
	}
	if srv.Sessions() != before {
		t.Fatal("a session was opened despite the wrong host key")
	}
	d, _ = ciscoios.Open(labtest.SwitchConfig(t, l, "sw1", map[string]string{"known_hosts": filepath.Join(t.TempDir(), "none")}))
	if _, err := d.Ports(ctx); err == nil {
		t.Fatal("a missing known_hosts file was accepted")
	}
	d, _ = ciscoios.Open(labtest.SwitchConfig(t, l, "sw1", map[string]string{"insecure_host_key": "true"}))
	if _, err := d.Ports(ctx); err != nil {
		t.Fatalf("explicit opt-out: %v", err)
	}
	if w := strings.Join(d.(interface{ Warnings() []string }).Warnings(), "\n"); !strings.Contains(w, "switch sw1: the SSH host key is NOT verified") {
		t.Fatalf("the opt-out is not said: %q", w)
	}
}

func TestPasswordNeverInErrors(t *testing.T) {
	l, srv := start(t)
	const wrong = "Wr0ng-But-Secret-Pw"
	cfg := labtest.SwitchConfig(t, l, "sw1", nil)
	cfg.Password = secret.New(wrong)
	d, _ := ciscoios.Open(cfg)
	if _, err := d.Ports(context.Background()); err == nil || strings.Contains(err.Error(), wrong) {
		t.Fatalf("err = %v", err)
	}
	srv.SetFaults(emulator.Faults{RefuseAuth: true})
	if _, err := open(t, l).Ports(context.Background()); err == nil || strings.Contains(err.Error(), labs.DefaultPassword) || !strings.Contains(err.Error(), "ssh to") {
		t.Fatalf("err = %v", err)
	}
}

func TestFaultsNameSwitchPortCommand(t *testing.T) {
	l, srv := start(t)
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "Gi1/0/1", From: "10", To: "20"}, {Port: "Gi1/0/2", From: "10", To: "30"}}
	srv.SetFaults(emulator.Faults{RejectCommand: "vlan 30"})
	err := d.Apply(ctx, batch)
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw1 port Gi1/0/2") ||
		!strings.Contains(err.Error(), `"switchport access vlan 30"`) || !strings.Contains(err.Error(), "Invalid input") {
		t.Fatalf("reject: %v", err)
	}
	// Line mode: the first port moved before the rejection; the engine undoes it.
	if v := tag(t, l, "Gi1/0/1"); v != "20" {
		t.Fatalf("Gi1/0/1 %s", v)
	}
	l.SetPortTag(ctx, "sw1-e1", "10")
	srv.SetFaults(emulator.Faults{DropAfter: 3})
	if err := d.Apply(ctx, batch); err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw1") {
		t.Fatalf("drop: %v", err)
	}
	for _, p := range []string{"Gi1/0/1", "Gi1/0/2"} {
		if v := tag(t, l, p); v != "10" && v != "20" && v != "30" {
			t.Fatalf("%s in VLAN %s, which the plan did not name", p, v)
		}
	}
}

// TestTrialConformance: a pending revert timer is seen from a new
// session, confirmed or cancelled from there, and reverts by itself.
func TestTrialConformance(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunTrialConformance(t, labtest.Emulated{Lab: l, Node: "sw1", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}, Segments: []string{"10", "20", "30"}})
}

// TestRenderIsSent: what `cutover plan` shows for a batch (IOS-XE), plain
// and on trial with its confirmation, is what the switch receives, line
// for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw1", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}, Segments: []string{"10", "20", "30"}})
}

// TestTrialNeedsTheArchive: without the configuration archive a trial is
// refused before configuration mode, untouched, naming the switch, as a
// switch that cannot take a trial (switchdrivers.ErrTrialUnavailable:
// the engine then sends the batch without one, or refuses it with
// --require-trials); the plan's trial form says so; the option trials:
// "off" drives the switch without trials.
func TestTrialNeedsTheArchive(t *testing.T) {
	l, srv := start(t)
	ctx := context.Background()
	srv.SetArchive(false)
	batch := []switchdrivers.Change{{Port: "Gi1/0/1", From: "10", To: "20"}}
	_, err := open(t, l).(switchdrivers.ConfirmedApplier).ApplyConfirmed(ctx, batch, 2*time.Minute)
	if err == nil || !switchdrivers.IsUntouched(err) || !errors.Is(err, switchdrivers.ErrTrialUnavailable) || !strings.Contains(err.Error(), "switch sw1") ||
		!strings.Contains(err.Error(), "Archive feature not enabled") {
		t.Fatalf("trial without archive: %v", err)
	}
	rendered, err := open(t, l).(switchdrivers.ConfirmedApplier).RenderConfirmed(batch, 2*time.Minute)
	if err != nil || len(rendered) == 0 || !strings.HasPrefix(rendered[0], "! a trial needs the configuration archive") || !strings.Contains(rendered[0], "--require-trials") {
		t.Fatalf("the trial's rendering does not say what it needs: %q, %v", rendered, err)
	}
	if log := strings.Join(srv.ConfigLog(), "|"); strings.Contains(log, "revert") || strings.Contains(log, "vlan 20") {
		t.Fatalf("configuration was sent: %q", log)
	}
	if v := tag(t, l, "Gi1/0/1"); v != "10" {
		t.Fatalf("Gi1/0/1 moved to %s", v)
	}
	cfg := labtest.SwitchConfig(t, l, "sw1", map[string]string{"known_hosts": l.KnownHosts(), "trials": "off"})
	d, err := ciscoios.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(switchdrivers.ConfirmedApplier); ok {
		t.Fatal(`trials: "off" still offers trials`)
	}
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := ciscoios.Open(labtest.SwitchConfig(t, l, "sw1", map[string]string{"trials": "maybe"})); err == nil {
		t.Fatal("trials: maybe accepted")
	}
}

// TestRevertTimerRunsFromConfigureTerminal: the timer is armed when the
// session enters configuration mode, so a session lost in the middle of
// a batch leaves its first lines applied only until the timer runs out;
// the revert then restores every port, also one another session moved
// meanwhile (the archive holds the whole configuration).
func TestRevertTimerRunsFromConfigureTerminal(t *testing.T) {
	l := labtest.StartFast(t, topology)
	srv := l.Emulator("sw1")
	ctx := context.Background()
	d := open(t, l)
	srv.SetFaults(emulator.Faults{DropAfter: 3}) // interface, switchport, interface: then the drop
	batch := []switchdrivers.Change{{Port: "Gi1/0/1", From: "10", To: "20"}, {Port: "Gi1/0/2", From: "10", To: "30"}}
	if _, err := d.(switchdrivers.ConfirmedApplier).ApplyConfirmed(ctx, batch, 5*time.Minute); err == nil || switchdrivers.IsUntouched(err) {
		t.Fatalf("a session lost part-way: %v", err)
	}
	srv.SetFaults(emulator.Faults{})
	if v := tag(t, l, "Gi1/0/1"); v != "20" {
		t.Fatalf("the first line did not land: Gi1/0/1 in %s", v)
	}
	if pending, _ := srv.PendingTrial(); !pending {
		t.Fatal("no revert pending after a lost trial session")
	}
	p, err := d.(switchdrivers.TrialRecoverer).PendingTrial(ctx)
	if err != nil || p == nil || p.User != "admin" {
		t.Fatalf("pending: %+v, %v", p, err)
	}
	// A batch not on trial would be undone by the revert (it restores the
	// whole archived configuration): refused, untouched, naming the trial.
	err = d.Apply(ctx, []switchdrivers.Change{{Port: "Gi1/0/3", From: "10", To: "30"}})
	if err == nil || !switchdrivers.IsUntouched(err) || !errors.Is(err, cli.ErrBusy) || !strings.Contains(err.Error(), "a trial is pending on the switch") {
		t.Fatalf("a plain batch while a revert is pending: %v", err)
	}
	if v := tag(t, l, "Gi1/0/3"); v != "10" {
		t.Fatalf("Gi1/0/3 moved to %s", v)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tag(t, l, "Gi1/0/1") != "10" {
		if time.Now().After(deadline) {
			t.Fatalf("not reverted: Gi1/0/1 %s", tag(t, l, "Gi1/0/1"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Gi1/0/3", From: "10", To: "30"}}); err != nil {
		t.Fatalf("after the revert: %v", err)
	}
	if p, err := d.(switchdrivers.TrialRecoverer).PendingTrial(ctx); p != nil || err != nil {
		t.Fatalf("after the revert: %+v, %v", p, err)
	}
}

// TestPendingRollbackText: the device's texts decide, never a guess.
func TestPendingRollbackText(t *testing.T) {
	for _, c := range []struct {
		archive, timer string
		pending        bool
		err            string
	}{
		{archive: "%Archive feature not enabled", timer: "% Invalid input detected at '^' marker."},
		{archive: " Archive feature not enabled\n", timer: "Rollback is not running"},
		{archive: "The next archive file will be named flash:a-1", timer: "%No Rollback Confirmed Change pending"},
		{archive: "The next archive file will be named flash:a-1", timer: "Time configured(or reset) : 10:00:00 UTC Mon Mar 1 2021\nTimer type: absolute\nTimer value: 3 min\nUser: admin\n", pending: true},
		{archive: "The next archive file will be named flash:a-1", timer: "Rollback is not running", err: "neither a pending change"},
	} {
		p, err := ciscoios.PendingRollback(drivertest.Transcript{"show archive": c.archive, "show archive config rollback timer": c.timer})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: want an error %q, got %+v, %v", c.timer, c.err, p, err)
			}
		case err != nil || (p != nil) != c.pending:
			t.Errorf("%q / %q: got %+v, %v", c.archive, c.timer, p, err)
		case p != nil && (p.User != "admin" || p.ID != "10:00:00 UTC Mon Mar 1 2021"):
			t.Errorf("parsed %+v", p)
		}
	}
	for out, ok := range map[string]bool{
		"The maximum archive configurations allowed is 10.\nThe next archive file will be named flash:a-1\n": true,
		"%Archive feature not enabled": false,
		" Archive #  Name\n":           false,
	} {
		if err := ciscoios.ArchiveReady(drivertest.Transcript{"show archive": out}); (err == nil) != ok {
			t.Errorf("%q: %v", out, err)
		}
	}
}

// TestUnreadableRows: a row of `show interfaces status` the parser cannot
// read costs nothing when it is not a port of the plan; on a port of the
// plan, Ports fails and a batch moving it is refused untouched, naming
// the switch, the port, the command, the line and its text; a MAC table
// row it cannot read is named beside the entries it read.
func TestUnreadableRows(t *testing.T) {
	l, srv := start(t)
	ctx := context.Background()
	row := "Gi1/0/7   xcvr fault, see log"
	srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: "show interfaces status", After: 2, Row: row}}})
	d := open(t, l, "Gi1/0/1", "Gi1/0/2")
	ports, err := d.Ports(ctx)
	if err != nil || len(ports) == 0 {
		t.Fatalf("a row outside the plan: %v", err)
	}
	// Lines count in the output as the driver receives it (from the
	// header: the emulator's leading blank line is not part of it).
	pr, err := d.(switchdrivers.PortReader).ReadPorts(ctx)
	if err != nil || len(pr.Unreadable) != 1 || pr.Unreadable[0].Text != row || pr.Unreadable[0].Line != 2 || pr.Unreadable[0].Command != "show interfaces status" {
		t.Fatalf("%+v %v", pr.Unreadable, err)
	}
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Gi1/0/1", From: "10", To: "20"}}); err != nil {
		t.Fatalf("a batch beside a row outside the plan: %v", err)
	}
	if v := tag(t, l, "Gi1/0/1"); v != "20" {
		t.Fatalf("tag %s", v)
	}
	// The same row on a port of the plan.
	row = "Gi1/0/2   xcvr fault, see log"
	srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: "show interfaces status", After: 2, Row: row}}})
	want := []string{"switch sw1 port", `line 2 of "show interfaces status"`, `"` + row + `"`}
	if _, err := d.Ports(ctx); err == nil || !strings.Contains(err.Error(), "port Gi1/0/2") {
		t.Fatalf("Ports with a row on a port of the plan: %v", err)
	}
	before := len(srv.ConfigLog())
	err = d.Apply(ctx, []switchdrivers.Change{{Port: "Gi1/0/1", From: "20", To: "10"}, {Port: "Gi1/0/2", From: "10", To: "20"}})
	if !switchdrivers.IsUntouched(err) || len(srv.ConfigLog()) != before {
		t.Fatalf("a batch moving a port in an unreadable row was not refused untouched: %v", err)
	}
	for _, frag := range append(want, "port Gi1/0/2") {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q: %v", frag, err)
		}
	}
	if v := tag(t, l, "Gi1/0/1"); v != "20" {
		t.Fatalf("Gi1/0/1 moved: tag %s", v)
	}
	// MAC table: the entries read, and the row that was not.
	labtest.Exec(t, l, "h1", "ip", "address", "add", "10.0.0.1/24", "dev", "eth1")
	labtest.Exec(t, l, "h2", "ip", "address", "add", "10.0.0.2/24", "dev", "eth1")
	labtest.Exec(t, l, "h2", "ip", "link", "set", "eth1", "up")
	srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: "show mac address-table", After: 6, Row: "  20    0000.0c07.ac1g    DYNAMIC     Gi1/0/2"}}})
	entries, err := d.(switchdrivers.MACTabler).MACTable(ctx)
	var rows *switchdrivers.UnreadableRowsError
	if !errors.As(err, &rows) || rows.Switch != "sw1" || len(rows.Rows) != 1 || rows.Rows[0].Command != "show mac address-table" || !strings.Contains(rows.Rows[0].Text, "ac1g") {
		t.Fatalf("%v", err)
	}
	t.Logf("%d entries read beside: %v", len(entries), err)
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a row of `show interfaces status` naming the port.
func TestUnreadableConformance(t *testing.T) {
	l, _ := start(t)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw1", Ports: []string{"Gi1/0/1", "Gi1/0/2"}, Segments: []string{"10", "20"}},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver { return open(t, l, plan...) },
		Outside:  "Gi1/0/3",
		Garble:   labtest.ExtraRow("show interfaces status", 2, labs.UnreadableRow),
	})
}
