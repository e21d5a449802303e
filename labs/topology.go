// Package labs realises a containerlab topology file as a local rehearsal
// lab: `linux` nodes become network namespaces, switch nodes become bridges
// on a private Open vSwitch (its own ovsdb-server and ovs-vswitchd, userspace
// datapath), and links become veth pairs. It also drives rehearsals: a full
// cut-over in the lab with measured downtime.
//
// A topology file is a containerlab file: it is checked against
// containerlab's schema and its endpoint rules, so the same file deploys
// with containerlab and runs the local lab (kinds.go maps each kind).
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
	"strconv"
	"strings"

	"github.com/cutover-net/cutover/labs/clabschema"
	"gopkg.in/yaml.v3"
)

// Labels read from containerlab node labels.
const (
	LabelRole = "cutover.role" // probe, gateway, old, new, ... (informational except probe and gateway)
	LabelVLAN = "cutover.vlan" // access VLAN of a host's switch ports when the lab comes up
	// LabelVLANs on an emulated switch: VLANs that exist on it from the
	// start ("66,166,266"), as an operator would have configured them.
	LabelVLANs = "cutover.vlans"
)

// Node kinds the local lab knows besides the switch kinds of kinds.go.
const (
	KindLinux = "linux"
	KindOVS   = "ovs-bridge"
)

// kindAliases are names containerlab's node registry also takes, which its
// schema does not allow.
var kindAliases = map[string]string{"ceos": "arista_ceos", "srl": "nokia_srlinux"}

// LabelPassword sets an emulated switch's SSH password (user admin).
const LabelPassword = "cutover.password"

// DefaultPassword is an emulated switch's password without the label.
const DefaultPassword = "cutover-lab"

// DefaultVLAN is the access VLAN of host ports without a cutover.vlan label,
// as on a factory-default switch.
const DefaultVLAN = 1

// Topology is the part of a containerlab topology file the local lab uses.
// Other containerlab keys are accepted (the schema checks them) and ignored.
type Topology struct {
	Name     string `yaml:"name"`
	Topology struct {
		Nodes map[string]*Node `yaml:"nodes"`
		Links []Link           `yaml:"links"`
		// Inherited settings: the local lab reads a node's kind, type,
		// labels and exec on the node only, and refuses them here.
		Defaults map[string]any            `yaml:"defaults"`
		Kinds    map[string]map[string]any `yaml:"kinds"`
		Groups   map[string]map[string]any `yaml:"groups"`
	} `yaml:"topology"`

	File string `yaml:"-"`

	ports map[Endpoint]Port // every link endpoint, resolved by check
	lines lines
}

// Node is one containerlab node.
type Node struct {
	Kind          string            `yaml:"kind"`
	Type          string            `yaml:"type"`
	Image         string            `yaml:"image"`
	StartupConfig string            `yaml:"startup-config"`
	Exec          []string          `yaml:"exec"`
	Labels        map[string]string `yaml:"labels"`
}

// Link is one containerlab link.
type Link struct {
	Endpoints []string `yaml:"endpoints"`
}

// Endpoint is one side of a link.
type Endpoint struct{ Node, Iface string }

// Problem is one thing wrong with a topology file, at its line (0 when the
// thing has no line, e.g. a link a scenario added).
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Node    string `json:"node,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Node != "" {
		fmt.Fprintf(&b, "node %s: ", p.Node)
	}
	b.WriteString(p.Message)
	return b.String()
}

// TopologyError lists every problem of a topology file.
type TopologyError struct {
	File     string
	Problems []Problem
}

func (e *TopologyError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%s: invalid topology (%d problems):\n  %s", e.File, len(e.Problems), strings.Join(lines, "\n  "))
}

// lines are where things are in the file.
type lines struct {
	name  int
	node  map[string]int // the node's key
	kind  map[string]int // its kind (else the node's key)
	field map[string]int // "node/labels", "node/type", ...
	ep    map[[2]int]int // links[i].endpoints[j]
	link  map[int]int    // links[i]
	other map[string]int // "defaults/kind", "kinds/ceos/labels", ...
}

var (
	labName  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)
	nodeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,13}$`)
)

