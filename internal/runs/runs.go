// Package runs is the one place a cut-over run is orchestrated, for the
// CLI and the daemon alike: it prepares a run from an inventory (the
// compiled plan and its hash, before any switch is contacted), takes the
// journal's lock, starts the run under the guard and the journal, lets any
// number of observers follow its events without ever slowing it, halts it
// with a reason, maps its outcome to an exit class, recovers the
// unfinished run a dead process left (roll back or resume), rolls back the
// last run and reads the journal's status. It asks nothing and prints
// nothing: prompts and output belong to its callers.
//
// A run's life:
//
//	prep, err := runs.Prepare(path, runs.Options{Kind: runs.KindApply, Registry: reg, JournalDir: dir})
//	defer prep.Close()
//	// prep.Plan.Hash is what an approver approves.
//	r, err := prep.Start(ctx) // a *journal.StaleLockError: Recover the dead process's run first
//	sub := r.Subscribe(0)      // as many as wanted; none of them can slow the run
//	r.Halt("operator: stop")   // rolls back what was done; Result.Halted says why
//	res := r.Wait()            // Class: done, blocked, rolled_back or error
package runs

import (
	"errors"
	"fmt"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// Kind is what a run does.
type Kind string

// Kinds of runs.
const (
	KindApply    Kind = "apply"    // the cut-over: isolate old, promote new, park old
	KindFallback Kind = "fallback" // the reverse swap after a cut-over
	KindRollback Kind = "rollback" // undo the last run in the journal, finished or not
)

// KindOf is the kind of run that executes p (apply for a cut-over plan,
// fallback for a fallback plan): the kind to prepare to recover p's run.
func KindOf(p *plan.Plan) Kind {
	if p.Kind == plan.KindFallback {
		return KindFallback
	}
	return KindApply
}

// Options configure a run.
type Options struct {
	Kind Kind
	// Registry resolves the inventory's drivers (required).
	Registry *switchdrivers.Registry
	// NoGuard runs without the duplicate-address guard.
	NoGuard bool
	// ConfirmTimeout applies steps on trial where the switches can
	// (engine.Engine.ConfirmTimeout); 0 is off. The plan's commands are
	// rendered in the form it implies.
	ConfirmTimeout time.Duration
	// RequireTrials refuses, untouched, a batch on a switch that cannot
	// take a trial (engine.Engine.RequireTrials); without it such a batch
	// goes without a trial, reported and journaled.
	RequireTrials bool
	// JournalDir holds the runs' journals and the lock. Empty: the run is
	// neither journaled nor locked, which only a lab rehearsal may do.
	JournalDir string
	// Notes are journaled at the start of the run, after the records that
	// open it (who asked for it, who approved it, why).
	Notes []string
	// EventBuffer is how many of a run's latest events are kept for
	// subscribers (default DefaultEventBuffer); one that falls further
	// behind is cut off.
	EventBuffer int
	// Lab adapts a run to a lab rehearsal; zero for real runs.
	Lab Lab
}

// Lab adapts a run to a lab rehearsal.
type Lab struct {
	// GuardNamespace runs fn where the guard's interfaces are (the lab's
	// probe host), instead of the inventory's guard.netns.
	GuardNamespace func(fn func() error) error
	// NoAnnounce turns the guard's gratuitous-ARP announcements off.
	NoAnnounce bool
	// Hooks wraps the engine's hooks (the guard's, or nil without one) to
	// stage faults between steps; session is nil without the guard.
	Hooks func(inner engine.Hooks, session *guard.Session) engine.Hooks
	// KeepGuard leaves the guard up after the run, until Prepared.Close,
	// so that its announcements go on while a rehearsal measures how the
	// service comes back.
	KeepGuard bool
}

// Prepared is a run ready to start: inventory loaded, plan compiled with
// every batch's commands rendered, drivers open (without I/O). Nothing has
// contacted a switch yet. Close it when done.
type Prepared struct {
	Inventory *plan.Inventory
	// Plan is the plan the run executes; its hash is what the run
	// journals. For KindRollback it is nil until LastRun has read it.
	Plan    *plan.Plan
	Drivers map[string]switchdrivers.Driver

	opts  Options
	setup *guard.Setup // nil: no guard
	// For KindRollback: the inventory's own plans, and the journaled run
	// to undo (read under the lock when lastLocked).
	cut, fallback *plan.Plan
	last          *journal.Run
	lastLocked    bool

	lock     *journal.Lock
	tookOver *journal.StaleLockError // the dead holder whose lock a rollback took over
	run      *Run
	kept     *guard.Session // Lab.KeepGuard: the run's guard, closed by Close
}

// Prepare loads the inventory at path and prepares a run of it.
func Prepare(path string, opts Options) (*Prepared, error) {
	if opts.Registry == nil {
		return nil, errors.New("runs: no driver registry")
	}
	inv, err := plan.Load(path, plan.LoadOptions{Catalog: opts.Registry})
	if err != nil {
		return nil, err
	}
	return PrepareInventory(inv, opts)
}

// PrepareInventory prepares a run of a loaded inventory: it compiles the
// plan, opens the drivers and renders every batch's commands, and reads
// the guard's setup from the inventory. No switch is contacted.
func PrepareInventory(inv *plan.Inventory, opts Options) (*Prepared, error) {
	if opts.Registry == nil {
		return nil, errors.New("runs: no driver registry")
	}
	p := &Prepared{Inventory: inv, opts: opts}
	var err error
	switch opts.Kind {
	case KindApply, KindFallback:
		compile := plan.Compile
		if opts.Kind == KindFallback {
			compile = plan.Fallback
		}
		if p.Plan, err = compile(inv); err != nil {
			return nil, err
		}
		if p.Drivers, err = engine.OpenDrivers(opts.Registry, inv); err != nil {
			return nil, err
		}
		if err := p.Plan.RenderCommands(engine.Commands{Drivers: p.Drivers, ConfirmTimeout: opts.ConfirmTimeout}); err != nil {
			p.Close()
			return nil, err
		}
		if p.setup, err = guardSetup(inv, opts); err != nil {
			p.Close()
			return nil, err
		}
	case KindRollback:
		if opts.JournalDir == "" {
			return nil, errors.New("runs: a rollback needs the journal it undoes")
		}
		cut, err := plan.Compile(inv)
		if err != nil {
			return nil, err
		}
		fb, err := plan.Fallback(inv)
		if err != nil {
			return nil, err
		}
		p.cut, p.fallback = cut, fb
		if p.setup, err = guardSetup(inv, opts); err != nil {
			return nil, err
		}
		if p.Drivers, err = engine.OpenDrivers(opts.Registry, inv); err != nil {
			return nil, err
		}
		for _, pl := range []*plan.Plan{cut, fb} {
			if err := pl.RenderCommands(engine.Commands{Drivers: p.Drivers, ConfirmTimeout: opts.ConfirmTimeout}); err != nil {
				p.Close()
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("runs: unknown kind %q (want %s, %s or %s)", opts.Kind, KindApply, KindFallback, KindRollback)
	}
	return p, nil
}

// guardSetup reads where the guard reaches the VLANs; nil without a guard.
func guardSetup(inv *plan.Inventory, opts Options) (*guard.Setup, error) {
	if opts.NoGuard {
		return nil, nil
	}
	s, err := guard.SetupFrom(inv)
	if err != nil {
		return nil, err
	}
	if opts.Lab.GuardNamespace != nil {
		s.InNamespace = opts.Lab.GuardNamespace
	}
	return s, nil
}

// Guarded reports whether the run is guarded.
func (p *Prepared) Guarded() bool { return p.setup != nil }

// Lock takes the journal directory's lock for the run; Start takes it if
// this was not called (callers that ask before starting lock first, so a
// dead process's run is found before anything is asked). A live holder
// gives an error wrapping journal.ErrLocked; a lock a dead process left
// gives a *journal.StaleLockError: its run is unfinished and must be
// recovered first (Recover) — unless takeOver is set, which only a
// rollback may do: it takes the lock over, and its journal says so.
func (p *Prepared) Lock(takeOver bool) error {
	if takeOver && p.opts.Kind != KindRollback {
		return errors.New("runs: only a rollback takes over a dead process's lock; recover its run instead")
	}
	return p.acquire(takeOver)
}

func (p *Prepared) acquire(takeOver bool) error {
	if p.lock != nil || p.opts.JournalDir == "" {
		return nil
	}
	lock, err := journal.Acquire(p.opts.JournalDir, false)
	var stale *journal.StaleLockError
	if errors.As(err, &stale) && takeOver {
		p.tookOver = stale
		lock, err = journal.Acquire(p.opts.JournalDir, true)
	}
	if err != nil {
		return err
	}
	p.lock = lock
	return nil
}

// release frees the lock, if held.
func (p *Prepared) release() {
	if p.lock != nil {
		p.lock.Release()
		p.lock = nil
	}
}

// LastRun reads the run a KindRollback undoes, the last one in the
// journal, and makes its plan the prepared plan. It must be a plan this
// inventory compiles (its cut-over or its fallback). Read it after Lock to
// be sure nobody appends to it meanwhile; Start reads it again under the
// lock otherwise, and refuses to go on if it is no longer the same run.
func (p *Prepared) LastRun() (*journal.Run, error) {
	if p.opts.Kind != KindRollback {
		return nil, fmt.Errorf("runs: LastRun is for a rollback, not %s", p.opts.Kind)
	}
	dir := p.opts.JournalDir
	last, err := journal.Last(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	if last == nil {
		return nil, fmt.Errorf("no runs in the journal %s: nothing to roll back", dir)
	}
	// The commands may differ (another trial timer): what the run was
	// compiled from and its moves may not.
	if !last.Plan.SameCompilation(p.cut) && !last.Plan.SameCompilation(p.fallback) {
		return nil, fmt.Errorf("the last run %s used plan %s (%s); this inventory compiles %s (cutover) and %s (fallback): roll it back with the inventory that started it", last.Path, last.Plan.Hash, last.Plan.Kind, p.cut.Hash, p.fallback.Hash)
	}
	if p.last != nil && (p.last.Path != last.Path || p.last.Plan.Hash != last.Plan.Hash) {
		return nil, fmt.Errorf("the journal's last run is now %s (plan %s), not %s (plan %s): prepare the rollback again", last.Path, last.Plan.Hash, p.last.Path, p.last.Plan.Hash)
	}
	p.last, p.Plan, p.lastLocked = last, last.Plan, p.lock != nil
	return last, nil
}

// Close closes the drivers and frees the lock if no run took it. A run
// in progress keeps both: Close refuses until it has ended.
func (p *Prepared) Close() error {
	if p.run != nil {
		select {
		case <-p.run.done:
		default:
			return errors.New("runs: the run is still in progress")
		}
	}
	var errs []error
	if p.kept != nil {
		errs = append(errs, p.kept.Close())
		p.kept = nil
	}
	p.release()
	errs = append(errs, engine.CloseDrivers(p.Drivers))
	p.Drivers = nil
	return errors.Join(errs...)
}
