package showparse

import (
	"errors"
	"strings"
)

// ArubaOSVLAN is one row of ArubaOS `show vlan`; the switch-wide values
// (maximum, primary and management VLAN) are on the first record, as the
// reference template reports them.
type ArubaOSVLAN struct {
	ID          string `yaml:"vlan_id"`
	Name        string `yaml:"vlan_name"`
	Status      string `yaml:"vlan_status"`
	Voice       string `yaml:"voice"`
	Jumbo       string `yaml:"jumbo"`
	MaxVLANs    string `yaml:"max_vlans"`
	PrimaryVLAN string `yaml:"primary_vlan"`
	MgmtVLAN    string `yaml:"mgmt_vlan"`
}

// ArubaOSShowVLAN parses ArubaOS `show vlan`: the "Key : value" lines
// above the table, then the table ProCurve's `show vlans` prints (with a
// bar before Status).
func ArubaOSShowVLAN(text string) ([]ArubaOSVLAN, Report) {
	var maxV, primary, mgmt string
	for _, l := range textLines(text) {
		k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Maximum VLANs to support":
			maxV = strings.TrimSpace(v)
		case "Primary VLAN":
			primary = strings.TrimSpace(v)
		case "Management VLAN":
			mgmt = strings.TrimSpace(v)
		}
	}
	var out []ArubaOSVLAN
	rep := procurveVLANTable.Read(text, func(r Row) error {
		v, err := procurveVLANRow(r)
		if err != nil {
			return err
		}
		a := ArubaOSVLAN{ID: v.ID, Name: v.Name, Status: v.Status, Voice: v.Voice, Jumbo: v.Jumbo}
		if len(out) == 0 {
			a.MaxVLANs, a.PrimaryVLAN, a.MgmtVLAN = maxV, primary, mgmt
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}

// ArubaOSARP is one entry of ArubaOS `show arp`.
type ArubaOSARP struct {
	Protocol  string `yaml:"protocol"`
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
	Age       string `yaml:"age"`
}

var arubaOSARPTable = NewTable(Spec{
	Command: "show arp",
	Columns: []Column{
		{"protocol", []string{"Protocol"}},
		{"ip", []string{"IP Address"}},
		{"mac", []string{"Hardware Address"}},
		{"interface", []string{"Interface"}},
		{"age", []string{"Age", "Age (min)"}},
	},
	Signatures: [][]string{{"ip", "mac", "interface"}},
	Skip: func(l string) bool {
		return strings.HasPrefix(l, "Total ARP entries") || strings.HasPrefix(l, "Codes:")
	},
})

// ArubaOSARPTable parses ArubaOS `show arp`. A local address is marked
// "*" before its protocol ("* Internet").
func ArubaOSARPTable(text string) ([]ArubaOSARP, Report) {
	var out []ArubaOSARP
	rep := arubaOSARPTable.Read(text, func(r Row) error {
		a := ArubaOSARP{Protocol: strings.TrimSpace(strings.TrimLeft(r.Cell("protocol"), "*SA ")), IP: r.Cell("ip"), MAC: r.Cell("mac"), Interface: r.Cell("interface"), Age: r.Cell("age")}
		if !isIPv4(a.IP) || NormaliseMAC(a.MAC) == "" || a.Interface == "" || strings.Contains(a.Interface, " ") {
			return errors.New("not an ARP entry: no IP address, hardware address and interface under their columns")
		}
		out = append(out, a)
		return nil
	})
	return out, rep
}
