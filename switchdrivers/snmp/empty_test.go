package snmp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
)

// TestNoPortsIsAnError: an agent that lists interfaces but no bridge
// ports (Q-BRIDGE) or no VLAN membership (Cisco) gives an error naming
// the switch and what is missing, never an empty port table.
func TestNoPortsIsAnError(t *testing.T) {
	src := t.TempDir()
	walk := "1.3.6.1.2.1.1.1.0|4|interfaces only\n1.3.6.1.2.1.2.2.1.2.1|4|port1\n1.3.6.1.2.1.31.1.1.1.1.1|4|p1\n"
	if err := os.WriteFile(filepath.Join(src, "ifonly.snmprec"), []byte(walk), 0o644); err != nil {
		t.Fatal(err)
	}
	sim := labtest.StartSnmpsim(t, labtest.WritableCopy(t, src, []string{"ifonly.snmprec"}, func(_ string, r []string) []string { return r }), "ifonly")
	for driver, want := range map[string]string{
		snmp.QBridgeName: "switch sw-ifonly: the agent lists no bridge ports (dot1dBasePortIfIndex has no readable rows; dot1qPvid has 0, ifName 1)",
		snmp.CiscoName:   "switch sw-ifonly: the agent lists no ports in vmVlan or vlanTrunkPortDynamicStatus",
	} {
		ports, err := open(t, driver, sim.Addr, "ifonly", nil).Ports(context.Background())
		if err == nil || !strings.Contains(err.Error(), want) || len(ports) != 0 {
			t.Errorf("%s: %d ports, %v; want the error %q", driver, len(ports), err, want)
		}
	}
}
