package runs

// Recovery: what happens to the run a dead process left unfinished
// (Recover), and to the last run when it is rolled back on request
// (rollbackLast). One unit, one order:
//
//  1. read the journal and take the lock over;
//  2. read, on every switch the journal shows with a trial never
//     confirmed, the trial the switch still holds (readTrials), and deal
//     first with those the recovery cannot take over: a switch that
//     cannot tell or settle its trial from a new session is waited for
//     until it reverts by itself — the only wait left, and it says so —
//     and a trial about to revert anyway is cancelled now (settleEarly);
//  3. read the switches and journal what they hold;
//  4. decide, per trial still pending, whether it is confirmed or
//     cancelled (adopt: why, per mode and step, is said there), and roll
//     back or resume from the live state, the engine settling each trial
//     at the point the decision needs (engine.Adopted): the state stops
//     moving at once instead of after the switch's timer, so the outage
//     after a crash is the recovery's own time, not the timer's.
//
// A trial the switch already reverted counts as that step's undo.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
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
// waits for a switch it cannot ask: a switch takes a moment to roll its
// configuration back.
const trialGrace = 15 * time.Second

// Recover recovers the unfinished run a dead process left in the journal,
// in the background, as a run of its own (observe, halt and wait for it
// like any run; its events and records continue the dead run's journal).
// It never guesses: the unfinished run must be this prepared plan, and
// every port must be where one of the plan's steps puts it; otherwise it
// stops and explains, with nothing changed. Trials the dead process never
// confirmed are taken over: confirmed or cancelled as the mode and the
// live state decide, waited for only on a switch that cannot settle them
// from a new session. If the journal's last run had in fact ended, the
// stale lock is cleared and nothing else is done (done).
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
	// The same basis and moves: the commands may differ (another
	// --confirm-timeout renders another trial timer), as the recovery
	// works from the journal's trials and the switches' live state.
	if last.Plan.Hash != p.Plan.Hash && !last.Plan.SameCompilation(p.Plan) {
		return failed(fmt.Errorf("the unfinished run %s used plan %s (%s), this command compiles plan %s: recover it with the inventory and command that started it", last.Path, last.Plan.Hash, last.Plan.Kind, p.Plan.Hash))
	}
	if mode == RecoverResume {
		r.note(fmt.Sprintf("recovering the unfinished run %s (process %d is gone): resuming", last.Path, last.PID))
		return r.resume(last)
	}
	r.note(fmt.Sprintf("recovering the unfinished run %s (process %d is gone): rolling back", last.Path, last.PID))
	return r.rollback(last, fmt.Sprintf("lock of process %d taken over; recovery: rollback", last.PID))
}

// rollbackLast is a KindRollback run: the journal's last run, finished or
// not, rolled back, its unconfirmed trials taken over as a recovery's.
// tookOver is the dead process whose lock the rollback took, if any.
func (r *Run) rollbackLast(last *journal.Run, tookOver *journal.StaleLockError) *Result {
	why := fmt.Sprintf("cutover rollback by process %d", os.Getpid())
	if tookOver != nil {
		why += fmt.Sprintf(", taking over the lock of process %d, which is gone", tookOver.PID)
	}
	return r.rollback(last, why)
}

// WaitForTrials waits until every trial the journal shows unconfirmed is
// past its revert time (and 15 s of grace), telling note what it waits
// for. A recovery waits so only for switches that cannot tell or settle a
// trial from a new session (switchdrivers.TrialRecoverer): reading them
// earlier, it could act on a state the switch is about to roll back by
// itself, and a revert arriving after the recovery's own changes would
// undo them. Ending ctx stops the wait with nothing changed.
func WaitForTrials(ctx context.Context, run *journal.Run, note func(string)) error {
	return waitForTrials(ctx, run.PendingTrials(), note)
}

