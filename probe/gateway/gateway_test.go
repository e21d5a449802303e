package gateway_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/gateway"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/pinger"
	"golang.org/x/net/bpf"
	"golang.org/x/net/icmp"
)

func TestFilter(t *testing.T) {
	var prog []bpf.Instruction
	for _, ri := range gateway.Filter() {
		prog = append(prog, ri.Disassemble())
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(etype []byte, rest ...byte) []byte {
		b := append(make([]byte, 12), etype...)
		return append(b, rest...)
	}
	ipv4 := func(proto byte) []byte { h := make([]byte, 20); h[0], h[9] = 0x45, proto; return h }
	ipv6 := func(next byte) []byte { h := make([]byte, 48); h[0], h[6] = 0x60, next; return h }
	for name, c := range map[string]struct {
		b    []byte
		pass bool
	}{
		"arp":                      {frame([]byte{8, 6}, make([]byte, 28)...), true},
		"icmp":                     {frame([]byte{8, 0}, ipv4(1)...), true},
		"udp":                      {frame([]byte{8, 0}, ipv4(17)...), false},
		"tagged arp":               {frame([]byte{0x81, 0, 0, 166, 8, 6}, make([]byte, 28)...), true},
		"tagged icmp":              {frame([]byte{0x81, 0, 0, 166, 8, 0}, ipv4(1)...), true},
		"tagged tcp":               {frame([]byte{0x81, 0, 0, 166, 8, 0}, ipv4(6)...), false},
		"icmpv6":                   {frame([]byte{0x86, 0xdd}, ipv6(58)...), true},
		"tagged icmpv6":            {frame([]byte{0x81, 0, 0, 166, 0x86, 0xdd}, ipv6(58)...), true},
		"icmpv6 behind hop-by-hop": {frame([]byte{0x86, 0xdd}, ipv6(0)...), true},
		"udp over ipv6":            {frame([]byte{0x86, 0xdd}, ipv6(17)...), false},
		"tagged tcp over ipv6":     {frame([]byte{0x81, 0, 0, 166, 0x86, 0xdd}, ipv6(6)...), false},
	} {
		if n, err := vm.Run(c.b); err != nil || (n > 0) != c.pass {
			t.Errorf("%s: %d %v, want pass=%v", name, n, err, c.pass)
		}
	}
}

// An installer in the isolated Migration VLAN (no gateway there) pings its
// gateway addresses, IPv4 and IPv6; the stand-in on the probe host's trunk
// answers both.
func TestStandInAnswersInMigrationVLAN(t *testing.T) {
	l := labtest.Start(t, `
name: gw
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    installer: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.40/24 dev eth1", "ip address add fd66::40/64 dev eth1 nodad"]}
    other: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.41/24 dev eth1", "ip address add fd66::41/64 dev eth1 nodad"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "installer:eth1"]
    - endpoints: ["sw1:e2", "other:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`)
	gw4, gw6 := netip.MustParseAddr("192.168.66.1"), netip.MustParseAddr("fd66::1")
	var conn *l2.Conn
	labtest.InNode(t, l, "probe", func() (err error) { conn, err = l2.Listen("eth1", gateway.Filter()); return err })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var last gateway.Stats // written by Serve's goroutine, read after it ended
	go func() {
		done <- gateway.Serve(ctx, conn, []netip.Addr{gw4, gw6}, 166, func(s gateway.Stats) { last = s })
	}()
	stop := sync.OnceValue(func() error { cancel(); err := <-done; conn.Close(); return err })
	t.Cleanup(func() { stop() })
	time.Sleep(100 * time.Millisecond)

	if got := ping(t, l, "installer", 500*time.Millisecond, gw4, gw6); got[gw4] == 0 || got[gw6] == 0 {
		t.Fatalf("the installer gets no answer from its gateway: %v", got)
	}
	for _, a := range []netip.Addr{gw4, gw6} {
		neigh := labtest.Exec(t, l, "installer", "ip", "neigh", "show", a.String())
		if !strings.Contains(neigh, conn.MAC().String()) || a.Is6() && !strings.Contains(neigh, "router") {
			t.Fatalf("installer's neighbour entry %q, want the stand-in's MAC %s (a router for IPv6)", neigh, conn.MAC())
		}
	}
	// Production (VLAN 66) is not served: the stand-in never answers there.
	if got := ping(t, l, "other", 300*time.Millisecond, gw4, gw6); got[gw4] != 0 || got[gw6] != 0 {
		t.Fatalf("the stand-in answered in VLAN 66: %v", got)
	}
	// A host configuring the gateway's IPv6 address in Migration finds it
	// taken: the stand-in defends it against duplicate address detection.
	labtest.Exec(t, l, "installer", "ip", "address", "add", "fd66::1/64", "dev", "eth1")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(labtest.Exec(t, l, "installer", "ip", "address", "show", "dev", "eth1"), "dadfailed") {
		if time.Now().After(deadline) {
			t.Fatalf("the installer took fd66::1: %s", labtest.Exec(t, l, "installer", "ip", "address", "show", "dev", "eth1"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if last.ARPReplies == 0 || last.NDPReplies == 0 || last.EchoReplies == 0 {
		t.Fatalf("stats %+v", last)
	}
}

// ping pings targets (both families) from a node for d and returns how
// many replies each sent.
func ping(t *testing.T, l *labs.Lab, node string, d time.Duration, targets ...netip.Addr) map[netip.Addr]int {
	t.Helper()
	var c4, c6 *icmp.PacketConn
	labtest.InNode(t, l, node, func() (err error) {
		if c4, err = pinger.Listen(); err != nil {
			return err
		}
		c6, err = pinger.Listen6()
		return err
	})
	defer c4.Close()
	defer c6.Close()
	p, err := pinger.NewDualStack(c4, c6, targets, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p.Run(ctx)
	out := map[netip.Addr]int{}
	for _, s := range p.Stats(start, time.Now()) {
		out[s.Target] = s.Received
	}
	return out
}
