// Package daemon is `cutover serve`: it reads the configuration (strict
// YAML, secrets from the environment or files), listens on 127.0.0.1 by
// default (HTTPS with a certificate and key), serves the HTTP API, the
// live status page, /metrics and /healthz, runs the duplicate-address
// watchdog on the configured interfaces and sends signed webhooks, and
// shuts down gracefully. Runs go through the same orchestration as the
// CLI's.
package daemon

// WebhookEvents are the events a webhook can ask for.
var WebhookEvents = []string{
	"requested", "approved", "denied", "expired", "refused", "started",
	"step-start", "batch-done", "batch-failed", "step-done", "confirmed", "check", "blocked",
	"halt", "rollback-start", "rollback-done", "end", "unfinished", "recovery", "watchdog-conflict",
}
