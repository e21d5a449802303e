package showparse

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// Layouts of Junos, AOS-CX, ProCurve, Comware and Huawei that the corpus
// does not hold, written here from the vendors' documented formats, and
// the behaviour of the block readers on broken blocks.

// TestAOSCXBlocksNeverMerge: a block whose first line ends with anything
// after the state starts a block of its own; a first line that is not
// recognised, or an attribute met twice, is reported and its lines are
// never read into the interface above.
func TestAOSCXBlocksNeverMerge(t *testing.T) {
	text := "Interface 1/1/1 is up\n Admin state is up\n Description: uplink\n VLAN Mode: access\n Access VLAN: 10\n\n" +
		"Interface 1/1/2 is down (Administratively down)\n Admin state is down\n Description: spare\n VLAN Mode: access\n Access VLAN: 20\n\n" +
		"Interfce 1/1/3 is up\n Admin state is up\n VLAN Mode: access\n Access VLAN: 30\n\n" +
		"Interface 1/1/4 is up\n Admin state is up\n VLAN Mode: native-untagged\n Native VLAN: 1\n" +
		" Admin state is up\n VLAN Mode: access\n Access VLAN: 40\n" +
		"Aggregate lag1 is up\n Admin state is up\n Aggregated-interfaces : 1/1/51 1/1/52\n"
	rows, rep := AOSCXShowInterface(text)
	if len(rows) != 4 || rows[0].VLANAccess != "10" || rows[1].Interface != "1/1/2" || rows[1].LinkStatus != "down" ||
		rows[1].LinkStateInfo != "Administratively down" || rows[1].LinkAdmin != "down" || rows[1].VLANAccess != "20" || rows[1].Description != "spare" ||
		rows[2].Interface != "1/1/4" || rows[2].VLANMode != "native-untagged" || rows[2].VLANAccess != "" ||
		rows[3].Interface != "lag1" || !slices.Equal(rows[3].AggregatedInterfaces, []string{"1/1/51", "1/1/52"}) {
		t.Fatalf("%+v", rows)
	}
	if len(rep.Warnings) != 2 || rep.Warnings[0].Line != 13 || rep.Warnings[0].Text != "Interfce 1/1/3 is up" ||
		rep.Warnings[1].Line != 22 || !strings.Contains(rep.Warnings[1].Reason, "twice") || rep.Read != 4 || rep.Err() == nil {
		t.Fatalf("%+v", rep)
	}
	// Each names the block it cut: what that block printed after it is
	// not read.
	if rep.Warnings[0].Under != "1/1/2" || rep.Warnings[1].Under != "1/1/4" {
		t.Fatalf("under %q, %q", rep.Warnings[0].Under, rep.Warnings[1].Under)
	}
	if _, rep := AOSCXShowInterface("xcvr fault\nInterface 1/1/1 is up\n"); len(rep.Warnings) != 1 || rep.Warnings[0].Under != "" {
		t.Fatalf("a line before the first block is under none: %+v", rep.Warnings)
	}
	// A prompt ends the block; what follows it is not read into it.
	rows, rep = AOSCXShowInterface("Interface 1/1/1 is up\n Admin state is up\nsw1# show vlan\n VLAN Mode: access\n")
	if len(rows) != 1 || rows[0].VLANMode != "" || len(rep.Warnings) != 0 {
		t.Fatalf("%+v %+v", rows, rep)
	}
	// Import maps the modes (the driver goes past the lines it cannot read
	// and refuses only the ports they may be).
	var r Result
	if err := Import("aruba_aoscx", "show interface", text, &r); err != nil || len(r.Warnings) != 2 || len(r.Ports) != 4 ||
		r.Ports[1] != (Port{Name: "1/1/2", Mode: "access", VLAN: "20", Status: "down", Description: "spare"}) || r.Ports[2].Mode != "trunk" {
		t.Fatalf("%v %+v", err, r)
	}
}

