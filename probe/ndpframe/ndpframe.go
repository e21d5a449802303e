// Package ndpframe builds the IPv6 frames cutover sends: neighbour
// solicitations (RFC 4861 §4.3), duplicate-address-detection probes from
// the unspecified address with an RFC 7527 nonce (RFC 4862 §5.4.2),
// neighbour advertisements (RFC 4861 §4.4), and ICMPv6 echo replies, each
// in an Ethernet frame with an optional 802.1Q tag. The neighbour-discovery
// messages are marshalled by github.com/mdlayher/ndp, with the ICMPv6
// checksum over the IPv6 pseudo-header.
//
// Sending needs no IPv6 address on the interface: a solicitation's source
// is the link-local address derived from the sender's own MAC (modified
// EUI-64, RFC 4291 Appendix A), which no other station can hold, and a
// probe's source is the unspecified address. Decoding is arpframe's.
package ndpframe

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv6"
)

// AllNodes is the link-local all-nodes multicast group (RFC 4291 §2.7.1).
var AllNodes = netip.MustParseAddr("ff02::1")

// HopLimit is the hop limit every neighbour-discovery message carries
// (RFC 4861 §7.1: receivers discard any other).
const HopLimit = 255

// NonceLen is the length of the nonces cutover sends (the RFC 7527
// minimum, and the only length Linux recognises).
const NonceLen = 6

// Nonce is an RFC 7527 nonce: a probe that comes back carrying the nonce
// its sender chose is that sender's own probe, looped back.
type Nonce [NonceLen]byte

// NewNonce returns a random nonce.
func NewNonce() Nonce {
	var n Nonce
	if _, err := rand.Read(n[:]); err != nil {
		panic("ndpframe: no randomness: " + err.Error())
	}
	return n
}

// SolicitedNode returns the solicited-node multicast group of ip
// (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1).
func SolicitedNode(ip netip.Addr) netip.Addr {
	a := ip.As16()
	return netip.AddrFrom16([16]byte{0xff, 0x02, 11: 0x01, 12: 0xff, 13: a[13], 14: a[14], 15: a[15]})
}

// MulticastMAC returns the Ethernet group address of an IPv6 multicast
// group (33:33 and its low 32 bits, RFC 2464 §7).
func MulticastMAC(group netip.Addr) arpframe.MAC {
	a := group.As16()
	return arpframe.MAC{0x33, 0x33, a[12], a[13], a[14], a[15]}
}

// LinkLocal returns the link-local address formed from mac by modified
// EUI-64 (RFC 4291 Appendix A): fe80:: with ff:fe in the middle of the MAC
// and its universal/local bit inverted.
func LinkLocal(mac arpframe.MAC) netip.Addr {
	return netip.AddrFrom16([16]byte{0xfe, 0x80, 8: mac[0] ^ 0x02, 9: mac[1], 10: mac[2], 11: 0xff, 12: 0xfe, 13: mac[3], 14: mac[4], 15: mac[5]})
}

// Frame is an Ethernet frame carrying one ICMPv6 message in IPv6.
type Frame struct {
	VLAN     int // 0: untagged
	EthSrc   arpframe.MAC
	EthDst   arpframe.MAC
	Src, Dst netip.Addr
	HopLimit uint8
	// ICMP is the complete ICMPv6 message, checksum included.
	ICMP []byte
}

// Marshal builds the frame: Ethernet (mdlayher/ethernet, with an 802.1Q
// tag when VLAN is set), a fixed IPv6 header with ICMPv6 as its next
// header, and the message.
func (f Frame) Marshal() ([]byte, error) {
	if !f.Src.Is6() || !f.Dst.Is6() || f.Src.Is4In6() || f.Dst.Is4In6() {
		return nil, fmt.Errorf("ndpframe: %s -> %s is not an IPv6 source and destination", f.Src, f.Dst)
	}
	if f.VLAN < 0 || f.VLAN > 4094 {
		return nil, fmt.Errorf("ndpframe: VLAN %d out of range", f.VLAN)
	}
	if len(f.ICMP) > 0xffff {
		return nil, errors.New("ndpframe: message too long")
	}
	ip := make([]byte, 40, 40+len(f.ICMP))
	ip[0] = 0x60 // version 6, traffic class 0, flow label 0
	binary.BigEndian.PutUint16(ip[4:6], uint16(len(f.ICMP)))
	ip[6] = 58 // ICMPv6
	ip[7] = f.HopLimit
	src, dst := f.Src.As16(), f.Dst.As16()
	copy(ip[8:24], src[:])
	copy(ip[24:40], dst[:])
	eth := &ethernet.Frame{
		Destination: net.HardwareAddr(f.EthDst[:]),
		Source:      net.HardwareAddr(f.EthSrc[:]),
		EtherType:   ethernet.EtherTypeIPv6,
		Payload:     append(ip, f.ICMP...),
	}
	if f.VLAN != 0 {
		eth.VLAN = &ethernet.VLAN{ID: uint16(f.VLAN)}
	}
	return eth.MarshalBinary()
}

