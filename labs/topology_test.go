package labs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/labs/clabschema"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"gopkg.in/yaml.v3"
)

func TestParseTopologyErrors(t *testing.T) {
	cases := map[string]string{
		"name: Bad_Name\ntopology: {nodes: {a: {kind: linux}}}":                                                                                `t.yml:1: name "Bad_Name"`,
		"name: x\ntopology: {nodes: {}}":                                                                                                       "no nodes",
		"name: x\ntopology: {nodes: {a: {kind: cisco_xrd}}}":                                                                                   `t.yml:2: node a: kind "cisco_xrd" is a containerlab kind but not a switch the local lab emulates`,
		"name: x\ntopology: {nodes: {a: {kind: cisco_iosxe}}}":                                                                                 "containerlab has no kind cisco_iosxe: a Catalyst is cisco_cat9kv",
		"name: x\ntopology: {nodes: {a: {kind: ceos}}}":                                                                                        `kind "ceos" is containerlab's alias of arista_ceos`,
		"name: x\ntopology: {nodes: {a: {kind: no_such_kind}}}":                                                                                `kind "no_such_kind" is not a containerlab kind`,
		"name: x\ntopology: {nodes: {a: {}}}":                                                                                                  "node a: kind is missing",
		"name: x\ntopology: {nodes: {a: {kind: linux, labels: {cutover.vlan: '5000'}}}}":                                                       `VLAN "5000"`,
		"name: x\ntopology: {nodes: {a: {kind: cisco_cat9kv, labels: {cutover.vlans: '66,x'}}}}":                                               `label cutover.vlans: VLAN "x"`,
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1]}]}":                                                       "exactly 2 endpoints",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1, b:eth1]}]}":                                               "no node b",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1, a:eth1]}]}":                                               "is the interface eth1 again",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1, a:eth2:x]}]}":                                             `endpoint "a:eth2:x": interface "eth2:x" is not a Linux interface name`,
		"name: x\ntopology: {nodes: {a: {kind: linux}, b: {kind: linux}}, links: [{endpoints: [a:eth0, b:eth1]}]}":                             "eth0 interface name is not allowed for a node when network mode is not set to none",
		"name: x\ntopology: {nodes: {switch-one: {kind: ovs-bridge}, h: {kind: linux}}, links: [{endpoints: [switch-one:ethernet1, h:eth1]}]}": "longer than 15",
		"name: x\ntopology: {nodes: {s: {kind: cisco_cat9kv, exec: [ls]}}}":                                                                    "exec lines run on linux nodes only",
		"name: x\ntopology: {defaults: {kind: linux}, nodes: {a: {kind: linux}}}":                                                              "topology.defaults.kind: the local lab reads kind, type, labels and exec on each node only",
		"name: x\ntopology: {kinds: {linux: {labels: {cutover.vlan: '66'}}}, nodes: {a: {kind: linux}}}":                                       "topology.kinds.linux.labels: the local lab reads",
		"name: x\ntopology: {nodes: {r: {kind: cisco_iol}}}":                                                                                   `cisco_iol of type "" is not a switch; the local lab emulates type l2`,
		"name: x\ntopology: {nodes: {a: {kind: linux, image: [x]}}}":                                                                           "containerlab's schema: topology.nodes.a.image: got array, want string",
		"name: x\ntopology: {nodes: {a: {kind: linux, colour: red}}}":                                                                          "containerlab's schema: topology.nodes.a: additional properties 'colour' not allowed",
	}
	for text, want := range cases {
		_, err := ParseTopology("t.yml", []byte(text))
		var te *TopologyError
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "t.yml: ") || !errors.As(err, &te) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
	}
}

