package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// eos emulates Arista EOS: besides `configure terminal` (line mode) it
// has configuration sessions (Arista, Configure Session). A session
// copies the running configuration when it is created; its changes are
// staged and `commit` copies it into running-config, "overwriting any
// other configuration changes made since the session was created".
// `abort` discards it. A session left without commit — `end`, `exit`, a
// dropped SSH session — stays pending ("discarded if the switch reboots
// and will time out after 24 hours"); `configure session NAME` enters it
// again, changes and all. At most eosMaxPending sessions can be pending.
// `commit timer HH:MM:SS` commits on trial: `configure session NAME
// commit` confirms, `configure session NAME abort` rolls back at once,
// and when the timer runs out the switch rolls back to the configuration
// before the commit (eos.arista.com, Config Session Commit Timer; napalm
// eos.py). `show configuration sessions | json` lists the sessions and
// their states (pending, pendingCommitTimer, completed).
type eos struct{}

// eosState is an EOS switch's configuration sessions.
type eosState struct {
	sessions map[string]*eosSession
}

type eosSession struct {
	state  string         // pending, pendingCommitTimer or completed
	base   map[string]int // the running configuration when it was created
	staged []staged
}

// eosMaxPending: cEOS labs report a pool of about six pending sessions
// ("Maximum number of pending sessions reached"); the exact number and
// text are unverified.
const eosMaxPending = 5

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

