package switchdrivers

import (
	"errors"
	"strings"
	"testing"
)

// shortIOS compares IOS spellings (GigabitEthernet1/0/2 is Gi1/0/2).
func shortIOS(a, b string) bool {
	s := func(x string) string { return strings.ToLower(strings.Replace(x, "GigabitEthernet", "Gi", 1)) }
	return s(a) == s(b)
}

// TestPortReadCheck: a port of the plan (or of a batch) may be an
// unreadable row when the row names it (in any spelling), when the row's
// command lacks it, or when it was read nowhere; any other port is
// trusted, and so is every port when all rows were read.
func TestPortReadCheck(t *testing.T) {
	read := PortRead{
		Ports: []PortState{{Name: "Gi1/0/1", Mode: ModeAccess, Segment: "10"}, {Name: "Gi1/0/2", Mode: ModeAccess, Segment: "10"}, {Name: "Gi1/0/3", Mode: ModeAccess, Segment: "10"}},
		Unreadable: []UnreadableRow{
			{Command: "show interfaces status", Line: 7, Text: "Gi1/0/8   xcvr fault, see log", Reason: "not an interface row"},
			{Command: "show interfaces switchport", Line: 40, Text: "Switchport: Enabled", Reason: "appears twice", Ports: []string{"Gi1/0/3"}},
		},
	}
	if err := read.Check("sw1", []string{"GigabitEthernet1/0/1", "Gi1/0/2"}, shortIOS); err != nil {
		t.Fatalf("ports no row concerns: %v", err)
	}
	if err := (PortRead{Ports: read.Ports}).Check("sw1", []string{"Gi1/0/9"}, shortIOS); err != nil {
		t.Fatalf("every row read: %v", err)
	}
	for port, want := range map[string]struct {
		line   int
		unread bool
	}{
		"GigabitEthernet1/0/8": {7, false},  // named by the row
		"Gi1/0/3":              {40, false}, // lacking from the row's command
		"Gi1/0/9":              {7, true},   // read nowhere: any row may be it
	} {
		err := read.Check("sw1", []string{"Gi1/0/1", port}, shortIOS)
		var u *UnreadablePortError
		if !errors.As(err, &u) || u.Port != port || u.Rows[0].Line != want.line || u.Unread != want.unread {
			t.Errorf("%s: %v", port, err)
		}
	}
	err := read.Check("sw1", []string{"Gi1/0/8"}, shortIOS)
	for _, frag := range []string{"switch sw1 port Gi1/0/8", `line 7 of "show interfaces status"`, `"Gi1/0/8   xcvr fault, see log"`, "not an interface row"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("error %v lacks %q", err, frag)
		}
	}
	// A row naming a port inside a longer name does not concern it.
	if (UnreadableRow{Text: "Gi1/0/21  x"}).Concerns("Gi1/0/2", shortIOS) || !(UnreadableRow{Text: "(Gi1/0/2): x"}).Concerns("Gi1/0/2", shortIOS) {
		t.Error("Concerns matches words, not substrings")
	}
}
