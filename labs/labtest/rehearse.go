package labtest

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/switchdrivers"
)

// Pair describes a rehearsal between two emulated switches of one
// containerlab kind: the old servers on sw1's data ports 2, 3, …, the new
// ones on sw2's ports 1, 2, …, the gateway on sw1's port 1, a probe host
// on sw2's port 8, the switches joined on port 9 (endpoints named as
// containerlab names them for the kind: eth2, or e1-2 on SR Linux). VLANs
// 66, 166 and 266 exist on both.
type Pair struct {
	Kind, Driver     string
	Type             string   // the nodes' containerlab type, if the kind needs one (cisco_iol: l2)
	OldPorts         []string // sw1's ports of the old servers, as the driver names them
	NewPorts         []string // sw2's ports of the new servers
	Segments         string   // a `segments:` mapping for drivers whose segments are names
	ConfirmTimeout   time.Duration
	Registry         *switchdrivers.Registry
	WantOld, WantNew string // the segments expected after the cut-over (default 166 and 66)
}

// RehearsePair runs the rehearsal under the guard and checks what every
// driver must deliver: done, the ports where the plan puts them, an
// outage the gateway's pinger measured and broken down into its parts
// (the isolate's and the promote's commits, the absence proof, the
// announcement to the first answer) and their floor, every guard check
// passed, and no address answered by two MACs as seen by the independent
// watcher. It returns the report.
func RehearsePair(t *testing.T, p Pair) *labs.RehearsalReport {
	t.Helper()
	Require(t)
	if len(p.OldPorts) != len(p.NewPorts) || len(p.OldPorts) == 0 || len(p.OldPorts) > 5 {
		t.Fatal("RehearsePair: want 1-5 old and as many new ports")
	}
	var topo, addrs strings.Builder
	kind := p.Kind
	if p.Type != "" {
		kind += ", type: " + p.Type
	}
	fmt.Fprintf(&topo, "name: pair\ntopology:\n  nodes:\n    sw1: {kind: %s, labels: {cutover.vlans: \"66,166,266\"}}\n    sw2: {kind: %s, labels: {cutover.vlans: \"66,166,266\"}}\n", kind, kind)
	topo.WriteString("    gw: {kind: linux, labels: {cutover.role: gateway, cutover.vlan: \"66\"}, exec: [\"ip address add 192.168.66.1/24 dev eth1\"]}\n")
	topo.WriteString("    probe: {kind: linux, labels: {cutover.role: probe}}\n")
	port := func(n int) string {
		name, err := labs.EndpointName(p.Kind, n)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	links := fmt.Sprintf("  links:\n    - endpoints: [\"sw1:%s\", \"gw:eth1\"]\n    - endpoints: [\"sw1:%s\", \"sw2:%s\"]\n    - endpoints: [\"sw2:%s\", \"probe:eth1\"]\n",
		port(1), port(9), port(9), port(8))
	for i := range p.OldPorts {
		ip := fmt.Sprintf("192.168.66.%d", 30+i)
		fmt.Fprintf(&topo, "    old%d: {kind: linux, labels: {cutover.role: old}, exec: [\"ip address add %s/24 dev eth1\"]}\n", i, ip)
		fmt.Fprintf(&topo, "    new%d: {kind: linux, labels: {cutover.role: new}, exec: [\"ip address add %s/24 dev eth1\"]}\n", i, ip)
		links += fmt.Sprintf("    - endpoints: [\"sw1:%s\", \"old%d:eth1\"]\n    - endpoints: [\"sw2:%s\", \"new%d:eth1\"]\n", port(i+2), i, port(i+1), i)
		if i > 0 {
			addrs.WriteString(", ")
		}
		addrs.WriteString(ip)
	}
	topo.WriteString(links)
	quote := func(sw string, ports []string) string {
		q := make([]string, len(ports))
		for i, port := range ports {
			q[i] = fmt.Sprintf("%q", sw+":"+port)
		}
		return strings.Join(q, ", ")
	}
	segments := ""
	if p.Segments != "" {
		segments = ", segments: " + p.Segments
	}
	var inv strings.Builder
	fmt.Fprintf(&inv, "version: 1\nname: pair\nvlans: {production: 66, migration: 166, shadow: 266}\nswitches:\n")
	for _, sw := range []string{"sw1", "sw2"} {
		fmt.Fprintf(&inv, "  - {name: %s, driver: %s, address: \"${CUTOVER_LAB_%s_ADDR}\", username: admin, password: cutover-lab%s, options: {known_hosts: \"${CUTOVER_LAB_DIR}/known_hosts\"}}\n", sw, p.Driver, strings.ToUpper(sw), segments)
	}
	fmt.Fprintf(&inv, "systems:\n  old: {ports: [%s], addresses: [%s]}\n  new: {ports: [%s]}\n", quote("sw1", p.OldPorts), addrs.String(), quote("sw2", p.NewPorts))
	inv.WriteString("guard: {trunk: eth1, sources: {production: 192.168.66.250}}\n")
	dir := t.TempDir()
	topoPath, invPath := filepath.Join(dir, "pair.clab.yml"), filepath.Join(dir, "pair.yml")
	if err := os.WriteFile(topoPath, []byte(topo.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(invPath, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tp, err := labs.LoadTopology(topoPath)
	if err != nil {
		t.Fatal(err)
	}
	l, err := labs.New(tp, Name("pr"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &labs.Rehearsal{Lab: l, Inventory: invPath, Registry: p.Registry, ConfirmTimeout: p.ConfirmTimeout, Progress: func(s string) { t.Log(s) }}
	rep, err := r.Run(context.Background())
	if err != nil {
		t.Fatalf("rehearsal: %v", err)
	}
	wantOld, wantNew := p.WantOld, p.WantNew
	if wantOld == "" {
		wantOld, wantNew = "166", "66"
	}
	if rep.Result != "done" || rep.ConflictsObserved != 0 {
		t.Fatalf("rehearsal: %s, %d conflicts seen: %+v", rep.Result, rep.ConflictsObserved, rep)
	}
	for i := range p.OldPorts {
		if got := rep.Ports["sw1:"+p.OldPorts[i]]; got != wantOld {
			t.Errorf("old port %s in %q, want %s", p.OldPorts[i], got, wantOld)
		}
		if got := rep.Ports["sw2:"+p.NewPorts[i]]; got != wantNew {
			t.Errorf("new port %s in %q, want %s", p.NewPorts[i], got, wantNew)
		}
	}
	for addr, ms := range rep.DowntimeMS {
		if ms <= 0 {
			t.Errorf("%s: no outage measured: the pinger saw no cut-over", addr)
		}
	}
	for _, c := range rep.Guard {
		if !c.Passed {
			t.Errorf("guard check did not pass: %+v", c)
		}
	}
	o := rep.Outage
	switch {
	case o == nil:
		t.Fatal("the report breaks no outage down")
	case o.IsolateMS <= 0 || o.AbsenceMS <= 0 || o.PromoteMS <= 0 || o.AnnounceMS <= 0 || math.Abs(o.FloorMS-(o.IsolateMS+o.AbsenceMS+o.PromoteMS+o.AnnounceMS)) > 0.2:
		t.Errorf("outage parts: %+v", o)
	case o.OutageMS != float64(rep.MaxDowntimeMS) || o.Estimated:
		t.Errorf("the breakdown is not set against the measured outage (%d ms): %+v", rep.MaxDowntimeMS, o)
	}
	t.Logf("%s cut-over (guard, trial %s): max downtime %d ms, 0 conflicts", p.Driver, p.ConfirmTimeout, rep.MaxDowntimeMS)
	t.Logf("outage: isolate %.1f + absence %.1f + promote %.1f + announce %.1f = floor %.1f ms; outage %.0f ms = %.2f x floor (window %.0f ms, RTT %.2f ms)",
		o.IsolateMS, o.AbsenceMS, o.PromoteMS, o.AnnounceMS, o.FloorMS, o.OutageMS, o.Ratio, o.WindowMS, o.RTTMS)
	return rep
}
