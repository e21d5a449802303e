package showparse

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// The variant generator: from a real table it prints the same table as
// other firmware, terminals and capture tools would — columns wider and
// narrower, a column the parser does not know, placeholder cells, a junk
// row, CRLF line ends, pager residue, prompts — and requires every row
// the change does not touch to parse to the same record, and the junk row
// to be reported with its line and text.
//
// To apply it to a platform's table, add a line to variantTables: the
// corpus folder, the *Table its parser reads with, the parser (through
// records), and the columns whose cells may hold a placeholder.

// variantTable is one corpus folder the generator runs on.
type variantTable struct {
	dir          string                          // under ../shared/corpus/ntc
	table        *Table                          // the table the parser reads
	parse        func(string) ([]string, Report) // the parser; see printed
	placeholders []string                        // Spec columns whose cell may read "--", "N/A", ...
}

// printed adapts a parser to the generator: each record printed in full.
func printed[T any](f func(string) ([]T, Report)) func(string) ([]string, Report) {
	return func(text string) ([]string, Report) {
		rows, rep := f(text)
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = fmt.Sprintf("%+v", r)
		}
		return out, rep
	}
}

var variantTables = []variantTable{
	{"cisco_ios/show_interfaces_status", statusTable, printed(IOSInterfacesStatus), []string{"name", "vlan", "duplex", "speed", "type"}},
	{"cisco_ios/show_vlan", vlanTable, printed(IOSShowVLAN), []string{"name", "status"}},
	{"cisco_ios/show_mac-address-table", macTable, printed(IOSMACTable), []string{"vlan", "type"}},
	{"cisco_ios/show_ip_arp", arpTable, printed(IOSARPTable), []string{"age", "type", "interface"}},
	{"cisco_ios/show_arp", arpTable, printed(IOSShowARPTable), []string{"age", "type", "interface"}},
	{"cisco_nxos/show_interface_status", statusTable, printed(IOSInterfacesStatus), []string{"name", "vlan", "duplex", "speed", "type"}},
	{"cisco_nxos/show_vlan", vlanTable, printed(IOSShowVLAN), []string{"name", "status"}},
	{"cisco_nxos/show_mac_address-table", macTable, printed(NXOSMACTable), []string{"vlan", "type", "age", "secure", "ntfy"}},
	{"cisco_nxos/show_ip_arp", arpTable, printed(NXOSARPTable), []string{"age", "interface"}},
	{"arista_eos/show_interfaces_status", statusTable, printed(EOSInterfacesStatus), []string{"name", "vlan", "duplex", "speed", "type"}},
	{"arista_eos/show_vlan", vlanTable, printed(EOSShowVLAN), []string{"name", "status"}},
	{"arista_eos/show_mac_address-table", eosMACTable, printed(EOSMACTable), []string{"type", "moves"}},
	{"arista_eos/show_ip_arp", arpTable, printed(EOSARPTable), []string{"age", "interface"}},
	{"juniper_junos/show_ethernet-switching_interfaces", junosESITable, printed(JunosEthernetSwitchingInterfaces), []string{"tag", "tagging", "blocking"}},
	{"juniper_junos/show_vlans", junosVLANsTable, printed(JunosShowVLANs), []string{"tag"}},
	{"juniper_junos/show_arp_no-resolve", junosARPTable, printed(JunosARPTable), []string{"flags"}},
	{"aruba_aoscx/show_vlan", aoscxVLANTable, printed(AOSCXShowVLAN), []string{"name", "reason", "type"}},
	{"aruba_aoscx/show_mac-address-table", aoscxMACTable, printed(AOSCXMACTable), []string{"type"}},
	{"aruba_aoscx/show_arp_all-vrfs", aoscxARPTable, printed(AOSCXARPTable), []string{"physical", "state", "vrf"}},
	{"aruba_os/show_vlan", procurveVLANTable, printed(ArubaOSShowVLAN), []string{"voice", "jumbo"}},
	{"aruba_os/show_arp", arubaOSARPTable, printed(ArubaOSARPTable), []string{"protocol", "age"}},
	{"hp_procurve/show_interfaces_status", procurveStatusTable, printed(ProCurveInterfacesStatus), []string{"name", "config", "speed", "type"}},
	{"hp_procurve/show_interfaces_brief", procurveBriefTable, printed(ProCurveInterfacesBrief), []string{"type", "mode", "mdi", "bcast"}},
	{"hp_procurve/show_vlans", procurveVLANTable, printed(ProCurveShowVLANs), []string{"voice", "jumbo"}},
	{"hp_procurve/show_mac-address", procurveMACTable, printed(ProCurveMACTable), []string{"vlan"}},
	{"hp_procurve/show_arp", procurveARPTable, printed(ProCurveARPTable), []string{"type", "port"}},
	{"hp_comware/display_interface_brief", comwareBriefTable, printed(ComwareDisplayInterfaceBrief), []string{"protocol", "ip", "speed", "duplex", "description"}},
	{"hp_comware/display_mac-address", comwareMACTable, printed(ComwareMACTable), []string{"state", "aging"}},
	{"hp_comware/display_arp", comwareARPTable, printed(ComwareARPTable), []string{"vlan", "aging"}},
	{"hp_comware/display_vlan_brief", comwareVLANBriefTable, printed(ComwareDisplayVLANBrief), []string{"name"}},
	{"huawei_vrp/display_port_vlan", huaweiPortVLANTable, printed(HuaweiDisplayPortVLAN), []string{"vlans"}},
	{"huawei_vrp/display_arp_all", huaweiARPTable, printed(HuaweiARPTable), []string{"expire", "vpn"}},
	{"huawei_vrp/display_interface_brief", huaweiBriefTable, printed(HuaweiDisplayInterfaceBrief), []string{"inuti", "oututi"}},
	{"huawei_vrp/display_vlan", huaweiVLANTable, printed(HuaweiDisplayVLAN), []string{"type", "status"}},
	{"huawei_vrp/display_vlan_brief", huaweiVLANTable, printed(HuaweiDisplayVLAN), []string{"name", "status"}},
}

