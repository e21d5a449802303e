package labs

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
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

var ifaceNumber = regexp.MustCompile(`^(?:e|eth|Ethernet|ge-0/0/)(\d+)$`)

// EmulatedInterfaces names a switch node's ports the way its vendor does:
// the link endpoint eN (or ethN) is GigabitEthernet1/0/N on a Catalyst,
// EthernetN on an Arista, Ethernet1/N on a Nexus, 1/1/N on AOS-CX,
// ethernet-1/N on SR Linux,
// ge-0/0/(N-1) on Junos
// (as containerlab maps vJunos-switch interfaces).
func (l *Lab) EmulatedInterfaces(node string) ([]emulator.Interface, error) {
	long, short, first := "GigabitEthernet1/0/", "Gi1/0/", 1
	if n := l.Topo.Topology.Nodes[node]; n != nil {
		switch n.Dialect() {
		case "arista_eos":
			long, short = "Ethernet", "Et"
		case "cisco_nxos":
			long, short = "Ethernet1/", "Eth1/"
		case "juniper_junos":
			long, short, first = "ge-0/0/", "ge-0/0/", 0 // containerlab's eth1 is ge-0/0/0
		case "aruba_aoscx":
			long, short = "1/1/", "1/1/"
		case "nokia_srl":
			long, short = "ethernet-1/", "ethernet-1/"
		}
	}
	var out []emulator.Interface
	for _, link := range l.Topo.Topology.Links {
		for _, s := range link.Endpoints {
			e, err := ParseEndpoint(s)
			if err != nil || e.Node != node {
				continue
			}
			m := ifaceNumber.FindStringSubmatch(e.Iface)
			if m == nil {
				return nil, fmt.Errorf("lab %s: node %s: interface %q is not eN or ethN", l.Name, node, e.Iface)
			}
			n, _ := strconv.Atoi(m[1])
			num := strconv.Itoa(n - 1 + first)
			out = append(out, emulator.Interface{Name: long + num, Short: short + num, Port: SwitchPort(e)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].Short[len(short):])
		b, _ := strconv.Atoi(out[j].Short[len(short):])
		return a < b
	})
	return out, nil
}