// TestJunosELS reads the ELS layouts: `show ethernet-switching interface`
// with the routing instance line repeated per interface, a MAC limit that
// runs over its column and the DN flag; `show ethernet-switching table`
// with and without the Age column; EX `show vlans` and `show
// ethernet-switching table`.
func TestJunosELS(t *testing.T) {
	esi := "Logical Interface flags (DL - disable learning, AD - packet action drop,\n" +
		"                         LH - MAC limit hit, DN - interface down )\n\n" +
		"Logical         Vlan                   TAG   MAC    MAC+IP STP         Logical          Tagging\n" +
		"interface       members                      limit  limit  state       interface flags\n" +
		"Routing Instance Name : default-switch\n" +
		"ge-0/0/0.0                                   65536  0                  DN               untagged\n" +
		"                vlan-110               110   65536  0      Discarding                   untagged\n" +
		"Routing Instance Name : default-switch\n" +
		"ae0.0                                        0      0                                   tagged\n" +
		"                MVRF_VBASED_VLAN_1     1     1000001 0     Forwarding                   tagged\n" +
		"                voice                  20    65535  0      Forwarding                   tagged\n\n{master:0}\n"
	rows, rep := JunosEthernetSwitchingInterfaces(esi)
	if len(rep.Warnings) != 0 || len(rows) != 2 || rows[0].Status != "down" || rows[0].Flags != "DN" || !slices.Equal(rows[0].VLANID, []string{"110"}) ||
		!slices.Equal(rows[0].STPState, []string{"Discarding"}) || rows[1].Status != "up" || rows[1].PortTagging != "tagged" ||
		!slices.Equal(rows[1].VLANMember, []string{"MVRF_VBASED_VLAN_1", "voice"}) || !slices.Equal(rows[1].VLANID, []string{"1", "20"}) {
		t.Fatalf("%+v %v", rows, rep.Warnings)
	}
	// A line that cannot be read among ge-0/0/0.0's member lines may be
	// one of them (or an interface whose members were read into it): it
	// names ge-0/0/0.0; one above every interface names none.
	garbled := strings.Replace(esi, "                vlan-110", "% xcvr fault, see log\n                vlan-110", 1)
	garbled = strings.Replace(garbled, "ge-0/0/0.0 ", "%% unit 0 %%\nge-0/0/0.0 ", 1)
	if rows, rep := JunosEthernetSwitchingInterfaces(garbled); len(rows) != 2 || len(rep.Warnings) != 2 ||
		rep.Warnings[0].Under != "" || rep.Warnings[1].Under != "ge-0/0/0.0" || rep.Warnings[1].Text != "% xcvr fault, see log" {
		t.Fatalf("%+v %+v", rows, rep.Warnings)
	}
	var r Result
	if err := Import("juniper_junos", "", esi, &r); err != nil || len(r.Ports) != 2 ||
		r.Ports[0] != (Port{Name: "ge-0/0/0", Mode: "access", VLAN: "110", Status: "down"}) || r.Ports[1].Mode != "trunk" {
		t.Fatalf("%v %+v", err, r.Ports)
	}

	for name, tc := range map[string]struct {
		text  string
		macs  int
		first JunosMAC
	}{
		"ELS with age": {"MAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static\n" +
			"           SE - statistics enabled, NM - non configured MAC, R - remote PE MAC, O - ovsdb MAC)\n\n\n" +
			"Ethernet switching table : 2 entries, 2 learned\nRouting instance : default-switch\n" +
			"    Vlan                MAC                 MAC         Age    Logical                NH        RTR \n" +
			"    name                address             flags              interface              Index     ID\n" +
			"    VLAN100             02:05:86:71:5c:00   D             -   ae0.0                  0         0       \n" +
			"    VLAN100             aa:c1:ab:39:5f:31   D             -   ae0.0                  0         0       \n",
			2, JunosMAC{VLANName: "VLAN100", MAC: "02:05:86:71:5c:00", Flags: "D", Age: "-", Interface: "ae0.0"}},
		"ELS without age, long VLAN name": {"Ethernet switching table : 3 entries, 3 learned\nRouting instance : default-switch\n" +
			"   Vlan                MAC                 MAC      Logical                Active\n" +
			"   name                address             flags    interface              source\n" +
			"   contrail_VN-01-l2-5 02:dc:ff:f3:e5:10   D        vtep.32771             172.16.2.102\n" +
			"   default             08:00:27:0d:ec:f8   D        xe-0/0/1.0\n" +
			"   srv-common-servers  *                   D        xe-0/0/7.0\n",
			2, JunosMAC{VLANName: "contrail_VN-01-l2-5", MAC: "02:dc:ff:f3:e5:10", Flags: "D", Interface: "vtep.32771"}},
		"EX": {"Ethernet-switching table: 3 entries, 1 learned\n" +
			"  VLAN              MAC address       Type         Age Interfaces\n" +
			"  default           *                 Flood          - All-members\n" +
			"  default           00:10:db:ff:10:00 Learn          0 ge-0/0/9.0\n" +
			"  v100              00:10:db:ff:10:01 Static         - ge-0/0/10.0\n",
			2, JunosMAC{VLANName: "default", MAC: "00:10:db:ff:10:00", Flags: "Learn", Age: "0", Interface: "ge-0/0/9.0"}},
	} {
		macs, rep := JunosEthernetSwitchingTable(tc.text)
		if len(rep.Warnings) != 0 || len(macs) != tc.macs || macs[0] != tc.first {
			t.Errorf("%s: %+v %v", name, macs, rep.Warnings)
		}
		var r Result
		if err := Import("juniper_junos", "", tc.text, &r); err != nil || len(r.MACs) != tc.macs || r.Tables[0].Command != "show ethernet-switching table" {
			t.Errorf("%s: import: %v %+v", name, err, r)
		}
	}

	ex := "Name           Tag     Interfaces\ndefault\n                       ge-0/0/0.0*, ge-0/0/1.0, ge-0/0/2.0\n" +
		"employee-vlan  20      ge-1/0/0.0, ge-1/0/1.0,\n                       ge-1/0/2.0*\nvoice-vlan     10      None\nmgmt                   me0.0*\n"
	vlans, rep := JunosShowVLANs(ex)
	if len(rep.Warnings) != 0 || len(vlans) != 4 || vlans[0].Tag != "" || len(vlans[0].Interfaces) != 3 ||
		!slices.Equal(vlans[1].Interfaces, []string{"ge-1/0/0.0", "ge-1/0/1.0", "ge-1/0/2.0*"}) || len(vlans[2].Interfaces) != 0 || vlans[3].Interfaces[0] != "me0.0*" {
		t.Fatalf("%+v %v", vlans, rep.Warnings)
	}

	desc := "Interface       Admin Link Description\nge-0/0/0        up    up   Uplink core\nge-0/0/1.0      up    down Logical unit\nxe-0/1/0        down  down Serveur NAS\n"
	ds, rep := JunosInterfaceDescriptions(desc)
	if len(rep.Warnings) != 0 || len(ds) != 3 || ds[0].Description != "Uplink core" || ds[2].Admin != "down" {
		t.Fatalf("%+v %v", ds, rep.Warnings)
	}
}

