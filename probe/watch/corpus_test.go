package watch_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/probe/watch"
)

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

// TestCorpusCaptures analyses every capture in the corpus in place and
// compares the outcome with what its MANIFEST records.
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
		})
	}
}
