// Package ciscoios drives Cisco IOS-XE (and classic IOS Catalyst) access
// ports over SSH (package cli: scrapligo v1, host keys verified against
// known_hosts unless insecure_host_key=true is given explicitly).
//
// A batch is one session in line mode: `configure terminal`, then per
// port `interface X` and `switchport access vlan N` (which replaces the
// VLAN: a port is never in two), then `end`; it is read back before the
// session closes.
//
// On trial the session enters configuration mode with `configure
// terminal revert timer N`, which needs the configuration archive
// (`archive` / `path …`): the driver reads `show archive` first and,
// where it is not enabled, refuses the trial untouched, naming the
// switch, with switchdrivers.ErrTrialUnavailable (the engine then sends
// the batch without a trial and says so, unless trials are required;
// the switch's option `trials: "off"` drives it without trials at all). The timer runs from that line; `configure confirm` from a new
// session keeps the change, `configure revert now` rolls it back at once.
// Whether a trial is pending is read from `show archive config rollback
// timer`, before and after the confirmation.
package ciscoios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
	"github.com/cutover-net/cutover/switchdrivers/showrows"
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
	ReadRows:     ReadPortRows(Name),
	Begin:        func([]switchdrivers.Change, string) []string { return []string{"configure terminal"} },
	Lines:        AccessLines,
	Commit:       []string{"end"},
	// Configuration mode may wait, empty, in a prepared session. Not
	// with a revert timer: entering it arms the rollback (and takes its
	// backup), so a trial's session enters it when the batch is due.
	BeginAhead:  true,
	SaveCommand: "write memory",
	SaveOK:      "[OK]",
	MACTable:    macTable,
	// Entering configuration mode with a revert timer on a switch
	// without the archive: the text Cisco's NSO cisco-ios NED expects
	// (IOSNedCli.java, ENTER_CONFIG_PATTERN).
	FailedWhen: []string{"Turn config archive on"},
	Trial: &cli.Trial{
		// The revert timer counts whole minutes, 1-120 (Cisco IOS
		// Configuration Fundamentals Command Reference, `configure
		// terminal`, `configure revert`; napalm ios.py uses the same range).
		Begin: func(_ []switchdrivers.Change, _ string, timeout time.Duration) []string {
			return []string{fmt.Sprintf("configure terminal revert timer %d", min(120, max(1, int(math.Ceil(timeout.Minutes())))))}
		},
		Commit:  func([]switchdrivers.Change, string, time.Duration) []string { return []string{"end"} },
		Ready:   ArchiveReady,
		Pending: PendingRollback,
		// `configure confirm` keeps the change; `configure revert now`
		// "cancels the timed rollback and reverts immediately" (Command
		// Reference, `configure revert`; napalm ios.py rollback() sends it
		// for a pending change). Only the user who set the timer may do
		// either: the driver logs in as the same user.
		Confirm: func(switchdrivers.PendingTrial) []string { return []string{"configure confirm"} },
		Needs: []string{"a trial needs the configuration archive: `show archive` is read first; without it the batch is sent " +
			"without a trial (configure terminal, the same lines, end; the progress and the journal say so), or refused untouched with --require-trials"},
		Cancel: func(switchdrivers.PendingTrial) []string { return []string{"configure revert now"} },
		// The revert replaces the running configuration with the archive
		// taken when the timer was set (Cisco, Configuration Replace and
		// Configuration Rollback): whatever changed since goes too, so a
		// batch not on trial waits for no pending timer.
		RevertsAll: true,
	},
}

// ArchiveReady refuses a trial on a switch whose configuration archive
// is not enabled. Cisco: "You must configure a configuration archive"
// (Configuration Rollback Confirmed Change, IOS-XE 17); napalm ios.py
// and Ansible's cisco.ios cliconf read `show archive` the same way.
// Enabled is positive evidence only: the next archive file's name.
// "Archive feature not enabled" wraps switchdrivers.ErrTrialUnavailable
// (the engine then sends the batch without a trial, or refuses it with
// --require-trials); any other answer refuses the batch.
func ArchiveReady(s cli.Session) error {
	out, err := s.Show("show archive")
	if err != nil {
		return err
	}
	const advice = "configure `archive` and `path` on the switch, or give it the option trials: \"off\" (or run with --confirm-timeout 0)"
	switch {
	case strings.Contains(out, "The next archive file will be named"):
		return nil
	case strings.Contains(out, "Archive feature not enabled"):
		return fmt.Errorf("%w: a trial (configure terminal revert timer) needs the configuration archive, and `show archive` says %q (configure `archive` and `path` on the switch for trials)", switchdrivers.ErrTrialUnavailable, strings.TrimSpace(out))
	}
	return fmt.Errorf("a trial (configure terminal revert timer) needs the configuration archive, and `show archive` does not show one (%q): %s", strings.TrimSpace(out), advice)
}

