package juniperjunos_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/juniperjunos"
)

// esi is EX `show ethernet-switching interfaces`: ge-0/0/1 a trunk whose
// member lines go on below it, with a line that cannot be read among
// them.
const esi = "Interface    State  VLAN members        Tag   Tagging  Blocking \n\n" +
	"ge-0/0/0.0   up     v10                 10    untagged unblocked\n" +
	"ge-0/0/1.0   up     v10                 10    tagged   unblocked\n" +
	"% xcvr fault, see log\n" +
	"                    v20                 20    tagged   unblocked\n" +
	"ge-0/0/2.0   up     v20                 20    untagged unblocked\n"

// TestReadPortRows: a line that cannot be read is returned with its
// command, line and text; one among an interface's member lines concerns
// that interface (its members may be incomplete, or not its own), one of
// `show interfaces descriptions` the port it names only; an output
// with no table at all is an error naming the command.
func TestReadPortRows(t *testing.T) {
	tr := drivertest.Transcript{
		juniperjunos.CmdSwitching:    esi,
		juniperjunos.CmdDescriptions: "Interface       Admin Link Description\nge-0/0/0        up    up   h1\nge-0/0/2  ?? garbled\n",
	}
	pr, err := juniperjunos.ReadPortRows(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Ports) != 3 || pr.Ports[0].Segment != "10" || pr.Ports[0].Description != "h1" || pr.Ports[1].Mode != switchdrivers.ModeTrunk || pr.Ports[2].Segment != "20" {
		t.Fatalf("ports %+v", pr.Ports)
	}
	if len(pr.Unreadable) != 2 {
		t.Fatalf("rows %+v", pr.Unreadable)
	}
	sw, d := pr.Unreadable[0], pr.Unreadable[1]
	if sw.Command != juniperjunos.CmdSwitching || sw.Line != 5 || sw.Text != "% xcvr fault, see log" || !slices.Equal(sw.Ports, []string{"ge-0/0/1"}) {
		t.Errorf("switching row %+v", sw)
	}
	if d.Command != juniperjunos.CmdDescriptions || d.Line != 3 || len(d.Ports) != 0 {
		t.Errorf("descriptions row %+v", d)
	}
	same := func(a, b string) bool { return juniperjunos.Short(a) == juniperjunos.Short(b) }
	if err := pr.Check("sw3", []string{"ge-0/0/0"}, same); err != nil {
		t.Errorf("a port no row concerns: %v", err)
	}
	for _, port := range []string{"ge-0/0/1", "ge-0/0/2"} {
		var u *switchdrivers.UnreadablePortError
		if err := pr.Check("sw3", []string{"ge-0/0/0", port}, same); !errors.As(err, &u) || u.Port != port {
			t.Errorf("%s: %v", port, err)
		}
	}
	tr[juniperjunos.CmdSwitching] = "error: syntax error, expecting <command>: ethernet-switchin\n"
	if _, err := juniperjunos.ReadPortRows(tr); err == nil || !strings.Contains(err.Error(), juniperjunos.CmdSwitching) {
		t.Fatalf("an output with no table: %v", err)
	}
}
