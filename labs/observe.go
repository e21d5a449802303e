package labs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/icmp"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/probe/pinger"
)

// Observer is a client's view of the lab, independent of the guard: it
// pings the service addresses (IPv4 and IPv6) from a node, and watches
// the ARP and IPv6 neighbour-discovery traffic on that node's interface
// for an address answered by two MACs at once (two hosts in one VLAN both
// answer the same request, within milliseconds). A host that answers
// again after another one left — a rollback bringing the old system back
// — is not a conflict here, unlike in `cutover watch`, whose flip-flop
// rule flags any reclaim within a minute.
//
// The watching shares no code with the guard's decision logic: frames
// are decoded by gopacket's layers, not by probe/arpframe, and judged
// here, not by probe/watch.
type Observer struct {
	Pinger *pinger.Pinger
	Watch  *NeighborLog

	conns               []*icmp.PacketConn
	stopWatch, stopPing context.CancelFunc
	watchDone           chan struct{}
	pingDone            chan error
}

// Observe starts pinging targets every interval from node and watching
// iface there (untagged frames counted as VLAN vlan). Close stops both.
func (l *Lab) Observe(ctx context.Context, node, iface string, vlan int, targets []netip.Addr, interval time.Duration) (*Observer, error) {
	var c4, c6 *icmp.PacketConn
	var tp *afpacket.TPacket
	closeAll := func() {
		for _, c := range []*icmp.PacketConn{c4, c6} {
			if c != nil {
				c.Close()
			}
		}
		if tp != nil {
			tp.Close()
		}
	}
	if err := netns.Do(l.NodeNS(node), func() (err error) {
		if c4, err = pinger.Listen(); err != nil {
			return err
		}
		if c6, err = pinger.Listen6(); err != nil {
			return err
		}
		tp, err = afpacket.NewTPacket(afpacket.OptInterface(iface), afpacket.OptFrameSize(2048),
			afpacket.OptBlockSize(1<<20), afpacket.OptNumBlocks(4), afpacket.OptPollTimeout(50*time.Millisecond))
		if err != nil {
			return err
		}
		return tp.SetPromiscuous(true)
	}); err != nil {
		closeAll()
		return nil, fmt.Errorf("opening the pinger and observer on %s: %w", node, err)
	}
	pg, err := pinger.NewDualStack(c4, c6, targets, interval)
	if err != nil {
		closeAll()
		return nil, err
	}
	o := &Observer{Pinger: pg, Watch: newNeighborLog(), conns: []*icmp.PacketConn{c4, c6}, watchDone: make(chan struct{}), pingDone: make(chan error, 1)}
	var wctx, pctx context.Context
	wctx, o.stopWatch = context.WithCancel(ctx)
	pctx, o.stopPing = context.WithCancel(ctx)
	go func() {
		defer close(o.watchDone)
		defer tp.Close()
		o.Watch.capture(wctx, tp, vlan)
	}()
	go func() { o.pingDone <- pg.Run(pctx) }()
	return o, nil
}

// Conflicts is how many times the watcher saw an address claimed by two
// MACs at once.
func (o *Observer) Conflicts() int { return o.Watch.Conflicts() }

