package guard_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
)

// A dual-stack old system: o1 answers for 192.168.66.30 and fd66::30, and
// o2 — a NIC the inventory forgot — for fd66::31 only. The new system (n1)
// holds all three. IPv6 addresses skip duplicate address detection
// (nodad): the lab brings up hosts that share addresses in other VLANs.
const dualStack = `
name: guard6
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    o1: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad"]}
    o2: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add fd66::31/64 dev eth1 nodad"]}
    n1: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad", "ip address add fd66::31/64 dev eth1 nodad"]}
    forger: {kind: linux, labels: {cutover.vlan: "66"}}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "o1:eth1"]
    - endpoints: ["sw1:e2", "o2:eth1"]
    - endpoints: ["sw1:e3", "n1:eth1"]
    - endpoints: ["sw1:e4", "forger:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`

var dualStackAddrs = []string{"192.168.66.30", "fd66::30", "fd66::31"}

func TestIPv6ForgottenPortCaughtAtPreflight(t *testing.T) {
	f := startLab(t, dualStack, true, dualStackAddrs...)
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: f.session.Guard}).Run(f.ctx, f.plan)
	tag := f.tag(t)
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "preflight") || !strings.Contains(rep.Error, "fd66::31") || !strings.Contains(rep.Error, "sw1:sw1-e2") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if len(rep.Steps) != 1 || tag("sw1-e1") != "66" || tag("sw1-e3") != "166" {
		t.Fatalf("something moved: steps %+v, e1=%s e3=%s", rep.Steps, tag("sw1-e1"), tag("sw1-e3"))
	}
}

// Without MAC tables the preflight cannot see the forgotten NIC; the
// absence proof before promote (duplicate-address-detection probes) does,
// and since the MAC that answers belongs to the old system, it is restored.
func TestIPv6ForgottenPortCaughtBeforePromoteAndOldRestored(t *testing.T) {
	f := startLab(t, dualStack, false, dualStackAddrs...)
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: f.session.Guard}).Run(f.ctx, f.plan)
	tag := f.tag(t)
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "step promote blocked") || !strings.Contains(rep.Error, "fd66::31") || !strings.Contains(rep.Error, "VLAN 66") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if len(rep.Rollback) != 1 || rep.Rollback[0].Name != "undo-isolate" {
		t.Fatalf("rollback %+v", rep.Rollback)
	}
	if tag("sw1-e1") != "66" || tag("sw1-e3") != "166" {
		t.Fatalf("e1=%s (want 66, old restored) e3=%s (want 166, nothing promoted)", tag("sw1-e1"), tag("sw1-e3"))
	}
}

// afterPromote runs inject once the guard has checked the promote step.
type afterPromote struct {
	engine.Hooks
	inject func()
}

func (h afterPromote) AfterStep(ctx context.Context, p *plan.Plan, i int) error {
	if err := h.Hooks.AfterStep(ctx, p, i); err != nil {
		return err
	}
	if p.Steps[i].Name == plan.StepPromote {
		h.inject()
		time.Sleep(300 * time.Millisecond) // the watcher sees it before park
	}
	return nil
}

// TestCleanDualStackCutOverThenForgedClaimHalts: with o2 unplugged, the
// cut-over of o1's two addresses passes every check for both families; then a
// station in Production sends ARP replies claiming 192.168.66.30 for the
// new system's own MAC — forged (its Ethernet source is not the sender)
// though the MAC it names is the expected one — and the run halts before
// park, naming both MACs. The new system stays in service.
func TestCleanDualStackCutOverThenForgedClaimHalts(t *testing.T) {
	f := startLab(t, dualStack, true, "192.168.66.30", "fd66::30")
	ctx := context.Background()
	if err := f.lab.SetPortTag(ctx, "sw1-e2", "999"); err != nil {
		t.Fatal(err)
	}
	n1 := macOf(t, f, "n1")
	var forger *l2.Conn
	labtest.InNode(t, f.lab, "forger", func() (err error) { forger, err = l2.Listen("eth1", l2.ARPFilter()); return err })
	defer forger.Close()
	hooks := afterPromote{Hooks: f.session.Guard, inject: func() {
		b, err := (arpframe.Frame{EthSrc: forger.MAC(), EthDst: arpframe.Broadcast, Op: arpframe.OpReply, SenderMAC: n1,
			SenderIP: netip.MustParseAddr("192.168.66.30"), TargetIP: netip.MustParseAddr("192.168.66.1")}).Marshal()
		if err != nil {
			t.Error(err)
			return
		}
		if err := forger.Write(b); err != nil {
			t.Error(err)
		}
	}}
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: hooks}).Run(f.ctx, f.plan)
	var names []string
	for _, c := range f.session.Guard.Checks() {
		names = append(names, c.Step+": "+c.Name+": "+c.Detail)
		if !c.Passed {
			t.Errorf("check failed: %+v", c)
		}
	}
	if len(names) != 5 || !strings.Contains(strings.Join(names, "\n"), "2 addresses (1 IPv4, 1 IPv6) answered") {
		t.Errorf("checks:\n%s", strings.Join(names, "\n"))
	}
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "forged") || !strings.Contains(rep.Error, forger.MAC().String()) || !strings.Contains(rep.Error, n1.String()) {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	tag := f.tag(t)
	if len(rep.Rollback) != 0 || tag("sw1-e3") != "66" || tag("sw1-e1") != "266" {
		t.Fatalf("rollback %+v, e1=%s e3=%s", rep.Rollback, tag("sw1-e1"), tag("sw1-e3"))
	}
}

func macOf(t *testing.T, f *fixture, node string) arpframe.MAC {
	t.Helper()
	m, err := arpframe.ParseMAC(strings.TrimSpace(labtest.Exec(t, f.lab, node, "cat", "/sys/class/net/eth1/address")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
