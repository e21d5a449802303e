package showparse

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// HuaweiPortVLAN is one row of Huawei VRP `display port vlan`.
type HuaweiPortVLAN struct {
	Interface string   `yaml:"interface"`
	LinkType  string   `yaml:"link_type"`
	PVID      string   `yaml:"vlan_id"`
	Trunk     []string `yaml:"trunk_vlan_list"`
}

var huaweiPortVLANTable = NewTable(Spec{
	Command: "display port vlan",
	Columns: []Column{
		{"port", []string{"Port"}},
		{"link", []string{"Link Type"}},
		{"pvid", []string{"PVID"}},
		{"vlans", []string{"Trunk VLAN List", "VLAN List"}},
	},
	Signatures: [][]string{{"port", "link", "pvid"}},
})

// HuaweiDisplayPortVLAN parses `display port vlan`: port, link type,
// PVID and the VLAN list (continued on the next lines; "-" for none; the
// "U:"/"T:" marks of later releases are read past). A member of an
// Eth-Trunk prints "-  0  -": no link type, no PVID.
func HuaweiDisplayPortVLAN(text string) ([]HuaweiPortVLAN, Report) {
	var out []HuaweiPortVLAN
	rep := huaweiPortVLANTable.Read(text, func(r Row) error {
		vlans, err := huaweiVLANList(r.Cell("vlans"))
		if err != nil {
			return err
		}
		if r.Continuation() {
			if len(out) == 0 || r.Cell("link") != "" || r.Cell("pvid") != "" {
				return errors.New("not a port row: no port, and not VLANs continuing the port above")
			}
			out[len(out)-1].Trunk = append(out[len(out)-1].Trunk, vlans...)
			return nil
		}
		p := HuaweiPortVLAN{Interface: r.Cell("port"), LinkType: r.Cell("link"), PVID: r.Cell("pvid"), Trunk: vlans}
		if strings.Contains(p.Interface, " ") || strings.Contains(p.LinkType, " ") {
			return errors.New("not a port row: no single port name and link type under Port and Link Type")
		}
		if p.LinkType == "-" { // an Eth-Trunk member
			p.LinkType, p.PVID = "", ""
		} else if !isNumber(p.PVID) {
			return fmt.Errorf("port %s: PVID %q is not a VLAN", p.Interface, p.PVID)
		}
		out = append(out, p)
		return nil
	})
	return out, rep
}

