package runs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/internal/pause"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
)

// Class is a run's outcome as the exit-code contract sees it.
type Class string

// Exit classes.
const (
	ClassDone       Class = "done"        // every step done (or nothing was left to do)
	ClassBlocked    Class = "blocked"     // a guard refused; nothing unsafe was done
	ClassRolledBack Class = "rolled_back" // failed or halted, and rolled back
	ClassError      Class = "error"       // anything else, a rollback that left ports behind included
)

// ClassOf maps an engine result (engine.Result*) to its exit class.
func ClassOf(result string) Class {
	switch result {
	case engine.ResultDone:
		return ClassDone
	case engine.ResultBlocked:
		return ClassBlocked
	case engine.ResultRolledBack:
		return ClassRolledBack
	}
	return ClassError
}

// Result is how a run ended.
type Result struct {
	Class Class `json:"class"`
	// Report is the engine's report; nil when the run ended before the
	// engine ran (the guard did not start, a recovery found nothing to do
	// or refused to act).
	Report *engine.Report `json:"report,omitempty"`
	Guard  []guard.Check  `json:"guard,omitempty"`
	// Halted is the reason given to Halt, when a halt ended the run.
	Halted  string `json:"halted,omitempty"`
	Journal string `json:"journal,omitempty"`
	// Started and Ended bracket the engine's work (zero if it never ran).
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
	// Outage is where the outage went, estimated from the run's own
	// marks (nil when the run did not reach the announcement after
	// promote, or ran without the guard).
	Outage *outage.Breakdown `json:"outage,omitempty"`
	Error  string            `json:"error,omitempty"`
	// Err says why the class is not done; after a rollback it says what
	// the rollback did.
	Err error `json:"-"`
}

// HaltError is the cause of a run stopped by Halt.
type HaltError struct{ Reason string }

func (e *HaltError) Error() string { return "halted: " + e.Reason }

// Run is a run in progress (or ended): observe it with Subscribe or
// Follow, stop it with Halt, get its result with Wait.
type Run struct {
	prep   *Prepared
	ctx    context.Context
	cancel context.CancelCauseFunc
	events *eventLog
	done   chan struct{}
	result *Result
	// callerNS is the network namespace Start was called in, when it is
	// not the process's: the guard opens its sockets there.
	callerNS *netns.Namespace
	// timeline collects the moments the engine and the guard mark.
	timeline *outage.Timeline
	// pauses notices stops of the process while the run lasts (its
	// trials are re-read after one).
	pauses *pause.Watch

	mu     sync.Mutex
	w      *journal.Writer // open journal, nil once closed
	path   string
	halted string
	ended  bool // the end is being journaled: no more halts
}

func (p *Prepared) newRun(ctx context.Context) (*Run, error) {
	if p.run != nil {
		return nil, errors.New("runs: this prepared run was already started")
	}
	if p.Drivers == nil {
		return nil, errors.New("runs: the prepared run is closed")
	}
	r := &Run{prep: p, done: make(chan struct{}), timeline: &outage.Timeline{}}
	if p.setup != nil && p.setup.InNamespace == nil {
		// The guard listens where its caller is, although it starts on
		// another goroutine: a caller inside netns.Do hands its namespace on.
		var err error
		if r.callerNS, err = netns.Caller(); err != nil {
			return nil, fmt.Errorf("guard: %w", err)
		}
	}
	r.events = newEventLog(p.opts.EventBuffer)
	r.pauses = pause.Start()
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	p.run = r
	return r, nil
}

// Start takes the lock (unless Lock took it) and starts the run in the
// background; the run ends when its plan is done, blocked, rolled back,
// halted or ctx ends. An error means nothing was started: a lock held by
// another process (journal.ErrLocked), or one a dead process left
// (*journal.StaleLockError: Recover its run first).
func (p *Prepared) Start(ctx context.Context) (*Run, error) {
	if err := p.acquire(false); err != nil {
		return nil, err
	}
	var body func(*Run) *Result
	switch p.opts.Kind {
	case KindRollback:
		if !p.lastLocked {
			if _, err := p.LastRun(); err != nil {
				return nil, err
			}
		}
		last, tookOver := p.last, p.tookOver
		body = func(r *Run) *Result { return r.rollbackLast(last, tookOver) }
	default:
		body = (*Run).apply
	}
	r, err := p.newRun(ctx)
	if err != nil {
		return nil, err
	}
	go r.finish(body)
	return r, nil
}

// Plan is the plan the run executes.
func (r *Run) Plan() *plan.Plan { return r.prep.Plan }

