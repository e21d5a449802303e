package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/spf13/cobra"
)

func newApply(fallback bool) *cobra.Command {
	var yes, noGuard bool
	var format, journalDir, recoverMode string
	var confirmTimeout time.Duration
	use, short := "apply INVENTORY", "Run the cut-over: isolate old, promote new, park old"
	if fallback {
		use, short = "fallback INVENTORY", "Swap back after a cut-over: isolate new, promote old, park new"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if recoverMode != recoverRollback && recoverMode != recoverResume {
				return fmt.Errorf("--recover %q: want %s or %s", recoverMode, recoverRollback, recoverResume)
			}
			inv, _, drivers, p, err := compiled(args[0], fallback, confirmTimeout)
			if err != nil {
				return err
			}
			defer engine.CloseDrivers(drivers)
			stderr := cmd.ErrOrStderr()
			var setup *guard.Setup
			if !noGuard {
				if setup, err = guard.SetupFrom(inv); err != nil {
					return err
				}
			}
			ask := func(question string) error { return askToProceed(cmd, yes, question) }
			// One run at a time; a run a dead process left unfinished is
			// recovered first.
			lock, err := journal.Acquire(journalDir, false)
			var stale *journal.StaleLockError
			if errors.As(err, &stale) {
				fmt.Fprintf(stderr, "%v\n", err)
				question := "\nRoll the interrupted run back (its journal says where every port was)? Type yes: "
				if recoverMode == recoverResume {
					question = "\nResume the interrupted run where the switches show it stopped? Type yes: "
				}
				if err := ask(question); err != nil {
					return err
				}
				rec := recovery{mode: recoverMode, confirmTimeout: confirmTimeout, format: format}
				return rec.run(cmd.Context(), cmd.OutOrStdout(), stderr, journalDir, inv, setup, p, drivers)
			}
			if err != nil {
				return err
			}
			defer lock.Release()
			if err := plan.Render(stderr, p, "text"); err != nil {
				return err
			}
			if err := ask(fmt.Sprintf("\nApply %d moves to the switches above? Type yes: ", p.Moves())); err != nil {
				return err
			}
			w, err := journal.Create(journalDir, p)
			if err != nil {
				return err
			}
			defer w.Close()
			fmt.Fprintf(stderr, "journal: %s\n", w.Path())
			ctx, halt := context.WithCancelCause(cmd.Context())
			defer halt(nil)
			eng := &engine.Engine{Drivers: drivers, Progress: progressPrinter(stderr), ConfirmTimeout: confirmTimeout, Recorder: w}
			session, err := startGuard(ctx, inv, setup, drivers, stderr, w, halt)
			if err != nil {
				w.Write(journal.Record{Kind: journal.KindEnd, Result: engine.ResultFailed, Error: "the guard did not start: " + err.Error()})
				return err
			}
			if session != nil {
				defer session.Close()
				eng.Hooks = session.Guard
			}
			rep := eng.Run(ctx, p)
			if err := w.Write(journal.Record{Kind: journal.KindEnd, Result: rep.Result, Error: rep.Error}); err != nil {
				fmt.Fprintf(stderr, "WARNING: the journal could not record the end of the run: %v\n", err)
			}
			return reportResult(cmd.OutOrStdout(), format, rep, session)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&noGuard, "no-guard", false, "run without the duplicate-address guard (not recommended)")
	addConfirmFlag(cmd, &confirmTimeout)
	addJournalFlag(cmd, &journalDir)
	cmd.Flags().StringVar(&recoverMode, "recover", recoverRollback, "what to do with a run a dead process left unfinished: rollback (every port back where that run found it) or resume (finish it from the step the switches show, under the guard)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "report format: text or json")
	return cmd
}

// reportResult prints a run's report and maps its result to an exit code.
func reportResult(w io.Writer, format string, rep *engine.Report, session *guard.Session) error {
	out := struct {
		*engine.Report
		Guard []guard.Check `json:"guard,omitempty"`
	}{Report: rep}
	if session != nil {
		out.Guard = session.Guard.Checks()
	}
	if format == "json" {
		if err := writeJSON(w, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "result: %s\n", rep.Result)
	}
	return resultError(rep.Result, rep.Err)
}

// resultError maps an engine result to the contract's exit codes.
func resultError(result string, err error) error {
	switch result {
	case engine.ResultDone:
		return nil
	case engine.ResultBlocked:
		return &exitErr{code: exitBlocked, err: err}
	case engine.ResultRolledBack:
		return &exitErr{code: exitRolledBack, err: err}
	}
	return &exitErr{code: exitError, err: err}
}

// startGuard starts the guard for a run journaled by w (nil setup: none,
// said loudly). halt is how its watcher stops the run.
func startGuard(ctx context.Context, inv *plan.Inventory, setup *guard.Setup, drivers map[string]switchdrivers.Driver, stderr io.Writer, w *journal.Writer, halt context.CancelCauseFunc) (*guard.Session, error) {
	if setup == nil {
		fmt.Fprintln(stderr, "WARNING: --no-guard: nothing checks that only one host answers for each address")
		return nil, nil
	}
	cfg := guard.ConfigFrom(inv)
	cfg.Locate, cfg.Halt = guard.LocateWith(drivers), halt
	cfg.Progress = func(s string) { fmt.Fprintln(stderr, s) }
	cfg.Record = guardRecorder(w)
	return guard.Start(ctx, *setup, cfg)
}

// askToProceed asks on a terminal before switches are changed; without
// one, only --yes proceeds.
func askToProceed(cmd *cobra.Command, yes bool, question string) error {
	if yes {
		return nil
	}
	if f, ok := cmd.InOrStdin().(*os.File); !ok || !isTerminal(f) {
		return fmt.Errorf("refusing to change switches without confirmation: pass --yes")
	}
	if !confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), question) {
		return fmt.Errorf("not confirmed; nothing was changed")
	}
	return nil
}

