package vsphere_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/vsphere"
	"github.com/vmware/govmomi/simulator"
)

// TestMixedCutover runs one plan over simulator VMs and lab OVS ports
// (servers virtualised, media gateways on physical ports): the steps stay
// global, nothing is promoted anywhere until everything is isolated.
func TestMixedCutover(t *testing.T) {
	s := newSim(t, 2)
	l := labtest.Start(t, `
name: mixed
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    gw-old: {kind: linux, labels: {cutover.vlan: "66"}}
    gw-new: {kind: linux, labels: {cutover.vlan: "166"}}
  links:
    - endpoints: ["sw1:e1", "gw-old:eth1"]
    - endpoints: ["sw1:e2", "gw-new:eth1"]
`)
	vms := adapters(s, 4)
	text := fmt.Sprintf(`version: 1
name: mixed
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - name: vc
    driver: vsphere
    address: %q
    username: %s
    password: %s
    options: {ca_file: %q}
    segments: {production: NetXXXX66, migration: MigrationNet66, shadow: ShadowNet66}
  - {name: sw1, driver: ovs, address: %q}
systems:
  old: {ports: [%q, %q, "sw1:sw1-e1"], addresses: [192.168.66.30, 192.168.66.31, 192.168.66.40]}
  new: {ports: [%q, %q, "sw1:sw1-e2"]}
`, s.url.String(), s.user, s.pass, s.caFile, l.DB(), "vc:"+vms[0], "vc:"+vms[1], "vc:"+vms[2], "vc:"+vms[3])
	reg := all.Registry()
	inv, err := plan.Parse("mixed.yml", []byte(text), plan.LoadOptions{Catalog: reg})
	if err != nil {
		t.Fatal(err)
	}
	drivers, err := engine.OpenDrivers(reg, inv)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.CloseDrivers(drivers)
	place(t, drivers["vc"], "NetXXXX66", vms[:2]...)
	place(t, drivers["vc"], "MigrationNet66", vms[2:]...)
	p, err := plan.Compile(inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RenderCommands(engine.Commands{Drivers: drivers}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []string
	e := &engine.Engine{Drivers: drivers, Progress: func(ev engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev.Kind+":"+ev.Step+":"+ev.Switch)
	}}
	rep := e.Run(context.Background(), p)
	if rep.Result != engine.ResultDone {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	// Every batch of a step ends before the next step starts.
	seen := strings.Join(events, " ")
	for _, pair := range [][2]string{
		{"batch-done:isolate:vc", "step-start:promote:"}, {"batch-done:isolate:sw1", "step-start:promote:"},
		{"batch-done:promote:vc", "step-start:park:"}, {"batch-done:promote:sw1", "step-start:park:"},
	} {
		if i, j := strings.Index(seen, pair[0]), strings.Index(seen, pair[1]); i < 0 || j < 0 || i > j {
			t.Fatalf("%s should come before %s: %v", pair[0], pair[1], events)
		}
	}
	ctx := context.Background()
	for port, want := range map[string]string{vms[0]: "MigrationNet66", vms[1]: "MigrationNet66", vms[2]: "NetXXXX66", vms[3]: "NetXXXX66"} {
		if got, _ := s.peer(ctx, port); got != want {
			t.Errorf("%s on %q, want %s", port, got, want)
		}
	}
	for port, want := range map[string]string{"sw1-e1": "166", "sw1-e2": "66"} {
		if got, _ := l.PortTag(ctx, port); got != want {
			t.Errorf("%s in %s, want %s", port, got, want)
		}
	}
}

// BenchmarkMove50VMs moves 50 VMs' adapters in one step while the
// simulator takes 100 ms per ReconfigVM_Task call: run one by one that is
// 5 s; the wall time shows the tasks running in parallel.
func BenchmarkMove50VMs(b *testing.B) {
	s := newSim(b, 25) // per resource pool: 2 pools, 50 VMs
	if len(s.vms) < 50 {
		b.Fatalf("only %d VMs", len(s.vms))
	}
	ports := adapters(s, 50)
	d, err := vsphere.Open(s.config(nil, ports...))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	place(b, d, "NetXXXX66", ports...)
	const perTask = 100
	s.model.DelayConfig.MethodDelay = map[string]int{"ReconfigVM_Task": perTask}
	segs := []string{"NetXXXX66", "ShadowNet66"}
	i := 0
	for b.Loop() {
		var cs []switchdrivers.Change
		for _, p := range ports {
			cs = append(cs, switchdrivers.Change{Port: p, From: segs[i%2], To: segs[(i+1)%2]})
		}
		start := time.Now()
		if err := d.Apply(context.Background(), cs); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/step")
		i++
	}
	b.ReportMetric(50*perTask, "ms-if-serial")
}

// TestFailedReconfigureIsUndone: one VM's reconfigure task fails while the
// other's lands; the engine undoes the one that landed, so nothing stays
// half-moved.
func TestFailedReconfigureIsUndone(t *testing.T) {
	s := newSim(t, 2)
	vms := adapters(s, 4)
	text := fmt.Sprintf(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - name: vc
    driver: vsphere
    address: %q
    username: %s
    password: %s
    options: {ca_file: %q}
    segments: {production: NetXXXX66, migration: MigrationNet66, shadow: ShadowNet66}
systems:
  old: {ports: [%q, %q], addresses: [192.168.66.30, 192.168.66.31]}
  new: {ports: [%q, %q]}
`, s.url.String(), s.user, s.pass, s.caFile, "vc:"+vms[0], "vc:"+vms[1], "vc:"+vms[2], "vc:"+vms[3])
	reg := all.Registry()
	inv, err := plan.Parse("vc.yml", []byte(text), plan.LoadOptions{Catalog: reg})
	if err != nil {
		t.Fatal(err)
	}
	drivers, err := engine.OpenDrivers(reg, inv)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.CloseDrivers(drivers)
	place(t, drivers["vc"], "NetXXXX66", vms[:2]...)
	place(t, drivers["vc"], "MigrationNet66", vms[2:]...)
	p, _ := plan.Compile(inv)
	vmName := vms[1][:strings.LastIndexByte(vms[1], '/')]
	s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
		MethodName: "ReconfigVM_Task", ObjectType: "VirtualMachine", ObjectName: vmName,
		Probability: 1, FaultType: simulator.FaultTypeGeneric, Message: "injected: datastore busy", MaxCount: 1, Enabled: true,
	})
	rep := (&engine.Engine{Drivers: drivers}).Run(context.Background(), p)
	if rep.Result != engine.ResultRolledBack || !strings.Contains(rep.Error, "injected: datastore busy") || !strings.Contains(rep.Error, vms[1]) {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	if len(rep.Rollback) != 1 || rep.Rollback[0].Moves != 1 {
		t.Fatalf("the VM that moved should be moved back: %+v", rep.Rollback)
	}
	ctx := context.Background()
	for port, want := range map[string]string{vms[0]: "NetXXXX66", vms[1]: "NetXXXX66", vms[2]: "MigrationNet66", vms[3]: "MigrationNet66"} {
		if got, _ := s.peer(ctx, port); got != want {
			t.Errorf("%s on %q, want %s", port, got, want)
		}
	}
}
