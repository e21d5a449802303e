package prober_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/prober"
)

// many holds 1,000 IPv4 and 1,000 IPv6 addresses in VLAN 10; a and b both
// hold 10.20.0.5 and fd20::5 in VLAN 20 (real duplicates); c is alone in
// VLAN 30; the probe is on a trunk. IPv6 addresses skip duplicate address
// detection (nodad): the duplicates are the point.
const topology = `
name: prober
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    many: {kind: linux, labels: {cutover.vlan: "10"}}
    a: {kind: linux, labels: {cutover.vlan: "20"}, exec: ["ip address add 10.20.0.5/24 dev eth1", "ip address add fd20::5/64 dev eth1 nodad"]}
    b: {kind: linux, labels: {cutover.vlan: "20"}, exec: ["ip address add 10.20.0.5/24 dev eth1", "ip address add fd20::5/64 dev eth1 nodad"]}
    c: {kind: linux, labels: {cutover.vlan: "30"}, exec: ["ip address add 10.30.0.7/24 dev eth1", "ip address add 10.30.0.1/24 dev eth1", "ip address add fd30::7/64 dev eth1 nodad", "ip address add fd30::1/64 dev eth1 nodad"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "many:eth1"]
    - endpoints: ["sw1:e2", "a:eth1"]
    - endpoints: ["sw1:e3", "b:eth1"]
    - endpoints: ["sw1:e4", "c:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`

func manyAddrs(n int) []netip.Addr {
	var out []netip.Addr
	for i := range n {
		out = append(out, netip.AddrFrom4([4]byte{10, 10, byte(1 + i/250), byte(1 + i%250)}))
	}
	return out
}

// manyAddrs6 returns n IPv6 addresses of fd10::/64.
func manyAddrs6(n int) []netip.Addr {
	var out []netip.Addr
	for i := range n {
		out = append(out, netip.AddrFrom16([16]byte{0xfd, 0x10, 13: byte(1 + i/250), 15: byte(1 + i%250)}))
	}
	return out
}

type fixture struct {
	lab    *labs.Lab
	p      *prober.Prober
	addrs  []netip.Addr // IPv4, VLAN 10
	addrs6 []netip.Addr // IPv6, VLAN 10
}

func setup(t testing.TB, cfg prober.Config) *fixture {
	l := labtest.Start(t, topology)
	addrs, addrs6 := manyAddrs(1000), manyAddrs6(1000)
	var batch strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&batch, "address add %s/16 dev eth1\n", a)
	}
	for _, a := range addrs6 {
		fmt.Fprintf(&batch, "address add %s/64 dev eth1 nodad\n", a)
	}
	if _, err := l.Exec(context.Background(), "many", []byte(batch.String()), "ip", "-batch", "-"); err != nil {
		t.Fatal(err)
	}
	var conn *l2.Conn
	labtest.InNode(t, l, "probe", func() (err error) { conn, err = l2.Listen("eth1", l2.NeighborFilter()); return err })
	p := prober.NewTrunk(conn, cfg)
	t.Cleanup(func() { p.Close() })
	return &fixture{lab: l, p: p, addrs: addrs, addrs6: addrs6}
}

