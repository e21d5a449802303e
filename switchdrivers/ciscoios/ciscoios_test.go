package ciscoios_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

const topology = `
name: ios
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    h1: {kind: linux, labels: {cutover.vlan: "10"}}
    h2: {kind: linux, labels: {cutover.vlan: "10"}}
    h3: {kind: linux, labels: {cutover.vlan: "10"}}
    p:  {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "h1:eth1"]
    - endpoints: ["sw1:e2", "h2:eth1"]
    - endpoints: ["sw1:e3", "h3:eth1"]
    - endpoints: ["sw1:e9", "p:eth1"]
`

const password = "Ios-Emu-Passw0rd!"

type fixture struct {
	lab        *labs.Lab
	srv        *emulator.Server
	addr       string
	knownHosts string
}

// start brings up a lab and an emulated Catalyst for its sw1 on loopback.
func start(t testing.TB) *fixture {
	t.Helper()
	l := labtest.Start(t, topology)
	ifaces, err := l.EmulatedInterfaces("sw1")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New("cisco_iosxe", emulator.Config{Hostname: "sw1", Username: "admin", Password: password, Interfaces: ifaces, Backend: labs.OVSBackend{Lab: l}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	f := &fixture{lab: l, srv: srv, addr: ln.Addr().String(), knownHosts: filepath.Join(t.TempDir(), "known_hosts")}
	if err := srv.WriteKnownHosts(f.knownHosts, f.addr); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) config(opts map[string]string, pw string) switchdrivers.Config {
	if opts == nil {
		opts = map[string]string{"known_hosts": f.knownHosts, "timeout": "10s"}
	}
	return switchdrivers.Config{Name: "sw1", Address: f.addr, Username: "admin", Password: secret.New(pw), Options: opts}
}

func (f *fixture) open(t testing.TB) switchdrivers.Driver {
	d, err := ciscoios.Open(f.config(nil, password))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ovsPort maps Gi1/0/N to the lab's port.
func ovsPort(name string) string { return "sw1-e" + name[strings.LastIndexByte(name, '/')+1:] }

func TestConformance(t *testing.T) {
	f := start(t)
	mon, err := f.lab.MonitorPorts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mon.Close)
	drivertest.Run(t, drivertest.Harness{
		Open:        func(t *testing.T) switchdrivers.Driver { return f.open(t) },
		Ports:       []string{"Gi1/0/1", "Gi1/0/2", "Gi1/0/3"},
		Segments:    []string{"10", "20", "30"},
		Peer:        func(ctx context.Context, port string) (string, error) { return f.lab.PortTag(ctx, ovsPort(port)) },
		Memberships: func(port string) [][]string { return mon.History(ovsPort(port)) },
		Sessions:    f.srv.Sessions,
	})
}

func TestLongNamesAndSave(t *testing.T) {
	f := start(t)
	cfg := f.config(nil, password)
	cfg.Ports = []string{"GigabitEthernet1/0/2"}
	d, _ := ciscoios.Open(cfg)
	ctx := context.Background()
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: "GigabitEthernet1/0/2", From: "10", To: "266"}}); err != nil {
		t.Fatal(err)
	}
	if tag, _ := f.lab.PortTag(ctx, "sw1-e2"); tag != "266" {
		t.Fatalf("tag %s", tag)
	}
	cmds, _ := d.Render([]switchdrivers.Change{{Port: "GigabitEthernet1/0/2", From: "266", To: "10"}})
	if strings.Join(cmds, "|") != "configure terminal|interface GigabitEthernet1/0/2|switchport access vlan 10|end" {
		t.Fatalf("render %q", cmds)
	}
	if err := d.(switchdrivers.Saver).Save(ctx); err != nil {
		t.Fatal(err)
	}
	// The emulator created VLAN 266 as IOS does.
	if log := strings.Join(f.srv.ConfigLog(), "|"); !strings.Contains(log, "interface GigabitEthernet1/0/2|switchport access vlan 266") {
		t.Fatalf("config log %q", log)
	}
}

