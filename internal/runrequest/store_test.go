package runrequest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
)

// restart opens another board on dir, as a restarted daemon does.
func restart(t *testing.T, dir string, f *fakeExec) *Board {
	t.Helper()
	b, err := New(Config{StateDir: dir, Executor: f, ApprovalRequired: true, ApprovalTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Shutdown(context.Background()) })
	return b
}

// TestRequestsSurviveARestart: after a restart the board lists every
// request with the state it ended in — denied, done (with who approved
// which plan, and the result), stale — and one nobody decided is expired,
// never started; the plan of each is kept; a second restart changes
// nothing, and the store holds one line per request.
func TestRequestsSurviveARestart(t *testing.T) {
	f := newFake()
	dir := t.TempDir()
	b := restart(t, dir, f)
	ctx := context.Background()
	denied, _ := b.Create(ctx, alice, Create{Kind: Apply, Inventory: "a", Reason: "CHG-1"})
	if _, err := b.Deny(bob, denied.ID, "not tonight"); err != nil {
		t.Fatal(err)
	}
	done, _ := b.Create(ctx, alice, Create{Kind: Fallback, Inventory: "c", Reason: "CHG-2"})
	f.gate <- struct{}{}
	f.gate <- struct{}{}
	if _, err := b.Approve(ctx, bob, done.ID, "hash-c", "MOP reviewed"); err != nil {
		t.Fatal(err)
	}
	waitState(t, b, done.ID, Done)
	stale, _ := b.Create(ctx, alice, Create{Kind: Apply, Inventory: "b", Reason: "CHG-3"})
	f.mu.Lock()
	f.hashes["b"] = "hash-b2"
	f.mu.Unlock()
	b.Approve(ctx, carol, stale.ID, "hash-b", "")
	waiting, _ := b.Create(ctx, alice, Create{Kind: Apply, Inventory: "a", Reason: "CHG-4"})
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	started := len(f.startedSpecs())

	for round := 1; round <= 2; round++ {
		b = restart(t, dir, f)
		list := b.List()
		if len(list) != 4 {
			t.Fatalf("round %d: %d requests listed: %+v", round, len(list), list)
		}
		want := map[string]State{denied.ID: Denied, done.ID: Done, stale.ID: Stale, waiting.ID: Expired}
		for _, v := range list {
			if v.State != want[v.ID] || v.RequestedBy != "alice" || v.Reason == "" || v.RequestedAt.IsZero() || v.PlanHash == "" {
				t.Errorf("round %d: %s is %s (want %s): %+v", round, v.ID, v.State, want[v.ID], v)
			}
		}
		if list[0].ID != waiting.ID || list[3].ID != denied.ID {
			t.Errorf("round %d: not newest first: %s … %s", round, list[0].ID, list[3].ID)
		}
		d, _ := b.Get(done.ID)
		if d.DecidedBy != "bob" || d.DecisionReason != "MOP reviewed" || d.PlanHash != "hash-c" || d.Result == nil || d.Result.Class != "done" ||
			d.Journal != "/fake/journal.jsonl" || d.Plan == nil || d.Plan.Hash != "hash-c" || d.DecidedAt.IsZero() {
			t.Errorf("round %d: the done run: %+v", round, d)
		}
		if x, _ := b.Get(denied.ID); x.DecidedBy != "bob" || x.DecisionReason != "not tonight" {
			t.Errorf("round %d: the denied run: %+v", round, x)
		}
		if x, _ := b.Get(waiting.ID); x.DecisionReason != restartReason {
			t.Errorf("round %d: the undecided run: %+v", round, x)
		}
		// Its events replay what happened to it, then end.
		if evs := strings.Join(drain(t, b, done.ID, ""), ","); evs != "a1 requested,a2 approved,a3 started" {
			t.Errorf("round %d: events of the done run: %s", round, evs)
		}
		if _, err := b.Approve(ctx, bob, waiting.ID, "hash-a", ""); err == nil {
			t.Errorf("round %d: an expired request was approved", round)
		}
		b.Shutdown(ctx)
	}
	if n := len(f.startedSpecs()); n != started {
		t.Fatalf("the restarts started %d runs", n-started)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "requests.jsonl"))
	if n := strings.Count(string(data), "\n"); n != 4 {
		t.Fatalf("the store holds %d lines after the restarts, want 4", n)
	}
	if strings.Contains(string(data), "password") {
		t.Fatal("a secret in the store")
	}
}

