package labs

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/ndpframe"
)

// Scenario is a rehearsal with a fault staged in the lab. Scenarios work
// on the default topology (containerlab.yml): they name its nodes (old1,
// new2, sw1, sw2) and add nodes and links of their own. The -ipv6
// variants need IPv6 service addresses in the inventory (and the
// topology), e.g. labs/testdata/dualstack.clab.yml with
// labs/testdata/dualstack.yml.
type Scenario struct {
	Name        string
	Description string
	// Expect is the result the guard must reach.
	Expect string
	extend func(t *Topology, inv *plan.Inventory)
	// setup runs after staging, before the cut-over.
	setup func(ctx context.Context, l *Lab, inv *plan.Inventory) error
	// afterStep runs after the guard has checked a step; it reports
	// whether it injected anything.
	afterStep func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error)
	// needsIPv6: the scenario works on the inventory's IPv6 addresses.
	needsIPv6 bool
}

// Scenarios lists the built-in scenarios by name.
func Scenarios() map[string]Scenario {
	return map[string]Scenario{
		"stray-old-nic": {
			Name:        "stray-old-nic",
			Description: "old1 has a second NIC, not in the inventory, still in Production: blocked before promote, nothing promoted, old restored",
			Expect:      "blocked",
			extend: func(t *Topology, inv *plan.Inventory) {
				t.Topology.Links = append(t.Topology.Links, Link{Endpoints: []string{"sw1:eth5", "old1:eth2"}})
			},
			setup: func(ctx context.Context, l *Lab, inv *plan.Inventory) error {
				if err := l.SetPortTag(ctx, "sw1-e5", strconv.Itoa(inv.VLANs.Production)); err != nil {
					return err
				}
				_, err := l.Exec(ctx, "old1", nil, "ip", "address", "add", firstAddr(inv)+"/24", "dev", "eth2")
				return err
			},
		},
		"stray-old-nic-ipv6": {
			Name:        "stray-old-nic-ipv6",
			Description: "old1 has a second NIC, not in the inventory, in Production with its first IPv6 address only: blocked before promote, nothing promoted",
			Expect:      "blocked",
			needsIPv6:   true,
			extend: func(t *Topology, inv *plan.Inventory) {
				t.Topology.Links = append(t.Topology.Links, Link{Endpoints: []string{"sw1:e5", "old1:eth2"}})
			},
			setup: func(ctx context.Context, l *Lab, inv *plan.Inventory) error {
				if err := l.SetPortTag(ctx, "sw1-e5", strconv.Itoa(inv.VLANs.Production)); err != nil {
					return err
				}
				// Linux answers ARP on any interface for any of its
				// addresses; this NIC must stay IPv6-only.
				if _, err := l.Exec(ctx, "old1", nil, "sysctl", "-q", "-w", "net.ipv4.conf.eth2.arp_ignore=1"); err != nil {
					return err
				}
				// nodad: the address is old1's own on eth1, which would defend it.
				_, err := l.Exec(ctx, "old1", nil, "ip", "address", "add", serviceAddrs(inv, true)[0]+"/64", "dev", "eth2", "nodad")
				return err
			},
		},
		"late-duplicate-ipv6": {
			Name:        "late-duplicate-ipv6",
			Description: "after promote, another host takes a cut-over IPv6 address in Production and advertises it: the watcher halts the run",
			Expect:      "blocked",
			needsIPv6:   true,
			extend: func(t *Topology, inv *plan.Inventory) {
				t.Topology.Nodes["rogue"] = &Node{Kind: KindLinux, Labels: map[string]string{LabelRole: "rogue", LabelVLAN: strconv.Itoa(inv.VLANs.Production)}}
				t.Topology.Links = append(t.Topology.Links, Link{Endpoints: []string{"sw1:e6", "rogue:eth1"}})
			},
			afterStep: func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error) {
				if step != plan.StepPromote {
					return false, nil
				}
				a := serviceAddrs(inv, true)
				addr := a[min(1, len(a)-1)]
				// nodad: a misconfigured host that skips duplicate address
				// detection (or whose probe was lost) and announces itself.
				if _, err := l.Exec(ctx, "rogue", nil, "ip", "address", "add", addr+"/64", "dev", "eth1", "nodad"); err != nil {
					return false, err
				}
				return true, l.announceFrom(ctx, "rogue", "eth1", netip.MustParseAddr(addr))
			},
		},
		"new-missing": {
			Name:        "new-missing",
			Description: "new2 is down: the preflight blocks, nothing is changed",
			Expect:      "blocked",
			setup: func(ctx context.Context, l *Lab, inv *plan.Inventory) error {
				_, err := l.Exec(ctx, "new2", nil, "ip", "link", "set", "eth1", "down")
				return err
			},
		},
		"late-duplicate": {
			Name:        "late-duplicate",
			Description: "after promote, another host starts answering for a cut-over address in Production: the watcher halts the run",
			Expect:      "blocked",
			extend: func(t *Topology, inv *plan.Inventory) {
				t.Topology.Nodes["rogue"] = &Node{Kind: KindLinux, Labels: map[string]string{LabelRole: "rogue", LabelVLAN: strconv.Itoa(inv.VLANs.Production)}}
				t.Topology.Links = append(t.Topology.Links, Link{Endpoints: []string{"sw1:eth6", "rogue:eth1"}})
			},
			afterStep: func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error) {
				if step != plan.StepPromote {
					return false, nil
				}
				addr := secondAddr(inv)
				if _, err := l.Exec(ctx, "rogue", nil, "ip", "address", "add", addr+"/24", "dev", "eth1"); err != nil {
					return false, err
				}
				return true, l.announceFrom(ctx, "rogue", "eth1", netip.MustParseAddr(addr))
			},
		},
		"park-occupied": {
			Name:        "park-occupied",
			Description: "after promote, a host holding a cut-over address appears in the park VLAN: park is blocked",
			Expect:      "blocked",
			extend: func(t *Topology, inv *plan.Inventory) {
				t.Topology.Nodes["squatter"] = &Node{Kind: KindLinux, Labels: map[string]string{LabelRole: "squatter", LabelVLAN: "999"},
					Exec: []string{"ip address add " + lastAddr(inv) + "/24 dev eth1"}}
				t.Topology.Links = append(t.Topology.Links, Link{Endpoints: []string{"sw2:eth4", "squatter:eth1"}})
			},
			afterStep: func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error) {
				if step != plan.StepPromote {
					return false, nil
				}
				return true, l.SetPortTag(ctx, "sw2-e4", strconv.Itoa(inv.VLANs.Migration))
			},
		},
		"session-dropped": {
			Name:        "session-dropped",
			Description: "sw2's SSH session drops in the middle of the promote batch: its config session is never committed, isolate is undone, the old system returns",
			Expect:      "rolled_back",
			afterStep:   faultAfterIsolate("sw2", emulator.Faults{DropAfter: 3}),
		},
		"command-rejected": {
			Name:        "command-rejected",
			Description: "sw2 rejects a command of the promote batch: nothing of the batch is committed, isolate is undone, the old system returns",
			Expect:      "rolled_back",
			afterStep:   faultAfterIsolate("sw2", emulator.Faults{RejectCommand: "interface Ethernet2"}),
		},
		"probe-down": {
			Name:        "probe-down",
			Description: "the guard's probe link goes down after isolate: absence cannot be proven, so promote never happens; isolate is undone, the old system returns",
			Expect:      "rolled_back",
			afterStep: func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error) {
				if step != plan.StepIsolate {
					return false, nil
				}
				_, err := l.Exec(ctx, "probe", nil, "ip", "link", "set", "eth1", "down")
				return false, err
			},
		},
	}
}

