package showparse

import (
	"fmt"
	"strings"
	"testing"
)

// Generated 500-port tables in each platform's layout (the project's own
// test data).
func iosStatus500() string {
	var b strings.Builder
	b.WriteString("Port      Name               Status       Vlan       Duplex  Speed Type\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "Gi%d/0/%-5d %-18s %-12s %-10d %6s %6s %s\n", 1+i/48, i%48+1, "desk", "connected", 10+i%20, "a-full", "a-1000", "10/100/1000BaseTX")
	}
	return b.String()
}

func junosESI500() string {
	var b strings.Builder
	b.WriteString("Interface    State  VLAN members        Tag   Tagging  Blocking \n\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "ge-%d/0/%-6d up      v%-17d %-5d untagged unblocked\n", i/48, i%48, 10+i%20, 10+i%20)
	}
	return b.String()
}

func aoscxInterface500() string {
	var b strings.Builder
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "Interface 1/%d/%d is up\n Admin state is up\n Link transitions: 1\n Description: desk\n Hardware: Ethernet, MAC Address: 02:00:00:00:%02x:%02x\n MTU 1500\n Type 1GbT\n Full-duplex\n qos trust none\n Speed 1000 Mb/s\n Auto-negotiation is on\n Flow-control: off\n Error-control: off\n VLAN Mode: access\n Access VLAN: %d\n\n Statistic                          RX                   TX                Total\n ---------------- -------------------- -------------------- --------------------\n Packets                             1                    2                    3\n Bytes                              64                  128                  192\n\n", 1+i/48, i%48+1, i/256, i%256, 10+i%20)
	}
	return b.String()
}

func TestGenerated500(t *testing.T) {
	if r, rep := IOSInterfacesStatus(iosStatus500()); len(rep.Warnings) != 0 || len(r) != 500 || rep.Read != 500 {
		t.Fatalf("IOS: %d %+v", len(r), rep)
	}
	if r, err := JunosEthernetSwitchingInterfaces(junosESI500()); err != nil || len(r) != 500 || r[499].VLANID[0] != "29" {
		t.Fatalf("Junos: %d %v", len(r), err)
	}
	if r, err := AOSCXShowInterface(aoscxInterface500()); err != nil || len(r) != 500 || r[0].VLANAccess != "11" || r[0].TxTotalBytes != "128" {
		t.Fatalf("AOS-CX: %d %v %+v", len(r), err, r[0])
	}
}

// BenchmarkParse500 parses a 500-port interface table per platform.
func BenchmarkParse500(b *testing.B) {
	for _, tc := range []struct {
		name  string
		text  string
		parse func(string) error
	}{
		{"cisco_ios/show_interfaces_status", iosStatus500(), func(s string) error { _, rep := IOSInterfacesStatus(s); return rep.Err() }},
		{"juniper_junos/show_ethernet-switching_interfaces", junosESI500(), func(s string) error { _, err := JunosEthernetSwitchingInterfaces(s); return err }},
		{"aruba_aoscx/show_interface", aoscxInterface500(), func(s string) error { _, err := AOSCXShowInterface(s); return err }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				if err := tc.parse(tc.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
