package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// A Catalyst (revert timer) and an Arista (commit timer), with the
// emulators' timers 100 times faster: two minutes last 1.2 s.
const trialTopology = `
name: trial
topology:
  nodes:
    ios: {kind: cisco_cat9kv}
    eos: {kind: arista_ceos}
    o1: {kind: linux, labels: {cutover.vlan: "66"}}
    n1: {kind: linux, labels: {cutover.vlan: "166"}}
    o2: {kind: linux, labels: {cutover.vlan: "66"}}
    n2: {kind: linux, labels: {cutover.vlan: "166"}}
  links:
    - endpoints: ["ios:eth1", "o1:eth1"]
    - endpoints: ["ios:eth2", "n1:eth1"]
    - endpoints: ["eos:eth1", "o2:eth1"]
    - endpoints: ["eos:eth2", "n2:eth1"]
    - endpoints: ["ios:eth9", "eos:eth9"]
`

const scale = 0.01

func trialLab(t *testing.T) (*labs.Lab, map[string]switchdrivers.Driver, *plan.Plan) {
	l := labtest.New(t, trialTopology)
	l.EmulatorTimeScale = scale
	if err := l.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := func(node string) string {
		c := labtest.SwitchConfig(t, l, node, nil)
		return fmt.Sprintf("{name: %s, driver: %s, address: %q, username: admin, password: %q, options: {known_hosts: %q}}",
			node, map[string]string{"ios": "cisco_iosxe", "eos": "arista_eos"}[node], c.Address, labs.DefaultPassword, l.KnownHosts())
	}
	inv, err := plan.Parse("trial.yml", []byte(fmt.Sprintf(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - %s
  - %s
systems:
  old: {ports: ["ios:GigabitEthernet1/0/1", "eos:Ethernet1"], addresses: [192.168.66.30]}
  new: {ports: ["ios:GigabitEthernet1/0/2", "eos:Ethernet2"]}
`, cfg("ios"), cfg("eos"))), plan.LoadOptions{Catalog: all.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	drivers, err := engine.OpenDrivers(all.Registry(), inv)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := plan.Compile(inv)
	return l, drivers, p
}

func waitTag(t *testing.T, l *labs.Lab, port, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := l.PortTag(context.Background(), port)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stays in %s, want %s", port, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUnconfirmedTrialReverts is what happens when cutover dies between
// applying a step and confirming it: each switch goes back by itself.
func TestUnconfirmedTrialReverts(t *testing.T) {
	l, drivers, _ := trialLab(t)
	ctx := context.Background()
	for sw, port := range map[string]string{"ios": "GigabitEthernet1/0/1", "eos": "Ethernet1"} {
		ca, ok := drivers[sw].(switchdrivers.ConfirmedApplier)
		if !ok {
			t.Fatalf("%s offers no commit-confirmed", sw)
		}
		confirm, err := ca.ApplyConfirmed(ctx, []switchdrivers.Change{{Port: port, From: "66", To: "266"}}, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ovs := labtest.OVSPort(sw, port)
		if got, _ := l.PortTag(ctx, ovs); got != "266" {
			t.Fatalf("%s: trial not applied: %s", sw, got)
		}
		waitTag(t, l, ovs, "66") // the switch reverted on its own
		// A confirmation after the revert is an error, not a silent no-op.
		if err := confirm(ctx); err == nil || !strings.Contains(err.Error(), "switch "+sw) {
			t.Fatalf("%s: late confirmation: %v", sw, err)
		}
	}
}

// TestEngineConfirmsAfterTheGuard: every step is applied on trial and
// confirmed after its AfterStep hook; the state then outlives the timers.
func TestEngineConfirmsAfterTheGuard(t *testing.T) {
	l, drivers, p := trialLab(t)
	var mu sync.Mutex
	var events []string
	w, err := journal.Create(t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// pendingAt: what the journal says is on trial after each step's guard.
	pendingAt := map[string][]journal.PendingTrial{}
	hooks := hookFunc(func(kind string, p *plan.Plan, i int) error {
		mu.Lock()
		events = append(events, kind+":"+p.Steps[i].Name)
		mu.Unlock()
		if kind == "after" {
			run, err := journal.Read(w.Path())
			if err != nil {
				return err
			}
			pendingAt[p.Steps[i].Name] = run.PendingTrials()
		}
		return nil
	})
	e := &engine.Engine{Drivers: drivers, Hooks: hooks, Recorder: w, ConfirmTimeout: 2 * time.Minute, Progress: func(ev engine.Event) {
		if ev.Kind == "confirmed" {
			mu.Lock()
			events = append(events, fmt.Sprintf("confirmed:%s:%d:%v", ev.Step, ev.Moves, ev.Err))
			mu.Unlock()
		}
	}}
	rep := e.Run(context.Background(), p)
	if rep.Result != engine.ResultDone {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	want := "before:isolate after:isolate confirmed:isolate:2:<nil> before:promote after:promote confirmed:promote:2:<nil> before:park after:park confirmed:park:2:<nil>"
	if got := strings.Join(events, " "); got != want {
		t.Fatalf("events:\n%s\nwant:\n%s", got, want)
	}
	// The journal shows each step's trials pending until they were
	// confirmed, and none at the end.
	for step, trials := range pendingAt {
		if len(trials) != 2 || trials[0].Step != step || trials[1].Step != step {
			t.Errorf("pending after %s's guard: %+v", step, trials)
		}
	}
	run, err := journal.Read(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if left := run.PendingTrials(); len(left) != 0 || len(pendingAt) != 3 {
		t.Fatalf("pending trials at the end: %+v (checked after %d steps)", left, len(pendingAt))
	}
	time.Sleep(time.Duration(float64(2*time.Minute)*scale) + 800*time.Millisecond) // past every timer
	for port, vlan := range map[string]string{"ios-e1": "166", "ios-e2": "66", "eos-e1": "166", "eos-e2": "66"} {
		if got, _ := l.PortTag(context.Background(), port); got != vlan {
			t.Errorf("%s in %s after the timers, want %s (a confirmed step was reverted)", port, got, vlan)
		}
	}
}
