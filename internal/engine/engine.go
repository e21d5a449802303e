// Package engine executes cut-over plans against switch drivers: steps
// strictly in order, the switches of one step in parallel (one Apply, so one
// session, per switch), every batch read back before the step counts as
// done, guard hooks before and after each step, and, when anything fails,
// the steps already taken undone in reverse order.
package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/internal/pause"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// Outcomes of a run, as reported in Report.Result.
const (
	ResultDone       = "done"
	ResultBlocked    = "blocked"     // a guard refused; nothing unsafe was done
	ResultRolledBack = "rolled_back" // a step failed; what was done is undone
	ResultFailed     = "failed"      // failed and could not be fully undone
)

// Hooks are called around every step; the guard plugs in here. An error
// from BeforeStep means the step is not taken; from AfterStep, that the
// step must be undone. Return a *BlockedError for a guard's refusal.
type Hooks interface {
	BeforeStep(ctx context.Context, p *plan.Plan, step int) error
	AfterStep(ctx context.Context, p *plan.Plan, step int) error
}

// UndoHooks is an optional capability of Hooks: BeforeUndo runs before a
// rollback undoes step i. An error stops the rollback there, leaving that
// step and the earlier ones as they are.
type UndoHooks interface {
	BeforeUndo(ctx context.Context, p *plan.Plan, step int) error
}

// ResumeHooks is an optional capability of Hooks: BeforeResume runs when
// a run another process began is resumed at step from, before that step's
// BeforeStep; it rebuilds what the hooks learnt in the earlier steps (the
// guard's evidence of who owns the addresses).
type ResumeHooks interface {
	BeforeResume(ctx context.Context, p *plan.Plan, from int) error
}

// BlockedError is a guard's refusal to let a step happen, or its order to
// halt a run. Restore says whether the steps already completed should be
// undone: true when going back is safe (the evidence involves only the
// outgoing system's own MACs), false when it could itself put two owners
// in one VLAN. A step that was in progress is undone either way, so no
// step is ever left half-done.
type BlockedError struct {
	Step    string
	Reason  string
	Restore bool
}

func (e *BlockedError) Error() string { return fmt.Sprintf("step %s blocked: %s", e.Step, e.Reason) }

// Event is progress reported while a plan runs.
type Event struct {
	Time     time.Time
	Step     string
	Switch   string // empty for step-level events
	Kind     string // step-start, batch-done, batch-failed, step-done, confirmed, rollback-start, rollback-done, journal-failed, trial-cancelled, trial-reverted, trial-wait, trial-verified, trial-off (Err says why the batch goes without a trial), switch-note (Err is what the driver did on the switch besides the batch: switchdrivers.Noter)
	Moves    int
	Duration time.Duration
	Err      error
}

// Recorder journals a run: each call has made its record durable before
// it returns (package journal). A batch is not sent if its intent cannot
// be recorded.
type Recorder interface {
	Intent(step, sw string, changes []switchdrivers.Change) error
	Result(step, sw string, changes []switchdrivers.Change, err error) error
}

// TrialRecorder is an optional capability of a Recorder: it journals each
// batch sent on trial (before it is sent) and each confirmation, so a
// recovery knows which switches may still revert something by themselves.
type TrialRecorder interface {
	Trial(step, sw string, revertIn time.Duration) error
	Confirmed(step, sw string, err error) error
}

// LiveRecorder is an optional capability of a Recorder: it journals the
// live segments the engine read of a batch's ports before undoing it, so
// that the journal knows where each port is even where nothing moved.
type LiveRecorder interface {
	LiveState(sw string, live map[string]string) error
}

// Engine runs plans. Drivers maps switch names to open drivers.
type Engine struct {
	// Recorder, if set, journals every batch before and after it is sent.
	Recorder Recorder
	Drivers  map[string]switchdrivers.Driver
	Hooks    Hooks       // optional
	Progress func(Event) // optional; called from several goroutines, never concurrently
	// RollbackTimeout bounds the undo work after a failure (default 2 min).
	// Undo runs even if the run's context was cancelled.
	RollbackTimeout time.Duration
	// ConfirmTimeout, if positive, applies batches on trial on drivers
	// that can (switchdrivers.ConfirmedApplier): the switch reverts the
	// step by itself unless it is confirmed, which happens only once the
	// step's AfterStep hook (the guard) has passed. If cutover dies in
	// between, the switches go back on their own.
	ConfirmTimeout time.Duration
	// Timeline, if set, receives the moments of every forward batch: its
	// first configuration line, its commit and its read-back.
	Timeline *outage.Timeline
	// TrialMargin is the least time a trial must have left before the
	// hooks may announce what it put in place or the engine confirms it
	// (default DefaultTrialMargin, at most half the trial).
	TrialMargin time.Duration
	// Pauses notices stops of the process (a *pause.Watch; one is started
	// when nil, and Close stops it).
	Pauses Pauses
	// RequireTrials refuses, untouched, a batch whose switch cannot take
	// a trial (switchdrivers.ErrTrialUnavailable: IOS-XE without its
	// configuration archive) when ConfirmTimeout asks for trials. Without
	// it such a batch, and that switch's later ones in the run, are sent
	// without a trial; each is reported (a trial-off event) and journaled
	// (TrialOffRecorder) first.
	RequireTrials bool
	// Adopted are the trials a dead process left pending, for a recovery
	// to settle: Restore cancels them when it undoes their step (after
	// BeforeUndo); Resume confirms those of complete steps once the hooks
	// accept the resume, and cancels the others.
	Adopted []Adopted

	mu             sync.Mutex
	pmu            sync.Mutex
	ownPauses      *pause.Watch
	watches        map[int]*trialWatch // the steps' trials in the current run
	settledAdopted map[string]bool
	// preparing holds, per step and switch, the Prepare in flight for the
	// step's batch (switchdrivers.Preparer): closed once it is done.
	prepMu    sync.Mutex
	preparing map[string]chan struct{}
	// trialsOff: the switches that cannot take a trial in this run, and why.
	offMu     sync.Mutex
	trialsOff map[string]string
}

