package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// junos emulates Juniper Junos (EX). Configuration mode comes in the
// three forms of the configure command (Juniper, Forms of the configure
// Command): `configure` edits the shared candidate, which outlives the
// session and is committed by whoever commits; `configure exclusive`
// edits it under a lock (nobody else may change or commit it) and
// discards its uncommitted changes when the session ends (on `quit` the
// device asks "Discard uncommitted changes? [yes,no]"); `configure
// private` edits a copy of the session's own, refused while the shared
// candidate holds uncommitted changes. `set`/`delete` of an interface's
// `unit 0 family ethernet-switching vlan members` are staged and applied
// together by `commit` (or `commit and-quit`), which refuses an access
// port with two VLAN members or a VLAN that does not exist; `rollback 0`
// discards the candidate, `rollback N` loads the Nth previous commit.
//
// `commit confirmed N` is refused in private mode with the device's text
// ("error: commit confirmed not supported for private configuration",
// py-junos-eznc PR #954); elsewhere it reverts by itself after N minutes
// to the configuration before it (Junos "retrieves and commits (rolls
// back to) the previously committed configuration") unless a commit or a
// `commit check` on the shared candidate confirms it (the Junos 9.3
// NETCONF guide: an empty commit confirms it). An empty private commit
// commits nothing (Junos XML guide: empty <commit-results>) and so does
// not confirm it. `show system commit` lists the commits newest first,
// a confirmed one with "commit confirmed, rollback in Nmins" (the text
// napalm reads), and `show system uptime` the switch's clock.
type junos struct{}

// junosState is a Junos switch's configuration database.
type junosState struct {
	shared  []staged      // the shared candidate's uncommitted changes
	lock    *session      // the session in configure exclusive, if any
	holder  string        // the user of lock, when not this lab's (HoldExclusive)
	history []junosCommit // newest first
}

// junosCommit is one entry of the commit history.
type junosCommit struct {
	at      time.Time // on the device's clock
	user    string
	via     string
	comment string
	undo    map[string]int // the ports it changed, with their VLANs before it
}

const junosPrivateConfirmed = "error: commit confirmed not supported for private configuration"

