// Package outage says where a cut-over's outage goes. The engine and the
// guard mark moments on a Timeline as a run goes — each batch's first
// configuration line and its commit, the absence proof before promote,
// the announcement of the new bindings — and Breakdown turns them into
// the parts of the outage that are physical: the isolate's commit, the
// absence proof, the promote's commit, and the time from the
// announcement to the first answer. Their sum is the floor: the outage a
// run with these switches, this LAN and this proof cannot go below.
// Everything else in the outage (sessions opened, reads, gaps between
// the parts) is overhead, which the ratio of the outage to the floor
// shows.
package outage

import (
	"math"
	"sync"
	"time"
)

// Events marked on a Timeline.
const (
	Configuring  = "configuring"   // a batch's first configuration line is about to go out
	Committed    = "committed"     // the switch accepted a batch: its changes are in place
	ReadBack     = "read-back"     // a batch was read back and found in place
	AbsenceStart = "absence-start" // the absence proof before promote sent its first probes
	AbsenceEnd   = "absence-end"   // the absence proof ended: nobody answered
	Announced    = "announced"     // the new bindings were announced in Production
)

// Mark is one moment of a run.
type Mark struct {
	Step   string    `json:"step"`
	Switch string    `json:"switch,omitempty"`
	Event  string    `json:"event"`
	At     time.Time `json:"at"`
}

// Timeline collects the marks of one run. It is safe for concurrent use;
// a nil *Timeline ignores marks.
type Timeline struct {
	mu     sync.Mutex
	marks  []Mark
	rtt    time.Duration
	window time.Duration
}

// Mark records event of step (and switch, for a batch) at at.
func (t *Timeline) Mark(step, sw, event string, at time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.marks = append(t.marks, Mark{Step: step, Switch: sw, Event: event, At: at})
	t.mu.Unlock()
}

// Proof records the round trip the guard measured on the LAN and the
// quiet window its absence proof used.
func (t *Timeline) Proof(rtt, window time.Duration) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.rtt, t.window = rtt, window
	t.mu.Unlock()
}

// First is the earliest moment event of step was marked; zero if never.
func (t *Timeline) First(step, event string) time.Time {
	if t == nil {
		return time.Time{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return first(t.marks, step, event)
}

func first(marks []Mark, step, event string) time.Time {
	var at time.Time
	for _, m := range marks {
		if m.Step == step && m.Event == event && (at.IsZero() || m.At.Before(at)) {
			at = m.At
		}
	}
	return at
}

func last(marks []Mark, step, event string) time.Time {
	var at time.Time
	for _, m := range marks {
		if m.Step == step && m.Event == event && m.At.After(at) {
			at = m.At
		}
	}
	return at
}

// Breakdown is the outage in parts (milliseconds). The JSON names of the
// five parts are a contract (`rehearse -o json`, `apply -o json`).
type Breakdown struct {
	// IsolateMS: from the isolate's first configuration line to its
	// commit (the last switch's, when several switches isolate at once).
	IsolateMS float64 `json:"isolate_ms"`
	// AbsenceMS: the absence proof before promote.
	AbsenceMS float64 `json:"absence_ms"`
	// PromoteMS: from the promote's first configuration line to its commit.
	PromoteMS float64 `json:"promote_ms"`
	// AnnounceMS: from the announcement of the new bindings to the first
	// answer after it (in a rehearsal the gateway's first answered ping;
	// in a real run one round trip the guard measured on the LAN).
	AnnounceMS float64 `json:"announce_ms"`
	// FloorMS is the sum of the four parts.
	FloorMS float64 `json:"floor_ms"`
	// RTTMS is the round trip the guard measured (median of the answers
	// to its requests), WindowMS the quiet window the absence proof used.
	RTTMS    float64 `json:"rtt_ms"`
	WindowMS float64 `json:"window_ms"`
	// OutageMS is the outage the breakdown is set against: measured by a
	// rehearsal's pings, or, in a real run, estimated as the time from
	// the isolate's first configuration line to the announcement plus
	// AnnounceMS.
	OutageMS float64 `json:"outage_ms"`
	// Ratio is OutageMS / FloorMS.
	Ratio float64 `json:"ratio"`
	// Estimated: OutageMS is the estimate of a real run, not a measurement.
	Estimated bool `json:"estimated,omitempty"`
}

// Breakdown computes the parts for a plan whose steps isolate and
// promote are named so. firstAnswer is the first answer after the
// announcement where one was observed (a rehearsal's pinger); zero means
// one round trip. measured is the outage observed (a rehearsal's longest
// gap between answers); zero means the estimate. It returns nil when the
// run did not reach the announcement (nothing to break down).
func (t *Timeline) Breakdown(isolate, promote string, firstAnswer time.Time, measured time.Duration) *Breakdown {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	marks := append([]Mark(nil), t.marks...)
	rtt, window := t.rtt, t.window
	t.mu.Unlock()
	isoStart, isoEnd := first(marks, isolate, Configuring), last(marks, isolate, Committed)
	absStart, absEnd := last(marks, promote, AbsenceStart), last(marks, promote, AbsenceEnd)
	proStart, proEnd := first(marks, promote, Configuring), last(marks, promote, Committed)
	announced := first(marks, promote, Announced)
	if isoStart.IsZero() || isoEnd.IsZero() || proStart.IsZero() || proEnd.IsZero() || announced.IsZero() {
		return nil
	}
	b := &Breakdown{
		IsolateMS: ms(isoEnd.Sub(isoStart)),
		PromoteMS: ms(proEnd.Sub(proStart)),
		RTTMS:     ms(rtt),
		WindowMS:  ms(window),
	}
	if !absStart.IsZero() && absEnd.After(absStart) {
		b.AbsenceMS = ms(absEnd.Sub(absStart))
	}
	if !firstAnswer.IsZero() && firstAnswer.After(announced) {
		b.AnnounceMS = ms(firstAnswer.Sub(announced))
	} else {
		b.AnnounceMS = ms(rtt)
	}
	b.FloorMS = round(b.IsolateMS + b.AbsenceMS + b.PromoteMS + b.AnnounceMS)
	if measured > 0 {
		b.OutageMS = ms(measured)
	} else {
		b.OutageMS = round(ms(announced.Sub(isoStart)) + b.AnnounceMS)
		b.Estimated = true
	}
	if b.FloorMS > 0 {
		b.Ratio = math.Round(b.OutageMS/b.FloorMS*100) / 100
	}
	return b
}

// ms is d in milliseconds, to a tenth.
func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

func round(v float64) float64 { return math.Round(v*10) / 10 }
