// Package prober asks a VLAN who answers for a set of IPv4 and IPv6
// addresses, in the manner of blackbox_exporter's probers: Presence
// returns the owners of each address, Absence proves that nobody answers
// within a quiet window (or names who did), Announce tells every
// neighbour who owns an address now.
//
// Probes go out from a trunk (802.1Q-tagged frames; received tags come
// back in PACKET_AUXDATA) or from one interface per VLAN; the interfaces
// need no IPv4 or IPv6 address.
//
// IPv4 uses ARP. Two kinds of probe exist: the RFC 5227 ACD probe (sender
// 0.0.0.0, which updates nobody's cache) and, where a source address is
// configured for the VLAN, an ordinary request. ACD probes are
// rate-limited per live target: an address that answered gets at most one
// ACD probe per 10 s (some stacks give their address up after two probes
// in that time). When the limit holds and no source is configured, the
// probe waits; the guard tells the prober when hosts move between VLANs
// (Moved, Forget) so the limit follows the host, not the VLAN.
//
// IPv6 uses neighbour discovery (RFC 4861, RFC 4862). Presence sends a
// neighbour solicitation to each address's solicited-node group from the
// link-local address derived from the prober's own MAC (no other station
// can hold it); an owner answers with a solicited advertisement. Absence
// sends duplicate-address-detection probes (source ::, no link-layer
// option) carrying the prober's RFC 7527 nonce: an owner defends with an
// advertisement to all nodes, and a host about to take the address probes
// for it too — both count — while the prober's own probes, should the
// network loop them back, are recognised by the nonce and ignored. No rate
// limit applies: a host answers a probe for an address it holds and keeps
// the address (RFC 4862 §5.4.3). Announce sends unsolicited
// advertisements with Override set and the target link-layer option.
package prober

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/ndpframe"
)

// ACDInterval is the least time between two ACD probes to one live target.
const ACDInterval = 10 * time.Second

// liveFor is how long an answer keeps a target "live" for the limiter.
const liveFor = 30 * time.Second

// Config configures a Prober.
type Config struct {
	// Sources are IPv4 source addresses per VLAN for ordinary ARP requests
	// (optional). Use an address nobody else holds: targets cache it with
	// our MAC. IPv6 needs none.
	Sources map[int]netip.Addr
	// Retries is how many times an unanswered address is asked again (default 4).
	Retries int
	// RetryInterval spaces the first attempts (default 15 ms); it doubles
	// with each retry (up to 250 ms), so a slow or loaded responder is
	// given time before an address counts as silent.
	RetryInterval time.Duration
	// Settle is how long Presence keeps listening after every address has
	// answered, to catch a second owner (default 10 ms).
	Settle time.Duration
	// AbsenceInterval spaces the rounds of probes of an absence proof
	// (default 10 ms); a window gets at most 10 rounds after the first.
	AbsenceInterval time.Duration
	// Observe, if set, receives the duration of each Presence/Absence call.
	Observe func(kind string, d time.Duration)
}

type key struct {
	vlan int
	ip   netip.Addr
}

type limit struct {
	lastACD    time.Time
	lastAnswer time.Time
	owners     []arpframe.MAC // who answered
}

// Prober probes VLANs. It is safe for concurrent use.
type Prober struct {
	cfg   Config
	conns map[int]*l2.Conn // VLAN -> socket; key 0 = trunk
	trunk *l2.Conn
	mac   arpframe.MAC

	// nonce marks this prober's IPv6 probes (RFC 7527).
	nonce ndpframe.Nonce

	mu      sync.Mutex
	fresh   time.Time // IgnoreBefore
	limits  map[key]*limit
	waiters map[*waiter]struct{}
	rtts    []rttSample // the latest round trips, oldest first (at most maxRTTSamples)
	done    chan struct{}
	wg      sync.WaitGroup
	now     func() time.Time
}

