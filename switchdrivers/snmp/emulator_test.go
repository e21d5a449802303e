package snmp_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
	"github.com/gosnmp/gosnmp"
)

// sw1 is an emulated Catalyst (ifName Gi1/0/N), sw2 an emulated Arista
// (ifName EthernetN); both answer SNMP. Their VLANs exist from the start.
const topology = `
name: snmp
topology:
  nodes:
    sw1: {kind: cisco_cat9kv, labels: {cutover.vlans: "10,20,30"}}
    sw2: {kind: arista_ceos, labels: {cutover.vlans: "10,20,30"}}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    h4: {kind: linux, labels: {cutover.vlan: "10"}}
    h5: {kind: linux, labels: {cutover.vlan: "10"}}
    h6: {kind: linux, labels: {cutover.vlan: "10"}}
  links:
    - endpoints: ["sw1:eth1", "h1:eth1"]
    - endpoints: ["sw1:eth2", "h2:eth1"]
    - endpoints: ["sw1:eth3", "h3:eth1"]
    - endpoints: ["sw2:eth1", "h4:eth1"]
    - endpoints: ["sw2:eth2", "h5:eth1"]
    - endpoints: ["sw2:eth3", "h6:eth1"]
    - endpoints: ["sw1:eth9", "sw2:eth9"]
`

// emulated returns a driver for a lab switch's SNMP agent.
func emulated(t *testing.T, l *labs.Lab, node, driver string, options map[string]string) switchdrivers.Driver {
	t.Helper()
	cfg := switchdrivers.Config{Name: node, Address: l.EmulatorSNMPAddr(node), Options: options,
		SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New(labs.DefaultPassword)}}
	var d switchdrivers.Driver
	var err error
	if driver == snmp.CiscoName {
		d, err = snmp.OpenCisco(cfg)
	} else {
		d, err = snmp.OpenQBridge(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	for _, tc := range []struct {
		driver, node string
		ports        []string
	}{
		{snmp.CiscoName, "sw1", []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}},
		{snmp.QBridgeName, "sw2", []string{"Ethernet1", "Ethernet2", "Ethernet3"}},
	} {
		t.Run(tc.driver, func(t *testing.T) {
			labtest.RunConformance(t, labtest.Emulated{Lab: l, Node: tc.node, Ports: tc.ports, Segments: []string{"10", "20", "30"},
				Open:     func(t *testing.T) switchdrivers.Driver { return emulated(t, l, tc.node, tc.driver, nil) },
				Sessions: l.Emulator(tc.node).SetPDUs})
		})
	}
}

// TestQBridgeOneVarbindPerPDU: for agents that take one varbind per SET,
// the moves go port by port in remove-before-add order, and the port is
// never in two VLANs on the way.
func TestQBridgeOneVarbindPerPDU(t *testing.T) {
	l := labtest.Start(t, topology)
	mon, err := l.MonitorPorts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mon.Close)
	d := emulated(t, l, "sw2", snmp.QBridgeName, map[string]string{"one_varbind_per_pdu": "true"})
	before := l.Emulator("sw2").SetPDUs()
	ctx := context.Background()
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1", From: "10", To: "20"}, {Port: "Ethernet2", From: "10", To: "20"}}); err != nil {
		t.Fatal(err)
	}
	if n := l.Emulator("sw2").SetPDUs() - before; n != 10 {
		t.Errorf("%d SET PDUs for 2 moves, want 10 (5 varbinds each, one per PDU)", n)
	}
	for _, p := range []string{"sw2-e1", "sw2-e2"} {
		if tag, _ := l.PortTag(ctx, p); tag != "20" {
			t.Errorf("%s in %s", p, tag)
		}
		for _, m := range mon.History(p) {
			if len(m) > 1 {
				t.Errorf("%s was in %v at once", p, m)
			}
		}
	}
}

