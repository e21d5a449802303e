package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/pause"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// A step applied on trial is only as good as the switch's timer: until
// it is confirmed, the switch reverts it by itself at a deadline. Nothing
// may be announced for it, and it may not be confirmed, on evidence that
// could predate such a revert. The engine therefore keeps, for each step
// on trial, its deadline and when the switches last showed it in place,
// and checks both before the hooks announce and before it confirms:
//
//   - a deadline closer than TrialMargin (or past) means the step counts
//     as reverted: its trials are cancelled where the switch can (the
//     state stops moving), otherwise waited out, and the step fails;
//   - a stop of the process since the switches last showed the step
//     (package pause: SIGSTOP, a frozen VM, a suspend) means reading them
//     again: the step stands only if they still hold it.
//
// A recovery hands the engine the trials a dead process left pending
// (Adopted): they are cancelled when the undo reaches their step, after
// the step's BeforeUndo hook, or confirmed once the hooks accepted a
// resume, under the same deadline check.

// DefaultTrialMargin is the least time a trial must have left for the
// engine to announce or confirm it; never more than half the timeout.
const DefaultTrialMargin = 10 * time.Second

// trialGrace is how long after its deadline a trial the engine cannot
// cancel is waited for: a switch takes a moment to roll back.
const trialGrace = 15 * time.Second

// Landing is a step that has just been applied (or undone) and read back.
type Landing struct {
	Step int
	Undo bool
	// ReadBack is when the step's read-back ended: evidence gathered
	// before it does not show the step's result.
	ReadBack time.Time
	// InPlace reports whether the switches still hold the step (nil while
	// they do; it is never nil itself). For a step on trial it checks the
	// deadline and reads the switches again after a stop of the process;
	// a step they no longer hold gives a *RevertedError. Call it before
	// announcing anything the step put in place, and again after a check
	// whose evidence could predate a stop.
	InPlace func(ctx context.Context) error
}

// LandingHooks is an optional capability of Hooks: Landed is called after
// every step and every undo of a step has been read back, before
// AfterStep or AfterUndo.
type LandingHooks interface {
	Landed(ctx context.Context, p *plan.Plan, l Landing)
}

// AfterUndoHooks is an optional capability of Hooks: AfterUndo runs once
// the undo of step i has been read back, with the live state restored
// (the guard announces a system put back into Production and checks that
// it owns its addresses). Its error is reported with the undo.
type AfterUndoHooks interface {
	AfterUndo(ctx context.Context, p *plan.Plan, step int) error
}

// RevertedError says a step applied on trial is no longer on the
// switches (or counts as gone): its timer ran out, or was about to and
// the trial was cancelled, or the rollback undid it.
type RevertedError struct {
	Step     string
	Switches []string
	Reason   string
}

func (e *RevertedError) Error() string {
	return fmt.Sprintf("step %s is no longer on switch %s: %s", e.Step, strings.Join(e.Switches, ", "), e.Reason)
}

// Adopted is a trial another process left pending on a switch, which a
// recovery settles (Engine.Adopted).
type Adopted struct {
	Switch string
	Step   string
	// Trial is the trial as the switch showed it.
	Trial switchdrivers.PendingTrial
	// RevertsAt is when the switch reverts it by itself (wall clock).
	RevertsAt time.Time
	// Confirm: keep it once the hooks accept the resume; otherwise it is
	// cancelled when the undo reaches its step.
	Confirm bool
}

// trial is one switch's trial of a step.
type trial struct {
	sw       string
	changes  []switchdrivers.Change
	length   time.Duration // the trial's timeout
	deadline time.Time     // monotonic reading: the switch reverts it by then
	wallEnd  time.Time     // the same on the wall clock
	confirm  func(context.Context) error
	adopted  *switchdrivers.PendingTrial
}

// trialWatch follows a step's trials until they are settled.
type trialWatch struct {
	e      *Engine
	step   string
	trials []trial

	mu       sync.Mutex
	verified time.Time // when the switches last showed the step in place
	settled  bool      // confirmed (or nothing on trial): permanent
	gone     error     // reverted, cancelled or undone
}

