package prober_test

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/prober"
)

// BenchmarkVersusArpScan measures, side by side in one lab, presence of
// 1,000 live addresses and absence of 1,000 unused ones: this prober
// (trunk, tagged frames) and arp-scan (Debian) at its defaults and tuned,
// both from the same probe host. Run with -benchtime 1x.
func BenchmarkVersusArpScan(b *testing.B) {
	arpScan, err := exec.LookPath("arp-scan")
	if err != nil {
		b.Skip("arp-scan is not installed (apt-get install arp-scan; make bench does)")
	}
	f := setup(b, prober.Config{})
	absent := make([]netip.Addr, len(f.addrs))
	for i, a := range f.addrs {
		v := a.As4()
		v[1] = 11
		absent[i] = netip.AddrFrom4(v)
	}
	dir := b.TempDir()
	write := func(name string, addrs []netip.Addr) string {
		var sb strings.Builder
		for _, a := range addrs {
			sb.WriteString(a.String() + "\n")
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(sb.String()), 0o644)
		return p
	}
	present, missing := write("present.txt", f.addrs), write("absent.txt", absent)
	ctx := context.Background()

	b.Run("cutover/presence", func(b *testing.B) {
		for b.Loop() {
			f.p.Forget(10, f.addrs) // a fresh target set each time (no rate limit)
			if owners, err := f.p.Presence(ctx, 10, f.addrs); err != nil || len(owners) != 1000 {
				b.Fatalf("%d answered: %v", len(owners), err)
			}
		}
	})
	b.Run("cutover/absence-300ms", func(b *testing.B) {
		for b.Loop() {
			if proof, _, err := f.p.Absence(ctx, 10, absent, 300*time.Millisecond); err != nil || proof == nil {
				b.Fatal(err)
			}
		}
	})
	// scan reports how many of the want addresses arp-scan found (the
	// tuned settings trade answers for speed).
	scan := func(b *testing.B, file string, want int, args ...string) {
		found := 0
		for b.Loop() {
			cmd := exec.Command("ip", append([]string{"netns", "exec", f.lab.NodeNS("probe"), arpScan, "-I", "eth1", "--vlan", "10", "-q", "-x", "-f", file}, args...)...)
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("arp-scan: %v: %s", err, out)
			}
			found = strings.Count(string(out), "\n")
		}
		b.ReportMetric(float64(found), "found")
		b.ReportMetric(float64(want), "expected")
	}
	b.Run("arp-scan-default/presence", func(b *testing.B) { scan(b, present, 1000) })
	b.Run("arp-scan-default/absence", func(b *testing.B) { scan(b, missing, 0) })
	tuned := []string{"-B", "100M", "-r", "1", "-t", "100"}
	b.Run("arp-scan-tuned/presence", func(b *testing.B) { scan(b, present, 1000, tuned...) })
	b.Run("arp-scan-tuned/absence", func(b *testing.B) { scan(b, missing, 0, tuned...) })
}
