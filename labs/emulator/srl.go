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
// private` opens the user's private candidate, private-<user>, which
// every session of that user shares and which outlives them (with what
// was staged in it), as napalm-srlinux describes; `enter candidate
// private name NAME` opens a named one, also kept across sessions.
// `set`/`delete / network-instance NAME interface ethernet-X/Y.0` are
// staged and applied together by `commit now` (or `commit stay`), which
// refuses a subinterface in two network-instances or a network-instance
// that does not exist; `discard now` drops the candidate. `commit
// confirmed [timeout S]` commits on trial and keeps the candidate open
// (napalm-srlinux: "'commit confirmed' keeps the candidate session open
// on the device until accepted/rejected"); `tools system configuration
// confirmed-accept` keeps the change, `confirmed-reject` reverts it at
// once, and the timer reverts it to the configuration before it. While
// a commit is unconfirmed, another commit is refused (napalm-srlinux CI)
// and so is discarding its candidate (unverified: the emulator refuses
// what nobody has shown to be safe). `info from state system
// configuration commit * | as json` lists the commits and their status
// ("unconfirmed" while a trial is pending).
type srl struct{}

// srlState is an SR Linux switch's candidates and commit history.
type srlState struct {
	candidates map[string]*srlCandidate
	commits    []srlCommit
}

type srlCandidate struct {
	staged []staged
	held   bool // a confirmed commit from it awaits accept or reject
}

type srlCommit struct {
	ID       int    `json:"id"`
	Status   string `json:"status"`
	Username string `json:"username"`
}

func (srl) prompt(s *session) string {
	h := "A:" + s.srv.cfg.Hostname + "# "
	if s.mode == "exec" {
		return "\n--{ running }--[  ]--\n" + h
	}
	return "\n--{ candidate private " + s.candName + " }--[  ]--\n" + h
}

func (srl) invalid(line string) string {
	return "Parsing error: Unknown token '" + strings.Fields(line + " x")[0] + "'. Options are ['enter', 'info', 'show', 'tools', 'environment', 'save', 'quit']"
}

// srlVLAN maps a mac-vrf name to its VLAN (mac-vrf-66 → 66).
func srlVLAN(name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "mac-vrf-"))
	return n, err == nil && strings.HasPrefix(name, "mac-vrf-") && n >= 1 && n <= 4094
}

// cand returns the session's candidate (created if need be).
func (d srl) cand(s *session) *srlCandidate {
	st := &s.srv.srl
	if st.candidates == nil {
		st.candidates = map[string]*srlCandidate{}
	}
	c := st.candidates[s.candName]
	if c == nil {
		c = &srlCandidate{}
		st.candidates[s.candName] = c
	}
	return c
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
		srv.mu.Lock()
		c := d.cand(s)
		c.staged = append(c.staged, staged{it.Port, v})
		srv.mu.Unlock()
	case prefix(f, "discard", "now"), prefix(f, "discard", "stay"):
		srv.mu.Lock()
		c := d.cand(s)
		if c.held {
			srv.mu.Unlock()
			return "Error: emulator: the candidate holds an unconfirmed commit (accept or reject it first)", false
		}
		c.staged = nil
		if f[1] == "now" {
			delete(srv.srl.candidates, s.candName)
			s.mode = "exec"
		}
		srv.mu.Unlock()
		if f[1] == "now" {
			return "All changes have been discarded. Leaving candidate mode.", false
		}
		return "All changes have been discarded.", false
	case f[0] == "commit":
		return d.commit(s, line, f)
	case f[0] == "quit" || f[0] == "exit" && len(f) == 1, prefix(f, "enter", "running"):
		s.mode = "exec" // the candidate stays as it is
	case prefix(f, "enter", "candidate"):
		return d.execMode(s, line, f)
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
	if srv.pending() != nil {
		return "Error: a confirmed commit is in progress: accept or reject it first", false
	}
	srv.mu.Lock()
	c := d.cand(s)
	st := slices.Clone(c.staged)
	srv.mu.Unlock()
	cand, port, err := s.candidate(st)
	if err != nil {
		return "Error: " + port + ": " + err.Error(), false
	}
	if port, m := cand.invalid(s); port != "" {
		if len(m) > 1 {
			return fmt.Sprintf("Error: Validation failed: subinterface %s.0 is configured in network-instances mac-vrf-%d and mac-vrf-%d", srv.interfaceName(port), m[0], m[1]), false
		}
		return fmt.Sprintf("Error: Validation failed: network-instance mac-vrf-%d does not exist", m[0]), false
	}
	var snap map[string]int
	if confirmed > 0 {
		if snap, err = cand.snapshot(s); err != nil {
			return "Error: " + err.Error(), false
		}
	}
	if err := cand.apply(s, Blackhole); err != nil { // in no network-instance: not bridged anywhere
		return "Error: " + err.Error(), false
	}
	status := "complete"
	if confirmed > 0 {
		status = "unconfirmed"
	}
	srv.mu.Lock()
	c.staged = nil
	id := len(srv.srl.commits) + 1
	srv.srl.commits = append(srv.srl.commits, srlCommit{ID: id, Status: status, Username: srv.cfg.Username})
	switch {
	case confirmed > 0:
		c.held = true
	case !stay:
		delete(srv.srl.candidates, s.candName)
	}
	srv.mu.Unlock()
	if confirmed > 0 {
		name := s.candName
		srv.arm(&trial{name: name, user: srv.cfg.Username, snapshot: snap, length: confirmed, reverted: func(map[string]int) {
			d.settled(srv, name, id, "rolled-back")
		}})
		// The text is unverified; the candidate stays open.
		return fmt.Sprintf("All changes have been committed. Starting confirmed commit timer of %d seconds.", int(confirmed/time.Second)), false
	}
	if stay {
		return "All changes have been committed. Staying in candidate mode.", false
	}
	s.mode = "exec"
	return "All changes have been committed. Leaving candidate mode.", false
}

