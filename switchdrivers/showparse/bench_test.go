package showparse

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Generated 500-port tables in each platform's layout (the project's own
// test data).
func iosStatus500() string {
	var b strings.Builder
	b.WriteString("Port      Name               Status       Vlan       Duplex  Speed Type\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "%-9s %-18s %-12s %-10d %6s %6s %s\n", fmt.Sprintf("Gi%d/0/%d", 1+i/48, i%48+1), "desk", "connected", 10+i%20, "a-full", "a-1000", "10/100/1000BaseTX")
	}
	return b.String()
}

// nxosStatus500 is NX-OS's layout (rules around the header, "--" names).
func nxosStatus500() string {
	var b strings.Builder
	b.WriteString("--------------------------------------------------------------------------------\nPort          Name               Status    Vlan      Duplex  Speed   Type\n--------------------------------------------------------------------------------\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "Eth%d/%-9d %-18s %-9s %-9d %-7s %-7s %s\n", 1+i/48, i%48+1, "--", "connected", 10+i%20, "full", "10G", "10Gbase-SR")
	}
	return b.String()
}

// iosStatusShifted500 has every row printed two columns left of the
// header (a narrower port column) with a status that runs over into the
// VLAN column: the reader's slowest path (each row is realigned).
func iosStatusShifted500() string {
	var b strings.Builder
	b.WriteString("Port      Name               Status       Vlan       Duplex  Speed Type\n")
	for i := 1; i <= 500; i++ {
		row := []rune(strings.Repeat(" ", 80))
		at := func(col int, s string) { copy(row[col:], []rune(s)) }
		at(0, fmt.Sprintf("Fa%d", i))
		at(8, "test")
		at(27, "notconnect: TD")
		at(42, fmt.Sprint(10+i%20))
		at(57-len("auto"), "auto")
		at(64-len("auto"), "auto")
		at(65, "10/100BaseTX")
		b.WriteString(strings.TrimRight(string(row), " ") + "\n")
	}
	return b.String()
}

