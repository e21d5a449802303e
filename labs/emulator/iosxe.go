package emulator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// iosxe emulates Cisco IOS-XE (Catalyst): line-mode configuration, each
// command applied as it is entered, and the Configuration Rollback
// Confirmed Change feature. `configure terminal revert timer N` needs
// the configuration archive (the emulated switch has `archive` / `path
// flash:archive` configured, as a switch prepared for trials does; `no
// archive` removes it); it archives the running configuration and arms
// the timer as it enters configuration mode, not at `end` (Cisco Command
// Reference, `configure terminal`: the timer waits "for confirmation" of
// the configuration entered). When the timer runs out, or on `configure
// revert now`, the archived configuration is restored: every change since,
// from any session. `configure confirm` keeps the change, from any
// session. `show archive config rollback timer` shows the pending change.
type iosxe struct{}

// Texts of the rollback feature. noPending is real device text (napalm
// ios.py and its tests, `show archive config rollback timer`; third-party
// tests give the same answer to `configure confirm`); turnArchiveOn is
// what Cisco's NSO cisco-ios NED expects when configuration mode is
// entered without the archive; archiveOff is what napalm matches in
// `show archive`.
const (
	noPending     = "%No Rollback Confirmed Change pending"
	turnArchiveOn = "%Turn config archive on before using Rollback Confirmed Change"
	archiveOff    = "%Archive feature not enabled"
)

// SetArchive configures (or removes) the IOS-XE configuration archive.
func (srv *Server) SetArchive(on bool) {
	srv.mu.Lock()
	srv.archive = on
	srv.mu.Unlock()
}

func (srv *Server) archived() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.archive
}

func (iosxe) prompt(s *session) string {
	h := s.srv.cfg.Hostname
	switch s.mode {
	case "config":
		return h + "(config)#"
	case "config-if":
		return h + "(config-if)#"
	case "config-vlan":
		return h + "(config-vlan)#"
	case "config-archive":
		return h + "(config-archive)#"
	}
	return h + "#"
}

// invalid is IOS's answer to a command it does not know.
func invalid(line string) string {
	return strings.Repeat(" ", len(line)) + "^\n% Invalid input detected at '^' marker.\n"
}

func (iosxe) invalid(line string) string { return invalid(line) }

func (d iosxe) exec(s *session, line string, f []string) (string, bool) {
	switch s.mode {
	case "exec":
		return d.execMode(s, line, f)
	case "config", "config-vlan", "config-archive":
		return d.configMode(s, line, f)
	case "config-if":
		return d.interfaceMode(s, line, f)
	}
	return invalid(line), false
}

func (d iosxe) execMode(s *session, line string, f []string) (string, bool) {
	switch {
	case f[0] == "terminal" || f[0] == "enable":
		return "", false
	case f[0] == "exit" || f[0] == "logout":
		return "", true
	case prefix(f, "configure", "terminal", "revert", "timer") && len(f) == 5:
		n, err := strconv.Atoi(f[4])
		if err != nil || n < 1 || n > 120 {
			return invalid(line), false
		}
		return d.armRevert(s, time.Duration(n)*time.Minute)
	case prefix(f, "configure", "terminal") && len(f) == 2:
		s.mode = "config"
		return "Enter configuration commands, one per line.  End with CNTL/Z.", false
	case prefix(f, "configure", "confirm") && len(f) == 2:
		if t, _ := s.srv.settle(s.ctx, "", false); t == nil {
			return noPending, false
		}
		return "", false
	case prefix(f, "configure", "revert", "now") && len(f) == 3:
		t, err := s.srv.settle(s.ctx, "", true)
		switch {
		case t == nil:
			return noPending, false
		case err != nil:
			return "% Error: " + err.Error(), false
		}
		return "Total number of passes: 1\nRollback Done", false
	case prefix(f, "configure", "revert", "timer") && len(f) == 4:
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 1 || n > 120 {
			return invalid(line), false
		}
		t, _ := s.srv.settle(s.ctx, "", false)
		if t == nil {
			return noPending, false
		}
		t.length = time.Duration(n) * time.Minute
		s.srv.arm(t)
		return "", false
	case prefix(f, "show", "archive", "config", "rollback", "timer"):
		return d.rollbackTimer(s), false
	case prefix(f, "show", "archive") && len(f) == 2:
		if !s.srv.archived() {
			return archiveOff, false
		}
		return "The maximum archive configurations allowed is 10.\nThere are currently 1 archive configurations saved.\n" +
			"The next archive file will be named flash:archive-<timestamp>-1\n Archive #  Name\n   1        flash:archive-Mar--1-10-00-00.000-0 <- Most Recent\n", false
	case prefix(f, "write", "memory"), prefix(f, "copy", "running-config", "startup-config"):
		return "Building configuration...\n[OK]", false
	case prefix(f, "show", "version"):
		return "Cisco IOS XE Software, Version 17.09.04a\nCisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a\n" +
			s.srv.cfg.Hostname + " uptime is 4 weeks, 2 days, 3 hours, 12 minutes\n", false
	case prefix(f, "show", "interfaces", "status"):
		return d.status(s)
	case prefix(f, "show", "interfaces", "switchport"):
		return d.switchport(s)
	case prefix(f, "show", "vlan"):
		return d.vlanBrief(s)
	case prefix(f, "show", "mac", "address-table"), prefix(f, "show", "mac-address-table"):
		return d.macTable(s)
	}
	return invalid(line), false
}

