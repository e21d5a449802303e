package runs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/plan"
)

// offlineInventory is an inventory whose switches are never reached: the
// runs of these tests stop before they contact one. sw2 applies on trial
// (IOS-XE), so the trial timer is in its rendered commands.
func offlineInventory(t *testing.T, addresses string) string {
	t.Helper()
	dir := t.TempDir()
	text := `version: 1
name: hash-compat
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: ovs, address: "unix:` + filepath.Join(dir, "nothing.sock") + `"}
  - {name: sw2, driver: cisco_iosxe, address: 127.0.0.1:1, username: admin, password: secret-pw-1, options: {known_hosts: "` + filepath.Join(dir, "known_hosts") + `"}}
systems:
  old: {ports: ["sw1:p1"], addresses: [` + addresses + `]}
  new: {ports: ["sw2:Gi1/0/1"]}
`
	path := filepath.Join(dir, "inv.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// olderBuildHash is the plan hash cutover computed before the hash
// covered the plan's basis and commands: the kind and the moves only.
func olderBuildHash(p *plan.Plan) string {
	type hm struct {
		Kind  string
		Steps []plan.Step
	}
	stripped := hm{Kind: p.Kind}
	for _, s := range p.Steps {
		cs := plan.Step{Name: s.Name}
		for _, b := range s.Batches {
			cs.Batches = append(cs.Batches, plan.Batch{Switch: b.Switch, Moves: b.Moves})
		}
		stripped.Steps = append(stripped.Steps, cs)
	}
	b, _ := json.Marshal(stripped)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// deadJournal leaves in dir what a process killed right after its start
// record leaves: the journal with plan p, and its lock.
func deadJournal(t *testing.T, dir string, p *plan.Plan, ended bool) string {
	t.Helper()
	pid := deadPID(t)
	recs := []journal.Record{{V: journal.Version, Time: time.Now().UTC(), Kind: journal.KindStart, Plan: p, PID: pid}}
	if ended {
		recs = append(recs, journal.Record{V: journal.Version, Time: time.Now().UTC(), Kind: journal.KindEnd, Result: "done"})
	}
	var data []byte
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, b...), '\n')
	}
	path := filepath.Join(dir, "runs", time.Now().UTC().Format("20060102T150405.000000000Z")+"-"+p.Hash+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	if !ended {
		if err := os.WriteFile(filepath.Join(dir, "lock"), []byte(strconv.Itoa(pid)+"\n"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestRecoverRefusesAnOlderHashDefinition: the unfinished run of a journal
// that an older cutover wrote (its plan without a basis, hashed by moves
// only) is not recovered by this one, and the message names both hashes;
// the same run journaled by this build passes that check.
func TestRecoverRefusesAnOlderHashDefinition(t *testing.T) {
	inv := offlineInventory(t, "192.168.66.30")
	for _, mode := range []runs.RecoverMode{runs.RecoverResume, runs.RecoverRollback} {
		dir := t.TempDir()
		prep := prepare(t, inv, runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true, ConfirmTimeout: 2 * time.Minute})
		old := *prep.Plan
		old.Basis = nil
		old.Hash = olderBuildHash(&old)
		if old.Hash == prep.Plan.Hash {
			t.Fatal("the older definition gives this build's hash")
		}
		path := deadJournal(t, dir, &old, false)
		r, err := prep.Recover(context.Background(), mode)
		if err != nil {
			t.Fatal(err)
		}
		res := r.Wait()
		want := "the unfinished run " + path + " used plan " + old.Hash + " (cutover), this command compiles plan " + prep.Plan.Hash
		if res.Class != runs.ClassError || !strings.Contains(res.Error, want) {
			t.Fatalf("%s of an older build's journal: %s %q, want %q", mode, res.Class, res.Error, want)
		}
	}

	// This build's journal of the same run gets past the hash check (and
	// then fails to reach the switch, which is not there).
	dir := t.TempDir()
	prep := prepare(t, inv, runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true, ConfirmTimeout: 2 * time.Minute})
	deadJournal(t, dir, prep.Plan, false)
	r, err := prep.Recover(context.Background(), runs.RecoverRollback)
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Wait(); res.Class != runs.ClassError || !strings.Contains(res.Error, "reading switch sw1 for the recovery") {
		t.Fatalf("this build's own journal: %s %q, want it past the hash check, reading the switch", res.Class, res.Error)
	}
}

// TestRecoverRefusesAnotherBasis: an inventory whose addresses changed
// after the run died compiles another plan (the same moves), and recovery
// refuses it: the guard would check other addresses than the run's.
func TestRecoverRefusesAnotherBasis(t *testing.T) {
	dir := t.TempDir()
	before := prepare(t, offlineInventory(t, "192.168.66.30"), runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true})
	deadJournal(t, dir, before.Plan, false)
	before.Close()
	after := prepare(t, offlineInventory(t, "192.168.66.31"), runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true})
	r, err := after.Recover(context.Background(), runs.RecoverResume)
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Wait(); res.Class != runs.ClassError || !strings.Contains(res.Error, "used plan "+before.Plan.Hash) || !strings.Contains(res.Error, "compiles plan "+after.Plan.Hash) {
		t.Fatalf("recovery with other addresses: %s %q", res.Class, res.Error)
	}
}

// TestRollbackMatchesTheCompiledPlan: `cutover rollback` (no trial timer)
// accepts the last run of an apply made with one, since only the
// commands differ; it refuses a run whose inventory had other addresses,
// and one journaled by an older build, naming the hashes.
func TestRollbackMatchesTheCompiledPlan(t *testing.T) {
	inv := offlineInventory(t, "192.168.66.30")
	dir := t.TempDir()
	apply := prepare(t, inv, runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true, ConfirmTimeout: 2 * time.Minute})
	noTrial := prepare(t, inv, runs.Options{Kind: runs.KindApply, NoGuard: true})
	if apply.Plan.Hash == noTrial.Plan.Hash {
		t.Fatal("the trial timer is not in the hash (the IOS-XE commands carry it)")
	}
	deadJournal(t, dir, apply.Plan, true)
	rb := prepare(t, inv, runs.Options{Kind: runs.KindRollback, JournalDir: dir, NoGuard: true})
	if last, err := rb.LastRun(); err != nil || last.Plan.Hash != apply.Plan.Hash {
		t.Fatalf("rollback of an apply on trial: %v", err)
	}

	other := prepare(t, offlineInventory(t, "192.168.66.31"), runs.Options{Kind: runs.KindRollback, JournalDir: dir, NoGuard: true})
	if _, err := other.LastRun(); err == nil || !strings.Contains(err.Error(), "used plan "+apply.Plan.Hash) {
		t.Fatalf("rollback with other addresses: %v", err)
	}

	dir = t.TempDir()
	old := *apply.Plan
	old.Basis = nil
	old.Hash = olderBuildHash(&old)
	deadJournal(t, dir, &old, true)
	rb = prepare(t, inv, runs.Options{Kind: runs.KindRollback, JournalDir: dir, NoGuard: true})
	if _, err := rb.LastRun(); err == nil || !strings.Contains(err.Error(), "used plan "+old.Hash) || !strings.Contains(err.Error(), "this inventory compiles ") {
		t.Fatalf("rollback of an older build's run: %v", err)
	}
}

