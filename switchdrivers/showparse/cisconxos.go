package showparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// NXOSSwitchport is one interface of NX-OS `show interface switchport`.
type NXOSSwitchport struct {
	Interface      string `yaml:"interface"`
	Switchport     string `yaml:"switchport"`
	Monitor        string `yaml:"switchport_monitor"`
	Mode           string `yaml:"mode"`
	AccessVLAN     string `yaml:"access_vlan"`
	AccessVLANName string `yaml:"access_vlan_name"`
	NativeVLAN     string `yaml:"native_vlan"`
	NativeVLANName string `yaml:"native_vlan_name"`
	TrunkingVLANs  string `yaml:"trunking_vlans"`
	VoiceVLAN      string `yaml:"voice_vlan"`
}

// vlanAndName splits "3 (Vlan not created)".
func vlanAndName(v string) (string, string) {
	id, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	return id, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(rest), "("), ")")
}

// NXOSInterfaceSwitchport parses NX-OS `show interface switchport`.
func NXOSInterfaceSwitchport(text string) ([]NXOSSwitchport, Report) {
	var out []NXOSSwitchport
	rep := Blocks{Command: CmdInterfacesSwitchport, Start: "Name"}.Read(text,
		func(name string) error {
			out = append(out, NXOSSwitchport{Interface: name})
			return nil
		},
		func(key, val string) {
			cur := &out[len(out)-1]
			switch key {
			case "Switchport":
				cur.Switchport = val
			case "Switchport Monitor":
				cur.Monitor = val
			case "Operational Mode":
				cur.Mode = val
			case "Access Mode VLAN":
				cur.AccessVLAN, cur.AccessVLANName = vlanAndName(val)
			case "Trunking Native Mode VLAN":
				cur.NativeVLAN, cur.NativeVLANName = vlanAndName(val)
			case "Trunking VLANs Allowed":
				cur.TrunkingVLANs = val
			case "Voice VLAN":
				cur.VoiceVLAN = val
			}
		})
	return out, rep
}

// NXOSMAC is one entry of NX-OS `show mac address-table`.
type NXOSMAC struct {
	VLANID  string `yaml:"vlan_id"`
	Address string `yaml:"mac_address"`
	Type    string `yaml:"type"`
	Age     string `yaml:"age"`
	Secure  string `yaml:"secure"`
	NTFY    string `yaml:"ntfy"`
	Ports   string `yaml:"ports"`
}

