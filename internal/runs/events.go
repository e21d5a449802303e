package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
)

// Event kinds besides the engine's own (step-start, batch-done,
// batch-failed, step-done, confirmed, rollback-start, rollback-done,
// journal-failed, and for trials trial-cancelled, trial-reverted,
// trial-wait, trial-verified, trial-off; switch-note), which keep their engine.Event
// kind.
const (
	EventJournal  = "journal"   // the run's journal is open: Text is its file
	EventGuardOff = "guard-off" // the run goes on without the guard
	EventGuard    = "guard"     // a line from the guard: Text
	EventCheck    = "check"     // a guard check: Check
	EventNote     = "note"      // what a recovery or rollback found or decided: Text
	EventHalt     = "halt"      // a halt was requested: Text is the reason
	EventEnd      = "end"       // the run's result: Result; always the last event
)

// DefaultEventBuffer is how many of a run's latest events are kept for
// subscribers by default: far more than a cut-over of a thousand ports
// emits.
const DefaultEventBuffer = 1 << 16

// ErrCutOff is the error of a subscriber that fell so far behind that the
// events it had not read yet were dropped.
var ErrCutOff = errors.New("runs: cut off: events were dropped before this subscriber read them")

// Event is one thing that happened in a run, numbered in order (Seq from
// 1, one by one): what every subscriber sees, in the same order.
type Event struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	// The engine's events: the step, switch, moves, duration and error.
	Step     string        `json:"step,omitempty"`
	Switch   string        `json:"switch,omitempty"`
	Moves    int           `json:"moves,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	Error    string        `json:"error,omitempty"`
	Text     string        `json:"text,omitempty"`
	Check    *guard.Check  `json:"check,omitempty"`
	Result   *Result       `json:"result,omitempty"`
	// Engine is the engine's event itself (engine kinds only).
	Engine *engine.Event `json:"-"`
}

// fromEngine turns an engine event into a run event.
func fromEngine(ev engine.Event) Event {
	out := Event{Time: ev.Time, Kind: ev.Kind, Step: ev.Step, Switch: ev.Switch, Moves: ev.Moves, Duration: ev.Duration, Engine: &ev}
	if ev.Err != nil {
		out.Error = ev.Err.Error()
	}
	return out
}

// eventLog is a run's events: appended by the run, read by any number of
// subscribers at their own pace. Publishing never waits for a reader, and
// costs the run the same whatever their number: waking the waiting readers
// is the work of a goroutine of the log's own.
type eventLog struct {
	mu     sync.RWMutex
	limit  int
	first  uint64 // Seq of events[0]
	events []Event
	closed bool
	wake   chan struct{} // closed (and replaced) by the waker, and closed by close
	kick   chan struct{} // something new for the waker (never closed)
}

func newEventLog(limit int) *eventLog {
	if limit <= 0 {
		limit = DefaultEventBuffer
	}
	l := &eventLog{limit: limit, first: 1, wake: make(chan struct{}), kick: make(chan struct{}, 1)}
	go l.waker()
	return l
}

// waker wakes the waiting readers after publishes (several publishes in
// a row may share one wake-up) until the log is closed.
func (l *eventLog) waker() {
	for range l.kick {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return
		}
		wake := l.wake
		l.wake = make(chan struct{})
		l.mu.Unlock()
		close(wake)
	}
}

// nudge tells the waker, without waiting: a wake-up already pending will do.
func (l *eventLog) nudge() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// publish appends ev, numbering it; after close it is dropped. Once the
// log holds twice its limit, the older half goes.
func (l *eventLog) publish(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	ev.Seq = l.first + uint64(len(l.events))
	l.events = append(l.events, ev)
	if len(l.events) >= 2*l.limit {
		n := copy(l.events, l.events[l.limit:])
		clear(l.events[n:])
		l.events = l.events[:n]
		l.first += uint64(l.limit)
	}
	l.mu.Unlock()
	l.nudge()
}

// close ends the log: readers get io.EOF after its last event, and the
// waker stops.
func (l *eventLog) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.wake)
	}
	l.mu.Unlock()
	l.nudge()
}

// get returns the event numbered seq, waiting for it until ctx ends.
func (l *eventLog) get(ctx context.Context, seq uint64) (Event, error) {
	for {
		l.mu.RLock()
		if seq < l.first {
			missed := l.first - seq
			l.mu.RUnlock()
			return Event{}, fmt.Errorf("%w (%d events)", ErrCutOff, missed)
		}
		if i := seq - l.first; i < uint64(len(l.events)) {
			ev := l.events[i]
			l.mu.RUnlock()
			return ev, nil
		}
		if l.closed {
			l.mu.RUnlock()
			return Event{}, io.EOF
		}
		wake := l.wake
		l.mu.RUnlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return Event{}, context.Cause(ctx)
		}
	}
}

// Subscription reads a run's events in order.
type Subscription struct {
	log  *eventLog
	next uint64
}

// Subscribe follows the run's events from the one after Seq after: 0 for
// all of them from the first (a subscriber never misses what happened
// before it came), a client's last seen Seq to resume. Subscribers cost
// the run nothing: it never waits for one.
func (r *Run) Subscribe(after uint64) *Subscription {
	return &Subscription{log: r.events, next: after + 1}
}

// Next returns the next event, waiting for it until ctx ends. After the
// run's last event (EventEnd) it returns io.EOF; a subscriber that fell
// more than the run's event buffer behind gets an error wrapping
// ErrCutOff, for good.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	ev, err := s.log.get(ctx, s.next)
	if err == nil {
		s.next++
	}
	return ev, err
}

// Follow calls fn with every event of the run, in order, from the first,
// and returns once fn has seen the last one (or with ErrCutOff if fn was
// so slow that events were dropped).
func (r *Run) Follow(fn func(Event)) error {
	sub := r.Subscribe(0)
	for {
		ev, err := sub.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(ev)
	}
}
