package gateway_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/gateway"
	"github.com/cutover-net/cutover/probe/l2"
	"golang.org/x/net/bpf"
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
	for name, c := range map[string]struct {
		b    []byte
		pass bool
	}{
		"arp":         {frame([]byte{8, 6}, make([]byte, 28)...), true},
		"icmp":        {frame([]byte{8, 0}, ipv4(1)...), true},
		"udp":         {frame([]byte{8, 0}, ipv4(17)...), false},
		"tagged arp":  {frame([]byte{0x81, 0, 0, 166, 8, 6}, make([]byte, 28)...), true},
		"tagged icmp": {frame([]byte{0x81, 0, 0, 166, 8, 0}, ipv4(1)...), true},
		"tagged tcp":  {frame([]byte{0x81, 0, 0, 166, 8, 0}, ipv4(6)...), false},
		"ipv6":        {frame([]byte{0x86, 0xdd}, make([]byte, 40)...), false},
	} {
		if n, err := vm.Run(c.b); err != nil || (n > 0) != c.pass {
			t.Errorf("%s: %d %v, want pass=%v", name, n, err, c.pass)
		}
	}
}

// An installer in the isolated Migration VLAN (no gateway there) pings its
// gateway address; the stand-in on the probe host's trunk answers.
func TestStandInAnswersInMigrationVLAN(t *testing.T) {
	l := labtest.Start(t, `
name: gw
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    installer: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.40/24 dev eth1"]}
    other: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.41/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "installer:eth1"]
    - endpoints: ["sw1:e2", "other:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`)
	var conn *l2.Conn
	labtest.InNode(t, l, "probe", func() (err error) { conn, err = l2.Listen("eth1", gateway.Filter()); return err })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var last gateway.Stats // written by Serve's goroutine, read after it ended
	go func() {
		done <- gateway.Serve(ctx, conn, netip.MustParseAddr("192.168.66.1"), 166, func(s gateway.Stats) { last = s })
	}()
	stop := sync.OnceValue(func() error { cancel(); err := <-done; conn.Close(); return err })
	t.Cleanup(func() { stop() })
	time.Sleep(100 * time.Millisecond)

	if got := labtest.Ping(t, l, "installer", 500*time.Millisecond, "192.168.66.1"); got["192.168.66.1"] == 0 {
		t.Fatal("the installer gets no answer from its gateway")
	}
	neigh := labtest.Exec(t, l, "installer", "ip", "neigh", "show", "192.168.66.1")
	if !strings.Contains(neigh, conn.MAC().String()) {
		t.Fatalf("installer's neighbour entry %q, want the stand-in's MAC %s", neigh, conn.MAC())
	}
	// Production (VLAN 66) is not served: the stand-in never answers there.
	if got := labtest.Ping(t, l, "other", 300*time.Millisecond, "192.168.66.1"); got["192.168.66.1"] != 0 {
		t.Fatal("the stand-in answered in VLAN 66")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if last.ARPReplies == 0 || last.EchoReplies == 0 {
		t.Fatalf("stats %+v", last)
	}
}
