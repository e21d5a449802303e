package main

import (
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs/labtest"
)

// TestIOSXEWithoutArchive: an emulated Catalyst without the configuration
// archive cannot take a trial. The plan, compiled without contacting the
// switch, says the trial needs the archive and what happens without it
// (and shows the undo in the plain form the engine sends it in);
// with --require-trials the run is refused and nothing moves; without it
// every step's batch on that switch goes without a trial, and the
// progress output and the journal say so per step.
func TestIOSXEWithoutArchive(t *testing.T) {
	l := labtest.StartFast(t, trialsTopology(trialPlatforms[:1], false))
	is := newIsland(t, l, 0, true, false)
	srv := l.Emulator(is.p.node)
	srv.SetArchive(false)

	code, stdout, stderr := cli(t, "plan", is.inventoryPath, "--confirm-timeout", "30m")
	if code != 0 {
		t.Fatalf("plan: %d\n%s", code, stderr)
	}
	for _, want := range []string{"> ! a trial needs the configuration archive", "without a trial (configure terminal, the same lines, end", "--require-trials",
		"> configure terminal revert timer 30", "> ! once the step's guard has passed, in a new session: configure confirm"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, stdout)
		}
	}
	// An undo is sent outright, never on trial: the plan's rollback lines
	// are the plain form.
	if !strings.Contains(stdout, "rollback> configure terminal\n") || strings.Contains(stdout, "rollback> configure terminal revert") || strings.Contains(stdout, "rollback> !") {
		t.Errorf("the plan's rollback lines are not the plain form sent:\n%s", stdout)
	}

	is.reset()
	dir := t.TempDir()
	code, _, stderr = cli(t, "apply", is.inventoryPath, "--yes", "--confirm-timeout", "30m", "--require-trials", "--journal", dir)
	if code != exitRolledBack || !strings.Contains(stderr, "--require-trials") || !strings.Contains(stderr, "Archive feature not enabled") || !strings.Contains(stderr, "switch "+is.p.node) {
		t.Fatalf("--require-trials without the archive: exit %d\n%s", code, stderr)
	}
	if old, new := is.tag(is.oldOVS), is.tag(is.newOVS); old != "66" || new != "166" {
		t.Fatalf("--require-trials moved ports: old in %s, new in %s", old, new)
	}
	if log := strings.Join(srv.ConfigLog(), "|"); strings.Contains(log, "switchport access vlan") {
		t.Fatalf("configuration was sent: %q", log)
	}

	is.reset()
	dir = t.TempDir()
	code, _, stderr = cli(t, "apply", is.inventoryPath, "--yes", "--confirm-timeout", "30m", "--journal", dir)
	if code != 0 {
		t.Fatalf("apply without the archive: exit %d\n%s", code, stderr)
	}
	if old, new := is.tag(is.oldOVS), is.tag(is.newOVS); old != "166" || new != "66" {
		t.Fatalf("after the cut-over: old in %s, new in %s", old, new)
	}
	if pending, _ := srv.PendingTrial(); pending {
		t.Fatal("a trial is pending on a switch without the archive")
	}
	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := run.PendingTrials(); len(p) != 0 {
		t.Fatalf("the journal shows trials that may still revert: %+v", p)
	}
	for _, step := range []string{"isolate", "promote", "park"} {
		said := false
		for _, l := range strings.Split(stderr, "\n") {
			said = said || strings.Contains(l, "step "+step+": "+is.p.node+": NO TRIAL") && strings.Contains(l, "Archive feature not enabled")
		}
		if !said {
			t.Errorf("the progress output does not say step %s went without a trial:\n%s", step, stderr)
		}
		journaled := false
		for _, rec := range run.Records {
			journaled = journaled || rec.Kind == journal.KindNote && rec.Step == step && rec.Switch == is.p.node &&
				strings.HasPrefix(rec.Detail, "sent without a trial: ") && strings.Contains(rec.Detail, "Archive feature not enabled")
		}
		if !journaled {
			t.Errorf("the journal does not record that step %s went without a trial", step)
		}
		for _, rec := range run.Records {
			if rec.Kind == journal.KindTrial && rec.Step == step {
				t.Errorf("the journal records a trial of step %s", step)
			}
		}
	}
}
