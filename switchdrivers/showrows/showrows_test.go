package showrows

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// TestRows: a parser's warnings become rows of the command with their
// line, text and reason, and the record read under (in the driver's
// spelling) among their ports; a MAC table's are an UnreadableRowsError;
// an output with lines and no table is an error naming the command and
// its first line, one with no line at all is not.
func TestRows(t *testing.T) {
	_, rep := showparse.JunosEthernetSwitchingInterfaces("Interface    State  VLAN members        Tag   Tagging  Blocking \n\n" +
		"ge-0/0/1.0   up     v10                 10    tagged   unblocked\n" +
		"% xcvr fault, see log\n")
	rows := Rows("show ethernet-switching interfaces", rep, func(s string) string { return strings.TrimSuffix(s, ".0") })
	if len(rows) != 1 || rows[0].Command != "show ethernet-switching interfaces" || rows[0].Line != 4 || rows[0].Text != "% xcvr fault, see log" ||
		rows[0].Reason == "" || !slices.Equal(rows[0].Ports, []string{"ge-0/0/1"}) {
		t.Fatalf("%+v", rows)
	}
	var partial *switchdrivers.UnreadableRowsError
	if err := Partial("show mac-address-table", rep); !errors.As(err, &partial) || len(partial.Rows) != 1 || partial.Rows[0].Command != "show mac-address-table" {
		t.Fatalf("%v", err)
	}
	if Partial("x", showparse.Report{}) != nil || NoTable("x", rep) != nil {
		t.Fatal("an error where every row was read, or where there is a table")
	}
	_, none := showparse.AOSCXShowInterface("Invalid input: interfac\n")
	if err := NoTable("show interface", none); err == nil || !strings.Contains(err.Error(), `show interface: line 1`) || !strings.Contains(err.Error(), "Invalid input") {
		t.Fatalf("%v", err)
	}
	if _, empty := showparse.AOSCXShowInterface(""); NoTable("show interface", empty) != nil {
		t.Fatal("an empty output is no error")
	}
}
