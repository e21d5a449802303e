package showparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Dell Force10 (FTOS, Dell Networking OS9): `show vlan brief`, `show vlan`
// and `show arp`.

// Force10VLANBrief is one row of Dell Force10 `show vlan brief`.
type Force10VLANBrief struct {
	ID        string `yaml:"vlan_id"`
	Name      string `yaml:"vlan_name"`
	STG       string `yaml:"stg"`
	MACAging  string `yaml:"mac_aging"`
	IPAddress string `yaml:"ip_address"`
}

var force10VLANBriefTable = NewTable(Spec{
	Command: "show vlan brief",
	Columns: []Column{
		{"vlan", []string{"VLAN"}},
		{"name", []string{"Name"}},
		{"stg", []string{"STG"}},
		{"aging", []string{"MAC Aging"}},
		{"ip", []string{"IP Address"}},
	},
	Signatures: [][]string{{"vlan", "name", "stg"}},
})

// Force10ShowVLANBrief parses Dell Force10 `show vlan brief`.
func Force10ShowVLANBrief(text string) ([]Force10VLANBrief, Report) {
	var out []Force10VLANBrief
	rep := force10VLANBriefTable.Read(text, func(r Row) error {
		v := Force10VLANBrief{ID: r.Cell("vlan"), Name: r.Cell("name"), STG: r.Cell("stg"), MACAging: r.Cell("aging"), IPAddress: r.Cell("ip")}
		if !isVLANID(v.ID) {
			return fmt.Errorf("not a VLAN row: %q is not a VLAN ID", v.ID)
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

// Force10VLAN is one VLAN of Dell Force10 `show vlan`: its codes ("*"
// for the default VLAN, G, R, P, C, I, O), number, status, description
// and its member lines, each a Q code (U untagged, T tagged, ...) and
// the ports it applies to ("Te 0/1-4,7", "Po1(Te 0/46-47)").
type Force10VLAN struct {
	Codes   string
	ID      string
	Status  string
	Name    string // the Description column
	Members []Force10Members
}

// Force10Members is one member line of a VLAN of `show vlan`.
type Force10Members struct {
	Q     string // U, T, x, X, o, O, G, M, H, i, I, v, V
	Ports string // as printed: "Te 0/1-4,7"
}

var force10VLANTable = NewTable(Spec{
	Command: "show vlan",
	Columns: []Column{
		{"num", []string{"NUM"}},
		{"status", []string{"Status"}},
		{"name", []string{"Description", "Name"}},
		{"q", []string{"Q"}},
		{"ports", []string{"Ports"}},
	},
	Signatures: [][]string{{"num", "status", "q", "ports"}},
	Key:        "num",
})

// Force10ShowVLAN parses Dell Force10 `show vlan`. A VLAN's members go
// on in the lines under it (their NUM cell empty).
func Force10ShowVLAN(text string) ([]Force10VLAN, Report) {
	var out []Force10VLAN
	last := -1
	rep := force10VLANTable.Read(text, func(r Row) error {
		m, err := force10Members(r.Cell("q"), r.Cell("ports"))
		if err != nil {
			return err
		}
		if r.Continuation() {
			if last < 0 || r.Line != last+1 {
				return errors.New("a member line with no VLAN above it")
			}
			if m == nil || r.Cell("status") != "" || r.Cell("name") != "" {
				return errors.New("not a member line: no Q code and ports under Q and Ports")
			}
			out[len(out)-1].Members = append(out[len(out)-1].Members, *m)
			last = r.Line
			return nil
		}
		fs := strings.Fields(r.Cell("num"))
		if len(fs) == 0 || !isVLANID(fs[len(fs)-1]) || r.Cell("status") == "" {
			return errors.New("not a VLAN row: no VLAN number under NUM and status under Status")
		}
		v := Force10VLAN{Codes: strings.Join(fs[:len(fs)-1], " "), ID: fs[len(fs)-1], Status: r.Cell("status"), Name: r.Cell("name")}
		if m != nil {
			v.Members = append(v.Members, *m)
		}
		out = append(out, v)
		last = r.Line
		return nil
	})
	return out, rep
}

// force10Members reads the Q and Ports cells of a row (both empty: no
// member on the line).
func force10Members(q, ports string) (*Force10Members, error) {
	if q == "" && ports == "" {
		return nil, nil
	}
	if len(q) != 1 || !strings.Contains("UTxXoOGMHiIvV", q) || ports == "" {
		return nil, fmt.Errorf("not a member line: %q %q is not a Q code (U, T, ...) and ports", q, ports)
	}
	if _, err := expandForce10Ports(ports); err != nil {
		return nil, err
	}
	return &Force10Members{Q: q, Ports: ports}, nil
}

// force10Tagged says how a Q code has the port carry the VLAN: tagged,
// untagged, or unknown (M: VLAN-stack).
func force10Tagged(q string) (tagged, known bool) {
	switch q {
	case "U", "x", "o", "i", "v":
		return false, true
	case "T", "X", "O", "G", "H", "I", "V":
		return true, true
	}
	return false, false
}

// expandForce10Ports expands "Te 0/1-4,7" into Te 0/1 ... Te 0/4, Te 0/7
// and "Po1(Te 0/46-47)" into Po 1 (the port-channel is the member).
func expandForce10Ports(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "Po") {
		n, _, _ := strings.Cut(strings.TrimSpace(s[2:]), "(")
		n = strings.TrimSpace(n)
		if !isNumber(n) {
			return nil, fmt.Errorf("%q is not a port-channel", s)
		}
		return []string{"Po " + n}, nil
	}
	kind, list, ok := strings.Cut(s, " ")
	if !ok || kind == "" || !isInterfaceName(kind+"0") {
		return nil, fmt.Errorf("%q is not a list of ports", s)
	}
	var out []string
	prefix := ""
	for _, item := range strings.Split(strings.TrimSpace(list), ",") {
		from, to, isRange := strings.Cut(item, "-")
		if i := strings.LastIndexByte(from, '/'); i >= 0 {
			prefix = from[:i+1]
			from = from[i+1:]
		}
		if !isRange {
			to = from
		}
		a, b, ok := portRange(from, to)
		if !ok || prefix == "" && strings.Contains(list, "/") {
			return nil, fmt.Errorf("%q is not a list of ports", s)
		}
		for p := a; p <= b; p++ {
			out = append(out, kind+" "+prefix+strconv.Itoa(p))
		}
	}
	return out, nil
}

// MarshalYAML writes the VLAN under the reference's field names: its
// member ports per Q code (U, T) and interface type (Gi, Te, Fo, Ma), as
// printed after the type, joined by commas.
func (v Force10VLAN) MarshalYAML() (any, error) {
	m := map[string]string{"vlan_id": v.ID, "status": v.Status, "vlan_name": v.Name}
	for _, q := range []string{"u", "t"} {
		for _, kind := range []string{"gi", "te", "fo", "ma"} {
			m["ports_"+q+"_"+kind] = ""
		}
	}
	for _, mb := range v.Members {
		kind, list, _ := strings.Cut(mb.Ports, " ")
		key := "ports_" + strings.ToLower(mb.Q) + "_" + strings.ToLower(kind)
		if _, ok := m[key]; ok && (mb.Q == "U" || mb.Q == "T") {
			m[key] = joinComma(m[key], list)
		}
	}
	return m, nil
}

func joinComma(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

// Force10ARP is one entry of Dell Force10 `show arp`.
type Force10ARP struct {
	IP     string `yaml:"ip_address"`
	Age    string `yaml:"age"`
	MAC    string `yaml:"mac_address"`
	Port   string `yaml:"port"`    // "Te 0/22", "Ma 0/0", "-"
	VLANID string `yaml:"vlan_id"` // "10" for "Vl 10", "-"
	CPU    string `yaml:"cpu"`
}

var force10ARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"protocol", []string{"Protocol"}},
		{"address", []string{"Address"}},
		{"age", []string{"Age(min)", "Age"}},
		{"mac", []string{"Hardware Address"}},
		{"iface", []string{"Interface"}},
		{"vlan", []string{"VLAN"}},
		{"cpu", []string{"CPU"}},
	},
	Signatures: [][]string{{"protocol", "address", "mac", "iface"}},
})

