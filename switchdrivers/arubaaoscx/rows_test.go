package arubaaoscx_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/arubaaoscx"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// TestReadPortRows: a line at the start of a line inside 1/1/2's block
// cuts it (its VLAN mode, printed after, is not read): the row concerns
// 1/1/2, whose state cannot be trusted, and no other port; an output
// with no interface block is an error naming the command.
func TestReadPortRows(t *testing.T) {
	block := func(name, vlan string) string {
		return "Interface " + name + " is up\n Admin state is up\n Description: h\n VLAN Mode: access\n Access VLAN: " + vlan + "\n\n"
	}
	cut := strings.Replace(block("1/1/2", "20"), " Description: h\n", " Description: h\nxcvr fault, see log\n", 1)
	tr := drivertest.Transcript{arubaaoscx.CmdInterface: block("1/1/1", "10") + cut + block("1/1/3", "30")}
	pr, err := arubaaoscx.ReadPortRows(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Ports) != 3 || pr.Ports[0].Segment != "10" || pr.Ports[2].Segment != "30" {
		t.Fatalf("ports %+v", pr.Ports)
	}
	if pr.Ports[1].Mode != switchdrivers.ModeRouted {
		t.Fatalf("1/1/2's block was read past the line that cut it: %+v", pr.Ports[1])
	}
	if len(pr.Unreadable) != 1 || pr.Unreadable[0].Line != 10 || pr.Unreadable[0].Text != "xcvr fault, see log" || !slices.Equal(pr.Unreadable[0].Ports, []string{"1/1/2"}) {
		t.Fatalf("rows %+v", pr.Unreadable)
	}
	same := func(a, b string) bool { return a == b }
	if err := pr.Check("sw4", []string{"1/1/1", "1/1/3"}, same); err != nil {
		t.Errorf("ports no row concerns: %v", err)
	}
	var u *switchdrivers.UnreadablePortError
	if err := pr.Check("sw4", []string{"1/1/2"}, same); !errors.As(err, &u) || u.Port != "1/1/2" || u.Rows[0].Line != 10 {
		t.Errorf("1/1/2: %v", err)
	}
	tr[arubaaoscx.CmdInterface] = "Invalid input: interfac\n"
	if _, err := arubaaoscx.ReadPortRows(tr); err == nil || !strings.Contains(err.Error(), arubaaoscx.CmdInterface) {
		t.Fatalf("an output with no block: %v", err)
	}
}
