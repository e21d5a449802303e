package ndpframe

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/cutover-net/cutover/probe/arpframe"
)

// insertHopByHop puts an 8-byte Hop-by-Hop Options header (PadN) in
// front of the ICMPv6 message of an untagged Ethernet+IPv6 frame.
func insertHopByHop(b []byte) []byte {
	out := append([]byte{}, b[:54]...)
	next := out[20]
	out[20] = 0
	out = append(out, next, 0, 1, 4, 0, 0, 0, 0)
	out = append(out, b[54:]...)
	binary.BigEndian.PutUint16(out[18:20], binary.BigEndian.Uint16(b[18:20])+8)
	return out
}

// tag inserts an 802.1Q tag with vlan into an untagged Ethernet frame.
func tag(b []byte, vlan int) []byte {
	return append(append(append([]byte{}, b[:12]...), 0x81, 0, byte(vlan>>8), byte(vlan)), b[12:]...)
}

// checkNDPInvariants checks what a successful decode of a neighbour
// message must satisfy, whatever the input.
func checkNDPInvariants(t *testing.T, p *arpframe.Packet) {
	t.Helper()
	if !p.SenderIP.Is6() || !p.TargetIP.Is6() {
		t.Fatalf("non-IPv6 addresses %v %v", p.SenderIP, p.TargetIP)
	}
	switch p.Op {
	case arpframe.OpRequest:
		if p.Solicited || p.Override || p.Router {
			t.Fatalf("advertisement flags on a solicitation: %+v", p)
		}
		if p.TargetIP.IsMulticast() {
			t.Fatalf("multicast target %v", p.TargetIP)
		}
		if p.Probe() && p.LinkLayerOption {
			t.Fatalf("probe with a source link-layer option: %+v", p)
		}
	case arpframe.OpReply:
		if p.HasNonce {
			t.Fatalf("nonce on an advertisement: %+v", p)
		}
		if p.SenderIP.IsMulticast() || p.SenderIP.IsUnspecified() {
			t.Fatalf("advertised %v", p.SenderIP)
		}
		if p.Solicited && p.TargetIP.IsMulticast() {
			t.Fatalf("solicited advertisement to %v", p.TargetIP)
		}
		if !p.Claims() {
			t.Fatalf("an advertisement that claims nothing: %+v", p)
		}
	default:
		t.Fatalf("op %d", p.Op)
	}
	if !p.LinkLayerOption && p.SenderMAC != p.EthSrc {
		t.Fatalf("sender %s without an option, frame from %s", p.SenderMAC, p.EthSrc)
	}
	if p.Forged() {
		t.Fatal("NDP judged forged")
	}
}