func (e *Engine) margin(timeout time.Duration) time.Duration {
	m := e.TrialMargin
	if m <= 0 {
		m = DefaultTrialMargin
	}
	if timeout > 0 && m > timeout/2 {
		m = timeout / 2
	}
	return m
}

// watch returns the watch of a step's trials, read back at readBack.
func (e *Engine) watch(step string, trials []trial, readBack time.Time) *trialWatch {
	return &trialWatch{e: e, step: step, trials: trials, verified: readBack, settled: len(trials) == 0}
}

// InPlace implements Landing.InPlace.
func (w *trialWatch) InPlace(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.inPlace(ctx)
}

func (w *trialWatch) inPlace(ctx context.Context) error {
	switch {
	case w.gone != nil:
		return w.gone
	case w.settled:
		return nil
	}
	now := time.Now()
	for _, t := range w.trials {
		timeout := t.deadline.Sub(now)
		if wall := t.wallEnd.Sub(now.Round(0)); wall < timeout {
			timeout = wall // the wall clock ran ahead: a suspend
		}
		if timeout < w.e.margin(t.length) {
			reason := fmt.Sprintf("its trial on switch %s ends at %s, too soon to rely on it", t.sw, t.wallEnd.Format("15:04:05"))
			if timeout <= 0 {
				reason = fmt.Sprintf("its trial on switch %s ended at %s", t.sw, t.wallEnd.Format("15:04:05"))
			}
			return w.revert(ctx, reason)
		}
	}
	stop, stopped := w.e.pauses().Since(w.verified)
	if !stopped {
		return nil
	}
	// The process did not run for a while: whatever it saw before may
	// predate a revert. Read the switches again.
	var lost []string
	for _, t := range w.trials {
		ok, err := w.e.holds(ctx, t)
		if err != nil {
			return w.revert(ctx, fmt.Sprintf("the process was stopped for %s and switch %s could not be read again (%v)", stop.Length.Round(time.Millisecond), t.sw, err))
		}
		if !ok {
			lost = append(lost, t.sw)
		}
	}
	if len(lost) > 0 {
		return w.revert(ctx, fmt.Sprintf("the process was stopped for %s, and meanwhile switch %s reverted it (its trial ran out)", stop.Length.Round(time.Millisecond), strings.Join(lost, ", ")))
	}
	w.verified = time.Now()
	w.e.emit(Event{Step: w.step, Kind: "trial-verified", Duration: stop.Length})
	return nil
}

// revert makes the step count as reverted: every trial still pending is
// cancelled (or, where the switch cannot, waited out), so the state stops
// moving before anything is decided (w.mu held).
func (w *trialWatch) revert(ctx context.Context, reason string) error {
	var sws []string
	for _, t := range w.trials {
		sws = append(sws, t.sw)
		if err := w.e.cancel(ctx, w.step, t); err != nil {
			reason += "; " + err.Error()
		}
	}
	w.gone = &RevertedError{Step: w.step, Switches: sws, Reason: reason}
	return w.gone
}

// undone marks the step as taken off the switches by the rollback.
func (w *trialWatch) undone() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone == nil {
		w.gone = &RevertedError{Step: w.step, Reason: "undone by the rollback"}
	}
}

