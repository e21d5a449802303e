package emulator

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestNXOSCheckpointRollback: a checkpoint snapshots every port; a
// rollback restores it, undoing every change since from any session
// (also one made by a session that was dropped); names are unique, at
// most ten exist, names beginning "system" are refused; checkpoints
// outlive their session and are listed with their creator and
// description; `no checkpoint` removes one.
func TestNXOSCheckpointRollback(t *testing.T) {
	l := newLab(t, "cisco_nxos", "Ethernet1/1", "Ethernet1/2", "Ethernet1/3")
	a := l.open(t)
	if out := a.run("checkpoint cp1 description cutover began 2026-01-02T03:04:05Z"); !strings.Contains(out, "Done") {
		t.Fatalf("checkpoint: %q", out)
	}
	if out := a.run("checkpoint cp1"); !strings.HasPrefix(out, "ERROR:") {
		t.Fatalf("a duplicate name: %q", out)
	}
	if out := a.run("checkpoint system-x"); !strings.HasPrefix(out, "ERROR:") {
		t.Fatalf("a name beginning with system: %q", out)
	}
	a.run("configure terminal")
	a.run("interface Ethernet1/1")
	a.run("switchport access vlan 20")
	a.drop() // the session that made the checkpoint and the change ends
	if l.be.vlan("p1") != 20 {
		t.Fatal("line mode: the line applied at once")
	}
	b := l.open(t)
	out := b.run("show checkpoint summary")
	for _, want := range []string{"1) cp1:", "Created by admin", "Description: cutover began 2026-01-02T03:04:05Z"} {
		if !strings.Contains(out, want) {
			t.Fatalf("summary lacks %q: %q", want, out)
		}
	}
	b.run("configure terminal")
	b.run("interface Ethernet1/3")
	b.run("switchport access vlan 30")
	b.run("end")
	if out := b.run("rollback running-config checkpoint cp1"); !strings.Contains(out, "Rollback completed successfully") {
		t.Fatalf("rollback: %q", out)
	}
	if l.be.vlan("p1") != 10 || l.be.vlan("p3") != 10 {
		t.Fatalf("after the rollback p1 %d, p3 %d: want both 10 (every change since, from any session)", l.be.vlan("p1"), l.be.vlan("p3"))
	}
	if out := b.run("rollback running-config checkpoint nope"); !strings.HasPrefix(out, "ERROR:") {
		t.Fatalf("rollback to no checkpoint: %q", out)
	}
	for i := 2; i <= maxCheckpoints; i++ {
		if out := b.run(fmt.Sprintf("checkpoint cp%d", i)); !strings.Contains(out, "Done") {
			t.Fatalf("checkpoint %d: %q", i, out)
		}
	}
	if out := b.run("checkpoint cp11"); !strings.HasPrefix(out, "ERROR:") {
		t.Fatalf("an eleventh checkpoint: %q", out)
	}
	if out := b.run("no checkpoint cp1"); out != "" {
		t.Fatalf("no checkpoint: %q", out)
	}
	if out := b.run("no checkpoint cp1"); !strings.HasPrefix(out, "ERROR:") {
		t.Fatalf("deleting a deleted checkpoint: %q", out)
	}
	if got := l.srv.Checkpoints(); len(got) != maxCheckpoints-1 || got[0] != "cp2" {
		t.Fatalf("checkpoints %q", got)
	}
}

// TestAOSCXAutoCheckpoint: `checkpoint auto N` keeps the configuration
// from before; the mode outlives the session that started it (an
// assumption) and is listed as an AUTO checkpoint of type auto (an
// assumption); `checkpoint auto confirm` from another session keeps the
// change (an assumption) and names the checkpoint it created; without
// it the switch restores the configuration — every change since, from
// any session; `checkpoint rollback` to the pending checkpoint cancels
// (an assumption); a second `checkpoint auto` while one runs is refused.
func TestAOSCXAutoCheckpoint(t *testing.T) {
	l := newLab(t, "aruba_aoscx", "1/1/1", "1/1/2", "1/1/3")
	a := l.open(t)
	if out := a.run(fmt.Sprintf("checkpoint auto %d", trialMinutes)); out != fmt.Sprintf("Auto checkpoint mode expires in %d minute(s)", trialMinutes) {
		t.Fatalf("checkpoint auto: %q", out)
	}
	if out := a.run("checkpoint auto 61"); !strings.HasPrefix(out, "Invalid input") {
		t.Fatalf("61 minutes: %q", out)
	}
	if out := a.run("checkpoint auto 5"); !strings.Contains(out, "already active") {
		t.Fatalf("a second auto checkpoint: %q", out)
	}
	a.run("configure terminal")
	a.run("interface 1/1/1")
	a.run("vlan access 20")
	a.run("end")
	a.drop()
	b := l.open(t)
	list := b.run("show checkpoint list all")
	if !regexp.MustCompile(`(?m)^AUTO\d{14}\s+auto\s+User\s`).MatchString(list) {
		t.Fatalf("the pending auto checkpoint is not listed: %q", list)
	}
	if out := b.run("checkpoint auto confirm"); !regexp.MustCompile(`^checkpoint AUTO\d{14} created$`).MatchString(out) {
		t.Fatalf("confirm from another session: %q", out)
	}
	stays(t, l.be, "p1", 20)
	if out := b.run("checkpoint auto confirm"); !strings.Contains(out, "not active") {
		t.Fatalf("a confirm with none pending: %q", out)
	}
	// Not confirmed: reverts, the change another session made included.
	b.run(fmt.Sprintf("checkpoint auto %d", trialMinutes))
	b.run("configure terminal")
	b.run("interface 1/1/2")
	b.run("vlan access 30")
	b.run("end")
	c := l.open(t)
	c.run("configure terminal")
	c.run("interface 1/1/3")
	c.run("vlan access 30")
	c.run("end")
	waitVLAN(t, l.be, "p2", 10)
	waitVLAN(t, l.be, "p3", 10)
	// Cancelled at once by a rollback to the pending checkpoint.
	b.run(fmt.Sprintf("checkpoint auto %d", trialMinutes))
	b.run("configure terminal")
	b.run("interface 1/1/2")
	b.run("vlan access 20")
	b.run("end")
	name := regexp.MustCompile(`AUTO\d{14}`).FindString(regexp.MustCompile(`(?m)^AUTO\d{14}\s+auto\s.*$`).FindString(c.run("show checkpoint list all")))
	if out := c.run("checkpoint rollback " + name); out != "Success" {
		t.Fatalf("rollback to %q: %q", name, out)
	}
	if l.be.vlan("p2") != 10 {
		t.Fatalf("cancelled: p2 in %d, want 10", l.be.vlan("p2"))
	}
	if strings.Contains(c.run("show checkpoint list all"), " auto ") {
		t.Fatal("still pending after the rollback")
	}
	if out := c.run("checkpoint rollback nope"); !strings.Contains(out, "does not exist") {
		t.Fatalf("rollback to no checkpoint: %q", out)
	}
}
