package showparse

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Commands of Cisco IOS, NX-OS and Arista EOS import understands, by the
// name IOS documents them under.
const (
	CmdInterfacesStatus     = "show interfaces status"
	CmdInterfacesSwitchport = "show interfaces switchport"
	CmdVLAN                 = "show vlan"
	CmdMACTable             = "show mac address-table"
	CmdARP                  = "show ip arp"
)

// Junos commands import understands.
const (
	CmdJunosSwitchingInterfaces = "show ethernet-switching interfaces"
	CmdJunosVLANs               = "show vlans"
	CmdJunosARP                 = "show arp"
)

// Platforms lists the platforms Import parses.
var Platforms = []string{"arista_eos", "aruba_aoscx", "aruba_os", "brocade_fastiron", "cisco_ios", "cisco_nxos", "cisco_s300", "dell_force10", "dell_powerconnect", "extreme_exos", "hp_comware", "hp_procurve", "huawei_vrp", "juniper_junos", "mikrotik_routeros", "ruckus_fastiron", "ubiquiti_edgeswitch"}

// Section is one command's output within a file.
type Section struct {
	File    string // the file it came from, for messages ("" when none)
	Command string // the command as typed at the prompt ("" when unknown)
	Text    string
	Line    int // first line of the output in its file
}

// Split cuts a saved session or show-tech into sections at prompt lines
// ("sw1#show vlan", "<HUAWEI>display vlan"); text without prompts is one
// section of unknown command. Each section's text is the file's lines as
// they are, so line numbers and texts in warnings match the file.
func Split(text string) []Section {
	var out []Section
	cur := Section{Line: 1}
	var buf []string
	flush := func() {
		if strings.TrimSpace(strings.Join(buf, "")) != "" || cur.Command != "" {
			cur.Text = strings.Join(buf, "\n")
			out = append(out, cur)
		}
	}
	for i, raw := range strings.Split(text, "\n") {
		if c, ok := promptCommand(cleanLine(raw)); ok {
			flush()
			cur, buf = Section{Command: c, Line: i + 2}, nil
			continue
		}
		buf = append(buf, raw)
	}
	flush()
	return out
}

// promptCommand returns the command typed after a prompt ("sw1#show
// vlan" -> "show vlan").
func promptCommand(l string) (string, bool) {
	typed, ok := splitPrompt(l)
	return typed, ok && typed != ""
}

// command is one command import reads on a platform.
type command struct {
	name    string                 // as the vendor documents it
	also    []string               // other full spellings of the same command
	filters []string               // trailing arguments that only filter rows: "vlan *" takes a value, "dynamic" does not, "<port>" is a value alone (a word with a digit)
	table   *Table                 // its table's header, for detection; nil when the output is not one table
	match   func(line string) bool // for output without a Table: a line only its output has
	read    func(text string, r *Result) (Report, error)
}

// platformCommands lists what import reads on each platform.
func platformCommands(platform string) ([]command, bool) {
	switch platform {
	case "cisco_ios", "cisco_iosxe":
		return ciscoIOSCommands, true
	case "cisco_nxos":
		return ciscoNXOSCommands, true
	case "arista_eos":
		return aristaEOSCommands, true
	case "juniper_junos":
		return junosCommands, true
	case "aruba_aoscx":
		return aoscxCommands, true
	case "hp_procurve":
		return procurveCommands, true
	case "huawei_vrp":
		return huaweiCommands, true
	case "hp_comware":
		return comwareCommands, true
	case "cisco_s300":
		return smbCommands, true
	case "dell_powerconnect":
		return powerConnectCommands, true
	case "ubiquiti_edgeswitch":
		return edgeSwitchCommands, true
	case "dell_force10":
		return force10Commands, true
	case "brocade_fastiron", "ruckus_fastiron":
		return fastIronCommands, true
	case "extreme_exos":
		return exosCommands, true
	case "mikrotik_routeros":
		return mikrotikCommands, true
	case "aruba_os":
		return arubaOSCommands, true
	}
	return nil, false
}

