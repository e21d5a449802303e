package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/probe/gateway"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/spf13/cobra"
)

func newWatch() *cobra.Command {
	var iface, pcap, format, metricsAddr string
	var vlan int
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "watch (--iface IF | --pcap FILE)",
		Short: "Duplicate-IP watchdog: analyse ARP/NDP live or from a capture file",
		Long: `watch keeps, per (VLAN, IP), the MACs that claim the address, and reports
conflicts (two MACs answering at once, flip-flops, simultaneous probes),
clean ownership moves and announcements.

--pcap FILE reads pcap or pcapng (Ethernet, Linux cooked, 802.1Q, LLC/SNAP)
and prints a report. --iface IF captures live until interrupted (or for
--duration), printing events as they happen and the report at the end;
with -o json every line is one JSON object, the report last.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if (iface == "") == (pcap == "") {
				return fmt.Errorf("give exactly one of --iface and --pcap")
			}
			out := cmd.OutOrStdout()
			var mu sync.Mutex
			var m *metrics.Metrics
			onEvent := func(e watch.Event) {
				if m != nil {
					m.OnEvent(e)
				}
				if pcap != "" {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				printEvent(out, format, e)
			}
			a := watch.New(watch.Config{OnEvent: onEvent})
			if pcap != "" {
				if err := watch.ReadFile(pcap, a); err != nil {
					return err
				}
				return printWatchReport(out, format, pcap, a.Report())
			}
			m = metrics.New(a)
			ctx := cmd.Context()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			if metricsAddr != "" {
				go func() {
					if err := m.Serve(ctx, metricsAddr); err != nil {
						fmt.Fprintln(cmd.ErrOrStderr(), "cutover: metrics:", err)
					}
				}()
			}
			tp, err := watch.OpenCapture(iface)
			if err != nil {
				return err
			}
			defer tp.Close()
			fmt.Fprintf(cmd.ErrOrStderr(), "watching ARP and neighbour discovery on %s (Ctrl-C to stop)\n", iface)
			if err := watch.RunCapture(ctx, tp, a, vlan); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			return printWatchReport(out, format, iface, a.Report())
		},
	}
	cmd.Flags().StringVar(&iface, "iface", "", "capture live on this interface")
	cmd.Flags().StringVar(&pcap, "pcap", "", "analyse this capture file (pcap or pcapng)")
	cmd.Flags().IntVar(&vlan, "vlan", 0, "VLAN of untagged frames (when --iface is an access port)")
	cmd.Flags().DurationVar(&duration, "duration", 0, "stop a live capture after this long")
	cmd.Flags().StringVar(&metricsAddr, "metrics-listen", "", "serve Prometheus /metrics here (e.g. 127.0.0.1:9850)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}

func printEvent(w io.Writer, format string, e watch.Event) {
	if format == "json" {
		json.NewEncoder(w).Encode(e)
		return
	}
	fmt.Fprintf(w, "%s %-18s VLAN %-4d %-15s %v %s\n", e.Time.Format("15:04:05.000"), e.Kind, e.VLAN, e.IP, e.MACs, e.Reason)
}

func printWatchReport(w io.Writer, format, source string, r watch.Report) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(struct {
			Source string `json:"source"`
			watch.Report
		}{source, r})
	}
	fmt.Fprintf(w, "%s: %d frames, %d ARP (%d requests, %d replies, %d probes, %d gratuitous), %d NDP, %d malformed, %d other, %d dropped\n",
		source, r.Frames, r.ARP, r.Requests, r.Replies, r.Probes, r.Gratuitous, r.NDP, r.Malformed, r.Other, r.Dropped)
	fmt.Fprintf(w, "%d bindings, %d conflicts\n", len(r.Bindings), len(r.Conflicts))
	for _, c := range r.Conflicts {
		fmt.Fprintf(w, "  CONFLICT VLAN %d %s: %v, %d times %s .. %s: %v\n", c.VLAN, c.IP, c.MACs, c.Count,
			c.First.Format(time.RFC3339), c.Last.Format(time.RFC3339), c.Reasons)
	}
	return nil
}

func newGateway() *cobra.Command {
	var iface, ip string
	var vlan int
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "gateway --iface IF --ip ADDR [--vlan N]",
		Short: "Answer ARP and ping for a default gateway inside an isolated VLAN (Migration)",
		Long: `gateway stands in for the default gateway inside the isolated Migration
VLAN, where installers of the new system expect to ping it: it answers ARP
requests and ICMP echo requests for --ip, and nothing else. On a trunk,
--vlan selects the VLAN (frames are sent tagged). It announces the address
once when it starts and runs until interrupted (or for --duration).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, err := netip.ParseAddr(ip)
			if err != nil || !addr.Is4() {
				return fmt.Errorf("--ip %q: want an IPv4 address", ip)
			}
			if vlan < 0 || vlan > 4094 {
				return fmt.Errorf("--vlan %d: want 1-4094 (or 0 for an access interface)", vlan)
			}
			conn, err := l2.Listen(iface, gateway.Filter())
			if err != nil {
				return err
			}
			defer conn.Close()
			ctx := cmd.Context()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			where := "untagged"
			if vlan != 0 {
				where = fmt.Sprintf("VLAN %d", vlan)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "standing in for gateway %s on %s (%s) as %s; Ctrl-C to stop\n", addr, iface, where, conn.MAC())
			var last gateway.Stats
			err = gateway.Serve(ctx, conn, addr, vlan, func(s gateway.Stats) { last = s })
			fmt.Fprintf(cmd.OutOrStdout(), "answered %d ARP requests and %d pings\n", last.ARPReplies, last.EchoReplies)
			return err
		},
	}
	cmd.Flags().StringVar(&iface, "iface", "", "interface facing the VLAN (access port, or trunk with --vlan)")
	cmd.Flags().StringVar(&ip, "ip", "", "the gateway address to answer for")
	cmd.Flags().IntVar(&vlan, "vlan", 0, "VLAN to serve on a trunk")
	cmd.Flags().DurationVar(&duration, "duration", 0, "stop after this long")
	cmd.MarkFlagRequired("iface")
	cmd.MarkFlagRequired("ip")
	return cmd
}
