package showparse

import "fmt"

// Warning is one line of output a parser could not read. The parser
// skipped it and went on: a warning never aborts a table and a line is
// never dropped without one.
type Warning struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`   // 1-based, in File (or in the text parsed)
	Text   string `json:"text"`   // the line as the terminal showed it (paging residue and trailing blanks removed)
	Reason string `json:"reason"` // why it could not be read
	// Under is the record read last above the line, in outputs where a
	// record goes on below its first line (an interface's block, or its
	// VLAN members on lines of their own): the line may have been part
	// of it, which is then incomplete or holds what is not its own.
	Under string `json:"under,omitempty"`
}

func (w Warning) String() string {
	where := fmt.Sprintf("line %d", w.Line)
	if w.File != "" {
		where = fmt.Sprintf("%s:%d", w.File, w.Line)
	}
	return fmt.Sprintf("%s: %s: %q", where, w.Reason, w.Text)
}

// Report is how a parser read one command's output: how many rows it
// read, how many it skipped and why. Every parser returns one beside its
// records.
type Report struct {
	Command  string    `json:"command"`        // the command whose output this is
	File     string    `json:"file,omitempty"` // set by the caller (import)
	Line     int       `json:"line"`           // first line of the output in File; 1 when the text stands alone
	Read     int       `json:"read"`           // rows (or blocks) read into records
	Skipped  int       `json:"skipped"`        // rows (or blocks) that could not be read; each has a warning
	Sections int       `json:"-"`              // headers (or blocks) found; 0 means the table is not in the text
	Warnings []Warning `json:"-"`              // import lists them once, at the top level
}

// warn records that the row at line (1-based) could not be read.
func (r *Report) warn(line int, text, reason string) {
	r.Skipped++
	r.Warnings = append(r.Warnings, Warning{Line: line, Text: text, Reason: reason})
}

// warnUnder records that the row at line could not be read and may
// have been part of the record under, read above it.
func (r *Report) warnUnder(line int, text, reason, under string) {
	r.warn(line, text, reason)
	r.Warnings[len(r.Warnings)-1].Under = under
}

// Err is nil when every row was read; otherwise an *Error naming the
// first line that was not (and how many others). Callers that must not
// act on a partial table (a driver reading a port it is about to move)
// use it.
func (r Report) Err() error { return warningsErr(r.Warnings) }

// Err is nil when every row of every table was read; see Report.Err.
func (r *Result) Err() error { return warningsErr(r.Warnings) }

func warningsErr(ws []Warning) error {
	if len(ws) == 0 {
		return nil
	}
	w := ws[0]
	msg := w.Reason
	if n := len(ws) - 1; n > 0 {
		msg = fmt.Sprintf("%s (and %d more unreadable line%s)", msg, n, plural(n))
	}
	return &Error{File: w.File, Line: w.Line, Text: w.Text, Msg: msg}
}

// shift moves the report's warnings into a file at offset (the line
// before the output's first line).
func (r *Report) shift(file string, offset int) {
	r.File, r.Line = file, offset+1
	for i := range r.Warnings {
		r.Warnings[i].File = file
		r.Warnings[i].Line += offset
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
