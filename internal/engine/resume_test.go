package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// resumeRecorder also records BeforeResume.
type resumeRecorder struct{ recorder }

func (r *resumeRecorder) BeforeResume(_ context.Context, p *plan.Plan, from int) error {
	return r.hook("resume", p, from)
}

// livePlan compiles the engine topology's inventory without a lab.
func livePlan(t *testing.T) *plan.Plan {
	t.Helper()
	iv, err := plan.Parse("engine.yml", []byte(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: ovs, address: "unix:/nonexistent"}
  - {name: sw2, driver: ovs, address: "unix:/nonexistent"}
systems:
  old: {ports: [sw1:sw1-e1, sw1:sw1-e2, sw2:sw2-e5], addresses: [192.168.66.30]}
  new: {ports: [sw2:sw2-e1, sw2:sw2-e2]}
`), plan.LoadOptions{Catalog: all.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(iv)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// state builds live segments: old ports, new ports, then per-port overrides.
func state(oldSeg, newSeg string, override map[string]string) map[string]map[string]string {
	live := map[string]map[string]string{"sw1": {}, "sw2": {}}
	for _, p := range oldPorts {
		live[p[:3]][p] = oldSeg
	}
	for _, p := range newPorts {
		live[p[:3]][p] = newSeg
	}
	for p, seg := range override {
		live[p[:3]][p] = seg
	}
	return live
}

func TestReached(t *testing.T) {
	p := livePlan(t)
	for _, tc := range []struct {
		name    string
		live    map[string]map[string]string
		from    int
		wantErr string
	}{
		{"not started", state("66", "166", nil), 0, ""},
		{"half an isolate", state("66", "166", map[string]string{"sw1-e1": "266"}), 0, ""},
		{"isolate done", state("266", "166", nil), 1, ""},
		{"promote half done", state("266", "166", map[string]string{"sw2-e1": "66"}), 1, ""},
		{"promote done", state("266", "66", nil), 2, ""},
		{"park half done", state("266", "66", map[string]string{"sw2-e5": "166"}), 2, ""},
		{"finished", state("166", "66", nil), 3, ""},
		{"a port elsewhere", state("266", "166", map[string]string{"sw2-e2": "999"}), 0, `switch sw2 port sw2-e2: in segment "999", which the plan never gives it`},
		{"promote before isolate", state("66", "66", nil), 0, "moved by step promote although step isolate is not complete"},
		{"park before promote", state("166", "166", nil), 0, "moved by step park although step promote is not complete"},
		{"a port missing", state("266", "166", nil), 0, "switch sw1 port sw1-e2: not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "a port missing" {
				delete(tc.live["sw1"], "sw1-e2")
			}
			from, err := engine.Reached(p, tc.live)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %d, %v; want error %q", from, err, tc.wantErr)
				}
				return
			}
			if err != nil || from != tc.from {
				t.Fatalf("got %d, %v; want %d", from, err, tc.from)
			}
		})
	}
}

// TestResumeFromEveryState resumes a run left in each state a dead process
// can leave: a half-done step is undone first, the hooks rebuild their
// evidence (BeforeResume), then the remaining steps run and the plan ends
// complete.
func TestResumeFromEveryState(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	set := func(live map[string]map[string]string) {
		for _, ports := range live {
			for p, vlan := range ports {
				if err := f.lab.SetPortTag(ctx, p, vlan); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, tc := range []struct {
		name   string
		live   map[string]map[string]string
		events string
	}{
		{"half an isolate", state("66", "166", map[string]string{"sw1-e1": "266"}),
			"rollback-start:undo-isolate rollback-done:undo-isolate resume:isolate before:isolate after:isolate before:promote after:promote before:park after:park"},
		{"isolate done", state("266", "166", nil),
			"resume:promote before:promote after:promote before:park after:park"},
		{"promote half done", state("266", "166", map[string]string{"sw2-e1": "66"}),
			"rollback-start:undo-promote rollback-done:undo-promote resume:promote before:promote after:promote before:park after:park"},
		{"promote done", state("266", "66", nil),
			"resume:park before:park after:park"},
		{"park half done", state("266", "66", map[string]string{"sw2-e5": "166"}),
			"rollback-start:undo-park rollback-done:undo-park resume:park before:park after:park"},
		{"finished", state("166", "66", nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set(tc.live)
			from, err := engine.Reached(f.plan, tc.live)
			if err != nil {
				t.Fatal(err)
			}
			r := &resumeRecorder{}
			rec := &journalRecorder{}
			e := &engine.Engine{Drivers: f.drivers, Hooks: r, Recorder: rec, Progress: r.progress}
			rep := e.Resume(ctx, f.plan, from)
			if rep.Result != engine.ResultDone {
				t.Fatalf("result %s: %v", rep.Result, rep.Err)
			}
			f.expect(t, oldPorts, "166")
			f.expect(t, newPorts, "66")
			var got []string
			for _, ev := range r.events {
				if !strings.HasPrefix(ev, "batch-") && !strings.HasPrefix(ev, "step-") {
					got = append(got, ev)
				}
			}
			if s := strings.Join(got, " "); s != tc.events {
				t.Fatalf("events:\n%s\nwant:\n%s", s, tc.events)
			}
			if rec.intents != rec.results {
				t.Errorf("journal saw %d intents and %d results", rec.intents, rec.results)
			}
		})
	}
}

// TestResumeBlockedRollsEverythingBack: a guard refusing at BeforeResume
// (fresh evidence shows a conflict) undoes the steps the dead process took.
func TestResumeBlockedRollsEverythingBack(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	live := state("266", "66", nil)
	for _, ports := range live {
		for p, vlan := range ports {
			f.lab.SetPortTag(ctx, p, vlan)
		}
	}
	r := &resumeRecorder{recorder{fail: map[string]error{"resume:park": &engine.BlockedError{Step: "resume", Reason: "two owners", Restore: true}}}}
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: r}).Resume(ctx, f.plan, 2)
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "two owners") {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	if len(rep.Rollback) != 3 {
		t.Fatalf("rollback: %+v", rep.Rollback)
	}
	f.expect(t, oldPorts, "66")
	f.expect(t, newPorts, "166")
}
