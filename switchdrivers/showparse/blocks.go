package showparse

import (
	"fmt"
	"strings"
)

// Blocks describes output made of "Key: value" blocks, one per interface,
// each starting with a line whose key is Start ("Name: Gi0/1", as IOS
// and NX-OS `show interface(s) switchport` print).
type Blocks struct {
	Command string // the command that prints them, for messages
	Start   string // the key of a block's first line, e.g. "Name"
}

// Read calls begin with the value of each block's first line and field
// with every "Key: value" line of the block (keys trimmed; lines without
// a colon are not fields and are passed over). A value that ends with a
// comma and goes on on the next, indented lines ("Trunking VLANs Enabled:
// 1,111,130,\n     470,480") is joined into one before field sees it.
//
// A block is never merged into the one above it: a key met twice in one
// block means the next block's first line was not recognised (garbled,
// or printed in a form the parser does not know), so that line and the
// block after it are reported, up to the next first line. A block whose
// begin returns an error is reported and skipped the same way, and so is
// text before the first block.
func (b Blocks) Read(text string, begin func(value string) error, field func(key, value string)) Report {
	rep := Report{Command: b.Command, Line: 1}
	const (
		before = iota // no block yet
		inside        // in a block read so far
		orphan        // in lines that belong to no readable block
	)
	state := before
	seen := map[string]bool{}
	var pendKey, pendVal string // a field whose value may go on
	flush := func() {
		if pendKey != "" {
			field(pendKey, pendVal)
			pendKey, pendVal = "", ""
		}
	}
	defer flush()
	for i, l := range textLines(text) {
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || isRule(l) || exemptLine(trimmed) {
			continue
		}
		if pendKey != "" && strings.HasSuffix(pendVal, ",") && (l[0] == ' ' || l[0] == '\t') && !strings.Contains(trimmed, ":") {
			pendVal += trimmed // the value goes on
			continue
		}
		flush()
		if isPrompt(trimmed) { // the next command's output starts here
			if state == inside {
				state = orphan
			}
			continue
		}
		key, val, ok := strings.Cut(l, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case ok && strings.EqualFold(key, b.Start):
			rep.Sections++
			clear(seen)
			err := error(nil)
			if val == "" {
				err = fmt.Errorf("a block whose %s: is empty", b.Start)
			} else {
				err = begin(val)
			}
			if err != nil {
				rep.warn(i+1, l, err.Error())
				state = orphan
				continue
			}
			rep.Read++
			state = inside
		case state == before:
			rep.warn(i+1, l, fmt.Sprintf("a line before the first %s: line", b.Start))
			state = orphan
		case state == orphan || !ok:
		case seen[strings.ToLower(key)]:
			rep.warn(i+1, l, fmt.Sprintf("%s: appears twice in one block: the line that starts the next block (%s: ...) is missing or not recognised; its lines are skipped up to the next %s: line", key, b.Start, b.Start))
			state = orphan
		default:
			seen[strings.ToLower(key)] = true
			pendKey, pendVal = key, val
		}
	}
	return rep
}
