package guard

import (
	"fmt"
	"time"

	"github.com/cutover-net/cutover/probe/prober"
)

// The quiet window of an absence proof. A host that holds an address
// answers an ARP request or probe for it (RFC 826; RFC 5227 §2.1.1 makes
// that ordinary reply the defence) and a neighbour solicitation or
// duplicate-address-detection probe for it (RFC 4861 §7.2.4, RFC 4862
// §5.4.3) as soon as its stack processes the frame: the protocols delay
// only answers for anycast addresses and proxied ones (RFC 4861 §7.2.7,
// §7.2.8: up to MAX_ANYCAST_DELAY_TIME, 1 s), and the inventory refuses
// anycast addresses. So a live owner's answer arrives one round trip —
// the wire both ways and the owner's stack — after a probe reaches it.
// The prober measures exactly that round trip on the answers of the very
// hosts the proof is about (the preflight asks them), and the proof
// probes again every interval through the window, so a lost probe costs
// one interval, not the proof.
const (
	// DefaultWindow is the window unless the inventory sets one: two
	// orders of magnitude above a LAN's round trip, and room for ten
	// rounds of probes.
	DefaultWindow = 100 * time.Millisecond
	// MinWindow is the shortest window used whatever the round trips
	// measured: a loaded host may leave a frame waiting for a scheduler
	// period or two before its stack answers it.
	MinWindow = 20 * time.Millisecond
	// rttFactor is how many of the slowest round trips measured a window
	// lasts at least: an owner may answer that many times more slowly than
	// it did a moment before.
	rttFactor = 4
)

// window is the quiet window of an absence proof in vlan, with the round
// trips it rests on and, when it is not the configured one, why: a
// window shorter than rttFactor times the slowest round trip measured (or
// MinWindow) is raised to it, and without any round trip measured a
// window shorter than DefaultWindow is raised to that.
func (g *Guard) window(vlan int) (time.Duration, prober.RTT, string) {
	rtt := g.rtt(vlan)
	w, why := justifiedWindow(g.cfg.Window, rtt)
	return w, rtt, why
}

// justifiedWindow is the window to use for a configured one, given the
// round trips measured, and why it differs ("" when it does not).
func justifiedWindow(w time.Duration, rtt prober.RTT) (time.Duration, string) {
	if rtt.Samples == 0 {
		if w < DefaultWindow {
			return DefaultWindow, fmt.Sprintf("raised from %s: no round trip measured yet", w)
		}
		return w, ""
	}
	if justified := max(MinWindow, rttFactor*rtt.Max); w < justified {
		return justified, fmt.Sprintf("raised from %s to %d× the slowest of %d round trips measured, at least %s", w, rttFactor, rtt.Samples, MinWindow)
	}
	return w, ""
}

// rtt is the round trip the prober measured in vlan, or on any VLAN when
// it has asked nobody there yet.
func (g *Guard) rtt(vlan int) prober.RTT {
	if r := g.cfg.Prober.RTT(vlan); r.Samples > 0 {
		return r
	}
	return g.cfg.Prober.RTT(0)
}

// describeRTT says what round trips the prober measured ("" if none).
func describeRTT(r prober.RTT) string {
	if r.Samples == 0 {
		return ""
	}
	return fmt.Sprintf("; LAN round trip %s median, %s max over %d answers", r.Median.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), r.Samples)
}
