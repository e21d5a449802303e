package showparse

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// testTable is a small table for the reader's own tests.
var testTable = NewTable(Spec{
	Command: "show things",
	Columns: []Column{
		{"port", []string{"Port", "Ethernet Interface"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"vlan", []string{"Vlan", "VLAN ID"}},
		{"speed", []string{"Speed"}},
		{"ports", []string{"Ports"}},
	},
	Signatures: [][]string{{"port", "status"}},
	Key:        "port",
	Skip:       func(l string) bool { return strings.HasPrefix(l, "Total") },
	Context:    func(l string) bool { return strings.HasPrefix(l, "VRF:") },
	Stop:       func(l string) bool { return l == "Multicast" },
})

// readAll reads text with testTable: every row as "port|name|status|vlan|speed",
// and the report.
func readAll(text string) ([]string, Report) {
	var out []string
	rep := testTable.Read(text, func(r Row) error {
		if r.Continuation() {
			return errors.New("no port")
		}
		if !r.Aligned() {
			out = append(out, strings.Join(r.Fields(), "|"))
			return nil
		}
		if !isInterfaceName(r.Cell("port")) {
			return errors.New("not an interface under Port")
		}
		out = append(out, strings.Join([]string{r.Cell("port"), r.Cell("name"), r.Cell("status"), r.Cell("vlan"), r.Cell("speed")}, "|"))
		return nil
	})
	return out, rep
}

func TestReaderCells(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"plain", "Port   Name        Status     Vlan  Speed\nGi1    desk one    connected  10    1000\nGi2                notconnect 20    auto\n",
			[]string{"Gi1|desk one|connected|10|1000", "Gi2||notconnect|20|auto"}},
		// A value wider than its column runs into the next one; one that
		// starts left of it (right-aligned) is kept whole.
		{"overflow", "Port   Name        Status       Vlan  Speed\nGi1    desk        notconnect: TD 10   1000\nGi2    desk        connected    10  a-1000\n",
			[]string{"Gi1|desk|notconnect: TD|10|1000", "Gi2|desk|connected|10|a-1000"}},
		// A row printed with a narrower port column: every cell shifted.
		{"shifted row", "Port      Name        Status     Vlan  Speed\nGi1/0/1   desk        connected  10    1000\nFa1     desk        connected  20    1000\n",
			[]string{"Gi1/0/1|desk|connected|10|1000", "Fa1|desk|connected|20|1000"}},
		// Columns the spec does not know are read past; missing ones are "".
		{"unknown and missing columns", "Port   Duplex  Status     Extra col  Vlan\nGi1    full    connected  x y        10\n",
			[]string{"Gi1||connected|10|"}},
		// Dashes under the header set the columns (here with no blank
		// between titles and with a two-line header); titles match
		// without regard to case.
		{"dashes, two-line header", "Ethernet   VLAN        STATUS\nInterface  ID\n---------  ----------  ------\nEth1/1     5           up\n",
			[]string{"Eth1/1||up|5|"}},
		{"word header on two lines", "-----\nEthernet   VLAN  Status\nInterface  ID\n-----\nEth1/1     5     up\n",
			[]string{"Eth1/1||up|5|"}},
		// Sections with their own header and widths.
		{"sections", "Port  Status  Vlan\nGi1   up      1\n\nPort            Status     Vlan\nTe1/1/1         down       2\n",
			[]string{"Gi1||up|1|", "Te1/1/1||down|2|"}},
		// A header not spread over columns, and a row printed without
		// padding under an aligned header: the parser gets the words.
		{"compact", "Port Name Status Vlan\nGi1 x up 1\n", []string{"Gi1|x|up|1"}},
		{"compact row", "Port   Name   Status  Vlan\nGi1 x y up 1\nGi2    z      up      2\n", []string{"Gi1|x|y|up|1", "Gi2|z|up|2|"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, rep := readAll(tc.text)
			if !reflect.DeepEqual(got, tc.want) || len(rep.Warnings) > 0 {
				t.Fatalf("got %q, want %q; %+v", got, tc.want, rep)
			}
		})
	}
}