func macOf(t testing.TB, l *labs.Lab, node string) arpframe.MAC {
	out := labtest.Exec(t, l, node, "cat", "/sys/class/net/eth1/address")
	m, err := arpframe.ParseMAC(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPresenceAbsenceAndDuplicates(t *testing.T) {
	f := setup(t, prober.Config{})
	ctx := context.Background()
	owners, err := f.p.Presence(ctx, 10, f.addrs)
	if err != nil {
		t.Fatal(err)
	}
	many := macOf(t, f.lab, "many")
	if len(owners) != 1000 {
		t.Fatalf("%d of 1000 addresses answered", len(owners))
	}
	for a, macs := range owners {
		if len(macs) != 1 || macs[0] != many {
			t.Fatalf("%s: owners %v, want %v", a, macs, many)
		}
	}
	// The same addresses are absent from VLAN 20.
	proof, found, err := f.p.Absence(ctx, 20, f.addrs[:50], 200*time.Millisecond)
	if err != nil || found != nil || proof == nil || proof.Probes < 50 || proof.End.Sub(proof.Start) < 200*time.Millisecond {
		t.Fatalf("absence: %+v %v %v", proof, found, err)
	}
	// A real duplicate: both MACs are named.
	dup := netip.MustParseAddr("10.20.0.5")
	owners, err = f.p.Presence(ctx, 20, []netip.Addr{dup})
	if err != nil || len(owners[dup]) != 2 {
		t.Fatalf("duplicate: %v %v", owners, err)
	}
	// Absence of a present address: straight after Presence the rate
	// limit forbids another probe, so the recent answers are the evidence.
	_, found, err = f.p.Absence(ctx, 20, []netip.Addr{dup}, 300*time.Millisecond)
	if err != nil || len(found[dup]) != 2 {
		t.Fatalf("absence of a present address: %v %v", found, err)
	}
	// Once the prober is told the owners left, it probes again, and they answer.
	f.p.Forget(20, []netip.Addr{dup})
	_, found, err = f.p.Absence(ctx, 20, []netip.Addr{dup}, 300*time.Millisecond)
	if err != nil || len(found[dup]) != 2 {
		t.Fatalf("absence after Forget: %v %v", found, err)
	}
}

// probesSeenBy counts the ARP probes for ip that arrive at node (a raw
// socket there; IPv6 DAD and other traffic are not counted).
func probesSeenBy(t *testing.T, f *fixture, node string, ip netip.Addr) func() int {
	var conn *l2.Conn
	labtest.InNode(t, f.lab, node, func() (err error) { conn, err = l2.Listen("eth1", l2.ARPFilter()); return err })
	var n atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			fr, err := conn.Read(buf)
			if err != nil {
				return
			}
			var p arpframe.Packet
			if arpframe.Decode(arpframe.LinkEthernet, fr.Data, &p) == nil && !fr.Outgoing && p.Probe() && p.TargetIP == ip {
				n.Add(1)
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return func() int {
		time.Sleep(50 * time.Millisecond) // frames in flight
		return int(n.Load())
	}
}

func TestACDRateLimitPerLiveTarget(t *testing.T) {
	f := setup(t, prober.Config{})
	ip := netip.MustParseAddr("10.30.0.7")
	probes := probesSeenBy(t, f, "c", ip)
	ctx := context.Background()
	if owners, err := f.p.Presence(ctx, 30, []netip.Addr{ip}); err != nil || len(owners[ip]) != 1 {
		t.Fatalf("%v %v", owners, err)
	}
	if n := probes(); n != 1 {
		t.Fatalf("c received %d probes, want 1", n)
	}
	// Asking again at once: the live target is not probed a second time
	// within 10 s; the call waits and here runs out of time.
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := f.p.Presence(short, 30, []netip.Addr{ip}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second presence: %v", err)
	}
	if n := probes(); n != 1 {
		t.Fatalf("c received %d probes within 10 s, want 1", n)
	}
	// After the host moved away (Forget), the address is not live there.
	f.p.Forget(30, []netip.Addr{ip})
	if owners, err := f.p.Presence(ctx, 30, []netip.Addr{ip}); err != nil || len(owners[ip]) != 1 {
		t.Fatalf("%v %v", owners, err)
	}
}

func TestOrdinaryRequestFromSource(t *testing.T) {
	ip := netip.MustParseAddr("10.30.0.7")
	f := setup(t, prober.Config{Sources: map[int]netip.Addr{30: netip.MustParseAddr("10.30.0.250")}})
	ctx := context.Background()
	for i := range 3 {
		owners, err := f.p.Presence(ctx, 30, []netip.Addr{ip})
		if err != nil || len(owners[ip]) != 1 {
			t.Fatalf("round %d: %v %v", i, owners, err)
		}
	}
	// c now knows the source address at the prober's MAC: an ordinary request.
	if out := labtest.Exec(t, f.lab, "c", "ip", "neigh", "show", "10.30.0.250"); !strings.Contains(out, f.p.MAC().String()) {
		t.Fatalf("c's neighbour table: %q", out)
	}
}

func TestAnnounceUpdatesNeighbourCaches(t *testing.T) {
	f := setup(t, prober.Config{})
	ctx := context.Background()
	// c (10.30.0.1) learns 10.30.0.7 → a made-up old MAC, as a gateway would.
	old := "02:00:00:00:00:01"
	labtest.Exec(t, f.lab, "c", "ip", "neigh", "replace", "10.30.0.9", "lladdr", old, "dev", "eth1", "nud", "reachable")
	time.Sleep(1100 * time.Millisecond) // past the neighbour locktime (1 s)
	newMAC := arpframe.MAC{0x02, 0, 0, 0, 0, 0x02}
	if err := f.p.Announce(ctx, 30, map[netip.Addr]arpframe.MAC{netip.MustParseAddr("10.30.0.9"): newMAC}, 1, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		out := labtest.Exec(t, f.lab, "c", "ip", "neigh", "show", "10.30.0.9")
		if strings.Contains(out, newMAC.String()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("c still has %q after the announcement", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkPresence1000 asks 1,000 addresses of one VLAN of the lab, by
// ARP (ordinary requests from a configured source: the ACD rate limit
// would hold back repeated probes) and by neighbour solicitation, side by
// side in one lab.
func BenchmarkPresence1000(b *testing.B) {
	f := setup(b, prober.Config{Sources: map[int]netip.Addr{10: netip.MustParseAddr("10.10.200.1")}})
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		addrs []netip.Addr
	}{{"arp", f.addrs}, {"ndp", f.addrs6}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				owners, err := f.p.Presence(ctx, 10, c.addrs)
				if err != nil || len(owners) != 1000 {
					b.Fatalf("%d answered: %v", len(owners), err)
				}
			}
		})
	}
}

// BenchmarkAbsence1000 proves 1,000 addresses absent from a VLAN with the
// default 300 ms window, by ACD probes and by duplicate-address-detection
// probes, side by side in one lab.
func BenchmarkAbsence1000(b *testing.B) {
	f := setup(b, prober.Config{})
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		addrs []netip.Addr
	}{{"arp", f.addrs}, {"ndp", f.addrs6}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				proof, found, err := f.p.Absence(ctx, 30, c.addrs, 300*time.Millisecond)
				if err != nil || found != nil || proof == nil {
					b.Fatalf("%v %v", found, err)
				}
			}
		})
	}
}