// A switch port has the same name to containerlab (ethN or the kind's
// own pattern), the emulator, the inventory and the driver.
func TestEndpointNamesMapAsContainerlabMapsThem(t *testing.T) {
	reg := all.Registry()
	// What each kind's data port N is called on the real image, written
	// out here from the vendors' naming (not from kinds.go).
	vendor := map[string]func(n int) (string, string, []string){
		"cisco_cat9kv": func(n int) (string, string, []string) {
			return fmt.Sprintf("GigabitEthernet1/0/%d", n), fmt.Sprintf("Gi1/0/%d", n), []string{fmt.Sprintf("Gi1/0/%d", n), fmt.Sprintf("GigabitEthernet1/0/%d", n)}
		},
		"arista_ceos": func(n int) (string, string, []string) {
			return fmt.Sprintf("Ethernet%d", n), fmt.Sprintf("Et%d", n), nil
		},
		"cisco_n9kv": func(n int) (string, string, []string) {
			return fmt.Sprintf("Ethernet1/%d", n), fmt.Sprintf("Eth1/%d", n), []string{fmt.Sprintf("Ethernet1/%d", n), fmt.Sprintf("Et1/%d", n)}
		},
		"aruba_aoscx": func(n int) (string, string, []string) {
			return fmt.Sprintf("1/1/%d", n), fmt.Sprintf("1/1/%d", n), []string{fmt.Sprintf("1/1/%d", n)}
		},
		"juniper_vjunosswitch": func(n int) (string, string, []string) {
			x := n - 1
			return fmt.Sprintf("ge-0/0/%d", x), fmt.Sprintf("ge-0/0/%d", x), []string{fmt.Sprintf("ge-0/0/%d", x), fmt.Sprintf("xe-0/0/%d", x), fmt.Sprintf("et-0/0/%d", x)}
		},
		"juniper_vqfx": func(n int) (string, string, []string) {
			x := n - 1
			return fmt.Sprintf("xe-0/0/%d", x), fmt.Sprintf("xe-0/0/%d", x), []string{fmt.Sprintf("xe-0/0/%d", x), fmt.Sprintf("ge-0/0/%d", x)}
		},
		"nokia_srlinux": func(n int) (string, string, []string) {
			return fmt.Sprintf("ethernet-1/%d", n), fmt.Sprintf("ethernet-1/%d", n), []string{fmt.Sprintf("ethernet-1/%d", n)}
		},
		"cisco_iol": func(n int) (string, string, []string) {
			return fmt.Sprintf("Ethernet%d/%d", n/4, n%4), fmt.Sprintf("Et%d/%d", n/4, n%4), []string{fmt.Sprintf("e%d/%d", n/4, n%4)}
		},
	}
	if got := SwitchKinds(); !slices.Equal(got, slices.Sorted(maps.Keys(vendor))) {
		t.Fatalf("switch kinds %v: every one needs its vendor naming in this test", got)
	}
	for _, kind := range SwitchKinds() {
		if !slices.Contains(clabschema.Kinds(), kind) {
			t.Errorf("%s is not a kind of containerlab's schema", kind)
		}
		dialect := Dialect(kind)
		ifaces := []emulator.Interface{{Name: "x", Short: "x", Port: "p"}}
		if _, err := emulator.New(dialect, emulator.Config{Backend: nopBackend{}, Interfaces: ifaces}); err != nil {
			t.Errorf("%s: dialect %s: %v", kind, dialect, err)
		}
		for n := 1; n <= 39; n++ {
			ep, err := EndpointName(kind, n)
			if err != nil {
				t.Fatalf("%s port %d: %v", kind, n, err)
			}
			p, err := resolvePort("sw", kind, ep)
			if err != nil {
				t.Fatalf("%s: %s: %v", kind, ep, err)
			}
			name, short, aliases := vendor[kind](n)
			if p.Name != name || p.Short != short {
				t.Errorf("%s: sw:%s is %s (%s), want %s (%s)", kind, ep, p.Name, p.Short, name, short)
			}
			for _, nm := range []string{p.Name, p.Short} {
				if err := reg.ValidatePort(dialect, nm); err != nil {
					t.Errorf("%s: driver %s refuses %s: %v", kind, dialect, nm, err)
				}
			}
			wantOVS := fmt.Sprintf("sw-e%d", n)
			if kind == "nokia_srlinux" {
				wantOVS = fmt.Sprintf("sw-e1-%d", n)
			}
			if p.OVS != wantOVS {
				t.Errorf("%s: sw:%s: OVS port %s, want %s", kind, ep, p.OVS, wantOVS)
			}
			// containerlab's own names for the port are the same port.
			for _, alias := range aliases {
				q, err := resolvePort("sw", kind, alias)
				if err != nil || q.Iface != p.Iface || q.Name != p.Name || q.OVS != p.OVS {
					t.Errorf("%s: %s is %+v (%v), want the port of %s (%+v)", kind, alias, q, err, ep, p)
				}
			}
		}
	}
	// SR Linux breakout ports and other line cards.
	for ep, want := range map[string]string{"e1-3-2": "ethernet-1/3/2", "ethernet-1/3/2": "ethernet-1/3/2", "e2-5": "ethernet-2/5", "ethernet-2/5": "ethernet-2/5"} {
		p, err := resolvePort("s", "nokia_srlinux", ep)
		if err != nil || p.Name != want || reg.ValidatePort("nokia_srl", p.Name) != nil {
			t.Errorf("srl %s: %+v %v, want %s", ep, p, err, want)
		}
	}
}