const junkRow = "%% junk: this line is not part of the table %%"

// TestVariants runs the generator on every file of every folder in
// variantTables and logs, per folder, how many variants held.
func TestVariants(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	for _, vt := range variantTables {
		raws, _ := filepath.Glob(filepath.Join(root, vt.dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no corpus files", vt.dir)
		}
		passed, total, irregular, rows := 0, 0, 0, 0
		for _, raw := range raws {
			b, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			results, n, irr := checkVariants(vt, string(b))
			rows, irregular = rows+n, irregular+irr
			for _, res := range results {
				total++
				if res.problem == "" {
					passed++
					continue
				}
				t.Errorf("%s/%s: variant %s: %s", vt.dir, filepath.Base(raw), res.name, res.problem)
			}
		}
		t.Logf("%s: %d/%d variants hold (%d files, %d rows; %d irregular rows left out of the unknown-column variants)", vt.dir, passed, total, len(raws), rows, irregular)
	}
}

// variantResult is one variant and what went wrong ("" if nothing).
type variantResult struct {
	name, problem string
}

// layout is where a table's sections are in a text: per section, its
// header lines (with the rule) and its row lines, 0-based.
type layout struct {
	sections []sectionLines
}

type sectionLines struct {
	sec    *section
	header []int
	rows   []int
}

// layoutOf finds the sections of vt's table in lines and the rows the
// reader hands to the parser under each.
func layoutOf(tb *Table, lines []string) layout {
	var lo layout
	for i := 0; i < len(lines); i++ {
		if s, last := tb.header(lines, i); s != nil {
			h := sectionLines{sec: s}
			for j := i; j <= last; j++ {
				h.header = append(h.header, j)
			}
			lo.sections = append(lo.sections, h)
			i = last
		}
	}
	tb.Read(strings.Join(lines, "\n"), func(r Row) error {
		for k := len(lo.sections) - 1; k >= 0; k-- {
			if lo.sections[k].header[0] < r.Line-1 {
				lo.sections[k].rows = append(lo.sections[k].rows, r.Line-1)
				break
			}
		}
		return nil
	})
	kept := lo.sections[:0]
	for _, s := range lo.sections {
		if len(s.rows) > 0 { // a section after a Stop line is not read
			kept = append(kept, s)
		}
	}
	lo.sections = kept
	return lo
}

// checkVariants generates every variant of text and checks it; it also
// returns how many rows the text has and how many of them are irregular.
func checkVariants(vt variantTable, text string) ([]variantResult, int, int) {
	lines := textLines(text)
	clean := strings.Join(lines, "\n")
	base, baseRep := vt.parse(clean)
	raw, rawRep := vt.parse(text)
	if !slices.Equal(base, raw) || len(baseRep.Warnings) != len(rawRep.Warnings) {
		return []variantResult{{"as printed", "the cleaned text does not parse like the original"}}, 0, 0
	}
	lo := layoutOf(vt.table, lines)
	if len(lo.sections) == 0 || len(base) == 0 {
		return []variantResult{{"layout", "no section or no record"}}, 0, 0
	}
	var out []variantResult
	same := func(name string, variant []string) {
		got, rep := vt.parse(strings.Join(variant, "\n"))
		out = append(out, variantResult{name, compare(base, baseRep, got, rep)})
	}
	// Rows that do not follow the header's columns (a word straddling two
	// with nothing but its overlap to tell which it belongs to, or no
	// padding at all) are realigned or read by their words in the order
	// the vendor documents; a column the parser does not know, inserted in
	// them, cannot always be told apart. Their records are left out of
	// the unknown-column variants (and counted in the variant's name).
	irregular := map[int]bool{}
	for _, sl := range lo.sections {
		for _, i := range sl.rows {
			toks := tokenize(lines[i], nil)
			if sl.sec.walk(toks, 0, make([]int, len(toks)), nil) > 0 || compact(toks) {
				irregular[i] = true
			}
		}
	}
	var regular []string
	if len(irregular) > 0 {
		var kept []string
		for i, l := range lines {
			if !irregular[i] {
				kept = append(kept, l)
			}
		}
		regular, _ = vt.parse(strings.Join(kept, "\n"))
	}
	sameRegular := func(name string, variant []string) {
		if len(irregular) == 0 {
			same(name, variant)
			return
		}
		got, rep := vt.parse(strings.Join(variant, "\n"))
		problem := ""
		if missing := missingFrom(got, regular); missing != "" {
			problem = "records changed: " + missing
		} else if len(got) > len(base) || len(rep.Warnings) > len(baseRep.Warnings)+len(irregular) {
			problem = fmt.Sprintf("%d records, %d warnings: %v", len(got), len(rep.Warnings), rep.Warnings)
		}
		out = append(out, variantResult{fmt.Sprintf("%s (%d irregular rows not compared)", name, len(irregular)), problem})
	}
	ncols := 0
	for _, s := range lo.sections {
		ncols = max(ncols, len(s.sec.cols))
	}
	for k := 0; k+1 < ncols; k++ {
		same(fmt.Sprintf("column %d wider by 3", k+1), resize(lines, lo, k, 3))
		same(fmt.Sprintf("column %d narrower by 2", k+1), resize(lines, lo, k, -2))
		sameRegular(fmt.Sprintf("unknown column after column %d", k+1), extraColumn(lines, lo, k))
	}
	sameRegular("unknown column at the end", extraColumn(lines, lo, -1))
	crlf := make([]string, len(lines))
	for i, l := range lines {
		crlf[i] = l + "\r"
	}
	same("CRLF", crlf)
	mid := middleRow(vt.table, lines, lo)
	for name, residue := range map[string]string{
		"--More-- erased with backspaces": " --More-- " + strings.Repeat("\b", 10) + strings.Repeat(" ", 10) + strings.Repeat("\b", 10),
		"--More-- erased with ANSI":       "\x1b[7m--More--\x1b[m\r\x1b[K",
		"--More-- left in place":          " --More-- ",
	} {
		v := slices.Clone(lines)
		v[mid] = residue + v[mid]
		same("pager residue: "+name, v)
	}
	same("prompts", append(append([]string{"sw1#terminal length 0", "sw1#show table"}, lines...), "sw1#"))
	// A junk row: reported at its line, everything else as before.
	v := slices.Insert(slices.Clone(lines), mid, junkRow)
	got, rep := vt.parse(strings.Join(v, "\n"))
	problem := ""
	switch {
	case !slices.Equal(got, base):
		problem = fmt.Sprintf("records changed: %s", firstDiff(base, got))
	case len(rep.Warnings) != len(baseRep.Warnings)+1:
		problem = fmt.Sprintf("%d warnings, want the junk row's: %v", len(rep.Warnings), rep.Warnings)
	case !slices.ContainsFunc(rep.Warnings, func(w Warning) bool { return w.Line == mid+1 && w.Text == junkRow }):
		problem = fmt.Sprintf("the junk row (line %d) is not reported: %v", mid+1, rep.Warnings)
	}
	out = append(out, variantResult{"junk row", problem})
	// Placeholder cells: the row is still read; only its record changes.
	for _, col := range vt.placeholders {
		v, ok := placeholder(vt.table, lines, lo, col)
		if !ok {
			continue
		}
		got, rep := vt.parse(strings.Join(v, "\n"))
		problem := ""
		if len(got) != len(base) || len(rep.Warnings) != len(baseRep.Warnings) {
			problem = fmt.Sprintf("%d records and %v, want %d records and no new warning", len(got), rep.Warnings, len(base))
		} else if n := diffCount(base, got); n > 1 {
			problem = fmt.Sprintf("%d records changed, want at most the one with the placeholder: %s", n, firstDiff(base, got))
		}
		out = append(out, variantResult{"placeholder under " + col, problem})
	}
	nrows := 0
	for _, sl := range lo.sections {
		nrows += len(sl.rows)
	}
	return out, nrows, len(irregular)
}

func compare(base []string, baseRep Report, got []string, rep Report) string {
	if !slices.Equal(got, base) {
		return "records changed: " + firstDiff(base, got)
	}
	if len(rep.Warnings) != len(baseRep.Warnings) {
		return fmt.Sprintf("new warnings: %v", rep.Warnings)
	}
	return ""
}

// missingFrom names a record of want that got lacks (counting repeats),
// or is "".
func missingFrom(got, want []string) string {
	n := map[string]int{}
	for _, g := range got {
		n[g]++
	}
	for _, w := range want {
		if n[w] == 0 {
			return fmt.Sprintf("record %s missing", w)
		}
		n[w]--
	}
	return ""
}

func diffCount(a, b []string) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

func firstDiff(a, b []string) string {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return fmt.Sprintf("extra record %s", b[i])
		case i >= len(b):
			return fmt.Sprintf("record %s missing", a[i])
		case a[i] != b[i]:
			return fmt.Sprintf("%s became %s", a[i], b[i])
		}
	}
	return ""
}

