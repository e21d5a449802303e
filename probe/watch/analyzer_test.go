package watch_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/bpf"
)

var (
	macOld  = arpframe.MAC{0x02, 0, 0, 0, 0, 0x01}
	macNew  = arpframe.MAC{0x02, 0, 0, 0, 0, 0x02}
	macEvil = arpframe.MAC{0x02, 0, 0, 0, 0, 0x66}
	gw      = arpframe.MAC{0x02, 0, 0, 0, 0, 0xfe}
	ip30    = netip.MustParseAddr("192.168.66.30")
	ipGW    = netip.MustParseAddr("192.168.66.1")
	t0      = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
)

type frame struct {
	at time.Duration
	f  arpframe.Frame
}

func reply(vlan int, owner arpframe.MAC, ip netip.Addr) arpframe.Frame {
	return arpframe.Frame{VLAN: vlan, EthSrc: owner, EthDst: gw, Op: arpframe.OpReply, SenderMAC: owner, SenderIP: ip, TargetMAC: gw, TargetIP: ipGW}
}

// pkt is one frame of a synthetic capture, as bytes.
type pkt struct {
	at time.Duration
	b  []byte
}

// marshal turns ARP frames into pkts.
func marshal(t testing.TB, frames []frame) []pkt {
	t.Helper()
	out := make([]pkt, len(frames))
	for i, fr := range frames {
		b, err := fr.f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = pkt{fr.at, b}
	}
	return out
}

// capture writes frames as a pcap (ng=false) or pcapng file in memory.
func capture(t testing.TB, ng bool, frames []frame) []byte {
	t.Helper()
	return captureBytes(t, ng, marshal(t, frames))
}

