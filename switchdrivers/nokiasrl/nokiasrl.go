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
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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

// Short is the interface of a subinterface (ethernet-1/1.0 is
// ethernet-1/1): the memberships name subinterfaces.
func Short(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 && ValidatePort(name[:i]) == nil {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
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
	Short:           Short,
	ReadRows:        ReadPortRows,
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

// entry is one element of a list in the JSON an `info … | as json`
// printed: where it starts in the output and what it holds.
type entry struct {
	at  int // byte offset in the output
	raw json.RawMessage
}

// jsonDoc is the output of one `info … | as json`.
type jsonDoc struct {
	command, text string
}

// line is the 1-based line of the output at byte offset at.
func (d jsonDoc) line(at int) int { return 1 + strings.Count(d.text[:at], "\n") }

// row is an entry that could not be read, as the driver reports it: its
// line, the entry as one line of JSON, why, and the ports it may be
// besides those its text names.
func (d jsonDoc) row(e entry, reason string, ports []string) switchdrivers.UnreadableRow {
	var b bytes.Buffer
	text := string(e.raw)
	if json.Compact(&b, e.raw) == nil {
		text = b.String()
	}
	return switchdrivers.UnreadableRow{Command: d.command, Line: d.line(e.at), Text: text, Reason: reason, Ports: ports}
}

// top is the list under key in the object the output prints (an empty
// answer is an empty list).
func (d jsonDoc) top(key string) ([]entry, error) {
	at := strings.IndexByte(d.text, '{')
	if at < 0 {
		if strings.TrimSpace(d.text) == "" {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: not the JSON expected: no object in %q", d.command, strings.TrimSpace(d.text))
	}
	return d.list(at, key)
}

// list is the list under key in the object that starts at offset at, its
// entries each with where it starts. Text that is not a JSON object, or
// whose key is not a list, is an error: no entry of it can be told from
// another.
func (d jsonDoc) list(at int, key string) ([]entry, error) {
	fail := func(err error) ([]entry, error) {
		return nil, fmt.Errorf("%s: not the JSON expected (line %d): %w", d.command, d.line(at), err)
	}
	dec := json.NewDecoder(strings.NewReader(d.text[at:]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail(fmt.Errorf("not an object (%v)", err))
	}
	var out []entry
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if k != key {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		t, err := dec.Token()
		switch {
		case err != nil:
			return fail(err)
		case t == nil: // null: no entry
			continue
		case t != json.Delim('['):
			return fail(fmt.Errorf("%q is not a list", key))
		}
		for dec.More() {
			start := at + int(dec.InputOffset())
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fail(err)
			}
			for start < len(d.text) && strings.IndexByte(" \t\r\n,", d.text[start]) >= 0 {
				start++ // the blanks and the comma before the entry
			}
			out = append(out, entry{at: start, raw: raw})
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	}
	return out, nil
}

// named decodes an entry into v (a struct with a name) and returns why it
// cannot be read: not an object, a field of the wrong type, no name.
func named(e entry, v any, name *string) string {
	if len(e.raw) == 0 || e.raw[0] != '{' {
		return "not an object"
	}
	if err := json.Unmarshal(e.raw, v); err != nil {
		return "cannot be read: " + err.Error()
	}
	if *name == "" {
		return "has no name"
	}
	return ""
}

// ReadPortRows reads the mac-vrf memberships and the interfaces' state:
// a port whose subinterface 0 is in a mac-vrf is an access port in that
// segment, one with other subinterfaces in mac-vrfs a trunk, any other
// routed. It goes past an entry it cannot read (not an object, a field
// of the wrong type, no name) and returns it with its command, the line
// it starts on and its JSON; the ports it may be are those it names and:
// for a network-instance's type, the ports in instances whose type was
// not read; for a membership, the ports no membership was read for (a
// garbled one makes its port look routed). A port whose subinterface 0
// is in two mac-vrfs is such a row too (the switch's commit refuses
// that, so the read is not to be trusted for it). Output that is not
// the JSON expected is an error: no entry of it can be read.
func ReadPortRows(s cli.Session) (switchdrivers.PortRead, error) {
	var pr switchdrivers.PortRead
	docs := map[string]jsonDoc{}
	lists := map[string][]entry{}
	for _, q := range []struct{ cmd, key string }{{CmdInstances, "network-instance"}, {CmdMembers, "network-instance"}, {CmdInterfaces, "interface"}} {
		cmd := q.cmd
		text, err := s.Show(cmd)
		if err != nil {
			return pr, err
		}
		d := jsonDoc{command: cmd, text: text}
		es, err := d.top(q.key)
		if err != nil {
			return pr, err
		}
		docs[cmd], lists[cmd] = d, es
	}
	// The interfaces' state: which ports there are.
	var ports []switchdrivers.PortState
	var bad []switchdrivers.UnreadableRow
	for _, e := range lists[CmdInterfaces] {
		var i struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			AdminState  string `json:"admin-state"`
			OperState   string `json:"oper-state"`
		}
		if why := named(e, &i, &i.Name); why != "" {
			bad = append(bad, docs[CmdInterfaces].row(e, "an interface entry that "+why, nil))
			continue
		}
		if ValidatePort(i.Name) != nil {
			continue // mgmt0, system0, lag, irb
		}
		ports = append(ports, switchdrivers.PortState{Name: i.Name, Mode: switchdrivers.ModeRouted, Admin: state(i.AdminState), Oper: state(i.OperState), Description: i.Description})
	}
	// The network-instances' types.
	typed := map[string]bool{} // instance -> is a mac-vrf, for those whose type was read
	var badTypes []entry
	for _, e := range lists[CmdInstances] {
		var ni struct {
			Name string `json:"name"`
			Type string `json:"type"`
		}
		if why := named(e, &ni, &ni.Name); why != "" {
			badTypes = append(badTypes, e)
			bad = append(bad, docs[CmdInstances].row(e, "a network-instance entry that "+why, nil)) // ports below
			continue
		}
		typed[ni.Name] = strings.HasSuffix(ni.Type, "mac-vrf")
	}
	// The memberships: network-instance NAME interface PORT.N.
	type membership struct {
		instance string
		e        entry
	}
	access := map[string][]membership{} // port -> its subinterface 0's instances
	tagged := map[string]bool{}
	inUntyped := map[string]bool{} // ports in an instance whose type was not read
	var badMembers []switchdrivers.UnreadableRow
	md := docs[CmdMembers]
	for _, e := range lists[CmdMembers] {
		var ni struct {
			Name string `json:"name"`
		}
		if why := named(e, &ni, &ni.Name); why != "" {
			badMembers = append(badMembers, md.row(e, "a network-instance entry that "+why, nil))
			continue
		}
		ifs, err := md.list(e.at, "interface")
		if err != nil {
			badMembers = append(badMembers, md.row(e, fmt.Sprintf("network-instance %s: its interfaces cannot be read: %v", ni.Name, err), nil))
			continue
		}
		macVRF, known := typed[ni.Name]
		for _, ie := range ifs {
			var i struct {
				Name string `json:"name"`
			}
			if why := named(ie, &i, &i.Name); why != "" {
				badMembers = append(badMembers, md.row(ie, fmt.Sprintf("an interface entry of network-instance %s that %s", ni.Name, why), nil))
				continue
			}
			port, sub, ok := strings.Cut(i.Name, ".")
			switch {
			case !ok:
			case !known:
				inUntyped[port] = true
			case !macVRF:
			case sub == "0":
				access[port] = append(access[port], membership{ni.Name, ie})
			default:
				tagged[port] = true
			}
		}
	}
	var lacking, untyped []string // ports with no membership read; ports in instances of unknown type
	for i, p := range ports {
		switch m := access[p.Name]; {
		case tagged[p.Name]:
			ports[i].Mode = switchdrivers.ModeTrunk
		case len(m) == 1:
			ports[i].Mode, ports[i].Segment = switchdrivers.ModeAccess, m[0].instance
		case len(m) > 1:
			names := make([]string, len(m))
			for k, x := range m {
				names[k] = x.instance
			}
			bad = append(bad, md.row(m[1].e, fmt.Sprintf("interface %s.0 is in %d mac-vrfs (%s); a subinterface is in one network-instance at a time", p.Name, len(m), strings.Join(names, ", ")), []string{p.Name}))
			continue // its segment is not known: not read
		default:
			lacking = append(lacking, p.Name)
		}
		if inUntyped[p.Name] {
			untyped = append(untyped, p.Name)
		}
		pr.Ports = append(pr.Ports, ports[i])
	}
	for i := range bad {
		if bad[i].Command == CmdInstances {
			bad[i].Ports = untyped
		}
	}
	for _, u := range badMembers {
		u.Ports = lacking
		bad = append(bad, u)
	}
	slices.SortStableFunc(bad, func(a, b switchdrivers.UnreadableRow) int {
		return cmp.Or(cmp.Compare(a.Command, b.Command), cmp.Compare(a.Line, b.Line))
	})
	pr.Unreadable = bad
	return pr, nil
}

// state is an SR Linux admin or operational state as up or down.
func state(s string) string {
	switch s {
	case "enable", "up":
		return "up"
	case "disable", "down":
		return "down"
	}
	return s
}
