package runs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// TestRecoveryWaitsOnlyWhereItCannotTakeOver: a switch whose driver
// cannot tell or settle a trial from a new session (here Open vSwitch,
// which has none) is the one case a recovery still waits for the revert,
// and it says so; interrupted, it has changed nothing.
func TestRecoveryWaitsOnlyWhereItCannotTakeOver(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(t.TempDir(), "inv.yml")
	if err := os.WriteFile(inv, []byte(`version: 1
name: wait
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: "unix:/nonexistent/db.sock"}]
systems:
  old: {ports: [sw1:p1], addresses: [192.168.66.30]}
  new: {ports: [sw1:p2]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	prep, err := runs.Prepare(inv, runs.Options{Kind: runs.KindApply, Registry: all.Registry(), NoGuard: true, JournalDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close()
	w, err := journal.Create(dir, prep.Plan)
	if err != nil {
		t.Fatal(err)
	}
	w.Trial("isolate", "sw1", time.Hour)
	w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := prep.Recover(ctx, runs.RecoverRollback)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	r.Follow(func(ev runs.Event) {
		if ev.Kind == runs.EventNote {
			notes = append(notes, ev.Text)
			if strings.HasPrefix(ev.Text, "waiting ") {
				cancel()
			}
		}
	})
	res := r.Wait()
	if res.Class != runs.ClassError || !strings.Contains(res.Error, "nothing was changed") {
		t.Fatalf("result: %+v", res)
	}
	want := []string{
		"switch sw1: the trial of step isolate cannot be taken over (its driver cannot tell a pending trial from a new session): waiting for the switch to revert it",
		"switch sw1: the trial of step isolate was never confirmed; the switch reverts it by itself at ",
		"waiting 1h0m",
	}
	if len(notes) != 4 || !strings.HasPrefix(notes[0], "recovering the unfinished run") {
		t.Fatalf("notes: %q", notes)
	}
	for i, w := range want {
		if !strings.HasPrefix(notes[i+1], w) {
			t.Errorf("note %d: %q, want %q…", i+1, notes[i+1], w)
		}
	}
	run, _ := journal.Last(dir)
	if len(run.PendingTrials()) != 1 {
		t.Fatalf("the trial was settled although nothing was done: %+v", run.PendingTrials())
	}
}