// TestReaderResidue: paging residue, CRLF, tabs, prompts, blank lines
// and exec timestamps do not reach the parser, and line numbers stay
// those of the text.
func TestReaderResidue(t *testing.T) {
	text := "Load for five secs: 1%/0%; one minute: 1%; five minutes: 1%\r\n" +
		"Port   Name   Status\r\n" +
		"Gi1    a      up\r\n" +
		" --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bGi2    b      down\r\n" +
		"\x1b[7m--More--\x1b[m\r\x1b[KGi3    c      up\r\n" +
		"Gi4\tdd     up\r\n" +
		"  ---- More ----Gi5    e      up\n" +
		"\n" +
		"sw1#\n"
	got, rep := readAll(text)
	want := []string{"Gi1|a|up||", "Gi2|b|down||", "Gi3|c|up||", "Gi4|dd|up||", "Gi5|e|up||"}
	if !reflect.DeepEqual(got, want) || len(rep.Warnings) > 0 || rep.Read != 5 || rep.Sections != 1 {
		t.Fatalf("got %q, %+v", got, rep)
	}
}

// TestReaderWarnings: an unreadable row is reported with its line and
// text and the table goes on; text with no header is reported once.
func TestReaderWarnings(t *testing.T) {
	text := "VRF: blue\nPort   Status  Vlan\nGi1    up      1\n   junk here\n\nsome title\n\nTotal: 2\nGi3    up      3\nMulticast\nGi4    up      4\n"
	var ctx []string
	rep := testTable.Read(text, func(r Row) error {
		if !isInterfaceName(r.Cell("port")) {
			return fmt.Errorf("bad row")
		}
		ctx = append(ctx, r.Context())
		return nil
	})
	want := []Warning{{Line: 4, Text: "   junk here", Reason: "bad row"}, {Line: 6, Text: "some title", Reason: "bad row"}}
	if !reflect.DeepEqual(rep.Warnings, want) || rep.Read != 2 || rep.Skipped != 2 || !reflect.DeepEqual(ctx, []string{"VRF: blue", "VRF: blue"}) {
		t.Fatalf("%+v %q", rep, ctx)
	}
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "line 4: bad row (and 1 more unreadable line)") {
		t.Fatalf("Err: %v", err)
	}
	_, rep = readAll("\nsome text\nmore\n")
	if rep.Sections != 0 || len(rep.Warnings) != 1 || rep.Warnings[0].Line != 2 || !strings.Contains(rep.Warnings[0].Reason, "no show things table here: no header naming Port, Status") {
		t.Fatalf("%+v", rep)
	}
	if _, rep = readAll("\n\nsw1#\n"); rep.Sections != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("empty output: %+v", rep)
	}
}

// TestReaderForeignTable: a second table of the same output (its header
// after a blank line, a rule under it) is not read as rows.
func TestReaderForeignTable(t *testing.T) {
	text := "Port  Status  Vlan\n----  ------  ----\nGi1   up      1\n\nPort  Type  SAID\n----  ----  ----\nGi1   enet  100\n"
	got, rep := readAll(text)
	if !reflect.DeepEqual(got, []string{"Gi1||up|1|"}) || len(rep.Warnings) > 0 {
		t.Fatalf("%q %+v", got, rep)
	}
}

func TestCleanLine(t *testing.T) {
	for in, want := range map[string]string{
		"abc  \r":                    "abc",
		"ab\bX":                      "aX",
		"--More--\r        \rGi1 up": "Gi1 up",
		"a\tb":                       "a       b",
		"x\x1b[5Dy":                  "y",
		"\x1b[2K\x1b[1GGi1":          "Gi1",
		"---(more 42%)---Gi1":        "Gi1",
		"-- MORE --, next page: Space, next line: Enter, quit: Control-C": "",
		"\x1b[999999999C": "",
		"ab\x00c":         "abc",
		"Press <SPACE> to continue or <Q> to quit: x": "x",
	} {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrompts(t *testing.T) {
	for l, want := range map[string]bool{
		"sw1#": true, "sw1#show vlan": true, "sw1# show vlan": true, "sw1(config)#": true, "user@sw> show vlans": true,
		"<HUAWEI>display vlan": true, "[admin@MikroTik] > /ip arp print": true,
		"# - Adjacencies Throttled": false, "Gi1/0/1  up": false, "Port Ch #": false, "a#1 x": false,
	} {
		if isPrompt(l) != want {
			t.Errorf("isPrompt(%q) = %v", l, !want)
		}
	}
}

func TestCleanLineCursorBound(t *testing.T) {
	if got := cleanLine("\x1b[99999Ca\t\tb"); len(got) > maxColumn+10 {
		t.Fatalf("%d columns", len(got))
	}
}
