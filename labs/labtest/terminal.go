package labtest

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"golang.org/x/crypto/ssh"
)

// Term is an interactive CLI session on an emulated switch: another user
// (or another process) at the switch's prompt, beside the driver under
// test.
type Term struct {
	t      testing.TB
	client *ssh.Client
	in     io.WriteCloser
	out    chan byte
}

// termPrompt ends a prompt of any emulated dialect: "sw1#", "sw1(config)# ",
// "admin@sw1> ", "A:sw1# ", a question's "(yes) ".
var termPrompt = regexp.MustCompile(`([#>] ?|\(yes\) )\z`)

// Terminal opens a CLI session on node's emulator as admin.
func Terminal(t testing.TB, l *labs.Lab, node string) *Term {
	t.Helper()
	c, err := ssh.Dial("tcp", l.EmulatorAddr(node), &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password(labs.DefaultPassword)},
		HostKeyCallback: ssh.FixedHostKey(l.Emulator(node).HostKey()), Timeout: 10 * time.Second})
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
	tm := &Term{t: t, client: c, in: in, out: make(chan byte, 1<<16)}
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
	tm.read()
	t.Cleanup(func() { c.Close() })
	return tm
}

func (tm *Term) read() string {
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
			if termPrompt.Match(b.Bytes()) && bytes.HasSuffix(bytes.TrimRight(b.Bytes(), " "), []byte("#")) || bytes.HasSuffix(b.Bytes(), []byte("> ")) || bytes.HasSuffix(b.Bytes(), []byte("(yes) ")) {
				return b.String()
			}
		case <-deadline:
			tm.t.Fatalf("no prompt after %q", b.String())
		}
	}
}

// Run sends a line and returns what the switch answered, its echo and
// prompt removed.
func (tm *Term) Run(line string) string {
	tm.t.Helper()
	fmt.Fprintf(tm.in, "%s\r", line)
	out := strings.TrimLeft(strings.ReplaceAll(tm.read(), "\r\n", "\n"), " ") // the space after a prompt's #
	out = strings.TrimPrefix(out, line+"\n")
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[:i] // the prompt
	} else {
		out = ""
	}
	return strings.TrimSpace(out)
}

// Close ends the session without leaving any mode (a dropped user).
func (tm *Term) Close() { tm.client.Close() }
