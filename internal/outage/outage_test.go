package outage

import (
	"testing"
	"time"
)

func TestBreakdown(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }
	tl := &Timeline{}
	// Two switches isolate at once: the part runs from the first line
	// of either to the last commit.
	tl.Mark("isolate", "sw1", Configuring, at(10))
	tl.Mark("isolate", "sw3", Configuring, at(12))
	tl.Mark("isolate", "sw1", Committed, at(40))
	tl.Mark("isolate", "sw3", Committed, at(55))
	tl.Mark("isolate", "sw1", ReadBack, at(70))
	// The preflight's and the park's proofs are not the promote's.
	tl.Mark("preflight", "", AbsenceStart, at(-400))
	tl.Mark("preflight", "", AbsenceEnd, at(-300))
	tl.Mark("promote", "", AbsenceStart, at(75))
	tl.Mark("promote", "", AbsenceEnd, at(175))
	tl.Mark("promote", "sw2", Configuring, at(180))
	tl.Mark("promote", "sw2", Committed, at(210))
	tl.Mark("promote", "", Announced, at(212))
	tl.Mark("park", "", AbsenceStart, at(300))
	tl.Mark("park", "", AbsenceEnd, at(400))
	tl.Proof(800*time.Microsecond, 100*time.Millisecond)

	b := tl.Breakdown("isolate", "promote", at(219.5), 250*time.Millisecond)
	want := Breakdown{IsolateMS: 45, AbsenceMS: 100, PromoteMS: 30, AnnounceMS: 7.5, FloorMS: 182.5, RTTMS: 0.8, WindowMS: 100, OutageMS: 250, Ratio: 1.37}
	if b == nil || *b != want {
		t.Fatalf("breakdown %+v, want %+v", b, want)
	}
	// A real run has no pinger: announce to answer is one round trip,
	// the outage from the first line to the announcement plus it.
	b = tl.Breakdown("isolate", "promote", time.Time{}, 0)
	if b.AnnounceMS != 0.8 || !b.Estimated || b.OutageMS != 202.8 || b.FloorMS != 175.8 {
		t.Fatalf("estimated breakdown %+v", b)
	}
	// An answer before the announcement is not the one that ends the outage.
	if b := tl.Breakdown("isolate", "promote", at(200), 0); b.AnnounceMS != 0.8 {
		t.Fatalf("an answer before the announcement was taken: %+v", b)
	}
}

func TestNoBreakdownWithoutAnnouncement(t *testing.T) {
	tl := &Timeline{}
	now := time.Now()
	tl.Mark("isolate", "sw1", Configuring, now)
	tl.Mark("isolate", "sw1", Committed, now)
	tl.Mark("promote", "sw2", Configuring, now)
	tl.Mark("promote", "sw2", Committed, now)
	if b := tl.Breakdown("isolate", "promote", time.Time{}, 0); b != nil {
		t.Fatalf("a run that never announced has a breakdown: %+v", b)
	}
	var none *Timeline
	none.Mark("isolate", "sw1", Committed, now) // a nil timeline ignores marks
	if none.Breakdown("isolate", "promote", now, time.Second) != nil || !none.First("isolate", Committed).IsZero() {
		t.Fatal("a nil timeline breaks something down")
	}
}
