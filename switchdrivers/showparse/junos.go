package showparse

import (
	"errors"
	"fmt"
	"strings"
)

// Junos prints its switching tables in two generations: the original EX
// software and, since the Enhanced Layer 2 Software (ELS: EX 13.2X50 on,
// QFX, vQFX), a layout with other columns and two-line headers. Each
// parser below reads both, through the table reader; the second line of
// a two-line ELS header ("interface  members ...", "name  address ...")
// and the lines Junos puts around a table ("{master:0}", "Total entries:
// 9", "Routing instance : default-switch") are recognised, not rows.

// junosBanner recognises the lines Junos prints around any output: the
// virtual-chassis banner ("{master:0}", "{primary:node0}").
func junosBanner(l string) bool { return strings.HasPrefix(l, "{") && strings.HasSuffix(l, "}") }

// junosInstance recognises "Routing instance : default-switch" (ELS
// tables) and "Routing Instance Name : default-switch" (ELS `show
// ethernet-switching interface`, once per table or once per interface).
func junosInstance(l string) bool {
	if len(l) < 16 || l[0]|0x20 != 'r' {
		return false
	}
	k, _, ok := strings.Cut(l, ":")
	k = strings.TrimSpace(k)
	return ok && (strings.EqualFold(k, "routing instance") || strings.EqualFold(k, "routing instance name"))
}

// JunosESI is one logical interface of Junos `show ethernet-switching
// interfaces` (EX before ELS) or `show ethernet-switching interface`
// (ELS): its VLAN memberships, one entry per VLAN. Field names follow the
// reference template (EX layout); the ELS layout adds the STP state and
// the logical interface flags, and its state is "down" when the flags
// say DN (interface down), else "up".
type JunosESI struct {
	Interface  string   `yaml:"interface"`
	Status     string   `yaml:"status"`
	VLANMember []string `yaml:"vlan_member"`
	VLANID     []string `yaml:"vlan_id"`
	Tagging    []string `yaml:"tagging"`
	PortError  []string `yaml:"port_error"`
	STPState   []string `yaml:"stp_state"` // ELS
	Flags      string   `yaml:"flags"`     // ELS: logical interface flags (DN, DL, LH, ...)
	// PortTagging is the interface's own tagging (ELS prints it on the
	// interface's line).
	PortTagging string `yaml:"port_tagging"`
}

var junosESITable = NewTable(Spec{
	Command: "show ethernet-switching interfaces",
	Columns: []Column{
		{"interface", []string{"Interface", "Logical interface", "Logical"}},
		{"state", []string{"State"}},
		{"members", []string{"VLAN members", "Vlan members", "Vlan"}},
		{"tag", []string{"Tag"}},
		{"maclimit", []string{"MAC limit", "MAC"}},
		{"macip", []string{"MAC+IP limit", "MAC+IP"}},
		{"stp", []string{"STP state", "STP"}},
		{"flags", []string{"Logical interface flags", "Logical"}},
		{"tagging", []string{"Tagging"}},
		{"blocking", []string{"Blocking"}},
	},
	Signatures: [][]string{{"interface", "state", "members"}, {"interface", "members", "stp", "tagging"}},
	Key:        "interface",
	Skip: func(l string) bool {
		return junosBanner(l) || strings.HasPrefix(l, "interface ") && strings.Contains(l, "members") // ELS header, second line
	},
	Context: junosInstance,
})

// JunosEthernetSwitchingInterfaces parses `show ethernet-switching
// interfaces` in both layouts. A VLAN member continues the interface
// above it on a line of its own, so a line that cannot be read below an
// interface may be one of its members, or the first line of an
// interface whose members were then read into it: its warning names the
// interface above (Warning.Under).
func JunosEthernetSwitchingInterfaces(text string) ([]JunosESI, Report) {
	var out []JunosESI
	under := map[int]string{} // line of a row that could not be read -> the interface above it
	rep := junosESITable.Read(text, func(r Row) error {
		var err error
		if out, err = junosESIRow(out, r); err != nil && len(out) > 0 {
			under[r.Line] = out[len(out)-1].Interface
		}
		return err
	})
	for i, w := range rep.Warnings {
		rep.Warnings[i].Under = under[w.Line]
	}
	return out, rep
}