// eosSessionOf returns the session called name (nil if none).
func (srv *Server) eosSessionOf(name string) *eosSession {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.eos.sessions[name]
}

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
		} else if len(f) != 1 {
			return eosInvalid(), false
		}
		if out := d.commit(s, s.cfgSession, timer); out != "" {
			return out, false
		}
		s.cfgSession, s.mode, s.iface = "", "exec", nil
	case f[0] == "abort" && s.cfgSession != "":
		srv.mu.Lock()
		delete(srv.eos.sessions, s.cfgSession)
		srv.mu.Unlock()
		s.cfgSession, s.mode, s.iface = "", "exec", nil
	case f[0] == "end":
		// Leaving a session without commit leaves it pending.
		s.mode, s.iface, s.cfgSession = "exec", nil, ""
	case f[0] == "exit":
		if s.mode == "config-if" {
			s.mode, s.iface = "config", nil
		} else {
			s.mode, s.cfgSession = "exec", ""
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
		if s.cfgSession != "" {
			if es := srv.eos.sessions[s.cfgSession]; es != nil {
				es.staged = append(es.staged, staged{s.iface.Port, n})
			}
		}
		srv.mu.Unlock()
		if s.cfgSession == "" {
			if err := srv.cfg.Backend.SetAccessVLAN(s.ctx, s.iface.Port, n); err != nil {
				return "% Error: " + err.Error(), false
			}
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

// commit commits the pending session name: the configuration it was
// created from, with its changes, replaces the running one (only the
// ports that differ are written, in one transaction). With a timer, the
// commit is a trial. It returns the device's error, "" on success.
func (d eos) commit(s *session, name string, timer time.Duration) string {
	srv := s.srv
	srv.mu.Lock()
	es := srv.eos.sessions[name]
	srv.mu.Unlock()
	if es == nil || es.state != "pending" {
		return "% Error: session " + name + " is not pending"
	}
	running, err := srv.snapshot(s.ctx)
	if err != nil {
		return "% Error: " + err.Error()
	}
	target := map[string]int{}
	for port, v := range es.base {
		target[port] = v
	}
	srv.mu.Lock()
	for _, ch := range es.staged {
		target[ch.port] = ch.vlan
	}
	srv.mu.Unlock()
	apply := map[string]int{}
	for port, v := range target {
		if cur, ok := running[port]; ok && cur != v {
			apply[port] = v
		}
	}
	if len(apply) > 0 {
		if err := srv.setAccessVLANs(s.ctx, apply); err != nil {
			return "% Error: " + err.Error()
		}
	}
	srv.mu.Lock()
	es.state = "completed"
	if timer > 0 {
		es.state = "pendingCommitTimer"
	}
	for n, other := range srv.eos.sessions { // EOS keeps one completed session
		if other != es && other.state == "completed" {
			delete(srv.eos.sessions, n)
		}
	}
	srv.mu.Unlock()
	if timer > 0 {
		srv.arm(&trial{name: name, user: srv.cfg.Username, snapshot: running, length: timer, reverted: func(map[string]int) {
			srv.mu.Lock()
			delete(srv.eos.sessions, name)
			srv.mu.Unlock()
		}})
	}
	return ""
}

// enterSession enters (creating it if need be) the session called name.
func (d eos) enterSession(s *session, name string) string {
	srv := s.srv
	srv.mu.Lock()
	if srv.eos.sessions == nil {
		srv.eos.sessions = map[string]*eosSession{}
	}
	es := srv.eos.sessions[name]
	pending := 0
	for _, o := range srv.eos.sessions {
		if o.state == "pending" {
			pending++
		}
	}
	srv.mu.Unlock()
	switch {
	case es != nil && es.state != "pending":
		// Unverified: what EOS does when a completed or timed session is
		// entered again. Drivers never do.
		return "% emulator: session " + name + " is " + es.state
	case es == nil && pending >= eosMaxPending:
		return "% Maximum number of pending sessions reached"
	case es == nil:
		base, err := srv.snapshot(s.ctx)
		if err != nil {
			return "% Error: " + err.Error()
		}
		srv.mu.Lock()
		srv.eos.sessions[name] = &eosSession{state: "pending", base: base}
		srv.mu.Unlock()
	}
	s.mode, s.cfgSession = "config", name
	return ""
}

func (d eos) execMode(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	switch {
	case f[0] == "terminal" || f[0] == "enable":
		return "", false
	case f[0] == "exit" || f[0] == "logout":
		return "", true
	case prefix(f, "configure", "terminal"):
		s.mode = "config"
	case prefix(f, "configure", "session") && len(f) == 4 && f[3] == "commit":
		es := srv.eosSessionOf(f[2])
		switch {
		case es == nil:
			return "% Error: session " + f[2] + " does not exist", false
		case es.state == "pendingCommitTimer":
			srv.settle(s.ctx, f[2], false)
			srv.mu.Lock()
			es.state = "completed"
			srv.mu.Unlock()
		case es.state == "pending":
			return d.commit(s, f[2], 0), false
		default:
			return "% Error: session " + f[2] + " is " + es.state, false
		}
	case prefix(f, "configure", "session") && len(f) == 4 && f[3] == "abort":
		es := srv.eosSessionOf(f[2])
		if es == nil {
			return "% Error: session " + f[2] + " does not exist", false
		}
		if es.state == "pendingCommitTimer" {
			if _, err := srv.settle(s.ctx, f[2], true); err != nil {
				return "% Error: " + err.Error(), false
			}
		}
		srv.mu.Lock()
		delete(srv.eos.sessions, f[2])
		srv.mu.Unlock()
	case prefix(f, "no", "configure", "session") && len(f) == 4:
		es := srv.eosSessionOf(f[3])
		if es == nil || es.state == "pendingCommitTimer" {
			return "% Error: session " + f[3] + " cannot be removed", false
		}
		srv.mu.Lock()
		delete(srv.eos.sessions, f[3])
		srv.mu.Unlock()
	case prefix(f, "configure", "session") && len(f) == 3:
		return d.enterSession(s, f[2]), false
	case prefix(f, "show", "configuration", "sessions") && len(f) == 5 && f[3] == "|" && f[4] == "json":
		return d.sessionsJSON(s), false
	case prefix(f, "show", "configuration", "sessions") && len(f) == 3:
		return d.sessionsText(s), false
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

// EOSSessionsJSON is `show configuration sessions | json` (for tests).
func (srv *Server) EOSSessionsJSON() string { return eos{}.sessionsJSON(&session{srv: srv}) }

// OpenEOSSession leaves a pending configuration session called name, as
// another client that never committed it would (for tests).
func (srv *Server) OpenEOSSession(name string) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.eos.sessions == nil {
		srv.eos.sessions = map[string]*eosSession{}
	}
	srv.eos.sessions[name] = &eosSession{state: "pending", base: map[string]int{}}
}

// sessionsJSON prints `show configuration sessions | json` (the
// "sessions" map and each one's "state", as scripts on real switches
// read it; the other fields are the emulator's).
func (d eos) sessionsJSON(s *session) string {
	type sess struct {
		State       string `json:"state"`
		Description string `json:"description"`
	}
	out := struct {
		MaxSaved int             `json:"maxSavedSessions"`
		MaxOpen  int             `json:"maxOpenSessions"`
		Sessions map[string]sess `json:"sessions"`
	}{MaxSaved: 1, MaxOpen: eosMaxPending, Sessions: map[string]sess{}}
	s.srv.mu.Lock()
	for name, es := range s.srv.eos.sessions {
		out.Sessions[name] = sess{State: es.state}
	}
	s.srv.mu.Unlock()
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b)
}

// sessionsText prints `show configuration sessions`.
func (d eos) sessionsText(s *session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Maximum number of completed sessions: 1\nMaximum number of pending sessions: %d\n\n", eosMaxPending)
	b.WriteString("  Name                             State                User      Terminal\n  -------------------------------- -------------------- --------- --------\n")
	s.srv.mu.Lock()
	var names []string
	for n := range s.srv.eos.sessions {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-32s %-20s\n", n, s.srv.eos.sessions[n].state)
	}
	s.srv.mu.Unlock()
	return b.String()
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
