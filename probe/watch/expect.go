package watch

import (
	"net/netip"
	"slices"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
)

// An expectation holds from a point in time: when a switch change moves a
// host out of a VLAN, the guard expects nobody there from the moment the
// change was read back, and a frame the capture took before that moment —
// read a little later on a busy machine — is judged by what was expected
// when it was captured, not by the new expectation. Frames carry their
// capture time (the AF_PACKET ring's timestamp), so the judgement does not
// depend on when the analyzer gets to them.

// expectation is what the guard allows at one (VLAN, IP) from since on.
type expectation struct {
	since time.Time
	macs  []arpframe.MAC
}

// expectations are one key's, oldest first.
type expectations []expectation

// keepExpectations bounds a key's history: the guard changes a key's
// expectation a few times per run.
const keepExpectations = 8

// at returns the expectation that held at t; ok is false when none did
// (the frame predates guard mode).
func (e expectations) at(t time.Time) (exp expectation, ok bool) {
	for i := len(e) - 1; i >= 0; i-- {
		if !t.Before(e[i].since) {
			return e[i], true
		}
	}
	return expectation{}, false
}

// with adds x: it replaces the expectations from its start on.
func (e expectations) with(x expectation) expectations {
	out := slices.DeleteFunc(slices.Clone(e), func(o expectation) bool { return !o.since.Before(x.since) })
	out = append(out, x)
	if len(out) > keepExpectations {
		out = out[len(out)-keepExpectations:]
	}
	return out
}

// expectFlag is an unexpected MAC already reported under the
// expectation that started at since.
type expectFlag struct {
	mac   arpframe.MAC
	since time.Time
}

// ExpectSince is Expect for the frames captured at or after since; a frame
// captured earlier is judged by the expectation that held then.
func (a *Analyzer) ExpectSince(vlan int, ip netip.Addr, macs []arpframe.MAC, since time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.binding(Key{vlan, ip})
	cb := b.c()
	b.guarded = true
	cb.expect = cb.expect.with(expectation{since: since, macs: slices.Clone(macs)})
	cb.flagged = slices.DeleteFunc(cb.flagged, func(f expectFlag) bool { return !f.since.Before(since) })
}

// Left tells the analyzer that macs no longer hold ip in vlan: a switch
// change that took them out of the VLAN has been read back. Their claims
// are forgotten, so the next MAC to claim the address (a rollback
// bringing the previous owner back) is a clean change of owner, not a
// flip-flop with them; should they claim it again, that is judged anew.
func (a *Analyzer) Left(vlan int, ip netip.Addr, macs []arpframe.MAC) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.bindings[keyOf(Key{vlan, ip})]
	if b == nil {
		return
	}
	b.claims = slices.DeleteFunc(b.claims, func(c claim) bool { return slices.Contains(macs, c.mac) })
	if slices.Contains(macs, b.owner) {
		b.owner = arpframe.MAC{}
		if n := len(b.claims); n > 0 {
			b.owner = b.claims[n-1].mac
		}
	}
}
