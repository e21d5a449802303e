package guard_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// The old system answers for .30 (o1, port e1) and .31 (o2, port e2), but
// the inventory forgot port e2. The new system (n1) holds both addresses.
const topology = `
name: guard
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    o1: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    o2: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.31/24 dev eth1"]}
    n1: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add 192.168.66.31/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "o1:eth1"]
    - endpoints: ["sw1:e2", "o2:eth1"]
    - endpoints: ["sw1:e3", "n1:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`

type fixture struct {
	lab     *labs.Lab
	drivers map[string]switchdrivers.Driver
	plan    *plan.Plan
	session *guard.Session
	ctx     context.Context
}

// start brings the lab up and starts a guard session on the probe host.
func start(t *testing.T, locate bool) *fixture {
	return startLab(t, topology, locate, "192.168.66.30", "192.168.66.31")
}

// startLab brings topo up (sw1-e1 the old system's port, sw1-e3 the new
// one's) and starts a guard session on its probe host for addrs.
func startLab(t *testing.T, topo string, locate bool, addrs ...string) *fixture {
	l := labtest.Start(t, topo)
	inv, err := plan.Parse("guard.yml", []byte(fmt.Sprintf(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: %q}]
systems:
  old: {ports: [sw1:sw1-e1], addresses: [%s]}
  new: {ports: [sw1:sw1-e3]}
guard: {trunk: eth1}
`, l.DB(), strings.Join(addrs, ", "))), plan.LoadOptions{Catalog: all.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	drivers, err := engine.OpenDrivers(all.Registry(), inv)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := plan.Compile(inv)
	ctx, halt := context.WithCancelCause(context.Background())
	t.Cleanup(func() { halt(nil) })
	cfg := guard.Config{
		VLANs: map[string]int{plan.Production: 66, plan.Migration: 166, plan.Shadow: 266},
		Addrs: inv.Systems.Old.Addresses,
		Halt:  halt,
	}
	if locate {
		cfg.Locate = guard.LocateWith(drivers)
	}
	s, err := guard.Start(ctx, guard.Setup{Trunk: "eth1", InNamespace: func(fn func() error) error { return netns.Do(l.NodeNS("probe"), fn) }}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &fixture{lab: l, drivers: drivers, plan: p, session: s, ctx: ctx}
}

func (f *fixture) tag(t *testing.T) func(port string) string {
	return func(port string) string {
		v, err := f.lab.PortTag(context.Background(), port)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func run(t *testing.T, locate bool) (*engine.Report, func(port string) string) {
	f := start(t, locate)
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: f.session.Guard}).Run(f.ctx, f.plan)
	return rep, f.tag(t)
}

// TestRecoveryRollbackIsGuarded restores a run this guard never saw (a
// crash recovery): the new system back out of Production first; then,
// before the old one returns, nobody else may answer there. The forgotten
// old NIC (o2, still in Production) is somebody else to a guard without
// the run's preflight, so isolate is not undone; once o2 is gone, it is.
func TestRecoveryRollbackIsGuarded(t *testing.T) {
	f := start(t, false)
	tag := f.tag(t)
	ctx := context.Background()
	f.lab.SetPortTag(ctx, "sw1-e1", "266") // isolate done
	f.lab.SetPortTag(ctx, "sw1-e3", "66")  // promote done
	eng := &engine.Engine{Drivers: f.drivers, Hooks: f.session.Guard}
	_, err := eng.Restore(ctx, f.plan)
	if err == nil || !strings.Contains(err.Error(), "192.168.66.31") || !strings.Contains(err.Error(), "not undone, to keep one owner per address: isolate") {
		t.Fatalf("restore with somebody in Production: %v", err)
	}
	if tag("sw1-e1") != "266" || tag("sw1-e3") != "166" {
		t.Fatalf("e1=%s (want 266: old kept isolated) e3=%s (want 166: new out of Production)", tag("sw1-e1"), tag("sw1-e3"))
	}

	// The operator takes o2 off Production and runs the recovery again
	// (a new process: no rate-limit memory of o2 answering a moment ago).
	f.lab.SetPortTag(ctx, "sw1-e2", "999")
	f.session.Prober.Forget(66, []netip.Addr{netip.MustParseAddr("192.168.66.30"), netip.MustParseAddr("192.168.66.31")})
	if _, err := eng.Restore(ctx, f.plan); err != nil {
		t.Fatalf("restore with Production free: %v", err)
	}
	if tag("sw1-e1") != "66" {
		t.Fatalf("e1=%s, want 66 (old restored)", tag("sw1-e1"))
	}
	var undoChecks []string
	for _, c := range f.session.Guard.Checks() {
		if c.Step == "undo-isolate" {
			undoChecks = append(undoChecks, fmt.Sprintf("%v %s", c.Passed, c.Name))
		}
	}
	if strings.Join(undoChecks, "; ") != "false nobody else answers in Production; true nobody else answers in Production" {
		t.Fatalf("undo checks: %q", undoChecks)
	}
}

func TestForgottenPortCaughtAtPreflight(t *testing.T) {
	rep, tag := run(t, true)
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "sw1:sw1-e2") || !strings.Contains(rep.Error, "preflight") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if len(rep.Steps) != 1 || tag("sw1-e1") != "66" || tag("sw1-e3") != "166" {
		t.Fatalf("something moved: steps %+v, e1=%s e3=%s", rep.Steps, tag("sw1-e1"), tag("sw1-e3"))
	}
}

// Without MAC tables the preflight cannot see the forgotten port; the
// absence proof before promote does, and since the MAC that still answers
// belongs to the old system, restoring it is safe and done.
func TestForgottenPortCaughtBeforePromoteAndOldRestored(t *testing.T) {
	rep, tag := run(t, false)
	// The absence proof and the watcher (which sees the same answer) race
	// to report it; either names the address and the VLAN.
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "step promote blocked") || !strings.Contains(rep.Error, "192.168.66.31") || !strings.Contains(rep.Error, "VLAN 66") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if len(rep.Rollback) != 1 || rep.Rollback[0].Name != "undo-isolate" || rep.Rollback[0].Moves != 1 {
		t.Fatalf("rollback %+v", rep.Rollback)
	}
	if tag("sw1-e1") != "66" || tag("sw1-e3") != "166" {
		t.Fatalf("e1=%s (want 66, old restored) e3=%s (want 166, nothing promoted)", tag("sw1-e1"), tag("sw1-e3"))
	}
}
