package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// TestEventLogOrderResumeAndCutOff: readers see the events in publish
// order, numbered from 1; a reader resumes after any Seq; one that falls
// more than the buffer behind is cut off for good while the others go on;
// publishing never waits for anyone.
func TestEventLogOrderResumeAndCutOff(t *testing.T) {
	for _, limit := range []int{1, 3, 64} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			l := newEventLog(limit)
			r := &Run{events: l}
			slow := r.Subscribe(0) // never reads until the end
			var wg sync.WaitGroup
			got := make([][]uint64, 3)
			for i := range got {
				sub := r.Subscribe(0)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						ev, err := sub.Next(context.Background())
						if errors.Is(err, io.EOF) {
							return
						}
						if err != nil {
							// A reader may lag under load; it must then be
							// told, not fed a gap.
							if !errors.Is(err, ErrCutOff) {
								t.Errorf("reader %d: %v", i, err)
							}
							got[i] = append(got[i], 0)
							return
						}
						got[i] = append(got[i], ev.Seq)
					}
				}()
			}
			const n = 500
			for i := 1; i <= n; i++ {
				l.publish(Event{Kind: EventNote, Text: fmt.Sprint(i)})
			}
			l.close()
			l.publish(Event{Kind: EventNote, Text: "after close"}) // dropped
			wg.Wait()
			for i, seqs := range got {
				for j, s := range seqs {
					if s == 0 && j == len(seqs)-1 {
						break // cut off, said so
					}
					if s != uint64(j+1) {
						t.Fatalf("reader %d: event %d has Seq %d", i, j, s)
					}
				}
			}
			// The reader that never read lost the oldest events: cut off,
			// and it stays cut off.
			for range 2 {
				if _, err := slow.Next(context.Background()); !errors.Is(err, ErrCutOff) {
					t.Fatalf("slow reader: %v, want ErrCutOff", err)
				}
			}
			// Resuming after the last Seq: nothing more, the log has ended.
			if _, err := r.Subscribe(n).Next(context.Background()); !errors.Is(err, io.EOF) {
				t.Fatalf("after the last event: %v", err)
			}
			// At least the last `limit` events are kept for late readers.
			sub := r.Subscribe(n - uint64(limit))
			for want := n - limit + 1; want <= n; want++ {
				ev, err := sub.Next(context.Background())
				if err != nil || ev.Text != fmt.Sprint(want) {
					t.Fatalf("late reader: %+v %v, want event %d", ev, err, want)
				}
			}
		})
	}
}

// TestNextEndsWithItsContext: a reader waiting for the next event stops
// when its own context ends, with that context's cause.
func TestNextEndsWithItsContext(t *testing.T) {
	r := &Run{events: newEventLog(0)}
	defer r.events.close()
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("client went away")
	done := make(chan error, 1)
	go func() {
		_, err := r.Subscribe(0).Next(ctx)
		done <- err
	}()
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("Next: %v, want %v", err, cause)
	}
}

// BenchmarkPublish measures what publishing one event costs the run, with
// 0, 1 and 1,000 subscribers waiting for it (the daemon's SSE clients).
// Events come one at a time, as in a run (a step emits a handful), and
// only the time spent in publish is counted.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{0, 1, 1000} {
		b.Run(fmt.Sprintf("%d-subscribers", n), func(b *testing.B) {
			l := newEventLog(0)
			r := &Run{events: l}
			var wg sync.WaitGroup
			var read sync.WaitGroup
			for range n {
				sub := r.Subscribe(0)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						if _, err := sub.Next(context.Background()); err != nil {
							return
						}
						read.Done()
					}
				}()
			}
			var publishing time.Duration
			b.ResetTimer()
			for i := range b.N {
				read.Add(n)
				start := time.Now()
				l.publish(Event{Kind: EventNote, Text: "x", Moves: i})
				publishing += time.Since(start)
				read.Wait() // every subscriber has it: the next event comes to a quiet log
			}
			b.StopTimer()
			b.ReportMetric(float64(publishing.Nanoseconds())/float64(b.N), "ns/publish")
			l.close()
			wg.Wait()
		})
	}
}
