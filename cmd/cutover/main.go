// Command cutover moves switch ports between Production, Migration and
// Shadow VLANs in a strict, guarded order so that a replacement system
// takes over the addresses of the one it replaces with seconds of outage.
//
// Exit codes: 0 done; 3 a guard blocked (nothing unsafe was done); 4 failed
// and rolled back; 1 any other error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes (contract).
const (
	exitOK         = 0
	exitError      = 1
	exitBlocked    = 3
	exitRolledBack = 4
)

// exitErr carries an exit code; its message has been printed already when
// quiet is set.
type exitErr struct {
	code  int
	err   error
	quiet bool
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		if !ee.quiet {
			fmt.Fprintln(stderr, "cutover:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "cutover:", err)
	return exitError
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "cutover",
		Short: "Guarded network cut-overs: isolate old, promote new, park old",
		Long: `cutover moves switch ports between Production, Migration and Shadow VLANs
in a strict three-step order (isolate old -> promote new -> park old), so a
replacement system takes over the addresses of the one it replaces with
seconds of outage. Rehearse the change first in the local lab.

Exit codes: 0 done; 3 a guard blocked (nothing unsafe was done);
4 failed and rolled back; 1 any other error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newValidate(), newPlan(), newApply(false), newApply(true), newPorts(), newLab(), newRehearse(), newWatch(), newGateway(), newImport(), newStatus(), newRollback(), newServe())
	return root
}
