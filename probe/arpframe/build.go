package arpframe

import (
	"net"
	"net/netip"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
)

// Broadcast is the Ethernet broadcast address.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Frame describes an ARP frame to build.
type Frame struct {
	VLAN      int // 0: untagged
	EthSrc    MAC
	EthDst    MAC
	Op        int
	SenderMAC MAC
	SenderIP  netip.Addr // zero value or 0.0.0.0 for a probe
	TargetMAC MAC
	TargetIP  netip.Addr
}

// Marshal builds the Ethernet frame (with an 802.1Q tag when VLAN is set)
// using mdlayher/arp and mdlayher/ethernet.
func (f Frame) Marshal() ([]byte, error) {
	spa := f.SenderIP
	if !spa.IsValid() {
		spa = netip.IPv4Unspecified()
	}
	p, err := arp.NewPacket(arp.Operation(f.Op), net.HardwareAddr(f.SenderMAC[:]), spa, net.HardwareAddr(f.TargetMAC[:]), f.TargetIP)
	if err != nil {
		return nil, err
	}
	payload, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	eth := &ethernet.Frame{
		Destination: net.HardwareAddr(f.EthDst[:]),
		Source:      net.HardwareAddr(f.EthSrc[:]),
		EtherType:   ethernet.EtherTypeARP,
		Payload:     payload,
	}
	if f.VLAN != 0 {
		eth.VLAN = &ethernet.VLAN{ID: uint16(f.VLAN)}
	}
	return eth.MarshalBinary()
}

// Probe returns an RFC 5227 probe for target from mac.
func Probe(vlan int, mac MAC, target netip.Addr) Frame {
	return Frame{VLAN: vlan, EthSrc: mac, EthDst: Broadcast, Op: OpRequest, SenderMAC: mac, TargetIP: target}
}

// Request returns an ordinary ARP request for target from (mac, source).
func Request(vlan int, mac MAC, source, target netip.Addr) Frame {
	return Frame{VLAN: vlan, EthSrc: mac, EthDst: Broadcast, Op: OpRequest, SenderMAC: mac, SenderIP: source, TargetIP: target}
}

// Announcements returns the two forms of gratuitous ARP announcing that
// owner holds addr: the request form (RFC 5227 §3) and the reply form some
// older stacks need. They are sent from via (the announcer's own MAC), so
// switches do not learn owner's MAC on the announcer's port; receivers
// update their caches from the ARP sender fields.
func Announcements(vlan int, via, owner MAC, addr netip.Addr) [2]Frame {
	return [2]Frame{
		{VLAN: vlan, EthSrc: via, EthDst: Broadcast, Op: OpRequest, SenderMAC: owner, SenderIP: addr, TargetIP: addr},
		{VLAN: vlan, EthSrc: via, EthDst: Broadcast, Op: OpReply, SenderMAC: owner, SenderIP: addr, TargetMAC: owner, TargetIP: addr},
	}
}
