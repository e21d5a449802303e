package runrequest

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/plan"
)

// fakeExec stands in for internal/runs: inventories are names with a plan
// hash and switches; a run emits step events as the test releases them.
type fakeExec struct {
	mu         sync.Mutex
	hashes     map[string]string
	switches   map[string][]string
	unfinished []UnfinishedRun
	started    []Spec
	runs       []*fakeRun
	gate       chan struct{} // each receive lets a run take one step
}

func newFake() *fakeExec {
	return &fakeExec{
		hashes:   map[string]string{"a": "hash-a", "b": "hash-b", "c": "hash-c"},
		switches: map[string][]string{"a": {"ovs|sw1"}, "b": {"ovs|sw1", "ovs|sw2"}, "c": {"ovs|sw3"}},
		gate:     make(chan struct{}, 100),
	}
}

func (f *fakeExec) Prepare(ctx context.Context, spec Spec) (Prepared, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.hashes[spec.Inventory]
	if !ok {
		return nil, fail(ErrInventory, "inventory %q: no such inventory", spec.Inventory)
	}
	p := &plan.Plan{Name: spec.Inventory, Hash: h, Steps: []plan.Step{{Name: "isolate", Batches: []plan.Batch{{Switch: "sw1"}}}, {Name: "promote"}}}
	return &fakePrep{f: f, spec: spec, plan: p, switches: f.switches[spec.Inventory]}, nil
}

func (f *fakeExec) Unfinished(dir string) ([]UnfinishedRun, error) { return f.unfinished, nil }

func (f *fakeExec) startedSpecs() []Spec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Spec(nil), f.started...)
}

type fakePrep struct {
	f        *fakeExec
	spec     Spec
	plan     *plan.Plan
	switches []string
}

func (p *fakePrep) Plan() *plan.Plan   { return p.plan }
func (p *fakePrep) Switches() []string { return p.switches }
func (p *fakePrep) Close() error       { return nil }
func (p *fakePrep) Start(ctx context.Context) (Run, error) {
	p.f.mu.Lock()
	p.f.started = append(p.f.started, p.spec)
	r := &fakeRun{done: make(chan struct{}), wake: make(chan struct{})}
	p.f.runs = append(p.f.runs, r)
	p.f.mu.Unlock()
	go r.run(p.f.gate, []string{"isolate", "promote"})
	return r, nil
}

type fakeRun struct {
	mu     sync.Mutex
	events []Event
	wake   chan struct{}
	halted string
	done   chan struct{}
	out    *Outcome
}

