package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// eos emulates Arista EOS: besides `configure terminal` (line mode) it
// has configuration sessions, whose changes are staged and applied
// together by `commit`; `abort`, or a session that drops, discards them.
type eos struct{}

func (eos) prompt(s *session) string {
	h := s.srv.cfg.Hostname
	mode := ""
	switch {
	case s.mode == "exec":
		return h + "#"
	case s.cfgSession != "":
		mode = "config-s-" + s.cfgSession[:min(6, len(s.cfgSession))]
	default:
		mode = "config"
	}
	if s.mode == "config-if" {
		mode += "-if-" + s.iface.Short
	}
	return h + "(" + mode + ")#"
}

// eosInvalid is EOS's answer to a command it does not know.
func eosInvalid() string { return "% Invalid input" }

func (eos) invalid(string) string { return eosInvalid() }

// exec runs a line; a configuration session dropped before commit loses
// its staged changes, as on EOS.
func (d eos) exec(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	if s.mode == "exec" {
		return d.execMode(s, line, f)
	}
	switch {
	case f[0] == "commit" && s.cfgSession != "":
		var timer time.Duration
		if len(f) == 3 && f[1] == "timer" {
			t, err := time.Parse("15:04:05", f[2])
			if err != nil {
				return eosInvalid(), false
			}
			timer = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
			s.before = map[string]int{}
		} else if len(f) != 1 {
			return eosInvalid(), false
		}
		apply := map[string]int{}
		for _, ch := range s.staged {
			s.remember(ch.port)
			apply[ch.port] = ch.vlan
		}
		// The session commits as a whole: one backend transaction.
		if err := srv.setAccessVLANs(s.ctx, apply); err != nil {
			return "% Error: " + err.Error(), false
		}
		if timer > 0 {
			srv.startTrial(s.cfgSession, s.before, timer)
		}
		s.staged, s.cfgSession, s.mode, s.iface, s.before = nil, "", "exec", nil, nil
	case f[0] == "abort" && s.cfgSession != "":
		s.staged, s.cfgSession, s.mode, s.iface = nil, "", "exec", nil
	case f[0] == "end":
		// Leaving a session without commit applies nothing (EOS keeps it
		// pending; the emulator discards it).
		s.mode, s.iface, s.staged, s.cfgSession = "exec", nil, nil, ""
	case f[0] == "exit":
		if s.mode == "config-if" {
			s.mode, s.iface = "config", nil
		} else {
			s.mode, s.staged, s.cfgSession = "exec", nil, ""
		}
	case f[0] == "interface" && len(f) == 2:
		it := srv.lookup(f[1])
		if it == nil {
			return eosInvalid(), false
		}
		s.mode, s.iface = "config-if", it
	case s.mode == "config-if" && prefix(f, "switchport", "access", "vlan") && len(f) == 4:
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 1 || n > 4094 {
			return eosInvalid(), false
		}
		srv.mu.Lock()
		srv.vlans[n] = true
		srv.mu.Unlock()
		if s.cfgSession != "" {
			s.staged = append(s.staged, staged{s.iface.Port, n})
		} else if err := srv.cfg.Backend.SetAccessVLAN(s.ctx, s.iface.Port, n); err != nil {
			return "% Error: " + err.Error(), false
		}
	case s.mode == "config-if" && (prefix(f, "switchport", "mode", "access") || f[0] == "description" || f[0] == "shutdown" || prefix(f, "no", "shutdown")):
		if f[0] == "description" {
			srv.mu.Lock()
			srv.desc[s.iface.Name] = strings.TrimSpace(strings.TrimPrefix(line, "description"))
			srv.mu.Unlock()
		}
	default:
		return eosInvalid(), false
	}
	return "", false
}

func (d eos) execMode(s *session, line string, f []string) (string, bool) {
	switch {
	case f[0] == "terminal" || f[0] == "enable":
		return "", false
	case f[0] == "exit" || f[0] == "logout":
		return "", true
	case prefix(f, "configure", "terminal"):
		s.mode = "config"
	case prefix(f, "configure", "session") && len(f) == 4 && f[3] == "commit":
		if !s.srv.confirmTrial(f[2]) {
			return "% Error: session " + f[2] + " has no pending commit timer", false
		}
	case prefix(f, "configure", "session") && len(f) == 3:
		s.mode, s.cfgSession, s.staged = "config", f[2], nil
	case prefix(f, "write", "memory"), prefix(f, "copy", "running-config", "startup-config"):
		return "Copy completed successfully.", false
	case prefix(f, "show", "version"):
		return "Arista vEOS-lab\nSoftware image version: 4.31.2F\n", false
	case prefix(f, "show", "interfaces", "status"):
		return d.status(s)
	case prefix(f, "show", "interfaces", "switchport"):
		return iosxe{}.switchport(s)
	case prefix(f, "show", "vlan"):
		return iosxe{}.vlanBrief(s)
	case prefix(f, "show", "mac", "address-table"):
		return d.macTable(s)
	default:
		return eosInvalid(), false
	}
	return "", false
}

// status prints EOS's `show interfaces status`.
func (d eos) status(s *session) (string, bool) {
	return statusTable(s, "Port       Name                   Status       Vlan        Duplex  Speed Type\n",
		"%-10s %-22.22s %-12s %-11s %6s %6s %s\n", "a-1G", "1000BASE-T")
}

// macTable prints EOS's `show mac address-table`.
func (d eos) macTable(s *session) (string, bool) {
	rows, err := macRows(s)
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("          Mac Address Table\n------------------------------------------------------------------\n\nVlan    Mac Address       Type        Ports      Moves   Last Move\n----    -----------       ----        -----      -----   ---------\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%4d    %s    DYNAMIC     %-10s 1       0:00:05 ago\n", r.vlan, r.mac, r.port)
	}
	fmt.Fprintf(&b, "Total Mac Addresses for this criterion: %d\n", len(rows))
	return b.String(), false
}
