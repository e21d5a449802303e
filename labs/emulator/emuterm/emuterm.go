// Package emuterm is a raw SSH terminal on an emulated switch, for tests:
// a user at the switch's prompt beside the driver under test, who types a
// line and reads what the switch prints up to its next prompt.
package emuterm

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Term is an interactive CLI session.
type Term struct {
	t      testing.TB
	client *ssh.Client
	in     io.WriteCloser
	out    chan byte
	ready  func([]byte) bool
}

// Dial opens a shell on addr; ready tells whether what the switch printed
// so far ends with a prompt. It reads the first prompt before it returns,
// and the session is closed when the test ends.
func Dial(t testing.TB, addr string, cfg *ssh.ClientConfig, ready func(printed []byte) bool) *Term {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	stdout, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	tm := &Term{t: t, client: c, in: in, out: make(chan byte, 1<<16), ready: ready}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			for _, b := range buf[:n] {
				tm.out <- b
			}
			if err != nil {
				close(tm.out)
				return
			}
		}
	}()
	tm.Read()
	t.Cleanup(func() { c.Close() })
	return tm
}

// Read returns what the switch prints up to its next prompt (or the end
// of the session); the test fails after 10 s without a prompt.
func (tm *Term) Read() string {
	tm.t.Helper()
	var b bytes.Buffer
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c, ok := <-tm.out:
			if !ok {
				return b.String()
			}
			b.WriteByte(c)
			if tm.ready(b.Bytes()) {
				return b.String()
			}
		case <-deadline:
			tm.t.Fatalf("no prompt after %q", b.String())
		}
	}
}

// Send types line and returns what the switch printed up to its next
// prompt, echo and prompt included.
func (tm *Term) Send(line string) string {
	tm.t.Helper()
	fmt.Fprintf(tm.in, "%s\r", line)
	return tm.Read()
}

// Close ends the connection without leaving any mode (a dropped user).
func (tm *Term) Close() { tm.client.Close() }