type waiter struct {
	since time.Time // frames received before are no evidence for it
	vlan  int
	// probes: other stations' IPv6 duplicate-address-detection probes
	// count as owners (an absence proof).
	probes bool
	want   map[netip.Addr]bool
	owners map[netip.Addr][]arpframe.MAC
	notify chan struct{}
	// sent: when Presence first asked for each address in this call
	// (the round trip of its first answer is measured from there).
	sent map[netip.Addr]time.Time
}

// NewTrunk returns a prober sending tagged frames on one trunk socket.
func NewTrunk(conn *l2.Conn, cfg Config) *Prober {
	p := newProber(cfg, conn.MAC())
	p.trunk = conn
	p.start(conn, 0)
	return p
}

// NewPerVLAN returns a prober with one access socket per VLAN.
func NewPerVLAN(conns map[int]*l2.Conn, cfg Config) (*Prober, error) {
	if len(conns) == 0 {
		return nil, errors.New("prober: no interfaces")
	}
	var mac arpframe.MAC
	for _, c := range conns {
		mac = c.MAC()
	}
	p := newProber(cfg, mac)
	for vlan, c := range conns {
		p.conns[vlan] = c
		p.start(c, vlan)
	}
	return p, nil
}

func newProber(cfg Config, mac arpframe.MAC) *Prober {
	if cfg.Retries <= 0 {
		cfg.Retries = 4
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 15 * time.Millisecond
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 10 * time.Millisecond
	}
	if cfg.AbsenceInterval <= 0 {
		cfg.AbsenceInterval = 10 * time.Millisecond
	}
	return &Prober{cfg: cfg, conns: map[int]*l2.Conn{}, mac: mac, nonce: ndpframe.NewNonce(), limits: map[key]*limit{}, waiters: map[*waiter]struct{}{}, done: make(chan struct{}), now: time.Now}
}

// MAC is the MAC address the prober sends from.
func (p *Prober) MAC() arpframe.MAC { return p.mac }

// Close closes the sockets and stops the readers.
func (p *Prober) Close() error {
	close(p.done)
	var errs []error
	if p.trunk != nil {
		errs = append(errs, p.trunk.Close())
	}
	for _, c := range p.conns {
		errs = append(errs, c.Close())
	}
	p.wg.Wait()
	return errors.Join(errs...)
}

// start runs a reader for conn; fixedVLAN is the VLAN of an access socket
// (0 on the trunk, where each frame says its VLAN).
func (p *Prober) start(conn *l2.Conn, fixedVLAN int) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 2048)
		for {
			conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			f, err := conn.Read(buf)
			select {
			case <-p.done:
				return
			default:
			}
			if err != nil {
				continue // deadline or transient: the done check ends us
			}
			if f.Outgoing {
				continue
			}
			var pkt arpframe.Packet
			if arpframe.Decode(arpframe.LinkEthernet, f.Data, &pkt) != nil {
				continue
			}
			vlan := fixedVLAN
			if vlan == 0 {
				vlan = pkt.VLAN
				if vlan == 0 {
					vlan = f.VLAN
				}
			}
			switch {
			case pkt.NDP && pkt.Probe():
				if pkt.HasNonce && pkt.Nonce == p.nonce {
					continue // our own probe, looped back (RFC 7527)
				}
				p.deliverProbe(vlan, pkt.TargetIP, pkt.SenderMAC, f.Time)
			case pkt.Claims():
				p.deliver(vlan, pkt.SenderIP, pkt.SenderMAC, f.Time)
			}
		}
	}()
}

