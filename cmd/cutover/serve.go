package main

import (
	"fmt"
	"log/slog"

	"github.com/cutover-net/cutover/internal/daemon"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/spf13/cobra"
)

func newServe() *cobra.Command {
	var configFile, logFormat string
	cmd := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Run the daemon: HTTP API with four-eyes approval, live status page, watchdog, /metrics, webhooks",
		Long: `serve runs cutover as a daemon: an HTTP+JSON API under /v1/ (inventories,
plans, runs with four-eyes approval, server-sent events, the live port
table, the watchdog), a live status page at /, Prometheus metrics at
/metrics and /healthz. It listens on 127.0.0.1 unless the configuration
says otherwise. On start it reports the runs a previous process left
unfinished and waits for an approver to choose how to recover them.

SIGINT or SIGTERM shut it down gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile == "" {
				return fmt.Errorf("--config FILE is required (see labs/serve.yml for an example)")
			}
			var h slog.Handler
			switch logFormat {
			case "text":
				h = slog.NewTextHandler(cmd.ErrOrStderr(), nil)
			case "json":
				h = slog.NewJSONHandler(cmd.ErrOrStderr(), nil)
			default:
				return fmt.Errorf("--log-format %q: want text or json", logFormat)
			}
			cfg, err := daemon.LoadConfig(configFile, nil)
			if err != nil {
				return err
			}
			return daemon.Run(cmd.Context(), cfg, daemon.Options{Log: slog.New(h), Registry: all.Registry(),
				Ready: func(url string) { fmt.Fprintf(cmd.ErrOrStderr(), "cutover serve: listening on %s\n", url) }})
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "", "the daemon's configuration file (YAML)")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "log lines as text or json")
	return cmd
}
