package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// junos emulates Juniper Junos (EX): `configure`/`configure private`
// opens a candidate configuration; `set`/`delete` of an interface's
// `unit 0 family ethernet-switching vlan members` are staged and applied
// together by `commit` (or `commit and-quit`), which refuses an access
// port with two VLAN members or a VLAN that does not exist; `rollback 0`
// discards the candidate, as does a dropped session. `commit confirmed N`
// reverts by itself after N minutes unless a later `commit` confirms it.
type junos struct{}

func (junos) prompt(s *session) string {
	p := s.srv.cfg.Username + "@" + s.srv.cfg.Hostname
	if s.mode == "exec" {
		return p + "> "
	}
	return "\n[edit]\n" + p + "# "
}

// junosSyntaxError is Junos's answer to a line it cannot parse.
func junosSyntaxError(line string) string {
	return strings.Repeat(" ", len(line)) + "^\nsyntax error."
}

func (junos) invalid(line string) string { return junosSyntaxError(line) }

// junosVLANName is what the emulator calls VLAN v in show output.
func junosVLANName(v int) string {
	if v == 1 {
		return "default"
	}
	return "v" + strconv.Itoa(v)
}

func (d junos) exec(s *session, line string, f []string) (string, bool) {
	if s.mode == "exec" {
		return d.execMode(s, line, f)
	}
	srv := s.srv
	switch {
	case prefix(f, "set", "interfaces") && len(f) >= 4 && f[3] == "description":
		it := srv.lookup(f[2])
		if it == nil {
			return junosSyntaxError(line), false
		}
		srv.mu.Lock()
		srv.desc[it.Name] = strings.Trim(strings.Join(f[4:], " "), `"`)
		srv.mu.Unlock()
	case (f[0] == "set" || f[0] == "delete") && len(f) >= 9 && f[1] == "interfaces" && prefix(f[3:], "unit", "0", "family", "ethernet-switching", "vlan", "members"):
		it := srv.lookup(f[2])
		if it == nil {
			return junosSyntaxError(line), false
		}
		if f[0] == "delete" {
			s.staged = append(s.staged, staged{it.Port, 0})
			break
		}
		if len(f) != 10 {
			return junosSyntaxError(line), false
		}
		n, err := strconv.Atoi(f[9])
		if err != nil || n < 1 || n > 4094 {
			return "error: vlan members " + f[9] + ": a VLAN ID from 1 to 4094 is expected here", false
		}
		s.staged = append(s.staged, staged{it.Port, n})
	case (f[0] == "set" || f[0] == "delete") && len(f) == 8 && f[1] == "interfaces" && prefix(f[3:], "unit", "0", "family", "ethernet-switching", "interface-mode"),
		(f[0] == "set" || f[0] == "delete") && len(f) == 8 && f[1] == "interfaces" && prefix(f[3:], "unit", "0", "family", "ethernet-switching", "port-mode"):
		// Both modes are access in the lab.
	case prefix(f, "set", "vlans") && len(f) == 5 && f[3] == "vlan-id":
		n, err := strconv.Atoi(f[4])
		if err != nil || n < 1 || n > 4094 {
			return junosSyntaxError(line), false
		}
		srv.CreateVLANs(n)
	case f[0] == "rollback" && (len(f) == 1 || (len(f) == 2 && f[1] == "0")):
		s.staged = nil
		return "load complete", false
	case f[0] == "commit":
		return d.commit(s, line, f)
	case prefix(f, "exit", "configuration-mode"), f[0] == "quit", f[0] == "exit" && len(f) == 1:
		out := "Exiting configuration mode"
		if len(s.staged) > 0 {
			out = "warning: uncommitted changes will be discarded on exit\n" + out
		}
		s.mode, s.staged = "exec", nil
		return out, false
	case f[0] == "show" || f[0] == "run":
		return d.execMode(s, line, f[1:])
	default:
		return junosSyntaxError(line), false
	}
	return "", false
}

// commit applies the candidate as a whole, or refuses it untouched.
func (d junos) commit(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	andQuit := slices.Contains(f, "and-quit")
	var confirmed time.Duration
	if len(f) >= 2 && f[1] == "confirmed" {
		n := 10
		if len(f) >= 3 && f[2] != "and-quit" {
			var err error
			if n, err = strconv.Atoi(f[2]); err != nil || n < 1 || n > 65535 {
				return junosSyntaxError(line), false
			}
		}
		confirmed = time.Duration(n) * time.Minute
	} else if len(f) > 2 || (len(f) == 2 && !andQuit && f[1] != "check") {
		return junosSyntaxError(line), false
	}
	cand, port, err := s.candidate()
	if err != nil {
		return "error: " + port + ": " + err.Error(), false
	}
	if port, m := cand.invalid(s); port != "" {
		name := srv.interfaceName(port)
		if len(m) > 1 {
			return fmt.Sprintf("[edit interfaces %s unit 0 family ethernet-switching]\n  'vlan'\n    Access interface %s.0 has more than one vlan member: %s and %s\nerror: configuration check-out failed", name, name, junosVLANName(m[0]), junosVLANName(m[1])), false
		}
		return fmt.Sprintf("[edit interfaces %s unit 0 family ethernet-switching vlan]\n  'members %d'\n    No vlan matches vlan tag %d for interface %s.0\nerror: configuration check-out failed", name, m[0], m[0], name), false
	}
	if len(f) == 2 && f[1] == "check" {
		return "configuration check succeeds", false
	}
	out := "commit complete"
	if srv.confirmTrial("") && len(cand.order) == 0 {
		out = "commit confirmed, rollback timer stopped\n" + out
	}
	if confirmed > 0 {
		s.before = map[string]int{}
	}
	if err := cand.apply(s, 1); err != nil { // no member: the default VLAN
		return "error: " + err.Error(), false
	}
	if confirmed > 0 {
		srv.startTrial("", s.before, confirmed)
		out = fmt.Sprintf("commit confirmed will be automatically rolled back in %d minutes unless confirmed\n%s", int(confirmed/time.Minute), out)
		s.before = nil
	}
	s.staged = nil
	if andQuit {
		s.mode = "exec"
		out += "\nExiting configuration mode"
	}
	return out, false
}

