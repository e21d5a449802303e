package watch_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func sumCounts(fs []watch.ForgedReport) int {
	n := 0
	for _, f := range fs {
		n += f.Count
	}
	return n
}

// countNDP counts the neighbour solicitations and advertisements in a
// capture file with gopacket's own decoders (none of cutover's code).
func countNDP(t *testing.T, path string) (ns, na int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		t.Fatal(err)
	}
	var src gopacket.PacketDataSource
	var link layers.LinkType
	if binary.BigEndian.Uint32(magic) == 0x0a0d0d0a {
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		src, link = r, r.LinkType()
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			t.Fatal(err)
		}
		src, link = r, r.LinkType()
	}
	for {
		data, _, err := src.ReadPacketData()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return ns, na
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, link, gopacket.Lazy)
		if p.Layer(layers.LayerTypeICMPv6NeighborSolicitation) != nil {
			ns++
		}
		if p.Layer(layers.LayerTypeICMPv6NeighborAdvertisement) != nil {
			na++
		}
	}
}

var (
	kv       = regexp.MustCompile(`(\w+)=(\d+)`)
	dupEntry = regexp.MustCompile(`'([0-9a-fA-F.:]+)': \[([^\]]*)\]`)
	quoted   = regexp.MustCompile(`'([^']+)'`)
)

// Where the reference analysis is known to be short of the truth, the
// expected value is overridden here, with the reason.
var overrides = map[string]map[string]int{
	// The reference parser does not look inside 802.3 LLC/SNAP; the file's
	// note says its frames are ARP in LLC/SNAP: 2 requests and 2 replies.
	"zeek_snap-arp.pcapng": {"arp": 4, "req": 2, "reply": 2},
}

// forgedVerdicts is, per capture, the forged ARP claims in it (the
// MANIFEST's reference analysis does not record them): "station sender ip
// count". Only sniperdz has any — its note says the spoofer's frames come
// from Ethernet source 00:00:00:00:00:00 — and every other file must
// have none.
var forgedVerdicts = map[string][]string{
	"sniperdz_arp_spoofing.pcap": {"00:00:00:00:00:00 b4:b6:86:fb:db:07 192.168.1.1 18"},
}

// TestCorpusCaptures analyses every capture in the corpus in place and
// compares the outcome with what its MANIFEST records, the neighbour-
// discovery counts with an independent decoder (gopacket's layers), and
// the forged claims with forgedVerdicts.
func TestCorpusCaptures(t *testing.T) {
	dir := filepath.Join(corpus.Dir(t), "pcap")
	rows := corpus.Manifest(t, dir)
	if len(rows) == 0 {
		t.Fatal("empty manifest")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	if len(files) != len(rows) {
		t.Fatalf("%d captures, %d manifest rows", len(files), len(rows))
	}
	for _, row := range rows {
		name := filepath.Base(row["local_path"])
		t.Run(name, func(t *testing.T) {
			want := map[string]int{}
			for _, m := range kv.FindAllStringSubmatch(row["analysis"], -1) {
				want[m[1]], _ = strconv.Atoi(m[2])
			}
			for k, v := range overrides[name] {
				want[k] = v
			}
			a := watch.New(watch.Config{})
			if err := watch.ReadFile(filepath.Join(dir, name), a); err != nil {
				t.Fatal(err)
			}
			r := a.Report()
			got := map[string]int{"frames": int(r.Frames), "arp": int(r.ARP), "req": int(r.Requests), "reply": int(r.Replies),
				"gratuitous": int(r.Gratuitous), "probe": int(r.Probes), "malformed": int(r.Malformed)}
			for k, g := range got {
				if w, ok := want[k]; !ok || g != w {
					t.Errorf("%s = %d, manifest says %d (%s)", k, g, w, row["analysis"])
				}
			}
			// Duplicate-IP claims in the manifest are exactly our conflicts.
			wantDup := map[string][]string{}
			for _, m := range dupEntry.FindAllStringSubmatch(row["analysis"], -1) {
				var macs []string
				for _, q := range quoted.FindAllStringSubmatch(m[2], -1) {
					macs = append(macs, strings.ToLower(q[1]))
				}
				slices.Sort(macs)
				wantDup[m[1]] = macs
			}
			gotDup := map[string][]string{}
			for _, c := range r.Conflicts {
				gotDup[c.IP.String()] = c.MACs
			}
			if len(gotDup) != len(wantDup) {
				t.Fatalf("conflicts %v, manifest %v", gotDup, wantDup)
			}
			for ip, macs := range wantDup {
				if !slices.Equal(gotDup[ip], macs) {
					t.Fatalf("conflict on %s: %v, manifest %v", ip, gotDup[ip], macs)
				}
			}
			var forged []string
			for _, f := range r.Forged {
				forged = append(forged, fmt.Sprintf("%s %s %s %d", f.Station, f.Sender, f.IP, f.Count))
			}
			if !slices.Equal(forged, forgedVerdicts[name]) || int(r.ForgedFrames) != sumCounts(r.Forged) {
				t.Fatalf("forged %q, want %q", forged, forgedVerdicts[name])
			}
			ns, na := countNDP(t, filepath.Join(dir, name))
			if int(r.Solicits) != ns || int(r.Adverts) != na || int(r.NDP) != ns+na {
				t.Fatalf("NDP: %d solicitations, %d advertisements (%d in all); gopacket counts %d and %d", r.Solicits, r.Adverts, r.NDP, ns, na)
			}
		})
	}
}
