package showparse

import (
	"fmt"
	"strings"
	"testing"
)

// Generated 500-entry outputs in the layouts of the FastIron/ICX, SG/CBS,
// PowerConnect, Force10, EXOS, RouterOS and EdgeSwitch corpus files (the
// project's own test data), each with the number of records it holds.
type campusBench struct {
	name  string
	text  string
	parse func(string) (int, Report)
}

func count[T any](f func(string) ([]T, Report)) func(string) (int, Report) {
	return func(s string) (int, Report) { r, rep := f(s); return len(r), rep }
}

func campusBenches() []campusBench {
	gen := func(header string, n int, row func(i int) string) string {
		var b strings.Builder
		b.WriteString(header)
		for i := 1; i <= n; i++ {
			b.WriteString(row(i))
			b.WriteByte('\n')
		}
		return b.String()
	}
	port := func(i int) string { return fmt.Sprintf("%d/%d/%d", 1+i/96, 1+i/48%2, i%48+1) }
	return []campusBench{
		{"ruckus_fastiron/show_interfaces_brief", gen("Port       Link    State   Dupl Speed Trunk Tag Pvid Pri MAC             Name\n", 500, func(i int) string {
			return fmt.Sprintf("%-10s Up      Forward Full 1G    None  No  %-4d 0   d4c1.9e8f.%04x  desk-%d", port(i), 10+i%20, i, i)
		}), count(FastIronInterfacesBrief)},
		{"ruckus_fastiron/show_vlan", gen("Total PORT-VLAN entries: 500\nMaximum PORT-VLAN entries: 1024\n\nLegend: [Stk=Stack-Id, S=Slot]\n\n", 500, func(i int) string {
			return fmt.Sprintf("PORT-VLAN %d, Name V%d, Priority level0, Spanning tree Off\n Untagged Ports: (U1/M1)   %d  %d\n   Tagged Ports: (U1/M2)   1   2\n   Tagged Ports: (LAG)     1\n Mac-Vlan Ports: None\n     Monitoring: Disabled\n", i, i, i%48+1, (i+1)%48+1)
		}), count(FastIronShowVLAN)},
		{"brocade_fastiron/show_running-config_vlan", gen("", 500, func(i int) string {
			return fmt.Sprintf("vlan %d name V%d by port\n tagged ethe 1/2/1 to 1/2/2 lag 1\n untagged ethe 1/1/%d to 1/1/%d\n spanning-tree 802-1w\n!", i, i, i%40+1, i%40+8)
		}), count(FastIronRunningConfigVLAN)},
		{"cisco_s300/show_interfaces_status", gen("                                             Flow Link          Back   Mdix\nPort     Type         Duplex  Speed Neg      ctrl State       Pressure Mode\n-------- ------------ ------  ----- -------- ---- ----------- -------- -------\n", 500, func(i int) string {
			return fmt.Sprintf("%-8s 1G-Copper    Full    1000  Enabled  Off  Up          Disabled Off", "gi"+port(i))
		}), count(SMBInterfacesStatus)},
		{"cisco_s300/show_mac_address-table", gen("Flags: I - Internal usage VLAN\nAging time is 300 sec\n\n    Vlan          Mac Address         Port       Type\n------------ --------------------- ---------- ----------\n", 500, func(i int) string {
			return fmt.Sprintf("    %-4d        00:1d:9c:a1:%02x:%02x      %-8s dynamic", 10+i%20, i/256, i%256, "gi"+port(i))
		}), count(SMBMACTable)},
		{"cisco_s300/show_vlan", gen("Created by: D-Default, S-Static, G-GVRP, R-Radius Assigned VLAN, V-Voice VLAN\n\nVlan       Name           Tagged Ports      UnTagged Ports      Created by\n---- ----------------- ------------------ ------------------ ----------------\n", 500, func(i int) string {
			return fmt.Sprintf(" %-4d %-17s gi1/0/1-2,Po1      gi1/0/%d-%d,          S\n                                        te1/0/1", i, fmt.Sprintf("vlan-%d", i), i%40+1, i%40+5)
		}), count(SMBShowVLAN)},
		{"cisco_s300/show_interfaces_switchport", gen("", 500, func(i int) string {
			return fmt.Sprintf("Port : gi%s\nPort Mode: Trunk\nGvrp Status: disabled\nIngress Filtering: true\nAcceptable Frame Type: admitAll\nIngress UnTagged VLAN ( NATIVE ): 1\n\nPort is member in:\n\nVlan               Name               Egress rule Port Membership Type\n---- -------------------------------- ----------- --------------------\n 1                  1                  Untagged          System\n %-4d           VLAN%-4d              Tagged           Static\n\n\nForbidden VLANS:\nVlan               Name\n---- --------------------------------\n\n\nClassification rules:\n\nMac based VLANs:\n  Group ID   Vlan ID\n------------ -------\n", port(i), 10+i%20, 10+i%20)
		}), count(SMBInterfacesSwitchport)},
		{"dell_powerconnect/show_interfaces_status", gen("Flow Link          Back   Mdix\nPort     Type         Duplex  Speed Neg      ctrl State       Pressure Mode\n-------- ------------ ------  ----- -------- ---- ----------- -------- -------\n", 500, func(i int) string {
			if i%5 == 0 {
				return fmt.Sprintf("%-8s 1G-Copper      --      --     --     --  Down           --     --", fmt.Sprintf("g%d", i))
			}
			return fmt.Sprintf("%-8s 1G-Copper    Full    1000  Enabled  Off  Up          Disabled On", fmt.Sprintf("g%d", i))
		}), count(SMBInterfacesStatus)},
		{"dell_force10/show_vlan", gen("Codes: * - Default VLAN, G - GVRP VLANs\nQ: U - Untagged, T - Tagged\n\n    NUM    Status    Description                     Q Ports\n", 500, func(i int) string {
			return fmt.Sprintf("    %-6d Active    vlan_%-26d U Te 0/%d-%d\n                                                     T Po1(Te 0/46-47)", i, i, i%40+1, i%40+3)
		}), count(Force10ShowVLAN)},
		{"dell_force10/show_vlan_brief", gen("VLAN Name                             STG   MAC Aging IP Address\n---- -------------------------------- ----  --------- ------------------\n", 500, func(i int) string {
			return fmt.Sprintf("%-4d %-32s 0     1800      10.%d.%d.1/24", i, fmt.Sprintf("vlan %d", i), i/250, i%250)
		}), count(Force10ShowVLANBrief)},
		{"dell_force10/show_arp", gen("Protocol    Address         Age(min)  Hardware Address    Interface  VLAN             CPU\n-----------------------------------------------------------------------------------------\n", 500, func(i int) string {
			return fmt.Sprintf("Internet    10.1.%d.%-10d %3d   5d:7c:2f:d5:%02x:%02x   Te 0/%-4d Vl %-12d CP", i/250, i%250, i%60, i/256, i%256, i%48, 10+i%20)
		}), count(Force10ARPTable)},
		{"extreme_exos/show_ports_information", gen("Port      Flags               Link      ELSM Link Num Num  Num   Jumbo QOS     Load\n                              State     /OAM UPS  STP VLAN Proto Size  profile Master\n=====================================================================================\n", 500, func(i int) string {
			return fmt.Sprintf("%-9s Emj-----e--fMB---x- active    - / - %2d    1 %4d   1   9216  none", fmt.Sprintf("%d:%d", 1+i/48, i%48+1), i%20, i%3000)
		}), count(EXOSPortsInformation)},
		{"extreme_exos/show_ports_information_detail", gen("", 500, func(i int) string {
			return fmt.Sprintf("Port:\t%d:%d\n\tVirtual-router:\tVR-Default\n\tType:\t\tUTP\n\tRandom Early drop:\tUnsupported\n\tAdmin state:\tEnabled with auto-speed sensing auto-duplex\n\tLink State:\tActive, 1Gbps, full-duplex\n\tLink Ups:       1        Last: Mon Apr 12 12:30:24 2021\n\tLink Downs:     0        Last: --\n\n\tVLAN cfg:\n\t\t Name: Default, Internal Tag = 1, MAC-limit = No-limit, Virtual router:   VR-Default\n\t\t Name: v%d, 802.1Q Tag = %d, MAC-limit = No-limit, Virtual router:   VR-Default\n    STP cfg:\n\t\ts0(enable), Tag=(none), Mode=802.1D, State=FORWARDING\n\n\tProtocol:\n\t\t Name: Default      Protocol: ANY      Match all protocols.\n\tEDP:\t\tEnabled\n\tJumbo:\tEnabled, MTU= 9216\n\tQoS Profile:\tNone configured\n", 1+i/48, i%48+1, 10+i%20, 10+i%20)
		}), count(EXOSPortsInformationDetail)},
		{"extreme_exos/show_vlan_description", gen("-------------------------------------------------------------------------------\nName            VID  Description\n-------------------------------------------------------------------------------\n", 500, func(i int) string {
			return fmt.Sprintf("%-15s %-4d %s", fmt.Sprintf("VLAN%04d", i), i, fmt.Sprintf("floor %d printers", i%9))
		}) + "-------------------------------------------------------------------------------\n\n> Indicates description string truncated past 57 characters\n\nTotal number of VLAN(s) : 500\n", count(EXOSShowVLANDescription)},
		{"extreme_exos/show_iparp", gen("VR            Destination      Mac                Age  Static  VLAN          VID   Port\n", 500, func(i int) string {
			return fmt.Sprintf("VR-Default    10.128.%d.%-9d 00:d0:59:17:%02x:%02x  %3d      NO  v%-12d %-5d %d:%d", i/250, i%250, i/256, i%256, i%60, 10+i%20, 10+i%20, 1+i/48, i%48+1)
		}) + "\nDynamic Entries  :         500             Static Entries            :          0\n", count(EXOSIPARP)},
		{"mikrotik_routeros/ip_arp_print", gen("Flags: X - disabled, I - invalid, H - DHCP, D - dynamic, P - published, C - complete\n #    ADDRESS         MAC-ADDRESS       INTERFACE\n", 500, func(i int) string {
			return fmt.Sprintf("%3d DC 10.160.%d.%-8d 12:34:56:78:%02X:%02X ether%d", i, i/250, i%250, i/256, i%256, i%8+1)
		}), count(MikroTikARPTable)},
		{"mikrotik_routeros/interface_vlan_print_detail", gen("Flags: X - disabled, R - running\n", 500, func(i int) string {
			return fmt.Sprintf(" %d R ;;; vlan %d\n     name=\"vlan%d@bond1\" mtu=1500 l2mtu=9212 mac-address=AA:BB:CC:11:22:33 arp=enabled arp-timeout=auto loop-protect=default loop-protect-status=off loop-protect-send-interval=5s loop-protect-disable-time=5m vlan-id=%d interface=bond1 use-service-tag=no\n", i, i, i, 1+i%4094)
		}), count(MikroTikInterfaceVLAN)},
		{"ubiquiti_edgeswitch/show_vlan", gen("VLAN ID VLAN Name                        VLAN Type\n------- -------------------------------- -------------------\n", 500, func(i int) string {
			return fmt.Sprintf("%-7d %-32s Static", i, fmt.Sprintf("office %d", i))
		}), count(EdgeSwitchShowVLAN)},
		{"ubiquiti_edgeswitch/show_arp", gen("Age Time (seconds)............................. 300\n\n  IP Address        MAC Address      Interface        Type        Age\n---------------  -----------------  --------------  --------  -----------\n", 500, func(i int) string {
			return fmt.Sprintf("172.16.%d.%-10d 80:2A:A8:F1:%02X:%02X  0/%-13d Dynamic    0h  2m 16s", i/250, i%250, i/256, i%256, i%48+1)
		}), count(EdgeSwitchARPTable)},
	}
}

// TestGeneratedCampus500: every generated output reads as 500 records
// without a warning (so the benchmark measures whole reads).
func TestGeneratedCampus500(t *testing.T) {
	for _, b := range campusBenches() {
		if n, rep := b.parse(b.text); n != 500 || len(rep.Warnings) != 0 {
			t.Errorf("%s: %d records, %v", b.name, n, rep.Warnings)
		}
	}
}

// BenchmarkCampusParse500 parses a 500-entry output per command.
func BenchmarkCampusParse500(b *testing.B) {
	for _, tc := range campusBenches() {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			start, n := cpuTime(), 0
			for b.Loop() {
				if _, rep := tc.parse(tc.text); rep.Err() != nil {
					b.Fatal(rep.Err())
				}
				n++
			}
			// CPU time, unlike ns/op, does not grow with the machine's load.
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(n)/1e6, "cpu-ms/op")
		})
	}
}
