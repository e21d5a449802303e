package showparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cisco Small Business (SG200/300/350/550, CBS) and Dell PowerConnect:
// the same dash-underlined tables, and SG's `show interfaces switchport`
// entries.

// SMBStatus is one row of Cisco SG300 / Dell PowerConnect `show
// interfaces status`.
type SMBStatus struct {
	Port         string `yaml:"port"`
	Type         string `yaml:"type"`
	Duplex       string `yaml:"duplex"`
	Speed        string `yaml:"speed"`
	Neg          string `yaml:"neg"`
	FlowCtrl     string `yaml:"flowctrl"`
	LinkState    string `yaml:"linkstate"`
	BackPressure string `yaml:"backpressure"`
	MDIXMode     string `yaml:"mdixmode"`
}

// smbTitleWords are the words of the line above the header of `show
// interfaces status` ("Flow Link Back Mdix"): the first halves of the
// titles of two-line columns.
var smbTitleWords = map[string]bool{"Flow": true, "Link": true, "Back": true, "Mdix": true, "Mdx": true}

func smbTitleLine(l string) bool {
	fs := strings.Fields(l)
	for _, f := range fs {
		if !smbTitleWords[f] {
			return false
		}
	}
	return len(fs) > 0
}

// smbStatusTable is the ports' table of `show interfaces status`; the
// port-channels' table after it ("Ch Type Duplex ...") is
// smbChannelTable.
var smbStatusTable = NewTable(Spec{
	Command: "show interfaces status",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"type", []string{"Type"}},
		{"duplex", []string{"Duplex"}},
		{"speed", []string{"Speed"}},
		{"neg", []string{"Neg"}},
		{"flowctrl", []string{"Flow ctrl", "ctrl", "Flow control"}},
		{"state", []string{"Link State", "State"}},
		{"backpressure", []string{"Back Pressure", "Pressure"}},
		{"mdix", []string{"Mdix Mode", "Mdx Mode", "Mode"}},
	},
	Signatures: [][]string{{"port", "type", "duplex", "speed", "state"}},
	Skip:       smbTitleLine,
	Stop:       smbChannelHeader,
})

func smbChannelHeader(l string) bool {
	fs := strings.Fields(l)
	return len(fs) > 2 && fs[0] == "Ch" && fs[1] == "Type"
}

var smbChannelTable = NewTable(Spec{
	Command: "show interfaces status",
	Columns: []Column{
		{"port", []string{"Ch"}},
		{"type", []string{"Type"}},
		{"duplex", []string{"Duplex"}},
		{"speed", []string{"Speed"}},
		{"neg", []string{"Neg"}},
		{"flowctrl", []string{"Flow control", "control", "Flow ctrl"}},
		{"state", []string{"Link State", "State"}},
	},
	Signatures: [][]string{{"port", "type", "state"}},
	Skip:       smbTitleLine,
})

// SMBInterfacesStatus parses the ports' table of `show interfaces status`
// of Cisco SG/CBS and Dell PowerConnect switches (SMBChannelsStatus reads
// the port-channels' table after it).
func SMBInterfacesStatus(text string) ([]SMBStatus, Report) {
	return smbStatus(smbStatusTable, text)
}

// SMBChannelsStatus parses the port-channels' table of `show interfaces
// status` ("Ch Type Duplex Speed Neg control State").
func SMBChannelsStatus(text string) ([]SMBStatus, Report) {
	return smbStatus(smbChannelTable, text)
}

func smbStatus(t *Table, text string) ([]SMBStatus, Report) {
	var out []SMBStatus
	rep := t.Read(text, func(r Row) error {
		rec := SMBStatus{Port: r.Cell("port"), Type: r.Cell("type"), Duplex: r.Cell("duplex"), Speed: r.Cell("speed"), Neg: r.Cell("neg"),
			FlowCtrl: r.Cell("flowctrl"), LinkState: r.Cell("state")}
		if t == smbStatusTable {
			rec.BackPressure, rec.MDIXMode = r.Cell("backpressure"), r.Cell("mdix")
		}
		if !isPortWord(rec.Port) || rec.LinkState == "" || strings.Contains(rec.Speed, " ") || strings.Contains(rec.Duplex, " ") {
			return errors.New("not an interface row: no interface name under Port and link state under State")
		}
		out = append(out, rec)
		return nil
	})
	return out, rep
}

