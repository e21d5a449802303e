package snmp_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
)

// Variants of every corpus walk, generated here: the same switch as
// agents and recorders deliver it in other ways. The driver must read
// each as it reads the walk itself: every port the same mode and VLAN,
// under the same name (except where a variant removes the name).

var portListRoots = []string{oidStaticEgress, oidStaticUntagged, oidCurrentEgress, oidCurrentUntagged}

func isPortList(oid string) bool {
	for _, r := range portListRoots {
		if strings.HasPrefix(oid, r+".") {
			return true
		}
	}
	return false
}

// splitRecord returns a record's OID, type and value.
func splitRecord(rec string) (oid, typ, val string) {
	parts := strings.SplitN(rec, "|", 3)
	if len(parts) != 3 {
		return "", "", ""
	}
	return parts[0], parts[1], parts[2]
}

// bitmapOf encodes ports as an RFC 4363 bitmap of at least n octets.
func bitmapOf(ports map[int]bool, n int) []byte {
	b := make([]byte, n)
	for p := range ports {
		for len(b) <= (p-1)/8 {
			b = append(b, 0)
		}
		b[(p-1)/8] |= 0x80 >> ((p - 1) % 8)
	}
	return b
}

// listOf writes ports as a comma list with ranges ("1-4,7").
func listOf(ports map[int]bool) string {
	var ps []int
	for p := range ports {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	var parts []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if j > i+1 {
			parts = append(parts, fmt.Sprintf("%d-%d", ps[i], ps[j]))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, strconv.Itoa(ps[k]))
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// dumpOf writes octets as Net-SNMP prints them: "FF FF F8 " in lines of 16.
func dumpOf(b []byte) string {
	var sb strings.Builder
	for i, o := range b {
		if i > 0 && i%16 == 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "%02X ", o)
	}
	return sb.String()
}

// originalLength is the octet length of a recorded PortList as a bitmap.
func originalLength(typ, val string) int {
	if strings.HasSuffix(typ, "x") {
		return len(val) / 2
	}
	return 0
}

// reencode rewrites every PortList value of a walk with encode, which
// gets the ports the value names and the length of a bitmap of them as
// the agent would send it: the recorded length, at least enough octets
// for every base port of the bridge.
func reencode(encode func(ports map[int]bool, n int) []byte) func([]string) []string {
	return func(records []string) []string {
		octets := 0
		for _, rec := range records {
			if oid, _, _ := splitRecord(rec); strings.HasPrefix(oid, oidBasePortIfIndex+".") {
				b, _ := strconv.Atoi(oid[strings.LastIndex(oid, ".")+1:])
				octets = max(octets, (b+7)/8)
			}
		}
		out := make([]string, 0, len(records))
		for _, rec := range records {
			oid, typ, val := splitRecord(rec)
			if isPortList(oid) {
				rec = oid + "|4x|" + hex.EncodeToString(encode(recordedPorts(typ, val), max(octets, originalLength(typ, val))))
			}
			out = append(out, rec)
		}
		return out
	}
}

// variant is one way of delivering a walk.
type variant struct {
	name    string
	edit    func(records []string) []string
	ordered bool // served in the records' order by orderedAgent (else by snmpsimd)
	loop    bool
	renames bool // port names may differ (ifName removed)
}

var variants = []variant{
	{name: "hex-text", edit: reencode(func(ps map[int]bool, n int) []byte {
		return []byte(strings.TrimSpace(dumpOf(bitmapOf(ps, n))))
	})},
	{name: "list", edit: reencode(func(ps map[int]bool, _ int) []byte { return []byte(listOf(ps)) })},
	{name: "list-with-port-0", edit: reencode(func(ps map[int]bool, _ int) []byte { return []byte(strings.TrimSuffix("0,"+listOf(ps), ",")) })},
	{name: "recorder-artefact", edit: reencode(func(ps map[int]bool, n int) []byte {
		b := bitmapOf(ps, max(n, 17))
		_, rest, _ := strings.Cut(dumpOf(b), "\n")
		return append(b[:16:16], []byte("\n"+rest)...)
	})},
	{name: "padded-bitmap", edit: reencode(func(ps map[int]bool, n int) []byte { return bitmapOf(ps, n+64) })},
	{name: "no-ifName-for-some", edit: dropSomeIfNames, renames: true},
	{name: "vlans-split-static-current", edit: splitTables},
	{name: "base-port-not-ifIndex", edit: remapBasePorts},
	{name: "rows-shuffled", edit: shuffleRows, ordered: true},
	{name: "rows-in-a-loop", edit: func(r []string) []string { return r }, ordered: true, loop: true},
}

// splitTables lists every other VLAN's membership in the other table
// (static <-> current, time mark 0), as agents list a VLAN in one table
// and not the other.
func splitTables(records []string) []string {
	other := map[string]string{
		oidStaticEgress: oidCurrentEgress + ".0", oidStaticUntagged: oidCurrentUntagged + ".0",
		oidCurrentEgress: oidStaticEgress, oidCurrentUntagged: oidStaticUntagged,
	}
	out := make([]string, 0, len(records))
	for _, rec := range records {
		oid, typ, val := splitRecord(rec)
		for _, root := range portListRoots {
			if !strings.HasPrefix(oid, root+".") {
				continue
			}
			vlan, _ := strconv.Atoi(oid[strings.LastIndex(oid, ".")+1:])
			if vlan%2 == 1 {
				rec = fmt.Sprintf("%s.%d|%s|%s", other[root], vlan, typ, val)
			}
		}
		out = append(out, rec)
	}
	return out
}

// dropSomeIfNames removes the ifName of every third interface.
func dropSomeIfNames(records []string) []string {
	var out []string
	n := 0
	for _, rec := range records {
		if strings.HasPrefix(rec, oidIfName+".") {
			if n++; n%3 == 0 {
				continue
			}
		}
		out = append(out, rec)
	}
	return out
}

// remapBasePorts numbers the bridge ports 2b+1000 instead of b, in
// dot1dBasePortIfIndex, dot1qPvid and every PortList (as bitmaps).
func remapBasePorts(records []string) []string {
	remap := func(b int) int { return 2*b + 1000 }
	out := make([]string, 0, len(records))
	for _, rec := range records {
		oid, typ, val := splitRecord(rec)
		switch {
		case strings.HasPrefix(oid, oidBasePortIfIndex+"."), strings.HasPrefix(oid, oidPvid+"."):
			i := strings.LastIndex(oid, ".")
			b, _ := strconv.Atoi(oid[i+1:])
			rec = fmt.Sprintf("%s.%d|%s|%s", oid[:i], remap(b), typ, val)
		case isPortList(oid):
			moved := map[int]bool{}
			for p := range recordedPorts(typ, val) {
				moved[remap(p)] = true
			}
			rec = oid + "|4x|" + hex.EncodeToString(bitmapOf(moved, 0))
		}
		out = append(out, rec)
	}
	return out
}

// shuffleRows shuffles the rows of every column (a fixed seed).
func shuffleRows(records []string) []string {
	rng := rand.New(rand.NewPCG(4363, 1))
	out := slices.Clone(records)
	for i := 0; i < len(out); {
		oid, _, _ := splitRecord(out[i])
		j := i
		for j < len(out) {
			o, _, _ := splitRecord(out[j])
			if columnOf(o) != columnOf(oid) {
				break
			}
			j++
		}
		block := out[i:j]
		rng.Shuffle(len(block), func(a, b int) { block[a], block[b] = block[b], block[a] })
		i = j
	}
	return out
}

// sortedRecords reads a walk's records sorted by OID.
func sortedRecords(t testing.TB, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimRight(l, "\r"); strings.Count(l, "|") >= 2 {
			recs = append(recs, l)
		}
	}
	slices.SortStableFunc(recs, func(a, b string) int {
		x, _, _ := splitRecord(a)
		y, _, _ := splitRecord(b)
		return compareOIDs(x, y)
	})
	return recs
}

