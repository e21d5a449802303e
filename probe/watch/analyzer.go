// Package watch is cutover's passive duplicate-address watcher. An
// Analyzer keeps, per (VLAN, IP) — IPv4 from ARP, IPv6 from neighbour
// discovery — which MAC addresses have claimed the address and when, and
// reports events:
//
//   - conflict: two MACs answer for one address at once — claims from two
//     MACs within Simultaneous of each other; a MAC reclaiming an address
//     that another MAC took from it within FlipHold (a flip-flop, the mark of
//     RFC 5227 §2.4 ongoing conflicts and of ARP spoofing; for IPv6 an
//     Override flip); or an owner change while the previous owner's station
//     is still sending in that VLAN (any frame from its MAC within FlipHold
//     after the change: the address was taken, not handed over);
//   - forged: an ARP frame whose Ethernet source is not its sender hardware
//     address — a station claiming an address for another MAC (a proxy, a
//     poisoner); the event names both MACs;
//   - dad-collision: an IPv6 duplicate-address-detection probe for an
//     address another MAC owns, which that owner answered at the same time
//     or defends within ProbeWindow (RFC 4862 §5.4);
//   - simultaneous-probe: two MACs probing one address (RFC 5227 §2.1.1,
//     RFC 4862 §5.4.3);
//   - unexpected: in guard mode, a claim from a MAC the guard does not
//     expect in that VLAN (see Expect);
//   - moved: an address changed owner cleanly (the old owner fell silent);
//   - announcement: a gratuitous ARP or unsolicited advertisement;
//   - probe-for-claimed: a probe for an address another MAC holds.
//
// The MACs in Config.Own (cutover's own probe host) neither probe nor
// forge: their probes are not events, and their announcements on behalf
// of an owner — sent from the announcer's MAC by design — are claims by
// that owner, not forgeries.
//
// The same Analyzer serves live capture (Capture) and capture files
// (ReadFile). Live, the capture filter passes ARP and neighbour discovery
// only, so "still sending" means the station's ARP and neighbour-discovery
// traffic; a capture file shows every frame.
package watch

import (
	"encoding/binary"
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
	KindForged            = "forged"
	KindDADCollision      = "dad-collision"
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

// IsConflict reports whether the event means two hosts answer for one
// address (or one claims it for another MAC).
func (e Event) IsConflict() bool {
	switch e.Kind {
	case KindConflict, KindSimultaneousProbe, KindUnexpected, KindForged, KindDADCollision:
		return true
	}
	return false
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
	// Own lists the watcher's own MACs: its probes are not events, and its
	// announcements on behalf of others are not forgeries.
	Own []arpframe.MAC
	// OnEvent, if set, is called for every event, with the analyzer locked:
	// it must not call back into the Analyzer.
	OnEvent func(Event)
	// MaxEvents bounds the events kept for Report (default 10000).
	MaxEvents int
}

// Counters are frame statistics.
type Counters struct {
	Frames       uint64 `json:"frames"`
	ARP          uint64 `json:"arp"`      // including malformed ARP frames
	Requests     uint64 `json:"requests"` // ARP
	Replies      uint64 `json:"replies"`  // ARP
	NDP          uint64 `json:"ndp"`
	Solicits     uint64 `json:"ndp_solicitations"`
	Adverts      uint64 `json:"ndp_advertisements"`
	Probes       uint64 `json:"probes"`
	Gratuitous   uint64 `json:"gratuitous"`
	ForgedFrames uint64 `json:"forged_frames"` // ARP frames from a station other than the sender
	Malformed    uint64 `json:"malformed"`
	Other        uint64 `json:"other"`
	Dropped      uint64 `json:"dropped"` // lost by the capture (kernel drops)
}

// Key identifies an address in a VLAN.
type Key struct {
	VLAN int
	IP   netip.Addr
}

// bkey is Key without pointers or padding, for the bindings map (hashed
// per frame, as one block of memory): the address in its 16-byte form,
// then the VLAN and the family.
type bkey struct {
	hi, lo uint64
	meta   uint64 // VLAN << 8 | 6 for IPv6, 4 for IPv4
}

// Key returns the Key a bkey was made from.
func (b bkey) Key() Key {
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], b.hi)
	binary.BigEndian.PutUint64(a[8:], b.lo)
	ip := netip.AddrFrom16(a)
	if b.meta&0xff == 4 {
		ip = ip.Unmap()
	}
	return Key{VLAN: int(b.meta >> 8), IP: ip}
}

