// Package arpframe decodes and builds the frames cutover reasons about:
// ARP (RFC 826, with the RFC 5227 probe and announcement forms) and IPv6
// neighbour discovery (RFC 4861 solicitations and advertisements), carried
// in Ethernet II, IEEE 802.1Q / 802.1ad tags, 802.3 LLC/SNAP, or Linux
// cooked captures (SLL and SLL2).
//
// Decode does not allocate; it is the hot path of capture analysis and is
// fuzzed. Decoding is strict about what it claims: a frame that is ARP by
// its EtherType but has impossible field sizes is ErrMalformed, a frame of
// another protocol is ErrNotNeighbor.
package arpframe

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// Link types (the pcap LINKTYPE_ values).
const (
	LinkEthernet = 1
	LinkLinuxSLL = 113
	LinkSLL2     = 276
)

// Operations.
const (
	OpRequest = 1 // ARP request, NDP neighbour solicitation
	OpReply   = 2 // ARP reply, NDP neighbour advertisement
)

// Errors.
var (
	ErrNotNeighbor = errors.New("not an ARP or neighbour-discovery frame")
	ErrMalformed   = errors.New("malformed ARP or neighbour-discovery frame")
	ErrLinkType    = errors.New("unsupported link type")
)

// MAC is a 48-bit hardware address, comparable and allocation-free.
type MAC [6]byte

// String formats the address as aa:bb:cc:dd:ee:ff.
func (m MAC) String() string { return net.HardwareAddr(m[:]).String() }

// ParseMAC parses a 48-bit MAC address.
func ParseMAC(s string) (MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return MAC{}, errors.New("not a 48-bit MAC address: " + s)
	}
	return MAC(hw), nil
}

// Packet is one decoded ARP or NDP message.
type Packet struct {
	VLAN   int // 802.1Q VLAN ID from the frame (innermost tag); 0 if untagged
	EthSrc MAC
	EthDst MAC
	// NoEthSrc: the frame did not give a 48-bit link-layer source (too
	// short, or a Linux cooked capture of another link type); EthSrc is zero.
	NoEthSrc  bool
	Op        int
	NDP       bool
	SenderMAC MAC        // ARP SHA; NDP link-layer option or the frame's source
	SenderIP  netip.Addr // ARP SPA; for NDP: NS source, NA target. Unspecified in a probe
	TargetMAC MAC
	TargetIP  netip.Addr // ARP TPA; NS target; NA destination
	// Solicited, Override and Router are the NDP advertisement flags.
	Solicited, Override, Router bool
	// LinkLayerOption: the NDP message carried a source (NS) or target
	// (NA) link-layer address option, and SenderMAC comes from it.
	LinkLayerOption bool
	// Nonce is an NDP solicitation's RFC 7527 nonce when it has one of
	// NonceLen bytes (HasNonce); a longer nonce sets HasNonce with its
	// first NonceLen bytes.
	Nonce    [NonceLen]byte
	HasNonce bool
}

// NonceLen is the length of the RFC 7527 nonces Packet keeps.
const NonceLen = 6

// Probe reports an RFC 5227 ARP probe (request with sender 0.0.0.0) or
// an NDP duplicate-address-detection solicitation (source ::).
func (p *Packet) Probe() bool { return p.Op == OpRequest && p.SenderIP.IsUnspecified() }

// Gratuitous reports an announcement: an ARP packet whose sender and
// target addresses are equal, or an unsolicited NDP advertisement.
func (p *Packet) Gratuitous() bool {
	if p.NDP {
		return p.Op == OpReply && !p.Solicited
	}
	return p.SenderIP.IsValid() && !p.SenderIP.IsUnspecified() && p.SenderIP == p.TargetIP
}

// Claims reports whether the packet asserts that SenderMAC owns SenderIP.
func (p *Packet) Claims() bool {
	return p.SenderIP.IsValid() && !p.SenderIP.IsUnspecified()
}

// Forged reports an ARP packet whose Ethernet source is not its sender
// hardware address: a station claiming an address for another MAC (a
// proxy, an announcer, or a poisoner). Wireshark calls it a duplicate
// address. NDP carries the owner in an option by design (RFC 4861
// §7.2.8 proxies), so only ARP is judged.
func (p *Packet) Forged() bool { return !p.NDP && !p.NoEthSrc && p.EthSrc != p.SenderMAC }

