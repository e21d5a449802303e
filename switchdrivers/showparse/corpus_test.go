package showparse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"gopkg.in/yaml.v3"
)

// parsers maps platform/command folders of the corpus to a parser whose
// records carry the reference's field names (yaml tags).
var parsers = map[string]func(string) (any, Report, error){
	"cisco_ios/show_interfaces_status":                 reported(IOSInterfacesStatus),
	"cisco_ios/show_interfaces_switchport":             reported(IOSInterfacesSwitchport),
	"cisco_ios/show_vlan":                              reported(IOSShowVLAN),
	"cisco_ios/show_mac-address-table":                 reported(IOSMACTable),
	"cisco_ios/show_ip_arp":                            reported(IOSARPTable),
	"cisco_ios/show_arp":                               reported(IOSShowARPTable),
	"arista_eos/show_interfaces_status":                reported(EOSInterfacesStatus),
	"arista_eos/show_vlan":                             reported(EOSShowVLAN),
	"arista_eos/show_mac_address-table":                reported(EOSMACTable),
	"arista_eos/show_ip_arp":                           reported(EOSARPTable),
	"cisco_nxos/show_interface_status":                 reported(IOSInterfacesStatus),
	"cisco_nxos/show_interface_switchport":             reported(NXOSInterfaceSwitchport),
	"cisco_nxos/show_vlan":                             reported(IOSShowVLAN),
	"cisco_nxos/show_mac_address-table":                reported(NXOSMACTable),
	"cisco_nxos/show_ip_arp":                           reported(NXOSARPTable),
	"juniper_junos/show_ethernet-switching_interfaces": reported(JunosEthernetSwitchingInterfaces),
	"juniper_junos/show_vlans":                         reported(JunosShowVLANs),
	"juniper_junos/show_arp_no-resolve":                reported(JunosARPTable),
	"aruba_aoscx/show_interface":                       reported(AOSCXShowInterface),
	"aruba_aoscx/show_vlan":                            reported(AOSCXShowVLAN),
	"aruba_aoscx/show_mac-address-table":               reported(AOSCXMACTable),
	"aruba_aoscx/show_arp_all-vrfs":                    reported(AOSCXARPTable),
	"hp_procurve/show_interfaces_status":               reported(ProCurveInterfacesStatus),
	"hp_procurve/show_vlans":                           reported(ProCurveShowVLANs),
	"hp_procurve/show_mac-address":                     reported(ProCurveMACTable),
	"hp_procurve/show_arp":                             reported(ProCurveARPTable),
	"hp_procurve/show_interfaces_brief":                reported(ProCurveInterfacesBrief),
	"huawei_vrp/display_port_vlan":                     reported(HuaweiDisplayPortVLAN),
	"huawei_vrp/display_arp_all":                       reported(HuaweiARPTable),
	"huawei_vrp/display_interface_brief":               reported(HuaweiDisplayInterfaceBrief),
	"hp_comware/display_interface_brief":               reported(ComwareDisplayInterfaceBrief),
	"hp_comware/display_mac-address":                   reported(ComwareMACTable),
	"hp_comware/display_arp":                           reported(ComwareARPTable),
	"hp_comware/display_vlan_all":                      reported(ComwareDisplayVLANAll),
	"hp_comware/display_vlan_brief":                    reported(ComwareDisplayVLANBrief),
	"huawei_vrp/display_vlan":                          reported(HuaweiDisplayVLAN),
	"huawei_vrp/display_vlan_brief":                    reported(HuaweiDisplayVLAN),
	"cisco_s300/show_interfaces_status":                wrap(SMBInterfacesStatus),
	"dell_powerconnect/show_interfaces_status":         wrap(SMBInterfacesStatus),
	"cisco_s300/show_mac_address-table":                wrap(SMBMACTable),
	"ubiquiti_edgeswitch/show_vlan":                    wrap(EdgeSwitchShowVLAN),
	"dell_force10/show_vlan_brief":                     wrap(Force10ShowVLANBrief),
	"brocade_fastiron/show_interfaces_brief":           wrap(FastIronInterfacesBrief),
	"ruckus_fastiron/show_interfaces_brief":            wrap(RuckusInterfacesBrief),
	"extreme_exos/show_vlan_description":               wrap(EXOSShowVLANDescription),
	"extreme_exos/show_iparp":                          wrap(EXOSIPARP),
	"mikrotik_routeros/ip_arp_print":                   wrap(MikroTikARPTable),
	"aruba_os/show_vlan":                               reported(ArubaOSShowVLAN),
	"aruba_os/show_arp":                                reported(ArubaOSARPTable),
}

