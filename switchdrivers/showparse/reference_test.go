package showparse

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"gopkg.in/yaml.v3"
)

// The field-by-field comparison with the other references of the
// corpus: genieparser's outputs (../shared/corpus/genie, a nested schema
// keyed by interface, VLAN, MAC or IP) and napalm's getters
// (../shared/corpus/napalm). Each reference's schema is mapped once,
// here, onto flat records — one per interface, VLAN, MAC entry or ARP
// entry, with a key and string fields — and our parsers' records onto
// the same; agreement is the share of fields that are equal, records
// missing on either side counting as wholly different. The ntc corpus
// (whose schema our records follow) is summed up per platform too.

// ref is one record in a mapped schema: "_key" identifies it.
type ref map[string]string

// refSet is one reference's outputs of one command.
type refSet struct {
	corpus   string // genie, napalm
	platform string // ios, iosxe, nxos, nxos_ssh
	name     string // the reference's parser or getter
	glob     string // under the corpus, the reference's files (its .json or expected_result.json)
	// ours reads the output(s) beside the reference file into the mapped
	// schema; it returns every warning of our parser too.
	ours func(t *testing.T, refFile string) ([]ref, []Warning)
	// want maps the reference's file.
	want func(t *testing.T, refFile string) []ref
}

// agreement compares got with want: the share of fields equal, a
// missing or extra record counting all its fields as different. Records
// pair up by key, in order among equal keys.
func keyedAgreement(got, want []ref) (float64, []string) {
	byKey := map[string][]ref{}
	for _, w := range want {
		byKey[w["_key"]] = append(byKey[w["_key"]], w)
	}
	equal, total := 0, 0
	var diffs []string
	fields := func(r ref) int { return max(1, len(r)-1) }
	for _, g := range got {
		k := g["_key"]
		if len(byKey[k]) == 0 {
			total += fields(g)
			diffs = append(diffs, fmt.Sprintf("extra record %s %v", k, g))
			continue
		}
		w := byKey[k][0]
		byKey[k] = byKey[k][1:]
		names := map[string]bool{}
		for f := range g {
			names[f] = true
		}
		for f := range w {
			names[f] = true
		}
		delete(names, "_key")
		for _, f := range slices.Sorted(mapKeys(names)) {
			total++
			if g[f] == w[f] {
				equal++
			} else {
				diffs = append(diffs, fmt.Sprintf("%s %s: got %q, want %q", k, f, g[f], w[f]))
			}
		}
	}
	for _, k := range slices.Sorted(mapKeysOf(byKey)) {
		for _, w := range byKey[k] {
			total += fields(w)
			diffs = append(diffs, fmt.Sprintf("missing record %s %v", k, w))
		}
	}
	if total == 0 {
		return 1, nil
	}
	return float64(equal) / float64(total), diffs
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func mapKeysOf(m map[string][]ref) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// canonIf is canonicalInterface (the test's short name for it).
func canonIf(s string) string { return canonicalInterface(s) }

// canonIfs is a list of interfaces, each canonical, joined by commas.
func canonIfs(l []string) string {
	out := make([]string, 0, len(l))
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, canonIf(s))
		}
	}
	return strings.Join(out, ",")
}

// sortedIfs is canonIfs in sorted order (references that key interfaces
// by name lose the device's order).
func sortedIfs(l []string) string {
	out := strings.Split(canonIfs(l), ",")
	sort.Strings(out)
	return strings.Join(out, ",")
}

