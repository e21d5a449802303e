package showparse

import (
	"errors"
	"fmt"
	"strings"
)

// AOSCXInterface is one interface of Aruba AOS-CX `show interface`, in
// both layouts the corpus holds (10.0x's Rx/Tx blocks and the later
// Statistic table). Field names follow the reference template.
type AOSCXInterface struct {
	Interface            string   `yaml:"interface"`
	LinkStatus           string   `yaml:"link_status"`
	LinkAdmin            string   `yaml:"link_admin"`
	LinkStateInfo        string   `yaml:"link_state_info"`
	LinkTransitions      string   `yaml:"link_transitions"`
	Description          string   `yaml:"interface_desc"`
	HWType               string   `yaml:"hw_type"`
	MACAddress           string   `yaml:"mac_address"`
	MTU                  string   `yaml:"mtu"`
	IfType               string   `yaml:"if_type"`
	Duplex               string   `yaml:"duplex"`
	QoSTrust             string   `yaml:"qos_trust"`
	Speed                string   `yaml:"speed"`
	AutoNeg              string   `yaml:"auto_neg"`
	FlowControl          string   `yaml:"flow_control"`
	ErrorControl         string   `yaml:"error_control"`
	VLANMode             string   `yaml:"vlan_mode"`
	VLANAccess           string   `yaml:"vlan_access"`
	VLANNative           string   `yaml:"vlan_native"`
	VLANTrunk            []string `yaml:"vlan_trunk"`
	IPAddress            string   `yaml:"ip_address"`
	SecondaryIPAddress   []string `yaml:"secondary_ip_address"`
	VRF                  string   `yaml:"vrf"`
	AggregatedInterfaces []string `yaml:"aggregated_interfaces"`
	RxTotalPackets       string   `yaml:"rx_total_packets"`
	RxTotalBytes         string   `yaml:"rx_total_bytes"`
	RxUnicastPackets     string   `yaml:"rx_unicast_packets"`
	RxMcastPackets       string   `yaml:"rx_mcast_packets"`
	RxBroadcastPackets   string   `yaml:"rx_broadcast_packets"`
	RxErrors             string   `yaml:"rx_errors"`
	RxDropped            string   `yaml:"rx_dropped"`
	RxFiltered           string   `yaml:"rx_filtered"`
	RxCRCFCS             string   `yaml:"rx_crc_fcs"`
	TxTotalPackets       string   `yaml:"tx_total_packets"`
	TxTotalBytes         string   `yaml:"tx_total_bytes"`
	TxUnicastPackets     string   `yaml:"tx_unicast_packets"`
	TxMcastPackets       string   `yaml:"tx_mcast_packets"`
	TxBroadcastPackets   string   `yaml:"tx_broadcast_packets"`
	TxErrors             string   `yaml:"tx_errors"`
	TxDropped            string   `yaml:"tx_dropped"`
	TxFiltered           string   `yaml:"tx_filtered"`
	TxCRCFCS             string   `yaml:"tx_crc_fcs"`
	TxCollision          string   `yaml:"tx_collision"`
}

// aoscxHeader reads the first line of an interface's block: "Interface
// 1/1/1 is up", "Aggregate lag1 is up", with whatever the release prints
// after the state ("Interface 1/1/2 is down (Administratively down)").
// It returns the name, the state word and the rest.
func aoscxHeader(l string) (name, status, rest string, ok bool) {
	if l == "" || l[0] == ' ' {
		return "", "", "", false
	}
	kind, after, _ := strings.Cut(l, " ")
	if kind != "Interface" && kind != "Aggregate" {
		return "", "", "", false
	}
	name, after, _ = strings.Cut(strings.TrimLeft(after, " "), " ")
	is, after, _ := strings.Cut(strings.TrimLeft(after, " "), " ")
	if name == "" || is != "is" {
		return "", "", "", false
	}
	status, rest, _ = strings.Cut(strings.TrimSpace(after), " ")
	if status == "" {
		return "", "", "", false
	}
	return name, status, strings.TrimSpace(rest), true
}

