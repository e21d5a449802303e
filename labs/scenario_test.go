package labs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

var (
	oldPorts = []string{"sw1:GigabitEthernet1/0/2", "sw1:GigabitEthernet1/0/3", "sw1:GigabitEthernet1/0/4"}
	newPorts = []string{"sw2:Ethernet1", "sw2:Ethernet2", "sw2:Ethernet3"}
)

// rehearse runs a rehearsal of the shipped topology and inventory in a
// lab of its own.
func rehearse(t *testing.T, scenario string) *labs.RehearsalReport {
	t.Helper()
	return rehearseWith(t, "rehearsal.yml", scenario)
}

// rehearseWith runs a rehearsal of the shipped topology with an inventory.
func rehearseWith(t *testing.T, inventory, scenario string) *labs.RehearsalReport {
	t.Helper()
	return rehearseTopo(t, "../containerlab.yml", inventory, scenario)
}

// rehearseTopo runs a rehearsal of a topology file with an inventory.
func rehearseTopo(t *testing.T, topology, inventory, scenario string) *labs.RehearsalReport {
	t.Helper()
	labtest.Require(t)
	topo, err := labs.LoadTopology(topology)
	if err != nil {
		t.Fatal(err)
	}
	l, err := labs.New(topo, labtest.Name("sc"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &labs.Rehearsal{Lab: l, Inventory: inventory, Registry: all.Registry(), Scenario: scenario, Progress: func(s string) { t.Log(s) }}
	rep, err := r.Run(context.Background())
	if err != nil {
		t.Fatalf("rehearsal: %v (report %+v)", err, rep)
	}
	if left := labtest.Leftovers(l); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	return rep
}

func expectPorts(t *testing.T, rep *labs.RehearsalReport, ports []string, segment string) {
	t.Helper()
	for _, p := range ports {
		if rep.Ports[p] != segment {
			t.Errorf("%s is in %q, want %s", p, rep.Ports[p], segment)
		}
	}
}

func stepNames(rep *labs.RehearsalReport) string {
	var names []string
	for _, s := range rep.Steps {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

func TestGuardedRehearsal(t *testing.T) {
	rep := rehearse(t, "")
	if rep.Result != "done" || !rep.Guarded || stepNames(rep) != "isolate,promote,park" {
		t.Fatalf("%+v", rep)
	}
	if rep.ConflictsObserved != 0 {
		t.Fatalf("the independent watcher saw %d conflicts in a clean cut-over", rep.ConflictsObserved)
	}
	names := map[string]bool{}
	for _, c := range rep.Guard {
		if !c.Passed {
			t.Errorf("check failed: %+v", c)
		}
		names[c.Step+": "+c.Name] = true
	}
	for _, want := range []string{
		"preflight: the holding VLAN is free", "preflight: the outgoing system answers in Production",
		"preflight: the incoming system answers in its staging VLAN", "promote: nobody answers in Production",
		"promote: the incoming system owns every address in Production", "park: the park VLAN is free",
	} {
		if !names[want] {
			t.Errorf("missing check %q (have %v)", want, names)
		}
	}
	expectPorts(t, rep, newPorts, "66")
	expectPorts(t, rep, oldPorts, "166")
	t.Logf("guarded downtime %v", rep.DowntimeMS)
}

// The dual-stack lab (testdata): the default topology and inventory with
// an IPv6 address beside each IPv4 one.
const (
	dualStackTopology  = "testdata/dualstack.clab.yml"
	dualStackInventory = "testdata/dualstack.yml"
)

// TestGuardedDualStackRehearsal cuts over three servers with an IPv4 and
// an IPv6 address each: every guard check passes for both families, the
// independent observer (ARP and neighbour discovery) sees no address
// answered by two MACs, and every address's outage — IPv4 and IPv6 — is
// measured. The IPv6 outage ends with the unsolicited advertisements as
// the IPv4 one ends with the gratuitous ARP: a lost or ignored
// announcement would leave the gateway on the old MACs until its
// neighbour entries went stale (tens of seconds), so IPv6 is no worse
// than IPv4 by more than the announce interval.
func TestGuardedDualStackRehearsal(t *testing.T) {
	rep := rehearseTopo(t, dualStackTopology, dualStackInventory, "")
	if rep.Result != "done" || !rep.Guarded || stepNames(rep) != "isolate,promote,park" {
		t.Fatalf("%+v", rep)
	}
	if rep.ConflictsObserved != 0 {
		t.Fatalf("the independent observer saw %d conflicts in a clean cut-over", rep.ConflictsObserved)
	}
	var details []string
	for _, c := range rep.Guard {
		if !c.Passed {
			t.Errorf("check failed: %+v", c)
		}
		details = append(details, c.Step+": "+c.Name+": "+c.Detail)
	}
	all := strings.Join(details, "\n")
	for _, want := range []string{
		"preflight: the outgoing system answers in Production: 6 addresses (3 IPv4, 3 IPv6) answered",
		"preflight: the incoming system answers in its staging VLAN: 6 addresses (3 IPv4, 3 IPv6) answered",
		"promote: the incoming system owns every address in Production: 6 addresses (3 IPv4, 3 IPv6), incoming MACs only",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing check %q in\n%s", want, all)
		}
	}
	expectPorts(t, rep, newPorts, "66")
	expectPorts(t, rep, oldPorts, "166")
	var max4, max6 int64
	for _, a := range []string{"192.168.66.30", "192.168.66.31", "192.168.66.32", "fd66::30", "fd66::31", "fd66::32"} {
		ms, ok := rep.DowntimeMS[a]
		if !ok || ms <= 0 {
			t.Errorf("%s: no outage measured (%d ms, %v): the pinger saw no cut-over", a, ms, ok)
		}
		if strings.Contains(a, ":") {
			max6 = max(max6, ms)
		} else {
			max4 = max(max4, ms)
		}
	}
	const announceInterval = 2000 // ms, the guard's default
	if max6 > max4+announceInterval {
		t.Errorf("IPv6 outage %d ms, IPv4 %d ms: the neighbour advertisements did not end the IPv6 outage", max6, max4)
	}
	t.Logf("dual-stack downtime %v (max IPv4 %d ms, IPv6 %d ms); pings answered %d of %d", rep.DowntimeMS, max4, max6, rep.PingsAnswered, rep.PingsSent)
}

// TestIPv6Scenarios: the IPv6 variants of stray-old-nic and late-duplicate
// in the dual-stack lab.
func TestIPv6Scenarios(t *testing.T) {
	cases := []struct {
		scenario string
		steps    string   // steps the engine entered
		reason   []string // fragments of the blocking step's error
		old, new string   // where the systems end
	}{
		{"stray-old-nic-ipv6", "isolate", []string{"preflight blocked", "fd66::30 answers in VLAN 66", "sw1:Gi1/0/5"}, "66", "166"},
		{"late-duplicate-ipv6", "isolate,promote", []string{"watcher", "fd66::31 in VLAN 66"}, "266", "66"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			rep := rehearseTopo(t, dualStackTopology, dualStackInventory, c.scenario)
			if rep.Result != "blocked" || rep.Expected != "blocked" || stepNames(rep) != c.steps {
				t.Fatalf("result %s, steps %s: %s", rep.Result, stepNames(rep), rep.Error)
			}
			last := rep.Steps[len(rep.Steps)-1].Error
			for _, frag := range c.reason {
				if !strings.Contains(last, frag) {
					t.Errorf("blocking error lacks %q: %s", frag, last)
				}
			}
			t.Logf("%s: the observer saw %d conflicts (the staged fault answering beside the owner)", c.scenario, rep.ConflictsObserved)
			// Only the IPv6 address is at fault: IPv6 evidence caught it.
			if strings.Contains(last, "192.168.66.") {
				t.Errorf("an IPv4 address in the blocking error: %s", last)
			}
			if len(rep.Rollback) != 0 {
				t.Errorf("rollback %+v", rep.Rollback)
			}
			expectPorts(t, rep, oldPorts, c.old)
			expectPorts(t, rep, newPorts, c.new)
		})
	}
	// On an IPv4-only inventory an IPv6 scenario is refused.
	labtest.Require(t)
	topo, err := labs.LoadTopology("../containerlab.yml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := labs.New(topo, labtest.Name("sc"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &labs.Rehearsal{Lab: l, Inventory: "rehearsal.yml", Registry: all.Registry(), Scenario: "late-duplicate-ipv6"}
	if _, err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "needs an IPv6 service address") {
		t.Fatalf("IPv6 scenario on an IPv4 inventory: %v", err)
	}
}

func TestScenarios(t *testing.T) {
	cases := []struct {
		scenario string
		steps    string   // steps the engine entered
		reason   []string // fragments of the blocking step's error
		old, new string   // where the systems end
	}{
		{"stray-old-nic", "isolate", []string{"preflight blocked", "192.168.66.30", "sw1:Gi1/0/5"}, "66", "166"},
		{"new-missing", "isolate", []string{"preflight blocked", "VLAN 166", "no answer for 192.168.66.31"}, "66", "166"},
		{"late-duplicate", "isolate,promote", []string{"watcher", "192.168.66.31 in VLAN 66"}, "266", "66"},
		{"park-occupied", "isolate,promote,park", []string{"192.168.66.32", "VLAN 166"}, "266", "66"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			rep := rehearse(t, c.scenario)
			if rep.Result != "blocked" || rep.Expected != "blocked" || stepNames(rep) != c.steps {
				t.Fatalf("result %s, steps %s: %s", rep.Result, stepNames(rep), rep.Error)
			}
			last := rep.Steps[len(rep.Steps)-1].Error
			for _, frag := range c.reason {
				if !strings.Contains(last, frag) {
					t.Errorf("blocking error lacks %q: %s", frag, last)
				}
			}
			// The staged duplicates of stray-old-nic and late-duplicate answer
			// beside the owner; elsewhere the run must not add a second owner.
			if c.scenario == "new-missing" || c.scenario == "park-occupied" {
				if rep.ConflictsObserved != 0 {
					t.Errorf("the independent observer saw %d conflicts", rep.ConflictsObserved)
				}
			} else {
				t.Logf("%s: the observer saw the staged duplicate %d times", c.scenario, rep.ConflictsObserved)
			}
			// Completed steps stay: only a restore-safe block undoes them,
			// and no scenario here has anything to restore.
			if len(rep.Rollback) != 0 {
				t.Errorf("rollback %+v", rep.Rollback)
			}
			expectPorts(t, rep, oldPorts, c.old)
			expectPorts(t, rep, newPorts, c.new)
		})
	}
}

// TestFaultScenarios: a switch session or the probe link fails mid-run.
// Each ends with the old system back in Production and the new one back
// in staging, a message naming what failed, and no address answered by
// two MACs as seen by the rehearsal's own observer.
func TestFaultScenarios(t *testing.T) {
	cases := []struct {
		scenario, result string
		reason           []string
		undoChecked      bool // the guard proved Production free before undoing isolate
	}{
		{"session-dropped", "rolled_back", []string{"switch sw2", "the SSH session was lost"}, true},
		{"command-rejected", "rolled_back", []string{"switch sw2", "interface Ethernet2"}, true},
		// The probe cannot run: recorded as not verified, and the undo goes on.
		{"probe-down", "rolled_back", []string{"guard promote", "sending on eth1", "network is down"}, false},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			rep := rehearse(t, c.scenario)
			if rep.Result != c.result || rep.Expected != c.result {
				t.Fatalf("result %s (expected %s): %s", rep.Result, rep.Expected, rep.Error)
			}
			for _, frag := range c.reason {
				if !strings.Contains(rep.Error, frag) {
					t.Errorf("error lacks %q: %s", frag, rep.Error)
				}
			}
			expectPorts(t, rep, oldPorts, "66")
			expectPorts(t, rep, newPorts, "166")
			if rep.ConflictsObserved != 0 {
				t.Errorf("the independent observer saw %d conflicts", rep.ConflictsObserved)
			}
			var undo []string
			for _, c := range rep.Guard {
				if c.Step == "undo-isolate" {
					undo = append(undo, fmt.Sprintf("%v: %s", c.Passed, c.Detail))
				}
			}
			if len(undo) != 1 || strings.HasPrefix(undo[0], "true") != c.undoChecked {
				t.Errorf("guard checks before undoing isolate: %q", undo)
			}
		})
	}
}

// TestRehearsalOverSNMP cuts over the shipped lab with labs/rehearsal-snmp.yml:
// the Catalyst through vmVlan, the Arista through Q-BRIDGE, both over the
// emulators' SNMP agents, moving real traffic under the guard.
func TestRehearsalOverSNMP(t *testing.T) {
	rep := rehearseWith(t, "rehearsal-snmp.yml", "")
	if rep.Result != "done" || !rep.Guarded || stepNames(rep) != "isolate,promote,park" || rep.ConflictsObserved != 0 {
		t.Fatalf("%+v", rep)
	}
	expectPorts(t, rep, []string{"sw1:Gi1/0/2", "sw1:Gi1/0/3", "sw1:Gi1/0/4"}, "166")
	expectPorts(t, rep, newPorts, "66")
	for addr, ms := range rep.DowntimeMS {
		if ms <= 0 {
			t.Errorf("%s: no downtime measured (%d ms): the pinger saw no cut-over", addr, ms)
		}
	}
	t.Logf("SNMP cut-over: max downtime %d ms, %d pings answered of %d", rep.MaxDowntimeMS, rep.PingsAnswered, rep.PingsSent)
}
