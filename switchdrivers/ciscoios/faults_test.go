package ciscoios_test

import (
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
)

// TestFaultConformance: the drivertest suite of session faults (a
// session dropped mid-batch, a refused line, another user or process
// holding the configuration).
func TestFaultConformance(t *testing.T) {
	l, _ := start(t)
	e := labtest.Emulated{Lab: l, Node: "sw1", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) }, Ports: []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}, Segments: []string{"10", "20", "30"}}
	labtest.RunFaultConformance(t, labtest.Faulted{Emulated: e, Atomic: false,
		Line: func(port, seg string) string { return "access vlan " + seg }, Hold: labtest.HoldLineMode(func(seg string) string { return "switchport access vlan " + seg })})
}