// Close stops pinging and watching.
func (o *Observer) Close() error {
	o.stopPing()
	<-o.pingDone
	o.stopWatch()
	<-o.watchDone
	var errs []error
	for _, c := range o.conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// simultaneous is how close two MACs' claims on one address must be to
// count as two hosts answering at once: answers to one request arrive
// within milliseconds; a host taking over after another left comes after
// the guard's quiet window (hundreds of milliseconds).
const simultaneous = 100 * time.Millisecond

// NeighborLog is the observer's record of who claimed which address:
// ARP senders (the sender hardware address of any ARP frame with a sender
// address), neighbour advertisements (their target link-layer address
// option, else the frame's source) and solicitations from a unicast
// source (their source link-layer option, else the frame's source).
type NeighborLog struct {
	mu        sync.Mutex
	claims    map[neighborKey]map[string]*ObservedClaim
	events    []ObservedEvent
	conflicts int
}

type neighborKey struct {
	vlan int
	ip   netip.Addr
}

// ObservedClaim is one MAC's claims on an address.
type ObservedClaim struct {
	MAC         string
	First, Last time.Time
	Count       int
}

// ObservedEvent is a conflict the observer saw.
type ObservedEvent struct {
	Time   time.Time
	Kind   string // "conflict"
	VLAN   int
	IP     netip.Addr
	MACs   []string
	Reason string
}

// IsConflict reports whether the event is a conflict (all are).
func (e ObservedEvent) IsConflict() bool { return e.Kind == "conflict" }

// ObservedBinding is an address in a VLAN and the MACs that claimed it.
type ObservedBinding struct {
	VLAN   int
	IP     netip.Addr
	Claims []ObservedClaim
}

// ObserverReport is a snapshot of the log.
type ObserverReport struct {
	Bindings []ObservedBinding
	Events   []ObservedEvent
}

func newNeighborLog() *NeighborLog {
	return &NeighborLog{claims: map[neighborKey]map[string]*ObservedClaim{}}
}

// capture reads frames until ctx ends.
func (n *NeighborLog) capture(ctx context.Context, tp *afpacket.TPacket, vlan int) {
	var (
		eth   layers.Ethernet
		dot1q layers.Dot1Q
		arp   layers.ARP
		ip6   layers.IPv6
		ext   layers.IPv6ExtensionSkipper
		icmp6 layers.ICMPv6
		ns    layers.ICMPv6NeighborSolicitation
		na    layers.ICMPv6NeighborAdvertisement
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &dot1q, &arp, &ip6, &ext, &icmp6, &ns, &na)
	parser.IgnoreUnsupported = true
	var decoded []gopacket.LayerType
	for ctx.Err() == nil {
		data, ci, err := tp.ZeroCopyReadPacketData()
		if err != nil {
			continue // poll timeout: check ctx
		}
		frameVLAN := vlan
		for _, ad := range ci.AncillaryData {
			if v, ok := ad.(afpacket.AncillaryVLAN); ok {
				frameVLAN = v.VLAN & 0x0fff
			}
		}
		if parser.DecodeLayers(data, &decoded) != nil {
			continue
		}
		for _, lt := range decoded {
			switch lt {
			case layers.LayerTypeDot1Q:
				frameVLAN = int(dot1q.VLANIdentifier)
			case layers.LayerTypeARP:
				if ip, ok := netip.AddrFromSlice(arp.SourceProtAddress); ok && !ip.IsUnspecified() && len(arp.SourceHwAddress) == 6 {
					n.claim(ci.Timestamp, frameVLAN, ip, net.HardwareAddr(arp.SourceHwAddress).String())
				}
			case layers.LayerTypeICMPv6NeighborAdvertisement:
				mac := eth.SrcMAC.String()
				for _, o := range na.Options {
					if o.Type == layers.ICMPv6OptTargetAddress && len(o.Data) == 6 {
						mac = net.HardwareAddr(o.Data).String()
					}
				}
				if ip, ok := netip.AddrFromSlice(na.TargetAddress); ok {
					n.claim(ci.Timestamp, frameVLAN, ip, mac)
				}
			case layers.LayerTypeICMPv6NeighborSolicitation:
				src, ok := netip.AddrFromSlice(ip6.SrcIP)
				if !ok || src.IsUnspecified() {
					continue // a duplicate-address-detection probe claims nothing
				}
				mac := eth.SrcMAC.String()
				for _, o := range ns.Options {
					if o.Type == layers.ICMPv6OptSourceAddress && len(o.Data) == 6 {
						mac = net.HardwareAddr(o.Data).String()
					}
				}
				n.claim(ci.Timestamp, frameVLAN, src, mac)
			}
		}
	}
}

// claim records that mac claimed ip in vlan at t; another MAC's claim on
// it within simultaneous is a conflict.
func (n *NeighborLog) claim(t time.Time, vlan int, ip netip.Addr, mac string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := neighborKey{vlan, ip.Unmap()}
	byMAC := n.claims[k]
	if byMAC == nil {
		byMAC = map[string]*ObservedClaim{}
		n.claims[k] = byMAC
	}
	for other, c := range byMAC {
		if other != mac && t.Sub(c.Last).Abs() < simultaneous {
			n.conflicts++
			n.events = append(n.events, ObservedEvent{Time: t, Kind: "conflict", VLAN: vlan, IP: k.ip, MACs: []string{other, mac},
				Reason: fmt.Sprintf("%s and %s both answered within %s", other, mac, simultaneous)})
		}
	}
	c := byMAC[mac]
	if c == nil {
		c = &ObservedClaim{MAC: mac, First: t}
		byMAC[mac] = c
	}
	c.Last = t
	c.Count++
}

// Conflicts is how many conflicts the log holds.
func (n *NeighborLog) Conflicts() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conflicts
}

// Owners returns the MACs that claimed (vlan, ip) at or after since.
func (n *NeighborLog) Owners(vlan int, ip netip.Addr, since time.Time) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for mac, c := range n.claims[neighborKey{vlan, ip.Unmap()}] {
		if !c.Last.Before(since) {
			out = append(out, mac)
		}
	}
	sort.Strings(out)
	return out
}

// Report returns the bindings, sorted by VLAN and address, and the events.
func (n *NeighborLog) Report() ObserverReport {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := ObserverReport{Events: slices.Clone(n.events)}
	for k, byMAC := range n.claims {
		b := ObservedBinding{VLAN: k.vlan, IP: k.ip}
		for _, c := range byMAC {
			b.Claims = append(b.Claims, *c)
		}
		sort.Slice(b.Claims, func(i, j int) bool { return b.Claims[i].MAC < b.Claims[j].MAC })
		r.Bindings = append(r.Bindings, b)
	}
	sort.Slice(r.Bindings, func(i, j int) bool {
		if r.Bindings[i].VLAN != r.Bindings[j].VLAN {
			return r.Bindings[i].VLAN < r.Bindings[j].VLAN
		}
		return r.Bindings[i].IP.Less(r.Bindings[j].IP)
	})
	return r
}
