package snmp_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
)

// bigSwitch writes a recording of a 500-port Q-BRIDGE switch (the
// project's own test data, generated here): ifIndex 1001-1500 behind
// dot1dBasePort 1-500, ports spread over VLANs 10-19, every VLAN column
// writable.
func bigSwitch(t testing.TB, ports int) string {
	t.Helper()
	var recs []string
	add := func(oid, typ, val string) { recs = append(recs, oid+"|"+typ+"|"+val) }
	vlanOf := func(p int) int { return 10 + (p-1)%10 }
	add("1.3.6.1.2.1.1.1.0", "4", "cutover test switch, "+strconv.Itoa(ports)+" ports")
	for p := 1; p <= ports; p++ {
		idx := strconv.Itoa(1000 + p)
		add("1.3.6.1.2.1.2.2.1.2."+idx, "4", "GigabitEthernet1/0/"+strconv.Itoa(p))
		add("1.3.6.1.2.1.2.2.1.7."+idx, "2", "1")
		add("1.3.6.1.2.1.2.2.1.8."+idx, "2", "1")
		add("1.3.6.1.2.1.31.1.1.1.1."+idx, "4", "Gi1/0/"+strconv.Itoa(p))
		add("1.3.6.1.2.1.31.1.1.1.18."+idx, "4", "desk "+strconv.Itoa(p))
		add(oidBasePortIfIndex+"."+strconv.Itoa(p), "2", idx)
		add(oidPvid+"."+strconv.Itoa(p), "66:writecache", "value="+strconv.Itoa(vlanOf(p)))
	}
	for v := 10; v < 20; v++ {
		bitmap := make([]byte, (ports+7)/8)
		for p := 1; p <= ports; p++ {
			if vlanOf(p) == v {
				bitmap[(p-1)/8] |= 0x80 >> ((p - 1) % 8)
			}
		}
		add(oidStaticName+"."+strconv.Itoa(v), "4", fmt.Sprintf("VLAN%04d", v))
		add(oidStaticEgress+"."+strconv.Itoa(v), "4:writecache", fmt.Sprintf("hexvalue=%x", bitmap))
		add(oidStaticUntagged+"."+strconv.Itoa(v), "4:writecache", fmt.Sprintf("hexvalue=%x", bitmap))
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "big.snmprec"), []byte(strings.Join(recs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// WritableCopy sorts the records by OID into a directory snmpsimd can read.
	return labtest.WritableCopy(t, src, []string{"big.snmprec"}, func(_ string, r []string) []string { return r })
}

func bigDriver(t testing.TB, addr string) *snmp.QBridge {
	d, err := snmp.OpenQBridge(switchdrivers.Config{Name: "big", Address: addr, SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New("big")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.(*snmp.QBridge)
}

// TestBigSwitch reads 500 ports (names, ifIndex, VLANs resolved through
// the base ports) and moves 48 of them in one SET PDU.
func TestBigSwitch(t *testing.T) {
	sim := labtest.StartSnmpsim(t, bigSwitch(t, 500), "big")
	d := bigDriver(t, sim.Addr)
	ctx := context.Background()
	ports, err := d.Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 500 {
		t.Fatalf("%d ports", len(ports))
	}
	for _, p := range []int{1, 257, 500} {
		got := ports[p-1]
		want := switchdrivers.PortState{Name: "Gi1/0/" + strconv.Itoa(p), IfIndex: 1000 + p, Mode: "access", Segment: strconv.Itoa(10 + (p-1)%10), Admin: "up", Oper: "up", Description: "desk " + strconv.Itoa(p)}
		if got != want {
			t.Errorf("port %d: %+v, want %+v", p, got, want)
		}
	}
	t.Logf("500 ports read in %d round trips", d.RoundTrips())
	var moves []switchdrivers.Change
	for p := 1; len(moves) < 48; p += 10 { // the ports of VLAN 10
		moves = append(moves, switchdrivers.Change{Port: "Gi1/0/" + strconv.Itoa(p), From: "10", To: "11"})
	}
	before := d.SetPDUs()
	if err := d.Apply(ctx, moves); err != nil {
		t.Fatal(err)
	}
	if n := d.SetPDUs() - before; n != 1 {
		t.Errorf("48 moves took %d SET PDUs, want 1", n)
	}
}

// BenchmarkPorts500 reads a 500-port switch from snmpsimd on loopback.
func BenchmarkPorts500(b *testing.B) {
	sim := labtest.StartSnmpsim(b, bigSwitch(b, 500), "big")
	d := bigDriver(b, sim.Addr)
	ctx := context.Background()
	start := d.RoundTrips()
	n := 0
	for b.Loop() {
		if _, err := d.Ports(ctx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(d.RoundTrips()-start)/float64(n), "roundtrips/op")
}

// BenchmarkApply compares 1 and 48 port moves in one batch (one SET PDU
// each, plus the reads before and after).
func BenchmarkApply(b *testing.B) {
	sim := labtest.StartSnmpsim(b, bigSwitch(b, 500), "big")
	d := bigDriver(b, sim.Addr)
	ctx := context.Background()
	for i, n := range []int{1, 48} {
		b.Run(fmt.Sprintf("moves=%d", n), func(b *testing.B) {
			// Each case moves ports of its own VLAN (12, then 14) to the
			// next one and back.
			first := 3 + 2*i
			from, to := strconv.Itoa(10+first-1), strconv.Itoa(10+first)
			trips, sets, ops := d.RoundTrips(), d.SetPDUs(), 0
			defer func() {
				b.ReportMetric(float64(d.RoundTrips()-trips)/float64(ops), "roundtrips/op")
				b.ReportMetric(float64(d.SetPDUs()-sets)/float64(ops), "setPDUs/op")
			}()
			for b.Loop() {
				ops++
				var moves []switchdrivers.Change
				for p := first; len(moves) < n; p += 10 {
					moves = append(moves, switchdrivers.Change{Port: "Gi1/0/" + strconv.Itoa(p), From: from, To: to})
				}
				if err := d.Apply(ctx, moves); err != nil {
					b.Fatal(err)
				}
				from, to = to, from
			}
		})
	}
}