func (r *fakeRun) publish(ev Event) {
	r.mu.Lock()
	ev.Seq = uint64(len(r.events) + 1)
	ev.ID, ev.Time = strconv.FormatUint(ev.Seq, 10), time.Now()
	r.events = append(r.events, ev)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

func (r *fakeRun) run(gate chan struct{}, steps []string) {
	out := &Outcome{Class: "done", Journal: "/fake/journal.jsonl"}
	for _, s := range steps {
		r.publish(Event{Kind: "step-start", Step: s})
		<-gate
		r.mu.Lock()
		halted := r.halted
		r.mu.Unlock()
		if halted != "" {
			r.publish(Event{Kind: "rollback-done", Step: s})
			out = &Outcome{Class: "rolled_back", Halted: halted, Error: "halted: " + halted}
			break
		}
		r.publish(Event{Kind: "step-done", Step: s, Duration: time.Millisecond})
	}
	r.out = out
	r.publish(Event{Kind: "end", Result: out})
	close(r.done)
}

func (r *fakeRun) Events(after uint64) Stream { return &fakeStream{r: r, next: after} }
func (r *fakeRun) Halt(reason string) {
	r.mu.Lock()
	if r.halted == "" {
		r.halted = reason
	}
	r.mu.Unlock()
}
func (r *fakeRun) Done() <-chan struct{} { return r.done }
func (r *fakeRun) Outcome() *Outcome     { return r.out }

type fakeStream struct {
	r    *fakeRun
	next uint64
}

func (s *fakeStream) Next(ctx context.Context) (Event, error) {
	for {
		s.r.mu.Lock()
		if s.next < uint64(len(s.r.events)) {
			ev := s.r.events[s.next]
			s.next++
			s.r.mu.Unlock()
			return ev, nil
		}
		select {
		case <-s.r.done:
			s.r.mu.Unlock()
			return Event{}, io.EOF
		default:
		}
		wake := s.r.wake
		s.r.mu.Unlock()
		select {
		case <-wake:
		case <-s.r.done:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

var (
	alice = &auth.Principal{Name: "alice", Role: auth.Operator, Addr: netip.MustParseAddr("127.0.0.1")}
	bob   = &auth.Principal{Name: "bob", Role: auth.Approver, Addr: netip.MustParseAddr("127.0.0.1")}
	carol = &auth.Principal{Name: "carol", Role: auth.Approver, Addr: netip.MustParseAddr("127.0.0.1")}
)

type observed struct {
	mu     sync.Mutex
	events []string
}

func (o *observed) add(v View, ev Event) {
	o.mu.Lock()
	o.events = append(o.events, v.ID+":"+ev.Kind)
	o.mu.Unlock()
}

func (o *observed) has(s string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range o.events {
		if e == s {
			return true
		}
	}
	return false
}

func newBoard(t *testing.T, f *fakeExec, approval bool, timeout time.Duration) (*Board, *observed) {
	t.Helper()
	obs := &observed{}
	b, err := New(Config{StateDir: t.TempDir(), Executor: f, ApprovalRequired: approval, ApprovalTimeout: timeout, Observe: obs.add})
	if err != nil {
		t.Fatal(err)
	}
	// The runs' last writes (store, audit) are done before the state
	// directory goes.
	t.Cleanup(func() { b.Shutdown(context.Background()) })
	return b, obs
}

func wantErr(t *testing.T, err, class error, msg string) {
	t.Helper()
	if !errors.Is(err, class) || !strings.Contains(err.Error(), msg) {
		t.Errorf("want %v %q, got %v", class, msg, err)
	}
}

func waitState(t *testing.T, b *Board, id string, s State) View {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, _ := b.Get(id)
		if v.State == s {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s, want %s", id, v.State, s)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func drain(t *testing.T, b *Board, id, last string) []string {
	t.Helper()
	s, err := b.Events(id, last)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out []string
	for {
		ev, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		out = append(out, ev.ID+" "+ev.Kind)
	}
}

func TestFourEyes(t *testing.T) {
	f := newFake()
	b, obs := newBoard(t, f, true, time.Hour)
	_, err := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a"})
	wantErr(t, err, ErrInvalid, "reason is required")
	_, err = b.Create(context.Background(), alice, Create{Kind: "sideways", Inventory: "a", Reason: "x"})
	wantErr(t, err, ErrInvalid, `kind "sideways"`)
	_, err = b.Create(context.Background(), alice, Create{Kind: Rehearse, Inventory: "a", Reason: "x"})
	wantErr(t, err, ErrInvalid, "no lab")
	_, err = b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "zz", Reason: "x"})
	wantErr(t, err, ErrInventory, `inventory "zz"`)
	_, err = b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a", Reason: "x", PlanHash: "old"})
	wantErr(t, err, ErrConflict, "plan_hash old does not match: inventory a now compiles plan hash-a")

	v, err := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a", Reason: "CHG-1", PlanHash: "hash-a"})
	if err != nil || v.State != AwaitingApproval || v.PlanHash != "hash-a" || v.RequestedBy != "alice" || v.ExpiresAt.IsZero() {
		t.Fatalf("%v %+v", err, v)
	}
	_, err = b.Approve(context.Background(), &auth.Principal{Name: "alice", Role: auth.Approver}, v.ID, "hash-a", "")
	wantErr(t, err, ErrForbidden, "four-eyes: alice requested run")
	_, err = b.Approve(context.Background(), bob, v.ID, "", "")
	wantErr(t, err, ErrInvalid, "plan_hash is required")
	_, err = b.Approve(context.Background(), bob, v.ID, "hash-b", "")
	wantErr(t, err, ErrConflict, "plan_hash hash-b is not the plan of run")
	if len(f.startedSpecs()) != 0 {
		t.Fatal("something started before the approval")
	}
	_, err = b.Halt(alice, v.ID, "stop")
	wantErr(t, err, ErrConflict, "awaiting_approval, not running")
	v, err = b.Approve(context.Background(), bob, v.ID, "hash-a", "looks right")
	if err != nil || v.State != Running || v.DecidedBy != "bob" {
		t.Fatalf("%v %+v", err, v)
	}
	_, err = b.Approve(context.Background(), carol, v.ID, "hash-a", "")
	wantErr(t, err, ErrConflict, "is running, not awaiting approval")
	specs := f.startedSpecs()
	if len(specs) != 1 || len(specs[0].Notes) != 2 || !strings.Contains(specs[0].Notes[0], "requested by alice") || !strings.Contains(specs[0].Notes[1], "approved by bob (approver) for plan hash-a: looks right") {
		t.Errorf("journal notes: %+v", specs)
	}
	f.gate <- struct{}{}
	f.gate <- struct{}{}
	v = waitState(t, b, v.ID, Done)
	if v.Result == nil || v.Result.Journal != "/fake/journal.jsonl" {
		t.Errorf("%+v", v)
	}
	all := drain(t, b, v.ID, "")
	want := "a1 requested,a2 approved,a3 started,1 step-start,2 step-done,3 step-start,4 step-done,5 end"
	if strings.Join(all, ",") != want {
		t.Errorf("events %v", all)
	}
	if got := strings.Join(drain(t, b, v.ID, "a2"), ","); got != "a3 started,1 step-start,2 step-done,3 step-start,4 step-done,5 end" {
		t.Errorf("from a2: %s", got)
	}
	if got := strings.Join(drain(t, b, v.ID, "3"), ","); got != "4 step-done,5 end" {
		t.Errorf("from 3: %s", got)
	}
	if _, err := b.Events(v.ID, "x1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad Last-Event-ID: %v", err)
	}
	if !obs.has(v.ID+":approved") || !obs.has(v.ID+":end") {
		t.Errorf("observed %v", obs.events)
	}
	j, err := b.Journal(v.ID)
	if err == nil {
		t.Errorf("the fake journal file was read: %+v", j)
	}
}

func TestDenyTimeoutStale(t *testing.T) {
	f := newFake()
	b, obs := newBoard(t, f, true, 300*time.Millisecond)
	v, _ := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a", Reason: "CHG-2"})
	_, err := b.Deny(bob, v.ID, "")
	wantErr(t, err, ErrInvalid, "reason is required")
	if v, err = b.Deny(bob, v.ID, "not tonight"); err != nil || v.State != Denied || v.DecidedBy != "bob" {
		t.Fatalf("%v %+v", err, v)
	}
	_, err = b.Approve(context.Background(), carol, v.ID, "hash-a", "")
	wantErr(t, err, ErrConflict, "is denied, not awaiting approval")
	if got := strings.Join(drain(t, b, v.ID, ""), ","); got != "a1 requested,a2 denied" {
		t.Errorf("denied events: %s", got)
	}
	// The switch a denied request named is free again.
	w, err := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a", Reason: "CHG-3"})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, b, w.ID, Expired)
	if got := strings.Join(drain(t, b, w.ID, ""), ","); got != "a1 requested,a2 expired" {
		t.Errorf("expired events: %s", got)
	}
	_, err = b.Approve(context.Background(), bob, w.ID, "hash-a", "")
	wantErr(t, err, ErrConflict, "is expired")
	// The inventory changes between request and approval: not started.
	x, _ := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "c", Reason: "CHG-4"})
	f.mu.Lock()
	f.hashes["c"] = "hash-c2"
	f.mu.Unlock()
	_, err = b.Approve(context.Background(), bob, x.ID, "hash-c", "")
	wantErr(t, err, ErrConflict, "inventory c now compiles plan hash-c2, not the approved hash-c")
	if v, _ := b.Get(x.ID); v.State != Stale {
		t.Errorf("state %s", v.State)
	}
	if n := len(f.startedSpecs()); n != 0 {
		t.Errorf("%d runs started", n)
	}
	if !obs.has(v.ID+":end") || !obs.has(w.ID+":end") || !obs.has(x.ID+":end") {
		t.Errorf("ends not observed: %v", obs.events)
	}
	audit, _ := b.audit.read("")
	var kinds []string
	for _, a := range audit {
		kinds = append(kinds, a.Event+"/"+a.Who)
	}
	if got := strings.Join(kinds, ","); got != "requested/alice,denied/bob,requested/alice,expired/,requested/alice,approved/bob,stale/" {
		t.Errorf("audit: %s", got)
	}
}