// portInVLAN reports whether some port already carries VLAN v (so it exists).
func (srv *Server) portInVLAN(s *session, v int) bool {
	bulk, trunks := srv.readAll(s.ctx)
	for _, it := range srv.cfg.Interfaces {
		if tag, trunk, err := srv.accessVLAN(s.ctx, bulk, trunks, it.Port); err == nil && !trunk && tag == v {
			return true
		}
	}
	return false
}

func (d junos) execMode(s *session, line string, f []string) (string, bool) {
	switch {
	case len(f) == 0:
		return junosSyntaxError(line), false
	case prefix(f, "set", "cli", "screen-width") && len(f) == 4:
		return "Screen width set to " + f[3], false
	case prefix(f, "set", "cli", "screen-length") && len(f) == 4:
		return "Screen length set to " + f[3], false
	case prefix(f, "set", "cli", "complete-on-space"):
		return "Disabling complete-on-space", false
	case f[0] == "exit" || f[0] == "quit":
		return "", true
	case f[0] == "configure" && (len(f) == 1 || (len(f) == 2 && (f[1] == "private" || f[1] == "exclusive"))):
		s.mode, s.staged = "config", nil
		out := "Entering configuration mode"
		if len(f) == 2 {
			out = "warning: uncommitted changes will be discarded on exit\n" + out
		}
		return out, false
	case prefix(f, "show", "version"):
		return "Hostname: " + s.srv.cfg.Hostname + "\nModel: ex4400-48t\nJunos: 23.2R1.14\n", false
	case prefix(f, "show", "ethernet-switching", "interfaces"):
		return d.esi(s)
	case prefix(f, "show", "interfaces", "descriptions"):
		return d.descriptions(s)
	case prefix(f, "show", "vlans"):
		return d.vlans(s)
	}
	return junosSyntaxError(line), false
}

// esi prints `show ethernet-switching interfaces` as an EX switch does.
func (d junos) esi(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("Interface    State  VLAN members        Tag   Tagging  Blocking \n\n")
	for _, p := range ports {
		name := p.it.Name + ".0"
		if p.trunk {
			for i, v := range s.srv.knownVLANs() {
				if i == 0 {
					fmt.Fprintf(&b, "%-12s %-7s %-19s %-5d %-8s %s\n", name, "up", junosVLANName(v), v, "tagged", "unblocked")
				} else {
					fmt.Fprintf(&b, "%-20s %-19s %-5d %-8s %s\n", "", junosVLANName(v), v, "tagged", "unblocked")
				}
			}
			continue
		}
		tag := strconv.Itoa(p.vlan)
		if p.vlan == 1 {
			tag = "" // the default VLAN is untagged
		}
		fmt.Fprintf(&b, "%-12s %-7s %-19s %-5s %-8s %s\n", name, "up", junosVLANName(p.vlan), tag, "untagged", "unblocked")
	}
	return b.String(), false
}

// knownVLANs lists the VLANs that exist, sorted.
func (srv *Server) knownVLANs() []int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var out []int
	for v := range srv.vlans {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// descriptions prints `show interfaces descriptions` (only interfaces with one).
func (d junos) descriptions(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("Interface       Admin Link Description\n")
	for _, p := range ports {
		if p.desc != "" {
			fmt.Fprintf(&b, "%-15s %-5s %-4s %s\n", p.it.Name, "up", "up", p.desc)
		}
	}
	return b.String(), false
}

// vlans prints ELS `show vlans`.
func (d junos) vlans(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("\nRouting instance        VLAN name             Tag          Interfaces\n")
	for _, v := range s.srv.knownVLANs() {
		fmt.Fprintf(&b, "%-23s %-21s %-4d\n", "default-switch", junosVLANName(v), v)
		for _, p := range ports {
			if p.trunk || p.vlan == v {
				fmt.Fprintf(&b, "%59s%s.0*\n", "", p.it.Name)
			}
		}
	}
	return b.String(), false
}
