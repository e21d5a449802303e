package showparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Brocade FastIron and Ruckus ICX (the same FastIron software): `show
// interfaces brief` (a table), `show vlan` (one entry per VLAN) and the
// `vlan` sections of `show running-config`.

// FastIronBrief is one row of Brocade FastIron `show interfaces brief`.
type FastIronBrief struct {
	Interface string `yaml:"interface"`
	LinkState string `yaml:"linkstate"`
	PortState string `yaml:"portstate"`
	Duplex    string `yaml:"duplex"`
	Speed     string `yaml:"speed"`
	TrunkID   string `yaml:"trunkid"`
	TagOnly   string `yaml:"tagonly"`
	PVID      string `yaml:"pvid"`
	Priority  string `yaml:"priority"`
	MAC       string `yaml:"mac"`
	// Name is the port name as printed (the switch cuts it to the
	// column's width; it may hold blanks).
	Name string `yaml:"name"`
}

// fastIronBriefTable is `show interfaces brief`. Its header names the
// columns one blank apart ("Dupl Speed Trunk Tag Pvid Pri MAC"); the rows
// are padded to the titles.
var fastIronBriefTable = NewTable(Spec{
	Command: "show interfaces brief",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"link", []string{"Link"}},
		{"state", []string{"State"}},
		{"duplex", []string{"Dupl", "Duplex"}},
		{"speed", []string{"Speed", "Spd"}},
		{"trunk", []string{"Trunk"}},
		{"tag", []string{"Tag"}},
		{"pvid", []string{"Pvid"}},
		{"pri", []string{"Pri", "Priority"}},
		{"mac", []string{"MAC"}},
		{"name", []string{"Name"}},
	},
	Signatures: [][]string{{"port", "link", "state", "tag", "pvid"}},
})