// TestPerVLANInterfaces probes through an access interface (no trunk, no
// IPv4 or IPv6 address): frames go untagged and the VLAN is the
// interface's.
func TestPerVLANInterfaces(t *testing.T) {
	l := labtest.Start(t, strings.Replace(topology, "    probe: {kind: linux, labels: {cutover.role: probe}}",
		"    probe: {kind: linux, labels: {cutover.role: probe}}\n    scanner: {kind: linux, labels: {cutover.vlan: \"30\"}}", 1)+
		"    - endpoints: [\"sw1:e8\", \"scanner:eth1\"]\n")
	var conn *l2.Conn
	labtest.InNode(t, l, "scanner", func() (err error) { conn, err = l2.Listen("eth1", l2.NeighborFilter()); return err })
	p, err := prober.NewPerVLAN(map[int]*l2.Conn{30: conn}, prober.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	// No address of either family on the scanner's interface.
	labtest.Exec(t, l, "scanner", "sysctl", "-q", "-w", "net.ipv6.conf.eth1.disable_ipv6=1")
	ip, ip6 := netip.MustParseAddr("10.30.0.7"), netip.MustParseAddr("fd30::7")
	owners, err := p.Presence(context.Background(), 30, []netip.Addr{ip, ip6})
	if err != nil || len(owners[ip]) != 1 || owners[ip][0] != macOf(t, l, "c") || len(owners[ip6]) != 1 || owners[ip6][0] != macOf(t, l, "c") {
		t.Fatalf("%v %v", owners, err)
	}
	proof, found, err := p.Absence(context.Background(), 30, []netip.Addr{netip.MustParseAddr("fd30::99")}, 100*time.Millisecond)
	if err != nil || found != nil || proof == nil {
		t.Fatalf("absence through an access interface: %+v %v %v", proof, found, err)
	}
	if _, err := p.Presence(context.Background(), 20, []netip.Addr{ip}); err == nil || !strings.Contains(err.Error(), "no interface for VLAN 20") {
		t.Fatalf("VLAN without an interface: %v", err)
	}
}
