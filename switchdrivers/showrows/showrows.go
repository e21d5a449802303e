// Package showrows turns what a showparse parser could not read into
// what a driver reports of it: the rows a read of the ports went past
// (switchdrivers.UnreadableRow), and the error of an output with no
// table of its command at all.
package showrows

import (
	"fmt"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// Rows are the warnings of rep as rows of command's output. A row read
// under a record (showparse.Warning.Under: an interface's block, or the
// member lines below it) may be that port's: short(Under) is among its
// ports.
func Rows(command string, rep showparse.Report, short func(string) string) []switchdrivers.UnreadableRow {
	var out []switchdrivers.UnreadableRow
	for _, w := range rep.Warnings {
		u := switchdrivers.UnreadableRow{Command: command, Line: w.Line, Text: w.Text, Reason: w.Reason}
		if w.Under != "" {
			u.Ports = []string{short(w.Under)}
		}
		out = append(out, u)
	}
	return out
}

// NoTable is the error of an output that has lines but no table (or
// block) of its command: no port of it could be read. It is nil when
// the output has one, or no line at all.
func NoTable(command string, rep showparse.Report) error {
	if rep.Sections > 0 || len(rep.Warnings) == 0 {
		return nil
	}
	w := rep.Warnings[0]
	return fmt.Errorf("%s: line %d: %s: %q", command, w.Line, w.Reason, w.Text)
}

// Partial is the *switchdrivers.UnreadableRowsError of a table read but
// for rep's warnings (nil when there are none): it goes beside the
// records that were read (a MAC table); the driver's cli names the
// switch.
func Partial(command string, rep showparse.Report) error {
	if len(rep.Warnings) == 0 {
		return nil
	}
	return &switchdrivers.UnreadableRowsError{Rows: Rows(command, rep, func(s string) string { return s })}
}
