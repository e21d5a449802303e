package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/pause"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// trialSwitch is an in-memory switch that applies batches on trial the
// way the vendors do: a timer restores the ports from before the trial
// unless it is confirmed, and a new session can see, confirm or cancel
// the pending trial.
type trialSwitch struct {
	name string

	mu      sync.Mutex
	ports   map[string]string
	pending *pendingTrial
	n       int
	log     []string // confirm, cancel, revert
}

type pendingTrial struct {
	id       string
	snapshot map[string]string
	timer    *time.Timer
}

var _ switchdrivers.TrialRecoverer = (*trialSwitch)(nil)

func newTrialSwitch(name string, ports map[string]string) *trialSwitch {
	return &trialSwitch{name: name, ports: ports}
}

func (s *trialSwitch) Ports(context.Context) ([]switchdrivers.PortState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []switchdrivers.PortState
	for name, seg := range s.ports {
		out = append(out, switchdrivers.PortState{Name: name, Mode: switchdrivers.ModeAccess, Segment: seg, Admin: "up", Oper: "up"})
	}
	return out, nil
}

func (s *trialSwitch) Render(cs []switchdrivers.Change) ([]string, error) { return nil, nil }
func (s *trialSwitch) RenderConfirmed(cs []switchdrivers.Change, _ time.Duration) ([]string, error) {
	return nil, nil
}
func (s *trialSwitch) Close() error { return nil }

func (s *trialSwitch) set(cs []switchdrivers.Change) error {
	live, _ := s.portsLocked()
	if err := switchdrivers.CheckFrom(s.name, live, cs); err != nil {
		return switchdrivers.Untouched(err)
	}
	for _, c := range cs {
		s.ports[c.Port] = c.To
	}
	return nil
}

func (s *trialSwitch) portsLocked() ([]switchdrivers.PortState, error) {
	var out []switchdrivers.PortState
	for name, seg := range s.ports {
		out = append(out, switchdrivers.PortState{Name: name, Mode: switchdrivers.ModeAccess, Segment: seg})
	}
	return out, nil
}

func (s *trialSwitch) Apply(_ context.Context, cs []switchdrivers.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set(cs)
}

func (s *trialSwitch) ApplyConfirmed(_ context.Context, cs []switchdrivers.Change, timeout time.Duration) (func(context.Context) error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != nil {
		return nil, switchdrivers.Untouched(errors.New("a trial is pending"))
	}
	snap := map[string]string{}
	for k, v := range s.ports {
		snap[k] = v
	}
	if err := s.set(cs); err != nil {
		return nil, err
	}
	s.n++
	p := &pendingTrial{id: fmt.Sprint(s.n), snapshot: snap}
	p.timer = time.AfterFunc(timeout, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.pending == p {
			s.ports, s.pending = p.snapshot, nil
			s.log = append(s.log, "revert")
		}
	})
	s.pending = p
	id := p.id
	return func(ctx context.Context) error { return s.ConfirmTrial(ctx, switchdrivers.PendingTrial{ID: id}) }, nil
}

func (s *trialSwitch) PendingTrial(context.Context) (*switchdrivers.PendingTrial, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		return nil, nil
	}
	return &switchdrivers.PendingTrial{ID: s.pending.id}, nil
}

func (s *trialSwitch) settle(p switchdrivers.PendingTrial, cancel bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil || s.pending.id != p.ID {
		return fmt.Errorf("switch %s: %w", s.name, switchdrivers.ErrNoPendingTrial)
	}
	s.pending.timer.Stop()
	if cancel {
		s.ports = s.pending.snapshot
		s.log = append(s.log, "cancel")
	} else {
		s.log = append(s.log, "confirm")
	}
	s.pending = nil
	return nil
}

func (s *trialSwitch) ConfirmTrial(_ context.Context, p switchdrivers.PendingTrial) error {
	return s.settle(p, false)
}
func (s *trialSwitch) CancelTrial(_ context.Context, p switchdrivers.PendingTrial) error {
	return s.settle(p, true)
}

func (s *trialSwitch) seg(port string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ports[port]
}

func (s *trialSwitch) settled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// trialFixture: the engine topology's plan on two in-memory switches.
func trialFixture(t *testing.T) (*plan.Plan, map[string]*trialSwitch, map[string]switchdrivers.Driver) {
	p := livePlan(t)
	sws := map[string]*trialSwitch{
		"sw1": newTrialSwitch("sw1", map[string]string{"sw1-e1": "66", "sw1-e2": "66"}),
		"sw2": newTrialSwitch("sw2", map[string]string{"sw2-e5": "66", "sw2-e1": "166", "sw2-e2": "166"}),
	}
	drivers := map[string]switchdrivers.Driver{"sw1": sws["sw1"], "sw2": sws["sw2"]}
	return p, sws, drivers
}

