package showparse

import (
	"regexp"
	"strings"
)

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

// ProCurveInterfacesStatus parses `show interfaces status`.
func ProCurveInterfacesStatus(text string) ([]ProCurveStatus, error) {
	rows, nos := dashTable(text)
	var out []ProCurveStatus
	for i, c := range rows {
		if len(c) != 8 || c[0] == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not an interface row"}
		}
		out = append(out, ProCurveStatus{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]})
	}
	return out, nil
}

// ProCurveVLAN is one row of `show vlans`.
type ProCurveVLAN struct {
	ID     string `yaml:"vlan_id"`
	Name   string `yaml:"vlan_name"`
	Status string `yaml:"status"`
	Voice  string `yaml:"voice"`
	Jumbo  string `yaml:"jumbo"`
}

// ProCurveShowVLANs parses `show vlans` (with or without the Jumbo column).
func ProCurveShowVLANs(text string) ([]ProCurveVLAN, error) {
	rows, nos := dashTable(text)
	var out []ProCurveVLAN
	for i, c := range rows {
		if len(c) < 4 || strings.Trim(c[0], "0123456789") != "" || c[0] == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a VLAN row"}
		}
		v := ProCurveVLAN{ID: c[0], Name: c[1], Status: c[2], Voice: c[3]}
		if len(c) > 4 {
			v.Jumbo = c[4]
		}
		out = append(out, v)
	}
	return out, nil
}

// ProCurveMAC is one row of `show mac-address`.
type ProCurveMAC struct {
	MAC  string `yaml:"mac_address"`
	Port string `yaml:"port"`
	VLAN string `yaml:"vlan_id"`
}

// ProCurveMACTable parses `show mac-address`.
func ProCurveMACTable(text string) ([]ProCurveMAC, error) {
	rows, nos := dashTable(text)
	var out []ProCurveMAC
	for i, c := range rows {
		if len(c) != 3 || NormaliseMAC(c[0]) == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a MAC entry"}
		}
		out = append(out, ProCurveMAC{c[0], c[1], c[2]})
	}
	return out, nil
}

// ProCurveARP is one row of `show arp`.
type ProCurveARP struct {
	IP   string `yaml:"ip_address"`
	MAC  string `yaml:"mac_address"`
	Type string `yaml:"type"`
	Port string `yaml:"port"`
}

// ProCurveARPTable parses `show arp`.
func ProCurveARPTable(text string) ([]ProCurveARP, error) {
	rows, nos := dashTable(text)
	var out []ProCurveARP
	for i, c := range rows {
		if len(c) != 4 || NormaliseMAC(c[1]) == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not an ARP entry"}
		}
		out = append(out, ProCurveARP{c[0], c[1], c[2], c[3]})
	}
	return out, nil
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

// ProCurveInterfacesBrief parses `show interfaces brief`.
func ProCurveInterfacesBrief(text string) ([]ProCurveBrief, error) {
	rows, nos := dashTable(text)
	var out []ProCurveBrief
	for i, c := range rows {
		if len(c) < 8 || c[0] == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not an interface row"}
		}
		for j := range c {
			c[j] = strings.TrimSuffix(c[j], "*") // the footnote's marker
		}
		b := ProCurveBrief{Port: c[0], Type: c[1], IntrusionAlert: c[2], Enabled: c[3], Status: c[4], Mode: c[5], MDIMode: c[6], FlowCtrl: c[7]}
		if len(c) > 8 {
			b.BcastLimit = c[8]
		}
		out = append(out, b)
	}
	return out, nil
}
