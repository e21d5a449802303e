// Package watch is cutover's passive duplicate-address watcher. An
// Analyzer keeps, per (VLAN, IP), which MAC addresses have claimed the
// address and when, and reports events:
//
//   - conflict: two MACs answer for one address at once — claims from two
//     MACs within Simultaneous of each other, or a MAC reclaiming an address
//     that another MAC took from it within FlipHold (a flip-flop, the mark of
//     RFC 5227 §2.4 ongoing conflicts and of ARP spoofing);
//   - simultaneous-probe: two MACs probing one address (RFC 5227 §2.1.1);
//   - unexpected: in guard mode, a claim from a MAC the guard does not
//     expect in that VLAN (see Expect);
//   - moved: an address changed owner cleanly (the old owner fell silent);
//   - announcement: a gratuitous ARP or unsolicited advertisement;
//   - probe-for-claimed: a probe for an address another MAC holds.
//
// The same Analyzer serves live capture (Capture) and capture files (ReadFile).
package watch

import (
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
)

// Event kinds.
const (
	KindConflict          = "conflict"
	KindSimultaneousProbe = "simultaneous-probe"
	KindUnexpected        = "unexpected"
	KindMoved             = "moved"
	KindAnnouncement      = "announcement"
	KindProbeForClaimed   = "probe-for-claimed"
)

// Event is something the watcher noticed.
type Event struct {
	Time   time.Time  `json:"time"`
	Kind   string     `json:"kind"`
	VLAN   int        `json:"vlan"`
	IP     netip.Addr `json:"ip"`
	MACs   []string   `json:"macs"`
	Reason string     `json:"reason"`
}

// IsConflict reports whether the event means two hosts answer for one address.
func (e Event) IsConflict() bool {
	return e.Kind == KindConflict || e.Kind == KindSimultaneousProbe || e.Kind == KindUnexpected
}

// Config tunes an Analyzer. Zero values take the defaults.
type Config struct {
	// FlipHold: a MAC reclaiming, within this time, an address another MAC
	// took from it is a conflict (default 60 s).
	FlipHold time.Duration
	// Simultaneous: claims from two MACs closer than this are a conflict
	// (default 100 ms; answers to one request arrive within milliseconds).
	Simultaneous time.Duration
	// ProbeWindow: probes from two MACs for one address within this time are
	// a conflict (default 3 s, RFC 5227's probing period).
	ProbeWindow time.Duration
	// Own lists the watcher's own MACs: its probes are not events.
	Own []arpframe.MAC
	// OnEvent, if set, is called for every event, with the analyzer locked:
	// it must not call back into the Analyzer.
	OnEvent func(Event)
	// MaxEvents bounds the events kept for Report (default 10000).
	MaxEvents int
}

// Counters are frame statistics.
type Counters struct {
	Frames     uint64 `json:"frames"`
	ARP        uint64 `json:"arp"`      // including malformed ARP frames
	Requests   uint64 `json:"requests"` // ARP
	Replies    uint64 `json:"replies"`  // ARP
	NDP        uint64 `json:"ndp"`
	Solicits   uint64 `json:"ndp_solicitations"`
	Adverts    uint64 `json:"ndp_advertisements"`
	Probes     uint64 `json:"probes"`
	Gratuitous uint64 `json:"gratuitous"`
	Malformed  uint64 `json:"malformed"`
	Other      uint64 `json:"other"`
	Dropped    uint64 `json:"dropped"` // lost by the capture (kernel drops)
}

// Key identifies an address in a VLAN.
type Key struct {
	VLAN int
	IP   netip.Addr
}

type claim struct {
	mac         arpframe.MAC
	first, last time.Time
	count       int
}

type binding struct {
	owner  arpframe.MAC
	claims []claim // few: usually one
	probe  struct {
		mac arpframe.MAC
		at  time.Time
	}
	conflictMACs []arpframe.MAC
	conflicts    int
	firstConf    time.Time
	lastConf     time.Time
	reasons      []string
}

