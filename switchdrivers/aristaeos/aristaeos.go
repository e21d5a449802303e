// Package aristaeos drives Arista EOS access ports over SSH (package cli:
// scrapligo v1, host keys verified against known_hosts unless
// insecure_host_key=true is given explicitly).
//
// A batch is one EOS configuration session: `configure session NAME`, per
// port `interface X` and `switchport access vlan N`, then `commit`, which
// applies the whole batch at once (a port is never in two VLANs). Any
// error before the commit aborts the session, so nothing was changed.
//
// An uncommitted session outlives a lost SSH session ("discarded if the
// switch reboots and will time out after 24 hours", Arista, Configure
// Session), and committing a session copies it into running-config
// "overwriting any other configuration changes made since the session
// was created". So every attempt gets a new name (cli.SessionName: the
// batch's hash and a random attempt): a retry never re-enters a stale
// session. A session this driver lost before its commit is removed
// (`configure session NAME abort`, as napalm's eos driver discards) in
// its next session, once `show configuration sessions | json` shows it
// still "pending": only names this driver made, never another client's.
//
// On trial the session commits with `commit timer HH:MM:SS`; `configure
// session NAME commit` confirms it and `configure session NAME abort`
// rolls it back at once (napalm eos.py confirm_commit and rollback); a
// pending trial is a session in state "pendingCommitTimer".
package aristaeos

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// Name is the registry name of this driver.
const Name = "arista_eos"

var portRE = regexp.MustCompile(`^(Ethernet|Et)\d{1,3}(/\d{1,3}){0,2}$`)

// ValidatePort accepts EOS Ethernet interfaces, long or short (Ethernet1, Et1/1).
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an EOS Ethernet interface such as Ethernet1 or Et1/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Short returns the abbreviated form (Et1).
func Short(name string) string {
	if rest, ok := strings.CutPrefix(name, "Ethernet"); ok {
		return "Et" + rest
	}
	return name
}

// Dialect is the EOS dialect.
var Dialect = cli.Dialect{
	Name:         Name,
	Platform:     "arista_eos",
	ValidatePort: ValidatePort,
	Short:        Short,
	ReadRows:     ciscoios.ReadPortRows(Name),
	Begin: func(_ []switchdrivers.Change, name string) []string {
		return []string{"configure session " + name}
	},
	Lines:         ciscoios.AccessLines,
	Commit:        []string{"commit"},
	Abort:         []string{"abort"},
	Transactional: true,
	// An empty configuration session may wait in a prepared session: it
	// copies the running configuration when it is entered, which the
	// caller of Prepare guarantees holds every earlier batch.
	BeginAhead:  true,
	Forget:      forget,
	SaveCommand: "write memory",
	SaveOK:      "Copy completed successfully",
	MACTable:    macTable,
	Trial: &cli.Trial{
		Begin: func(_ []switchdrivers.Change, name string, _ time.Duration) []string {
			return []string{"configure session " + name}
		},
		Commit: func(_ []switchdrivers.Change, _ string, timeout time.Duration) []string {
			s := max(1, int(timeout.Seconds()))
			return []string{fmt.Sprintf("commit timer %02d:%02d:%02d", s/3600, s/60%60, s%60)}
		},
		BeginAhead: true, // the same session; `commit timer` arms the trial
		Pending:    PendingSession,
		Owns:       func(p switchdrivers.PendingTrial, name string) bool { return p.ID == name },
		Confirm: func(p switchdrivers.PendingTrial) []string {
			return []string{"configure session " + p.ID + " commit"}
		},
		Cancel: func(p switchdrivers.PendingTrial) []string {
			return []string{"configure session " + p.ID + " abort"}
		},
	},
}

// CmdSessions lists the configuration sessions as JSON.
const CmdSessions = "show configuration sessions | json"

// Sessions reads the configuration sessions and their states
// ("pending", "pendingCommitTimer", "completed").
func Sessions(s cli.Session) (map[string]string, error) {
	out, err := s.Show(CmdSessions)
	if err != nil {
		return nil, err
	}
	var v struct {
		Sessions map[string]struct {
			State string `json:"state"`
		} `json:"sessions"`
	}
	text := strings.TrimSpace(out)
	if i := strings.IndexByte(text, '{'); i > 0 {
		text = text[i:]
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil || v.Sessions == nil {
		return nil, fmt.Errorf("%s: not the JSON expected (%v): %q", CmdSessions, err, strings.TrimSpace(out))
	}
	states := map[string]string{}
	for name, st := range v.Sessions {
		if st.State == "" {
			return nil, fmt.Errorf("%s: session %s has no state", CmdSessions, name)
		}
		states[name] = st.State
	}
	return states, nil
}

// PendingSession reports the session whose commit timer runs (the
// state EOS shows as "pendingCommitTimer"); the others are named in
// Detail if several are.
func PendingSession(s cli.Session) (*switchdrivers.PendingTrial, error) {
	states, err := Sessions(s)
	if err != nil {
		return nil, err
	}
	var timed []string
	for name, st := range states {
		if st == "pendingCommitTimer" {
			timed = append(timed, name)
		}
	}
	if len(timed) == 0 {
		return nil, nil
	}
	slices.Sort(timed)
	return &switchdrivers.PendingTrial{ID: timed[0], Detail: "configuration session(s) with a commit timer: " + strings.Join(timed, ", ")}, nil
}

// forget aborts a session this driver lost before its commit, if it is
// still pending (uncommitted); any other state is left alone.
func forget(s cli.Session, name string) error {
	states, err := Sessions(s)
	if err != nil {
		return err
	}
	if states[name] != "pending" {
		return nil
	}
	_, err = s.Show("configure session " + name + " abort")
	return err
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

func macTable(s cli.Session) ([]switchdrivers.MACEntry, error) {
	const cmd = "show mac address-table"
	text, err := s.Show(cmd)
	if err != nil {
		return nil, err
	}
	rows, rep := showparse.EOSMACTable(text)
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		if vlan, ok := ciscoios.MACEntryVLAN(r.VLANID); ok && len(r.Ports) > 0 {
			out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: r.Ports[0]})
		}
	}
	return out, ciscoios.UnreadableRows(cmd, rep)
}