// junosESIRow reads one row of `show ethernet-switching interfaces`:
// an interface's first line is added to out, a member line to the
// interface above it.
func junosESIRow(out []JunosESI, r Row) ([]JunosESI, error) {
	if r.Continuation() {
		if len(out) == 0 {
			return out, errors.New("a VLAN member line before any interface")
		}
		return out, junosMember(&out[len(out)-1], r)
	}
	name := r.Cell("interface")
	if !isInterfaceName(name) {
		return out, fmt.Errorf("not an interface row: %q under Interface is not an interface name", name)
	}
	e := JunosESI{Interface: name, VLANMember: []string{}, VLANID: []string{}, Tagging: []string{}, PortError: []string{}, STPState: []string{}}
	if r.Has("state") { // EX: the state and the first VLAN on the interface's line
		e.Status = r.Cell("state")
		if e.Status != "up" && e.Status != "down" {
			return out, fmt.Errorf("interface %s: state %q is neither up nor down", name, e.Status)
		}
		if r.Cell("members") == "" { // an interface in no VLAN
			if b := r.Cell("blocking"); b != "" {
				e.PortError = append(e.PortError, b)
			}
		} else if err := junosMember(&e, r); err != nil {
			return out, err
		}
		return append(out, e), nil
	}
	// ELS: the interface's own line carries its flags and tagging.
	e.Flags, e.PortTagging = r.Cell("flags"), r.Cell("tagging")
	e.Status = "up"
	for _, f := range strings.Fields(e.Flags) {
		if f == "DN" {
			e.Status = "down"
		}
	}
	if r.Cell("members") != "" {
		return out, fmt.Errorf("interface %s: a VLAN member on the interface's line", name)
	}
	return append(out, e), nil
}

// junosMember adds the VLAN membership a row prints to e.
func junosMember(e *JunosESI, r Row) error {
	member, tag, tagging := r.Cell("members"), unlessPlaceholder(r.Cell("tag")), unlessPlaceholder(r.Cell("tagging"))
	if member == "" {
		return fmt.Errorf("interface %s: no VLAN under VLAN members", e.Interface)
	}
	if strings.Contains(member, " ") {
		return fmt.Errorf("interface %s: %q under VLAN members is not one VLAN name", e.Interface, member)
	}
	if tag != "" && !isVLANID(tag) {
		return fmt.Errorf("interface %s: tag %q is not a VLAN ID", e.Interface, tag)
	}
	if tagging != "" && tagging != "tagged" && tagging != "untagged" {
		return fmt.Errorf("interface %s: tagging %q is neither tagged nor untagged", e.Interface, tagging)
	}
	e.VLANMember = append(e.VLANMember, member)
	if tag != "" {
		e.VLANID = append(e.VLANID, tag)
	}
	if tagging != "" {
		e.Tagging = append(e.Tagging, tagging)
	}
	if b := r.Cell("blocking"); b != "" {
		e.PortError = append(e.PortError, b)
	}
	if s := r.Cell("stp"); s != "" {
		e.STPState = append(e.STPState, s)
	}
	return nil
}

// JunosVLAN is one VLAN of Junos `show vlans`: ELS prints the routing
// instance, the name, the tag and then one interface per line ("*":
// active); EX before ELS prints the name, the tag and the interfaces
// separated by commas, continued on the next lines.
type JunosVLAN struct {
	RoutingInstance string   `yaml:"routing_instance"`
	Name            string   `yaml:"vlan_name"`
	Tag             string   `yaml:"tag"`
	Interfaces      []string `yaml:"interfaces"`
}

var junosVLANsTable = NewTable(Spec{
	Command: "show vlans",
	Columns: []Column{
		{"instance", []string{"Routing instance"}},
		{"name", []string{"VLAN name", "Name"}},
		{"tag", []string{"Tag"}},
		{"interfaces", []string{"Interfaces"}},
	},
	Signatures: [][]string{{"name", "tag", "interfaces"}},
	Key:        "name",
	Skip:       junosBanner,
})

