// Package l2 is a raw Ethernet socket on one interface (mdlayher/packet)
// that reports, for every received frame, its VLAN — from the frame's own
// 802.1Q tag or, when the kernel stripped the tag, from PACKET_AUXDATA —
// and whether the frame was our own outgoing one. It needs no IPv4
// address on the interface, unlike arp.Dial.
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
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_AUXDATA, 1)
		if serr == nil {
			serr = enableStamps(int(fd))
		}
	}); err != nil || serr != nil {
		c.Close()
		return nil, fmt.Errorf("interface %s: PACKET_AUXDATA, SO_TIMESTAMPNS: %w", iface, errors.Join(err, serr))
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
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0806, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x8100, SkipFalse: 3},
		bpf.LoadAbsolute{Off: 16, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0806, SkipFalse: 1},
		bpf.RetConstant{Val: 0x40000},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		panic(err)
	}
	return raw
}
