package watch_test

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/ndpframe"
	"github.com/cutover-net/cutover/probe/watch"
)

var (
	ip6   = netip.MustParseAddr("fd66::30")
	ip6b  = netip.MustParseAddr("fd66::31")
	ip6GW = netip.MustParseAddr("fd66::1")
	ms    = time.Millisecond
)

// must returns a function that fails the test on a build error.
func must(t testing.TB) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// answer is owner's solicited advertisement of addr to the gateway.
func answer(t testing.TB, vlan int, owner arpframe.MAC, addr netip.Addr) []byte {
	return must(t)(ndpframe.Advertisement(vlan, owner, addr, gw, ip6GW, false))
}

// announce is owner's own unsolicited advertisement (Override set).
func announce(t testing.TB, vlan int, owner arpframe.MAC, addr netip.Addr) []byte {
	return must(t)(ndpframe.Announcement(vlan, owner, owner, addr))
}

// dad is a duplicate-address-detection probe from mac.
func dad(t testing.TB, vlan int, mac arpframe.MAC, addr netip.Addr) []byte {
	return must(t)(ndpframe.Probe(vlan, mac, addr, ndpframe.Nonce{mac[5], 1, 2, 3, 4, 5}))
}

// solicit is mac asking for addr from its link-local address.
func solicit(t testing.TB, vlan int, mac arpframe.MAC, addr netip.Addr) []byte {
	return must(t)(ndpframe.Solicitation(vlan, mac, addr))
}

// hopByHop inserts an 8-byte Hop-by-Hop header (PadN) before the ICMPv6
// message of a frame with one 802.1Q tag.
func hopByHop(b []byte) []byte {
	const ip = 18
	out := append([]byte{}, b[:ip+40]...)
	next := out[ip+6]
	out[ip+6] = 0
	out = append(append(out, next, 0, 1, 4, 0, 0, 0, 0), b[ip+40:]...)
	binary.BigEndian.PutUint16(out[ip+4:], binary.BigEndian.Uint16(b[ip+4:])+8)
	return out
}

