package showparse

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// dashTable, span and dashRule are the reader the SMB parsers (smb.go)
// still use; ProCurve and ArubaOS read through the table reader.

// span is one column of a table underlined with dashes.
type span struct{ start, end int }

var dashRule = regexp.MustCompile(`^\s*-{2,}(?:[ +]+-{2,})+\s*$|^\s*-{2,}\s*$`)

// dashTable reads a table whose header is underlined with dashes: the
// underline gives each column's start; a cell runs to the next column's
// start (the last to the end of the line). Rows end at the first blank
// line after them. It returns the rows' cells and their line numbers.
func dashTable(text string) (rows [][]string, lineNos []int) {
	ls := lines(text)
	for i := 0; i < len(ls); i++ {
		if !dashRule.MatchString(ls[i]) || strings.Count(ls[i], "-") < 4 {
			continue
		}
		var spans []span
		for j := 0; j < len(ls[i]); {
			if ls[i][j] != '-' {
				j++
				continue
			}
			k := j
			for k < len(ls[i]) && ls[i][k] == '-' {
				k++
			}
			spans = append(spans, span{j, k})
			j = k
		}
		for i++; i < len(ls); i++ {
			l := ls[i]
			if strings.TrimSpace(l) == "" {
				if len(rows) > 0 {
					break
				}
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(l), "* ") {
				break // a footnote ("* third-party transceiver") ends the table
			}
			cells := make([]string, len(spans))
			for c, sp := range spans {
				end := len(l)
				if c+1 < len(spans) {
					end = min(len(l), spans[c+1].start)
				}
				if sp.start < len(l) {
					cells[c] = strings.TrimSpace(strings.Trim(strings.TrimSpace(l[sp.start:end]), "|"))
				}
			}
			rows, lineNos = append(rows, cells), append(lineNos, i+1)
		}
		break
	}
	return rows, lineNos
}

// bare is a cell without the bars ProCurve draws between column groups
// ("10/100TX   |") and without the footnote star on a value ("A8*",
// "2500FDx*": "dynamically overridden by RADIUS").
func bare(s string) string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "|"))
	return strings.TrimSuffix(s, "*")
}

// procurveFootnote recognises the notes ProCurve prints under a table:
// "* third-party transceiver".
func procurveFootnote(l string) bool { return strings.HasPrefix(l, "* ") }

// ProCurveStatus is one row of HP ProCurve/ArubaOS-Switch `show interfaces status`.
type ProCurveStatus struct {
	Port         string `yaml:"port"`
	Name         string `yaml:"name"`
	Status       string `yaml:"status"`
	ConfigMode   string `yaml:"config_mode"`
	Speed        string `yaml:"speed"`
	Type         string `yaml:"type"`
	VLANTagged   string `yaml:"vlan_tagged"`
	VLANUntagged string `yaml:"vlan_untagged"`
}

var procurveStatusTable = NewTable(Spec{
	Command: "show interfaces status",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"config", []string{"Config-mode"}},
		{"speed", []string{"Speed"}},
		{"type", []string{"Type"}},
		{"tagged", []string{"Tagged"}},
		{"untagged", []string{"Untagged"}},
	},
	Signatures: [][]string{{"port", "status", "tagged", "untagged"}},
	Skip:       procurveFootnote,
})

