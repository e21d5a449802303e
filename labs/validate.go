package labs

import (
	"fmt"
	"os"
	"path/filepath"
)

// Validation is what `cutover lab validate` reports of a topology file.
type Validation struct {
	File     string      `json:"file"`
	Valid    bool        `json:"valid"`
	Problems []Problem   `json:"problems"`
	Switches []SwitchMap `json:"switches,omitempty"`
}

// SwitchMap is how the lab names a switch node's ports.
type SwitchMap struct {
	Node    string `json:"node"`
	Kind    string `json:"kind"`
	Dialect string `json:"dialect,omitempty"` // emulator dialect; none on an ovs-bridge
	Ports   []Port `json:"ports"`
}

// Validate checks a topology file as containerlab would (its schema, its
// kinds and endpoint names, startup-config files that exist), as the local
// lab needs (a dialect for every switch kind), and as a rehearsal needs
// (the labels of its hosts). Only an unreadable file is an error.
func Validate(path string) (*Validation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := &Validation{File: path, Problems: []Problem{}}
	t, problems, err := parseTopology(path, b)
	if err != nil {
		v.Problems = append(v.Problems, Problem{File: path, Message: err.Error()})
		return v, nil
	}
	v.Problems = append(v.Problems, problems...)
	if t != nil {
		v.Problems = append(v.Problems, t.startupConfigProblems()...)
		v.Problems = append(v.Problems, t.hostInterfaceProblems()...)
		v.Problems = append(v.Problems, t.rehearsalProblems()...)
		for _, name := range t.NodeNames() {
			n := t.Topology.Nodes[name]
			if n == nil || !n.IsSwitch() {
				continue
			}
			v.Switches = append(v.Switches, SwitchMap{Node: name, Kind: n.Kind, Dialect: n.Dialect(), Ports: t.SwitchPorts(name)})
		}
	}
	v.Valid = len(v.Problems) == 0
	return v, nil
}

// startupConfigProblems are startup-config files that do not exist
// (containerlab resolves them from the topology file's directory and
// refuses to deploy without them).
func (t *Topology) startupConfigProblems() []Problem {
	var out []Problem
	for _, name := range t.NodeNames() {
		n := t.Topology.Nodes[name]
		if n == nil || n.StartupConfig == "" {
			continue
		}
		path := n.StartupConfig
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(t.File), path)
		}
		if _, err := os.Stat(path); err != nil {
			out = append(out, Problem{File: t.File, Line: t.lines.fieldOr(name, "startup-config", t.lines.node[name]), Node: name,
				Message: fmt.Sprintf("startup-config: %v", err)})
		}
	}
	return out
}

// hostInterfaceProblems are ovs-bridge endpoints containerlab cannot
// create: it creates each in the host's namespace (nodes/ovs/ovs.go), so
// two of one name collide. The local lab, which names them after their
// bridge, would run such a file; containerlab would not.
func (t *Topology) hostInterfaceProblems() []Problem {
	var out []Problem
	owner := map[string]string{}
	for i, l := range t.Topology.Links {
		for j, s := range l.Endpoints {
			e, err := ParseEndpoint(s)
			if n := t.Topology.Nodes[e.Node]; err != nil || n == nil || n.Kind != KindOVS {
				continue
			}
			if other, dup := owner[e.Iface]; dup {
				out = append(out, Problem{File: t.File, Line: t.lines.ep[[2]int{i, j}], Node: e.Node,
					Message: fmt.Sprintf("links[%d]: endpoint %q: interface %s is also an endpoint of %s, and containerlab creates both in the host's namespace", i, s, e.Iface, other)})
				continue
			}
			owner[e.Iface] = e.Node
		}
	}
	return out
}

// Roles the rehearsal looks for.
const (
	RoleGateway = "gateway"
	RoleProbe   = "probe"
)

// rehearsalProblems are what keeps `cutover rehearse` from running on the
// topology: every linux node says what it is (cutover.role); exactly one
// gateway, in a VLAN it is told (cutover.vlan), pings from its eth1 on a
// switch; exactly one probe host sits on a switch.
func (t *Topology) rehearsalProblems() []Problem {
	var out []Problem
	add := func(line int, node, format string, a ...any) {
		out = append(out, Problem{File: t.File, Line: line, Node: node, Message: fmt.Sprintf(format, a...)})
	}
	onSwitch := map[Endpoint]bool{}
	for _, l := range t.Topology.Links {
		if len(l.Endpoints) != 2 {
			continue
		}
		a, errA := ParseEndpoint(l.Endpoints[0])
		b, errB := ParseEndpoint(l.Endpoints[1])
		if errA != nil || errB != nil {
			continue
		}
		na, nb := t.Topology.Nodes[a.Node], t.Topology.Nodes[b.Node]
		if na != nil && nb != nil {
			onSwitch[a] = nb.IsSwitch()
			onSwitch[b] = na.IsSwitch()
		}
	}
	linked := func(node string) bool {
		for e, sw := range onSwitch {
			if e.Node == node && sw {
				return true
			}
		}
		return false
	}
	found := map[string][]string{}
	for _, name := range t.NodeNames() {
		n := t.Topology.Nodes[name]
		if n == nil || n.IsSwitch() {
			continue
		}
		line := t.lines.fieldOr(name, "labels", t.lines.node[name])
		role := n.Labels[LabelRole]
		if role == "" {
			add(line, name, "no %s label: a rehearsal needs to know what each host is (%s, old, new, %s)", LabelRole, RoleGateway, RoleProbe)
			continue
		}
		found[role] = append(found[role], name)
		switch role {
		case RoleGateway:
			if _, ok := n.Labels[LabelVLAN]; !ok {
				add(line, name, "the gateway has no %s label: the rehearsal pings from it in Production, so its port must start there", LabelVLAN)
			}
			if !onSwitch[Endpoint{name, "eth1"}] {
				add(line, name, "the gateway pings from its eth1, which is not linked to a switch")
			}
		case RoleProbe:
			if !linked(name) {
				add(line, name, "the probe host is not linked to a switch")
			}
		}
	}
	for _, role := range []string{RoleGateway, RoleProbe} {
		if len(found[role]) != 1 {
			add(0, "", "a rehearsal needs exactly one linux node labelled %s: %s, found %d %v", LabelRole, role, len(found[role]), found[role])
		}
	}
	return out
}
