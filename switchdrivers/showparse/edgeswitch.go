package showparse

import (
	"errors"
	"fmt"
)

// Ubiquiti EdgeSwitch (FASTPATH): `show vlan` and `show arp`.

// EdgeSwitchVLAN is one row of Ubiquiti EdgeSwitch `show vlan`.
type EdgeSwitchVLAN struct {
	ID   string `yaml:"vlan_id"`
	Name string `yaml:"vlan_name"`
	Type string `yaml:"type"`
}

var edgeSwitchVLANTable = NewTable(Spec{
	Command: "show vlan",
	Columns: []Column{
		{"vlan", []string{"VLAN ID"}},
		{"name", []string{"VLAN Name"}},
		{"type", []string{"VLAN Type"}},
	},
	Signatures: [][]string{{"vlan", "name"}},
})

// EdgeSwitchShowVLAN parses Ubiquiti EdgeSwitch `show vlan`.
func EdgeSwitchShowVLAN(text string) ([]EdgeSwitchVLAN, Report) {
	var out []EdgeSwitchVLAN
	rep := edgeSwitchVLANTable.Read(text, func(r Row) error {
		v := EdgeSwitchVLAN{ID: r.Cell("vlan"), Name: r.Cell("name"), Type: r.Cell("type")}
		if !isVLANID(v.ID) {
			return fmt.Errorf("not a VLAN row: %q is not a VLAN ID", v.ID)
		}
		out = append(out, v)
		return nil
	})
	return out, rep
}

// EdgeSwitchARP is one entry of Ubiquiti EdgeSwitch `show arp`.
type EdgeSwitchARP struct {
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	Type      string `yaml:"type"`
	Age       string `yaml:"age"` // "0h  2m 16s", "n/a"
}

// edgeSwitchARPTable is the table under the ARP settings ("Age Time
// (seconds)........ 300") that `show arp` prints first.
var edgeSwitchARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"ip", []string{"IP Address"}},
		{"mac", []string{"MAC Address"}},
		{"iface", []string{"Interface"}},
		{"type", []string{"Type"}},
		{"age", []string{"Age"}},
	},
	Signatures: [][]string{{"ip", "mac", "iface"}},
})

// EdgeSwitchARPTable parses Ubiquiti EdgeSwitch `show arp`.
func EdgeSwitchARPTable(text string) ([]EdgeSwitchARP, Report) {
	var out []EdgeSwitchARP
	rep := edgeSwitchARPTable.Read(text, func(r Row) error {
		a := EdgeSwitchARP{IP: r.Cell("ip"), MAC: r.Cell("mac"), Interface: r.Cell("iface"), Type: r.Cell("type"), Age: r.Cell("age")}
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" {
			return errors.New("not an ARP entry: no IP address under IP Address and MAC address under MAC Address")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// The Ubiquiti EdgeSwitch commands import reads.
var edgeSwitchCommands = []command{
	{name: "show vlan", table: edgeSwitchVLANTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EdgeSwitchShowVLAN(text)
			for _, row := range rows {
				r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
			}
			return rep, nil
		}},
	{name: "show arp", table: edgeSwitchARPTable,
		read: func(text string, r *Result) (Report, error) {
			rows, rep := EdgeSwitchARPTable(text)
			for _, row := range rows {
				r.addARP(row.IP, row.MAC, row.Interface)
			}
			return rep, nil
		}},
}
