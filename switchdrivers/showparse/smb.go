package showparse

import "strings"

// Parsers for the dash-underlined tables of small-business and
// campus switches: Cisco Small Business (SG300), Dell PowerConnect,
// Ubiquiti EdgeSwitch, Dell Force10.

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

// SMBInterfacesStatus parses `show interfaces status` of Cisco SG300 and
// Dell PowerConnect switches (one table; a second table of port-channels
// after a blank line is not read).
func SMBInterfacesStatus(text string) ([]SMBStatus, error) {
	rows, nos := dashTable(text)
	var out []SMBStatus
	for i, c := range rows {
		if len(c) != 9 || c[0] == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not an interface row"}
		}
		out = append(out, SMBStatus{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]})
	}
	return out, nil
}

// SMBMAC is one row of Cisco SG300 `show mac address-table`.
type SMBMAC struct {
	VLAN string `yaml:"vlan_id"`
	MAC  string `yaml:"destination_address"`
	Port string `yaml:"destination_port"`
	Type string `yaml:"type"`
}

// SMBMACTable parses Cisco SG300 `show mac address-table`.
func SMBMACTable(text string) ([]SMBMAC, error) {
	rows, nos := dashTable(text)
	var out []SMBMAC
	for i, c := range rows {
		if len(c) != 4 || NormaliseMAC(c[1]) == "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a MAC entry"}
		}
		out = append(out, SMBMAC{c[0], c[1], c[2], c[3]})
	}
	return out, nil
}

// EdgeSwitchVLAN is one row of Ubiquiti EdgeSwitch `show vlan`.
type EdgeSwitchVLAN struct {
	ID   string `yaml:"vlan_id"`
	Name string `yaml:"vlan_name"`
	Type string `yaml:"type"`
}

// EdgeSwitchShowVLAN parses Ubiquiti EdgeSwitch `show vlan`.
func EdgeSwitchShowVLAN(text string) ([]EdgeSwitchVLAN, error) {
	rows, nos := dashTable(text)
	var out []EdgeSwitchVLAN
	for i, c := range rows {
		if len(c) != 3 || c[0] == "" || strings.Trim(c[0], "0123456789") != "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a VLAN row"}
		}
		out = append(out, EdgeSwitchVLAN{c[0], c[1], c[2]})
	}
	return out, nil
}

// Force10VLANBrief is one row of Dell Force10 `show vlan brief`.
type Force10VLANBrief struct {
	ID        string `yaml:"vlan_id"`
	Name      string `yaml:"vlan_name"`
	STG       string `yaml:"stg"`
	MACAging  string `yaml:"mac_aging"`
	IPAddress string `yaml:"ip_address"`
}

// Force10ShowVLANBrief parses Dell Force10 `show vlan brief`.
func Force10ShowVLANBrief(text string) ([]Force10VLANBrief, error) {
	rows, nos := dashTable(text)
	var out []Force10VLANBrief
	for i, c := range rows {
		if len(c) != 5 || c[0] == "" || strings.Trim(c[0], "0123456789") != "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a VLAN row"}
		}
		out = append(out, Force10VLANBrief{c[0], c[1], c[2], c[3], c[4]})
	}
	return out, nil
}