// eachLine yields the lines of text as textLines returns them (index
// from 0, each cleaned by cleanLine) without building the slice: the
// block readers go through long outputs once.
func eachLine(text string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i := 0; text != ""; i++ {
			l, rest, found := strings.Cut(text, "\n")
			if !yield(i, cleanLine(l)) {
				return
			}
			if !found {
				return
			}
			text = rest
			if text == "" { // a final newline ends one more, empty, line
				yield(i+1, "")
				return
			}
		}
	}
}

// aoscxOnce are the attribute lines an interface's block prints once:
// met twice, the line that starts the next block was not recognised.
var aoscxOnce = []string{"Admin state is ", "Link transitions", "Description", "Hardware", "MTU ", "VLAN Mode"}

// AOSCXShowInterface parses AOS-CX `show interface`: one block per
// interface, starting with its "Interface <name> is <state>" line at the
// start of a line, attributes indented under it. A line at the start of a
// line that is no such header, or an attribute met twice in one block
// (the next header was garbled), is reported, and the lines after it are
// skipped up to the next header: a block is never read into the
// interface above it. Such a warning names the interface whose block it
// cut (Warning.Under): what that block printed after it is not read.
func AOSCXShowInterface(text string) ([]AOSCXInterface, Report) {
	rep := Report{Command: "show interface", Line: 1}
	var out []AOSCXInterface
	if n := strings.Count(text, "Interface ") + strings.Count(text, "Aggregate "); n > 0 {
		out = make([]AOSCXInterface, 0, n) // room for the blocks (each starts with one of these words), not copied as it grows
	}
	const (
		before = iota
		inside
		orphan
	)
	state := before
	var cur *AOSCXInterface
	section := "" // Rx, Tx, Rate, Statistic
	var seen uint32
	for i, raw := range eachLine(text) {
		l := strings.TrimSpace(raw)
		if l == "" {
			if section == "Tx" || section == "Statistic" || section == "Rate" {
				section = ""
			}
			continue
		}
		if name, status, rest, ok := aoscxHeader(raw); ok {
			rep.Sections++
			out = append(out, AOSCXInterface{Interface: name, LinkStatus: status, LinkStateInfo: strings.Trim(rest, "()"),
				SecondaryIPAddress: []string{}, AggregatedInterfaces: []string{}, VLANTrunk: []string{}})
			cur, section, seen, state = &out[len(out)-1], "", 0, inside
			rep.Read++
			continue
		}
		if raw[0] != ' ' && isPrompt(l) { // a prompt is never indented
			if state == inside {
				state = orphan
			}
			continue
		}
		switch {
		case state == orphan:
			continue
		case state == before:
			rep.warn(i+1, raw, "a line before the first Interface ... is line")
			state = orphan
			continue
		case raw[0] != ' ':
			rep.warnUnder(i+1, raw, "not an interface's first line (Interface <name> is <state>) nor one of its indented attributes; its lines are skipped up to the next Interface line", cur.Interface)
			state = orphan
			continue
		}
		for k, p := range aoscxOnce {
			if strings.HasPrefix(l, p) {
				if seen&(1<<k) != 0 {
					rep.warnUnder(i+1, raw, fmt.Sprintf("%q appears twice in one block: the line that starts the next interface's block is missing or not recognised; its lines are skipped up to the next Interface line", strings.TrimSpace(p)), cur.Interface)
					state = orphan
				}
				seen |= 1 << k
			}
		}
		if state == orphan {
			continue
		}
		aoscxAttribute(cur, l, &section)
	}
	if len(out) == 0 {
		out = nil // as when nothing was read
	}
	return out, rep
}