// middleRow is the index of a row in the middle of the first section that
// starts a record (its key cell is not empty), so that a line put before
// it splits no record.
func middleRow(tb *Table, lines []string, lo layout) int {
	s := lo.sections[0]
	rows := s.rows
	for j := len(rows) / 2; j < len(rows); j++ {
		toks := tokenize(lines[rows[j]], nil)
		if c := s.sec.byCol[tb.key]; c >= 0 && s.sec.cut(lines[rows[j]], toks)[c] != "" {
			return rows[j]
		}
	}
	return rows[0]
}

// boundary is where, in one line of a section, column k ends and column
// k+1 begins: after the last cell up to column k (prevEnd) and before the
// first cell from column k+1 on (nextStart), as near the header's column
// start p as those allow. Rows are cut by the reader (whose reading of
// these files the corpus test checks).
func boundary(sec *section, line string, k, p int) (prevEnd, nextStart, q int) {
	prevEnd, nextStart, q, _ = boundaryShift(sec, line, k, p)
	return
}

// boundaryShift is boundary, and the row's shift there (its cells sit
// that far right of the header's columns: see section.place).
func boundaryShift(sec *section, line string, k, p int) (prevEnd, nextStart, q, shift int) {
	toks := tokenize(line, nil)
	nextStart = 1 << 30
	cols, shifts, _ := sec.placeShifted(toks)
	for i, c := range cols {
		if c <= k {
			prevEnd = toks[i].end
			shift = shifts[i]
		} else if toks[i].start < nextStart {
			nextStart = toks[i].start
			shift = shifts[i]
		}
	}
	return prevEnd, nextStart, min(max(p+shift, prevEnd), nextStart), shift
}