func TestOverlappingAndDisjointRuns(t *testing.T) {
	f := newFake()
	b, _ := newBoard(t, f, false, time.Hour)
	va, err := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "a", Reason: "first"})
	if err != nil || va.State != Running {
		t.Fatalf("%v %+v", err, va)
	}
	// b shares sw1 with a: refused, nothing started.
	_, err = b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "b", Reason: "second"})
	wantErr(t, err, ErrConflict, "switch ovs|sw1 is in run "+va.ID)
	// c is disjoint: runs beside a.
	vc, err := b.Create(context.Background(), alice, Create{Kind: Fallback, Inventory: "c", Reason: "third"})
	if err != nil || vc.State != Running {
		t.Fatalf("%v %+v", err, vc)
	}
	if n := len(f.startedSpecs()); n != 2 {
		t.Errorf("%d started", n)
	}
	if _, err := b.Halt(alice, va.ID, "customer called"); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		f.gate <- struct{}{}
	}
	v := waitState(t, b, va.ID, RolledBack)
	if v.HaltedBy != "alice" || v.Result.Halted != "halted by alice: customer called" {
		t.Errorf("%+v %+v", v, v.Result)
	}
	waitState(t, b, vc.ID, Done)
	// sw1 is free again.
	if _, err := b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "b", Reason: "again"}); err != nil {
		t.Error(err)
	}
	// Shutdown waits for the run in progress.
	f.gate <- struct{}{}
	f.gate <- struct{}{}
	if err := b.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
	_, err = b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "c", Reason: "late"})
	wantErr(t, err, ErrClosed, "shutting down")
}

