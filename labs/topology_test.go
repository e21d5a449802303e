package labs

import (
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

func TestParseTopologyErrors(t *testing.T) {
	cases := map[string]string{
		"name: Bad_Name\ntopology: {nodes: {a: {kind: linux}}}":                                                                                "name \"Bad_Name\"",
		"name: x\ntopology: {nodes: {}}":                                                                                                       "no nodes",
		"name: x\ntopology: {nodes: {a: {kind: cisco_xrd}}}":                                                                                   `kind "cisco_xrd" is not supported`,
		"name: x\ntopology: {nodes: {a: {}}}":                                                                                                  "kind is missing",
		"name: x\ntopology: {nodes: {a: {kind: linux, labels: {cutover.vlan: '5000'}}}}":                                                       "VLAN \"5000\"",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1]}]}":                                                       "exactly 2 endpoints",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1, b:eth1]}]}":                                               "no node b",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a:eth1, a:eth1]}]}":                                               "used twice",
		"name: x\ntopology: {nodes: {a: {kind: linux}}, links: [{endpoints: [a, a:eth2]}]}":                                                    "want node:interface",
		"name: x\ntopology: {nodes: {switch-one: {kind: ovs-bridge}, h: {kind: linux}}, links: [{endpoints: [switch-one:ethernet1, h:eth1]}]}": "longer than 15",
	}
	for text, want := range cases {
		_, err := ParseTopology("t.yml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "t.yml: ") {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
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
}

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
