// Package cisconxos drives Cisco NX-OS (Nexus) access ports over SSH
// (package cli: scrapligo v1, host keys verified against known_hosts
// unless insecure_host_key=true is given explicitly). A batch is one
// session in line mode, read back before it closes, made all-or-nothing
// by a checkpoint (Cisco, "Configuring Rollback"):
//
//	checkpoint cutover-<hash>-<attempt> description cutover began <time> on <host> pid <pid>
//	configure terminal
//	interface Ethernet1/1
//	switchport access vlan 20
//	end
//	(read-back)
//	no checkpoint cutover-<hash>-<attempt>
//
// A refused line or a lost session rolls the switch back with
// `rollback running-config checkpoint NAME` (atomic, NX-OS's default:
// all of it or nothing), in the same session or a new one, reads the
// ports back and deletes the checkpoint; the error names the line and
// the rollback's outcome. The rollback restores the whole configuration,
// so it is not run when a port outside the batch changed since the
// batch began (another user): the error says so and the engine undoes
// the batch. NX-OS keeps at most ten checkpoints: one left by a killed
// cutover process (its name begins "cutover-" and its description names
// a process of this machine that is no longer running, or says its batch
// began longer ago than StaleAfter) is deleted at the next batch — the
// recovery's, seconds after the kill — and reported in Warnings; any
// other is another cutover batch in progress, and the batch is refused,
// untouched, naming it.
// Checkpoints of other names are never touched. NX-OS's session manager
// ("supports only the ACL feature") and `configure replace` (a whole
// configuration file) are not used; there is no trial.
package cisconxos

import (
	"fmt"
	"regexp"
	"strings"
	"time"

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
	Checkpoint: &cli.Checkpoint{
		Create: func(name, began string) []string {
			return []string{"checkpoint " + name + " description " + describe + began}
		},
		Leave:      []string{"end"},
		Rollback:   func(name string) []string { return []string{"rollback running-config checkpoint " + name} },
		Delete:     func(name string) []string { return []string{"no checkpoint " + name} },
		List:       Checkpoints,
		StaleAfter: StaleAfter,
	},
	Forget: forget,
}

// StaleAfter is how old a cutover checkpoint must be to be taken for a
// leftover of a killed process: far longer than any batch lasts (its
// lines, its read-back and a rollback from a new session, each bounded
// by the session timeout).
const StaleAfter = 15 * time.Minute

// describe begins the description of cutover's checkpoints; the time
// the batch began follows (RFC 3339, UTC).
const describe = "cutover began "

// CmdCheckpoints lists the checkpoints.
const CmdCheckpoints = "show checkpoint summary"

var checkpointHead = regexp.MustCompile(`^\s*\d+\)\s+(\S+):\s*$`)

// Checkpoints reads `show checkpoint summary`: each checkpoint's name
// ("N) NAME:"), creator ("Created by USER") and description; for
// cutover's own, the time its batch began, from the description. An
// output with neither an entry nor a "Checkpoint Summary" header is an
// error (never read as no checkpoints).
func Checkpoints(s cli.Session) ([]cli.CheckpointInfo, error) {
	out, err := s.Show(CmdCheckpoints)
	if err != nil {
		return nil, err
	}
	var list []cli.CheckpointInfo
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r ")
		if m := checkpointHead.FindStringSubmatch(line); m != nil {
			list = append(list, cli.CheckpointInfo{Name: m[1]})
			continue
		}
		if len(list) == 0 {
			continue
		}
		c := &list[len(list)-1]
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Created by "); ok {
			c.User = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Description:"); ok {
			c.Description = strings.TrimSpace(v)
			if stamp, ok := strings.CutPrefix(c.Description, describe); ok {
				if t, o, ok := cli.ParseStamp(stamp); ok {
					c.Began, c.Owner = t, o
				}
			}
		}
	}
	if len(list) == 0 && strings.TrimSpace(out) != "" && !strings.Contains(out, "Checkpoint Summary") {
		return nil, fmt.Errorf("%s: neither a checkpoint nor a summary header in %q", CmdCheckpoints, strings.TrimSpace(out))
	}
	return list, nil
}

// forget deletes the checkpoint of an attempt of this driver that could
// not be deleted (or rolled back) in its own session, if it is still
// there.
func forget(s cli.Session, name string) error {
	list, err := Checkpoints(s)
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.Name == name {
			_, err := s.Config("no checkpoint " + name)
			return err
		}
	}
	return nil
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