// FastIronInterfacesBrief parses FastIron `show interfaces brief`. A row
// is read by the header's columns; a row whose cells do not fit them (a
// port name or speed wider than its column) is read word by word in the
// order the columns are documented, the port name last.
func FastIronInterfacesBrief(text string) ([]FastIronBrief, Report) {
	var out []FastIronBrief
	rep := fastIronBriefTable.Read(text, func(r Row) error {
		rec, err := fastIronBriefRow(r)
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, rep
}

func fastIronBriefRow(r Row) (FastIronBrief, error) {
	rec := FastIronBrief{Interface: r.Cell("port"), LinkState: r.Cell("link"), PortState: r.Cell("state"), Duplex: r.Cell("duplex"),
		Speed: r.Cell("speed"), TrunkID: r.Cell("trunk"), TagOnly: r.Cell("tag"), PVID: r.Cell("pvid"), Priority: r.Cell("pri"),
		MAC: r.Cell("mac"), Name: r.Cell("name")}
	if fastIronBriefOK(rec, r) {
		return rec, nil
	}
	// Word by word: ten one-word values, then the name.
	fs := r.Fields()
	if len(fs) >= 10 {
		w := FastIronBrief{Interface: fs[0], LinkState: fs[1], PortState: fs[2], Duplex: fs[3], Speed: fs[4], TrunkID: fs[5],
			TagOnly: fs[6], PVID: fs[7], Priority: fs[8], MAC: fs[9], Name: strings.Join(fs[10:], " ")}
		if fastIronBriefOK(w, r) {
			return w, nil
		}
	}
	return FastIronBrief{}, errors.New("not an interface row: no port, link state, tag (Yes/No), PVID and MAC address under Port, Link, Tag, Pvid and MAC")
}

// fastIronBriefOK checks the cells whose values FastIron documents.
func fastIronBriefOK(b FastIronBrief, r Row) bool {
	one := func(s string) bool { return s != "" && !strings.Contains(s, " ") }
	return one(b.Interface) && one(b.LinkState) && one(b.PortState) && one(b.PVID) && one(b.Priority) &&
		(b.TagOnly == "Yes" || b.TagOnly == "No" || b.TagOnly == "N/A") &&
		(NormaliseMAC(b.MAC) != "" || b.MAC == "None" || !r.Has("mac") && b.MAC == "")
}

// RuckusBrief is one row of Ruckus ICX (FastIron) `show interfaces brief`.
type RuckusBrief struct {
	Port     string `yaml:"port"`
	Link     string `yaml:"link"`
	State    string `yaml:"state"`
	Duplex   string `yaml:"duplex"`
	Speed    string `yaml:"speed"`
	Trunk    string `yaml:"trunk"`
	Tag      string `yaml:"tag"`
	VLANID   string `yaml:"vlan_id"`
	Priority string `yaml:"priority"`
	MAC      string `yaml:"mac_address"`
	Name     string `yaml:"name"`
}

// RuckusInterfacesBrief parses Ruckus ICX `show interfaces brief` (the
// FastIron table under the field names of the Ruckus reference).
func RuckusInterfacesBrief(text string) ([]RuckusBrief, Report) {
	rows, rep := FastIronInterfacesBrief(text)
	out := make([]RuckusBrief, len(rows))
	for i, r := range rows {
		out[i] = RuckusBrief{r.Interface, r.LinkState, r.PortState, r.Duplex, r.Speed, r.TrunkID, r.TagOnly, r.PVID, r.Priority, r.MAC, r.Name}
	}
	return out, rep
}

// FastIronVLAN is one VLAN of FastIron `show vlan`.
type FastIronVLAN struct {
	ID      string
	Name    string // "" for "[None]"
	Members []FastIronMember
	Line    int // the line of its "PORT-VLAN" header
}

// FastIronMember is one port listed under a VLAN of `show vlan`.
type FastIronMember struct {
	Status string // "Untagged", "Tagged", "DualMode", "Uplink" (the word before "Ports:")
	Stack  string // the unit of "(U1/M2)"
	Slot   string // the module of "(U1/M2)", the slot of "(S2)"
	LAG    string // the group printed when it is neither (the ICX "(LAG)")
	Port   string // the number printed
}

// Name is the member's interface name as FastIron prints it elsewhere:
// unit/module/port (1/2/3), slot/port (2/3), lgN for a LAG, the bare port
// number otherwise.
func (m FastIronMember) Name() string {
	switch {
	case m.Stack != "":
		return m.Stack + "/" + m.Slot + "/" + m.Port
	case m.Slot != "":
		return m.Slot + "/" + m.Port
	case strings.EqualFold(m.LAG, "LAG"):
		return "lg" + m.Port
	case m.LAG != "":
		return m.LAG + "/" + m.Port
	}
	return m.Port
}

// RuckusVLANPort is one port of one VLAN of `show vlan`, as the Ruckus
// reference lists them.
type RuckusVLANPort struct {
	VLANID   string `yaml:"vlan_id"`
	VLANName string `yaml:"vlan_name"`
	Status   string `yaml:"status"`
	StackID  string `yaml:"stack_id"`
	Slot     string `yaml:"slot"`
	Port     string `yaml:"port"`
	LAG      string `yaml:"lag"`
}

// fastIronVLANRecords are the entries of `show vlan`: "PORT-VLAN 10,
// Name x, Priority level0, Spanning tree Off" and the port lists under it,
// after the counts ("Total PORT-VLAN entries: 4", "Maximum ...") and the
// legend.
var fastIronVLANRecords = Records{
	Command: "show vlan",
	Start:   func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "PORT-VLAN ") },
	Outside: func(l string) bool {
		l = strings.TrimSpace(l)
		return strings.HasPrefix(l, "Legend:") || strings.HasPrefix(strings.ToLower(l), "total ") || strings.HasPrefix(l, "Maximum ")
	},
}

