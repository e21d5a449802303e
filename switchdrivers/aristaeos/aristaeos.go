// Package aristaeos drives Arista EOS access ports over SSH (package cli:
// scrapligo v1, host keys verified against known_hosts unless
// insecure_host_key=true is given explicitly).
//
// A batch is one EOS configuration session: `configure session NAME`, per
// port `interface X` and `switchport access vlan N`, then `commit`, which
// applies the whole batch at once (a port is never in two VLANs). Any
// error before the commit aborts the session, so nothing was changed.
package aristaeos

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
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

// SessionName names a batch's configuration session after its content,
// so the rendered plan shows the exact commands.
func SessionName(changes []switchdrivers.Change) string {
	h := sha256.New()
	for _, c := range changes {
		fmt.Fprintf(h, "%s %s %s\n", c.Port, c.From, c.To)
	}
	return "cutover-" + hex.EncodeToString(h.Sum(nil))[:8]
}

// Dialect is the EOS dialect.
var Dialect = cli.Dialect{
	Name:         Name,
	Platform:     "arista_eos",
	ValidatePort: ValidatePort,
	Short:        Short,
	Read:         ciscoios.ReadPorts(Name),
	Begin: func(changes []switchdrivers.Change) []string {
		return []string{"configure session " + SessionName(changes)}
	},
	Lines:         ciscoios.AccessLines,
	Commit:        []string{"commit"},
	Abort:         []string{"abort"},
	Transactional: true,
	SaveCommand:   "write memory",
	SaveOK:        "Copy completed successfully",
	MACTable:      macTable,
	Trial: &cli.Trial{
		Begin: func(changes []switchdrivers.Change, _ time.Duration) []string {
			return []string{"configure session " + SessionName(changes)}
		},
		Commit: func(_ []switchdrivers.Change, timeout time.Duration) []string {
			s := max(1, int(timeout.Seconds()))
			return []string{fmt.Sprintf("commit timer %02d:%02d:%02d", s/3600, s/60%60, s%60)}
		},
		Confirm: func(changes []switchdrivers.Change) []string {
			return []string{"configure session " + SessionName(changes) + " commit"}
		},
	},
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

func macTable(s cli.Session) ([]switchdrivers.MACEntry, error) {
	text, err := s.Show("show mac address-table")
	if err != nil {
		return nil, err
	}
	rows, _ := showparse.EOSMACTable(text) // rows it cannot read are passed over, as before the table reader
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		vlan, verr := strconv.Atoi(r.VLANID)
		if verr != nil || len(r.Ports) == 0 {
			continue
		}
		out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: r.Ports[0]})
	}
	return out, nil
}