// Import parses one command's output on platform into r; command is the
// command as typed ("" to detect it from the output).
func Import(platform, command, text string, r *Result) error {
	return ImportSection(platform, Section{Command: command, Text: text, Line: 1}, r)
}

// ImportSection parses one section of saved output into r: its records,
// a Report of the table (rows read and skipped) and a warning for every
// line it could not read, numbered in s.File. It fails — and adds
// nothing — when the platform or command is not one import reads, when
// the command cannot be told from the output, or when the output has no
// table of the command at all.
func ImportSection(platform string, s Section, r *Result) error {
	cmds, ok := platformCommands(platform)
	if !ok {
		return fmt.Errorf("platform %s: import is not implemented yet (supported: %s)", platform, strings.Join(Platforms, ", "))
	}
	var c *command
	var err error
	if strings.TrimSpace(s.Command) == "" {
		c, err = detect(platform, cmds, s.Text)
	} else {
		c, err = resolve(platform, cmds, s.Command)
	}
	if err != nil {
		return err
	}
	var got Result
	rep, err := c.read(s.Text, &got)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return &Error{File: s.File, Line: s.Line + e.Line - 1, Text: e.Text, Msg: e.Msg}
		}
		return err
	}
	rep.Command = c.name
	rep.shift(s.File, s.Line-1)
	if rep.Sections == 0 && len(rep.Warnings) > 0 {
		w := rep.Warnings[0]
		return &Error{File: w.File, Line: w.Line, Text: w.Text, Msg: w.Reason}
	}
	for _, p := range got.Ports {
		mergePort(r, p)
	}
	r.VLANs = append(r.VLANs, got.VLANs...)
	r.MACs = append(r.MACs, got.MACs...)
	r.ARP = append(r.ARP, got.ARP...)
	r.Tables = append(r.Tables, rep)
	r.Warnings = append(r.Warnings, rep.Warnings...)
	return nil
}

// UnsupportedError says a command is not one import reads on a platform.
type UnsupportedError struct {
	Command, Platform string
	Supported         string // the commands it reads there, comma-separated
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("command %q is not one import reads for %s (supported: %s)", e.Command, e.Platform, e.Supported)
}

// ImportFile imports every section of one saved file (see Split): one
// command's output, or a session or show-tech with prompts. command, if
// not "", is the command of the sections no prompt names; without it
// they are detected. In a session, a section of a command import does
// not read (show version, show running-config) is skipped with a warning
// at its prompt line, and one with no output (terminal length 0) is
// passed over; a file that is one such section is an error.
func ImportFile(platform, command, file, text string, r *Result) error {
	sections := Split(text)
	var raw []string
	for _, s := range sections {
		s.File = file
		if s.Command == "" {
			s.Command = command
		}
		err := ImportSection(platform, s, r)
		var unsupported *UnsupportedError
		if err == nil || len(sections) == 1 || s.Line < 2 || !errors.As(err, &unsupported) {
			if err != nil {
				return err
			}
			continue
		}
		if strings.TrimSpace(s.Text) == "" {
			continue
		}
		if raw == nil {
			raw = strings.Split(text, "\n")
		}
		r.Warnings = append(r.Warnings, Warning{File: file, Line: s.Line - 1, Text: cleanLine(raw[s.Line-2]),
			Reason: fmt.Sprintf("output of %q skipped: import reads %s on %s", unsupported.Command, unsupported.Supported, platform)})
	}
	return nil
}