// A restart: undecided requests expire in the audit log, unfinished runs
// are reported with their choices, hold their switches, and start only
// when an approver chooses.
func TestRestartReportsUnfinished(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "audit.jsonl"), []byte(`{"run":"r1","event":"requested","who":"alice","kind":"apply","inventory":"a"}
{"run":"r2","event":"requested","who":"alice"}
{"run":"r2","event":"denied","who":"bob"}
`), 0o640)
	f := newFake()
	f.unfinished = []UnfinishedRun{{Inventory: "a", JournalDir: filepath.Join(dir, "journal", "a"), Journal: filepath.Join(dir, "journal", "a", "runs", "x.jsonl"), Kind: Apply, PID: 4242,
		Plan: &plan.Plan{Hash: "hash-a", Steps: []plan.Step{{Name: "isolate", Batches: []plan.Batch{{Switch: "sw1"}}}}}}}
	obs := &observed{}
	b, err := New(Config{StateDir: dir, Executor: f, ApprovalRequired: true, ApprovalTimeout: time.Hour, Observe: obs.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Shutdown(context.Background()) })
	audit, _ := b.audit.read("r1")
	if len(audit) != 2 || audit[1].Event != "expired" || !strings.Contains(audit[1].Reason, "restarted") {
		t.Errorf("r1 audit: %+v", audit)
	}
	if a, _ := b.audit.read("r2"); len(a) != 2 {
		t.Errorf("r2 audit: %+v", a)
	}
	list := b.List()
	if len(list) != 1 || list[0].State != Unfinished || len(list[0].Recovery) != 2 || !strings.Contains(list[0].Reason, "process 4242") {
		t.Fatalf("%+v", list)
	}
	id := list[0].ID
	if n := len(f.startedSpecs()); n != 0 {
		t.Fatalf("%d runs started by themselves", n)
	}
	_, err = b.Create(context.Background(), alice, Create{Kind: Apply, Inventory: "b", Reason: "x"})
	wantErr(t, err, ErrConflict, "is in run "+id)
	_, err = b.Recover(context.Background(), bob, id, "guess", "x")
	wantErr(t, err, ErrInvalid, `mode "guess"`)
	_, err = b.Recover(context.Background(), bob, id, "rollback", "")
	wantErr(t, err, ErrInvalid, "reason is required")
	v, err := b.Recover(context.Background(), bob, id, "rollback", "the change window is over")
	if err != nil || v.RecoveredBy != "bob" || v.RecoveryMode != "rollback" {
		t.Fatalf("%v %+v", err, v)
	}
	specs := f.startedSpecs()
	if len(specs) != 1 || specs[0].Recover != "rollback" || !strings.Contains(specs[0].Notes[0], "recovery (rollback) chosen by bob") {
		t.Errorf("%+v", specs)
	}
	f.gate <- struct{}{}
	f.gate <- struct{}{}
	waitState(t, b, id, Done)
	if got := strings.Join(drain(t, b, id, ""), ","); !strings.HasPrefix(got, "a1 unfinished,a2 recovery,a3 started,1 step-start") {
		t.Errorf("events %s", got)
	}
	_, err = b.Recover(context.Background(), bob, id, "resume", "again")
	wantErr(t, err, ErrConflict, "not unfinished")
}
