package daemon

import (
	"time"

	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/webhook"
)

// WebhookBody is the JSON a webhook receives for a run's event: the run,
// its kind, inventory and plan hash, and the event itself (with the
// before/after segments of the ports it moved). It never holds a secret.
type WebhookBody struct {
	Event     string                  `json:"event"`
	Time      time.Time               `json:"time"`
	Run       string                  `json:"run"`
	Kind      runrequest.Kind         `json:"kind"`
	Inventory string                  `json:"inventory"`
	PlanHash  string                  `json:"plan_hash"`
	State     runrequest.State        `json:"state"`
	Step      string                  `json:"step,omitempty"`
	Switch    string                  `json:"switch,omitempty"`
	Ports     []runrequest.PortChange `json:"ports,omitempty"`
	Who       string                  `json:"who,omitempty"`
	Reason    string                  `json:"reason,omitempty"`
	Text      string                  `json:"text,omitempty"`
	Error     string                  `json:"error,omitempty"`
	Check     any                     `json:"check,omitempty"`
	Result    string                  `json:"result,omitempty"`
	// DurationMS is a step's or batch's duration.
	DurationMS float64 `json:"duration_ms,omitempty"`
	// DowntimeMS is a rehearsal's downtime per address (end only).
	DowntimeMS map[string]int64 `json:"downtime_ms,omitempty"`
}

// observer feeds every event of every run to the metrics and the webhooks.
type observer struct {
	m     *metrics.Daemon
	hooks *webhook.Dispatcher
}

// metricKind is the kind a run is counted under: recoveries apart.
func metricKind(v runrequest.View) string {
	if v.RecoveryMode != "" {
		return "recover"
	}
	return string(v.Kind)
}

func (o *observer) observe(v runrequest.View, ev runrequest.Event) {
	kind := metricKind(v)
	body := WebhookBody{Event: ev.Kind, Time: ev.Time, Run: v.ID, Kind: v.Kind, Inventory: v.Inventory, PlanHash: v.PlanHash, State: v.State,
		Step: ev.Step, Switch: ev.Switch, Ports: ev.Ports, Who: ev.Who, Reason: ev.Reason, Text: ev.Text, Error: ev.Error}
	if ev.Duration > 0 {
		body.DurationMS = float64(ev.Duration.Microseconds()) / 1000
	}
	switch ev.Kind {
	case "started":
		o.m.RunStarted(kind)
	case "step-done":
		o.m.ObserveStep(kind, ev.Step, ev.Duration)
	case "batch-done", "batch-failed":
		o.m.ObserveBatch(kind, ev.Step, ev.Switch, ev.Duration)
	case "check":
		if ev.Check != nil {
			o.m.GuardCheck(ev.Check.Step, ev.Check.Passed)
			body.Check = ev.Check
		}
	case "end":
		if ev.Result != nil {
			o.m.RunEnded(kind, ev.Result.Class, true)
			body.Result, body.Error = ev.Result.Class, ev.Result.Error
			body.DowntimeMS = ev.Result.DowntimeMS
			for addr, ms := range ev.Result.DowntimeMS {
				o.m.Downtime(addr, time.Duration(ms)*time.Millisecond)
			}
		} else {
			// Ended before it started: denied, expired, stale, refused.
			o.m.RunEnded(kind, string(ev.State), false)
			body.Result = string(ev.State)
		}
	}
	o.hooks.Send(ev.Kind, body)
}
