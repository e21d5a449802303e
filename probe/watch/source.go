package watch

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/bpf"
)

// ReadFile analyses a pcap or pcapng capture file. Malformed frames are
// counted, not fatal; a truncated file ends the analysis without error
// after the last complete frame.
func ReadFile(path string, a *Analyzer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := Read(bufio.NewReaderSize(f, 1<<20), a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Read analyses a pcap (also gzip-compressed) or pcapng stream.
func Read(r io.Reader, a *Analyzer) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10) // frames are small: few reads of many
	}
	magic, err := br.Peek(4)
	if err != nil {
		return fmt.Errorf("not a capture file: %w", err)
	}
	var next func() ([]byte, time.Time, int, error) // the next frame, its time and link type
	if binary.BigEndian.Uint32(magic) == 0x0a0d0d0a {
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		if err != nil {
			return err
		}
		next = func() ([]byte, time.Time, int, error) {
			data, ci, err := ng.ZeroCopyReadPacketData()
			if err != nil {
				return nil, time.Time{}, 0, err
			}
			if intf, err := ng.Interface(ci.InterfaceIndex); err == nil {
				return data, ci.Timestamp, int(intf.LinkType), nil
			}
			return data, ci.Timestamp, int(ng.LinkType()), nil
		}
	} else if pf, ok, err := openPcap(br); ok {
		if err != nil {
			return err
		}
		next = pf.next
	} else {
		pr, err := pcapgo.NewReader(br) // gzip-compressed pcap, or an error
		if err != nil {
			return err
		}
		lt := int(pr.LinkType())
		next = func() ([]byte, time.Time, int, error) {
			data, ci, err := pr.ZeroCopyReadPacketData()
			return data, ci.Timestamp, lt, err
		}
	}
	// The analyzer is locked for a batch of frames at a time, not per
	// frame: a reader of its report waits at most one batch.
	const batch = 512
	for {
		a.mu.Lock()
		for range batch {
			data, t, link, err := next()
			if err != nil {
				a.mu.Unlock()
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return nil
				}
				return err
			}
			a.observeFrame(t, link, data, 0)
		}
		a.mu.Unlock()
	}
}

// Filter is the capture filter, l2.NeighborFilter: ARP (untagged,
// 802.1Q-tagged or LLC/SNAP) and ICMPv6 neighbour solicitations and
// advertisements (also behind extension headers). On Linux the kernel
// usually strips a received VLAN tag into PACKET_AUXDATA before the filter
// runs; the tagged branches cover frames that keep their tag.
func Filter() []bpf.RawInstruction { return l2.NeighborFilter() }

// Capture analyses live traffic on iface until ctx ends. It opens an
// AF_PACKET ring (TPACKET_V3, cgo-free) with Filter attached; VLAN tags
// stripped by the kernel come back as ancillary data. The socket is
// opened in the calling thread's network namespace.
func Capture(ctx context.Context, iface string, a *Analyzer) error {
	tp, err := OpenCapture(iface)
	if err != nil {
		return err
	}
	defer tp.Close()
	return RunCapture(ctx, tp, a, 0)
}

// OpenCapture opens the capture socket on iface (in the calling thread's
// network namespace), so that RunCapture may run on any goroutine. The
// socket puts the interface in promiscuous mode while it is open, as
// tcpdump does: solicitations to other hosts' solicited-node groups would
// otherwise stop at the interface's multicast filter.
func OpenCapture(iface string) (*afpacket.TPacket, error) {
	tp, err := afpacket.NewTPacket(afpacket.OptInterface(iface), afpacket.OptFrameSize(2048),
		afpacket.OptBlockSize(1<<20), afpacket.OptNumBlocks(8),
		afpacket.OptBlockTimeout(5*time.Millisecond), afpacket.OptPollTimeout(50*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", iface, err)
	}
	if err := tp.SetBPF(Filter()); err != nil {
		tp.Close()
		return nil, fmt.Errorf("capture on %s: attaching the filter: %w", iface, err)
	}
	if err := tp.SetPromiscuous(true); err != nil {
		tp.Close()
		return nil, fmt.Errorf("capture on %s: promiscuous mode: %w", iface, err)
	}
	return tp, nil
}

// RunCapture reads from an open capture until ctx ends. vlan is the VLAN
// of an access port (untagged frames belong to it); 0 on a trunk.
func RunCapture(ctx context.Context, tp *afpacket.TPacket, a *Analyzer, vlan int) error {
	var lastDrops uint
	for ctx.Err() == nil {
		data, ci, err := tp.ZeroCopyReadPacketData()
		if err != nil {
			if errors.Is(err, afpacket.ErrTimeout) || errors.Is(err, afpacket.ErrPoll) {
				if _, v3, serr := tp.SocketStats(); serr == nil && v3.Drops() > lastDrops {
					a.AddDropped(uint64(v3.Drops() - lastDrops))
					lastDrops = v3.Drops()
				}
				continue
			}
			return err
		}
		frameVLAN := vlan
		for _, ad := range ci.AncillaryData {
			if v, ok := ad.(afpacket.AncillaryVLAN); ok {
				frameVLAN = v.VLAN & 0x0fff
			}
		}
		a.ObserveFrame(ci.Timestamp, arpframe.LinkEthernet, data, frameVLAN)
	}
	return nil
}
