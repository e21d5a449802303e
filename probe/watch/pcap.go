package watch

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// pcapFile reads a classic libpcap file (the tcpdump format: a 24-byte
// file header, then 16-byte record headers) straight out of a
// bufio.Reader's buffer, without copying each frame as pcapgo.Reader
// does: capture analysis is bound by per-frame costs. Gzip-compressed
// files and pcapng go through pcapgo.
type pcapFile struct {
	br      *bufio.Reader
	order   binary.ByteOrder
	bigEnd  bool // order is big-endian (read per record without the interface)
	nano    bool
	link    int
	pending int    // bytes of the last record still to discard
	big     []byte // a record larger than the reader's buffer
}

// Record and file-header magic numbers (libpcap's savefile.c).
const (
	pcapMicro = 0xa1b2c3d4
	pcapNano  = 0xa1b23c4d
	// maxRecord bounds a record's captured length, as libpcap's
	// MAXIMUM_SNAPLEN does (a corrupt length must not allocate gigabytes).
	maxRecord = 262144
)

// openPcap reads the file header; ok is false when the stream is not an
// uncompressed classic pcap file (nothing is consumed then).
func openPcap(br *bufio.Reader) (f *pcapFile, ok bool, err error) {
	h, err := br.Peek(24)
	if err != nil {
		return nil, false, nil
	}
	f = &pcapFile{br: br}
	switch {
	case binary.LittleEndian.Uint32(h) == pcapMicro:
		f.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h) == pcapMicro:
		f.order = binary.BigEndian
	case binary.LittleEndian.Uint32(h) == pcapNano:
		f.order, f.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h) == pcapNano:
		f.order, f.nano = binary.BigEndian, true
	default:
		return nil, false, nil
	}
	if major := f.order.Uint16(h[4:6]); major != 2 {
		return nil, true, fmt.Errorf("pcap version %d is not supported", major)
	}
	// The link type is the low 16 bits; the upper ones carry FCS
	// information (pcap-savefile(5)).
	f.link = int(f.order.Uint32(h[20:24]) & 0xffff)
	f.bigEnd = f.order == binary.BigEndian
	if _, err := br.Discard(24); err != nil {
		return nil, true, err
	}
	return f, true, nil
}

// next returns the next record, its time and the file's link type; the
// data is valid until the next call. A truncated last record is
// io.ErrUnexpectedEOF.
func (f *pcapFile) next() ([]byte, time.Time, int, error) {
	if f.pending > 0 {
		if _, err := f.br.Discard(f.pending); err != nil {
			return nil, time.Time{}, 0, err
		}
		f.pending = 0
	}
	h, err := f.br.Peek(16)
	if err != nil {
		if errors.Is(err, io.EOF) && len(h) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, time.Time{}, 0, err
	}
	sec, frac := int64(f.u32(h[0:4])), int64(f.u32(h[4:8]))
	if !f.nano {
		frac *= 1000
	}
	t := time.Unix(sec, frac).UTC()
	capLen := int(f.u32(h[8:12]))
	if capLen > maxRecord {
		return nil, t, 0, fmt.Errorf("a record of %d bytes: larger than any capture takes", capLen)
	}
	n := 16 + capLen
	rec, err := f.br.Peek(n)
	switch {
	case err == nil:
		f.pending = n
		return rec[16:], t, f.link, nil
	case errors.Is(err, bufio.ErrBufferFull):
		if _, err := f.br.Discard(16); err != nil {
			return nil, t, 0, err
		}
		if cap(f.big) < capLen {
			f.big = make([]byte, capLen)
		}
		data := f.big[:capLen]
		if _, err := io.ReadFull(f.br, data); err != nil {
			return nil, t, 0, io.ErrUnexpectedEOF
		}
		return data, t, f.link, nil
	case errors.Is(err, io.EOF):
		return nil, t, 0, io.ErrUnexpectedEOF
	}
	return nil, t, 0, err
}

// u32 reads a record header's field in the file's byte order.
func (f *pcapFile) u32(b []byte) uint32 {
	if f.bigEnd {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}