func waitForTrials(ctx context.Context, trials []journal.PendingTrial, note func(string)) error {
	var until time.Time
	for _, t := range trials {
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

// heldTrial is a trial the journal shows unconfirmed, and what its switch
// says of it now.
type heldTrial struct {
	journal.PendingTrial
	// Held is the trial the switch still holds; nil when it holds none
	// (reverted by its timer, or confirmed before the process died).
	Held *switchdrivers.PendingTrial
	// Err: the switch cannot say (no TrialRecoverer, or the read failed).
	Err error
}

// readTrials reads, in parallel, what each switch the journal shows with
// an unconfirmed trial holds. Of several unconfirmed trials on a switch
// only the latest can still be pending (a trial never starts while
// another is), so only it is kept.
func (r *Run) readTrials(last *journal.Run) []heldTrial {
	latest := map[string]journal.PendingTrial{}
	for _, t := range last.PendingTrials() {
		latest[t.Switch] = t
	}
	out := make([]heldTrial, 0, len(latest))
	for _, sw := range slices.Sorted(maps.Keys(latest)) {
		out = append(out, heldTrial{PendingTrial: latest[sw]})
	}
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := &out[i]
			tr, ok := r.prep.Drivers[t.Switch].(switchdrivers.TrialRecoverer)
			if !ok {
				t.Err = errors.New("its driver cannot tell a pending trial from a new session")
				return
			}
			t.Held, t.Err = tr.PendingTrial(r.ctx)
		}()
	}
	wg.Wait()
	return out
}

// settleEarly deals with the trials the engine cannot be left to settle.
// A switch that cannot say what it holds is waited for until its trial's
// revert time (and grace): the only case a recovery still waits. A trial
// closer to its revert than engine.DefaultTrialMargin is cancelled now:
// the switch is about to revert it anyway, and cancelling stops the state
// from moving while the recovery reads and acts. It returns the trials
// the switches still hold, for adopt.
func (r *Run) settleEarly(last *journal.Run, trials []heldTrial, w *journal.Writer) ([]heldTrial, error) {
	var wait []journal.PendingTrial
	var held []heldTrial
	for _, t := range trials {
		switch {
		case t.Err != nil:
			r.note(fmt.Sprintf("switch %s: the trial of step %s cannot be taken over (%v): waiting for the switch to revert it", t.Switch, t.Step, t.Err))
			wait = append(wait, t.PendingTrial)
		case t.Held == nil:
			r.note(fmt.Sprintf("switch %s: no trial pending any more (the trial of step %s was reverted by the switch or confirmed before the process died; its ports say which)", t.Switch, t.Step))
		case time.Until(t.RevertsAt) < engine.DefaultTrialMargin:
			tr := r.prep.Drivers[t.Switch].(switchdrivers.TrialRecoverer)
			err := tr.CancelTrial(r.ctx, *t.Held)
			switch {
			case err == nil:
				r.note(fmt.Sprintf("switch %s: the trial of step %s (%s) reverts at %s, too soon to rely on: cancelled now, the switch restored what it changed", t.Switch, t.Step, t.Held, t.RevertsAt.Format("15:04:05")))
				w.TrialSettled(t.Step, t.Switch, "cancelled: too close to its revert")
			case errors.Is(err, switchdrivers.ErrNoPendingTrial):
				r.note(fmt.Sprintf("switch %s: the trial of step %s reverted by itself meanwhile", t.Switch, t.Step))
			default:
				r.note(fmt.Sprintf("switch %s: the trial of step %s could not be cancelled (%v): waiting for the switch to revert it", t.Switch, t.Step, err))
				wait = append(wait, t.PendingTrial)
			}
		default:
			held = append(held, t)
		}
	}
	if err := waitForTrials(r.ctx, wait, r.note); err != nil {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "recovery stopped while waiting for switch trials to revert; nothing was changed"})
		return nil, err
	}
	return held, nil
}

