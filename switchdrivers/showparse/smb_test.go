package showparse

import (
	"reflect"
	"strings"
	"testing"
)

// TestSMBShowVLANLayouts reads the three layouts SG/CBS firmware prints
// for `show vlan`, with names and port lists wrapped over lines and "-"
// for a VLAN without a name.
func TestSMBShowVLANLayouts(t *testing.T) {
	tagged := strings.Join([]string{
		"Created by: D-Default, S-Static, G-GVRP, R-Radius Assigned VLAN, V-Voice VLAN",
		"",
		"Vlan       Name           Tagged Ports      UnTagged Ports      Created by",
		"---- ----------------- ------------------ ------------------ ----------------",
		" 1           -                            gi1/0/3-24,               DV",
		"                                          te1/0/1-2,Po1-8",
		" 10       Servers          gi1/0/1-2          gi1/0/25              S",
		" 20   Long-Name-For-A-V    gi1/0/1                                  S",
		"      LAN",
		" 30         30                                                      S",
	}, "\n")
	rows, rep := SMBShowVLAN(tagged)
	wantWarnings(t, tagged, rep)
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join([]string{r.VLANID, r.Name, r.TaggedPorts, r.UntaggedPorts, r.CreatedBy}, "|"))
	}
	want := []string{"1|-||gi1/0/3-24,te1/0/1-2,Po1-8|DV", "10|Servers|gi1/0/1-2|gi1/0/25|S", "20|Long-Name-For-A-VLAN|gi1/0/1||S", "30|30|||S"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var r Result
	if err := Import("cisco_s300", "show vlan", tagged, &r); err != nil {
		t.Fatal(err)
	}
	ports := portsByName(r)
	for name, want := range map[string]Port{
		"gi1/0/3":  {Name: "gi1/0/3", Mode: "access", VLAN: "1"},
		"gi1/0/1":  {Name: "gi1/0/1", Mode: "trunk"},
		"gi1/0/25": {Name: "gi1/0/25", Mode: "access", VLAN: "10"},
		"Po8":      {Name: "Po8", Mode: "access", VLAN: "1"},
	} {
		if ports[name] != want {
			t.Errorf("%s: %+v, want %+v", name, ports[name], want)
		}
	}
	if len(r.VLANs) != 4 || r.VLANs[0].Name != "" || len(r.VLANs[0].Ports) != 22+2+8 {
		t.Fatalf("%+v", r.VLANs[0])
	}

	createdBy := strings.Join([]string{
		"Vlan       Name                   Ports                Created by",
		"---- ----------------- --------------------------- ----------------",
		" 1           1         gi1/0/1-2,gi1/0/5-24,Po1-8         D",
		" 5         guest               gi1/0/3,gi1/0/4            S",
		" 6         bad                 gi1/0/9-3                  S",
	}, "\n")
	rows, rep = SMBShowVLAN(createdBy)
	wantWarnings(t, createdBy, rep, 5) // a range that runs backwards
	if len(rows) != 3 || rows[1].Interfaces != "gi1/0/3,gi1/0/4" || rows[1].CreatedBy != "S" {
		t.Fatalf("%+v", rows)
	}
}

// TestSMBSwitchport reads several ports, the older and newer headers of
// the membership table, a General port, forbidden VLANs and
// classification rules, and reports a line it cannot read.
func TestSMBSwitchport(t *testing.T) {
	text := strings.Join([]string{
		"Added by: D-Default, S-Static, G-GVRP, R-Radius Assigned VLAN, T-Guest VLAN, V-Voice VLAN",
		"Port : gi1/0/1",
		"Port Mode: Trunk",
		"Gvrp Status: disabled",
		" Ingress Filtering: true",
		"Acceptable Frame Type: admitAll",
		"Ingress UnTagged VLAN ( NATIVE ): 4094",
		"Protected: Disabled",
		"",
		"Port is member in:",
		"",
		"Vlan               Name               Egress rule     Added by",
		"---- -------------------------------- ----------- ----------------",
		"130             Servers_OS              Tagged           S",
		"4094               NULL                Untagged          S",
		"",
		"Forbidden VLANS:",
		"Vlan               Name",
		"---- --------------------------------",
		" 99  quarantine",
		"",
		"Classification rules:",
		"",
		"Protocol based VLANs:",
		"  Group ID   Vlan ID",
		"------------ -------",
		"",
		"Mac based VLANs:",
		"  Group ID   Vlan ID",
		"------------ -------",
		"      1        77",
		"Port : gi2",
		"Port Mode : General",
		"Ingress UnTagged VLAN ( NATIVE ) : 1",
		"this line has no key",
		"",
		"Port is member in:",
		" Vlan            Name              Egress rule",
		"------- ----------------------- -----------------",
		"    1                default       Untagged",
		"   70                   BASE         Tagged",
		"   xx                   junk         Tagged",
		"Port : gi3",
		"Port Mode: Access",
		"Ingress UnTagged VLAN ( NATIVE ): 17",
		"Port is member in:",
		"Vlan               Name               Egress rule Port Membership Type",
		"---- -------------------------------- ----------- --------------------",
		" 17             CATCHUP-DADOS             Untagged          Static",
	}, "\n")
	rows, rep := SMBInterfacesSwitchport(text)
	wantWarnings(t, text, rep, 35, 42)
	if len(rows) != 3 {
		t.Fatalf("%+v", rows)
	}
	if sp := rows[0]; sp.Interface != "gi1/0/1" || sp.Mode != "Trunk" || sp.IngressFiltering != "true" || sp.NativeVLAN != "4094" ||
		!reflect.DeepEqual(sp.VLANs, []string{"130", "4094"}) || !reflect.DeepEqual(sp.MembershipTypes, []string{"S", "S"}) ||
		!reflect.DeepEqual(sp.ForbiddenVLANs, []string{"99"}) || !reflect.DeepEqual(sp.MACBasedVLANs, []string{"77"}) {
		t.Fatalf("%+v", sp)
	}
	if sp := rows[1]; sp.Mode != "General" || sp.NativeVLAN != "1" || !reflect.DeepEqual(sp.EgressRules, []string{"Untagged", "Tagged"}) {
		t.Fatalf("%+v", sp)
	}
	var r Result
	if err := Import("cisco_s300", "show interfaces switchport", text, &r); err != nil {
		t.Fatal(err)
	}
	want := []Port{{Name: "gi1/0/1", Mode: "trunk", VLAN: "4094"}, {Name: "gi2", Mode: "trunk", VLAN: "1"}, {Name: "gi3", Mode: "access", VLAN: "17"}}
	if !reflect.DeepEqual(r.Ports, want) {
		t.Fatalf("%+v", r.Ports)
	}
}

