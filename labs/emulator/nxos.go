package emulator

import (
	"fmt"
	"strings"
)

// nxos emulates Cisco NX-OS: IOS-like line-mode configuration, its own
// error text, show formats and save command, and checkpoints with
// atomic rollback (nxos_checkpoint.go).
type nxos struct{}

func (nxos) prompt(s *session) string { return iosxe{}.prompt(s) }

func (nxos) invalid(line string) string {
	return strings.Repeat(" ", len(line)) + "^\n% Invalid command at '^' marker.\n"
}

func (d nxos) exec(s *session, line string, f []string) (string, bool) {
	switch s.mode {
	case "exec":
		return d.execMode(s, line, f)
	case "config", "config-vlan":
		return iosxe{}.configMode(s, line, f)
	case "config-if":
		return iosxe{}.interfaceMode(s, line, f)
	}
	return d.invalid(line), false
}

func (d nxos) execMode(s *session, line string, f []string) (string, bool) {
	switch {
	case f[0] == "terminal":
		return "", false
	case f[0] == "exit":
		return "", true
	case prefix(f, "configure", "terminal"):
		s.mode = "config"
		return "Enter configuration commands, one per line. End with CNTL/Z.", false
	case f[0] == "checkpoint":
		return d.checkpoint(s, line, f), false
	case prefix(f, "no", "checkpoint"):
		return d.deleteCheckpoint(s, line, f), false
	case prefix(f, "rollback", "running-config", "checkpoint"):
		return d.rollback(s, line, f), false
	case prefix(f, "show", "checkpoint", "summary"):
		return d.checkpointSummary(s), false
	case prefix(f, "copy", "running-config", "startup-config"):
		return "[########################################] 100%\nCopy complete.", false
	case prefix(f, "show", "version"):
		return "Cisco Nexus Operating System (NX-OS) Software\nNXOS: version 10.3(4a)\n", false
	case prefix(f, "show", "interface", "status"):
		return statusTable(s, "\n--------------------------------------------------------------------------------\nPort          Name               Status    Vlan      Duplex  Speed   Type\n--------------------------------------------------------------------------------\n",
			"%-13s %-18.18s %-9s %-9s %-7s %-7s %s\n", "1000", "1000base-T")
	case prefix(f, "show", "interface", "switchport"):
		return d.switchport(s)
	case prefix(f, "show", "vlan"):
		return iosxe{}.vlanBrief(s)
	case prefix(f, "show", "mac", "address-table"):
		return d.macTable(s)
	}
	return d.invalid(line), false
}

// switchport prints NX-OS `show interface switchport`.
func (d nxos) switchport(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	for _, p := range ports {
		mode, access := "access", fmt.Sprintf("%d (VLAN%04d)", p.vlan, p.vlan)
		if p.trunk {
			mode, access = "trunk", "1 (default)"
		} else if p.vlan == 1 {
			access = "1 (default)"
		}
		fmt.Fprintf(&b, "Name: %s\n  Switchport: Enabled\n  Switchport Monitor: Not enabled\n  Switchport Isolated : Not enabled\n  Operational Mode: %s\n", p.it.Name, mode)
		fmt.Fprintf(&b, "  Access Mode VLAN: %s\n  Trunking Native Mode VLAN: 1 (default)\n  Trunking VLANs Allowed: 1-4094\n  Voice VLAN: none\n  Operational private-vlan: none\n", access)
	}
	return b.String(), false
}

// macTable prints NX-OS `show mac address-table`.
func (d nxos) macTable(s *session) (string, bool) {
	rows, err := macRows(s)
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("Legend:\n        * - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC\n        age - seconds since last seen,+ - primary entry using vPC Peer-Link,\n        (T) - True, (F) - False\n")
	b.WriteString("   VLAN     MAC Address      Type      age     Secure NTFY Ports\n---------+-----------------+--------+---------+------+----+------------------\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "*  %4d     %s   dynamic  0         F      F    %s\n", r.vlan, r.mac, r.port)
	}
	return b.String(), false
}
