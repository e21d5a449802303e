package showparse

import (
	"errors"
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
	}, func(fs []string) error {
		rec, err := nxosMACWords(fs)
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
