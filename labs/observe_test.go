package labs_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
)

// TestObserverSeesTwoOwnersNotAReturn: the independent observer counts two
// hosts answering for one address in its VLAN, IPv4 (ARP) and IPv6
// (neighbour discovery) alike, and does not count a host that answers
// again after the other one left (a rollback).
func TestObserverSeesTwoOwnersNotAReturn(t *testing.T) {
	l := labtest.Start(t, `
name: obs
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    a: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad"]}
    b: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad"]}
    gw: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.1/24 dev eth1", "ip address add fd66::1/64 dev eth1 nodad"]}
  links:
    - endpoints: ["sw1:e1", "a:eth1"]
    - endpoints: ["sw1:e2", "b:eth1"]
    - endpoints: ["sw1:e8", "gw:eth1"]
`)
	ctx := context.Background()
	addrs := []netip.Addr{netip.MustParseAddr("192.168.66.30"), netip.MustParseAddr("fd66::30")}
	obs, err := l.Observe(ctx, "gw", "eth1", 66, addrs, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	start := time.Now()
	// until flushes the gateway's neighbour caches (so it asks again now,
	// not when an entry expires) until the observer has seen n owners of
	// each address.
	until := func(n int) {
		t.Helper()
		for _, addr := range addrs {
			for deadline := time.Now().Add(10 * time.Second); len(obs.Watch.Owners(66, addr, start)) < n; {
				if time.Now().After(deadline) {
					t.Fatalf("the observer saw %d owners of %s, want %d", len(obs.Watch.Owners(66, addr, start)), addr, n)
				}
				labtest.Exec(t, l, "gw", "ip", "neigh", "flush", "dev", "eth1")
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	until(1) // a answers
	// a leaves Production and b arrives (a cut-over), then b leaves and a
	// returns (a rollback): one owner at a time.
	l.SetPortTag(ctx, "sw1-e1", "266")
	l.SetPortTag(ctx, "sw1-e2", "66")
	until(2)
	l.SetPortTag(ctx, "sw1-e2", "166")
	l.SetPortTag(ctx, "sw1-e1", "66")
	claims := func(addr netip.Addr) int {
		for _, b := range obs.Watch.Report().Bindings {
			if b.IP == addr && b.VLAN == 66 {
				n := 0
				for _, c := range b.Claims {
					n += c.Count
				}
				return n
			}
		}
		return 0
	}
	for _, addr := range addrs {
		for before := claims(addr); claims(addr) <= before+1; { // a answered again
			labtest.Exec(t, l, "gw", "ip", "neigh", "flush", "dev", "eth1")
			time.Sleep(100 * time.Millisecond)
		}
	}
	if n := obs.Conflicts(); n != 0 {
		t.Fatalf("a return after the other host left counted as %d conflicts: %+v", n, obs.Watch.Report().Events)
	}
	// Both in Production: both answer the gateway's request, for each family.
	l.SetPortTag(ctx, "sw1-e2", "66")
	seen := map[netip.Addr]bool{}
	for deadline := time.Now().Add(10 * time.Second); !seen[addrs[0]] || !seen[addrs[1]]; {
		if time.Now().After(deadline) {
			t.Fatalf("two hosts answering were not seen for every address: %v", seen)
		}
		labtest.Exec(t, l, "gw", "ip", "neigh", "flush", "dev", "eth1")
		time.Sleep(100 * time.Millisecond)
		for _, e := range obs.Watch.Report().Events {
			seen[e.IP] = seen[e.IP] || e.IsConflict() && len(e.MACs) == 2
		}
	}
}