// JunosShowVLANs parses `show vlans` (ELS or not). A VLAN without a tag
// (EX prints none for "default"; ELS prints "NA" for a VLAN without
// vlan-id) keeps an empty tag.
func JunosShowVLANs(text string) ([]JunosVLAN, Report) {
	var out []JunosVLAN
	rep := junosVLANsTable.Read(text, func(r Row) error {
		ifaces, err := junosInterfaceList(r.Cell("interfaces"))
		if err != nil {
			return err
		}
		if r.Continuation() {
			if len(out) == 0 || r.Cell("instance") != "" || r.Cell("tag") != "" {
				return errors.New("not a VLAN row: no VLAN name, and not an interface of the VLAN above")
			}
			out[len(out)-1].Interfaces = append(out[len(out)-1].Interfaces, ifaces...)
			return nil
		}
		name, tag := r.Cell("name"), r.Cell("tag")
		if strings.Contains(name, " ") {
			return fmt.Errorf("not a VLAN row: %q under VLAN name is not one name", name)
		}
		if tag = unlessPlaceholder(tag); tag == "NA" {
			tag = ""
		}
		if tag != "" && !isVLANID(tag) {
			return fmt.Errorf("VLAN %s: tag %q is not a VLAN ID", name, tag)
		}
		if r.Has("instance") && r.Cell("instance") == "" {
			return fmt.Errorf("VLAN %s: no routing instance", name)
		}
		out = append(out, JunosVLAN{RoutingInstance: r.Cell("instance"), Name: name, Tag: tag, Interfaces: ifaces})
		return nil
	})
	return out, rep
}

// junosInterfaceList splits "ge-0/0/0.0*, ge-0/0/1.0" into interface
// names (keeping the "*" Junos prints on active ones); "None" is no
// interface.
func junosInterfaceList(s string) ([]string, error) {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if f == "None" {
			continue
		}
		if !isInterfaceName(strings.TrimSuffix(f, "*")) && !strings.HasPrefix(f, ".local.") {
			return nil, fmt.Errorf("%q under Interfaces is not an interface name", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// JunosARP is one entry of Junos `show arp` / `show arp no-resolve`.
type JunosARP struct {
	MAC       string `yaml:"mac_address"`
	IP        string `yaml:"ip_address"`
	Name      string `yaml:"name"` // `show arp` resolves the address
	Interface string `yaml:"interface"`
	Flags     string `yaml:"flags"`
}

var junosARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"mac", []string{"MAC Address"}},
		{"ip", []string{"Address"}},
		{"name", []string{"Name"}},
		{"interface", []string{"Interface"}},
		{"flags", []string{"Flags"}},
	},
	Signatures: [][]string{{"mac", "ip", "interface"}},
	Skip: func(l string) bool {
		return junosBanner(l) || strings.HasPrefix(l, "Total entries")
	},
})