// kinds returns the event kinds of a report, sorted, with counts folded.
func conflictKinds(r watch.Report) []string {
	var out []string
	for kind, n := range r.EventCounts {
		if (watch.Event{Kind: kind}).IsConflict() && n > 0 {
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

func TestNDPConflicts(t *testing.T) {
	cases := []struct {
		name   string
		frames []pkt
		kind   string   // the conflict kind expected (exactly one conflict binding)
		macs   []string // its MACs, sorted
		reason string   // a fragment of its reason
	}{
		{"two MACs advertise one address", []pkt{
			{0, answer(t, 66, macOld, ip6)}, {2 * ms, answer(t, 66, macEvil, ip6)},
		}, watch.KindConflict, []string{macOld.String(), macEvil.String()}, "two MACs"},
		{"DAD probe, then the owner defends", []pkt{
			{0, answer(t, 66, macOld, ip6)},
			{5 * time.Second, dad(t, 66, macEvil, ip6)},
			{5*time.Second + 3*ms, announce(t, 66, macOld, ip6)},
		}, watch.KindDADCollision, []string{macOld.String(), macEvil.String()}, "defends it"},
		{"DAD probe right after the owner answered", []pkt{
			{0, answer(t, 66, macOld, ip6)}, {20 * ms, dad(t, 66, macEvil, ip6)},
		}, watch.KindDADCollision, []string{macOld.String(), macEvil.String()}, "answered for just now"},
		{"override flip", []pkt{
			{0, answer(t, 66, macOld, ip6)},
			{2 * time.Second, announce(t, 66, macEvil, ip6)},
			{4 * time.Second, announce(t, 66, macOld, ip6)},
		}, watch.KindConflict, []string{macOld.String(), macEvil.String()}, "override flip"},
		{"previous owner still sending after the change", []pkt{
			{0, answer(t, 66, macOld, ip6)},
			{5 * time.Second, announce(t, 66, macEvil, ip6)},
			{6 * time.Second, solicit(t, 66, macOld, ip6GW)}, // old is alive, resolving the gateway
		}, watch.KindConflict, []string{macOld.String(), macEvil.String()}, "still sending"},
		{"simultaneous DAD probes", []pkt{
			{0, dad(t, 66, macNew, ip6)}, {500 * ms, dad(t, 66, macEvil, ip6)},
		}, watch.KindSimultaneousProbe, []string{macNew.String(), macEvil.String()}, "simultaneous probes"},
		{"tagged, behind a Hop-by-Hop header", []pkt{
			{0, hopByHop(answer(t, 66, macOld, ip6))}, {2 * ms, hopByHop(answer(t, 66, macEvil, ip6))},
		}, watch.KindConflict, []string{macOld.String(), macEvil.String()}, "two MACs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := analyseBytes(t, c.frames, watch.Config{})
			if len(r.Conflicts) != 1 || r.Conflicts[0].IP != ip6 || r.Conflicts[0].VLAN != 66 || !slices.Equal(r.Conflicts[0].MACs, sortStrings(c.macs)) {
				t.Fatalf("conflicts %+v", r.Conflicts)
			}
			if r.EventCounts[c.kind] == 0 || !strings.Contains(strings.Join(r.Conflicts[0].Reasons, "; "), c.reason) {
				t.Fatalf("kind %s, reason %q: %v %v", c.kind, c.reason, r.EventCounts, r.Conflicts[0].Reasons)
			}
			if r.NDP == 0 || r.ARP != 0 {
				t.Fatalf("counters %+v", r.Counters)
			}
		})
	}
}

func sortStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestNDPNotConflicts(t *testing.T) {
	cases := map[string]struct {
		frames []pkt
		own    []arpframe.MAC
		moved  int
	}{
		// isolate, then the guard's announcer (gw here) claims the address
		// for the new MAC; the old system speaks again, parked in VLAN 166.
		"clean cut-over": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)},
			{1 * time.Second, answer(t, 66, macOld, ip6)},
			{1*time.Second + 400*ms, must(t)(ndpframe.Announcement(66, gw, macNew, ip6))},
			{2 * time.Second, answer(t, 66, macNew, ip6)},
			{3 * time.Second, answer(t, 166, macOld, ip6)},
			{4 * time.Second, solicit(t, 166, macOld, ip6GW)},
		}, moved: 1},
		"DAD, then the prober takes the free address": {frames: []pkt{
			{0, dad(t, 66, macNew, ip6)}, {time.Second, announce(t, 66, macNew, ip6)}, {2 * time.Second, answer(t, 66, macNew, ip6)},
		}},
		"DAD for an address whose owner is gone": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {10 * time.Second, dad(t, 66, macNew, ip6)}, {11 * time.Second, announce(t, 66, macNew, ip6)},
		}, moved: 1},
		"own DAD probes, the owner answers": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {5 * time.Second, dad(t, 66, gw, ip6)}, {5*time.Second + ms, announce(t, 66, macOld, ip6)},
		}, own: []arpframe.MAC{gw}},
		"one address, two VLANs": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {ms, answer(t, 166, macNew, ip6)},
		}},
		"one MAC, many addresses": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {ms, answer(t, 66, macOld, ip6b)},
		}},
		"flip back after the hold": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {time.Second, announce(t, 66, macNew, ip6)}, {2 * time.Minute, announce(t, 66, macOld, ip6)},
		}, moved: 2},
		"previous owner sends again after the hold": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)}, {time.Second, announce(t, 66, macNew, ip6)}, {2 * time.Minute, solicit(t, 66, macOld, ip6GW)},
		}, moved: 1},
		"a probe carrying a source link-layer option is malformed, not a probe": {frames: []pkt{
			{0, answer(t, 66, macOld, ip6)},
			{5 * time.Second, func() []byte {
				// a DAD probe with the forbidden option: hosts discard it (RFC 4861 §7.1.1)
				b := solicit(t, 66, macEvil, ip6)
				copy(b[18+8:18+24], make([]byte, 16)) // source ::
				return b
			}()},
			{5*time.Second + ms, announce(t, 66, macOld, ip6)},
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := analyseBytes(t, c.frames, watch.Config{Own: c.own})
			if len(r.Conflicts) != 0 || len(conflictKinds(r)) != 0 {
				t.Fatalf("conflicts %+v %v", r.Conflicts, r.EventCounts)
			}
			if r.EventCounts[watch.KindMoved] != uint64(c.moved) {
				t.Fatalf("moved %d, want %d (%v)", r.EventCounts[watch.KindMoved], c.moved, r.EventCounts)
			}
		})
	}
}