func confirm(in io.Reader, out io.Writer, prompt string) bool {
	fmt.Fprint(out, prompt)
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// progressPrinter prints engine events as one line each.
func progressPrinter(w io.Writer) func(engine.Event) {
	return func(ev engine.Event) {
		ts := ev.Time.Format("15:04:05.000")
		switch ev.Kind {
		case "step-start":
			fmt.Fprintf(w, "%s step %s: %d moves\n", ts, ev.Step, ev.Moves)
		case "batch-done":
			fmt.Fprintf(w, "%s   %s: %d ports moved and read back in %s\n", ts, ev.Switch, ev.Moves, ev.Duration.Round(time.Millisecond))
		case "batch-failed":
			fmt.Fprintf(w, "%s   %s: FAILED: %v\n", ts, ev.Switch, ev.Err)
		case "step-done":
			status := "done"
			if ev.Err != nil {
				status = "FAILED"
			}
			fmt.Fprintf(w, "%s step %s %s in %s\n", ts, ev.Step, status, ev.Duration.Round(time.Millisecond))
		case "confirmed":
			if ev.Err != nil {
				fmt.Fprintf(w, "%s step %s: confirming the trial FAILED: %v\n", ts, ev.Step, ev.Err)
			} else {
				fmt.Fprintf(w, "%s step %s confirmed on %d switches (no automatic revert)\n", ts, ev.Step, ev.Moves)
			}
		case "rollback-start":
			fmt.Fprintf(w, "%s rollback %s\n", ts, ev.Step)
		case "journal-failed":
			fmt.Fprintf(w, "%s   WARNING: %s: the journal could not record this: %v\n", ts, ev.Step, ev.Err)
		case "rollback-done":
			if ev.Err != nil {
				fmt.Fprintf(w, "%s rollback %s INCOMPLETE: %v\n", ts, ev.Step, ev.Err)
			} else {
				fmt.Fprintf(w, "%s rollback %s: %d ports restored in %s\n", ts, ev.Step, ev.Moves, ev.Duration.Round(time.Millisecond))
			}
		}
	}
}