// armRevert enters configuration mode with a revert timer: the running
// configuration is archived and the timer starts now.
func (d iosxe) armRevert(s *session, length time.Duration) (string, bool) {
	srv := s.srv
	if !srv.archived() {
		return turnArchiveOn, false
	}
	if srv.pending() != nil {
		// What the device answers here is unverified; drivers check for a
		// pending change first (napalm refuses to start one).
		return "% emulator: a Rollback Confirmed Change is already pending", false
	}
	snap, err := srv.snapshot(s.ctx)
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	srv.arm(&trial{user: srv.cfg.Username, snapshot: snap, length: length})
	s.mode = "config"
	// The backup line is from a third-party Catalyst transcript.
	return "Enter configuration commands, one per line.  End with CNTL/Z.\nRollback Confirmed Change: Backing up current running config to flash:/rollback_1.cfg", false
}

// rollbackTimer prints `show archive config rollback timer`: the lines
// napalm ios.py reads (Time configured, Timer type, Timer value, User);
// their layout beyond those keys is unverified.
func (d iosxe) rollbackTimer(s *session) string {
	t := s.srv.pending()
	if t == nil {
		return noPending
	}
	return fmt.Sprintf("Time configured(or reset) : %s\nTimer type: absolute\nTimer value: %d min\nUser: %s\n",
		t.armed.UTC().Format("15:04:05 MST Mon Jan 2 2006"), int(t.length/time.Minute), t.user)
}

// leaveConfig returns to exec.
func leaveConfig(s *session) { s.mode, s.iface = "exec", nil }

func (d iosxe) configMode(s *session, line string, f []string) (string, bool) {
	switch {
	case f[0] == "end":
		leaveConfig(s)
	case f[0] == "exit":
		if s.mode == "config-vlan" || s.mode == "config-archive" {
			s.mode = "config"
		} else {
			leaveConfig(s)
		}
	case f[0] == "archive" && len(f) == 1 && s.mode == "config":
		s.mode = "config-archive"
	case prefix(f, "no", "archive") && len(f) == 2 && s.mode == "config":
		s.srv.SetArchive(false)
	case f[0] == "path" && len(f) == 2 && s.mode == "config-archive":
		s.srv.SetArchive(true)
	case f[0] == "interface" && len(f) == 2:
		it := s.srv.lookup(f[1])
		if it == nil {
			return s.srv.dialect.invalid(line), false
		}
		s.mode, s.iface = "config-if", it
	case f[0] == "vlan" && len(f) == 2:
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 || n > 4094 {
			return s.srv.dialect.invalid(line), false
		}
		s.srv.mu.Lock()
		s.srv.vlans[n] = true
		s.srv.mu.Unlock()
		s.mode = "config-vlan"
	case f[0] == "name" && s.mode == "config-vlan":
	default:
		return s.srv.dialect.invalid(line), false
	}
	return "", false
}