func (b *binding) claim(m arpframe.MAC) *claim {
	for i := range b.claims {
		if b.claims[i].mac == m {
			return &b.claims[i]
		}
	}
	return nil
}

// Analyzer accumulates bindings and events. It is safe for concurrent use.
type Analyzer struct {
	cfg Config

	mu       sync.Mutex
	counters Counters
	bindings map[Key]*binding
	expect   map[Key]expectations
	flagged  map[expectFlag]bool
	events   []Event
	nEvents  map[string]uint64
}

type expectFlag struct {
	k     Key
	m     arpframe.MAC
	since time.Time // of the expectation that flagged it
}

// New returns an Analyzer.
func New(cfg Config) *Analyzer {
	if cfg.FlipHold <= 0 {
		cfg.FlipHold = 60 * time.Second
	}
	if cfg.Simultaneous <= 0 {
		cfg.Simultaneous = 100 * time.Millisecond
	}
	if cfg.ProbeWindow <= 0 {
		cfg.ProbeWindow = 3 * time.Second
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 10000
	}
	return &Analyzer{cfg: cfg, bindings: map[Key]*binding{}, expect: map[Key]expectations{}, flagged: map[expectFlag]bool{}, nEvents: map[string]uint64{}}
}

// ObserveFrame decodes a captured frame and observes it. vlan is the VLAN
// reported out of band by the capture (PACKET_AUXDATA), or 0; a tag inside
// the frame takes precedence.
func (a *Analyzer) ObserveFrame(t time.Time, linkType int, data []byte, vlan int) {
	var p arpframe.Packet
	err := arpframe.Decode(linkType, data, &p)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counters.Frames++
	switch err {
	case nil:
	case arpframe.ErrMalformed:
		// Counted with its protocol too, as capture tools do.
		a.counters.Malformed++
		if p.NDP {
			a.counters.NDP++
		} else {
			a.counters.ARP++
		}
		return
	default:
		a.counters.Other++
		return
	}
	if p.VLAN == 0 {
		p.VLAN = vlan
	}
	a.observe(t, &p)
}

// Observe records one decoded packet.
func (a *Analyzer) Observe(t time.Time, p *arpframe.Packet) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counters.Frames++
	a.observe(t, p)
}

// AddDropped adds to the count of frames the capture lost.
func (a *Analyzer) AddDropped(n uint64) {
	a.mu.Lock()
	a.counters.Dropped += n
	a.mu.Unlock()
}

func (a *Analyzer) observe(t time.Time, p *arpframe.Packet) {
	c := &a.counters
	switch {
	case p.NDP && p.Op == arpframe.OpRequest:
		c.NDP++
		c.Solicits++
	case p.NDP:
		c.NDP++
		c.Adverts++
	case p.Op == arpframe.OpRequest:
		c.ARP++
		c.Requests++
	default:
		c.ARP++
		c.Replies++
	}
	if p.Probe() {
		c.Probes++
		a.probe(t, p)
		return
	}
	if !p.Claims() {
		return
	}
	if p.Gratuitous() {
		c.Gratuitous++
	}
	a.claim(t, Key{p.VLAN, p.SenderIP}, p.SenderMAC, p.Gratuitous())
}

func (a *Analyzer) emit(e Event) {
	a.nEvents[e.Kind]++
	if len(a.events) < a.cfg.MaxEvents {
		a.events = append(a.events, e)
	}
	if a.cfg.OnEvent != nil {
		a.cfg.OnEvent(e)
	}
}

func (a *Analyzer) binding(k Key) *binding {
	b := a.bindings[k]
	if b == nil {
		b = &binding{}
		a.bindings[k] = b
	}
	return b
}