// changed lists the lines of a section the generator changes: its
// header lines, its rule and its rows, but not rows printed without
// padding (they follow no columns).
func (s sectionLines) changed(lines []string) []int {
	out := slices.Clone(s.header)
	for _, i := range s.rows {
		if !compact(tokenize(lines[i], nil)) {
			out = append(out, i)
		}
	}
	return out
}

// resize makes column k (0-based) of every section wider (n > 0) or
// narrower (n < 0) by |n| columns, as a switch printing it with another
// width would: blanks are added or removed between the column's cell and
// the next one in the header and in every row alike, and the rule's run
// is stretched or shortened. A column is narrowed only by what every
// line can spare (keeping one blank between cells).
func resize(lines []string, lo layout, k, n int) []string {
	out := slices.Clone(lines)
	for _, s := range lo.sections {
		if k+1 >= len(s.sec.cols) {
			continue
		}
		p := s.sec.cols[k+1].start
		if n < 0 {
			for _, i := range s.changed(lines) {
				if isRule(lines[i]) {
					if rn := runs(lines[i]); len(rn) > k+1 {
						n = max(n, -(rn[k][1] - rn[k][0] - 1))
					}
					continue
				}
				prevEnd, nextStart, q := boundary(s.sec, lines[i], k, p)
				if nextStart < len([]rune(lines[i])) {
					keep := 1
					if prevEnd == 0 {
						keep = 0
					}
					n = max(n, -(q - prevEnd - keep))
				}
			}
			if n >= 0 {
				continue
			}
		}
		for _, i := range s.changed(lines) {
			rs := []rune(lines[i])
			if isRule(lines[i]) {
				rn := runs(lines[i])
				if len(rn) < 2 || k+1 >= len(rn) {
					continue // a rule across the table: no columns
				}
				end := rn[k][1]
				if n > 0 {
					rs = slices.Insert(rs, end, []rune(strings.Repeat(string(rs[end-1]), n))...)
				} else {
					rs = slices.Delete(rs, end+n, end)
				}
				out[i] = string(rs)
				continue
			}
			_, nextStart, q := boundary(s.sec, lines[i], k, p)
			if nextStart >= len(rs) {
				continue // nothing after the column
			}
			if n > 0 {
				rs = slices.Insert(rs, q, []rune(strings.Repeat(" ", n))...)
			} else {
				rs = slices.Delete(rs, q+n, q)
			}
			out[i] = string(rs)
		}
	}
	return out
}