func (d iosxe) interfaceMode(s *session, line string, f []string) (string, bool) {
	srv := s.srv
	switch {
	case f[0] == "end":
		leaveConfig(s)
	case f[0] == "exit":
		s.mode, s.iface = "config", nil
	case f[0] == "interface":
		return d.configMode(s, line, f)
	case prefix(f, "switchport", "mode", "access"), prefix(f, "switchport", "nonegotiate"):
	case prefix(f, "switchport", "access", "vlan") && len(f) == 4:
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 1 || n > 4094 {
			return s.srv.dialect.invalid(line), false
		}
		out := ""
		srv.mu.Lock()
		if !srv.vlans[n] {
			srv.vlans[n] = true
			out = fmt.Sprintf("%% Access VLAN does not exist. Creating vlan %d", n)
		}
		srv.mu.Unlock()
		if err := srv.cfg.Backend.SetAccessVLAN(s.ctx, s.iface.Port, n); err != nil {
			return "% Error: " + err.Error(), false
		}
		return out, false
	case prefix(f, "no", "switchport", "access", "vlan"):
		if err := srv.cfg.Backend.SetAccessVLAN(s.ctx, s.iface.Port, 1); err != nil {
			return "% Error: " + err.Error(), false
		}
	case f[0] == "description":
		srv.mu.Lock()
		srv.desc[s.iface.Name] = strings.TrimSpace(strings.TrimPrefix(line, "description"))
		srv.mu.Unlock()
	case f[0] == "shutdown" || prefix(f, "no", "shutdown"):
	default:
		return s.srv.dialect.invalid(line), false
	}
	return "", false
}

func prefix(f []string, words ...string) bool {
	if len(f) < len(words) {
		return false
	}
	for i, w := range words {
		if f[i] != w {
			return false
		}
	}
	return true
}

type portView struct {
	it    Interface
	vlan  int
	trunk bool
	desc  string
}

func (s *session) ports() ([]portView, error) {
	var out []portView
	var bulkVLANs map[string]int
	var bulkTrunks map[string]bool
	if bb, ok := s.srv.cfg.Backend.(BulkBackend); ok {
		var err error
		if bulkVLANs, bulkTrunks, err = bb.AccessVLANs(s.ctx); err != nil {
			return nil, err
		}
	}
	for _, it := range s.srv.cfg.Interfaces {
		v, trunk := bulkVLANs[it.Port], bulkTrunks[it.Port]
		if bulkVLANs == nil {
			var err error
			if v, trunk, err = s.srv.cfg.Backend.AccessVLAN(s.ctx, it.Port); err != nil {
				return nil, err
			}
		} else if _, known := bulkVLANs[it.Port]; !known && !trunk {
			return nil, fmt.Errorf("port %s: not in the backend", it.Port)
		}
		s.srv.mu.Lock()
		d := s.srv.desc[it.Name]
		s.srv.mu.Unlock()
		out = append(out, portView{it, v, trunk, d})
	}
	return out, nil
}

// status prints `show interfaces status` in IOS's column layout.
func (d iosxe) status(s *session) (string, bool) {
	return statusTable(s, "\nPort      Name               Status       Vlan       Duplex  Speed Type\n",
		"%-9s %-18.18s %-12s %-10s %6s %6s %s\n", "a-1000", "10/100/1000BaseTX")
}

// statusTable prints `show interfaces status` with a dialect's header and
// row layout (port, name, status, VLAN, duplex, speed, type).
func statusTable(s *session, header, row, speed, typ string) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString(header)
	for _, p := range ports {
		vlan := strconv.Itoa(p.vlan)
		if p.trunk {
			vlan = "trunk"
		}
		fmt.Fprintf(&b, row, p.it.Short, p.desc, "connected", vlan, "a-full", speed, typ)
	}
	return b.String(), false
}

