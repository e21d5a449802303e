// Package gateway is a default-gateway stand-in for an isolated VLAN: it
// answers ARP requests and ICMP echo requests for one IPv4 address, so
// that a system being built in the Migration VLAN finds its gateway
// (installers ping it) without any route out of the VLAN.
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
	"golang.org/x/net/bpf"
)

// Stats counts what the stand-in answered.
type Stats struct {
	ARPReplies  uint64 `json:"arp_replies"`
	EchoReplies uint64 `json:"echo_replies"`
}

// Filter accepts ARP and IPv4 ICMP, untagged or 802.1Q-tagged.
func Filter() []bpf.RawInstruction {
	const accept, reject = 11, 12
	// SkipTrue/SkipFalse count instructions after the jump.
	to := func(from, target int) uint8 { return uint8(target - from - 1) }
	raw, err := bpf.Assemble([]bpf.Instruction{
		/* 0 */ bpf.LoadAbsolute{Off: 12, Size: 2},
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0806, SkipTrue: to(1, accept)},
		/* 2 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0800, SkipTrue: to(2, 9)},
		/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x8100, SkipFalse: to(3, reject)},
		/* 4 */ bpf.LoadAbsolute{Off: 16, Size: 2}, // tagged
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0806, SkipTrue: to(5, accept)},
		/* 6 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0800, SkipFalse: to(6, reject)},
		/* 7 */ bpf.LoadAbsolute{Off: 27, Size: 1}, // IPv4 protocol, tagged
		/* 8 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: to(8, accept), SkipFalse: to(8, reject)},
		/* 9 */ bpf.LoadAbsolute{Off: 23, Size: 1}, // IPv4 protocol, untagged
		/* 10 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: to(10, accept), SkipFalse: to(10, reject)},
		/* 11 */ bpf.RetConstant{Val: 0x40000},
		/* 12 */ bpf.RetConstant{Val: 0},
	})
	if err != nil {
		panic(err)
	}
	return raw
}

// Serve answers for ip on conn until ctx ends. vlan is the VLAN to serve
// on a trunk (frames are sent tagged), or 0 on an access interface. It
// announces the address once at start (gratuitous ARP).
func Serve(ctx context.Context, conn *l2.Conn, ip netip.Addr, vlan int, stats func(Stats)) error {
	if !ip.Is4() {
		return errors.New("gateway: the stand-in serves IPv4 only")
	}
	mac := conn.MAC()
	var st Stats
	for _, f := range arpframe.Announcements(vlan, mac, mac, ip) {
		b, err := f.Marshal()
		if err != nil {
			return err
		}
		if err := conn.Write(b); err != nil {
			return fmt.Errorf("gateway: announcing %s: %w", ip, err)
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
		switch {
		case isARP(data):
			reply = arpReply(data, mac, ip, vlan)
			if reply != nil {
				st.ARPReplies++
			}
		default:
			reply = echoReply(data, mac, ip, vlan)
			if reply != nil {
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

func isARP(b []byte) bool { return len(b) >= 14 && binary.BigEndian.Uint16(b[12:14]) == 0x0806 }

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