func (a *Analyzer) claim(t time.Time, k Key, mac arpframe.MAC, gratuitous bool) {
	b := a.binding(k)
	if len(b.claims) == 0 { // new, or known only from probes so far
		b.owner = mac
		b.claims = append(b.claims, claim{mac: mac, first: t, last: t, count: 1})
	} else if mac == b.owner {
		c := b.claim(mac)
		c.last = t
		c.count++
	} else {
		prev := b.claim(b.owner)
		c := b.claim(mac)
		switch {
		case t.Sub(prev.last) < a.cfg.Simultaneous:
			a.conflict(t, k, b, KindConflict, []arpframe.MAC{b.owner, mac}, "claims from two MACs within "+a.cfg.Simultaneous.String())
		case c != nil && t.Sub(c.last) < a.cfg.FlipHold && t.Sub(prev.last) < a.cfg.FlipHold:
			a.conflict(t, k, b, KindConflict, []arpframe.MAC{b.owner, mac}, "flip-flop: "+mac.String()+" reclaimed the address from "+b.owner.String())
		default:
			a.emit(Event{Time: t, Kind: KindMoved, VLAN: k.VLAN, IP: k.IP, MACs: macStrings(b.owner, mac), Reason: "owner changed"})
		}
		if c == nil {
			b.claims = append(b.claims, claim{mac: mac, first: t, last: t, count: 1})
		} else {
			c.last = t
			c.count++
		}
		b.owner = mac
	}
	if gratuitous {
		a.emit(Event{Time: t, Kind: KindAnnouncement, VLAN: k.VLAN, IP: k.IP, MACs: macStrings(mac), Reason: "gratuitous announcement"})
	}
	if exp, ok := a.expect[k].at(t); ok && !slices.Contains(exp.macs, mac) {
		f := expectFlag{k, mac, exp.since}
		if !a.flagged[f] {
			a.flagged[f] = true
			reason := "answers in VLAN where the guard expects nobody"
			if len(exp.macs) > 0 {
				reason = "answers in VLAN where the guard expects only " + joinMACs(exp.macs)
			}
			a.conflict(t, k, b, KindUnexpected, []arpframe.MAC{mac}, reason)
		}
	}
}

// conflict records a conflict of the given kind on b and emits it.
func (a *Analyzer) conflict(t time.Time, k Key, b *binding, kind string, macs []arpframe.MAC, reason string) {
	if b.conflicts == 0 {
		b.firstConf = t
	}
	b.conflicts++
	b.lastConf = t
	for _, m := range macs {
		if !slices.Contains(b.conflictMACs, m) {
			b.conflictMACs = append(b.conflictMACs, m)
		}
	}
	if !slices.Contains(b.reasons, reason) && len(b.reasons) < 8 {
		b.reasons = append(b.reasons, reason)
	}
	a.emit(Event{Time: t, Kind: kind, VLAN: k.VLAN, IP: k.IP, MACs: macStrings(macs...), Reason: reason})
}

func (a *Analyzer) probe(t time.Time, p *arpframe.Packet) {
	if slices.Contains(a.cfg.Own, p.SenderMAC) {
		return
	}
	k := Key{p.VLAN, p.TargetIP}
	b := a.binding(k)
	if b.probe.at.IsZero() || b.probe.mac == p.SenderMAC || t.Sub(b.probe.at) >= a.cfg.ProbeWindow {
		b.probe.mac, b.probe.at = p.SenderMAC, t
	} else {
		a.conflict(t, k, b, KindSimultaneousProbe, []arpframe.MAC{b.probe.mac, p.SenderMAC}, "simultaneous probes")
	}
	if len(b.claims) > 0 && b.owner != p.SenderMAC {
		if c := b.claim(b.owner); t.Sub(c.last) < a.cfg.FlipHold {
			a.emit(Event{Time: t, Kind: KindProbeForClaimed, VLAN: k.VLAN, IP: k.IP, MACs: macStrings(p.SenderMAC, b.owner), Reason: "probe for an address in use"})
		}
	}
}

// Expect puts the analyzer in guard mode for (vlan, ip): from now on a
// claim from any MAC outside macs is an "unexpected" conflict, whenever
// its frame was captured (ExpectSince judges older frames by older
// expectations). An empty macs means nobody may answer there.
func (a *Analyzer) Expect(vlan int, ip netip.Addr, macs []arpframe.MAC) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := Key{vlan, ip}
	a.expect[k] = expectations{{macs: slices.Clone(macs)}}
	for f := range a.flagged {
		if f.k == k {
			delete(a.flagged, f)
		}
	}
}