// switchport prints `show interfaces switchport`.
func (d iosxe) switchport(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	for _, p := range ports {
		mode, access := "static access", fmt.Sprintf("%d (VLAN%04d)", p.vlan, p.vlan)
		if p.trunk {
			mode, access = "trunk", "1 (default)"
		} else if p.vlan == 1 {
			access = "1 (default)"
		}
		fmt.Fprintf(&b, "Name: %s\nSwitchport: Enabled\nAdministrative Mode: %s\nOperational Mode: %s\n", p.it.Short, mode, mode)
		b.WriteString("Administrative Trunking Encapsulation: dot1q\nOperational Trunking Encapsulation: native\nNegotiation of Trunking: Off\n")
		fmt.Fprintf(&b, "Access Mode VLAN: %s\nTrunking Native Mode VLAN: 1 (default)\nAdministrative Native VLAN tagging: enabled\nVoice VLAN: none\n", access)
		b.WriteString("Administrative private-vlan host-association: none\nAdministrative private-vlan mapping: none\nOperational private-vlan: none\n")
		b.WriteString("Trunking VLANs Enabled: ALL\nPruning VLANs Enabled: 2-1001\nCapture Mode Disabled\nCapture VLANs Allowed: ALL\n\nProtected: false\nUnknown unicast blocked: disabled\nUnknown multicast blocked: disabled\nAppliance trust: none\n\n")
	}
	return b.String(), false
}

// vlanBrief prints `show vlan brief`.
func (d iosxe) vlanBrief(s *session) (string, bool) {
	ports, err := s.ports()
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	members := map[int][]string{}
	s.srv.mu.Lock()
	ids := []int{}
	for v := range s.srv.vlans {
		ids = append(ids, v)
	}
	s.srv.mu.Unlock()
	for _, p := range ports {
		if !p.trunk {
			members[p.vlan] = append(members[p.vlan], p.it.Short)
			found := false
			for _, v := range ids {
				found = found || v == p.vlan
			}
			if !found {
				ids = append(ids, p.vlan)
			}
		}
	}
	sort.Ints(ids)
	var b strings.Builder
	b.WriteString("\nVLAN Name                             Status    Ports\n---- -------------------------------- --------- -------------------------------\n")
	for _, v := range ids {
		name := fmt.Sprintf("VLAN%04d", v)
		if v == 1 {
			name = "default"
		}
		fmt.Fprintf(&b, "%-4d %-32s %-9s %s\n", v, name, "active", strings.Join(members[v], ", "))
	}
	return b.String(), false
}

// macTable prints `show mac address-table` (Catalyst layout).
func (d iosxe) macTable(s *session) (string, bool) {
	rows, err := macRows(s)
	if err != nil {
		return "% Error: " + err.Error(), false
	}
	var b strings.Builder
	b.WriteString("          Mac Address Table\n-------------------------------------------\n\nVlan    Mac Address       Type        Ports\n----    -----------       --------    -----\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%4d    %s    DYNAMIC     %s\n", r.vlan, r.mac, r.port)
	}
	fmt.Fprintf(&b, "Total Mac Addresses for this criterion: %d\n", len(rows))
	return b.String(), false
}

type macRow struct {
	vlan      int
	mac, port string // Cisco-dotted MAC, the interface's short name
}

// macRows reads the backend's MAC table for this switch's interfaces.
func macRows(s *session) ([]macRow, error) {
	entries, err := s.srv.cfg.Backend.MACTable(s.ctx)
	if err != nil {
		return nil, err
	}
	short := map[string]string{}
	for _, it := range s.srv.cfg.Interfaces {
		short[it.Port] = it.Short
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].VLAN < entries[j].VLAN })
	var out []macRow
	for _, e := range entries {
		port, ok := short[e.Port]
		h := strings.ReplaceAll(e.MAC, ":", "")
		if !ok || len(h) != 12 {
			continue
		}
		out = append(out, macRow{e.VLAN, h[0:4] + "." + h[4:8] + "." + h[8:12], port})
	}
	return out, nil
}
