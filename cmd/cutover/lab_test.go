package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLabValidate(t *testing.T) {
	code, out, stderr := cli(t, "lab", "validate", "-t", "../../containerlab.yml")
	if code != exitOK || !strings.Contains(out, "../../containerlab.yml: valid") ||
		!strings.Contains(out, "sw1:eth2") || !strings.Contains(out, "GigabitEthernet1/0/2") || !strings.Contains(out, "OVS sw1-e2") ||
		!strings.Contains(out, "sw2 (arista_ceos, emulated arista_eos)") {
		t.Fatalf("code %d\n%s\n%s", code, out, stderr)
	}

	code, out, _ = cli(t, "lab", "validate", "-t", "../../containerlab.yml", "-o", "json")
	var v struct {
		Valid    bool `json:"valid"`
		Switches []struct {
			Node  string `json:"node"`
			Ports []struct{ Endpoint, Iface, Name, Short, OVS string }
		} `json:"switches"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK || !v.Valid || len(v.Switches) != 2 {
		t.Fatalf("code %d, %v: %s", code, err, out)
	}
	if p := v.Switches[0].Ports[1]; p.Endpoint != "eth2" || p.Iface != "eth2" || p.Name != "GigabitEthernet1/0/2" || p.Short != "Gi1/0/2" || p.OVS != "sw1-e2" {
		t.Fatalf("sw1's second port: %+v", p)
	}

	old := "../../labs/testdata/old-containerlab.yml"
	code, out, stderr = cli(t, "lab", "validate", "-t", old)
	if code != exitError || !strings.Contains(out, old+":29: node sw1: containerlab has no kind cisco_iosxe") || !strings.Contains(stderr, "4 problems") {
		t.Fatalf("code %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = cli(t, "lab", "validate", "-t", old, "-o", "json")
	var bad struct {
		Valid    bool `json:"valid"`
		Problems []struct {
			File, Node, Message string
			Line                int
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &bad); err != nil || code != exitError || bad.Valid || len(bad.Problems) != 4 || stderr != "" {
		t.Fatalf("code %d, %v: %s / %s", code, err, out, stderr)
	}
	if p := bad.Problems[1]; p.File != old || p.Line != 29 || p.Node != "sw1" {
		t.Fatalf("problem: %+v", p)
	}
	if code, _, stderr := cli(t, "lab", "validate", "-t", "no-such.yml"); code != exitError || !strings.Contains(stderr, "no-such.yml") {
		t.Fatalf("missing file: %d %s", code, stderr)
	}
}