// TestFaults: each fault gives an error naming the switch and, where it
// concerns one, the port; nothing is left half-applied; the community
// never appears.
func TestFaults(t *testing.T) {
	l := labtest.Start(t, topology)
	ctx := context.Background()
	srv1, srv2 := l.Emulator("sw1"), l.Emulator("sw2")
	tag := func(p string) string { v, _ := l.PortTag(ctx, p); return v }
	check := func(t *testing.T, err error, untouched bool, want ...string) {
		t.Helper()
		if err == nil {
			t.Fatal("no error")
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
		if switchdrivers.IsUntouched(err) != untouched {
			t.Errorf("untouched = %v, want %v: %v", switchdrivers.IsUntouched(err), untouched, err)
		}
		if strings.Contains(err.Error(), labs.DefaultPassword) {
			t.Errorf("the community leaked: %v", err)
		}
		for _, p := range []string{"sw1-e1", "sw1-e2", "sw2-e1", "sw2-e2"} {
			if v := tag(p); v != "10" {
				t.Errorf("%s left in %s", p, v)
			}
		}
	}
	two := func(a, b string) []switchdrivers.Change {
		return []switchdrivers.Change{{Port: a, From: "10", To: "20"}, {Port: b, From: "10", To: "20"}}
	}
	t.Run("timeout", func(t *testing.T) {
		srv1.SetSNMPFaults(emulator.SNMPFaults{Silent: true})
		defer srv1.SetSNMPFaults(emulator.SNMPFaults{})
		d := emulated(t, l, "sw1", snmp.CiscoName, map[string]string{"timeout": "200ms", "retries": "0"})
		_, err := d.Ports(ctx)
		check(t, err, false, "switch sw1", "timeout")
		check(t, d.Apply(ctx, two("Gi1/0/1", "Gi1/0/2")), true, "switch sw1", "timeout")
	})
	t.Run("wrong community", func(t *testing.T) {
		cfg := switchdrivers.Config{Name: "sw1", Address: l.EmulatorSNMPAddr("sw1"), Options: map[string]string{"timeout": "200ms", "retries": "0"},
			SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New("not-the-community")}}
		d, _ := snmp.OpenCisco(cfg)
		defer d.Close()
		_, err := d.Ports(ctx)
		if err == nil || !strings.Contains(err.Error(), "switch sw1") || strings.Contains(err.Error(), "not-the-community") {
			t.Fatalf("wrong community: %v", err)
		}
	})
	t.Run("wrong type", func(t *testing.T) {
		// One unreadable row does not fail the read: it is a warning
		// naming the switch and the object, and a move of the port it
		// concerns is refused untouched.
		srv2.SetSNMPFaults(emulator.SNMPFaults{WrongType: "1.3.6.1.2.1.17.7.1.4.5.1.1.2"})
		defer srv2.SetSNMPFaults(emulator.SNMPFaults{})
		d := emulated(t, l, "sw2", snmp.QBridgeName, nil)
		ports, err := d.Ports(ctx)
		if err != nil || len(ports) == 0 {
			t.Fatalf("Ports: %d ports, %v", len(ports), err)
		}
		warnings := strings.Join(d.(interface{ Warnings() []string }).Warnings(), "\n")
		if !strings.Contains(warnings, "switch sw2: dot1qPvid.2 (1.3.6.1.2.1.17.7.1.4.5.1.1.2): not a VLAN ID (dot1qPvid.2: want an integer, the agent sent OctetString)") {
			t.Errorf("warnings:\n%s", warnings)
		}
		check(t, d.Apply(ctx, two("Ethernet1", "Ethernet2")), true, "switch sw2 port Ethernet2", `walk dot1qPvid: "dot1qPvid.2 (1.3.6.1.2.1.17.7.1.4.5.1.1.2) = OctetString`, "the PVID of base port 2 is unknown")
	})
	t.Run("noSuchInstance", func(t *testing.T) {
		// The agent stops answering for Ethernet2's PVID: the port's VLAN
		// is known from its membership, but its PVID could not be moved
		// with it, so the move is refused before anything is sent.
		srv2.SetSNMPFaults(emulator.SNMPFaults{NoSuchInstance: "1.3.6.1.2.1.17.7.1.4.5.1.1.2"})
		defer srv2.SetSNMPFaults(emulator.SNMPFaults{})
		before := srv2.SetPDUs()
		err := emulated(t, l, "sw2", snmp.QBridgeName, nil).Apply(ctx, two("Ethernet1", "Ethernet2"))
		check(t, err, true, "switch sw2 port Ethernet2", "dot1qPvid.2, the PVID of this port (dot1dBasePort 2), is missing or unreadable")
		if srv2.SetPDUs() != before {
			t.Error("a SET was sent")
		}
	})
	t.Run("commitFailed in one PDU", func(t *testing.T) {
		srv2.SetSNMPFaults(emulator.SNMPFaults{SetError: "1.3.6.1.2.1.17.7.1.4.5.1.1.2", SetStatus: gosnmp.CommitFailed})
		defer srv2.SetSNMPFaults(emulator.SNMPFaults{})
		err := emulated(t, l, "sw2", snmp.QBridgeName, nil).Apply(ctx, two("Ethernet1", "Ethernet2"))
		check(t, err, true, "switch sw2 port Ethernet2", "SET dot1qPvid.2 = 20", "CommitFailed")
	})
	t.Run("wrongValue after a first PDU is undone", func(t *testing.T) {
		// One varbind per PDU: Ethernet1 has moved when Ethernet2's PVID
		// is refused; the driver puts Ethernet1 back.
		srv2.SetSNMPFaults(emulator.SNMPFaults{SetError: "1.3.6.1.2.1.17.7.1.4.5.1.1.2", SetStatus: gosnmp.WrongValue})
		defer srv2.SetSNMPFaults(emulator.SNMPFaults{})
		err := emulated(t, l, "sw2", snmp.QBridgeName, map[string]string{"one_varbind_per_pdu": "true"}).Apply(ctx, two("Ethernet1", "Ethernet2"))
		check(t, err, false, "switch sw2 port Ethernet2", "SET dot1qPvid.2 = 20", "WrongValue", "what had been set was undone")
	})
	t.Run("Cisco vmVlan refused", func(t *testing.T) {
		srv1.SetSNMPFaults(emulator.SNMPFaults{SetError: "1.3.6.1.4.1.9.9.68.1.2.2.1.2.10002", SetStatus: gosnmp.WrongValue})
		defer srv1.SetSNMPFaults(emulator.SNMPFaults{})
		err := emulated(t, l, "sw1", snmp.CiscoName, map[string]string{"max_varbinds": "1"}).Apply(ctx, two("Gi1/0/1", "Gi1/0/2"))
		check(t, err, false, "switch sw1 port Gi1/0/2", "SET vmVlan.10002 = 20 (INTEGER)", "WrongValue", "undone")
	})
	t.Run("VLAN that does not exist", func(t *testing.T) {
		for _, tc := range []struct{ node, driver, port string }{{"sw1", snmp.CiscoName, "Gi1/0/1"}, {"sw2", snmp.QBridgeName, "Ethernet1"}} {
			before := l.Emulator(tc.node).SetPDUs()
			err := emulated(t, l, tc.node, tc.driver, nil).Apply(ctx, []switchdrivers.Change{{Port: tc.port, From: "10", To: "999"}})
			check(t, err, true, "switch "+tc.node+" port "+tc.port, "VLAN 999 does not exist")
			if l.Emulator(tc.node).SetPDUs() != before {
				t.Errorf("%s: a SET was sent", tc.node)
			}
		}
	})
	t.Run("agent reports an error for a SET that worked", func(t *testing.T) {
		srv2.SetSNMPFaults(emulator.SNMPFaults{LieOnSet: true})
		defer srv2.SetSNMPFaults(emulator.SNMPFaults{})
		// Not trusted by default: the change is undone and reported.
		err := emulated(t, l, "sw2", snmp.QBridgeName, nil).Apply(ctx, two("Ethernet1", "Ethernet2"))
		check(t, err, false, "switch sw2", "GenErr", "undone")
		// trust_readback: accepted, because reading back proves it.
		d := emulated(t, l, "sw2", snmp.QBridgeName, map[string]string{"trust_readback": "true"})
		if err := d.Apply(ctx, two("Ethernet1", "Ethernet2")); err != nil {
			t.Fatalf("trust_readback: %v", err)
		}
		if tag("sw2-e1") != "20" || tag("sw2-e2") != "20" {
			t.Fatalf("trust_readback: ports in %s, %s", tag("sw2-e1"), tag("sw2-e2"))
		}
		if err := d.Apply(ctx, []switchdrivers.Change{{Port: "Ethernet1", From: "20", To: "10"}, {Port: "Ethernet2", From: "20", To: "10"}}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unknown port", func(t *testing.T) {
		err := emulated(t, l, "sw2", snmp.QBridgeName, nil).Apply(ctx, []switchdrivers.Change{{Port: "Ethernet42", From: "10", To: "20"}})
		check(t, err, true, "switch sw2 port Ethernet42", "no such port")
	})
}

// TestSave: snmp_cisco copies running to startup through a ccCopyTable
// row (or writeMem); snmp_qbridge sets its configured save object.
func TestSave(t *testing.T) {
	l := labtest.Start(t, topology)
	ctx := context.Background()
	for _, tc := range []struct {
		node, driver string
		options      map[string]string
	}{
		{"sw1", snmp.CiscoName, nil},
		{"sw1", snmp.CiscoName, map[string]string{"save": "writemem"}},
		{"sw2", snmp.QBridgeName, map[string]string{"save_oid": "1.3.6.1.4.1.9.2.1.54.0=1"}},
	} {
		srv := l.Emulator(tc.node)
		before := srv.Saves()
		d := emulated(t, l, tc.node, tc.driver, tc.options)
		saver, ok := d.(switchdrivers.Saver)
		if !ok {
			t.Fatalf("%s %v: no Save", tc.driver, tc.options)
		}
		if err := saver.Save(ctx); err != nil {
			t.Fatalf("%s %v: %v", tc.driver, tc.options, err)
		}
		if srv.Saves() != before+1 {
			t.Errorf("%s %v: the agent saw %d saves", tc.driver, tc.options, srv.Saves()-before)
		}
		if srv.CopyRows() != 0 {
			t.Errorf("%s %v: %d ccCopyTable rows left behind", tc.driver, tc.options, srv.CopyRows())
		}
	}
	if _, ok := emulated(t, l, "sw2", snmp.QBridgeName, nil).(switchdrivers.Saver); ok {
		t.Error("snmp_qbridge without save_oid claims it can save")
	}
}

func TestOpenValidates(t *testing.T) {
	base := func() switchdrivers.Config {
		return switchdrivers.Config{Name: "sw9", Address: "192.0.2.1", SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New("c0mmunity")}}
	}
	for _, tc := range []struct {
		name string
		edit func(*switchdrivers.Config)
		want string
	}{
		{"no snmp section", func(c *switchdrivers.Config) { c.SNMP = nil }, "needs an snmp section"},
		{"no community", func(c *switchdrivers.Config) { c.SNMP.Community = secret.Secret{} }, "needs a community"},
		{"v3 without user", func(c *switchdrivers.Config) { c.SNMP.Version = "3" }, "needs a username"},
		{"bad port", func(c *switchdrivers.Config) { c.Address = "192.0.2.1:99999" }, "bad UDP port"},
		{"unknown option", func(c *switchdrivers.Config) { c.Options = map[string]string{"colour": "blue"} }, `unknown option "colour"`},
		{"bad membership", func(c *switchdrivers.Config) { c.Options = map[string]string{"membership": "magic"} }, "want bitmaps or pvid"},
		{"bad save_oid", func(c *switchdrivers.Config) { c.Options = map[string]string{"save_oid": "1.3.x=1"} }, "want OID=INTEGER"},
	} {
		cfg := base()
		tc.edit(&cfg)
		_, err := snmp.OpenQBridge(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "switch sw9") || strings.Contains(err.Error(), "c0mmunity") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Open performs no I/O: nothing listens on this address.
	if _, err := snmp.OpenCisco(base()); err != nil {
		t.Fatal(err)
	}
}

func TestValidatePort(t *testing.T) {
	for _, ok := range []string{"Gi1/0/1", "1/1/1", "ge-0/0/0", "swp1", "sfp-sfpplus1", "g1", "12", "Ethernet1/1", "Trk1", "ifindex-10001"} {
		if err := snmp.ValidatePort(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range append(drivertest.BadPortNames, "Gi1/0/1 ", "a..b", "-x") {
		if err := snmp.ValidatePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestUnreadableConformance: the drivertest suite of unreadable rows on
// both drivers, with the agent sending an OCTET STRING where the port's
// VLAN (vmVlan) or PVID (dot1qPvid) is an integer.
func TestUnreadableConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	for _, tc := range []struct {
		driver, node string
		ports        []string
		column       string // the port's column, indexed by ifIndex or (dot1qPvid) by base port
		name         string
	}{
		{snmp.CiscoName, "sw1", []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"}, "1.3.6.1.4.1.9.9.68.1.2.2.1.2", "vmVlan"},
		{snmp.QBridgeName, "sw2", []string{"Ethernet1", "Ethernet2", "Ethernet3"}, "1.3.6.1.2.1.17.7.1.4.5.1.1", "dot1qPvid"},
	} {
		t.Run(tc.driver, func(t *testing.T) {
			open := func(t *testing.T, plan []string) switchdrivers.Driver {
				cfg := switchdrivers.Config{Name: tc.node, Address: l.EmulatorSNMPAddr(tc.node), Ports: plan,
					SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New(labs.DefaultPassword)}}
				d, err := all.Registry().Open(tc.driver, cfg)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			labtest.RunUnreadableConformance(t, labtest.Unreadable{
				Emulated: labtest.Emulated{Lab: l, Node: tc.node, Ports: tc.ports[:2], Segments: []string{"10", "20"}},
				OpenPlan: open,
				Outside:  tc.ports[2],
				Garble: func(t *testing.T, srv *emulator.Server, port string) string {
					srv.SetSNMPFaults(emulator.SNMPFaults{})
					d := open(t, nil)
					defer d.Close()
					live, err := d.Ports(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					i := slices.IndexFunc(live, func(p switchdrivers.PortState) bool { return p.Name == port })
					if i < 0 {
						t.Fatalf("no %s in %+v", port, live)
					}
					index := live[i].IfIndex
					if tc.name == "dot1qPvid" {
						index -= 10000 // the emulator's base port of ifIndex 10001+i is i+1
					}
					srv.SetSNMPFaults(emulator.SNMPFaults{WrongType: fmt.Sprintf("%s.%d", tc.column, index)})
					return fmt.Sprintf("%s.%d", tc.name, index)
				},
			})
		})
	}
}