// iosMAC500 is a Catalyst 6500 MAC table (flags column, '+' rules).
func iosMAC500() string {
	var b strings.Builder
	b.WriteString("      vlan   mac address    type   learn    age                 ports\n-----+----+---------------+-------+-----+----------+-----------------------------\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "     %5d 0000.0000.%04x  dynamic  Yes      280     Te1/%d\n", 10+i%20, i, i%48+1)
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

// junosELS500 is ELS `show ethernet-switching interface`: an interface
// line, then one line per VLAN member.
func junosELS500() string {
	var b strings.Builder
	b.WriteString("Routing Instance Name : default-switch\nLogical Interface flags (DL - disable learning, AD - packet action drop,\n                         LH - MAC limit hit, DN - interface down )\n\n")
	b.WriteString("Logical         Vlan          TAG     MAC     MAC+IP  STP         Logical           Tagging\ninterface       members               limit   limit   state       interface flags\n")
	at := func(cells ...string) string { // cells at the header's columns
		cols := []int{0, 16, 30, 38, 46, 54, 66, 84}
		row := []rune(strings.Repeat(" ", 100))
		for k, c := range cells {
			copy(row[cols[k]:], []rune(c))
		}
		return strings.TrimRight(string(row), " ") + "\n"
	}
	for i := 0; i < 500; i++ {
		b.WriteString(at(fmt.Sprintf("ge-%d/0/%d.0", i/48, i%48), "", "", "65535", "0", "", "", "untagged"))
		b.WriteString(at("", fmt.Sprintf("v%d", 10+i%20), fmt.Sprint(10+i%20), "65535", "0", "Forwarding", "", "untagged"))
	}
	return b.String()
}

func procurveStatus500() string {
	var b strings.Builder
	b.WriteString("  Port     Name       Status  Config-mode   Speed    Type       Tagged Untagged\n  -------- ---------- ------- ------------- -------- ---------- ------ --------\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "  %-8s %-10s %-7s %-13s %-8s %-10s %-6s %s\n", fmt.Sprintf("%d/%d", 1+i/48, i%48+1), "desk", "Up", "Auto", "1000FDx", "100/1000T", "No", fmt.Sprint(10+i%20))
	}
	return b.String()
}

func comwareBrief500() string {
	var b strings.Builder
	b.WriteString("Brief information on interfaces in bridge mode:\nLink: ADM - administratively down; Stby - standby\nSpeed: (a) - auto\nDuplex: (a)/A - auto; H - half; F - full\nType: A - access; T - trunk; H - hybrid\nInterface            Link Speed     Duplex Type PVID Description\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "%-20s UP   1G(a)     F(a)   A    %-4d desk %d\n", fmt.Sprintf("GE%d/0/%d", 1+i/48, i%48+1), 10+i%20, i)
	}
	return b.String()
}

func huaweiPortVLAN500() string {
	var b strings.Builder
	b.WriteString("Port                        Link Type    PVID  Trunk VLAN List\n-------------------------------------------------------------------------------\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "%-27s trunk        1     1 191 212 214 218 224 238\n                                               250-255 300-301 303\n", fmt.Sprintf("GigabitEthernet0/%d/%d", i/48, i%48))
	}
	return b.String()
}

// comwareVLANAll500 is `display vlan all` for 500 VLANs of 20 ports each.
func comwareVLANAll500() string {
	var b strings.Builder
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, " VLAN ID: %d\n VLAN type: Static\n Route interface: Not configured\n Description: VLAN %04d\n Name: VLAN %04d\n Tagged ports:   None\n Untagged ports:\n", i, i, i)
		for j := 0; j < 10; j++ {
			fmt.Fprintf(&b, "    GigabitEthernet1/0/%-10d GigabitEthernet2/0/%d\n", j, j)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestGenerated500(t *testing.T) {
	for name, text := range map[string]string{"IOS": iosStatus500(), "NX-OS": nxosStatus500(), "shifted": iosStatusShifted500()} {
		if r, rep := IOSInterfacesStatus(text); len(rep.Warnings) != 0 || len(r) != 500 || rep.Read != 500 || r[499].VLANID != "10" {
			t.Fatalf("%s: %d %+v", name, len(r), rep.Warnings)
		}
	}
	if r, rep := IOSMACTable(iosMAC500()); len(rep.Warnings) != 0 || len(r) != 500 || r[499].Ports[0] != "Te1/21" {
		t.Fatalf("IOS MAC: %d %+v", len(r), rep.Warnings)
	}
	if r, rep := JunosEthernetSwitchingInterfaces(junosESI500()); rep.Err() != nil || len(r) != 500 || r[499].VLANID[0] != "29" {
		t.Fatalf("Junos: %d %v", len(r), rep.Err())
	}
	if r, rep := JunosEthernetSwitchingInterfaces(junosELS500()); rep.Err() != nil || len(r) != 500 || r[499].VLANID[0] != "29" || r[499].Status != "up" {
		t.Fatalf("Junos ELS: %d %v", len(r), rep.Err())
	}
	if r, rep := ProCurveInterfacesStatus(procurveStatus500()); rep.Err() != nil || len(r) != 500 || r[499].VLANUntagged != "10" {
		t.Fatalf("ProCurve: %d %v", len(r), rep.Err())
	}
	if r, rep := ComwareDisplayInterfaceBrief(comwareBrief500()); rep.Err() != nil || len(r) != 500 || r[499].VLANID != "10" || r[499].Description != "desk 500" {
		t.Fatalf("Comware: %d %v %+v", len(r), rep.Err(), r[499])
	}
	if r, rep := HuaweiDisplayPortVLAN(huaweiPortVLAN500()); rep.Err() != nil || len(r) != 500 || len(r[499].Trunk) != 10 {
		t.Fatalf("Huawei: %d %v", len(r), rep.Err())
	}
	if r, rep := ComwareDisplayVLANAll(comwareVLANAll500()); rep.Err() != nil || len(r) != 500 || len(r[499].UntaggedPorts) != 20 {
		t.Fatalf("Comware VLANs: %d %v", len(r), rep.Err())
	}
	if r, rep := AOSCXShowInterface(aoscxInterface500()); rep.Err() != nil || len(r) != 500 || r[0].VLANAccess != "11" || r[0].TxTotalBytes != "128" {
		t.Fatalf("AOS-CX: %d %v %+v", len(r), rep.Err(), r[0])
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
		{"cisco_ios/show_interfaces_status_shifted_rows", iosStatusShifted500(), func(s string) error { _, rep := IOSInterfacesStatus(s); return rep.Err() }},
		{"cisco_nxos/show_interface_status", nxosStatus500(), func(s string) error { _, rep := IOSInterfacesStatus(s); return rep.Err() }},
		{"cisco_ios/show_mac_address-table", iosMAC500(), func(s string) error { _, rep := IOSMACTable(s); return rep.Err() }},
		{"juniper_junos/show_ethernet-switching_interfaces", junosESI500(), func(s string) error { _, rep := JunosEthernetSwitchingInterfaces(s); return rep.Err() }},
		{"aruba_aoscx/show_interface", aoscxInterface500(), func(s string) error { _, rep := AOSCXShowInterface(s); return rep.Err() }},
		{"juniper_junos/show_ethernet-switching_interface_ELS", junosELS500(), func(s string) error { _, rep := JunosEthernetSwitchingInterfaces(s); return rep.Err() }},
		{"hp_procurve/show_interfaces_status", procurveStatus500(), func(s string) error { _, rep := ProCurveInterfacesStatus(s); return rep.Err() }},
		{"hp_comware/display_interface_brief", comwareBrief500(), func(s string) error { _, rep := ComwareDisplayInterfaceBrief(s); return rep.Err() }},
		{"hp_comware/display_vlan_all", comwareVLANAll500(), func(s string) error { _, rep := ComwareDisplayVLANAll(s); return rep.Err() }},
		{"huawei_vrp/display_port_vlan", huaweiPortVLAN500(), func(s string) error { _, rep := HuaweiDisplayPortVLAN(s); return rep.Err() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			start, n := cpuTime(), 0
			for b.Loop() {
				if err := tc.parse(tc.text); err != nil {
					b.Fatal(err)
				}
				n++
			}
			// CPU time, unlike ns/op, does not grow with the machine's load.
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(n)/1e6, "cpu-ms/op")
		})
	}
}
