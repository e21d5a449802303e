package showparse

import (
	"regexp"
	"strings"
)

// EOSInterfaceStatus is one row of Arista EOS `show interfaces status`.
type EOSInterfaceStatus struct {
	Port   string `yaml:"port"`
	Name   string `yaml:"name"`
	Status string `yaml:"status"`
	VLANID string `yaml:"vlan_id"`
	Duplex string `yaml:"duplex"`
	Speed  string `yaml:"speed"`
	Type   string `yaml:"type"`
	Flags  string `yaml:"flags"`
}

// EOSInterfacesStatus parses EOS `show interfaces status`.
func EOSInterfacesStatus(text string) ([]EOSInterfaceStatus, error) {
	rows, err := statusTable(text)
	out := make([]EOSInterfaceStatus, len(rows))
	for i, r := range rows {
		out[i] = EOSInterfaceStatus{Port: r.Port, Name: r.Name, Status: r.Status, VLANID: r.VLANID, Duplex: r.Duplex, Speed: r.Speed, Type: r.Type}
	}
	return out, err
}

// EOSShowVLAN parses EOS `show vlan` (the same layout as IOS).
func EOSShowVLAN(text string) ([]IOSVLAN, error) { return IOSShowVLAN(text) }

// EOSMAC is one entry of EOS `show mac address-table`.
type EOSMAC struct {
	VLANID   string   `yaml:"vlan_id"`
	Address  string   `yaml:"mac_address"`
	Type     string   `yaml:"type"`
	Ports    []string `yaml:"destination_port"`
	Moves    string   `yaml:"moves"`
	LastMove string   `yaml:"last_move"`
}

var eosMACRow = regexp.MustCompile(`^\s*(\d{1,4})\s+([0-9a-zA-Z]{4}\.[0-9a-zA-Z]{4}\.[0-9a-zA-Z]{4})\s+(\S+)\s+(.+?)\s*$`)

// EOSMACTable parses EOS `show mac address-table`.
func EOSMACTable(text string) ([]EOSMAC, error) {
	var out []EOSMAC
	for _, l := range lines(text) {
		if strings.HasPrefix(strings.TrimSpace(l), "Multicast Mac Address Table") {
			break
		}
		m := eosMACRow.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		r := EOSMAC{VLANID: m[1], Address: strings.ToLower(m[2]), Type: m[3], Ports: []string{}}
		// Ports, then optionally the move count and when the last move was.
		ts := tokens(m[4])
		for i, t := range ts {
			if strings.Trim(t.text, "0123456789") == "" {
				r.Moves = t.text
				r.LastMove = strings.TrimSuffix(joinTokens(ts[i+1:]), " ago")
				break
			}
			r.Ports = append(r.Ports, t.text)
		}
		out = append(out, r)
	}
	return out, nil
}

// EOSARP is one entry of EOS `show ip arp`.
type EOSARP struct {
	IP        string `yaml:"ip_address"`
	Age       string `yaml:"age"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	VRF       string `yaml:"vrf"`
}

var eosARPRow = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\s+(\S+)\s+([0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})\s+(.+?)\s*$`)

// EOSARPTable parses EOS `show ip arp` (a "VRF: name" line sets the VRF
// of the rows that follow).
func EOSARPTable(text string) ([]EOSARP, error) {
	var out []EOSARP
	vrf := ""
	for i, l := range lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "VRF:"); ok {
			vrf = strings.TrimSpace(v)
			continue
		}
		if l == "" || strings.HasPrefix(l, "Address") {
			continue
		}
		m := eosARPRow.FindStringSubmatch(l)
		if m == nil {
			return nil, &Error{i + 1, l, "not an ARP row"}
		}
		out = append(out, EOSARP{IP: m[1], Age: m[2], MAC: m[3], Interface: m[4], VRF: vrf})
	}
	return out, nil
}