// wrap adapts a parser not on the table reader yet (it fails on a row it
// cannot read).
// notReadable names, per corpus file, a value the reference extracted
// from a row that is not what its column says; the parser must report
// that row (with its line), not read it. The EOS MAC table's multicast
// section has "jenn.3057.8423" for a MAC address: it is not hexadecimal.
var notReadable = map[string]string{
	"arista_eos/show_mac_address-table/arista_eos_show_mac_address-table.raw": "jenn.3057.8423",
}

func wrap[T any](f func(string) ([]T, error)) func(string) (any, Report, error) {
	return func(s string) (any, Report, error) { v, err := f(s); return v, Report{}, err }
}

// reported adapts a parser that reports the rows it could not read.
func reported[T any](f func(string) ([]T, Report)) func(string) (any, Report, error) {
	return func(s string) (any, Report, error) { v, rep := f(s); return v, rep, nil }
}

// records turns typed records into maps keyed by their yaml field names.
func records(v any) ([]map[string]any, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	return out, yaml.Unmarshal(b, &out)
}

// TestCorpus parses every matching file of the corpus in place and checks
// every record and field against the reference, and that no row is
// reported unreadable; every command here is used by a driver and must
// be exact.
func TestCorpus(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	perPlatform := map[string][]float64{} // per file field agreement
	defer logAgreement(t, perPlatform)
	for dir, parse := range parsers {
		raws, _ := filepath.Glob(filepath.Join(root, dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no corpus files", dir)
		}
		for _, raw := range raws {
			name := dir + "/" + filepath.Base(raw)
			t.Run(name, func(t *testing.T) {
				text, err := os.ReadFile(raw)
				if err != nil {
					t.Fatal(err)
				}
				refText, err := os.ReadFile(strings.TrimSuffix(raw, ".raw") + ".yml")
				if err != nil {
					t.Fatal(err)
				}
				var ref struct {
					Parsed []map[string]any `yaml:"parsed_sample"`
				}
				if err := yaml.Unmarshal(refText, &ref); err != nil {
					t.Fatal(err)
				}
				v, rep, err := parse(string(text))
				if err != nil {
					t.Fatal(err)
				}
				// Every row of a real device's table is readable, but for
				// rows the reference keeps that are not what their column
				// says: those must be reported, with their line.
				bad := notReadable[dir+"/"+filepath.Base(raw)]
				for _, w := range rep.Warnings {
					if bad == "" || !strings.Contains(w.Text, bad) {
						t.Errorf("warning: %s", w)
					}
				}
				if bad != "" {
					kept := ref.Parsed[:0]
					for _, rec := range ref.Parsed {
						if !strings.Contains(fmt.Sprint(rec), bad) {
							kept = append(kept, rec)
						}
					}
					if len(kept) == len(ref.Parsed) || len(rep.Warnings) != len(ref.Parsed)-len(kept) {
						t.Errorf("the row with %q is not reported: %v", bad, rep.Warnings)
					}
					ref.Parsed = kept
				}
				got, err := records(v)
				if err != nil {
					t.Fatal(err)
				}
				// Agreement with the reference as recorded, and after the
				// values it is known to get wrong (referenceQuirks).
				asRecorded, _ := agreement(got, ref.Parsed)
				if q, ok := referenceQuirks[dir]; ok {
					var n int
					got, ref.Parsed, n = q.fix(got, ref.Parsed)
					t.Logf("%s: %d reference values corrected: %s", name, n, q.why)
				}
				score, diffs := agreement(got, ref.Parsed)
				platform := strings.Split(dir, "/")[0]
				perPlatform[platform] = append(perPlatform[platform], score)
				t.Logf("%s: field agreement %.4f (as recorded %.4f)", name, score, asRecorded)
				if len(diffs) > 0 {
					t.Errorf("%d differences, first: %s", len(diffs), strings.Join(diffs[:min(5, len(diffs))], "; "))
				}
			})
		}
	}
}

// normal makes empty lists and nil compare equal.
func normal(v any) any {
	if l, ok := v.([]any); ok && len(l) == 0 {
		return nil
	}
	return v
}

func TestImportDetectsAndMerges(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc", "cisco_ios")
	read := func(p string) string { b, _ := os.ReadFile(filepath.Join(root, p)); return string(b) }
	// A saved session with prompts, as from a show-tech.
	session := "sw1#show interfaces status\n" + read("show_interfaces_status/cisco_ios_show_interfaces_status.raw") +
		"\nsw1#sh int switchport\n" + read("show_interfaces_switchport/cisco_ios_show_interfaces_switchport.raw") +
		"\nsw1#show vlan\n" + read("show_vlan/cisco_ios_show_vlan.raw")
	var r Result
	for _, s := range Split(session) {
		if err := Import("cisco_ios", s.Command, s.Text, &r); err != nil {
			t.Fatalf("%s: %v", s.Command, err)
		}
	}
	if len(r.Ports) < 25 || len(r.VLANs) != 8 {
		t.Fatalf("ports %d vlans %d", len(r.Ports), len(r.VLANs))
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["Gi1/0/2"]; p.Mode != "access" || p.VLAN != "8" || p.Description != "AccessPoint" || p.Status != "connected" {
		t.Fatalf("Gi1/0/2: %+v", p)
	}
	if p := byName["Gi1/0/7"]; p.Mode != "trunk" {
		t.Fatalf("Gi1/0/7: %+v", p)
	}
	// Without prompts the command is detected from the content.
	for file, want := range map[string]string{
		"show_mac-address-table/cisco_ios_show_mac-address-table3.raw":        CmdMACTable,
		"show_ip_arp/cisco_ios_show_ip_arp.raw":                               CmdARP,
		"show_arp/cisco_ios_show_arp.raw":                                     CmdARP,
		"show_vlan/cisco_ios_show_vlan.raw":                                   CmdVLAN,
		"show_interfaces_switchport/cisco_ios_show_interfaces_switchport.raw": CmdInterfacesSwitchport,
		"show_interfaces_status/cisco_ios_show_interfaces_status.raw":         CmdInterfacesStatus,
	} {
		var d Result
		if err := Import("cisco_ios", "", read(file), &d); err != nil || len(d.Tables) != 1 || d.Tables[0].Command != want {
			t.Errorf("%s: detected %+v (%v), want %q", file, d.Tables, err, want)
		}
	}
	var m Result
	if err := Import("cisco_ios", "", read("show_ip_arp/cisco_ios_show_ip_arp.raw"), &m); err != nil || len(m.ARP) != 7 || m.ARP[0].MAC != "00:00:0c:59:f8:92" {
		t.Fatalf("%v %+v", err, m.ARP)
	}
	if err := Import("nokia_sros", "", "x", &m); err == nil || !strings.Contains(err.Error(), "not implemented yet") {
		t.Fatalf("err = %v", err)
	}
}

// TestImportJunos imports the Junos corpus files without --command (the
// command is detected) and checks the merged result.
func TestImportJunos(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc", "juniper_junos")
	var r Result
	for _, f := range []string{"show_ethernet-switching_interfaces", "show_vlans", "show_arp_no-resolve"} {
		raws, _ := filepath.Glob(filepath.Join(root, f, "*.raw"))
		for _, raw := range raws {
			b, _ := os.ReadFile(raw)
			if err := Import("juniper_junos", "", string(b), &r); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
		}
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["ge-0/0/2"]; p.Mode != "access" || p.VLAN != "300" || p.Status != "up" {
		t.Fatalf("ge-0/0/2: %+v", p)
	}
	if p := byName["ge-0/0/14"]; p.Mode != "trunk" {
		t.Fatalf("ge-0/0/14: %+v", p)
	}
	if len(r.Ports) != 12 || len(r.VLANs) != 3 || r.VLANs[0].ID != "100" || r.VLANs[0].Ports[0] != "ae0" || len(r.ARP) != 9 || r.ARP[0].MAC != "00:00:00:00:00:04" {
		t.Fatalf("ports %d vlans %+v arp %d", len(r.Ports), r.VLANs, len(r.ARP))
	}
	if err := Import("juniper_junos", "show chassis hardware", "x", &r); err == nil || !strings.Contains(err.Error(), "not one import reads for juniper_junos") {
		t.Fatalf("unknown command: %v", err)
	}
}

func FuzzJunos(f *testing.F) {
	f.Add("Interface    State  VLAN members        Tag   Tagging  Blocking \n\nge-0/0/2.0   up      vlan300            300    untagged blocked by RTG (rtggroup)\n                     vlan200             200   tagged   unblocked\n")
	f.Add("Routing instance        VLAN name             Tag          Interfaces\ndefault-switch          v100-Control           100\n                                                           ae0.0*\n")
	f.Add("MAC Address       Address         Interface     Flags\n00:00:00:00:00:04 10.1.100.130    vlan.20        none\n")
	f.Fuzz(func(t *testing.T, text string) {
		JunosEthernetSwitchingInterfaces(text)
		JunosShowVLANs(text)
		JunosARPTable(text)
		JunosInterfaceDescriptions(text)
		var r Result
		Import("juniper_junos", "", text, &r)
	})
}

// TestImportAOSCX imports every AOS-CX corpus file without --command.
func TestImportAOSCX(t *testing.T) {
	raws, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "ntc", "aruba_aoscx", "*", "*.raw"))
	var r Result
	for _, raw := range raws {
		b, _ := os.ReadFile(raw)
		if err := Import("aruba_aoscx", "", string(b), &r); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["1/1/29"]; p.Mode != "access" || p.VLAN != "1" || p.Status != "down" {
		t.Fatalf("1/1/29: %+v", p)
	}
	if p := byName["lag1"]; p.Mode != "trunk" || p.VLAN != "666" {
		t.Fatalf("lag1: %+v", p)
	}
	if len(r.VLANs) != 2 || len(r.MACs) != 6 || r.MACs[0].Port != "lag100" || len(r.ARP) != 2 {
		t.Fatalf("vlans %d macs %d arp %d", len(r.VLANs), len(r.MACs), len(r.ARP))
	}
}

// TestImportProCurve imports every ProCurve corpus file without --command.
func TestImportProCurve(t *testing.T) {
	raws, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "ntc", "hp_procurve", "*", "*.raw"))
	var r Result
	for _, raw := range raws {
		b, _ := os.ReadFile(raw)
		if err := Import("hp_procurve", "", string(b), &r); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["A1"]; p.Mode != "access" || p.VLAN == "" {
		t.Fatalf("A1: %+v", p)
	}
	// One switch's table: A9 is tagged in several VLANs and untagged in 60.
	var one Result
	b, _ := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", "hp_procurve", "show_interfaces_status", "show_interfaces_status.raw"))
	if err := Import("hp_procurve", "", string(b), &one); err != nil || len(one.Ports) != 14 {
		t.Fatalf("%v %d", err, len(one.Ports))
	}
	for _, p := range one.Ports {
		if p.Name == "A9" && (p.Mode != "trunk" || p.VLAN != "60") {
			t.Fatalf("A9: %+v", p)
		}
	}
	if len(r.VLANs) == 0 || len(r.MACs) != 4 || r.MACs[0].MAC != "50:00:00:26:00:00" || len(r.ARP) != 4 {
		t.Fatalf("vlans %d macs %+v arp %d", len(r.VLANs), r.MACs, len(r.ARP))
	}
}

// TestImportHuawei imports one switch's Huawei output without --command.
func TestImportHuawei(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc", "huawei_vrp")
	var r Result
	for _, f := range []string{"display_port_vlan/huawei_vrp_display_port_vlan_example4.raw", "display_arp_all/huawei_vrp_display_arp_all.raw", "display_interface_brief/huawei_vrp_display_interface_brief.raw"} {
		b, _ := os.ReadFile(filepath.Join(root, f))
		if err := Import("huawei_vrp", "", string(b), &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["Eth-Trunk2"]; p.Mode != "trunk" || p.VLAN != "1" || p.Status != "up" {
		t.Fatalf("Eth-Trunk2: %+v", p)
	}
	if p := byName["GigabitEthernet15/1/0"]; p.Status != "up" {
		t.Fatalf("a trunk member named without its speed: %+v", p)
	}
	if len(r.ARP) != 5 || r.ARP[0].MAC != "b0:76:1b:65:6a:40" {
		t.Fatalf("arp %+v", r.ARP)
	}
}

// TestImportComware imports one Comware switch's output without --command.
func TestImportComware(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc", "hp_comware")
	var r Result
	for _, f := range []string{"display_interface_brief/hp_comware_display_interface_brief_release_9119P17.raw", "display_mac-address/hp_comware_display_mac-address.raw", "display_arp/hp_comware_display_arp.raw"} {
		b, _ := os.ReadFile(filepath.Join(root, f))
		if err := Import("hp_comware", "", string(b), &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["GE0/0/3"]; p.Mode != "access" || p.VLAN != "1" || p.Status != "UP" {
		t.Fatalf("GE0/0/3: %+v", p)
	}
	if p := byName["GE0/0/1"]; p.Mode != "routed" || p.Description != "### WAN ###" {
		t.Fatalf("GE0/0/1: %+v", p)
	}
	if len(r.MACs) != 4 || r.MACs[1].Port != "GigabitEthernet1/0/20" || len(r.ARP) != 3 {
		t.Fatalf("macs %+v arp %d", r.MACs, len(r.ARP))
	}
}

// TestImportSmallBusiness imports the SG300, PowerConnect, EdgeSwitch and
// Force10 corpus files without --command.
func TestImportSmallBusiness(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	for _, tc := range []struct {
		platform, file     string
		ports, vlans, macs int
	}{
		{"cisco_s300", "cisco_s300/show_interfaces_status/cisco_s300_show_interfaces_status.raw", 28, 0, 0},
		{"cisco_s300", "cisco_s300/show_mac_address-table/cisco_s300_show_mac_address-table.raw", 0, 0, 12},
		{"dell_powerconnect", "dell_powerconnect/show_interfaces_status/dell_powerconnect_show_interfaces_status.raw", 48, 0, 0},
		{"ubiquiti_edgeswitch", "ubiquiti_edgeswitch/show_vlan/ubiquiti_edgeswitch_show_vlan.raw", 0, 5, 0},
		{"dell_force10", "dell_force10/show_vlan_brief/dell_force10_show_vlan_brief.raw", 0, 6, 0},
		{"brocade_fastiron", "brocade_fastiron/show_interfaces_brief/brocade_fastiron_show_interfaces_brief.raw", 24, 0, 0},
		{"ruckus_fastiron", "ruckus_fastiron/show_interfaces_brief/show_interfaces_brief.raw", 109, 0, 0},
		{"extreme_exos", "extreme_exos/show_vlan_description/extreme_exos_show_vlan_description.raw", 0, 40, 0},
		{"aruba_os", "aruba_os/show_vlan/aruba_os_show_vlan.raw", 0, 8, 0},
	} {
		b, _ := os.ReadFile(filepath.Join(root, tc.file))
		var r Result
		if err := Import(tc.platform, "", string(b), &r); err != nil || len(r.Ports) != tc.ports || len(r.VLANs) != tc.vlans || len(r.MACs) != tc.macs {
			t.Errorf("%s: %v: ports %d vlans %d macs %d", tc.file, err, len(r.Ports), len(r.VLANs), len(r.MACs))
		}
	}
	var r Result
	if err := Import("dell_force10", "show running-config", "x", &r); err == nil || !strings.Contains(err.Error(), "not one import reads for dell_force10") {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestImportFastIronModes(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", "brocade_fastiron", "show_interfaces_brief", "brocade_fastiron_show_interfaces_brief.raw"))
	var r Result
	if err := Import("brocade_fastiron", "", string(b), &r); err != nil {
		t.Fatal(err)
	}
	byName := map[string]Port{}
	for _, p := range r.Ports {
		byName[p.Name] = p
	}
	if p := byName["4"]; p.Mode != "access" || p.VLAN != "2033" {
		t.Fatalf("port 4: %+v", p)
	}
	if p := byName["1"]; p.Mode != "trunk" {
		t.Fatalf("port 1 (tagged only): %+v", p)
	}
	var m Result
	for _, f := range []string{"extreme_exos/show_iparp/extreme_exos_show_iparp.raw", "mikrotik_routeros/ip_arp_print/mikrotik_routeros_ip_arp_print.raw"} {
		b, _ := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", f))
		platform := strings.Split(f, "/")[0]
		if err := Import(platform, "", string(b), &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if len(m.ARP) != 2+3 {
		t.Fatalf("arp %+v", m.ARP)
	}
}

// TestOtherCorporaReadable imports the genie and napalm outputs of the
// IOS and NX-OS commands read through the table reader: every row of
// these real tables must be read (their records are not compared here).
func TestOtherCorporaReadable(t *testing.T) {
	root := corpus.Dir(t)
	files, tables := 0, 0
	for _, tc := range []struct{ glob, platform, command string }{
		{"genie/ios*/ShowInterfacesStatus/*.raw", "cisco_ios", "show interfaces status"},
		{"genie/ios*/ShowInterfacesSwitchport/*.raw", "cisco_ios", "show interfaces switchport"},
		{"genie/ios*/ShowVlan/*.raw", "cisco_ios", "show vlan"},
		{"genie/iosxe/ShowVlanBrief/*.raw", "cisco_ios", "show vlan brief"},
		{"genie/ios*/ShowMacAddressTable/*.raw", "cisco_ios", "show mac address-table"},
		{"genie/ios*/ShowIpArp/*.raw", "cisco_ios", "show ip arp"},
		{"genie/nxos/ShowInterfaceStatus/*.raw", "cisco_nxos", "show interface status"},
		{"genie/nxos/ShowMacAddressTable/*.raw", "cisco_nxos", "show mac address-table"},
		{"genie/nxos/ShowIpArp/*.raw", "cisco_nxos", "show ip arp"},
		{"napalm/ios/get_mac_address_table/*/show_mac_address_table.txt", "cisco_ios", "show mac address-table"},
		{"napalm/ios/get_arp_table/*/show_arp*.txt", "cisco_ios", "show arp | exclude Incomplete"},
		{"napalm/ios/get_vlans/*/show_vlan_*.txt", "cisco_ios", ""},
		{"napalm/nxos_ssh/get_mac_address_table/*/show_mac_address_table.txt", "cisco_nxos", "show mac address-table"},
		{"napalm/nxos_ssh/get_arp_table/*/show_ip_arp*.txt", "cisco_nxos", "show ip arp vrf all | exclude INCOMPLETE"},
	} {
		paths, _ := filepath.Glob(filepath.Join(root, tc.glob))
		if len(paths) == 0 {
			t.Errorf("%s: no files", tc.glob)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files++
			var r Result
			err = ImportFile(tc.platform, tc.command, p, string(b), &r)
			switch {
			case strings.HasSuffix(p, "nxos/ShowInterfaceStatus/golden2.raw"): // rows without their header
				if err == nil || !strings.Contains(err.Error(), ":1: no show interfaces status table here") {
					t.Errorf("%s: %v", p, err)
				}
				continue
			case strings.Contains(string(b), "% Invalid input"): // the switch refused the command
				if err == nil {
					t.Errorf("%s: an error message read as a table", p)
				}
				continue
			}
			tables++
			if err != nil || len(r.Warnings) > 0 || len(r.Tables) == 0 || r.Tables[0].Read == 0 {
				t.Errorf("%s: %v %v", p, err, r.Warnings)
			}
		}
	}
	t.Logf("%d files, %d of them tables read without a warning", files, tables)
}
