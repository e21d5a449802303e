package showparse

import (
	"regexp"
	"strings"
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

// IOSInterfacesStatus parses `show interfaces status`. Columns are found
// from the header: the name column holds names with spaces (and words such
// as "connected"); status may carry text after a colon ("notconnect: TD");
// duplex and speed are right-aligned.
func IOSInterfacesStatus(text string) ([]IOSInterfaceStatus, error) {
	return statusTable(text)
}

// statusTable reads the `show interfaces status` layout shared by IOS and
// EOS. A header whose words are not spread over columns (EOS sometimes
// prints "Port Name Status Vlan Duplex Speed Type") is read right to left.
func statusTable(text string) ([]IOSInterfaceStatus, error) {
	var out []IOSInterfaceStatus
	var nameAt, statusAt, vlanAt, duplexAt int
	header, aligned, reasons := false, true, false
	for i, l := range lines(text) {
		// NX-OS adds a table of tunnels: port, name, status, reason.
		if strings.HasPrefix(l, "Interface") && strings.Contains(l, "Status") && strings.Contains(l, "Reason") {
			nameAt, statusAt = strings.Index(l, "Name"), strings.Index(l, "Status")
			header, reasons = true, true
			continue
		}
		if reasons {
			ts := tokens(l)
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "---") || len(ts) < 2 || ts[0].start != 0 || len(l) <= statusAt {
				continue
			}
			st, _, _ := strings.Cut(strings.TrimSpace(l[statusAt:]), " ")
			out = append(out, IOSInterfaceStatus{Port: ts[0].text, Name: strings.TrimSpace(l[nameAt:statusAt]), Status: st})
			continue
		}
		if strings.HasPrefix(l, "Port") && strings.Contains(l, "Status") && strings.Contains(l, "Vlan") {
			nameAt, statusAt = strings.Index(l, "Name"), strings.Index(l, "Status")
			vlanAt, duplexAt = strings.Index(l, "Vlan"), strings.Index(l, "Duplex")
			if nameAt < 0 || duplexAt < 0 {
				return nil, &Error{i + 1, l, "unexpected header"}
			}
			header = true
			aligned = statusAt-nameAt > len("Name ")
			continue
		}
		if !header || strings.TrimSpace(l) == "" || strings.HasPrefix(l, "---") {
			continue
		}
		ts := tokens(l)
		if len(ts) < 4 || ts[0].start != 0 {
			return nil, &Error{i + 1, l, "not an interface row"}
		}
		if !aligned {
			r, ok := rowByStatusWord(ts)
			if !ok {
				return nil, &Error{i + 1, l, "not an interface row"}
			}
			out = append(out, r)
			continue
		}
		r := IOSInterfaceStatus{Port: ts[0].text}
		// Some rows sit left of the header's columns (a short port column):
		// shift the columns by where this row's name starts.
		shift := 0
		if ts[1].start < nameAt {
			shift = ts[1].start - nameAt
		}
		nAt, sAt, vAt, dAt := nameAt+shift, statusAt+shift, vlanAt+shift, duplexAt+shift
		if len(l) > nAt {
			r.Name = strings.TrimSpace(l[nAt:min(len(l), sAt)])
		}
		var status, vlan, rest []token
		for _, t := range ts[1:] {
			switch {
			case t.start < sAt:
			case t.start < vAt:
				status = append(status, t)
			case t.start < dAt-1 && len(rest) == 0:
				vlan = append(vlan, t)
			default:
				rest = append(rest, t)
			}
		}
		if len(status) == 0 || len(rest) < 2 || status[0].start != sAt {
			// A row that ignores the header's columns (EOS mixes them):
			// in an aligned row the status starts at the Status column.
			r, ok := rowByStatusWord(ts)
			if !ok {
				return nil, &Error{i + 1, l, "missing status, duplex or speed"}
			}
			out = append(out, r)
			continue
		}
		r.Status, _, _ = strings.Cut(status[0].text, ":")
		r.VLANID = joinTokens(vlan)
		r.Duplex, r.Speed = rest[0].text, rest[1].text
		r.Type = joinTokens(rest[2:])
		out = append(out, r)
	}
	return out, nil
}

// rowByStatusWord reads "port name... status [in Po1] vlan duplex speed
// type..." by finding the status word.
func rowByStatusWord(ts []token) (IOSInterfaceStatus, bool) {
	st := 1
	for st < len(ts) && !statusWords[strings.TrimSuffix(ts[st].text, ":")] {
		st++
	}
	if st >= len(ts) {
		return IOSInterfaceStatus{}, false
	}
	rest := ts[st+1:]
	if len(rest) > 0 && rest[0].text == "in" { // a port-channel member: "in Po49"
		rest = rest[1:]
	}
	if len(rest) < 3 {
		return IOSInterfaceStatus{}, false
	}
	return IOSInterfaceStatus{Port: ts[0].text, Name: joinTokens(ts[1:st]), Status: strings.TrimSuffix(ts[st].text, ":"),
		VLANID: rest[0].text, Duplex: rest[1].text, Speed: rest[2].text, Type: joinTokens(rest[3:])}, true
}

