package snmp_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
	"github.com/gosnmp/gosnmp"
)

// rawMembership reads, straight from the agent (not through the driver),
// the static VLANs base port base is an egress or untagged member of, and
// its PVID.
func rawMembership(t *testing.T, addr, community string, base int) (egress, untagged []int, pvid int) {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	g := &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: community, Version: gosnmp.Version2c, Timeout: 5 * time.Second, Retries: 2, MaxOids: 60}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	defer g.Conn.Close()
	member := func(root string) []int {
		var out []int
		err := g.BulkWalk(root, func(v gosnmp.SnmpPDU) error {
			b, _ := v.Value.([]byte)
			i := base - 1
			if i/8 < len(b) && b[i/8]&(0x80>>(i%8)) != 0 {
				vlan, _ := strconv.Atoi(v.Name[strings.LastIndex(v.Name, ".")+1:])
				out = append(out, vlan)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	egress, untagged = member(oidStaticEgress), member(oidStaticUntagged)
	pkt, err := g.Get([]string{fmt.Sprintf("%s.%d", oidPvid, base)})
	if err != nil || len(pkt.Variables) != 1 {
		t.Fatalf("reading the PVID: %v", err)
	}
	return egress, untagged, int(gosnmp.ToBigInt(pkt.Variables[0].Value).Int64())
}

// TestMoveWhenPVIDDiffersFromUntaggedVLAN: a port untagged in one VLAN
// whose PVID names another (a real switch's walk, edited so: EdgeSwitch
// port 0/3 is untagged in VLAN 2, its PVID set to 5) is an access port of
// the VLAN it is untagged in. Moving it to VLAN 6 must take it out of
// every VLAN it is a member of and set the PVID, so that it ends up
// untagged (and an egress member) in VLAN 6 alone: never untagged in two
// VLANs, which is what remove-before-add forbids.
func TestMoveWhenPVIDDiffersFromUntaggedVLAN(t *testing.T) {
	dir, _ := corpusFiles(t)
	name, community := "edgeswitch_us-8-v2.snmprec", "edgeswitch_us-8-v2"
	r := readRecording(t, filepath.Join(dir, name))
	const base = 3
	copyDir := labtest.WritableCopy(t, dir, []string{name}, func(file string, records []string) []string {
		out := writable(r)(file, records)
		for i, rec := range out {
			if strings.HasPrefix(rec, fmt.Sprintf("%s.%d|", oidPvid, base)) {
				out[i] = fmt.Sprintf("%s.%d|66:writecache|value=5", oidPvid, base)
			}
		}
		return out
	})
	sim := labtest.StartSnmpsim(t, copyDir, community)
	ctx := context.Background()
	egress, untagged, pvid := rawMembership(t, sim.Addr, community, base)
	if !slices.Equal(untagged, []int{2}) || !slices.Equal(egress, []int{2}) || pvid != 5 {
		t.Fatalf("the edited walk: base port %d egress %v untagged %v PVID %d, want egress [2] untagged [2] PVID 5", base, egress, untagged, pvid)
	}
	d := open(t, snmp.QBridgeName, sim.Addr, community, nil)
	ports, err := d.Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var p switchdrivers.PortState
	for _, q := range ports {
		if q.Name == "0/3" {
			p = q
		}
	}
	if p.Mode != switchdrivers.ModeAccess || p.Segment != "2" {
		t.Errorf("0/3 (untagged in VLAN 2 only, PVID 5) reported as %s %q, want access in VLAN 2", p.Mode, p.Segment)
	}
	if w := strings.Join(d.(interface{ Warnings() []string }).Warnings(), "\n"); !strings.Contains(w, "dot1qPvid.3 (1.3.6.1.2.1.17.7.1.4.5.1.1.3): 0/3 (base port 3) is untagged in VLAN 2 alone but its PVID is 5") {
		t.Errorf("no warning about the PVID of 0/3:\n%s", w)
	}
	// The move, as the engine makes it: from the VLAN the driver reports.
	aerr := d.Apply(ctx, []switchdrivers.Change{{Port: "0/3", From: p.Segment, To: "6"}})
	egress, untagged, pvid = rawMembership(t, sim.Addr, community, base)
	if len(untagged) > 1 {
		t.Errorf("after the move 0/3 is untagged in VLANs %v at once (Apply: %v)", untagged, aerr)
	}
	if !slices.Equal(untagged, []int{6}) || !slices.Equal(egress, []int{6}) || pvid != 6 {
		t.Errorf("after the move 0/3 has egress %v, untagged %v, PVID %d; want VLAN 6 alone (Apply: %v)", egress, untagged, pvid, aerr)
	}
	if aerr != nil {
		t.Fatalf("move 0/3 %s -> 6: %v", p.Segment, aerr)
	}
	after, err := d.Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range after {
		if q.Name == "0/3" && (q.Mode != switchdrivers.ModeAccess || q.Segment != "6") {
			t.Errorf("read after the move: 0/3 %s %q", q.Mode, q.Segment)
		}
	}
}
