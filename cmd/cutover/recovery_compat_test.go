package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
)

// waitForTrials is what TestRecoveryWaitsForUnconfirmedTrials tests: the
// recovery's wait for unconfirmed trials, now internal/runs.WaitForTrials,
// with its notes printed one a line as the CLI prints them.
func waitForTrials(ctx context.Context, run *journal.Run, stderr io.Writer) error {
	return runs.WaitForTrials(ctx, run, func(s string) { fmt.Fprintln(stderr, s) })
}
