package l2

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Frames are stamped with the time the kernel received them
// (SO_TIMESTAMPNS), not the time a reader got round to them: a frame
// captured before a switch change but read after it must not pass for
// evidence of the state after the change.

// enableStamps asks the kernel for receive timestamps on fd.
func enableStamps(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
}

// stampOf returns the receive timestamp in the control messages; the
// zero time if there is none.
func stampOf(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TIMESTAMPNS || len(m.Data) < int(unsafe.Sizeof(unix.Timespec{})) {
			continue
		}
		ts := *(*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
		if ts.Sec == 0 && ts.Nsec == 0 {
			return time.Time{}
		}
		return time.Unix(ts.Unix())
	}
	return time.Time{}
}