// message marshals a neighbour-discovery message with its checksum and
// wraps it in a frame.
func message(vlan int, ethSrc, ethDst arpframe.MAC, src, dst netip.Addr, m ndp.Message) ([]byte, error) {
	b, err := ndp.MarshalMessageChecksum(m, src, dst)
	if err != nil {
		return nil, fmt.Errorf("ndpframe: %w", err)
	}
	return Frame{VLAN: vlan, EthSrc: ethSrc, EthDst: ethDst, Src: src, Dst: dst, HopLimit: HopLimit, ICMP: b}.Marshal()
}

func checkTarget(target netip.Addr) error {
	if !target.Is6() || target.Is4In6() || target.IsMulticast() || target.IsUnspecified() {
		return fmt.Errorf("ndpframe: %s is not an IPv6 unicast address", target)
	}
	return nil
}

// Solicitation returns a neighbour solicitation asking who holds target,
// from mac and its link-local address, to target's solicited-node group,
// with the source link-layer address option (RFC 4861 §4.3). An owner
// answers with a solicited advertisement to mac.
func Solicitation(vlan int, mac arpframe.MAC, target netip.Addr) ([]byte, error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	group := SolicitedNode(target)
	return message(vlan, mac, MulticastMAC(group), LinkLocal(mac), group, &ndp.NeighborSolicitation{
		TargetAddress: target,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: net.HardwareAddr(mac[:])}},
	})
}

// Probe returns a duplicate-address-detection probe for target: a
// solicitation from the unspecified address to the solicited-node group,
// without a source link-layer address option (RFC 4862 §5.4.2), carrying
// nonce (RFC 7527). An owner answers with an advertisement to all nodes;
// no cache learns anything from the probe.
func Probe(vlan int, mac arpframe.MAC, target netip.Addr, nonce Nonce) ([]byte, error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	group := SolicitedNode(target)
	return message(vlan, mac, MulticastMAC(group), netip.IPv6Unspecified(), group, &ndp.NeighborSolicitation{
		TargetAddress: target,
		// ndp.Nonce can only be random; the raw option carries ours.
		Options: []ndp.Option{&ndp.RawOption{Type: 14, Length: 1, Value: nonce[:]}},
	})
}

// Announcement returns an unsolicited neighbour advertisement that owner
// holds addr: to all nodes, Override set, Solicited clear, with the target
// link-layer address option (RFC 4861 §7.2.6) — the IPv6 analogue of a
// gratuitous ARP. It is sent from via (the announcer's own MAC) so that
// switches do not learn owner's MAC on the announcer's port; receivers
// update their caches from the option.
func Announcement(vlan int, via, owner arpframe.MAC, addr netip.Addr) ([]byte, error) {
	return Unsolicited(vlan, via, owner, addr, false)
}

// Unsolicited is Announcement with the Router flag set as router says (a
// router's announcement must keep it set, RFC 4861 §7.2.5).
func Unsolicited(vlan int, via, owner arpframe.MAC, addr netip.Addr, router bool) ([]byte, error) {
	if err := checkTarget(addr); err != nil {
		return nil, err
	}
	return message(vlan, via, MulticastMAC(AllNodes), addr, AllNodes, &ndp.NeighborAdvertisement{
		Router:        router,
		Override:      true,
		TargetAddress: addr,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: net.HardwareAddr(owner[:])}},
	})
}

// Advertisement returns mac's answer that it holds addr to a solicitation
// from (toMAC, to). A solicitation from the unspecified address (a probe)
// is answered to all nodes with Solicited clear, any other to its sender
// with Solicited set (RFC 4861 §7.2.4). router sets the Router flag.
func Advertisement(vlan int, mac arpframe.MAC, addr netip.Addr, toMAC arpframe.MAC, to netip.Addr, router bool) ([]byte, error) {
	if err := checkTarget(addr); err != nil {
		return nil, err
	}
	na := &ndp.NeighborAdvertisement{
		Router:        router,
		Solicited:     true,
		Override:      true,
		TargetAddress: addr,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: net.HardwareAddr(mac[:])}},
	}
	if to.IsUnspecified() {
		na.Solicited, to, toMAC = false, AllNodes, MulticastMAC(AllNodes)
	}
	return message(vlan, mac, toMAC, addr, to, na)
}

// EchoReply returns the ICMPv6 echo reply (RFC 4443 §4.2) from (mac, src)
// to (toMAC, dst) for an echo request's identifier, sequence number and
// data.
func EchoReply(vlan int, mac arpframe.MAC, src netip.Addr, toMAC arpframe.MAC, dst netip.Addr, id, seq int, data []byte) ([]byte, error) {
	m := icmp.Message{Type: ipv6.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: seq, Data: data}}
	b, err := m.Marshal(icmp.IPv6PseudoHeader(src.AsSlice(), dst.AsSlice()))
	if err != nil {
		return nil, fmt.Errorf("ndpframe: %w", err)
	}
	return Frame{VLAN: vlan, EthSrc: mac, EthDst: toMAC, Src: src, Dst: dst, HopLimit: 64, ICMP: b}.Marshal()
}
