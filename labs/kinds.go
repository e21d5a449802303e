package labs

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file is the one place that says what a containerlab kind is to the
// local lab: the link-endpoint names containerlab accepts for it (with
// containerlab's own hint when it refuses one), the emulator dialect that
// stands in for its network OS, and the name its NOS — and so the emulator,
// the inventory and the driver — gives each port. `sw1:eth2` on a
// cisco_cat9kv is GigabitEthernet1/0/2, as on the real image.
//
// The rules are containerlab's (srl-labs/containerlab, nodes/*/): a
// vrnetlab (VM-based) kind takes ethN (N >= 1, nodes/vr_node.go
// VMInterfaceRegexp) or its InterfaceRegexp, mapped to ethN by
// N = port - InterfaceOffset + 1 (nodes/default_node.go
// CalculateInterfaceIndex), and the VM's first data port is eth1.

// Port is one switch port of a link endpoint, named every way it is named.
type Port struct {
	Node     string `json:"node"`
	Endpoint string `json:"endpoint"` // as written in the topology: eth2, Gi1/0/2
	// Iface is the interface containerlab creates in the node's
	// container: eth2 (every vrnetlab kind, cEOS), e1-2 (SR Linux).
	Iface string `json:"iface"`
	// Name and Short are the NOS's names (GigabitEthernet1/0/2, Gi1/0/2);
	// empty on an ovs-bridge.
	Name  string `json:"name,omitempty"`
	Short string `json:"short,omitempty"`
	// OVS is the local lab's OVS port (and fabric-side veth) name.
	OVS string `json:"ovs"`
}

// dataPort is a data port as a kind numbers it: N of containerlab's ethN,
// or an SR Linux line card, port and breakout channel (0: none).
type dataPort struct{ card, port, channel int }

// kindSpec is what the local lab knows of one switch kind.
type kindSpec struct {
	name    string
	dialect string // emulator dialect
	// source is the containerlab file the endpoint rules come from.
	source string
	// hint is containerlab's own text for a name it refuses.
	hint string
	// nodeType, if set, is the node type the kind must have to be a switch.
	nodeType string
	// parse maps an endpoint name containerlab accepts to the data port;
	// ok is false for a name containerlab refuses. A name containerlab
	// accepts that the local lab cannot emulate returns an error.
	parse func(iface string) (p dataPort, ok bool, err error)
	// iface is the interface name containerlab gives the port in the container.
	iface func(p dataPort) string
	// names are the NOS's full and short names of the port.
	names func(p dataPort) (name, short string)
}

var (
	ethN = regexp.MustCompile(`^eth([1-9][0-9]*)$`)
	// containerlab's own patterns, anchored (containerlab's are not
	// anchored at the start; the topology schema allows no whitespace).
	cat9kvRE = regexp.MustCompile(`^(?:Gi|GigabitEthernet)1/0/([0-9]+)$`)
	n9kvRE   = regexp.MustCompile(`^(?:Ethernet|Et)1/([0-9]+)$`)
	aoscxRE  = regexp.MustCompile(`^1/1/([0-9]+)$`)
	junosRE  = regexp.MustCompile(`^(?:et|xe|ge)-0/0/([0-9]+)$`)
	srlLong  = regexp.MustCompile(`^ethernet-([0-9]+)/([0-9]+)(?:/([0-9]+))?$`)
	srlShort = regexp.MustCompile(`^e([0-9]+)-([0-9]+)(?:-([0-9]+))?$`)
	iolRE    = regexp.MustCompile(`^(?:Ethernet|e)([0-9])/([0-3])$`)
	// containerlab's cEOS check: eth[1-9][\w.]*$|et[1-9][\w.]*$
	ceosAccepted = regexp.MustCompile(`(?:eth|et)[1-9][A-Za-z0-9_.]*$`)
	// vrnetlab kinds accept what ends in ethN (nodes/vr_node.go, not anchored at the start)
	vmAccepted = regexp.MustCompile(`eth[1-9][0-9]*$`)
)

// vrnetlab is a VM-based kind: ethN, or containerlab's native pattern re
// whose number maps to ethN as port - offset + 1.
func vrnetlab(re *regexp.Regexp, offset int) func(string) (dataPort, bool, error) {
	return func(iface string) (dataPort, bool, error) {
		if m := ethN.FindStringSubmatch(iface); m != nil {
			n, err := strconv.Atoi(m[1])
			return dataPort{port: n}, true, err
		}
		if m := re.FindStringSubmatch(iface); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return dataPort{}, false, nil
			}
			// containerlab: "extracted interface index ... is out of bounds"
			if n-offset+1 < 1 {
				return dataPort{}, false, nil
			}
			return dataPort{port: n - offset + 1}, true, nil
		}
		if vmAccepted.MatchString(iface) {
			return dataPort{}, true, fmt.Errorf("containerlab takes %q as-is into the VM, but the local lab maps only ethN and the kind's port names", iface)
		}
		return dataPort{}, false, nil
	}
}