// aoscxAttribute reads one attribute line of an interface's block (l is
// trimmed); section is the counters table the line is in, if any.
func aoscxAttribute(cur *AOSCXInterface, l string, section *string) {
	key, val, hasColon := strings.Cut(l, ":")
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	first, _, _ := strings.Cut(l, " ")
	switch {
	case l == "Rx" || l == "Tx":
		*section = l
	case (first == "Rate" || first == "Statistic") && strings.Contains(l, "RX"):
		*section = first
	case isRule(l):
	case *section == "Rate":
	case *section == "Statistic":
		var words [8]string // the line's words, on the stack for the usual few
		aoscxStatistic(cur, appendFields(words[:0], l))
	case *section == "Rx" || *section == "Tx":
		aoscxCounters(cur, *section == "Rx", strings.Fields(l))
	case strings.HasPrefix(l, "Admin state is "):
		cur.LinkAdmin = firstWord(strings.TrimPrefix(l, "Admin state is "))
	case strings.HasPrefix(l, "VRF name is "):
		cur.VRF = strings.TrimPrefix(l, "VRF name is ")
	case strings.HasPrefix(l, "MTU "):
		cur.MTU = strings.TrimSpace(strings.TrimPrefix(l, "MTU "))
	case strings.HasPrefix(l, "Type "):
		cur.IfType = firstWord(strings.TrimPrefix(l, "Type "))
	case strings.HasPrefix(l, "qos trust "):
		cur.QoSTrust = firstWord(strings.TrimPrefix(l, "qos trust "))
	case strings.HasPrefix(l, "Speed ") && !hasColon:
		cur.Speed = strings.TrimSpace(strings.TrimPrefix(l, "Speed "))
	case strings.HasPrefix(l, "Auto-negotiation is "):
		cur.AutoNeg = firstWord(strings.TrimPrefix(l, "Auto-negotiation is "))
	case strings.HasSuffix(l, "-duplex") && !strings.Contains(l, " "):
		cur.Duplex = strings.TrimSuffix(l, "-duplex")
	case strings.HasPrefix(l, "IPv4 address "):
		addr, sec, _ := strings.Cut(strings.TrimPrefix(l, "IPv4 address "), " ")
		if strings.TrimSpace(sec) == "secondary" {
			cur.SecondaryIPAddress = append(cur.SecondaryIPAddress, addr)
		} else {
			cur.IPAddress = addr
		}
	case !hasColon:
	case key == "Hardware":
		hw, mac, _ := strings.Cut(val, ",")
		cur.HWType = strings.TrimSpace(hw)
		if k, v, ok := strings.Cut(mac, ":"); ok && strings.TrimSpace(k) == "MAC Address" {
			cur.MACAddress = strings.TrimSpace(v)
		}
	case key == "MAC Address":
		cur.MACAddress = val
	case key == "Speed":
		cur.Speed = val
	case key == "State information":
		cur.LinkStateInfo = val
	case key == "Link transitions":
		cur.LinkTransitions = val
	case key == "Description":
		cur.Description = val
	case key == "Flow-control":
		cur.FlowControl = val
	case key == "Error-control":
		cur.ErrorControl = val
	case key == "VLAN Mode":
		cur.VLANMode = val
	case key == "Access VLAN":
		cur.VLANAccess = val
	case key == "Native VLAN":
		cur.VLANNative = val
	case key == "Allowed VLAN List" || key == "Allowed VLANs":
		for _, v := range strings.Split(val, ",") {
			if v = strings.TrimSpace(v); v != "" {
				cur.VLANTrunk = append(cur.VLANTrunk, v)
			}
		}
	case key == "VRF":
		cur.VRF = val
	case key == "Aggregated-interfaces":
		cur.AggregatedInterfaces = append(cur.AggregatedInterfaces, strings.Fields(strings.ReplaceAll(val, ",", " "))...)
	}
}

// aoscxCounters reads a line of the Rx/Tx counters (10.0x): "2417650
// total packets  457274611 total bytes", "0   unicast packets", "0
// errors  14 dropped", "0 CRC/FCS", "0 collision".
func aoscxCounters(cur *AOSCXInterface, rx bool, fs []string) {
	for j := 0; j+1 < len(fs); {
		n := fs[j]
		if !isNumber(n) {
			j++
			continue
		}
		k := j + 1
		for k < len(fs) && !isNumber(fs[k]) {
			k++
		}
		switch strings.Join(fs[j+1:k], " ") {
		case "total packets":
			set2(rx, &cur.RxTotalPackets, &cur.TxTotalPackets, n)
		case "total bytes":
			set2(rx, &cur.RxTotalBytes, &cur.TxTotalBytes, n)
		case "unicast packets":
			set2(rx, &cur.RxUnicastPackets, &cur.TxUnicastPackets, n)
		case "multicast packets":
			set2(rx, &cur.RxMcastPackets, &cur.TxMcastPackets, n)
		case "broadcast packets":
			set2(rx, &cur.RxBroadcastPackets, &cur.TxBroadcastPackets, n)
		case "errors":
			set2(rx, &cur.RxErrors, &cur.TxErrors, n)
		case "dropped":
			set2(rx, &cur.RxDropped, &cur.TxDropped, n)
		case "filtered":
			set2(rx, &cur.RxFiltered, &cur.TxFiltered, n)
		case "CRC/FCS":
			set2(rx, &cur.RxCRCFCS, &cur.TxCRCFCS, n)
		case "collision":
			if !rx {
				cur.TxCollision = n
			}
		}
		j = k
	}
}

