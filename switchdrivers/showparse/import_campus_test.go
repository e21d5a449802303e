package showparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// campusFolders are the corpus folders of the FastIron/ICX, Cisco SG/CBS,
// Dell, Extreme, MikroTik and Ubiquiti platforms, each with the command
// import must detect for its files.
var campusFolders = map[string]string{
	"brocade_fastiron/show_interfaces_brief":        "show interfaces brief",
	"brocade_fastiron/show_running-config_vlan":     "show running-config",
	"ruckus_fastiron/show_interfaces_brief":         "show interfaces brief",
	"ruckus_fastiron/show_vlan":                     "show vlan",
	"dell_force10/show_arp":                         "show arp",
	"dell_force10/show_vlan":                        "show vlan",
	"dell_force10/show_vlan_brief":                  "show vlan brief",
	"dell_powerconnect/show_interfaces_status":      "show interfaces status",
	"cisco_s300/show_interfaces_status":             "show interfaces status",
	"cisco_s300/show_interfaces_switchport":         "show interfaces switchport",
	"cisco_s300/show_mac_address-table":             "show mac address-table",
	"cisco_s300/show_vlan":                          "show vlan",
	"extreme_exos/show_iparp":                       "show iparp",
	"extreme_exos/show_ports_information":           "show ports information",
	"extreme_exos/show_ports_information_detail":    "show ports information detail",
	"extreme_exos/show_vlan_description":            "show vlan description",
	"mikrotik_routeros/interface_vlan_print_detail": "/interface vlan print detail",
	"mikrotik_routeros/ip_arp_print":                "/ip arp print",
	"ubiquiti_edgeswitch/show_arp":                  "show arp",
	"ubiquiti_edgeswitch/show_vlan":                 "show vlan",
}

// TestImportCampusDetects imports every corpus file of these platforms
// without --command: the command is detected, every row is read, and
// something lands in the result; every folder of these platforms in the
// corpus is covered.
func TestImportCampusDetects(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	for _, platform := range []string{"brocade_fastiron", "ruckus_fastiron", "dell_force10", "dell_powerconnect", "cisco_s300", "extreme_exos", "mikrotik_routeros", "ubiquiti_edgeswitch"} {
		dirs, _ := filepath.Glob(filepath.Join(root, platform, "*"))
		for _, d := range dirs {
			if _, ok := campusFolders[platform+"/"+filepath.Base(d)]; !ok {
				t.Errorf("corpus folder %s/%s is not read", platform, filepath.Base(d))
			}
		}
	}
	for dir, want := range campusFolders {
		platform, _, _ := strings.Cut(dir, "/")
		raws, _ := filepath.Glob(filepath.Join(root, dir, "*.raw"))
		if len(raws) == 0 {
			t.Errorf("%s: no corpus files", dir)
		}
		for _, raw := range raws {
			b, err := os.ReadFile(raw)
			if err != nil {
				t.Fatal(err)
			}
			var r Result
			if err := ImportFile(platform, "", raw, string(b), &r); err != nil {
				t.Errorf("%s: %v", raw, err)
				continue
			}
			if len(r.Tables) != 1 || r.Tables[0].Command != want || len(r.Warnings) != 0 || r.Tables[0].Read == 0 {
				t.Errorf("%s: detected %+v, warnings %v; want %q", raw, r.Tables, r.Warnings, want)
			}
			if len(r.Ports)+len(r.VLANs)+len(r.MACs)+len(r.ARP) == 0 {
				t.Errorf("%s: nothing imported", raw)
			}
		}
	}
}

