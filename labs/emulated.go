package labs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ovs"
)

// OVSBackend lets an emulated switch show and change a lab's OVS ports.
type OVSBackend struct{ Lab *Lab }

// AccessVLAN implements emulator.Backend: a port without a tag is a trunk.
func (b OVSBackend) AccessVLAN(ctx context.Context, port string) (int, bool, error) {
	tag, err := b.Lab.PortTag(ctx, port)
	if err != nil {
		return 0, false, err
	}
	if tag == "" {
		return 0, true, nil
	}
	n, err := strconv.Atoi(tag)
	return n, false, err
}

// AccessVLANs implements emulator.BulkBackend: every port of the lab's
// OVSDB in one ovs-vsctl call (a port without a tag is a trunk).
func (b OVSBackend) AccessVLANs(ctx context.Context) (map[string]int, map[string]bool, error) {
	out, err := b.Lab.output(ctx, "ovs-vsctl", "--db="+b.Lab.DB(), "--timeout=5", "--format=csv", "--data=bare", "--no-headings", "--columns=name,tag", "list", "Port")
	if err != nil {
		return nil, nil, err
	}
	vlans, trunks := map[string]int{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, tag, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok {
			continue
		}
		if tag == "" {
			trunks[name] = true
			continue
		}
		n, err := strconv.Atoi(tag)
		if err != nil {
			return nil, nil, fmt.Errorf("port %s: tag %q", name, tag)
		}
		vlans[name] = n
	}
	return vlans, trunks, nil
}

// SetAccessVLANs implements emulator.BulkBackend: one OVSDB transaction.
func (b OVSBackend) SetAccessVLANs(ctx context.Context, vlans map[string]int) error {
	if len(vlans) == 0 {
		return nil
	}
	var args []string
	for _, port := range slices.Sorted(maps.Keys(vlans)) {
		args = append(args, "--", "set", "Port", port, "tag="+strconv.Itoa(vlans[port]))
	}
	return b.Lab.vsctl(ctx, args[1:]...)
}

// SetAccessVLAN implements emulator.Backend.
func (b OVSBackend) SetAccessVLAN(ctx context.Context, port string, vlan int) error {
	return b.Lab.SetPortTag(ctx, port, strconv.Itoa(vlan))
}

// MACTable implements emulator.Backend from the bridges' forwarding tables.
func (b OVSBackend) MACTable(ctx context.Context) ([]emulator.MACEntry, error) {
	var out []emulator.MACEntry
	for _, name := range b.Lab.Topo.NodeNames() {
		if !b.Lab.Topo.Topology.Nodes[name].IsSwitch() {
			continue
		}
		d, err := ovs.Open(switchdrivers.Config{Name: name, Address: b.Lab.DB()})
		if err != nil {
			return nil, err
		}
		entries, err := d.(switchdrivers.MACTabler).MACTable(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, emulator.MACEntry{MAC: e.MAC, VLAN: e.VLAN, Port: e.Port})
		}
	}
	return out, nil
}

// EmulatedInterfaces names a switch node's ports the way its NOS does
// (kinds.go): containerlab's eth2 is GigabitEthernet1/0/2 on a Catalyst,
// Ethernet2 on an Arista, ge-0/0/1 on vJunos-switch, ethernet-1/2 (e1-2)
// on SR Linux.
func (l *Lab) EmulatedInterfaces(node string) ([]emulator.Interface, error) {
	n := l.Topo.Topology.Nodes[node]
	if n == nil || n.Dialect() == "" {
		return nil, fmt.Errorf("lab %s: node %s is not an emulated switch", l.Name, node)
	}
	var out []emulator.Interface
	for _, p := range l.Topo.SwitchPorts(node) {
		out = append(out, emulator.Interface{Name: p.Name, Short: p.Short, Port: p.OVS})
	}
	return out, nil
}
