// Package metrics exposes cutover's Prometheus metrics on a registry of
// its own (no global state): duplicate-address conflicts (ARP and IPv6
// neighbour discovery) and forged ARP claims per VLAN, bindings, frames
// decoded and dropped, probe durations.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cutover-net/cutover/probe/watch"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one set of metrics on its own registry.
type Metrics struct {
	Registry  *prometheus.Registry
	conflicts *prometheus.CounterVec
	forged    *prometheus.CounterVec
	probes    *prometheus.HistogramVec
}

// New registers the metrics. a, if not nil, is the watcher whose
// bindings and frame counters are exported (read at scrape time).
func New(a *watch.Analyzer) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_arp_conflicts_total", Help: "Duplicate-address conflicts (ARP and IPv6 neighbour discovery, forged claims included) seen by the watcher, by VLAN.",
		}, []string{"vlan"}),
		forged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_forged_claims_total", Help: "ARP frames claiming an address for a MAC other than their Ethernet source, by VLAN.",
		}, []string{"vlan"}),
		probes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cutover_probe_duration_seconds", Help: "Duration of presence and absence probes.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"kind"}),
	}
	m.Registry.MustRegister(m.conflicts, m.forged, m.probes)
	if a != nil {
		m.Registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cutover_arp_bindings", Help: "(VLAN, IP) bindings the watcher knows."},
				func() float64 { return float64(a.BindingCount()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cutover_frames_decoded_total", Help: "ARP and neighbour-discovery frames decoded."},
				func() float64 { c := a.Counters(); return float64(c.ARP + c.NDP - c.Malformed) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cutover_frames_malformed_total", Help: "Malformed ARP/NDP frames."},
				func() float64 { return float64(a.Counters().Malformed) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cutover_frames_dropped_total", Help: "Frames the capture lost (kernel drops)."},
				func() float64 { return float64(a.Counters().Dropped) }),
		)
	}
	return m
}

// OnEvent counts conflict events (wire to watch.Config.OnEvent).
func (m *Metrics) OnEvent(e watch.Event) {
	if e.IsConflict() {
		m.conflicts.WithLabelValues(strconv.Itoa(e.VLAN)).Inc()
	}
	if e.Kind == watch.KindForged {
		m.forged.WithLabelValues(strconv.Itoa(e.VLAN)).Inc()
	}
}

// ObserveProbe records a probe's duration (wire to prober.Config.Observe).
func (m *Metrics) ObserveProbe(kind string, d time.Duration) {
	m.probes.WithLabelValues(kind).Observe(d.Seconds())
}

// Serve serves /metrics on addr until ctx ends.
func (m *Metrics) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