func ethIface(p dataPort) string { return "eth" + strconv.Itoa(p.port) }

func numbered(long, short string, first int) func(dataPort) (string, string) {
	return func(p dataPort) (string, string) {
		n := strconv.Itoa(p.port - 1 + first)
		return long + n, short + n
	}
}

// switchKinds are the containerlab switch kinds the local lab emulates.
var switchKinds = map[string]*kindSpec{
	"cisco_cat9kv": {
		dialect: "cisco_iosxe", source: "nodes/vr_cat9kv/vr-cat9kv.go",
		hint:  "Gi1/0/X or GigabitEthernet1/0/X (where X >= 1) or ethX (where X >= 1)",
		parse: vrnetlab(cat9kvRE, 1), iface: ethIface,
		names: numbered("GigabitEthernet1/0/", "Gi1/0/", 1),
	},
	"arista_ceos": {
		dialect: "arista_eos", source: "nodes/ceos/ceos.go",
		hint: "Interfaces should be named as ethX or etX, where X consists of alpanumerical characters",
		parse: func(iface string) (dataPort, bool, error) {
			if m := ethN.FindStringSubmatch(iface); m != nil {
				n, err := strconv.Atoi(m[1])
				return dataPort{port: n}, true, err
			}
			if ceosAccepted.MatchString(iface) {
				return dataPort{}, true, fmt.Errorf("containerlab accepts %q, but the local lab maps only ethN (EthernetN) on cEOS", iface)
			}
			return dataPort{}, false, nil
		},
		iface: ethIface, names: numbered("Ethernet", "Et", 1),
	},
	"cisco_n9kv": {
		dialect: "cisco_nxos", source: "nodes/vr_n9kv/vr-n9kv.go",
		hint:  "Ethernet1/X or Et1/X (where X >= 1) or ethX (where X >= 1)",
		parse: vrnetlab(n9kvRE, 1), iface: ethIface,
		names: numbered("Ethernet1/", "Eth1/", 1),
	},
	"aruba_aoscx": {
		dialect: "aruba_aoscx", source: "nodes/vr_aoscx/vr-aoscx.go",
		hint:  "1/1/X (where X >= 1) or ethX (where X >= 1)",
		parse: vrnetlab(aoscxRE, 1), iface: ethIface,
		names: numbered("1/1/", "1/1/", 1),
	},
	// vJunos-switch's ports are ge-0/0/X; containerlab maps any of
	// et/xe/ge-0/0/X to eth(X+1).
	"juniper_vjunosswitch": {
		dialect: "juniper_junos", source: "nodes/vr_vjunosswitch/vr-vjunosswitch.go",
		hint:  "(et|xe|ge)-0/0/X (where X >= 0) or ethX (where X >= 1)",
		parse: vrnetlab(junosRE, 0), iface: ethIface,
		names: numbered("ge-0/0/", "ge-0/0/", 0),
	},
	// vQFX's data ports are xe-0/0/X.
	"juniper_vqfx": {
		dialect: "juniper_junos", source: "nodes/vr_vqfx/vr-vqfx.go",
		hint:  "(et|xe|ge)-0/0/X (where X >= 0) or ethX (where X >= 1)",
		parse: vrnetlab(junosRE, 0), iface: ethIface,
		names: numbered("xe-0/0/", "xe-0/0/", 0),
	},
	// SR Linux is a container: e1-2 in the container is ethernet-1/2.
	"nokia_srlinux": {
		dialect: "nokia_srl", source: "nodes/srl/srl.go",
		hint: "ethernet-L/P, ethernet-L/P/C or eL-P, eL-P-C (where L, P, C >= 1)",
		parse: func(iface string) (dataPort, bool, error) {
			m := srlLong.FindStringSubmatch(iface)
			if m == nil {
				m = srlShort.FindStringSubmatch(iface)
			}
			if m == nil {
				return dataPort{}, false, nil
			}
			var p dataPort
			for i, dst := range []*int{&p.card, &p.port, &p.channel} {
				if m[i+1] == "" {
					continue
				}
				n, err := strconv.Atoi(m[i+1])
				if err != nil || n < 1 {
					return dataPort{}, false, nil
				}
				*dst = n
			}
			return p, true, nil
		},
		iface: func(p dataPort) string {
			if p.channel > 0 {
				return fmt.Sprintf("e%d-%d-%d", p.card, p.port, p.channel)
			}
			return fmt.Sprintf("e%d-%d", p.card, p.port)
		},
		names: func(p dataPort) (string, string) {
			n := fmt.Sprintf("ethernet-%d/%d", p.card, p.port)
			if p.channel > 0 {
				n += "/" + strconv.Itoa(p.channel)
			}
			return n, n
		},
	},
	// Cisco IOL of type l2 is a switch; Ethernet<slot>/<port> is
	// containerlab's eth(4*slot+port), as it writes iouyap.ini.
	"cisco_iol": {
		dialect: "cisco_iosxe", source: "nodes/iol/iol.go", nodeType: "l2",
		hint: "Interfaces should be defined contigiously and named as Ethernet<slot>/<port> or e<slot>/<port>, where <slot> is a number from 0-9 and <port> is a number from 0-3. Management interface Ethernet0/0 cannot be used",
		parse: func(iface string) (dataPort, bool, error) {
			m := iolRE.FindStringSubmatch(iface)
			if m == nil {
				return dataPort{}, false, nil
			}
			slot, _ := strconv.Atoi(m[1])
			port, _ := strconv.Atoi(m[2])
			if slot == 0 && port == 0 {
				return dataPort{}, false, nil
			}
			return dataPort{port: 4*slot + port}, true, nil
		},
		iface: ethIface,
		names: func(p dataPort) (string, string) {
			sp := fmt.Sprintf("%d/%d", p.port/4, p.port%4)
			return "Ethernet" + sp, "Et" + sp
		},
	},
}