// SMBMAC is one row of Cisco SG300 `show mac address-table`.
type SMBMAC struct {
	VLAN string `yaml:"vlan_id"`
	MAC  string `yaml:"destination_address"`
	Port string `yaml:"destination_port"` // "0" for the switch's own addresses
	Type string `yaml:"type"`
}

var smbMACTable = NewTable(Spec{
	Command: "show mac address-table",
	Columns: []Column{
		{"vlan", []string{"Vlan"}},
		{"mac", []string{"Mac Address", "MAC Address"}},
		{"port", []string{"Port"}},
		{"type", []string{"Type"}},
	},
	Signatures: [][]string{{"vlan", "mac", "port"}},
})

// SMBMACTable parses Cisco SG/CBS `show mac address-table`.
func SMBMACTable(text string) ([]SMBMAC, Report) {
	var out []SMBMAC
	rep := smbMACTable.Read(text, func(r Row) error {
		rec := SMBMAC{VLAN: r.Cell("vlan"), MAC: r.Cell("mac"), Port: r.Cell("port"), Type: r.Cell("type")}
		if NormaliseMAC(rec.MAC) == "" || rec.Port == "" || strings.Contains(rec.Port, " ") {
			return errors.New("not a MAC entry: no MAC address under Mac Address and port under Port")
		}
		out = append(out, rec)
		return nil
	})
	return out, rep
}

// SMBVLAN is one VLAN of Cisco SG/CBS `show vlan`. Firmware prints one
// of three layouts: "Vlan Name Ports Type Authorization", "Vlan Name
// Ports Created by", and "Vlan Name Tagged Ports UnTagged Ports Created
// by"; a name or port list too long for its column goes on in the lines
// below, which are joined.
type SMBVLAN struct {
	VLANID        string `yaml:"vlan_id"`
	Name          string `yaml:"vlan_name"`
	Interfaces    string `yaml:"interfaces"` // the Ports column
	Type          string `yaml:"type"`
	Authorization string `yaml:"authorization"`
	CreatedBy     string `yaml:"created_by"`
	TaggedPorts   string `yaml:"tagged_ports"`
	UntaggedPorts string `yaml:"untagged_ports"`
}

var smbVLANTable = NewTable(Spec{
	Command: "show vlan",
	Columns: []Column{
		{"vlan", []string{"Vlan"}},
		{"name", []string{"Name"}},
		{"ports", []string{"Ports"}},
		{"tagged", []string{"Tagged Ports"}},
		{"untagged", []string{"UnTagged Ports", "Untagged Ports"}},
		{"type", []string{"Type"}},
		{"authorization", []string{"Authorization"}},
		{"createdby", []string{"Created by"}},
	},
	Signatures: [][]string{{"vlan", "name", "ports"}, {"vlan", "name", "untagged"}},
	Key:        "vlan",
})

// SMBShowVLAN parses Cisco SG/CBS `show vlan` (every layout). A VLAN
// whose port list (joined over its lines) is not a list of ports and
// ranges is read and reported at its first line.
func SMBShowVLAN(text string) ([]SMBVLAN, Report) {
	var out []SMBVLAN
	var at []Warning // each VLAN's first line
	last := -1       // the line of the last row read into out
	rep := smbVLANTable.Read(text, func(r Row) error {
		if r.Continuation() {
			if last < 0 || r.Line != last+1 {
				return errors.New("a continuation line with no VLAN above it")
			}
			if err := smbPortCells(r); err != nil {
				return err
			}
			v := &out[len(out)-1]
			v.Name += r.Cell("name")
			v.Interfaces += r.Cell("ports")
			v.TaggedPorts += r.Cell("tagged")
			v.UntaggedPorts += r.Cell("untagged")
			last = r.Line
			return nil
		}
		v := SMBVLAN{VLANID: r.Cell("vlan"), Name: r.Cell("name"), Interfaces: r.Cell("ports"), Type: r.Cell("type"),
			Authorization: r.Cell("authorization"), CreatedBy: r.Cell("createdby"), TaggedPorts: r.Cell("tagged"), UntaggedPorts: r.Cell("untagged")}
		if !isVLANID(v.VLANID) {
			return fmt.Errorf("not a VLAN row: %q is not a VLAN ID", v.VLANID)
		}
		if err := smbPortCells(r); err != nil {
			return err
		}
		out = append(out, v)
		at = append(at, Warning{Line: r.Line, Text: r.Text})
		last = r.Line
		return nil
	})
	for i, v := range out {
		for _, l := range []string{v.Interfaces, v.TaggedPorts, v.UntaggedPorts} {
			if err := walkSMBPorts(l, nil); err != nil {
				rep.warn(at[i].Line, at[i].Text, fmt.Sprintf("VLAN %s: its ports are not read: %v", v.VLANID, err))
			}
		}
	}
	return out, rep
}

