package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// srl emulates Nokia SR Linux. The mac-vrf network-instance mac-vrf-N is
// bridged as OVS VLAN N (for every VLAN the switch has); a port's
// subinterface 0 belongs to the mac-vrf of its VLAN. `enter candidate
// [private]` opens a candidate; `set`/`delete / network-instance NAME
// interface ethernet-X/Y.0` are staged and applied together by `commit
// now` (or `commit stay`), which refuses a subinterface in two
// network-instances or a network-instance that does not exist; `discard
// now` drops the candidate. `commit confirmed [timeout S]` reverts by
// itself unless `tools system configuration confirmed-accept` follows.
type srl struct{}

func (srl) prompt(s *session) string {
	h := "A:" + s.srv.cfg.Hostname + "# "
	if s.mode == "exec" {
		return "\n--{ running }--[  ]--\n" + h
	}
	return "\n--{ candidate private private-" + s.srv.cfg.Username + " }--[  ]--\n" + h
}

func (srl) invalid(line string) string {
	return "Parsing error: Unknown token '" + strings.Fields(line + " x")[0] + "'. Options are ['enter', 'info', 'show', 'tools', 'environment', 'save', 'quit']"
}

// srlVLAN maps a mac-vrf name to its VLAN (mac-vrf-66 → 66).
func srlVLAN(name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "mac-vrf-"))
	return n, err == nil && strings.HasPrefix(name, "mac-vrf-") && n >= 1 && n <= 4094
}

func (d srl) exec(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	if s.mode == "exec" {
		return d.execMode(s, line, f)
	}
	switch {
	case (f[0] == "set" || f[0] == "delete") && len(f) == 6 && f[1] == "/" && f[2] == "network-instance" && f[4] == "interface":
		port, sub, ok := strings.Cut(f[5], ".")
		it := srv.lookup(port)
		if it == nil || !ok || sub != "0" {
			return "Error: Object '/interface[name=" + f[5] + "]' does not exist", false
		}
		v, ok := srlVLAN(f[3])
		if !ok {
			return "Error: network-instance " + f[3] + " is not a mac-vrf of this lab switch (mac-vrf-N)", false
		}
		if f[0] == "delete" {
			v = -v
		}
		s.staged = append(s.staged, staged{it.Port, v})
	case prefix(f, "discard", "now"), prefix(f, "discard", "stay"):
		s.staged = nil
		if f[1] == "now" {
			s.mode = "exec"
		}
		return "All changes have been discarded. Leaving candidate mode.", false
	case f[0] == "commit":
		return d.commit(s, line, f)
	case f[0] == "quit" || f[0] == "exit" && len(f) == 1:
		s.mode, s.staged = "exec", nil
	case f[0] == "info" || f[0] == "tools" || f[0] == "environment":
		return d.execMode(s, line, f)
	default:
		return d.invalid(line), false
	}
	return "", false
}

// commit applies the candidate as a whole, or refuses it.
func (d srl) commit(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	var confirmed time.Duration
	stay := false
	switch {
	case len(f) == 2 && f[1] == "now":
	case len(f) == 2 && f[1] == "stay":
		stay = true
	case len(f) >= 2 && f[1] == "confirmed":
		confirmed = 10 * time.Minute
		if len(f) == 4 && f[2] == "timeout" {
			n, err := strconv.Atoi(f[3])
			if err != nil || n < 1 {
				return d.invalid(line), false
			}
			confirmed = time.Duration(n) * time.Second
		} else if len(f) != 2 {
			return d.invalid(line), false
		}
	default:
		return d.invalid(line), false
	}
	cand, port, err := s.candidate()
	if err != nil {
		return "Error: " + port + ": " + err.Error(), false
	}
	if port, m := cand.invalid(s); port != "" {
		if len(m) > 1 {
			return fmt.Sprintf("Error: Validation failed: subinterface %s.0 is configured in network-instances mac-vrf-%d and mac-vrf-%d", srv.interfaceName(port), m[0], m[1]), false
		}
		return fmt.Sprintf("Error: Validation failed: network-instance mac-vrf-%d does not exist", m[0]), false
	}
	if confirmed > 0 {
		s.before = map[string]int{}
	}
	if err := cand.apply(s, Blackhole); err != nil { // in no network-instance: not bridged anywhere
		return "Error: " + err.Error(), false
	}
	out := "All changes have been committed. Leaving candidate mode."
	if confirmed > 0 {
		srv.startTrial("", s.before, confirmed)
		s.before = nil
		out = fmt.Sprintf("All changes have been committed. Starting confirmed commit timer of %d seconds. Leaving candidate mode.", int(confirmed/time.Second))
	}
	s.staged = nil
	if stay {
		out = "All changes have been committed. Staying in candidate mode."
	} else {
		s.mode = "exec"
	}
	return out, false
}