// PendingRollback reads the pending Rollback Confirmed Change from `show
// archive config rollback timer`: "%No Rollback Confirmed Change
// pending" when there is none (the text napalm ios.py and its tests
// match), else the lines napalm reads (Time configured, Timer type,
// Timer value, User). Any other answer is "nothing pending" only where
// `show archive` says the archive is not enabled (no trial can be
// pending without it); otherwise it is an error.
func PendingRollback(s cli.Session) (*switchdrivers.PendingTrial, error) {
	const cmd = "show archive config rollback timer"
	out, err := s.Show(cmd)
	if err == nil && strings.Contains(out, "No Rollback Confirmed Change pending") {
		return nil, nil
	}
	fields := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if i := strings.IndexByte(k, '('); i > 0 { // "Time configured(or reset)"
			k = strings.TrimSpace(k[:i])
		}
		fields[k] = strings.TrimSpace(v)
	}
	if err == nil && fields["Timer value"] != "" {
		id := fields["Time configured"]
		if id == "" {
			id = fields["Timer value"]
		}
		return &switchdrivers.PendingTrial{ID: id, User: fields["User"], Detail: strings.TrimSpace(out)}, nil
	}
	archive, aerr := s.Show("show archive")
	if aerr == nil && strings.Contains(archive, "Archive feature not enabled") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: neither a pending change nor \"No Rollback Confirmed Change pending\" in %q", cmd, strings.TrimSpace(out))
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

// ReadPortRows reads the ports from commands (`show interfaces status`
// and `show interfaces switchport`, as platform prints them: IOS, EOS
// and NX-OS share these layouts), past the rows it cannot read: each is
// returned with its command, line, text and reason, and with the ports
// that command's output lacks although the other's has them (the row
// may be one of them). An output with no table of its command at all is
// an error: no port of it could be read.
func ReadPortRows(platform string, commands ...string) func(cli.Session) (switchdrivers.PortRead, error) {
	if len(commands) == 0 {
		commands = []string{showparse.CmdInterfacesStatus, showparse.CmdInterfacesSwitchport}
	}
	return func(s cli.Session) (switchdrivers.PortRead, error) {
		var all showparse.Result
		per := make([]showparse.Result, len(commands))
		for i, c := range commands {
			text, err := s.Show(c)
			if err != nil {
				return switchdrivers.PortRead{}, err
			}
			if err := showparse.Import(platform, c, text, &per[i]); err != nil {
				return switchdrivers.PortRead{}, fmt.Errorf("%s: %w", c, err)
			}
			all.Add(per[i])
		}
		pr := switchdrivers.PortRead{Ports: Ports(all.Ports)}
		for i, c := range commands {
			var lacking []string
			if len(per[i].Warnings) > 0 {
				for _, p := range all.Ports {
					if !slices.ContainsFunc(per[i].Ports, func(q showparse.Port) bool {
						return strings.EqualFold(Short(q.Name), Short(p.Name)) || q.Name == p.Name
					}) {
						lacking = append(lacking, p.Name)
					}
				}
			}
			for _, w := range per[i].Warnings {
				ports := lacking
				if w.Under != "" { // a line of that port's block
					ports = append(slices.Clip(lacking), w.Under)
				}
				pr.Unreadable = append(pr.Unreadable, switchdrivers.UnreadableRow{Command: c, Line: w.Line, Text: w.Text, Reason: w.Reason, Ports: ports})
			}
		}
		return pr, nil
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
	const cmd = "show mac address-table"
	text, err := s.Show(cmd)
	if err != nil {
		return nil, err
	}
	rows, rep := showparse.IOSMACTable(text)
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		if vlan, ok := MACEntryVLAN(r.VLANID); ok && len(r.Ports) > 0 {
			out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: r.Ports[0]})
		}
	}
	return out, UnreadableRows(cmd, rep)
}

// MACEntryVLAN is a MAC table's VLAN cell as a VLAN ID; false for the
// switch's own entries ("All", "N/A", "-": no VLAN of a host).
func MACEntryVLAN(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= 4094
}

// UnreadableRows is the *switchdrivers.UnreadableRowsError of a report's
// warnings (nil when there are none); the driver's cli wraps it with the
// switch's name.
func UnreadableRows(command string, rep showparse.Report) error {
	return showrows.Partial(command, rep)
}
