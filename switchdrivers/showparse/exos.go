package showparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Extreme EXOS: `show vlan description`, `show iparp`, `show ports
// information` (tables) and `show ports information detail` (one entry
// per port).

// EXOSVLANDescription is one row of Extreme EXOS `show vlan description`.
type EXOSVLANDescription struct {
	Name        string `yaml:"vlan_name"`
	ID          string `yaml:"vlan_id"`
	Description string `yaml:"description"`
}

// exosLegend recognises the lines EXOS prints under its tables: the
// legend of a truncated value ("> Indicates description string truncated
// past 57 characters") and counts ("Total number of VLAN(s) : 3469").
func exosLegend(l string) bool {
	return strings.HasPrefix(l, ">") || strings.HasPrefix(l, "Total number of")
}

var exosVLANDescTable = NewTable(Spec{
	Command: "show vlan description",
	Columns: []Column{
		{"name", []string{"Name"}},
		{"vid", []string{"VID"}},
		{"description", []string{"Description"}},
	},
	Signatures: [][]string{{"name", "vid", "description"}},
	Skip:       exosLegend,
})

// isEXOSVID says whether s is a VLAN tag EXOS prints: 1-4095 (4095 is the
// management VLAN's).
func isEXOSVID(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 4095 && s[0] != '+'
}

// EXOSShowVLANDescription parses EXOS `show vlan description`.
func EXOSShowVLANDescription(text string) ([]EXOSVLANDescription, Report) {
	var out []EXOSVLANDescription
	rep := exosVLANDescTable.Read(text, func(r Row) error {
		v := EXOSVLANDescription{Name: r.Cell("name"), ID: r.Cell("vid"), Description: r.Cell("description")}
		if v.Name == "" || strings.Contains(v.Name, " ") || !isEXOSVID(v.ID) {
			return errors.New("not a VLAN row: no VLAN name under Name and tag under VID")
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

// EXOSARP is one entry of EXOS `show iparp`.
type EXOSARP struct {
	VR          string `yaml:"vr"`
	Destination string `yaml:"destination"`
	MAC         string `yaml:"mac_address"` // "incomplete" for an entry not resolved yet
	Age         string `yaml:"age"`
	Static      string `yaml:"static"`
	VLANName    string `yaml:"vlan_name"`
	VLANID      string `yaml:"vlan_id"`
	Port        string `yaml:"port"`
}

// exosARPSummary are the first words of the settings and counters EXOS
// prints under the `show iparp` table ("Dynamic Entries  :  4", "ARP
// address check:  Enabled").
var exosARPSummary = []string{"Dynamic Entries", "Pending Entries", "In Request", "Out Request", "Failed Request", "Proxy Answered",
	"Rx Error", "Rejected Count", "Rejected Port", "Max Entries", "Max ARP Entries", "Max Pending", "Max Proxy", "ARP address check",
	"Timeout", "Distributed mode", "ARP Sender-Mac", "Locktime", "Retransmit Time", "Reachable Time", "Fast Convergence", "ARP Global Settings"}

func exosSummary(l string) bool {
	for _, p := range exosARPSummary {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

var exosARPTable = NewTable(Spec{
	Command: "show iparp",
	Columns: []Column{
		{"vr", []string{"VR"}},
		{"destination", []string{"Destination"}},
		{"mac", []string{"Mac"}},
		{"age", []string{"Age"}},
		{"static", []string{"Static"}},
		{"vlan", []string{"VLAN"}},
		{"vid", []string{"VID"}},
		{"port", []string{"Port"}},
	},
	Signatures: [][]string{{"destination", "mac", "vlan"}},
	Stop:       exosSummary,
})

// EXOSIPARP parses EXOS `show iparp`. A MAC address in parentheses (an
// entry being resolved) is read without them.
func EXOSIPARP(text string) ([]EXOSARP, Report) {
	var out []EXOSARP
	rep := exosARPTable.Read(text, func(r Row) error {
		a := EXOSARP{VR: r.Cell("vr"), Destination: r.Cell("destination"), MAC: strings.Trim(r.Cell("mac"), "()"), Age: r.Cell("age"),
			Static: r.Cell("static"), VLANName: r.Cell("vlan"), VLANID: r.Cell("vid"), Port: r.Cell("port")}
		if !isIPv4(a.Destination) || NormaliseMAC(a.MAC) == "" && a.MAC != "incomplete" {
			return errors.New("not an ARP entry: no IP address under Destination and MAC address under Mac")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// EXOSPortInfo is one row of EXOS `show ports information`.
type EXOSPortInfo struct {
	Interface  string `yaml:"interface"`
	Flags      string `yaml:"flags"`
	LinkState  string `yaml:"link_state"`
	ELSM       string `yaml:"elsm"`
	OAM        string `yaml:"oam"`
	LinkUps    string `yaml:"link_ups"`
	NumSTP     string `yaml:"num_stp"`
	NumVLAN    string `yaml:"num_vlan"`
	NumProto   string `yaml:"num_proto"`
	JumboSize  string `yaml:"jumbo_size"`
	QOSProfile string `yaml:"qos_profile"`
	LoadMaster string `yaml:"load_master"`
}

// exosPortsTable is `show ports information`: a header over two lines
// ("Link" over "State", "Num" over "VLAN", ...) whose first line names
// the columns one blank apart.
var exosPortsTable = NewTable(Spec{
	Command: "show ports information",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"flags", []string{"Flags"}},
		{"state", []string{"Link State", "Link"}},
		{"elsm", []string{"ELSM /OAM", "ELSM"}},
		{"ups", []string{"Link UPS", "Link"}},
		{"stp", []string{"Num STP", "Num"}},
		{"vlan", []string{"Num VLAN", "Num"}},
		{"proto", []string{"Num Proto", "Num"}},
		{"jumbo", []string{"Jumbo Size", "Jumbo"}},
		{"qos", []string{"QOS profile", "QOS"}},
		{"load", []string{"Load Master", "Load"}},
	},
	Signatures: [][]string{{"port", "flags", "state", "jumbo"}},
	Stop: func(l string) bool {
		return strings.HasPrefix(l, ">") || strings.HasPrefix(l, "Flags ") || strings.HasPrefix(l, "Flags:")
	},
})

// EXOSPortsInformation parses EXOS `show ports information`.
func EXOSPortsInformation(text string) ([]EXOSPortInfo, Report) {
	var out []EXOSPortInfo
	rep := exosPortsTable.Read(text, func(r Row) error {
		p := EXOSPortInfo{Interface: r.Cell("port"), Flags: r.Cell("flags"), LinkState: r.Cell("state"), LinkUps: r.Cell("ups"),
			NumSTP: r.Cell("stp"), NumVLAN: r.Cell("vlan"), NumProto: r.Cell("proto"), JumboSize: r.Cell("jumbo"), QOSProfile: r.Cell("qos"),
			LoadMaster: r.Cell("load")}
		elsm, oam, _ := strings.Cut(r.Cell("elsm"), "/")
		p.ELSM, p.OAM = strings.TrimSpace(elsm), strings.TrimSpace(oam)
		if p.Interface == "" || strings.Contains(p.Interface, " ") || p.LinkState == "" || strings.Contains(p.LinkState, " ") ||
			p.Flags == "" || strings.Contains(p.Flags, " ") {
			return errors.New("not a port row: no port, flags and link state under Port, Flags and Link State")
		}
		out = append(out, p)
		return nil
	})
	return out, rep
}

// EXOSPortDetail is one port of EXOS `show ports information detail`.
type EXOSPortDetail struct {
	Interface       string   `yaml:"interface"`
	Description     string   `yaml:"description"`
	VirtualRouter   string   `yaml:"virtual_router"`
	Type            string   `yaml:"type"`
	RandomEarlyDrop string   `yaml:"random_early_drop"`
	AdminState      string   `yaml:"admin_state"`
	LinkState       string   `yaml:"link_state"` // its first word: "Ready" of "Ready (local fault)"
	LinkUpsNum      string   `yaml:"link_ups_num"`
	LinkUpsLast     string   `yaml:"link_ups_last"`
	LinkDownsNum    string   `yaml:"link_downs_num"`
	LinkDownsLast   string   `yaml:"link_downs_last"`
	VLANIDs         []string `yaml:"vlan_id"` // the "Port-specific VLAN ID" lines
	// VLANs are the VLANs of "VLAN cfg:": "802.1Q Tag = N" for a VLAN the
	// port carries tagged, "Internal Tag = N" for the one it carries
	// untagged.
	VLANs []EXOSPortVLAN `yaml:"-"`
	Line  int            `yaml:"-"` // the line of its "Port:" line
}

// EXOSPortVLAN is one VLAN of a port's "VLAN cfg:".
type EXOSPortVLAN struct {
	Name   string
	Tag    string
	Tagged bool
}

// exosPortStart recognises "Port:   1" and "Port: 1:25" (not
// "Port-specific VLAN ID:").
func exosPortStart(l string) bool {
	key, _, ok := strings.Cut(l, ":")
	return ok && strings.TrimSpace(key) == "Port"
}

var exosDetailRecords = Records{
	Command: "show ports information detail",
	Start:   exosPortStart,
}

// The keys of `show ports information detail` the parser reads; those
// before exosName are in an entry once: met twice, the "Port:" line of
// the next port was not recognised.
const (
	exosDescription = iota
	exosVR
	exosType
	exosRED
	exosAdmin
	exosLinkState
	exosLinkUps
	exosLinkDowns
	exosVLANCfgKey
	exosSTPCfg
	exosName // a VLAN of "VLAN cfg:" or a protocol of "Protocol:"
	exosPortSpecific
)

var exosKeys = []string{"Description String", "Virtual-router", "Type", "Random Early drop", "Admin state", "Link State", "Link Ups",
	"Link Downs", "VLAN cfg", "STP cfg", "Name", "Port-specific VLAN ID"}

// exosKey is the index in exosKeys of a key as printed (blanks around it
// and in it do not count, nor case), or -1.
func exosKey(key string) int {
	key = strings.TrimSpace(key)
	if strings.Contains(key, "  ") {
		key = joinFields(key)
	}
	for i, k := range exosKeys {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return i
		}
	}
	return -1
}

// EXOSPortsInformationDetail parses EXOS `show ports information detail`.
// Lines it does not need (flooding, rates, QoS, IPFIX ...) are passed
// over; a port's entry is never read into the port above it: a key met
// twice means the next "Port:" line is missing or garbled, and the lines
// from there to the next "Port:" line are reported.
func EXOSPortsInformationDetail(text string) ([]EXOSPortDetail, Report) {
	var out []EXOSPortDetail
	rep := exosDetailRecords.Read(text, func(rec *Record) error {
		_, port, _ := strings.Cut(rec.Lines[0].Text, ":")
		d := EXOSPortDetail{Interface: strings.TrimSpace(port), Line: rec.Lines[0].No}
		if d.Interface == "" || strings.Contains(d.Interface, " ") {
			return fmt.Errorf("not a port entry: %q is not a port", d.Interface)
		}
		var seen [exosName]bool
		inVLANs := false
		for _, l := range rec.Lines[1:] {
			rawKey, val, ok := strings.Cut(l.Text, ":")
			if !ok {
				continue // "algorithm", "s1(enable), Tag=(none), ..."
			}
			rawKey = strings.TrimSpace(rawKey) // once, for both
			if !keyShaped(rawKey) {
				rec.Skip(l, "not a \"Key: value\" line of a port's entry")
				continue
			}
			key := exosKey(rawKey)
			val = strings.TrimSpace(val)
			if key >= 0 && key < exosName {
				if seen[key] {
					rec.Skip(l, fmt.Sprintf("%q appears twice in one port's entry: the \"Port:\" line of the next port is missing or not recognised; its lines are skipped up to the next \"Port:\" line", exosKeys[key]))
					break
				}
				seen[key] = true
			}
			if key != exosName && key != exosPortSpecific {
				inVLANs = key == exosVLANCfgKey
			}
			switch key {
			case exosDescription:
				d.Description = strings.Trim(val, `"`)
			case exosVR:
				d.VirtualRouter = val
			case exosType:
				d.Type = val
			case exosRED:
				d.RandomEarlyDrop = val
			case exosAdmin:
				d.AdminState = val
			case exosLinkState:
				d.LinkState = strings.TrimRight(firstWord(val), ",")
			case exosLinkUps, exosLinkDowns:
				n, last, _ := strings.Cut(val, "Last:")
				if key == exosLinkUps {
					d.LinkUpsNum, d.LinkUpsLast = strings.TrimSpace(n), strings.TrimSpace(last)
				} else {
					d.LinkDownsNum, d.LinkDownsLast = strings.TrimSpace(n), strings.TrimSpace(last)
				}
			case exosPortSpecific:
				d.VLANIDs = append(d.VLANIDs, val)
			case exosName:
				if !inVLANs {
					continue // "Protocol:" entries
				}
				v, err := exosVLANCfg(val)
				if err != nil {
					rec.Skip(l, err.Error())
					continue
				}
				d.VLANs = append(d.VLANs, v)
			}
		}
		out = append(out, d)
		return nil
	})
	return out, rep
}

// exosVLANCfg reads a line of "VLAN cfg:" after "Name:": "Default,
// Internal Tag = 1, MAC-limit = No-limit, Virtual router: VR-Default".
func exosVLANCfg(val string) (EXOSPortVLAN, error) {
	name, rest, _ := strings.Cut(val, ",")
	v := EXOSPortVLAN{Name: strings.TrimSpace(name)}
	for rest != "" {
		var p string
		p, rest, _ = strings.Cut(rest, ",")
		k, tag, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		switch joinFields(k) {
		case "802.1Q Tag":
			v.Tag, v.Tagged = strings.TrimSpace(tag), true
		case "Internal Tag":
			v.Tag = strings.TrimSpace(tag)
		}
	}
	if v.Name == "" || !isEXOSVID(v.Tag) {
		return EXOSPortVLAN{}, errors.New("not a VLAN of the port: no name and \"802.1Q Tag =\" or \"Internal Tag =\" with a VLAN tag")
	}
	return v, nil
}

// The Extreme EXOS commands import reads.
var exosCommands = []command{
	{name: "show vlan description", table: exosVLANDescTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EXOSShowVLANDescription(text)
			for _, row := range rows {
				r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
			}
			return rep, nil
		}},
	{name: "show iparp", filters: []string{"vr *", "vlan *", "<address>"}, table: exosARPTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EXOSIPARP(text)
			for _, row := range rows {
				if NormaliseMAC(row.MAC) != "" {
					r.addARP(row.Destination, row.MAC, row.Port)
				}
			}
			return rep, nil
		}},
	{name: "show ports information", table: exosPortsTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EXOSPortsInformation(text)
			for _, row := range rows {
				mergePort(r, Port{Name: row.Interface, Status: row.LinkState})
			}
			return rep, nil
		}},
	{name: "show ports information detail",
		match: func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "VLAN cfg:") },
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EXOSPortsInformationDetail(text)
			m := newMembership()
			for _, row := range rows {
				mergePort(r, Port{Name: row.Interface, Status: row.LinkState, Description: row.Description})
				for _, v := range row.VLANs {
					m.add(row.Interface, v.Tag, v.Tagged)
				}
			}
			m.ports(r)
			return rep, nil
		}},
}