func (junos) prompt(s *session) string {
	if s.question != nil {
		return ""
	}
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

// staged returns the candidate the session edits.
func (d junos) staged(s *session) []staged {
	if s.junosMode == "private" {
		return s.staged
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	return slices.Clone(s.srv.junos.shared)
}

func (d junos) setStaged(s *session, st []staged) {
	if s.junosMode == "private" {
		s.staged = st
		return
	}
	s.srv.mu.Lock()
	s.srv.junos.shared = st
	s.srv.mu.Unlock()
}

// lockedMessage is the refusal of a session while another holds the
// shared candidate in configure exclusive (srv.mu held): the holder as
// Juniper prints the users editing the configuration ("root terminal p3
// (pid 1088) on since …", then "exclusive [edit …]", Using the configure
// exclusive Command) after the `error: configuration database locked
// by:` that fwbuilder's Junos installer (SSHJunos) matches.
func (srv *Server) lockedMessage() string {
	user := srv.cfg.Username
	if srv.junos.holder != "" {
		user = srv.junos.holder
	}
	return "error: configuration database locked by:\n  " + user + " terminal pts/1 (pid 4242) on since " + srv.born.UTC().Format("2006-01-02 15:04:05 UTC") + "\n      exclusive [edit]"
}

// HoldExclusive has another user hold the shared candidate in configure
// exclusive, as a session of theirs would, until release is called (for
// tests).
func (srv *Server) HoldExclusive(user string) (release func()) {
	holder := &session{srv: srv, mode: "config", junosMode: "exclusive"}
	srv.mu.Lock()
	srv.junos.lock, srv.junos.holder = holder, user
	srv.mu.Unlock()
	return func() {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if srv.junos.lock == holder {
			srv.junos.lock, srv.junos.holder = nil, ""
		}
	}
}

// lockedBy is the answer to a session that may not change the shared
// candidate because another holds it exclusively ("" if it may).
func (d junos) lockedBy(s *session) string {
	srv := s.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.junos.lock != nil && srv.junos.lock != s && s.junosMode != "private" {
		return srv.lockedMessage()
	}
	return ""
}

func (d junos) exec(s *session, line string, f []string) (string, bool) {
	if s.question != nil {
		q := s.question
		s.question = nil
		return q(line), false
	}
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
		if locked := d.lockedBy(s); locked != "" {
			return locked, false
		}
		if f[0] == "delete" {
			d.setStaged(s, append(d.staged(s), staged{it.Port, 0}))
			break
		}
		if len(f) != 10 {
			return junosSyntaxError(line), false
		}
		n, err := strconv.Atoi(f[9])
		if err != nil || n < 1 || n > 4094 {
			return "error: vlan members " + f[9] + ": a VLAN ID from 1 to 4094 is expected here", false
		}
		d.setStaged(s, append(d.staged(s), staged{it.Port, n}))
	case (f[0] == "set" || f[0] == "delete") && len(f) == 8 && f[1] == "interfaces" && prefix(f[3:], "unit", "0", "family", "ethernet-switching", "interface-mode"),
		(f[0] == "set" || f[0] == "delete") && len(f) == 8 && f[1] == "interfaces" && prefix(f[3:], "unit", "0", "family", "ethernet-switching", "port-mode"):
		// Both modes are access in the lab.
	case prefix(f, "set", "vlans") && len(f) == 5 && f[3] == "vlan-id":
		n, err := strconv.Atoi(f[4])
		if err != nil || n < 1 || n > 4094 {
			return junosSyntaxError(line), false
		}
		srv.CreateVLANs(n)
	case f[0] == "rollback" && len(f) <= 2:
		n := 0
		if len(f) == 2 {
			var err error
			if n, err = strconv.Atoi(f[1]); err != nil || n < 0 {
				return junosSyntaxError(line), false
			}
		}
		return d.rollback(s, n)
	case prefix(f, "show", "|", "compare") && len(f) == 3:
		return d.compare(s)
	case f[0] == "commit":
		return d.commit(s, line, f)
	case prefix(f, "exit", "configuration-mode"), f[0] == "quit", f[0] == "exit" && len(f) == 1:
		return d.leave(s), false
	case f[0] == "show" || f[0] == "run":
		return d.execMode(s, line, f[1:])
	default:
		return junosSyntaxError(line), false
	}
	return "", false
}

// StageShared leaves an uncommitted change in the Junos shared candidate,
// as another user's `configure` and `set … vlan members` without a
// commit would (for tests).
func (srv *Server) StageShared(iface string, vlan int) error {
	it := srv.lookup(iface)
	if it == nil {
		return fmt.Errorf("no interface %s", iface)
	}
	srv.mu.Lock()
	srv.junos.shared = append(srv.junos.shared, staged{it.Port, 0}, staged{it.Port, vlan})
	srv.mu.Unlock()
	return nil
}

// rollback loads the Nth previous commit into the candidate (0: the
// running configuration, i.e. discards the candidate's changes).
func (d junos) rollback(s *session, n int) (string, bool) {
	if locked := d.lockedBy(s); locked != "" {
		return locked, false
	}
	if n == 0 {
		d.setStaged(s, nil)
		return "load complete", false
	}
	hist := s.srv.commits()
	if n >= len(hist) {
		return fmt.Sprintf("error: rollback %d: no such rollback", n), false
	}
	running, err := s.srv.snapshot(s.ctx)
	if err != nil {
		return "error: " + err.Error(), false
	}
	target := maps.Clone(running)
	for _, c := range hist[:n] { // undo the n newest commits
		maps.Copy(target, c.undo)
	}
	var st []staged
	for _, it := range s.srv.cfg.Interfaces {
		if v, ok := target[it.Port]; ok && running[it.Port] != v {
			st = append(st, staged{it.Port, 0}, staged{it.Port, v})
		}
	}
	d.setStaged(s, st)
	return "load complete", false
}

// compare prints `show | compare`: the candidate's differences from the
// running configuration (nothing if there are none).
func (d junos) compare(s *session) (string, bool) {
	cand, port, err := s.candidate(d.staged(s))
	if err != nil {
		return "error: " + port + ": " + err.Error(), false
	}
	var b strings.Builder
	for _, p := range cand.order {
		old, ok := cand.running[p]
		if !ok {
			old, _, _ = s.srv.cfg.Backend.AccessVLAN(s.ctx, p)
		}
		m := cand.members[p]
		if len(m) == 1 && m[0] == old {
			continue
		}
		fmt.Fprintf(&b, "[edit interfaces %s unit 0 family ethernet-switching vlan]\n-       members %s;\n", s.srv.interfaceName(p), junosVLANName(old))
		for _, v := range m {
			fmt.Fprintf(&b, "+       members %s;\n", junosVLANName(v))
		}
	}
	return b.String(), false
}

// leave ends configuration mode the way the session's form does.
func (d junos) leave(s *session) string {
	srv := s.srv
	switch s.junosMode {
	case "exclusive":
		if len(d.staged(s)) > 0 {
			s.question = func(answer string) string {
				if a := strings.TrimSpace(answer); a == "no" {
					return ""
				}
				d.release(s)
				s.mode = "exec"
				return "warning: discarding uncommitted changes\nload complete\nExiting configuration mode"
			}
			return "The configuration has been changed but not committed\nwarning: Auto rollback on exiting 'configure exclusive'\nDiscard uncommitted changes? [yes,no] (yes) "
		}
		d.release(s)
	case "private":
		if len(s.staged) > 0 {
			s.mode, s.staged = "exec", nil
			return "warning: uncommitted changes will be discarded on exit\nExiting configuration mode"
		}
	default:
		srv.mu.Lock()
		modified := len(srv.junos.shared) > 0
		srv.mu.Unlock()
		if modified {
			s.mode = "exec"
			return "The configuration has been changed but not committed\nExiting configuration mode"
		}
	}
	s.mode, s.staged = "exec", nil
	return "Exiting configuration mode"
}

// release ends an exclusive session: its uncommitted changes are
// discarded and the lock is freed.
func (d junos) release(s *session) {
	srv := s.srv
	srv.mu.Lock()
	if srv.junos.lock == s {
		srv.junos.lock = nil
		srv.junos.shared = nil
	}
	srv.mu.Unlock()
	s.staged = nil
}

// end settles a session that ends in configuration mode (an exit or a
// dropped connection): exclusive discards, private loses its copy, the
// shared candidate stays.
func (d junos) end(s *session) {
	if s.mode != "exec" && s.junosMode == "exclusive" {
		d.release(s)
	}
}

// commits returns the commit history, newest first; the switch's boot
// is its first commit.
func (srv *Server) commits() []junosCommit {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.junos.history) == 0 {
		srv.junos.history = []junosCommit{{at: srv.born, user: "root", via: "other"}}
	}
	return slices.Clone(srv.junos.history)
}

