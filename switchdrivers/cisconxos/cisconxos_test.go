package cisconxos_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/cisconxos"
)

// sw3 is an emulated Nexus (its eN ports are Ethernet1/N).
const topology = `
name: nxos
topology:
  nodes:
    sw3: {kind: cisco_n9kv}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw3:eth1", "h1:eth1"]
    - endpoints: ["sw3:eth2", "h2:eth1"]
    - endpoints: ["sw3:eth3", "h3:eth1"]
    - endpoints: ["sw3:eth9", "p:eth1"]
`

var ports = []string{"Ethernet1/1", "Ethernet1/2", "Ethernet1/3"}

func open(t testing.TB, l *labs.Lab) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw3", nil)
	cfg.Ports = ports
	d, err := cisconxos.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw3", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: ports, Segments: []string{"10", "20", "30"}})
}

// NX-OS's "% Invalid command" is not among scrapligo's failure markers;
// the dialect's own must catch it.
func TestRejectedLineIsAnError(t *testing.T) {
	l := labtest.Start(t, topology)
	l.Emulator("sw3").SetFaults(emulator.Faults{RejectCommand: "vlan 30"})
	d := open(t, l)
	err := d.Apply(context.Background(), []switchdrivers.Change{{Port: "Ethernet1/2", From: "10", To: "30"}})
	if err == nil || !strings.Contains(err.Error(), "switch sw3 port Ethernet1/2") || !strings.Contains(err.Error(), "% Invalid command") {
		t.Fatalf("err = %v", err)
	}
	l.Emulator("sw3").SetFaults(emulator.Faults{})
	if err := d.(switchdrivers.Saver).Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := d.(switchdrivers.MACTabler).MACTable(context.Background())
	if err != nil {
		t.Fatalf("MAC table: %v (%d entries)", err, len(entries))
	}
}

// TestRehearsalMovesTraffic cuts two servers over between two emulated
// Nexus switches under the guard while the gateway pings them.
func TestRehearsalMovesTraffic(t *testing.T) {
	labtest.RehearsePair(t, labtest.Pair{Kind: "cisco_n9kv", Driver: cisconxos.Name, Registry: all.Registry(),
		OldPorts: []string{"Ethernet1/2", "Ethernet1/3"}, NewPorts: []string{"Ethernet1/1", "Ethernet1/2"}})
}

// TestUnreadableConformance: the drivertest suite of unreadable rows,
// with a row of `show interface status` naming the port.
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunUnreadableConformance(t, labtest.Unreadable{
		Emulated: labtest.Emulated{Lab: l, Node: "sw3", Ports: []string{"Ethernet1/1", "Ethernet1/2"}, Segments: []string{"10", "20"}},
		OpenPlan: func(t *testing.T, plan []string) switchdrivers.Driver {
			cfg := labtest.SwitchConfig(t, l, "sw3", nil)
			cfg.Ports = plan
			d, err := cisconxos.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		Outside: "Ethernet1/3",
		Garble:  labtest.ExtraRow("show interface status", 4, labs.UnreadableRow), // under the header and its rule
	})
}
