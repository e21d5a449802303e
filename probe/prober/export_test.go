package prober

import "github.com/cutover-net/cutover/probe/ndpframe"

// Nonce exposes the prober's RFC 7527 nonce to tests, which loop a probe
// back to it.
func (p *Prober) Nonce() ndpframe.Nonce { return p.nonce }