// deliver records that mac claimed ip in vlan, in a frame the kernel
// received at at.
func (p *Prober) deliver(vlan int, ip netip.Addr, mac arpframe.MAC, at time.Time) {
	if mac == p.mac {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := key{vlan, ip}
	l := p.limits[k]
	if l == nil {
		l = &limit{}
		p.limits[k] = l
	}
	if l.lastAnswer.IsZero() || p.now().Sub(l.lastAnswer) >= liveFor {
		l.owners = l.owners[:0]
	}
	l.lastAnswer = p.now()
	if !slices.Contains(l.owners, mac) {
		l.owners = append(l.owners, mac)
	}
	for w := range p.waiters {
		if w.vlan != vlan || !w.want[ip] || slices.Contains(w.owners[ip], mac) || at.Before(w.since) {
			continue
		}
		if sent, ok := w.sent[ip]; ok && len(w.owners[ip]) == 0 {
			p.sampleRTT(vlan, p.now().Sub(sent))
		}
		w.owners[ip] = append(w.owners[ip], mac)
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
}

// deliverProbe records that mac probes for ip in vlan (IPv6 duplicate
// address detection), in a frame the kernel received at at: an owner in
// the making, for absence proofs.
func (p *Prober) deliverProbe(vlan int, ip netip.Addr, mac arpframe.MAC, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := range p.waiters {
		if !w.probes || w.vlan != vlan || !w.want[ip] || slices.Contains(w.owners[ip], mac) || at.Before(w.since) {
			continue
		}
		w.owners[ip] = append(w.owners[ip], mac)
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
}

func (p *Prober) register(vlan int, addrs []netip.Addr, probes bool) *waiter {
	w := &waiter{vlan: vlan, probes: probes, want: map[netip.Addr]bool{}, owners: map[netip.Addr][]arpframe.MAC{}, notify: make(chan struct{}, 1), sent: map[netip.Addr]time.Time{}}
	for _, a := range addrs {
		w.want[a] = true
	}
	p.mu.Lock()
	w.since = p.fresh
	p.waiters[w] = struct{}{}
	p.mu.Unlock()
	return w
}

func (p *Prober) unregister(w *waiter) map[netip.Addr][]arpframe.MAC {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiters, w)
	out := make(map[netip.Addr][]arpframe.MAC, len(w.owners))
	for ip, macs := range w.owners {
		out[ip] = slices.Clone(macs)
	}
	return out
}

func (p *Prober) answered(w *waiter) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(w.owners)
}

func (p *Prober) conn(vlan int) (*l2.Conn, int, error) {
	if p.trunk != nil {
		return p.trunk, vlan, nil
	}
	c, ok := p.conns[vlan]
	if !ok {
		return nil, 0, fmt.Errorf("prober: no interface for VLAN %d", vlan)
	}
	return c, 0, nil
}

// send asks for each address once. An IPv6 address gets a solicitation
// (dad: a duplicate-address-detection probe). An IPv4 address gets an ACD
// probe where the limiter allows it, an ordinary request where a source
// is configured, otherwise nothing yet. It returns the addresses still
// waiting and the earliest time one of them may be probed.
func (p *Prober) send(vlan int, addrs []netip.Addr, dad bool) (deferred []netip.Addr, next time.Time, err error) {
	conn, tag, err := p.conn(vlan)
	if err != nil {
		return nil, time.Time{}, err
	}
	src, haveSrc := p.cfg.Sources[vlan]
	now := p.now()
	write := func(b []byte, err error) error {
		if err != nil {
			return err
		}
		if err := conn.Write(b); err != nil {
			return fmt.Errorf("prober: sending on %s (VLAN %d): %w", conn.Interface(), vlan, err)
		}
		return nil
	}
	for _, a := range addrs {
		if a.Is6() {
			var err error
			if dad {
				err = write(ndpframe.Probe(tag, p.mac, a, p.nonce))
			} else {
				err = write(ndpframe.Solicitation(tag, p.mac, a))
			}
			if err != nil {
				return nil, time.Time{}, err
			}
			continue
		}
		var f arpframe.Frame
		p.mu.Lock()
		l := p.limits[key{vlan, a}]
		live := l != nil && now.Sub(l.lastAnswer) < liveFor
		allowed := !live || now.Sub(l.lastACD) >= ACDInterval
		switch {
		case haveSrc && live:
			f = arpframe.Request(tag, p.mac, src, a)
		case allowed:
			f = arpframe.Probe(tag, p.mac, a)
			if l == nil {
				l = &limit{}
				p.limits[key{vlan, a}] = l
			}
			l.lastACD = now
		default:
			at := l.lastACD.Add(ACDInterval)
			if next.IsZero() || at.Before(next) {
				next = at
			}
			deferred = append(deferred, a)
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		if err := write(f.Marshal()); err != nil {
			return nil, time.Time{}, err
		}
	}
	return deferred, next, nil
}

// maxPresenceWait bounds how long Presence keeps waiting for answers that
// are still arriving.
const maxPresenceWait = 5 * time.Second

// Presence asks every address in vlan and returns, per address, the MACs
// that answered. Addresses nobody answered are absent from the map. It
// returns when every address has answered (plus Settle, to catch a second
// owner) or after the retries; while answers are still arriving it waits
// for them (up to 5 s) before asking again.
func (p *Prober) Presence(ctx context.Context, vlan int, addrs []netip.Addr) (map[netip.Addr][]arpframe.MAC, error) {
	start := p.now()
	defer p.observe("presence", start)
	w := p.register(vlan, addrs, false)
	pending := slices.Clone(addrs)
	attempt := 0
	for len(pending) > 0 {
		deferred, next, err := p.sendPaced(ctx, w, vlan, pending)
		if err != nil {
			p.unregister(w)
			return nil, err
		}
		sent := len(pending) - len(deferred)
		if sent > 0 {
			attempt++
		}
		wait := min(p.cfg.RetryInterval<<max(0, attempt-1), max(p.cfg.RetryInterval, 250*time.Millisecond))
		if sent == 0 && !next.IsZero() {
			wait = next.Sub(p.now())
		}
		backoff := wait
		// Wait a retry interval, and longer while answers keep arriving
		// (a loaded host or switch answers a burst slowly): an address is
		// asked again only once the answers have stopped coming.
		for {
			before := p.answered(w)
			if err := p.waitAll(ctx, w, len(addrs), wait); err != nil {
				p.unregister(w)
				return nil, err
			}
			if n := p.answered(w); n == len(addrs) || n == before || p.now().Sub(start) > maxPresenceWait {
				break
			}
			wait = backoff
		}
		if p.answered(w) == len(addrs) {
			break
		}
		p.mu.Lock()
		pending = pending[:0]
		for _, a := range addrs {
			if len(w.owners[a]) == 0 {
				pending = append(pending, a)
			}
		}
		p.mu.Unlock()
		if attempt > p.cfg.Retries && len(deferred) == 0 {
			break
		}
	}
	// Listen a little longer for a second owner.
	t := time.NewTimer(p.cfg.Settle)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	t.Stop()
	return p.unregister(w), ctx.Err()
}

// Presence sends in chunks of chunkSize, keeping at most window
// solicitations unanswered: the answers clock the sending, so a switch or
// responder that is slow to drain its queue (a busy software switch holds
// a few hundred frames) is not flooded into dropping them. When nothing
// answers for chunkWait, the next chunk goes anyway (absent addresses
// never answer).
const (
	chunkSize = 64
	window    = 192
	chunkWait = 10 * time.Millisecond
)

// sendPaced is send in chunks, for Presence.
func (p *Prober) sendPaced(ctx context.Context, w *waiter, vlan int, addrs []netip.Addr) (deferred []netip.Addr, next time.Time, err error) {
	sent := 0             // solicitations sent, deferred ones not counted
	base := p.answered(w) // addresses that answered before this round
	for i := 0; i < len(addrs); i += chunkSize {
		chunk := addrs[i:min(i+chunkSize, len(addrs))]
		t := time.NewTimer(chunkWait)
	wait:
		for sent-(p.answered(w)-base) > window-len(chunk) {
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, time.Time{}, ctx.Err()
			case <-t.C:
				break wait
			case <-w.notify:
			}
		}
		t.Stop()
		// The round trip of an address's first answer counts from its
		// first request: noted before the request goes out (its answer
		// may be read before send returns), dropped where the request is
		// deferred after all.
		at := p.now()
		var first []netip.Addr
		p.mu.Lock()
		for _, a := range chunk {
			if _, ok := w.sent[a]; !ok {
				w.sent[a] = at
				first = append(first, a)
			}
		}
		p.mu.Unlock()
		d, n, err := p.send(vlan, chunk, false)
		if err != nil {
			return nil, time.Time{}, err
		}
		p.mu.Lock()
		for _, a := range first {
			if slices.Contains(d, a) {
				delete(w.sent, a)
			}
		}
		p.mu.Unlock()
		sent += len(chunk) - len(d)
		deferred = append(deferred, d...)
		if !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return deferred, next, nil
}

// waitAll waits up to d, returning early when all n addresses answered.
func (p *Prober) waitAll(ctx context.Context, w *waiter, n int, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		if p.answered(w) == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		case <-w.notify:
		}
	}
}

