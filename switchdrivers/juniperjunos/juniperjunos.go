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
// On trial the batch goes through `configure exclusive`, not `configure
// private`: Junos refuses a confirmed commit on a private copy ("You
// cannot issue the commit confirmed command when you are in configure
// private mode", Juniper CLI guide; the device answers "error: commit
// confirmed not supported for private configuration", py-junos-eznc
// PR #954). Exclusive rather than plain `configure` because it locks the
// shared candidate ("One user locks the configuration and makes changes
// without interference from other users", Juniper, Forms of the
// configure Command — napalm's junos driver locks it the same way before
// a confirmed commit) and discards uncommitted changes when the session
// ends, so a lost session leaves nothing behind. The shared candidate
// must hold nothing before the batch (`show | compare` empty): the
// driver never commits somebody else's uncommitted work. The batch is
// committed with `commit confirmed N` (whole minutes); Junos rolls back
// to the previous commit (rollback 1) if no commit follows within N
// minutes. The confirmation is a plain `commit` of the unchanged shared
// candidate from a new session (napalm and Ansible's junos_config
// confirm with a plain commit; "either by typing the commit command
// again or by typing the commit check command"): a plain commit rather
// than `commit check` because it leaves a new entry in the commit
// history, from which a pending trial is read (napalm's
// _get_pending_commits: the newest commit's "commit confirmed, rollback
// in Nmins" and its time against the switch's clock). A cancel is
// `rollback 1` and `commit` (napalm's rollback()).
// Committed configuration is persistent, so Save has nothing to do.
package juniperjunos

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
	"github.com/cutover-net/cutover/switchdrivers/showrows"
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
	ReadRows:      ReadPortRows,
	Begin:         func([]switchdrivers.Change, string) []string { return []string{"configure private"} },
	Lines:         lines,
	Commit:        []string{"commit and-quit"},
	Abort:         []string{"rollback 0", "exit configuration-mode"},
	Transactional: true,
	// An empty private candidate may wait in a prepared session; the
	// trial's `configure exclusive` locks the shared one, so it is
	// entered only when the batch is due.
	BeginAhead: true,
	FailedWhen: []string{"\nerror:", "error: ", "syntax error"},
	Checks:     map[string]func(string) error{cmdCompare: EmptyCompare},
	Trial: &cli.Trial{
		Begin: func([]switchdrivers.Change, string, time.Duration) []string {
			return []string{"configure exclusive", cmdCompare}
		},
		Commit: func(_ []switchdrivers.Change, _ string, timeout time.Duration) []string {
			return []string{fmt.Sprintf("commit confirmed %d", minutes(timeout)), "exit configuration-mode"}
		},
		Pending: PendingCommit,
		Confirm: func(switchdrivers.PendingTrial) []string {
			return []string{"configure exclusive", cmdCompare, "commit", "exit configuration-mode"}
		},
		Cancel: func(switchdrivers.PendingTrial) []string {
			return []string{"configure exclusive", cmdCompare, "rollback 1", "commit", "exit configuration-mode"}
		},
		Leave: []string{"rollback 0", "exit configuration-mode"},
	},
}

// cmdCompare shows the shared candidate's uncommitted changes.
const cmdCompare = "show | compare"

// EmptyCompare accepts a `show | compare` that shows no change (Junos
// prints the [edit] banner only): anything else is another user's
// uncommitted work in the shared candidate, which a commit would make
// live with the batch.
func EmptyCompare(out string) error {
	for _, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); l != "" && l != "[edit]" {
			return fmt.Errorf("the shared candidate configuration already holds uncommitted changes (%q); they are not committed with the batch (Junos discards them when configure exclusive ends)", strings.TrimSpace(out))
		}
	}
	return nil
}

var (
	// 0   2024-04-02 03:35:34 UTC by mist via netconf commit confirmed, rollback in 10mins
	commitRE   = regexp.MustCompile(`(?m)^\s*0\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S+) by (\S+) via \S+(.*)$`)
	rollbackRE = regexp.MustCompile(`commit confirmed, rollback in (\d+)mins?`)
	// Current time: 2024-05-06 06:40:12 UTC
	clockRE = regexp.MustCompile(`(?m)^\s*Current time:\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S+)`)
)

