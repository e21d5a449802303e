package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/switchdrivers"
)

// calls records, in order, the calls made to drivers.
type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(format string, a ...any) {
	c.mu.Lock()
	c.log = append(c.log, fmt.Sprintf(format, a...))
	c.mu.Unlock()
}

func (c *calls) index(entry string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Index(c.log, entry)
}

// preparing is a driver that readies sessions ahead (slowly, so that an
// engine that did not wait for it would be caught).
type preparing struct {
	switchdrivers.Driver
	name  string
	calls *calls
}

func batchName(cs []switchdrivers.Change) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Port+">"+c.To)
	}
	return strings.Join(parts, ",")
}

func (p *preparing) Prepare(ctx context.Context, cs []switchdrivers.Change, trial time.Duration) error {
	p.calls.add("prepare %s %s trial=%s", p.name, batchName(cs), trial)
	time.Sleep(50 * time.Millisecond)
	p.calls.add("prepared %s %s", p.name, batchName(cs))
	return nil
}

func (p *preparing) Apply(ctx context.Context, cs []switchdrivers.Change) error {
	p.calls.add("apply %s %s", p.name, batchName(cs))
	err := p.Driver.Apply(ctx, cs)
	p.calls.add("applied %s %s", p.name, batchName(cs))
	return err
}

// TestNextStepPreparedWhileTheStepBeforeRuns: the engine readies each
// step's sessions once every batch of the step before is applied (the
// first step's at the start), and sends a batch only once its session is
// ready; each batch's phases are marked on the timeline.
func TestNextStepPreparedWhileTheStepBeforeRuns(t *testing.T) {
	f := setup(t, nil)
	c := &calls{}
	drivers := map[string]switchdrivers.Driver{}
	for name, d := range f.drivers {
		drivers[name] = &preparing{Driver: d, name: name, calls: c}
	}
	tl := &outage.Timeline{}
	rep := (&engine.Engine{Drivers: drivers, Timeline: tl}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultDone {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	f.expect(t, newPorts, "66")
	for i, step := range f.plan.Steps {
		for _, b := range step.Batches {
			var cs []switchdrivers.Change
			for _, m := range b.Moves {
				cs = append(cs, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
			}
			batch := b.Switch + " " + batchName(cs)
			prep := c.index("prepare " + batch + " trial=0s")
			if prep < 0 || c.index("prepared "+batch) > c.index("apply "+batch) {
				t.Fatalf("step %s: %s was sent before its session was ready:\n%s", step.Name, batch, strings.Join(c.log, "\n"))
			}
			if i == 0 {
				continue
			}
			for _, before := range f.plan.Steps[i-1].Batches {
				var pcs []switchdrivers.Change
				for _, m := range before.Moves {
					pcs = append(pcs, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
				}
				if applied := c.index("applied " + before.Switch + " " + batchName(pcs)); applied < 0 || applied > prep {
					t.Fatalf("step %s: %s was prepared before step %s's batch on %s was applied:\n%s", step.Name, batch, f.plan.Steps[i-1].Name, before.Switch, strings.Join(c.log, "\n"))
				}
			}
			for _, ev := range []string{outage.Configuring, outage.Committed, outage.ReadBack} {
				if tl.First(step.Name, ev).IsZero() {
					t.Errorf("step %s: no %s marked", step.Name, ev)
				}
			}
			if !tl.First(step.Name, outage.Configuring).Before(tl.First(step.Name, outage.ReadBack)) {
				t.Errorf("step %s: read back before it was configured", step.Name)
			}
		}
	}
}
