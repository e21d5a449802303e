package prober_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/ndpframe"
	"github.com/cutover-net/cutover/probe/prober"
)

func TestPresenceAbsenceAndDuplicatesIPv6(t *testing.T) {
	f := setup(t, prober.Config{})
	ctx := context.Background()
	// The probe interface needs no IPv6 address: turn IPv6 off there.
	labtest.Exec(t, f.lab, "probe", "sysctl", "-q", "-w", "net.ipv6.conf.eth1.disable_ipv6=1")
	owners, err := f.p.Presence(ctx, 10, f.addrs6)
	if err != nil {
		t.Fatal(err)
	}
	many := macOf(t, f.lab, "many")
	if len(owners) != 1000 {
		t.Fatalf("%d of 1000 addresses answered", len(owners))
	}
	for a, macs := range owners {
		if len(macs) != 1 || macs[0] != many {
			t.Fatalf("%s: owners %v, want %v", a, macs, many)
		}
	}
	// The same addresses are absent from VLAN 20.
	proof, found, err := f.p.Absence(ctx, 20, f.addrs6[:50], 200*time.Millisecond)
	if err != nil || found != nil || proof == nil || proof.Probes < 50 || proof.End.Sub(proof.Start) < 200*time.Millisecond {
		t.Fatalf("absence: %+v %v %v", proof, found, err)
	}
	// A real duplicate: both MACs are named, by presence and by absence.
	// No rate limit holds the probes back: both hosts defend at once.
	dup := netip.MustParseAddr("fd20::5")
	want := []arpframe.MAC{macOf(t, f.lab, "a"), macOf(t, f.lab, "b")}
	owners, err = f.p.Presence(ctx, 20, []netip.Addr{dup})
	if err != nil || !sameMACs(owners[dup], want) {
		t.Fatalf("duplicate: %v %v, want %v", owners, err, want)
	}
	for range 2 {
		_, found, err = f.p.Absence(ctx, 20, []netip.Addr{dup}, 300*time.Millisecond)
		if err != nil || !sameMACs(found[dup], want) {
			t.Fatalf("absence of a present address: %v %v", found, err)
		}
	}
	// Both families in one call.
	mixed := []netip.Addr{netip.MustParseAddr("10.30.0.7"), netip.MustParseAddr("fd30::7")}
	f.p.Forget(30, mixed)
	owners, err = f.p.Presence(ctx, 30, mixed)
	c := macOf(t, f.lab, "c")
	if err != nil || len(owners) != 2 || owners[mixed[0]][0] != c || owners[mixed[1]][0] != c {
		t.Fatalf("mixed families: %v %v", owners, err)
	}
}

func sameMACs(got, want []arpframe.MAC) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			return false
		}
	}
	return true
}

// sendFrom sends frames from a node's eth1 while fn runs, every 20 ms.
func sendFrom(t *testing.T, f *fixture, node string, frame []byte, fn func()) {
	t.Helper()
	var conn *l2.Conn
	labtest.InNode(t, f.lab, node, func() (err error) { conn, err = l2.Listen("eth1", l2.NeighborFilter()); return err })
	defer conn.Close()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if err := conn.Write(frame); err != nil {
				t.Errorf("sending from %s: %v", node, err)
				return
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	<-stopped
}

// TestAbsenceSeesOtherProbesNotItsOwn: another station probing for an
// address (it is about to take it) breaks an absence proof; the prober's
// own probe looped back into the VLAN — its nonce — does not, even from
// its own MAC; a probe from the prober's MAC with another nonce (a clone
// of its MAC) does.
func TestAbsenceSeesOtherProbesNotItsOwn(t *testing.T) {
	f := setup(t, prober.Config{})
	ctx := context.Background()
	addr := netip.MustParseAddr("fd30::99")
	c := macOf(t, f.lab, "c")
	other, err := ndpframe.Probe(0, c, addr, ndpframe.Nonce{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	sendFrom(t, f, "c", other, func() {
		_, found, err := f.p.Absence(ctx, 30, []netip.Addr{addr}, 300*time.Millisecond)
		if err != nil || len(found[addr]) != 1 || found[addr][0] != c {
			t.Errorf("another station's probe: %v %v", found, err)
		}
	})
	looped, err := ndpframe.Probe(0, f.p.MAC(), addr, f.p.Nonce())
	if err != nil {
		t.Fatal(err)
	}
	sendFrom(t, f, "c", looped, func() {
		proof, found, err := f.p.Absence(ctx, 30, []netip.Addr{addr}, 300*time.Millisecond)
		if err != nil || proof == nil || found != nil {
			t.Errorf("own probe looped back: %+v %v %v", proof, found, err)
		}
	})
	clone, err := ndpframe.Probe(0, f.p.MAC(), addr, ndpframe.Nonce{6, 5, 4, 3, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	sendFrom(t, f, "c", clone, func() {
		_, found, err := f.p.Absence(ctx, 30, []netip.Addr{addr}, 300*time.Millisecond)
		if err != nil || len(found[addr]) != 1 || found[addr][0] != f.p.MAC() {
			t.Errorf("a probe with our MAC and another nonce: %v %v", found, err)
		}
	})
}

// TestAnnounceUpdatesNeighbourCachesIPv6: an unsolicited advertisement
// with Override moves a neighbour's cache entry to the new MAC at once.
func TestAnnounceUpdatesNeighbourCachesIPv6(t *testing.T) {
	f := setup(t, prober.Config{})
	ctx := context.Background()
	addr := netip.MustParseAddr("fd30::9")
	labtest.Exec(t, f.lab, "c", "ip", "-6", "neigh", "replace", addr.String(), "lladdr", "02:00:00:00:00:01", "dev", "eth1", "nud", "reachable")
	newMAC := arpframe.MAC{0x02, 0, 0, 0, 0, 0x02}
	if err := f.p.Announce(ctx, 30, map[netip.Addr]arpframe.MAC{addr: newMAC}, 1, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		out := labtest.Exec(t, f.lab, "c", "ip", "-6", "neigh", "show", addr.String())
		if strings.Contains(out, newMAC.String()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("c still has %q after the announcement", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