// extraColumn inserts a column the parser does not know between columns
// k and k+1 (k = -1: after the last column), titled "Extra", with "xx"
// in every row.
func extraColumn(lines []string, lo layout, k int) []string {
	out := slices.Clone(lines)
	for _, s := range lo.sections {
		if k >= 0 && k+1 >= len(s.sec.cols) {
			continue
		}
		end := 0
		for _, i := range s.changed(lines) {
			end = max(end, len([]rune(lines[i]))+2)
		}
		for _, i := range s.changed(lines) {
			rs := []rune(lines[i])
			title := i == s.header[0]
			inHeader := slices.Contains(s.header, i)
			if isRule(lines[i]) {
				rn := runs(lines[i])
				switch {
				case len(rn) < 2:
				case k < 0:
					for len(rs) < end {
						rs = append(rs, ' ')
					}
					rs = append(rs, []rune("-----")...)
				case k+1 < len(rn):
					at := rn[k+1][0]
					rs = slices.Insert(rs, at, []rune("------"+string(rs[at-1]))...) // 7 wide, as the title and cells
				}
				out[i] = string(rs)
				continue
			}
			cell := "xx     "
			switch {
			case title:
				cell = "Extra  "
			case inHeader:
				cell = "       "
			}
			q := end
			if k >= 0 {
				// The new column starts where the header says (p), or one
				// blank after a value that runs over it; what follows moves
				// right by the column's width, 7.
				var prevEnd, shift int
				p := s.sec.cols[k+1].start
				prevEnd, _, q, shift = boundaryShift(s.sec, lines[i], k, p)
				lead := max(p+shift-q, 0)
				if q > 0 && q == prevEnd {
					lead = 1
				}
				cell = strings.Repeat(" ", lead) + strings.TrimRight(cell, " ")
				cell += strings.Repeat(" ", max(7-len(cell), 1))
			}
			for len(rs) < q {
				rs = append(rs, ' ')
			}
			rs = slices.Insert(rs, q, []rune(cell)...)
			out[i] = strings.TrimRight(string(rs), " ")
		}
	}
	return out
}

// placeholder replaces the cell under column col of one row in the middle
// of the first section with what switches print for "no value" — the
// longest of "unassigned", "N/A", "--", "-" that fits where the cell is.
func placeholder(tb *Table, lines []string, lo layout, col string) ([]string, bool) {
	s := lo.sections[0]
	c := s.sec.byCol[tb.index[col]]
	if c < 0 || !s.sec.aligned {
		return nil, false
	}
	for j := len(s.rows) / 2; j < len(s.rows)+len(s.rows)/2; j++ {
		i := s.rows[j%len(s.rows)]
		toks := tokenize(lines[i], nil)
		if compact(toks) {
			continue // a row printed without columns
		}
		w := s.sec.cellWords(toks)[c]
		if w[0] < 0 {
			continue
		}
		rs := []rune(lines[i])
		from, to := toks[w[0]].start, toks[w[1]].end
		room := to - from
		for to+room < len(rs) && rs[to+room] == ' ' && to+room+1 < len(rs) && rs[to+room+1] == ' ' {
			room++
		}
		for _, ph := range []string{"unassigned", "N/A", "--", "-"} {
			if len(ph) <= room {
				cell := []rune(ph + strings.Repeat(" ", max(0, to-from-len(ph))))
				out := slices.Clone(lines)
				out[i] = strings.TrimRight(string(slices.Concat(rs[:from], cell, rs[max(to, from+len(cell)):])), " ")
				return out, true
			}
		}
	}
	return nil, false
}
