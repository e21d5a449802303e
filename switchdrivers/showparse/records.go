package showparse

import (
	"fmt"
	"strings"
)

// Records describes output made of records that are neither a table nor
// "Key: value" blocks with one first key (Blocks): RouterOS `print
// detail` entries, FastIron `show vlan` entries, the `vlan` sections of a
// FastIron configuration, EXOS `show ports information detail`. A record
// starts at a line Start recognises and takes the lines after it, up to
// the next record's first line, a line End recognises, or a prompt.
//
// It is tolerant the way the table reader is: a record the parser cannot
// read is reported at its first line and the others are still read; a
// line inside a record the parser cannot read is reported with its line
// and the record keeps the rest; a line outside every record that Outside
// does not recognise is reported, never passed over silently, and never
// read into the record above it.
type Records struct {
	// Command is the command that prints the records, for messages.
	Command string
	// Start recognises a record's first line. It gets the line as the
	// terminal shows it, leading blanks kept (indentation often tells a
	// record's first line from its others).
	Start func(line string) bool
	// End, if set, recognises a line that closes the record it is in
	// ("!" in a configuration); the line belongs to no record (Outside
	// says whether it is documented there).
	End func(line string) bool
	// Outside, if set, recognises lines that are documented to stand
	// outside the records (a legend, a count, the rest of a
	// configuration); they are passed over. It gets the line as the
	// terminal shows it.
	Outside func(line string) bool
}

// Line is one line of output: its 1-based number in the text read and
// its text as the terminal showed it (see cleanLine).
type Line struct {
	No   int
	Text string
}

// Record is one record: its lines, the first being the one Start
// recognised, the others as printed up to the record's end (blank lines
// and rules included, so that a table inside a record can be read).
type Record struct {
	Lines   []Line
	rep     *Report
	headers map[*Table]headerCache // the headers of the tables read so far, shared by the records of one output
}

// Skip reports a line of the record that could not be read; the record
// keeps its other lines.
func (r *Record) Skip(l Line, reason string) { r.rep.warn(l.No, l.Text, reason) }

// ReadTable reads lines (consecutive lines of the record) with t, as
// Table.Read reads a text, and reports the rows it could not read at
// their lines in the record's text.
func (r *Record) ReadTable(t *Table, lines []Line, row func(Row) error) Report {
	if len(lines) == 0 {
		return Report{Command: t.spec.Command}
	}
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	if r.headers[t] == nil {
		r.headers[t] = headerCache{}
	}
	rep := t.readLines(texts, row, r.headers[t])
	for _, w := range rep.Warnings {
		r.rep.warn(w.Line+lines[0].No-1, w.Text, w.Reason)
	}
	return rep
}

// Read hands each record in text to read, in order. A record for which
// read returns an error is reported at its first line with the error as
// the reason and counted skipped; the others are read. Text with content
// but no record at all is reported once, at its first line.
func (rs Records) Read(text string, read func(*Record) error) Report {
	rep := Report{Command: rs.Command, Line: 1}
	headers := map[*Table]headerCache{}
	lines := textLines(text)
	all := make([]Line, 0, len(lines)) // every record's lines, one record after the other
	var cur *Record
	start := 0 // where cur's lines start in all
	flush := func() {
		if cur == nil {
			return
		}
		cur.Lines = all[start:len(all):len(all)]
		for len(cur.Lines) > 1 && strings.TrimSpace(cur.Lines[len(cur.Lines)-1].Text) == "" {
			cur.Lines = cur.Lines[:len(cur.Lines)-1]
		}
		rep.Sections++
		if err := read(cur); err != nil {
			rep.warn(cur.Lines[0].No, cur.Lines[0].Text, err.Error())
		} else {
			rep.Read++
		}
		cur = nil
	}
	first := -1 // first line outside a record, for "no record"
	var firstText string
	for i, l := range lines {
		switch {
		case (strings.IndexByte(l, '#') >= 0 || strings.IndexByte(l, '>') >= 0) && isPrompt(l): // every prompt has one
			flush() // the next command's output starts here
			continue
		case rs.Start(l):
			flush()
			cur, start = &Record{rep: &rep, headers: headers}, len(all)
			all = append(all, Line{i + 1, l})
			continue
		case cur != nil && rs.End != nil && strings.TrimSpace(l) != "" && rs.End(l):
			flush()
			continue
		case cur != nil:
			all = append(all, Line{i + 1, l})
			continue
		}
		if trimmed := strings.TrimSpace(l); trimmed == "" || isRule(l) || exemptLine(trimmed) {
			continue
		}
		if first < 0 {
			first, firstText = i+1, l
		}
		if rs.Outside != nil && rs.Outside(l) {
			continue
		}
		where := "outside every"
		if rep.Sections == 0 {
			where = "before the first"
		}
		rep.warn(i+1, l, fmt.Sprintf("a line %s %s entry", where, rs.Command))
	}
	flush()
	if rep.Sections == 0 && first >= 0 && len(rep.Warnings) == 0 {
		rep.warn(first, firstText, fmt.Sprintf("no %s entry here", rs.Command))
	}
	return rep
}

// keyShaped says whether the text before a colon reads as a key of a
// "Key: value" line: a letter first, then letters, digits, blanks and
// the punctuation keys are written with ("Link up/down SNMP trap",
// "Ingress UnTagged VLAN ( NATIVE )", "802.1p").
func keyShaped(key string) bool {
	key = strings.TrimSpace(key)
	if key == "" || !(key[0] >= 'A' && key[0] <= 'Z' || key[0] >= 'a' && key[0] <= 'z') {
		return false
	}
	for i := 1; i < len(key); i++ {
		c := key[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(" -_./()", c) >= 0) {
			return false
		}
	}
	return true
}
