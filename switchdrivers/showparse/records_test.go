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

// recordOutputs are the corpus folders whose outputs are records (not
// tables), with their parser, the Records that splits them, and whether
// a line that is none of the record's documented lines is reported (not
// so where what is between records is the rest of a configuration).
var recordOutputs = []struct {
	dir       string
	records   Records
	parse     func(string) ([]string, Report)
	junkFound bool
}{
	{"ruckus_fastiron/show_vlan", fastIronVLANRecords, printed(FastIronShowVLAN), true},
	{"brocade_fastiron/show_running-config_vlan", fastIronConfigRecords, printed(FastIronRunningConfigVLAN), false},
	{"cisco_s300/show_interfaces_switchport", smbSwitchportRecords, printed(SMBInterfacesSwitchport), true},
	{"extreme_exos/show_ports_information_detail", exosDetailRecords, printed(EXOSPortsInformationDetail), true},
	{"mikrotik_routeros/interface_vlan_print_detail", mikrotikVLANRecords, printed(MikroTikInterfaceVLAN), true},
}

// TestRecordVariants prints each record output of the corpus again as
// terminals and capture tools do — CRLF, pager residue before a record,
// prompts around it, a junk line inside the last record but one — and
// requires the same records (the junk line reported at its line where
// the format lets it be told from the record's own lines).
func TestRecordVariants(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	for _, ro := range recordOutputs {
		raws, _ := filepath.Glob(filepath.Join(root, ro.dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no corpus files", ro.dir)
		}
		held, total := 0, 0
		for _, raw := range raws {
			b, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			lines := textLines(string(b))
			base, baseRep := ro.parse(strings.Join(lines, "\n"))
			if len(base) == 0 || len(baseRep.Warnings) != 0 {
				t.Fatalf("%s: %d records, %v", raw, len(base), baseRep.Warnings)
			}
			// The records' first lines, so that a variant can put
			// something before the last one.
			var starts []int
			for i, l := range lines {
				if ro.records.Start(l) {
					starts = append(starts, i)
				}
			}
			last := starts[len(starts)-1]
			check := func(name string, v []string, junk int) {
				total++
				got, rep := ro.parse(strings.Join(v, "\n"))
				problem := ""
				switch {
				case !slices.Equal(withoutLines(got), withoutLines(base)):
					problem = "records changed: " + firstDiff(withoutLines(base), withoutLines(got))
				case junk < 0 && len(rep.Warnings) != 0:
					problem = fmt.Sprintf("new warnings: %v", rep.Warnings)
				case junk >= 0 && (len(rep.Warnings) != 1 || rep.Warnings[0].Line != junk+1 || rep.Warnings[0].Text != junkRow):
					problem = fmt.Sprintf("the junk line (line %d) is not the one warning: %v", junk+1, rep.Warnings)
				}
				if problem != "" {
					t.Errorf("%s: %s: %s", raw, name, problem)
					return
				}
				held++
			}
			crlf := make([]string, len(lines))
			for i, l := range lines {
				crlf[i] = l + "\r"
			}
			check("CRLF", crlf, -1)
			for name, residue := range map[string]string{
				"--More-- erased with backspaces": " --More-- " + strings.Repeat("\b", 10) + strings.Repeat(" ", 10) + strings.Repeat("\b", 10),
				"--More-- erased with ANSI":       "\x1b[7m--More--\x1b[m\r\x1b[K",
			} {
				v := slices.Clone(lines)
				v[last] = residue + v[last]
				check("pager residue: "+name, v, -1)
			}
			check("prompts", append(append([]string{"sw1#terminal length 0", "sw1#show x"}, lines...), "sw1#"), -1)
			if ro.junkFound {
				v := slices.Insert(slices.Clone(lines), last, junkRow)
				check("junk line", v, last)
			}
		}
		t.Logf("%s: %d/%d variants hold (%d files)", ro.dir, held, total, len(raws))
	}
}

// withoutLines drops the "Line:N" fields of printed records (a variant
// that adds lines moves them).
func withoutLines(recs []string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		fs := strings.Fields(r)
		fs = slices.DeleteFunc(fs, func(f string) bool { return strings.HasPrefix(f, "Line:") })
		out[i] = strings.Join(fs, " ")
	}
	return out
}
