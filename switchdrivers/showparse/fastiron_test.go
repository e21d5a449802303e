package showparse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// portsByName indexes r's ports.
func portsByName(r Result) map[string]Port {
	m := map[string]Port{}
	for _, p := range r.Ports {
		m[p.Name] = p
	}
	return m
}

// wantWarnings checks that rep reports exactly the given lines (1-based),
// each with the text of that line of text.
func wantWarnings(t *testing.T, text string, rep Report, lines ...int) {
	t.Helper()
	raw := strings.Split(text, "\n")
	var got []int
	for _, w := range rep.Warnings {
		got = append(got, w.Line)
		if w.Line < 1 || w.Line > len(raw) || w.Text != cleanLine(raw[w.Line-1]) || w.Reason == "" {
			t.Errorf("warning %+v does not name its line", w)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(lines) || rep.Skipped != len(rep.Warnings) {
		t.Errorf("warnings at lines %v (skipped %d), want %v: %v", got, rep.Skipped, lines, rep.Warnings)
	}
}

// TestFastIronShowVLAN reads `show vlan` as ICX and FCX releases print
// it: "Spanning tree On" or "Off", unnamed VLANs, dual-mode, uplink and
// LAG members, blank lines inside an entry, trailing blanks; a port list
// it cannot read is reported and the entry keeps its other members.
func TestFastIronShowVLAN(t *testing.T) {
	text := strings.Join([]string{
		"Total PORT-VLAN entries: 4",
		"Maximum PORT-VLAN entries: 1024",
		"",
		"Legend: [Stk=Stack-Id, S=Slot]",
		"PORT-VLAN 1, Name DEFAULT-VLAN, Priority level0, Spanning tree Off",
		" Untagged Ports: (U1/M1)   3   4   5 ",
		"",
		" Untagged Ports: (U1/M2)   2",
		"   Tagged Ports: None",
		"   Uplink Ports: None",
		" DualMode Ports: (U1/M1)   1",
		" Mac-Vlan Ports: None",
		"     Monitoring: Disabled",
		"PORT-VLAN 20, Name [None], Priority level0, Spanning tree On",
		" Untagged Ports: None",
		"   Tagged Ports: (U1/M1)   1   2",
		"   Tagged Ports: (LAG)     1   7",
		"   Tagged Ports: (U1/M1)   x9",
		" Associated Virtual Interface Id: 20",
		"     Monitoring: Disabled",
		"",
		"PORT-VLAN 30, Name Voice Phones, Priority level0, On",
		" Untagged Ports: (S2)   6 to 8",
		" Untagged Ports: ethe 1/3/1 to 1/3/2",
		"   Tagged Ports: None",
		"garbled line",
		"PORT-VLAN 4095, Name bad, Priority level0, Off",
		" Untagged Ports: (U1/M1)  9",
	}, "\n")
	vs, rep := FastIronShowVLAN(text)
	wantWarnings(t, text, rep, 18, 26, 27)
	if len(vs) != 3 || rep.Read != 3 {
		t.Fatalf("%d VLANs: %+v", len(vs), vs)
	}
	var got []string
	for _, v := range vs {
		var ms []string
		for _, m := range v.Members {
			ms = append(ms, m.Status+":"+m.Name())
		}
		got = append(got, v.ID+"|"+v.Name+"|"+strings.Join(ms, ","))
	}
	want := []string{
		"1|DEFAULT-VLAN|Untagged:1/1/3,Untagged:1/1/4,Untagged:1/1/5,Untagged:1/2/2,DualMode:1/1/1",
		"20||Tagged:1/1/1,Tagged:1/1/2,Tagged:lg1,Tagged:lg7",
		"30|Voice Phones|Untagged:2/6,Untagged:2/7,Untagged:2/8,Untagged:1/3/1,Untagged:1/3/2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Import: the port modes follow from the membership.
	var r Result
	if err := Import("ruckus_fastiron", "show vlan", text, &r); err != nil {
		t.Fatal(err)
	}
	ports := portsByName(r)
	for name, want := range map[string]Port{
		"1/1/3": {Name: "1/1/3", Mode: "access", VLAN: "1"},
		"1/1/1": {Name: "1/1/1", Mode: "trunk", VLAN: "1"}, // dual-mode: untagged in 1, tagged in 20
		"1/1/2": {Name: "1/1/2", Mode: "trunk"},
		"lg7":   {Name: "lg7", Mode: "trunk"},
		"2/7":   {Name: "2/7", Mode: "access", VLAN: "30"},
	} {
		if ports[name] != want {
			t.Errorf("%s: %+v, want %+v", name, ports[name], want)
		}
	}
	if len(r.VLANs) != 3 || r.VLANs[1].Name != "" || len(r.VLANs[1].Ports) != 4 || len(r.Warnings) != 3 {
		t.Fatalf("%+v %v", r.VLANs, r.Warnings)
	}
}

// TestFastIronRunningConfig reads the vlan sections of a whole
// configuration: other sections are not VLANs, a section ends at "!" or
// at the next line at the left margin, member lists expand.
func TestFastIronRunningConfig(t *testing.T) {
	text := strings.Join([]string{
		"Current configuration:",
		"!",
		"ver 08.0.95dT213",
		"!",
		"stack unit 1",
		"  module 1 icx7150-48p-poe-port-management-module",
		"!",
		"vlan 1 name DEFAULT-VLAN by port",
		" router-interface ve 1",
		"!",
		"vlan 10 name \"Office LAN\" by port",
		" tagged ethe 1/2/1 to 1/2/2 lag 1",
		" untagged ethe 1/1/1 to 1/1/3 ethe 1/1/7",
		" spanning-tree 802-1w",
		"vlan 20 by port",
		" tagged ethe 1/2/1",
		" untagged ethe 1/1/7 to 1/1/5",
		"interface ethernet 1/1/1",
		" port-name desk",
		"vlan x",
		"!",
		"end",
	}, "\n")
	vs, rep := FastIronRunningConfigVLAN(text)
	wantWarnings(t, text, rep, 17, 20)
	if len(vs) != 3 {
		t.Fatalf("%+v", vs)
	}
	if v := vs[1]; v.VLANID != "10" || v.VLANName != "Office LAN" || v.By != "port" ||
		strings.Join(v.Tagged, " ") != "1/2/1 1/2/2 lg1" || strings.Join(v.Untagged, " ") != "1/1/1 1/1/2 1/1/3 1/1/7" {
		t.Fatalf("%+v", v)
	}
	if v := vs[2]; v.VLANID != "20" || v.VLANName != "" || len(v.Tagged) != 1 || len(v.Untagged) != 0 {
		t.Fatalf("%+v", v)
	}
	var r Result
	if err := Import("brocade_fastiron", "show running-config", text, &r); err != nil {
		t.Fatal(err)
	}
	ports := portsByName(r)
	if p := ports["1/2/1"]; p.Mode != "trunk" || p.VLAN != "" {
		t.Errorf("%+v", p)
	}
	if p := ports["1/1/2"]; p.Mode != "access" || p.VLAN != "10" {
		t.Errorf("%+v", p)
	}
	// A configuration with no vlan section has nothing of the command.
	if err := Import("brocade_fastiron", "show running-config", "!\nhostname sw1\n!\n", &r); err == nil {
		t.Fatal("a configuration without VLANs read as one")
	}
}

// TestFastIronBrief reads rows whose name or speed does not fit its
// column, placeholders, a LAG member's state, and reports a junk row.
func TestFastIronBrief(t *testing.T) {
	text := strings.Join([]string{
		"Port       Link    State   Dupl Speed Trunk Tag Pvid Pri MAC             Name",
		"1/1/1      Up      Forward Full 1G    None  No  10   0   cc4e.246d.aa00  desk 12",
		"1/1/2      LACP-BLK None   None None  1     Yes N/A  0   cc4e.246d.aa01",
		"1/1/3      Up      Forward Full 10000M None Yes 20  0   cc4e.246d.aa02  uplink to core",
		"this is not a row",
		"mgmt1      Down    None    None None  None  No  None 0   cc4e.246d.aa00",
	}, "\n")
	rows, rep := FastIronInterfacesBrief(text)
	wantWarnings(t, text, rep, 5)
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join([]string{r.Interface, r.LinkState, r.Speed, r.TagOnly, r.PVID, r.MAC, r.Name}, "|"))
	}
	want := []string{"1/1/1|Up|1G|No|10|cc4e.246d.aa00|desk 12", "1/1/2|LACP-BLK|None|Yes|N/A|cc4e.246d.aa01|",
		"1/1/3|Up|10000M|Yes|20|cc4e.246d.aa02|uplink to core", "mgmt1|Down|None|No|None|cc4e.246d.aa00|"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var r Result
	if err := Import("ruckus_fastiron", "sh int br", text, &r); err != nil {
		t.Fatal(err)
	}
	ports := portsByName(r)
	if p := ports["1/1/1"]; p != (Port{Name: "1/1/1", Mode: "access", VLAN: "10", Status: "Up", Description: "desk 12"}) {
		t.Errorf("%+v", p)
	}
	if p := ports["1/1/2"]; p.Mode != "trunk" || p.VLAN != "" {
		t.Errorf("%+v", p)
	}
	if p := ports["mgmt1"]; p.Mode != "" || p.VLAN != "" {
		t.Errorf("%+v", p)
	}
}
