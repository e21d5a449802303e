// Package ciscoios drives Cisco IOS-XE (and classic IOS Catalyst) access
// ports over SSH (package cli: scrapligo v1, host keys verified against
// known_hosts unless insecure_host_key=true is given explicitly).
//
// A batch is one session in line mode: `configure terminal`, then per
// port `interface X` and `switchport access vlan N` (which replaces the
// VLAN: a port is never in two), then `end`; it is read back before the
// session closes.
package ciscoios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// Name is the registry name of this driver.
const Name = "cisco_iosxe"

// abbreviations maps IOS interface types to the short form show commands print.
var abbreviations = []struct{ long, short string }{
	{"TwentyFiveGigE", "Twe"}, {"TwoGigabitEthernet", "Tw"}, {"FiveGigabitEthernet", "Fi"},
	{"TenGigabitEthernet", "Te"}, {"FortyGigabitEthernet", "Fo"}, {"HundredGigE", "Hu"},
	{"GigabitEthernet", "Gi"}, {"FastEthernet", "Fa"}, {"AppGigabitEthernet", "Ap"}, {"Ethernet", "Et"},
}

var portRE = regexp.MustCompile(`^(TwentyFiveGigE|Twe|TwoGigabitEthernet|Tw|FiveGigabitEthernet|Fi|TenGigabitEthernet|Te|FortyGigabitEthernet|Fo|HundredGigE|Hu|GigabitEthernet|Gi|FastEthernet|Fa|AppGigabitEthernet|Ap|Ethernet|Et)\d{1,3}(/\d{1,3}){0,3}$`)

// ValidatePort accepts IOS Ethernet interface names, long or short
// (GigabitEthernet1/0/1, Gi1/0/1).
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an IOS Ethernet interface such as GigabitEthernet1/0/1 or Gi1/0/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Short returns the abbreviated form of an interface name.
func Short(name string) string {
	for _, a := range abbreviations {
		if rest, ok := strings.CutPrefix(name, a.long); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return a.short + rest
		}
	}
	return name
}

// Dialect is the IOS-XE dialect.
var Dialect = cli.Dialect{
	Name:         Name,
	Platform:     "cisco_iosxe",
	ValidatePort: ValidatePort,
	Short:        Short,
	Read:         ReadPorts(Name),
	Begin:        func([]switchdrivers.Change) []string { return []string{"configure terminal"} },
	Lines:        AccessLines,
	Commit:       []string{"end"},
	SaveCommand:  "write memory",
	SaveOK:       "[OK]",
	MACTable:     macTable,
	// A confirmation that comes after the revert is an error: the batch
	// is gone.
	FailedWhen: []string{"% No Rollback Confirmation Required"},
	Trial: &cli.Trial{
		// The revert timer counts whole minutes (1-120).
		Begin: func(_ []switchdrivers.Change, timeout time.Duration) []string {
			return []string{fmt.Sprintf("configure terminal revert timer %d", min(120, max(1, int(math.Ceil(timeout.Minutes())))))}
		},
		Commit:  func([]switchdrivers.Change, time.Duration) []string { return []string{"end"} },
		Confirm: func([]switchdrivers.Change) []string { return []string{"configure confirm"} },
	},
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

// AccessLines configures access VLANs the IOS way (EOS shares it):
// `interface X`, `switchport access vlan N` per port.
func AccessLines(changes []switchdrivers.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, "interface "+c.Port, "switchport access vlan "+c.To)
	}
	return out
}

// ReadPorts reads `show interfaces status` and `show interfaces
// switchport` and parses them as platform prints them (IOS and EOS share
// these layouts).
func ReadPorts(platform string) func(cli.Session) ([]switchdrivers.PortState, error) {
	return func(s cli.Session) ([]switchdrivers.PortState, error) {
		var r showparse.Result
		for _, c := range []string{showparse.CmdInterfacesStatus, showparse.CmdInterfacesSwitchport} {
			text, err := s.Show(c)
			if err != nil {
				return nil, err
			}
			if err := showparse.Import(platform, c, text, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", c, err)
			}
			if err := r.Err(); err != nil { // an unreadable row may be a port of the batch
				return nil, fmt.Errorf("%s: %w", c, err)
			}
		}
		return Ports(r.Ports), nil
	}
}

// Ports turns parsed ports into port states.
func Ports(parsed []showparse.Port) []switchdrivers.PortState {
	out := make([]switchdrivers.PortState, 0, len(parsed))
	for _, p := range parsed {
		st := switchdrivers.PortState{Name: p.Name, Mode: p.Mode, Description: p.Description, Admin: "up", Oper: "down"}
		if st.Mode == switchdrivers.ModeAccess {
			st.Segment = p.VLAN
		}
		switch p.Status {
		case "connected", "monitoring":
			st.Oper = "up"
		case "disabled", "err-disabled", "errdisabled":
			st.Admin = "down"
		}
		out = append(out, st)
	}
	return out
}

func macTable(s cli.Session) ([]switchdrivers.MACEntry, error) {
	text, err := s.Show("show mac address-table")
	if err != nil {
		return nil, err
	}
	rows, _ := showparse.IOSMACTable(text) // rows it cannot read are passed over, as before the table reader
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		vlan, err := strconv.Atoi(r.VLANID)
		if err != nil || len(r.Ports) == 0 {
			continue // "All" (CPU) entries
		}
		out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: r.Ports[0]})
	}
	return out, nil
}
