package nokiasrl_test

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
	e := labtest.Emulated{Lab: l, Node: "sw5", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) }, Ports: ports, Segments: []string{"mac-vrf-10", "mac-vrf-20", "mac-vrf-30"}, OVSPort: ovs, Segment: func(tag string) string { return "mac-vrf-" + tag }}
	labtest.RunFaultConformance(t, labtest.Faulted{Emulated: e, Atomic: true,
		Line: func(port, seg string) string { return "set / network-instance " + seg + " interface " + port + ".0" }, Hold: labtest.HoldSRL(func(port, seg string) string { return "set / network-instance " + seg + " interface " + port + ".0" })})
}
