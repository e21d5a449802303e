package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/switchdrivers"
)

// notingSwitch notes, at its first batch, that it removed a leftover of
// a lost attempt (as the NX-OS driver does with a killed process's
// checkpoint).
type notingSwitch struct {
	*trialSwitch
	batches int
	notes   []string
}

func (s *notingSwitch) Apply(ctx context.Context, cs []switchdrivers.Change) error {
	s.mu.Lock()
	s.batches++
	if s.batches == 1 {
		s.notes = append(s.notes, fmt.Sprintf("switch %s: deleted checkpoint cutover-dead, left by a lost cutover attempt", s.name))
	}
	s.mu.Unlock()
	return s.trialSwitch.Apply(ctx, cs)
}

func (s *notingSwitch) TakeNotes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.notes
	s.notes = nil
	return out
}

// noteJournal is a trialJournal that also journals notes.
type noteJournal struct{ trialJournal }

func (j *noteJournal) Note(step, sw, text string) error {
	return j.add("note %s %s %s", step, sw, text)
}

// TestDriverNotesReported: what a driver did on a switch besides the
// batch is journaled after the batch's result and reported once, as a
// switch-note event naming the step and the switch.
func TestDriverNotesReported(t *testing.T) {
	p, sws, drivers := trialFixture(t)
	drivers["sw1"] = &notingSwitch{trialSwitch: sws["sw1"]}
	j := &noteJournal{}
	var evs []engine.Event
	e := &engine.Engine{Drivers: drivers, Recorder: j, Pauses: &fakePauses{},
		Progress: func(ev engine.Event) { evs = append(evs, ev) }}
	if rep := e.Run(context.Background(), p); rep.Result != engine.ResultDone {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	want := []string{"intent isolate sw1", "note isolate sw1 switch sw1:", "result isolate sw1 untouched=false err=false"}
	want = append(want, "intent park sw1", "result park sw1 untouched=false err=false")
	if got := j.of("sw1"); !slices.Equal(got, want) {
		t.Fatalf("sw1's journal:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	var notes []engine.Event
	for _, ev := range evs {
		if ev.Kind == "switch-note" {
			notes = append(notes, ev)
		}
	}
	if len(notes) != 1 || notes[0].Step != "isolate" || notes[0].Switch != "sw1" || !strings.Contains(notes[0].Err.Error(), "deleted checkpoint cutover-dead") {
		t.Fatalf("switch-note events %+v, want one, in isolate, on sw1", notes)
	}
}
