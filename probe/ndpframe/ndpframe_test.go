package ndpframe

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

var (
	macA = arpframe.MAC{0x02, 0, 0, 0, 0, 0x0a}
	macB = arpframe.MAC{0x0c, 0x54, 0x15, 0x40, 0xd8, 0xf5}
	tgt  = netip.MustParseAddr("2001:db8:66::30")
)

func TestAddresses(t *testing.T) {
	// RFC 4291 Appendix A: 0c:54:15:40:d8:f5 -> interface ID 0e54:15ff:fe40:d8f5.
	if got := LinkLocal(macB).String(); got != "fe80::e54:15ff:fe40:d8f5" {
		t.Errorf("link-local %s", got)
	}
	// RFC 4291 §2.7.1: the low 24 bits.
	sn := SolicitedNode(netip.MustParseAddr("2001:db8::4:abcd:1234"))
	if sn.String() != "ff02::1:ffcd:1234" {
		t.Errorf("solicited-node %s", sn)
	}
	if m := MulticastMAC(sn); m.String() != "33:33:ff:cd:12:34" {
		t.Errorf("group MAC %s", m)
	}
	if a, b := NewNonce(), NewNonce(); a == b {
		t.Errorf("two nonces alike: %x", a)
	}
}

// decodeIndependently reads a frame with gopacket's layers, which also
// verify the ICMPv6 checksum over the pseudo-header.
func decodeIndependently(t *testing.T, b []byte) (*layers.Ethernet, *layers.IPv6, *layers.ICMPv6, gopacket.Packet) {
	t.Helper()
	pkt := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
	if el := pkt.ErrorLayer(); el != nil {
		t.Fatalf("gopacket: %v", el.Error())
	}
	eth, _ := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	ip, _ := pkt.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	icmp, _ := pkt.Layer(layers.LayerTypeICMPv6).(*layers.ICMPv6)
	if eth == nil || ip == nil || icmp == nil {
		t.Fatalf("layers missing: %v", pkt)
	}
	if err := icmp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	// Recompute the checksum the way gopacket serialises it and compare.
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true}, icmp, gopacket.Payload(icmp.Payload)); err != nil {
		t.Fatal(err)
	}
	if got := buf.Bytes(); got[2] != icmp.Contents[2] || got[3] != icmp.Contents[3] {
		t.Fatalf("ICMPv6 checksum %x%x, want %x%x", icmp.Contents[2], icmp.Contents[3], got[2], got[3])
	}
	if ip.HopLimit != HopLimit && icmp.TypeCode.Type() != layers.ICMPv6TypeEchoReply {
		t.Fatalf("hop limit %d", ip.HopLimit)
	}
	return eth, ip, icmp, pkt
}

func TestSolicitation(t *testing.T) {
	for _, vlan := range []int{0, 66, 4094} {
		b, err := Solicitation(vlan, macA, tgt)
		if err != nil {
			t.Fatal(err)
		}
		eth, ip, _, pkt := decodeIndependently(t, b)
		ns, _ := pkt.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
		if ns == nil || !ns.TargetAddress.Equal(tgt.AsSlice()) || len(ns.Options) != 1 || ns.Options[0].Type != layers.ICMPv6OptSourceAddress || !bytes.Equal(ns.Options[0].Data, macA[:]) {
			t.Fatalf("NS %+v", ns)
		}
		if ip.SrcIP.String() != LinkLocal(macA).String() || ip.DstIP.String() != "ff02::1:ff00:30" || eth.DstMAC.String() != "33:33:ff:00:00:30" {
			t.Fatalf("addresses %s -> %s (%s)", ip.SrcIP, ip.DstIP, eth.DstMAC)
		}
		var p arpframe.Packet
		if err := arpframe.Decode(arpframe.LinkEthernet, b, &p); err != nil {
			t.Fatal(err)
		}
		if !p.NDP || p.VLAN != vlan || p.Op != arpframe.OpRequest || p.Probe() || p.SenderIP != LinkLocal(macA) || p.SenderMAC != macA || !p.LinkLayerOption || p.TargetIP != tgt {
			t.Fatalf("decoded %+v", p)
		}
	}
}

