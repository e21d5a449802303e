package pinger

import (
	"net/netip"
	"testing"
	"time"
)

func TestLongestGap(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return out
	}
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	cases := []struct {
		replies  []time.Time
		from, to time.Time
		want     time.Duration
	}{
		{at(0, 10, 20, 30), ms(0), ms(30), 10 * time.Millisecond},
		{at(0, 10, 520, 530), ms(5), ms(530), 510 * time.Millisecond},        // outage inside
		{at(0, 10, 20), ms(15), ms(1000), 980 * time.Millisecond},            // still down at the end
		{nil, ms(0), ms(250), 250 * time.Millisecond},                        // never answered
		{at(0, 10, 900, 910, 920), ms(300), ms(920), 600 * time.Millisecond}, // window starts mid-outage
		{at(0, 100, 200), ms(0), ms(150), 100 * time.Millisecond},            // replies after the window ignored
	}
	for i, c := range cases {
		if got := LongestGap(c.replies, c.from, c.to); got != c.want {
			t.Errorf("case %d: %v, want %v", i, got, c.want)
		}
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New(nil, nil, 0); err == nil {
		t.Fatal("zero interval accepted")
	}
}

func TestNewDualStackNeedsTheFamilysSocket(t *testing.T) {
	v6 := []netip.Addr{netip.MustParseAddr("fd66::30")}
	if _, err := New(nil, v6, time.Second); err == nil {
		t.Fatal("an IPv6 target accepted without an IPv6 socket")
	}
	if _, err := NewDualStack(nil, nil, []netip.Addr{netip.MustParseAddr("192.168.66.30")}, time.Second); err == nil {
		t.Fatal("an IPv4 target accepted without an IPv4 socket")
	}
	if _, err := NewDualStack(nil, nil, []netip.Addr{netip.MustParseAddr("fe80::1%eth1")}, time.Second); err == nil {
		t.Fatal("a link-local target accepted")
	}
}
