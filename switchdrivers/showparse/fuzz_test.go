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
	"ios status":         keyed(IOSInterfacesStatus, func(r IOSInterfaceStatus) string { return r.Port }),
	"eos status":         keyed(EOSInterfacesStatus, func(r EOSInterfaceStatus) string { return r.Port }),
	"vlan":               keyed(IOSShowVLAN, func(r IOSVLAN) string { return r.VLANID }),
	"ios mac":            keyed(IOSMACTable, func(r IOSMAC) string { return r.Address }),
	"nxos mac":           keyed(NXOSMACTable, func(r NXOSMAC) string { return r.Address }),
	"eos mac":            keyed(EOSMACTable, func(r EOSMAC) string { return r.Address }),
	"ios arp":            keyed(IOSARPTable, func(r IOSARP) string { return r.IP }),
	"nxos arp":           keyed(NXOSARPTable, func(r NXOSARP) string { return r.IP }),
	"eos arp":            keyed(EOSARPTable, func(r EOSARP) string { return r.IP }),
	"ios switchport":     keyed(IOSInterfacesSwitchport, func(r IOSSwitchport) string { return r.Interface }),
	"nxos switchport":    keyed(NXOSInterfaceSwitchport, func(r NXOSSwitchport) string { return r.Interface }),
	"junos esi":          keyed(JunosEthernetSwitchingInterfaces, func(r JunosESI) string { return r.Interface }),
	"junos vlans":        keyed(JunosShowVLANs, func(r JunosVLAN) string { return r.Name }),
	"junos arp":          keyed(JunosARPTable, func(r JunosARP) string { return r.IP }),
	"junos mac":          keyed(JunosEthernetSwitchingTable, func(r JunosMAC) string { return r.MAC }),
	"junos descriptions": keyed(JunosInterfaceDescriptions, func(r JunosDescription) string { return r.Interface }),
	"aoscx interface":    keyed(AOSCXShowInterface, func(r AOSCXInterface) string { return r.Interface }),
	"aoscx vlan":         keyed(AOSCXShowVLAN, func(r AOSCXVLAN) string { return r.ID }),
	"aoscx mac":          keyed(AOSCXMACTable, func(r AOSCXMAC) string { return r.MAC }),
	"aoscx arp":          keyed(AOSCXARPTable, func(r AOSCXARP) string { return r.IP }),
	"arubaos vlan":       keyed(ArubaOSShowVLAN, func(r ArubaOSVLAN) string { return r.ID }),
	"arubaos arp":        keyed(ArubaOSARPTable, func(r ArubaOSARP) string { return r.IP }),
	"procurve status":    keyed(ProCurveInterfacesStatus, func(r ProCurveStatus) string { return r.Port }),
	"procurve brief":     keyed(ProCurveInterfacesBrief, func(r ProCurveBrief) string { return r.Port }),
	"procurve vlans":     keyed(ProCurveShowVLANs, func(r ProCurveVLAN) string { return r.ID }),
	"procurve mac":       keyed(ProCurveMACTable, func(r ProCurveMAC) string { return r.MAC }),
	"procurve arp":       keyed(ProCurveARPTable, func(r ProCurveARP) string { return r.IP }),
	"comware brief":      keyed(ComwareDisplayInterfaceBrief, func(r ComwareInterfaceBrief) string { return r.Interface }),
	"comware mac":        keyed(ComwareMACTable, func(r ComwareMAC) string { return r.MAC }),
	"comware arp":        keyed(ComwareARPTable, func(r ComwareARP) string { return r.IP }),
	"comware vlan all":   keyed(ComwareDisplayVLANAll, func(r ComwareVLAN) string { return r.VLANID }),
	"comware vlan brief": keyed(ComwareDisplayVLANBrief, func(r ComwareVLAN) string { return r.VLANID }),
	"huawei port vlan":   keyed(HuaweiDisplayPortVLAN, func(r HuaweiPortVLAN) string { return r.Interface }),
	"huawei arp":         keyed(HuaweiARPTable, func(r HuaweiARP) string { return r.IP }),
	"huawei brief":       keyed(HuaweiDisplayInterfaceBrief, func(r HuaweiInterfaceBrief) string { return r.Interface }),
	"huawei vlan":        keyed(HuaweiDisplayVLAN, func(r HuaweiVLAN) string { return r.VLANID }),
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
		"arista_eos/show_interfaces_status", "arista_eos/show_mac_address-table", "arista_eos/show_ip_arp",
		"juniper_junos/show_ethernet-switching_interfaces", "juniper_junos/show_vlans", "aruba_aoscx/show_interface", "aruba_aoscx/show_vlan",
		"hp_procurve/show_interfaces_brief", "hp_comware/display_interface_brief", "hp_comware/display_vlan_all", "hp_comware/display_vlan_brief",
		"huawei_vrp/display_vlan", "huawei_vrp/display_port_vlan", "huawei_vrp/display_arp_all"} {
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
	f.Add("Interface 1/1/1 is up\n Admin state is up\n VLAN Mode: access\n Access VLAN: 10\nInterface 1/1/2 is down (Administratively down)\n Admin state is down\n Admin state is up\ngarbage\n Rx\n   1 total packets 2 total bytes\n")
	f.Add(" VLAN ID: 10\n Name: a\n Tagged ports: none\n Untagged ports:\n    GE1/0/1 GE1/0/2\n Name: b\n VLAN ID: x\n")
	f.Add("Logical         Vlan          TAG     MAC     STP         Logical           Tagging\ninterface       members               limit   state       interface flags\nge-0/0/0.0                            65535               DN                untagged\n                v10           10      65535   Discarding                    untagged\n")
	f.Fuzz(func(t *testing.T, text string) {
		raw := strings.Split(text, "\n")
		for name, parse := range fuzzed {
			keys, rep := parse(text)
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
		var r Result
		for _, p := range []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "aruba_aoscx", "aruba_os", "hp_procurve", "hp_comware", "huawei_vrp"} {
			_ = Import(p, "", text, &r)
		}
		for _, p := range r.Ports {
			if p.Name == "" {
				t.Fatalf("import: a port without a name: %+v", p)
			}
		}
	})
}