// Timeline is the moments the run's engine and guard marked (package
// outage): a rehearsal breaks its measured outage down with it.
func (r *Run) Timeline() *outage.Timeline { return r.timeline }

// Journal is the run's journal file, once it is open ("" before, and for
// runs without a journal).
func (r *Run) Journal() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.path
}

// Done is closed when the run has ended.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait waits for the run to end and returns its result.
func (r *Run) Wait() *Result {
	<-r.done
	return r.result
}

// Halt stops the run at once: a step in progress and the steps before it
// are undone as after any failure (unless a guard says going back is
// unsafe), and the result names the reason. The halt is journaled. Only
// the first halt counts; a halt after the run's end does nothing.
func (r *Run) Halt(reason string) {
	if reason == "" {
		reason = "no reason given"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended || r.halted != "" {
		return
	}
	r.halted = reason
	r.events.publish(Event{Kind: EventHalt, Text: reason})
	if r.w != nil {
		r.w.Write(journal.Record{Kind: journal.KindNote, Detail: "halt requested: " + reason})
	}
	r.cancel(&HaltError{Reason: reason})
}

// finish runs body, frees the lock and publishes the result.
func (r *Run) finish(body func(*Run) *Result) {
	res := body(r)
	r.markEnded()
	var halt *HaltError
	if res.Class != ClassDone && errors.As(context.Cause(r.ctx), &halt) {
		res.Halted = halt.Reason
	}
	r.cancel(nil)
	r.pauses.Close()
	if r.callerNS != nil {
		r.callerNS.Close()
	}
	r.prep.release()
	res.Journal = r.Journal()
	if res.Err != nil {
		res.Error = res.Err.Error()
	}
	r.result = res
	r.events.publish(Event{Kind: EventEnd, Result: res})
	r.events.close()
	close(r.done)
}

// failed is the result of a run that stopped on err before (or instead of)
// the engine's work.
func failed(err error) *Result { return &Result{Class: ClassError, Err: err} }

func (r *Run) note(text string) { r.events.publish(Event{Kind: EventNote, Text: text}) }

// openJournal makes w the run's journal (a halt asked for before is
// journaled now).
func (r *Run) openJournal(w *journal.Writer) {
	r.mu.Lock()
	r.w, r.path = w, w.Path()
	if r.halted != "" {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "halt requested: " + r.halted})
	}
	r.mu.Unlock()
	r.events.publish(Event{Kind: EventJournal, Text: w.Path()})
}

// writeNotes journals the notes the run was prepared with.
func (r *Run) writeNotes(w *journal.Writer) error {
	for _, n := range r.prep.opts.Notes {
		if err := w.Write(journal.Record{Kind: journal.KindNote, Detail: n}); err != nil {
			return err
		}
	}
	return nil
}

// markEnded stops halts from being journaled: the end is about to be.
func (r *Run) markEnded() {
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
}

// closeJournal closes the run's journal; a late Halt no longer writes to it.
func (r *Run) closeJournal() {
	r.mu.Lock()
	w := r.w
	r.w = nil
	r.mu.Unlock()
	if w != nil {
		w.Close()
	}
}

// writeEnd journals the run's end; a journal that cannot record it is
// said loudly (the run itself is over).
func (r *Run) writeEnd(w *journal.Writer, rec journal.Record) {
	r.markEnded()
	rec.Kind = journal.KindEnd
	if err := w.Write(rec); err != nil {
		r.note(fmt.Sprintf("WARNING: the journal could not record the end of the run: %v", err))
	}
}

// engine returns an engine for the run's drivers, journaling to w (nil: not
// journaled) and publishing its events.
func (r *Run) engine(w *journal.Writer, confirmTimeout time.Duration) *engine.Engine {
	eng := &engine.Engine{Drivers: r.prep.Drivers, ConfirmTimeout: confirmTimeout, RequireTrials: r.prep.opts.RequireTrials, Pauses: r.pauses, Timeline: r.timeline,
		Progress: func(ev engine.Event) { r.events.publish(fromEngine(ev)) }}
	if w != nil {
		eng.Recorder = w
	}
	return eng
}

