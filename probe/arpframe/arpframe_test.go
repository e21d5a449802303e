package arpframe

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

var (
	tgt6 = netip.MustParseAddr("2001:db8::30")
	macA = MAC{0x02, 0, 0, 0, 0, 0x0a}
	macB = MAC{0x02, 0, 0, 0, 0, 0x0b}
	ip30 = netip.MustParseAddr("192.168.66.30")
)

func mustMarshal(t testing.TB, f Frame) []byte {
	t.Helper()
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildDecodeRoundTrip(t *testing.T) {
	for _, vlan := range []int{0, 66, 4094} {
		for _, f := range []Frame{
			Probe(vlan, macA, ip30),
			Request(vlan, macA, netip.MustParseAddr("192.168.66.250"), ip30),
			Announcements(vlan, macA, macB, ip30)[0],
			Announcements(vlan, macA, macB, ip30)[1],
		} {
			var p Packet
			if err := Decode(LinkEthernet, mustMarshal(t, f), &p); err != nil {
				t.Fatal(err)
			}
			if p.VLAN != vlan || p.Op != f.Op || p.SenderMAC != f.SenderMAC || p.TargetIP != f.TargetIP || p.EthSrc != f.EthSrc || p.EthDst != Broadcast {
				t.Fatalf("vlan %d: %+v from %+v", vlan, p, f)
			}
		}
	}
	var p Packet
	Decode(LinkEthernet, mustMarshal(t, Probe(0, macA, ip30)), &p)
	if !p.Probe() || p.Claims() || p.Gratuitous() {
		t.Fatalf("probe: %+v", p)
	}
	Decode(LinkEthernet, mustMarshal(t, Announcements(66, macA, macB, ip30)[0]), &p)
	if p.Probe() || !p.Claims() || !p.Gratuitous() || p.SenderMAC != macB || p.EthSrc != macA {
		t.Fatalf("announcement: %+v", p)
	}
}

func TestDecodeEncapsulations(t *testing.T) {
	arp := mustMarshal(t, Request(0, macA, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")))[14:]
	eth := func(etype uint16, payload []byte) []byte {
		b := append(append(append([]byte{}, Broadcast[:]...), macA[:]...), byte(etype>>8), byte(etype))
		return append(b, payload...)
	}
	tag := func(vid uint16, inner uint16) []byte {
		return []byte{byte(vid >> 8), byte(vid), byte(inner >> 8), byte(inner)}
	}
	snap := append([]byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06}, arp...)
	sll := append([]byte{0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0x0a, 0, 0, 0x08, 0x06}, arp...)
	sll2 := append([]byte{0x08, 0x06, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 0x0a, 0, 0}, arp...)
	cases := []struct {
		name string
		link int
		b    []byte
		vlan int
	}{
		{"ethernet", LinkEthernet, eth(0x0806, arp), 0},
		{"802.1Q", LinkEthernet, eth(0x8100, append(tag(66, 0x0806), arp...)), 66},
		{"Q-in-Q (inner VLAN)", LinkEthernet, eth(0x88a8, append(append(tag(100, 0x8100), tag(166, 0x0806)...), arp...)), 166},
		{"LLC/SNAP", LinkEthernet, eth(uint16(len(snap)), snap), 0},
		{"tagged LLC/SNAP", LinkEthernet, eth(0x8100, append(tag(7, uint16(len(snap))), snap...)), 7},
		{"Linux SLL", LinkLinuxSLL, sll, 0},
		{"Linux SLL2", LinkSLL2, sll2, 0},
	}
	for _, c := range cases {
		var p Packet
		if err := Decode(c.link, c.b, &p); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.VLAN != c.vlan || p.SenderMAC != macA || p.SenderIP.String() != "10.0.0.1" || p.TargetIP.String() != "10.0.0.2" || p.Op != OpRequest {
			t.Fatalf("%s: %+v", c.name, p)
		}
		if c.link != LinkEthernet && p.EthSrc != macA {
			t.Fatalf("%s: cooked source %v", c.name, p.EthSrc)
		}
	}
}

// ndp builds an Ethernet+IPv6+ICMPv6 neighbour message.
func ndp(typ byte, src, dst, target netip.Addr, flags byte, optType byte, optMAC MAC, hop byte) []byte {
	icmp := make([]byte, 24)
	icmp[0], icmp[4] = typ, flags
	copy(icmp[8:], target.AsSlice())
	if optType != 0 {
		icmp = append(icmp, optType, 1)
		icmp = append(icmp, optMAC[:]...)
	}
	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(icmp)))
	ip[6], ip[7] = 58, hop
	copy(ip[8:], src.AsSlice())
	copy(ip[24:], dst.AsSlice())
	b := append(append(append([]byte{0x33, 0x33, 0, 0, 0, 1}, macA[:]...), 0x86, 0xdd), ip...)
	return append(b, icmp...)
}

