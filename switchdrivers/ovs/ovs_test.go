package ovs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/ovs"
)

const topology = `
name: ovs-conformance
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

func TestConformance(t *testing.T) {
	l := labtest.Start(t, topology)
	ctx := context.Background()
	mon, err := l.MonitorPorts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mon.Close)
	drivertest.Run(t, drivertest.Harness{
		Open: func(t *testing.T) switchdrivers.Driver {
			d, err := ovs.Open(switchdrivers.Config{Name: "sw1", Address: l.DB()})
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		Ports:       []string{"sw1-e1", "sw1-e2", "sw1-e3"},
		Segments:    []string{"10", "20", "30"},
		Peer:        l.PortTag,
		Memberships: mon.History,
	})
}

func TestPortsReportsTrunksAndLinks(t *testing.T) {
	l := labtest.Start(t, topology)
	d, _ := ovs.Open(switchdrivers.Config{Name: "sw1", Address: l.DB()})
	ports, err := d.Ports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]switchdrivers.PortState{}
	for _, p := range ports {
		got[p.Name] = p
	}
	if len(got) != 4 {
		t.Fatalf("want 4 ports (not the bridge's own), got %v", ports)
	}
	if p := got["sw1-e9"]; p.Mode != switchdrivers.ModeTrunk || p.Segment != "" {
		t.Fatalf("probe port should be a trunk: %+v", p)
	}
	if p := got["sw1-e1"]; p.Mode != switchdrivers.ModeAccess || p.Segment != "10" || p.Admin != "up" || p.Oper != "up" {
		t.Fatalf("host port: %+v", p)
	}
	// A trunk is never moved.
	err = d.Apply(context.Background(), []switchdrivers.Change{{Port: "sw1-e9", From: "10", To: "20"}})
	if err == nil || !strings.Contains(err.Error(), "trunk mode") {
		t.Fatalf("moving a trunk: %v", err)
	}
}

// TestConcurrentChangeAbortsBatch moves a port between the driver's read
// and its transaction (a wrapper around ovs-vsctl does it just before the
// transaction runs): the compare-and-set must abort the whole batch.
func TestConcurrentChangeAbortsBatch(t *testing.T) {
	l := labtest.Start(t, topology)
	ctx := context.Background()
	dir := t.TempDir()
	real, err := exec.LookPath("ovs-vsctl")
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "ovs-vsctl")
	script := fmt.Sprintf(`#!/bin/sh
case "$*" in *wait-until*)
  if [ ! -e %[1]s/raced ]; then touch %[1]s/raced; %[2]s --db=%[3]s set Port sw1-e2 tag=77; fi;;
esac
exec %[2]s "$@"
`, dir, real, l.DB())
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	d, _ := ovs.Open(switchdrivers.Config{Name: "sw1", Address: l.DB(), Options: map[string]string{"timeout": "1s", "ovs_vsctl": wrapper}})
	err = d.Apply(ctx, []switchdrivers.Change{{Port: "sw1-e1", From: "10", To: "20"}, {Port: "sw1-e2", From: "10", To: "20"}})
	if _, serr := os.Stat(filepath.Join(dir, "raced")); serr != nil {
		t.Fatal("the race was not injected")
	}
	if !errors.Is(err, switchdrivers.ErrStale) || !strings.Contains(err.Error(), "sw1-e2") || !strings.Contains(err.Error(), "transaction aborted") || !switchdrivers.IsUntouched(err) {
		t.Fatalf("err = %v", err)
	}
	if tag, _ := l.PortTag(ctx, "sw1-e1"); tag != "10" {
		t.Fatalf("sw1-e1 moved although the batch was aborted: %s", tag)
	}
	if tag, _ := l.PortTag(ctx, "sw1-e2"); tag != "77" {
		t.Fatalf("sw1-e2 = %s, want the concurrent change (77) kept", tag)
	}
}

func TestUnreachableDatabaseNamesSwitch(t *testing.T) {
	d, err := ovs.Open(switchdrivers.Config{Name: "swX", Address: "unix:/nonexistent/db.sock", Options: map[string]string{"timeout": "1s"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Ports(context.Background())
	if err == nil || !strings.Contains(err.Error(), "switch swX") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenValidates(t *testing.T) {
	for _, cfg := range []switchdrivers.Config{
		{Name: "a"},
		{Name: "a", Address: "10.0.0.1"},
		{Name: "a", Address: "/x", Options: map[string]string{"bogus": "1"}},
		{Name: "a", Address: "/x", Options: map[string]string{"timeout": "soon"}},
		{Name: "a", Address: "/x", Options: map[string]string{"bridge": "br;rm"}},
	} {
		if _, err := ovs.Open(cfg); err == nil || !strings.Contains(err.Error(), "switch a") {
			t.Errorf("Open(%+v) = %v", cfg, err)
		}
	}
}

func TestMACTableNamesPorts(t *testing.T) {
	l := labtest.Start(t, topology)
	ctx := context.Background()
	// h1 speaks (an ARP probe from its own MAC); the switch learns it on sw1-e1.
	labtest.Exec(t, l, "h1", "ip", "address", "add", "10.0.0.1/24", "dev", "eth1")
	labtest.Exec(t, l, "h2", "ip", "address", "add", "10.0.0.2/24", "dev", "eth1")
	labtest.Ping(t, l, "h1", 300*time.Millisecond, "10.0.0.2")
	mac := strings.TrimSpace(labtest.Exec(t, l, "h1", "cat", "/sys/class/net/eth1/address"))
	d, _ := ovs.Open(switchdrivers.Config{Name: "sw1", Address: l.DB()})
	entries, err := d.(switchdrivers.MACTabler).MACTable(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.MAC == mac {
			if e.Port != "sw1-e1" || e.VLAN != 10 {
				t.Fatalf("h1's MAC on %s VLAN %d, want sw1-e1 VLAN 10", e.Port, e.VLAN)
			}
			return
		}
	}
	t.Fatalf("h1's MAC %s not in %+v", mac, entries)
}
