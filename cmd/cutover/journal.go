package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/spf13/cobra"
)

// defaultJournalDir is /var/lib/cutover for root, else the user's state
// directory.
func defaultJournalDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/cutover"
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "cutover")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "cutover")
}

func addJournalFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "journal", defaultJournalDir(), "journal directory (runs and the lock)")
}

// guardRecorder journals the guard's checks.
func guardRecorder(w *journal.Writer) func(guard.Check) {
	return func(c guard.Check) {
		status := "passed"
		if !c.Passed {
			status = "BLOCKED"
		}
		w.Write(journal.Record{Kind: journal.KindGuard, Step: c.Step, Detail: fmt.Sprintf("%s in VLAN %d: %s: %s", c.Name, c.VLAN, status, c.Detail)})
	}
}

// What `apply` does with a run a dead process left unfinished.
const (
	recoverRollback = "rollback"
	recoverResume   = "resume"
)

// trialGrace is how long after a trial's revert time a recovery still
// waits: a switch takes a moment to roll its configuration back.
const trialGrace = 15 * time.Second

// recovery recovers the unfinished run of a dead process.
type recovery struct {
	mode           string
	confirmTimeout time.Duration // for the steps a resume sends
	format         string
}

// run recovers the unfinished run in dir. It never guesses: the run must
// be this plan, and every port must be where one of the plan's steps puts
// it; otherwise it stops and explains. Trials the dead process never
// confirmed are left to revert first.
func (rc recovery) run(ctx context.Context, stdout, stderr io.Writer, dir string, inv *plan.Inventory, setup *guard.Setup, p *plan.Plan, drivers map[string]switchdrivers.Driver) error {
	last, err := journal.Last(dir)
	if err != nil {
		return fmt.Errorf("reading the journal: %w", err)
	}
	lock, err := journal.Acquire(dir, true)
	if err != nil {
		return err
	}
	defer lock.Release()
	if last == nil || last.Ended {
		// Died after its end record: nothing to recover, the lock was stale.
		fmt.Fprintf(stderr, "the previous run ended; its stale lock is cleared, run again\n")
		return nil
	}
	if last.Plan.Hash != p.Hash {
		return fmt.Errorf("the unfinished run %s used plan %s (%s), this command compiles plan %s: recover it with the inventory and command that started it", last.Path, last.Plan.Hash, last.Plan.Kind, p.Hash)
	}
	if err := waitForTrials(ctx, last, stderr); err != nil {
		return err
	}
	if rc.mode == recoverResume {
		fmt.Fprintf(stderr, "recovering the unfinished run %s (process %d is gone): resuming\n", last.Path, last.PID)
		return rc.resume(ctx, stdout, stderr, last, inv, setup, drivers)
	}
	fmt.Fprintf(stderr, "recovering the unfinished run %s (process %d is gone): rolling back\n", last.Path, last.PID)
	return rollbackRun(ctx, last, inv, setup, drivers, stderr, fmt.Sprintf("lock of process %d taken over; recovery: rollback", last.PID))
}

