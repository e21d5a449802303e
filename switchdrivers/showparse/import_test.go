package showparse

import (
	"errors"
	"strings"
	"testing"
)

// TestBlocksNeverMerge: a block whose first line is missing or not
// recognised is reported, never read into the interface above it.
func TestBlocksNeverMerge(t *testing.T) {
	text := "Name: Gi0/1\nSwitchport: Enabled\nAdministrative Mode: static access\nOperational Mode: static access\nAccess Mode VLAN: 10 (ten)\n\n" +
		"Nmae: Gi0/2\nSwitchport: Enabled\nAdministrative Mode: trunk\nOperational Mode: trunk\nAccess Mode VLAN: 1 (default)\n\n" +
		" --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bName: Gi0/3\nSwitchport: Enabled\nOperational Mode: static access\nAccess Mode VLAN: 30 (thirty)\n" +
		"Name:\nSwitchport: Enabled\n"
	rows, rep := IOSInterfacesSwitchport(text)
	if len(rows) != 2 || rows[0].Interface != "Gi0/1" || rows[0].Mode != "static access" || rows[0].AccessVLAN != "10" ||
		rows[1].Interface != "Gi0/3" || rows[1].AccessVLAN != "30" {
		t.Fatalf("%+v", rows)
	}
	if len(rep.Warnings) != 2 || rep.Warnings[0].Line != 8 || rep.Warnings[0].Text != "Switchport: Enabled" ||
		!strings.Contains(rep.Warnings[0].Reason, "appears twice in one block") || rep.Warnings[1].Line != 17 || rep.Read != 2 || rep.Skipped != 2 {
		t.Fatalf("%+v", rep)
	}
	// Text before the first block is reported too.
	_, rep = NXOSInterfaceSwitchport("garbage line\nName: Ethernet1/1\n  Switchport: Enabled\n  Operational Mode: access\n")
	if len(rep.Warnings) != 1 || rep.Warnings[0].Line != 1 || rep.Read != 1 {
		t.Fatalf("%+v", rep)
	}
}

// TestModesAndPlaceholders: operational modes with more words, a down
// port, placeholders in the status table.
func TestModesAndPlaceholders(t *testing.T) {
	for _, tc := range []struct{ switchport, oper, admin, want string }{
		{"Enabled", "down (suspended member of bundle)", "trunk", "trunk"},
		{"Enabled", "down", "static access", "access"},
		{"Enabled", "down", "dynamic auto", ""}, // DTP settles it when the link comes up
		{"Enabled", "trunk (member of bundle Po5)", "trunk", "trunk"},
		{"Enabled", "static access", "dynamic auto", "access"},
		{"Enabled", "private-vlan host", "private-vlan host", ""},
		{"Enabled", "fex-fabric", "", ""},
		{"Disabled", "", "", "routed"},
	} {
		if got := switchportMode(tc.switchport, tc.oper, tc.admin); got != tc.want {
			t.Errorf("%+v: %q", tc, got)
		}
	}
	status := "Port          Name               Status    Vlan      Duplex  Speed   Type\n" +
		"Eth1/1        --                 connected f-path    full    10G     SFP-H10GB-C\n" +
		"Eth1/2        --                 connected unassigned full   10G     --\n" +
		"Eth1/3        N/A                connected 12        full    10G     --\n" +
		"Eth1/4        desk               connected 13        --      --      --\n"
	var r Result
	if err := Import("cisco_nxos", "show interface status", status, &r); err != nil || len(r.Warnings) != 0 || len(r.Ports) != 4 {
		t.Fatalf("%v %+v", err, r)
	}
	for i, want := range []Port{{Name: "Eth1/1", Status: "connected"}, {Name: "Eth1/2", Status: "connected"},
		{Name: "Eth1/3", Mode: "access", VLAN: "12", Status: "connected"}, {Name: "Eth1/4", Mode: "access", VLAN: "13", Status: "connected", Description: "desk"}} {
		if r.Ports[i] != want {
			t.Errorf("port %d: %+v, want %+v", i, r.Ports[i], want)
		}
	}
}

