package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/spf13/cobra"
)

func newApply(fallback bool) *cobra.Command {
	var yes, noGuard, requireTrials bool
	var format, journalDir, recoverMode string
	var confirmTimeout time.Duration
	use, short, kind := "apply INVENTORY", "Run the cut-over: isolate old, promote new, park old", runs.KindApply
	if fallback {
		use, short, kind = "fallback INVENTORY", "Swap back after a cut-over: isolate new, promote old, park new", runs.KindFallback
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			mode := runs.RecoverMode(recoverMode)
			if mode != runs.RecoverRollback && mode != runs.RecoverResume {
				return fmt.Errorf("--recover %q: want %s or %s", recoverMode, runs.RecoverRollback, runs.RecoverResume)
			}
			prep, err := runs.Prepare(args[0], runs.Options{Kind: kind, Registry: all.Registry(), NoGuard: noGuard, ConfirmTimeout: confirmTimeout, RequireTrials: requireTrials, JournalDir: journalDir})
			if err != nil {
				return err
			}
			defer prep.Close()
			stderr := cmd.ErrOrStderr()
			ask := func(question string) error { return askToProceed(cmd, yes, question) }
			// One run at a time; a run a dead process left unfinished is
			// recovered first.
			err = prep.Lock(false)
			var stale *journal.StaleLockError
			if errors.As(err, &stale) {
				fmt.Fprintf(stderr, "%v\n", err)
				question := "\nRoll the interrupted run back (its journal says where every port was)? Type yes: "
				if mode == runs.RecoverResume {
					question = "\nResume the interrupted run where the switches show it stopped? Type yes: "
				}
				if err := ask(question); err != nil {
					return err
				}
				r, err := prep.Recover(cmd.Context(), mode)
				if err != nil {
					return err
				}
				// A resume reports like a run; a rollback only by its exit.
				return follow(cmd, r, format, false, mode == runs.RecoverResume)
			}
			if err != nil {
				return err
			}
			if err := plan.Render(stderr, prep.Plan, "text"); err != nil {
				return err
			}
			if err := ask(fmt.Sprintf("\nApply %d moves to the switches above? Type yes: ", prep.Plan.Moves())); err != nil {
				return err
			}
			r, err := prep.Start(cmd.Context())
			if err != nil {
				return err
			}
			return follow(cmd, r, format, true, true)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&noGuard, "no-guard", false, "run without the duplicate-address guard (not recommended)")
	addConfirmFlag(cmd, &confirmTimeout)
	cmd.Flags().BoolVar(&requireTrials, "require-trials", false, "refuse a batch, untouched, on a switch that cannot take a trial (IOS-XE without its configuration archive) instead of sending it without one")
	addJournalFlag(cmd, &journalDir)
	cmd.Flags().StringVar(&recoverMode, "recover", string(runs.RecoverRollback), "what to do with a run a dead process left unfinished: rollback (every port back where that run found it) or resume (finish it from the step the switches show, under the guard)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "report format: text or json")
	return cmd
}

// follow prints a run's events on stderr as they happen (the journal's
// file only for a run that creates one), then, if report is set and the
// engine ran, its report on stdout; it maps the result to an exit code.
func follow(cmd *cobra.Command, r *runs.Run, format string, newJournal, report bool) error {
	stderr := cmd.ErrOrStderr()
	if err := r.Follow(eventPrinter(stderr, newJournal)); err != nil {
		fmt.Fprintf(stderr, "WARNING: progress output fell behind: %v\n", err)
	}
	res := r.Wait()
	if report && res.Report != nil {
		out := struct {
			*engine.Report
			Guard  []guard.Check     `json:"guard,omitempty"`
			Outage *outage.Breakdown `json:"outage,omitempty"`
		}{res.Report, res.Guard, res.Outage}
		if format == "json" {
			if err := writeJSON(cmd.OutOrStdout(), out); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(cmd.OutOrStdout(), "result: %s\n", res.Report.Result)
			printOutage(cmd.OutOrStdout(), res.Outage)
		}
	}
	return classError(res.Class, res.Err)
}

// printOutage prints the outage in parts and the floor they add up to.
func printOutage(w io.Writer, b *outage.Breakdown) {
	if b == nil {
		return
	}
	how := "measured"
	if b.Estimated {
		how = "estimated: isolate's first line to the announcement, plus one round trip"
	}
	fmt.Fprintf(w, "\n  outage in parts (the floor is what these switches, this LAN and this absence proof cannot go below):\n")
	fmt.Fprintf(w, "    isolate commit        %7.1f ms  (first configuration line to commit)\n", b.IsolateMS)
	fmt.Fprintf(w, "    absence proof         %7.1f ms  (quiet window %.1f ms; LAN round trip measured %.2f ms)\n", b.AbsenceMS, b.WindowMS, b.RTTMS)
	fmt.Fprintf(w, "    promote commit        %7.1f ms\n", b.PromoteMS)
	fmt.Fprintf(w, "    announce -> answer    %7.1f ms\n", b.AnnounceMS)
	fmt.Fprintf(w, "    floor                 %7.1f ms\n", b.FloorMS)
	fmt.Fprintf(w, "  outage %.0f ms (%s) = %.2f x floor\n", b.OutageMS, how, b.Ratio)
}

// resultError maps an engine result to the contract's exit codes.
func resultError(result string, err error) error {
	return classError(runs.ClassOf(result), err)
}

// classError maps a run's exit class to the contract's exit codes.
func classError(class runs.Class, err error) error {
	switch class {
	case runs.ClassDone:
		return nil
	case runs.ClassBlocked:
		return &exitErr{code: exitBlocked, err: err}
	case runs.ClassRolledBack:
		return &exitErr{code: exitRolledBack, err: err}
	}
	return &exitErr{code: exitError, err: err}
}

// eventPrinter prints a run's events one line each: the engine's as
// progressPrinter does, the guard's and the recovery's lines as they are.
func eventPrinter(w io.Writer, newJournal bool) func(runs.Event) {
	engineEvent := progressPrinter(w)
	return func(ev runs.Event) {
		switch ev.Kind {
		case runs.EventJournal:
			if newJournal {
				fmt.Fprintf(w, "journal: %s\n", ev.Text)
			}
		case runs.EventGuardOff:
			fmt.Fprintln(w, "WARNING: --no-guard: nothing checks that only one host answers for each address")
		case runs.EventGuard, runs.EventNote:
			fmt.Fprintln(w, ev.Text)
		default:
			if ev.Engine != nil {
				engineEvent(*ev.Engine)
			}
		}
	}
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
			fmt.Fprintf(w, "%s step %s: %s\n", ts, ev.Step, counted(ev.Moves, "move", "moves"))
		case "batch-done":
			fmt.Fprintf(w, "%s   %s: %s moved and read back in %s\n", ts, ev.Switch, counted(ev.Moves, "port", "ports"), ev.Duration.Round(time.Millisecond))
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
				fmt.Fprintf(w, "%s step %s confirmed on %s (no automatic revert)\n", ts, ev.Step, counted(ev.Moves, "switch", "switches"))
			}
		case "trial-cancelled":
			fmt.Fprintf(w, "%s step %s: %s cancelled its trial: the switch restored the %s it had moved\n", ts, ev.Step, ev.Switch, counted(ev.Moves, "port", "ports"))
		case "trial-reverted":
			fmt.Fprintf(w, "%s step %s: %s had already reverted its trial by itself: counted as the step's undo\n", ts, ev.Step, ev.Switch)
		case "trial-wait":
			fmt.Fprintf(w, "%s step %s: %s: waiting %s for the switch to revert its trial (%v)\n", ts, ev.Step, ev.Switch, ev.Duration.Round(time.Second), ev.Err)
		case "trial-off":
			fmt.Fprintf(w, "%s step %s: %s: NO TRIAL: the batch is sent without one and will not revert by itself (%v; --require-trials refuses instead)\n", ts, ev.Step, ev.Switch, ev.Err)
		case "switch-note":
			fmt.Fprintf(w, "%s step %s: %s: note: %v\n", ts, ev.Step, ev.Switch, ev.Err)
		case "trial-verified":
			fmt.Fprintf(w, "%s step %s: the process was stopped for %s; the switches still hold the step (read again)\n", ts, ev.Step, ev.Duration.Round(time.Millisecond))
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

// counted says n things: "1 switch", "3 switches".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