func TestNDPBindingsAndExpectations(t *testing.T) {
	var events []watch.Event
	a := watch.New(watch.Config{OnEvent: func(e watch.Event) { events = append(events, e) }})
	a.Expect(66, ip6, []arpframe.MAC{macNew})
	a.ObserveFrame(t0, arpframe.LinkEthernet, answer(t, 66, macNew, ip6), 0)
	a.ObserveFrame(t0.Add(time.Second), arpframe.LinkEthernet, answer(t, 0, macEvil, ip6), 166) // VLAN from PACKET_AUXDATA
	if a.Conflicts() != 0 {
		t.Fatalf("events %+v", events)
	}
	a.ObserveFrame(t0.Add(20*time.Second), arpframe.LinkEthernet, announce(t, 66, macEvil, ip6), 0)
	if a.Conflicts() != 1 || events[len(events)-1].Kind != watch.KindUnexpected || events[len(events)-1].IP != ip6 {
		t.Fatalf("conflicts %d, events %+v", a.Conflicts(), events)
	}
	r := a.Report()
	if len(r.Bindings) != 2 || r.Bindings[0].VLAN != 66 || r.Bindings[0].IP != ip6 || r.Bindings[1].VLAN != 166 {
		t.Fatalf("bindings %+v", r.Bindings)
	}
	if owners := a.Owners(66, ip6, t0.Add(19*time.Second)); len(owners) != 1 || owners[0] != macEvil {
		t.Fatalf("owners %v", owners)
	}
}

func TestForgedARP(t *testing.T) {
	spoofer := arpframe.MAC{0x02, 0, 0, 0, 0, 0x99}
	forgedReply := func(station, sender arpframe.MAC) arpframe.Frame {
		f := reply(66, sender, ipGW)
		f.EthSrc = station
		return f
	}
	t.Run("positive", func(t *testing.T) {
		for name, f := range map[string]arpframe.Frame{
			"reply for another MAC":          forgedReply(spoofer, macEvil),
			"from a zero Ethernet source":    forgedReply(arpframe.MAC{}, macEvil),
			"gratuitous request for another": arpframe.Announcements(66, spoofer, macEvil, ipGW)[0],
		} {
			t.Run(name, func(t *testing.T) {
				r := analyse(t, []frame{{0, reply(66, gw, ipGW)}, {10 * time.Second, f}, {12 * time.Second, f}}, watch.Config{})
				if len(r.Forged) != 1 || r.Forged[0].Station != f.EthSrc.String() || r.Forged[0].Sender != macEvil.String() || r.Forged[0].Count != 2 || r.Forged[0].IP != ipGW || r.Forged != nil && r.Forged[0].VLAN != 66 || r.ForgedFrames != 2 {
					t.Fatalf("forged %+v, counters %+v", r.Forged, r.Counters)
				}
				var forged []watch.Event
				for _, e := range r.Events {
					if e.Kind == watch.KindForged {
						forged = append(forged, e)
					}
				}
				if len(forged) != 2 || !forged[0].IsConflict() || !slices.Equal(forged[0].MACs, []string{f.EthSrc.String(), macEvil.String()}) {
					t.Fatalf("forged events %+v", forged)
				}
			})
		}
	})
	t.Run("negative", func(t *testing.T) {
		arp, _ := reply(0, macOld, ip30).Marshal()
		snap := append(append(append([]byte{}, arp[:12]...), 0, 36, 0xaa, 0xaa, 3, 0, 0, 0, 8, 6), arp[14:]...)
		for name, c := range map[string]struct {
			frames []pkt
			own    []arpframe.MAC
		}{
			"an owner's own reply":    {frames: marshal(t, []frame{{0, reply(66, macOld, ip30)}})},
			"an owner's announcement": {frames: marshal(t, []frame{{0, arpframe.Announcements(66, macOld, macOld, ip30)[0]}})},
			"LLC/SNAP":                {frames: []pkt{{0, snap}}},
			"the guard's announcer (own)": {frames: marshal(t, []frame{{0, arpframe.Announcements(66, gw, macNew, ip30)[0]}, {ms, arpframe.Announcements(66, gw, macNew, ip30)[1]}}),
				own: []arpframe.MAC{gw}},
			"an NDP advertisement naming another MAC": {frames: []pkt{{0, must(t)(ndpframe.Announcement(66, gw, macNew, ip6))}}},
		} {
			t.Run(name, func(t *testing.T) {
				r := analyseBytes(t, c.frames, watch.Config{Own: c.own})
				if len(r.Forged) != 0 || r.ForgedFrames != 0 || r.EventCounts[watch.KindForged] != 0 {
					t.Fatalf("forged %+v", r.Forged)
				}
				if len(r.Bindings) != 1 {
					t.Fatalf("bindings %+v", r.Bindings)
				}
			})
		}
	})
	t.Run("owner change while the previous owner still sends", func(t *testing.T) {
		// The gateway keeps sending from a second address of its own.
		other, second := netip.MustParseAddr("192.168.66.99"), netip.MustParseAddr("192.168.66.254")
		r := analyse(t, []frame{
			{0, reply(66, gw, ipGW)},
			{10 * time.Second, reply(66, macEvil, ipGW)},                   // taken over, cleanly so far
			{11 * time.Second, arpframe.Request(66, gw, second, other)},    // the gateway is still there
			{12 * time.Second, arpframe.Request(66, gw, second, other)},    // reported once
			{13 * time.Second, arpframe.Request(166, macOld, ip30, other)}, // another VLAN: irrelevant
			{14 * time.Second, arpframe.Request(66, macOld, ip30, ipGW)},   // a third station
		}, watch.Config{})
		if len(r.Conflicts) != 1 || r.Conflicts[0].IP != ipGW || r.Conflicts[0].Count != 1 || !strings.Contains(r.Conflicts[0].Reasons[0], "still sending") {
			t.Fatalf("%+v", r.Conflicts)
		}
	})
	t.Run("an owner change whose previous owner fell silent, or sends elsewhere", func(t *testing.T) {
		other := netip.MustParseAddr("192.168.66.99")
		r := analyse(t, []frame{
			{0, reply(66, macOld, ip30)},
			{10 * time.Second, reply(66, macNew, ip30)},
			{11 * time.Second, arpframe.Request(266, macOld, ip30, other)}, // isolated in VLAN 266
			{2 * time.Minute, arpframe.Request(66, macOld, other, ipGW)},   // back after the hold
		}, watch.Config{})
		if len(r.Conflicts) != 0 || r.EventCounts[watch.KindMoved] != 1 {
			t.Fatalf("%+v %v", r.Conflicts, r.EventCounts)
		}
	})
}