func keyOf(k Key) bkey {
	a := k.IP.As16()
	fam := uint64(4)
	if k.IP.Is6() {
		fam = 6
	}
	return bkey{hi: binary.BigEndian.Uint64(a[:8]), lo: binary.BigEndian.Uint64(a[8:]), meta: uint64(k.VLAN)<<8 | fam}
}

// kinds lists the event kinds, indexing Analyzer.nEvents.
var kinds = [...]string{KindConflict, KindSimultaneousProbe, KindUnexpected, KindMoved, KindAnnouncement, KindProbeForClaimed, KindForged, KindDADCollision}

func kindIndex(kind string) int {
	for i, k := range kinds {
		if k == kind {
			return i
		}
	}
	panic("watch: unknown event kind " + kind)
}

type claim struct {
	mac         arpframe.MAC
	first, last time.Time
	count       int
}

// binding is what the analyzer knows of one (VLAN, IP). What every claim
// touches is kept together (two cache lines: capture analysis is bound by
// memory access); the rest is in cold, allocated when first needed.
type binding struct {
	owner arpframe.MAC
	// guarded: Expect was called (cold.expect are the MACs allowed, from
	// when on; cold.flagged the unexpected ones already reported).
	guarded bool
	// dadPending: cold.dad holds a probe the owner may yet answer.
	dadPending bool
	claims     []claim // few: usually one, kept in first
	first      [1]claim
	cold       *bindingCold
}

// bindingCold is the part of a binding that only probes, forgeries,
// expectations and conflicts need.
type bindingCold struct {
	probe struct {
		mac arpframe.MAC
		at  time.Time
	}
	// dad: an IPv6 probe for the address while owner held it; owner
	// answering within ProbeWindow is a collision.
	dad struct {
		prober, owner arpframe.MAC
		at            time.Time
	}
	forged       []forgery
	expect       expectations
	flagged      []expectFlag
	conflictMACs []arpframe.MAC
	conflicts    int
	firstConf    time.Time
	lastConf     time.Time
	reasons      []string
}

// c returns the binding's cold part, allocating it.
func (b *binding) c() *bindingCold {
	if b.cold == nil {
		b.cold = &bindingCold{}
	}
	return b.cold
}

// forgery is one station's forged claims on an address for another MAC.
type forgery struct {
	station, sender arpframe.MAC
	first, last     time.Time
	count           int
}

// station is a MAC sending in a VLAN.
type station struct {
	vlan int
	mac  arpframe.MAC
}

// departure is an owner change whose previous owner must fall silent.
type departure struct {
	k        Key
	from, to arpframe.MAC
	at       time.Time
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
	bindings map[bkey]*binding
	// recent caches bindings by a cheap hash of their key (bindings are
	// never removed, so an entry is right as long as its key matches):
	// capture analysis looks one up for every frame.
	recent *[1 << recentBits]struct {
		k bkey
		b *binding
	}
	// departed: previous owners, by the station they must no longer send
	// from (checked on every frame while any is pending).
	departed map[station][]departure
	events   []Event
	nEvents  [len(kinds)]uint64
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
	a := &Analyzer{cfg: cfg, bindings: map[bkey]*binding{}, departed: map[station][]departure{}}
	a.recent = new([1 << recentBits]struct {
		k bkey
		b *binding
	})
	return a
}

// ObserveFrame decodes a captured frame and observes it. vlan is the VLAN
// reported out of band by the capture (PACKET_AUXDATA), or 0; a tag inside
// the frame takes precedence. Frames of other protocols count only as their
// station's sign of life.
func (a *Analyzer) ObserveFrame(t time.Time, linkType int, data []byte, vlan int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.observeFrame(t, linkType, data, vlan)
}

// observeFrame is ObserveFrame with a.mu held (Read holds it for a batch
// of frames).
func (a *Analyzer) observeFrame(t time.Time, linkType int, data []byte, vlan int) {
	var p arpframe.Packet
	err := arpframe.Decode(linkType, data, &p)
	if p.VLAN == 0 {
		p.VLAN = vlan
	}
	a.counters.Frames++
	switch err {
	case nil:
		a.observe(t, &p)
		return
	case arpframe.ErrMalformed:
		// Counted with its protocol too, as capture tools do.
		a.counters.Malformed++
		if p.NDP {
			a.counters.NDP++
		} else {
			a.counters.ARP++
		}
	default:
		a.counters.Other++
	}
	if len(a.departed) > 0 && !p.NoEthSrc {
		a.sending(t, p.VLAN, p.EthSrc)
	}
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

func (a *Analyzer) own(m arpframe.MAC) bool { return slices.Contains(a.cfg.Own, m) }

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
	if p.Forged() && !a.own(p.EthSrc) {
		c.ForgedFrames++
		a.forged(t, p)
	}
	switch {
	case p.Probe():
		c.Probes++
		a.probe(t, p)
	case p.Claims():
		if p.Gratuitous() {
			c.Gratuitous++
		}
		a.claim(t, Key{p.VLAN, p.SenderIP}, p)
	}
	if len(a.departed) > 0 && !p.NoEthSrc {
		a.sending(t, p.VLAN, p.EthSrc)
	}
}

