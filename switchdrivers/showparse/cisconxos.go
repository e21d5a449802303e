package showparse

import (
	"regexp"
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
func NXOSInterfaceSwitchport(text string) ([]NXOSSwitchport, error) {
	var out []NXOSSwitchport
	var cur *NXOSSwitchport
	for i, l := range lines(text) {
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if key == "Name" {
			out = append(out, NXOSSwitchport{Interface: val})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			return nil, &Error{i + 1, l, "field before the first Name:"}
		}
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
	}
	return out, nil
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

var nxosMACRow = regexp.MustCompile(`^[*G+O ]?\s*(\d{1,4}|-)\s+([0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$`)

// NXOSMACTable parses NX-OS `show mac address-table`.
func NXOSMACTable(text string) ([]NXOSMAC, error) {
	var out []NXOSMAC
	for _, l := range lines(text) {
		if m := nxosMACRow.FindStringSubmatch(l); m != nil {
			out = append(out, NXOSMAC{VLANID: m[1], Address: strings.ToLower(m[2]), Type: m[3], Age: m[4], Secure: m[5], NTFY: m[6], Ports: m[7]})
		}
	}
	return out, nil
}

// NXOSARP is one entry of NX-OS `show ip arp`.
type NXOSARP struct {
	IP        string `yaml:"ip_address"`
	Age       string `yaml:"age"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
}

var nxosARPRow = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3}){3})\s+(\S+)\s+(\S+)\s+(\S+)\s*$`)

// NXOSARPTable parses NX-OS `show ip arp`.
func NXOSARPTable(text string) ([]NXOSARP, error) {
	var out []NXOSARP
	for _, l := range lines(text) {
		if m := nxosARPRow.FindStringSubmatch(l); m != nil {
			out = append(out, NXOSARP{IP: m[1], Age: m[2], MAC: m[3], Interface: m[4]})
		}
	}
	return out, nil
}