// reverted tells, for every trial the journal shows unconfirmed but the
// switch no longer holds, what the live state says became of it: back
// where the step found its ports (the switch's own revert, which counts
// as the step's undo) or still where the step put them (confirmed before
// the process died). The journal keeps the conclusion.
func (r *Run) reverted(p *plan.Plan, trials []heldTrial, live map[string]map[string]string, w *journal.Writer) {
	for _, t := range trials {
		if t.Err != nil || t.Held != nil {
			continue
		}
		i := slices.IndexFunc(p.Steps, func(s plan.Step) bool { return s.Name == t.Step })
		if i < 0 {
			continue
		}
		back, kept := 0, 0
		for _, b := range p.Steps[i].Batches {
			if b.Switch != t.Switch {
				continue
			}
			for _, m := range b.Moves {
				switch live[b.Switch][m.Port] {
				case m.From:
					back++
				case m.To:
					kept++
				}
			}
		}
		switch {
		case kept == 0:
			r.note(fmt.Sprintf("switch %s reverted step %s by itself (%d ports back): that counts as the step's undo", t.Switch, t.Step, back))
			w.TrialSettled(t.Step, t.Switch, "reverted by the switch")
		case back == 0:
			r.note(fmt.Sprintf("switch %s holds step %s without a pending trial: it was confirmed before the process died", t.Switch, t.Step))
			w.TrialSettled(t.Step, t.Switch, "confirmed before the process died")
		}
	}
}

// adopt decides what the recovery does with each trial the switches
// still hold (engine.Adopted; the engine refuses a decision the live
// state contradicts):
//
//   - rollback: cancel. A cancel restores on the switch exactly what the
//     trial replaced, in one operation — what the rollback wants for that
//     step — and stops the timer from reverting anything the rollback
//     does later. The engine sends it when its undo reaches the step,
//     after the guard's check for that step (cancelling an isolate trial
//     brings the outgoing system back into Production, so nobody else may
//     answer there first), then undoes the rest from the live state.
//   - resume, the trial's step complete on the switches (before from):
//     confirm. The step is done and it is the one the run goes on from;
//     it is confirmed once the guard has rebuilt its evidence of who
//     answers where the step put both systems (the check the dead process
//     passed before it would have confirmed), and only while the trial's
//     deadline is far enough (engine.TrialMargin; otherwise, or if the
//     process was stopped meanwhile and the switch no longer holds it,
//     the step counts as reverted and the run rolls back).
//   - resume, the step not complete (from or later): cancel. The resume
//     restarts that step from a clean boundary; the cancel gets there in
//     one operation (the engine sends it when it undoes the half-done
//     step, after the guard's check, or at once where nothing of the
//     step is on the switches).
func adopt(mode RecoverMode, p *plan.Plan, trials []heldTrial, from int) []engine.Adopted {
	var out []engine.Adopted
	for _, t := range trials {
		i := slices.IndexFunc(p.Steps, func(s plan.Step) bool { return s.Name == t.Step })
		out = append(out, engine.Adopted{Switch: t.Switch, Step: t.Step, Trial: *t.Held, RevertsAt: t.RevertsAt,
			Confirm: mode == RecoverResume && i >= 0 && i < from})
	}
	return out
}

// noteAdopted says what will become of each trial taken over.
func (r *Run) noteAdopted(adopted []engine.Adopted) {
	for _, a := range adopted {
		what := "cancelled when the rollback undoes that step (the switch restores what it changed)"
		if a.Confirm {
			what = "the switches show the step complete: confirmed once the guard has verified who answers where"
		}
		r.note(fmt.Sprintf("switch %s: the trial of step %s is still pending (%s, the switch reverts it at %s): taken over, %s", a.Switch, a.Step, a.Trial, a.RevertsAt.Format("15:04:05"), what))
	}
}

