package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/ndpframe"
)

func TestWatchPcapJSON(t *testing.T) {
	file := filepath.Join(corpus.Dir(t), "pcap", "sniperdz_arp_spoofing.pcap")
	code, out, stderr := cli(t, "watch", "--pcap", file, "-o", "json")
	var r struct {
		Source    string `json:"source"`
		ARP       int    `json:"arp"`
		Conflicts []struct {
			IP   string   `json:"ip"`
			MACs []string `json:"macs"`
		} `json:"conflicts"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.ARP != 37 || len(r.Conflicts) != 1 || r.Conflicts[0].IP != "192.168.1.1" || len(r.Conflicts[0].MACs) != 2 {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
	if code, _, stderr := cli(t, "watch"); code != exitError || !strings.Contains(stderr, "exactly one of --iface and --pcap") {
		t.Fatalf("%d %s", code, stderr)
	}
	// The text report names the forged claims: the spoofer sends from
	// 00:00:00:00:00:00 for b4:b6:86:fb:db:07.
	code, out, stderr = cli(t, "watch", "--pcap", file)
	if code != 0 || !strings.Contains(out, ", 18 forged,") || !strings.Contains(out, "1 conflicts, 1 forged claims") ||
		!strings.Contains(out, "FORGED VLAN 0 192.168.1.1: station 00:00:00:00:00:00 claims it for b4:b6:86:fb:db:07, 18 times") {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
	if code, _, stderr := cli(t, "watch", "--pcap", file, "--own", "nonsense"); code != exitError || !strings.Contains(stderr, "--own") {
		t.Fatalf("%d %s", code, stderr)
	}
}

// TestGatewayFlags: the stand-in takes one address of each family.
func TestGatewayFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--ip", "ff02::1"}, {"--ip", "192.168.66.1", "--ip", "192.168.66.2"}, {"--ip", "fe80::1%eth1"}, {"--ip", "nope"},
	} {
		if code, _, stderr := cli(t, append([]string{"gateway", "--iface", "lo"}, args...)...); code != exitError || !strings.Contains(stderr, "--ip") {
			t.Errorf("%v: %d %s", args, code, stderr)
		}
	}
}

// TestGuardedApplyAndFallback runs `cutover apply` and then `cutover
// fallback` against a lab, from the probe host's namespace (as an operator
// runs cutover on the host whose trunk reaches the VLANs).
func TestGuardedApplyAndFallback(t *testing.T) {
	l := labtest.Start(t, `
name: cli
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    old: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    new: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "old:eth1"]
    - endpoints: ["sw1:e2", "new:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`)
	inv := writeFile(t, "inv.yml", fmt.Sprintf(`version: 1
name: cli-guarded
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: %q}]
systems:
  old: {ports: [sw1:sw1-e1], addresses: [192.168.66.30]}
  new: {ports: [sw1:sw1-e2]}
guard: {trunk: eth1, sources: {production: 192.168.66.250}}
`, l.DB()))
	var code int
	var out, stderr string
	type report struct {
		Result string `json:"result"`
		Guard  []struct {
			Step   string `json:"step"`
			Passed bool   `json:"passed"`
		} `json:"guard"`
		Outage map[string]any `json:"outage"`
	}
	journalDir := t.TempDir()
	for _, command := range []string{"apply", "fallback"} {
		if err := netns.Do(l.NodeNS("probe"), func() error {
			code, out, stderr = cli(t, command, inv, "--yes", "--journal", journalDir, "-o", "json")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var rep report
		if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Result != "done" || len(rep.Guard) < 5 {
			t.Fatalf("%s: exit %d\n%s\n%s", command, code, out, stderr)
		}
		for _, c := range rep.Guard {
			if !c.Passed {
				t.Fatalf("%s: failed check %+v", command, c)
			}
		}
		if !strings.Contains(stderr, "announced 1 addresses in VLAN 66") {
			t.Fatalf("%s: no announcement in\n%s", command, stderr)
		}
		// The outage in parts, estimated (a real run has no pinger).
		expectOutage(t, command, rep.Outage)
		if rep.Outage["estimated"] != true {
			t.Fatalf("%s: the outage of a real run is not marked estimated: %v", command, rep.Outage)
		}
	}
	// After the fallback the old system is back in Production, the new one parked.
	if tag, _ := l.PortTag(t.Context(), "sw1-e1"); tag != "66" {
		t.Fatalf("old port in %s", tag)
	}
	if tag, _ := l.PortTag(t.Context(), "sw1-e2"); tag != "166" {
		t.Fatalf("new port in %s", tag)
	}
}

func TestRehearseScenarioExitCode(t *testing.T) {
	labtest.Require(t)
	code, out, stderr := cli(t, "rehearse", "-t", "../../containerlab.yml", "--name", labtest.Name("rsc"), "--run-dir", t.TempDir(), "--scenario", "new-missing")
	if code != exitBlocked || !strings.Contains(out, "Scenario new-missing (expected: blocked)") || !strings.Contains(stderr, "no answer for 192.168.66.31") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := cli(t, "rehearse", "-t", "../../containerlab.yml", "--scenario", "nope"); code != exitError || !strings.Contains(stderr, "unknown scenario") {
		t.Fatalf("%d %s", code, stderr)
	}
}

func TestWatchLiveWithMetrics(t *testing.T) {
	l := labtest.Start(t, `
name: watch
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    a: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad"]}
    b: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1", "ip address add fd66::30/64 dev eth1 nodad"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "a:eth1"]
    - endpoints: ["sw1:e2", "b:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// While watch runs, ask once who has .30 and fd66::30 (both hosts
	// answer), claim .31 for another MAC (forged), then scrape.
	scraped := make(chan string, 1)
	go func() {
		time.Sleep(500 * time.Millisecond)
		netns.Do(l.NodeNS("probe"), func() error {
			c, err := l2.Listen("eth1", l2.NeighborFilter())
			if err != nil {
				return err
			}
			defer c.Close()
			b, _ := arpframe.Probe(66, c.MAC(), netip.MustParseAddr("192.168.66.30")).Marshal()
			ns, _ := ndpframe.Solicitation(66, c.MAC(), netip.MustParseAddr("fd66::30"))
			forged, _ := arpframe.Announcements(66, c.MAC(), arpframe.MAC{2, 0, 0, 0, 0, 0x31}, netip.MustParseAddr("192.168.66.31"))[0].Marshal()
			return errors.Join(c.Write(b), c.Write(ns), c.Write(forged))
		})
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			scraped <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		scraped <- string(body)
	}()
	var code int
	var out, stderr string
	netns.Do(l.NodeNS("probe"), func() error {
		code, out, stderr = cli(t, "watch", "--iface", "eth1", "--duration", "2s", "--metrics-listen", addr, "-o", "json")
		return nil
	})
	metrics := <-scraped
	// Bindings: .30, .31 (for the MAC the forged frame names), fd66::30
	// and the probe's link-local address (its solicitation's source).
	if !strings.Contains(metrics, `cutover_arp_conflicts_total{vlan="66"}`) || !strings.Contains(metrics, `cutover_forged_claims_total{vlan="66"} 1`) ||
		!strings.Contains(metrics, "cutover_arp_bindings 4") || !strings.Contains(metrics, "cutover_frames_decoded_total") {
		t.Fatalf("metrics:\n%s", metrics)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var final struct {
		Conflicts []struct {
			VLAN int    `json:"vlan"`
			IP   string `json:"ip"`
		} `json:"conflicts"`
	}
	if code != 0 || json.Unmarshal([]byte(lines[len(lines)-1]), &final) != nil || len(final.Conflicts) != 2 ||
		final.Conflicts[0].VLAN != 66 || final.Conflicts[0].IP != "192.168.66.30" || final.Conflicts[1].IP != "fd66::30" {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, `"kind":"conflict"`) || !strings.Contains(out, `"kind":"forged"`) {
		t.Fatalf("no live conflict or forged event in\n%s", out)
	}
}