// smbPortCells checks that the row's port cells hold (parts of) port
// lists: interface names, ranges and commas, no blanks.
func smbPortCells(r Row) error {
	for _, c := range []string{"ports", "tagged", "untagged"} {
		if l := r.Cell(c); strings.Trim(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/,-.") != "" {
			return fmt.Errorf("not a VLAN row: %q is not a port list", l)
		}
	}
	return nil
}

// expandSMBPorts expands a Cisco SG port list: "fa3-4,gi1/0/1-24,Po1-8"
// into fa3, fa4, gi1/0/1 ... gi1/0/24, Po1 ... Po8.
func expandSMBPorts(list string) ([]string, error) {
	var out []string
	err := walkSMBPorts(list, func(p string) { out = append(out, p) })
	return out, err
}

// walkSMBPorts calls port (if not nil) with each port of a Cisco SG port
// list, or says why the list is not one.
func walkSMBPorts(list string, port func(string)) error {
	for list != "" {
		var item string
		item, list, _ = strings.Cut(list, ",")
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		from, to, isRange := strings.Cut(item, "-")
		if !isInterfaceName(from) {
			return fmt.Errorf("%q is not a port", item)
		}
		if !isRange {
			if port != nil {
				port(item)
			}
			continue
		}
		i := len(from)
		for i > 0 && from[i-1] >= '0' && from[i-1] <= '9' {
			i--
		}
		a, b, ok := portRange(from[i:], to)
		if !ok {
			return fmt.Errorf("%q is not a range of ports", item)
		}
		for p := a; port != nil && p <= b; p++ {
			port(from[:i] + strconv.Itoa(p))
		}
	}
	return nil
}

// SMBSwitchport is one port of Cisco SG/CBS `show interfaces switchport`:
// "Key: value" lines, then the VLANs the port is a member of, its
// forbidden VLANs and its classification rules, each a table.
type SMBSwitchport struct {
	Interface           string   `yaml:"interface"`
	Mode                string   `yaml:"interface_mode"`
	GVRPStatus          string   `yaml:"gvrp_status"`
	IngressFiltering    string   `yaml:"ingress_filtering_status"`
	AcceptableFrameType string   `yaml:"acceptable_frame_type"`
	NativeVLAN          string   `yaml:"native_vlan"`
	VLANs               []string `yaml:"vlan_id"`
	VLANNames           []string `yaml:"vlan_name"`
	EgressRules         []string `yaml:"egress_rule"`
	MembershipTypes     []string `yaml:"interface_membership_type"`
	ForbiddenVLANs      []string `yaml:"forbidden_vlan"`
	ForbiddenNames      []string `yaml:"forbidden_vlan_name"`
	MACBasedGroups      []string `yaml:"mac_based_vlan_group_id"`
	MACBasedVLANs       []string `yaml:"mac_based_vlan_id"`
	Line                int      `yaml:"-"` // the line of its "Port :" line
}

var smbSwitchportRecords = Records{
	Command: "show interfaces switchport",
	Start: func(l string) bool {
		key, _, ok := strings.Cut(l, ":")
		return ok && strings.TrimSpace(key) == "Port"
	},
	Outside: func(l string) bool { return strings.Contains(l, "D-Default") }, // "Added by: D-Default, S-Static, ..."
}

// The tables of a switchport entry.
var (
	smbMemberTable = NewTable(Spec{
		Command: "show interfaces switchport",
		Columns: []Column{
			{"vlan", []string{"Vlan"}},
			{"name", []string{"Name"}},
			{"egress", []string{"Egress rule"}},
			{"type", []string{"Port Membership Type", "Membership Type", "Added by", "Created by"}},
		},
		Signatures: [][]string{{"vlan", "egress"}},
	})
	smbForbiddenTable = NewTable(Spec{
		Command:    "show interfaces switchport",
		Columns:    []Column{{"vlan", []string{"Vlan"}}, {"name", []string{"Name"}}},
		Signatures: [][]string{{"vlan"}},
	})
	smbGroupTable = NewTable(Spec{
		Command:    "show interfaces switchport",
		Columns:    []Column{{"group", []string{"Group ID"}}, {"vlan", []string{"Vlan ID"}}},
		Signatures: [][]string{{"group", "vlan"}},
	})
)

