// Package arubaaoscx drives Aruba AOS-CX access ports over SSH (package
// cli: scrapligo v1 with a platform definition of its own, host keys
// verified against known_hosts unless insecure_host_key=true is given
// explicitly).
//
// A batch is one SSH session in line mode: `configure terminal`, per port
// `interface 1/1/N` and `vlan access V` (which replaces the access VLAN:
// never two on a port), `end`, then a read-back of `show interface`.
// Lines apply one by one, so a failure part-way leaves the engine to undo
// what landed (as on IOS). `Save` is `write memory`.
//
// On trial (the default; `trials: "off"` turns it off) the batch runs
// in AOS-CX's auto checkpoint mode (HPE, "checkpoint auto"):
//
//	checkpoint auto N          (minutes, 1-60: the trial's timeout, rounded up)
//	configure terminal
//	interface 1/1/1
//	vlan access 20
//	end
//
// and the step's guard, once passed, confirms it from a new session with
// `checkpoint auto confirm`; otherwise the switch restores the
// configuration from before at the end of the N minutes. A batch that
// fails part-way on trial is cancelled at once, from a new session, so
// nothing of it remains. HPE documents neither how a pending auto
// checkpoint shows nor how to cancel one, nor a confirmation from
// another session: the driver assumes (contracts/aoscx.yaml, README)
// that `show checkpoint list all` lists it as AUTO<time> of type "auto",
// that `checkpoint rollback AUTO<time>` cancels it, and that the mode
// belongs to the switch, not to the session that started it. Where
// these do not hold, run with trials off. The revert restores the whole
// configuration, so a batch not on trial is refused, untouched, while a
// trial (anyone's) is pending.
package arubaaoscx

import (
	_ "embed"
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
const Name = "aruba_aoscx"

//go:embed platform.yaml
var platformYAML []byte

var portRE = regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{1,3}$`)

// ValidatePort accepts AOS-CX Ethernet interfaces member/slot/port (1/1/1).
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an AOS-CX interface such as 1/1/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

func lines(changes []switchdrivers.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, "interface "+c.Port, "vlan access "+c.To)
	}
	return out
}

// Dialect is the AOS-CX dialect.
var Dialect = cli.Dialect{
	Name:         Name,
	PlatformYAML: platformYAML,
	ValidatePort: ValidatePort,
	Short:        func(s string) string { return s },
	ReadRows:     ReadPortRows,
	Begin:        func([]switchdrivers.Change, string) []string { return []string{"configure terminal"} },
	Lines:        lines,
	Commit:       []string{"end"},
	BeginAhead:   true, // configuration mode may wait, empty, in a prepared session
	SaveCommand:  "write memory",
	SaveOK:       "Success",
	FailedWhen:   []string{"Invalid input", "does not exist", "% Command incomplete"},
	MACTable:     macTable,
	Trial: &cli.Trial{
		Begin: func(_ []switchdrivers.Change, _ string, timeout time.Duration) []string {
			return []string{fmt.Sprintf("checkpoint auto %d", TrialMinutes(timeout)), "configure terminal"}
		},
		Commit:          func([]switchdrivers.Change, string, time.Duration) []string { return []string{"end"} },
		Pending:         PendingAuto,
		Confirm:         func(switchdrivers.PendingTrial) []string { return []string{"checkpoint auto confirm"} },
		Cancel:          func(p switchdrivers.PendingTrial) []string { return []string{"checkpoint rollback " + p.ID} },
		CancelOnFailure: true,
		RevertsAll:      true,
	},
}

// TrialMinutes is the interval of `checkpoint auto` for a trial of
// timeout: whole minutes, rounded up, within AOS-CX's 1-60.
func TrialMinutes(timeout time.Duration) int {
	m := int((timeout + time.Minute - 1) / time.Minute)
	return min(max(m, 1), 60)
}

// CmdCheckpoints lists the checkpoints with their types.
const CmdCheckpoints = "show checkpoint list all"

// PendingAuto reads the auto checkpoint pending confirmation: the row of
// `show checkpoint list all` whose TYPE is "auto" (an assumption: see
// the package comment). A listing without its header is an error.
func PendingAuto(s cli.Session) (*switchdrivers.PendingTrial, error) {
	out, err := s.Show(CmdCheckpoints)
	if err != nil {
		return nil, err
	}
	header := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(strings.Trim(line, "| \r"))
		if len(f) >= 2 && f[0] == "NAME" && strings.Trim(f[1], "|") == "TYPE" {
			header = true
			continue
		}
		if !header || len(f) < 2 {
			continue
		}
		for i := range f {
			f[i] = strings.Trim(f[i], "|")
		}
		if f[1] == "auto" {
			// WRITER says User or System, not who: no PendingTrial.User.
			return &switchdrivers.PendingTrial{ID: f[0], Detail: "auto checkpoint " + f[0] + " pending confirmation: " + strings.Join(f, " ")}, nil
		}
	}
	if !header {
		return nil, fmt.Errorf("%s: no NAME/TYPE header in %q", CmdCheckpoints, strings.TrimSpace(out))
	}
	return nil, nil
}

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration { return Dialect.Registration() }

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) { return Dialect.Open(cfg) }

// CmdInterface is the command the driver reads its ports from.
const CmdInterface = "show interface"

// ReadPortRows reads `show interface`: the physical ports, their VLAN
// mode (access with its VLAN, trunk for the native-* modes, routed when
// the port has no VLAN mode — AOS-CX's default), states and description,
// past the lines it cannot read: each is returned with its line, text
// and reason, and with the interface whose block it cut (what that
// block printed after it is not read, so that port's state is not
// known). A port whose own first line could not be read is not read at
// all. An output with lines but no interface block at all is an error.
func ReadPortRows(s cli.Session) (switchdrivers.PortRead, error) {
	var pr switchdrivers.PortRead
	text, err := s.Show(CmdInterface)
	if err != nil {
		return pr, err
	}
	rows, rep := showparse.AOSCXShowInterface(text)
	if err := showrows.NoTable(CmdInterface, rep); err != nil {
		return pr, err
	}
	for _, r := range rows {
		if ValidatePort(r.Interface) != nil {
			continue // VLAN interfaces, LAGs, loopbacks
		}
		p := switchdrivers.PortState{Name: r.Interface, Admin: r.LinkAdmin, Oper: r.LinkStatus, Description: r.Description}
		switch r.VLANMode {
		case "access":
			p.Mode, p.Segment = switchdrivers.ModeAccess, r.VLANAccess
		case "":
			p.Mode = switchdrivers.ModeRouted
		default:
			p.Mode = switchdrivers.ModeTrunk
		}
		pr.Ports = append(pr.Ports, p)
	}
	pr.Unreadable = showrows.Rows(CmdInterface, rep, func(s string) string { return s })
	return pr, nil
}

func macTable(s cli.Session) ([]switchdrivers.MACEntry, error) {
	const cmd = "show mac-address-table"
	text, err := s.Show(cmd)
	if err != nil {
		return nil, err
	}
	rows, rep := showparse.AOSCXMACTable(text)
	if err := showrows.NoTable(cmd, rep); err != nil {
		return nil, err
	}
	err = showrows.Partial(cmd, rep) // the entries read, and the rows that were not
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		if vlan, err := strconv.Atoi(r.VLAN); err == nil {
			out = append(out, switchdrivers.MACEntry{MAC: r.MAC, VLAN: vlan, Port: r.Port})
		}
	}
	return out, err
}
