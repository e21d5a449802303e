package aristaeos_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/aristaeos"
)

// sw2 is an emulated Arista (its eN ports are EthernetN).
const topology = `
name: eos
topology:
  nodes:
    sw2: {kind: arista_ceos}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw2:eth1", "h1:eth1"]
    - endpoints: ["sw2:eth2", "h2:eth1"]
    - endpoints: ["sw2:eth3", "h3:eth1"]
    - endpoints: ["sw2:eth9", "p:eth1"]
`

// open opens the driver as an inventory naming Ethernet1-3 would.
func open(t testing.TB, l *labs.Lab) switchdrivers.Driver {
	cfg := labtest.SwitchConfig(t, l, "sw2", nil)
	cfg.Ports = []string{"Ethernet1", "Ethernet2", "Ethernet3"}
	d, err := aristaeos.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: "sw2", Open: func(t *testing.T) switchdrivers.Driver { return open(t, l) },
		Ports: []string{"Ethernet1", "Ethernet2", "Ethernet3"}, Segments: []string{"10", "20", "30"}})
}

// TestSessionIsATransaction: a rejected line or a dropped session aborts
// the configuration session; nothing of the batch lands, and the driver
// says so.
func TestSessionIsATransaction(t *testing.T) {
	l := labtest.Start(t, topology)
	srv := l.Emulator("sw2")
	ctx := context.Background()
	d := open(t, l)
	batch := []switchdrivers.Change{{Port: "Ethernet1", From: "10", To: "20"}, {Port: "Ethernet2", From: "10", To: "30"}}
	cmds, _ := d.Render(batch)
	want := "configure session " + aristaeos.SessionName(batch) + "|interface Ethernet1|switchport access vlan 20|interface Ethernet2|switchport access vlan 30|commit"
	if strings.Join(cmds, "|") != want {
		t.Fatalf("render %q", cmds)
	}
	for name, f := range map[string]emulator.Faults{"rejected": {RejectCommand: "vlan 30"}, "dropped": {DropAfter: 3}} {
		srv.SetFaults(f)
		err := d.Apply(ctx, batch)
		if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw2") {
			t.Fatalf("%s: want an untouched error, got %v", name, err)
		}
		for _, p := range []string{"sw2-e1", "sw2-e2"} {
			if v, _ := l.PortTag(ctx, p); v != "10" {
				t.Fatalf("%s: %s moved to %s though the session never committed", name, p, v)
			}
		}
	}
	srv.SetFaults(emulator.Faults{})
	if err := d.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
}