// aoscxStatistic reads a row of the Statistic table (later releases):
// the counter's name, then RX, TX and Total.
func aoscxStatistic(cur *AOSCXInterface, fs []string) {
	if len(fs) < 4 {
		return
	}
	rxv, txv := fs[len(fs)-3], fs[len(fs)-2]
	if !isNumber(rxv) {
		rxv = ""
	}
	switch strings.Join(fs[:len(fs)-3], " ") {
	case "Packets":
		cur.RxTotalPackets, cur.TxTotalPackets = rxv, txv
	case "Unicast":
		cur.RxUnicastPackets, cur.TxUnicastPackets = rxv, txv
	case "Multicast":
		cur.RxMcastPackets, cur.TxMcastPackets = rxv, txv
	case "Broadcast":
		cur.RxBroadcastPackets, cur.TxBroadcastPackets = rxv, txv
	case "Bytes":
		cur.RxTotalBytes, cur.TxTotalBytes = rxv, txv
	case "Dropped":
		cur.RxDropped, cur.TxDropped = rxv, txv
	case "Errors":
		cur.RxErrors, cur.TxErrors = rxv, txv
	case "CRC/FCS":
		cur.RxCRCFCS, cur.TxCRCFCS = rxv, txv
	case "Collision":
		cur.TxCollision = txv
	case "Filtered":
		cur.RxFiltered, cur.TxFiltered = rxv, txv
	}
}

func set2(rx bool, r, t *string, v string) {
	if rx {
		*r = v
	} else {
		*t = v
	}
}

// AOSCXVLAN is one VLAN of AOS-CX `show vlan`.
type AOSCXVLAN struct {
	ID         string   `yaml:"vlan_id"`
	Name       string   `yaml:"vlan_name"`
	Status     string   `yaml:"status"`
	Reason     string   `yaml:"reason"`
	Type       string   `yaml:"type"`
	Interfaces []string `yaml:"interfaces"`
}

var aoscxVLANTable = NewTable(Spec{
	Command: "show vlan",
	Columns: []Column{
		{"vlan", []string{"VLAN"}},
		{"name", []string{"Name"}},
		{"status", []string{"Status"}},
		{"reason", []string{"Reason"}},
		{"type", []string{"Type"}},
		{"interfaces", []string{"Interfaces"}},
	},
	Signatures: [][]string{{"vlan", "name", "status", "interfaces"}},
})

// AOSCXShowVLAN parses AOS-CX `show vlan`: VLAN, Name, Status, Reason,
// Type, Interfaces; a list of interfaces (ranges, comma-separated)
// continues on the next lines.
func AOSCXShowVLAN(text string) ([]AOSCXVLAN, Report) {
	var out []AOSCXVLAN
	rep := aoscxVLANTable.Read(text, func(r Row) error {
		ifaces := commaList(r.Cell("interfaces"))
		if r.Continuation() {
			if len(out) == 0 || r.Cell("name") != "" || r.Cell("status") != "" {
				return errors.New("not a VLAN row: no VLAN ID, and not interfaces continuing the VLAN above")
			}
			out[len(out)-1].Interfaces = append(out[len(out)-1].Interfaces, ifaces...)
			return nil
		}
		id := r.Cell("vlan")
		if !isVLANID(id) {
			return fmt.Errorf("not a VLAN row: VLAN ID %q is not a number from 1 to 4094", id)
		}
		out = append(out, AOSCXVLAN{ID: id, Name: r.Cell("name"), Status: r.Cell("status"), Reason: r.Cell("reason"), Type: r.Cell("type"), Interfaces: ifaces})
		return nil
	})
	return out, rep
}