// statusWords are the link states `show interfaces status` prints.
var statusWords = map[string]bool{
	"connected": true, "notconnect": true, "disabled": true, "err-disabled": true, "errdisabled": true,
	"inactive": true, "monitoring": true, "suspended": true, "sfpAbsent": true, "xcvrAbsent": true, "noXcvr": true, "notpresent": true,
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
func IOSInterfacesSwitchport(text string) ([]IOSSwitchport, error) {
	var out []IOSSwitchport
	var cur *IOSSwitchport
	firstWord := func(v string) string { f, _, _ := strings.Cut(strings.TrimSpace(v), " "); return f }
	for i, l := range lines(text) {
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "Name":
			out = append(out, IOSSwitchport{Interface: val, TrunkingVLANs: []string{}})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			if strings.TrimSpace(l) != "" {
				return nil, &Error{i + 1, l, "field before the first Name:"}
			}
			continue
		}
		switch strings.TrimSpace(key) {
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
	}
	return out, nil
}

// IOSVLAN is one VLAN of `show vlan` / `show vlan brief`.
type IOSVLAN struct {
	VLANID     string   `yaml:"vlan_id"`
	Name       string   `yaml:"vlan_name"`
	Status     string   `yaml:"status"`
	Interfaces []string `yaml:"interfaces"`
}

var vlanHeader = regexp.MustCompile(`^VLAN\s+Name\s`)

var iosVLANRow = regexp.MustCompile(`^(\d{1,4})\s+(\S+)\s+(active|act/unsup|act/lshut|sus/lshut|suspended|act/ishut|sus/ishut)\s*(.*)$`)

// IOSShowVLAN parses the VLAN table of `show vlan` (brief or not); the
// later sections of `show vlan` (types, remote SPAN) are skipped.
func IOSShowVLAN(text string) ([]IOSVLAN, error) {
	var out []IOSVLAN
	inTable := false
	for _, l := range lines(text) {
		if vlanHeader.MatchString(l) {
			inTable = len(out) == 0
			continue
		}
		if !inTable || strings.HasPrefix(l, "----") {
			continue
		}
		if m := iosVLANRow.FindStringSubmatch(l); m != nil {
			out = append(out, IOSVLAN{VLANID: m[1], Name: m[2], Status: m[3], Interfaces: splitPorts(m[4])})
			continue
		}
		if strings.HasPrefix(l, " ") && len(out) > 0 && strings.TrimSpace(l) != "" {
			last := &out[len(out)-1]
			last.Interfaces = append(last.Interfaces, splitPorts(l)...)
			continue
		}
		if strings.TrimSpace(l) == "" && len(out) > 0 {
			inTable = false
		}
	}
	return out, nil
}

func splitPorts(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// IOSMAC is one entry of `show mac address-table`.
type IOSMAC struct {
	Address string   `yaml:"destination_address"`
	Type    string   `yaml:"type"`
	VLANID  string   `yaml:"vlan_id"`
	Ports   []string `yaml:"destination_port"`
}

var (
	ciscoMAC = regexp.MustCompile(`^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$`)
	vlanTok  = regexp.MustCompile(`^(\d{1,4}|All|N/A)$`)
	macType  = regexp.MustCompile(`(?i)^(dynamic|static|secure\w*|self|igmp|system|other)$`)
)

// IOSMACTable parses the many layouts of `show mac address-table` (and
// the older `show mac-address-table`): a row is any line with a MAC in
// Cisco's dotted form; its VLAN, type and ports are read around it.
func IOSMACTable(text string) ([]IOSMAC, error) {
	var out []IOSMAC
	for _, l := range lines(text) {
		if strings.HasPrefix(strings.TrimSpace(l), "Multicast Entries") {
			break // multicast groups are not where a host sits
		}
		ts := tokens(strings.NewReplacer("*", " ").Replace(l))
		at := -1
		for i, t := range ts {
			if ciscoMAC.MatchString(t.text) {
				at = i
				break
			}
		}
		if at < 0 || len(ts) < 3 {
			continue
		}
		r := IOSMAC{Address: strings.ToLower(ts[at].text)}
		for i, t := range ts {
			if i == at {
				continue
			}
			switch {
			case r.VLANID == "" && vlanTok.MatchString(t.text):
				r.VLANID = t.text
			case r.Type == "" && macType.MatchString(t.text):
				r.Type = t.text
			}
		}
		last := ts[len(ts)-1].text
		if last == ts[at].text || r.VLANID == "" {
			continue
		}
		if last != "-" {
			r.Ports = splitPorts(last)
		} else {
			r.Ports = []string{}
		}
		out = append(out, r)
	}
	return out, nil
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
func IOSShowARPTable(text string) ([]IOSShowARP, error) {
	rows, err := IOSARPTable(text)
	out := make([]IOSShowARP, len(rows))
	for i, r := range rows {
		out[i] = IOSShowARP(r)
	}
	return out, err
}

var iosARPRow = regexp.MustCompile(`^(Internet)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(\S*)$`)

// IOSARPTable parses `show ip arp` and `show arp`.
func IOSARPTable(text string) ([]IOSARP, error) {
	var out []IOSARP
	for i, l := range lines(text) {
		if !strings.HasPrefix(l, "Internet") {
			continue
		}
		m := iosARPRow.FindStringSubmatch(l)
		if m == nil {
			return nil, &Error{i + 1, l, "not an ARP row"}
		}
		out = append(out, IOSARP{Protocol: m[1], IP: m[2], Age: m[3], MAC: m[4], Type: m[5], Interface: m[6]})
	}
	return out, nil
}
