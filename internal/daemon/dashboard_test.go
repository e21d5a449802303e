package daemon

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/probe/watch"
	dto "github.com/prometheus/client_model/go"
)

// TestDashboardUsesTheMetrics: every metric name in the Grafana dashboard
// is one the daemon exports (histograms with their _bucket, _sum and
// _count series), and every metric of the daemon is on the dashboard.
func TestDashboardUsesTheMetrics(t *testing.T) {
	m := metrics.New(nil)
	d := m.EnableDaemon()
	// Give every metric a series so that the registry shows them all.
	d.RunStarted("apply")
	d.RunEnded("apply", "done", true)
	d.ObserveStep("apply", "isolate", time.Second)
	d.ObserveBatch("apply", "isolate", "sw1", time.Second)
	d.GuardCheck("promote", true)
	d.Downtime("192.0.2.1", time.Second)
	d.APIRequest("GET /healthz", 200)
	d.WebhookDelivered("chat", "delivered")
	d.WebhookDropped("chat")
	d.Watch("eth1", watch.New(watch.Config{}))
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	var daemonFamilies []string
	for _, f := range families {
		name := f.GetName()
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				exported[name+s] = true
			}
		} else {
			exported[name] = true
		}
		// The watcher's own (cutover watch) are not the daemon's.
		if !strings.HasPrefix(name, "cutover_arp_") && !strings.HasPrefix(name, "cutover_probe_") && !strings.HasPrefix(name, "cutover_frames_") {
			daemonFamilies = append(daemonFamilies, name)
		}
	}
	b, err := os.ReadFile("dist/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`\bcutover_[a-z_]+\b`)
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := name.FindAllString(tg.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: %q uses no cutover metric", p.Title, tg.Expr)
			}
			for _, n := range names {
				used[n] = true
				if !exported[n] {
					t.Errorf("panel %q uses %s, which the daemon does not export", p.Title, n)
				}
			}
		}
	}
	for _, f := range daemonFamilies {
		if !slices.ContainsFunc(mapKeys(used), func(u string) bool {
			return u == f || strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(u, "_bucket"), "_sum"), "_count") == f
		}) {
			t.Errorf("metric %s is not on the dashboard", f)
		}
	}
	if len(daemonFamilies) < 12 {
		t.Errorf("only %d daemon metrics: %v", len(daemonFamilies), daemonFamilies)
	}
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
