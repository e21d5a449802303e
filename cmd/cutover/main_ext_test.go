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
	"github.com/cutover-net/cutover/labs/emulator"
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
	if code != 0 || json.Unmarshal([]byte(out), &ports) != nil || len(ports) < 5 || strings.Contains(stderr, "warning") {
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
// table with exit 0). A value the agent sends that fits no form is a
// warning naming switch and OID on stderr and an entry of "unreadable"
// with -o json, with the ports it may be: a PVID of a port outside the
// plan costs nothing (the ports are listed); a VLAN's port list may be
// any port's membership, the plan's too: the switch is not listed, and
// the error names the port and the object.
func TestPortsOverSNMPNeverSilent(t *testing.T) {
	src := t.TempDir()
	bridge := "1.3.6.1.2.1.1.1.0|4|test\n1.3.6.1.2.1.17.1.4.1.2.1|2|1\n1.3.6.1.2.1.17.1.4.1.2.2|2|2\n1.3.6.1.2.1.17.1.4.1.2.3|2|3\n" +
		"1.3.6.1.2.1.17.7.1.4.3.1.2.10|%s\n1.3.6.1.2.1.17.7.1.4.3.1.4.10|4x|00\n" +
		"1.3.6.1.2.1.17.7.1.4.5.1.1.1|66|10\n1.3.6.1.2.1.17.7.1.4.5.1.1.2|66|10\n1.3.6.1.2.1.17.7.1.4.5.1.1.3|%s\n" +
		"1.3.6.1.2.1.31.1.1.1.1.1|4|p1\n1.3.6.1.2.1.31.1.1.1.1.2|4|p2\n1.3.6.1.2.1.31.1.1.1.1.3|4|p3\n"
	walks := map[string]string{
		// IF-MIB only: no BRIDGE-MIB, no Q-BRIDGE-MIB.
		"nobridge": "1.3.6.1.2.1.1.1.0|4|test\n1.3.6.1.2.1.2.2.1.2.1|4|port1\n1.3.6.1.2.1.31.1.1.1.1.1|4|p1\n",
		// Three ports; p3's PVID is text.
		"oddpvid": fmt.Sprintf(bridge, "4x|e0", "4|ten"),
		// VLAN 10's egress list is text that fits no form.
		"oddlist": fmt.Sprintf(bridge, "4|1,2,x", "66|10"),
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
		stderr    []string
		text      string   // of the unreadable value
		ports     []string // it may be
	}{
		{"nobridge", 1, 0, []string{"switch s1: the agent lists no bridge ports"}, "", nil},
		{"oddpvid", 0, 3, []string{"warning: switch s1: dot1qPvid.3 (1.3.6.1.2.1.17.7.1.4.5.1.1.3): not a VLAN ID", "the PVID of base port 3 is unknown (it may be p3)"},
			`dot1qPvid.3 (1.3.6.1.2.1.17.7.1.4.5.1.1.3) = OctetString "ten"`, []string{"p3"}},
		{"oddlist", 1, 0, []string{"warning: switch s1: dot1qVlanStaticEgressPorts.10 (1.3.6.1.2.1.17.7.1.4.3.1.2.10): the value \"1,2,x\" fits no PortList form",
			"switch s1 port p1: a row it may be in could not be read: walk dot1qVlanStaticEgressPorts"},
			`dot1qVlanStaticEgressPorts.10 (1.3.6.1.2.1.17.7.1.4.3.1.2.10) = OctetString "1,2,x"`, []string{"p1", "p2", "p3"}},
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
		var ports []map[string]any
		if err := json.Unmarshal([]byte(out), &ports); err != nil || code != tc.code || len(ports) != tc.rows {
			t.Errorf("%s: exit %d, %d rows (%v)\nstdout: %s\nstderr: %s", tc.community, code, len(ports), err, out, stderr)
		}
		for _, frag := range tc.stderr {
			if !strings.Contains(stderr, frag) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.community, frag, stderr)
			}
		}
		if tc.text != "" && !strings.Contains(stderr, "(it may be "+strings.Join(tc.ports, ", ")+")") {
			// The ports the value may be, on stderr.
			t.Errorf("%s: stderr lacks the ports %v:\n%s", tc.community, tc.ports, stderr)
		}
		code, out, stderr = cli(t, "ports", inv)
		if code != tc.code || !strings.Contains(stderr, tc.stderr[0]) || (tc.rows > 0 && !strings.Contains(out, "p3")) {
			t.Errorf("%s text: exit %d\nstdout: %s\nstderr: %s", tc.community, code, out, stderr)
		}
	}
}

// TestPortsNamesUnreadableRows: `cutover ports` on a switch whose `show
// interfaces status` carries a row its driver cannot read prints it —
// on stderr, and under "unreadable" with -o json — with the switch, the
// command, the line, its text and why: beside the table when the row is
// outside the plan, beside the error naming the port when it may be one
// of the plan's (the switch is then not listed). Never an empty table
// with exit 0.
func TestPortsNamesUnreadableRows(t *testing.T) {
	l := labtest.Start(t, `
name: rows
topology:
  nodes:
    sw1: {kind: cisco_cat9kv, labels: {cutover.vlans: "10,20,30"}}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
  links:
    - endpoints: ["sw1:eth1", "h1:eth1"]
    - endpoints: ["sw1:eth2", "h2:eth1"]
    - endpoints: ["sw1:eth3", "h3:eth1"]
`)
	inv := writeFile(t, "inv.yml", fmt.Sprintf(`version: 1
vlans: {production: 10, migration: 20, shadow: 30}
switches:
  - {name: sw1, driver: cisco_iosxe, address: %q, username: admin, password: %q, options: {known_hosts: %q}}
systems:
  old: {ports: ["sw1:Gi1/0/1"], addresses: [192.0.2.10]}
  new: {ports: ["sw1:Gi1/0/2"]}
`, l.EmulatorAddr("sw1"), labs.DefaultPassword, l.KnownHosts()))
	srv := l.Emulator("sw1")
	for _, tc := range []struct {
		port  string
		code  int
		rows  int
		error string
	}{
		{"Gi1/0/3", 0, 3, ""},
		{"Gi1/0/2", 1, 0, "switch sw1 port Gi1/0/2: a row it may be in could not be read"},
	} {
		row := labs.UnreadableRow(tc.port)
		srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: "show interfaces status", After: 2, Row: row}}})
		warning := fmt.Sprintf(`warning: switch sw1: line 2 of "show interfaces status": %q: not an interface row`, row)
		code, out, stderr := cli(t, "ports", inv, "-o", "json")
		var ports []struct{ Switch, Name string }
		if err := json.Unmarshal([]byte(out), &ports); err != nil || code != tc.code || len(ports) != tc.rows {
			t.Fatalf("%s: exit %d, %d ports (%v)\nstdout: %s\nstderr: %s", tc.port, code, len(ports), err, out, stderr)
		}
		if strings.Count(stderr, "warning: ") != 1 {
			t.Errorf("%s: want the row once on stderr:\n%s", tc.port, stderr)
		}
		if !strings.Contains(stderr, warning) || !strings.Contains(stderr, tc.error) {
			t.Errorf("%s: stderr lacks %q or %q:\n%s", tc.port, warning, tc.error, stderr)
		}
		code, out, stderr = cli(t, "ports", inv)
		if code != tc.code || !strings.Contains(stderr, warning) || (tc.rows > 0) != strings.Contains(out, "Gi1/0/3") {
			t.Errorf("%s text: exit %d\nstdout: %s\nstderr: %s", tc.port, code, out, stderr)
		}
	}
}
