package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Owner names the cutover process that made something on a switch (a
// checkpoint), so that a later process on the same machine can tell a
// batch in progress from one a killed process left behind.
type Owner struct {
	Host string // the machine's name, as Stamp writes it
	PID  int
}

// maxHost bounds the host name in a stamp: NX-OS limits a checkpoint's
// description to 80 characters.
const maxHost = 24

// ThisProcess is the Owner of this process.
func ThisProcess() Owner {
	h, _ := os.Hostname()
	return Owner{Host: stampHost(h), PID: os.Getpid()}
}

func stampHost(h string) string {
	h = strings.Join(strings.Fields(h), "-")
	if len(h) > maxHost {
		h = h[:maxHost]
	}
	if h == "" {
		h = "unknown"
	}
	return h
}

// Stamp is what follows a checkpoint's "began": the time (RFC 3339,
// UTC) and the owner, "2026-11-29T06:10:00Z on HOST pid 1234".
func Stamp(at time.Time, o Owner) string {
	return fmt.Sprintf("%s on %s pid %d", at.UTC().Format(time.RFC3339), o.Host, o.PID)
}

// ParseStamp reads a Stamp, or a bare RFC 3339 time (stamps of earlier
// builds, without an owner); ok is false for anything else.
func ParseStamp(s string) (at time.Time, o Owner, ok bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return time.Time{}, Owner{}, false
	}
	at, err := time.Parse(time.RFC3339, f[0])
	if err != nil {
		return time.Time{}, Owner{}, false
	}
	if len(f) == 1 {
		return at, Owner{}, true
	}
	if len(f) != 5 || f[1] != "on" || f[3] != "pid" {
		return time.Time{}, Owner{}, false
	}
	pid, err := strconv.Atoi(f[4])
	if err != nil || pid <= 0 {
		return time.Time{}, Owner{}, false
	}
	return at, Owner{Host: f[2], PID: pid}, true
}

// Lost reports whether o was a process of this machine that is no longer
// running (never this process, never one of another machine, which this
// one cannot see).
func (o Owner) Lost() bool {
	me := ThisProcess()
	if o.PID <= 0 || o.Host != me.Host || o.PID == me.PID {
		return false
	}
	err := syscall.Kill(o.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}