// JunosARPTable parses `show arp` and `show arp no-resolve`.
func JunosARPTable(text string) ([]JunosARP, Report) {
	var out []JunosARP
	rep := junosARPTable.Read(text, func(r Row) error {
		a := JunosARP{MAC: r.Cell("mac"), IP: r.Cell("ip"), Name: r.Cell("name"), Interface: r.Cell("interface"), Flags: r.Cell("flags")}
		if !r.Aligned() || NormaliseMAC(a.MAC) == "" || !isIPv4(a.IP) || a.Interface == "" || strings.Contains(a.Interface, " ") {
			fs := r.Fields()
			if len(fs) < 3 || NormaliseMAC(fs[0]) == "" || !isIPv4(fs[1]) {
				return errors.New("not an ARP entry: no MAC address, IP address and interface under their columns")
			}
			a = JunosARP{MAC: fs[0], IP: fs[1]}
			rest := fs[2:]
			if r.Has("name") && len(rest) > 2 {
				a.Name, rest = rest[0], rest[1:]
			}
			a.Interface, a.Flags = rest[0], strings.Join(rest[1:], " ")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// JunosDescription is one row of Junos `show interfaces descriptions`.
type JunosDescription struct {
	Interface   string `yaml:"interface"`
	Admin       string `yaml:"admin"`
	Link        string `yaml:"link"`
	Description string `yaml:"description"`
}

var junosDescriptionsTable = NewTable(Spec{
	Command: "show interfaces descriptions",
	Columns: []Column{
		{"interface", []string{"Interface"}},
		{"admin", []string{"Admin"}},
		{"link", []string{"Link"}},
		{"description", []string{"Description"}},
	},
	Skip: junosBanner,
})

// JunosInterfaceDescriptions parses `show interfaces descriptions`. The
// description is free text to the end of the line.
func JunosInterfaceDescriptions(text string) ([]JunosDescription, Report) {
	var out []JunosDescription
	rep := junosDescriptionsTable.Read(text, func(r Row) error {
		d := JunosDescription{Interface: r.Cell("interface"), Admin: r.Cell("admin"), Link: r.Cell("link"), Description: r.Cell("description")}
		if !isInterfaceName(d.Interface) || !upDown(d.Admin) || !upDown(d.Link) {
			// Read by words: interface, admin, link, then the description.
			fs := r.Fields()
			if len(fs) < 3 || !isInterfaceName(fs[0]) || !upDown(fs[1]) || !upDown(fs[2]) {
				return errors.New("not an interface row: no interface name and up/down admin and link states")
			}
			toks := tokenize(r.Text, nil)
			d = JunosDescription{Interface: fs[0], Admin: fs[1], Link: fs[2]}
			if len(toks) > 3 {
				d.Description = r.Text[toks[3].bs:]
			}
		}
		out = append(out, d)
		return nil
	})
	return out, rep
}

func upDown(s string) bool { return s == "up" || s == "down" }

// JunosMAC is one entry of Junos `show ethernet-switching table`: EX
// before ELS prints VLAN, MAC address, Type, Age, Interfaces; ELS prints
// VLAN name, MAC address, MAC flags, (Age,) Logical interface and more
// columns by release (NH Index, RTR ID, Active source, ...). Field names
// follow the reference template, but the VLAN is the name Junos prints.
type JunosMAC struct {
	VLANName  string `yaml:"vlan_name"`
	MAC       string `yaml:"mac_address"`
	Flags     string `yaml:"mac_flag"` // ELS flags (D, S, DL, ...) or EX type (Learn, Static)
	Age       string `yaml:"age"`
	Interface string `yaml:"logical_interface"`
}

var junosMACTable = NewTable(Spec{
	Command: "show ethernet-switching table",
	Columns: []Column{
		{"vlan", []string{"Vlan name", "VLAN", "Vlan"}},
		{"mac", []string{"MAC address", "MAC"}},
		{"flags", []string{"MAC flags", "Type", "MAC"}},
		{"age", []string{"Age"}},
		{"interface", []string{"Logical interface", "Interfaces", "Interface", "Logical"}},
	},
	Signatures: [][]string{{"vlan", "mac", "interface"}},
	Key:        "vlan",
	Skip: func(l string) bool {
		return junosBanner(l) || strings.HasPrefix(l, "name ") && strings.Contains(l, "address") || // ELS header, second line
			strings.HasPrefix(l, "Ethernet switching table") || strings.HasPrefix(l, "Ethernet-switching table") ||
			strings.HasPrefix(l, "MAC database for")
	},
	Context: junosInstance,
})

// JunosEthernetSwitchingTable parses `show ethernet-switching table`
// (both layouts). Flood entries (MAC "*", interface All-members) are read
// but are not addresses: they give no record.
func JunosEthernetSwitchingTable(text string) ([]JunosMAC, Report) {
	var out []JunosMAC
	rep := junosMACTable.Read(text, func(r Row) error {
		m := JunosMAC{VLANName: r.Cell("vlan"), MAC: r.Cell("mac"), Flags: r.Cell("flags"), Age: r.Cell("age"), Interface: r.Cell("interface")}
		if m.MAC == "*" {
			return nil // the VLAN's flood entry
		}
		if NormaliseMAC(m.MAC) == "" || strings.Contains(m.VLANName, " ") || m.Interface == "" || strings.Contains(m.Interface, " ") {
			fs := r.Fields() // a VLAN name too long for its column pushes the row
			if len(fs) < 3 || NormaliseMAC(fs[1]) == "" {
				return errors.New("not a MAC entry: no VLAN, MAC address and interface under their columns")
			}
			m = JunosMAC{VLANName: fs[0], MAC: fs[1], Flags: fs[2]}
			rest := fs[3:]
			if r.Has("age") && len(rest) > 1 {
				m.Age, rest = rest[0], rest[1:]
			}
			if len(rest) == 0 {
				return errors.New("not a MAC entry: no interface")
			}
			m.Interface = rest[0]
		}
		out = append(out, m)
		return nil
	})
	return out, rep
}
