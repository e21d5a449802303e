package showparse

import (
	"reflect"
	"strings"
	"testing"
)

// TestForce10ShowVLAN reads members over several lines, port-channels,
// ranges and lists, codes before the number, and reports a member line
// it cannot read.
func TestForce10ShowVLAN(t *testing.T) {
	text := strings.Join([]string{
		"Codes: * - Default VLAN, G - GVRP VLANs, R - Remote Port Mirroring VLANs, P - Primary, C - Community, I - Isolated",
		"       O - Openflow",
		"Q: U - Untagged, T - Tagged",
		"   x - Dot1x untagged, X - Dot1x tagged",
		"",
		"    NUM    Status    Description                     Q Ports",
		"*   1      Active                                    U Po1(Te 0/46-47)",
		"                                                     U Te 0/1-3,5",
		"    10     Active    Servers                         T Po1(Te 0/46-47)",
		"                                                     U Te 0/4",
		"                                                     T Gi 1/1",
		"G   20     Inactive  learnt",
		"    30     Active    bad                             Z Te 0/9",
	}, "\n")
	vs, rep := Force10ShowVLAN(text)
	wantWarnings(t, text, rep, 13)
	if len(vs) != 3 || vs[0].Codes != "*" || vs[2].Codes != "G" || vs[1].Name != "Servers" || len(vs[1].Members) != 3 {
		t.Fatalf("%+v", vs)
	}
	var r Result
	if err := Import("dell_force10", "show vlan", text, &r); err != nil {
		t.Fatal(err)
	}
	if got := r.VLANs[0].Ports; !reflect.DeepEqual(got, []string{"Po 1", "Te 0/1", "Te 0/2", "Te 0/3", "Te 0/5"}) {
		t.Fatalf("%v", got)
	}
	ports := portsByName(r)
	for name, want := range map[string]Port{
		"Po 1":   {Name: "Po 1", Mode: "trunk", VLAN: "1"},
		"Te 0/2": {Name: "Te 0/2", Mode: "access", VLAN: "1"},
		"Te 0/4": {Name: "Te 0/4", Mode: "access", VLAN: "10"},
		"Gi 1/1": {Name: "Gi 1/1", Mode: "trunk"},
	} {
		if ports[name] != want {
			t.Errorf("%s: %+v, want %+v", name, ports[name], want)
		}
	}
}

// TestForce10ARP: the interface column may hold a placeholder; the VLAN
// interface stands in for it. An entry not resolved yet is read, and not
// imported.
func TestForce10ARP(t *testing.T) {
	text := "Protocol    Address         Age(min)  Hardware Address    Interface      VLAN             CPU\n" +
		"---------------------------------------------------------------------------------------------\n" +
		"Internet    10.1.1.1              3   00:01:e8:8b:12:34   Te 0/22        Vl 10            CP\n" +
		"Internet    10.1.1.2              -   00:01:e8:8b:12:35      -           Vl 10            CP\n" +
		"Internet    10.1.1.3              -   (incomplete)        -              Vl 10            CP\n"
	var r Result
	if err := Import("dell_force10", "", text, &r); err != nil {
		t.Fatal(err)
	}
	want := []ARP{{IP: "10.1.1.1", MAC: "00:01:e8:8b:12:34", Interface: "Te 0/22"}, {IP: "10.1.1.2", MAC: "00:01:e8:8b:12:35", Interface: "Vl 10"}}
	if !reflect.DeepEqual(r.ARP, want) || len(r.Warnings) != 0 || r.Tables[0].Read != 3 {
		t.Fatalf("%+v %+v", r.ARP, r.Warnings)
	}
}