// Names containerlab refuses are errors with containerlab's own hint.
func TestRefusedEndpointNamesCarryContainerlabsHint(t *testing.T) {
	refused := map[string][]string{
		"cisco_cat9kv":         {"e1", "eth0", "Gi1/0/0", "Gi0/0/1", "GigabitEthernet1/1/1", "ge-0/0/0", "Ethernet1", "1/1/1"},
		"arista_ceos":          {"e1", "eth0", "Ethernet", "ethernet-1/1", "Gi1/0/1", "1/1/1"},
		"cisco_n9kv":           {"e1", "eth0", "Ethernet1/0", "Ethernet2/1", "Eth1/1"},
		"aruba_aoscx":          {"e1", "eth0", "1/1/0", "1/2/1", "Ethernet1"},
		"juniper_vjunosswitch": {"e1", "eth0", "ge-0/1/0", "fe-0/0/0", "ge-0/0"},
		"juniper_vqfx":         {"e1", "eth0", "xe-1/0/0"},
		"nokia_srlinux":        {"e1", "eth1", "e0-1", "e1-0", "ethernet-1/0", "ethernet1/1", "Ethernet1"},
		"cisco_iol":            {"eth1", "e0/0", "Ethernet0/0", "e1/4", "Ethernet10/1", "Gi0/1"},
	}
	for kind, names := range refused {
		hint := switchKinds[kind].hint
		for i, name := range names {
			typ := ""
			if kind == "cisco_iol" {
				typ = ", type: l2"
			}
			text := fmt.Sprintf("name: x\ntopology:\n  nodes:\n    sw: {kind: %s%s}\n    h: {kind: linux}\n  links:\n    - endpoints: [\"h:eth%d\", \n                  \"sw:%s\"]\n", kind, typ, i+1, name)
			_, err := ParseTopology("t.yml", []byte(text))
			want := fmt.Sprintf("t.yml:8: node sw: links[0]: endpoint %q: containerlab refuses interface %q on %s", "sw:"+name, name, kind)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), strconv.Quote(hint)) {
				t.Errorf("%s %s: err = %v, want %q with the hint %q", kind, name, err, want, hint)
			}
		}
	}
	// Names containerlab takes that the local lab cannot emulate.
	for kind, name := range map[string]string{"arista_ceos": "et1", "cisco_cat9kv": "xeth1"} {
		_, err := resolvePort("sw", kind, name)
		if err == nil || !strings.Contains(err.Error(), "local lab") {
			t.Errorf("%s %s: err = %v", kind, name, err)
		}
	}
}

