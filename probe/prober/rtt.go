package prober

import (
	"slices"
	"time"
)

// maxRTTSamples is how many of the latest round trips the prober keeps.
const maxRTTSamples = 512

type rttSample struct {
	vlan int
	d    time.Duration
}

// RTT summarises round trips measured on a VLAN: from the moment
// Presence first asked for an address in a call to the moment the
// prober read the first answer (a request that had to be repeated counts
// from the first one, so a loss makes the figure larger, never smaller).
// It includes the answering host's stack and the prober's reader.
type RTT struct {
	Samples int           `json:"samples"`
	Min     time.Duration `json:"min"`
	Median  time.Duration `json:"median"`
	Max     time.Duration `json:"max"`
}

// sampleRTT keeps one round trip (p.mu held).
func (p *Prober) sampleRTT(vlan int, d time.Duration) {
	if len(p.rtts) == maxRTTSamples {
		p.rtts = p.rtts[1:]
	}
	p.rtts = append(p.rtts, rttSample{vlan, d})
}

// RTT summarises the latest round trips measured in vlan (0: in every
// VLAN); zero Samples when none were.
func (p *Prober) RTT(vlan int) RTT {
	p.mu.Lock()
	var ds []time.Duration
	for _, s := range p.rtts {
		if vlan == 0 || s.vlan == vlan {
			ds = append(ds, s.d)
		}
	}
	p.mu.Unlock()
	if len(ds) == 0 {
		return RTT{}
	}
	slices.Sort(ds)
	return RTT{Samples: len(ds), Min: ds[0], Median: ds[len(ds)/2], Max: ds[len(ds)-1]}
}
