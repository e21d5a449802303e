package prober

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
)

// An answer the kernel received before IgnoreBefore's time is no evidence
// for a check that starts after it, however late the reader hands it on;
// it still counts for the ACD rate limit.
func TestIgnoreBefore(t *testing.T) {
	p := newProber(Config{}, arpframe.MAC{0x02, 0, 0, 0, 0, 0xff})
	ip := netip.MustParseAddr("192.168.66.30")
	old := arpframe.MAC{0x02, 0, 0, 0, 0, 1}
	readBack := time.Now()
	p.IgnoreBefore(readBack)
	p.IgnoreBefore(readBack.Add(-time.Hour)) // never moves back
	w := p.register(66, []netip.Addr{ip}, true)
	p.deliver(66, ip, old, readBack.Add(-time.Millisecond))
	if n := p.answered(w); n != 0 {
		t.Fatalf("a frame captured before the read-back counted: %v", w.owners)
	}
	if l := p.limits[key{66, ip}]; l == nil || l.lastAnswer.IsZero() {
		t.Fatal("the rate limiter did not hear the live host")
	}
	p.deliver(66, ip, old, readBack.Add(time.Millisecond))
	if owners := p.unregister(w); len(owners[ip]) != 1 {
		t.Fatalf("a frame captured after the read-back: %v", owners)
	}
	// The same for another station's IPv6 duplicate-address-detection
	// probe (an owner in the making, for absence proofs).
	ip6 := netip.MustParseAddr("fd66::30")
	w = p.register(66, []netip.Addr{ip6}, true)
	p.deliverProbe(66, ip6, old, readBack.Add(-time.Millisecond))
	if n := p.answered(w); n != 0 {
		t.Fatalf("a probe captured before the read-back counted: %v", w.owners)
	}
	p.deliverProbe(66, ip6, old, readBack.Add(time.Millisecond))
	if owners := p.unregister(w); len(owners[ip6]) != 1 {
		t.Fatalf("a probe captured after the read-back: %v", owners)
	}
}