// ProCurveInterfacesStatus parses `show interfaces status`. The name is
// free text (truncated with "..."); a port that is down may have no
// mode, speed or type; Tagged is "No", "multi" or one VLAN, Untagged
// "No" or one VLAN.
func ProCurveInterfacesStatus(text string) ([]ProCurveStatus, Report) {
	var out []ProCurveStatus
	rep := procurveStatusTable.Read(text, func(r Row) error {
		p := ProCurveStatus{Port: bare(r.Cell("port")), Name: r.Cell("name"), Status: r.Cell("status"), ConfigMode: r.Cell("config"),
			Speed: r.Cell("speed"), Type: r.Cell("type"), VLANTagged: r.Cell("tagged"), VLANUntagged: r.Cell("untagged")}
		switch {
		case p.Port == "" || strings.Contains(p.Port, " "):
			return errors.New("not an interface row: no single port name under Port")
		case p.Status == "" || strings.Contains(p.Status, " "):
			return fmt.Errorf("port %s: no link status under Status", p.Port)
		case !procurveVLANCell(p.VLANTagged, true) || !procurveVLANCell(p.VLANUntagged, false):
			return fmt.Errorf("port %s: %q and %q under Tagged and Untagged are not VLANs", p.Port, p.VLANTagged, p.VLANUntagged)
		}
		out = append(out, p)
		return nil
	})
	return out, rep
}

// procurveVLANCell says whether s is what the Tagged (multi allowed) or
// Untagged column of `show interfaces status` holds.
func procurveVLANCell(s string, tagged bool) bool {
	return s == "No" || isNumber(s) || tagged && s == "multi"
}

// ProCurveVLAN is one row of `show vlans`.
type ProCurveVLAN struct {
	ID     string `yaml:"vlan_id"`
	Name   string `yaml:"vlan_name"`
	Status string `yaml:"status"`
	Voice  string `yaml:"voice"`
	Jumbo  string `yaml:"jumbo"`
}

var procurveVLANTable = NewTable(Spec{
	Command: "show vlans",
	Columns: []Column{
		{"vlan", []string{"802.1Q VLAN ID", "VLAN ID"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"voice", []string{"Voice"}},
		{"jumbo", []string{"Jumbo"}},
	},
	Signatures: [][]string{{"vlan", "name", "status"}},
	Skip:       procurveFootnote,
})

// procurveVLANRow reads a row of the VLAN table of ProCurve `show vlans`
// and ArubaOS `show vlan` (with or without the Jumbo column, with or
// without the bar before Status).
func procurveVLANRow(r Row) (ProCurveVLAN, error) {
	v := ProCurveVLAN{ID: bare(r.Cell("vlan")), Name: bare(r.Cell("name")), Status: bare(r.Cell("status")), Voice: r.Cell("voice"), Jumbo: r.Cell("jumbo")}
	if !isVLANID(v.ID) {
		return v, fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", v.ID)
	}
	if v.Name == "" || v.Status == "" {
		return v, fmt.Errorf("VLAN %s: no name and status under Name and Status", v.ID)
	}
	return v, nil
}

// ProCurveShowVLANs parses `show vlans`.
func ProCurveShowVLANs(text string) ([]ProCurveVLAN, Report) {
	var out []ProCurveVLAN
	rep := procurveVLANTable.Read(text, func(r Row) error {
		v, err := procurveVLANRow(r)
		if err == nil {
			out = append(out, v)
		}
		return err
	})
	return out, rep
}

// ProCurveMAC is one row of `show mac-address`.
type ProCurveMAC struct {
	MAC  string `yaml:"mac_address"`
	Port string `yaml:"port"`
	VLAN string `yaml:"vlan_id"`
}

var procurveMACTable = NewTable(Spec{
	Command: "show mac-address",
	Columns: []Column{
		{"mac", []string{"MAC Address"}},
		{"port", []string{"Port", "Located on Port"}},
		{"vlan", []string{"VLAN", "VLANs"}},
	},
	Signatures: [][]string{{"mac", "port"}},
})

// ProCurveMACTable parses `show mac-address` (with a VLAN column, or
// without one as `show mac-address vlan N` prints it).
func ProCurveMACTable(text string) ([]ProCurveMAC, Report) {
	var out []ProCurveMAC
	rep := procurveMACTable.Read(text, func(r Row) error {
		m := ProCurveMAC{MAC: r.Cell("mac"), Port: r.Cell("port"), VLAN: unlessPlaceholder(r.Cell("vlan"))}
		if NormaliseMAC(m.MAC) == "" {
			return fmt.Errorf("not a MAC entry: %q under MAC Address is not a MAC address", m.MAC)
		}
		if m.Port == "" || strings.Contains(m.Port, " ") || m.VLAN != "" && !isNumber(m.VLAN) {
			return fmt.Errorf("MAC %s: no single port under Port, or %q under VLAN is not a VLAN", m.MAC, m.VLAN)
		}
		out = append(out, m)
		return nil
	})
	return out, rep
}

// ProCurveARP is one row of `show arp`.
type ProCurveARP struct {
	IP   string `yaml:"ip_address"`
	MAC  string `yaml:"mac_address"`
	Type string `yaml:"type"`
	Port string `yaml:"port"`
}

var procurveARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"ip", []string{"IP Address"}},
		{"mac", []string{"MAC Address"}},
		{"type", []string{"Type"}},
		{"port", []string{"Port"}},
	},
	Signatures: [][]string{{"ip", "mac"}},
})

