// Package labs realises a containerlab topology file as a local rehearsal
// lab: `linux` nodes become network namespaces, switch nodes become bridges
// on a private Open vSwitch (its own ovsdb-server and ovs-vswitchd, userspace
// datapath), and links become veth pairs. It also drives rehearsals: a full
// cut-over in the lab with measured downtime.
//
// Everything a lab creates is named after the lab and recorded in its run
// directory, so Down removes exactly that and nothing else.
package labs

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Labels read from containerlab node labels.
const (
	LabelRole = "cutover.role" // probe, gateway, old, new, ... (informational except probe)
	LabelVLAN = "cutover.vlan" // access VLAN of a host's switch ports when the lab comes up
	// LabelVLANs on an emulated switch: VLANs that exist on it from the
	// start ("66,166,266"), as an operator would have configured them.
	LabelVLANs = "cutover.vlans"
)

// Node kinds the local lab knows.
const (
	KindLinux = "linux"
	KindOVS   = "ovs-bridge"
)

// dialects maps containerlab kinds to the emulator dialect that stands in
// for the real network OS in the local lab.
var dialects = map[string]string{
	"cisco_iosxe": "cisco_iosxe", "cisco_iol": "cisco_iosxe", "cisco_c8000v": "cisco_iosxe",
	"ceos": "arista_eos", "arista_ceos": "arista_eos",
	"cisco_n9kv": "cisco_nxos", "cisco_nxos": "cisco_nxos",
	"aruba_aoscx":          "aruba_aoscx",
	"juniper_vjunosswitch": "juniper_junos", "nokia_srlinux": "nokia_srl", "juniper_vqfx": "juniper_junos", "juniper_vex": "juniper_junos",
}

// LabelPassword sets an emulated switch's SSH password (user admin).
const LabelPassword = "cutover.password"

// DefaultPassword is an emulated switch's password without the label.
const DefaultPassword = "cutover-lab"

// DefaultVLAN is the access VLAN of host ports without a cutover.vlan label,
// as on a factory-default switch.
const DefaultVLAN = 1

// Topology is the part of a containerlab topology file the local lab uses.
// Other containerlab keys are accepted and ignored.
type Topology struct {
	Name     string `yaml:"name"`
	Topology struct {
		Nodes map[string]*Node `yaml:"nodes"`
		Links []Link           `yaml:"links"`
	} `yaml:"topology"`

	File string `yaml:"-"`
}

// Node is one containerlab node.
type Node struct {
	Kind   string            `yaml:"kind"`
	Image  string            `yaml:"image"`
	Exec   []string          `yaml:"exec"`
	Labels map[string]string `yaml:"labels"`
}

// Link is one containerlab link.
type Link struct {
	Endpoints []string `yaml:"endpoints"`
}

// Endpoint is one side of a link.
type Endpoint struct{ Node, Iface string }

var (
	labName   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)
	nodeName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,13}$`)
	ifaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$`)
)

// LoadTopology reads and checks a topology file.
func LoadTopology(path string) (*Topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTopology(path, b)
}

// ParseTopology parses and checks topology text; name is used in errors.
func ParseTopology(name string, b []byte) (*Topology, error) {
	var t Topology
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t.File = name
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &t, nil
}

// IsSwitch reports whether the node is realised as a switch.
func (n *Node) IsSwitch() bool { return n.Kind != KindLinux }

// Dialect is the emulator dialect of a vendor switch node ("" for plain OVS).
func (n *Node) Dialect() string { return dialects[n.Kind] }

// Trunked reports whether a host node's switch links are trunks (probe hosts).
func (n *Node) Trunked() bool { return n.Labels[LabelRole] == "probe" }

// ParseEndpoint splits "node:iface".
func ParseEndpoint(s string) (Endpoint, error) {
	node, iface, ok := strings.Cut(s, ":")
	if !ok || !nodeName.MatchString(node) || !ifaceName.MatchString(iface) {
		return Endpoint{}, fmt.Errorf("endpoint %q: want node:interface (node up to 14 and interface up to 15 characters of [A-Za-z0-9_.-])", s)
	}
	return Endpoint{node, iface}, nil
}

// SwitchPort is the OVS port (and fabric-side veth) name for a switch endpoint.
func SwitchPort(e Endpoint) string { return e.Node + "-" + e.Iface }

// NodeNames returns the node names sorted.
func (t *Topology) NodeNames() []string {
	names := make([]string, 0, len(t.Topology.Nodes))
	for n := range t.Topology.Nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (t *Topology) check() error {
	var errs []string
	if !labName.MatchString(t.Name) {
		errs = append(errs, fmt.Sprintf("name %q: want 1-24 characters [a-z0-9-]", t.Name))
	}
	if len(t.Topology.Nodes) == 0 {
		errs = append(errs, "topology.nodes: no nodes")
	}
	for _, name := range t.NodeNames() {
		n := t.Topology.Nodes[name]
		if !nodeName.MatchString(name) {
			errs = append(errs, fmt.Sprintf("node %q: want 1-14 characters [A-Za-z0-9_-]", name))
		}
		if n == nil {
			errs = append(errs, fmt.Sprintf("node %s: empty", name))
			continue
		}
		switch {
		case n.Kind == KindLinux, n.Kind == KindOVS, n.Dialect() != "":
		case n.Kind == "":
			errs = append(errs, fmt.Sprintf("node %s: kind is missing", name))
		default:
			errs = append(errs, fmt.Sprintf("node %s: kind %q is not supported by the local lab (supported: %s, %s, %s)", name, n.Kind, KindLinux, KindOVS, strings.Join(slices.Sorted(maps.Keys(dialects)), ", ")))
		}
		if v, ok := n.Labels[LabelVLAN]; ok {
			if _, err := parseVLAN(v); err != nil {
				errs = append(errs, fmt.Sprintf("node %s: label %s: %v", name, LabelVLAN, err))
			}
		}
	}
	used := map[Endpoint]bool{}
	for i, l := range t.Topology.Links {
		if len(l.Endpoints) != 2 {
			errs = append(errs, fmt.Sprintf("links[%d]: want exactly 2 endpoints", i))
			continue
		}
		for _, s := range l.Endpoints {
			e, err := ParseEndpoint(s)
			if err != nil {
				errs = append(errs, fmt.Sprintf("links[%d]: %v", i, err))
				continue
			}
			n, ok := t.Topology.Nodes[e.Node]
			if !ok {
				errs = append(errs, fmt.Sprintf("links[%d]: endpoint %q: no node %s", i, s, e.Node))
				continue
			}
			if used[e] {
				errs = append(errs, fmt.Sprintf("links[%d]: endpoint %q is used twice", i, s))
			}
			used[e] = true
			if n != nil && n.IsSwitch() && len(SwitchPort(e)) > 15 {
				errs = append(errs, fmt.Sprintf("links[%d]: switch port name %q is longer than 15 characters; shorten the node or interface name", i, SwitchPort(e)))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid topology:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func parseVLAN(s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 1 || n > 4094 || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("VLAN %q is not 1-4094", s)
	}
	return n, nil
}

// splitCommand splits a containerlab exec line into words, honouring single
// and double quotes and backslash escapes, as a shell would for a simple
// command (no expansion, no pipes).
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	esc := false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\' && quote != '\'':
			esc, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || esc {
		return nil, fmt.Errorf("unterminated quote or escape in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
