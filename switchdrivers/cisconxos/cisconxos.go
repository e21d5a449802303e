// Package cisconxos drives Cisco NX-OS (Nexus) access ports over SSH
// (package cli: scrapligo v1, host keys verified against known_hosts
// unless insecure_host_key=true is given explicitly). A batch is one
// session in line mode, read back before it closes.
package cisconxos

import (
	"fmt"
	"regexp"
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
	// `show interface switchport` names ports in full (Ethernet1/1), the
	// status table in short: import merges them as one port.
	ReadRows:    ciscoios.ReadPortRows(Name, "show interface status", "show interface switchport"),
	Begin:       func([]switchdrivers.Change, string) []string { return []string{"configure terminal"} },
	Lines:       ciscoios.AccessLines,
	Commit:      []string{"end"},
	BeginAhead:  true, // configuration mode may wait, empty, in a prepared session
	SaveCommand: "copy running-config startup-config",
	SaveOK:      "Copy complete",
	// NX-OS says "% Invalid command at '^' marker.", which scrapligo's
	// list does not catch.
	FailedWhen: []string{"% Invalid command", "% Invalid parameter", "ERROR:"},
	MACTable:   macTable,
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
	rows, rep := showparse.NXOSMACTable(text)
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		port, _, _ := strings.Cut(r.Ports, ",")
		if vlan, ok := ciscoios.MACEntryVLAN(r.VLANID); ok && port != "" {
			out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: port})
		}
	}
	return out, ciscoios.UnreadableRows(cmd, rep)
}
