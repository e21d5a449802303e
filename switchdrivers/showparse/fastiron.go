package showparse

import (
	"regexp"
	"strings"
)

// fastIronRow is a row of Ruckus/Brocade FastIron `show interfaces brief`:
// port, link, state, duplex, speed, trunk, tag, PVID, priority, MAC, then
// the (truncated) port name, of which the reference keeps the first word.
var fastIronRow = regexp.MustCompile(`^(\S+)\s+(Up|Down|Disable|Disabled|ERR-DIS|Blocked)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(Yes|No)\s+(\S+)\s+(\d+)\s+([0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})\s*(\S*)`)

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
	Name      string `yaml:"name"`
}

// FastIronInterfacesBrief parses Brocade FastIron `show interfaces brief`.
func FastIronInterfacesBrief(text string) ([]FastIronBrief, error) {
	var out []FastIronBrief
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "Port ") {
			continue
		}
		m := fastIronRow.FindStringSubmatch(t)
		if m == nil {
			return out, &Error{Line: n + 1, Text: l, Msg: "not an interface row"}
		}
		out = append(out, FastIronBrief{m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]})
	}
	return out, nil
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

// RuckusInterfacesBrief parses Ruckus ICX `show interfaces brief`.
func RuckusInterfacesBrief(text string) ([]RuckusBrief, error) {
	rows, err := FastIronInterfacesBrief(text)
	out := make([]RuckusBrief, len(rows))
	for i, r := range rows {
		out[i] = RuckusBrief{r.Interface, r.LinkState, r.PortState, r.Duplex, r.Speed, r.TrunkID, r.TagOnly, r.PVID, r.Priority, r.MAC, r.Name}
	}
	return out, err
}