// TestHuaweiVLANGroups checks what the reference drops: the second port
// group of a VLAN (its tagged ports after its untagged ones).
func TestHuaweiVLANGroups(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", "huawei_vrp", "display_vlan", "huawei_vrp_display_vlan.raw"))
	if err != nil {
		t.Fatal(err)
	}
	rows, rep := HuaweiDisplayVLAN(string(b))
	if len(rep.Warnings) != 0 || len(rows) != 7 {
		t.Fatalf("%d %v", len(rows), rep.Warnings)
	}
	tg := rows[1]
	if tg.VLANID != "1" || tg.Mode != "TG" || !slices.Equal(tg.Interface, []string{"40GE0/0/1", "40GE0/0/2", "40GE0/0/3", "40GE0/0/4", "40GE0/0/5", "40GE0/0/6"}) ||
		tg.Description != "VLAN 0001" || tg.Type != "common" {
		t.Fatalf("VLAN 1 tagged: %+v", tg)
	}
	if rows[5].VLANID != "30" || rows[5].Mode != "TG" || len(rows[5].Interface) != 6 || rows[6].VLANID != "1555" || rows[6].Property != "multicastVLAN" {
		t.Fatalf("%+v", rows[5:])
	}
	var r Result
	if err := Import("huawei_vrp", "display vlan", string(b), &r); err != nil || len(r.VLANs) != 5 || len(r.VLANs[0].Ports) != 12 || r.VLANs[0].Name != "VLAN 0001" {
		t.Fatalf("%v %+v", err, r.VLANs)
	}
	// Later releases mark the lists of `display port vlan` with U: and T:.
	pv, rep := HuaweiDisplayPortVLAN("Port                    Link Type    PVID  VLAN List\n" +
		"-------------------------------------------------------------------------------\n" +
		"GE0/0/1                 access       10    U: 10\nGE0/0/2                 trunk        1     U: 1\n                                              T: 2-10 20\n" +
		"GE0/0/3                 -            0     -\n")
	if len(rep.Warnings) != 0 || len(pv) != 3 || !slices.Equal(pv[1].Trunk, []string{"1", "2-10", "20"}) || pv[2].LinkType != "" || pv[2].PVID != "" {
		t.Fatalf("%+v %v", pv, rep.Warnings)
	}
}

