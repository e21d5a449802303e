package showparse

import (
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
	rep := macRows(eosMACTable, text, func(r Row, mac, vlan string, ports []string) {
		out = append(out, EOSMAC{VLANID: vlan, Address: mac, Type: r.Cell("type"), Ports: ports,
			Moves: r.Cell("moves"), LastMove: strings.TrimSuffix(r.Cell("lastmove"), " ago")})
	}, func(ports []string) {
		out[len(out)-1].Ports = append(out[len(out)-1].Ports, ports...)
	})
	return out, rep
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
	rep := arpRows(text, func(r Row, ip string) {
		vrf, _ := strings.CutPrefix(r.Context(), "VRF:")
		out = append(out, EOSARP{IP: ip, Age: r.Cell("age"), MAC: r.Cell("mac"), Interface: r.Cell("interface"), VRF: strings.TrimSpace(vrf)})
	})
	return out, rep
}
