package runs

// Recovery: what happens to the run a dead process left unfinished
// (Recover), and to the last run when it is rolled back on request
// (rollbackLast). One unit, one order: read the journal, take the lock
// over, wait out the trials the dead process never confirmed
// (WaitForTrials), read the switches, then roll back or resume.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/switchdrivers"
)

// RecoverMode is what to do with a run a dead process left unfinished.
type RecoverMode string

// Recovery modes.
const (
	// RecoverRollback puts every port of the run back where the run found it.
	RecoverRollback RecoverMode = "rollback"
	// RecoverResume finishes the run from the step the switches show, under the guard.
	RecoverResume RecoverMode = "resume"
)

// trialGrace is how long after a trial's revert time a recovery still
// waits: a switch takes a moment to roll its configuration back.
const trialGrace = 15 * time.Second

// Recover recovers the unfinished run a dead process left in the journal,
// in the background, as a run of its own (observe, halt and wait for it
// like any run; its events and records continue the dead run's journal).
// It never guesses: the unfinished run must be this prepared plan, and
// every port must be where one of the plan's steps puts it; otherwise it
// stops and explains, with nothing changed. Trials the dead process never
// confirmed are left to revert first. If the journal's last run had in
// fact ended, the stale lock is cleared and nothing else is done (done).
func (p *Prepared) Recover(ctx context.Context, mode RecoverMode) (*Run, error) {
	if mode != RecoverRollback && mode != RecoverResume {
		return nil, fmt.Errorf("runs: recover mode %q: want %s or %s", mode, RecoverRollback, RecoverResume)
	}
	if p.opts.Kind == KindRollback || p.opts.JournalDir == "" {
		return nil, errors.New("runs: recover with the journal, the inventory and the kind (apply or fallback) of the unfinished run")
	}
	r, err := p.newRun(ctx)
	if err != nil {
		return nil, err
	}
	go r.finish(func(r *Run) *Result { return r.recover(mode) })
	return r, nil
}

func (r *Run) recover(mode RecoverMode) *Result {
	p := r.prep
	dir := p.opts.JournalDir
	last, err := journal.Last(dir)
	if err != nil {
		return failed(fmt.Errorf("reading the journal: %w", err))
	}
	if err := p.acquire(true); err != nil {
		return failed(err)
	}
	if last == nil || last.Ended {
		// Died after its end record: nothing to recover, the lock was stale.
		r.note("the previous run ended; its stale lock is cleared, run again")
		return &Result{Class: ClassDone}
	}
	if last.Plan.Hash != p.Plan.Hash {
		return failed(fmt.Errorf("the unfinished run %s used plan %s (%s), this command compiles plan %s: recover it with the inventory and command that started it", last.Path, last.Plan.Hash, last.Plan.Kind, p.Plan.Hash))
	}
	if err := WaitForTrials(r.ctx, last, r.note); err != nil {
		return failed(err)
	}
	if mode == RecoverResume {
		r.note(fmt.Sprintf("recovering the unfinished run %s (process %d is gone): resuming", last.Path, last.PID))
		return r.resume(last)
	}
	r.note(fmt.Sprintf("recovering the unfinished run %s (process %d is gone): rolling back", last.Path, last.PID))
	return r.rollback(last, fmt.Sprintf("lock of process %d taken over; recovery: rollback", last.PID))
}

// rollbackLast is a KindRollback run: the journal's last run, finished or
// not, rolled back once the trials it left unconfirmed have reverted.
// tookOver is the dead process whose lock the rollback took, if any.
func (r *Run) rollbackLast(last *journal.Run, tookOver *journal.StaleLockError) *Result {
	if err := WaitForTrials(r.ctx, last, r.note); err != nil {
		return failed(err)
	}
	why := fmt.Sprintf("cutover rollback by process %d", os.Getpid())
	if tookOver != nil {
		why += fmt.Sprintf(", taking over the lock of process %d, which is gone", tookOver.PID)
	}
	return r.rollback(last, why)
}

// WaitForTrials waits until every trial the journal shows unconfirmed is
// past its revert time (and 15 s of grace), telling note what it waits for:
// reading the switches earlier, a recovery could act on a state the switch
// is about to roll back by itself, and a revert arriving after the
// recovery's own changes would undo them. Ending ctx stops the wait with
// nothing changed.
func WaitForTrials(ctx context.Context, run *journal.Run, note func(string)) error {
	var until time.Time
	for _, t := range run.PendingTrials() {
		note(fmt.Sprintf("switch %s: the trial of step %s was never confirmed; the switch reverts it by itself at %s", t.Switch, t.Step, t.RevertsAt.Format("15:04:05")))
		if t.RevertsAt.After(until) {
			until = t.RevertsAt
		}
	}
	wait := time.Until(until.Add(trialGrace))
	if until.IsZero() || wait <= 0 {
		return nil
	}
	note(fmt.Sprintf("waiting %s for the reverts before reading the switches (interrupt to stop: nothing has been changed)", wait.Round(time.Second)))
	select {
	case <-ctx.Done():
		return fmt.Errorf("recovery interrupted while waiting for switch trials to revert; nothing was changed: %w", context.Cause(ctx))
	case <-time.After(wait):
		return nil
	}
}