func TestMACTable(t *testing.T) {
	f := start(t)
	labtest.Exec(t, f.lab, "h1", "ip", "address", "add", "10.0.0.1/24", "dev", "eth1")
	labtest.Exec(t, f.lab, "h2", "ip", "address", "add", "10.0.0.2/24", "dev", "eth1")
	labtest.Ping(t, f.lab, "h1", 300*time.Millisecond, "10.0.0.2")
	mac := strings.TrimSpace(labtest.Exec(t, f.lab, "h1", "cat", "/sys/class/net/eth1/address"))
	entries, err := f.open(t).(switchdrivers.MACTabler).MACTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.MAC == mac {
			if e.Port != "Gi1/0/1" || e.VLAN != 10 {
				t.Fatalf("h1 on %s VLAN %d", e.Port, e.VLAN)
			}
			return
		}
	}
	t.Fatalf("%s not in %+v", mac, entries)
}

func TestHostKeyIsVerified(t *testing.T) {
	f := start(t)
	other := start(t) // another switch, another key
	ctx := context.Background()
	d, _ := ciscoios.Open(f.config(map[string]string{"known_hosts": other.knownHosts}, password))
	if _, err := d.Ports(ctx); err == nil || !strings.Contains(err.Error(), "switch sw1") {
		t.Fatalf("a wrong host key was accepted: %v", err)
	}
	if f.srv.Sessions() != 0 {
		t.Fatal("a session was opened despite the wrong host key")
	}
	d, _ = ciscoios.Open(f.config(map[string]string{"known_hosts": filepath.Join(t.TempDir(), "none")}, password))
	if _, err := d.Ports(ctx); err == nil {
		t.Fatal("a missing known_hosts file was accepted")
	}
	d, _ = ciscoios.Open(f.config(map[string]string{"insecure_host_key": "true"}, password))
	if _, err := d.Ports(ctx); err != nil {
		t.Fatalf("explicit opt-out: %v", err)
	}
}

func TestPasswordNeverInErrors(t *testing.T) {
	f := start(t)
	const wrong = "Wr0ng-But-Secret-Pw"
	d, _ := ciscoios.Open(f.config(nil, wrong))
	_, err := d.Ports(context.Background())
	if err == nil || strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), password) {
		t.Fatalf("err = %v", err)
	}
	f.srv.SetFaults(emulator.Faults{RefuseAuth: true})
	d = f.open(t)
	if _, err := d.Ports(context.Background()); err == nil || strings.Contains(err.Error(), password) || !strings.Contains(err.Error(), "ssh to") {
		t.Fatalf("err = %v", err)
	}
}

func TestFaultsNameSwitchPortCommand(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	d := f.open(t)
	batch := []switchdrivers.Change{{Port: "Gi1/0/1", From: "10", To: "20"}, {Port: "Gi1/0/2", From: "10", To: "30"}}
	f.srv.SetFaults(emulator.Faults{RejectCommand: "vlan 30"})
	err := d.Apply(ctx, batch)
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw1 port Gi1/0/2") ||
		!strings.Contains(err.Error(), `"switchport access vlan 30"`) || !strings.Contains(err.Error(), "Invalid input") {
		t.Fatalf("reject: %v", err)
	}
	// Line mode: the first port moved before the rejection; the engine undoes it.
	if tag, _ := f.lab.PortTag(ctx, "sw1-e1"); tag != "20" {
		t.Fatalf("sw1-e1 %s", tag)
	}
	f.lab.SetPortTag(ctx, "sw1-e1", "10")
	f.srv.SetFaults(emulator.Faults{DropAfter: 3})
	err = d.Apply(ctx, batch)
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "switch sw1") {
		t.Fatalf("drop: %v", err)
	}
	for _, p := range []string{"sw1-e1", "sw1-e2"} {
		if tag, _ := f.lab.PortTag(ctx, p); tag != "10" && tag != "20" && tag != "30" {
			t.Fatalf("%s in VLAN %s, which the plan did not name", p, tag)
		}
	}
}
