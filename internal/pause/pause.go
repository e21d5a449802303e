// Package pause notices when the process was not running: stopped by
// SIGSTOP (or a debugger), frozen with its container or VM, or asleep with
// a suspended machine. A run that was stopped while a switch held a step
// on trial cannot trust what it saw before the stop — the switch may have
// reverted the step meanwhile — so it must read the switch again before
// it announces or confirms anything.
//
// Two signs are watched. A heartbeat goroutine ticks every Interval; a
// tick that arrives much later than due means the process did not run in
// between (SIGSTOP stops every thread, the heartbeat's too). And the wall
// clock running ahead of the monotonic clock means the machine was
// suspended: Linux's CLOCK_MONOTONIC, which Go's monotonic readings use,
// does not count a suspend, the wall clock does.
//
// A loaded machine also delays a tick; a false alarm only costs the
// caller a re-read of the switch, never a wrong conclusion.
package pause

import (
	"sync"
	"time"
)

// Interval is the heartbeat's period.
const Interval = 50 * time.Millisecond

// Threshold is how late a heartbeat must be (or how far the wall clock
// must run ahead) to count as a stop.
const Threshold = time.Second

// keep is how many stops are remembered.
const keep = 64

// Stop is a time the process did not run.
type Stop struct {
	// Resumed is when the process ran again; Length how long it had not.
	Resumed time.Time
	Length  time.Duration
}

// Watch watches the process. The zero value is not usable: use Start.
type Watch struct {
	done chan struct{}
	wg   sync.WaitGroup
	// now reads the clocks: a reading with its monotonic part, and the
	// wall clock alone.
	now func() (mono, wall time.Time)

	mu       sync.Mutex
	last     time.Time // the last heartbeat (monotonic reading)
	lastWall time.Time // and the wall clock then
	stops    []Stop
}

// Start starts watching; Close stops it.
func Start() *Watch {
	w := newWatch(func() (time.Time, time.Time) { t := time.Now(); return t, t.Round(0) })
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				w.beat()
			}
		}
	}()
	return w
}

func newWatch(now func() (mono, wall time.Time)) *Watch {
	w := &Watch{done: make(chan struct{}), now: now}
	w.last, w.lastWall = now()
	return w
}

// Close stops the heartbeat.
func (w *Watch) Close() {
	close(w.done)
	w.wg.Wait()
}

// beat records one heartbeat and any stop it reveals.
func (w *Watch) beat() {
	now, wall := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	mono := now.Sub(w.last)
	if late := mono - Interval; late >= Threshold {
		w.add(Stop{Resumed: now, Length: late})
	}
	// Wall-clock time elapsed beyond the monotonic time: a suspend (or
	// the clock set forward, which is as good a reason to look again).
	if d := wall.Sub(w.lastWall) - mono; d >= Threshold {
		w.add(Stop{Resumed: now, Length: d})
	}
	w.last, w.lastWall = now, wall
}

func (w *Watch) add(s Stop) {
	w.stops = append(w.stops, s)
	if len(w.stops) > keep {
		w.stops = w.stops[len(w.stops)-keep:]
	}
}

// Since reports the longest stop that ended after t, or that is still
// going on (the heartbeat has not run since the process resumed: the
// caller may be the first goroutine to run after a SIGCONT). ok is false
// when there was none.
func (w *Watch) Since(t time.Time) (Stop, bool) {
	now, _ := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	var worst Stop
	for _, s := range w.stops {
		if s.Resumed.After(t) && s.Length > worst.Length {
			worst = s
		}
	}
	if late := now.Sub(w.last) - Interval; late >= Threshold && late > worst.Length {
		worst = Stop{Resumed: now, Length: late}
	}
	return worst, worst.Length > 0
}

// Stops lists the stops remembered, oldest first.
func (w *Watch) Stops() []Stop {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Stop(nil), w.stops...)
}