// NXOSMACTable parses NX-OS `show mac address-table`.
func NXOSMACTable(text string) ([]NXOSMAC, Report) {
	var out []NXOSMAC
	rep := macRows(macTable, text, nxosMACCells, func(r Row, mac, vlan string, ports []string) {
		out = append(out, NXOSMAC{VLANID: vlan, Address: mac, Type: r.Cell("type"), Age: r.Cell("age"),
			Secure: r.Cell("secure"), NTFY: r.Cell("ntfy"), Ports: strings.Join(ports, ",")})
	}, func(ports []string) {
		last := &out[len(out)-1]
		last.Ports = strings.Join(append(strings.FieldsFunc(last.Ports, func(r rune) bool { return r == ',' }), ports...), ",")
	}, func(r Row) error {
		rec, err := nxosMACWords(r.Fields())
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, rep
}

// nxosMACCells says whether a row's cells hold what NX-OS documents
// under its columns: one word each under Type, age, Secure and NTFY, and
// ports under Ports (a row printed off the columns, e.g. after a longer
// port name, is read by its words).
func nxosMACCells(r Row) bool {
	for _, c := range []string{"type", "age", "secure", "ntfy"} {
		if r.Has(c) && strings.Contains(r.Cell(c), " ") {
			return false
		}
	}
	if _, err := macPorts(r.Cell("ports")); err != nil || r.Has("ports") && r.Cell("ports") == "" && !r.Continuation() {
		return false
	}
	return true
}

// nxosMACWords reads an NX-OS MAC row from its words, in the order NX-OS
// documents its columns: a flag ("*", "+", "G", ...), the VLAN, MAC
// address, type, age, secure, NTFY, then the port.
func nxosMACWords(fs []string) (NXOSMAC, error) {
	if len(fs) > 0 && len(fs[0]) == 1 && !isVLANID(fs[0]) && fs[0] != "-" {
		fs = fs[1:] // the flag
	}
	if len(fs) < 7 || !(isVLANID(fs[0]) || fs[0] == "-") || NormaliseMAC(fs[1]) == "" {
		return NXOSMAC{}, errors.New("not a MAC address row: not VLAN, MAC address, type, age, secure, NTFY, ports")
	}
	ports, err := macPorts(strings.Join(fs[6:], " "))
	if err != nil {
		return NXOSMAC{}, err
	}
	return NXOSMAC{VLANID: fs[0], Address: strings.ToLower(fs[1]), Type: fs[2], Age: fs[3], Secure: fs[4], NTFY: fs[5], Ports: strings.Join(ports, ",")}, nil
}

// NXOSARP is one entry of NX-OS `show ip arp [vrf X]`.
type NXOSARP struct {
	IP        string `yaml:"ip_address"`
	Age       string `yaml:"age"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	Flags     string `yaml:"flags"`
}

// NXOSARPTable parses NX-OS `show ip arp` (any VRF): a flag the legend
// documents may follow the interface, under a Flags column or not.
func NXOSARPTable(text string) ([]NXOSARP, Report) {
	var out []NXOSARP
	rep := arpRows(text, nxosARPTail, func(r Row, e arpEntry) {
		out = append(out, NXOSARP{IP: e.ip, Age: e.age, MAC: e.mac, Interface: e.iface, Flags: e.flags})
	})
	return out, rep
}

// NXOSARPDetail is one entry of NX-OS `show ip arp detail [vrf X]`.
type NXOSARPDetail struct {
	IP                string `yaml:"ip_address"`
	Age               string `yaml:"age"`
	MAC               string `yaml:"mac_address"`
	Interface         string `yaml:"interface"`
	PhysicalInterface string `yaml:"physical_interface"`
	Flags             string `yaml:"flags"`
}

// NXOSARPDetailTable parses NX-OS `show ip arp detail` (any VRF): the
// table of `show ip arp` with the physical interface behind each entry.
func NXOSARPDetailTable(text string) ([]NXOSARPDetail, Report) {
	var out []NXOSARPDetail
	rep := arpRows(text, nxosARPTail, func(r Row, e arpEntry) {
		out = append(out, NXOSARPDetail{IP: e.ip, Age: e.age, MAC: e.mac, Interface: e.iface, PhysicalInterface: e.physical, Flags: e.flags})
	})
	return out, rep
}

// NXOSInterfaceBrief is one interface of NX-OS `show interface brief`:
// every section (management, Ethernet, port-channel, loopback, VLAN,
// tunnel, NVE, pseudowire) fills the fields its header has.
type NXOSInterfaceBrief struct {
	Interface     string `yaml:"interface"`
	VRF           string `yaml:"vrf"`
	Status        string `yaml:"status"`
	IPAddress     string `yaml:"ip_address"`
	PeerIPAddress string `yaml:"peer_ip_address"`
	Speed         string `yaml:"speed"`
	MTU           string `yaml:"mtu"`
	VLANID        string `yaml:"vlan_id"`
	Type          string `yaml:"type"`
	Mode          string `yaml:"mode"`
	Reason        string `yaml:"reason"`
	PortCh        string `yaml:"portch"`
	Description   string `yaml:"description"`
	Protocol      string `yaml:"protocol"`
	VCID          string `yaml:"vcid"`
}

// CmdInterfaceBrief is NX-OS's `show interface brief`.
const CmdInterfaceBrief = "show interface brief"

// briefTable is every section of NX-OS `show interface brief`, each with
// its own header: the first column names the interfaces ("Port",
// "Ethernet Interface", "Port-channel Interface", "Interface"), and the
// Ethernet section's last column is the port-channel ("Port Ch #",
// printed over two lines). The tunnel section's "Encap type" is its
// type.
var briefTable = NewTable(Spec{
	Command: CmdInterfaceBrief,
	Columns: []Column{
		{"interface", []string{"Ethernet Interface", "Port-channel Interface", "Ethernet", "Port-channel", "Interface", "Port"}},
		{"vrf", []string{"VRF"}},
		{"status", []string{"Status"}},
		{"ip", []string{"IP Address"}},
		{"peer", []string{"Peer IP Address"}},
		{"speed", []string{"Speed"}},
		{"mtu", []string{"MTU"}},
		{"vlan", []string{"VLAN"}},
		{"type", []string{"Encap type", "Secondary VLAN(Type)", "Type"}},
		{"mode", []string{"Mode"}},
		{"reason", []string{"Reason"}},
		{"portch", []string{"Port Ch #", "Ch #"}},
		{"description", []string{"Description"}},
		{"protocol", []string{"Protocol"}},
		{"vcid", []string{"VC ID"}},
	},
	Signatures: [][]string{
		{"interface", "vlan", "type", "mode", "status", "reason"}, // Ethernet, port-channel
		{"interface", "vrf", "status", "ip", "speed", "mtu"},      // management
		{"interface", "status", "description"},                    // loopback
		{"interface", "type", "status", "reason"},                 // VLAN
		{"interface", "status", "ip", "type", "mtu"},              // tunnel
		{"interface", "status", "reason", "mtu"},                  // NVE
		{"interface", "status", "peer", "vcid"},                   // pseudowire
	},
	Key: "interface",
})

// NXOSInterfaceBriefTable parses NX-OS `show interface brief`: every
// section. A row must name an interface and give its status (up, down or
// another word under Status); the reason and description may take
// several words.
func NXOSInterfaceBriefTable(text string) ([]NXOSInterfaceBrief, Report) {
	var out []NXOSInterfaceBrief
	rep := briefTable.Read(text, func(r Row) error {
		rec := NXOSInterfaceBrief{Interface: r.Cell("interface"), VRF: r.Cell("vrf"), Status: r.Cell("status"), IPAddress: r.Cell("ip"),
			PeerIPAddress: r.Cell("peer"), Speed: r.Cell("speed"), MTU: r.Cell("mtu"), VLANID: r.Cell("vlan"), Type: r.Cell("type"),
			Mode: r.Cell("mode"), Reason: r.Cell("reason"), PortCh: r.Cell("portch"), Description: r.Cell("description"),
			Protocol: r.Cell("protocol"), VCID: r.Cell("vcid")}
		switch {
		case !isInterfaceName(rec.Interface):
			return fmt.Errorf("not an interface row: %q under %s is not an interface name", rec.Interface, "Interface")
		case rec.Status == "" || strings.Contains(rec.Status, " "):
			return fmt.Errorf("interface %s: no status under Status", rec.Interface)
		}
		for _, c := range []string{"vrf", "ip", "speed", "mtu", "vlan", "mode", "portch", "protocol"} {
			if strings.Contains(r.Cell(c), " ") {
				return fmt.Errorf("interface %s: %q under %s is more than one word: the row does not follow the header's columns", rec.Interface, r.Cell(c), c)
			}
		}
		out = append(out, rec)
		return nil
	})
	return out, rep
}

// NXOSShowVLANJSON parses NX-OS `show vlan brief | json`:
// TABLE_vlanbriefxbrief.ROW_vlanbriefxbrief, one object or a list. The
// VLAN ID is vlanshowbr-vlanid-utf where the switch prints it (some
// releases print vlanshowbr-vlanid with its bytes swapped: 16777216 for
// 1); the ports (vlanshowplist-ifidx, a string or a list of strings) are
// comma-separated and may be ranges ("port-channel10-13",
// "Ethernet1/1-4"), expanded here.
func NXOSShowVLANJSON(text string) ([]IOSVLAN, Report) {
	rep := Report{Command: CmdVLAN, Line: 1}
	lines := textLines(text)
	firstLine := func() (int, string) {
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				return i + 1, l
			}
		}
		return 1, ""
	}
	type row struct {
		ID    json.RawMessage `json:"vlanshowbr-vlanid"`
		IDUTF json.RawMessage `json:"vlanshowbr-vlanid-utf"`
		Name  json.RawMessage `json:"vlanshowbr-vlanname"`
		State json.RawMessage `json:"vlanshowbr-vlanstate"`
		Ports json.RawMessage `json:"vlanshowplist-ifidx"`
	}
	start := strings.IndexByte(text, '{')
	if start < 0 {
		n, l := firstLine()
		rep.warn(n, l, "not the JSON of show vlan brief | json (no TABLE_vlanbriefxbrief.ROW_vlanbriefxbrief)")
		return nil, rep
	}
	data := []byte(text[start:])
	// A list of rows is read in one pass where that reads what the two
	// passes below read: where neither key can occur twice (a second
	// occurrence would be decoded into the rows of the first, where the
	// passes below keep the last one alone). A key matches its field
	// case-insensitively, and through escapes, so the text must be ASCII
	// without escapes and hold each name at most once, in any case.
	var rows []row
	if onceFold(text, "table_vlanbriefxbrief") && onceFold(text, "row_vlanbriefxbrief") && plainASCII(text) {
		var list struct {
			Table struct {
				Rows []row `json:"ROW_vlanbriefxbrief"`
			} `json:"TABLE_vlanbriefxbrief"`
		}
		if json.Unmarshal(data, &list) == nil {
			rows = list.Table.Rows
		}
	}
	if rows == nil {
		var doc struct {
			Table struct {
				Rows json.RawMessage `json:"ROW_vlanbriefxbrief"`
			} `json:"TABLE_vlanbriefxbrief"`
		}
		if json.Unmarshal(data, &doc) != nil || doc.Table.Rows == nil {
			n, l := firstLine()
			rep.warn(n, l, "not the JSON of show vlan brief | json (no TABLE_vlanbriefxbrief.ROW_vlanbriefxbrief)")
			return nil, rep
		}
		if json.Unmarshal(doc.Table.Rows, &rows) != nil {
			var one row
			if err := json.Unmarshal(doc.Table.Rows, &one); err != nil {
				n, l := firstLine()
				rep.warn(n, l, "ROW_vlanbriefxbrief is neither an object nor a list of objects")
				return nil, rep
			}
			rows = []row{one}
		}
	}
	rep.Sections = 1
	var out []IOSVLAN
	for _, r := range rows {
		id := jsonText(r.IDUTF)
		if id == "" {
			id = jsonText(r.ID)
		}
		if !isVLANID(id) {
			n, l := lineWith(lines, `"vlanshowbr-vlanid`, id)
			rep.warn(n, l, fmt.Sprintf("not a VLAN: %q is not a VLAN ID from 1 to 4094", id))
			continue
		}
		ports := []string{}
		var list []json.RawMessage
		// A list (or null); not tried on anything else, where it can only
		// fail (the common case: one string).
		if len(r.Ports) > 0 && r.Ports[0] == '[' && json.Unmarshal(r.Ports, &list) == nil || string(r.Ports) == "null" {
			for _, x := range list {
				ports = append(ports, expandPorts(jsonText(x))...)
			}
		} else {
			ports = append(ports, expandPorts(jsonText(r.Ports))...)
		}
		out = append(out, IOSVLAN{VLANID: id, Name: jsonText(r.Name), Status: jsonText(r.State), Interfaces: ports})
		rep.Read++
	}
	return out, rep
}