// TestImportCampusResults checks what import makes of some corpus files.
func TestImportCampusResults(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	imp := func(platform, file string) Result {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		var r Result
		if err := Import(platform, "", string(b), &r); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return r
	}
	r := imp("ruckus_fastiron", "ruckus_fastiron/show_vlan/show_vlan.raw")
	ports := portsByName(r)
	if len(r.VLANs) != 10 || r.VLANs[2].ID != "3" || len(r.VLANs[2].Ports) != 34+1 || r.VLANs[5].ID != "7" || len(r.VLANs[5].Ports) != 1 {
		t.Fatalf("%+v", r.VLANs)
	}
	if p := ports["1/1/13"]; p.Mode != "access" || p.VLAN != "3" {
		t.Errorf("1/1/13: %+v", p)
	}
	if p := ports["1/2/1"]; p.Mode != "trunk" || p.VLAN != "666" { // tagged in nine VLANs, untagged in 666
		t.Errorf("1/2/1: %+v", p)
	}
	r = imp("brocade_fastiron", "brocade_fastiron/show_running-config_vlan/brocade_fastiron_show_running-config_vlan.raw")
	if len(r.VLANs) != 3 || r.VLANs[1].Name != "CLMAMO-RING-1" || len(r.VLANs[1].Ports) != 5+2 || r.VLANs[2].Name != "CLMA-JFCY-FLTN_Master" {
		t.Fatalf("%+v", r.VLANs)
	}
	if p := portsByName(r)["1/1/4"]; p.Mode != "access" || p.VLAN != "10" {
		t.Errorf("1/1/4: %+v", p)
	}
	r = imp("cisco_s300", "cisco_s300/show_interfaces_switchport/cisco_s300_show_interfaces_switchport.raw")
	if len(r.Ports) != 1 || r.Ports[0] != (Port{Name: "fa1", Mode: "trunk", VLAN: "203"}) {
		t.Fatalf("%+v", r.Ports)
	}
	r = imp("cisco_s300", "cisco_s300/show_vlan/cisco_s300_show_vlan_1.raw")
	if len(r.VLANs) != 8 || len(r.VLANs[0].Ports) != 2+3+1+1+1+1+8 || r.VLANs[3].Name != "Test-Long-Vlan-Name1" {
		t.Fatalf("%+v", r.VLANs)
	}
	r = imp("dell_force10", "dell_force10/show_vlan/dell_force10_show_vlan.raw")
	if len(r.VLANs) != 4 || r.VLANs[1].Name != "vlan_10_web" || len(r.Ports) != 1 || r.Ports[0] != (Port{Name: "Te 0/1", Mode: "access", VLAN: "10"}) {
		t.Fatalf("%+v %+v", r.VLANs, r.Ports)
	}
	r = imp("extreme_exos", "extreme_exos/show_ports_information_detail/extreme_exos_show_ports_information_brief.raw")
	if len(r.Ports) != 2 || r.Ports[0] != (Port{Name: "1", Mode: "trunk", VLAN: "1", Status: "Ready", Description: "AggregateLink"}) {
		t.Fatalf("%+v", r.Ports)
	}
	r = imp("extreme_exos", "extreme_exos/show_ports_information/extreme_exos_show_ports_information.raw")
	if len(r.Ports) != 48 || r.Ports[4] != (Port{Name: "5", Status: "active"}) {
		t.Fatalf("%+v", r.Ports)
	}
	r = imp("ubiquiti_edgeswitch", "ubiquiti_edgeswitch/show_arp/ubiquiti_edgeswitch_show_arp.raw")
	if len(r.ARP) != 4 || r.ARP[0] != (ARP{IP: "172.16.216.1", MAC: "80:2a:a8:f1:d2:46", Interface: "4/1"}) {
		t.Fatalf("%+v", r.ARP)
	}
	r = imp("mikrotik_routeros", "mikrotik_routeros/interface_vlan_print_detail/mikrotik_routeros_interface_vlan_print_detail.raw")
	if len(r.VLANs) != 8 || r.VLANs[2].ID != "10" || r.VLANs[2].Name != "vlan10@vlan975@sfp-sfpplus1" || r.VLANs[2].Ports[0] != "vlan975@sfp-sfpplus1" {
		t.Fatalf("%+v", r.VLANs)
	}
}

// TestImportCampusCommands: commands as typed, abbreviated, with their
// documented arguments; other commands are errors listing what import
// reads on the platform.
func TestImportCampusCommands(t *testing.T) {
	for _, tc := range []struct{ platform, typed, want string }{
		{"ruckus_fastiron", "sh int br", "show interfaces brief"},
		{"ruckus_fastiron", "show interfaces brief wide", "show interfaces brief"},
		{"brocade_fastiron", "show interfaces brief ethernet 1/1/1 to 1/1/8", "show interfaces brief"},
		{"brocade_fastiron", "sh run", "show running-config"},
		{"brocade_fastiron", "show running-config vlan", "show running-config"},
		{"ruckus_fastiron", "sh vlan", "show vlan"},
		{"cisco_s300", "show interfaces switchport gi1/0/4", "show interfaces switchport"},
		{"cisco_s300", "sh int status detailed", "show interfaces status"},
		{"cisco_s300", "show vlan tag 10", "show vlan"},
		{"cisco_s300", "show mac address-table dynamic vlan 10", "show mac address-table"},
		{"dell_force10", "show vlan id 10", "show vlan"},
		{"dell_force10", "sh vlan br", "show vlan brief"},
		{"extreme_exos", "show ports info", "show ports information"},
		{"extreme_exos", "show ports info detail", "show ports information detail"},
		{"extreme_exos", "show iparp vr VR-Default", "show iparp"},
		{"mikrotik_routeros", "ip arp print", "/ip arp print"},
		{"mikrotik_routeros", "/interface vlan print detail without-paging", "/interface vlan print detail"},
		{"ubiquiti_edgeswitch", "show arp", "show arp"},
	} {
		cmds, _ := platformCommands(tc.platform)
		c, err := resolve(tc.platform, cmds, tc.typed)
		if err != nil || c.name != tc.want {
			t.Errorf("%s %q: %v %v, want %q", tc.platform, tc.typed, c, err, tc.want)
		}
	}
	for _, tc := range []struct{ platform, typed, supported string }{
		{"ruckus_fastiron", "show vlan brief", "show interfaces brief, show vlan, show running-config"},
		{"ruckus_fastiron", "show vlans", "show interfaces brief, show vlan, show running-config"},
		{"dell_force10", "show vlan brief detail", "show vlan brief, show vlan, show arp"},
		{"cisco_s300", "show interfaces counters", "show interfaces status, show mac address-table, show vlan, show interfaces switchport"},
		{"dell_powerconnect", "show vlan", "show interfaces status"},
		{"extreme_exos", "show ports information detail 1:1", "show vlan description, show iparp, show ports information, show ports information detail"},
		{"mikrotik_routeros", "/interface vlan print", "/ip arp print, /interface vlan print detail"},
		{"ubiquiti_edgeswitch", "show vlan 10", "show vlan, show arp"},
	} {
		var r Result
		err := Import(tc.platform, tc.typed, "x", &r)
		if err == nil || !strings.Contains(err.Error(), "(supported: "+tc.supported+")") {
			t.Errorf("%s %q: %v", tc.platform, tc.typed, err)
		}
	}
}