// waitForTrials waits until every trial the journal shows unconfirmed is
// past its revert time: reading the switches earlier, the recovery could
// act on a state the switch is about to roll back by itself.
func waitForTrials(ctx context.Context, run *journal.Run, stderr io.Writer) error {
	var until time.Time
	for _, t := range run.PendingTrials() {
		fmt.Fprintf(stderr, "switch %s: the trial of step %s was never confirmed; the switch reverts it by itself at %s\n", t.Switch, t.Step, t.RevertsAt.Format("15:04:05"))
		if t.RevertsAt.After(until) {
			until = t.RevertsAt
		}
	}
	wait := time.Until(until.Add(trialGrace))
	if until.IsZero() || wait <= 0 {
		return nil
	}
	fmt.Fprintf(stderr, "waiting %s for the reverts before reading the switches (interrupt to stop: nothing has been changed)\n", wait.Round(time.Second))
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
func (rc recovery) resume(ctx context.Context, stdout, stderr io.Writer, last *journal.Run, inv *plan.Inventory, setup *guard.Setup, drivers map[string]switchdrivers.Driver) error {
	live, err := liveSegments(ctx, drivers)
	if err != nil {
		return err
	}
	from, err := engine.Reached(last.Plan, live)
	if err != nil {
		return fmt.Errorf("the run %s cannot be resumed: %w; nothing was changed; `cutover rollback` or put the port right by hand (`cutover status` shows where each was)", last.Path, err)
	}
	w, err := journal.Append(last.Path)
	if err != nil {
		return err
	}
	defer w.Close()
	at := "the end: every step is on the switches"
	if from < len(last.Plan.Steps) {
		at = "step " + last.Plan.Steps[from].Name
	}
	fmt.Fprintf(stderr, "the switches show the run stopped before %s\n", at)
	if err := w.Write(journal.Record{Kind: journal.KindNote, PID: os.Getpid(), Detail: fmt.Sprintf("lock of process %d taken over; recovery: resume before %s", last.PID, at)}); err != nil {
		return err
	}
	ctx, halt := context.WithCancelCause(ctx)
	defer halt(nil)
	eng := &engine.Engine{Drivers: drivers, Recorder: w, Progress: progressPrinter(stderr), ConfirmTimeout: rc.confirmTimeout}
	var session *guard.Session
	if from < len(last.Plan.Steps) {
		if session, err = startGuard(ctx, inv, setup, drivers, stderr, w, halt); err != nil {
			w.Write(journal.Record{Kind: journal.KindNote, Detail: "resume not started, the guard did not start: " + err.Error()})
			return err
		}
		if session != nil {
			defer session.Close()
			eng.Hooks = session.Guard
		}
	}
	rep := eng.Resume(ctx, last.Plan, from)
	if err := w.Write(journal.Record{Kind: journal.KindEnd, Result: rep.Result, Error: rep.Error}); err != nil {
		fmt.Fprintf(stderr, "WARNING: the journal could not record the end of the run: %v\n", err)
	}
	return reportResult(stdout, rc.format, rep, session)
}

// rollbackRun puts every port of a journaled run back where the run found
// it, from the switches' live state, and journals it in the same run. A
// port in a segment the plan never gives it stops everything untouched.
// With a guard setup, nobody else may answer in Production before the
// outgoing system returns there (guard.Guard.BeforeUndo).
func rollbackRun(ctx context.Context, last *journal.Run, inv *plan.Inventory, setup *guard.Setup, drivers map[string]switchdrivers.Driver, stderr io.Writer, why string) error {
	w, err := journal.Append(last.Path)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Write(journal.Record{Kind: journal.KindNote, PID: os.Getpid(), Detail: why}); err != nil {
		return err
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
	live, err := liveSegments(ctx, drivers)
	if err != nil {
		return err
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
		return fmt.Errorf("the run %s cannot be rolled back safely: %s; nothing was changed; put these ports right by hand (`cutover status` shows where each was)", last.Path, strings.Join(unknown, "; "))
	}
	start := time.Now()
	eng := &engine.Engine{Drivers: drivers, Recorder: w, Progress: progressPrinter(stderr)}
	ctx, halt := context.WithCancelCause(ctx)
	defer halt(nil)
	session, err := startGuard(ctx, inv, setup, drivers, stderr, w, halt)
	if err != nil {
		w.Write(journal.Record{Kind: journal.KindNote, Detail: "rollback not started, the guard did not start: " + err.Error()})
		return err
	}
	if session != nil {
		defer session.Close()
		eng.Hooks = session.Guard
	}
	_, rerr := eng.Restore(ctx, last.Plan)
	result := engine.ResultRolledBack
	if rerr != nil {
		result = engine.ResultFailed
	}
	w.Write(journal.Record{Kind: journal.KindEnd, Result: result, Detail: fmt.Sprintf("rolled back in %s", time.Since(start).Round(time.Millisecond))})
	if rerr != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("rollback incomplete: %w", rerr)}
	}
	return &exitErr{code: exitRolledBack, err: errors.New("the run was rolled back: every port of its plan is where the run found it")}
}