func (d srl) execMode(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	joined := strings.Join(f, " ")
	switch {
	case f[0] == "environment":
		return "", false
	case f[0] == "quit" || f[0] == "exit" && s.mode == "exec":
		return "", true
	case prefix(f, "enter", "candidate"):
		s.mode, s.staged = "config", nil
	case prefix(f, "enter", "running"):
		s.mode, s.staged = "exec", nil
	case joined == "tools system configuration confirmed-accept":
		if !srv.confirmTrial("") {
			return "Error: There is no confirmed commit in progress", false
		}
		return "/system/configuration:\n    Confirmed commit accepted", false
	case prefix(f, "save", "startup"):
		return "/system:\n    Saved current running configuration as initial (startup) configuration '/etc/opt/srlinux/config.json'", false
	case joined == "info from running network-instance * type | as json":
		return d.instancesJSON(s, false)
	case joined == "info from running network-instance * interface * | as json":
		return d.instancesJSON(s, true)
	case joined == "info from state interface * | as json":
		return d.interfacesJSON(s)
	case prefix(f, "show", "version"):
		return "Hostname          : " + srv.cfg.Hostname + "\nChassis Type      : 7220 IXR-D2L\nSoftware Version  : v24.10.1\n", false
	default:
		return d.invalid(line), false
	}
	return "", false
}

func (d srl) instancesJSON(s *session, withInterfaces bool) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "Error: " + err.Error(), false
	}
	type iface struct {
		Name string `json:"name"`
	}
	type ni struct {
		Name      string  `json:"name"`
		Type      string  `json:"type,omitempty"`
		Interface []iface `json:"interface,omitempty"`
	}
	var out struct {
		NetworkInstance []ni `json:"network-instance"`
	}
	out.NetworkInstance = append(out.NetworkInstance, ni{Name: "default", Type: "srl_nokia-network-instance:default"})
	vlans := s.srv.knownVLANs()
	for _, p := range ports {
		if !p.trunk && p.vlan != Blackhole && !slices.Contains(vlans, p.vlan) {
			vlans = append(vlans, p.vlan)
		}
	}
	slices.Sort(vlans)
	for _, v := range vlans {
		n := ni{Name: "mac-vrf-" + strconv.Itoa(v)}
		if withInterfaces {
			for _, p := range ports {
				switch {
				case p.trunk:
					n.Interface = append(n.Interface, iface{p.it.Name + "." + strconv.Itoa(v)})
				case p.vlan == v:
					n.Interface = append(n.Interface, iface{p.it.Name + ".0"})
				}
			}
			if len(n.Interface) == 0 {
				continue
			}
		} else {
			n.Type = "srl_nokia-network-instance:mac-vrf"
		}
		out.NetworkInstance = append(out.NetworkInstance, n)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b), false
}

func (d srl) interfacesJSON(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "Error: " + err.Error(), false
	}
	type iface struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		AdminState  string `json:"admin-state"`
		OperState   string `json:"oper-state"`
	}
	var out struct {
		Interface []iface `json:"interface"`
	}
	out.Interface = append(out.Interface, iface{Name: "mgmt0", AdminState: "enable", OperState: "up"})
	for _, p := range ports {
		out.Interface = append(out.Interface, iface{Name: p.it.Name, Description: p.desc, AdminState: "enable", OperState: "up"})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b), false
}