// resolve finds the command typed: each word may be abbreviated as on
// the switch ("sh int status"), the words after the command must be
// filters it documents, and nothing is taken for a longer or shorter
// command ("show vlans" is not "show vlan").
func resolve(platform string, cmds []command, typed string) (*command, error) {
	typed, _, _ = strings.Cut(strings.ToLower(typed), "|") // "| include x" only filters lines
	words := strings.Fields(typed)
	var best []int
	bestExact := -1
	for i, c := range cmds {
		for _, spelling := range append([]string{c.name}, c.also...) {
			exact, ok := matchCommand(strings.Fields(spelling), c.filters, words)
			if !ok {
				continue
			}
			switch {
			case exact > bestExact:
				best, bestExact = []int{i}, exact
			case exact == bestExact && !slices.Contains(best, i):
				best = append(best, i)
			}
		}
	}
	switch len(best) {
	case 1:
		return &cmds[best[0]], nil
	case 0:
		return nil, &UnsupportedError{Command: strings.Join(words, " "), Platform: platform, Supported: commandNames(cmds)}
	}
	var names []string
	for _, i := range best {
		names = append(names, cmds[i].name)
	}
	return nil, fmt.Errorf("command %q is ambiguous for %s: %s", strings.Join(words, " "), platform, strings.Join(names, " or "))
}

// matchCommand says whether typed words are spelling (each word may be
// abbreviated) followed by filters, and how many words were typed in
// full.
func matchCommand(spelling, filters, typed []string) (int, bool) {
	if len(typed) < len(spelling) {
		return 0, false
	}
	exact := 0
	for i, w := range spelling {
		if !strings.HasPrefix(w, typed[i]) {
			return 0, false
		}
		if w == typed[i] {
			exact++
		}
	}
	rest := typed[len(spelling):]
	for len(rest) > 0 {
		found := false
		for _, f := range filters {
			if strings.HasPrefix(f, "<") { // an argument without a keyword: a port or VLAN, which has a digit
				if strings.ContainsAny(rest[0], "0123456789") {
					rest, found = rest[1:], true
					break
				}
				continue
			}
			kw, value := strings.CutSuffix(f, " *")
			if !strings.HasPrefix(kw, rest[0]) {
				continue
			}
			if value {
				if len(rest) < 2 {
					return 0, false
				}
				rest = rest[1:]
			}
			rest, found = rest[1:], true
			break
		}
		if !found {
			return 0, false
		}
	}
	return exact, true
}

func commandNames(cmds []command) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// detect names the command whose output text is: every command of the
// platform is scored on its header signature (the number of its columns
// the best header names) and the best wins. When none matches, the error
// says what was considered, and which other platform's command the
// output looks like, if any.
func detect(platform string, cmds []command, text string) (*command, error) {
	best, score, tie := -1, 0, false
	lines := textLines(text)
	for i := range cmds {
		s := cmds[i].score(lines, text)
		switch {
		case s > score:
			best, score, tie = i, s, false
		case s == score && s > 0 && cmds[i].table != cmds[best].table:
			tie = true
		}
	}
	if best >= 0 && !tie {
		return &cmds[best], nil
	}
	if tie {
		return nil, fmt.Errorf("cannot tell which command produced this output: it matches more than one of %s's (%s); give --command", platform, commandNames(cmds))
	}
	msg := fmt.Sprintf("cannot tell which command produced this output: it has no header of any command import reads for %s (%s)", platform, commandNames(cmds))
	otherScore, others := 0, []string(nil)
	for _, p := range Platforms {
		if p == platform {
			continue
		}
		pcs, _ := platformCommands(p)
		for i := range pcs {
			switch s := pcs[i].score(lines, text); {
			case s > otherScore:
				otherScore, others = s, []string{p + " " + pcs[i].name}
			case s == otherScore && s > 0:
				others = append(others, p+" "+pcs[i].name)
			}
		}
	}
	if len(others) > 0 {
		msg += fmt.Sprintf("; it looks like the output of %s: check --platform", strings.Join(others, " or "))
	}
	return nil, fmt.Errorf("%s; give --command", msg)
}

// score is how well text matches the command's output: the number of its
// columns its best header names, or 1 if a line matches its match.
func (c *command) score(lines []string, text string) int {
	if c.table != nil {
		if s := c.table.Score(text); s > 0 || c.match == nil {
			return s
		}
	}
	if c.match != nil && slices.ContainsFunc(lines, c.match) {
		return 1
	}
	return 0
}

// legacyReport is the Report of a parser not on the table reader yet: n
// rows read, none skipped (it fails on a row it cannot read).
func legacyReport(n int) Report { return Report{Read: n, Sections: 1} }