// TestRecoverAcceptsAnotherTrialTimer: the run died with trials of 2m; a
// recovery started with another --confirm-timeout renders other IOS-XE
// commands (another hash) from the same basis and moves, and gets past
// the plan check: the recovery works from the journal's trials and the
// switches' live state, not from the new commands.
func TestRecoverAcceptsAnotherTrialTimer(t *testing.T) {
	inv := offlineInventory(t, "192.168.66.30")
	dir := t.TempDir()
	died := prepare(t, inv, runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true, ConfirmTimeout: 2 * time.Minute})
	deadJournal(t, dir, died.Plan, false)
	died.Close()
	for _, mode := range []runs.RecoverMode{runs.RecoverResume, runs.RecoverRollback} {
		again := prepare(t, inv, runs.Options{Kind: runs.KindApply, JournalDir: dir, NoGuard: true, ConfirmTimeout: 5 * time.Minute})
		if again.Plan.Hash == died.Plan.Hash {
			t.Fatal("another trial timer gives the same hash: the test proves nothing")
		}
		r, err := again.Recover(context.Background(), mode)
		if err != nil {
			t.Fatal(err)
		}
		if res := r.Wait(); res.Class != runs.ClassError || !strings.Contains(res.Error, "reading switch sw1 for the recovery") {
			t.Fatalf("%s with another trial timer: %s %q, want it past the plan check, reading the switch", mode, res.Class, res.Error)
		}
		again.Close()
	}
}