// TestCommandsExact: abbreviations as on the switch, documented filters,
// and nothing mapped by prefix.
func TestCommandsExact(t *testing.T) {
	cmds, _ := platformCommands("cisco_ios")
	for typed, want := range map[string]string{
		"sh int stat":                           CmdInterfacesStatus,
		"show interface status":                 CmdInterfacesStatus,
		"sh int switchp":                        CmdInterfacesSwitchport,
		"sh vlan":                               CmdVLAN,
		"show vlan all-ports":                   CmdVLAN,
		"show vlans":                            CmdVLANs,
		"sh int status err-disabled":            CmdErrDisabled,
		"show run":                              CmdRunningConfig,
		"show running-config interface Gi1/0/1": CmdRunningConfig,
		"show startup-config":                   CmdRunningConfig,
		"show vlan brief":                       CmdVLAN,
		"show vlan id 10":                       CmdVLAN,
		"show mac-address-table":                CmdMACTable,
		"show mac address-table dynamic vlan 5": CmdMACTable,
		"sh ip ar":                              CmdARP,
		"show ip arp | include Vlan10":          CmdARP,
		"show arp":                              "show arp",
	} {
		c, err := resolve("cisco_ios", cmds, typed)
		if err != nil || c.name != want {
			t.Errorf("%q: %v %v", typed, c, err)
		}
	}
	for _, typed := range []string{"show ip arp detail", "show mac address-table vlan", "show interfaces status errdisabled", "show running-config vlan", "show spanning-tree"} {
		var ue *UnsupportedError
		if _, err := resolve("cisco_ios", cmds, typed); !errors.As(err, &ue) || !strings.Contains(err.Error(), "supported: show interfaces status, show interfaces switchport, show vlan") {
			t.Errorf("%q: %v", typed, err)
		}
	}
	// An abbreviation of two commands is ambiguous, as on the switch.
	if _, err := resolve("cisco_ios", cmds, "sh vl"); err == nil || !strings.Contains(err.Error(), "ambiguous for cisco_ios: show vlan or show vlans") {
		t.Errorf("sh vl: %v", err)
	}
	ecmds, _ := platformCommands("arista_eos")
	for _, typed := range []string{"show running-config interfaces Ethernet1", "show run", "show startup-config"} {
		if c, err := resolve("arista_eos", ecmds, typed); err != nil || c.name != CmdRunningConfig {
			t.Errorf("eos %q: %v %v", typed, c, err)
		}
	}
	// NX-OS: the detail of the ARP table, in any VRF; every section of the
	// interfaces' brief.
	ncmds, _ := platformCommands("cisco_nxos")
	for typed, want := range map[string]string{"show ip arp detail vrf all": CmdARP, "show ip arp vrf all": CmdARP, "show ip arp detail": CmdARP, "sh int br": CmdInterfaceBrief} {
		if c, err := resolve("cisco_nxos", ncmds, typed); err != nil || c.name != want {
			t.Errorf("nxos %q: %v %v", typed, c, err)
		}
	}
	// A word typed short is completed as the switch's CLI does ("show
	// vlan" is Junos's "show vlans"); words added are not dropped.
	jcmds, _ := platformCommands("juniper_junos")
	if c, err := resolve("juniper_junos", jcmds, "show vlan"); err != nil || c.name != CmdJunosVLANs {
		t.Errorf("junos show vlan: %v", err)
	}
	if _, err := resolve("juniper_junos", jcmds, "show vlans extensive"); err == nil {
		t.Errorf("junos show vlans extensive was taken for show vlans")
	}
}

