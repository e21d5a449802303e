package showparse

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// Variants the generator of variants_test.go does not make, for the
// Cisco and Arista tables: a MAC table printed without its VLAN column
// (a switch without VLANs, `show mac address-table vlan N` on some
// releases), and an ARP table whose MAC column is titled "MAC Address"
// (which a MAC table's header also has).

// withoutColumn blanks column col of every section of tb in lines: its
// title in the header, its run in the rule, its cell in every row.
func withoutColumn(tb *Table, lines []string, col string) ([]string, bool) {
	lo := layoutOf(tb, lines)
	out := slices.Clone(lines)
	found := false
	for _, s := range lo.sections {
		c := s.sec.byCol[tb.index[col]]
		if c < 0 {
			continue
		}
		found = true
		hc := s.sec.cols[c]
		blank := func(i, from, to int) {
			rs := []rune(out[i])
			for k := from; k < min(to, len(rs)); k++ {
				rs[k] = ' '
			}
			out[i] = strings.TrimRight(string(rs), " ")
		}
		for _, i := range s.header {
			if isRule(lines[i]) {
				if rn := runs(lines[i]); len(rn) > c {
					blank(i, rn[c][0], rn[c][1])
				}
				continue
			}
			for _, w := range headerWords(lines[i]) {
				if w.start >= hc.start-1 && w.end <= hc.end+1 && strings.Contains(strings.Join(hc.title, " "), w.text) {
					blank(i, w.start, w.end)
				}
			}
		}
		for _, i := range s.rows {
			toks := tokenize(lines[i], nil)
			if w := s.sec.cellWords(toks)[c]; w[0] >= 0 {
				blank(i, toks[w[0]].start, toks[w[1]].end)
			}
		}
	}
	return out, found
}

// TestMACTablesWithoutVLANColumn: every MAC table of the corpus, printed
// without its VLAN column, gives the same entries with no VLAN, through
// the parser and through import's detection.
func TestMACTablesWithoutVLANColumn(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	type vlanless struct {
		platform, dir string
		table         *Table
		parse         func(string) ([]MAC, Report)
	}
	common := func(p func(string) ([]IOSMAC, Report)) func(string) ([]MAC, Report) {
		return func(s string) ([]MAC, Report) {
			rows, rep := p(s)
			out := make([]MAC, len(rows))
			for i, r := range rows {
				out[i] = MAC{MAC: r.Address, VLAN: r.VLANID, Port: strings.Join(r.Ports, ",")}
			}
			return out, rep
		}
	}
	files := 0
	for _, c := range []vlanless{
		{"cisco_ios", "cisco_ios/show_mac-address-table", macTable, common(IOSMACTable)},
		{"cisco_nxos", "cisco_nxos/show_mac_address-table", macTable, func(s string) ([]MAC, Report) {
			rows, rep := NXOSMACTable(s)
			out := make([]MAC, len(rows))
			for i, r := range rows {
				out[i] = MAC{MAC: r.Address, VLAN: r.VLANID, Port: r.Ports}
			}
			return out, rep
		}},
		{"arista_eos", "arista_eos/show_mac_address-table", eosMACTable, func(s string) ([]MAC, Report) {
			rows, rep := EOSMACTable(s)
			out := make([]MAC, len(rows))
			for i, r := range rows {
				out[i] = MAC{MAC: r.Address, VLAN: r.VLANID, Port: strings.Join(r.Ports, ",")}
			}
			return out, rep
		}},
	} {
		raws, _ := filepath.Glob(filepath.Join(root, c.dir, "*.raw"))
		for _, raw := range raws {
			b, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			lines := textLines(string(b))
			base, baseRep := c.parse(strings.Join(lines, "\n"))
			v, ok := withoutColumn(c.table, lines, "vlan")
			if !ok {
				continue
			}
			files++
			name := c.dir + "/" + filepath.Base(raw)
			got, rep := c.parse(strings.Join(v, "\n"))
			if len(rep.Warnings) != len(baseRep.Warnings) || len(got) != len(base) {
				t.Errorf("%s: %d entries and %v, want %d and no new warning", name, len(got), rep.Warnings, len(base))
				continue
			}
			for i := range got {
				want := base[i]
				want.VLAN = ""
				if got[i] != want {
					t.Errorf("%s: entry %d is %+v, want %+v", name, i, got[i], want)
				}
			}
			var r Result
			if err := Import(c.platform, "", strings.Join(v, "\n"), &r); err != nil || r.Tables[0].Command != CmdMACTable {
				t.Errorf("%s: detected %+v: %v", name, r.Tables, err)
			}
		}
	}
	if files < 3 {
		t.Fatalf("only %d MAC tables with a VLAN column", files)
	}
	t.Logf("%d MAC tables read without their VLAN column", files)
}

// TestARPTablesTitledMACAddress: every ARP table of the corpus, its MAC
// column titled "MAC Address" or "Mac Address" as NX-OS and some
// releases print it, is detected as the ARP table (not a MAC table) and
// read to the same entries.
func TestARPTablesTitledMACAddress(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	for _, c := range []struct{ platform, dir string }{
		{"cisco_ios", "cisco_ios/show_ip_arp"}, {"cisco_ios", "cisco_ios/show_arp"},
		{"cisco_nxos", "cisco_nxos/show_ip_arp"}, {"cisco_nxos", "cisco_nxos/show_ip_arp_detail"},
		{"arista_eos", "arista_eos/show_ip_arp"},
	} {
		raws, _ := filepath.Glob(filepath.Join(root, c.dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no files", c.dir)
		}
		for _, raw := range raws {
			b, _ := os.ReadFile(raw)
			var base Result
			if err := Import(c.platform, "", string(b), &base); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			for _, title := range []string{"MAC Address  ", "Mac Address  "} {
				v := strings.Replace(string(b), "Hardware Addr", title[:len("Hardware Addr")], 1)
				v = strings.Replace(v, "MAC Address", title[:len("MAC Address")], 1)
				var r Result
				if err := Import(c.platform, "", v, &r); err != nil || len(r.MACs) != 0 || r.Tables[0].Command != CmdARP || !slices.Equal(r.ARP, base.ARP) {
					t.Errorf("%s titled %q: %v %+v", raw, title, err, r.Tables)
				}
			}
		}
	}
}