// LoadTopology reads and checks a topology file.
func LoadTopology(path string) (*Topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTopology(path, b)
}

// ParseTopology parses and checks topology text against containerlab's
// schema and endpoint rules and the local lab's; name is used in errors.
// A failed check returns a *TopologyError.
func ParseTopology(name string, b []byte) (*Topology, error) {
	t, problems, err := parseTopology(name, b)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &TopologyError{File: name, Problems: problems}
	}
	return t, nil
}

// parseTopology returns the topology with every problem found; err is for
// text that is not YAML at all.
func parseTopology(name string, b []byte) (*Topology, []Problem, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&root); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var problems []Problem
	schema, err := clabschema.Validate(&root)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range schema {
		problems = append(problems, Problem{File: name, Line: p.Line, Node: schemaNode(p.Path),
			Message: fmt.Sprintf("containerlab's schema: %s: %s", p.Path, p.Message)})
	}
	t := &Topology{File: name, lines: findLines(&root)}
	if err := root.Decode(t); err != nil {
		// The schema has said why, where it could.
		if len(problems) == 0 {
			problems = append(problems, Problem{File: name, Message: err.Error()})
		}
		return nil, problems, nil
	}
	t.File = name
	problems = append(problems, t.problems()...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return t, problems, nil
}

// schemaNode is the node a schema path is about ("" if none).
func schemaNode(path string) string {
	rest, ok := strings.CutPrefix(path, "topology.nodes.")
	if !ok {
		return ""
	}
	node, _, _ := strings.Cut(rest, ".")
	return node
}

// IsSwitch reports whether the node is realised as a switch.
func (n *Node) IsSwitch() bool { return n.Kind != KindLinux }

// Dialect is the emulator dialect of a vendor switch node ("" for plain OVS).
func (n *Node) Dialect() string { return Dialect(n.Kind) }

// Trunked reports whether a host node's switch links are trunks (probe hosts).
func (n *Node) Trunked() bool { return n.Labels[LabelRole] == "probe" }

// ParseEndpoint splits "node:interface".
func ParseEndpoint(s string) (Endpoint, error) {
	node, iface, ok := strings.Cut(s, ":")
	if !ok || node == "" || iface == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q: want node:interface", s)
	}
	return Endpoint{node, iface}, nil
}

// Port is how the lab names a link endpoint (resolved when the topology
// was checked; false for an endpoint not in the topology).
func (t *Topology) Port(e Endpoint) (Port, bool) {
	p, ok := t.ports[e]
	return p, ok
}

// SwitchPorts are a switch node's ports in port order.
func (t *Topology) SwitchPorts(node string) []Port {
	var out []Port
	for e, p := range t.ports {
		if e.Node == node && p.OVS != "" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i].Iface, out[j].Iface) })
	return out
}

// naturalLess orders names with numbers by their numbers: eth2 < eth10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// NodeNames returns the node names sorted.
func (t *Topology) NodeNames() []string {
	return slices.Sorted(maps.Keys(t.Topology.Nodes))
}

// check checks the topology again (after a scenario changed it).
func (t *Topology) check() error {
	if problems := t.problems(); len(problems) > 0 {
		return &TopologyError{File: t.File, Problems: problems}
	}
	return nil
}