func newRollback() *cobra.Command {
	var yes, noGuard bool
	var dir string
	cmd := &cobra.Command{
		Use:   "rollback INVENTORY",
		Short: "Undo the last run in the journal (interrupted or finished): every port back where that run found it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, reg, err := loadInventory(args[0])
			if err != nil {
				return err
			}
			cut, err := plan.Compile(inv)
			if err != nil {
				return err
			}
			fb, err := plan.Fallback(inv)
			if err != nil {
				return err
			}
			var setup *guard.Setup
			if !noGuard {
				if setup, err = guard.SetupFrom(inv); err != nil {
					return err
				}
			}
			drivers, err := engine.OpenDrivers(reg, inv)
			if err != nil {
				return err
			}
			defer engine.CloseDrivers(drivers)
			stderr := cmd.ErrOrStderr()
			lock, err := journal.Acquire(dir, false)
			var stale *journal.StaleLockError
			if errors.As(err, &stale) {
				fmt.Fprintf(stderr, "%v; rolling it back\n", err)
				lock, err = journal.Acquire(dir, true)
			}
			if err != nil {
				return err
			}
			defer lock.Release()
			last, err := journal.Last(dir)
			if err != nil {
				return fmt.Errorf("reading the journal: %w", err)
			}
			if last == nil {
				return fmt.Errorf("no runs in the journal %s: nothing to roll back", dir)
			}
			if last.Plan.Hash != cut.Hash && last.Plan.Hash != fb.Hash {
				return fmt.Errorf("the last run %s used plan %s (%s); this inventory compiles %s (cutover) and %s (fallback): roll it back with the inventory that started it", last.Path, last.Plan.Hash, last.Plan.Kind, cut.Hash, fb.Hash)
			}
			state := "unfinished"
			if last.Ended {
				state = "ended " + last.Result
			}
			fmt.Fprintf(stderr, "last run: %s %q, %s (%s)\n", last.Plan.Kind, last.Plan.Name, state, last.Path)
			if err := askToProceed(cmd, yes, "\nPut every port of this run back where it found it? Type yes: "); err != nil {
				return err
			}
			if err := waitForTrials(cmd.Context(), last, stderr); err != nil {
				return err
			}
			why := fmt.Sprintf("cutover rollback by process %d", os.Getpid())
			if stale != nil {
				why += fmt.Sprintf(", taking over the lock of process %d, which is gone", stale.PID)
			}
			return rollbackRun(cmd.Context(), last, inv, setup, drivers, stderr, why)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&noGuard, "no-guard", false, "roll back without checking that nobody else answers in Production (not recommended)")
	addJournalFlag(cmd, &dir)
	return cmd
}

func newStatus() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the current or last run from the journal: steps, ports, guard checks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			run, err := journal.Last(dir)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if run == nil {
				if format == "json" {
					return writeJSON(out, map[string]any{"run": nil})
				}
				fmt.Fprintf(out, "no runs in %s\n", dir)
				return nil
			}
			state := run.Result
			if !run.Ended {
				command := "apply"
				if run.Plan.Kind == plan.KindFallback {
					command = "fallback"
				}
				state = fmt.Sprintf("unfinished: process %d is gone; `cutover %s` with the same inventory recovers it (--recover rollback, the default, or resume)", run.PID, command)
				if pid, alive := journal.LockHolder(dir); alive {
					state = fmt.Sprintf("running (process %d)", pid)
				}
			}
			type step struct {
				Name   string    `json:"step"`
				Switch string    `json:"switch"`
				Error  string    `json:"error,omitempty"`
				Ports  int       `json:"ports"`
				Time   time.Time `json:"time"`
			}
			steps := []step{}
			checks := []string{}
			for _, r := range run.Records {
				switch r.Kind {
				case journal.KindResult:
					steps = append(steps, step{r.Step, r.Switch, r.Error, len(r.Changes), r.Time})
				case journal.KindGuard, journal.KindNote:
					checks = append(checks, r.Detail)
				}
			}
			if format == "json" {
				return writeJSON(out, map[string]any{"journal": run.Path, "plan": run.Plan.Hash, "kind": run.Plan.Kind, "name": run.Plan.Name,
					"pid": run.PID, "state": state, "torn_last_line": run.Torn, "batches": steps, "ports": run.Ports(), "guard_and_notes": checks})
			}
			fmt.Fprintf(out, "%s run %q (plan %s, process %d): %s\n  journal %s\n", run.Plan.Kind, run.Plan.Name, run.Plan.Hash, run.PID, state, run.Path)
			for _, s := range steps {
				res := "ok"
				if s.Error != "" {
					res = "FAILED: " + s.Error
				}
				fmt.Fprintf(out, "  %s %-14s %-8s %d ports %s\n", s.Time.Format("15:04:05.000"), s.Name, s.Switch, s.Ports, res)
			}
			fmt.Fprintf(out, "  ports:\n")
			for _, p := range run.Ports() {
				pending := ""
				if p.Pending {
					pending = " (a change was sent and not confirmed: it may be on either side)"
				}
				fmt.Fprintf(out, "    %s:%s original %s, planned %s, last known %s%s\n", p.Switch, p.Port, p.Original, p.Final, p.Last, pending)
			}
			for _, c := range checks {
				fmt.Fprintf(out, "  %s\n", c)
			}
			return nil
		},
	}
	addJournalFlag(cmd, &dir)
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}