// The Cisco and Arista commands: tables on the table reader.

var (
	iosStatusCommand = command{name: CmdInterfacesStatus, also: []string{"show interface status"}, table: statusTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSInterfacesStatus(text)
			for _, row := range rows {
				mergePort(r, Port{Name: row.Port, Mode: modeFromVLAN(row.VLANID), VLAN: vlanValue(row.VLANID), Status: row.Status, Description: unlessPlaceholder(row.Name)})
			}
			return rep, nil
		}}
	iosSwitchportCommand = command{name: CmdInterfacesSwitchport, also: []string{"show interface switchport"},
		match: func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "Switchport: ") },
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSInterfacesSwitchport(text)
			for _, row := range rows {
				mergePort(r, switchportPort(row.Interface, switchportMode(row.Switchport, row.Mode, row.AdminMode), row.AccessVLAN, row.NativeVLAN))
			}
			return rep, nil
		}}
	iosVLANCommand = command{name: CmdVLAN, also: []string{"show vlan brief"}, filters: []string{"id *", "name *", "all-ports"}, table: vlanTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSShowVLAN(text)
			for _, row := range rows {
				r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: row.Name, Status: row.Status, Ports: row.Interfaces})
			}
			return rep, nil
		}}
	macFilters    = []string{"address *", "dynamic", "static", "interface *", "vlan *"}
	iosMACCommand = command{name: CmdMACTable, also: []string{"show mac-address-table"}, filters: macFilters, table: macTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSMACTable(text)
			for _, row := range rows {
				r.addMAC(row.Address, row.VLANID, row.Ports)
			}
			return rep, nil
		}}
	iosARPCommand = command{name: CmdARP, filters: []string{"vrf *"}, table: arpTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSARPTable(text)
			for _, row := range rows {
				r.addARP(row.IP, row.MAC, row.Interface)
			}
			return rep, nil
		}}
	iosErrDisabledCommand = command{name: CmdErrDisabled, also: []string{"show interface status err-disabled"}, table: statusTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSErrDisabledTable(text)
			for _, row := range rows {
				mergePort(r, Port{Name: row.Interface, Status: row.Status, Description: unlessPlaceholder(row.Name)})
			}
			return rep, nil
		}}
	iosVLANsCommand = command{name: CmdVLANs,
		match: func(l string) bool { _, ok := vlansStart(strings.TrimSpace(l)); return ok },
		read: func(text string, r *Result) (Report, error) {
			rows, rep := IOSShowVLANs(text)
			for _, row := range rows {
				r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Ports: row.Interfaces})
			}
			return rep, nil
		}}
	ciscoIOSCommands = []command{iosStatusCommand, iosSwitchportCommand, iosVLANCommand, iosMACCommand, iosARPCommand,
		{name: "show arp", table: arpTable, read: iosARPCommand.read}, iosVLANsCommand, iosErrDisabledCommand, runningConfigCommand(false),
		interfacesCommand(CmdInterfaces, "show interface")}
	ciscoNXOSCommands = []command{
		{name: "show interface status", also: []string{CmdInterfacesStatus}, table: statusTable, read: iosStatusCommand.read},
		{name: "show interface switchport", also: []string{CmdInterfacesSwitchport}, match: iosSwitchportCommand.match,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := NXOSInterfaceSwitchport(text)
				for _, row := range rows {
					mergePort(r, switchportPort(row.Interface, switchportMode(row.Switchport, row.Mode, ""), row.AccessVLAN, row.NativeVLAN))
				}
				return rep, nil
			}},
		{name: CmdVLAN, also: iosVLANCommand.also, filters: iosVLANCommand.filters, table: vlanTable,
			// `show vlan brief | json`: NX-OS's JSON of the same table.
			match: func(l string) bool { return strings.Contains(l, `"TABLE_vlanbriefxbrief"`) },
			read: func(text string, r *Result) (Report, error) {
				if !strings.HasPrefix(strings.TrimSpace(text), "{") {
					return iosVLANCommand.read(text, r)
				}
				rows, rep := NXOSShowVLANJSON(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: row.Name, Status: row.Status, Ports: row.Interfaces})
				}
				return rep, nil
			}},
		interfacesCommand("show interface", "show interfaces"),
		{name: CmdMACTable, filters: macFilters, table: macTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := NXOSMACTable(text)
				for _, row := range rows {
					r.addMAC(row.Address, row.VLANID, strings.Split(row.Ports, ","))
				}
				return rep, nil
			}},
		{name: CmdARP, also: []string{"show ip arp detail"}, filters: []string{"vrf *"}, table: arpTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := NXOSARPDetailTable(text) // the physical interface is "" without detail
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
		{name: CmdInterfaceBrief, table: briefTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := NXOSInterfaceBriefTable(text)
				for _, row := range rows {
					p := Port{Name: row.Interface, Status: row.Status, Description: unlessPlaceholder(row.Description)}
					switch row.Mode {
					case "access", "trunk":
						p.Mode = row.Mode
						if isVLANID(row.VLANID) {
							p.VLAN = row.VLANID // the access VLAN; a trunk's native VLAN
						}
					case "routed":
						p.Mode = "routed"
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
	}
	aristaEOSCommands = []command{iosStatusCommand, iosSwitchportCommand, iosVLANCommand, runningConfigCommand(true),
		{name: CmdMACTable, filters: macFilters, table: eosMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := EOSMACTable(text)
				for _, row := range rows {
					r.addMAC(row.Address, row.VLANID, row.Ports)
				}
				return rep, nil
			}},
		{name: CmdARP, filters: []string{"vrf *"}, table: arpTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := EOSARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
	}
)

// interfacesCommand reads IOS `show interfaces` and NX-OS `show
// interface`: every interface's state and description, and on NX-OS its
// port mode.
func interfacesCommand(name, also string) command {
	return command{name: name, also: []string{also},
		match: func(l string) bool {
			_, state, protocol, ok := ifStart(l)
			return ok && (protocol != "" || strings.Contains(state, "("))
		},
		read: func(text string, r *Result) (Report, error) {
			rows, rep := CiscoShowInterfaces(text)
			for _, row := range rows {
				p := Port{Name: row.Interface, Status: row.portStatus(), Description: row.Description}
				switch row.PortMode {
				case "access", "trunk", "routed":
					p.Mode = row.PortMode
				}
				mergePort(r, p)
			}
			return rep, nil
		}}
}

// runningConfigCommand reads the interface and VLAN sections of an IOS
// or (eos) EOS configuration.
func runningConfigCommand(eos bool) command {
	return command{name: CmdRunningConfig, also: []string{"show startup-config"},
		filters: []string{"interface *", "interfaces *", "all"}, // EOS: show running-config interfaces Ethernet1
		match: func(l string) bool {
			return strings.HasPrefix(l, "interface ") || strings.HasPrefix(l, "Current configuration")
		},
		read: func(text string, r *Result) (Report, error) {
			c, rep := runningConfig(text)
			for _, i := range c.Interfaces {
				p := Port{Name: i.Interface, Mode: i.configMode(eos), Description: i.Description}
				switch p.Mode {
				case "access":
					p.VLAN = cmp.Or(i.AccessVLAN, "1")
				case "trunk":
					p.VLAN = cmp.Or(i.NativeVLAN, "1")
				}
				if i.Shutdown {
					p.Status = "disabled"
				}
				mergePort(r, p)
			}
			for _, v := range c.VLANs {
				r.VLANs = append(r.VLANs, VLAN{ID: v.ID, Name: v.Name})
			}
			return rep, nil
		}}
}

// The other platforms' commands: parsers not on the table reader yet
// (they fail on a row they cannot read).

var (
	junosCommands = []command{
		{name: CmdJunosSwitchingInterfaces, also: []string{"show ethernet-switching interface"}, filters: []string{"brief"}, table: junosESITable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := JunosEthernetSwitchingInterfaces(text)
				for _, row := range rows {
					name, _, _ := strings.Cut(row.Interface, ".")
					p := Port{Name: name, Mode: "access", Status: row.Status}
					if row.PortTagging == "tagged" || slices.Contains(row.Tagging, "tagged") {
						p.Mode = "trunk"
					}
					if p.Mode == "access" && len(row.VLANID) == 1 {
						p.VLAN = row.VLANID[0]
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
		{name: CmdJunosVLANs, filters: []string{"brief"}, table: junosVLANsTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := JunosShowVLANs(text)
				for _, row := range rows {
					if row.Tag == "" {
						continue // no VLAN ID to report it under (a VLAN without vlan-id)
					}
					ports := []string{}
					for _, i := range row.Interfaces {
						name, _, _ := strings.Cut(strings.TrimSuffix(i, "*"), ".")
						ports = append(ports, name)
					}
					r.VLANs = append(r.VLANs, VLAN{ID: row.Tag, Name: row.Name, Ports: ports})
				}
				return rep, nil
			}},
		{name: CmdJunosARP, also: []string{"show arp no-resolve"}, filters: []string{"no-resolve", "interface *", "vpn *", "hostname *"}, table: junosARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := JunosARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
		{name: "show ethernet-switching table", filters: []string{"brief", "interface *", "vlan-name *", "vlan-id *", "vlan *"}, table: junosMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := JunosEthernetSwitchingTable(text)
				for _, row := range rows {
					port, _, _ := strings.Cut(row.Interface, ".")
					r.addMAC(row.MAC, row.VLANName, []string{port})
				}
				return rep, nil
			}},
		{name: "show interfaces descriptions", table: junosDescriptionsTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := JunosInterfaceDescriptions(text)
				for _, row := range rows {
					mergePort(r, Port{Name: row.Interface, Description: row.Description})
				}
				return rep, nil
			}},
	}
	aoscxCommands = []command{
		{name: "show interface", also: []string{"show interfaces"},
			match: func(l string) bool { _, _, _, ok := aoscxHeader(l); return ok },
			read: func(text string, r *Result) (Report, error) {
				rows, rep := AOSCXShowInterface(text)
				for _, row := range rows {
					p := Port{Name: row.Interface, Status: row.LinkStatus, Description: row.Description}
					switch row.VLANMode {
					case "access":
						p.Mode, p.VLAN = "access", row.VLANAccess
					case "":
						p.Mode = "routed"
					default: // native-untagged, native-tagged
						p.Mode, p.VLAN = "trunk", row.VLANNative
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
		{name: "show vlan", table: aoscxVLANTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := AOSCXShowVLAN(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status, Ports: row.Interfaces})
				}
				return rep, nil
			}},
		{name: "show mac-address-table", filters: []string{"vlan *", "port *", "dynamic", "static"}, table: aoscxMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := AOSCXMACTable(text)
				for _, row := range rows {
					r.addMAC(row.MAC, row.VLAN, []string{row.Port})
				}
				return rep, nil
			}},
		{name: "show arp", also: []string{"show arp all-vrfs"}, filters: []string{"vrf *"}, table: aoscxARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := AOSCXARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Port)
				}
				return rep, nil
			}},
	}
	procurveCommands = []command{
		{name: "show interfaces status", also: []string{"show interface status"}, table: procurveStatusTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ProCurveInterfacesStatus(text)
				for _, row := range rows {
					p := Port{Name: row.Port, Status: row.Status, Description: row.Name}
					switch {
					case row.VLANTagged != "No": // "multi" or one VLAN
						p.Mode = "trunk"
						if isNumber(row.VLANUntagged) {
							p.VLAN = row.VLANUntagged
						}
					case isNumber(row.VLANUntagged):
						p.Mode, p.VLAN = "access", row.VLANUntagged
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
		{name: "show interfaces brief", also: []string{"show interface brief"}, table: procurveBriefTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ProCurveInterfacesBrief(text)
				for _, row := range rows {
					mergePort(r, Port{Name: row.Port, Status: row.Status})
				}
				return rep, nil
			}},
		{name: "show vlans", table: procurveVLANTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ProCurveShowVLANs(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status})
				}
				return rep, nil
			}},
		{name: "show mac-address", filters: []string{"vlan *"}, table: procurveMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ProCurveMACTable(text)
				for _, row := range rows {
					r.addMAC(row.MAC, row.VLAN, []string{row.Port})
				}
				return rep, nil
			}},
		{name: "show arp", table: procurveARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ProCurveARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Port)
				}
				return rep, nil
			}},
	}
	huaweiCommands = []command{
		{name: "display port vlan", table: huaweiPortVLANTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := HuaweiDisplayPortVLAN(text)
				for _, row := range rows {
					p := Port{Name: row.Interface, VLAN: row.PVID}
					switch row.LinkType {
					case "access":
						p.Mode = "access"
					case "":
						p.VLAN = "" // an Eth-Trunk member: its trunk carries the VLANs
					default: // trunk, hybrid: the PVID is the untagged VLAN
						p.Mode = "trunk"
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
		{name: "display interface brief", table: huaweiBriefTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := HuaweiDisplayInterfaceBrief(text)
				for _, row := range rows {
					name, _, _ := strings.Cut(row.Interface, "(")
					mergePort(r, Port{Name: name, Status: row.PHY})
				}
				return rep, nil
			}},
		{name: "display arp all", also: []string{"display arp"}, filters: []string{"interface *", "vpn-instance *", "dynamic", "static"}, table: huaweiARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := HuaweiARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
		{name: "display vlan", also: []string{"display vlan brief"}, table: huaweiVLANTable, read: readHuaweiVLANs},
	}
	comwareCommands = []command{
		{name: "display interface brief", table: comwareBriefTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ComwareDisplayInterfaceBrief(text)
				for _, row := range rows {
					p := Port{Name: row.Interface, Status: row.Link, Description: unlessPlaceholder(row.Description)}
					switch row.Type {
					case "A":
						p.Mode, p.VLAN = "access", row.VLANID
					case "T", "H":
						p.Mode, p.VLAN = "trunk", row.VLANID
					case "":
						if row.VLANID == "" { // a route-mode row
							p.Mode = "routed"
						}
					}
					mergePort(r, p)
				}
				return rep, nil
			}},
		{name: "display mac-address", filters: []string{"vlan *", "interface *", "dynamic", "static"}, table: comwareMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ComwareMACTable(text)
				for _, row := range rows {
					r.addMAC(row.MAC, row.VLAN, []string{row.Interface})
				}
				return rep, nil
			}},
		{name: "display arp", filters: []string{"all", "dynamic", "static", "vlan *", "interface *"}, table: comwareARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ComwareARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
		{name: "display vlan all",
			match: func(l string) bool {
				k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
				return ok && k == "VLAN ID" && isVLANID(strings.TrimSpace(v))
			},
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ComwareDisplayVLANAll(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: row.Name, Ports: slices.Concat(row.UntaggedPorts, row.TaggedPorts)})
				}
				return rep, nil
			}},
		{name: "display vlan brief", table: comwareVLANBriefTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ComwareDisplayVLANBrief(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: row.Name, Ports: row.Ports})
				}
				return rep, nil
			}},
	}
	arubaOSCommands = []command{
		{name: "show vlan", table: procurveVLANTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ArubaOSShowVLAN(text)
				for _, row := range rows {
					r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status})
				}
				return rep, nil
			}},
		{name: "show arp", table: arubaOSARPTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := ArubaOSARPTable(text)
				for _, row := range rows {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
				return rep, nil
			}},
	}
)