// problems checks what the schema cannot: kinds, endpoint names and the
// local lab's limits; it resolves every endpoint's port.
func (t *Topology) problems() []Problem {
	var out []Problem
	add := func(line int, node, format string, a ...any) {
		out = append(out, Problem{File: t.File, Line: line, Node: node, Message: fmt.Sprintf(format, a...)})
	}
	if !labName.MatchString(t.Name) {
		add(t.lines.name, "", "name %q: the local lab wants 1-24 characters [a-z0-9-] (its namespaces and run directory are named after it)", t.Name)
	}
	if len(t.Topology.Nodes) == 0 {
		add(0, "", "topology.nodes: no nodes")
	}
	for _, where := range slices.Sorted(maps.Keys(t.inherited())) {
		add(t.lines.other[where], "", "topology.%s: the local lab reads kind, type, labels and exec on each node only; set it on the nodes", strings.ReplaceAll(where, "/", "."))
	}
	for _, name := range t.NodeNames() {
		n := t.Topology.Nodes[name]
		line := t.lines.node[name]
		if !nodeName.MatchString(name) {
			add(line, name, "the local lab wants node names of 1-14 characters [A-Za-z0-9_-] (they name namespaces and ports)")
		}
		if n == nil || n.Kind == "" {
			add(line, name, "kind is missing")
			continue
		}
		kindLine := t.lines.kind[name]
		switch {
		case n.Kind == KindLinux, n.Kind == KindOVS:
		case switchKinds[n.Kind] != nil:
			if want := switchKinds[n.Kind].nodeType; want != "" && n.Type != want {
				add(t.lines.fieldOr(name, "type", kindLine), name, "%s of type %q is not a switch; the local lab emulates type %s", n.Kind, n.Type, want)
			}
		case kindAliases[n.Kind] != "":
			add(kindLine, name, "kind %q is containerlab's alias of %s, which containerlab's schema does not allow: write %s", n.Kind, kindAliases[n.Kind], kindAliases[n.Kind])
		case n.Kind == "cisco_iosxe":
			add(kindLine, name, "containerlab has no kind cisco_iosxe: a Catalyst is cisco_cat9kv (a router cisco_c8000v or cisco_iol)")
		case slices.Contains(clabschema.Kinds(), n.Kind):
			add(kindLine, name, "kind %q is a containerlab kind but not a switch the local lab emulates (it runs %s, %s and the switch kinds %s)", n.Kind, KindLinux, KindOVS, strings.Join(SwitchKinds(), ", "))
		default:
			add(kindLine, name, "kind %q is not a containerlab kind (the local lab runs %s, %s and the switch kinds %s)", n.Kind, KindLinux, KindOVS, strings.Join(SwitchKinds(), ", "))
		}
		if len(n.Exec) > 0 && n.IsSwitch() {
			add(t.lines.fieldOr(name, "exec", line), name, "exec lines run on linux nodes only in the local lab")
		}
		if v, ok := n.Labels[LabelVLAN]; ok {
			if _, err := parseVLAN(v); err != nil {
				add(t.lines.fieldOr(name, "labels", line), name, "label %s: %v", LabelVLAN, err)
			}
		}
		if v, ok := n.Labels[LabelVLANs]; ok {
			if _, err := parseVLANList(v); err != nil {
				add(t.lines.fieldOr(name, "labels", line), name, "label %s: %v", LabelVLANs, err)
			}
		}
	}
	t.ports = map[Endpoint]Port{}
	byIface := map[[2]string]string{} // node, containerlab interface -> endpoint as written
	for i, l := range t.Topology.Links {
		if len(l.Endpoints) != 2 {
			add(t.lines.link[i], "", "links[%d]: want exactly 2 endpoints", i)
			continue
		}
		for j, s := range l.Endpoints {
			line := t.lines.ep[[2]int{i, j}]
			e, err := ParseEndpoint(s)
			if err != nil {
				add(line, "", "links[%d]: %v", i, err)
				continue
			}
			n, ok := t.Topology.Nodes[e.Node]
			if !ok {
				add(line, "", "links[%d]: endpoint %q: no node %s", i, s, e.Node)
				continue
			}
			if n == nil || n.Kind == "" {
				continue
			}
			p, err := resolvePort(e.Node, n.Kind, e.Iface)
			if err != nil {
				if switchKinds[n.Kind] != nil || n.Kind == KindLinux || n.Kind == KindOVS {
					add(line, e.Node, "links[%d]: endpoint %q: %v", i, s, err)
				}
				continue
			}
			key := [2]string{e.Node, p.Iface}
			if first, dup := byIface[key]; dup {
				add(line, e.Node, "links[%d]: endpoint %q is the interface %s again (as %q before)", i, s, p.Iface, first)
				continue
			}
			byIface[key] = e.Iface
			if p.OVS != "" && len(p.OVS) > 15 {
				add(line, e.Node, "links[%d]: the local lab's port name %q is longer than 15 characters; shorten the node or interface name", i, p.OVS)
			}
			t.ports[e] = p
		}
	}
	return out
}

