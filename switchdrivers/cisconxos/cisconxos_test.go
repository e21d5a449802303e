package cisconxos_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/cisconxos"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// sw3 is an emulated Nexus (its eN ports are Ethernet1/N).
const topology = `
name: nxos
topology:
  nodes:
    sw3: {kind: cisco_n9kv}
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

var ports = []string{"Ethernet1/1", "Ethernet1/2", "Ethernet1/3"}

func open(t testing.TB, l *labs.Lab) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw3", nil)
	cfg.Ports = ports
	d, err := cisconxos.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}})
}

// NX-OS's "% Invalid command" is not among scrapligo's failure markers;
// the dialect's own must catch it.
func TestRejectedLineIsAnError(t *testing.T) {
	l := labtest.Start(t, topology)
	l.Emulator("sw3").SetFaults(emulator.Faults{RejectCommand: "vlan 30"})
	d := open(t, l)
	err := d.Apply(context.Background(), []switchdrivers.Change{{Port: "Ethernet1/2", From: "10", To: "30"}})
	if err == nil || !strings.Contains(err.Error(), "switch sw3 port Ethernet1/2") || !strings.Contains(err.Error(), "% Invalid command") {
		t.Fatalf("err = %v", err)
	}
	l.Emulator("sw3").SetFaults(emulator.Faults{})
	if err := d.(switchdrivers.Saver).Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := d.(switchdrivers.MACTabler).MACTable(context.Background())
	if err != nil {
		t.Fatalf("MAC table: %v (%d entries)", err, len(entries))
	}
}

// TestRehearsalMovesTraffic cuts two servers over between two emulated
// Nexus switches under the guard while the gateway pings them.
func TestRehearsalMovesTraffic(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "cisco_n9kv", Driver: cisconxos.Name, Registry: all.Registry(),
		OldPorts: []string{"Ethernet1/2", "Ethernet1/3"}, NewPorts: []string{"Ethernet1/1", "Ethernet1/2"}})
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a row of `show interface status` naming the port.
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw3", Ports: []string{"Ethernet1/1", "Ethernet1/2"}, Segments: []string{"10", "20"}},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver {
			cfg := labtest.SwitchConfig(t, l, "sw3", nil)
			cfg.Ports = plan
			d, err := cisconxos.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		Outside: "Ethernet1/3",
		Garble:  labtest.ExtraRow("show interface status", 4, labs.UnreadableRow), // under the header and its rule
	})
}

// TestCheckpointMakesTheBatchAtomic: the batch runs between a
// checkpoint and its deletion (as Render shows); a refused line rolls
// the switch back (the port before it returns), the error names the
// switch, port, line and the rollback, says nothing was changed, and
// leaves no checkpoint.
func TestCheckpointMakesTheBatchAtomic(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "Ethernet1/1", From: "10", To: "20"}, {Port: "Ethernet1/2", From: "10", To: "30"}}
	cmds, err := d.Render(batch)
	if err != nil {
		t.Fatal(err)
	}
	name := cli.SessionName(batch, cli.AttemptPlaceholder)
	text := strings.Join(cmds, "\n")
	for _, want := range []string{
		"checkpoint " + name + " description cutover began " + cli.StampPlaceholder + "\nconfigure terminal\ninterface Ethernet1/1\nswitchport access vlan 20\ninterface Ethernet1/2\nswitchport access vlan 30\nend\n",
		"rollback running-config checkpoint " + name,
		"\nno checkpoint " + name,
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("render lacks %q:\n%s", want, text)
		}
	}
	srv.SetFaults(emulator.Faults{RejectCommand: "vlan 30"})
	err = d.Apply(ctx, batch)
	srv.SetFaults(emulator.Faults{})
	if err == nil || !switchdrivers.IsUntouched(err) {
		t.Fatalf("want an untouched error after the rollback, got %v", err)
	}
	for _, want := range []string{"switch sw3 port Ethernet1/2", `"switchport access vlan 30"`, "% Invalid command", "rolled back to checkpoint cutover-"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	for _, p := range []string{"sw3-e1", "sw3-e2"} {
		if v, _ := l.PortTag(ctx, p); v != "10" {
			t.Errorf("%s in %s after the rollback, want 10", p, v)
		}
	}
	if cps := srv.Checkpoints(); len(cps) != 0 {
		t.Errorf("checkpoints left: %q", cps)
	}
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if cps := srv.Checkpoints(); len(cps) != 0 {
		t.Errorf("checkpoints left after a batch: %q", cps)
	}
	if !slices.ContainsFunc(srv.ConfigLog(), func(l string) bool { return l == "switchport access vlan 30" }) {
		t.Error("the batch was not sent")
	}
}

// TestAnotherChangeIsNotRolledBack: a port outside the batch changed
// (another user) between the checkpoint and the refused line: the
// rollback, which would undo that change, is not run; the error says
// so and does not claim nothing was changed.
func TestAnotherChangeIsNotRolledBack(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	d := open(t, l)
	srv.SetFaults(emulator.Faults{RejectCommand: "vlan 30", MeanwhileAt: "vlan 30", Meanwhile: func(*emulator.Server) { l.SetPortTag(ctx, "sw3-e3", "20") }})
	err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1/1", From: "10", To: "20"}, {Port: "Ethernet1/2", From: "10", To: "30"}})
	srv.SetFaults(emulator.Faults{})
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "NOT rolled back") || !strings.Contains(err.Error(), "Ethernet1/3") {
		t.Fatalf("err = %v", err)
	}
	if v, _ := l.PortTag(ctx, "sw3-e3"); v != "20" {
		t.Fatalf("the other user's change was undone: Ethernet1/3 in %s", v)
	}
	if cps := srv.Checkpoints(); len(cps) != 0 {
		t.Errorf("checkpoints left: %q", cps)
	}
}

// TestLeftoverCheckpoints: a cutover checkpoint older than StaleAfter
// (a killed process's) is deleted at the next batch and reported; a
// younger one (another cutover batch in progress) refuses the batch,
// untouched, naming it and its creator; another name is never touched.
func TestLeftoverCheckpoints(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	raw := labtest.Terminal(t, l, "sw3")
	old := time.Now().Add(-cisconxos.StaleAfter - time.Minute).UTC().Format(time.RFC3339)
	raw.Run("checkpoint cutover-dead-0001 description cutover began " + old)
	raw.Run("checkpoint operator-keep description before the change window")
	d := open(t, l)
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1/1", From: "10", To: "20"}}); err != nil {
		t.Fatal(err)
	}
	if cps := srv.Checkpoints(); !slices.Equal(cps, []string{"operator-keep"}) {
		t.Fatalf("checkpoints %q: want the operator's alone", cps)
	}
	warnings := strings.Join(d.(interface{ Warnings() []string }).Warnings(), "\n")
	if !strings.Contains(warnings, "deleted checkpoint cutover-dead-0001") || !strings.Contains(warnings, "switch sw3") {
		t.Fatalf("warnings %q", warnings)
	}
	raw.Run("checkpoint cutover-busy-0002 description cutover began " + time.Now().UTC().Format(time.RFC3339))
	err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1/1", From: "20", To: "10"}})
	if err == nil || !switchdrivers.IsUntouched(err) || !errors.Is(err, cli.ErrBusy) || !strings.Contains(err.Error(), "cutover-busy-0002 (made by admin") {
		t.Fatalf("a batch in progress: %v", err)
	}
	if v, _ := l.PortTag(ctx, "sw3-e1"); v != "20" {
		t.Fatalf("Ethernet1/1 moved to %s", v)
	}
}

// TestKilledProcessCheckpoint: a checkpoint made seconds ago by a cutover
// process of this machine that is gone (a kill -9; the recovery runs now)
// is deleted at once and reported, not taken for a batch in progress for
// StaleAfter; one whose process still runs, or made on another machine,
// refuses the batch, untouched.
func TestKilledProcessCheckpoint(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw3")
	ctx := context.Background()
	raw := labtest.Terminal(t, l, "sw3")
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })
	me := cli.ThisProcess()
	now := time.Now()
	raw.Run("checkpoint cutover-dead-0003 description cutover began " + cli.Stamp(now, cli.Owner{Host: me.Host, PID: gone.Process.Pid}))
	d := open(t, l)
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1/1", From: "10", To: "20"}}); err != nil {
		t.Fatalf("the checkpoint of a process that is gone: %v", err)
	}
	if cps := srv.Checkpoints(); len(cps) != 0 {
		t.Fatalf("checkpoints left: %q", cps)
	}
	warnings := strings.Join(d.(interface{ Warnings() []string }).Warnings(), "\n")
	if want := fmt.Sprintf("deleted checkpoint cutover-dead-0003, left by cutover process %d on %s, which is no longer running", gone.Process.Pid, me.Host); !strings.Contains(warnings, want) {
		t.Fatalf("warnings %q, want %q", warnings, want)
	}
	for _, o := range []cli.Owner{{Host: me.Host, PID: live.Process.Pid}, {Host: "elsewhere", PID: gone.Process.Pid}} {
		name := fmt.Sprintf("cutover-busy-%d", o.PID%10000)
		raw.Run("checkpoint " + name + " description cutover began " + cli.Stamp(now, o))
		err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1/1", From: "20", To: "10"}})
		if err == nil || !switchdrivers.IsUntouched(err) || !errors.Is(err, cli.ErrBusy) || !strings.Contains(err.Error(), name) {
			t.Fatalf("a batch in progress of %+v: %v", o, err)
		}
		raw.Run("no checkpoint " + name)
	}
	if v, _ := l.PortTag(ctx, "sw3-e1"); v != "20" {
		t.Fatalf("Ethernet1/1 moved to %s", v)
	}
}

// TestStamp: a stamp reads back as written; a bare time (an earlier
// build's) has no owner; anything else is no stamp.
func TestStamp(t *testing.T) {
	at := time.Date(2026, 11, 29, 6, 10, 0, 0, time.UTC)
	o := cli.Owner{Host: "jump-1", PID: 4242}
	if got, owner, ok := cli.ParseStamp(cli.Stamp(at, o)); !ok || !got.Equal(at) || owner != o {
		t.Fatalf("round trip: %v %+v %v", got, owner, ok)
	}
	if got, owner, ok := cli.ParseStamp("2026-11-29T06:10:00Z"); !ok || !got.Equal(at) || owner != (cli.Owner{}) {
		t.Fatalf("bare time: %v %+v %v", got, owner, ok)
	}
	for _, bad := range []string{"", "yesterday", "2026-11-29T06:10:00Z on jump-1", "2026-11-29T06:10:00Z on jump-1 pid x", "2026-11-29T06:10:00Z by jump-1 pid 1", "2026-11-29T06:10:00Z on jump-1 pid 0"} {
		if _, _, ok := cli.ParseStamp(bad); ok {
			t.Errorf("%q read as a stamp", bad)
		}
	}
	if (cli.Owner{Host: cli.ThisProcess().Host, PID: os.Getpid()}).Lost() {
		t.Error("this process taken for a lost one")
	}
	if len(cli.Stamp(at, cli.Owner{Host: strings.Repeat("h", 24), PID: 4194304})) > 80-len("cutover began ") {
		t.Error("a stamp too long for an NX-OS checkpoint description (80 characters)")
	}
}

// TestCheckpointsSummary reads `show checkpoint summary` in the layouts
// of the transcripts (system checkpoints after the user ones, CRLF line
// ends, indented entries, a description typed in quotes or missing):
// cutover's own checkpoints give the time their batch began, others none.
func TestCheckpointsSummary(t *testing.T) {
	began := "2026-11-29T05:39:45Z"
	at, _ := time.Parse(time.RFC3339, began)
	out := "User Checkpoint Summary\n--------------------------------------------------------------------------------\n" +
		"1) test:\nCreated by admin\nCreated at Mon, 07:37:22 29 Sep 2014\nSize is 5,824 bytes\nDescription: \u201ctesting_purpose\u201d\n\n" +
		"  2) cutover-0a1b2c3d-deadbeef:\n  Created by netops\n  Created at Sun, 05:39:45 29 Nov 2026\n  Size is 15,568 bytes\n  Description: cutover began " + began + "\n\n" +
		"3) cutover-ffffffff-00000000:\nCreated by admin\nSize is 1 bytes\n\n" +
		"System Checkpoint Summary\n--------------------------------------------------------------------------------\n" +
		"4) system-fm-vrrp:\nCreated by admin\nCreated at Thu, 08:11:03 22 May 2017\nSize is 15,563 bytes\nDescription: Created by Feature Manager.\n"
	for name, text := range map[string]string{"LF": out, "CRLF": strings.ReplaceAll(out, "\n", "\r\n")} {
		list, err := cisconxos.Checkpoints(drivertest.Transcript{cisconxos.CmdCheckpoints: text})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(list) != 4 || list[0].Name != "test" || list[3].Name != "system-fm-vrrp" {
			t.Fatalf("%s: %+v", name, list)
		}
		if c := list[1]; c.Name != "cutover-0a1b2c3d-deadbeef" || c.User != "netops" || !c.Began.Equal(at) {
			t.Errorf("%s: cutover's checkpoint %+v", name, c)
		}
		if !list[0].Began.IsZero() || !list[2].Began.IsZero() || !list[3].Began.IsZero() {
			t.Errorf("%s: a beginning read from no cutover description: %+v", name, list)
		}
	}
	if list, err := cisconxos.Checkpoints(drivertest.Transcript{cisconxos.CmdCheckpoints: "User Checkpoint Summary\n---\n"}); err != nil || len(list) != 0 {
		t.Fatalf("no checkpoint: %+v, %v", list, err)
	}
	if list, err := cisconxos.Checkpoints(drivertest.Transcript{cisconxos.CmdCheckpoints: "Feature not enabled\n"}); err == nil || !strings.Contains(err.Error(), cisconxos.CmdCheckpoints) {
		t.Fatalf("an unknown answer: %+v, %v", list, err)
	}
}

// TestRenderIsSent: what `cutover plan` shows for a batch (and, on trial,
// its confirmation) is what the switch receives, line for line.
func TestRenderIsSent(t *testing.T) {
	l := labtest.StartFast(t, topology)
	labtest.RunRenderIsSent(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}})
}