// forged records an ARP claim sent by one station for another MAC.
func (a *Analyzer) forged(t time.Time, p *arpframe.Packet) {
	k := Key{p.VLAN, p.SenderIP}
	if !p.Claims() {
		k.IP = p.TargetIP // a probe: the address it asks about
	}
	cb := a.binding(k).c()
	var f *forgery
	for i := range cb.forged {
		if cb.forged[i].station == p.EthSrc && cb.forged[i].sender == p.SenderMAC {
			f = &cb.forged[i]
		}
	}
	if f == nil {
		cb.forged = append(cb.forged, forgery{station: p.EthSrc, sender: p.SenderMAC, first: t})
		f = &cb.forged[len(cb.forged)-1]
	}
	f.last = t
	f.count++
	a.emit(t, KindForged, k, "forged ARP: station "+p.EthSrc.String()+" claims the address for "+p.SenderMAC.String()+" (its Ethernet source is not the sender hardware address)", p.EthSrc, p.SenderMAC)
}

// sending notes that mac sent a frame in vlan: a previous owner of an
// address that is still sending after another MAC took the address is a
// conflict (once per change).
func (a *Analyzer) sending(t time.Time, vlan int, mac arpframe.MAC) {
	st := station{vlan, mac}
	deps, ok := a.departed[st]
	if !ok {
		return
	}
	delete(a.departed, st)
	for _, d := range deps {
		if t.Sub(d.at) >= a.cfg.FlipHold {
			continue
		}
		b := a.binding(d.k)
		if b.owner != d.to {
			continue // changed again since: judged then
		}
		a.conflict(t, d.k, b, KindConflict, []arpframe.MAC{d.from, d.to},
			"owner changed from "+d.from.String()+" to "+d.to.String()+" while "+d.from.String()+" is still sending")
	}
}

// depart records that from lost k to to at t.
func (a *Analyzer) depart(t time.Time, k Key, from, to arpframe.MAC) {
	if len(a.departed) > 4096 {
		for st, deps := range a.departed {
			if t.Sub(deps[len(deps)-1].at) >= a.cfg.FlipHold {
				delete(a.departed, st)
			}
		}
	}
	st := station{k.VLAN, from}
	a.departed[st] = append(a.departed[st], departure{k: k, from: from, to: to, at: t})
}