// fakePauses reports a stop once told to.
type fakePauses struct {
	mu      sync.Mutex
	resumed time.Time
}

func (f *fakePauses) stop() {
	f.mu.Lock()
	f.resumed = time.Now()
	f.mu.Unlock()
}

func (f *fakePauses) Since(t time.Time) (pause.Stop, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.resumed.After(t) {
		return pause.Stop{Resumed: f.resumed, Length: 5 * time.Second}, true
	}
	return pause.Stop{}, false
}

// landingHooks records the landings and runs after at each AfterStep.
type landingHooks struct {
	recorder
	mu       sync.Mutex
	landings []engine.Landing
	after    func(ctx context.Context, step string, l engine.Landing) error
}

func (h *landingHooks) Landed(_ context.Context, p *plan.Plan, l engine.Landing) {
	h.mu.Lock()
	h.landings = append(h.landings, l)
	h.mu.Unlock()
	h.hook(fmt.Sprintf("landed(undo=%v)", l.Undo), p, l.Step)
}

func (h *landingHooks) AfterStep(ctx context.Context, p *plan.Plan, i int) error {
	if err := h.hook("after", p, i); err != nil {
		return err
	}
	h.mu.Lock()
	l := h.landings[len(h.landings)-1]
	h.mu.Unlock()
	if h.after != nil {
		return h.after(ctx, p.Steps[i].Name, l)
	}
	return nil
}

func (h *landingHooks) AfterUndo(_ context.Context, p *plan.Plan, i int) error {
	return h.hook("after-undo", p, i)
}

