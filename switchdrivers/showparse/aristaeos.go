package showparse

import (
	"errors"
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

// EOSInterfacesStatus parses EOS `show interfaces status` (IOS's layout;
// EOS adds a Flags column).
func EOSInterfacesStatus(text string) ([]EOSInterfaceStatus, Report) {
	rows, rep := IOSInterfacesStatus(text)
	out := make([]EOSInterfaceStatus, len(rows))
	for i, r := range rows {
		out[i] = EOSInterfaceStatus{Port: r.Port, Name: r.Name, Status: r.Status, VLANID: r.VLANID, Duplex: r.Duplex, Speed: r.Speed, Type: r.Type}
	}
	return out, rep
}

// EOSShowVLAN parses EOS `show vlan` (the same layout as IOS).
func EOSShowVLAN(text string) ([]IOSVLAN, Report) { return IOSShowVLAN(text) }

// EOSMAC is one entry of EOS `show mac address-table`.
type EOSMAC struct {
	VLANID   string   `yaml:"vlan_id"`
	Address  string   `yaml:"mac_address"`
	Type     string   `yaml:"type"`
	Ports    []string `yaml:"destination_port"`
	Moves    string   `yaml:"moves"`
	LastMove string   `yaml:"last_move"`
}

// EOSMACTable parses EOS `show mac address-table`.
func EOSMACTable(text string) ([]EOSMAC, Report) {
	var out []EOSMAC
	rep := macRows(eosMACTable, text, nil, func(r Row, mac, vlan string, ports []string) {
		rec := EOSMAC{VLANID: vlan, Address: mac, Type: r.Cell("type"), Ports: ports,
			Moves: r.Cell("moves"), LastMove: strings.TrimSuffix(r.Cell("lastmove"), " ago")}
		if !isNumber(rec.Moves) && (rec.Moves != "" || rec.LastMove != "") {
			rec, _ = eosMACWords(r.Fields()) // Moves is a count: these cells miss the columns
		}
		out = append(out, rec)
	}, func(ports []string) {
		out[len(out)-1].Ports = append(out[len(out)-1].Ports, ports...)
	}, func(r Row) error {
		rec, err := eosMACWords(r.Fields())
		if err == nil {
			out = append(out, rec)
		}
		return err
	})
	return out, rep
}

// eosMACWords reads an EOS MAC row from its words, in the order EOS
// documents its columns: VLAN, MAC address, type, the ports, then the
// move count and how long ago the last move was.
func eosMACWords(fs []string) (EOSMAC, error) {
	if len(fs) < 3 || !isVLANID(fs[0]) || NormaliseMAC(fs[1]) == "" {
		return EOSMAC{}, errors.New("not a MAC address row: not VLAN, MAC address, type, ports")
	}
	rec := EOSMAC{VLANID: fs[0], Address: strings.ToLower(fs[1]), Type: fs[2], Ports: []string{}}
	for i, f := range fs[3:] {
		if isNumber(f) {
			rec.Moves = f
			rec.LastMove = strings.TrimSuffix(strings.Join(fs[3+i+1:], " "), " ago")
			break
		}
		rec.Ports = append(rec.Ports, f)
	}
	return rec, nil
}

// EOSARP is one entry of EOS `show ip arp`.
type EOSARP struct {
	IP        string `yaml:"ip_address"`
	Age       string `yaml:"age"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	VRF       string `yaml:"vrf"`
}

// EOSARPTable parses EOS `show ip arp` (a "VRF: name" line sets the VRF
// of the rows that follow).
func EOSARPTable(text string) ([]EOSARP, Report) {
	var out []EOSARP
	rep := arpRows(text, eosARPTail, func(r Row, e arpEntry) {
		vrf, _ := strings.CutPrefix(r.Context(), "VRF:")
		out = append(out, EOSARP{IP: e.ip, Age: e.age, MAC: e.mac, Interface: e.iface, VRF: strings.TrimSpace(vrf)})
	})
	return out, rep
}