// TestNonNeighbourFramesAreSignsOfLife: in a capture file, any frame from
// the previous owner's station counts (here an IPv4 packet).
func TestNonNeighbourFramesAreSignsOfLife(t *testing.T) {
	ipv4 := func(src arpframe.MAC) []byte {
		b := append(append(append([]byte{}, gw[:]...), src[:]...), 0x81, 0, 0, 66, 0x08, 0x00)
		return append(b, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 192, 168, 66, 30, 192, 168, 66, 1)
	}
	r := analyseBytes(t, append(marshal(t, []frame{{0, reply(66, macOld, ip30)}, {time.Second, reply(66, macNew, ip30)}}),
		pkt{2 * time.Second, ipv4(macOld)}), watch.Config{})
	if len(r.Conflicts) != 1 || r.Other != 1 || !strings.Contains(r.Conflicts[0].Reasons[0], "still sending") {
		t.Fatalf("%+v %+v", r.Conflicts, r.Counters)
	}
}

// ndpTraffic synthesises n frames of neighbour discovery over 1,000
// addresses in 4 VLANs: solicitations from the gateway, solicited
// answers, announcements and duplicate-address-detection probes, some
// behind a Hop-by-Hop header.
func ndpTraffic(t testing.TB, n int) []pkt {
	frames := make([]pkt, 0, n)
	for i := range n {
		vlan := 10 + i%4
		ip := netip.AddrFrom16([16]byte{0xfd, 0, byte(vlan), 13: byte(i / 256 % 4), 14: byte(i % 4), 15: byte(i % 250)})
		owner := arpframe.MAC{2, 0, 0, byte(i % 4), byte(i / 256 % 4), byte(i % 250)}
		var b []byte
		switch i % 8 {
		case 0, 1, 2:
			b = must(t)(ndpframe.Solicitation(vlan, gw, ip))
		case 3, 4, 5:
			b = answer(t, vlan, owner, ip)
		case 6:
			b = hopByHop(announce(t, vlan, owner, ip))
		default:
			b = dad(t, vlan, owner, ip)
		}
		frames = append(frames, pkt{time.Duration(i) * time.Microsecond, b})
	}
	return frames
}

// BenchmarkAnalyseCaptureNDP reads a synthesised pcap of neighbour
// discovery (ndpTraffic, 200,000 frames) from memory.
func BenchmarkAnalyseCaptureNDP(b *testing.B) {
	data := captureBytes(b, false, ndpTraffic(b, 200000))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var n uint64
	cpu := cpuTime()
	for b.Loop() {
		a := watch.New(watch.Config{})
		if err := watch.Read(bytes.NewReader(data), a); err != nil {
			b.Fatal(err)
		}
		if c := a.Counters(); c.NDP != 200000 || c.Malformed != 0 {
			b.Fatalf("%+v", c)
		}
		n += a.Counters().Frames
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "frames/cpu-s")
}

// cpuTime is the CPU time this process has used (all threads, user and
// system): on a machine shared with other work, frames per CPU-second is
// the throughput of one core, where wall time also counts waiting for it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
