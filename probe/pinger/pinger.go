// Package pinger measures outage as a client sees it: it sends ICMP echo
// requests to every target at a fixed interval and records when replies
// arrive. A target's downtime over a window is the longest gap between
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
)

// Listen opens a raw ICMPv4 socket (needs CAP_NET_RAW) in the calling
// thread's network namespace.
func Listen() (*icmp.PacketConn, error) {
	return icmp.ListenPacket("ip4:icmp", "0.0.0.0")
}

// Pinger pings a set of IPv4 targets.
type Pinger struct {
	conn     *icmp.PacketConn
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

// New returns a pinger for targets over conn, sending every interval.
func New(conn *icmp.PacketConn, targets []netip.Addr, interval time.Duration) (*Pinger, error) {
	if interval <= 0 {
		return nil, errors.New("pinger: interval must be positive")
	}
	p := &Pinger{conn: conn, interval: interval, id: rand.IntN(0xffff) + 1, state: map[netip.Addr]*series{}, sent: map[int]time.Time{}}
	for _, t := range targets {
		if !t.Is4() {
			return nil, fmt.Errorf("pinger: %s is not IPv4", t)
		}
		p.targets = append(p.targets, t)
		p.state[t] = &series{answered: map[int]bool{}}
	}
	return p, nil
}

// Run sends and receives until ctx ends. It returns ctx's error or a socket error.
func (p *Pinger) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- p.receive(ctx) }()
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		if err := p.sendRound(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), <-errc)
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
	msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: p.id, Seq: seq, Data: []byte("cutover-downtime")}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return err
	}
	for _, t := range p.targets {
		// A send error (no route yet, neighbour unresolved) is an
		// unanswered ping, not a failure of the measurement.
		_, _ = p.conn.WriteTo(b, &net.IPAddr{IP: t.AsSlice()})
		p.mu.Lock()
		p.state[t].sent++
		p.mu.Unlock()
	}
	return nil
}

func (p *Pinger) receive(ctx context.Context) error {
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		_ = p.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, from, err := p.conn.ReadFrom(buf)
		now := time.Now()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("pinger: %w", err)
		}
		msg, err := icmp.ParseMessage(1, buf[:n])
		if err != nil || msg.Type != ipv4.ICMPTypeEchoReply {
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