// inherited lists the settings of topology.defaults, .kinds and .groups
// the local lab does not inherit ("defaults/kind", "kinds/x/labels").
func (t *Topology) inherited() map[string]bool {
	out := map[string]bool{}
	fields := []string{"kind", "type", "labels", "exec"}
	for _, f := range fields {
		if _, ok := t.Topology.Defaults[f]; ok {
			out["defaults/"+f] = true
		}
	}
	for scope, defs := range map[string]map[string]map[string]any{"kinds": t.Topology.Kinds, "groups": t.Topology.Groups} {
		for name, def := range defs {
			for _, f := range fields {
				if _, ok := def[f]; ok {
					out[scope+"/"+name+"/"+f] = true
				}
			}
		}
	}
	return out
}

// findLines records where the parts of a topology file are.
func findLines(root *yaml.Node) lines {
	ls := lines{node: map[string]int{}, kind: map[string]int{}, field: map[string]int{}, ep: map[[2]int]int{}, link: map[int]int{}, other: map[string]int{}}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if k, _ := lookup(doc, "name"); k != nil {
		ls.name = k.Line
	}
	_, topo := lookup(doc, "topology")
	if k, v := lookup(topo, "defaults"); k != nil {
		fieldLines(v, "defaults", ls.other)
	}
	for _, scope := range []string{"kinds", "groups"} {
		_, defs := lookup(topo, scope)
		for _, kv := range pairs(defs) {
			fieldLines(kv[1], scope+"/"+kv[0].Value, ls.other)
		}
	}
	_, nodes := lookup(topo, "nodes")
	for _, kv := range pairs(nodes) {
		name := kv[0].Value
		ls.node[name], ls.kind[name] = kv[0].Line, kv[0].Line
		fieldLines(kv[1], name, ls.field)
		if l, ok := ls.field[name+"/kind"]; ok {
			ls.kind[name] = l
		}
	}
	_, links := lookup(topo, "links")
	if links != nil && links.Kind == yaml.SequenceNode {
		for i, l := range links.Content {
			ls.link[i] = l.Line
			_, eps := lookup(l, "endpoints")
			if eps != nil && eps.Kind == yaml.SequenceNode {
				for j, e := range eps.Content {
					ls.ep[[2]int{i, j}] = e.Line
				}
			}
		}
	}
	return ls
}

// fieldLines records the line of each key of mapping m as prefix/key.
func fieldLines(m *yaml.Node, prefix string, into map[string]int) {
	for _, kv := range pairs(m) {
		into[prefix+"/"+kv[0].Value] = kv[0].Line
	}
}

func (ls lines) fieldOr(node, field string, fallback int) int {
	if l, ok := ls.field[node+"/"+field]; ok {
		return l
	}
	return fallback
}

// pairs are a mapping node's key/value pairs (none for anything else).
func pairs(m *yaml.Node) [][2]*yaml.Node {
	for m != nil && m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	return out
}

// lookup finds a key of a mapping node.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	for _, kv := range pairs(m) {
		if kv[0].Value == key {
			return kv[0], kv[1]
		}
	}
	return nil, nil
}

// parseVLANList parses a cutover.vlans label: VLAN IDs separated by commas.
func parseVLANList(s string) ([]int, error) {
	var ids []int
	for _, f := range strings.Split(s, ",") {
		v, err := parseVLAN(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		ids = append(ids, v)
	}
	return ids, nil
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
