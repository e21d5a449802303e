// Package l2 is a raw Ethernet socket on one interface (mdlayher/packet)
// that reports, for every received frame, its VLAN — from the frame's own
// 802.1Q tag or, when the kernel stripped the tag, from PACKET_AUXDATA —
// and whether the frame was our own outgoing one. It needs no IPv4 or
// IPv6 address on the interface, unlike arp.Dial or ndp.Listen: the
// socket joins every multicast group of the interface (PACKET_MR_ALLMULTI),
// so solicitations to other hosts' solicited-node groups and
// advertisements to all nodes arrive even where the interface itself has
// IPv6 off.
package l2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
	"unsafe"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// receiveBuffer is the socket receive buffer Listen asks for.
const receiveBuffer = 8 << 20

// Conn is a raw Ethernet socket.
type Conn struct {
	c   *packet.Conn
	rc  syscall.RawConn
	ifi *net.Interface
	mac arpframe.MAC
	oob []byte
}

// Frame is one received frame.
type Frame struct {
	Data     []byte
	VLAN     int  // 0 if untagged
	Outgoing bool // sent by this host (our own frames, looped back to us)
	// Time is when the kernel received the frame (SO_TIMESTAMPNS); when
	// the kernel gives no timestamp, when Read returned it.
	Time time.Time
}

// Listen opens a raw socket on iface in the calling thread's network
// namespace, with an optional BPF filter (attached before any frame is
// queued).
func Listen(iface string, filter []bpf.RawInstruction) (*Conn, error) {
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", iface, err)
	}
	if len(ifi.HardwareAddr) != 6 {
		return nil, fmt.Errorf("interface %s: no Ethernet address", iface)
	}
	c, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, &packet.Config{Filter: filter})
	if err != nil {
		return nil, fmt.Errorf("interface %s: raw socket: %w", iface, err)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	var serr, merr error
	if err := rc.Control(func(fd uintptr) {
		// Room for a burst of answers (1,000 addresses answer within
		// milliseconds); the default (about 200 KiB) holds fewer than 300
		// frames. FORCE lifts the sysctl cap for root; without the
		// privilege the ordinary request is capped, not refused.
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, receiveBuffer) != nil {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, receiveBuffer)
		}
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_AUXDATA, 1)
		if serr == nil {
			serr = enableStamps(int(fd))
		}
		merr = unix.SetsockoptPacketMreq(int(fd), unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP,
			&unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_ALLMULTI})
	}); err != nil || serr != nil {
		c.Close()
		return nil, fmt.Errorf("interface %s: PACKET_AUXDATA, SO_TIMESTAMPNS: %w", iface, errors.Join(err, serr))
	}
	if merr != nil {
		c.Close()
		return nil, fmt.Errorf("interface %s: receiving all multicast groups: %w", iface, merr)
	}
	return &Conn{c: c, rc: rc, ifi: ifi, mac: arpframe.MAC(ifi.HardwareAddr), oob: make([]byte, 256)}, nil
}

// MAC is the interface's hardware address.
func (c *Conn) MAC() arpframe.MAC { return c.mac }

// Interface is the interface's name.
func (c *Conn) Interface() string { return c.ifi.Name }

// Read receives one frame into buf. It is not safe for concurrent use.
func (c *Conn) Read(buf []byte) (Frame, error) {
	var n, oobn int
	var from unix.Sockaddr
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, oobn, _, from, rerr = unix.Recvmsg(int(fd), buf, c.oob, unix.MSG_DONTWAIT)
		return rerr != unix.EAGAIN && rerr != unix.EWOULDBLOCK
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return Frame{}, err
	}
	f := Frame{Data: buf[:n]}
	if ll, ok := from.(*unix.SockaddrLinklayer); ok {
		f.Outgoing = ll.Pkttype == unix.PACKET_OUTGOING
	}
	f.VLAN = auxVLAN(c.oob[:oobn])
	if f.Time = stampOf(c.oob[:oobn]); f.Time.IsZero() {
		f.Time = time.Now()
	}
	return f, nil
}

// auxVLAN extracts the VLAN ID from PACKET_AUXDATA control messages.
func auxVLAN(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_PACKET || m.Header.Type != unix.PACKET_AUXDATA || len(m.Data) < int(unsafe.Sizeof(unix.TpacketAuxdata{})) {
			continue
		}
		status := binary.NativeEndian.Uint32(m.Data[0:4])
		tci := binary.NativeEndian.Uint16(m.Data[16:18])
		if status&unix.TP_STATUS_VLAN_VALID != 0 || tci != 0 {
			return int(tci & 0x0fff)
		}
	}
	return 0
}

// Write sends a complete Ethernet frame (header included).
func (c *Conn) Write(frame []byte) error {
	if len(frame) < 14 {
		return errors.New("l2: frame too short")
	}
	_, err := c.c.WriteTo(frame, &packet.Addr{HardwareAddr: net.HardwareAddr(frame[0:6])})
	return err
}

// SetReadDeadline sets the deadline for Read.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

// Close closes the socket; a blocked Read returns.
func (c *Conn) Close() error { return c.c.Close() }

