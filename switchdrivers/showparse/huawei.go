package showparse

import (
	"regexp"
	"strings"
)

// HuaweiPortVLAN is one row of Huawei VRP `display port vlan`.
type HuaweiPortVLAN struct {
	Interface string   `yaml:"interface"`
	LinkType  string   `yaml:"link_type"`
	PVID      string   `yaml:"vlan_id"`
	Trunk     []string `yaml:"trunk_vlan_list"`
}

var (
	huaweiPortVLANRow = regexp.MustCompile(`^(\S+)\s+(access|trunk|hybrid|auto|desirable|dot1q-tunnel|qinq)\s+(\d+)\s*(.*)$`)
	// A port in no VLAN (a member of an Eth-Trunk): "-  0  -".
	huaweiPortNoVLAN = regexp.MustCompile(`^(\S+)\s+-\s+0\s+-$`)
)

// HuaweiDisplayPortVLAN parses `display port vlan`: port, link type,
// PVID and the trunk VLAN list, which continues on indented lines.
func HuaweiDisplayPortVLAN(text string) ([]HuaweiPortVLAN, error) {
	var out []HuaweiPortVLAN
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.Trim(t, "-") == "" || strings.HasPrefix(t, "Port ") {
			continue
		}
		if l[0] == ' ' {
			if len(out) == 0 {
				return out, &Error{Line: n + 1, Text: l, Msg: "a continuation line before any port"}
			}
			out[len(out)-1].Trunk = append(out[len(out)-1].Trunk, strings.Fields(t)...)
			continue
		}
		if m := huaweiPortNoVLAN.FindStringSubmatch(t); m != nil {
			out = append(out, HuaweiPortVLAN{Interface: m[1], Trunk: []string{}})
			continue
		}
		m := huaweiPortVLANRow.FindStringSubmatch(t)
		if m == nil {
			return out, &Error{Line: n + 1, Text: l, Msg: "not a port row"}
		}
		list := strings.Fields(m[4])
		if list == nil || (len(list) == 1 && list[0] == "-") {
			list = []string{}
		}
		out = append(out, HuaweiPortVLAN{Interface: m[1], LinkType: m[2], PVID: m[3], Trunk: list})
	}
	return out, nil
}

// HuaweiARP is one entry of `display arp all`.
type HuaweiARP struct {
	IP          string `yaml:"ip_address"`
	MAC         string `yaml:"mac_address"`
	Expire      string `yaml:"expire"`
	Type        string `yaml:"type"`
	Interface   string `yaml:"interface"`
	VPNInstance string `yaml:"vpn_instance"`
}

var huaweiARPRow = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\d*)\s*(I -|D-\d+|S-\d*|D|S|I)\s+(\S+)\s*(\S*)$`)

// HuaweiARPTable parses `display arp all`; the VLAN lines under dynamic
// entries are skipped.
func HuaweiARPTable(text string) ([]HuaweiARP, error) {
	var out []HuaweiARP
	for _, l := range lines(text) {
		if m := huaweiARPRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, HuaweiARP{IP: m[1], MAC: m[2], Expire: m[3], Type: m[4], Interface: m[5], VPNInstance: m[6]})
		}
	}
	return out, nil
}

// HuaweiInterfaceBrief is one row of `display interface brief`.
type HuaweiInterfaceBrief struct {
	Interface string `yaml:"interface"`
	PHY       string `yaml:"phy"`
	Protocol  string `yaml:"protocol"`
	InUti     string `yaml:"inuti"`
	OutUti    string `yaml:"oututi"`
	InErrors  string `yaml:"inerrors"`
	OutErrors string `yaml:"outerrors"`
}

var huaweiBriefRow = regexp.MustCompile(`^(\S+)\s+(\*?\^?down|up|\*down|\^down|up\(\w\)|down\(\w\))\s+(\S+)\s+(\S+%)\s+(\S+%)\s+(\d+)\s+(\d+)$`)

// HuaweiDisplayInterfaceBrief parses `display interface brief`; member
// ports of an Eth-Trunk are listed indented, with their speed in brackets.
func HuaweiDisplayInterfaceBrief(text string) ([]HuaweiInterfaceBrief, error) {
	var out []HuaweiInterfaceBrief
	inTable := false
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Interface ") && strings.Contains(t, "PHY") {
			inTable = true
			continue
		}
		if !inTable || t == "" {
			continue
		}
		m := huaweiBriefRow.FindStringSubmatch(t)
		if m == nil {
			return out, &Error{Line: n + 1, Text: l, Msg: "not an interface row"}
		}
		out = append(out, HuaweiInterfaceBrief{m[1], m[2], m[3], m[4], m[5], m[6], m[7]})
	}
	return out, nil
}
