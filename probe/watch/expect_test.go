package watch

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
)

// A frame captured before the guard's expectation changed, but analysed
// after, is judged by the expectation that held when it was captured.
func TestExpectSinceJudgesByCaptureTime(t *testing.T) {
	var events []Event
	a := New(Config{OnEvent: func(e Event) { events = append(events, e) }})
	ip := netip.MustParseAddr("192.168.66.30")
	old := arpframe.MAC{0x02, 0, 0, 0, 0, 1}
	foreign := arpframe.MAC{0x02, 0, 0, 0, 0, 9}
	t0 := time.Now()
	a.Expect(66, ip, []arpframe.MAC{old})
	readBack := t0.Add(time.Second) // the old system left VLAN 66 then
	a.ExpectSince(66, ip, nil, readBack)
	claim := func(at time.Time, mac arpframe.MAC) {
		a.Observe(at, &arpframe.Packet{Op: arpframe.OpReply, VLAN: 66, EthSrc: mac, SenderIP: ip, SenderMAC: mac, TargetIP: netip.MustParseAddr("192.168.66.1")})
	}
	claim(readBack.Add(-time.Millisecond), old) // captured before, analysed now
	if n := a.Conflicts(); n != 0 {
		t.Fatalf("a frame captured before the change was judged by the new expectation: %+v", events)
	}
	claim(readBack.Add(-time.Millisecond), foreign) // not allowed before either
	if n := a.Conflicts(); n == 0 {
		t.Fatal("a foreign claim before the change went unnoticed")
	}
	events = nil
	claim(readBack.Add(time.Millisecond), old)
	found := false
	for _, e := range events {
		found = found || e.Kind == KindUnexpected && e.Reason == "answers in VLAN where the guard expects nobody"
	}
	if !found {
		t.Fatalf("the old system answering after the change: %+v", events)
	}
	// A frame from before any expectation is not judged by one.
	b := New(Config{})
	b.ExpectSince(66, ip, nil, readBack)
	b.Observe(t0, &arpframe.Packet{Op: arpframe.OpReply, VLAN: 66, EthSrc: old, SenderIP: ip, SenderMAC: old, TargetIP: netip.MustParseAddr("192.168.66.1")})
	if n := b.Conflicts(); n != 0 {
		t.Fatalf("judged before guard mode: %d", n)
	}
}

func TestExpectationsReplaceFromTheirStart(t *testing.T) {
	t0 := time.Now()
	var e expectations
	for i := range 12 {
		e = e.with(expectation{since: t0.Add(time.Duration(i) * time.Second), macs: []arpframe.MAC{{byte(i)}}})
	}
	if len(e) != keepExpectations {
		t.Fatalf("kept %d", len(e))
	}
	// A new expectation starting earlier than some replaces them.
	e = e.with(expectation{since: t0.Add(5500 * time.Millisecond)})
	if got, ok := e.at(t0.Add(11 * time.Second)); !ok || len(got.macs) != 0 {
		t.Fatalf("at 11 s: %+v %v", got, ok)
	}
	if got, ok := e.at(t0.Add(5 * time.Second)); !ok || got.macs[0][0] != 5 {
		t.Fatalf("at 5 s: %+v %v", got, ok)
	}
	if _, ok := e.at(t0); ok {
		t.Fatal("before the oldest kept expectation")
	}
}

// A MAC that left the VLAN by plan and the previous owner coming back is
// a change of owner, not a flip-flop.
func TestLeftIsNoFlipFlop(t *testing.T) {
	ip := netip.MustParseAddr("192.168.66.30")
	old := arpframe.MAC{0x02, 0, 0, 0, 0, 1}
	incoming := arpframe.MAC{0x02, 0, 0, 0, 0, 2}
	claim := func(a *Analyzer, at time.Time, mac arpframe.MAC) {
		a.Observe(at, &arpframe.Packet{Op: arpframe.OpReply, VLAN: 66, EthSrc: mac, SenderIP: ip, SenderMAC: mac, TargetIP: netip.MustParseAddr("192.168.66.1")})
	}
	t0 := time.Now()
	for _, left := range []bool{false, true} {
		a := New(Config{})
		claim(a, t0, old)
		claim(a, t0.Add(time.Second), incoming) // promote
		if left {
			a.Left(66, ip, []arpframe.MAC{incoming}) // its undo, read back
		}
		claim(a, t0.Add(2*time.Second), old) // the old system restored
		if got := a.Conflicts(); (got != 0) != !left {
			t.Errorf("left=%v: %d conflicts", left, got)
		}
		if left {
			claim(a, t0.Add(2050*time.Millisecond), incoming) // it did not leave after all
			if a.Conflicts() == 0 {
				t.Error("a MAC that claims again after leaving went unnoticed")
			}
		}
	}
}