// StepReport is what happened in one step.
type StepReport struct {
	Name     string    `json:"name"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Moves    int       `json:"moves"`
	Error    string    `json:"error,omitempty"`
}

// Report is the outcome of a run.
type Report struct {
	Plan     string       `json:"plan"`
	Result   string       `json:"result"`
	Steps    []StepReport `json:"steps"`
	Rollback []StepReport `json:"rollback,omitempty"`
	Error    string       `json:"error,omitempty"`
	// Err is the cause when Result is not done.
	Err error `json:"-"`
}

func (e *Engine) emit(ev Event) {
	if e.Progress == nil {
		return
	}
	ev.Time = time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Progress(ev)
}

// Run executes p. It returns a report in every case; Report.Err is set
// unless the result is done.
func (e *Engine) Run(ctx context.Context, p *plan.Plan) *Report {
	return e.run(ctx, p, 0, false)
}

// Resume finishes a run of p that another process began and left with
// steps 0..from-1 complete on the switches (see Reached). Step from is
// first undone where it is partly applied, so that it starts again from
// a clean boundary and its guard sees the state it expects; then
// ResumeHooks.BeforeResume rebuilds the hooks' evidence and the steps
// from..end run as in Run. A failure undoes every step, the ones the
// other process took included, as Run does.
func (e *Engine) Resume(ctx context.Context, p *plan.Plan, from int) *Report {
	return e.run(ctx, p, from, true)
}

func (e *Engine) run(ctx context.Context, p *plan.Plan, from int, resume bool) *Report {
	rep := &Report{Plan: p.Hash, Result: ResultDone}
	if err := e.checkDrivers(p); err != nil {
		rep.Result, rep.Err, rep.Error = ResultFailed, err, err.Error()
		return rep
	}
	taken := from - 1             // the last step whose moves may have been (partly) applied
	inProgress := -1              // a step whose Apply did not complete
	var untouched map[string]bool // switches of step `taken` that changed nothing
	var failure error
	e.watches = map[int]*trialWatch{}
	if resume {
		failure = e.prepareResume(ctx, p, from, rep)
		if failure != nil && from < len(p.Steps) {
			inProgress = from
			taken = from
		}
	}
	if failure == nil && from < len(p.Steps) {
		for _, b := range p.Steps[from].Batches {
			e.prepareBatch(ctx, p.Steps[from].Name, b)
		}
	}
	for i, step := range p.Steps {
		if i < from || failure != nil {
			continue
		}
		sr := StepReport{Name: step.Name, Started: time.Now(), Moves: step.Moves()}
		e.emit(Event{Step: step.Name, Kind: "step-start", Moves: sr.Moves})
		if e.Hooks != nil {
			if err := e.Hooks.BeforeStep(ctx, p, i); err != nil {
				failure = fmt.Errorf("before step %s: %w", step.Name, err)
			}
		}
		var watch *trialWatch
		if failure == nil {
			taken = i
			var trials []trial
			untouched, trials, failure = e.runStep(ctx, p, i)
			if failure != nil {
				inProgress = i
			}
			watch = e.watch(step.Name, trials, time.Now())
			e.watches[i] = watch
			e.landed(ctx, p, Landing{Step: i, ReadBack: watch.verified, InPlace: watch.InPlace})
		}
		if failure == nil && e.Hooks != nil {
			if err := e.Hooks.AfterStep(ctx, p, i); err != nil {
				failure = fmt.Errorf("after step %s: %w", step.Name, err)
			}
		}
		// Confirm the step's trials: after the guard passed, or, on a
		// failure, before the undo (the undo then sets the same state the
		// switch's own revert would) — unless the switches no longer hold
		// the step, or it is too close to its deadline (trialWatch).
		if watch != nil {
			if err := watch.confirm(context.WithoutCancel(ctx)); err != nil && failure == nil {
				failure = err
			}
		}
		if failure != nil && ctx.Err() != nil {
			// Halted (e.g. by the watcher): whatever failed, the halt's
			// cause decides what happens next.
			if cause := context.Cause(ctx); !errors.Is(failure, cause) {
				failure = errors.Join(cause, failure)
			}
		}
		sr.Finished = time.Now()
		if failure != nil {
			sr.Error = failure.Error()
		}
		rep.Steps = append(rep.Steps, sr)
		e.emit(Event{Step: step.Name, Kind: "step-done", Moves: sr.Moves, Duration: sr.Finished.Sub(sr.Started), Err: failure})
		if failure != nil {
			break
		}
	}
	if failure == nil {
		if err := e.keepAdopted(context.WithoutCancel(ctx), p); err != nil {
			rep.Result, rep.Err, rep.Error = ResultFailed, err, err.Error()
		}
		return rep
	}
	rep.Err = failure
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); !errors.Is(failure, cause) {
			failure = errors.Join(cause, failure)
			rep.Err = failure
		}
	}
	// What to undo: everything taken, unless a guard said going back is
	// unsafe; then only a step left half-done.
	first := 0
	var blocked *BlockedError
	if errors.As(failure, &blocked) {
		rep.Result = ResultBlocked
		if !blocked.Restore {
			first = inProgress
			if first < 0 {
				first = taken + 1 // nothing to undo
			}
		}
	} else {
		rep.Result = ResultRolledBack
	}
	if taken >= 0 && taken >= first {
		timeout := e.RollbackTimeout
		if timeout <= 0 {
			timeout = 2 * time.Minute
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		var rerr error
		rep.Rollback, rerr = e.undo(rctx, p, first, taken, untouched)
		if rerr != nil {
			rep.Result = ResultFailed
			rep.Err = errors.Join(failure, fmt.Errorf("rollback incomplete, check the ports named here: %w", rerr))
		}
	}
	if err := e.keepAdopted(context.WithoutCancel(ctx), p); err != nil {
		rep.Result = ResultFailed
		rep.Err = errors.Join(rep.Err, err)
	}
	rep.Error = rep.Err.Error()
	return rep
}

// prepareResume undoes what is on the switches of step from (a step the
// other process left half done), settles the trials it adopted (those of
// step from and later are cancelled, those of complete steps confirmed
// once the hooks accept the resume) and lets the hooks rebuild their
// evidence.
func (e *Engine) prepareResume(ctx context.Context, p *plan.Plan, from int, rep *Report) error {
	for _, a := range e.Adopted {
		idx := slices.IndexFunc(p.Steps, func(s plan.Step) bool { return s.Name == a.Step })
		if idx < 0 || a.Confirm != (idx < from) {
			return fmt.Errorf("switch %s: the trial of step %s cannot be %s when resuming before step %d: recover it again", a.Switch, a.Step, map[bool]string{true: "confirmed", false: "cancelled"}[a.Confirm], from)
		}
	}
	if from < len(p.Steps) {
		partial, err := e.applied(ctx, p.Steps[from])
		if err != nil {
			return err
		}
		if partial {
			undone, err := e.undo(context.WithoutCancel(ctx), p, from, from, nil)
			rep.Steps = append(rep.Steps, undone...)
			if err != nil {
				return fmt.Errorf("undoing the half-done step %s before resuming it: %w", p.Steps[from].Name, err)
			}
		}
	}
	// Trials of steps not complete whose undo had nothing to move: nothing
	// of them is on the switches, but a pending timer would revert
	// whatever is changed next.
	for _, i := range e.adoptedSteps(p) {
		if i >= from {
			if _, err := e.cancelAdopted(context.WithoutCancel(ctx), p, i); err != nil {
				return err
			}
		}
	}
	var watch *trialWatch
	if from > 0 {
		step := p.Steps[from-1]
		watch = e.watch(step.Name, e.adopted(step.Name, func(sw string) []switchdrivers.Change { return batchChanges(step, sw) }), time.Now())
		e.watches[from-1] = watch
		e.landed(ctx, p, Landing{Step: from - 1, ReadBack: watch.verified, InPlace: watch.InPlace})
	}
	if rh, ok := e.Hooks.(ResumeHooks); ok && from < len(p.Steps) {
		if err := rh.BeforeResume(ctx, p, from); err != nil {
			return fmt.Errorf("before resuming at step %s: %w", p.Steps[from].Name, err)
		}
	}
	if watch != nil {
		for _, t := range watch.trials {
			e.markAdopted(t.sw, watch.step)
		}
		if err := watch.confirm(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("confirming the trial of step %s the other process left: %w", watch.step, err)
		}
	}
	return nil
}

// landed tells the hooks that a step (or its undo) was read back.
func (e *Engine) landed(ctx context.Context, p *plan.Plan, l Landing) {
	if lh, ok := e.Hooks.(LandingHooks); ok {
		lh.Landed(ctx, p, l)
	}
}

// applied reports whether any port of step is at its move's target.
func (e *Engine) applied(ctx context.Context, step plan.Step) (bool, error) {
	for _, b := range step.Batches {
		live, err := e.Drivers[b.Switch].Ports(ctx)
		if err != nil {
			return false, wrap(b.Switch, fmt.Errorf("reading ports to resume: %w", err))
		}
		seg := map[string]string{}
		for _, p := range live {
			seg[p.Name] = p.Segment
		}
		for _, m := range b.Moves {
			if seg[m.Port] == m.To {
				return true, nil
			}
		}
	}
	return false, nil
}

// Reached says where a run of p stands, from the switches' live segments
// (live[switch][port]): the first step not complete on the switches. It
// is an error — never a guess — when a port is in a segment the plan does
// not explain, or when a later step has moved a port although an earlier
// one is not complete.
func Reached(p *plan.Plan, live map[string]map[string]string) (int, error) {
	// pos[switch:port]: the index of the last step whose move put the
	// port where it is, -1 where it was before the run.
	pos := map[string]int{}
	for i, step := range p.Steps {
		for _, b := range step.Batches {
			for _, m := range b.Moves {
				k := b.Switch + ":" + m.Port
				seg, ok := live[b.Switch][m.Port]
				if !ok {
					return 0, &switchdrivers.Error{Switch: b.Switch, Port: m.Port, Err: errors.New("not found on the switch")}
				}
				if _, seen := pos[k]; !seen {
					pos[k] = -2 // not explained (yet)
				}
				if seg == m.From && pos[k] == -2 {
					pos[k] = i - 1
				}
				if seg == m.To {
					pos[k] = i
				}
			}
		}
	}
	from := len(p.Steps)
	for i, step := range p.Steps {
		for _, b := range step.Batches {
			for _, m := range b.Moves {
				k := b.Switch + ":" + m.Port
				if pos[k] == -2 {
					return 0, &switchdrivers.Error{Switch: b.Switch, Port: m.Port, Err: fmt.Errorf("in segment %q, which the plan never gives it", live[b.Switch][m.Port])}
				}
				if pos[k] < i {
					from = min(from, i)
				}
			}
		}
	}
	// Nothing after step from may have moved yet.
	for i := from + 1; i < len(p.Steps); i++ {
		for _, b := range p.Steps[i].Batches {
			for _, m := range b.Moves {
				if pos[b.Switch+":"+m.Port] >= i {
					return 0, &switchdrivers.Error{Switch: b.Switch, Port: m.Port, Err: fmt.Errorf("moved by step %s although step %s is not complete: not a state this plan passes through", p.Steps[i].Name, p.Steps[from].Name)}
				}
			}
		}
	}
	return from, nil
}

func (e *Engine) checkDrivers(p *plan.Plan) error {
	var missing []string
	for _, s := range p.Steps {
		for _, b := range s.Batches {
			if e.Drivers[b.Switch] == nil {
				missing = append(missing, b.Switch)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("no driver open for switch(es) %v", missing)
	}
	return nil
}

// runStep applies every batch of the step in parallel and reads each back.
// It returns the switches whose batch failed without changing anything,
// and the trials awaiting confirmation.
func (e *Engine) runStep(ctx context.Context, p *plan.Plan, si int) (map[string]bool, []trial, error) {
	step := p.Steps[si]
	phases := e.phases(ctx, p, si)
	// The next step's sessions get ready while this one runs: at once on
	// the switches this step leaves alone, after this step's commit on
	// the others.
	next := map[string]plan.Batch{}
	if si+1 < len(p.Steps) {
		for _, b := range p.Steps[si+1].Batches {
			next[b.Switch] = b
		}
	}
	for _, b := range step.Batches {
		delete(next, b.Switch)
	}
	for _, b := range next {
		e.prepareBatch(ctx, p.Steps[si+1].Name, b)
	}
	errs := make([]error, len(step.Batches))
	trials := make([]trial, len(step.Batches))
	var wg sync.WaitGroup
	for i, b := range step.Batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.awaitPrepared(ctx, step.Name, b.Switch)
			start := time.Now()
			prepareNext := func() {}
			if si+1 < len(p.Steps) {
				for _, nb := range p.Steps[si+1].Batches {
					if nb.Switch == b.Switch {
						prepareNext = func() { e.prepareBatch(ctx, p.Steps[si+1].Name, nb) }
					}
				}
			}
			tctx, marked := e.trace(ctx, step.Name, b.Switch, phases, prepareNext)
			cs := changes(b.Moves)
			// The switch starts its timer after this moment: a deadline
			// counted from here is early, never late (a prepared session
			// enters a trial's configuration mode ahead only where that
			// arms no timer: cli.Trial.BeginAhead).
			trials[i] = trial{sw: b.Switch, changes: cs, length: e.ConfirmTimeout, deadline: start.Add(e.ConfirmTimeout), wallEnd: start.Round(0).Add(e.ConfirmTimeout)}
			trials[i].confirm, errs[i] = e.applyBatch(tctx, step.Name, b.Switch, cs, e.ConfirmTimeout > 0, false)
			marked(start, errs[i])
			kind := "batch-done"
			if errs[i] != nil {
				kind = "batch-failed"
			}
			e.emit(Event{Step: step.Name, Switch: b.Switch, Kind: kind, Moves: len(b.Moves), Duration: time.Since(start), Err: errs[i]})
		}()
	}
	wg.Wait()
	untouched := map[string]bool{}
	var pending []trial
	for i, err := range errs {
		if err != nil && switchdrivers.IsUntouched(err) {
			untouched[step.Batches[i].Switch] = true
		}
		if trials[i].confirm != nil {
			pending = append(pending, trials[i])
		}
	}
	return untouched, pending, errors.Join(errs...)
}

// prepareBatch lets a driver that can (switchdrivers.Preparer) ready the
// session of a batch of step, in the background, on trial where the step
// will be. It is called once every earlier batch to the switch has been
// committed: at the start of the run for the first step, and, for the
// next step's batch on a switch, when the step before starts if it has
// no batch on that switch, else when its batch there commits. The batch
// waits for its switch's Prepare before it is sent; a Prepare that fails
// only means the batch opens its session when it is due.
func (e *Engine) prepareBatch(ctx context.Context, step string, b plan.Batch) {
	pr, ok := e.Drivers[b.Switch].(switchdrivers.Preparer)
	if !ok || len(b.Moves) == 0 {
		return
	}
	var trial time.Duration
	if _, ok := pr.(switchdrivers.ConfirmedApplier); ok && e.ConfirmTimeout > 0 && e.trialOff(b.Switch) == "" {
		trial = e.ConfirmTimeout
	}
	done := make(chan struct{})
	e.prepMu.Lock()
	if e.preparing == nil {
		e.preparing = map[string]chan struct{}{}
	}
	e.preparing[step+"\x00"+b.Switch] = done
	e.prepMu.Unlock()
	cs := changes(b.Moves)
	go func() {
		defer close(done)
		if err := pr.Prepare(ctx, cs, trial); trial > 0 && e.unavailable(err) {
			// The switch cannot take a trial: the batch will go without
			// one (applyBatch reports it), in a session readied for that.
			e.markTrialOff(b.Switch, err)
			pr.Prepare(ctx, cs, 0)
		}
	}()
}

// awaitPrepared waits for the Prepare of a step's batch on sw, if one is
// in flight.
func (e *Engine) awaitPrepared(ctx context.Context, step, sw string) {
	e.prepMu.Lock()
	done := e.preparing[step+"\x00"+sw]
	delete(e.preparing, step+"\x00"+sw)
	e.prepMu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// trace returns ctx with an ApplyTrace that marks the batch's first
// configuration line and its commit on the Timeline, and the function to
// call when the batch is done (started at start, err its outcome): it
// marks the read-back, and the phases a driver did not report (timed
// around the whole Apply).
func (e *Engine) trace(ctx context.Context, step, sw string, ph *stepPhases, onCommitted func()) (context.Context, func(start time.Time, err error)) {
	var configuring, committed, readBack bool
	tctx := switchdrivers.WithApplyTrace(ctx, &switchdrivers.ApplyTrace{
		Configuring: func() { configuring = true; e.Timeline.Mark(step, sw, outage.Configuring, time.Now()) },
		Committed: func() {
			committed = true
			e.Timeline.Mark(step, sw, outage.Committed, time.Now())
			onCommitted()
			ph.committed()
		},
		ReadBack: func() {
			readBack = true
			now := time.Now()
			e.Timeline.Mark(step, sw, outage.ReadBack, now)
			ph.readBack(now)
		},
	})
	return tctx, func(start time.Time, err error) {
		if err != nil {
			return
		}
		// The phases a driver did not report end with its Apply.
		now := time.Now()
		if !configuring {
			e.Timeline.Mark(step, sw, outage.Configuring, start)
		}
		if !committed {
			e.Timeline.Mark(step, sw, outage.Committed, now)
			onCommitted()
			ph.committed()
		}
		if !readBack {
			e.Timeline.Mark(step, sw, outage.ReadBack, now)
			ph.readBack(now)
		}
	}
}

// PhaseHooks is an optional capability of Hooks: the moments a step's
// batches reach on the switches, before the engine reads them back
// itself. Each is called at most once per step, from the goroutine of
// the step's last batch to reach it, while the other batches' drivers
// go on: a hook must return quickly.
type PhaseHooks interface {
	// Committed: every batch of step i was accepted by its switch (the
	// changes are in place; the drivers read them back next).
	Committed(ctx context.Context, p *plan.Plan, i int)
	// ReadBack: every batch of step i was read back by its driver and
	// found in place, the last at at. The engine's own read-back,
	// AfterStep and the confirmation of trials follow; a hook may start
	// work here that the next step's BeforeStep waits for (the guard's
	// absence proof).
	ReadBack(ctx context.Context, p *plan.Plan, i int, at time.Time)
}

// stepPhases counts a step's batches through the phases PhaseHooks
// reports.
type stepPhases struct {
	mu                    sync.Mutex
	batches               int
	nCommitted, nReadBack int
	onCommitted           func()
	onReadBack            func(at time.Time)
}

// phases returns the counter of step i's batches for the hooks.
func (e *Engine) phases(ctx context.Context, p *plan.Plan, i int) *stepPhases {
	ph := &stepPhases{batches: len(p.Steps[i].Batches)}
	if h, ok := e.Hooks.(PhaseHooks); ok {
		ph.onCommitted = func() { h.Committed(ctx, p, i) }
		ph.onReadBack = func(at time.Time) { h.ReadBack(ctx, p, i, at) }
	}
	return ph
}

func (ph *stepPhases) committed() {
	ph.mu.Lock()
	ph.nCommitted++
	all := ph.nCommitted == ph.batches
	ph.mu.Unlock()
	if all && ph.onCommitted != nil {
		ph.onCommitted()
	}
}

func (ph *stepPhases) readBack(at time.Time) {
	ph.mu.Lock()
	ph.nReadBack++
	all := ph.nReadBack == ph.batches
	ph.mu.Unlock()
	if all && ph.onReadBack != nil {
		ph.onReadBack(at)
	}
}

// applyBatch applies changes on one switch — on trial where the engine and
// the driver can — and verifies them by reading the switch back
// independently of the driver's own check. It returns the confirmation of
// a trial, even when the read-back fails (so the engine can settle it).
// A forward batch whose intent cannot be journaled is not sent; an undo
// batch is sent anyway (restoring service comes first) and the journal
// failure is reported with its result.
//
// A switch that cannot take a trial (switchdrivers.ErrTrialUnavailable,
// refused untouched) gets the batch without one, reported and journaled
// first, unless RequireTrials; so do its later batches in the run.
func (e *Engine) applyBatch(ctx context.Context, step, sw string, cs []switchdrivers.Change, trial, undo bool) (confirm func(context.Context) error, err error) {
	if len(cs) == 0 {
		return nil, nil
	}
	if trial {
		if why := e.trialOff(sw); why != "" {
			if err := e.noTrial(step, sw, why); err != nil {
				return nil, err
			}
			trial = false
		}
	}
	confirm, err = e.applyOnce(ctx, step, sw, cs, trial, undo)
	if trial && err != nil && e.unavailable(err) {
		if err := e.noTrial(step, sw, e.markTrialOff(sw, err)); err != nil {
			return nil, err
		}
		return e.applyOnce(ctx, step, sw, cs, false, undo)
	}
	return confirm, e.required(err)
}

// applyOnce journals and sends one batch (applyBatch).
func (e *Engine) applyOnce(ctx context.Context, step, sw string, cs []switchdrivers.Change, trial, undo bool) (confirm func(context.Context) error, err error) {
	if e.Recorder != nil {
		if jerr := e.Recorder.Intent(step, sw, cs); jerr != nil {
			if !undo {
				return nil, switchdrivers.Untouched(wrap(sw, fmt.Errorf("not sent: %w", jerr)))
			}
			e.emit(Event{Step: step, Switch: sw, Kind: "journal-failed", Err: wrap(sw, fmt.Errorf("sending the undo without a journal record: %w", jerr))})
		}
		defer func() {
			jerr := e.Recorder.Result(step, sw, cs, err)
			switch {
			case jerr == nil:
			case undo:
				e.emit(Event{Step: step, Switch: sw, Kind: "journal-failed", Err: wrap(sw, jerr)})
			default:
				err = errors.Join(err, wrap(sw, jerr))
			}
		}()
	}
	confirm, err = e.sendBatch(ctx, step, sw, cs, trial)
	e.driverNotes(step, sw)
	return confirm, err
}

// driverNotes reports and journals what sw's driver did on the switch
// besides the batch (switchdrivers.Noter): a switch-note event each.
func (e *Engine) driverNotes(step, sw string) {
	n, ok := e.Drivers[sw].(switchdrivers.Noter)
	if !ok {
		return
	}
	for _, note := range n.TakeNotes() {
		if nr, ok := e.Recorder.(NoteRecorder); ok {
			if err := nr.Note(step, sw, note); err != nil {
				e.emit(Event{Step: step, Switch: sw, Kind: "journal-failed", Err: wrap(sw, err)})
			}
		}
		e.emit(Event{Step: step, Switch: sw, Kind: "switch-note", Err: errors.New(note)})
	}
}

// NoteRecorder is an optional capability of a Recorder: it journals what
// a driver did on a switch besides a batch (switchdrivers.Noter).
type NoteRecorder interface {
	Note(step, sw, text string) error
}

func (e *Engine) sendBatch(ctx context.Context, step, sw string, cs []switchdrivers.Change, trial bool) (func(context.Context) error, error) {
	d := e.Drivers[sw]
	var confirm func(context.Context) error
	if ca, ok := d.(switchdrivers.ConfirmedApplier); ok && trial {
		if tr, ok := e.Recorder.(TrialRecorder); ok {
			if err := tr.Trial(step, sw, e.ConfirmTimeout); err != nil {
				return nil, switchdrivers.Untouched(wrap(sw, fmt.Errorf("not sent: %w", err)))
			}
		}
		var err error
		if confirm, err = ca.ApplyConfirmed(ctx, cs, e.ConfirmTimeout); err != nil {
			return nil, wrap(sw, err)
		}
	} else if err := d.Apply(ctx, cs); err != nil {
		return nil, wrap(sw, err)
	}
	live, err := d.Ports(ctx)
	if err != nil {
		return confirm, wrap(sw, fmt.Errorf("read-back: %w", err))
	}
	return confirm, switchdrivers.CheckReadBack(sw, live, cs)
}

// wrap makes sure an error names its switch.
func wrap(sw string, err error) error {
	var de *switchdrivers.Error
	if errors.As(err, &de) {
		return err
	}
	return &switchdrivers.Error{Switch: sw, Err: err}
}

func changes(moves []plan.Move) []switchdrivers.Change {
	cs := make([]switchdrivers.Change, len(moves))
	for i, m := range moves {
		cs[i] = switchdrivers.Change{Port: m.Port, From: m.From, To: m.To}
	}
	return cs
}

// undo restores steps last..first in reverse order, skipping the batches
// of step last that changed nothing. For each port it reads the live segment:
// a port at the move's target is moved back, a port still at its origin is
// left, and a port anywhere else is reported, not touched.
func (e *Engine) undo(ctx context.Context, p *plan.Plan, first, last int, untouched map[string]bool) ([]StepReport, error) {
	var reports []StepReport
	var failures []error
	// before[i][switch:port] holds the segments a port may be in when step
	// i has not touched it: where it was before each earlier step moved it.
	before := make([]map[string]map[string]bool, len(p.Steps))
	held := map[string]map[string]bool{}
	for i, step := range p.Steps {
		before[i] = map[string]map[string]bool{}
		for _, b := range step.Batches {
			for _, m := range b.Moves {
				k := b.Switch + ":" + m.Port
				if held[k] == nil {
					held[k] = map[string]bool{}
				}
				held[k][m.From] = true
				before[i][k] = maps.Clone(held[k])
			}
		}
		for _, b := range step.Batches {
			for _, m := range b.Moves {
				held[b.Switch+":"+m.Port][m.To] = true
			}
		}
	}
	for i := last; i >= first; i-- {
		step := p.Steps[i]
		sr := StepReport{Name: "undo-" + step.Name, Started: time.Now()}
		if uh, ok := e.Hooks.(UndoHooks); ok {
			if err := uh.BeforeUndo(ctx, p, i); err != nil {
				sr.Finished, sr.Error = time.Now(), err.Error()
				reports = append(reports, sr)
				e.emit(Event{Step: sr.Name, Kind: "rollback-done", Err: err})
				failures = append(failures, err, notUndone(p, i, first))
				break
			}
		}
		e.emit(Event{Step: sr.Name, Kind: "rollback-start"})
		// The step's trials, if any, no longer stand: announcements for
		// them stop, and those a dead process left are cancelled (the
		// switch restores what they changed) before the undo reads the
		// switches.
		e.watches[i].undone()
		restored, err := e.cancelAdopted(ctx, p, i)
		sr.Moves += restored
		if err != nil {
			sr.Finished, sr.Error = time.Now(), err.Error()
			reports = append(reports, sr)
			e.emit(Event{Step: sr.Name, Kind: "rollback-done", Err: err})
			failures = append(failures, err, notUndone(p, i, first))
			break
		}
		errs := make([]error, len(step.Batches))
		counts := make([]int, len(step.Batches))
		var wg sync.WaitGroup
		for bi, b := range step.Batches {
			if i == last && untouched[b.Switch] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[bi], errs[bi] = e.undoBatch(ctx, "undo-"+step.Name, b, before[i])
			}()
		}
		wg.Wait()
		for _, c := range counts {
			sr.Moves += c
		}
		err = errors.Join(errs...)
		sr.Finished = time.Now()
		e.landed(ctx, p, Landing{Step: i, Undo: true, ReadBack: sr.Finished, InPlace: func(context.Context) error { return nil }})
		if ah, ok := e.Hooks.(AfterUndoHooks); ok && err == nil {
			if herr := ah.AfterUndo(ctx, p, i); herr != nil {
				err = fmt.Errorf("after undoing step %s: %w", step.Name, herr)
			}
		}
		if err != nil {
			sr.Error = err.Error()
			failures = append(failures, err)
		}
		reports = append(reports, sr)
		e.emit(Event{Step: sr.Name, Kind: "rollback-done", Moves: sr.Moves, Duration: sr.Finished.Sub(sr.Started), Err: err})
		if err != nil && i > first {
			// Undoing an earlier step on top of an incomplete undo could
			// put two systems in one VLAN (old back into Production while
			// new is still there): stop here.
			failures = append(failures, notUndone(p, i-1, first))
			break
		}
	}
	return reports, errors.Join(failures...)
}

// notUndone names the steps from..first (in undo order) a rollback leaves.
func notUndone(p *plan.Plan, from, first int) error {
	var left []string
	for j := from; j >= first; j-- {
		left = append(left, p.Steps[j].Name)
	}
	return fmt.Errorf("not undone, to keep one owner per address: %s", strings.Join(left, ", "))
}

func (e *Engine) undoBatch(ctx context.Context, stepName string, b plan.Batch, before map[string]map[string]bool) (int, error) {
	d := e.Drivers[b.Switch]
	live, err := d.Ports(ctx)
	if err != nil {
		return 0, wrap(b.Switch, fmt.Errorf("reading ports for rollback: %w", err))
	}
	seg := map[string]string{}
	for _, p := range live {
		seg[p.Name] = p.Segment
	}
	if lr, ok := e.Recorder.(LiveRecorder); ok {
		read := map[string]string{}
		for _, m := range b.Moves {
			read[m.Port] = seg[m.Port]
		}
		if err := lr.LiveState(b.Switch, read); err != nil {
			e.emit(Event{Step: stepName, Switch: b.Switch, Kind: "journal-failed", Err: wrap(b.Switch, err)})
		}
	}
	var back []switchdrivers.Change
	var errs []error
	for _, m := range b.Moves {
		switch {
		case seg[m.Port] == m.To:
			back = append(back, switchdrivers.Change{Port: m.Port, From: m.To, To: m.From})
		case before[b.Switch+":"+m.Port][seg[m.Port]]:
			// Not moved by this step (an earlier one's state, or the origin).
		default:
			errs = append(errs, &switchdrivers.Error{Switch: b.Switch, Port: m.Port,
				Err: fmt.Errorf("found in segment %q, which the plan never gives it before %s; left alone", seg[m.Port], stepName)})
		}
	}
	// Undo is applied outright: it restores the state a trial would revert to.
	if _, err := e.applyBatch(ctx, stepName, b.Switch, back, false, true); err != nil {
		errs = append(errs, err)
		return 0, errors.Join(errs...)
	}
	return len(back), errors.Join(errs...)
}

// Restore undoes every step of p that left its mark, in reverse order, from
// the switches' live state: a port at a move's target goes back, a port
// where it was before the move (or before an earlier step) stays, a port
// anywhere else is reported and left alone. It is
// how an interrupted run is rolled back.
func (e *Engine) Restore(ctx context.Context, p *plan.Plan) ([]StepReport, error) {
	if err := e.checkDrivers(p); err != nil {
		return nil, err
	}
	e.watches = map[int]*trialWatch{}
	reports, err := e.undo(ctx, p, 0, len(p.Steps)-1, nil)
	return reports, errors.Join(err, e.keepAdopted(ctx, p))
}

// Commands adapts open drivers to plan.CommandRenderer. With a
// ConfirmTimeout, drivers that apply on trial render the trial form, as
// an Engine with the same ConfirmTimeout sends it.
type Commands struct {
	Drivers        map[string]switchdrivers.Driver
	ConfirmTimeout time.Duration
}

// RenderMoves implements plan.CommandRenderer.
func (c Commands) RenderMoves(sw string, moves []plan.Move) ([]string, error) {
	d, ok := c.Drivers[sw]
	if !ok {
		return nil, fmt.Errorf("switch %s: no driver", sw)
	}
	if ca, ok := d.(switchdrivers.ConfirmedApplier); ok && c.ConfirmTimeout > 0 {
		return ca.RenderConfirmed(changes(moves), c.ConfirmTimeout)
	}
	return d.Render(changes(moves))
}

// RenderUndo implements plan.UndoRenderer: an undo is sent outright,
// never on trial (undoBatch).
func (c Commands) RenderUndo(sw string, moves []plan.Move) ([]string, error) {
	d, ok := c.Drivers[sw]
	if !ok {
		return nil, fmt.Errorf("switch %s: no driver", sw)
	}
	return d.Render(changes(moves))
}