const (
	etherARP  = 0x0806
	etherIPv6 = 0x86dd
	etherVLAN = 0x8100
	etherQinQ = 0x88a8
	ether9100 = 0x9100
)

// Decode decodes one captured frame of the given link type into p.
func Decode(linkType int, b []byte, p *Packet) error {
	*p = Packet{NoEthSrc: true}
	switch linkType {
	case LinkEthernet:
		if len(b) < 14 {
			return ErrNotNeighbor
		}
		copy(p.EthDst[:], b[0:6])
		copy(p.EthSrc[:], b[6:12])
		p.NoEthSrc = false
		return decodeEther(binary.BigEndian.Uint16(b[12:14]), b[14:], p)
	case LinkLinuxSLL:
		// packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
		if len(b) < 16 {
			return ErrNotNeighbor
		}
		if binary.BigEndian.Uint16(b[4:6]) == 6 {
			copy(p.EthSrc[:], b[6:12])
			p.NoEthSrc = false
		}
		return decodeEther(binary.BigEndian.Uint16(b[14:16]), b[16:], p)
	case LinkSLL2:
		// protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
		if len(b) < 20 {
			return ErrNotNeighbor
		}
		if b[11] == 6 {
			copy(p.EthSrc[:], b[12:18])
			p.NoEthSrc = false
		}
		return decodeEther(binary.BigEndian.Uint16(b[0:2]), b[20:], p)
	}
	return ErrLinkType
}

