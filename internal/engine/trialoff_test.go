package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/switchdrivers"
)

// noArchiveSwitch is a trial switch that cannot take a trial (IOS-XE
// without its configuration archive): every trial is refused untouched
// with switchdrivers.ErrTrialUnavailable.
type noArchiveSwitch struct {
	*trialSwitch
	trials int
}

func (s *noArchiveSwitch) ApplyConfirmed(context.Context, []switchdrivers.Change, time.Duration) (func(context.Context) error, error) {
	s.mu.Lock()
	s.trials++
	s.mu.Unlock()
	return nil, switchdrivers.Untouched(&switchdrivers.Error{Switch: s.name,
		Err: fmt.Errorf("%w: `show archive` says %q", switchdrivers.ErrTrialUnavailable, "%Archive feature not enabled")})
}

// trialJournal records what the engine journals, one line a record.
type trialJournal struct {
	mu    sync.Mutex
	lines []string
}

func (j *trialJournal) add(format string, a ...any) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, fmt.Sprintf(format, a...))
	return nil
}

func (j *trialJournal) Intent(step, sw string, _ []switchdrivers.Change) error {
	return j.add("intent %s %s", step, sw)
}

func (j *trialJournal) Result(step, sw string, _ []switchdrivers.Change, err error) error {
	return j.add("result %s %s untouched=%v err=%v", step, sw, switchdrivers.IsUntouched(err), err != nil)
}

func (j *trialJournal) Trial(step, sw string, _ time.Duration) error {
	return j.add("trial %s %s", step, sw)
}

func (j *trialJournal) Confirmed(step, sw string, err error) error {
	return j.add("confirmed %s %s", step, sw)
}

func (j *trialJournal) TrialOff(step, sw, reason string) error {
	return j.add("trial-off %s %s %s", step, sw, reason)
}

func (j *trialJournal) of(sw string) []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for _, l := range j.lines {
		if f := strings.Fields(l); f[2] == sw {
			out = append(out, strings.Join(f[:min(len(f), 5)], " "))
		}
	}
	return out
}

// TestTrialUnavailable: a switch that cannot take a trial gets its
// batches without one — the first refused trial journaled as untouched,
// then the decision journaled and reported before the batch, and its
// later batches sent without trying again — while the other switch's
// trials go on; with RequireTrials the batch is refused, nothing moves
// on that switch and the run rolls back.
func TestTrialUnavailable(t *testing.T) {
	p, sws, drivers := trialFixture(t)
	sw1 := &noArchiveSwitch{trialSwitch: sws["sw1"]}
	drivers["sw1"] = sw1
	j := &trialJournal{}
	var evs []engine.Event
	e := &engine.Engine{Drivers: drivers, Recorder: j, ConfirmTimeout: time.Minute, Pauses: &fakePauses{},
		Progress: func(ev engine.Event) { evs = append(evs, ev) }}
	rep := e.Run(context.Background(), p)
	if rep.Result != engine.ResultDone {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if sw1.trials != 1 {
		t.Fatalf("trials tried on sw1: %d, want 1 (its later batches go without)", sw1.trials)
	}
	want := []string{
		"intent isolate sw1", "trial isolate sw1", "result isolate sw1 untouched=true err=true",
		"trial-off isolate sw1 switch sw1:", "intent isolate sw1", "result isolate sw1 untouched=false err=false",
		"trial-off park sw1 switch sw1:", "intent park sw1", "result park sw1 untouched=false err=false",
	}
	if got := j.of("sw1"); !slices.Equal(got, want) {
		t.Fatalf("sw1's journal:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	var off []string
	for _, ev := range evs {
		if ev.Kind == "trial-off" {
			if ev.Switch != "sw1" || ev.Err == nil || !strings.Contains(ev.Err.Error(), "Archive feature not enabled") {
				t.Fatalf("trial-off event %+v", ev)
			}
			off = append(off, ev.Step)
		}
	}
	if !slices.Equal(off, []string{"isolate", "park"}) {
		t.Fatalf("trial-off events for steps %v, want isolate and park", off)
	}
	for port, seg := range map[string]string{"sw1-e1": "166", "sw1-e2": "166"} {
		if got := sws["sw1"].seg(port); got != seg {
			t.Fatalf("%s in %s, want %s", port, got, seg)
		}
	}
	if got := sws["sw2"].settled(); !slices.Equal(got, []string{"confirm", "confirm", "confirm"}) {
		t.Fatalf("sw2's trials: %v", got)
	}

	p, sws, drivers = trialFixture(t)
	drivers["sw1"] = &noArchiveSwitch{trialSwitch: sws["sw1"]}
	evs = nil
	e = &engine.Engine{Drivers: drivers, ConfirmTimeout: time.Minute, RequireTrials: true, Pauses: &fakePauses{},
		Progress: func(ev engine.Event) { evs = append(evs, ev) }}
	rep = e.Run(context.Background(), p)
	if rep.Result != engine.ResultRolledBack || !errors.Is(rep.Err, switchdrivers.ErrTrialUnavailable) || !strings.Contains(rep.Err.Error(), "--require-trials") {
		t.Fatalf("with RequireTrials: %s: %v", rep.Result, rep.Err)
	}
	for _, port := range []string{"sw1-e1", "sw1-e2"} {
		if got := sws["sw1"].seg(port); got != "66" {
			t.Fatalf("with RequireTrials %s moved to %s", port, got)
		}
	}
	for _, ev := range evs {
		if ev.Kind == "trial-off" {
			t.Fatalf("with RequireTrials: %+v", ev)
		}
	}
}
