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
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/gateway"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/spf13/cobra"
)

func newWatch() *cobra.Command {
	var iface, pcap, format, metricsAddr string
	var own []string
	var vlan int
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "watch (--iface IF | --pcap FILE)",
		Short: "Duplicate-IP watchdog: analyse ARP/NDP live or from a capture file",
		Long: `watch keeps, per (VLAN, IP) — IPv4 from ARP, IPv6 from neighbour discovery —
the MACs that claim the address, and reports conflicts (two MACs answering at
once, flip-flops and Override flips, an owner change while the previous
owner still sends, simultaneous probes, duplicate-address-detection
collisions), forged ARP (a frame whose Ethernet source is not its sender
MAC), clean ownership moves and announcements.

--pcap FILE reads pcap or pcapng (Ethernet, Linux cooked, 802.1Q, LLC/SNAP,
IPv6 extension headers) and prints a report. --iface IF captures live until
interrupted (or for --duration), printing events as they happen and the
report at the end; with -o json every line is one JSON object, the report
last. --own MAC (repeatable) names cutover's probe hosts: their probes are
not events and their announcements on behalf of a new owner are not forged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if (iface == "") == (pcap == "") {
				return fmt.Errorf("give exactly one of --iface and --pcap")
			}
			var ownMACs []arpframe.MAC
			for _, s := range own {
				m, err := arpframe.ParseMAC(s)
				if err != nil {
					return fmt.Errorf("--own: %w", err)
				}
				ownMACs = append(ownMACs, m)
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
			a := watch.New(watch.Config{OnEvent: onEvent, Own: ownMACs})
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
	cmd.Flags().StringArrayVar(&own, "own", nil, "MAC of a cutover probe host (repeatable): its probes and announcements are expected")
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
	fmt.Fprintf(w, "%s: %d frames, %d ARP (%d requests, %d replies), %d NDP (%d solicitations, %d advertisements), %d probes, %d gratuitous, %d forged, %d malformed, %d other, %d dropped\n",
		source, r.Frames, r.ARP, r.Requests, r.Replies, r.NDP, r.Solicits, r.Adverts, r.Probes, r.Gratuitous, r.ForgedFrames, r.Malformed, r.Other, r.Dropped)
	fmt.Fprintf(w, "%d bindings, %d conflicts, %d forged claims\n", len(r.Bindings), len(r.Conflicts), len(r.Forged))
	for _, c := range r.Conflicts {
		fmt.Fprintf(w, "  CONFLICT VLAN %d %s: %v, %d times %s .. %s: %v\n", c.VLAN, c.IP, c.MACs, c.Count,
			c.First.Format(time.RFC3339), c.Last.Format(time.RFC3339), c.Reasons)
	}
	for _, f := range r.Forged {
		fmt.Fprintf(w, "  FORGED VLAN %d %s: station %s claims it for %s, %d times %s .. %s\n", f.VLAN, f.IP, f.Station, f.Sender, f.Count,
			f.First.Format(time.RFC3339), f.Last.Format(time.RFC3339))
	}
	return nil
}

func newGateway() *cobra.Command {
	var iface string
	var ips []string
	var vlan int
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "gateway --iface IF --ip ADDR [--ip ADDR6] [--vlan N]",
		Short: "Answer ARP/NDP and ping for a default gateway inside an isolated VLAN (Migration)",
		Long: `gateway stands in for the default gateway inside the isolated Migration
VLAN, where installers of the new system expect to ping it. For an IPv4
--ip it answers ARP requests and ICMP echo requests; for an IPv6 --ip,
neighbour solicitations (as a router, and defending the address against
duplicate-address detection) and ICMPv6 echo requests; nothing else. Give
--ip twice to stand in for both families. On a trunk, --vlan selects the
VLAN (frames are sent tagged). It announces each address once when it
starts and runs until interrupted (or for --duration).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var addrs []netip.Addr
			for _, ip := range ips {
				addr, err := netip.ParseAddr(ip)
				if err != nil || addr.Zone() != "" || addr.IsMulticast() || addr.IsUnspecified() || addr.Is4In6() {
					return fmt.Errorf("--ip %q: want an IPv4 or IPv6 unicast address", ip)
				}
				addrs = append(addrs, addr)
			}
			if len(addrs) > 2 || len(addrs) == 2 && addrs[0].Is4() == addrs[1].Is4() {
				return fmt.Errorf("--ip: give one IPv4 address, one IPv6 address, or one of each")
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
			fmt.Fprintf(cmd.ErrOrStderr(), "standing in for gateway %v on %s (%s) as %s; Ctrl-C to stop\n", addrs, iface, where, conn.MAC())
			var last gateway.Stats
			err = gateway.Serve(ctx, conn, addrs, vlan, func(s gateway.Stats) { last = s })
			fmt.Fprintf(cmd.OutOrStdout(), "answered %d ARP requests, %d neighbour solicitations and %d pings\n", last.ARPReplies, last.NDPReplies, last.EchoReplies)
			return err
		},
	}
	cmd.Flags().StringVar(&iface, "iface", "", "interface facing the VLAN (access port, or trunk with --vlan)")
	cmd.Flags().StringArrayVar(&ips, "ip", nil, "the gateway address to answer for (IPv4 or IPv6; give both for a dual-stack VLAN)")
	cmd.Flags().IntVar(&vlan, "vlan", 0, "VLAN to serve on a trunk")
	cmd.Flags().DurationVar(&duration, "duration", 0, "stop after this long")
	cmd.MarkFlagRequired("iface")
	cmd.MarkFlagRequired("ip")
	return cmd
}
