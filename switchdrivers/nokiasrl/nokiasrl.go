// Package nokiasrl drives Nokia SR Linux ports over SSH (package cli:
// scrapligo v1's nokia_srl platform, host keys verified against
// known_hosts unless insecure_host_key=true is given explicitly).
//
// On SR Linux a port's segment is the mac-vrf network-instance its
// untagged subinterface (ethernet-1/1.0) belongs to, so segments are
// names: the inventory gives them per role (`segments: {production:
// mac-vrf-66, …}`). A batch is one named private candidate: `enter
// candidate private name NAME`, per port `delete / network-instance OLD
// interface X.0` then `set / network-instance NEW interface X.0`, and
// `commit now`, which applies the batch as a whole (a subinterface is in
// one network-instance at a time; the commit refuses anything else). Any
// error before the commit discards the candidate (`discard now`):
// nothing was changed. The candidate is named afresh for every attempt
// (cli.SessionName), never the plain `enter candidate private`: that
// candidate, private-<user>, is shared by every session of the user and
// outlives them, so a batch lost part-way would be committed with the
// next one (napalm-srlinux uses a named candidate per instance for this
// reason, and its CI asserts that private-<user> is never left open).
//
// On trial, the batch is committed with `commit confirmed timeout N`
// (seconds), which keeps the candidate open until the commit is accepted
// or rejected (napalm-srlinux commit_config): nothing more is sent in
// that session, whose close would discard the candidate. `tools system
// configuration confirmed-accept` accepts it once the step's guard has
// passed, `confirmed-reject` reverts it at once; then the candidate is
// closed (`discard now`, as napalm-srlinux does after accepting). A
// pending trial is a commit in status "unconfirmed" under `system
// configuration commit` (napalm-srlinux has_pending_commit).
//
// Reads use the CLI's JSON output (`info … | as json`).
package nokiasrl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
)

// Name is the registry name of this driver.
const Name = "nokia_srl"

var (
	portRE = regexp.MustCompile(`^ethernet-\d{1,2}/\d{1,3}(/\d{1,2})?$`)
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// ValidatePort accepts SR Linux Ethernet interfaces (ethernet-1/1,
// ethernet-1/3/1 for breakouts); the subinterface .0 is implied.
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an SR Linux interface such as ethernet-1/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// ValidateSegment accepts network-instance names: 1-64 characters of
// letters, digits, '_', '.', '-', starting with a letter or digit.
func ValidateSegment(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("segment %q is not a network-instance name (1-64 characters [A-Za-z0-9_.-])", name)
	}
	return nil
}

func lines(changes []switchdrivers.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out,
			"delete / network-instance "+c.From+" interface "+c.Port+".0",
			"set / network-instance "+c.To+" interface "+c.Port+".0")
	}
	return out
}

// Dialect is the SR Linux dialect.
var Dialect = cli.Dialect{
	Name:            Name,
	Platform:        "nokia_srl",
	ValidatePort:    ValidatePort,
	ValidateSegment: ValidateSegment,
	NamedSegments:   true,
	Short:           func(s string) string { return s },
	Read:            ReadPorts,
	Begin:           func(_ []switchdrivers.Change, name string) []string { return []string{enter(name)} },
	Lines:           lines,
	Commit:          []string{"commit now"},
	Abort:           []string{"discard now"},
	Transactional:   true,
	BeginAhead:      true, // an empty named private candidate may wait in a prepared session
	Forget:          func(s cli.Session, name string) error { return run(s, release(name)) },
	SaveCommand:     "save startup",
	SaveOK:          "Saved current running configuration",
	Trial: &cli.Trial{
		Begin: func(_ []switchdrivers.Change, name string, _ time.Duration) []string { return []string{enter(name)} },
		Commit: func(_ []switchdrivers.Change, _ string, timeout time.Duration) []string {
			return []string{fmt.Sprintf("commit confirmed timeout %d", max(1, int(timeout.Seconds())))}
		},
		BeginAhead: true,
		Held:       true,
		Release:    release,
		Pending:    PendingCommit,
		Confirm: func(switchdrivers.PendingTrial) []string {
			return []string{"tools system configuration confirmed-accept"}
		},
		Cancel: func(switchdrivers.PendingTrial) []string {
			return []string{"tools system configuration confirmed-reject"}
		},
	},
}

func enter(name string) string { return "enter candidate private name " + name }

// release closes a named candidate (napalm-srlinux
// _discard_named_candidate).
func release(name string) []string { return []string{enter(name), "discard now"} }

func run(s cli.Session, lines []string) error {
	for _, l := range lines {
		if _, err := s.Config(l); err != nil {
			return err
		}
	}
	return nil
}

// CmdCommits reads the commit history's state.
const CmdCommits = "info from state system configuration commit * | as json"

