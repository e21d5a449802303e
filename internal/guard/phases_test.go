package guard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// TestOutageHoldsOnlyItsParts: the absence proof before promote starts
// once the isolate has been read back by its driver, the new bindings are
// announced once the promote has committed and before it is read back,
// and the breakdown of the outage comes out of the run's marks with the
// round trip the guard measured and the window it used.
func TestOutageHoldsOnlyItsParts(t *testing.T) {
	l := labtest.Start(t, `
name: phases
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    o1: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    n1: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "o1:eth1"]
    - endpoints: ["sw1:e3", "n1:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`)
	inv, err := plan.Parse("phases.yml", []byte(fmt.Sprintf(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: %q}]
systems:
  old: {ports: [sw1:sw1-e1], addresses: [192.168.66.30]}
  new: {ports: [sw1:sw1-e3]}
guard: {trunk: eth1, sources: {production: 192.168.66.250}}
`, l.DB())), plan.LoadOptions{Catalog: all.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	drivers, err := engine.OpenDrivers(all.Registry(), inv)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := plan.Compile(inv)
	ctx, halt := context.WithCancelCause(context.Background())
	defer halt(nil)
	tl := &outage.Timeline{}
	setup, err := guard.SetupFrom(inv) // with the source, the ownership check need not wait for the ACD interval
	if err != nil {
		t.Fatal(err)
	}
	setup.InNamespace = func(fn func() error) error { return netns.Do(l.NodeNS("probe"), fn) }
	s, err := guard.Start(ctx, *setup, guard.Config{VLANs: guard.VLANs(inv), Addrs: inv.Systems.Old.Addresses, Halt: halt, Timeline: tl})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := (&engine.Engine{Drivers: drivers, Hooks: s.Guard, Timeline: tl}).Run(ctx, p)
	if rep.Result != engine.ResultDone {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	for _, c := range s.Guard.Checks() {
		if !c.Passed {
			t.Fatalf("check did not pass: %+v", c)
		}
	}
	at := func(step, event string) time.Time {
		t.Helper()
		m := tl.First(step, event)
		if m.IsZero() {
			t.Fatalf("no %s %s marked", step, event)
		}
		return m
	}
	if isolated, proof := at(plan.StepIsolate, outage.ReadBack), at(plan.StepPromote, outage.AbsenceStart); proof.Before(isolated) {
		t.Errorf("the absence proof started %s before the isolate was read back", isolated.Sub(proof))
	}
	committed, announced, readBack := at(plan.StepPromote, outage.Committed), at(plan.StepPromote, outage.Announced), at(plan.StepPromote, outage.ReadBack)
	if announced.Before(committed) || !announced.Before(readBack) {
		t.Errorf("announced at %s, committed at %s, read back at %s: want the announcement between the commit and the read-back",
			announced.Format("15:04:05.000000"), committed.Format("15:04:05.000000"), readBack.Format("15:04:05.000000"))
	}
	b := tl.Breakdown(plan.StepIsolate, plan.StepPromote, time.Time{}, 0)
	if b == nil || b.WindowMS != float64(guard.DefaultWindow/time.Millisecond) || b.RTTMS <= 0 || !b.Estimated || b.FloorMS <= b.AbsenceMS {
		t.Fatalf("breakdown %+v", b)
	}
}
