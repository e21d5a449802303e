// Package daemon is `cutover serve`: it reads the configuration (strict
// YAML, secrets from the environment or files), listens on 127.0.0.1 by
// default (HTTPS with a certificate and key), serves the HTTP API, the
// live status page, /metrics and /healthz, runs the duplicate-address
// watchdog on the configured interfaces and sends signed webhooks, and
// shuts down gracefully. Runs go through the same orchestration as the
// CLI's.
package daemon

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/cutover-net/cutover/internal/api"
	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/invdir"
	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/statuspage"
	"github.com/cutover-net/cutover/internal/watchdog"
	"github.com/cutover-net/cutover/internal/webhook"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/cutover-net/cutover/switchdrivers"
)

// WebhookEvents are the events a webhook can ask for: a request's
// (runrequest), a run's (internal/runs and the engine) and the watchdog's.
var WebhookEvents = []string{
	"requested", "approved", "denied", "expired", "refused", "stale", "started", "unfinished", "recovery",
	"journal", "guard-off", "guard", "check", "note", "step-start", "batch-done", "batch-failed", "step-done",
	"confirmed", "halt", "rollback-start", "rollback-done", "journal-failed", "end", "watchdog-conflict",
}

// Options are what the caller provides besides the configuration.
type Options struct {
	Log      *slog.Logger
	Registry *switchdrivers.Registry
	// Ready is called with the address the daemon listens on (its URL).
	Ready func(url string)
}

// Run serves until ctx ends, then shuts down gracefully: no new requests,
// streams closed, runs in progress given ShutdownTimeout to end (a run
// still going keeps its journal and lock: the next start reports it
// unfinished).
func Run(ctx context.Context, cfg *Config, opts Options) error {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	authn, err := auth.New(cfg.Tokens)
	if err != nil {
		return fmt.Errorf("%s: tokens: %w", cfg.File, err)
	}
	m := metrics.New(nil)
	dm := m.EnableDaemon()
	var targets []webhook.Target
	for _, h := range cfg.Webhooks {
		targets = append(targets, webhook.Target{Name: h.Name, URL: h.URL, Secret: h.Secret, Events: h.Events, Timeout: h.Timeout, Attempts: h.Attempts})
	}
	hooks := webhook.Start(targets, webhook.Options{Queue: cfg.WebhookQueue, Observer: dm, Log: log})
	// Last of all (after the runs' shutdown, whose events it may still
	// send): what is queued gets webhook_grace, the rest is dropped and
	// counted.
	defer func() {
		if n := hooks.Shutdown(cfg.WebhookGrace); n > 0 {
			log.Warn("webhook deliveries dropped at shutdown", "dropped", n, "grace", cfg.WebhookGrace)
		}
	}()
	var wd *watchdog.Watchdog
	if len(cfg.Watchdog) > 0 {
		var ifaces []watchdog.Interface
		for _, w := range cfg.Watchdog {
			ifaces = append(ifaces, watchdog.Interface{Name: w.Interface, VLAN: w.VLAN, Netns: w.Netns})
		}
		wd = watchdog.Start(ifaces, watchdog.Options{Log: log, OnConflict: func(i watchdog.Interface, e watch.Event) {
			hooks.Send("watchdog-conflict", ConflictEvent{Event: "watchdog-conflict", Time: e.Time, Interface: i.Label(), Conflict: e})
		}})
		defer wd.Close()
		for label, a := range wd.Analyzers() {
			dm.Watch(label, a)
		}
	}
	lookup, err := labEnv(cfg.Lab)
	if err != nil {
		return err
	}
	inventories := &invdir.Dir{Path: cfg.InventoryDir, Match: cfg.InventoryMatch, Registry: opts.Registry, LookupEnv: lookup}
	ex := &executor{inventories: inventories, registry: opts.Registry, confirmTimeout: cfg.ConfirmTimeout}
	if cfg.Lab != nil {
		ex.lab = &labRehearser{cfg: cfg.Lab, inventories: inventories, registry: opts.Registry, confirmTimeout: cfg.ConfirmTimeout}
	}
	obs := &observer{m: dm, hooks: hooks}
	board, err := runrequest.New(runrequest.Config{StateDir: cfg.StateDir, Executor: ex, ApprovalRequired: cfg.ApprovalRequired,
		ApprovalTimeout: cfg.ApprovalTimeout, Rehearse: cfg.Lab != nil, Observe: obs.observe, Log: log})
	if err != nil {
		return err
	}
	srv := api.New(api.Config{Runs: board, Auth: authn, Inventories: inventories, Registry: opts.Registry, Watchdog: wd,
		Metrics: m, Daemon: dm, Log: log, BodyLimit: cfg.BodyLimit, PublicMetrics: cfg.PublicMetrics, PublicHealthz: cfg.PublicHealthz,
		ConfirmTimeout: cfg.ConfirmTimeout, StatusPage: statuspage.Files()})

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("tls: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	streams, stopStreams := context.WithCancel(context.Background())
	defer stopStreams()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return streams }}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	url := scheme + "://" + ln.Addr().String()
	log.Info("listening", "url", url, "inventories", cfg.InventoryDir, "state", cfg.StateDir, "approval", cfg.ApprovalRequired)
	if opts.Ready != nil {
		opts.Ready(url)
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Event streams never end by themselves: end them, then let the other
	// requests finish.
	stopStreams()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	if err := board.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "error", err)
	}
	return nil
}

// ConflictEvent is the webhook body of a watchdog conflict.
type ConflictEvent struct {
	Event     string      `json:"event"`
	Time      time.Time   `json:"time"`
	Interface string      `json:"interface"`
	Conflict  watch.Event `json:"conflict"`
}

// labEnv resolves ${VAR} for inventories: the lab's CUTOVER_LAB_*
// variables when a lab is configured, then the environment.
func labEnv(lc *LabConfig) (func(string) (string, bool), error) {
	if lc == nil {
		return os.LookupEnv, nil
	}
	topo, err := labs.LoadTopology(lc.Topology)
	if err != nil {
		return nil, err
	}
	l, err := labs.New(topo, lc.Name, lc.RunDir)
	if err != nil {
		return nil, err
	}
	return func(k string) (string, bool) {
		if v, ok := l.Env()[k]; ok && v != "" {
			return v, true
		}
		return os.LookupEnv(k)
	}, nil
}
