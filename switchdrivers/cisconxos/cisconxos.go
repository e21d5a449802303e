// Package cisconxos drives Cisco NX-OS (Nexus) access ports over SSH
// (package cli: scrapligo v1, host keys verified against known_hosts
// unless insecure_host_key=true is given explicitly). A batch is one
// session in line mode, read back before it closes.
package cisconxos

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// Name is the registry name of this driver.
const Name = "cisco_nxos"

var portRE = regexp.MustCompile(`^(Ethernet|Eth)\d{1,3}/\d{1,3}(/\d{1,3})?$`)

// ValidatePort accepts NX-OS Ethernet interfaces, long or short
// (Ethernet1/1, Eth1/1/2).
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an NX-OS Ethernet interface such as Ethernet1/1 or Eth1/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Short returns the abbreviated form (Eth1/1).
func Short(name string) string {
	if rest, ok := strings.CutPrefix(name, "Ethernet"); ok {
		return "Eth" + rest
	}
	return name
}

// Dialect is the NX-OS dialect.
var Dialect = cli.Dialect{
	Name:         Name,
	Platform:     "cisco_nxos",
	ValidatePort: ValidatePort,
	Short:        Short,
	Read:         read,
	Begin:        func([]switchdrivers.Change, string) []string { return []string{"configure terminal"} },
	Lines:        ciscoios.AccessLines,
	Commit:       []string{"end"},
	SaveCommand:  "copy running-config startup-config",
	SaveOK:       "Copy complete",
	// NX-OS says "% Invalid command at '^' marker.", which scrapligo's
	// list does not catch.
	FailedWhen: []string{"% Invalid command", "% Invalid parameter", "ERROR:"},
	MACTable:   macTable,
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

func read(s cli.Session) ([]switchdrivers.PortState, error) {
	var r showparse.Result
	for _, c := range []string{"show interface status", "show interface switchport"} {
		text, err := s.Show(c)
		if err != nil {
			return nil, err
		}
		if err := showparse.Import(Name, c, text, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		if err := r.Err(); err != nil { // an unreadable row may be a port of the batch
			return nil, fmt.Errorf("%s: %w", c, err)
		}
	}
	// `show interface switchport` names ports in full (Ethernet1/1), the
	// status table in short: merge on the short form.
	merged := map[string]*showparse.Port{}
	var order []string
	for i := range r.Ports {
		p := r.Ports[i]
		k := Short(p.Name)
		if m, ok := merged[k]; ok {
			if p.Mode != "" {
				m.Mode, m.VLAN = p.Mode, p.VLAN
			}
			continue
		}
		p.Name = k
		merged[k] = &p
		order = append(order, k)
	}
	var ports []showparse.Port
	for _, k := range order {
		ports = append(ports, *merged[k])
	}
	return ciscoios.Ports(ports), nil
}

func macTable(s cli.Session) ([]switchdrivers.MACEntry, error) {
	text, err := s.Show("show mac address-table")
	if err != nil {
		return nil, err
	}
	rows, _ := showparse.NXOSMACTable(text) // rows it cannot read are passed over, as before the table reader
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		vlan, verr := strconv.Atoi(r.VLANID)
		if verr != nil || r.Ports == "" {
			continue
		}
		out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: r.Ports})
	}
	return out, nil
}