func decodeEther(etype uint16, b []byte, p *Packet) error {
	for tags := 0; etype == etherVLAN || etype == etherQinQ || etype == ether9100; tags++ {
		if len(b) < 4 || tags == 2 {
			return ErrNotNeighbor
		}
		p.VLAN = int(binary.BigEndian.Uint16(b[0:2]) & 0x0fff)
		if p.VLAN == 0x0fff { // reserved by IEEE 802.1Q
			return ErrMalformed
		}
		etype = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	if etype < 0x0600 {
		// 802.3 length field: LLC, and SNAP with an EtherType inside.
		if len(b) < 8 || b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03 || b[3] != 0 || b[4] != 0 || b[5] != 0 {
			return ErrNotNeighbor
		}
		etype = binary.BigEndian.Uint16(b[6:8])
		b = b[8:]
	}
	switch etype {
	case etherARP:
		return decodeARP(b, p)
	case etherIPv6:
		return decodeNDP(b, p)
	}
	return ErrNotNeighbor
}

func decodeARP(b []byte, p *Packet) error {
	if len(b) < 8 {
		return ErrMalformed
	}
	htype, ptype := binary.BigEndian.Uint16(b[0:2]), binary.BigEndian.Uint16(b[2:4])
	hlen, plen, op := b[4], b[5], binary.BigEndian.Uint16(b[6:8])
	// IPv4 over any hardware type with 6-byte addresses: Linux accepts only
	// Ethernet (1) and IEEE 802 (6), but other stacks are laxer, so a
	// watcher must see crafted types too.
	_ = htype
	if ptype != 0x0800 {
		return ErrNotNeighbor
	}
	if hlen != 6 || plen != 4 || op != OpRequest && op != OpReply || len(b) < 28 {
		return ErrMalformed
	}
	p.Op = int(op)
	copy(p.SenderMAC[:], b[8:14])
	p.SenderIP = netip.AddrFrom4([4]byte(b[14:18]))
	copy(p.TargetMAC[:], b[18:24])
	p.TargetIP = netip.AddrFrom4([4]byte(b[24:28]))
	return nil
}

// IPv6 extension headers (RFC 8200 §4, RFC 7045) that may precede the
// ICMPv6 header.
const (
	nhHopByHop = 0
	nhRouting  = 43
	nhFragment = 44
	nhAH       = 51
	nhDestOpts = 60
	nhICMPv6   = 58
	// maxExtHeaders bounds the walk; RFC 8200 §4.1 allows each header once
	// (destination options twice).
	maxExtHeaders = 8
)

// decodeNDP decodes an IPv6 packet carrying a neighbour solicitation or
// advertisement, after any extension headers. It validates what RFC 4861
// §7.1.1 and §7.1.2 make receivers check, except the checksum (captures
// taken on a sending host carry unfilled, offloaded checksums): hop limit
// 255, code 0, length, a unicast target (not ::), options of non-zero length; a
// solicitation from the unspecified address goes to a solicited-node group
// and has no source link-layer option; an advertisement to a multicast
// group has Solicited clear. A first fragment carrying neighbour
// discovery is malformed (RFC 6980: receivers discard it); later fragments
// and ESP cannot be read and are not neighbour discovery.
func decodeNDP(b []byte, p *Packet) error {
	if len(b) < 40 || b[0]>>4 != 6 {
		return ErrNotNeighbor
	}
	payload := int(binary.BigEndian.Uint16(b[4:6]))
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	hop := b[7]
	next := b[6]
	rest := b[40:]
	if payload <= len(rest) {
		rest = rest[:payload] // drop Ethernet padding
	}
	fragmented := false
	for i := 0; next != nhICMPv6; i++ {
		var n int
		switch next {
		case nhHopByHop, nhRouting, nhDestOpts:
			if len(rest) < 8 {
				return ErrNotNeighbor
			}
			n = (int(rest[1]) + 1) * 8
		case nhFragment:
			if len(rest) < 8 {
				return ErrNotNeighbor
			}
			if binary.BigEndian.Uint16(rest[2:4])&^7 != 0 {
				return ErrNotNeighbor // not the first fragment: no ICMPv6 header here
			}
			fragmented, n = true, 8
		case nhAH:
			if len(rest) < 8 {
				return ErrNotNeighbor
			}
			n = (int(rest[1]) + 2) * 4
		default: // ESP, no next header, upper layers
			return ErrNotNeighbor
		}
		if i == maxExtHeaders || n > len(rest) {
			return ErrNotNeighbor
		}
		next, rest = rest[0], rest[n:]
	}
	icmp := rest
	if len(icmp) < 4 || icmp[0] != 135 && icmp[0] != 136 {
		return ErrNotNeighbor
	}
	p.NDP = true
	if fragmented || hop != 255 || icmp[1] != 0 || len(icmp) < 24 || payload > len(b)-40 || payload == 0 {
		return ErrMalformed
	}
	target := netip.AddrFrom16([16]byte(icmp[8:24]))
	if target.IsMulticast() || target.IsUnspecified() {
		return ErrMalformed
	}
	wantOpt := byte(1) // source link-layer address in a solicitation
	if icmp[0] == 135 {
		p.Op, p.SenderIP, p.TargetIP = OpRequest, src, target
	} else {
		p.Op, p.SenderIP, p.TargetIP = OpReply, target, dst
		p.Router = icmp[4]&0x80 != 0
		p.Solicited = icmp[4]&0x40 != 0
		p.Override = icmp[4]&0x20 != 0
		wantOpt = 2 // target link-layer address in an advertisement
		if p.Solicited && dst.IsMulticast() {
			return ErrMalformed
		}
	}
	p.SenderMAC = p.EthSrc
	for opts := icmp[24:]; len(opts) > 0; {
		if len(opts) < 2 || opts[1] == 0 || int(opts[1])*8 > len(opts) {
			return ErrMalformed
		}
		n := int(opts[1]) * 8
		switch {
		case opts[0] == wantOpt && n == 8:
			copy(p.SenderMAC[:], opts[2:8])
			p.LinkLayerOption = true
		case opts[0] == 14 && p.Op == OpRequest: // nonce, RFC 7527 / RFC 3971 §5.3.2
			copy(p.Nonce[:], opts[2:2+NonceLen])
			p.HasNonce = true
		}
		opts = opts[n:]
	}
	if p.Op == OpRequest && src.IsUnspecified() && (p.LinkLayerOption || !isSolicitedNode(dst)) {
		return ErrMalformed
	}
	return nil
}

// isSolicitedNode reports a solicited-node multicast address,
// ff02::1:ff00:0/104 (RFC 4291 §2.7.1).
func isSolicitedNode(a netip.Addr) bool {
	d := a.As16()
	return d == [16]byte{0xff, 0x02, 11: 0x01, 12: 0xff, 13: d[13], 14: d[14], 15: d[15]}
}