// Owners returns the MACs that claimed (vlan, ip) at or after since.
func (a *Analyzer) Owners(vlan int, ip netip.Addr, since time.Time) []arpframe.MAC {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.bindings[Key{vlan, ip}]
	if b == nil {
		return nil
	}
	var out []arpframe.MAC
	for _, c := range b.claims {
		if !c.last.Before(since) {
			out = append(out, c.mac)
		}
	}
	return out
}

// Conflicts returns the number of conflict events so far (all kinds).
func (a *Analyzer) Conflicts() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nEvents[KindConflict] + a.nEvents[KindSimultaneousProbe] + a.nEvents[KindUnexpected]
}

// Counters returns the frame statistics.
func (a *Analyzer) Counters() Counters {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counters
}

// BindingCount returns the number of (VLAN, IP) bindings with a claim.
func (a *Analyzer) BindingCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, b := range a.bindings {
		if len(b.claims) > 0 {
			n++
		}
	}
	return n
}

// ClaimReport is one MAC's claims on an address.
type ClaimReport struct {
	MAC   string    `json:"mac"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Count int       `json:"count"`
}

// BindingReport is one (VLAN, IP) and its claimants.
type BindingReport struct {
	VLAN   int           `json:"vlan"`
	IP     netip.Addr    `json:"ip"`
	Owner  string        `json:"owner"`
	Claims []ClaimReport `json:"claims"`
}

// ConflictReport summarises the conflicts on one (VLAN, IP).
type ConflictReport struct {
	VLAN    int        `json:"vlan"`
	IP      netip.Addr `json:"ip"`
	MACs    []string   `json:"macs"`
	First   time.Time  `json:"first"`
	Last    time.Time  `json:"last"`
	Count   int        `json:"count"`
	Reasons []string   `json:"reasons"`
}

// Report is the analyzer's state, as `cutover watch -o json` prints it.
type Report struct {
	Counters
	Bindings    []BindingReport   `json:"bindings"`
	Conflicts   []ConflictReport  `json:"conflicts"`
	EventCounts map[string]uint64 `json:"event_counts"`
	Events      []Event           `json:"events"`
}

// Report returns a snapshot, sorted by VLAN and address.
func (a *Analyzer) Report() Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := Report{Counters: a.counters, Bindings: []BindingReport{}, Conflicts: []ConflictReport{}, EventCounts: map[string]uint64{}, Events: slices.Clone(a.events)}
	for k, v := range a.nEvents {
		r.EventCounts[k] = v
	}
	keys := make([]Key, 0, len(a.bindings))
	for k := range a.bindings {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].VLAN != keys[j].VLAN {
			return keys[i].VLAN < keys[j].VLAN
		}
		return keys[i].IP.Less(keys[j].IP)
	})
	for _, k := range keys {
		b := a.bindings[k]
		if len(b.claims) > 0 {
			br := BindingReport{VLAN: k.VLAN, IP: k.IP, Owner: b.owner.String()}
			for _, c := range b.claims {
				br.Claims = append(br.Claims, ClaimReport{MAC: c.mac.String(), First: c.first, Last: c.last, Count: c.count})
			}
			r.Bindings = append(r.Bindings, br)
		}
		if b.conflicts > 0 && len(b.conflictMACs) > 0 {
			cr := ConflictReport{VLAN: k.VLAN, IP: k.IP, MACs: macStrings(b.conflictMACs...), First: b.firstConf, Last: b.lastConf, Count: b.conflicts, Reasons: slices.Clone(b.reasons)}
			sort.Strings(cr.MACs)
			r.Conflicts = append(r.Conflicts, cr)
		}
	}
	return r
}

func macStrings(ms ...arpframe.MAC) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

func joinMACs(ms []arpframe.MAC) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += ", "
		}
		s += m.String()
	}
	return s
}
