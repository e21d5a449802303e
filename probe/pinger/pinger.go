// Package pinger measures outage as a client sees it: it sends ICMP and
// ICMPv6 echo requests to every target at a fixed interval and records
// when replies arrive. A target's downtime over a window is the longest gap between
// answered pings. Two replies to one request mean two hosts answered for
// one address; they are counted as duplicates.
//
// The caller opens the socket (Listen), which lets it do so inside a
// network namespace; the Pinger never changes namespaces itself.
package pinger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Listen opens a raw ICMPv4 socket (needs CAP_NET_RAW) in the calling
// thread's network namespace.
func Listen() (*icmp.PacketConn, error) {
	return icmp.ListenPacket("ip4:icmp", "0.0.0.0")
}

// Listen6 opens a raw ICMPv6 socket (needs CAP_NET_RAW) in the calling
// thread's network namespace that receives echo replies only (the kernel
// filters the rest, RFC 3542 §3.2).
func Listen6() (*icmp.PacketConn, error) {
	c, err := icmp.ListenPacket("ip6:ipv6-icmp", "::")
	if err != nil {
		return nil, err
	}
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeEchoReply)
	if err := c.IPv6PacketConn().SetICMPFilter(&f); err != nil {
		c.Close()
		return nil, fmt.Errorf("pinger: ICMPv6 filter: %w", err)
	}
	return c, nil
}

// Pinger pings a set of IPv4 and IPv6 targets.
type Pinger struct {
	conn     *icmp.PacketConn // IPv4
	conn6    *icmp.PacketConn // IPv6; nil without IPv6 targets
	targets  []netip.Addr
	interval time.Duration
	id       int

	mu    sync.Mutex
	state map[netip.Addr]*series
	seq   int
	sent  map[int]time.Time // seq -> send time (shared by all targets)
}

type series struct {
	replies    []time.Time
	answered   map[int]bool // seqs answered, to spot duplicates
	duplicates int
	sent       int
}

// New returns a pinger for IPv4 targets over conn (Listen), sending every
// interval.
func New(conn *icmp.PacketConn, targets []netip.Addr, interval time.Duration) (*Pinger, error) {
	return NewDualStack(conn, nil, targets, interval)
}

// NewDualStack returns a pinger for IPv4 targets over conn4 (Listen) and
// IPv6 targets over conn6 (Listen6), sending every interval. A conn may be
// nil when no target needs it.
func NewDualStack(conn4, conn6 *icmp.PacketConn, targets []netip.Addr, interval time.Duration) (*Pinger, error) {
	if interval <= 0 {
		return nil, errors.New("pinger: interval must be positive")
	}
	p := &Pinger{conn: conn4, conn6: conn6, interval: interval, id: rand.IntN(0xffff) + 1, state: map[netip.Addr]*series{}, sent: map[int]time.Time{}}
	for _, t := range targets {
		t = t.Unmap()
		switch {
		case t.Is4() && conn4 == nil:
			return nil, fmt.Errorf("pinger: %s: no IPv4 socket", t)
		case t.Is6() && conn6 == nil:
			return nil, fmt.Errorf("pinger: %s: no IPv6 socket", t)
		case t.Zone() != "" || t.Is6() && t.IsLinkLocalUnicast():
			return nil, fmt.Errorf("pinger: %s: link-local targets are not supported", t)
		}
		if _, dup := p.state[t]; dup {
			continue
		}
		p.targets = append(p.targets, t)
		p.state[t] = &series{answered: map[int]bool{}}
	}
	return p, nil
}

// Run sends and receives until ctx ends. It returns ctx's error or a socket error.
func (p *Pinger) Run(ctx context.Context) error {
	var conns []*icmp.PacketConn
	for _, c := range []*icmp.PacketConn{p.conn, p.conn6} {
		if c != nil {
			conns = append(conns, c)
		}
	}
	errc := make(chan error, len(conns))
	for _, c := range conns {
		go func() { errc <- p.receive(ctx, c) }()
	}
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		if err := p.sendRound(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			errs := []error{ctx.Err()}
			for range conns {
				errs = append(errs, <-errc)
			}
			return errors.Join(errs...)
		case err := <-errc:
			return err
		case <-tick.C:
		}
	}
}