// huaweiVLANList reads "1 191 250-255", "-", "U: 1 T: 2-10".
func huaweiVLANList(s string) ([]string, error) {
	out := []string{}
	for _, f := range strings.Fields(s) {
		switch f {
		case "-", "--", "N/A", "unassigned", "U:", "T:":
			continue
		}
		f = strings.TrimPrefix(strings.TrimPrefix(f, "U:"), "T:")
		lo, hi, isRange := strings.Cut(f, "-")
		if !isNumber(lo) || isRange && !isNumber(hi) {
			return nil, fmt.Errorf("%q is not a VLAN or a range of VLANs", f)
		}
		out = append(out, f)
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

var huaweiARPTable = NewTable(Spec{
	Command: "display arp all",
	Columns: []Column{
		{"ip", []string{"IP ADDRESS"}},
		{"mac", []string{"MAC ADDRESS"}},
		{"expire", []string{"EXPIRE(M)", "EXPIRE"}},
		{"type", []string{"TYPE"}},
		{"interface", []string{"INTERFACE"}},
		{"vpn", []string{"VPN-INSTANCE"}},
	},
	Signatures: [][]string{{"ip", "mac", "interface"}},
	Key:        "ip",
	Skip: func(l string) bool {
		return strings.HasPrefix(l, "Total:") || strings.HasPrefix(l, "Redirect:")
	},
})

// HuaweiARPTable parses `display arp all` (and `display arp`). The line
// under a dynamic entry gives its VLAN ("10/-"): it is read, but gives
// no record. A type may be two words ("I -").
func HuaweiARPTable(text string) ([]HuaweiARP, Report) {
	var out []HuaweiARP
	rep := huaweiARPTable.Read(text, func(r Row) error {
		if r.Continuation() {
			if len(out) == 0 || !slices.ContainsFunc(r.Fields(), func(f string) bool { v, _, ok := strings.Cut(f, "/"); return ok && isNumber(v) }) {
				return errors.New("not an ARP entry: no IP address, and not the VLAN (\"10/-\") of the entry above")
			}
			return nil
		}
		a := HuaweiARP{IP: r.Cell("ip"), MAC: r.Cell("mac"), Expire: unlessPlaceholder(r.Cell("expire")), Type: r.Cell("type"), Interface: r.Cell("interface"), VPNInstance: r.Cell("vpn")}
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" || a.Interface == "" || strings.Contains(a.Interface, " ") || a.Expire != "" && !isNumber(a.Expire) {
			return errors.New("not an ARP entry: no IP address, MAC address, type and interface under their columns")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
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

var huaweiBriefTable = NewTable(Spec{
	Command: "display interface brief",
	Columns: []Column{
		{"interface", []string{"Interface"}},
		{"phy", []string{"PHY"}},
		{"protocol", []string{"Protocol"}},
		{"inuti", []string{"InUti"}},
		{"oututi", []string{"OutUti"}},
		{"inerrors", []string{"inErrors"}},
		{"outerrors", []string{"outErrors"}},
	},
	Signatures: [][]string{{"interface", "phy", "protocol"}},
})

// HuaweiDisplayInterfaceBrief parses `display interface brief`; member
// ports of an Eth-Trunk are listed indented under it, some with their
// speed after the name ("GigabitEthernet15/1/0(10G)"), which pushes the
// row right.
func HuaweiDisplayInterfaceBrief(text string) ([]HuaweiInterfaceBrief, Report) {
	var out []HuaweiInterfaceBrief
	rep := huaweiBriefTable.Read(text, func(r Row) error {
		b := HuaweiInterfaceBrief{r.Cell("interface"), r.Cell("phy"), r.Cell("protocol"), r.Cell("inuti"), r.Cell("oututi"), r.Cell("inerrors"), r.Cell("outerrors")}
		if b.Interface == "" || strings.Contains(b.Interface, " ") || b.PHY == "" || strings.Contains(b.PHY, " ") || strings.Contains(b.Protocol, " ") {
			fs := r.Fields()
			if len(fs) != 7 || !strings.Contains(fs[1], "up") && !strings.Contains(fs[1], "down") {
				return errors.New("not an interface row: no interface, PHY and protocol states under their columns")
			}
			b = HuaweiInterfaceBrief{fs[0], fs[1], fs[2], fs[3], fs[4], fs[5], fs[6]}
		}
		out = append(out, b)
		return nil
	})
	return out, rep
}

// HuaweiVLAN is one group of ports of a VLAN in Huawei VRP `display vlan`
// (or `display vlan brief` on the AP/WLAN releases): a VLAN prints its
// untagged ("UT:") and tagged ("TG:") ports as separate groups, and has
// one record per group (one without ports when it has none), each with
// the VLAN's attributes from the second table. Field names follow the
// reference templates.
type HuaweiVLAN struct {
	VLANID          string   `yaml:"vlan_id"`
	Name            string   `yaml:"vlan_name"`
	Type            string   `yaml:"vlan_type"`
	Status          string   `yaml:"vlan_status"`
	MACLearning     string   `yaml:"vlan_mac_learning"`
	Statistics      string   `yaml:"vlan_statistics"`
	Property        string   `yaml:"vlan_property"`
	Description     string   `yaml:"vlan_description"`
	Broadcast       string   `yaml:"vlan_broadcast"`
	Multicast       string   `yaml:"vlan_multicast"`
	Unicast         string   `yaml:"vlan_unicast"`
	Mode            string   `yaml:"mode"` // UT or TG
	Interface       []string `yaml:"interface"`
	InterfaceStatus []string `yaml:"interface_status"` // U or D
}

// huaweiVLANTable is both tables of `display vlan`: the port groups —
// VID, Type, Ports (S switches) or VID, Name, Status, Ports (AP and WLAN
// releases, and `display vlan brief`) — and the VLAN attributes — VID,
// Status, Property, MAC-LRN, Statistics, Description (S switches) or
// VLAN ID, Type, Status, MAC Learning, Broadcast/Multicast/Unicast,
// Property (AP releases). A row's section says which it is.
var huaweiVLANTable = NewTable(Spec{
	Command: "display vlan",
	Columns: []Column{
		{"vlan", []string{"VID", "VLAN ID"}},
		{"name", []string{"Name"}},
		{"type", []string{"Type"}},
		{"status", []string{"Status"}},
		{"ports", []string{"Ports"}},
		{"property", []string{"Property"}},
		{"maclearning", []string{"MAC-LRN", "MAC Learning"}},
		{"statistics", []string{"Statistics"}},
		{"bmu", []string{"Broadcast/Multicast/Unicast"}},
		{"description", []string{"Description"}},
	},
	Signatures: [][]string{{"vlan", "ports"}, {"vlan", "status", "property"}},
	Key:        "vlan",
})

// HuaweiDisplayVLAN parses `display vlan` and `display vlan brief`: the
// table of port groups and the table of VLAN attributes, whichever the
// output has. A port is "name(U)" or "name(D)" (up, down).
func HuaweiDisplayVLAN(text string) ([]HuaweiVLAN, Report) {
	var groups []HuaweiVLAN
	var mode string // the group the last row was in
	type attrs struct {
		typ, status, property, mac, stats, bmu, desc string
	}
	byID := map[string]attrs{}
	var order []string
	rep := huaweiVLANTable.Read(text, func(r Row) error {
		if r.Has("property") { // the attributes
			id := r.Cell("vlan")
			if !isVLANID(id) {
				return fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", id)
			}
			a := attrs{r.Cell("type"), r.Cell("status"), r.Cell("property"), r.Cell("maclearning"), r.Cell("statistics"), r.Cell("bmu"), r.Cell("description")}
			if strings.Contains(a.status, " ") || strings.Contains(a.property, " ") {
				return fmt.Errorf("VLAN %s: no status and property under Status and Property", id)
			}
			if _, dup := byID[id]; !dup {
				order = append(order, id)
			}
			byID[id] = a
			return nil
		}
		if !r.Continuation() {
			id := r.Cell("vlan")
			if !isVLANID(id) {
				return fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", id)
			}
			groups = append(groups, HuaweiVLAN{VLANID: id, Name: r.Cell("name"), Type: r.Cell("type"), Status: r.Cell("status"), Interface: []string{}, InterfaceStatus: []string{}})
			mode = ""
		} else if len(groups) == 0 || r.Cell("name") != "" || r.Cell("type") != "" || r.Cell("status") != "" {
			return errors.New("not a VLAN row: no VLAN ID, and not ports continuing the VLAN above")
		}
		for _, f := range strings.Fields(r.Cell("ports")) {
			if m, rest, ok := strings.Cut(f, ":"); ok && (m == "UT" || m == "TG" || m == "MP" || m == "ST") {
				cur := &groups[len(groups)-1]
				if mode != "" { // a second group of the same VLAN
					groups = append(groups, HuaweiVLAN{VLANID: cur.VLANID, Name: cur.Name, Type: cur.Type, Status: cur.Status, Interface: []string{}, InterfaceStatus: []string{}})
				}
				mode = m
				groups[len(groups)-1].Mode = m
				if f = rest; f == "" {
					continue
				}
			}
			name, st, ok := strings.Cut(strings.TrimSuffix(f, ")"), "(")
			if !ok || !huaweiPortName(name) || mode == "" {
				return fmt.Errorf("%q is not a port of a UT: or TG: group (name(U) or name(D))", f)
			}
			g := &groups[len(groups)-1]
			g.Interface = append(g.Interface, name)
			g.InterfaceStatus = append(g.InterfaceStatus, st)
		}
		return nil
	})
	var out []HuaweiVLAN
	apply := func(v HuaweiVLAN) HuaweiVLAN {
		a, ok := byID[v.VLANID]
		if !ok {
			return v
		}
		if a.typ != "" {
			v.Type = a.typ
		}
		if a.status != "" {
			v.Status = a.status
		}
		v.Property, v.MACLearning, v.Statistics, v.Description = a.property, a.mac, a.stats, a.desc
		if b := strings.Fields(a.bmu); len(b) == 3 {
			v.Broadcast, v.Multicast, v.Unicast = b[0], b[1], b[2]
		}
		return v
	}
	seen := map[string]bool{}
	for _, g := range groups {
		out = append(out, apply(g))
		seen[g.VLANID] = true
	}
	for _, id := range order {
		if !seen[id] {
			out = append(out, apply(HuaweiVLAN{VLANID: id, Interface: []string{}, InterfaceStatus: []string{}}))
		}
	}
	return out, rep
}

// huaweiPortName says whether s is a Huawei port name: an interface
// name, which may start with its speed ("40GE0/0/1", "100GE1/0/1").
func huaweiPortName(s string) bool {
	return isInterfaceName(strings.TrimLeft(s, "0123456789"))
}