// ProCurveARPTable parses `show arp`; an entry learned on no port has an
// empty Port.
func ProCurveARPTable(text string) ([]ProCurveARP, Report) {
	var out []ProCurveARP
	rep := procurveARPTable.Read(text, func(r Row) error {
		a := ProCurveARP{IP: r.Cell("ip"), MAC: r.Cell("mac"), Type: r.Cell("type"), Port: r.Cell("port")}
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" {
			return errors.New("not an ARP entry: no IP and MAC address under IP Address and MAC Address")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// ProCurveBrief is one row of `show interfaces brief`.
type ProCurveBrief struct {
	Port           string `yaml:"port"`
	Type           string `yaml:"type"`
	IntrusionAlert string `yaml:"intrusion_alert"`
	Enabled        string `yaml:"enabled"`
	Status         string `yaml:"status"`
	Mode           string `yaml:"mode"`
	MDIMode        string `yaml:"mdi_mode"`
	FlowCtrl       string `yaml:"flow_ctrl"`
	BcastLimit     string `yaml:"bcast_limit"`
}

var procurveBriefTable = NewTable(Spec{
	Command: "show interfaces brief",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"type", []string{"Type"}},
		{"alert", []string{"Intrusion Alert", "Alert"}},
		{"enabled", []string{"Enabled"}},
		{"status", []string{"Status"}},
		{"mode", []string{"Mode"}},
		{"mdi", []string{"MDI Mode"}},
		{"flow", []string{"Flow Ctrl"}},
		{"bcast", []string{"Bcast Limit"}},
	},
	Signatures: [][]string{{"port", "enabled", "status", "mode"}},
	Skip:       procurveFootnote,
})

// ProCurveInterfacesBrief parses `show interfaces brief` (two-line
// header, with or without the Bcast Limit column; a port without a
// transceiver has no type and "." for its mode).
func ProCurveInterfacesBrief(text string) ([]ProCurveBrief, Report) {
	var out []ProCurveBrief
	rep := procurveBriefTable.Read(text, func(r Row) error {
		b := ProCurveBrief{Port: bare(r.Cell("port")), Type: bare(r.Cell("type")), IntrusionAlert: bare(r.Cell("alert")), Enabled: r.Cell("enabled"),
			Status: r.Cell("status"), Mode: bare(r.Cell("mode")), MDIMode: r.Cell("mdi"), FlowCtrl: r.Cell("flow"), BcastLimit: r.Cell("bcast")}
		switch {
		case b.Port == "" || strings.Contains(b.Port, " "):
			return errors.New("not an interface row: no single port name under Port")
		case b.Status == "" || strings.Contains(b.Status, " ") || strings.Contains(b.Enabled, " "):
			return fmt.Errorf("port %s: no link status under Status", b.Port)
		}
		out = append(out, b)
		return nil
	})
	return out, rep
}