// TestRestartWithARunInProgress: the previous process died while runs
// were going. A run whose journal is unfinished keeps its ID and becomes
// unfinished (held, with the recovery choices; an approver recovers it);
// a run whose journal ended takes the journal's result; a run that never
// opened its journal is an error with nothing moved.
func TestRestartWithARunInProgress(t *testing.T) {
	// The first process's runs never move on (it dies); the restarted
	// one's executor is another.
	dead, f := newFake(), newFake()
	for _, x := range []*fakeExec{dead, f} {
		x.hashes["d"], x.switches["d"] = "hash-d", []string{"ovs|sw4"}
	}
	dir := t.TempDir()
	b, err := New(Config{StateDir: dir, Executor: dead, ApprovalRequired: true, ApprovalTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	for _, inv := range []string{"a", "d", "c"} {
		v, err := b.Create(ctx, alice, Create{Kind: Apply, Inventory: inv, Reason: "CHG " + inv})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Approve(ctx, bob, v.ID, "hash-"+inv, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	// The process dies here (the board is left as it is): a's run left an
	// unfinished journal, d's journal ended rolled back, c's never opened.
	f.unfinished = []UnfinishedRun{{Inventory: "a", JournalDir: filepath.Join(dir, "journal", "a"), Journal: "/journal/a/run.jsonl", Kind: Apply, PID: 4242,
		Plan: &plan.Plan{Kind: plan.KindCutover, Hash: "hash-a", Steps: []plan.Step{{Name: "isolate", Batches: []plan.Batch{{Switch: "sw1"}}}}}}}
	w, err := journal.Create(filepath.Join(dir, "journal", "d"), &plan.Plan{Kind: plan.KindCutover, Hash: "hash-d"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(journal.Record{Kind: journal.KindEnd, Result: "rolled_back"})
	w.Close()

	b2 := restart(t, dir, f)
	a := waitState(t, b2, ids[0], Unfinished)
	if a.RequestedBy != "alice" || a.Reason != "CHG a" || len(a.Recovery) != 2 || a.Journal != "/journal/a/run.jsonl" || !strings.Contains(a.Error, "process 4242 died") {
		t.Fatalf("the unfinished run: %+v", a)
	}
	if len(b2.List()) != 3 {
		t.Fatalf("the unfinished run is listed twice: %+v", b2.List())
	}
	bv := waitState(t, b2, ids[1], RolledBack)
	if bv.Result == nil || bv.Result.Class != "rolled_back" || !strings.Contains(bv.Error, "ends with rolled_back") || !strings.HasPrefix(bv.Journal, filepath.Join(dir, "journal", "d")) {
		t.Fatalf("the run whose journal ended: %+v", bv)
	}
	if cv := waitState(t, b2, ids[2], Failed); !strings.Contains(cv.Error, "nothing was moved") {
		t.Fatalf("the run without a journal: %+v", cv)
	}
	// Held: another run of its switches is refused; an approver recovers it.
	if _, err := b2.Create(ctx, alice, Create{Kind: Apply, Inventory: "a", Reason: "again"}); err == nil {
		t.Fatal("a run of the unfinished run's switches was accepted")
	}
	f.gate <- struct{}{}
	f.gate <- struct{}{}
	if _, err := b2.Recover(ctx, carol, ids[0], RecoverResume, "finish it"); err != nil {
		t.Fatal(err)
	}
	waitState(t, b2, ids[0], Done)
	if specs := f.startedSpecs(); specs[len(specs)-1].Recover != RecoverResume || specs[len(specs)-1].Inventory != "a" {
		t.Fatalf("recovery spec: %+v", specs[len(specs)-1])
	}
	b2.Shutdown(ctx)
}
