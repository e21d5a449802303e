package metrics

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cutover-net/cutover/probe/watch"
	"github.com/prometheus/client_golang/prometheus"
)

// Daemon holds the metrics of `cutover serve`, on the same registry as
// the watcher's: runs, steps, batches, guard checks, rehearsal downtime,
// the watchdog's interfaces, API requests and webhook deliveries.
type Daemon struct {
	runs       *prometheus.CounterVec
	active     *prometheus.GaugeVec
	steps      *prometheus.HistogramVec
	batches    *prometheus.HistogramVec
	checks     *prometheus.CounterVec
	downtime   *prometheus.GaugeVec
	requests   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	watchers   *watchCollector
}

// durationBuckets span a CLI line on a fast switch to a slow step.
var durationBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// EnableDaemon registers the daemon's metrics on m's registry.
func (m *Metrics) EnableDaemon() *Daemon {
	d := &Daemon{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_runs_total", Help: "Runs that ended, by kind (apply, fallback, rollback, rehearse, recover) and result (done, blocked, rolled_back, error, denied, expired).",
		}, []string{"kind", "result"}),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cutover_runs_in_progress", Help: "Runs in progress, by kind.",
		}, []string{"kind"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cutover_step_duration_seconds", Help: "Duration of each plan step (isolate, promote, park), guard checks included.",
			Buckets: durationBuckets,
		}, []string{"kind", "step"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cutover_batch_duration_seconds", Help: "Duration of one switch's batch of a step (one session, read-back included).",
			Buckets: durationBuckets,
		}, []string{"kind", "step", "switch"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_guard_checks_total", Help: "Guard checks, by step and outcome (passed, blocked).",
		}, []string{"step", "outcome"}),
		downtime: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cutover_rehearsal_downtime_seconds", Help: "The last rehearsal's measured downtime per address (longest gap between answered pings).",
		}, []string{"address"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_api_requests_total", Help: "API requests, by route pattern and HTTP status code.",
		}, []string{"route", "code"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_webhook_deliveries_total", Help: "Webhook deliveries, by webhook and outcome (delivered, failed after every attempt).",
		}, []string{"webhook", "outcome"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cutover_webhook_dropped_total", Help: "Webhook events dropped: the webhook's queue was full (the run never waits for a webhook), or still queued or in flight when a shutdown's grace period ended.",
		}, []string{"webhook"}),
		watchers: &watchCollector{},
	}
	m.Registry.MustRegister(d.runs, d.active, d.steps, d.batches, d.checks, d.downtime, d.requests, d.deliveries, d.dropped, d.watchers)
	return d
}

// RunStarted counts a run of kind in progress until RunEnded.
func (d *Daemon) RunStarted(kind string) { d.active.WithLabelValues(kind).Inc() }

// RunEnded records a run's end (started: whether RunStarted was called).
func (d *Daemon) RunEnded(kind, result string, started bool) {
	if started {
		d.active.WithLabelValues(kind).Dec()
	}
	d.runs.WithLabelValues(kind, result).Inc()
}

// ObserveStep records a step's duration.
func (d *Daemon) ObserveStep(kind, step string, dur time.Duration) {
	d.steps.WithLabelValues(kind, step).Observe(dur.Seconds())
}

// ObserveBatch records one switch's batch.
func (d *Daemon) ObserveBatch(kind, step, sw string, dur time.Duration) {
	d.batches.WithLabelValues(kind, step, sw).Observe(dur.Seconds())
}

// GuardCheck counts a guard check.
func (d *Daemon) GuardCheck(step string, passed bool) {
	outcome := "blocked"
	if passed {
		outcome = "passed"
	}
	d.checks.WithLabelValues(step, outcome).Inc()
}

// Downtime sets the last rehearsal's downtime of an address.
func (d *Daemon) Downtime(addr string, dur time.Duration) {
	d.downtime.WithLabelValues(addr).Set(dur.Seconds())
}

// APIRequest counts an API request.
func (d *Daemon) APIRequest(route string, code int) {
	d.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
}

// WebhookDelivered counts a delivery's outcome (delivered or failed).
func (d *Daemon) WebhookDelivered(hook, outcome string) {
	d.deliveries.WithLabelValues(hook, outcome).Inc()
}

// WebhookDropped counts an event dropped by a full queue.
func (d *Daemon) WebhookDropped(hook string) { d.dropped.WithLabelValues(hook).Inc() }

// Watch exports a watchdog analyzer's frames, bindings and conflicts under
// the interface's name (read at scrape time).
func (d *Daemon) Watch(iface string, a *watch.Analyzer) { d.watchers.add(iface, a) }

// watchCollector reads the watchdog's analyzers at scrape time.
type watchCollector struct {
	mu        sync.Mutex
	analyzers map[string]*watch.Analyzer
}

var (
	watchFrames = prometheus.NewDesc("cutover_watchdog_frames_total",
		"Frames the watchdog captured, by interface.", []string{"interface"}, nil)
	watchDropped = prometheus.NewDesc("cutover_watchdog_frames_dropped_total",
		"Frames the watchdog's capture lost (kernel drops), by interface.", []string{"interface"}, nil)
	watchBindings = prometheus.NewDesc("cutover_watchdog_bindings",
		"(VLAN, IP) bindings the watchdog knows, by interface.", []string{"interface"}, nil)
	watchConflicts = prometheus.NewDesc("cutover_watchdog_conflicts_total",
		"Duplicate-address conflicts the watchdog saw (two hosts answering for one address), by interface.", []string{"interface"}, nil)
)

func (c *watchCollector) add(iface string, a *watch.Analyzer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.analyzers == nil {
		c.analyzers = map[string]*watch.Analyzer{}
	}
	c.analyzers[iface] = a
}

func (c *watchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- watchFrames
	ch <- watchDropped
	ch <- watchBindings
	ch <- watchConflicts
}

func (c *watchCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	names := make([]string, 0, len(c.analyzers))
	for n := range c.analyzers {
		names = append(names, n)
	}
	sort.Strings(names)
	as := make([]*watch.Analyzer, len(names))
	for i, n := range names {
		as[i] = c.analyzers[n]
	}
	c.mu.Unlock()
	for i, a := range as {
		cnt := a.Counters()
		ch <- prometheus.MustNewConstMetric(watchFrames, prometheus.CounterValue, float64(cnt.Frames), names[i])
		ch <- prometheus.MustNewConstMetric(watchDropped, prometheus.CounterValue, float64(cnt.Dropped), names[i])
		ch <- prometheus.MustNewConstMetric(watchBindings, prometheus.GaugeValue, float64(a.BindingCount()), names[i])
		ch <- prometheus.MustNewConstMetric(watchConflicts, prometheus.CounterValue, float64(a.Conflicts()), names[i])
	}
}
