package showparse

import (
	"errors"
	"fmt"
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

// comwareNote recognises the lines Comware prints around its tables:
// section titles ("Brief information on interfaces in route mode:", "The
// brief information of interface(s) under bridge mode:") and legends
// ("Link: ADM - administratively down; Stby - standby", "Type: A -
// access; T - trunk; H - hybrid").
func comwareNote(l string) bool {
	if strings.HasSuffix(l, ":") && (strings.HasPrefix(l, "Brief information") || strings.HasPrefix(l, "The brief information")) {
		return true
	}
	k, v, ok := strings.Cut(l, ":")
	if !ok || !strings.Contains(v, " - ") {
		return false
	}
	switch k {
	case "Link", "Protocol", "Speed", "Duplex", "Type", "Speed or Duplex":
		return true
	}
	return false
}

var comwareBriefTable = NewTable(Spec{
	Command: "display interface brief",
	Columns: []Column{
		{"interface", []string{"Interface"}},
		{"link", []string{"Link"}},
		{"protocol", []string{"Protocol"}},
		{"ip", []string{"Main IP", "Primary IP"}},
		{"speed", []string{"Speed"}},
		{"duplex", []string{"Duplex"}},
		{"type", []string{"Type"}},
		{"pvid", []string{"PVID"}},
		{"description", []string{"Description"}},
	},
	Signatures: [][]string{{"interface", "link", "protocol"}, {"interface", "link", "pvid"}},
	Skip:       comwareNote,
})

// ComwareDisplayInterfaceBrief parses `display interface brief`: both
// sections (route mode, bridge mode), each under its own header. The
// description is free text; one that starts left of its column (after a
// short address) is still the description.
func ComwareDisplayInterfaceBrief(text string) ([]ComwareInterfaceBrief, Report) {
	var out []ComwareInterfaceBrief
	rep := comwareBriefTable.Read(text, func(r Row) error {
		b := ComwareInterfaceBrief{Interface: r.Cell("interface"), Link: r.Cell("link"), Description: r.Cell("description")}
		if b.Interface == "" || strings.Contains(b.Interface, " ") || b.Link == "" || strings.Contains(b.Link, " ") {
			return errors.New("not an interface row: no interface name and link state under Interface and Link")
		}
		// The last column the row's words reach before the description
		// may hold the description's first words.
		prefix := func(cell string) string {
			first, rest, _ := strings.Cut(cell, " ")
			if rest = strings.TrimSpace(rest); rest != "" {
				b.Description = strings.TrimSpace(rest + " " + b.Description)
			}
			return first
		}
		if r.Has("pvid") {
			b.Speed, b.Duplex, b.Type, b.VLANID = r.Cell("speed"), r.Cell("duplex"), r.Cell("type"), prefix(r.Cell("pvid"))
			if b.VLANID != "" && !isNumber(b.VLANID) || strings.Contains(b.Speed, " ") || strings.Contains(b.Duplex, " ") || strings.Contains(b.Type, " ") {
				return fmt.Errorf("interface %s: no speed, duplex, type and PVID under their columns", b.Interface)
			}
		} else {
			b.Protocol, b.MainIP = r.Cell("protocol"), prefix(r.Cell("ip"))
			if strings.Contains(b.Protocol, " ") {
				return fmt.Errorf("interface %s: %q under Protocol is not one state", b.Interface, b.Protocol)
			}
		}
		out = append(out, b)
		return nil
	})
	return out, rep
}

// ComwareMAC is one entry of `display mac-address`.
type ComwareMAC struct {
	MAC       string `yaml:"mac_address"`
	VLAN      string `yaml:"vlan_id"`
	State     string `yaml:"state"`
	Interface string `yaml:"interface"`
	Aging     string `yaml:"aging"`
}

var comwareMACTable = NewTable(Spec{
	Command: "display mac-address",
	Columns: []Column{
		{"mac", []string{"MAC ADDR", "MAC Address"}},
		{"vlan", []string{"VLAN ID"}},
		{"state", []string{"State"}},
		{"port", []string{"PORT INDEX", "Port", "Interface"}},
		{"aging", []string{"AGING TIME(s)", "Aging"}},
	},
	Signatures: [][]string{{"mac", "vlan", "port"}},
	Skip: func(l string) bool {
		return strings.HasPrefix(l, "---") && strings.Contains(l, "mac address(es) found")
	},
})

// ComwareMACTable parses `display mac-address` (Comware 5 and 7 headers).
func ComwareMACTable(text string) ([]ComwareMAC, Report) {
	var out []ComwareMAC
	rep := comwareMACTable.Read(text, func(r Row) error {
		m := ComwareMAC{MAC: r.Cell("mac"), VLAN: r.Cell("vlan"), State: r.Cell("state"), Interface: r.Cell("port"), Aging: r.Cell("aging")}
		if NormaliseMAC(m.MAC) == "" || !isNumber(m.VLAN) || m.Interface == "" || strings.Contains(m.Interface, " ") {
			fs := r.Fields()
			if len(fs) != 5 || NormaliseMAC(fs[0]) == "" || !isNumber(fs[1]) {
				return errors.New("not a MAC entry: no MAC address, VLAN ID, state, port and aging under their columns")
			}
			m = ComwareMAC{fs[0], fs[1], fs[2], fs[3], fs[4]}
		}
		out = append(out, m)
		return nil
	})
	return out, rep
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

var comwareARPTable = NewTable(Spec{
	Command: "display arp",
	Columns: []Column{
		{"ip", []string{"IP address"}},
		{"mac", []string{"MAC address"}},
		{"vlan", []string{"VLAN ID", "VLAN", "VID", "SVLAN/VLAN"}},
		{"interface", []string{"Interface"}},
		{"aging", []string{"Aging"}},
		{"type", []string{"Type"}},
	},
	Signatures: [][]string{{"ip", "mac", "interface"}},
})

// ComwareARPTable parses `display arp` ("N/A" for the VLAN of an entry
// learned on a routed port).
func ComwareARPTable(text string) ([]ComwareARP, Report) {
	var out []ComwareARP
	rep := comwareARPTable.Read(text, func(r Row) error {
		a := ComwareARP{IP: r.Cell("ip"), MAC: r.Cell("mac"), VLAN: r.Cell("vlan"), Interface: r.Cell("interface"), Aging: r.Cell("aging"), Type: r.Cell("type")}
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" || a.Interface == "" || strings.Contains(a.Interface, " ") {
			fs := r.Fields()
			if len(fs) != 6 || !isIPv4(fs[0]) || NormaliseMAC(fs[1]) == "" {
				return errors.New("not an ARP entry: no IP address, MAC address and interface under their columns")
			}
			a = ComwareARP{fs[0], fs[1], fs[2], fs[3], fs[4], fs[5]}
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// ComwareVLAN is one VLAN of Comware `display vlan all` (a "Key: value"
// block per VLAN) or `display vlan brief` (a table). Field names follow
// the reference templates; the port lists are ours.
type ComwareVLAN struct {
	VLANID         string   `yaml:"vlan_id"`
	Name           string   `yaml:"vlan_name"`
	Description    string   `yaml:"description"`
	Type           string   `yaml:"type"`
	RouteInterface string   `yaml:"route_interface"`
	IPv4Address    string   `yaml:"ipv4_address"`
	IPv4Subnet     string   `yaml:"ipv4_subnet"`
	TaggedPorts    []string `yaml:"tagged_ports"`
	UntaggedPorts  []string `yaml:"untagged_ports"`
	Ports          []string `yaml:"ports"` // display vlan brief: members, tagged or not
}

// ComwareDisplayVLANAll parses `display vlan all` (and `display vlan N`):
// blocks that start with "VLAN ID: N", "Key: value" attributes (Comware
// 5 and 7 spell them differently: "VLAN Type"/"VLAN type", "IP
// Address"/"IPv4 address"), and the tagged and untagged port lists, whose
// ports follow on indented lines ("None" for none). An attribute met twice
// in one block means the next block's first line was not recognised: it
// is reported and the lines after it are skipped up to the next "VLAN
// ID:" line, never read into the VLAN above.
func ComwareDisplayVLANAll(text string) ([]ComwareVLAN, Report) {
	rep := Report{Command: "display vlan all", Line: 1}
	var out []ComwareVLAN
	const (
		before = iota
		inside
		orphan
	)
	state := before
	var list *[]string // the port list being read
	seen := map[string]bool{}
	for i, raw := range eachLine(text) {
		l := strings.TrimSpace(raw)
		if l == "" || isRule(l) {
			continue
		}
		if raw[0] != ' ' && isPrompt(l) { // a prompt is never indented
			if state == inside {
				state = orphan
			}
			continue
		}
		key, val, hasColon := strings.Cut(l, ":")
		if hasColon {
			key, val = foldKey(key), strings.TrimSpace(val)
		}
		if hasColon && key == "vlan id" {
			rep.Sections++
			if !isVLANID(val) {
				rep.warn(i+1, raw, fmt.Sprintf("VLAN ID %q is not a number from 1 to 4094; the block is skipped", val))
				state = orphan
				continue
			}
			out = append(out, ComwareVLAN{VLANID: val, TaggedPorts: []string{}, UntaggedPorts: []string{}, Ports: []string{}})
			rep.Read++
			state, list = inside, nil
			clear(seen)
			continue
		}
		switch {
		case state == orphan:
			continue
		case state == before:
			rep.warn(i+1, raw, "a line before the first VLAN ID: line")
			state = orphan
			continue
		case !hasColon && list != nil: // ports of the list above
			*list = appendFields(*list, l)
			continue
		case !hasColon:
			continue // an attribute import does not read
		case seen[key]:
			rep.warn(i+1, raw, fmt.Sprintf("%s: appears twice in one block: the line that starts the next VLAN (VLAN ID: ...) is missing or not recognised; its lines are skipped up to the next VLAN ID: line", strings.TrimSpace(strings.SplitN(l, ":", 2)[0])))
			state = orphan
			continue
		}
		seen[key] = true
		cur := &out[len(out)-1]
		list = nil
		switch key {
		case "vlan type":
			cur.Type = val
		case "route interface":
			cur.RouteInterface = val
		case "ipv4 address", "ip address":
			cur.IPv4Address = val
		case "ipv4 subnet mask", "subnet mask":
			cur.IPv4Subnet = val
		case "description":
			cur.Description = val
		case "name":
			cur.Name = val
		case "tagged ports", "untagged ports":
			list = &cur.TaggedPorts
			if key == "untagged ports" {
				list = &cur.UntaggedPorts
			}
			if !strings.EqualFold(val, "none") {
				*list = appendFields(*list, val)
			}
		}
	}
	return out, rep
}

var comwareVLANBriefTable = NewTable(Spec{
	Command: "display vlan brief",
	Columns: []Column{
		{"vlan", []string{"VLAN ID", "VLAN"}},
		{"name", []string{"Name"}},
		{"ports", []string{"Port", "Ports"}},
	},
	Signatures: [][]string{{"vlan", "name"}},
	Skip: func(l string) bool {
		return strings.HasPrefix(l, "Brief information about") || strings.HasPrefix(l, "Supported ") || strings.HasPrefix(l, "Default VLAN ID")
	},
})

// ComwareDisplayVLANBrief parses `display vlan brief`: VLAN ID, name
// (which may hold blanks: "VLAN 0001") and member ports, continued on the
// next lines.
func ComwareDisplayVLANBrief(text string) ([]ComwareVLAN, Report) {
	var out []ComwareVLAN
	rep := comwareVLANBriefTable.Read(text, func(r Row) error {
		ports, err := portList(r.Cell("ports"))
		if err != nil {
			return err
		}
		if r.Continuation() {
			if len(out) == 0 || r.Cell("name") != "" {
				return errors.New("not a VLAN row: no VLAN ID, and not ports continuing the VLAN above")
			}
			out[len(out)-1].Ports = append(out[len(out)-1].Ports, ports...)
			return nil
		}
		id := r.Cell("vlan")
		if !isVLANID(id) {
			return fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", id)
		}
		out = append(out, ComwareVLAN{VLANID: id, Name: r.Cell("name"), TaggedPorts: []string{}, UntaggedPorts: []string{}, Ports: ports})
		return nil
	})
	return out, rep
}
