package emulator

import (
	"fmt"
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