// FastIronShowVLAN parses FastIron `show vlan`: per VLAN its ID, name and
// member ports. A port list reads "None", or an optional group in
// parentheses — "(U1/M1)" (unit/module), "(S2)" (slot) or "(LAG)" — and
// port numbers, ranges written "N to M" too, or whole port names as a
// configuration writes them ("ethe 1/1/1 to 1/1/4"). Lines with other keys
// ("Monitoring: Disabled", "Associated Virtual Interface Id: 10") say
// nothing of membership and are passed over; a port list that cannot be
// read is reported.
func FastIronShowVLAN(text string) ([]FastIronVLAN, Report) {
	var out []FastIronVLAN
	rep := fastIronVLANRecords.Read(text, func(rec *Record) error {
		v, err := fastIronVLANHeader(rec.Lines[0].Text)
		if err != nil {
			return err
		}
		v.Line = rec.Lines[0].No
		for _, l := range rec.Lines[1:] {
			t := strings.TrimSpace(l.Text)
			if t == "" {
				continue
			}
			key, val, ok := strings.Cut(t, ":")
			if !ok || !keyShaped(key) {
				rec.Skip(l, "not a \"Key: value\" line of a VLAN entry")
				continue
			}
			kind, isPorts := strings.CutSuffix(strings.TrimSpace(key), " Ports")
			if !isPorts || kind == "Mac-Vlan" {
				continue // not a list of member ports
			}
			ms, err := fastIronPortList(strings.TrimSpace(val))
			if err != nil {
				rec.Skip(l, err.Error())
				continue
			}
			for _, m := range ms {
				m.Status = kind
				v.Members = append(v.Members, m)
			}
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

// fastIronVLANHeader reads "PORT-VLAN 10, Name x, Priority level0, ...".
func fastIronVLANHeader(l string) (FastIronVLAN, error) {
	l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "PORT-VLAN "))
	id, rest, _ := strings.Cut(l, ",")
	id = strings.TrimSpace(id)
	if !isVLANID(id) {
		return FastIronVLAN{}, fmt.Errorf("not a VLAN entry: %q is not a VLAN ID", id)
	}
	v := FastIronVLAN{ID: id}
	rest = strings.TrimSpace(rest)
	if name, ok := strings.CutPrefix(rest, "Name "); ok {
		// The name runs up to the next documented field (it may hold
		// blanks and commas).
		if i := strings.Index(name, ", Priority"); i >= 0 {
			name = name[:i]
		} else if i := strings.LastIndex(name, ","); i >= 0 {
			name = name[:i]
		}
		if v.Name = strings.TrimSpace(name); v.Name == "[None]" {
			v.Name = ""
		}
	}
	return v, nil
}

// fastIronPortList reads the value of a "... Ports:" line.
func fastIronPortList(s string) ([]FastIronMember, error) {
	if s == "" || strings.EqualFold(s, "None") {
		return nil, nil
	}
	var grp FastIronMember
	if strings.HasPrefix(s, "(") {
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return nil, fmt.Errorf("a port list whose group %q is not closed", s)
		}
		g := s[1:end]
		s = s[end+1:]
		var u, m string
		switch {
		case strings.HasPrefix(g, "U") && strings.Contains(g, "/M"):
			u, m, _ = strings.Cut(g[1:], "/M")
			if !isNumber(u) || !isNumber(m) {
				return nil, fmt.Errorf("a port list whose group (%s) is not (U<unit>/M<module>)", g)
			}
			grp.Stack, grp.Slot = u, m
		case len(g) > 1 && g[0] == 'S' && isNumber(g[1:]):
			grp.Slot = g[1:]
		case g != "" && !strings.ContainsAny(g, " \t"):
			grp.LAG = g
		default:
			return nil, fmt.Errorf("a port list whose group (%s) is not one FastIron prints", g)
		}
	}
	var out []FastIronMember
	fs := strings.Fields(s)
	for i := 0; i < len(fs); i++ {
		w := fs[i]
		if strings.EqualFold(w, "ethe") || strings.EqualFold(w, "ethernet") {
			continue
		}
		if grp == (FastIronMember{}) && strings.Contains(w, "/") && fastIronPortName(w) { // "ethe 1/1/1 to 1/1/4": whole port names
			names := []string{w}
			if i+2 < len(fs) && fs[i+1] == "to" {
				var err error
				if names, err = fastIronRange(w, fs[i+2]); err != nil {
					return nil, err
				}
				i += 2
			}
			for _, n := range names {
				out = append(out, FastIronMember{Port: n})
			}
			continue
		}
		if !isNumber(w) {
			return nil, fmt.Errorf("%q is not a port number", w)
		}
		if i+2 < len(fs) && fs[i+1] == "to" && isNumber(fs[i+2]) { // "1 to 24"
			from, to, ok := portRange(w, fs[i+2])
			if !ok {
				return nil, fmt.Errorf("%q is not a range of ports", strings.Join(fs[i:i+3], " "))
			}
			for p := from; p <= to; p++ {
				m := grp
				m.Port = strconv.Itoa(p)
				out = append(out, m)
			}
			i += 2
			continue
		}
		m := grp
		m.Port = w
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, errors.New("a port list with a group but no port")
	}
	return out, nil
}

// RuckusShowVLAN lists every member port of every VLAN of `show vlan` as
// the Ruckus reference does: one record per port, untagged and tagged
// (dual-mode and uplink ports too).
func RuckusShowVLAN(text string) ([]RuckusVLANPort, Report) {
	vs, rep := FastIronShowVLAN(text)
	var out []RuckusVLANPort
	for _, v := range vs {
		for _, m := range v.Members {
			out = append(out, RuckusVLANPort{VLANID: v.ID, VLANName: unlessNone(v.Name), Status: m.Status, StackID: m.Stack, Slot: m.Slot, Port: m.Port, LAG: m.LAG})
		}
	}
	return out, rep
}

// unlessNone is s, or "[None]" for "" (how FastIron prints a VLAN without
// a name).
func unlessNone(s string) string {
	if s == "" {
		return "[None]"
	}
	return s
}

// FastIronConfigVLAN is one `vlan` section of a FastIron configuration
// (`show running-config`, `show running-config vlan`).
type FastIronConfigVLAN struct {
	VLANID        string `yaml:"vlan_id"`
	VLANName      string `yaml:"vlan_name"`     // the name, without quotes
	By            string `yaml:"by"`            // "port" for "by port" (the VLAN's kind)
	TaggedPorts   string `yaml:"taggedports"`   // as configured: "ethe 1/1/24 ethe 2/1/1 to 2/1/4"
	UntaggedPorts string `yaml:"untaggedports"` // as configured
	SpanningTree  string `yaml:"spanningtree"`  // "no" for "no spanning-tree"
	// Tagged and Untagged are the ports of TaggedPorts and UntaggedPorts,
	// ranges expanded (1/1/3 to 1/1/5: 1/1/3, 1/1/4, 1/1/5).
	Tagged, Untagged []string `yaml:"-"`
	// Rings are the metro rings configured in the VLAN (metro-ring N and
	// the lines under it).
	Rings []FastIronMetroRing `yaml:"-"`
	Line  int                 `yaml:"-"` // the line of its "vlan" line
}

// FastIronMetroRing is a `metro-ring` of a VLAN section.
type FastIronMetroRing struct {
	ID         string // metro-ring N
	Interfaces string // ring-interfaces ...
	Enable     string // "enable" when enabled
	Master     string // "master" on the ring's master
	Diag       string // "diagnostics" when enabled
	Name       string // name ...
}

// MarshalYAML writes the section under the reference's field names, its
// first four rings as metroid1, metrointerfaces1, ... metroname4.
func (v FastIronConfigVLAN) MarshalYAML() (any, error) {
	m := map[string]string{"vlan_id": v.VLANID, "vlan_name": v.VLANName, "by": v.By, "taggedports": v.TaggedPorts,
		"untaggedports": v.UntaggedPorts, "spanningtree": v.SpanningTree}
	for i := range 4 {
		var r FastIronMetroRing
		if i < len(v.Rings) {
			r = v.Rings[i]
		}
		n := strconv.Itoa(i + 1)
		m["metroid"+n], m["metrointerfaces"+n], m["metroconfenable"+n] = r.ID, r.Interfaces, r.Enable
		m["metroconfmaster"+n], m["metroconfdiag"+n], m["metroname"+n] = r.Master, r.Diag, r.Name
	}
	return m, nil
}

// fastIronConfigRecords are the `vlan` sections of a configuration: a
// "vlan N ..." line at the left margin and the indented lines under it,
// up to "!" or the next line at the margin. Everything else in a
// configuration is another section, not read here.
var fastIronConfigRecords = Records{
	Command: "show running-config vlan",
	Start:   func(l string) bool { return strings.HasPrefix(l, "vlan ") },
	End:     func(l string) bool { return !strings.HasPrefix(l, " ") },
	Outside: func(string) bool { return true },
}

// FastIronRunningConfigVLAN parses the `vlan` sections of a FastIron
// configuration. A member list reads as FastIron writes it: "ethe" (or
// "ethernet", "lag") before a port, "to" between the ends of a range.
// Lines of a section the parser does not know (router-interface, an
// IGMP setting) are passed over; a member list that cannot be read is
// reported.
func FastIronRunningConfigVLAN(text string) ([]FastIronConfigVLAN, Report) {
	var out []FastIronConfigVLAN
	rep := fastIronConfigRecords.Read(text, func(rec *Record) error {
		v, err := fastIronConfigVLANLine(rec.Lines[0].Text)
		if err != nil {
			return err
		}
		v.Line = rec.Lines[0].No
		var ring *FastIronMetroRing
		for _, l := range rec.Lines[1:] {
			fs := strings.Fields(l.Text)
			if len(fs) == 0 {
				continue
			}
			switch {
			case fs[0] == "tagged" || fs[0] == "untagged":
				ports, err := fastIronConfigPorts(fs[1:])
				if err != nil {
					rec.Skip(l, err.Error())
					continue
				}
				list := strings.Join(fs[1:], " ")
				if fs[0] == "tagged" {
					v.TaggedPorts = joinList(v.TaggedPorts, list)
					v.Tagged = append(v.Tagged, ports...)
				} else {
					v.UntaggedPorts = joinList(v.UntaggedPorts, list)
					v.Untagged = append(v.Untagged, ports...)
				}
			case len(fs) == 2 && fs[0] == "no" && fs[1] == "spanning-tree":
				v.SpanningTree = "no"
			case fs[0] == "metro-ring" && len(fs) == 2:
				v.Rings = append(v.Rings, FastIronMetroRing{ID: fs[1]})
				ring = &v.Rings[len(v.Rings)-1]
			case ring != nil && fs[0] == "ring-interfaces":
				ring.Interfaces = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l.Text), "ring-interfaces"))
			case ring != nil && len(fs) == 1 && fs[0] == "enable":
				ring.Enable = "enable"
			case ring != nil && len(fs) == 1 && fs[0] == "master":
				ring.Master = "master"
			case ring != nil && len(fs) == 1 && fs[0] == "diagnostics":
				ring.Diag = "diagnostics"
			case ring != nil && fs[0] == "name" && len(fs) > 1:
				ring.Name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l.Text), "name"))
			}
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