// Proof is the evidence that nobody answered in a VLAN.
type Proof struct {
	VLAN      int           `json:"vlan"`
	Addresses int           `json:"addresses"`
	Probes    int           `json:"probes"`   // ACD probes or requests sent
	Rounds    int           `json:"rounds"`   // rounds of probes, Interval apart
	Deferred  int           `json:"deferred"` // live addresses the rate limit would not probe
	Window    time.Duration `json:"window"`
	Interval  time.Duration `json:"interval"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
}

// probeSpacing paces absence proofs over many addresses: a round of n
// probes is followed by the next no sooner than n×probeSpacing (at most
// 20,000 probes a second — ARP probes are broadcasts every host on the
// VLAN must read), unless that would leave fewer than three rounds.
const probeSpacing = 50 * time.Microsecond

// absenceInterval is the spacing of the rounds of an absence proof of
// window over n addresses: the configured interval, but at most 10
// rounds after the first, paced by probeSpacing, and at least 2 rounds
// after the first whatever the pace.
func (p *Prober) absenceInterval(window time.Duration, n int) time.Duration {
	return min(max(p.cfg.AbsenceInterval, window/10, time.Duration(n)*probeSpacing), window/3)
}

// Absence probes every address in vlan and listens for window: any claim
// on those addresses in that VLAN (an answer, an announcement, a request
// from that address) is an owner, and so is another station's IPv6
// duplicate-address-detection probe for one (it is about to take it). It
// returns the proof when nobody answered, or the owners found. Probes go
// out at once and again every interval (Config.AbsenceInterval; at most
// 10 rounds after the first, fewer for many addresses: probeSpacing)
// until the window ends, so an owner that
// missed a probe (it was lost, or the owner was busy) has the next one
// within an interval, and an owner whose answer to the first takes up to
// the window still arrives in it.
//
// Absence fails safe: an address that answered in vlan within the last
// 30 s and may not be probed again yet (the ACD rate limit, with no source
// configured) counts as present, with the MACs that answered. Call Forget
// or Moved once its owner has really left the VLAN.
func (p *Prober) Absence(ctx context.Context, vlan int, addrs []netip.Addr, window time.Duration) (*Proof, map[netip.Addr][]arpframe.MAC, error) {
	start := p.now()
	defer p.observe("absence", start)
	w := p.register(vlan, addrs, true)
	interval := p.absenceInterval(window, len(addrs))
	proof := &Proof{VLAN: vlan, Addresses: len(addrs), Window: window, Interval: interval, Start: start}
	deadline := start.Add(window)
	for round := 0; round == 0 || start.Add(time.Duration(round)*interval).Before(deadline); round++ {
		if round > 0 {
			// Absent targets are not live: the limit does not hold them back.
			at := start.Add(time.Duration(round) * interval)
			if err := p.waitAnyUntil(ctx, w, at); err != nil {
				p.unregister(w)
				return nil, nil, err
			}
			if p.answered(w) > 0 {
				break
			}
		}
		deferred, _, err := p.send(vlan, addrs, true)
		if err != nil {
			p.unregister(w)
			return nil, nil, err
		}
		proof.Probes += len(addrs) - len(deferred)
		proof.Rounds++
		if round == 0 && len(deferred) > 0 {
			proof.Deferred = len(deferred)
			p.mu.Lock()
			for _, a := range deferred {
				w.owners[a] = slices.Clone(p.limits[key{vlan, a}].owners)
			}
			p.mu.Unlock()
		}
		if p.answered(w) > 0 {
			break
		}
	}
	if p.answered(w) == 0 {
		if err := p.waitAny(ctx, w, time.Until(deadline)); err != nil {
			p.unregister(w)
			return nil, nil, err
		}
	} else {
		time.Sleep(p.cfg.Settle) // one owner found; give a second one a moment
	}
	owners := p.unregister(w)
	proof.End = p.now()
	if len(owners) > 0 {
		return nil, owners, nil
	}
	return proof, nil, nil
}

// waitAnyUntil waits until t, returning early (nil) when an owner is
// found.
func (p *Prober) waitAnyUntil(ctx context.Context, w *waiter, t time.Time) error {
	d := time.Until(t)
	if d <= 0 || p.answered(w) > 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
	case <-w.notify:
	}
	return nil
}

func (p *Prober) waitAny(ctx context.Context, w *waiter, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-w.notify:
		// One owner found; give a second one a moment.
		time.Sleep(p.cfg.Settle)
	}
	return nil
}

func (p *Prober) observe(kind string, start time.Time) {
	if p.cfg.Observe != nil {
		p.cfg.Observe(kind, p.now().Sub(start))
	}
}

// Moved tells the prober that the hosts answering for addrs in VLAN from
// now live in VLAN to: their rate-limit state moves with them.
func (p *Prober) Moved(from, to int, addrs []netip.Addr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range addrs {
		if l, ok := p.limits[key{from, a}]; ok {
			p.limits[key{to, a}] = l
			delete(p.limits, key{from, a})
		}
	}
}

// Forget drops the rate-limit state of addrs in vlan (their owners left).
func (p *Prober) Forget(vlan int, addrs []netip.Addr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range addrs {
		delete(p.limits, key{vlan, a})
	}
}

// Announce claims each address for its owner in vlan, count times at
// interval (RFC 5227 §2.3: 2 announcements, 2 s apart): an IPv4 address by
// gratuitous ARP in both the request and the reply form, an IPv6 address
// by an unsolicited neighbour advertisement to all nodes with Override set
// and the owner in the target link-layer option (RFC 4861 §7.2.6). Frames
// leave from the prober's own MAC so switches do not move the owner's MAC
// to the prober's port. The first round is sent before Announce returns;
// later rounds run until done or ctx ends, in the background.
func (p *Prober) Announce(ctx context.Context, vlan int, owners map[netip.Addr]arpframe.MAC, count int, interval time.Duration) error {
	conn, tag, err := p.conn(vlan)
	if err != nil {
		return err
	}
	var frames [][]byte
	for a, mac := range owners {
		if a.Is6() {
			b, err := ndpframe.Announcement(tag, p.mac, mac, a)
			if err != nil {
				return err
			}
			frames = append(frames, b)
			continue
		}
		for _, f := range arpframe.Announcements(tag, p.mac, mac, a) {
			b, err := f.Marshal()
			if err != nil {
				return err
			}
			frames = append(frames, b)
		}
	}
	round := func() error {
		for _, b := range frames {
			if err := conn.Write(b); err != nil {
				return fmt.Errorf("announcing on %s (VLAN %d): %w", conn.Interface(), vlan, err)
			}
		}
		return nil
	}
	if err := round(); err != nil {
		return err
	}
	if count > 1 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for i := 1; i < count; i++ {
				select {
				case <-ctx.Done():
					return
				case <-p.done:
					return
				case <-time.After(interval):
				}
				if round() != nil {
					return
				}
			}
		}()
	}
	return nil
}