func init() {
	for name, k := range switchKinds {
		k.name = name
	}
}

// SwitchKinds lists the containerlab kinds the local lab emulates,
// besides ovs-bridge.
func SwitchKinds() []string { return slices.Sorted(maps.Keys(switchKinds)) }

// Dialect is the emulator dialect of a containerlab switch kind ("" if none).
func Dialect(kind string) string {
	if k := switchKinds[kind]; k != nil {
		return k.dialect
	}
	return ""
}

// EndpointName is the link-endpoint name of a kind's n-th data port (the
// VM's ethN; on SR Linux e1-N), as a topology file writes it.
func EndpointName(kind string, n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("data port %d: ports are numbered from 1", n)
	}
	switch kind {
	case KindLinux, KindOVS:
		return "eth" + strconv.Itoa(n), nil
	case "nokia_srlinux":
		return fmt.Sprintf("e1-%d", n), nil
	case "cisco_iol":
		if n > 39 {
			return "", fmt.Errorf("cisco_iol: data port %d: containerlab names Ethernet0/1 to Ethernet9/3 only", n)
		}
		return fmt.Sprintf("Ethernet%d/%d", n/4, n%4), nil
	}
	if switchKinds[kind] == nil {
		return "", fmt.Errorf("kind %q is not one the local lab knows", kind)
	}
	return "eth" + strconv.Itoa(n), nil
}

// linuxIface is what Linux takes as an interface name (IFNAMSIZ 16,
// no '/', ':' or whitespace).
var linuxIface = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,15}$`)

// resolvePort names a link endpoint on node (of the given kind) every
// way, or says why containerlab, or the local lab, refuses it.
func resolvePort(node, kind, iface string) (Port, error) {
	switch kind {
	case KindLinux:
		if iface == "eth0" {
			// nodes/linux/linux.go CheckInterfaceName
			return Port{}, fmt.Errorf("containerlab refuses %q: eth0 interface name is not allowed for %s node when network mode is not set to none", iface, node)
		}
		if !linuxIface.MatchString(iface) || iface == "." || iface == ".." {
			return Port{}, fmt.Errorf("interface %q is not a Linux interface name (1-15 characters, no '/' or ':')", iface)
		}
		return Port{Node: node, Endpoint: iface, Iface: iface}, nil
	case KindOVS:
		// nodes/ovs/ovs.go: the endpoint is a host interface added to the bridge.
		if !linuxIface.MatchString(iface) || iface == "." || iface == ".." {
			return Port{}, fmt.Errorf("interface %q is not a Linux interface name (1-15 characters, no '/' or ':')", iface)
		}
		return Port{Node: node, Endpoint: iface, Iface: iface, OVS: node + "-" + iface}, nil
	}
	k := switchKinds[kind]
	if k == nil {
		return Port{}, fmt.Errorf("kind %q is not a switch the local lab emulates", kind)
	}
	p, ok, err := k.parse(iface)
	if !ok {
		return Port{}, fmt.Errorf("containerlab refuses interface %q on %s (%s): %q", iface, kind, k.source, k.hint)
	}
	if err != nil {
		return Port{}, err
	}
	name, short := k.names(p)
	ci := k.iface(p)
	return Port{Node: node, Endpoint: iface, Iface: ci, Name: name, Short: short, OVS: node + "-" + strings.Replace(ci, "eth", "e", 1)}, nil
}