func TestProbe(t *testing.T) {
	nonce := Nonce{1, 2, 3, 4, 5, 6}
	b, err := Probe(66, macA, tgt, nonce)
	if err != nil {
		t.Fatal(err)
	}
	_, ip, _, pkt := decodeIndependently(t, b)
	ns, _ := pkt.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
	if !ip.SrcIP.IsUnspecified() || ns == nil || len(ns.Options) != 1 || ns.Options[0].Type != 14 || !bytes.Equal(ns.Options[0].Data, nonce[:]) {
		t.Fatalf("probe %s %+v", ip.SrcIP, ns)
	}
	var p arpframe.Packet
	if err := arpframe.Decode(arpframe.LinkEthernet, b, &p); err != nil {
		t.Fatal(err)
	}
	if !p.Probe() || p.Claims() || !p.HasNonce || p.Nonce != nonce || p.LinkLayerOption || p.SenderMAC != macA || p.TargetIP != tgt {
		t.Fatalf("decoded %+v", p)
	}
}

func TestAnnouncementAndAdvertisement(t *testing.T) {
	b, err := Announcement(66, macA, macB, tgt)
	if err != nil {
		t.Fatal(err)
	}
	eth, ip, _, pkt := decodeIndependently(t, b)
	na, _ := pkt.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
	if na == nil || !na.Override() || na.Solicited() || na.Router() || len(na.Options) != 1 || na.Options[0].Type != layers.ICMPv6OptTargetAddress || !bytes.Equal(na.Options[0].Data, macB[:]) {
		t.Fatalf("NA %+v", na)
	}
	if ip.DstIP.String() != "ff02::1" || eth.DstMAC.String() != "33:33:00:00:00:01" || eth.SrcMAC.String() != macA.String() {
		t.Fatalf("to %s (%s) from %s", ip.DstIP, eth.DstMAC, eth.SrcMAC)
	}
	var p arpframe.Packet
	if err := arpframe.Decode(arpframe.LinkEthernet, b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Op != arpframe.OpReply || !p.Gratuitous() || !p.Override || p.Solicited || p.SenderIP != tgt || p.SenderMAC != macB || p.EthSrc != macA || p.Forged() {
		t.Fatalf("decoded %+v", p)
	}

	// A solicited answer to a host, and the defence against a probe.
	asker := netip.MustParseAddr("2001:db8:66::1")
	b, err = Advertisement(0, macB, tgt, macA, asker, true)
	if err != nil {
		t.Fatal(err)
	}
	_, ip, _, pkt = decodeIndependently(t, b)
	na, _ = pkt.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
	if !na.Solicited() || !na.Override() || !na.Router() || ip.DstIP.String() != asker.String() {
		t.Fatalf("solicited NA %+v to %s", na, ip.DstIP)
	}
	b, err = Advertisement(0, macB, tgt, macA, netip.IPv6Unspecified(), false)
	if err != nil {
		t.Fatal(err)
	}
	_, ip, _, pkt = decodeIndependently(t, b)
	na, _ = pkt.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
	if na.Solicited() || na.Router() || ip.DstIP.String() != "ff02::1" {
		t.Fatalf("defence %+v to %s", na, ip.DstIP)
	}
}

func TestEchoReply(t *testing.T) {
	src, dst := netip.MustParseAddr("2001:db8:66::1"), netip.MustParseAddr("2001:db8:66::30")
	b, err := EchoReply(166, macA, src, macB, dst, 0x1234, 7, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	_, ip, icmp, pkt := decodeIndependently(t, b)
	echo, _ := pkt.Layer(layers.LayerTypeICMPv6Echo).(*layers.ICMPv6Echo)
	if icmp.TypeCode.Type() != layers.ICMPv6TypeEchoReply || echo == nil || echo.Identifier != 0x1234 || echo.SeqNumber != 7 || string(echo.Payload) != "hello" || ip.SrcIP.String() != src.String() {
		t.Fatalf("%v %+v", icmp.TypeCode, echo)
	}
}

func TestRefusesWhatIsNotUnicastIPv6(t *testing.T) {
	for _, a := range []string{"192.168.66.30", "ff02::1", "::", "::ffff:192.168.66.30"} {
		if _, err := Solicitation(0, macA, netip.MustParseAddr(a)); err == nil {
			t.Errorf("solicitation for %s built", a)
		}
		if _, err := Announcement(0, macA, macB, netip.MustParseAddr(a)); err == nil {
			t.Errorf("announcement for %s built", a)
		}
	}
	if _, err := (Frame{VLAN: 4095, Src: tgt, Dst: tgt}).Marshal(); err == nil {
		t.Error("VLAN 4095 accepted")
	}
}