// Every step is read back and landed before AfterStep; undos too, before
// AfterUndo; a step on trial is in place until it is confirmed.
func TestLandingsAndConfirmation(t *testing.T) {
	p, sws, drivers := trialFixture(t)
	h := &landingHooks{}
	h.after = func(ctx context.Context, step string, l engine.Landing) error {
		if err := l.InPlace(ctx); err != nil {
			return fmt.Errorf("in place after %s: %w", step, err)
		}
		return nil
	}
	h.fail = map[string]error{"before:park": errors.New("stop here")}
	e := &engine.Engine{Drivers: drivers, Hooks: h, ConfirmTimeout: time.Minute, Pauses: &fakePauses{}}
	rep := e.Run(context.Background(), p)
	if rep.Result != engine.ResultRolledBack {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	want := "before:isolate landed(undo=false):isolate after:isolate before:promote landed(undo=false):promote after:promote before:park " +
		"landed(undo=true):promote after-undo:promote landed(undo=true):isolate after-undo:isolate"
	if got := strings.Join(h.events, " "); got != want {
		t.Fatalf("hooks:\n got %s\nwant %s", got, want)
	}
	for _, l := range h.landings {
		if l.ReadBack.IsZero() || l.InPlace == nil {
			t.Fatalf("landing %+v", l)
		}
	}
	// Confirmed steps stand; the undo is what took them away.
	if err := h.landings[1].InPlace(context.Background()); err == nil || !strings.Contains(err.Error(), "undone by the rollback") {
		t.Fatalf("promote after its undo: %v", err)
	}
	if got := sws["sw2"].settled(); !slices.Equal(got, []string{"confirm", "confirm"}) {
		t.Fatalf("sw2 trials: %v", got)
	}
}

// A trial too close to its deadline counts as reverted: nothing is
// announced or confirmed on it, its trials are cancelled so the state
// stops moving, and the run rolls back with a message that says so.
func TestTrialTooCloseToItsDeadlineCountsAsReverted(t *testing.T) {
	p, sws, drivers := trialFixture(t)
	h := &landingHooks{}
	var inPlaceErr error
	h.after = func(ctx context.Context, step string, l engine.Landing) error {
		if step != plan.StepPromote {
			return nil
		}
		time.Sleep(600 * time.Millisecond) // a slow guard check: 0.4 s left of 1 s
		inPlaceErr = l.InPlace(ctx)
		return inPlaceErr
	}
	e := &engine.Engine{Drivers: drivers, Hooks: h, ConfirmTimeout: time.Second, Pauses: &fakePauses{}} // margin: half the trial
	rep := e.Run(context.Background(), p)
	var rev *engine.RevertedError
	if !errors.As(inPlaceErr, &rev) || rev.Step != plan.StepPromote || !strings.Contains(rev.Error(), "too soon to rely on it") {
		t.Fatalf("in place: %v", inPlaceErr)
	}
	if rep.Result != engine.ResultRolledBack || !strings.Contains(rep.Error, "step promote is no longer on switch sw2") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	// isolate was confirmed (its deadline was far), promote cancelled.
	if got := sws["sw2"].settled(); !slices.Equal(got, []string{"confirm", "cancel"}) {
		t.Fatalf("sw2 trials: %v", got)
	}
	for port, want := range map[string]string{"sw2-e1": "166", "sw2-e5": "66"} {
		if got := sws["sw2"].seg(port); got != want {
			t.Errorf("%s in %s, want %s", port, got, want)
		}
	}
	if got := sws["sw1"].seg("sw1-e1"); got != "66" {
		t.Errorf("sw1-e1 in %s after the rollback", got)
	}
}

// After a stop of the process the switches are read again: a step they
// still hold stands (and is confirmed), one their timer reverted during
// the stop counts as reverted.
func TestStopOfTheProcessRereadsTheSwitch(t *testing.T) {
	for _, reverted := range []bool{false, true} {
		t.Run(fmt.Sprintf("reverted=%v", reverted), func(t *testing.T) {
			p, sws, drivers := trialFixture(t)
			pauses := &fakePauses{}
			h := &landingHooks{}
			var inPlaceErr error
			h.after = func(ctx context.Context, step string, l engine.Landing) error {
				if step != plan.StepPromote {
					return nil
				}
				if reverted {
					// The switch's timer runs out while the process is stopped.
					sw := sws["sw2"]
					sw.mu.Lock()
					sw.pending.timer.Reset(0)
					sw.mu.Unlock()
					for sw.seg("sw2-e1") != "166" {
						time.Sleep(time.Millisecond)
					}
				}
				pauses.stop()
				inPlaceErr = l.InPlace(ctx)
				return inPlaceErr
			}
			var events []string
			var mu sync.Mutex
			e := &engine.Engine{Drivers: drivers, Hooks: h, ConfirmTimeout: time.Minute, Pauses: pauses, Progress: func(ev engine.Event) {
				mu.Lock()
				events = append(events, ev.Kind+":"+ev.Step)
				mu.Unlock()
			}}
			rep := e.Run(context.Background(), p)
			if !reverted {
				if inPlaceErr != nil || rep.Result != engine.ResultDone || !slices.Contains(events, "trial-verified:promote") {
					t.Fatalf("%s: %v / %v %v", rep.Result, rep.Err, inPlaceErr, events)
				}
				return
			}
			if inPlaceErr == nil || !strings.Contains(inPlaceErr.Error(), "the process was stopped for 5s, and meanwhile switch sw2 reverted it") {
				t.Fatalf("in place: %v", inPlaceErr)
			}
			if rep.Result != engine.ResultRolledBack || !slices.Contains(events, "trial-reverted:promote") {
				t.Fatalf("%s: %v %v", rep.Result, rep.Err, events)
			}
			if got := sws["sw1"].seg("sw1-e1"); got != "66" {
				t.Errorf("sw1-e1 in %s after the rollback", got)
			}
		})
	}
}

// A recovery's adopted trials: Restore cancels each when its undo
// reaches the step, after BeforeUndo; a block there keeps the step, and
// its trial is confirmed so the switch does not undo it later; Resume
// confirms the trial of a complete step after BeforeResume.
func TestAdoptedTrials(t *testing.T) {
	ctx := context.Background()
	// A dead process left promote on trial (isolate confirmed).
	setupDead := func(t *testing.T) (*plan.Plan, map[string]*trialSwitch, map[string]switchdrivers.Driver, engine.Adopted) {
		p, sws, drivers := trialFixture(t)
		for _, b := range p.Steps[0].Batches {
			if err := sws[b.Switch].Apply(ctx, changesOf(b.Moves)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sws["sw2"].ApplyConfirmed(ctx, changesOf(p.Steps[1].Batches[0].Moves), time.Minute); err != nil {
			t.Fatal(err)
		}
		held, _ := sws["sw2"].PendingTrial(ctx)
		return p, sws, drivers, engine.Adopted{Switch: "sw2", Step: plan.StepPromote, Trial: *held, RevertsAt: time.Now().Add(time.Minute)}
	}
	t.Run("rollback cancels", func(t *testing.T) {
		p, sws, drivers, a := setupDead(t)
		h := &undoOrder{}
		e := &engine.Engine{Drivers: drivers, Hooks: h, Adopted: []engine.Adopted{a}, Pauses: &fakePauses{}}
		if _, err := e.Restore(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got := sws["sw2"].settled(); !slices.Equal(got, []string{"cancel"}) {
			t.Fatalf("sw2: %v", got)
		}
		if !slices.Equal(h.order, []string{"before-undo:park", "before-undo:promote", "cancelled", "before-undo:isolate"}) {
			t.Fatalf("order: %v", h.order)
		}
		if sws["sw2"].seg("sw2-e1") != "166" || sws["sw1"].seg("sw1-e1") != "66" {
			t.Fatal("not restored")
		}
	})
	t.Run("a block keeps the step and confirms its trial", func(t *testing.T) {
		p, sws, drivers, a := setupDead(t)
		h := &undoOrder{block: plan.StepPromote}
		e := &engine.Engine{Drivers: drivers, Hooks: h, Adopted: []engine.Adopted{a}, Pauses: &fakePauses{}}
		if _, err := e.Restore(ctx, p); err == nil {
			t.Fatal("the block did not stop the rollback")
		}
		if got := sws["sw2"].settled(); !slices.Equal(got, []string{"confirm"}) || sws["sw2"].seg("sw2-e1") != "66" {
			t.Fatalf("sw2: %v, e1 %s", got, sws["sw2"].seg("sw2-e1"))
		}
	})
	t.Run("resume confirms after the hooks accept", func(t *testing.T) {
		p, sws, drivers, a := setupDead(t)
		a.Confirm = true
		h := &undoOrder{}
		e := &engine.Engine{Drivers: drivers, Hooks: h, Adopted: []engine.Adopted{a}, Pauses: &fakePauses{}}
		rep := e.Resume(ctx, p, 2)
		if rep.Result != engine.ResultDone {
			t.Fatalf("%s: %v", rep.Result, rep.Err)
		}
		if got := sws["sw2"].settled(); !slices.Equal(got, []string{"confirm"}) || !slices.Equal(h.order[:1], []string{"resume:park"}) {
			t.Fatalf("sw2 %v, hooks %v", got, h.order)
		}
		// Refused: confirming the trial of a step the switches do not
		// show complete.
		p, _, drivers, a = setupDead(t)
		a.Confirm = true
		rep = (&engine.Engine{Drivers: drivers, Adopted: []engine.Adopted{a}, Pauses: &fakePauses{}}).Resume(ctx, p, 1)
		if rep.Result == engine.ResultDone || !strings.Contains(rep.Error, "cannot be confirmed") {
			t.Fatalf("%s: %v", rep.Result, rep.Err)
		}
	})
	t.Run("a trial already reverted counts as the undo", func(t *testing.T) {
		p, sws, drivers, a := setupDead(t)
		sws["sw2"].mu.Lock()
		sws["sw2"].pending.timer.Reset(0)
		sws["sw2"].mu.Unlock()
		for sws["sw2"].seg("sw2-e1") != "166" {
			time.Sleep(time.Millisecond)
		}
		var kinds []string
		e := &engine.Engine{Drivers: drivers, Hooks: &undoOrder{}, Adopted: []engine.Adopted{a}, Pauses: &fakePauses{}, Progress: func(ev engine.Event) { kinds = append(kinds, ev.Kind) }}
		if _, err := e.Restore(ctx, p); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(kinds, "trial-reverted") || sws["sw1"].seg("sw1-e1") != "66" {
			t.Fatalf("events %v", kinds)
		}
	})
}

// undoOrder records BeforeUndo and BeforeResume, and notices when the
// adopted trial was cancelled relative to them.
type undoOrder struct {
	recorder
	order []string
	block string
}

func (u *undoOrder) BeforeUndo(_ context.Context, p *plan.Plan, i int) error {
	u.order = append(u.order, "before-undo:"+p.Steps[i].Name)
	if p.Steps[i].Name == u.block {
		return &engine.BlockedError{Step: "undo-" + u.block, Reason: "somebody else answers"}
	}
	return nil
}

func (u *undoOrder) Landed(_ context.Context, p *plan.Plan, l engine.Landing) {
	if l.Undo && p.Steps[l.Step].Name == plan.StepPromote {
		u.order = append(u.order, "cancelled")
	}
}

func (u *undoOrder) BeforeResume(_ context.Context, p *plan.Plan, from int) error {
	u.order = append(u.order, "resume:"+p.Steps[from].Name)
	return nil
}

func changesOf(moves []plan.Move) []switchdrivers.Change {
	var out []switchdrivers.Change
	for _, m := range moves {
		out = append(out, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
	}
	return out
}