func TestDecodeNDP(t *testing.T) {
	tgt := netip.MustParseAddr("2001:db8::30")
	var p Packet
	// DAD probe: NS from ::.
	if err := Decode(LinkEthernet, ndp(135, netip.IPv6Unspecified(), netip.MustParseAddr("ff02::1:ff00:30"), tgt, 0, 0, MAC{}, 255), &p); err != nil {
		t.Fatal(err)
	}
	if !p.NDP || !p.Probe() || p.TargetIP != tgt {
		t.Fatalf("DAD: %+v", p)
	}
	// Unsolicited advertisement with a target link-layer option: an announcement by macB.
	if err := Decode(LinkEthernet, ndp(136, tgt, netip.MustParseAddr("ff02::1"), tgt, 0x20, 2, macB, 255), &p); err != nil {
		t.Fatal(err)
	}
	if p.Op != OpReply || p.SenderIP != tgt || p.SenderMAC != macB || !p.Gratuitous() || !p.Claims() {
		t.Fatalf("NA: %+v", p)
	}
	// Solicited advertisement without option: sender is the frame source.
	Decode(LinkEthernet, ndp(136, tgt, netip.MustParseAddr("2001:db8::1"), tgt, 0x40, 0, MAC{}, 255), &p)
	if p.Gratuitous() || p.SenderMAC != macA {
		t.Fatalf("solicited NA: %+v", p)
	}
	for name, b := range map[string][]byte{
		"hop limit 64":  ndp(136, tgt, tgt, tgt, 0, 0, MAC{}, 64),
		"zero option":   fixLen(append(ndp(135, tgt, tgt, tgt, 0, 0, MAC{}, 255), 1, 0, 0, 0, 0, 0, 0, 0)),
		"multicast tgt": ndp(135, tgt, tgt, netip.MustParseAddr("ff02::1"), 0, 0, MAC{}, 255),
	} {
		if err := Decode(LinkEthernet, b, &p); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// withExt inserts IPv6 extension headers (each given as next-header
// value and body, padded to its unit) between the IPv6 header and the
// ICMPv6 message of an untagged Ethernet+IPv6 frame.
func withExt(b []byte, exts ...[]byte) []byte {
	out := append([]byte{}, b[:54]...)
	next := out[20]
	var chain []byte
	for i := len(exts) - 1; i >= 0; i-- {
		h := append([]byte{next}, exts[i][1:]...)
		chain = append(h, chain...)
		next = exts[i][0]
	}
	out[20] = next
	out = append(append(out, chain...), b[54:]...)
	return fixLen(out)
}

// Extension headers: type byte first, then the header from its length
// field on (the walker overwrites the next-header byte).
var (
	hopByHop = []byte{0, 0, 1, 4, 0, 0, 0, 0}                           // PadN
	destOpts = []byte{60, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} // 16 bytes
	routing  = []byte{43, 0, 0, 0, 0, 0, 0, 0}                          // type 0, segments left 0
	authHdr  = []byte{51, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}              // AH: (1+2)*4 = 12 bytes
	fragment = func(offset uint16, more bool) []byte {
		v := offset << 3
		if more {
			v |= 1
		}
		return []byte{44, 0, byte(v >> 8), byte(v), 0, 0, 0, 1}
	}
)

func TestDecodeNDPExtensionHeaders(t *testing.T) {
	na := ndp(136, tgt6, netip.MustParseAddr("ff02::1"), tgt6, 0x20, 2, macB, 255)
	var want Packet
	if err := Decode(LinkEthernet, na, &want); err != nil {
		t.Fatal(err)
	}
	for name, exts := range map[string][][]byte{
		"hop-by-hop":               {hopByHop},
		"destination options":      {destOpts},
		"hop-by-hop, routing, dst": {hopByHop, routing, destOpts},
		"authentication header":    {authHdr},
	} {
		var p Packet
		if err := Decode(LinkEthernet, withExt(na, exts...), &p); err != nil || p != want {
			t.Errorf("%s: %v\n%+v\nwant %+v", name, err, p, want)
		}
	}
	// Tagged, with an extension header.
	tagged := append(append(append([]byte{}, na[:12]...), 0x81, 0, 0, 66), withExt(na, hopByHop)[12:]...)
	var p Packet
	if err := Decode(LinkEthernet, tagged, &p); err != nil || p.VLAN != 66 || p.SenderMAC != macB {
		t.Errorf("tagged: %v %+v", err, p)
	}
	// RFC 6980: a fragmented neighbour message is discarded; a later
	// fragment cannot be read at all; ESP hides the payload.
	if err := Decode(LinkEthernet, withExt(na, fragment(0, true)), &p); !errors.Is(err, ErrMalformed) {
		t.Errorf("first fragment: %v", err)
	}
	if err := Decode(LinkEthernet, withExt(na, fragment(4, false)), &p); !errors.Is(err, ErrNotNeighbor) {
		t.Errorf("later fragment: %v", err)
	}
	if err := Decode(LinkEthernet, withExt(na, []byte{50, 0, 0, 0, 0, 0, 0, 0}), &p); !errors.Is(err, ErrNotNeighbor) {
		t.Errorf("ESP: %v", err)
	}
	// A header that runs past the packet.
	if err := Decode(LinkEthernet, withExt(na, []byte{0, 200, 1, 4, 0, 0, 0, 0}), &p); !errors.Is(err, ErrNotNeighbor) {
		t.Errorf("overlong header: %v", err)
	}
	// Ethernet padding after the payload is ignored.
	padded := append(append([]byte{}, na...), make([]byte, 30)...)
	if err := Decode(LinkEthernet, padded, &p); err != nil || p != want {
		t.Errorf("padded: %v %+v", err, p)
	}
}

func TestDecodeNDPFlagsNonceAndRFC4861Checks(t *testing.T) {
	sn := netip.MustParseAddr("ff02::1:ff00:30")
	var p Packet
	// Router, Solicited and Override flags of an advertisement.
	if err := Decode(LinkEthernet, ndp(136, tgt6, netip.MustParseAddr("2001:db8::1"), tgt6, 0xe0, 2, macB, 255), &p); err != nil || !p.Router || !p.Solicited || !p.Override || !p.LinkLayerOption {
		t.Fatalf("flags: %v %+v", err, p)
	}
	// A probe with a nonce.
	probe := append(ndp(135, netip.IPv6Unspecified(), sn, tgt6, 0, 0, MAC{}, 255), 14, 1, 9, 8, 7, 6, 5, 4)
	if err := Decode(LinkEthernet, fixLen(probe), &p); err != nil || !p.Probe() || !p.HasNonce || p.Nonce != [6]byte{9, 8, 7, 6, 5, 4} {
		t.Fatalf("nonce: %v %+v", err, p)
	}
	for name, b := range map[string][]byte{
		// RFC 4861 §7.1.1: a solicitation from :: goes to a solicited-node group, without a source link-layer option.
		"probe with a source option": ndp(135, netip.IPv6Unspecified(), sn, tgt6, 0, 1, macA, 255),
		"probe to all nodes":         ndp(135, netip.IPv6Unspecified(), netip.MustParseAddr("ff02::1"), tgt6, 0, 0, MAC{}, 255),
		"probe to a unicast address": ndp(135, netip.IPv6Unspecified(), tgt6, tgt6, 0, 0, MAC{}, 255),
		"probe to another group":     ndp(135, netip.IPv6Unspecified(), netip.MustParseAddr("ff05::1:ff00:30"), tgt6, 0, 0, MAC{}, 255),
		// §7.1.2: a multicast advertisement is never solicited.
		"solicited advertisement to all": ndp(136, tgt6, netip.MustParseAddr("ff02::1"), tgt6, 0x40, 2, macB, 255),
		"code 1":                         func() []byte { b := ndp(136, tgt6, tgt6, tgt6, 0, 0, MAC{}, 255); b[55] = 1; return b }(),
		"truncated":                      ndp(136, tgt6, tgt6, tgt6, 0, 2, macB, 255)[:70],
	} {
		if err := Decode(LinkEthernet, b, &p); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Router solicitations and echo requests are not neighbour discovery.
	for _, typ := range []byte{128, 133, 134, 137} {
		if err := Decode(LinkEthernet, ndp(typ, tgt6, tgt6, tgt6, 0, 0, MAC{}, 255), &p); !errors.Is(err, ErrNotNeighbor) {
			t.Errorf("type %d: %v", typ, err)
		}
	}
}

func TestForged(t *testing.T) {
	var p Packet
	// The announcer's form: sent from A, claiming the address for B.
	Decode(LinkEthernet, mustMarshal(t, Announcements(0, macA, macB, ip30)[0]), &p)
	if !p.Forged() {
		t.Fatalf("Ethernet source %s, sender %s: not forged", p.EthSrc, p.SenderMAC)
	}
	Decode(LinkEthernet, mustMarshal(t, Announcements(0, macB, macB, ip30)[0]), &p)
	if p.Forged() {
		t.Fatal("an owner's own announcement counted as forged")
	}
	// A spoofer sending from 00:00:00:00:00:00 (as in a real capture) is forged too.
	Decode(LinkEthernet, mustMarshal(t, Frame{EthSrc: MAC{}, EthDst: macA, Op: OpReply, SenderMAC: macB, SenderIP: ip30, TargetMAC: macA, TargetIP: ip30}), &p)
	if !p.Forged() {
		t.Fatal("zero Ethernet source not forged")
	}
	// A cooked capture without a 48-bit source cannot tell.
	arp := mustMarshal(t, Request(0, macA, ip30, ip30))[14:]
	sll := append([]byte{0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06}, arp...)
	if err := Decode(LinkLinuxSLL, sll, &p); err != nil || !p.NoEthSrc || p.Forged() {
		t.Fatalf("SLL without source: %v %+v", err, p)
	}
	// NDP is never judged forged: proxies answer with the owner's option.
	Decode(LinkEthernet, ndp(136, tgt6, tgt6, tgt6, 0x20, 2, macB, 255), &p)
	if p.Forged() {
		t.Fatal("NDP counted as forged")
	}
}

// fixLen rewrites the IPv6 payload length of an Ethernet+IPv6 frame.
func fixLen(b []byte) []byte {
	binary.BigEndian.PutUint16(b[18:], uint16(len(b)-54))
	return b
}

func TestDecodeRejects(t *testing.T) {
	base := mustMarshal(t, Request(0, macA, ip30, ip30))
	mut := func(i int, v byte) []byte { b := append([]byte{}, base...); b[i] = v; return b }
	cases := map[string]struct {
		b    []byte
		link int
		want error
	}{
		"short":         {base[:10], LinkEthernet, ErrNotNeighbor},
		"truncated ARP": {base[:30], LinkEthernet, ErrMalformed},
		"hlen 255":      {mut(18, 255), LinkEthernet, ErrMalformed},
		"plen 255":      {mut(19, 255), LinkEthernet, ErrMalformed},
		"op 9":          {mut(21, 9), LinkEthernet, ErrMalformed},
		"IPv6 ptype":    {mut(16, 0x86), LinkEthernet, ErrNotNeighbor},
		"IPv4 frame":    {mut(13, 0x00), LinkEthernet, ErrNotNeighbor},
		"bad link type": {base, 9999, ErrLinkType},
		"three tags":    {append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 1, 0x81, 0, 0, 2, 0x81, 0, 0, 3, 8, 6}, base[14:]...), LinkEthernet, ErrNotNeighbor},
		"LLC not SNAP":  {append([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0x42, 0x42, 3, 0, 0, 0, 8, 6}, base[14:]...), LinkEthernet, ErrNotNeighbor},
	}
	for name, c := range cases {
		var p Packet
		if err := Decode(c.link, c.b, &p); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	tgt := netip.MustParseAddr("2001:db8::30")
	f.Add(LinkEthernet, mustMarshal(f, Probe(66, macA, ip30)))
	f.Add(LinkEthernet, mustMarshal(f, Announcements(0, macA, macB, ip30)[1]))
	f.Add(LinkEthernet, ndp(136, tgt, tgt, tgt, 0x20, 2, macB, 255))
	f.Add(LinkLinuxSLL, append([]byte{0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0x0a, 0, 0, 0x08, 0x06}, mustMarshal(f, Probe(0, macA, ip30))[14:]...))
	f.Add(LinkSLL2, []byte{0x86, 0xdd})
	f.Fuzz(func(t *testing.T, link int, b []byte) {
		var p Packet
		err := Decode(link, b, &p)
		if err != nil {
			if !errors.Is(err, ErrNotNeighbor) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLinkType) {
				t.Fatalf("unexpected error type %v", err)
			}
			return
		}
		if p.Op != OpRequest && p.Op != OpReply {
			t.Fatalf("op %d", p.Op)
		}
		if p.VLAN < 0 || p.VLAN > 4094 {
			t.Fatalf("vlan %d", p.VLAN)
		}
		if !p.SenderIP.IsValid() || !p.TargetIP.IsValid() || p.NDP == p.SenderIP.Is4() {
			t.Fatalf("addresses %v %v ndp=%v", p.SenderIP, p.TargetIP, p.NDP)
		}
		// A decoded ARP packet survives a rebuild.
		if !p.NDP {
			re, err := (Frame{VLAN: p.VLAN, EthSrc: p.EthSrc, EthDst: p.EthDst, Op: p.Op, SenderMAC: p.SenderMAC, SenderIP: p.SenderIP, TargetMAC: p.TargetMAC, TargetIP: p.TargetIP}).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			var q Packet
			if err := Decode(LinkEthernet, re, &q); err != nil || q.SenderIP != p.SenderIP || q.SenderMAC != p.SenderMAC || q.TargetIP != p.TargetIP || q.Op != p.Op {
				t.Fatalf("rebuild: %v %+v vs %+v", err, q, p)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	frame := mustMarshal(b, Announcements(66, macA, macB, ip30)[0])
	var p Packet
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := Decode(LinkEthernet, frame, &p); err != nil {
			b.Fatal(err)
		}
	}
}
