package showparse

import (
	"regexp"
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

var (
	aoscxIfHeader  = regexp.MustCompile(`^(?:Interface|Aggregate) (\S+) is (up|down)\s*$`)
	aoscxHardware  = regexp.MustCompile(`^Hardware: (\S+), MAC Address: (\S+)$`)
	aoscxIPv4      = regexp.MustCompile(`^IPv4 address (\S+)( secondary)?$`)
	aoscxTwoCount  = regexp.MustCompile(`^(\d+) (total packets|errors)\s+(\d+) (total bytes|dropped)$`)
	aoscxOneCount  = regexp.MustCompile(`^(\d+)\s+(unicast packets|multicast packets|broadcast packets|CRC/FCS|collision|filtered)$`)
	aoscxStatistic = regexp.MustCompile(`^(Packets|Unicast|Multicast|Broadcast|Bytes|Dropped|Errors|CRC/FCS|Collision|Filtered)\s+(\S+)\s+(\S+)\s+\S+$`)
)

// AOSCXShowInterface parses AOS-CX `show interface`.
func AOSCXShowInterface(text string) ([]AOSCXInterface, error) {
	var out []AOSCXInterface
	var cur *AOSCXInterface
	section := "" // Rx, Tx, Rate, Statistic
	for n, raw := range lines(text) {
		l := strings.TrimSpace(raw)
		if m := aoscxIfHeader.FindStringSubmatch(raw); m != nil {
			out = append(out, AOSCXInterface{Interface: m[1], LinkStatus: m[2], SecondaryIPAddress: []string{}, AggregatedInterfaces: []string{}, VLANTrunk: []string{}})
			cur, section = &out[len(out)-1], ""
			continue
		}
		if l == "" {
			continue
		}
		if cur == nil {
			return out, &Error{Line: n + 1, Text: raw, Msg: "output before the first interface"}
		}
		key, val, hasColon := strings.Cut(l, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case l == "Rx" || l == "Tx":
			section = l
		case strings.HasPrefix(l, "Rate ") && strings.Contains(l, "RX"):
			section = "Rate"
		case strings.HasPrefix(l, "Statistic ") && strings.Contains(l, "RX"):
			section = "Statistic"
		case strings.HasPrefix(l, "Admin state is "):
			cur.LinkAdmin = strings.TrimPrefix(l, "Admin state is ")
		case hasColon && key == "State information":
			// The reference template does not keep it (link_state_info stays empty).
		case hasColon && key == "MAC Address":
			cur.MACAddress = val
		case hasColon && key == "Speed":
			cur.Speed = val
		case strings.HasPrefix(l, "VRF name is "):
			cur.VRF = strings.TrimPrefix(l, "VRF name is ")
		case hasColon && key == "Link transitions":
			cur.LinkTransitions = val
		case hasColon && key == "Description":
			cur.Description = val
		case aoscxHardware.MatchString(l):
			m := aoscxHardware.FindStringSubmatch(l)
			cur.HWType, cur.MACAddress = m[1], m[2]
		case strings.HasPrefix(l, "MTU "):
			cur.MTU = strings.TrimPrefix(l, "MTU ")
		case strings.HasPrefix(l, "Type "):
			cur.IfType = strings.Fields(l)[1]
		case strings.HasSuffix(l, "-duplex") && !strings.Contains(l, " "):
			cur.Duplex = strings.TrimSuffix(l, "-duplex")
		case strings.HasPrefix(l, "qos trust "):
			cur.QoSTrust = strings.TrimPrefix(l, "qos trust ")
		case strings.HasPrefix(l, "Speed "):
			cur.Speed = strings.TrimPrefix(l, "Speed ")
		case strings.HasPrefix(l, "Auto-negotiation is "):
			cur.AutoNeg = strings.TrimPrefix(l, "Auto-negotiation is ")
		case hasColon && key == "Flow-control":
			cur.FlowControl = val
		case hasColon && key == "Error-control":
			cur.ErrorControl = val
		case hasColon && key == "VLAN Mode":
			cur.VLANMode = val
		case hasColon && key == "Access VLAN":
			cur.VLANAccess = val
		case hasColon && key == "Native VLAN":
			cur.VLANNative = val
		case hasColon && (key == "Allowed VLAN List" || key == "Allowed VLANs"):
			for _, v := range strings.Split(val, ",") {
				if v = strings.TrimSpace(v); v != "" {
					cur.VLANTrunk = append(cur.VLANTrunk, v)
				}
			}
		case hasColon && key == "VRF":
			cur.VRF = val
		case hasColon && key == "Aggregated-interfaces":
			cur.AggregatedInterfaces = append(cur.AggregatedInterfaces, strings.Fields(strings.ReplaceAll(val, ",", " "))...)
		case aoscxIPv4.MatchString(l):
			m := aoscxIPv4.FindStringSubmatch(l)
			if m[2] != "" {
				cur.SecondaryIPAddress = append(cur.SecondaryIPAddress, m[1])
			} else {
				cur.IPAddress = m[1]
			}
		case section == "Rx" || section == "Tx":
			rx := section == "Rx"
			if m := aoscxTwoCount.FindStringSubmatch(l); m != nil {
				if m[2] == "total packets" {
					set2(rx, &cur.RxTotalPackets, &cur.TxTotalPackets, m[1])
					set2(rx, &cur.RxTotalBytes, &cur.TxTotalBytes, m[3])
				} else {
					set2(rx, &cur.RxErrors, &cur.TxErrors, m[1])
					set2(rx, &cur.RxDropped, &cur.TxDropped, m[3])
				}
			} else if m := aoscxOneCount.FindStringSubmatch(l); m != nil {
				switch m[2] {
				case "unicast packets":
					set2(rx, &cur.RxUnicastPackets, &cur.TxUnicastPackets, m[1])
				case "multicast packets":
					set2(rx, &cur.RxMcastPackets, &cur.TxMcastPackets, m[1])
				case "broadcast packets":
					set2(rx, &cur.RxBroadcastPackets, &cur.TxBroadcastPackets, m[1])
				case "CRC/FCS":
					set2(rx, &cur.RxCRCFCS, &cur.TxCRCFCS, m[1])
				case "collision":
					cur.TxCollision = m[1]
				case "filtered":
					set2(rx, &cur.RxFiltered, &cur.TxFiltered, m[1])
				}
			}
		case section == "Statistic":
			if m := aoscxStatistic.FindStringSubmatch(l); m != nil {
				rxv, txv := m[2], m[3]
				switch m[1] {
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
		}
	}
	return out, nil
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

// AOSCXShowVLAN parses AOS-CX `show vlan`: fixed columns under the header
// (VLAN, Name, Status, Reason, Type, Interfaces); interface ranges
// continue on indented lines.
func AOSCXShowVLAN(text string) ([]AOSCXVLAN, error) {
	var out []AOSCXVLAN
	cols := map[string]int{}
	for n, l := range lines(text) {
		t := strings.TrimSpace(l)
		if t == "" || strings.Trim(t, "-") == "" {
			continue
		}
		if strings.HasPrefix(l, "VLAN ") && strings.Contains(l, "Interfaces") {
			for _, tk := range tokens(l) {
				cols[tk.text] = tk.start
			}
			continue
		}
		if len(cols) == 0 {
			return out, &Error{Line: n + 1, Text: l, Msg: "no header before the VLANs"}
		}
		field := func(from, to string) string {
			a, b := cols[from], len(l)
			if to != "" && cols[to] < len(l) {
				b = cols[to]
			}
			if a >= len(l) {
				return ""
			}
			return strings.TrimSpace(l[a:b])
		}
		addIfaces := func(v *AOSCXVLAN, s string) {
			for _, r := range strings.Split(s, ",") {
				if r = strings.TrimSpace(r); r != "" {
					v.Interfaces = append(v.Interfaces, r)
				}
			}
		}
		if l[0] == ' ' {
			if len(out) == 0 {
				return out, &Error{Line: n + 1, Text: l, Msg: "a continuation line before any VLAN"}
			}
			addIfaces(&out[len(out)-1], t)
			continue
		}
		id := field("VLAN", "Name")
		if strings.Trim(id, "0123456789") != "" || id == "" {
			return out, &Error{Line: n + 1, Text: l, Msg: "not a VLAN row"}
		}
		v := AOSCXVLAN{ID: id, Name: field("Name", "Status"), Status: field("Status", "Reason"), Reason: field("Reason", "Type"), Type: field("Type", "Interfaces"), Interfaces: []string{}}
		addIfaces(&v, field("Interfaces", ""))
		out = append(out, v)
	}
	return out, nil
}

// AOSCXMAC is one entry of AOS-CX `show mac-address-table`.
type AOSCXMAC struct {
	MAC  string `yaml:"mac_address"`
	VLAN string `yaml:"vlan_id"`
	Type string `yaml:"type"`
	Port string `yaml:"port"`
}

var aoscxMACRow = regexp.MustCompile(`^([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\d{1,4})\s+(\S+)\s+(\S+)$`)

// AOSCXMACTable parses AOS-CX `show mac-address-table`.
func AOSCXMACTable(text string) ([]AOSCXMAC, error) {
	var out []AOSCXMAC
	for _, l := range lines(text) {
		if m := aoscxMACRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, AOSCXMAC{MAC: m[1], VLAN: m[2], Type: m[3], Port: m[4]})
		}
	}
	return out, nil
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

var aoscxARPRow = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$`)

// AOSCXARPTable parses AOS-CX `show arp` / `show arp all-vrfs`.
func AOSCXARPTable(text string) ([]AOSCXARP, error) {
	var out []AOSCXARP
	for _, l := range lines(text) {
		if m := aoscxARPRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, AOSCXARP{IP: m[1], MAC: m[2], Port: m[3], PhysicalPort: m[4], State: m[5], VRF: m[6]})
		}
	}
	return out, nil
}