func TestOneInterfaceByTwoNamesIsRefused(t *testing.T) {
	text := "name: x\ntopology:\n  nodes:\n    sw: {kind: cisco_cat9kv}\n    a: {kind: linux}\n    b: {kind: linux}\n  links:\n    - endpoints: [\"sw:eth2\", \"a:eth1\"]\n    - endpoints: [\"sw:Gi1/0/2\", \"b:eth1\"]\n"
	_, err := ParseTopology("t.yml", []byte(text))
	if err == nil || !strings.Contains(err.Error(), `t.yml:9: node sw: links[1]: endpoint "sw:Gi1/0/2" is the interface eth2 again (as "eth2" before)`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultTopologyIsValid(t *testing.T) {
	topo, err := LoadTopology("../containerlab.yml")
	if err != nil {
		t.Fatal(err)
	}
	var gw, probe int
	for _, n := range topo.Topology.Nodes {
		switch n.Labels[LabelRole] {
		case "gateway":
			gw++
		case "probe":
			probe++
		}
	}
	if gw != 1 || probe != 1 || len(topo.Topology.Nodes) != 10 {
		t.Fatalf("gateways %d probes %d nodes %d", gw, probe, len(topo.Topology.Nodes))
	}
	v, err := Validate("../containerlab.yml")
	if err != nil || !v.Valid || len(v.Switches) != 2 {
		t.Fatalf("validate: %+v %v", v, err)
	}
	// The inventories name the ports as the topology's kinds do.
	for _, inv := range []string{"rehearsal.yml", "rehearsal-snmp.yml"} {
		i := loadLabInventory(t, inv)
		for _, ref := range slices.Concat(i.Systems.Old.Ports, i.Systems.New.Ports) {
			if findPort(topo, ref.Switch, ref.Port) == nil {
				t.Errorf("%s: %s is no port of %s in containerlab.yml", inv, ref, ref.Switch)
			}
		}
	}
}

// findPort is the switch port a NOS name (full or short) names.
func findPort(topo *Topology, node, name string) *Port {
	for _, p := range topo.SwitchPorts(node) {
		if p.Name == name || p.Short == name {
			return &p
		}
	}
	return nil
}

// loadLabInventory loads an inventory of the default lab as a rehearsal
// does before the lab is up.
func loadLabInventory(t *testing.T, path string) *plan.Inventory {
	t.Helper()
	inv, err := plan.Load(path, plan.LoadOptions{Catalog: all.Registry(), LookupEnv: func(k string) (string, bool) {
		switch {
		case k == LabDirEnv:
			return "/run/cutover/labs/x", true
		case strings.HasPrefix(k, "CUTOVER_LAB_") && (strings.HasSuffix(k, "_ADDR") || strings.HasSuffix(k, "_SNMP")):
			return "127.0.0.1:1", true
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// sharedSchema is containerlab's schema as shared with the project.
func sharedSchema(t *testing.T) string {
	return filepath.Join(filepath.Dir(corpus.Dir(t)), "containerlab", "clab.schema.json")
}

func TestEmbeddedSchemaIsContainerlabs(t *testing.T) {
	b, err := os.ReadFile(sharedSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, clabschema.JSON()) {
		t.Fatalf("labs/clabschema/clab.schema.json differs from %s", sharedSchema(t))
	}
}

// Every topology file in the repository is a containerlab file: it passes
// containerlab's schema (the shared clab.schema.json, with a JSON-schema
// validator) and its endpoint rules, and the local lab runs it. The old
// default topology, kept as a fixture, is not.
func TestEveryTopologyFileIsAContainerlabFile(t *testing.T) {
	b, err := os.ReadFile(sharedSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := clabschema.Compile(b)
	if err != nil {
		t.Fatal(err)
	}
	check := func(path string) []string {
		var problems []string
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(text, &root); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ps, err := schema.Validate(&root)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, p := range ps {
			problems = append(problems, "schema: "+p.String())
		}
		if _, err := ParseTopology(path, text); err != nil {
			problems = append(problems, err.Error())
		}
		return problems
	}
	var found []string
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || (!strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml")) {
			return nil
		}
		if !isTopology(t, path) {
			return nil
		}
		found = append(found, path)
		if problems := check(path); len(problems) > 0 {
			t.Errorf("%s is not a containerlab topology the local lab runs:\n  %s", path, strings.Join(problems, "\n  "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(found, "../containerlab.yml") {
		t.Fatalf("the walk found %v, not ../containerlab.yml", found)
	}
	t.Logf("topology files: %v", found)

	old := check("testdata/old-containerlab.yml")
	joined := strings.Join(old, "\n")
	for _, want := range []string{`schema: line 29: topology.nodes.sw1.kind: "cisco_iosxe" is not one`, `schema: line 33: topology.nodes.sw2.kind: "ceos" is not one`, "containerlab has no kind cisco_iosxe"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the old containerlab.yml: want %q among:\n%s", want, joined)
		}
	}
	// With its kinds corrected, its endpoint names are still refused.
	text, _ := os.ReadFile("testdata/old-containerlab.yml")
	fixed := strings.NewReplacer("kind: cisco_iosxe", "kind: cisco_cat9kv", "kind: ceos", "kind: arista_ceos").Replace(string(text))
	_, err = ParseTopology("old.yml", []byte(fixed))
	for _, want := range []string{`old.yml:81: node sw1: links[0]: endpoint "sw1:e1": containerlab refuses interface "e1" on cisco_cat9kv`, `old.yml:85: node sw2: links[4]: endpoint "sw2:e1": containerlab refuses interface "e1" on arista_ceos`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the old containerlab.yml with kinds corrected: err = %v, want %q", err, want)
		}
	}
}

// isTopology reports whether a YAML file is a topology (it has a top-level
// topology: key) rather than an inventory.
func isTopology(t *testing.T, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := yaml.Unmarshal(b, &top); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	_, ok := top["topology"]
	return ok
}

func TestValidateReportsRehearsalLabels(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.clab.yml")
	text := `name: x
topology:
  nodes:
    sw: {kind: ovs-bridge, startup-config: missing.cfg}
    gw: {kind: linux, labels: {cutover.role: gateway}}
    a: {kind: linux}
    p: {kind: linux, labels: {cutover.role: probe}}
    q: {kind: linux, labels: {cutover.role: probe}}
    sw2: {kind: ovs-bridge}
  links:
    - endpoints: ["sw:p1", "gw:eth2"]
    - endpoints: ["sw:p2", "a:eth1"]
    - endpoints: ["sw:p3", "p:eth1"]
    - endpoints: ["sw2:p1", "a:eth2"]
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := Validate(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range v.Problems {
		got = append(got, p.String())
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		path + ":4: node sw: startup-config: stat " + filepath.Join(dir, "missing.cfg"),
		path + ":5: node gw: the gateway has no cutover.vlan label",
		path + ":5: node gw: the gateway pings from its eth1, which is not linked to a switch",
		path + ":6: node a: no cutover.role label",
		path + ":8: node q: the probe host is not linked to a switch",
		path + ": a rehearsal needs exactly one linux node labelled cutover.role: probe, found 2 [p q]",
		path + ":14: node sw2: links[3]: endpoint \"sw2:p1\": interface p1 is also an endpoint of sw, and containerlab creates both in the host's namespace",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("want %q among:\n%s", want, joined)
		}
	}
	if v.Valid || len(got) != 7 {
		t.Errorf("valid %v, %d problems:\n%s", v.Valid, len(got), joined)
	}
}

// nopBackend lets an emulator be created without a lab.
type nopBackend struct{}

func (nopBackend) AccessVLAN(context.Context, string) (int, bool, error) { return 1, false, nil }
func (nopBackend) SetAccessVLAN(context.Context, string, int) error      { return nil }
func (nopBackend) MACTable(context.Context) ([]emulator.MACEntry, error) { return nil, nil }

func TestSplitCommand(t *testing.T) {
	cases := map[string][]string{
		"ip address add 10.0.0.1/24 dev eth1": {"ip", "address", "add", "10.0.0.1/24", "dev", "eth1"},
		`sh -c 'echo "a b" > /tmp/x'`:         {"sh", "-c", `echo "a b" > /tmp/x`},
		`echo "it's" a\ b`:                    {"echo", "it's", "a b"},
		"  spaced   out  ":                    {"spaced", "out"},
		`empty "" arg`:                        {"empty", "", "arg"},
	}
	for in, want := range cases {
		got, err := splitCommand(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("splitCommand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`echo "open`, `echo 'open`, `trailing\`} {
		if _, err := splitCommand(bad); err == nil {
			t.Errorf("splitCommand(%q) accepted", bad)
		}
	}
}

func TestVMwareExampleInventoryIsValid(t *testing.T) {
	inv, err := plan.Load("vmware-three-networks.yml", plan.LoadOptions{Catalog: all.Registry(), LookupEnv: func(k string) (string, bool) {
		if k == "VCENTER_PASSWORD" {
			return "example", true
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(inv)
	if err != nil {
		t.Fatal(err)
	}
	isolate := p.Steps[0].Batches
	if len(isolate) != 2 || isolate[1].Switch != "vcenter" || isolate[1].Moves[0].To != "ShadowNet66" || isolate[0].Moves[0].To != "266" {
		t.Fatalf("isolate: %+v", isolate)
	}
}