// ARPFilter accepts ARP frames, untagged or (if the kernel left the tag in
// place) 802.1Q-tagged.
func ARPFilter() []bpf.RawInstruction {
	var p Program
	p.Add(bpf.LoadAbsolute{Off: 12, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "")
	p.JumpIf(bpf.JumpEqual, 0x8100, "", "reject")
	p.Add(bpf.LoadAbsolute{Off: 16, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "reject")
	p.Label("accept")
	p.Add(bpf.RetConstant{Val: Accept})
	p.Label("reject")
	p.Add(bpf.RetConstant{Val: 0})
	return p.MustAssemble()
}

// NeighborFilter accepts ARP (Ethernet II or LLC/SNAP) and IPv6 neighbour
// solicitations and advertisements, untagged or 802.1Q-tagged. An IPv6
// packet whose first header is an extension header is accepted too: the
// decoder walks the chain (arpframe.Decode), which BPF cannot.
func NeighborFilter() []bpf.RawInstruction {
	var p Program
	p.Add(bpf.LoadAbsolute{Off: 12, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "")
	p.JumpIf(bpf.JumpEqual, 0x86dd, "ipv6", "")
	p.JumpIf(bpf.JumpEqual, 0x8100, "tagged", "")
	p.JumpIf(bpf.JumpLessThan, 0x0600, "snap", "reject")
	p.Label("snap")
	p.Add(bpf.LoadAbsolute{Off: 20, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "reject")
	p.Label("tagged")
	p.Add(bpf.LoadAbsolute{Off: 16, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "")
	p.JumpIf(bpf.JumpEqual, 0x86dd, "tagged-ipv6", "")
	p.JumpIf(bpf.JumpLessThan, 0x0600, "", "reject")
	p.Add(bpf.LoadAbsolute{Off: 24, Size: 2})
	p.JumpIf(bpf.JumpEqual, 0x0806, "accept", "reject")
	for _, v := range []struct {
		label string
		off   uint32 // of the IPv6 header
	}{{"ipv6", 14}, {"tagged-ipv6", 18}} {
		p.Label(v.label)
		p.Add(bpf.LoadAbsolute{Off: v.off + 6, Size: 1}) // next header
		p.JumpIf(bpf.JumpEqual, 58, "", v.label+"-ext")
		p.Add(bpf.LoadAbsolute{Off: v.off + 40, Size: 1}) // ICMPv6 type
		p.JumpIf(bpf.JumpLessThan, 135, "reject", "")
		p.JumpIf(bpf.JumpGreaterThan, 136, "reject", "accept")
		p.Label(v.label + "-ext")
		for _, nh := range []uint32{0, 43, 44, 51, 60} {
			p.JumpIf(bpf.JumpEqual, nh, "accept", "")
		}
		p.Goto("reject")
	}
	p.Label("accept")
	p.Add(bpf.RetConstant{Val: Accept})
	p.Label("reject")
	p.Add(bpf.RetConstant{Val: 0})
	return p.MustAssemble()
}

// Accept is what a filter returns to keep a frame (its first 256 KiB).
const Accept = 0x40000

// Program assembles a classic BPF program with named jump targets:
// forward jumps only, as the kernel requires.
type Program struct {
	ins    []bpf.Instruction
	labels map[string]int
	fixups []fixup
}

type fixup struct {
	at     int
	t, f   string // labels; "" is the next instruction
	always bool   // an unconditional jump to t
}

// Add appends an instruction.
func (p *Program) Add(i bpf.Instruction) { p.ins = append(p.ins, i) }

// Label names the next instruction.
func (p *Program) Label(name string) {
	if p.labels == nil {
		p.labels = map[string]int{}
	}
	p.labels[name] = len(p.ins)
}

// JumpIf appends a conditional jump to label t when the condition holds
// and to label f when not ("" for the next instruction).
func (p *Program) JumpIf(cond bpf.JumpTest, val uint32, t, f string) {
	p.fixups = append(p.fixups, fixup{at: len(p.ins), t: t, f: f})
	p.Add(bpf.JumpIf{Cond: cond, Val: val})
}

// Goto appends an unconditional jump to label.
func (p *Program) Goto(label string) {
	p.fixups = append(p.fixups, fixup{at: len(p.ins), t: label, always: true})
	p.Add(bpf.Jump{})
}

// Assemble resolves the labels and assembles the program.
func (p *Program) Assemble() ([]bpf.RawInstruction, error) {
	ins := append([]bpf.Instruction{}, p.ins...)
	skip := func(from int, label string) (uint32, error) {
		if label == "" {
			return 0, nil
		}
		to, ok := p.labels[label]
		if !ok || to <= from {
			return 0, fmt.Errorf("l2: jump from %d to %q: not a later label", from, label)
		}
		return uint32(to - from - 1), nil
	}
	for _, fx := range p.fixups {
		t, err := skip(fx.at, fx.t)
		if err != nil {
			return nil, err
		}
		if fx.always {
			ins[fx.at] = bpf.Jump{Skip: t}
			continue
		}
		f, err := skip(fx.at, fx.f)
		if err != nil {
			return nil, err
		}
		if t > 255 || f > 255 {
			return nil, fmt.Errorf("l2: jump from %d too long", fx.at)
		}
		j := ins[fx.at].(bpf.JumpIf)
		j.SkipTrue, j.SkipFalse = uint8(t), uint8(f)
		ins[fx.at] = j
	}
	return bpf.Assemble(ins)
}

// MustAssemble is Assemble for programs fixed at compile time.
func (p *Program) MustAssemble() []bpf.RawInstruction {
	raw, err := p.Assemble()
	if err != nil {
		panic(err)
	}
	return raw
}