// scalar prints a JSON scalar as the device printed it: integers without
// a fraction, booleans as true/false, null as "".
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// node walks a JSON object by keys; nil when a key is missing.
func node(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// object is v as a JSON object, sorted by key for stable iteration.
func object(v any) ([]string, map[string]any) {
	m, _ := v.(map[string]any)
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}), m
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, scalar(x))
	}
	return out
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// beside is the text of the file next to a reference file: the .raw
// beside a genie .json, or a named file in a napalm case folder.
func beside(t *testing.T, refFile, name string) string {
	t.Helper()
	p := strings.TrimSuffix(refFile, ".json") + ".raw"
	if name != "" {
		p = filepath.Join(filepath.Dir(refFile), name)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// besideGlob is the text of the one file matching pattern next to a
// napalm reference.
func besideGlob(t *testing.T, refFile, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(refFile), pattern))
	if len(m) != 1 {
		t.Fatalf("%s: %d files match %s", filepath.Dir(refFile), len(m), pattern)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// imported runs import on text as platform and command, the way `cutover
// import` reads a saved file (prompt lines and all).
func imported(t *testing.T, platform, command, text string) Result {
	t.Helper()
	var r Result
	if err := ImportFile(platform, command, "", text, &r); err != nil {
		t.Errorf("import %s %q: %v", platform, command, err)
	}
	return r
}

// TestReferences compares every genie and napalm output of a command
// cutover reads with the reference's records, field by field, and
// requires a mean agreement of 0.98 per corpus; it logs the figure per
// platform (the README's accuracy table) and the differences of every
// file short of 1.
func TestReferences(t *testing.T) {
	root := corpus.Dir(t)
	type stat struct {
		sum   float64
		files int
	}
	perCorpus, perPlatform := map[string]*stat{}, map[string]*stat{}
	add := func(m map[string]*stat, k string, a float64) {
		if m[k] == nil {
			m[k] = &stat{}
		}
		m[k].sum += a
		m[k].files++
	}
	for _, set := range refSets {
		paths, _ := filepath.Glob(filepath.Join(root, set.corpus, set.glob))
		if len(paths) == 0 {
			t.Errorf("%s/%s: no reference files", set.corpus, set.glob)
		}
		for _, p := range paths {
			rel, _ := filepath.Rel(root, p)
			var a float64
			ran := false
			t.Run(rel, func(t *testing.T) {
				ran = true
				got, warnings := set.ours(t, p)
				want := set.want(t, p)
				var diffs []string
				a, diffs = keyedAgreement(got, want)
				for _, w := range warnings {
					if !referenceSkips(rel, w) {
						t.Errorf("warning: %s", w)
					}
				}
				t.Logf("%s %s: agreement %.4f (%d records, reference %d)", set.platform, set.name, a, len(got), len(want))
				if a < 1 {
					t.Logf("%d differences, first: %s", len(diffs), strings.Join(diffs[:min(8, len(diffs))], "; "))
				}
				if note, ok := knownDifferences[rel]; ok {
					t.Logf("known difference: %s", note)
				} else if a < 1 {
					t.Errorf("agreement %.4f < 1 with no known difference", a)
				}
			})
			if ran { // not left out by -run
				add(perCorpus, set.corpus, a)
				add(perPlatform, set.corpus+"/"+set.platform, a)
			}
		}
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range perPlatform {
			if !yield(k) {
				return
			}
		}
	}) {
		s := perPlatform[k]
		t.Logf("agreement %-16s %.4f (%d files)", k, s.sum/float64(s.files), s.files)
	}
	for k, s := range perCorpus {
		mean := s.sum / float64(s.files)
		t.Logf("agreement %-16s %.4f (%d files)", k, mean, s.files)
		if mean < 0.98 {
			t.Errorf("%s: mean agreement %.4f < 0.98", k, mean)
		}
	}
}

// TestNTCAgreement sums up, per platform, the agreement of the Cisco
// and Arista parsers with the ntc corpus (TestCorpus checks each file;
// this gives the figures of the README's table, against the reference as
// it is, faults and all).
func TestNTCAgreement(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	type stat struct {
		sum   float64
		files int
	}
	per := map[string]*stat{}
	var all stat
	for dir, parse := range parsers {
		platform, _, _ := strings.Cut(dir, "/")
		if platform != "cisco_ios" && platform != "cisco_nxos" && platform != "arista_eos" {
			continue
		}
		raws, _ := filepath.Glob(filepath.Join(root, dir, "*.raw"))
		for _, raw := range raws {
			text, _ := os.ReadFile(raw)
			refText, _ := os.ReadFile(strings.TrimSuffix(raw, ".raw") + ".yml")
			var want struct {
				Parsed []map[string]any `yaml:"parsed_sample"`
			}
			if err := yaml.Unmarshal(refText, &want); err != nil {
				t.Fatal(err)
			}
			v, _, err := parse(string(text))
			if err != nil {
				t.Fatal(err)
			}
			got, err := records(v)
			if err != nil {
				t.Fatal(err)
			}
			// Fields the template does not have (our records may carry
			// more, such as NX-OS's ARP flags) are not compared.
			fields := map[string]bool{}
			for _, r := range want.Parsed {
				for k := range r {
					fields[k] = true
				}
			}
			for _, r := range got {
				for k := range r {
					if len(fields) > 0 && !fields[k] {
						delete(r, k)
					}
				}
			}
			a, _ := keyedAgreement(ntcRefs(got), ntcRefs(want.Parsed))
			if per[platform] == nil {
				per[platform] = &stat{}
			}
			per[platform].sum += a
			per[platform].files++
			all.sum += a
			all.files++
			if a < 1 {
				t.Logf("%s/%s: agreement %.4f", dir, filepath.Base(raw), a)
			}
		}
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range per {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Logf("agreement ntc/%-12s %.4f (%d files)", p, per[p].sum/float64(per[p].files), per[p].files)
	}
	mean := all.sum / float64(all.files)
	t.Logf("agreement ntc (Cisco, Arista) %.4f (%d files)", mean, all.files)
	if mean < 0.98 {
		t.Errorf("mean agreement %.4f < 0.98", mean)
	}
}

// ntcRefs maps ntc records (keyed by position: the template's order is
// the device's) onto refs.
func ntcRefs(recs []map[string]any) []ref {
	out := make([]ref, len(recs))
	for i, r := range recs {
		out[i] = ref{"_key": strconv.Itoa(i)}
		for k, v := range r {
			if v == nil {
				out[i][k] = ""
				continue
			}
			if l, ok := v.([]any); ok {
				parts := make([]string, len(l))
				for j, x := range l {
					parts[j] = fmt.Sprint(x)
				}
				out[i][k] = strings.Join(parts, ",")
				continue
			}
			out[i][k] = fmt.Sprint(v)
		}
	}
	return out
}
