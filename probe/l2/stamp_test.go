package l2

import (
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func cmsg(level, typ int, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = int32(level), int32(typ)
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func TestStampOf(t *testing.T) {
	want := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	ts := unix.NsecToTimespec(want.UnixNano())
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&ts)), unsafe.Sizeof(ts))
	aux := cmsg(unix.SOL_PACKET, unix.PACKET_AUXDATA, make([]byte, unsafe.Sizeof(unix.TpacketAuxdata{})))
	oob := append(aux, cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, raw)...)
	if got := stampOf(oob); !got.Equal(want) {
		t.Fatalf("stamp %v, want %v", got, want)
	}
	if got := stampOf(aux); !got.IsZero() {
		t.Fatalf("no timestamp message: %v", got)
	}
	if got := stampOf([]byte{1, 2, 3}); !got.IsZero() {
		t.Fatalf("garbage: %v", got)
	}
}
