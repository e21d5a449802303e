// Package nokiasrl drives Nokia SR Linux ports over SSH (package cli:
// scrapligo v1's nokia_srl platform, host keys verified against
// known_hosts unless insecure_host_key=true is given explicitly).
//
// On SR Linux a port's segment is the mac-vrf network-instance its
// untagged subinterface (ethernet-1/1.0) belongs to, so segments are
// names: the inventory gives them per role (`segments: {production:
// mac-vrf-66, …}`). A batch is one private candidate: `enter candidate
// private`, per port `delete / network-instance OLD interface X.0` then
// `set / network-instance NEW interface X.0`, and `commit now`, which
// applies the batch as a whole (a subinterface is in one network-instance
// at a time; the commit refuses anything else). Any error before the
// commit discards the candidate (`discard now`): nothing was changed.
//
// On trial, the batch is committed with `commit confirmed timeout N`
// (seconds) and accepted by `tools system configuration confirmed-accept`
// once the step's guard has passed; otherwise SR Linux reverts it.
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
	Begin:           func([]switchdrivers.Change) []string { return []string{"enter candidate private"} },
	Lines:           lines,
	Commit:          []string{"commit now"},
	Abort:           []string{"discard now"},
	Transactional:   true,
	SaveCommand:     "save startup",
	SaveOK:          "Saved current running configuration",
	Trial: &cli.Trial{
		Begin: func([]switchdrivers.Change, time.Duration) []string { return []string{"enter candidate private"} },
		Commit: func(_ []switchdrivers.Change, timeout time.Duration) []string {
			return []string{fmt.Sprintf("commit confirmed timeout %d", max(1, int(timeout.Seconds())))}
		},
		Confirm: func([]switchdrivers.Change) []string {
			return []string{"tools system configuration confirmed-accept"}
		},
	},
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
