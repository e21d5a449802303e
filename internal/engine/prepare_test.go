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
	"github.com/cutover-net/cutover/plan"
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
	outer := switchdrivers.ContextApplyTrace(ctx)
	inner := *outer
	inner.Committed = func() {
		p.calls.add("committed %s %s", p.name, batchName(cs))
		outer.TraceCommitted()
	}
	err := p.Driver.Apply(switchdrivers.WithApplyTrace(ctx, &inner), cs)
	p.calls.add("applied %s %s", p.name, batchName(cs))
	return err
}

// TestNextStepPreparedWhileTheStepBeforeRuns: the engine readies each
// step's sessions while the step before runs — on a switch that step
// also changes, once its batch there has committed (the first step's at
// the start) — and sends a batch only once its session is ready; each
// batch's phases are marked on the timeline.
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
				if before.Switch != b.Switch {
					continue
				}
				var pcs []switchdrivers.Change
				for _, m := range before.Moves {
					pcs = append(pcs, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
				}
				if committed := c.index("committed " + before.Switch + " " + batchName(pcs)); committed < 0 || committed > prep {
					t.Fatalf("step %s: %s was prepared before step %s's batch on %s committed:\n%s", step.Name, batch, f.plan.Steps[i-1].Name, before.Switch, strings.Join(c.log, "\n"))
				}
			}
			// Every batch of the step two before has been applied.
			if i >= 2 {
				for _, before := range f.plan.Steps[i-2].Batches {
					var pcs []switchdrivers.Change
					for _, m := range before.Moves {
						pcs = append(pcs, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
					}
					if applied := c.index("applied " + before.Switch + " " + batchName(pcs)); applied < 0 || applied > prep {
						t.Fatalf("step %s: %s was prepared while step %s ran:\n%s", step.Name, batch, f.plan.Steps[i-2].Name, strings.Join(c.log, "\n"))
					}
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

// phaseRecorder records the hooks' calls.
type phaseRecorder struct{ calls *calls }

func (r *phaseRecorder) BeforeStep(_ context.Context, p *plan.Plan, i int) error {
	r.calls.add("before %s", p.Steps[i].Name)
	return nil
}

func (r *phaseRecorder) AfterStep(_ context.Context, p *plan.Plan, i int) error {
	r.calls.add("after %s", p.Steps[i].Name)
	return nil
}

func (r *phaseRecorder) Committed(_ context.Context, p *plan.Plan, i int) {
	r.calls.add("hook committed %s", p.Steps[i].Name)
}

func (r *phaseRecorder) ReadBack(_ context.Context, p *plan.Plan, i int, at time.Time) {
	r.calls.add("hook read-back %s", p.Steps[i].Name)
}

// TestPhaseHooks: Committed is called once every batch of a step has
// committed, ReadBack once every batch has been read back by its driver,
// each once per step and before the step's AfterStep.
func TestPhaseHooks(t *testing.T) {
	f := setup(t, nil)
	c := &calls{}
	drivers := map[string]switchdrivers.Driver{}
	for name, d := range f.drivers {
		drivers[name] = &preparing{Driver: d, name: name, calls: c}
	}
	rep := (&engine.Engine{Drivers: drivers, Hooks: &phaseRecorder{c}}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultDone {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	log := strings.Join(c.log, "\n")
	for _, step := range f.plan.Steps {
		committed, readBack, after := c.index("hook committed "+step.Name), c.index("hook read-back "+step.Name), c.index("after "+step.Name)
		if committed < 0 || readBack < committed || after < readBack || strings.Count(log, "hook committed "+step.Name+"\n") > 1 {
			t.Fatalf("step %s: hooks out of order:\n%s", step.Name, log)
		}
		for _, b := range step.Batches {
			var cs []switchdrivers.Change
			for _, m := range b.Moves {
				cs = append(cs, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
			}
			if at := c.index("committed " + b.Switch + " " + batchName(cs)); at < 0 || at > committed {
				t.Fatalf("step %s: the hook heard of the commit before %s committed:\n%s", step.Name, b.Switch, log)
			}
		}
	}
}
