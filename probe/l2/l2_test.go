package l2

import (
	"net/netip"
	"testing"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/ndpframe"
	"golang.org/x/net/bpf"
)

func vm(t *testing.T, raw []bpf.RawInstruction) *bpf.VM {
	t.Helper()
	var ins []bpf.Instruction
	for _, r := range raw {
		ins = append(ins, r.Disassemble())
	}
	v, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// frames returns one frame of every kind the filters judge, with whether
// a neighbour filter must pass it and whether the ARP filter must.
func frames(t *testing.T) map[string]struct {
	b        []byte
	ndp, arp bool
} {
	mac := arpframe.MAC{2, 0, 0, 0, 0, 1}
	ip4 := netip.MustParseAddr("192.168.66.30")
	ip6 := netip.MustParseAddr("fd66::30")
	must := func(b []byte, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	arp := must(arpframe.Request(0, mac, ip4, ip4).Marshal())
	tagged := func(b []byte) []byte {
		return append(append(append([]byte{}, b[:12]...), 0x81, 0, 0, 66), b[12:]...)
	}
	snap := append(append(append([]byte{}, arp[:12]...), 0, 36, 0xaa, 0xaa, 3, 0, 0, 0, 8, 6), arp[14:]...)
	ns := must(ndpframe.Solicitation(0, mac, ip6))
	na := must(ndpframe.Announcement(0, mac, mac, ip6))
	echo := must(ndpframe.EchoReply(0, mac, ip6, mac, ip6, 1, 1, nil))
	hbh := append([]byte{}, ns[:54]...)
	hbh[20] = 0
	hbh = append(append(hbh, 58, 0, 1, 4, 0, 0, 0, 0), ns[54:]...)
	ipv4 := append(append([]byte{}, arp[:12]...), 0x08, 0x00, 0x45, 0, 0, 20)
	return map[string]struct {
		b        []byte
		ndp, arp bool
	}{
		"arp": {arp, true, true}, "tagged arp": {tagged(arp), true, true}, "snap arp": {snap, true, false},
		"tagged snap arp": {tagged(snap), true, false},
		"ns":              {ns, true, false}, "na": {na, true, false}, "tagged na": {tagged(na), true, false},
		"ns after hop-by-hop": {hbh, true, false}, "tagged ns after hop-by-hop": {tagged(hbh), true, false},
		"icmpv6 echo": {echo, false, false}, "tagged icmpv6 echo": {tagged(echo), false, false},
		"ipv4": {ipv4, false, false}, "tagged ipv4": {tagged(ipv4), false, false},
	}
}

func TestFilters(t *testing.T) {
	nf, af := vm(t, NeighborFilter()), vm(t, ARPFilter())
	for name, c := range frames(t) {
		if n, err := nf.Run(c.b); err != nil || (n > 0) != c.ndp {
			t.Errorf("NeighborFilter, %s: %d, %v; want pass=%v", name, n, err, c.ndp)
		}
		if n, err := af.Run(c.b); err != nil || (n > 0) != c.arp {
			t.Errorf("ARPFilter, %s: %d, %v; want pass=%v", name, n, err, c.arp)
		}
	}
}

func TestProgramRejectsBackwardJumps(t *testing.T) {
	var p Program
	p.Label("start")
	p.Add(bpf.LoadAbsolute{Off: 12, Size: 2})
	p.JumpIf(bpf.JumpEqual, 1, "start", "")
	p.Add(bpf.RetConstant{})
	if _, err := p.Assemble(); err == nil {
		t.Fatal("a backward jump assembled")
	}
}
