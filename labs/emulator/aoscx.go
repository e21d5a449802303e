package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// aoscx emulates Aruba AOS-CX 10.x: line-mode configuration (`vlan
// access V` applies at once and replaces the access VLAN), `show
// interface` in the 10.x layout, `show vlan`, `show mac-address-table`,
// `write memory`, AOS-CX's "Invalid input" errors, and auto checkpoint
// mode, its trial (aoscx_checkpoint.go).
type aoscx struct{}

func (aoscx) prompt(s *session) string {
	h := s.srv.cfg.Hostname
	switch s.mode {
	case "config":
		return h + "(config)# "
	case "config-if":
		return h + "(config-if)# "
	}
	return h + "# "
}

func (aoscx) invalid(line string) string { return "Invalid input: " + strings.Fields(line + " x")[0] }

func (d aoscx) exec(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	switch {
	case s.mode == "exec":
		return d.execMode(s, line, f)
	case f[0] == "end":
		s.mode, s.iface = "exec", nil
	case f[0] == "exit":
		if s.mode == "config" {
			s.mode = "exec"
		} else {
			s.mode, s.iface = "config", nil
		}
	case f[0] == "interface" && len(f) == 2:
		it := srv.lookup(f[1])
		if it == nil {
			return d.invalid(f[1]), false
		}
		s.mode, s.iface = "config-if", it
	case f[0] == "vlan" && len(f) == 2 && s.mode != "config-if":
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 || n > 4094 {
			return d.invalid(f[1]), false
		}
		srv.CreateVLANs(n)
		s.mode = "config"
	case s.mode == "config-if" && prefix(f, "vlan", "access") && len(f) == 3:
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 1 || n > 4094 {
			return d.invalid(f[2]), false
		}
		srv.mu.Lock()
		exists := srv.vlans[n]
		srv.mu.Unlock()
		if !exists && !srv.portInVLAN(s, n) {
			return fmt.Sprintf("VLAN %d does not exist.", n), false
		}
		if err := srv.cfg.Backend.SetAccessVLAN(s.ctx, s.iface.Port, n); err != nil {
			return "Error: " + err.Error(), false
		}
	case s.mode == "config-if" && (f[0] == "description" || f[0] == "shutdown" || prefix(f, "no", "shutdown") || prefix(f, "no", "routing")):
		if f[0] == "description" {
			srv.mu.Lock()
			srv.desc[s.iface.Name] = strings.TrimSpace(strings.TrimPrefix(line, "description"))
			srv.mu.Unlock()
		}
	default:
		return d.invalid(line), false
	}
	return "", false
}

func (d aoscx) execMode(s *session, line string, f []string) (string, bool) {
	switch {
	case prefix(f, "no", "page"), f[0] == "page":
		return "", false
	case f[0] == "exit":
		return "", true
	case prefix(f, "configure", "terminal"), f[0] == "config" && len(f) == 1:
		s.mode = "config"
	case f[0] == "checkpoint":
		return d.checkpointCommand(s, line, f), false
	case prefix(f, "show", "checkpoint", "list"):
		return d.checkpointList(s), false
	case prefix(f, "write", "memory"):
		return "Copying configuration: [Success]", false
	case prefix(f, "show", "version"):
		return "ArubaOS-CX\nVersion      : FL.10.13.1000\n", false
	case prefix(f, "show", "interface") && len(f) == 2:
		return d.showInterface(s)
	case prefix(f, "show", "vlan") && len(f) == 2:
		return d.showVLAN(s)
	case prefix(f, "show", "mac-address-table"):
		return d.macTable(s)
	default:
		return d.invalid(line), false
	}
	return "", false
}

// showInterface prints `show interface` for the physical ports (10.x layout).
func (d aoscx) showInterface(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "Error: " + err.Error(), false
	}
	var b strings.Builder
	for i, p := range ports {
		fmt.Fprintf(&b, "Interface %s is up\n Admin state is up\n Link transitions: 1\n Description: %s\n Persona:\n", p.it.Name, p.desc)
		fmt.Fprintf(&b, " Hardware: Ethernet, MAC Address: 02:cc:00:00:00:%02x\n MTU 1500\n Type 1GbT\n Full-duplex\n qos trust none\n Speed 1000 Mb/s\n", i+1)
		b.WriteString(" Auto-negotiation is on\n Flow-control: off\n Error-control: off\n MDI mode: MDIX\n")
		if p.trunk {
			b.WriteString(" VLAN Mode: native-untagged\n Native VLAN: 1\n Allowed VLAN List: all\n")
		} else {
			fmt.Fprintf(&b, " VLAN Mode: access\n Access VLAN: %d\n", p.vlan)
		}
		b.WriteString(" Rate collection interval: 300 seconds\n\n")
		b.WriteString(" Statistic                          RX                   TX                Total\n")
		b.WriteString(" ---------------- -------------------- -------------------- --------------------\n")
		for _, row := range []string{"Packets", "  Unicast", "  Multicast", "  Broadcast", "Bytes", "Jumbos", "Dropped", "Pause Frames", "Errors"} {
			fmt.Fprintf(&b, " %-16s %20d %20d %20d\n", row, 0, 0, 0)
		}
		fmt.Fprintf(&b, " %-16s %20s %20s %20s\n\n", "  CRC/FCS", "0", "n/a", "0")
	}
	return b.String(), false
}

// showVLAN prints `show vlan`.
func (d aoscx) showVLAN(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "Error: " + err.Error(), false
	}
	rule := strings.Repeat("-", 114) + "\n"
	var b strings.Builder
	b.WriteString(rule + "VLAN  Name                              Status  Reason                  Type        Interfaces                    \n" + rule)
	for _, v := range s.srv.knownVLANs() {
		var members []string
		for _, p := range ports {
			if p.trunk || p.vlan == v {
				members = append(members, p.it.Name)
			}
		}
		name, typ := "VLAN"+strconv.Itoa(v), "static"
		if v == 1 {
			name, typ = "DEFAULT_VLAN_1", "default"
		}
		fmt.Fprintf(&b, "%-5d %-33s %-7s %-23s %-11s %s\n", v, name, "up", "ok", typ, strings.Join(members, ","))
	}
	return b.String(), false
}

// macTable prints `show mac-address-table`.
func (d aoscx) macTable(s *session) (string, bool) {
	rows, err := macRows(s)
	if err != nil {
		return "Error: " + err.Error(), false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "MAC age-time            : 300 seconds\nNumber of MAC addresses : %d\n\nMAC Address          VLAN     Type                      Port\n--------------------------------------------------------------\n", len(rows))
	for _, r := range rows {
		fmt.Fprintf(&b, "%-20s %-8d %-25s %s\n", colonMAC(r.mac), r.vlan, "dynamic", r.port)
	}
	return b.String(), false
}

// colonMAC turns aabb.ccdd.eeff into aa:bb:cc:dd:ee:ff.
func colonMAC(m string) string {
	h := strings.ReplaceAll(m, ".", "")
	if len(h) != 12 {
		return m
	}
	return h[0:2] + ":" + h[2:4] + ":" + h[4:6] + ":" + h[6:8] + ":" + h[8:10] + ":" + h[10:12]
}
