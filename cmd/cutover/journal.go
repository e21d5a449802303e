package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/switchdrivers/all"
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

func newRollback() *cobra.Command {
	var yes, noGuard bool
	var dir string
	cmd := &cobra.Command{
		Use:   "rollback INVENTORY",
		Short: "Undo the last run in the journal (interrupted or finished): every port back where that run found it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			prep, err := runs.Prepare(args[0], runs.Options{Kind: runs.KindRollback, Registry: all.Registry(), NoGuard: noGuard, JournalDir: dir})
			if err != nil {
				return err
			}
			defer prep.Close()
			stderr := cmd.ErrOrStderr()
			err = prep.Lock(false)
			var stale *journal.StaleLockError
			if errors.As(err, &stale) {
				fmt.Fprintf(stderr, "%v; rolling it back\n", err)
				err = prep.Lock(true)
			}
			if err != nil {
				return err
			}
			last, err := prep.LastRun()
			if err != nil {
				return err
			}
			state := "unfinished"
			if last.Ended {
				state = "ended " + last.Result
			}
			fmt.Fprintf(stderr, "last run: %s %q, %s (%s)\n", last.Plan.Kind, last.Plan.Name, state, last.Path)
			if err := askToProceed(cmd, yes, "\nPut every port of this run back where it found it? Type yes: "); err != nil {
				return err
			}
			r, err := prep.Start(cmd.Context())
			if err != nil {
				return err
			}
			return follow(cmd, r, "", false, false)
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
			st, err := runs.ReadStatus(dir)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			run := st.Run
			if run == nil {
				if format == "json" {
					return writeJSON(out, map[string]any{"run": nil})
				}
				fmt.Fprintf(out, "no runs in %s\n", dir)
				return nil
			}
			state := run.Result
			switch {
			case st.Running:
				state = fmt.Sprintf("running (process %d)", st.HolderPID)
			case st.Unfinished():
				command := "apply"
				if runs.KindOf(run.Plan) == runs.KindFallback {
					command = "fallback"
				}
				state = fmt.Sprintf("unfinished: process %d is gone; `cutover %s` with the same inventory recovers it (--recover rollback, the default, or resume)", run.PID, command)
			}
			if format == "json" {
				return writeJSON(out, map[string]any{"journal": run.Path, "plan": run.Plan.Hash, "kind": run.Plan.Kind, "name": run.Plan.Name,
					"pid": run.PID, "state": state, "torn_last_line": run.Torn, "batches": st.Batches, "ports": run.Ports(), "guard_and_notes": st.Notes})
			}
			fmt.Fprintf(out, "%s run %q (plan %s, process %d): %s\n  journal %s\n", run.Plan.Kind, run.Plan.Name, run.Plan.Hash, run.PID, state, run.Path)
			for _, s := range st.Batches {
				res := "ok"
				if s.Error != "" {
					res = "FAILED: " + s.Error
				}
				fmt.Fprintf(out, "  %s %-14s %-8s %d ports %s\n", s.Time.Format("15:04:05.000"), s.Step, s.Switch, s.Ports, res)
			}
			fmt.Fprintf(out, "  ports:\n")
			for _, p := range run.Ports() {
				pending := ""
				switch {
				case p.Pending:
					pending = " (a change was sent and not confirmed: it may be on either side)"
				case p.Unknown:
					pending = " (its last change failed and nothing read it since: look at the switch)"
				}
				fmt.Fprintf(out, "    %s:%s original %s, planned %s, last known %s%s\n", p.Switch, p.Port, p.Original, p.Final, p.Last, pending)
			}
			for _, c := range st.Notes {
				fmt.Fprintf(out, "  %s\n", c)
			}
			return nil
		},
	}
	addJournalFlag(cmd, &dir)
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}
