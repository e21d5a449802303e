package labs_test

import (
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// The switch kinds no driver test rehearses run a guarded cut-over with
// their ports named as on the image: IOL's EthernetS/P (eth(4S+P)), vQFX's
// xe-0/0/X (eth(X+1)). The others are rehearsed by their drivers' tests
// and the default topology.
func TestKindsWithoutADriverTestRehearse(t *testing.T) {
	t.Run("cisco_iol", func(t *testing.T) {
		labtest.RehearsePair(t, labtest.Pair{Kind: "cisco_iol", Type: "l2", Driver: "cisco_iosxe", Registry: all.Registry(),
			OldPorts: []string{"Ethernet0/2", "Ethernet0/3", "Ethernet1/0"}, NewPorts: []string{"Et0/1", "Et0/2", "Et0/3"}})
	})
	t.Run("juniper_vqfx", func(t *testing.T) {
		labtest.RehearsePair(t, labtest.Pair{Kind: "juniper_vqfx", Driver: "juniper_junos", Registry: all.Registry(),
			OldPorts: []string{"xe-0/0/1", "xe-0/0/2"}, NewPorts: []string{"xe-0/0/0", "xe-0/0/1"}})
	})
}