// smbSwitchportTitles are the titles of the tables of an entry.
var smbSwitchportTitles = map[string]string{
	"port is member in":    "member",
	"forbidden vlans":      "forbidden",
	"classification rules": "",
	"mac based vlans":      "mac",
	"protocol based vlans": "protocol",
}

// SMBInterfacesSwitchport parses Cisco SG/CBS `show interfaces
// switchport`, for one port or several. Keys other than the documented
// ones ("Protected: Disabled", "Trunking VLANs Enabled") are passed over;
// a row of a table that cannot be read is reported.
func SMBInterfacesSwitchport(text string) ([]SMBSwitchport, Report) {
	var out []SMBSwitchport
	rep := smbSwitchportRecords.Read(text, func(rec *Record) error {
		_, name, _ := strings.Cut(rec.Lines[0].Text, ":")
		sp := SMBSwitchport{Interface: strings.TrimSpace(name), Line: rec.Lines[0].No}
		if !isPortWord(sp.Interface) {
			return fmt.Errorf("not a switchport entry: %q is not an interface name", sp.Interface)
		}
		section, from := "", 0
		endSection := func(to int) {
			lines := rec.Lines[from:to]
			content := contentLines(lines)
			if section != "member" && content <= 1 {
				return // a header and no row: SG prints the forbidden VLANs and rules so when there are none
			}
			switch section {
			case "member":
				rec.ReadTable(smbMemberTable, lines, func(r Row) error {
					if !isVLANID(r.Cell("vlan")) || r.Cell("egress") == "" {
						return errors.New("not a VLAN membership: no VLAN ID under Vlan and egress rule under Egress rule")
					}
					if sp.VLANs == nil { // the four lists, room for every row in one allocation
						n := content
						block := make([]string, 4*n)
						sp.VLANs, sp.VLANNames, sp.EgressRules, sp.MembershipTypes = block[:0:n], block[n:n:2*n], block[2*n:2*n:3*n], block[3*n:3*n:4*n]
					}
					sp.VLANs = append(sp.VLANs, r.Cell("vlan"))
					sp.VLANNames = append(sp.VLANNames, r.Cell("name"))
					sp.EgressRules = append(sp.EgressRules, r.Cell("egress"))
					sp.MembershipTypes = append(sp.MembershipTypes, r.Cell("type"))
					return nil
				})
			case "forbidden":
				rec.ReadTable(smbForbiddenTable, lines, func(r Row) error {
					if !isVLANID(r.Cell("vlan")) {
						return errors.New("not a forbidden VLAN: no VLAN ID under Vlan")
					}
					sp.ForbiddenVLANs = append(sp.ForbiddenVLANs, r.Cell("vlan"))
					sp.ForbiddenNames = append(sp.ForbiddenNames, r.Cell("name"))
					return nil
				})
			case "mac", "protocol":
				rec.ReadTable(smbGroupTable, lines, func(r Row) error {
					if !isNumber(r.Cell("group")) || !isVLANID(r.Cell("vlan")) {
						return errors.New("not a classification rule: no group under Group ID and VLAN under Vlan ID")
					}
					if section == "mac" {
						sp.MACBasedGroups = append(sp.MACBasedGroups, r.Cell("group"))
						sp.MACBasedVLANs = append(sp.MACBasedVLANs, r.Cell("vlan"))
					}
					return nil
				})
			}
		}
		for i := 1; i < len(rec.Lines); i++ {
			l := rec.Lines[i]
			t := strings.TrimSpace(l.Text)
			if title, ok := strings.CutSuffix(t, ":"); ok {
				if s, ok := lookupLower(smbSwitchportTitles, title); ok {
					endSection(i)
					section, from = s, i+1
					continue
				}
			}
			if section != "" || t == "" {
				continue // a table's line: read with its table
			}
			key, val, ok := strings.Cut(t, ":")
			if !ok {
				rec.Skip(l, "not a \"Key: value\" line of a switchport entry")
				continue
			}
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			if strings.Contains(key, "  ") {
				key = strings.Join(strings.Fields(key), " ")
			}
			switch {
			case strings.EqualFold(key, "Port Mode"):
				sp.Mode = val
			case strings.EqualFold(key, "Gvrp Status"):
				sp.GVRPStatus = val
			case strings.EqualFold(key, "Ingress Filtering"):
				sp.IngressFiltering = val
			case strings.EqualFold(key, "Acceptable Frame Type"):
				sp.AcceptableFrameType = val
			case strings.EqualFold(key, "Ingress UnTagged VLAN ( NATIVE )"), strings.EqualFold(key, "Ingress UnTagged VLAN (NATIVE)"):
				sp.NativeVLAN = val
			}
		}
		endSection(len(rec.Lines))
		out = append(out, sp)
		return nil
	})
	return out, rep
}