// captureBytes writes frames as a pcap (ng=false) or pcapng file in memory.
func captureBytes(t testing.TB, ng bool, frames []pkt) []byte {
	t.Helper()
	var buf bytes.Buffer
	var write func(gopacket.CaptureInfo, []byte) error
	flush := func() error { return nil }
	if ng {
		w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
		if err != nil {
			t.Fatal(err)
		}
		write, flush = w.WritePacket, w.Flush
	} else {
		w := pcapgo.NewWriterNanos(&buf)
		if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		write = w.WritePacket
	}
	for _, fr := range frames {
		if err := write(gopacket.CaptureInfo{Timestamp: t0.Add(fr.at), CaptureLength: len(fr.b), Length: len(fr.b)}, fr.b); err != nil {
			t.Fatal(err)
		}
	}
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// analyse runs frames through the analyzer as pcap and as pcapng, and
// checks that both give the same result.
func analyse(t *testing.T, frames []frame, cfg watch.Config) watch.Report {
	t.Helper()
	return analyseBytes(t, marshal(t, frames), cfg)
}

// bigEndianPcap is a little-endian classic pcap file written as a
// big-endian host writes it (pcap-savefile(5): every header field in the
// writer's byte order).
func bigEndianPcap(t testing.TB, le []byte) []byte {
	t.Helper()
	out := bytes.Clone(le)
	swap := func(b []byte) {
		switch len(b) {
		case 2:
			binary.BigEndian.PutUint16(b, binary.LittleEndian.Uint16(b))
		case 4:
			binary.BigEndian.PutUint32(b, binary.LittleEndian.Uint32(b))
		}
	}
	if len(out) < 24 || binary.LittleEndian.Uint32(out) != 0xa1b23c4d {
		t.Fatal("not a little-endian pcap with nanosecond times")
	}
	for _, f := range [][2]int{{0, 4}, {4, 6}, {6, 8}, {8, 12}, {12, 16}, {16, 20}, {20, 24}} {
		swap(out[f[0]:f[1]])
	}
	for off := 24; off < len(out); {
		n := int(binary.LittleEndian.Uint32(out[off+8:]))
		for f := off; f < off+16; f += 4 {
			swap(out[f : f+4])
		}
		off += 16 + n
	}
	return out
}

// analyseBytes is analyse for frames given as bytes.
func analyseBytes(t *testing.T, frames []pkt, cfg watch.Config) watch.Report {
	t.Helper()
	var reports []watch.Report
	pcap := captureBytes(t, false, frames)
	for _, data := range [][]byte{pcap, captureBytes(t, true, frames), bigEndianPcap(t, pcap)} {
		a := watch.New(cfg)
		if err := watch.Read(bytes.NewReader(data), a); err != nil {
			t.Fatal(err)
		}
		reports = append(reports, a.Report())
	}
	for i, name := range []string{"pcapng", "big-endian pcap"} {
		if fmt.Sprint(reports[0].Counters, reports[0].Conflicts, reports[0].Forged) != fmt.Sprint(reports[i+1].Counters, reports[i+1].Conflicts, reports[i+1].Forged) {
			t.Fatalf("pcap and %s differ:\n%+v\n%+v", name, reports[0], reports[i+1])
		}
	}
	return reports[0]
}

func TestCleanCutoverIsNotAConflict(t *testing.T) {
	ms := time.Millisecond
	r := analyse(t, []frame{
		{0, reply(66, macOld, ip30)},
		{1 * time.Second, reply(66, macOld, ip30)},
		// isolate; 400 ms later the new system is announced
		{1*time.Second + 400*ms, arpframe.Announcements(66, gw, macNew, ip30)[0]},
		{1*time.Second + 401*ms, arpframe.Announcements(66, gw, macNew, ip30)[1]},
		{2 * time.Second, reply(66, macNew, ip30)},
		// the old system, parked in VLAN 166, speaks there: another VLAN
		{3 * time.Second, reply(166, macOld, ip30)},
	}, watch.Config{})
	if len(r.Conflicts) != 0 || r.EventCounts[watch.KindMoved] != 1 || r.EventCounts[watch.KindAnnouncement] != 2 || r.Gratuitous != 2 {
		t.Fatalf("%+v", r)
	}
	if len(r.Bindings) != 2 || r.Bindings[0].VLAN != 66 || r.Bindings[0].Owner != macNew.String() || r.Bindings[1].VLAN != 166 {
		t.Fatalf("bindings %+v", r.Bindings)
	}
}

func TestConflicts(t *testing.T) {
	ms := time.Millisecond
	cases := map[string][]frame{
		"two replies to one request": {{0, reply(66, macOld, ip30)}, {2 * ms, reply(66, macEvil, ip30)}},
		"flip-flop (spoofing)":       {{0, reply(66, macOld, ip30)}, {2 * time.Second, reply(66, macEvil, ip30)}, {4 * time.Second, reply(66, macOld, ip30)}},
		"simultaneous probes":        {{0, arpframe.Probe(66, macNew, ip30)}, {500 * ms, arpframe.Probe(66, macEvil, ip30)}},
	}
	for name, frames := range cases {
		t.Run(name, func(t *testing.T) {
			r := analyse(t, frames, watch.Config{})
			if len(r.Conflicts) != 1 || r.Conflicts[0].IP != ip30 || r.Conflicts[0].VLAN != 66 || len(r.Conflicts[0].MACs) != 2 {
				t.Fatalf("%+v", r.Conflicts)
			}
		})
	}
}

func TestNotConflicts(t *testing.T) {
	ipB := netip.MustParseAddr("192.168.66.31")
	cases := map[string][]frame{
		"one MAC, many addresses":         {{0, reply(66, macOld, ip30)}, {time.Millisecond, reply(66, macOld, ipB)}},
		"same address, different VLANs":   {{0, reply(66, macOld, ip30)}, {time.Millisecond, reply(166, macNew, ip30)}},
		"flip back after the hold":        {{0, reply(66, macOld, ip30)}, {time.Second, reply(66, macNew, ip30)}, {2 * time.Minute, reply(66, macOld, ip30)}},
		"probes spaced beyond the window": {{0, arpframe.Probe(66, macNew, ip30)}, {5 * time.Second, arpframe.Probe(66, macEvil, ip30)}},
		"own probes":                      {{0, arpframe.Probe(66, gw, ip30)}, {time.Millisecond, arpframe.Probe(66, macEvil, ip30)}},
	}
	for name, frames := range cases {
		t.Run(name, func(t *testing.T) {
			r := analyse(t, frames, watch.Config{Own: []arpframe.MAC{gw}})
			if len(r.Conflicts) != 0 {
				t.Fatalf("%+v", r.Conflicts)
			}
		})
	}
}

func TestExpectations(t *testing.T) {
	var events []watch.Event
	a := watch.New(watch.Config{OnEvent: func(e watch.Event) { events = append(events, e) }})
	a.Expect(66, ip30, []arpframe.MAC{macNew})
	obs := func(at time.Duration, f arpframe.Frame) {
		b, _ := f.Marshal()
		a.ObserveFrame(t0.Add(at), arpframe.LinkEthernet, b, 0)
	}
	obs(0, reply(66, macNew, ip30))
	obs(time.Second, reply(166, macEvil, ip30)) // no expectation for VLAN 166
	if a.Conflicts() != 0 {
		t.Fatalf("events %+v", events)
	}
	obs(20*time.Second, reply(66, macEvil, ip30))
	obs(21*time.Second, reply(66, macEvil, ip30)) // reported once
	if a.Conflicts() != 1 || events[len(events)-1].Kind != watch.KindUnexpected || events[len(events)-1].MACs[0] != macEvil.String() {
		t.Fatalf("conflicts %d, events %+v", a.Conflicts(), events)
	}
	// Nobody expected at all.
	a.Expect(266, ip30, nil)
	obs(30*time.Second, reply(266, macOld, ip30))
	if a.Conflicts() != 2 {
		t.Fatalf("conflicts %d", a.Conflicts())
	}
	if owners := a.Owners(66, ip30, t0.Add(19*time.Second)); len(owners) != 1 || owners[0] != macEvil {
		t.Fatalf("owners %v", owners)
	}
}

func TestProbeThenClaim(t *testing.T) {
	// A probe creates the binding before anybody claims the address (the
	// normal RFC 5227 sequence: probe, then announce).
	r := analyse(t, []frame{
		{0, arpframe.Probe(66, macNew, ip30)},
		{time.Second, arpframe.Announcements(66, macNew, macNew, ip30)[0]},
		{2 * time.Second, reply(66, macNew, ip30)},
	}, watch.Config{})
	if len(r.Conflicts) != 0 || len(r.Bindings) != 1 || r.Bindings[0].Owner != macNew.String() || r.Bindings[0].Claims[0].Count != 2 {
		t.Fatalf("%+v", r)
	}
}

func TestTaggedFramesAndOutOfBandVLAN(t *testing.T) {
	a := watch.New(watch.Config{})
	tagged, _ := reply(66, macOld, ip30).Marshal()
	untagged, _ := reply(0, macNew, ip30).Marshal()
	a.ObserveFrame(t0, arpframe.LinkEthernet, tagged, 0)
	a.ObserveFrame(t0, arpframe.LinkEthernet, untagged, 166) // VLAN from PACKET_AUXDATA
	r := a.Report()
	if len(r.Bindings) != 2 || r.Bindings[0].VLAN != 66 || r.Bindings[1].VLAN != 166 || len(r.Conflicts) != 0 {
		t.Fatalf("%+v", r.Bindings)
	}
}

func TestMalformedAndTruncated(t *testing.T) {
	good := capture(t, false, []frame{{0, reply(66, macOld, ip30)}, {time.Second, reply(66, macOld, ip30)}})
	// Corrupt the first frame's hardware length (pcap header, record
	// header, Ethernet, 802.1Q tag, then ARP byte 4), and cut the file
	// mid-frame.
	bad := append([]byte{}, good...)
	bad[24+16+14+4+4] = 99
	a := watch.New(watch.Config{})
	if err := watch.Read(bytes.NewReader(bad[:len(bad)-5]), a); err != nil {
		t.Fatal(err)
	}
	if c := a.Counters(); c.Malformed != 1 || c.Frames != 1 {
		t.Fatalf("%+v", c)
	}
	if err := watch.Read(bytes.NewReader([]byte("not a capture")), watch.New(watch.Config{})); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestFilter(t *testing.T) {
	vm, err := bpf.NewVM(disassemble(t))
	if err != nil {
		t.Fatal(err)
	}
	arp, _ := reply(0, macOld, ip30).Marshal()
	tagged, _ := reply(66, macOld, ip30).Marshal()
	snap := append(append(append([]byte{}, arp[:12]...), 0, 36, 0xaa, 0xaa, 3, 0, 0, 0, 8, 6), arp[14:]...)
	ipv4 := append(append([]byte{}, arp[:12]...), 0x08, 0x00, 0x45, 0, 0, 20)
	ndp := func(typ byte) []byte {
		b := append(append([]byte{}, arp[:12]...), 0x86, 0xdd)
		ip := make([]byte, 40+24)
		ip[0], ip[6], ip[7], ip[40] = 0x60, 58, 255, typ
		return append(b, ip...)
	}
	for name, c := range map[string]struct {
		b    []byte
		pass bool
	}{
		"arp": {arp, true}, "tagged arp": {tagged, true}, "snap arp": {snap, true},
		"ipv4": {ipv4, false}, "ndp ns": {ndp(135), true}, "ndp na": {ndp(136), true}, "icmpv6 echo": {ndp(128), false},
	} {
		n, err := vm.Run(c.b)
		if err != nil || (n > 0) != c.pass {
			t.Errorf("%s: filter returned %d, %v; want pass=%v", name, n, err, c.pass)
		}
	}
}

func disassemble(t *testing.T) []bpf.Instruction {
	var out []bpf.Instruction
	for _, ri := range watch.Filter() {
		out = append(out, ri.Disassemble())
	}
	return out
}

// BenchmarkAnalyseCapture reads a synthesised pcap of ARP traffic (1,000
// addresses in 4 VLANs, requests, replies and announcements) from memory.
func BenchmarkAnalyseCapture(b *testing.B) {
	var frames []frame
	for i := range 200000 {
		ip := netip.AddrFrom4([4]byte{10, byte(i % 4), byte(i / 256 % 4), byte(i % 250)})
		owner := arpframe.MAC{2, 0, 0, 0, byte(i % 4), byte(i % 250)}
		f := reply(10+i%4, owner, ip)
		if i%3 == 0 {
			f = arpframe.Request(10+i%4, gw, ipGW, ip)
		}
		frames = append(frames, frame{time.Duration(i) * time.Microsecond, f})
	}
	data := capture(b, false, frames)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var n uint64
	cpu := cpuTime()
	for b.Loop() {
		a := watch.New(watch.Config{})
		if err := watch.Read(bytes.NewReader(data), a); err != nil {
			b.Fatal(err)
		}
		n += a.Counters().ARP
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "frames/cpu-s")
}

// BenchmarkVersusTshark analyses the same synthesised capture file with
// this package and with tshark's duplicate-address detection.
func BenchmarkVersusTshark(b *testing.B) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		b.Skip("tshark is not installed (apt-get install tshark; make bench does)")
	}
	var frames []frame
	for i := range 200000 {
		ip := netip.AddrFrom4([4]byte{10, byte(i % 4), byte(i / 256 % 4), byte(i % 250)})
		frames = append(frames, frame{time.Duration(i) * time.Microsecond, reply(10+i%4, arpframe.MAC{2, 0, 0, 0, byte(i % 4), byte(i % 250)}, ip)})
	}
	path := filepath.Join(b.TempDir(), "arp.pcap")
	if err := os.WriteFile(path, capture(b, false, frames), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("cutover", func(b *testing.B) {
		for b.Loop() {
			a := watch.New(watch.Config{})
			if err := watch.ReadFile(path, a); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(frames)*b.N)/b.Elapsed().Seconds(), "frames/s")
	})
	b.Run("tshark", func(b *testing.B) {
		for b.Loop() {
			if out, err := exec.Command(tshark, "-r", path, "-Y", "arp.duplicate-address-detected").CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
		b.ReportMetric(float64(len(frames)*b.N)/b.Elapsed().Seconds(), "frames/s")
	})
}