// PendingCommit reads the pending confirmed commit as napalm's junos
// driver does (_get_pending_commits): the newest entry of `show system
// commit` says "commit confirmed, rollback in Nmins", and its time plus
// N minutes is still ahead of the switch's clock (`show system uptime`,
// "Current time:"). The text stays on the entry for good (a real QFX
// history shows it on older entries), so the time decides; a later
// commit, the confirmation or the rollback itself, becomes the newest
// entry.
func PendingCommit(s cli.Session) (*switchdrivers.PendingTrial, error) {
	hist, err := s.Show("show system commit")
	if err != nil {
		return nil, err
	}
	m := commitRE.FindStringSubmatch(hist)
	if m == nil {
		return nil, fmt.Errorf("show system commit: no newest entry (0) in %q", strings.TrimSpace(hist))
	}
	r := rollbackRE.FindStringSubmatch(m[4])
	if r == nil {
		return nil, nil
	}
	clock, err := s.Show("show system uptime")
	if err != nil {
		return nil, err
	}
	c := clockRE.FindStringSubmatch(clock)
	if c == nil {
		return nil, errors.New("show system uptime: no \"Current time:\" line")
	}
	if c[2] != m[2] {
		return nil, fmt.Errorf("show system commit counts in %s, show system uptime in %s", m[2], c[2])
	}
	const layout = "2006-01-02 15:04:05"
	committed, err1 := time.Parse(layout, m[1])
	now, err2 := time.Parse(layout, c[1])
	mins, err3 := strconv.Atoi(r[1])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("show system commit / uptime: %w", err)
	}
	left := committed.Add(time.Duration(mins) * time.Minute).Sub(now)
	if left <= 0 {
		return nil, nil // expired: Junos has rolled it back
	}
	return &switchdrivers.PendingTrial{ID: m[1] + " " + m[2], User: m[3], RevertIn: left, Detail: strings.TrimSpace(m[0])}, nil
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

// Commands the driver reads its ports from.
const (
	CmdSwitching    = "show ethernet-switching interfaces"
	CmdDescriptions = "show interfaces descriptions"
)

// ReadPortRows reads `show ethernet-switching interfaces` (the unit-0
// VLAN memberships: a tagged member is a trunk, otherwise the access
// VLAN is the member's tag; "default", shown without one, is VLAN 1) and
// `show interfaces descriptions` (admin state and description, for the
// interfaces that have one), past the rows it cannot read: each is
// returned with its command, line, text and reason. A row of the first
// that cannot be read may be a VLAN member of the interface above it
// (its members are then incomplete, or the row was an interface whose
// members were read into that one): that interface is among its ports.
// A descriptions row concerns the port it names only: the table lists
// only interfaces that have a description, and gives neither mode nor
// VLAN. An output with lines but no table of its command at all is an
// error: no port of it could be read.
func ReadPortRows(s cli.Session) (switchdrivers.PortRead, error) {
	var pr switchdrivers.PortRead
	text, err := s.Show(CmdSwitching)
	if err != nil {
		return pr, err
	}
	rows, rep := showparse.JunosEthernetSwitchingInterfaces(text)
	if err := showrows.NoTable(CmdSwitching, rep); err != nil {
		return pr, err
	}
	dtext, err := s.Show(CmdDescriptions)
	if err != nil {
		return pr, err
	}
	descs, drep := showparse.JunosInterfaceDescriptions(dtext)
	if err := showrows.NoTable(CmdDescriptions, drep); err != nil {
		return pr, err
	}
	byName := map[string]showparse.JunosDescription{}
	for _, d := range descs {
		byName[d.Interface] = d
	}
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
		pr.Ports = append(pr.Ports, p)
	}
	pr.Unreadable = append(showrows.Rows(CmdSwitching, rep, Short), showrows.Rows(CmdDescriptions, drep, Short)...)
	return pr, nil
}
