// Package juniperjunos drives Juniper Junos (EX/QFX) access ports over SSH
// (package cli: scrapligo v1, host keys verified against known_hosts
// unless insecure_host_key=true is given explicitly).
//
// A batch is one Junos candidate configuration: `configure private`, per
// port `delete interfaces X unit 0 family ethernet-switching vlan members`
// then `set … vlan members N`, and `commit and-quit`, which applies the
// whole batch at once (a port is never in two VLANs; an access port with
// two members would not even commit). Any error before the commit rolls
// the candidate back (`rollback 0`), so nothing was changed. VLAN members
// are given by ID, which ELS (`interface-mode access`) and the older
// `port-mode access` both accept; the mode lines are not touched.
//
// On trial (commit confirmed), the step is committed with `commit
// confirmed N` (whole minutes) and confirmed by a later `commit`.
// Committed configuration is persistent, so Save has nothing to do.
package juniperjunos

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// Name is the registry name of this driver.
const Name = "juniper_junos"

var portRE = regexp.MustCompile(`^(ge|xe|et|mge|fe)-\d{1,2}/\d{1,2}/\d{1,3}$`)

// ValidatePort accepts Junos physical Ethernet interfaces (ge-0/0/1,
// xe-1/0/47, et-0/0/48, mge-0/0/3); the logical unit 0 is implied.
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want a Junos Ethernet interface such as ge-0/0/1 or xe-0/0/12", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Short is the physical interface of a logical one (ge-0/0/1.0 → ge-0/0/1).
func Short(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

func lines(changes []switchdrivers.Change) []string {
	var out []string
	for _, c := range changes {
		base := "interfaces " + c.Port + " unit 0 family ethernet-switching vlan members"
		out = append(out, "delete "+base, "set "+base+" "+c.To)
	}
	return out
}

// minutes rounds a trial timeout up to Junos's whole minutes (1–65535).
func minutes(d time.Duration) int {
	return min(65535, max(1, int((d+time.Minute-1)/time.Minute)))
}

// Dialect is the Junos dialect.
var Dialect = cli.Dialect{
	Name:          Name,
	Platform:      "juniper_junos",
	ValidatePort:  ValidatePort,
	Short:         Short,
	Read:          ReadPorts,
	Begin:         func([]switchdrivers.Change) []string { return []string{"configure private"} },
	Lines:         lines,
	Commit:        []string{"commit and-quit"},
	Abort:         []string{"rollback 0", "exit configuration-mode"},
	Transactional: true,
	FailedWhen:    []string{"\nerror:", "error: ", "syntax error"},
	Trial: &cli.Trial{
		Begin: func([]switchdrivers.Change, time.Duration) []string { return []string{"configure private"} },
		Commit: func(_ []switchdrivers.Change, timeout time.Duration) []string {
			return []string{fmt.Sprintf("commit confirmed %d", minutes(timeout)), "exit configuration-mode"}
		},
		Confirm: func([]switchdrivers.Change) []string { return []string{"configure private", "commit and-quit"} },
	},
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

// ReadPorts reads `show ethernet-switching interfaces` (the unit-0 VLAN
// memberships: a tagged member is a trunk, otherwise the access VLAN is
// the member's tag; "default", shown without one, is VLAN 1) and `show interfaces descriptions` (admin state and
// description, for the interfaces that have one).
func ReadPorts(s cli.Session) ([]switchdrivers.PortState, error) {
	text, err := s.Show("show ethernet-switching interfaces")
	if err != nil {
		return nil, err
	}
	rows, err := showparse.JunosEthernetSwitchingInterfaces(text)
	if err != nil {
		return nil, fmt.Errorf("show ethernet-switching interfaces: %w", err)
	}
	dtext, err := s.Show("show interfaces descriptions")
	if err != nil {
		return nil, err
	}
	descs, err := showparse.JunosInterfaceDescriptions(dtext)
	if err != nil {
		return nil, fmt.Errorf("show interfaces descriptions: %w", err)
	}
	byName := map[string]showparse.JunosDescription{}
	for _, d := range descs {
		byName[d.Interface] = d
	}
	var out []switchdrivers.PortState
	for _, r := range rows {
		if !strings.HasSuffix(r.Interface, ".0") || ValidatePort(Short(r.Interface)) != nil {
			continue // other units, LAGs, IRB
		}
		p := switchdrivers.PortState{Name: Short(r.Interface), Mode: switchdrivers.ModeAccess, Oper: r.Status, Admin: "up"}
		for _, t := range r.Tagging {
			if t == "tagged" {
				p.Mode = switchdrivers.ModeTrunk
			}
		}
		switch {
		case p.Mode != switchdrivers.ModeAccess || len(r.VLANMember) != 1:
		case len(r.VLANID) == 1:
			p.Segment = r.VLANID[0]
		case r.VLANMember[0] == "default":
			p.Segment = "1" // the default VLAN, shown without its tag
		}
		if d, ok := byName[p.Name]; ok {
			p.Admin, p.Description = d.Admin, d.Description
		}
		out = append(out, p)
	}
	return out, nil
}
