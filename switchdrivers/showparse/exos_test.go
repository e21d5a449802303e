package showparse

import (
	"reflect"
	"strings"
	"testing"
)

// TestEXOSDetailNeverMerges: a port whose "Port:" line is garbled is
// reported, not read into the port above; stacked port names; VLAN
// membership from "VLAN cfg:".
func TestEXOSDetailNeverMerges(t *testing.T) {
	text := strings.Join([]string{
		"Port:\t1:1",
		"\tDescription String: \"uplink\"",
		"\tVirtual-router:\tVR-Default",
		"\tType:\t\tUTP",
		"\tAdmin state:\tEnabled with auto-speed sensing  auto-duplex",
		"\tLink State:\tActive, 1Gbps, full-duplex",
		"\tLink Ups:       3        Last: Mon Apr 12 12:30:24 2021",
		"\tLink Downs:     2        Last: Thu Jun 23 12:41:45 2022",
		"",
		"\tVLAN cfg:",
		"\t\t Name: Default, Internal Tag = 1, MAC-limit = No-limit, Virtual router:   VR-Default",
		"\t\t Name: voice, 802.1Q Tag = 20, MAC-limit = No-limit, Virtual router:   VR-Default",
		"\t\t Name: broken, Tag = none",
		"    STP cfg:",
		"\t\ts0(enable), Tag=(none), Mode=802.1D, State=FORWARDING",
		"",
		"\tProtocol:",
		"\t\t Name: Default      Protocol: ANY      Match all protocols.",
		"Prot:\t1:2",
		"\tVirtual-router:\tVR-Default",
		"\tVLAN cfg:",
		"\t\t Name: data, Internal Tag = 30, MAC-limit = No-limit",
		"Port:\t1:3",
		"\tLink State:\tReady",
		"\tVLAN cfg:",
		"\t\t Name: data, Internal Tag = 30, MAC-limit = No-limit, Virtual router:   VR-Default",
	}, "\n")
	rows, rep := EXOSPortsInformationDetail(text)
	wantWarnings(t, text, rep, 13, 20)
	if len(rows) != 2 {
		t.Fatalf("%+v", rows)
	}
	p := rows[0]
	if p.Interface != "1:1" || p.Description != "uplink" || p.LinkState != "Active" || p.LinkUpsNum != "3" || p.LinkDownsLast != "Thu Jun 23 12:41:45 2022" ||
		!reflect.DeepEqual(p.VLANs, []EXOSPortVLAN{{"Default", "1", false}, {"voice", "20", true}}) {
		t.Fatalf("%+v", p)
	}
	var r Result
	if err := Import("extreme_exos", "show ports info detail", text, &r); err != nil {
		t.Fatal(err)
	}
	want := []Port{{Name: "1:1", Mode: "trunk", VLAN: "1", Status: "Active", Description: "uplink"}, {Name: "1:3", Mode: "access", VLAN: "30", Status: "Ready"}}
	if !reflect.DeepEqual(r.Ports, want) {
		t.Fatalf("%+v", r.Ports)
	}
}

// TestEXOSIPARP: an entry being resolved, a stacked port, and the
// settings under the table are not rows.
func TestEXOSIPARP(t *testing.T) {
	text := strings.Join([]string{
		"VR            Destination      Mac                Age  Static  VLAN          VID   Port",
		"VR-Default    10.0.0.1         00:04:96:00:00:01    1      NO  data          30    1:5",
		"VR-Default    10.0.0.2         (incomplete)         0      NO  data          30",
		"",
		"Dynamic Entries  :           2             Static Entries            :          0",
		"Pending Entries  :           1",
		"",
		"In Request       :        1234             In Response               :        321",
	}, "\n")
	rows, rep := EXOSIPARP(text)
	wantWarnings(t, text, rep)
	if len(rows) != 2 || rows[1].MAC != "incomplete" || rows[0].Port != "1:5" {
		t.Fatalf("%+v", rows)
	}
	var r Result
	if err := Import("extreme_exos", "", text, &r); err != nil || len(r.ARP) != 1 {
		t.Fatalf("%v %+v", err, r.ARP)
	}
}