// commaList splits "1/1/2-1/1/4,1/1/6-1/1/8," at its commas.
func commaList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// AOSCXMAC is one entry of AOS-CX `show mac-address-table`.
type AOSCXMAC struct {
	MAC  string `yaml:"mac_address"`
	VLAN string `yaml:"vlan_id"`
	Type string `yaml:"type"`
	Port string `yaml:"port"`
}

var aoscxMACTable = NewTable(Spec{
	Command: "show mac-address-table",
	Columns: []Column{
		{"mac", []string{"MAC Address"}},
		{"vlan", []string{"VLAN"}},
		{"type", []string{"Type"}},
		{"port", []string{"Port"}},
	},
	Signatures: [][]string{{"mac", "vlan", "port"}},
})

// AOSCXMACTable parses AOS-CX `show mac-address-table`.
func AOSCXMACTable(text string) ([]AOSCXMAC, Report) {
	var out []AOSCXMAC
	rep := aoscxMACTable.Read(text, func(r Row) error {
		m := AOSCXMAC{MAC: r.Cell("mac"), VLAN: r.Cell("vlan"), Type: r.Cell("type"), Port: r.Cell("port")}
		if NormaliseMAC(m.MAC) == "" || !isNumber(m.VLAN) || m.Port == "" || strings.Contains(m.Port, " ") || strings.Contains(m.Type, " ") {
			fs := r.Fields()
			if len(fs) != 4 || NormaliseMAC(fs[0]) == "" || !isNumber(fs[1]) {
				return errors.New("not a MAC entry: no MAC address, VLAN, type and port under their columns")
			}
			m = AOSCXMAC{MAC: fs[0], VLAN: fs[1], Type: fs[2], Port: fs[3]}
		}
		out = append(out, m)
		return nil
	})
	return out, rep
}

// AOSCXARP is one entry of AOS-CX `show arp all-vrfs`.
type AOSCXARP struct {
	IP           string `yaml:"ip_address"`
	MAC          string `yaml:"mac_address"`
	Port         string `yaml:"port_id"`
	PhysicalPort string `yaml:"physical_port"`
	State        string `yaml:"state"`
	VRF          string `yaml:"vrf"`
}

var aoscxARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"ip", []string{"IPv4 Address", "IP Address"}},
		{"mac", []string{"MAC"}},
		{"port", []string{"Port"}},
		{"physical", []string{"Physical Port"}},
		{"state", []string{"State"}},
		{"vrf", []string{"VRF"}},
	},
	Signatures: [][]string{{"ip", "mac", "port"}},
	Skip:       func(l string) bool { return strings.HasPrefix(l, "Total Number Of ARP Entries") },
})

// AOSCXARPTable parses AOS-CX `show arp` / `show arp all-vrfs`. An entry
// not yet resolved has no MAC address.
func AOSCXARPTable(text string) ([]AOSCXARP, Report) {
	var out []AOSCXARP
	rep := aoscxARPTable.Read(text, func(r Row) error {
		a := AOSCXARP{IP: r.Cell("ip"), MAC: r.Cell("mac"), Port: r.Cell("port"), PhysicalPort: r.Cell("physical"), State: r.Cell("state"), VRF: r.Cell("vrf")}
		if !isIPv4(a.IP) {
			return fmt.Errorf("not an ARP entry: %q under IPv4 Address is not an address", a.IP)
		}
		if a.MAC != "" && NormaliseMAC(a.MAC) == "" || strings.Contains(a.Port, " ") || strings.Contains(a.State, " ") {
			fs := r.Fields()
			if len(fs) != 6 || NormaliseMAC(fs[1]) == "" {
				return errors.New("not an ARP entry: no MAC address, ports, state and VRF under their columns")
			}
			a = AOSCXARP{IP: fs[0], MAC: fs[1], Port: fs[2], PhysicalPort: fs[3], State: fs[4], VRF: fs[5]}
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}
