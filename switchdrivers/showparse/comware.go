package showparse

import (
	"regexp"
	"strings"
)

// ComwareInterfaceBrief is one row of HPE/H3C Comware `display interface
// brief`: a route-mode row (link, protocol, main IP) or a bridge-mode row
// (link, speed, duplex, type, PVID).
type ComwareInterfaceBrief struct {
	Interface   string `yaml:"interface"`
	Link        string `yaml:"link"`
	Protocol    string `yaml:"protocol"`
	MainIP      string `yaml:"main_ip"`
	Speed       string `yaml:"speed"`
	Duplex      string `yaml:"duplex"`
	Type        string `yaml:"type"`
	VLANID      string `yaml:"vlan_id"`
	Description string `yaml:"description"`
}

var (
	comwareLink     = regexp.MustCompile(`^(UP|DOWN|ADM|Stby|UP\(s\)|DOWN\(s\))$`)
	comwareProtocol = regexp.MustCompile(`^(UP|DOWN|UP\(s\)|DOWN\(s\))$`)
	comwareSpeed    = regexp.MustCompile(`^(auto|\d+[GMK]?(\(a\))?)$`)
	comwareType     = regexp.MustCompile(`^[ATH]$`)
)

// ComwareDisplayInterfaceBrief parses `display interface brief` (both
// sections, with or without their headers).
func ComwareDisplayInterfaceBrief(text string) ([]ComwareInterfaceBrief, error) {
	var out []ComwareInterfaceBrief
	for _, l := range lines(text) {
		ts := tokens(l)
		if len(ts) < 3 || l[0] == ' ' || strings.HasSuffix(ts[0].text, ":") || !comwareLink.MatchString(ts[1].text) {
			continue // legends, headers, blank lines
		}
		r := ComwareInterfaceBrief{Interface: ts[0].text, Link: ts[1].text}
		rest := ts[2:]
		if len(rest) >= 4 && comwareSpeed.MatchString(rest[0].text) && comwareType.MatchString(rest[2].text) && strings.Trim(rest[3].text, "0123456789") == "" {
			r.Speed, r.Duplex, r.Type, r.VLANID = rest[0].text, rest[1].text, rest[2].text, rest[3].text
			rest = rest[4:]
		} else {
			if comwareProtocol.MatchString(rest[0].text) {
				r.Protocol = rest[0].text
				rest = rest[1:]
			}
			if len(rest) > 0 {
				r.MainIP = rest[0].text
				rest = rest[1:]
			}
		}
		if len(rest) > 0 {
			r.Description = l[rest[0].start:]
		}
		out = append(out, r)
	}
	return out, nil
}

// ComwareMAC is one entry of `display mac-address`.
type ComwareMAC struct {
	MAC       string `yaml:"mac_address"`
	VLAN      string `yaml:"vlan_id"`
	State     string `yaml:"state"`
	Interface string `yaml:"interface"`
	Aging     string `yaml:"aging"`
}

var comwareMACRow = regexp.MustCompile(`^([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)$`)

// ComwareMACTable parses `display mac-address`.
func ComwareMACTable(text string) ([]ComwareMAC, error) {
	var out []ComwareMAC
	for _, l := range lines(text) {
		if m := comwareMACRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, ComwareMAC{m[1], m[2], m[3], m[4], m[5]})
		}
	}
	return out, nil
}

// ComwareARP is one entry of `display arp`.
type ComwareARP struct {
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	VLAN      string `yaml:"vlan_id"`
	Interface string `yaml:"interface"`
	Aging     string `yaml:"aging"`
	Type      string `yaml:"type"`
}

var comwareARPRow = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$`)

// ComwareARPTable parses `display arp`.
func ComwareARPTable(text string) ([]ComwareARP, error) {
	var out []ComwareARP
	for _, l := range lines(text) {
		if m := comwareARPRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, ComwareARP{m[1], m[2], m[3], m[4], m[5], m[6]})
		}
	}
	return out, nil
}