func joinList(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// fastIronConfigVLANLine reads "vlan 10 [name NAME] [by port]".
func fastIronConfigVLANLine(l string) (FastIronConfigVLAN, error) {
	fs := strings.Fields(l)
	if len(fs) < 2 || !isVLANID(fs[1]) {
		return FastIronConfigVLAN{}, errors.New("not a VLAN section: no VLAN ID after \"vlan\"")
	}
	v := FastIronConfigVLAN{VLANID: fs[1]}
	rest := fs[2:]
	if n := len(rest); n >= 2 && rest[n-2] == "by" {
		v.By, rest = rest[n-1], rest[:n-2]
	}
	if len(rest) > 0 && rest[0] == "name" {
		v.VLANName = strings.Trim(strings.Join(rest[1:], " "), `"`)
		rest = nil
	}
	if len(rest) > 0 {
		return FastIronConfigVLAN{}, fmt.Errorf("a VLAN section whose line has %q where a name or \"by port\" is documented", strings.Join(rest, " "))
	}
	return v, nil
}

// fastIronConfigPorts expands a configured member list: "ethe 1/1/3 to
// 1/1/5 ethe 1/1/7" or "ethernet 2", "lag 3".
func fastIronConfigPorts(fs []string) ([]string, error) {
	var out []string
	kind := ""
	for i := 0; i < len(fs); i++ {
		w := fs[i]
		switch strings.ToLower(w) {
		case "ethe", "ethernet", "eth", "e":
			kind = ""
			continue
		case "lag":
			kind = "lg"
			continue
		}
		if !fastIronPortName(w) {
			return nil, fmt.Errorf("%q is not a port", w)
		}
		if i+2 < len(fs) && fs[i+1] == "to" {
			ports, err := fastIronRange(w, fs[i+2])
			if err != nil {
				return nil, err
			}
			for _, p := range ports {
				out = append(out, kind+p)
			}
			i += 2
			continue
		}
		out = append(out, kind+w)
	}
	if len(out) == 0 {
		return nil, errors.New("a member list with no port")
	}
	return out, nil
}

// fastIronPortName says whether w is a FastIron port number: 3, 1/3 or
// 1/1/3.
func fastIronPortName(w string) bool {
	parts := strings.Split(w, "/")
	if len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if !isNumber(p) {
			return false
		}
	}
	return true
}

