package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

func TestImportCommand(t *testing.T) {
	root := filepath.Join(corpus.Dir(t), "ntc", "cisco_ios")
	code, out, stderr := cli(t, "import", "--platform", "cisco_ios", "-o", "json",
		filepath.Join(root, "show_interfaces_status", "cisco_ios_show_interfaces_status.raw"),
		filepath.Join(root, "show_mac-address-table", "cisco_ios_show_mac-address-table.raw"))
	var r struct {
		Ports  []struct{ Name, Mode, VLAN, Status, Description string }
		MACs   []struct{ MAC, VLAN, Port string }
		ARP    []any
		Tables []struct {
			Command, File       string
			Line, Read, Skipped int
		}
		Warnings []any
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || len(r.Ports) != 25 || len(r.MACs) != 9 || r.ARP == nil ||
		len(r.Tables) != 2 || r.Tables[0].Command != "show interfaces status" || r.Tables[0].Read != 25 || r.Tables[1].Read != 9 || r.Warnings == nil || len(r.Warnings) != 0 {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
}

// TestImportWarnings: an unreadable row is skipped and reported (stderr in
// text, "warnings" in JSON) with its file, line and text; --strict makes
// it an error; a table with nothing readable is an error.
func TestImportWarnings(t *testing.T) {
	f := writeFile(t, "s.txt", "sw1#show interfaces status\n"+
		"Port      Name               Status       Vlan       Duplex  Speed Type\r\n"+
		"Gi1/0/1   desk               connected    10         a-full a-1000 10/100/1000BaseTX\r\n"+
		"  garbage\r\n"+
		" --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bGi1/0/2                      notconnect   20           auto   auto 10/100/1000BaseTX\r\n"+
		"sw1#\n")
	code, out, stderr := cli(t, "import", "--platform", "cisco_ios", f)
	if code != 0 || !strings.Contains(out, "2 ports") || !strings.Contains(out, f+":2: show interfaces status: 2 rows read, 1 skipped") ||
		!strings.Contains(stderr, "warning: "+f+`:4: not an interface row`) || !strings.Contains(stderr, `"  garbage"`) {
		t.Fatalf("%d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = cli(t, "import", "--platform", "cisco_ios", "-o", "json", f)
	var r struct {
		Ports    []any
		Warnings []struct {
			File, Text, Reason string
			Line               int
		}
		Tables []struct{ Read, Skipped int }
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || len(r.Ports) != 2 || len(r.Warnings) != 1 || r.Warnings[0].File != f ||
		r.Warnings[0].Line != 4 || r.Warnings[0].Text != "  garbage" || r.Warnings[0].Reason == "" || r.Tables[0].Skipped != 1 {
		t.Fatalf("%d %s", code, out)
	}
	if code, _, stderr := cli(t, "import", "--platform", "cisco_ios", "--strict", f); code != exitError || !strings.Contains(stderr, "--strict: 1 unreadable line(s)") {
		t.Fatalf("%d %s", code, stderr)
	}
	bad := writeFile(t, "bad.txt", "sw1#show interfaces status\nPort      Name               Status       Vlan       Duplex  Speed Type\n  garbage\n")
	if code, _, stderr := cli(t, "import", "--platform", "cisco_ios", bad); code != exitError || !strings.Contains(stderr, bad+":3: not an interface row") || !strings.Contains(stderr, "nothing could be read") {
		t.Fatalf("%d %s", code, stderr)
	}
}

// TestImportUnsupported: a command import does not read is exit 1 with the
// commands it reads, never an empty success; so is output it cannot place.
func TestImportUnsupported(t *testing.T) {
	f := writeFile(t, "v.txt", "VLAN0010 (Inter-VLAN Routing) ID: 10 (dot1q)\n")
	for _, c := range []string{"show spanning-tree", "show ip arp detail"} {
		code, out, stderr := cli(t, "import", "--platform", "cisco_ios", "--command", c, f)
		if code != exitError || out != "" || !strings.Contains(stderr, "is not one import reads for cisco_ios (supported: show interfaces status, show interfaces switchport, show vlan, show mac address-table, show ip arp, show arp, show vlans, show interfaces status err-disabled, show running-config, show interfaces)") {
			t.Fatalf("%s: %d %q %s", c, code, out, stderr)
		}
	}
	if code, _, stderr := cli(t, "import", "--platform", "cisco_ios", f); code != exitError || !strings.Contains(stderr, "cannot tell which command produced this output") {
		t.Fatalf("%d %s", code, stderr)
	}
}

// TestImportRunningConfig: a configuration (here the lab's shipped IOS-XE
// startup-config) imports to its ports and VLANs; NX-OS's JSON VLAN table
// and IOS's router VLANs are read too.
func TestImportRunningConfig(t *testing.T) {
	code, out, stderr := cli(t, "import", "--platform", "cisco_iosxe", "--command", "show running-config", "-o", "json", "../../labs/startup-config/sw1.cisco_cat9kv.cfg")
	var r struct {
		Ports []struct{ Name, Mode, VLAN string }
		VLANs []struct{ ID string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || len(r.Ports) != 5 || len(r.VLANs) != 3 ||
		r.Ports[0].Name != "GigabitEthernet1/0/1" || r.Ports[0].Mode != "access" || r.Ports[0].VLAN != "66" || r.Ports[4].Mode != "trunk" {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
	f := writeFile(t, "v.json", `{"TABLE_vlanbriefxbrief": {"ROW_vlanbriefxbrief": {"vlanshowbr-vlanid-utf": "166", "vlanshowbr-vlanname": "migration", "vlanshowplist-ifidx": "Ethernet1/1-2"}}}`)
	if code, out, stderr := cli(t, "import", "--platform", "cisco_nxos", f); code != 0 || !strings.Contains(out, "0 ports, 1 VLANs") {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
	root := filepath.Join(corpus.Dir(t), "ntc", "cisco_ios", "show_vlans")
	if code, out, stderr := cli(t, "import", "--platform", "cisco_ios", filepath.Join(root, "cisco_ios_show_vlans.raw")); code != 0 || !strings.Contains(out, "0 ports, 11 VLANs") {
		t.Fatalf("%d %s %s", code, out, stderr)
	}
}