// TestDetectScores: the command is the one whose header matches best; an
// ARP table with a "MAC Address" column is not a MAC table; output with no
// known header names what was considered.
func TestDetectScores(t *testing.T) {
	arp := "Address         Age       MAC Address     Interface\n10.1.1.1        00:00:57  3c60.f40e.f9c3  Ethernet1/41\n"
	var r Result
	if err := Import("cisco_nxos", "", arp, &r); err != nil || len(r.ARP) != 1 || len(r.MACs) != 0 || r.Tables[0].Command != CmdARP {
		t.Fatalf("%v %+v", err, r)
	}
	// A MAC table without a VLAN column.
	mac := "Mac Address       Type        Ports\n-----------       --------    -----\n0019.ab11.1111    DYNAMIC     Gi1/1/1\n"
	r = Result{}
	if err := Import("cisco_ios", "", mac, &r); err != nil || len(r.MACs) != 1 || r.MACs[0].Port != "Gi1/1/1" || r.MACs[0].VLAN != "" {
		t.Fatalf("%v %+v", err, r)
	}
	err := Import("cisco_ios", "", "Routing instance        VLAN name             Tag          Interfaces\ndefault-switch          v100                  100\n", &r)
	if err == nil || !strings.Contains(err.Error(), "no header of any command import reads for cisco_ios (show interfaces status,") ||
		!strings.Contains(err.Error(), "juniper_junos show vlans") {
		t.Fatalf("%v", err)
	}
	// A command given whose table is not in the output.
	if err := Import("cisco_ios", "show vlan", "\n% Invalid input detected at '^' marker.\n", &r); err == nil || !strings.Contains(err.Error(), "line 2: no show vlan table here") {
		t.Fatalf("%v", err)
	}
}

// TestImportFileWarnings: a session's rows that cannot be read become
// warnings numbered in the file; commands import does not read are
// skipped with a warning at their prompt.
func TestImportFileWarnings(t *testing.T) {
	session := "sw1#terminal length 0\n" +
		"sw1#show version\nCisco IOS Software, C2960 Software\n" +
		"sw1#show interfaces status\n" +
		"Port      Name               Status       Vlan       Duplex  Speed Type\n" +
		"Gi1/0/1   desk               connected    10         a-full a-1000 10/100/1000BaseTX\n" +
		"fc1/1 is down (Administratively down)\n" +
		"Gi1/0/2                      notconnect   20           auto   auto 10/100/1000BaseTX\n" +
		"sw1#"
	var r Result
	if err := ImportFile("cisco_ios", "", "s.txt", session, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Ports) != 2 || len(r.Tables) != 1 || r.Tables[0].Read != 2 || r.Tables[0].Skipped != 1 || r.Tables[0].Line != 5 || r.Tables[0].File != "s.txt" {
		t.Fatalf("%+v", r)
	}
	if len(r.Warnings) != 2 || r.Warnings[0].Line != 2 || r.Warnings[0].Text != "sw1#show version" || !strings.Contains(r.Warnings[0].Reason, `output of "show version" skipped`) ||
		r.Warnings[1] != (Warning{File: "s.txt", Line: 7, Text: "fc1/1 is down (Administratively down)", Reason: r.Warnings[1].Reason}) {
		t.Fatalf("%+v", r.Warnings)
	}
	// One section of a command import does not read is an error.
	if err := ImportFile("cisco_ios", "", "v.txt", "sw1#show spanning-tree\nVLAN0010\n  Spanning tree enabled protocol rstp\n", &r); err == nil || !strings.Contains(err.Error(), `"show spanning-tree" is not one import reads for cisco_ios`) {
		t.Fatalf("%v", err)
	}
	// Output of a command import reads, in a form it does not know: an
	// error naming the line, not an empty success.
	if err := ImportFile("cisco_ios", "", "v.txt", "sw1#show vlans\nVLAN0010 (Inter-VLAN Routing) ID: 10\n", &r); err == nil || !strings.Contains(err.Error(), `v.txt:2: a line before the first VLAN ID: line: "VLAN0010 (Inter-VLAN Routing) ID: 10"`) {
		t.Fatalf("%v", err)
	}
}
