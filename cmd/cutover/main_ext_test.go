package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
)

// TestMain lets the test binary stand in for cutover when a test makes it
// re-execute itself (as `cutover lab up` does for `lab emulate`).
func TestMain(m *testing.M) {
	if spec := os.Getenv(swarmEnv); spec != "" {
		os.Exit(sseSwarm(spec))
	}
	if os.Getenv("CUTOVER_TEST_AS_MAIN") == "1" {
		// As main does: SIGINT and SIGTERM end the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestLabUpWithEmulatedSwitchDaemon: `lab up` leaves the emulated Catalyst
// running after the command ends; `ports` reaches it over SSH with the
// lab's known_hosts; `lab down` stops it and removes everything.
func TestLabUpWithEmulatedSwitchDaemon(t *testing.T) {
	labtest.Require(t)
	t.Setenv("CUTOVER_TEST_AS_MAIN", "1")
	name, runDir := labtest.Name("up"), t.TempDir()
	lab := []string{"-t", "../../containerlab.yml", "--name", name, "--run-dir", runDir}
	topo, _ := labs.LoadTopology("../../containerlab.yml")
	l, _ := labs.New(topo, name, runDir)
	t.Cleanup(func() {
		cli(t, append([]string{"lab", "down"}, lab...)...)
		if left := labtest.Leftovers(l); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	if code, _, stderr := cli(t, append([]string{"lab", "up"}, lab...)...); code != 0 {
		t.Fatalf("lab up: %d %s", code, stderr)
	}
	code, out, _ := cli(t, append([]string{"lab", "status", "-o", "json"}, lab...)...)
	var st struct {
		Healthy bool
		Nodes   []struct{ Name, SSH string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !st.Healthy {
		t.Fatalf("status: %s", out)
	}
	code, out, _ = cli(t, append([]string{"lab", "env"}, lab...)...)
	if code != 0 || !strings.Contains(out, "CUTOVER_LAB_SW1_ADDR=\"127.0.0.1:") {
		t.Fatalf("env: %s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		t.Setenv(k, strings.Trim(v, `"`))
	}
	code, out, stderr := cli(t, "ports", "../../labs/rehearsal.yml", "--switch", "sw1", "-o", "json")
	var ports []struct{ Switch, Name, Mode, Segment string }
	if code != 0 || json.Unmarshal([]byte(out), &ports) != nil || len(ports) < 5 {
		t.Fatalf("ports: %d %s %s", code, out, stderr)
	}
	modes := map[string]string{}
	for _, p := range ports {
		modes[p.Name] = p.Mode + "/" + p.Segment
	}
	if modes["Gi1/0/1"] != "access/66" || modes["GigabitEthernet1/0/2"] != "access/1" || modes["Gi1/0/9"] != "trunk/" {
		t.Fatalf("sw1 ports over SSH: %v", modes)
	}
	// The text table keeps its columns with long interface names.
	code, out, _ = cli(t, "ports", "../../labs/rehearsal.yml", "--switch", "sw1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	col := strings.Index(lines[0], "MODE")
	for _, l := range lines[1:] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Fatalf("column MODE (at %d) not aligned:\n%s", col, out)
		}
	}
}

// TestPortsOverSNMP: `cutover ports -o json` on a switch read over SNMP
// (snmpsimd serving a real Catalyst 3560's walk) lists name, ifIndex,
// mode, VLAN, status and description.
func TestPortsOverSNMP(t *testing.T) {
	dir := filepath.Join(corpus.Dir(t), "snmprec")
	sim := labtest.StartSnmpsim(t, dir, "ios_c3560")
	t.Setenv("C3560_COMMUNITY", "ios_c3560")
	inv := writeFile(t, "snmp.yml", fmt.Sprintf(`version: 1
vlans: {production: 1, migration: 2, shadow: 3}
switches:
  - {name: c3560, driver: snmp_cisco, address: %q, snmp: {version: 2c, community: "${C3560_COMMUNITY}"}}
systems:
  old: {ports: ["c3560:Gi0/1"], addresses: [192.0.2.10]}
  new: {ports: ["c3560:Gi0/2"]}
`, sim.Addr))
	code, out, stderr := cli(t, "ports", inv, "-o", "json")
	var rows []struct {
		Switch, Name, Mode, Segment, Admin, Oper string
		IfIndex                                  int
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 45 {
		t.Fatalf("exit %d, %d rows\n%s\n%s", code, len(rows), out, stderr)
	}
	found := false
	for _, r := range rows {
		if r.IfIndex == 0 || r.Name == "" || r.Mode == "" || r.Switch != "c3560" {
			t.Errorf("incomplete row %+v", r)
		}
		found = found || (r.Name == "Gi0/1" && r.Segment != "")
	}
	if !found {
		t.Fatalf("no Gi0/1 with a VLAN:\n%s", out)
	}
	code, out, _ = cli(t, "ports", inv)
	if code != 0 || !strings.Contains(out, "IFINDEX") {
		t.Fatalf("text: %d\n%s", code, out)
	}
}

// TestPortsOverSNMPNeverSilent: `cutover ports` on an SNMP switch whose
// agent lists no bridge ports fails naming the switch (never an empty
// table with exit 0); one whose agent sends a value that fits no form
// lists its ports and names switch and OID on stderr; -o json stays a
// JSON table either way.
func TestPortsOverSNMPNeverSilent(t *testing.T) {
	src := t.TempDir()
	walks := map[string]string{
		// IF-MIB only: no BRIDGE-MIB, no Q-BRIDGE-MIB.
		"nobridge": "1.3.6.1.2.1.1.1.0|4|test\n1.3.6.1.2.1.2.2.1.2.1|4|port1\n1.3.6.1.2.1.31.1.1.1.1.1|4|p1\n",
		// Two ports, VLAN 10's egress list is text that fits no form.
		"oddlist": "1.3.6.1.2.1.1.1.0|4|test\n1.3.6.1.2.1.17.1.4.1.2.1|2|1\n1.3.6.1.2.1.17.1.4.1.2.2|2|2\n" +
			"1.3.6.1.2.1.17.7.1.4.3.1.2.10|4|1,2,x\n1.3.6.1.2.1.17.7.1.4.3.1.4.10|4x|00\n" +
			"1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|10\n1.3.6.1.2.1.17.7.1.4.5.1.1.2|66|10\n" +
			"1.3.6.1.2.1.31.1.1.1.1.1|4|p1\n1.3.6.1.2.1.31.1.1.1.1.2|4|p2\n",
	}
	var names []string
	for name, walk := range walks {
		if err := os.WriteFile(filepath.Join(src, name+".snmprec"), []byte(walk), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name+".snmprec")
	}
	dir := labtest.WritableCopy(t, src, names, func(_ string, r []string) []string { return r })
	sim := labtest.StartSnmpsim(t, dir, "nobridge")
	for _, tc := range []struct {
		community string
		code      int
		rows      int
		stderr    string
	}{
		{"nobridge", 1, 0, "switch s1: the agent lists no bridge ports"},
		{"oddlist", 0, 2, "warning: switch s1: dot1qVlanStaticEgressPorts.10 (1.3.6.1.2.1.17.7.1.4.3.1.2.10): the value \"1,2,x\" fits no PortList form"},
	} {
		t.Setenv("S1_COMMUNITY", tc.community)
		inv := writeFile(t, "snmp.yml", fmt.Sprintf(`version: 1
vlans: {production: 10, migration: 20, shadow: 30}
switches:
  - {name: s1, driver: snmp_qbridge, address: %q, snmp: {version: 2c, community: "${S1_COMMUNITY}"}}
systems:
  old: {ports: ["s1:p1"], addresses: [192.0.2.10]}
  new: {ports: ["s1:p2"]}
`, sim.Addr))
		code, out, stderr := cli(t, "ports", inv, "-o", "json")
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil || code != tc.code || len(rows) != tc.rows || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d, %d rows (%v)\nstdout: %s\nstderr: %s", tc.community, code, len(rows), err, out, stderr)
		}
		if code, out, stderr = cli(t, "ports", inv); code != tc.code || !strings.Contains(stderr, tc.stderr) || (tc.rows > 0 && !strings.Contains(out, "p2")) {
			t.Errorf("%s text: exit %d\nstdout: %s\nstderr: %s", tc.community, code, out, stderr)
		}
	}
}
