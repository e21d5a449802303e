package showparse

import (
	"errors"
	"fmt"
	"strings"
)

// MikroTik RouterOS: `/ip arp print` (a table) and `/interface vlan print
// detail` (one entry per VLAN interface).

// MikroTikARP is one entry of RouterOS `/ip arp print`.
type MikroTikARP struct {
	Num       string `yaml:"num"`
	Flags     string `yaml:"flags"` // X disabled, I invalid, H DHCP, D dynamic, P published, C complete
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
}

// mikrotikARPTable is `/ip arp print`: the entry number and its flags
// stand under "#", left of ADDRESS.
var mikrotikARPTable = NewTable(Spec{
	Command: "/ip arp print",
	Columns: []Column{
		{"num", []string{"#"}},
		{"address", []string{"ADDRESS"}},
		{"mac", []string{"MAC-ADDRESS"}},
		{"iface", []string{"INTERFACE"}},
	},
	Signatures: [][]string{{"address", "mac"}},
	Skip:       func(l string) bool { return strings.HasPrefix(l, ";;;") }, // an entry's comment
})

// MikroTikARPTable parses RouterOS `/ip arp print`.
func MikroTikARPTable(text string) ([]MikroTikARP, Report) {
	var out []MikroTikARP
	rep := mikrotikARPTable.Read(text, func(r Row) error {
		num := strings.Fields(r.Cell("num"))
		a := MikroTikARP{IP: r.Cell("address"), MAC: r.Cell("mac"), Interface: r.Cell("iface")}
		if len(num) > 0 {
			a.Num, a.Flags = num[0], strings.Join(num[1:], "")
		}
		if !isNumber(a.Num) || !isIPv4(a.IP) || a.MAC != "" && NormaliseMAC(a.MAC) == "" || strings.Contains(a.Interface, " ") ||
			strings.Trim(a.Flags, "XIHDPC") != "" {
			return errors.New("not an ARP entry: no entry number and flags under #, IP address under ADDRESS, MAC address under MAC-ADDRESS")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// MikroTikVLAN is one VLAN interface of RouterOS `/interface vlan print
// detail`.
type MikroTikVLAN struct {
	ID          string   `yaml:"id"`               // the entry number
	Status      string   `yaml:"status"`           // its flags: X disabled, R running
	Description []string `yaml:"description"`      // the comment (";;; ..."), one item per line
	Name        string   `yaml:"name"`             // name=
	VLANID      string   `yaml:"vlan_id"`          // vlan-id=
	Interface   string   `yaml:"parent_interface"` // interface=
	ServiceTag  string   `yaml:"service_tag"`      // use-service-tag=
	// Properties are every key=value of the entry, values unquoted.
	Properties map[string]string `yaml:"-"`
	Line       int               `yaml:"-"` // the line of its number
}

// mikrotikEntryStart recognises the first line of an entry of `print
// detail`: its number at the left ("  0 R ;;; comment", " 7 X name=...").
func mikrotikEntryStart(l string) bool {
	l = strings.TrimLeft(l, " ")
	n := 0
	for n < len(l) && l[n] >= '0' && l[n] <= '9' {
		n++
	}
	return n > 0 && n < len(l) && l[n] == ' '
}

var mikrotikVLANRecords = Records{
	Command: "/interface vlan print detail",
	Start:   mikrotikEntryStart,
	Outside: func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "Flags:") },
}

// MikroTikInterfaceVLAN parses RouterOS `/interface vlan print detail`.
// An entry is its number and flags, a comment (";;; ...", which may go on
// over lines of its own) and key=value properties, over as many lines as
// the terminal's width takes (values with blanks are quoted). An entry
// without name= or vlan-id= is reported; so is a line after the
// properties began that is not key=value.
func MikroTikInterfaceVLAN(text string) ([]MikroTikVLAN, Report) {
	var out []MikroTikVLAN
	rep := mikrotikVLANRecords.Read(text, func(rec *Record) error {
		v := MikroTikVLAN{Properties: make(map[string]string, 16), Line: rec.Lines[0].No}
		first := strings.TrimSpace(rec.Lines[0].Text)
		v.ID, first, _ = strings.Cut(first, " ")
		first = strings.TrimSpace(first)
		// Flags: one-letter words before the comment or the properties.
		for {
			w, rest, _ := strings.Cut(first, " ")
			if w == "" || strings.Contains(w, "=") || strings.HasPrefix(w, ";;;") || strings.Trim(w, "XRDS") != "" {
				break
			}
			v.Status += w
			first = strings.TrimSpace(rest)
		}
		props := false
		for i := 0; i < len(rec.Lines); i++ {
			l := rec.Lines[i]
			t := strings.TrimSpace(l.Text)
			if i == 0 {
				t = first
			}
			if t == "" {
				continue
			}
			if c, ok := strings.CutPrefix(t, ";;;"); ok && !props {
				v.Description = append(v.Description, strings.TrimSpace(c))
				continue
			}
			kv, ok := mikrotikProperties(t)
			switch {
			case ok:
				props = true
				for _, p := range kv {
					v.Properties[p[0]] = p[1]
				}
			case !props && len(v.Description) > 0: // the comment goes on
				v.Description = append(v.Description, t)
			default:
				rec.Skip(l, "not key=value properties of the entry")
			}
		}
		v.Name, v.VLANID, v.Interface, v.ServiceTag = v.Properties["name"], v.Properties["vlan-id"], v.Properties["interface"], v.Properties["use-service-tag"]
		if v.Name == "" || !isVLANID(v.VLANID) {
			return fmt.Errorf("not a VLAN interface: entry %s has no name= and vlan-id= with a VLAN ID", v.ID)
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

// mikrotikProperties splits a line of key=value pairs (a value with
// blanks in double quotes, \" inside them); ok is false unless the whole
// line is such pairs.
func mikrotikProperties(l string) ([][2]string, bool) {
	var out [][2]string
	for i := 0; i < len(l); {
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i >= len(l) {
			break
		}
		eq := strings.IndexByte(l[i:], '=')
		if eq <= 0 {
			return nil, false
		}
		key := l[i : i+eq]
		for _, r := range key {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
				return nil, false
			}
		}
		i += eq + 1
		var val string
		if i < len(l) && l[i] == '"' {
			i++
			from, escaped, closed := i, false, false
			for i < len(l) {
				c := l[i]
				i++
				if c == '\\' && i < len(l) {
					escaped = true
					i++
					continue
				}
				if c == '"' {
					closed = true
					break
				}
			}
			if !closed || i < len(l) && l[i] != ' ' {
				return nil, false
			}
			val = l[from : i-1]
			if escaped {
				val = mikrotikUnescape(val)
			}
		} else {
			from := i
			for i < len(l) && l[i] != ' ' {
				i++
			}
			val = l[from:i]
		}
		out = append(out, [2]string{key, val})
	}
	return out, len(out) > 0
}

// mikrotikUnescape removes the backslashes of a quoted value (\" is ").
func mikrotikUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// The MikroTik RouterOS commands import reads.
var mikrotikCommands = []command{
	{name: "/ip arp print", also: []string{"ip arp print"}, filters: []string{"without-paging"}, table: mikrotikARPTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := MikroTikARPTable(text)
			for _, row := range rows {
				if row.MAC != "" {
					r.addARP(row.IP, row.MAC, row.Interface)
				}
			}
			return rep, nil
		}},
	{name: "/interface vlan print detail", also: []string{"interface vlan print detail"}, filters: []string{"without-paging"},
		match: func(l string) bool { return strings.Contains(l, "vlan-id=") },
		read: func(text string, r *Result) (Report, error) {
			rows, rep := MikroTikInterfaceVLAN(text)
			for _, row := range rows {
				v := VLAN{ID: row.VLANID, Name: row.Name}
				if row.Interface != "" {
					v.Ports = []string{row.Interface}
				}
				r.VLANs = append(r.VLANs, v)
			}
			return rep, nil
		}},
}