func (p *Pinger) sendRound() error {
	p.mu.Lock()
	p.seq = (p.seq + 1) & 0xffff
	seq := p.seq
	p.sent[seq] = time.Now()
	p.mu.Unlock()
	echo := &icmp.Echo{ID: p.id, Seq: seq, Data: []byte("cutover-downtime")}
	b4, err := (&icmp.Message{Type: ipv4.ICMPTypeEcho, Body: echo}).Marshal(nil)
	if err != nil {
		return err
	}
	// The kernel computes an ICMPv6 checksum over the pseudo-header.
	b6, err := (&icmp.Message{Type: ipv6.ICMPTypeEchoRequest, Body: echo}).Marshal(nil)
	if err != nil {
		return err
	}
	for _, t := range p.targets {
		// A send error (no route yet, neighbour unresolved) is an
		// unanswered ping, not a failure of the measurement.
		if t.Is4() {
			_, _ = p.conn.WriteTo(b4, &net.IPAddr{IP: t.AsSlice()})
		} else {
			_, _ = p.conn6.WriteTo(b6, &net.IPAddr{IP: t.AsSlice()})
		}
		p.mu.Lock()
		p.state[t].sent++
		p.mu.Unlock()
	}
	return nil
}

func (p *Pinger) receive(ctx context.Context, conn *icmp.PacketConn) error {
	proto, reply := 1, icmp.Type(ipv4.ICMPTypeEchoReply)
	if conn == p.conn6 {
		proto, reply = 58, ipv6.ICMPTypeEchoReply
	}
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, from, err := conn.ReadFrom(buf)
		now := time.Now()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("pinger: %w", err)
		}
		msg, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || msg.Type != reply {
			continue
		}
		echo, ok := msg.Body.(*icmp.Echo)
		if !ok || echo.ID != p.id {
			continue
		}
		ipa, ok := from.(*net.IPAddr)
		if !ok {
			continue
		}
		src, ok := netip.AddrFromSlice(ipa.IP)
		if !ok {
			continue
		}
		p.record(src.Unmap(), echo.Seq, now)
	}
	return nil
}

func (p *Pinger) record(src netip.Addr, seq int, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.state[src]
	if !ok {
		return
	}
	if s.answered[seq] {
		s.duplicates++
		return
	}
	s.answered[seq] = true
	s.replies = append(s.replies, at)
}

// Stats summarises one target over a window.
type Stats struct {
	Target     netip.Addr    `json:"target"`
	Sent       int           `json:"sent"`
	Received   int           `json:"received"`
	Duplicates int           `json:"duplicates"`
	LastReply  time.Time     `json:"last_reply"`
	LongestGap time.Duration `json:"longest_gap"`
}

// Answering reports whether every target has answered since t.
func (p *Pinger) Answering(since time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.state {
		if len(s.replies) == 0 || s.replies[len(s.replies)-1].Before(since) {
			return false
		}
	}
	return true
}

// Stats returns each target's figures over [from, to]. The longest gap is
// measured between consecutive replies inside the window, counting the
// window's start as a reply (the target answered just before it) and its
// end as one when the last reply is older (the target is still down).
func (p *Pinger) Stats(from, to time.Time) []Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Stats, 0, len(p.targets))
	for _, t := range p.targets {
		s := p.state[t]
		st := Stats{Target: t, Sent: s.sent, Received: len(s.replies), Duplicates: s.duplicates}
		if n := len(s.replies); n > 0 {
			st.LastReply = s.replies[n-1]
		}
		st.LongestGap = LongestGap(s.replies, from, to)
		out = append(out, st)
	}
	return out
}

// LongestGap returns the longest interval in [from, to] without a reply.
// replies must be in ascending order.
func LongestGap(replies []time.Time, from, to time.Time) time.Duration {
	i, _ := slices.BinarySearchFunc(replies, from, func(a, b time.Time) int { return a.Compare(b) })
	prev := from
	var longest time.Duration
	for ; i < len(replies) && !replies[i].After(to); i++ {
		longest = max(longest, replies[i].Sub(prev))
		prev = replies[i]
	}
	return max(longest, to.Sub(prev))
}
