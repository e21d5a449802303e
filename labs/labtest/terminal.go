package labtest

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator/emuterm"
	"golang.org/x/crypto/ssh"
)

// Term is an interactive CLI session on an emulated switch: another user
// (or another process) at the switch's prompt, beside the driver under
// test.
type Term struct{ *emuterm.Term }

// termPrompt ends a prompt of any emulated dialect: "sw1#", "sw1(config)# ",
// "admin@sw1> ", "A:sw1# ", a question's "(yes) ".
var termPrompt = regexp.MustCompile(`([#>] ?|\(yes\) )\z`)

func termReady(b []byte) bool {
	return termPrompt.Match(b) && bytes.HasSuffix(bytes.TrimRight(b, " "), []byte("#")) || bytes.HasSuffix(b, []byte("> ")) || bytes.HasSuffix(b, []byte("(yes) "))
}

// Terminal opens a CLI session on node's emulator as admin.
func Terminal(t testing.TB, l *labs.Lab, node string) *Term {
	t.Helper()
	cfg := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password(labs.DefaultPassword)},
		HostKeyCallback: ssh.FixedHostKey(l.Emulator(node).HostKey()), Timeout: 10 * time.Second}
	return &Term{emuterm.Dial(t, l.EmulatorAddr(node), cfg, termReady)}
}

// Run sends a line and returns what the switch answered, its echo and
// prompt removed.
func (tm *Term) Run(line string) string {
	out := strings.TrimLeft(strings.ReplaceAll(tm.Send(line), "\r\n", "\n"), " ") // the space after a prompt's #
	out = strings.TrimPrefix(out, line+"\n")
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[:i] // the prompt
	} else {
		out = ""
	}
	return strings.TrimSpace(out)
}