// fastIronRange expands "1/1/3 to 1/1/5": the ends differ in their last
// number only.
func fastIronRange(from, to string) ([]string, error) {
	if !fastIronPortName(to) {
		return nil, fmt.Errorf("%q is not a port", to)
	}
	fi, ti := strings.LastIndexByte(from, '/'), strings.LastIndexByte(to, '/')
	if from[:fi+1] != to[:ti+1] {
		return nil, fmt.Errorf("%s to %s is not a range of one module", from, to)
	}
	a, b, ok := portRange(from[fi+1:], to[ti+1:])
	if !ok {
		return nil, fmt.Errorf("%s to %s is not a range of ports", from, to)
	}
	var out []string
	for p := a; p <= b; p++ {
		out = append(out, from[:fi+1]+strconv.Itoa(p))
	}
	return out, nil
}

// fastIronCommands are the FastIron / ICX commands import reads.
var fastIronCommands = []command{
	{name: "show interfaces brief", also: []string{"show interface brief"}, filters: []string{"wide", "ethernet *", "lag *", "to *"},
		table: fastIronBriefTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := FastIronInterfacesBrief(text)
			for _, row := range rows {
				p := Port{Name: row.Interface, Status: row.LinkState, Description: row.Name}
				switch {
				case row.TagOnly == "Yes":
					p.Mode = "trunk"
				case row.TagOnly == "No" && isNumber(row.PVID):
					p.Mode = "access"
				}
				if p.Mode != "" && isVLANID(row.PVID) {
					p.VLAN = row.PVID
				}
				mergePort(r, p)
			}
			return rep, nil
		}},
	{name: "show vlan",
		match: func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "PORT-VLAN ") },
		read: func(text string, r *Result) (Report, error) {
			vs, rep := FastIronShowVLAN(text)
			m := newMembership()
			for _, v := range vs {
				vlan := VLAN{ID: v.ID, Name: v.Name}
				for _, mb := range v.Members {
					name := mb.Name()
					vlan.Ports = appendNew(vlan.Ports, name)
					switch mb.Status {
					case "Untagged":
						m.add(name, v.ID, false)
					case "Tagged":
						m.add(name, v.ID, true)
					case "DualMode": // untagged in this VLAN, tagged in others
						m.add(name, v.ID, false)
						m.trunk(name)
					}
				}
				r.VLANs = append(r.VLANs, vlan)
			}
			m.ports(r)
			return rep, nil
		}},
	{name: "show running-config", also: []string{"show running-config vlan"},
		match: func(l string) bool {
			fs := strings.Fields(l)
			return len(fs) >= 2 && fs[0] == "vlan" && isVLANID(fs[1]) && !strings.HasPrefix(l, " ")
		},
		read: func(text string, r *Result) (Report, error) {
			vs, rep := FastIronRunningConfigVLAN(text)
			m := newMembership()
			for _, v := range vs {
				vlan := VLAN{ID: v.VLANID, Name: v.VLANName}
				for _, p := range v.Untagged {
					vlan.Ports = appendNew(vlan.Ports, p)
					m.add(p, v.VLANID, false)
				}
				for _, p := range v.Tagged {
					vlan.Ports = appendNew(vlan.Ports, p)
					m.add(p, v.VLANID, true)
				}
				r.VLANs = append(r.VLANs, vlan)
			}
			m.ports(r)
			return rep, nil
		}},
}