// settled records the end of a confirmed commit: its status, and its
// candidate no longer held.
func (d srl) settled(srv *Server, candidate string, id int, status string) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if c := srv.srl.candidates[candidate]; c != nil {
		c.held = false
	}
	for i := range srv.srl.commits {
		if srv.srl.commits[i].ID == id || id == 0 && srv.srl.commits[i].Status == "unconfirmed" {
			srv.srl.commits[i].Status = status
		}
	}
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
		switch {
		case len(f) == 2:
			s.candName = "shared"
		case len(f) == 3 && f[2] == "private":
			s.candName = "private-" + srv.cfg.Username
		case len(f) == 5 && f[2] == "private" && f[3] == "name":
			s.candName = f[4]
		default:
			return d.invalid(line), false
		}
		s.mode = "config"
	case prefix(f, "enter", "running"):
		s.mode = "exec"
	case joined == "tools system configuration confirmed-accept", joined == "tools system configuration confirmed-reject":
		reject := strings.HasSuffix(joined, "reject")
		t, err := srv.settle(s.ctx, "", reject)
		if t == nil {
			return "Error: There is no confirmed commit in progress", false
		}
		status, out := "complete", "/system/configuration:\n    Confirmed commit accepted"
		if reject {
			status, out = "rejected", "/system/configuration:\n    Confirmed commit rejected"
		}
		d.settled(srv, t.name, 0, status)
		if err != nil {
			return "Error: " + err.Error(), false
		}
		return out, false
	case joined == "info from state system configuration commit * | as json":
		return d.commitsJSON(s), false
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

// SRLCandidates lists the candidates open on the switch, sorted (for
// tests).
func (srv *Server) SRLCandidates() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var out []string
	for n := range srv.srl.candidates {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// commitsJSON prints the commit history's state (only the fields
// napalm-srlinux reads are known; their nesting is unverified).
func (d srl) commitsJSON(s *session) string {
	s.srv.mu.Lock()
	commits := slices.Clone(s.srv.srl.commits)
	s.srv.mu.Unlock()
	if commits == nil {
		commits = []srlCommit{}
	}
	var out struct {
		System struct {
			Configuration struct {
				Commit []srlCommit `json:"commit"`
			} `json:"configuration"`
		} `json:"system"`
	}
	out.System.Configuration.Commit = commits
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b)
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
