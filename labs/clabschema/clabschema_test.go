package clabschema

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func validate(t *testing.T, text string) []Problem {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		t.Fatal(err)
	}
	ps, err := Validate(&root)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestValidDocumentsPass(t *testing.T) {
	for _, text := range []string{
		"name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n",
		// anchors and merge keys are YAML, not extra properties
		"name: x\ntopology:\n  nodes:\n    a: &n {kind: linux, labels: {role: a}}\n    b:\n      <<: *n\n      image: alpine\n",
		// label values may be numbers
		"name: x\ntopology:\n  nodes:\n    a: {kind: linux, labels: {cutover.vlan: 66, f: 1.5}}\n  links:\n    - endpoints: [a:eth1, a:eth2]\n",
		// a node may be empty (containerlab takes its kind from defaults)
		"name: x\ntopology:\n  defaults: {kind: linux}\n  nodes:\n    a:\n",
	} {
		if ps := validate(t, text); len(ps) != 0 {
			t.Errorf("%q: %v", text, ps)
		}
	}
}

func TestProblemsNameTheLineAndThePlace(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"name: x\ntopology:\n  nodes:\n    a:\n      kind: cisco_iosxe\n",
			[]string{`line 5: topology.nodes.a.kind: "cisco_iosxe" is not one of the`}},
		{"name: x\ntopology:\n  nodes:\n    a:\n      kind: linux\n      image: [x]\n",
			[]string{"line 6: topology.nodes.a.image: got array, want string"}},
		{"name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n  links:\n    - endpoints: [a:eth1, a:eth1]\n",
			[]string{"line 6: topology.links[0].endpoints: items at 0 and 1 are equal"}},
		{"name: bad name\ntopology: {nodes: {a: {kind: linux}}}\n",
			[]string{"line 1: name: 'bad name' does not match pattern"}},
		{"topology: {nodes: {a: {kind: linux, labels: {x: ''}}}}\n",
			[]string{"line 1: (document): missing property 'name'", "line 1: topology.nodes.a.labels.x: minLength: got 0, want 1"}},
		{"name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n  colour: red\n",
			[]string{"line 2: topology: additional properties 'colour' not allowed"}},
	}
	for _, c := range cases {
		ps := validate(t, c.text)
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: %d problems %q, want %d", c.text, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("%q: problem %d is %q, want %q...", c.text, i, got[i], w)
			}
		}
	}
}

// The schema is draft-07, where the endpoints' prefixItems pattern
// (^\S+:\S+$) is not a keyword: it does not check endpoint names, which is
// why the local lab checks them (labs/kinds.go).
func TestEndpointNamesAreNotTheSchemasJob(t *testing.T) {
	if ps := validate(t, "name: x\ntopology:\n  nodes:\n    a: {kind: linux}\n  links:\n    - endpoints: [a:eth1, \"b c\"]\n"); len(ps) != 0 {
		t.Fatalf("the schema checks endpoint names after all: %v", ps)
	}
}

func TestKindsAreTheSchemas(t *testing.T) {
	ks := Kinds()
	for _, k := range []string{"linux", "ovs-bridge", "cisco_cat9kv", "arista_ceos", "nokia_srlinux"} {
		if !slices.Contains(ks, k) {
			t.Errorf("%s missing from %v", k, ks)
		}
	}
	for _, k := range []string{"ceos", "srl", "cisco_iosxe"} {
		if slices.Contains(ks, k) {
			t.Errorf("%s is not in containerlab's schema", k)
		}
	}
}
