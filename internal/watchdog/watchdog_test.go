package watchdog

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/watch"
)

func requireRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the watchdog test needs root (network namespaces) and CI runs as root")
		}
		t.Skip("skipping: needs root to make a network namespace")
	}
}

// TestWatchdogSeesConflictsPerVLAN: two MACs answering for one address in
// VLAN 66 on a trunk are a conflict in VLAN 66; the same address from one
// MAC in VLAN 166 is not. An interface that does not exist yet is retried
// and its error reported, then captured once it appears.
func TestWatchdogSeesConflictsPerVLAN(t *testing.T) {
	requireRoot(t)
	ns := fmt.Sprintf("cwd-%d", os.Getpid())
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	ip("netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })

	var mu sync.Mutex
	var conflicts []watch.Event
	wd := Start([]Interface{{Name: "trunk0", Netns: ns}}, Options{Retry: 20 * time.Millisecond, OnConflict: func(i Interface, e watch.Event) {
		if i.Label() != ns+"/trunk0" {
			t.Errorf("conflict on %s", i.Label())
		}
		mu.Lock()
		conflicts = append(conflicts, e)
		mu.Unlock()
	}})
	defer wd.Close()
	waitUntil(t, func() bool { st := wd.State(); return st[0].Error != "" })
	if st := wd.State()[0]; st.Capturing || st.Interface.Name != "trunk0" {
		t.Fatalf("state of a missing interface: %+v", st)
	}
	ip("-n", ns, "link", "add", "trunk0", "type", "veth", "peer", "name", "host0")
	ip("-n", ns, "link", "set", "trunk0", "up")
	ip("-n", ns, "link", "set", "host0", "up")
	waitUntil(t, func() bool { return wd.State()[0].Capturing })

	var conn *l2.Conn
	if err := netns.Do(ns, func() (err error) { conn, err = l2.Listen("host0", l2.ARPFilter()); return err }); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	addr := netip.MustParseAddr("192.0.2.10")
	send := func(vlan int, mac arpframe.MAC) {
		for _, f := range arpframe.Announcements(vlan, mac, mac, addr) {
			b, err := f.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.Write(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, b := arpframe.MAC{2, 0, 0, 0, 0, 1}, arpframe.MAC{2, 0, 0, 0, 0, 2}
	// Sent again until seen: a veth just brought up may drop the first.
	waitUntil(t, func() bool {
		mu.Lock()
		seen := len(conflicts) > 0
		mu.Unlock()
		if !seen {
			send(166, a)
			send(66, a)
			send(66, b)
			time.Sleep(50 * time.Millisecond)
		}
		return seen
	})
	mu.Lock()
	c := conflicts[0]
	mu.Unlock()
	if c.VLAN != 66 || c.IP != addr || len(c.MACs) != 2 {
		t.Errorf("conflict: %+v", c)
	}
	st := wd.State()[0]
	if len(st.Report.Conflicts) != 1 || st.Report.Conflicts[0].VLAN != 66 || st.Report.Frames < 6 || len(st.Report.Bindings) != 2 {
		t.Errorf("report: %+v", st.Report)
	}
	if a := wd.Analyzers()[ns+"/trunk0"]; a == nil || a.Conflicts() == 0 {
		t.Error("the analyzer is not exported")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
