// Package gateway is a default-gateway stand-in for an isolated VLAN: it
// answers, for an IPv4 gateway address, ARP requests and ICMP echo
// requests, and for an IPv6 one, neighbour solicitations (as a router,
// defending the address against duplicate-address-detection probes) and
// ICMPv6 echo requests, so that a system being built in the Migration
// VLAN finds its gateway (installers ping it) without any route out of
// the VLAN. One stand-in may serve both families.
package gateway

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/ndpframe"
	"golang.org/x/net/bpf"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv6"
)

// Stats counts what the stand-in answered.
type Stats struct {
	ARPReplies  uint64 `json:"arp_replies"`
	NDPReplies  uint64 `json:"ndp_replies"`  // neighbour advertisements
	EchoReplies uint64 `json:"echo_replies"` // ICMP and ICMPv6
}

// Filter accepts ARP, IPv4 ICMP and ICMPv6 (echo and neighbour discovery;
// also behind IPv6 extension headers, which the stand-in does not read),
// untagged or 802.1Q-tagged.
func Filter() []bpf.RawInstruction {
	var p l2.Program
	p.Add(bpf.LoadAbsolute{Off: 12, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x8100, "tagged", "")
	for _, v := range []struct {
		label string
		off   uint32 // of the network header
	}{{"untagged", 14}, {"tagged", 18}} {
		if v.label == "tagged" {
			p.Label("tagged")
			p.Add(bpf.LoadAbsolute{Off: 16, Size: 2})
		}
		p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "")
		p.JumpIf(bpf.JumpEqual, 0x0800, v.label+"-ipv4", "")
		p.JumpIf(bpf.JumpEqual, 0x86dd, v.label+"-ipv6", "reject")
		p.Label(v.label + "-ipv4")
		p.Add(bpf.LoadAbsolute{Off: v.off + 9, Size: 1}) // protocol
		p.JumpIf(bpf.JumpEqual, 1, "accept", "reject")
		p.Label(v.label + "-ipv6")
		p.Add(bpf.LoadAbsolute{Off: v.off + 6, Size: 1}) // next header
		p.JumpIf(bpf.JumpEqual, 58, "accept", "")
		p.JumpIf(bpf.JumpEqual, 0, "accept", "")
		p.JumpIf(bpf.JumpEqual, 60, "accept", "reject")
	}
	p.Label("accept")
	p.Add(bpf.RetConstant{Val: l2.Accept})
	p.Label("reject")
	p.Add(bpf.RetConstant{Val: 0})
	return p.MustAssemble()
}

// Serve answers for ips (an IPv4 gateway address, an IPv6 one, or one of
// each) on conn until ctx ends. vlan is the VLAN to serve on a trunk
// (frames are sent tagged), or 0 on an access interface. It announces
// each address once at start (gratuitous ARP; an unsolicited neighbour
// advertisement with the Router and Override flags).
func Serve(ctx context.Context, conn *l2.Conn, ips []netip.Addr, vlan int, stats func(Stats)) error {
	var ip4, ip6 netip.Addr
	for _, ip := range ips {
		switch {
		case ip.Is4() && !ip4.IsValid():
			ip4 = ip
		case ip.Is6() && !ip.Is4In6() && !ip.IsMulticast() && !ip.IsUnspecified() && !ip6.IsValid():
			ip6 = ip
		default:
			return fmt.Errorf("gateway: %s: want one IPv4 and one IPv6 unicast address at most", ip)
		}
	}
	if !ip4.IsValid() && !ip6.IsValid() {
		return errors.New("gateway: no address to stand in for")
	}
	mac := conn.MAC()
	var st Stats
	var hello [][]byte
	if ip4.IsValid() {
		for _, f := range arpframe.Announcements(vlan, mac, mac, ip4) {
			b, err := f.Marshal()
			if err != nil {
				return err
			}
			hello = append(hello, b)
		}
	}
	if ip6.IsValid() {
		b, err := ndpframe.Unsolicited(vlan, mac, mac, ip6, true)
		if err != nil {
			return err
		}
		hello = append(hello, b)
	}
	for _, b := range hello {
		if err := conn.Write(b); err != nil {
			return fmt.Errorf("gateway: announcing %v: %w", ips, err)
		}
	}
	buf := make([]byte, 2048)
	for ctx.Err() == nil {
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		fr, err := conn.Read(buf)
		if err != nil {
			continue // deadline: check ctx
		}
		if fr.Outgoing {
			continue
		}
		data, frameVLAN := untag(fr.Data, fr.VLAN)
		if frameVLAN != vlan {
			continue
		}
		var reply []byte
		switch etherType(data) {
		case 0x0806:
			if ip4.IsValid() {
				if reply = arpReply(data, mac, ip4, vlan); reply != nil {
					st.ARPReplies++
				}
			}
		case 0x0800:
			if ip4.IsValid() {
				if reply = echoReply(data, mac, ip4, vlan); reply != nil {
					st.EchoReplies++
				}
			}
		case 0x86dd:
			if !ip6.IsValid() {
				break
			}
			if reply = ndpReply(data, mac, ip6, vlan); reply != nil {
				st.NDPReplies++
			} else if reply = echoReply6(data, mac, ip6, vlan); reply != nil {
				st.EchoReplies++
			}
		}
		if reply == nil {
			continue
		}
		if err := conn.Write(reply); err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
		if stats != nil {
			stats(st)
		}
	}
	return nil
}