// TestSMBStatusSections reads both tables of `show interfaces status` and
// tells them from a garbled row.
func TestSMBStatusSections(t *testing.T) {
	text := strings.Join([]string{
		"                                             Flow Link          Back   Mdix",
		"Port     Type         Duplex  Speed Neg      ctrl State       Pressure Mode",
		"-------- ------------ ------  ----- -------- ---- ----------- -------- -------",
		"gi1/0/1  1G-Copper    Full    1000  Enabled  Off  Up          Disabled Auto",
		"gi1/0/2  1G-Copper      --      --     --     --  Down           --     --",
		"%% garbled",
		"te1/0/1  10G-Fiber    Full    10000 Disabled Off  Up          Disabled Off",
		"",
		"                                          Flow    Link",
		"Ch       Type    Duplex  Speed  Neg      control  State",
		"-------- ------- ------  -----  -------- -------  -----------",
		"Po1      1G      Full    1000   Enabled  Off      Up",
		"Po2         --     --      --      --       --    Not Present",
	}, "\n")
	var r Result
	if err := Import("cisco_s300", "", text, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Tables) != 1 || r.Tables[0].Command != "show interfaces status" || r.Tables[0].Read != 5 || len(r.Warnings) != 1 || r.Warnings[0].Line != 6 {
		t.Fatalf("%+v %+v", r.Tables, r.Warnings)
	}
	want := []Port{{Name: "gi1/0/1", Status: "Up"}, {Name: "gi1/0/2", Status: "Down"}, {Name: "te1/0/1", Status: "Up"},
		{Name: "Po1", Status: "Up"}, {Name: "Po2", Status: "Not Present"}}
	if !reflect.DeepEqual(r.Ports, want) {
		t.Fatalf("%+v", r.Ports)
	}
}

// TestPowerConnectStatus6200 reads the PowerConnect 6200 layout: a
// header over two lines whose titles differ ("Link State", "Flow Control
// Status"), a type with blanks, and its port-channels' table.
func TestPowerConnectStatus6200(t *testing.T) {
	text := strings.Join([]string{
		"Port   Type                            Duplex  Speed    Neg  Link  Flow Control",
		"                                                             State Status",
		"-----  ------------------------------  ------  -------  ---- ----- -----------",
		"1/g1   Gigabit - Level                 Full    1000     Auto Up    Inactive",
		"1/g2   Gigabit - Level                 N/A     Unknown  Auto Down  Inactive",
		"1/xg1  10G - Level                     Full    10000    Off  Up    Active",
		"",
		"Ch   Type                            Link",
		"                                     State",
		"---  ------------------------------  -----",
		"ch1  Link Aggregate                  Down",
	}, "\n")
	var r Result
	if err := Import("dell_powerconnect", "show interfaces status", text, &r); err != nil {
		t.Fatal(err)
	}
	want := []Port{{Name: "1/g1", Status: "Up"}, {Name: "1/g2", Status: "Down"}, {Name: "1/xg1", Status: "Up"}, {Name: "ch1", Status: "Down"}}
	if !reflect.DeepEqual(r.Ports, want) || len(r.Warnings) != 0 {
		t.Fatalf("%+v %v", r.Ports, r.Warnings)
	}
	rows, _ := SMBInterfacesStatus(text)
	if rows[0].Type != "Gigabit - Level" || rows[0].FlowCtrl != "Inactive" || rows[1].Speed != "Unknown" {
		t.Fatalf("%+v", rows)
	}
}