// confirm settles the step's trials by confirming them, in parallel,
// after checking that they are still in place.
func (w *trialWatch) confirm(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.settled || w.gone != nil {
		return w.gone
	}
	if err := w.inPlace(ctx); err != nil {
		return err
	}
	errs := make([]error, len(w.trials))
	var wg sync.WaitGroup
	for i, t := range w.trials {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = t.confirm(ctx); errs[i] != nil {
				errs[i] = wrap(t.sw, fmt.Errorf("step %s: confirming: %w", w.step, errs[i]))
			}
			if tr, ok := w.e.Recorder.(TrialRecorder); ok {
				if jerr := tr.Confirmed(w.step, t.sw, errs[i]); jerr != nil {
					w.e.emit(Event{Step: w.step, Switch: t.sw, Kind: "journal-failed", Err: wrap(t.sw, jerr)})
				}
			}
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	w.e.emit(Event{Step: w.step, Kind: "confirmed", Moves: len(w.trials), Err: err})
	if err == nil {
		w.settled = true
	}
	return err
}

// holds reads one switch again: is the trial's batch still there, and,
// where the switch can say, its trial still pending?
func (e *Engine) holds(ctx context.Context, t trial) (bool, error) {
	d := e.Drivers[t.sw]
	if tr, ok := d.(switchdrivers.TrialRecoverer); ok {
		p, err := tr.PendingTrial(ctx)
		if err != nil {
			return false, err
		}
		if p == nil || t.adopted != nil && t.adopted.ID != p.ID {
			return false, nil
		}
	}
	live, err := d.Ports(ctx)
	if err != nil {
		return false, err
	}
	return len(t.changes) == 0 || switchdrivers.CheckReadBack(t.sw, live, t.changes) == nil, nil
}

// cancel settles one trial by cancelling it: the switch goes back to its
// configuration from before the trial now, as its timer would. A trial
// the switch no longer holds was reverted by its timer: that counts as
// its undo. Where the switch cannot cancel (or fails to), the revert is
// waited for, until the deadline and some grace.
func (e *Engine) cancel(ctx context.Context, step string, t trial) error {
	d := e.Drivers[t.sw]
	tr, ok := d.(switchdrivers.TrialRecoverer)
	var err error
	if ok {
		var p *switchdrivers.PendingTrial
		if t.adopted != nil {
			p = t.adopted
		} else if p, err = tr.PendingTrial(ctx); err == nil && p == nil {
			err = switchdrivers.ErrNoPendingTrial
		}
		if err == nil {
			err = tr.CancelTrial(ctx, *p)
		}
		switch {
		case err == nil:
			e.recordCancel(step, t.sw, "cancelled")
			e.emit(Event{Step: step, Switch: t.sw, Kind: "trial-cancelled", Moves: len(t.changes)})
			return nil
		case errors.Is(err, switchdrivers.ErrNoPendingTrial):
			e.recordCancel(step, t.sw, "reverted by the switch")
			e.emit(Event{Step: step, Switch: t.sw, Kind: "trial-reverted", Moves: len(t.changes)})
			return nil
		}
	}
	wait := time.Until(t.wallEnd.Add(trialGrace))
	why := "the switch cannot cancel a trial from a new session"
	if err != nil {
		why = "cancelling it failed: " + err.Error()
	}
	e.emit(Event{Step: step, Switch: t.sw, Kind: "trial-wait", Duration: max(wait, 0), Err: errors.New(why)})
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return wrap(t.sw, fmt.Errorf("step %s: waiting for the switch to revert its trial: %w", step, context.Cause(ctx)))
		case <-timer.C:
		}
	}
	e.recordCancel(step, t.sw, "waited out until "+t.wallEnd.Add(trialGrace).Format("15:04:05"))
	return nil
}

// TrialCancelRecorder is an optional capability of a Recorder: it
// journals a trial settled without a confirmation (cancelled, found
// reverted by the switch, or waited out), so that it is no longer taken
// for pending.
type TrialCancelRecorder interface {
	TrialSettled(step, sw, how string) error
}

func (e *Engine) recordCancel(step, sw, how string) {
	if tr, ok := e.Recorder.(TrialCancelRecorder); ok {
		if err := tr.TrialSettled(step, sw, how); err != nil {
			e.emit(Event{Step: step, Switch: sw, Kind: "journal-failed", Err: wrap(sw, err)})
		}
	}
}

// Pauses tells whether the process was stopped since a time (package
// pause).
type Pauses interface {
	Since(t time.Time) (pause.Stop, bool)
}

// pauses is the engine's watch of the process (one started on first use
// when none was given).
func (e *Engine) pauses() Pauses {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	if e.Pauses == nil {
		w := pause.Start()
		e.Pauses, e.ownPauses = w, w
	}
	return e.Pauses
}

// Close stops what the engine started for itself (its pause watch).
func (e *Engine) Close() {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	if e.ownPauses != nil {
		e.ownPauses.Close()
		e.Pauses, e.ownPauses = nil, nil
	}
}