// FuzzDecodeNDP feeds arbitrary frames to the NDP decoding path and
// checks, for each one that decodes: the invariants above; that decoding
// is deterministic; that inserting a Hop-by-Hop header or an 802.1Q tag
// changes nothing but the VLAN; and that a message rebuilt by this
// package from the decoded fields decodes to the same fields.
func FuzzDecodeNDP(f *testing.F) {
	for _, seed := range func() [][]byte {
		var out [][]byte
		add := func(b []byte, err error) {
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
		add(Solicitation(0, macA, tgt))
		add(Probe(0, macA, tgt, Nonce{1, 2, 3, 4, 5, 6}))
		add(Announcement(0, macA, macB, tgt))
		add(Advertisement(0, macB, tgt, macA, netip.MustParseAddr("2001:db8:66::1"), true))
		add(Advertisement(0, macB, tgt, macA, netip.IPv6Unspecified(), false))
		add(EchoReply(0, macA, tgt, macB, tgt, 1, 2, []byte("x")))
		return out
	}() {
		f.Add(seed)
		f.Add(insertHopByHop(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p, q arpframe.Packet
		err := arpframe.Decode(arpframe.LinkEthernet, b, &p)
		if err != nil {
			if !errors.Is(err, arpframe.ErrNotNeighbor) && !errors.Is(err, arpframe.ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if !p.NDP {
			return // ARP: FuzzDecode in arpframe
		}
		checkNDPInvariants(t, &p)
		if err := arpframe.Decode(arpframe.LinkEthernet, b, &q); err != nil || q != p {
			t.Fatalf("second decode differs: %v\n%+v\n%+v", err, q, p)
		}
		// Only an untagged frame with a fixed IPv6 header straight after
		// Ethernet can be rewritten this simply.
		if len(b) >= 54 && binary.BigEndian.Uint16(b[12:14]) == 0x86dd && b[20] == 58 {
			if err := arpframe.Decode(arpframe.LinkEthernet, insertHopByHop(b), &q); err != nil || q != p {
				t.Fatalf("with a Hop-by-Hop header: %v\n%+v\n%+v", err, q, p)
			}
			want := p
			want.VLAN = 1234
			if err := arpframe.Decode(arpframe.LinkEthernet, tag(b, 1234), &q); err != nil || q != want {
				t.Fatalf("tagged: %v\n%+v\n%+v", err, q, want)
			}
		}
		// Rebuild what this package builds and compare the fields it sets.
		var re []byte
		switch {
		case p.Probe() && p.HasNonce:
			re, err = Probe(p.VLAN, p.EthSrc, p.TargetIP, p.Nonce)
		case p.Op == arpframe.OpReply && !p.TargetIP.IsMulticast() && !p.TargetIP.IsUnspecified() && !p.SenderIP.Is4In6():
			re, err = Advertisement(p.VLAN, p.SenderMAC, p.SenderIP, p.EthDst, p.TargetIP, p.Router)
		default:
			return
		}
		if err != nil {
			if p.SenderIP.Is4In6() || p.TargetIP.Is4In6() || p.TargetIP.IsUnspecified() && p.Op == arpframe.OpRequest {
				return // not something this package builds
			}
			t.Fatalf("rebuild: %v (%+v)", err, p)
		}
		if err := arpframe.Decode(arpframe.LinkEthernet, re, &q); err != nil {
			t.Fatalf("rebuilt frame does not decode: %v (%+v)", err, p)
		}
		if q.Op != p.Op || q.SenderIP != p.SenderIP || q.TargetIP != p.TargetIP || q.VLAN != p.VLAN || q.Router != p.Router || q.Nonce != p.Nonce {
			t.Fatalf("rebuilt %+v from %+v", q, p)
		}
		if p.Op == arpframe.OpReply && q.SenderMAC != p.SenderMAC {
			t.Fatalf("rebuilt owner %s from %s", q.SenderMAC, p.SenderMAC)
		}
	})
}

// FuzzBuildDecode builds every message kind from fuzzed fields and
// requires the decoder to return exactly those fields.
func FuzzBuildDecode(f *testing.F) {
	f.Add(uint16(66), []byte{2, 0, 0, 0, 0, 1}, []byte{2, 0, 0, 0, 0, 2}, []byte(tgt.AsSlice()), []byte{1, 2, 3, 4, 5, 6})
	f.Add(uint16(0), []byte{0, 0, 0, 0, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte(netip.MustParseAddr("fe80::1").AsSlice()), []byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, vlan uint16, a, b, addr, nonce []byte) {
		if len(a) != 6 || len(b) != 6 || len(addr) != 16 || len(nonce) != NonceLen {
			return
		}
		v := int(vlan % 4095)
		macA, macB := arpframe.MAC(a), arpframe.MAC(b)
		ip := netip.AddrFrom16([16]byte(addr))
		var n Nonce
		copy(n[:], nonce)
		type built struct {
			name string
			b    []byte
			err  error
		}
		var frames []built
		add := func(name string, b []byte, err error) { frames = append(frames, built{name, b, err}) }
		fr, err := Solicitation(v, macA, ip)
		add("solicitation", fr, err)
		fr, err = Probe(v, macA, ip, n)
		add("probe", fr, err)
		fr, err = Announcement(v, macA, macB, ip)
		add("announcement", fr, err)
		unicast := ip.Is6() && !ip.Is4In6() && !ip.IsMulticast() && !ip.IsUnspecified()
		for _, c := range frames {
			if (c.err == nil) != unicast {
				t.Fatalf("%s for %s: %v", c.name, ip, c.err)
			}
			if c.err != nil {
				continue
			}
			var p arpframe.Packet
			if err := arpframe.Decode(arpframe.LinkEthernet, c.b, &p); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			checkNDPInvariants(t, &p)
			if p.VLAN != v || p.EthSrc != macA {
				t.Fatalf("%s: VLAN %d from %s", c.name, p.VLAN, p.EthSrc)
			}
			switch c.name {
			case "solicitation":
				if p.Probe() || p.SenderIP != LinkLocal(macA) || p.SenderMAC != macA || p.TargetIP != ip {
					t.Fatalf("%s: %+v", c.name, p)
				}
			case "probe":
				if !p.Probe() || !p.HasNonce || p.Nonce != n || p.TargetIP != ip {
					t.Fatalf("%s: %+v", c.name, p)
				}
			case "announcement":
				if !p.Gratuitous() || !p.Override || p.SenderIP != ip || p.SenderMAC != macB {
					t.Fatalf("%s: %+v", c.name, p)
				}
			}
		}
	})
}

// BenchmarkDecodeNDP decodes an unsolicited advertisement.
func BenchmarkDecodeNDP(b *testing.B) {
	frame, err := Announcement(66, macA, macB, tgt)
	if err != nil {
		b.Fatal(err)
	}
	var p arpframe.Packet
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := arpframe.Decode(arpframe.LinkEthernet, frame, &p); err != nil {
			b.Fatal(err)
		}
	}
}
