package runs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// A daemon's view of a run: the plan hash is known before anything
// happens, so an approval can be bound to it; the run starts only then;
// each HTTP client follows the events from where it left off (SSE
// Last-Event-ID) without ever slowing the run; an operator halts it.
// (Compiled, not run: it needs switches.)
func ExamplePrepared_Start() {
	ctx := context.Background()
	prep, err := runs.Prepare("mxone.yml", runs.Options{
		Kind: runs.KindApply, Registry: all.Registry(), JournalDir: "/var/lib/cutover",
		Notes: []string{"requested by alice: CHG-1234", "approved by bob"},
	})
	if err != nil {
		return // 4xx: the inventory's problems, with their lines
	}
	defer prep.Close()
	approvedHash := prep.Plan.Hash // what the approver saw
	if prep.Plan.Hash != approvedHash {
		return
	}
	r, err := prep.Start(ctx)
	var stale *journal.StaleLockError
	if errors.As(err, &stale) {
		// An unfinished run: report it; an approver chooses
		// prep.Recover(ctx, runs.RecoverRollback or runs.RecoverResume).
		st, _ := runs.ReadStatus("/var/lib/cutover")
		fmt.Println("unfinished:", st.Unfinished(), st.Run.Path)
		return
	}
	if err != nil {
		return // locked by another run
	}

	// One SSE client, resuming after the last event it saw.
	var lastEventID uint64
	go func() {
		sub := r.Subscribe(lastEventID)
		for {
			ev, err := sub.Next(ctx)
			if errors.Is(err, io.EOF) {
				return // the run's end was the last event
			}
			if err != nil {
				return // cut off (too slow) or gone: the client reconnects
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(os.Stdout, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Kind, b)
		}
	}()

	// POST /v1/runs/{id}/halt
	r.Halt("operator carol: the customer called")

	res := r.Wait()
	fmt.Println(res.Class, res.Halted, res.Journal)
}