// contentLines counts the lines that are neither blank nor rules.
func contentLines(lines []Line) int {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l.Text) != "" && !isRule(l.Text) {
			n++
		}
	}
	return n
}

// smbSwitchportPort judges a port's mode and VLAN from its entry: the
// mode the switch names (Access, Trunk), else (General, Customer) from
// the VLANs it is untagged and tagged in; its VLAN is the one it is
// untagged in, or its PVID.
func smbSwitchportPort(sp SMBSwitchport) Port {
	m := newMembership()
	for i, v := range sp.VLANs {
		m.add(sp.Interface, v, strings.EqualFold(sp.EgressRules[i], "Tagged"))
	}
	var r Result
	m.ports(&r)
	p := Port{Name: sp.Interface}
	if len(r.Ports) == 1 {
		p = r.Ports[0]
	}
	switch strings.ToLower(sp.Mode) {
	case "access":
		p.Mode = "access"
	case "trunk":
		p.Mode = "trunk"
	}
	if p.VLAN == "" && p.Mode != "" && isVLANID(sp.NativeVLAN) && len(m.untagged[sp.Interface]) == 0 && len(sp.VLANs) == 0 {
		p.VLAN = sp.NativeVLAN
	}
	return p
}

// The Cisco SG/CBS and Dell PowerConnect commands import reads.
var (
	smbStatusCommand = command{name: "show interfaces status", also: []string{"show interface status"},
		filters: []string{"detailed", "<port>", "ethernet *", "port-channel *", "gigabitethernet *", "fastethernet *", "tengigabitethernet *"},
		table:   smbStatusTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := SMBInterfacesStatus(text)
			chs, crep := SMBChannelsStatus(text)
			if crep.Sections > 0 {
				rows = append(rows, chs...)
				rep = mergeReports(rep, crep)
			}
			for _, row := range rows {
				mergePort(r, Port{Name: row.Port, Status: row.LinkState})
			}
			return rep, nil
		}}
	smbCommands = []command{
		smbStatusCommand,
		{name: "show mac address-table", also: []string{"show mac-address-table"}, filters: []string{"dynamic", "static", "address *", "interface *", "vlan *"},
			table: smbMACTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := SMBMACTable(text)
				for _, row := range rows {
					if row.Port != "0" { // the switch's own address
						r.addMAC(row.MAC, row.VLAN, []string{row.Port})
					}
				}
				return rep, nil
			}},
		{name: "show vlan", filters: []string{"tag *", "name *"}, table: smbVLANTable,
			read: func(text string, r *Result) (Report, error) {
				rows, rep := SMBShowVLAN(text)
				m := newMembership()
				for _, row := range rows {
					v := VLAN{ID: row.VLANID, Name: unlessPlaceholder(row.Name)}
					for _, l := range []struct {
						list   string
						tagged bool
						known  bool
					}{{row.Interfaces, false, false}, {row.UntaggedPorts, false, true}, {row.TaggedPorts, true, true}} {
						ports, _ := expandSMBPorts(l.list) // an unreadable list is reported by the parser
						for _, p := range ports {
							v.Ports = appendNew(v.Ports, p)
							if l.known {
								m.add(p, row.VLANID, l.tagged)
							}
						}
					}
					r.VLANs = append(r.VLANs, v)
				}
				m.ports(r)
				return rep, nil
			}},
		{name: "show interfaces switchport", also: []string{"show interface switchport"}, filters: []string{"<port>", "gigabitethernet *", "fastethernet *", "tengigabitethernet *", "port-channel *"},
			match: func(l string) bool {
				return strings.HasPrefix(strings.TrimSpace(l), "Port is member in")
			},
			read: func(text string, r *Result) (Report, error) {
				rows, rep := SMBInterfacesSwitchport(text)
				for _, row := range rows {
					mergePort(r, smbSwitchportPort(row))
				}
				return rep, nil
			}},
	}
	powerConnectCommands = []command{smbStatusCommand}
)

// mergeReports is the report of two tables read from one output.
func mergeReports(a, b Report) Report {
	a.Read += b.Read
	a.Skipped += b.Skipped
	a.Sections += b.Sections
	a.Warnings = append(a.Warnings, b.Warnings...)
	return a
}