// untag removes an in-frame 802.1Q tag, returning the frame and its VLAN.
func untag(b []byte, aux int) ([]byte, int) {
	if len(b) >= 18 && binary.BigEndian.Uint16(b[12:14]) == 0x8100 {
		vlan := int(binary.BigEndian.Uint16(b[14:16]) & 0x0fff)
		out := make([]byte, 0, len(b)-4)
		out = append(append(out, b[:12]...), b[16:]...)
		return out, vlan
	}
	return b, aux
}

func etherType(b []byte) uint16 {
	if len(b) < 14 {
		return 0
	}
	return binary.BigEndian.Uint16(b[12:14])
}

// ndpReply answers a neighbour solicitation for ip: to its sender, or to
// all nodes when it is a duplicate-address-detection probe (the stand-in
// defends the address, RFC 4862 §5.4.3). The Router flag is set: the
// stand-in is the hosts' gateway.
func ndpReply(b []byte, mac arpframe.MAC, ip netip.Addr, vlan int) []byte {
	var p arpframe.Packet
	if arpframe.Decode(arpframe.LinkEthernet, b, &p) != nil || !p.NDP || p.Op != arpframe.OpRequest || p.TargetIP != ip || p.EthSrc == mac {
		return nil
	}
	out, err := ndpframe.Advertisement(vlan, mac, ip, p.SenderMAC, p.SenderIP, true)
	if err != nil {
		return nil
	}
	return out
}

// echoReply6 turns an ICMPv6 echo request to ip (ICMPv6 straight after
// the IPv6 header) into the reply frame.
func echoReply6(b []byte, mac arpframe.MAC, ip netip.Addr, vlan int) []byte {
	if len(b) < 14+40+8 || [6]byte(b[0:6]) != mac {
		return nil
	}
	h := b[14:]
	payload := int(binary.BigEndian.Uint16(h[4:6]))
	if h[0]>>4 != 6 || h[6] != 58 || payload < 8 || payload > len(h)-40 {
		return nil
	}
	if netip.AddrFrom16([16]byte(h[24:40])) != ip {
		return nil
	}
	src := netip.AddrFrom16([16]byte(h[8:24]))
	if src.IsMulticast() || src.IsUnspecified() {
		return nil
	}
	msg := h[40 : 40+payload]
	// The pseudo-header: source, destination, upper-layer length, next header.
	psh := append(append([]byte{}, h[8:40]...), 0, 0, byte(payload>>8), byte(payload), 0, 0, 0, 58)
	if checksum(append(psh, msg...)) != 0 {
		return nil // a receiver discards it (RFC 4443 §2.3)
	}
	m, err := icmp.ParseMessage(58, msg)
	if err != nil || m.Type != ipv6.ICMPTypeEchoRequest || m.Code != 0 {
		return nil
	}
	echo, ok := m.Body.(*icmp.Echo)
	if !ok {
		return nil
	}
	out, err := ndpframe.EchoReply(vlan, mac, ip, arpframe.MAC(b[6:12]), src, echo.ID, echo.Seq, echo.Data)
	if err != nil {
		return nil
	}
	return out
}

func arpReply(b []byte, mac arpframe.MAC, ip netip.Addr, vlan int) []byte {
	var p arpframe.Packet
	if arpframe.Decode(arpframe.LinkEthernet, b, &p) != nil || p.Op != arpframe.OpRequest || p.TargetIP != ip || p.SenderMAC == mac {
		return nil
	}
	f := arpframe.Frame{VLAN: vlan, EthSrc: mac, EthDst: p.EthSrc, Op: arpframe.OpReply, SenderMAC: mac, SenderIP: ip, TargetMAC: p.SenderMAC, TargetIP: p.SenderIP}
	if p.Probe() {
		// RFC 5227: a probe for our address is answered (we defend it).
		f.TargetIP = netip.IPv4Unspecified()
	}
	out, err := f.Marshal()
	if err != nil {
		return nil
	}
	return out
}

// echoReply turns an ICMP echo request to ip into the reply frame.
func echoReply(b []byte, mac arpframe.MAC, ip netip.Addr, vlan int) []byte {
	if len(b) < 14+20+8 || binary.BigEndian.Uint16(b[12:14]) != 0x0800 {
		return nil
	}
	ipHdr := b[14:]
	ihl := int(ipHdr[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ipHdr[2:4]))
	if ipHdr[0]>>4 != 4 || ihl < 20 || total < ihl+8 || total > len(ipHdr) || ipHdr[9] != 1 {
		return nil
	}
	if netip.AddrFrom4([4]byte(ipHdr[16:20])) != ip || [6]byte(b[0:6]) != mac {
		return nil
	}
	if binary.BigEndian.Uint16(ipHdr[6:8])&0x3fff != 0 { // fragments: not answered
		return nil
	}
	icmp := ipHdr[ihl:total]
	if icmp[0] != 8 || icmp[1] != 0 {
		return nil
	}
	out := make([]byte, 0, 18+total)
	out = append(out, b[6:12]...) // to the sender
	out = append(out, mac[:]...)
	if vlan != 0 {
		out = append(out, 0x81, 0x00, byte(vlan>>8), byte(vlan))
	}
	out = append(out, 0x08, 0x00)
	ipStart := len(out)
	out = append(out, ipHdr[:total]...)
	rip := out[ipStart:]
	copy(rip[12:16], ipHdr[16:20]) // source: us
	copy(rip[16:20], ipHdr[12:16]) // destination: the sender
	rip[8] = 64                    // TTL
	rip[10], rip[11] = 0, 0
	binary.BigEndian.PutUint16(rip[10:12], checksum(rip[:ihl]))
	ric := rip[ihl:]
	ric[0] = 0 // echo reply
	ric[2], ric[3] = 0, 0
	binary.BigEndian.PutUint16(ric[2:4], checksum(ric))
	return out
}

func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