// Force10ARPTable parses Dell Force10 `show arp`; an entry not resolved
// yet reads "(incomplete)" for its MAC address.
func Force10ARPTable(text string) ([]Force10ARP, Report) {
	var out []Force10ARP
	rep := force10ARPTable.Read(text, func(r Row) error {
		a := Force10ARP{IP: r.Cell("address"), Age: r.Cell("age"), MAC: r.Cell("mac"), Port: r.Cell("iface"), CPU: r.Cell("cpu")}
		a.VLANID = strings.TrimSpace(strings.TrimPrefix(r.Cell("vlan"), "Vl"))
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" && !strings.EqualFold(strings.Trim(a.MAC, "()"), "incomplete") {
			return errors.New("not an ARP entry: no IP address under Address and MAC address under Hardware Address")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// The Dell Force10 commands import reads.
var force10Commands = []command{
	{name: "show vlan brief", table: force10VLANBriefTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := Force10ShowVLANBrief(text)
			for _, row := range rows {
				r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
			}
			return rep, nil
		}},
	{name: "show vlan", filters: []string{"id *", "name *"}, table: force10VLANTable,
		read: func(text string, r *Result) (Report, error) {
			vs, rep := Force10ShowVLAN(text)
			m := newMembership()
			for _, v := range vs {
				vlan := VLAN{ID: v.ID, Name: v.Name, Status: v.Status}
				for _, mb := range v.Members {
					ports, _ := expandForce10Ports(mb.Ports) // checked by the parser
					tagged, known := force10Tagged(mb.Q)
					for _, p := range ports {
						vlan.Ports = appendNew(vlan.Ports, p)
						if known {
							m.add(p, v.ID, tagged)
						}
					}
				}
				r.VLANs = append(r.VLANs, vlan)
			}
			m.ports(r)
			return rep, nil
		}},
	{name: "show arp", filters: []string{"vrf *", "interface *", "vlan *"}, table: force10ARPTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := Force10ARPTable(text)
			for _, row := range rows {
				if NormaliseMAC(row.MAC) == "" {
					continue // not resolved yet: no MAC address to know the host by
				}
				iface := unlessPlaceholder(row.Port)
				if iface == "" && isVLANID(row.VLANID) {
					iface = "Vl " + row.VLANID
				}
				r.addARP(row.IP, row.MAC, iface)
			}
			return rep, nil
		}},
}
