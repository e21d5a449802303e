package showparse

import (
	"regexp"
	"strings"
)

// JunosESI is one logical interface of Junos `show ethernet-switching
// interfaces` (EX, the format before ELS): its VLAN memberships, one entry
// per VLAN (continuation lines add more).
type JunosESI struct {
	Interface  string   `yaml:"interface"`
	Status     string   `yaml:"status"`
	VLANMember []string `yaml:"vlan_member"`
	VLANID     []string `yaml:"vlan_id"`
	Tagging    []string `yaml:"tagging"`
	PortError  []string `yaml:"port_error"`
}

var junosIfName = regexp.MustCompile(`^(?:[a-z]{2,3}-\d{1,2}/\d{1,2}/\d{1,3}|ae\d{1,3}|irb|vlan|lo0|me0|em\d)(?:\.\d{1,5})?$`)

// rawLines splits text into lines, dropping only line-end CRs (Junos
// keeps meaningful trailing blanks in some columns).
func rawLines(text string) []string {
	out := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range out {
		out[i] = strings.TrimSuffix(l, "\r")
	}
	return out
}

// JunosEthernetSwitchingInterfaces parses `show ethernet-switching interfaces`.
func JunosEthernetSwitchingInterfaces(text string) ([]JunosESI, error) {
	var out []JunosESI
	for n, l := range rawLines(text) {
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "Interface ") || strings.HasPrefix(trimmed, "{") {
			continue
		}
		ts := tokens(l)
		var cur *JunosESI
		rest := ts
		if l[0] != ' ' && l[0] != '\t' {
			if len(ts) < 3 || !junosIfName.MatchString(ts[0].text) || (ts[1].text != "up" && ts[1].text != "down") {
				return out, &Error{Line: n + 1, Text: l, Msg: "not an interface row"}
			}
			out = append(out, JunosESI{Interface: ts[0].text, Status: ts[1].text, VLANMember: []string{}, VLANID: []string{}, Tagging: []string{}, PortError: []string{}})
			rest = ts[2:]
		} else if len(out) == 0 {
			return out, &Error{Line: n + 1, Text: l, Msg: "a continuation line before any interface"}
		}
		cur = &out[len(out)-1]
		if len(rest) == 0 {
			continue
		}
		cur.VLANMember = append(cur.VLANMember, rest[0].text)
		rest = rest[1:]
		if len(rest) > 0 && strings.Trim(rest[0].text, "0123456789") == "" {
			cur.VLANID = append(cur.VLANID, rest[0].text)
			rest = rest[1:]
		}
		if len(rest) > 0 && (rest[0].text == "tagged" || rest[0].text == "untagged") {
			cur.Tagging = append(cur.Tagging, rest[0].text)
			rest = rest[1:]
		}
		if len(rest) > 0 {
			cur.PortError = append(cur.PortError, l[rest[0].start:])
		}
	}
	return out, nil
}

// JunosVLAN is one VLAN of Junos `show vlans` (ELS).
type JunosVLAN struct {
	RoutingInstance string   `yaml:"routing_instance"`
	Name            string   `yaml:"vlan_name"`
	Tag             string   `yaml:"tag"`
	Interfaces      []string `yaml:"interfaces"`
}

// JunosShowVLANs parses `show vlans`: a row per VLAN (instance, name,
// tag), then one interface per indented line ("*": active).
func JunosShowVLANs(text string) ([]JunosVLAN, error) {
	var out []JunosVLAN
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "Routing instance") || strings.HasPrefix(t, "{") {
			continue
		}
		ts := tokens(l)
		if l[0] == ' ' || l[0] == '\t' {
			if len(out) == 0 || len(ts) != 1 {
				return out, &Error{Line: n + 1, Text: l, Msg: "not an interface of a VLAN"}
			}
			out[len(out)-1].Interfaces = append(out[len(out)-1].Interfaces, ts[0].text)
			continue
		}
		if len(ts) < 3 {
			return out, &Error{Line: n + 1, Text: l, Msg: "not a VLAN row"}
		}
		v := JunosVLAN{RoutingInstance: ts[0].text, Name: ts[1].text, Tag: ts[2].text, Interfaces: []string{}}
		for _, x := range ts[3:] { // interfaces on the VLAN's own line
			v.Interfaces = append(v.Interfaces, x.text)
		}
		out = append(out, v)
	}
	return out, nil
}

// JunosARP is one entry of Junos `show arp no-resolve`.
type JunosARP struct {
	MAC       string `yaml:"mac_address"`
	IP        string `yaml:"ip_address"`
	Interface string `yaml:"interface"`
	Flags     string `yaml:"flags"`
}

var junosARPRow = regexp.MustCompile(`^([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\d{1,3}(?:\.\d{1,3}){3})\s+(\S+)\s+(\S+)\s*$`)

// JunosARPTable parses `show arp no-resolve`.
func JunosARPTable(text string) ([]JunosARP, error) {
	var out []JunosARP
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "MAC Address") || strings.HasPrefix(t, "Total entries") || strings.HasPrefix(t, "{") {
			continue
		}
		m := junosARPRow.FindStringSubmatch(t)
		if m == nil {
			return out, &Error{Line: n + 1, Text: l, Msg: "not an ARP entry"}
		}
		out = append(out, JunosARP{MAC: m[1], IP: m[2], Interface: m[3], Flags: m[4]})
	}
	return out, nil
}

// JunosDescription is one row of Junos `show interfaces descriptions`.
type JunosDescription struct {
	Interface, Admin, Link, Description string
}

// JunosInterfaceDescriptions parses `show interfaces descriptions`.
func JunosInterfaceDescriptions(text string) ([]JunosDescription, error) {
	var out []JunosDescription
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "Interface ") || strings.HasPrefix(t, "{") {
			continue
		}
		ts := tokens(l)
		if len(ts) < 3 || !junosIfName.MatchString(ts[0].text) {
			return out, &Error{Line: n + 1, Text: l, Msg: "not an interface row"}
		}
		d := JunosDescription{Interface: ts[0].text, Admin: ts[1].text, Link: ts[2].text}
		if len(ts) > 3 {
			d.Description = l[ts[3].start:]
		}
		out = append(out, d)
	}
	return out, nil
}