// onceFold says whether the lower-case word w, which holds an
// underscore, occurs at most once in s, ignoring the case of ASCII
// letters.
func onceFold(s, w string) bool {
	k := strings.IndexByte(w, '_')
	n := 0
	for i := k; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '_')
		if j < 0 {
			break
		}
		i += j
		if i >= k && i-k+len(w) <= len(s) && strings.EqualFold(s[i-k:i-k+len(w)], w) {
			n++
		}
	}
	return n <= 1
}

// plainASCII says whether s is ASCII without a backslash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '\\' {
			return false
		}
	}
	return true
}

// jsonText is a JSON scalar as text: a string's value, a number as
// printed; "" for null, absent or anything else.
func jsonText(v json.RawMessage) string {
	switch {
	case len(v) == 0:
		return ""
	case v[0] == '"':
		if len(v) >= 2 && v[len(v)-1] == '"' && !bytes.ContainsAny(v[1:len(v)-1], "\\\"") {
			return string(v[1 : len(v)-1]) // no escapes: the text as it is
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		return string(v)
	}
	return ""
}

// lineWith is the first line (1-based, and its text) holding both
// strings; the first line if none does.
func lineWith(lines []string, a, b string) (int, string) {
	for i, l := range lines {
		if strings.Contains(l, a) && strings.Contains(l, b) {
			return i + 1, l
		}
	}
	return 1, lines[0]
}

// expandPorts splits NX-OS's port list and expands its ranges:
// "port-channel1-2,Ethernet1/3" is port-channel1, port-channel2,
// Ethernet1/3.
func expandPorts(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if name, from, to, ok := nxosPortRange(p); ok {
			if lo, hi, ok := portRange(from, to); ok {
				for n := lo; n <= hi; n++ {
					out = append(out, name+strconv.Itoa(n))
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// nxosPortRange reads a range of ports, "Ethernet1/1-4": it matches
// exactly what ^(.*?[^\d-])(\d+)-(\d+)$ matches (checked against it in
// ciscovlans_test.go) and returns its groups, the name and the two
// numbers.
func nxosPortRange(p string) (name, from, to string, ok bool) {
	i := len(p)
	for i > 0 && p[i-1] >= '0' && p[i-1] <= '9' {
		i--
	}
	to = p[i:]
	if to == "" || i == 0 || p[i-1] != '-' {
		return "", "", "", false
	}
	j := i - 1
	for j > 0 && p[j-1] >= '0' && p[j-1] <= '9' {
		j--
	}
	from = p[j : i-1]
	// name ends with a character that is neither a digit nor a dash (any
	// byte but those two: the last byte of a rune or an invalid byte), and
	// "." matches anything but a newline before it.
	if from == "" || j == 0 || p[j-1] == '-' || strings.IndexByte(p[:j-1], '\n') >= 0 {
		return "", "", "", false
	}
	return p[:j], from, to, true
}
