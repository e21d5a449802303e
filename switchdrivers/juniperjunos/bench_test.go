package juniperjunos_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/juniperjunos"
)

// BenchmarkApply moves 1 and then 48 ports of one emulated EX switch
// back and forth: each batch is one SSH session (read, candidate, commit,
// read-back), so the cost is nearly flat in the number of ports.
func BenchmarkApply(b *testing.B) {
	var topo strings.Builder
	topo.WriteString("name: junb\ntopology:\n  nodes:\n    sw1: {kind: juniper_vjunosswitch, labels: {cutover.vlans: \"10,20\"}}\n")
	for i := 1; i <= 48; i++ {
		fmt.Fprintf(&topo, "    h%d: {kind: linux, labels: {cutover.vlan: \"10\"}}\n", i)
	}
	topo.WriteString("  links:\n")
	for i := 1; i <= 48; i++ {
		fmt.Fprintf(&topo, "    - endpoints: [\"sw1:eth%d\", \"h%d:eth1\"]\n", i, i)
	}
	l := labtest.Start(b, topo.String())
	cfg := labtest.SwitchConfig(b, l, "sw1", nil)
	d, err := juniperjunos.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	sessions := l.Emulator("sw1").Sessions
	ctx := context.Background()
	for _, n := range []int{1, 48} {
		b.Run(fmt.Sprintf("moves=%d", n), func(b *testing.B) {
			from, to := "10", "20"
			before := sessions()
			ops := 0
			for b.Loop() {
				var batch []switchdrivers.Change
				for i := 0; i < n; i++ {
					batch = append(batch, switchdrivers.Change{Port: fmt.Sprintf("ge-0/0/%d", i), From: from, To: to})
				}
				if err := d.Apply(ctx, batch); err != nil {
					b.Fatal(err)
				}
				from, to = to, from
				ops++
			}
			b.ReportMetric(float64(sessions()-before)/float64(ops), "sessions/op")
			if ops%2 == 1 { // leave the ports in VLAN 10 for the next case
				var back []switchdrivers.Change
				for i := 0; i < n; i++ {
					back = append(back, switchdrivers.Change{Port: fmt.Sprintf("ge-0/0/%d", i), From: from, To: to})
				}
				if err := d.Apply(ctx, back); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