// liveSegments reads every switch, in parallel: live[switch][port] =
// segment.
func liveSegments(ctx context.Context, drivers map[string]switchdrivers.Driver) (map[string]map[string]string, error) {
	names := slices.Sorted(maps.Keys(drivers))
	ports := make([][]switchdrivers.PortState, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, sw := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ports[i], errs[i] = drivers[sw].Ports(ctx); errs[i] != nil {
				errs[i] = fmt.Errorf("reading switch %s for the recovery: %w", sw, errs[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	live := map[string]map[string]string{}
	for i, sw := range names {
		live[sw] = map[string]string{}
		for _, port := range ports[i] {
			live[sw][port.Name] = port.Segment
		}
	}
	return live, nil
}

// journalLive journals the live segments of the plan's ports.
func journalLive(w *journal.Writer, p *plan.Plan, live map[string]map[string]string) {
	of := map[string]map[string]string{}
	for _, s := range p.Steps {
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				if of[b.Switch] == nil {
					of[b.Switch] = map[string]string{}
				}
				of[b.Switch][m.Port] = live[b.Switch][m.Port]
			}
		}
	}
	for _, sw := range slices.Sorted(maps.Keys(of)) {
		w.LiveState(sw, of[sw])
	}
}

// takeOver is steps 2 and 3: the trials settled early, the switches read
// (and journaled), the trials they still hold returned for adopt.
func (r *Run) takeOver(last *journal.Run, w *journal.Writer) ([]heldTrial, map[string]map[string]string, error) {
	trials := r.readTrials(last)
	held, err := r.settleEarly(last, trials, w)
	if err != nil {
		return nil, nil, err
	}
	live, err := liveSegments(r.ctx, r.prep.Drivers)
	if err != nil {
		return nil, nil, err
	}
	journalLive(w, last.Plan, live)
	r.reverted(last.Plan, trials, live, w)
	return held, live, nil
}

// recall gives the guard the owners the dead process's guard verified.
func recall(session *guard.Session, last *journal.Run) {
	if session == nil {
		return
	}
	out, in := last.Evidence()
	session.Guard.Recall(parseOwners(out), parseOwners(in))
}

func parseOwners(m map[string][]string) map[netip.Addr][]arpframe.MAC {
	if len(m) == 0 {
		return nil
	}
	out := map[netip.Addr][]arpframe.MAC{}
	for a, macs := range m {
		addr, err := netip.ParseAddr(a)
		if err != nil {
			continue
		}
		for _, s := range macs {
			if mac, err := arpframe.ParseMAC(s); err == nil {
				out[addr] = append(out[addr], mac)
			}
		}
	}
	return out
}

// resume finishes the run from the first step the switches do not show
// complete, under the guard, journaling in the same run.
func (r *Run) resume(last *journal.Run) *Result {
	w, err := journal.Append(last.Path)
	if err != nil {
		return failed(err)
	}
	defer r.closeJournal()
	r.openJournal(w)
	if err := w.Write(journal.Record{Kind: journal.KindNote, PID: os.Getpid(), Detail: fmt.Sprintf("lock of process %d taken over; recovery: resume", last.PID)}); err != nil {
		return failed(err)
	}
	held, live, err := r.takeOver(last, w)
	if err != nil {
		return failed(err)
	}
	from, err := engine.Reached(last.Plan, live)
	if err != nil {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "resume stopped, nothing changed: " + err.Error()})
		return failed(fmt.Errorf("the run %s cannot be resumed: %w; nothing was changed; `cutover rollback` or put the port right by hand (`cutover status` shows where each was)", last.Path, err))
	}
	at := "the end: every step is on the switches"
	if from < len(last.Plan.Steps) {
		at = "step " + last.Plan.Steps[from].Name
	}
	r.note("the switches show the run stopped before " + at)
	if err := w.Write(journal.Record{Kind: journal.KindNote, Detail: "recovery: resume before " + at}); err != nil {
		return failed(err)
	}
	if err := r.writeNotes(w); err != nil {
		return failed(err)
	}
	adopted := adopt(RecoverResume, last.Plan, held, from)
	r.noteAdopted(adopted)
	eng := r.engine(w, r.prep.opts.ConfirmTimeout)
	eng.Adopted = adopted
	var session *guard.Session
	if from < len(last.Plan.Steps) {
		if session, err = r.startGuard(w); err != nil {
			w.Write(journal.Record{Kind: journal.KindNote, Detail: "resume not started, the guard did not start: " + err.Error()})
			return failed(err)
		}
		defer r.closeGuard(session)
		recall(session, last)
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
// (guard.Guard.BeforeUndo), and the outgoing system is announced once it
// is back (guard.Guard.AfterUndo).
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
	held, live, err := r.takeOver(last, w)
	if err != nil {
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
	adopted := adopt(RecoverRollback, last.Plan, held, 0)
	r.noteAdopted(adopted)
	start := time.Now()
	eng := r.engine(w, 0)
	eng.Adopted = adopted
	session, err := r.startGuard(w)
	if err != nil {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "rollback not started, the guard did not start: " + err.Error()})
		return failed(err)
	}
	defer r.closeGuard(session)
	recall(session, last)
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
