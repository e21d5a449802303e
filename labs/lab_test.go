package labs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
)

// Two hosts per VLAN across a trunk, one host in another VLAN with the
// same address as a production host: the lab must keep them apart.
const twoSwitches = `
name: lab-test
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    sw2: {kind: ovs-bridge}
    a: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 10.66.0.1/24 dev eth1"]}
    b: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 10.66.0.2/24 dev eth1"]}
    c: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 10.66.0.3/24 dev eth1"]}
    p: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "a:eth1"]
    - endpoints: ["sw2:e1", "b:eth1"]
    - endpoints: ["sw2:e2", "c:eth1"]
    - endpoints: ["sw1:e9", "sw2:e9"]
    - endpoints: ["sw2:e8", "p:eth1"]
`

func TestLabUpIsIdempotentAndCarriesTraffic(t *testing.T) {
	l := labtest.Start(t, twoSwitches)
	ctx := context.Background()
	st, err := l.Status(ctx)
	if err != nil || !st.Healthy {
		t.Fatalf("status: %+v %v", st, err)
	}
	pid := st.Processes[1].PID
	if err := l.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if st2, _ := l.Status(ctx); st2.Processes[1].PID != pid {
		t.Fatalf("a second up restarted ovs-vswitchd (%d -> %d)", pid, st2.Processes[1].PID)
	}
	// Access ports carry their label's VLAN, probe and inter-switch links are trunks.
	modes := map[string]string{}
	for _, n := range st.Nodes {
		for _, p := range n.Ports {
			modes[p.Name] = p.Mode + "/" + p.Segment
		}
	}
	for port, want := range map[string]string{"sw1-e1": "access/66", "sw2-e2": "access/166", "sw2-e8": "trunk/", "sw1-e9": "trunk/"} {
		if modes[port] != want {
			t.Errorf("%s: %s, want %s", port, modes[port], want)
		}
	}
	// a reaches b across the trunk; c (other VLAN) is unreachable.
	got := labtest.Ping(t, l, "a", time.Second, "10.66.0.2", "10.66.0.3")
	if got["10.66.0.2"] == 0 || got["10.66.0.3"] != 0 {
		t.Fatalf("replies %v: want 10.66.0.2 reachable and 10.66.0.3 isolated", got)
	}
	// Moving c into VLAN 66 makes it reachable: the tag is the dataplane.
	if err := l.SetPortTag(ctx, "sw2-e2", "66"); err != nil {
		t.Fatal(err)
	}
	// a's failed lookup of 10.66.0.3 above would delay the next one by
	// its retry timers; start afresh.
	labtest.Exec(t, l, "a", "ip", "neigh", "flush", "dev", "eth1")
	if got := labtest.Ping(t, l, "a", time.Second, "10.66.0.3"); got["10.66.0.3"] == 0 {
		t.Fatal("c unreachable after moving it into VLAN 66")
	}
}

func TestFailedUpCleansUp(t *testing.T) {
	bad := strings.Replace(twoSwitches, `exec: ["ip address add 10.66.0.3/24 dev eth1"]`, `exec: ["ip address add 10.66.0.300/24 dev eth1"]`, 1)
	l := labtest.New(t, bad)
	err := l.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "node c") || !strings.Contains(err.Error(), "10.66.0.300") {
		t.Fatalf("err = %v", err)
	}
	if left := labtest.Leftovers(l); len(left) > 0 {
		t.Fatalf("failed up left: %v", left)
	}
}

func TestDownIsSafeWhenNothingIsUp(t *testing.T) {
	l := labtest.New(t, twoSwitches)
	if err := l.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := l.Status(context.Background())
	if err != nil || st.Healthy {
		t.Fatalf("status of a lab never started: %+v %v", st, err)
	}
}