// TestImportCampusDetection: outputs of one platform's commands are told
// apart, and output of a command the platform does not have names the
// platforms whose header it matches.
func TestImportCampusDetection(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc")
	b, _ := os.ReadFile(filepath.Join(root, "cisco_s300/show_vlan/cisco_s300_show_vlan_1.raw"))
	var r Result
	err := Import("dell_powerconnect", "", string(b), &r)
	if err == nil || !strings.Contains(err.Error(), "it looks like the output of cisco_s300 show vlan") {
		t.Fatalf("%v", err)
	}
	b, _ = os.ReadFile(filepath.Join(root, "dell_force10/show_vlan_brief/dell_force10_show_vlan_brief.raw"))
	err = Import("ubiquiti_edgeswitch", "", string(b), &r)
	if err == nil || !strings.Contains(err.Error(), "dell_force10 show vlan brief") || !strings.Contains(err.Error(), "(show vlan, show arp)") {
		t.Fatalf("%v", err)
	}
	// A session with prompts (a FastIron layer-3 image's): each section
	// by its command; a command import does not read is skipped with a
	// warning at its prompt.
	session := "SSH@ICX7150 Router#show vlan\n" + readCorpus(t, "ruckus_fastiron/show_vlan/show_vlan.raw") +
		"\nSSH@ICX7150 Router#show version\n  HW: Stackable ICX7150-48P\n" +
		"SSH@ICX7150 Router#show interfaces brief\n" + readCorpus(t, "ruckus_fastiron/show_interfaces_brief/show_interfaces_brief.raw") + "\nSSH@ICX7150 Router#"
	var s Result
	if err := ImportFile("ruckus_fastiron", "", "session.txt", session, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 2 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Reason, `output of "show version" skipped`) || len(s.VLANs) != 10 {
		t.Fatalf("%+v %+v", s.Tables, s.Warnings)
	}
	// show interfaces brief came last: its Tag and PVID decide the modes.
	if p := portsByName(s)["1/1/1"]; p.Mode != "trunk" || p.VLAN != "5" || p.Status != "Up" {
		t.Fatalf("%+v", p)
	}
}

func readCorpus(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus.Dir(t), "ntc", file))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCampusPrompts: the prompts of EXOS, FASTPATH (EdgeSwitch,
// PowerConnect), MikroTik and FastIron split a session.
func TestCampusPrompts(t *testing.T) {
	for l, want := range map[string]string{
		"* X440G2-48p.5 # show iparp":            "show iparp",
		"Slot-1 Stack.4 # show vlan description": "show vlan description",
		"sw1.12 > show ports information":        "show ports information",
		"(UBNT EdgeSwitch) #show arp":            "show arp",
		"(sw1) (Config)#show vlan":               "show vlan",
		"(Routing) >show vlan":                   "show vlan",
		"[admin@MikroTik] > /ip arp print":       "/ip arp print",
		"telnet@FCX648 Router#show vlan":         "show vlan",
		"console#show interfaces status":         "show interfaces status",
	} {
		if got, ok := promptCommand(l); !ok || got != want {
			t.Errorf("%q: %q %v", l, got, ok)
		}
	}
	for _, l := range []string{"(U1/M1)   1   2", " Untagged Ports: (U1/M1) 1", "Name            VID  Description",
		"VLAN0002.5 sw-3", "* - Default VLAN, G - GVRP VLANs"} {
		if got, ok := promptCommand(l); ok {
			t.Errorf("%q read as a prompt of %q", l, got)
		}
	}
}
