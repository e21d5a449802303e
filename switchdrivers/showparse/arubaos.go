package showparse

import (
	"regexp"
	"strings"
)

// ArubaOSVLAN is one row of ArubaOS-Switch `show vlan`; the switch-wide
// values (maximum, primary and management VLAN) are on the first record,
// as the reference template reports them.
type ArubaOSVLAN struct {
	ID          string `yaml:"vlan_id"`
	Name        string `yaml:"vlan_name"`
	Status      string `yaml:"vlan_status"`
	Voice       string `yaml:"voice"`
	Jumbo       string `yaml:"jumbo"`
	MaxVLANs    string `yaml:"max_vlans"`
	PrimaryVLAN string `yaml:"primary_vlan"`
	MgmtVLAN    string `yaml:"mgmt_vlan"`
}

// ArubaOSShowVLAN parses ArubaOS-Switch `show vlan`.
func ArubaOSShowVLAN(text string) ([]ArubaOSVLAN, error) {
	var maxV, primary, mgmt string
	for _, l := range lines(text) {
		k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Maximum VLANs to support":
			maxV = strings.TrimSpace(v)
		case "Primary VLAN":
			primary = strings.TrimSpace(v)
		case "Management VLAN":
			mgmt = strings.TrimSpace(v)
		}
	}
	rows, nos := dashTable(text)
	var out []ArubaOSVLAN
	for i, c := range rows {
		if len(c) < 4 || c[0] == "" || strings.Trim(c[0], "0123456789") != "" {
			return out, &Error{Line: nos[i], Text: strings.Join(c, " "), Msg: "not a VLAN row"}
		}
		v := ArubaOSVLAN{ID: c[0], Name: c[1], Status: c[2], Voice: c[3]}
		if len(c) > 4 {
			v.Jumbo = c[4]
		}
		if i == 0 {
			v.MaxVLANs, v.PrimaryVLAN, v.MgmtVLAN = maxV, primary, mgmt
		}
		out = append(out, v)
	}
	return out, nil
}

// ArubaOSARP is one entry of ArubaOS `show arp`.
type ArubaOSARP struct {
	Protocol  string `yaml:"protocol"`
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	Age       string `yaml:"age"`
}

var arubaOSARPRow = regexp.MustCompile(`^(\S+)\s+(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\S+)\s+(\S+)$`)

// ArubaOSARPTable parses ArubaOS `show arp`.
func ArubaOSARPTable(text string) ([]ArubaOSARP, error) {
	var out []ArubaOSARP
	for _, l := range lines(text) {
		if m := arubaOSARPRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, ArubaOSARP{m[1], m[2], m[3], m[4], m[5]})
		}
	}
	return out, nil
}