// liveSegments reads every switch: live[switch][port] = segment.
func liveSegments(ctx context.Context, drivers map[string]switchdrivers.Driver) (map[string]map[string]string, error) {
	live := map[string]map[string]string{}
	for _, sw := range slices.Sorted(maps.Keys(drivers)) {
		ports, err := drivers[sw].Ports(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading switch %s for the recovery: %w", sw, err)
		}
		live[sw] = map[string]string{}
		for _, port := range ports {
			live[sw][port.Name] = port.Segment
		}
	}
	return live, nil
}

// resume finishes the run from the first step the switches do not show
// complete, under the guard, journaling in the same run.
func (r *Run) resume(last *journal.Run) *Result {
	live, err := liveSegments(r.ctx, r.prep.Drivers)
	if err != nil {
		return failed(err)
	}
	from, err := engine.Reached(last.Plan, live)
	if err != nil {
		return failed(fmt.Errorf("the run %s cannot be resumed: %w; nothing was changed; `cutover rollback` or put the port right by hand (`cutover status` shows where each was)", last.Path, err))
	}
	w, err := journal.Append(last.Path)
	if err != nil {
		return failed(err)
	}
	defer r.closeJournal()
	at := "the end: every step is on the switches"
	if from < len(last.Plan.Steps) {
		at = "step " + last.Plan.Steps[from].Name
	}
	r.openJournal(w)
	r.note("the switches show the run stopped before " + at)
	if err := w.Write(journal.Record{Kind: journal.KindNote, PID: os.Getpid(), Detail: fmt.Sprintf("lock of process %d taken over; recovery: resume before %s", last.PID, at)}); err != nil {
		return failed(err)
	}
	if err := r.writeNotes(w); err != nil {
		return failed(err)
	}
	eng := r.engine(w, r.prep.opts.ConfirmTimeout)
	var session *guard.Session
	if from < len(last.Plan.Steps) {
		if session, err = r.startGuard(w); err != nil {
			w.Write(journal.Record{Kind: journal.KindNote, Detail: "resume not started, the guard did not start: " + err.Error()})
			return failed(err)
		}
		defer r.closeGuard(session)
	}
	eng.Hooks = r.hooks(session)
	started := time.Now()
	rep := eng.Resume(r.ctx, last.Plan, from)
	ended := time.Now()
	r.writeEnd(w, journal.Record{Result: rep.Result, Error: rep.Error})
	return reported(rep, session, started, ended)
}

// rollback puts every port of a journaled run back where the run found
// it, from the switches' live state, and journals it in the same run
// (why says who asked). A port in a segment the plan never gives it stops
// everything untouched. With the guard, nobody else may answer in
// Production before the outgoing system returns there
// (guard.Guard.BeforeUndo).
func (r *Run) rollback(last *journal.Run, why string) *Result {
	w, err := journal.Append(last.Path)
	if err != nil {
		return failed(err)
	}
	defer r.closeJournal()
	r.openJournal(w)
	if err := w.Write(journal.Record{Kind: journal.KindNote, PID: os.Getpid(), Detail: why}); err != nil {
		return failed(err)
	}
	if err := r.writeNotes(w); err != nil {
		return failed(err)
	}
	// The live state must be one the plan explains.
	allowed := map[string]map[string]bool{}
	for _, s := range last.Plan.Steps {
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				k := b.Switch + ":" + m.Port
				if allowed[k] == nil {
					allowed[k] = map[string]bool{}
				}
				allowed[k][m.From], allowed[k][m.To] = true, true
			}
		}
	}
	live, err := liveSegments(r.ctx, r.prep.Drivers)
	if err != nil {
		return failed(err)
	}
	var unknown []string
	for _, sw := range slices.Sorted(maps.Keys(live)) {
		for _, port := range slices.Sorted(maps.Keys(live[sw])) {
			if a := allowed[sw+":"+port]; a != nil && !a[live[sw][port]] {
				unknown = append(unknown, fmt.Sprintf("switch %s port %s is in segment %q, which the plan never gives it", sw, port, live[sw][port]))
			}
		}
	}
	if len(unknown) > 0 {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "rollback stopped, nothing changed: " + strings.Join(unknown, "; ")})
		return failed(fmt.Errorf("the run %s cannot be rolled back safely: %s; nothing was changed; put these ports right by hand (`cutover status` shows where each was)", last.Path, strings.Join(unknown, "; ")))
	}
	start := time.Now()
	eng := r.engine(w, 0)
	session, err := r.startGuard(w)
	if err != nil {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "rollback not started, the guard did not start: " + err.Error()})
		return failed(err)
	}
	defer r.closeGuard(session)
	eng.Hooks = r.hooks(session)
	started := time.Now()
	steps, rerr := eng.Restore(r.ctx, last.Plan)
	ended := time.Now()
	rep := &engine.Report{Plan: last.Plan.Hash, Result: engine.ResultRolledBack, Rollback: steps}
	if rerr != nil {
		rep.Result, rep.Err, rep.Error = engine.ResultFailed, rerr, rerr.Error()
	}
	r.markEnded()
	w.Write(journal.Record{Kind: journal.KindEnd, Result: rep.Result, Detail: fmt.Sprintf("rolled back in %s", time.Since(start).Round(time.Millisecond))})
	res := reported(rep, session, started, ended)
	if rerr != nil {
		res.Err = fmt.Errorf("rollback incomplete: %w", rerr)
	} else {
		res.Err = errors.New("the run was rolled back: every port of its plan is where the run found it")
	}
	return res
}
