package cisconxos_test

import (
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
)

// TestFaultConformance: the drivertest suite of session faults (a
// session dropped mid-batch, a refused line, another user or process
// holding the configuration).
func TestFaultConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	e := labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) }, Ports: ports, Segments: []string{"10", "20", "30"}}
	labtest.RunFaultConformance(t, labtest.Faulted{Emulated: e, Atomic: true,
		Line: func(port, seg string) string { return "access vlan " + seg }, Hold: labtest.HoldNXOS})
}
