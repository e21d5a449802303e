package prober

import "time"

// IgnoreBefore tells the prober that frames the kernel received before t
// are no evidence for the Presence and Absence calls that start from now
// on: a guard check judges the state after a switch change, so only
// answers captured after that change was read back may count (an answer
// captured just before the change but read a moment after it would
// otherwise pass for an owner that is in fact gone). Such frames still
// keep the ACD rate limit's account of live hosts. t never moves back.
func (p *Prober) IgnoreBefore(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.fresh) {
		p.fresh = t
	}
}
