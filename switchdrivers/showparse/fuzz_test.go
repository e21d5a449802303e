package showparse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// keyed adapts a parser for the fuzzer: its records' keys (port, VLAN ID,
// MAC or IP address) and its report.
func keyed[T any](f func(string) ([]T, Report), key func(T) string) func(string) ([]string, Report) {
	return func(text string) ([]string, Report) {
		rows, rep := f(text)
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = key(r)
		}
		return keys, rep
	}
}

// fuzzed are the parsers on the table reader (and the block reader), each
// with its records' key.
var fuzzed = map[string]func(string) ([]string, Report){
	"ios status":      keyed(IOSInterfacesStatus, func(r IOSInterfaceStatus) string { return r.Port }),
	"eos status":      keyed(EOSInterfacesStatus, func(r EOSInterfaceStatus) string { return r.Port }),
	"vlan":            keyed(IOSShowVLAN, func(r IOSVLAN) string { return r.VLANID }),
	"ios mac":         keyed(IOSMACTable, func(r IOSMAC) string { return r.Address }),
	"nxos mac":        keyed(NXOSMACTable, func(r NXOSMAC) string { return r.Address }),
	"eos mac":         keyed(EOSMACTable, func(r EOSMAC) string { return r.Address }),
	"ios arp":         keyed(IOSARPTable, func(r IOSARP) string { return r.IP }),
	"nxos arp":        keyed(NXOSARPTable, func(r NXOSARP) string { return r.IP }),
	"eos arp":         keyed(EOSARPTable, func(r EOSARP) string { return r.IP }),
	"ios switchport":  keyed(IOSInterfacesSwitchport, func(r IOSSwitchport) string { return r.Interface }),
	"nxos switchport": keyed(NXOSInterfaceSwitchport, func(r NXOSSwitchport) string { return r.Interface }),
	"reader": func(text string) ([]string, Report) {
		var keys []string
		rep := testTable.Read(text, func(r Row) error {
			if r.Cell("port") == "" {
				return fmt.Errorf("no port")
			}
			keys = append(keys, r.Cell("port"))
			return nil
		})
		return keys, rep
	},
}

// FuzzTableReader feeds the parsers anything and checks what must hold
// whatever the input: no panic, no record without its key, every warning
// naming a line of the input with that line's text, rows skipped counted
// once each.
func FuzzTableReader(f *testing.F) {
	for _, dir := range []string{"cisco_ios/show_interfaces_status", "cisco_ios/show_vlan", "cisco_ios/show_mac-address-table", "cisco_ios/show_ip_arp",
		"cisco_ios/show_interfaces_switchport", "cisco_nxos/show_interface_status", "cisco_nxos/show_mac_address-table", "cisco_nxos/show_ip_arp",
		"arista_eos/show_interfaces_status", "arista_eos/show_mac_address-table", "arista_eos/show_ip_arp"} {
		raws, _ := filepath.Glob(filepath.Join(corpus.Dir(f), "ntc", dir, "*.raw"))
		for _, raw := range raws {
			if b, err := os.ReadFile(raw); err == nil && len(b) < 3000 {
				f.Add(string(b))
			}
		}
	}
	f.Add("Port      Name               Status       Vlan       Duplex  Speed Type\r\nGi1/0/1   x                  connected    1          a-full a-1000 10/100/1000BaseTX\r\n --More-- \b\b\b\b\b\b\b\b\b\bGi1/0/2  y  notconnect 2 auto auto\r\nsw1#")
	f.Add("VLAN Name                             Status    Ports\n---- -------------------------------- --------- ------\n1    default                          active    Gi0/1,\n                                                Gi0/2\n   junk\n")
	f.Add("Name: Gi0/1\nSwitchport: Enabled\nSwitchport: Enabled\nName:\nName: Gi0/2\n\x1b[K")
	f.Add("Port\tStatus\tVlan\n---\t---\t---\nGi1\tup\t1\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		for name, parse := range fuzzed {
			keys, rep := parse(text)
			checkParsed(t, name, text, keys, rep)
		}
		var r Result
		for _, p := range []string{"cisco_ios", "cisco_nxos", "arista_eos"} {
			_ = Import(p, "", text, &r)
		}
		for _, p := range r.Ports {
			if p.Name == "" {
				t.Fatalf("import: a port without a name: %+v", p)
			}
		}
	})
}

// checkParsed checks what must hold of any parse of text: every record
// has its key, every warning names a line of text with that line's text
// and a reason, and each skipped row has its warning.
func checkParsed(t *testing.T, name, text string, keys []string, rep Report) {
	t.Helper()
	raw := strings.Split(text, "\n")
	for i, k := range keys {
		if strings.TrimSpace(k) == "" {
			t.Fatalf("%s: record %d has no key", name, i)
		}
	}
	if rep.Skipped != len(rep.Warnings) {
		t.Fatalf("%s: %d skipped, %d warnings", name, rep.Skipped, len(rep.Warnings))
	}
	for _, w := range rep.Warnings {
		if w.Line < 1 || w.Line > len(raw) {
			t.Fatalf("%s: warning at line %d of %d", name, w.Line, len(raw))
		}
		if want := cleanLine(raw[w.Line-1]); w.Text != want {
			t.Fatalf("%s: warning at line %d has text %q, the line is %q", name, w.Line, w.Text, want)
		}
		if w.Reason == "" {
			t.Fatalf("%s: warning at line %d without a reason", name, w.Line)
		}
	}
}