// record adds a commit that changed the ports of undo (their VLANs before
// it) to the history.
func (srv *Server) record(user, via, comment string, undo map[string]int) {
	srv.commits()
	srv.mu.Lock()
	srv.junos.history = append([]junosCommit{{at: srv.now(), user: user, via: via, comment: comment, undo: undo}}, srv.junos.history...)
	if len(srv.junos.history) > 50 {
		srv.junos.history = srv.junos.history[:50]
	}
	srv.mu.Unlock()
}

// commit applies the candidate as a whole, or refuses it untouched.
func (d junos) commit(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	andQuit := slices.Contains(f, "and-quit")
	check := len(f) == 2 && f[1] == "check"
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
	} else if len(f) > 2 || (len(f) == 2 && !andQuit && !check) {
		return junosSyntaxError(line), false
	}
	private := s.junosMode == "private"
	if private && confirmed > 0 {
		return junosPrivateConfirmed, false
	}
	if locked := d.lockedBy(s); locked != "" {
		return locked, false
	}
	st := d.staged(s)
	if private && len(st) > 0 {
		srv.mu.Lock()
		modified := len(srv.junos.shared) > 0 || srv.junos.lock != nil
		srv.mu.Unlock()
		if modified {
			return "error: shared configuration database modified\nerror: configuration check-out failed", false
		}
	}
	cand, port, err := s.candidate(st)
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
	if private && len(st) == 0 {
		// An empty private commit commits nothing: no confirmation.
		if andQuit {
			s.mode = "exec"
			return "commit complete\nExiting configuration mode", false
		}
		return "commit complete", false
	}
	if check {
		if !private {
			srv.settle(s.ctx, "", false)
		}
		return "configuration check succeeds", false
	}
	snap, err := cand.snapshot(s)
	if err != nil {
		return "error: " + err.Error(), false
	}
	undo := cand.before(s)
	if err := cand.apply(s, 1); err != nil { // no member: the default VLAN
		return "error: " + err.Error(), false
	}
	d.setStaged(s, nil)
	out := "commit complete"
	comment := ""
	if confirmed > 0 {
		mins := int(confirmed / time.Minute)
		comment = fmt.Sprintf(" commit confirmed, rollback in %dmins", mins)
		if old, _ := srv.settle(s.ctx, "", false); old != nil {
			// A second confirmed commit before the deadline: the revert
			// still goes back to before the first (unverified).
			snap = old.snapshot
		}
		srv.record(srv.cfg.Username, "cli", comment, undo)
		srv.arm(&trial{user: srv.cfg.Username, snapshot: snap, length: confirmed, reverted: func(undo map[string]int) {
			srv.record("root", "other", "", undo)
		}})
		out = fmt.Sprintf("commit confirmed will be automatically rolled back in %d minutes unless confirmed\n%s", mins, out)
	} else {
		srv.settle(s.ctx, "", false) // any commit confirms a pending one
		srv.record(srv.cfg.Username, "cli", "", undo)
	}
	if andQuit {
		if s.junosMode == "exclusive" {
			d.release(s)
		}
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
		return d.configure(s, f)
	case prefix(f, "show", "system", "commit") && len(f) == 3:
		return d.showCommits(s), false
	case prefix(f, "show", "system", "uptime") && len(f) == 3:
		now := s.srv.now().UTC()
		return fmt.Sprintf("Current time: %s\nTime Source:  LOCAL CLOCK \nSystem booted: %s\n", now.Format("2006-01-02 15:04:05 UTC"), s.srv.born.UTC().Format("2006-01-02 15:04:05 UTC")), false
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

// configure enters one of the three configuration modes.
func (d junos) configure(s *session, f []string) (string, bool) {
	srv := s.srv
	mode := "shared"
	if len(f) == 2 {
		mode = f[1]
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	switch {
	case mode == "exclusive" && srv.junos.lock != nil && srv.junos.lock != s:
		return srv.lockedMessage(), false
	case mode == "private" && len(srv.junos.shared) > 0:
		// Unverified text; Juniper: private mode cannot be entered while
		// the shared candidate holds uncommitted changes.
		return "error: shared configuration database modified\nUsers currently editing the configuration:\n  " + srv.cfg.Username + " terminal pts/1", false
	case mode == "exclusive":
		srv.junos.lock, srv.junos.holder = s, ""
	}
	s.mode, s.staged, s.junosMode = "config", nil, mode
	if mode == "shared" {
		return "Entering configuration mode", false
	}
	return "warning: uncommitted changes will be discarded on exit\nEntering configuration mode", false
}

// showCommits prints `show system commit`, newest first.
func (d junos) showCommits(s *session) string {
	var b strings.Builder
	for i, c := range s.srv.commits() {
		fmt.Fprintf(&b, "%-3d %s by %s via %s%s\n", i, c.at.UTC().Format("2006-01-02 15:04:05 UTC"), c.user, c.via, c.comment)
	}
	return b.String()
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