// undepart drops pending departures of from on k (its reclaim is judged
// by the flip-flop rule instead).
func (a *Analyzer) undepart(k Key, from arpframe.MAC) {
	st := station{k.VLAN, from}
	deps := a.departed[st]
	kept := deps[:0]
	for _, d := range deps {
		if d.k != k {
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		delete(a.departed, st)
	} else {
		a.departed[st] = kept
	}
}

// emit counts an event and, when anybody will see it, builds it.
func (a *Analyzer) emit(t time.Time, kind string, k Key, reason string, macs ...arpframe.MAC) {
	a.nEvents[kindIndex(kind)]++
	if a.cfg.OnEvent == nil && len(a.events) >= a.cfg.MaxEvents {
		return
	}
	e := Event{Time: t, Kind: kind, VLAN: k.VLAN, IP: k.IP, MACs: macStrings(macs...), Reason: reason}
	if len(a.events) < a.cfg.MaxEvents {
		a.events = append(a.events, e)
	}
	if a.cfg.OnEvent != nil {
		a.cfg.OnEvent(e)
	}
}

func (a *Analyzer) binding(k Key) *binding {
	bk := keyOf(k)
	slot := &a.recent[bk.slot()]
	if slot.b != nil && slot.k == bk {
		return slot.b
	}
	b := a.bindings[bk]
	if b == nil {
		b = &binding{}
		a.bindings[bk] = b
	}
	slot.k, slot.b = bk, b
	return b
}

// recentBits sizes the cache of recently used bindings in front of the
// bindings map: 4,096 entries, 128 KiB.
const recentBits = 12

// slot is where b sits in the cache of recent bindings: a multiplicative
// hash, cheap next to the map's. Keys that collide only take turns in the
// slot (the map has every binding), so no input can make it slower than
// the map alone by more than this hash.
func (b bkey) slot() uint64 {
	h := (b.hi^b.meta*0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9 ^ b.lo*0x94d049bb133111eb
	return h >> (64 - recentBits)
}

func (a *Analyzer) claim(t time.Time, k Key, p *arpframe.Packet) {
	mac, gratuitous := p.SenderMAC, p.Gratuitous()
	b := a.binding(k)
	if b.dadPending {
		d := &b.cold.dad
		if mac == d.owner && t.Sub(d.at) < a.cfg.ProbeWindow {
			a.conflict(t, k, b, KindDADCollision, []arpframe.MAC{d.prober, mac},
				"duplicate address detection: "+d.prober.String()+" probed for the address and "+mac.String()+" defends it")
			b.dadPending = false
		} else if t.Sub(d.at) >= a.cfg.ProbeWindow {
			b.dadPending = false
		}
	}
	if len(b.claims) == 0 { // new, or known only from probes so far
		b.owner = mac
		b.claims = append(b.first[:0], claim{mac: mac, first: t, last: t, count: 1})
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
			reason := "flip-flop: " + mac.String() + " reclaimed the address from " + b.owner.String()
			if p.NDP && p.Override {
				reason = "override flip: " + mac.String() + "'s advertisement with Override set took the address back from " + b.owner.String()
			}
			a.undepart(k, mac)
			a.conflict(t, k, b, KindConflict, []arpframe.MAC{b.owner, mac}, reason)
		default:
			a.emit(t, KindMoved, k, "owner changed", b.owner, mac)
			a.depart(t, k, b.owner, mac)
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
		a.emit(t, KindAnnouncement, k, "gratuitous announcement", mac)
	}
	if !b.guarded {
		return
	}
	// Judged by what the guard expected when the frame was captured.
	cb := b.cold
	if exp, ok := cb.expect.at(t); ok && !slices.Contains(exp.macs, mac) && !slices.Contains(cb.flagged, expectFlag{mac, exp.since}) {
		cb.flagged = append(cb.flagged, expectFlag{mac, exp.since})
		reason := "answers in VLAN where the guard expects nobody"
		if len(exp.macs) > 0 {
			reason = "answers in VLAN where the guard expects only " + joinMACs(exp.macs)
		}
		a.conflict(t, k, b, KindUnexpected, []arpframe.MAC{mac}, reason)
	}
}

// conflict records a conflict of the given kind on b and emits it.
func (a *Analyzer) conflict(t time.Time, k Key, b *binding, kind string, macs []arpframe.MAC, reason string) {
	cb := b.c()
	if cb.conflicts == 0 {
		cb.firstConf = t
	}
	cb.conflicts++
	cb.lastConf = t
	for _, m := range macs {
		if !slices.Contains(cb.conflictMACs, m) {
			cb.conflictMACs = append(cb.conflictMACs, m)
		}
	}
	if !slices.Contains(cb.reasons, reason) && len(cb.reasons) < 8 {
		cb.reasons = append(cb.reasons, reason)
	}
	a.emit(t, kind, k, reason, macs...)
}

func (a *Analyzer) probe(t time.Time, p *arpframe.Packet) {
	if a.own(p.SenderMAC) {
		return
	}
	k := Key{p.VLAN, p.TargetIP}
	b := a.binding(k)
	cb := b.c()
	if cb.probe.at.IsZero() || cb.probe.mac == p.SenderMAC || t.Sub(cb.probe.at) >= a.cfg.ProbeWindow {
		cb.probe.mac, cb.probe.at = p.SenderMAC, t
	} else {
		a.conflict(t, k, b, KindSimultaneousProbe, []arpframe.MAC{cb.probe.mac, p.SenderMAC}, "simultaneous probes")
	}
	if len(b.claims) == 0 || b.owner == p.SenderMAC {
		return
	}
	owner := b.claim(b.owner)
	if t.Sub(owner.last) < a.cfg.FlipHold {
		a.emit(t, KindProbeForClaimed, k, "probe for an address in use", p.SenderMAC, b.owner)
	}
	if !p.NDP {
		return
	}
	// RFC 4862 §5.4.3: the owner of an address answers a probe for it; an
	// owner that answered just now, or answers within ProbeWindow, holds
	// the address another station is trying to configure.
	if t.Sub(owner.last) < a.cfg.Simultaneous {
		a.conflict(t, k, b, KindDADCollision, []arpframe.MAC{p.SenderMAC, b.owner},
			"duplicate address detection: "+p.SenderMAC.String()+" probed for the address "+b.owner.String()+" answered for just now")
		return
	}
	cb.dad.prober, cb.dad.owner, cb.dad.at = p.SenderMAC, b.owner, t
	b.dadPending = true
}

// Expect puts the analyzer in guard mode for (vlan, ip): from now on a
// claim from any MAC outside macs is an "unexpected" conflict, whenever
// its frame was captured (ExpectSince judges older frames by older
// expectations). An empty macs means nobody may answer there.
func (a *Analyzer) Expect(vlan int, ip netip.Addr, macs []arpframe.MAC) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := Key{vlan, ip}
	b := a.binding(k)
	cb := b.c()
	b.guarded, cb.expect, cb.flagged = true, expectations{{macs: slices.Clone(macs)}}, nil
}

// Owners returns the MACs that claimed (vlan, ip) at or after since.
func (a *Analyzer) Owners(vlan int, ip netip.Addr, since time.Time) []arpframe.MAC {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.bindings[keyOf(Key{vlan, ip})]
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

// Conflicts returns the number of conflict events so far (all kinds,
// forged claims included).
func (a *Analyzer) Conflicts() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var n uint64
	for i, c := range a.nEvents {
		if (Event{Kind: kinds[i]}).IsConflict() {
			n += c
		}
	}
	return n
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

// ForgedReport is one station's forged claims on one (VLAN, IP) for
// another MAC.
type ForgedReport struct {
	VLAN    int        `json:"vlan"`
	IP      netip.Addr `json:"ip"`
	Station string     `json:"station"` // the frames' Ethernet source
	Sender  string     `json:"sender"`  // the MAC they claim the address for
	First   time.Time  `json:"first"`
	Last    time.Time  `json:"last"`
	Count   int        `json:"count"`
}

// Report is the analyzer's state, as `cutover watch -o json` prints it.
// Conflicts are ownership conflicts (two MACs for one address); Forged
// lists claims made for another MAC.
type Report struct {
	Counters
	Bindings    []BindingReport   `json:"bindings"`
	Conflicts   []ConflictReport  `json:"conflicts"`
	Forged      []ForgedReport    `json:"forged"`
	EventCounts map[string]uint64 `json:"event_counts"`
	Events      []Event           `json:"events"`
}

// Report returns a snapshot, sorted by VLAN and address.
func (a *Analyzer) Report() Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := Report{Counters: a.counters, Bindings: []BindingReport{}, Conflicts: []ConflictReport{}, Forged: []ForgedReport{}, EventCounts: map[string]uint64{}, Events: slices.Clone(a.events)}
	for i, v := range a.nEvents {
		if v > 0 {
			r.EventCounts[kinds[i]] = v
		}
	}
	type entry struct {
		k Key
		b *binding
	}
	es := make([]entry, 0, len(a.bindings))
	for bk, b := range a.bindings {
		es = append(es, entry{bk.Key(), b})
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].k.VLAN != es[j].k.VLAN {
			return es[i].k.VLAN < es[j].k.VLAN
		}
		return es[i].k.IP.Less(es[j].k.IP)
	})
	for _, e := range es {
		k, b := e.k, e.b
		if len(b.claims) > 0 {
			br := BindingReport{VLAN: k.VLAN, IP: k.IP, Owner: b.owner.String()}
			for _, c := range b.claims {
				br.Claims = append(br.Claims, ClaimReport{MAC: c.mac.String(), First: c.first, Last: c.last, Count: c.count})
			}
			r.Bindings = append(r.Bindings, br)
		}
		cb := b.cold
		if cb == nil {
			continue
		}
		for _, f := range cb.forged {
			r.Forged = append(r.Forged, ForgedReport{VLAN: k.VLAN, IP: k.IP, Station: f.station.String(), Sender: f.sender.String(), First: f.first, Last: f.last, Count: f.count})
		}
		if cb.conflicts > 0 && len(cb.conflictMACs) > 0 {
			cr := ConflictReport{VLAN: k.VLAN, IP: k.IP, MACs: macStrings(cb.conflictMACs...), First: cb.firstConf, Last: cb.lastConf, Count: cb.conflicts, Reasons: slices.Clone(cb.reasons)}
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