// readHuaweiVLANs reads Huawei `display vlan`: one VLAN per VLAN ID,
// with the ports of all its groups.
func readHuaweiVLANs(text string, r *Result) (Report, error) {
	rows, rep := HuaweiDisplayVLAN(text)
	at := map[string]int{}
	for _, row := range rows {
		i, ok := at[row.VLANID]
		if !ok {
			name := row.Name
			if name == "" {
				name = row.Description
			}
			at[row.VLANID] = len(r.VLANs)
			r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: name, Status: row.Status, Ports: []string{}})
			i = len(r.VLANs) - 1
		}
		r.VLANs[i].Ports = append(r.VLANs[i].Ports, row.Interface...)
	}
	return rep, nil
}

func (r *Result) addMAC(addr, vlan string, ports []string) {
	port := ""
	if len(ports) > 0 {
		port = ports[0]
	}
	r.MACs = append(r.MACs, MAC{MAC: NormaliseMAC(addr), VLAN: unlessPlaceholder(vlan), Port: port})
}

func (r *Result) addARP(ip, mac, iface string) {
	r.ARP = append(r.ARP, ARP{IP: ip, MAC: NormaliseMAC(mac), Interface: iface})
}

func isNumber(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// unlessPlaceholder is s, or "" when s is what a switch prints for "no
// value" ("--", "-", "N/A").
func unlessPlaceholder(s string) string {
	switch s {
	case "--", "-", "N/A", "n/a":
		return ""
	}
	return s
}

// modeFromVLAN reads the Vlan column of `show interfaces status`: a VLAN
// number is an access port; "trunk" and "routed" say so; anything else
// ("unassigned", "f-path", "pvlan prom", "--") says nothing.
func modeFromVLAN(v string) string {
	switch {
	case v == "trunk":
		return "trunk"
	case v == "routed":
		return "routed"
	case isVLANID(v):
		return "access"
	}
	return ""
}

func vlanValue(v string) string {
	if modeFromVLAN(v) == "access" {
		return v
	}
	return ""
}

// switchportPort is a port of `show interface(s) switchport` in mode:
// an access port in its access VLAN, a trunk in its native one.
func switchportPort(name, mode, access, native string) Port {
	p := Port{Name: name, Mode: mode}
	switch mode {
	case "access":
		p.VLAN = access
	case "trunk":
		p.VLAN = native
	}
	return p
}

// switchportMode reads `show interface(s) switchport`: "Switchport:
// Disabled" is a routed port; otherwise the operational mode ("static
// access", "trunk (member of bundle Po5)"), or, on a port that is down
// ("down", "down (suspended member of bundle)"), the administrative one.
// A mode DTP settles only when the link comes up ("dynamic auto") or one
// that is neither access nor trunk (private VLAN, tunnel, FEX fabric)
// says nothing: "".
func switchportMode(switchport, oper, admin string) string {
	if strings.EqualFold(switchport, "Disabled") {
		return "routed"
	}
	mode := func(m string) string {
		m, _, _ = strings.Cut(strings.ToLower(m), "(")
		switch strings.TrimSpace(m) {
		case "trunk", "static trunk":
			return "trunk"
		case "access", "static access":
			return "access"
		}
		return ""
	}
	if o, _, _ := strings.Cut(strings.TrimSpace(strings.ToLower(oper)), " "); o == "" || o == "down" {
		return mode(admin)
	}
	return mode(oper)
}

// Add merges o into r: its ports into r's (see mergePort), the rest
// appended.
func (r *Result) Add(o Result) {
	for _, p := range o.Ports {
		mergePort(r, p)
	}
	r.VLANs = append(r.VLANs, o.VLANs...)
	r.MACs = append(r.MACs, o.MACs...)
	r.ARP = append(r.ARP, o.ARP...)
	r.Tables = append(r.Tables, o.Tables...)
	r.Warnings = append(r.Warnings, o.Warnings...)
}

// mergePort adds p, filling in an existing record of the same port
// (spelt long or short: GigabitEthernet1/0/1 is Gi1/0/1; the first
// spelling stays).
func mergePort(r *Result, p Port) {
	for i := range r.Ports {
		q := &r.Ports[i]
		if !sameInterface(q.Name, p.Name) {
			continue
		}
		if p.Mode != "" {
			q.Mode = p.Mode
		}
		if p.VLAN != "" {
			q.VLAN = p.VLAN
		}
		if q.Status == "" {
			q.Status = p.Status
		}
		if q.Description == "" {
			q.Description = p.Description
		}
		return
	}
	r.Ports = append(r.Ports, p)
}