// faultAfterIsolate sets faults on a node's in-process emulator once the
// isolate step has passed its guard.
func faultAfterIsolate(node string, f emulator.Faults) func(context.Context, *Lab, *plan.Inventory, string) (bool, error) {
	return func(ctx context.Context, l *Lab, inv *plan.Inventory, step string) (bool, error) {
		if step != plan.StepIsolate {
			return false, nil
		}
		srv := l.Emulator(node)
		if srv == nil {
			return false, fmt.Errorf("%s has no in-process emulator to inject faults into (is the lab running with emulator daemons? take it down first)", node)
		}
		srv.SetFaults(f)
		return false, nil
	}
}

// ScenarioNames lists the scenarios, sorted.
func ScenarioNames() []string {
	var names []string
	for n := range Scenarios() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookupScenario(name string) (*Scenario, error) {
	if name == "" {
		return nil, nil
	}
	sc, ok := Scenarios()[name]
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	return &sc, nil
}

// serviceAddrs returns the inventory's addresses of one family, sorted
// (all of them when it has none of that family).
func serviceAddrs(inv *plan.Inventory, ipv6 bool) []string {
	addrs := slices.Clone(inv.Systems.Old.Addresses)
	if of := slices.DeleteFunc(slices.Clone(addrs), func(a netip.Addr) bool { return a.Is6() != ipv6 }); len(of) > 0 {
		addrs = of
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// The IPv4 scenarios work on the IPv4 addresses of a dual-stack inventory.
func firstAddr(inv *plan.Inventory) string { return serviceAddrs(inv, false)[0] }
func secondAddr(inv *plan.Inventory) string {
	a := serviceAddrs(inv, false)
	return a[min(1, len(a)-1)]
}
func lastAddr(inv *plan.Inventory) string { a := serviceAddrs(inv, false); return a[len(a)-1] }

// announceFrom announces addr from a node's interface, as a host taking
// the address would: gratuitous ARP (both forms) for IPv4, an unsolicited
// neighbour advertisement with Override for IPv6.
func (l *Lab) announceFrom(ctx context.Context, node, iface string, addr netip.Addr) error {
	var conn *l2.Conn
	if err := netns.Do(l.NodeNS(node), func() (err error) { conn, err = l2.Listen(iface, l2.NeighborFilter()); return err }); err != nil {
		return err
	}
	defer conn.Close()
	var frames [][]byte
	if addr.Is6() {
		b, err := ndpframe.Announcement(0, conn.MAC(), conn.MAC(), addr)
		if err != nil {
			return err
		}
		frames = append(frames, b)
	} else {
		for _, f := range arpframe.Announcements(0, conn.MAC(), conn.MAC(), addr) {
			b, err := f.Marshal()
			if err != nil {
				return err
			}
			frames = append(frames, b)
		}
	}
	for i := 0; i < 3; i++ {
		for _, b := range frames {
			if err := conn.Write(b); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