// PendingCommit reports the commit in status "unconfirmed" (napalm-srlinux
// has_pending_commit reads /system/configuration/commit[id=*] the same
// way, the module prefix of the status stripped). The list is found
// wherever the JSON nests it.
func PendingCommit(s cli.Session) (*switchdrivers.PendingTrial, error) {
	out, err := s.Show(CmdCommits)
	if err != nil {
		return nil, err
	}
	var v any
	text := strings.TrimSpace(out)
	if text == "" {
		return nil, nil // no commit yet
	}
	if i := strings.IndexByte(text, '{'); i > 0 {
		text = text[i:]
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("%s: not the JSON expected: %w", CmdCommits, err)
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return nil, nil // an empty answer: no commit recorded
	}
	commits, ok := findList(v, "commit")
	if !ok {
		return nil, fmt.Errorf("%s: no commit list in %q", CmdCommits, text)
	}
	for _, c := range commits {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: a commit entry is not an object: %v", CmdCommits, c)
		}
		status, _ := m["status"].(string)
		if _, st, ok := strings.Cut(status, ":"); ok {
			status = st
		}
		if status != "unconfirmed" {
			continue
		}
		user, _ := m["username"].(string)
		return &switchdrivers.PendingTrial{ID: fmt.Sprint(m["id"]), User: user, Detail: fmt.Sprintf("commit %v unconfirmed", m["id"])}, nil
	}
	return nil, nil
}

// findList finds the list under key anywhere in decoded JSON.
func findList(v any, key string) ([]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		if l, ok := t[key].([]any); ok {
			return l, true
		}
		for _, x := range t {
			if l, ok := findList(x, key); ok {
				return l, true
			}
		}
	case []any:
		for _, x := range t {
			if l, ok := findList(x, key); ok {
				return l, true
			}
		}
	}
	return nil, false
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

// Commands the driver reads.
const (
	CmdInstances  = "info from running network-instance * type | as json"
	CmdMembers    = "info from running network-instance * interface * | as json"
	CmdInterfaces = "info from state interface * | as json"
)

type instances struct {
	NetworkInstance []struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		Interface []struct {
			Name string `json:"name"`
		} `json:"interface"`
	} `json:"network-instance"`
}

type interfaces struct {
	Interface []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		AdminState  string `json:"admin-state"`
		OperState   string `json:"oper-state"`
	} `json:"interface"`
}

// decode reads the JSON an `info … | as json` printed (an empty answer
// is an empty object).
func decode(command, text string, v any) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if i := strings.IndexByte(text, '{'); i > 0 {
		text = text[i:]
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("%s: not the JSON expected: %w", command, err)
	}
	return nil
}

// ReadPorts reads the mac-vrf memberships and the interfaces' state: a
// port whose subinterface 0 is in a mac-vrf is an access port in that
// segment, one with other subinterfaces in mac-vrfs a trunk, any other
// routed.
func ReadPorts(s cli.Session) ([]switchdrivers.PortState, error) {
	var types, members instances
	var ifs interfaces
	for _, q := range []struct {
		cmd string
		v   any
	}{{CmdInstances, &types}, {CmdMembers, &members}, {CmdInterfaces, &ifs}} {
		text, err := s.Show(q.cmd)
		if err != nil {
			return nil, err
		}
		if err := decode(q.cmd, text, q.v); err != nil {
			return nil, err
		}
	}
	macVRF := map[string]bool{}
	for _, ni := range types.NetworkInstance {
		macVRF[ni.Name] = strings.HasSuffix(ni.Type, "mac-vrf")
	}
	access := map[string][]string{} // port -> mac-vrfs of subinterface 0
	tagged := map[string]bool{}
	for _, ni := range members.NetworkInstance {
		if !macVRF[ni.Name] {
			continue
		}
		for _, i := range ni.Interface {
			port, sub, ok := strings.Cut(i.Name, ".")
			if !ok {
				continue
			}
			if sub == "0" {
				access[port] = append(access[port], ni.Name)
			} else {
				tagged[port] = true
			}
		}
	}
	state := func(s string) string {
		switch s {
		case "enable", "up":
			return "up"
		case "disable", "down":
			return "down"
		}
		return s
	}
	var out []switchdrivers.PortState
	for _, i := range ifs.Interface {
		if ValidatePort(i.Name) != nil {
			continue // mgmt0, system0, lag, irb
		}
		p := switchdrivers.PortState{Name: i.Name, Mode: switchdrivers.ModeRouted, Admin: state(i.AdminState), Oper: state(i.OperState), Description: i.Description}
		switch {
		case tagged[i.Name]:
			p.Mode = switchdrivers.ModeTrunk
		case len(access[i.Name]) == 1:
			p.Mode, p.Segment = switchdrivers.ModeAccess, access[i.Name][0]
		case len(access[i.Name]) > 1:
			return nil, fmt.Errorf("interface %s.0 is in %d network-instances (%s)", i.Name, len(access[i.Name]), strings.Join(access[i.Name], ", "))
		}
		out = append(out, p)
	}
	return out, nil
}