// adopted returns the adopted trials of step as trials.
func (e *Engine) adopted(step string, changesOf func(sw string) []switchdrivers.Change) []trial {
	var out []trial
	now := time.Now()
	for _, a := range e.Adopted {
		if a.Step != step || e.settledAdopted[a.Switch+"/"+a.Step] {
			continue
		}
		trialCopy := a.Trial
		left := time.Until(a.RevertsAt)
		out = append(out, trial{sw: a.Switch, changes: changesOf(a.Switch), length: left, deadline: now.Add(left), wallEnd: a.RevertsAt, confirm: func(ctx context.Context) error {
			tr, ok := e.Drivers[a.Switch].(switchdrivers.TrialRecoverer)
			if !ok {
				return errors.New("the driver cannot confirm a trial from a new session")
			}
			return tr.ConfirmTrial(ctx, trialCopy)
		}, adopted: &trialCopy})
	}
	return out
}

// cancelAdopted cancels the adopted trials of step (the undo is about to
// restore what they changed). It returns how many of the step's ports the
// settled trials covered: the switch restored them (or had, reverting by
// itself), which counts as their undo.
func (e *Engine) cancelAdopted(ctx context.Context, p *plan.Plan, i int) (int, error) {
	step := p.Steps[i]
	var errs []error
	n := 0
	for _, t := range e.adopted(step.Name, func(sw string) []switchdrivers.Change { return batchChanges(step, sw) }) {
		e.markAdopted(t.sw, step.Name)
		if err := e.cancel(ctx, step.Name, t); err != nil {
			errs = append(errs, err)
			continue
		}
		n += len(t.changes)
	}
	return n, errors.Join(errs...)
}

func (e *Engine) markAdopted(sw, step string) {
	if e.settledAdopted == nil {
		e.settledAdopted = map[string]bool{}
	}
	e.settledAdopted[sw+"/"+step] = true
}

// batchChanges are the moves of step on switch sw.
func batchChanges(step plan.Step, sw string) []switchdrivers.Change {
	for _, b := range step.Batches {
		if b.Switch == sw {
			return changes(b.Moves)
		}
	}
	return nil
}

// adoptedSteps lists the steps with adopted trials still to settle.
func (e *Engine) adoptedSteps(p *plan.Plan) []int {
	var out []int
	for i, s := range p.Steps {
		for _, a := range e.Adopted {
			if a.Step == s.Name && !e.settledAdopted[a.Switch+"/"+a.Step] && !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	return out
}

// keepAdopted confirms the adopted trials still unsettled when a run or
// a rollback ends: their steps stay as they are (a rollback stopped
// before undoing them, or a block said going back is unsafe), and a
// pending timer would let the switch undo them later, unchecked.
func (e *Engine) keepAdopted(ctx context.Context, p *plan.Plan) error {
	var errs []error
	for _, i := range e.adoptedSteps(p) {
		step := p.Steps[i]
		w := e.watch(step.Name, e.adopted(step.Name, func(sw string) []switchdrivers.Change { return batchChanges(step, sw) }), time.Now())
		for _, t := range w.trials {
			e.markAdopted(t.sw, step.Name)
		}
		// No deadline check: keeping the step is the guard's decision; a
		// trial that ran out meanwhile fails here and is reported.
		w.settled = false
		errs = append(errs, w.confirmNow(ctx))
	}
	return errors.Join(errs...)
}

// confirmNow confirms the trials without the in-place check.
func (w *trialWatch) confirmNow(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	errs := make([]error, len(w.trials))
	for i, t := range w.trials {
		if errs[i] = t.confirm(ctx); errs[i] != nil {
			errs[i] = wrap(t.sw, fmt.Errorf("step %s: keeping it (confirming its trial): %w", w.step, errs[i]))
		}
		if tr, ok := w.e.Recorder.(TrialRecorder); ok {
			tr.Confirmed(w.step, t.sw, errs[i])
		}
	}
	err := errors.Join(errs...)
	w.e.emit(Event{Step: w.step, Kind: "confirmed", Moves: len(w.trials), Err: err})
	return err
}