// startGuard starts the guard for the run (journaled by w unless nil);
// without a guard it says so and returns nil. Its watcher halts the run.
func (r *Run) startGuard(w *journal.Writer) (*guard.Session, error) {
	p := r.prep
	if p.setup == nil {
		r.events.publish(Event{Kind: EventGuardOff})
		return nil, nil
	}
	cfg := guard.ConfigFrom(p.Inventory)
	cfg.Locate, cfg.Halt, cfg.NoAnnounce = guard.LocateWith(p.Drivers), r.cancel, p.opts.Lab.NoAnnounce
	cfg.Timeline = r.timeline
	cfg.Progress = func(s string) { r.events.publish(Event{Kind: EventGuard, Text: s}) }
	cfg.Record = func(c guard.Check) {
		if w != nil {
			status := "passed"
			if v := c.Verdict(); v != guard.StatusOK {
				status = strings.ToUpper(v)
			}
			w.Write(journal.Record{Kind: journal.KindGuard, Step: c.Step, Detail: fmt.Sprintf("%s in VLAN %d: %s: %s", c.Name, c.VLAN, status, c.Detail)})
		}
		r.events.publish(Event{Kind: EventCheck, Step: c.Step, Check: &c})
	}
	if w != nil {
		cfg.Evidence = func(out, in map[netip.Addr][]arpframe.MAC) {
			w.Write(journal.Record{Kind: journal.KindEvidence, Outgoing: macStrings(out), Incoming: macStrings(in)})
		}
	}
	setup := *p.setup
	if r.callerNS != nil {
		setup.InNamespace = r.callerNS.Do
	}
	return guard.Start(r.ctx, setup, cfg)
}

// closeGuard stops the run's guard, unless a lab keeps it up until
// Prepared.Close. The announcements still due are sent first: a run that
// ends right after a restore must not cut them short.
func (r *Run) closeGuard(session *guard.Session) {
	switch {
	case session == nil:
	case r.prep.opts.Lab.KeepGuard:
		r.prep.kept = session
	default:
		if session.Guard.Announcing() {
			r.events.publish(Event{Kind: EventGuard, Text: "guard: sending the announcements still due before closing"})
			ctx, cancel := context.WithTimeout(context.Background(), announceDrain)
			session.Guard.WaitAnnouncements(ctx)
			cancel()
		}
		session.Close()
	}
}

// announceDrain bounds the wait for the announcements still due (by
// default one more round, 2 s after the last).
const announceDrain = 10 * time.Second

// macStrings is owners as the journal keeps them.
func macStrings(owners map[netip.Addr][]arpframe.MAC) map[string][]string {
	if owners == nil {
		return nil
	}
	out := map[string][]string{}
	for a, macs := range owners {
		for _, m := range macs {
			out[a.String()] = append(out[a.String()], m.String())
		}
	}
	return out
}

// hooks are the engine's hooks: the guard's, wrapped by a lab's.
func (r *Run) hooks(session *guard.Session) engine.Hooks {
	var h engine.Hooks
	if session != nil {
		h = session.Guard
	}
	if wrap := r.prep.opts.Lab.Hooks; wrap != nil {
		h = wrap(h, session)
	}
	return h
}

// reported is the result of an engine run.
func reported(rep *engine.Report, session *guard.Session, started, ended time.Time) *Result {
	res := &Result{Class: ClassOf(rep.Result), Report: rep, Started: started, Ended: ended}
	if res.Class != ClassDone {
		res.Err = rep.Err
		if res.Err == nil {
			res.Err = fmt.Errorf("the run ended %s", rep.Result)
		}
	}
	if session != nil {
		res.Guard = session.Guard.Checks()
	}
	return res
}

// apply runs the prepared plan from its first step, under the guard,
// journaled in a new run.
func (r *Run) apply() *Result {
	p := r.prep
	var w *journal.Writer
	if dir := p.opts.JournalDir; dir != "" {
		var err error
		if w, err = journal.Create(dir, p.Plan); err != nil {
			return failed(err)
		}
		defer r.closeJournal()
		r.openJournal(w)
		if err := r.writeNotes(w); err != nil {
			return failed(err)
		}
	}
	eng := r.engine(w, p.opts.ConfirmTimeout)
	session, err := r.startGuard(w)
	if err != nil {
		if w != nil {
			w.Write(journal.Record{Kind: journal.KindEnd, Result: engine.ResultFailed, Error: "the guard did not start: " + err.Error()})
		}
		return failed(err)
	}
	defer r.closeGuard(session)
	eng.Hooks = r.hooks(session)
	started := time.Now()
	rep := eng.Run(r.ctx, p.Plan)
	ended := time.Now()
	if w != nil {
		r.writeEnd(w, journal.Record{Result: rep.Result, Error: rep.Error})
	}
	res := reported(rep, session, started, ended)
	res.Outage = r.timeline.Breakdown(plan.StepIsolate, plan.StepPromote, time.Time{}, 0)
	return res
}