// TestComwareVLANAll checks the port lists (the reference has none) and
// that a garbled block is not read into the VLAN above it.
func TestComwareVLANAll(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", "hp_comware", "display_vlan_all", "hp_comware_display_vlan_all.raw"))
	if err != nil {
		t.Fatal(err)
	}
	rows, rep := ComwareDisplayVLANAll(string(b))
	if len(rep.Warnings) != 0 || len(rows) != 3 || len(rows[0].TaggedPorts) != 0 || len(rows[0].UntaggedPorts) != 6 ||
		!slices.Equal(rows[1].TaggedPorts, []string{"Bridge-Aggregation5", "Bridge-Aggregation6", "Ten-GigabitEthernet1/0/1", "Ten-GigabitEthernet1/0/3"}) ||
		!slices.Equal(rows[2].UntaggedPorts, []string{"Ten-GigabitEthernet1/0/46"}) {
		t.Fatalf("%+v %v", rows, rep.Warnings)
	}
	garbled := " VLAN ID: 10\n Name: ten\n Tagged ports: none\n Untagged ports:\n    GE1/0/1\n\n VLAN IDD: 20\n Name: twenty\n Untagged ports:\n    GE1/0/2\n\n VLAN ID: 30\n Name: thirty\n"
	rows, rep = ComwareDisplayVLANAll(garbled)
	if len(rows) != 2 || !slices.Equal(rows[0].UntaggedPorts, []string{"GE1/0/1"}) || rows[0].Name != "ten" || rows[1].VLANID != "30" ||
		len(rep.Warnings) != 1 || rep.Warnings[0].Line != 8 {
		t.Fatalf("%+v %+v", rows, rep)
	}
	var r Result
	if err := Import("hp_comware", "", string(b), &r); err != nil || len(r.VLANs) != 3 || r.Tables[0].Command != "display vlan all" || len(r.VLANs[1].Ports) != 4 {
		t.Fatalf("%v %+v", err, r)
	}
}

// TestImportPlatformsA: every corpus file of these platforms is detected
// as its own command (scored headers), read without a warning; a command
// import does not read is an error naming the platform's commands.
func TestImportPlatformsA(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	want := map[string]string{ // corpus folder -> the command detected
		"juniper_junos/show_ethernet-switching_interfaces": "show ethernet-switching interfaces",
		"juniper_junos/show_vlans":                         "show vlans",
		"juniper_junos/show_arp_no-resolve":                "show arp",
		"aruba_aoscx/show_interface":                       "show interface",
		"aruba_aoscx/show_vlan":                            "show vlan",
		"aruba_aoscx/show_mac-address-table":               "show mac-address-table",
		"aruba_aoscx/show_arp_all-vrfs":                    "show arp",
		"aruba_os/show_vlan":                               "show vlan",
		"aruba_os/show_arp":                                "show arp",
		"hp_procurve/show_interfaces_status":               "show interfaces status",
		"hp_procurve/show_interfaces_brief":                "show interfaces brief",
		"hp_procurve/show_vlans":                           "show vlans",
		"hp_procurve/show_mac-address":                     "show mac-address",
		"hp_procurve/show_arp":                             "show arp",
		"hp_comware/display_interface_brief":               "display interface brief",
		"hp_comware/display_mac-address":                   "display mac-address",
		"hp_comware/display_arp":                           "display arp",
		"hp_comware/display_vlan_all":                      "display vlan all",
		"hp_comware/display_vlan_brief":                    "display vlan brief",
		"huawei_vrp/display_port_vlan":                     "display port vlan",
		"huawei_vrp/display_interface_brief":               "display interface brief",
		"huawei_vrp/display_arp_all":                       "display arp all",
		"huawei_vrp/display_vlan":                          "display vlan",
		"huawei_vrp/display_vlan_brief":                    "display vlan",
	}
	for dir, cmd := range want {
		platform := strings.Split(dir, "/")[0]
		raws, _ := filepath.Glob(filepath.Join(root, dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no files", dir)
		}
		for _, raw := range raws {
			b, _ := os.ReadFile(raw)
			var r Result
			if err := Import(platform, "", string(b), &r); err != nil || len(r.Tables) != 1 || r.Tables[0].Command != cmd || len(r.Warnings) != 0 || r.Tables[0].Read == 0 {
				t.Errorf("%s: %v %+v", raw, err, r.Tables)
			}
			// The command as typed, spelled in full and abbreviated.
			typed := strings.ReplaceAll(strings.TrimPrefix(dir, platform+"/"), "_", " ")
			if err := Import(platform, typed, string(b), &Result{}); err != nil {
				t.Errorf("%s: as %q: %v", raw, typed, err)
			}
		}
	}
	for platform, bad := range map[string]string{
		"juniper_junos": "show chassis hardware", "aruba_aoscx": "show vlans", "aruba_os": "show interfaces",
		"hp_procurve": "show running-config", "hp_comware": "display vlan", "huawei_vrp": "display mac-address",
	} {
		err := Import(platform, bad, "x", &Result{})
		var u *UnsupportedError
		if err == nil || !errors.As(err, &u) || !strings.Contains(err.Error(), "supported: ") || !strings.Contains(err.Error(), platform) {
			t.Errorf("%s %q: %v", platform, bad, err)
		}
	}
}
