package ciscoios_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

const (
	status = "Port      Name               Status       Vlan       Duplex  Speed Type\n" +
		"Gi1/0/1                      connected    10         a-full a-1000 10/100/1000BaseTX\n" +
		"Gi1/0/2                      connected    10         a-full a-1000 10/100/1000BaseTX\n" +
		"Gi1/0/8   xcvr fault, see log\n" +
		"Gi1/0/3                      connected    20         a-full a-1000 10/100/1000BaseTX\n"
)

// blockOf is a port's block of `show interfaces switchport`.
func blockOf(name, vlan string) string {
	return "Name: " + name + "\nSwitchport: Enabled\nAdministrative Mode: static access\nOperational Mode: static access\nAccess Mode VLAN: " + vlan + "\n\n"
}

// TestReadPortRows: the read goes past a row it cannot read and returns
// it with its command, line and text; a port whose block is garbled in
// one command's output is among the row's ports.
func TestReadPortRows(t *testing.T) {
	tr := drivertest.Transcript{
		"show interfaces status": status,
		"show interfaces switchport": blockOf("Gi1/0/1", "10 (ten)") + blockOf("Gi1/0/2", "10 (ten)") +
			strings.Replace(blockOf("Gi1/0/3", "20 (twenty)"), "Name:", "Nmae:", 1),
	}
	pr, err := ciscoios.ReadPortRows(ciscoios.Name)(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Ports) != 3 || pr.Ports[2].Name != "Gi1/0/3" || pr.Ports[2].Segment != "20" {
		t.Fatalf("ports %+v", pr.Ports)
	}
	if len(pr.Unreadable) != 2 {
		t.Fatalf("rows %+v", pr.Unreadable)
	}
	st, sp := pr.Unreadable[0], pr.Unreadable[1]
	if st.Command != "show interfaces status" || st.Line != 4 || st.Text != "Gi1/0/8   xcvr fault, see log" || len(st.Ports) != 0 {
		t.Errorf("status row %+v", st)
	}
	if sp.Command != "show interfaces switchport" || len(sp.Ports) != 1 || sp.Ports[0] != "Gi1/0/3" {
		t.Errorf("switchport row %+v", sp)
	}
	same := func(a, b string) bool { return strings.EqualFold(ciscoios.Short(a), ciscoios.Short(b)) }
	if err := pr.Check("sw1", []string{"GigabitEthernet1/0/1", "Gi1/0/2"}, same); err != nil {
		t.Errorf("ports no row concerns: %v", err)
	}
	for _, port := range []string{"Gi1/0/8", "GigabitEthernet1/0/3"} {
		var u *switchdrivers.UnreadablePortError
		if err := pr.Check("sw1", []string{port}, same); !errors.As(err, &u) || u.Port != port {
			t.Errorf("%s: %v", port, err)
		}
	}
	// An output with no table at all is no read: every port is unknown.
	tr["show interfaces status"] = "% Invalid input detected at '^' marker.\n"
	if _, err := ciscoios.ReadPortRows(ciscoios.Name)(tr); err == nil || !strings.Contains(err.Error(), "show interfaces status") {
		t.Fatalf("%v", err)
	}
}