type readResult struct {
	ports    []switchdrivers.PortState
	warnings []string
	err      error
}

func readPorts(t *testing.T, driver, addr, community string) readResult {
	d := open(t, driver, addr, community, nil)
	ports, err := d.Ports(context.Background())
	var warnings []string
	if w, ok := d.(interface{ Warnings() []string }); ok {
		warnings = w.Warnings()
	}
	return readResult{ports, warnings, err}
}

// TestVariants reads every variant of every corpus walk and requires the
// result of the walk itself.
func TestVariants(t *testing.T) {
	type walk struct {
		folder, name, community, driver string
		records                         []string
	}
	var walks []walk
	for _, ws := range walkSets(t) {
		for _, name := range ws.names {
			recs := sortedRecords(t, filepath.Join(ws.dir, name))
			r := readRecording(t, filepath.Join(ws.dir, name))
			driver := snmp.QBridgeName
			if isCisco(r) {
				driver = snmp.CiscoName
			}
			walks = append(walks, walk{ws.folder, name, strings.TrimSuffix(name, ".snmprec"), driver, recs})
		}
	}
	// The walks as recorded and the variants snmpsimd can serve: one
	// snmpsimd, one community each.
	dir, err := os.MkdirTemp("", "snmprec-variants-") // snmpsimd runs as nobody: not under t.TempDir's 0700 parent
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range walks {
		write := func(community string, recs []string) {
			sorted := slices.Clone(recs)
			slices.SortStableFunc(sorted, func(a, b string) int {
				x, _, _ := splitRecord(a)
				y, _, _ := splitRecord(b)
				return compareOIDs(x, y)
			})
			if err := os.WriteFile(filepath.Join(dir, community+".snmprec"), []byte(strings.Join(sorted, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(w.community, w.records)
		for _, v := range variants {
			if !v.ordered {
				write(w.community+"__"+v.name, v.edit(slices.Clone(w.records)))
			}
		}
	}
	sim := labtest.StartSnmpsim(t, dir, walks[0].community)
	summary := map[string][2]int{} // variant -> walks that read the same, walks
	for _, w := range walks {
		t.Run(w.folder+"/"+w.community, func(t *testing.T) {
			base := readPorts(t, w.driver, sim.Addr, w.community)
			if base.err != nil || len(base.ports) == 0 {
				t.Fatalf("the walk itself: %d ports, %v", len(base.ports), base.err)
			}
			for _, v := range variants {
				var got readResult
				if v.ordered {
					agent := startOrderedAgent(t, w.community, v.edit(slices.Clone(w.records)), v.loop)
					got = readPorts(t, w.driver, agent.Addr, w.community)
				} else {
					got = readPorts(t, w.driver, sim.Addr, w.community+"__"+v.name)
				}
				same := sameRead(t, v, base, got)
				s := summary[v.name]
				if same {
					s[0]++
				}
				s[1]++
				summary[v.name] = s
			}
		})
	}
	var lines []string
	for _, v := range variants {
		s := summary[v.name]
		lines = append(lines, fmt.Sprintf("%-26s %2d/%2d walks read as the walk itself", v.name, s[0], s[1]))
	}
	t.Logf("variants:\n%s", strings.Join(lines, "\n"))
}

// sameRead compares a variant's read with the walk's, port by port.
func sameRead(t *testing.T, v variant, base, got readResult) bool {
	t.Helper()
	if got.err != nil {
		t.Errorf("%s: %v", v.name, got.err)
		return false
	}
	byIndex := map[int]switchdrivers.PortState{}
	for _, p := range got.ports {
		byIndex[p.IfIndex] = p
	}
	ok := len(got.ports) == len(base.ports)
	if !ok {
		t.Errorf("%s: %d ports, the walk has %d", v.name, len(got.ports), len(base.ports))
	}
	for _, want := range base.ports {
		p, found := byIndex[want.IfIndex]
		if v.renames {
			p.Name = want.Name // checked below
		}
		if !found || p != want {
			t.Errorf("%s: ifIndex %d is %+v, the walk says %+v", v.name, want.IfIndex, p, want)
			ok = false
		}
	}
	if v.renames {
		for _, p := range got.ports {
			if p.Name == "" || snmp.ValidatePort(p.Name) != nil {
				t.Errorf("%s: ifIndex %d named %q", v.name, p.IfIndex, p.Name)
				ok = false
			}
		}
	}
	// Warnings the walk did not have must be the ones the variant is
	// about: rows out of order, or a loop. (With other base port numbers,
	// the walk's warnings carry other numbers.)
	digits := regexp.MustCompile(`[0-9]+`)
	norm := func(ws []string) []string {
		out := make([]string, len(ws))
		for i, w := range ws {
			out[i] = digits.ReplaceAllString(w, "#")
		}
		return out
	}
	for _, w := range got.warnings {
		if slices.Contains(base.warnings, w) {
			continue
		}
		switch {
		case strings.Contains(w, "did not answer a GETBULK"):
			// Values three times longer as text: snmpsimd sends nothing
			// rather than tooBig, and the driver asks for fewer rows.
		case v.name == "rows-shuffled" && strings.Contains(w, "out of order"):
		case v.name == "rows-in-a-loop" && strings.Contains(w, "(a loop)"):
		case v.name == "base-port-not-ifIndex" && slices.Contains(norm(base.warnings), digits.ReplaceAllString(w, "#")):
		default:
			t.Errorf("%s: warning %s", v.name, w)
			ok = false
		}
	}
	if v.loop && !slices.ContainsFunc(got.warnings, func(w string) bool { return strings.Contains(w, "(a loop)") }) {
		t.Errorf("%s: the loop went unreported: %v", v.name, got.warnings)
		ok = false
	}
	if v.name == "rows-shuffled" && !slices.ContainsFunc(got.warnings, func(w string) bool { return strings.Contains(w, "out of order") }) {
		t.Errorf("%s: rows out of order went unreported: %v", v.name, got.warnings)
		ok = false
	}
	return ok
}
