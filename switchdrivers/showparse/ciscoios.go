package showparse

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// IOSInterfaceStatus is one row of Cisco IOS `show interfaces status`.
type IOSInterfaceStatus struct {
	Port   string `yaml:"port"`
	Name   string `yaml:"name"`
	Status string `yaml:"status"`
	VLANID string `yaml:"vlan_id"`
	Duplex string `yaml:"duplex"`
	Speed  string `yaml:"speed"`
	Type   string `yaml:"type"`
	FCMode string `yaml:"fc_mode"`
}

// statusTable is the `show interfaces status` table of IOS, NX-OS and
// EOS, and NX-OS's second section of tunnels (port, name, status,
// reason).
var statusTable = NewTable(Spec{
	Command: CmdInterfacesStatus,
	Columns: []Column{
		{"port", []string{"Port", "Interface"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"vlan", []string{"Vlan"}},
		{"duplex", []string{"Duplex"}},
		{"speed", []string{"Speed"}},
		{"type", []string{"Type"}},
		{"reason", []string{"Reason"}},
		{"errvlans", []string{"Err-disabled Vlans"}},
	},
	Signatures: [][]string{{"port", "status", "vlan", "duplex", "speed"}, {"port", "status", "reason"}},
})

// IOSInterfacesStatus parses `show interfaces status` (IOS, NX-OS). The
// name column holds free text (even words such as "connected"); the
// status may carry text after a colon ("notconnect: TD"); duplex and speed
// are right-aligned. Rows that do not follow the header's columns (EOS
// prints some) are read word by word around the link state.
func IOSInterfacesStatus(text string) ([]IOSInterfaceStatus, Report) {
	var out []IOSInterfaceStatus
	rep := statusTable.Read(text, func(r Row) error {
		rec, err := statusRow(r)
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, rep
}

func statusRow(r Row) (IOSInterfaceStatus, error) {
	port := r.Cell("port")
	if r.Has("reason") { // NX-OS tunnels
		st := firstWord(r.Cell("status"))
		if port == "" || strings.Contains(port, " ") || st == "" {
			return IOSInterfaceStatus{}, errors.New("not an interface row: no interface name and status under Interface and Status")
		}
		return IOSInterfaceStatus{Port: port, Name: r.Cell("name"), Status: st}, nil
	}
	rec := IOSInterfaceStatus{Port: port, Name: r.Cell("name"), VLANID: r.Cell("vlan"),
		Duplex: r.Cell("duplex"), Speed: r.Cell("speed"), Type: r.Cell("type")}
	st, _, _ := strings.Cut(r.Cell("status"), ":")
	rec.Status = firstWord(st)
	var problem string
	switch {
	case !r.Aligned():
		problem = "the header is not set out in columns"
	case port == "" || strings.Contains(port, " "):
		problem = "no single interface name under Port"
	case rec.Status == "":
		problem = "no link status under Status"
	case rec.Duplex == "" || rec.Speed == "" || strings.Contains(rec.Duplex, " ") || strings.Contains(rec.Speed, " "):
		problem = "no duplex and speed under Duplex and Speed"
	default:
		return rec, nil
	}
	// A row that ignores the header's columns: find the link state.
	if w, ok := rowByStatusWord(r.Fields()); ok {
		return w, nil
	}
	return IOSInterfaceStatus{}, fmt.Errorf("not an interface row: %s, and no link state word (%s) in it", problem, strings.Join(linkStates, ", "))
}

func firstWord(s string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return f
}

// rowByStatusWord reads "port name... status [in Po1] vlan duplex speed
// type..." by finding the link state word.
func rowByStatusWord(fs []string) (IOSInterfaceStatus, bool) {
	st := 1
	for st < len(fs) && !slices.Contains(linkStates, strings.TrimSuffix(fs[st], ":")) {
		st++
	}
	if st >= len(fs) {
		return IOSInterfaceStatus{}, false
	}
	rest := fs[st+1:]
	if len(rest) > 0 && rest[0] == "in" { // a port-channel member: "in Po49"
		rest = rest[1:]
	}
	if len(rest) < 3 {
		return IOSInterfaceStatus{}, false
	}
	return IOSInterfaceStatus{Port: fs[0], Name: strings.Join(fs[1:st], " "), Status: strings.TrimSuffix(fs[st], ":"),
		VLANID: rest[0], Duplex: rest[1], Speed: rest[2], Type: strings.Join(rest[3:], " ")}, true
}

// linkStates are the link states Cisco and Arista document for `show
// interfaces status`; they are needed only for rows printed without
// columns.
var linkStates = []string{"connected", "notconnect", "disabled", "err-disabled", "errdisabled",
	"inactive", "monitoring", "suspended", "sfpAbsent", "xcvrAbsent", "noXcvr", "notpresent", "down", "up"}

// IOSErrDisabled is one row of IOS `show interfaces status
// err-disabled`.
type IOSErrDisabled struct {
	Interface string `yaml:"interface"`
	Name      string `yaml:"name"`
	Status    string `yaml:"status"`
	PortError string `yaml:"port_error"`
	// ErrVLANs are the VLANs err-disabled on the port, where the switch
	// prints the column (per-VLAN error disable).
	ErrVLANs string `yaml:"err_disabled_vlans"`
}

// CmdErrDisabled is IOS's `show interfaces status err-disabled`.
const CmdErrDisabled = "show interfaces status err-disabled"

// IOSErrDisabledTable parses `show interfaces status err-disabled`: the
// status table with the reason the port was disabled ("Port Name Status
// Reason [Err-disabled Vlans]").
func IOSErrDisabledTable(text string) ([]IOSErrDisabled, Report) {
	var out []IOSErrDisabled
	rep := statusTable.Read(text, func(r Row) error {
		rec := IOSErrDisabled{Interface: r.Cell("port"), Name: r.Cell("name"), Status: firstWord(r.Cell("status")), PortError: r.Cell("reason"), ErrVLANs: r.Cell("errvlans")}
		switch {
		case !r.Has("reason"):
			return errors.New("not an err-disabled row: the header has no Reason column")
		case !isInterfaceName(rec.Interface):
			return fmt.Errorf("not an interface row: %q under Port is not an interface name", rec.Interface)
		case rec.Status == "":
			return fmt.Errorf("interface %s: no status under Status", rec.Interface)
		}
		out = append(out, rec)
		return nil
	})
	return out, rep
}

// IOSSwitchport is one interface of `show interfaces switchport`.
type IOSSwitchport struct {
	Interface     string   `yaml:"interface"`
	Switchport    string   `yaml:"switchport"`
	Monitor       string   `yaml:"switchport_monitor"`
	Negotiation   string   `yaml:"switchport_negotiation"`
	Mode          string   `yaml:"mode"`
	AdminMode     string   `yaml:"admin_mode"`
	AccessVLAN    string   `yaml:"access_vlan"`
	NativeVLAN    string   `yaml:"native_vlan"`
	VoiceVLAN     string   `yaml:"voice_vlan"`
	TrunkingVLANs []string `yaml:"trunking_vlans"`
}

// IOSInterfacesSwitchport parses `show interfaces switchport`.
func IOSInterfacesSwitchport(text string) ([]IOSSwitchport, Report) {
	var out []IOSSwitchport
	rep := Blocks{Command: CmdInterfacesSwitchport, Start: "Name"}.Read(text,
		func(name string) error {
			out = append(out, IOSSwitchport{Interface: name, TrunkingVLANs: []string{}})
			return nil
		},
		func(key, val string) {
			cur := &out[len(out)-1]
			switch key {
			case "Switchport":
				cur.Switchport = val
			case "Administrative Mode":
				cur.AdminMode = val
			case "Operational Mode":
				cur.Mode = val
			case "Negotiation of Trunking":
				cur.Negotiation = val
			case "Access Mode VLAN":
				cur.AccessVLAN = firstWord(val)
			case "Trunking Native Mode VLAN":
				cur.NativeVLAN = firstWord(val)
			case "Voice VLAN":
				cur.VoiceVLAN = firstWord(val)
			case "Trunking VLANs Enabled":
				cur.TrunkingVLANs = strings.Split(val, ",")
			}
		})
	return out, rep
}

// IOSVLAN is one VLAN of `show vlan` / `show vlan brief`.
type IOSVLAN struct {
	VLANID     string   `yaml:"vlan_id"`
	Name       string   `yaml:"vlan_name"`
	Status     string   `yaml:"status"`
	Interfaces []string `yaml:"interfaces"`
}

// vlanTable is the first table of `show vlan` (IOS, NX-OS, EOS); the
// later ones (VLAN types, remote SPAN, private VLANs) are other tables.
var vlanTable = NewTable(Spec{
	Command: CmdVLAN,
	Columns: []Column{
		{"vlan", []string{"VLAN"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"ports", []string{"Ports"}},
	},
	Signatures: [][]string{{"vlan", "name", "status"}},
})

// IOSShowVLAN parses the VLAN table of `show vlan` (brief or not). A port
// list wrapped onto the next lines continues the VLAN above it.
func IOSShowVLAN(text string) ([]IOSVLAN, Report) {
	var out []IOSVLAN
	last := -1 // line of the last row read into out
	rep := vlanTable.Read(text, func(r Row) error {
		ports, err := portList(r.Cell("ports"))
		if err != nil {
			return err
		}
		if r.Continuation() {
			// A port list wrapped onto the next line; or, after a name
			// too long for its column, the status and ports.
			prev := len(out) - 1
			if prev < 0 || last != r.Line-1 || r.Cell("name") != "" || r.Cell("status") != "" && out[prev].Status != "" {
				return errors.New("not a VLAN row: no VLAN ID, and not a port list continuing the row above")
			}
			if st := r.Cell("status"); st != "" {
				out[prev].Status = firstWord(st)
			}
			out[prev].Interfaces = append(out[prev].Interfaces, ports...)
			last = r.Line
			return nil
		}
		id := r.Cell("vlan")
		if !isVLANID(id) {
			return fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", id)
		}
		if r.Cell("name") == "" {
			return fmt.Errorf("VLAN %s: no name under Name", id)
		}
		out = append(out, IOSVLAN{VLANID: id, Name: r.Cell("name"), Status: firstWord(r.Cell("status")), Interfaces: ports})
		last = r.Line
		return nil
	})
	return out, rep
}

// isVLANID says whether s is an IEEE 802.1Q VLAN ID (1-4094).
func isVLANID(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 4094 && s[0] != '+' && s[0] != '-'
}

// portList splits "Gi0/1, Gi0/2" (or blank-separated) into interface
// names; each must look like one (a letter first, a digit somewhere).
func portList(s string) ([]string, error) {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !isInterfaceName(p) {
			return nil, fmt.Errorf("%q is not an interface name", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// isInterfaceName is the shape every vendor's interface names share: a
// letter, then letters, digits and /.:-_, with a digit somewhere.
func isInterfaceName(s string) bool {
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		return false
	}
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsLetter(r) || strings.ContainsRune("/.:-_", r):
		default:
			return false
		}
	}
	return digit
}

// IOSMAC is one entry of `show mac address-table`.
type IOSMAC struct {
	Address string   `yaml:"destination_address"`
	Type    string   `yaml:"type"`
	VLANID  string   `yaml:"vlan_id"`
	Ports   []string `yaml:"destination_port"`
}

// macTable is `show mac address-table` as IOS (every layout since the
// 2950's `show mac-address-table`) and NX-OS print it; eosMACTable is
// EOS's, which goes on into the multicast table. The VLAN column is
// optional (some tables have none); flags such as "*", "G" or "R" sit in
// a column of their own or before the VLAN.
var (
	macTable    = NewTable(macSpec(true))
	eosMACTable = NewTable(macSpec(false))
)

func macSpec(unicastOnly bool) Spec {
	s := Spec{
		Command: CmdMACTable,
		Columns: []Column{
			{"vlan", []string{"Vlan"}},
			{"mac", []string{"Mac Address", "Destination Address"}},
			{"type", []string{"Type", "Address Type"}},
			{"ports", []string{"Ports", "Port", "Destination Port"}},
			{"age", []string{"age"}},
			{"secure", []string{"Secure"}},
			{"ntfy", []string{"NTFY"}},
			{"moves", []string{"Moves"}},
			{"lastmove", []string{"Last Move"}},
		},
		Signatures: [][]string{{"mac", "ports"}},
		Key:        "mac",
		Skip: func(l string) bool {
			return hasPrefixFold(l, "Displaying entries from") || hasPrefixFold(l, "Total Mac Addresses") || isLegend(l)
		},
	}
	if unicastOnly { // IOS's multicast groups follow; they are not where a host sits
		s.Stop = func(l string) bool { return hasPrefixFold(l, "Multicast Entries") }
	} else {
		s.Skip = func(l string) bool {
			return hasPrefixFold(l, "Total Mac Addresses") || hasPrefixFold(l, "Multicast Mac Address Table") || hasPrefixFold(l, "Mac Address Table") || isLegend(l)
		}
	}
	return s
}

// legendLine is a line of the legend Cisco prints with MAC tables (and
// repeats before each page when a capture tool pages): "* - primary
// entry, G - Gateway MAC", "age - seconds since last seen", "(T) - True".
var legendLine = regexp.MustCompile(`^\S{1,5} - \S`)

func isLegend(l string) bool { return hasPrefixFold(l, "Legend:") || legendLine.MatchString(l) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// macRows reads the MAC table and hands each entry to add; a port list
// wrapped onto the next lines is passed to more. A row whose MAC address
// is not under the Mac Address column (its cells miss the header's
// columns), or that is not set out in columns, or whose cells plausible
// (if not nil) rejects, goes to byWords, if not nil, with the row's
// words.
func macRows(t *Table, text string, plausible func(r Row) bool, add func(r Row, mac, vlan string, ports []string), more func(ports []string), byWords func(r Row) error) Report {
	last, n := -1, 0
	return t.Read(text, func(r Row) error {
		ports, err := macPorts(r.Cell("ports"))
		if err != nil {
			return err
		}
		mac := r.Cell("mac")
		misplaced := NormaliseMAC(mac) == "" || byWords != nil && (!r.Aligned() || plausible != nil && !plausible(r))
		if misplaced && slices.ContainsFunc(r.Fields(), func(f string) bool { return NormaliseMAC(f) != "" }) {
			if byWords == nil {
				return errors.New("not a MAC address row: its MAC address is not under Mac Address")
			}
			if err := byWords(r); err != nil {
				return err
			}
			last, n = r.Line, n+1
			return nil
		}
		if r.Continuation() {
			if n == 0 || last != r.Line-1 || r.Cell("vlan") != "" || r.Cell("type") != "" {
				return errors.New("not a MAC address row: no MAC address under Mac Address, and not a port list continuing the row above")
			}
			more(ports)
			last = r.Line
			return nil
		}
		if NormaliseMAC(mac) == "" {
			return fmt.Errorf("not a MAC address row: %q is not a MAC address", mac)
		}
		vlan := ""
		if f := strings.Fields(r.Cell("vlan")); len(f) > 0 {
			vlan = f[len(f)-1] // after any flags ("G    100")
		}
		add(r, strings.ToLower(mac), vlan, ports)
		last, n = r.Line, n+1
		return nil
	})
}

// macPorts reads the ports cell of a MAC table: ports separated by
// commas or blanks ("Gi1/2,Gi1/4", "Po1 Po2"); "vPC Peer-Link" is one
// port (NX-OS and IOS print the vPC peer link so); a qualifier in
// parentheses belongs to the port before it ("sup-eth1(R) (Lo0)"); "-"
// alone is no port. A word that cannot be a port makes the cell
// unreadable.
func macPorts(cell string) ([]string, error) {
	ws := strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ' ' })
	if len(ws) == 1 && ws[0] == "-" {
		return []string{}, nil
	}
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case strings.EqualFold(w, "vPC") && i+1 < len(ws) && strings.HasPrefix(strings.ToLower(ws[i+1]), "peer-link"):
			out = append(out, w+" "+ws[i+1])
			i++
		case len(out) > 0 && strings.HasPrefix(w, "(") && strings.HasSuffix(w, ")"):
			out[len(out)-1] += " " + w
		case !isMACPort(w):
			return nil, fmt.Errorf("not a MAC address row: %q under Ports is not a port", w)
		default:
			out = append(out, w)
		}
	}
	return out, nil
}

// isMACPort says whether w may name a port in a MAC table: an interface
// name, a word such as CPU, Router, Switch, Drop or stby-switch, each
// optionally followed by qualifiers in parentheses ("sup-eth1(R)"), or a
// qualifier alone ("(R)").
func isMACPort(w string) bool {
	base, quals := w, ""
	if i := strings.IndexByte(w, '('); i >= 0 {
		base, quals = w[:i], w[i:]
	}
	for quals != "" {
		j := strings.IndexByte(quals, ')')
		if quals[0] != '(' || j < 2 {
			return false
		}
		quals = quals[j+1:]
	}
	if base == "" {
		return w != ""
	}
	if !unicode.IsLetter(rune(base[0])) || strings.HasSuffix(base, ":") {
		return false
	}
	for _, r := range base {
		if !(unicode.IsLetter(r) || r >= '0' && r <= '9' || strings.ContainsRune("/.:-_", r)) {
			return false
		}
	}
	return true
}

// IOSMACTable parses the layouts of `show mac address-table` (and the
// older `show mac-address-table`). A row printed without padding (the
// Catalyst 4500 prints its multicast table so) is read by its words in
// the order of the header's columns.
func IOSMACTable(text string) ([]IOSMAC, Report) {
	var out []IOSMAC
	rep := macRows(macTable, text, nil, func(r Row, mac, vlan string, ports []string) {
		out = append(out, IOSMAC{Address: mac, Type: r.Cell("type"), VLANID: vlan, Ports: ports})
	}, func(ports []string) {
		out[len(out)-1].Ports = append(out[len(out)-1].Ports, ports...)
	}, func(r Row) error {
		rec, err := iosMACWords(r)
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, rep
}

// iosMACWords reads a MAC row that does not follow the header's columns
// by its words, one per column of the header in order (a flag such as
// "*" or "R" may come first), the last column (the ports) taking the
// rest.
func iosMACWords(r Row) (IOSMAC, error) {
	fs := r.Fields()
	if len(fs) > 1 && len(fs[0]) == 1 && !isVLANID(fs[0]) && NormaliseMAC(fs[0]) == "" {
		fs = fs[1:] // the flag
	}
	var rec IOSMAC
	cols := r.sec.cols
	for k, c := range cols {
		if k >= len(fs) {
			break
		}
		name := ""
		if c.col >= 0 {
			name = r.t.spec.Columns[c.col].Name
		}
		if k == len(cols)-1 || name == "ports" {
			ports, err := macPorts(strings.Join(fs[k:], " "))
			if err != nil {
				return IOSMAC{}, err
			}
			rec.Ports = ports
			break
		}
		switch name {
		case "vlan":
			rec.VLANID = fs[k]
		case "mac":
			rec.Address = strings.ToLower(fs[k])
		case "type":
			rec.Type = fs[k]
		}
	}
	if NormaliseMAC(rec.Address) == "" {
		return IOSMAC{}, errors.New("not a MAC address row: its words do not follow the header's columns")
	}
	if rec.Ports == nil {
		rec.Ports = []string{}
	}
	return rec, nil
}

// IOSARP is one entry of `show ip arp` / `show arp`.
type IOSARP struct {
	Protocol  string `yaml:"protocol"`
	IP        string `yaml:"ip_address"`
	Age       string `yaml:"age"`
	MAC       string `yaml:"mac_address"`
	Type      string `yaml:"type"`
	Interface string `yaml:"interface"`
}

// IOSShowARP is one entry of `show arp`, whose reference template names
// its fields differently from `show ip arp`.
type IOSShowARP struct {
	Protocol  string `yaml:"protocol"`
	IP        string `yaml:"address"`
	Age       string `yaml:"age_min"`
	MAC       string `yaml:"hardware_address"`
	Type      string `yaml:"type"`
	Interface string `yaml:"interface"`
}

// IOSShowARPTable parses `show arp`.
func IOSShowARPTable(text string) ([]IOSShowARP, Report) {
	rows, rep := IOSARPTable(text)
	out := make([]IOSShowARP, len(rows))
	for i, r := range rows {
		out[i] = IOSShowARP(r)
	}
	return out, rep
}

// arpTable is `show ip arp` (and `show arp`) as IOS, NX-OS and EOS print
// it, NX-OS's detail too (a Physical Interface column) and its Flags
// column. NX-OS heads each VRF's table with "IP ARP Table for context
// X", EOS with "VRF: X".
var arpTable = NewTable(Spec{
	Command: CmdARP,
	Columns: []Column{
		{"protocol", []string{"Protocol"}},
		{"ip", []string{"Address", "IP Address"}},
		{"age", []string{"Age (min)", "Age(min)", "Age (sec)", "Age"}},
		{"mac", []string{"Hardware Addr", "MAC Address"}},
		{"type", []string{"Type"}},
		{"interface", []string{"Interface"}},
		{"physical", []string{"Physical Interface"}},
		{"flags", []string{"Flags"}},
	},
	Signatures: [][]string{{"ip", "mac", "interface"}},
	Key:        "ip",
	Context: func(l string) bool {
		return strings.HasPrefix(l, "VRF:") || strings.HasPrefix(l, "IP ARP Table for")
	},
	Skip: func(l string) bool {
		return hasPrefixFold(l, "Total number of entries") || isLegend(l) || l == "Flags:"
	},
})

// arpEntry is one ARP row, cut into its parts.
type arpEntry struct {
	protocol, ip, age, mac, typ string
	iface, physical, flags      string
	pvlan                       string // IOS-XE: the private VLAN after the interface ("pv 202")
}

// arpTail reads the words of a row from its interface on (the interface,
// NX-OS's physical interface and flags, IOS-XE's "pv N") into e.
type arpTail func(words []string, r Row, e *arpEntry) error

// iosARPTail: the interface, then nothing or IOS-XE's private VLAN
// ("Vlan201 pv 202").
func iosARPTail(words []string, _ Row, e *arpEntry) error {
	if len(words) == 0 {
		return nil // an incomplete entry
	}
	e.iface = words[0]
	switch rest := words[1:]; {
	case len(rest) == 0:
	case len(rest) == 2 && rest[0] == "pv" && isNumber(rest[1]):
		e.pvlan = rest[1]
	default:
		return fmt.Errorf("ARP entry %s: %q after the interface %s is neither nothing nor a private VLAN (pv N)", e.ip, strings.Join(rest, " "), e.iface)
	}
	return nil
}

// nxosARPFlags are the flags NX-OS's legend of `show ip arp` documents
// (printed under Flags, or after the interface where the header has no
// Flags column).
var nxosARPFlags = []string{"*", "+", "#", "D", "CP", "PS", "RO"}

// nxosARPTail: the interface, the physical interface where the header
// has one (detail), then the flags.
func nxosARPTail(words []string, r Row, e *arpEntry) error {
	if len(words) == 0 {
		return fmt.Errorf("ARP entry %s: no interface", e.ip)
	}
	e.iface, words = words[0], words[1:]
	if r.Has("physical") && len(words) > 0 && !slices.Contains(nxosARPFlags, words[0]) {
		e.physical, words = words[0], words[1:]
	}
	for _, w := range words {
		if !slices.Contains(nxosARPFlags, w) {
			return fmt.Errorf("ARP entry %s: %q is not a flag NX-OS documents (%s)", e.ip, w, strings.Join(nxosARPFlags, " "))
		}
	}
	e.flags = strings.Join(words, " ")
	return nil
}

// eosARPTail: EOS's interface cell names the VLAN interface and the port
// behind it ("Vlan101, Port-Channel2", "Vlan1, not learned").
func eosARPTail(words []string, _ Row, e *arpEntry) error {
	e.iface = strings.Join(words, " ")
	return nil
}

// arpRows reads the ARP table and hands each entry to add. A row set
// out in columns is cut by them; one that is not (IOS-XE prints some
// tables with one blank between cells) is read by its words around the
// IP and MAC addresses, in the order the header names its columns.
func arpRows(text string, tail arpTail, add func(r Row, e arpEntry)) Report {
	return arpTable.Read(text, func(r Row) error {
		var e arpEntry
		var words []string
		if r.Aligned() {
			e = arpEntry{protocol: r.Cell("protocol"), ip: r.Cell("ip"), age: r.Cell("age"), mac: r.Cell("mac"), typ: r.Cell("type")}
			for _, c := range []string{"interface", "physical", "flags"} {
				words = append(words, strings.Fields(r.Cell(c))...)
			}
		} else {
			var err error
			if e, words, err = arpWords(r); err != nil {
				return err
			}
		}
		if _, err := netip.ParseAddr(e.ip); err != nil {
			return fmt.Errorf("not an ARP row: %q is not an IP address", e.ip)
		}
		if e.mac == "" {
			return fmt.Errorf("ARP entry %s: no hardware address", e.ip)
		}
		if err := tail(words, r, &e); err != nil {
			return err
		}
		add(r, e)
		return nil
	})
}

// arpWords reads a row that does not follow the header's columns: the
// words before the IP address are the protocol, those between it and
// the MAC address (or "Incomplete") the age, then the type where the
// header has one, then the rest.
func arpWords(r Row) (arpEntry, []string, error) {
	fs := r.Fields()
	ip := slices.IndexFunc(fs, func(f string) bool { _, err := netip.ParseAddr(f); return err == nil })
	if ip < 0 {
		return arpEntry{}, nil, errors.New("not an ARP row: no IP address in it")
	}
	mac := slices.IndexFunc(fs[ip+1:], func(f string) bool { return NormaliseMAC(f) != "" || f == "Incomplete" || f == "INCOMPLETE" })
	if mac < 0 {
		return arpEntry{}, nil, fmt.Errorf("ARP entry %s: no hardware address", fs[ip])
	}
	mac += ip + 1
	e := arpEntry{protocol: strings.Join(fs[:ip], " "), ip: fs[ip], age: strings.Join(fs[ip+1:mac], " "), mac: fs[mac]}
	rest := fs[mac+1:]
	if r.Has("type") && len(rest) > 0 {
		e.typ, rest = rest[0], rest[1:]
	}
	return e, rest, nil
}

// IOSARPTable parses `show ip arp` and `show arp`.
func IOSARPTable(text string) ([]IOSARP, Report) {
	var out []IOSARP
	rep := arpRows(text, iosARPTail, func(r Row, e arpEntry) {
		out = append(out, IOSARP{Protocol: e.protocol, IP: e.ip, Age: e.age, MAC: e.mac, Type: e.typ, Interface: e.iface})
	})
	return out, rep
}
