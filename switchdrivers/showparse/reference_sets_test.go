package showparse

import (
	"cmp"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The schemas of genieparser and napalm, mapped onto flat records. Each
// mapping names the fields both sides extract; what one side extracts
// and the other has no counterpart for is listed in the comment (it is
// not compared).

// knownDifferences names the reference files on which our records
// knowingly differ from the reference's, and why (the reference is wrong,
// or the file is not what a device prints); TestReferences logs their
// agreement, counts it in the mean, and does not require it to be 1.
var knownDifferences = map[string]string{
	"genie/nxos/ShowInterfaceStatus/golden2.json": "the file is three rows without their header (a capture cut short): " +
		"cutover does not guess columns and says there is no table (TestOtherCorporaReadable)",
	"genie/nxos/ShowMacAddressTable/golden_output_3.json": "the capture glues the next command's text to the last row " +
		"(\"sup-eth1(R) Note: MAC table entries displayed...\"); cutover reports that row (\"Note:\" is not a port) instead of guessing where the port ends",
}

// ntcFix corrects an ntc reference file that is wrong; why says how.
type ntcFix struct {
	why string
	fix func(recs []map[string]any)
}

// ntcFixes are the ntc reference files that are wrong, by folder and
// file. TestCorpus compares with the corrected records; TestNTCAgreement
// measures against the reference as it is.
var ntcFixes = map[string]ntcFix{
	"cisco_ios/show_vlans/cisco_ios_show_vlans_08.raw": {
		"the template lists each subinterface twice (once from \"vLAN Trunk Interface:\" and once from its \"(N)\" line): one interface is in the VLAN once",
		func(recs []map[string]any) {
			for _, r := range recs {
				var seen []any
				for _, x := range r["interfaces"].([]any) {
					if !slices.Contains(seen, x) {
						seen = append(seen, x)
					}
				}
				r["interfaces"] = seen
			}
		}},
}

// napalmSVIMAC is why napalm's NX-OS get_interfaces differs on the files
// with VLAN interfaces.
const napalmSVIMAC = "napalm's NX-OS getter reads a MAC address only from \"Hardware: TYPE, address: MAC\"; a VLAN interface prints " +
	"\"Hardware is EtherSVI, address is MAC\", and napalm gives it no MAC (cutover reads it)"

func init() {
	for _, f := range []string{"N93180_7_0_3_I7_2", "alternate1", "normal", "no_delay"} {
		knownDifferences["napalm/nxos_ssh/get_interfaces/"+f+"/expected_result.json"] = napalmSVIMAC
	}
	knownDifferences["napalm/nxos_ssh/get_interfaces/missing_mtu/expected_result.json"] = napalmSVIMAC + "; and napalm's fixture " +
		"deletes \"MTU N bytes\" from four lines, leaving \", BW N Kbit, ...\" unindented: cutover reports those lines (napalm still reads their BW)"
}

// referenceSkips says whether a warning of our parser on a reference
// file is one the file is known to deserve (see knownDifferences).
func referenceSkips(file string, w Warning) bool {
	switch file {
	case "genie/nxos/ShowInterfaceStatus/golden2.json":
		return strings.Contains(w.Reason, "no show interfaces status table here")
	case "genie/nxos/ShowMacAddressTable/golden_output_3.json":
		return strings.Contains(w.Text, "Note: MAC table entries")
	case "napalm/nxos_ssh/get_interfaces/missing_mtu/expected_result.json":
		return strings.HasPrefix(w.Text, ", BW ")
	}
	return false
}

// warned collects our parsers' warnings.
func warned(reps ...Report) []Warning {
	var out []Warning
	for _, r := range reps {
		out = append(out, r.Warnings...)
	}
	return out
}

// --- show interface(s) status ---------------------------------------

// statusRefs: genie ShowInterfacesStatus / NX-OS ShowInterfaceStatus,
// {interfaces: {NAME: {name, status, vlan, duplex_code, port_speed,
// type}}}; genie leaves out an empty name or type.
func genieStatus(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(node(readJSON(t, p), "interfaces"))
	for _, k := range keys {
		v := m[k]
		out = append(out, ref{"_key": canonIf(k), "name": scalar(node(v, "name")), "status": scalar(node(v, "status")),
			"vlan": scalar(node(v, "vlan")), "duplex": scalar(node(v, "duplex_code")), "speed": scalar(node(v, "port_speed")), "type": scalar(node(v, "type"))})
	}
	return out
}

func ourStatus(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSInterfacesStatus(beside(t, p, ""))
	var out []ref
	for _, r := range rows {
		out = append(out, ref{"_key": canonIf(r.Port), "name": r.Name, "status": r.Status, "vlan": r.VLANID, "duplex": r.Duplex, "speed": r.Speed, "type": r.Type})
	}
	return out, warned(rep)
}

// --- show interfaces switchport ---------------------------------------

// genieSwitchport: {NAME: {switchport_enable, switchport_mode (the
// administrative mode), operational_mode, access_vlan, access_vlan_name,
// encapsulation: {native_vlan, native_vlan_name}, trunk_vlans (lower
// case), negotiation_of_trunk, ...}}. Not compared: encapsulations,
// private VLANs, pruning, capture, ethertype, port-channel membership
// (genie reads "(member of bundle Po12)" into port_channel) and the
// unknown unicast/multicast blocking (cutover reads none of these).
func genieSwitchport(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(readJSON(t, p))
	for _, k := range keys {
		v := m[k]
		r := ref{"_key": canonIf(k), "switchport": scalar(node(v, "switchport_enable"))}
		if scalar(node(v, "switchport_enable")) == "true" {
			r["admin_mode"] = scalar(node(v, "switchport_mode"))
			r["mode"] = scalar(node(v, "operational_mode"))
			r["access_vlan"] = scalar(node(v, "access_vlan"))
			r["native_vlan"] = scalar(node(v, "encapsulation", "native_vlan"))
			r["trunking_vlans"] = strings.ToLower(scalar(node(v, "trunk_vlans")))
			r["negotiation"] = scalar(node(v, "negotiation_of_trunk"))
		}
		out = append(out, r)
	}
	return out
}

func ourSwitchport(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSInterfacesSwitchport(beside(t, p, ""))
	var out []ref
	for _, s := range rows {
		r := ref{"_key": canonIf(s.Interface), "switchport": strconv.FormatBool(strings.EqualFold(s.Switchport, "Enabled"))}
		if r["switchport"] == "true" {
			mode, _, _ := strings.Cut(s.Mode, " (") // genie keeps "(member of bundle Po12)" apart
			r["admin_mode"] = s.AdminMode
			r["mode"] = mode
			r["access_vlan"] = s.AccessVLAN
			r["native_vlan"] = s.NativeVLAN
			r["trunking_vlans"] = strings.ToLower(strings.Join(s.TrunkingVLANs, ","))
			r["negotiation"] = strconv.FormatBool(strings.EqualFold(s.Negotiation, "On"))
		}
		out = append(out, r)
	}
	return out, warned(rep)
}

// --- show vlan ----------------------------------------------------------

// genieState is genie's word for a status cell of `show vlan`.
func genieState(status string) string {
	switch {
	case strings.HasSuffix(status, "/lshut"):
		return "shutdown"
	case status == "suspended", status == "sus":
		return "suspend"
	case status == "act/unsup":
		return "unsupport"
	}
	return status
}

// genieVLAN: ShowVlan {vlans: {ID: {vlan_id, name, state, interfaces
// (long names), type, said, mtu, ...}}}. genie merges the later tables
// (types, remote SPAN, private VLANs) into the same VLAN keys; only VLANs
// of the first table (they have a name) are VLAN records. Not compared:
// the second table's type, SAID, MTU, trans1/2, and the RSPAN and
// private VLAN tables (cutover reads the first table only).
func genieVLAN(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(node(readJSON(t, p), "vlans"))
	for _, k := range keys {
		v := m[k]
		if node(v, "name") == nil {
			continue
		}
		out = append(out, ref{"_key": k, "name": scalar(node(v, "name")), "status": scalar(node(v, "state")), "ports": canonIfs(strList(node(v, "interfaces")))})
	}
	return out
}

func ourVLAN(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSShowVLAN(beside(t, p, ""))
	var out []ref
	for _, v := range rows {
		out = append(out, ref{"_key": v.VLANID, "name": v.Name, "status": genieState(v.Status), "ports": canonIfs(v.Interfaces)})
	}
	return out, warned(rep)
}

// genieVLANBrief: ShowVlanBrief {vlan: {vlanID: {vlan_name,
// vlan_status, vlan_port}}} (short names, as printed).
func genieVLANBrief(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(node(readJSON(t, p), "vlan"))
	for _, k := range keys {
		v := m[k]
		out = append(out, ref{"_key": strings.TrimPrefix(k, "vlan"), "name": scalar(node(v, "vlan_name")), "status": scalar(node(v, "vlan_status")), "ports": canonIfs(strList(node(v, "vlan_port")))})
	}
	return out
}

func ourVLANBrief(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSShowVLAN(beside(t, p, ""))
	var out []ref
	for _, v := range rows {
		out = append(out, ref{"_key": v.VLANID, "name": v.Name, "status": v.Status, "ports": canonIfs(v.Interfaces)})
	}
	return out, warned(rep)
}

// genieVLANID: ShowVlanId, one VLAN {vlan-id, vlan-name, status, ports,
// type, said, mtu, ...}. Not compared: the second table's columns.
func genieVLANID(t *testing.T, p string) []ref {
	v := readJSON(t, p)
	return []ref{{"_key": scalar(node(v, "vlan-id")), "name": scalar(node(v, "vlan-name")), "status": scalar(node(v, "status")), "ports": canonIfs(strList(node(v, "ports")))}}
}

// --- show mac address-table -------------------------------------------

// genieMAC: IOS ShowMacAddressTable {mac_table: {vlans: {V: {vlan,
// mac_addresses: {MAC: {interfaces: {IF: {interface, entry_type,
// entry}}, drop: {drop, entry_type}}}}}}}: one record per VLAN and MAC,
// its ports sorted (Drop for a drop entry). Not compared: genie's
// "entry" (the "*" flag before the VLAN; the ntc template, whose fields
// our records follow, has none).
func genieMAC(t *testing.T, p string) []ref {
	var out []ref
	vlans, vm := object(node(readJSON(t, p), "mac_table", "vlans"))
	for _, vk := range vlans {
		macs, mm := object(node(vm[vk], "mac_addresses"))
		for _, mk := range macs {
			e := mm[mk]
			var ports []string
			typ := ""
			ifs, im := object(node(e, "interfaces"))
			for _, ik := range ifs {
				ports = append(ports, ik)
				typ = scalar(node(im[ik], "entry_type"))
			}
			if d := node(e, "drop"); d != nil {
				ports = append(ports, "Drop")
				typ = scalar(node(d, "entry_type"))
			}
			out = append(out, ref{"_key": strings.ToLower(scalar(node(vm[vk], "vlan"))) + " " + NormaliseMAC(mk), "ports": sortedIfs(ports), "type": strings.ToLower(typ)})
		}
	}
	return out
}

func ourMAC(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSMACTable(beside(t, p, ""))
	var out []ref
	for _, m := range rows {
		out = append(out, ref{"_key": strings.ToLower(m.VLANID) + " " + NormaliseMAC(m.Address), "ports": sortedIfs(m.Ports), "type": strings.ToLower(m.Type)})
	}
	return out, warned(rep)
}

// genieNXOSMAC: NX-OS ShowMacAddressTable {mac_table: {vlans: {V:
// {mac_addresses: {MAC: {entry, secure, ntfy, interfaces: {IF: {age,
// mac_type}}, drop: {...}}}}}}}. genie spells the supervisor's ports
// "Sup-eth1(R)(Lo0)" (capitalised, without the blank): ports are
// compared in lower case without blanks. Not compared: "entry" (the
// flag: the ntc template has none).
func genieNXOSMAC(t *testing.T, p string) []ref {
	var out []ref
	vlans, vm := object(node(readJSON(t, p), "mac_table", "vlans"))
	for _, vk := range vlans {
		macs, mm := object(node(vm[vk], "mac_addresses"))
		for _, mk := range macs {
			e := mm[mk]
			var ports []string
			typ, age := "", ""
			ifs, im := object(node(e, "interfaces"))
			for _, ik := range ifs {
				ports = append(ports, nxosPort(ik))
				typ, age = scalar(node(im[ik], "mac_type")), scalar(node(im[ik], "age"))
			}
			if d := node(e, "drop"); d != nil {
				// "Drop (Eth17/3.280)": genie spreads it over its drop
				// flag and an interface.
				drop := "drop"
				if len(ports) == 1 {
					drop, ports = "drop("+ports[0]+")", nil
				}
				ports = append(ports, drop)
				typ, age = scalar(node(d, "mac_type")), scalar(node(d, "age"))
			}
			sort.Strings(ports)
			out = append(out, ref{"_key": vk + " " + NormaliseMAC(mk), "ports": strings.Join(ports, ","), "type": typ, "age": age,
				"secure": scalar(node(e, "secure")), "ntfy": scalar(node(e, "ntfy"))})
		}
	}
	return out
}

// nxosPort is an NX-OS MAC table port as compared: without blanks, each
// name in it (outside and inside parentheses) canonical ("sup-eth1(R)
// (Lo0)" and "Sup-eth1(R)(Lo0)" are one).
func nxosPort(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '(' || r == ')' })
	out := ""
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		out += rest[:i] + canonIf(p)
		rest = rest[i+len(p):]
	}
	return out + rest
}

// ourNXOSMAC: genie keys entries by VLAN and MAC, so the rows of one
// address on two ports are one entry with both ports.
func ourNXOSMAC(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSMACTable(beside(t, p, ""))
	var out []ref
	at := map[string]int{}
	for _, m := range rows {
		k := m.VLANID + " " + NormaliseMAC(m.Address)
		var ports []string
		if i, ok := at[k]; ok {
			ports = strings.Split(out[i]["ports"], ",")
		}
		for _, port := range strings.Split(m.Ports, ",") {
			ports = append(ports, nxosPort(port))
		}
		sort.Strings(ports)
		r := ref{"_key": k, "ports": strings.Join(ports, ","), "type": m.Type, "age": m.Age, "secure": m.Secure, "ntfy": m.NTFY}
		if i, ok := at[k]; ok {
			out[i] = r
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out, warned(rep)
}

// --- show ip arp ----------------------------------------------------------

// origin is genie's origin of an ARP entry: static where the age is "-".
func origin(age string) string {
	if age == "-" {
		return "static"
	}
	return "dynamic"
}

// genieARP: {interfaces: {IF: {ipv4: {neighbors: {IP: {ip,
// link_layer_address, age, origin, protocol, type, physical_interface,
// flags}}}}}}. Compared: interface, MAC, age, origin (genie derives it
// from the age), and on IOS protocol and type. Not compared:
// physical_interface of `show ip arp` without detail (genie copies the
// interface into it), private_vlan (IOS-XE "pv 202" after the
// interface).
func genieARP(withType bool) func(t *testing.T, p string) []ref {
	return func(t *testing.T, p string) []ref {
		var out []ref
		ifs, im := object(node(readJSON(t, p), "interfaces"))
		for _, ik := range ifs {
			ips, nm := object(node(im[ik], "ipv4", "neighbors"))
			for _, ip := range ips {
				n := nm[ip]
				r := ref{"_key": ip, "interface": canonIf(ik), "mac": NormaliseMAC(scalar(node(n, "link_layer_address"))),
					"age": scalar(node(n, "age")), "origin": scalar(node(n, "origin"))}
				if withType {
					r["protocol"], r["type"] = scalar(node(n, "protocol")), scalar(node(n, "type"))
				}
				out = append(out, r)
			}
		}
		return out
	}
}

func ourARP(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSARPTable(beside(t, p, ""))
	var out []ref
	for _, a := range rows {
		out = append(out, ref{"_key": a.IP, "interface": canonIf(a.Interface), "mac": NormaliseMAC(a.MAC), "age": a.Age, "origin": origin(a.Age), "protocol": a.Protocol, "type": a.Type})
	}
	return out, warned(rep)
}

func ourNXOSARP(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSARPTable(beside(t, p, ""))
	var out []ref
	for _, a := range rows {
		out = append(out, ref{"_key": a.IP, "interface": canonIf(a.Interface), "mac": NormaliseMAC(a.MAC), "age": a.Age, "origin": origin(a.Age)})
	}
	return out, warned(rep)
}

// --- napalm -----------------------------------------------------------

// napalmMAC: get_mac_address_table, a list of {mac, interface, vlan,
// static, active, moves, last_move}. napalm writes the switch's own
// entries (ports CPU, Router, Switch, stby-switch) with interface "",
// VLAN All or N/A as 0, and, where the VLAN column of a Catalyst 4500
// names a routed port, that port as the interface and VLAN -1; it spells
// the vPC peer link "vPC-Peer-Link"; static is the type "static" (or
// "self"). Not compared: the entries of the Catalyst 4500's separate
// "Multicast Entries" table (multicast groups, not where a host sits),
// which napalm reads and cutover, like the ntc template, does not; and
// active, moves and last_move (napalm fills -1 on IOS and NX-OS: the CLI
// does not say).
func napalmMAC(t *testing.T, p string) []ref {
	var out []ref
	multicast := map[string]bool{}
	text := beside(t, p, "show_mac_address_table.txt")
	if _, groups, ok := strings.Cut(text, "Multicast Entries"); ok {
		rows, _ := IOSMACTable(groups) // the same layout, read as a table of its own
		for _, m := range rows {
			multicast[NormaliseMAC(m.Address)+" "+m.VLANID] = true
		}
	}
	l, _ := readJSON(t, p).([]any)
	for _, e := range l {
		mac := NormaliseMAC(scalar(node(e, "mac")))
		if multicast[mac+" "+scalar(node(e, "vlan"))] {
			continue
		}
		out = append(out, ref{"_key": mac + " " + scalar(node(e, "vlan")) + " " + canonIf(scalar(node(e, "interface"))),
			"static": scalar(node(e, "static"))})
	}
	return out
}

// napalmPort is how napalm writes a MAC entry's port.
func napalmPort(port string) string {
	switch strings.ToLower(port) {
	case "cpu", "router", "switch", "stby-switch":
		return ""
	}
	return canonIf(strings.ReplaceAll(port, " ", "-"))
}

// napalmEntry is napalm's key of a MAC entry: VLAN 0 for All or N/A, -1
// (and the port named there) where the VLAN column names a routed port.
func napalmEntry(mac, vlan, port string) string {
	switch {
	case isInterfaceName(vlan):
		return mac + " -1 " + canonIf(vlan)
	case !isNumber(vlan):
		return mac + " 0 " + napalmPort(port)
	}
	return mac + " " + strings.TrimLeft(vlan, "0") + " " + napalmPort(port)
}

func napalmStatic(typ string) string {
	t := strings.ToLower(typ)
	return strconv.FormatBool(t == "static" || t == "self")
}

func ourNapalmMAC(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := IOSMACTable(beside(t, p, "show_mac_address_table.txt"))
	var out []ref
	for _, m := range rows {
		mac := NormaliseMAC(m.Address)
		for _, port := range m.Ports {
			out = append(out, ref{"_key": napalmEntry(mac, m.VLANID, port), "static": napalmStatic(m.Type)})
		}
	}
	return out, warned(rep)
}

func ourNapalmNXOSMAC(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSMACTable(beside(t, p, "show_mac_address_table.txt"))
	var out []ref
	for _, m := range rows {
		mac := NormaliseMAC(m.Address)
		for _, port := range strings.Split(m.Ports, ",") {
			out = append(out, ref{"_key": napalmEntry(mac, m.VLANID, port), "static": napalmStatic(m.Type)})
		}
	}
	return out, warned(rep)
}

// napalmARP: get_arp_table, a list of {interface, mac, ip, age}; the age
// in minutes on IOS (as printed), in seconds on NX-OS (from hh:mm:ss), -1
// where the device prints "-".
func napalmARP(t *testing.T, p string) []ref {
	var out []ref
	l, _ := readJSON(t, p).([]any)
	for _, e := range l {
		out = append(out, ref{"_key": scalar(node(e, "ip")), "interface": canonIf(scalar(node(e, "interface"))), "mac": NormaliseMAC(scalar(node(e, "mac"))),
			"age": scalar(node(e, "age"))})
	}
	return out
}

// napalmAge is an age as napalm writes it: a number rounded to a tenth,
// -1 for "-", hh:mm:ss in seconds.
func napalmAge(age string) string {
	if age == "-" || age == "" {
		return "-1"
	}
	if h, rest, ok := strings.Cut(age, ":"); ok {
		m, s, _ := strings.Cut(rest, ":")
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(m)
		ss, _ := strconv.ParseFloat(s, 64)
		return scalar(float64(hh*3600+mm*60) + ss)
	}
	f, err := strconv.ParseFloat(age, 64)
	if err != nil {
		return age
	}
	return scalar(math.Round(f*10) / 10)
}

func ourNapalmARP(file string, parse func(string) ([]agedARP, Report)) func(t *testing.T, p string) ([]ref, []Warning) {
	return func(t *testing.T, p string) ([]ref, []Warning) {
		rows, rep := parse(besideGlob(t, p, file))
		var out []ref
		for _, a := range rows {
			out = append(out, ref{"_key": a.IP, "interface": canonIf(a.Interface), "mac": NormaliseMAC(a.MAC), "age": napalmAge(a.Age)})
		}
		return out, warned(rep)
	}
}

// agedARP is an ARP entry with its age as printed.
type agedARP struct{ IP, MAC, Interface, Age string }

// napalmVLANs: get_vlans {ID: {name, interfaces (long names)}}.
func napalmVLANs(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(readJSON(t, p))
	for _, k := range keys {
		out = append(out, ref{"_key": k, "name": scalar(node(m[k], "name")), "ports": canonIfs(strList(node(m[k], "interfaces")))})
	}
	return out
}

// ourNapalmVLANs reads what napalm read: `show vlan all-ports`, or where
// the switch refused it, `show vlan id N` for each VLAN of `show vlan
// brief`.
func ourNapalmVLANs(t *testing.T, p string) ([]ref, []Warning) {
	dir := filepath.Dir(p)
	var out []ref
	var ws []Warning
	add := func(text string) {
		rows, rep := IOSShowVLAN(text)
		ws = append(ws, rep.Warnings...)
		for _, v := range rows {
			out = append(out, ref{"_key": v.VLANID, "name": v.Name, "ports": canonIfs(v.Interfaces)})
		}
	}
	all := beside(t, p, "show_vlan_all_ports.txt")
	if !strings.Contains(all, "% Invalid input") {
		add(all)
		return out, ws
	}
	ids, _ := filepath.Glob(filepath.Join(dir, "show_vlan_id_*.txt"))
	for _, f := range ids {
		add(beside(t, p, filepath.Base(f)))
	}
	return out, ws
}

// genieBrief: NX-OS ShowInterfaceBrief {interface: {SECTION: {NAME:
// {...}}}}, the sections port (management), ethernet, port_channel,
// loopback, vlan, tunnel and nve, each with the fields its header has;
// genie's port_ch, vlan and encap_type are our portch, vlan_id and (the
// tunnel's) type.
func genieBrief(t *testing.T, p string) []ref {
	var out []ref
	secs, sm := object(node(readJSON(t, p), "interface"))
	for _, sk := range secs {
		names, nm := object(sm[sk])
		for _, n := range names {
			v := nm[n]
			r := ref{"_key": canonIf(n)}
			fields, fm := object(v)
			for _, f := range fields {
				switch f {
				case "port_ch":
					r["portch"] = scalar(fm[f])
				case "vlan":
					r["vlan_id"] = scalar(fm[f])
				case "encap_type":
					r["type"] = scalar(fm[f])
				default:
					r[f] = scalar(fm[f])
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func ourBrief(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSInterfaceBriefTable(beside(t, p, ""))
	var out []ref
	for _, b := range rows {
		out = append(out, ref{"_key": canonIf(b.Interface), "vrf": b.VRF, "status": b.Status, "ip_address": b.IPAddress, "speed": b.Speed, "mtu": b.MTU,
			"vlan_id": b.VLANID, "type": b.Type, "mode": b.Mode, "reason": b.Reason, "portch": b.PortCh, "description": b.Description, "protocol": b.Protocol})
	}
	return out, warned(rep)
}

// genieARPDetail: NX-OS ShowIpArpDetailVrfAll, as genieARP with the
// physical interface and the flag (genie's "flag").
func genieARPDetail(t *testing.T, p string) []ref {
	var out []ref
	ifs, im := object(node(readJSON(t, p), "interfaces"))
	for _, ik := range ifs {
		ips, nm := object(node(im[ik], "ipv4", "neighbors"))
		for _, ip := range ips {
			n := nm[ip]
			out = append(out, ref{"_key": ip, "interface": canonIf(ik), "mac": NormaliseMAC(scalar(node(n, "link_layer_address"))),
				"age": scalar(node(n, "age")), "origin": scalar(node(n, "origin")), "physical": canonIf(scalar(node(n, "physical_interface"))), "flags": scalar(node(n, "flag"))})
		}
	}
	return out
}

// nxosARPLegend is what NX-OS's legend says each flag means (genie's
// detail parser keeps the meaning, not the flag).
var nxosARPLegend = map[string]string{
	"*": "Adjacencies learnt on non-active FHRP router", "+": "Adjacencies synced via CFSoE", "#": "Adjacencies Throttled for Glean",
	"D": "Static Adjacencies attached to down interface", "CP": "Added via L2RIB, Control plane Adjacencies",
	"PS": "Added via L2RIB, Peer Sync", "RO": "Re-Originated Peer Sync Entry",
}

func ourARPDetail(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSARPDetailTable(beside(t, p, ""))
	var out []ref
	for _, a := range rows {
		out = append(out, ref{"_key": a.IP, "interface": canonIf(a.Interface), "mac": NormaliseMAC(a.MAC), "age": a.Age, "origin": origin(a.Age),
			"physical": canonIf(a.PhysicalInterface), "flags": nxosARPLegend[a.Flags]})
	}
	return out, warned(rep)
}

// napalmInterfaces: get_interfaces {NAME: {is_up, is_enabled,
// description, mac_address, mtu, speed (Mbit/s, from BW in Kbit; -1
// where NX-OS prints no BW), last_flapped}}. napalm's IOS getter records
// only interfaces whose block has an MTU and BW line. Not compared:
// last_flapped (napalm fills -1).
func napalmInterfaces(t *testing.T, p string) []ref {
	var out []ref
	keys, m := object(readJSON(t, p))
	for _, k := range keys {
		v := m[k]
		out = append(out, ref{"_key": canonIf(k), "is_up": scalar(node(v, "is_up")), "is_enabled": scalar(node(v, "is_enabled")),
			"description": scalar(node(v, "description")), "mac_address": NormaliseMAC(scalar(node(v, "mac_address"))),
			"mtu": scalar(node(v, "mtu")), "speed": scalar(node(v, "speed"))})
	}
	return out
}

func ourNapalmInterfaces(pattern string, ios bool) func(t *testing.T, p string) ([]ref, []Warning) {
	return func(t *testing.T, p string) ([]ref, []Warning) {
		rows, rep := CiscoShowInterfaces(besideGlob(t, p, pattern))
		var out []ref
		for _, c := range rows {
			speed := "-1"
			if n, unit, ok := strings.Cut(c.Bandwidth, " "); ok && strings.HasPrefix(unit, "Kbit") {
				f, _ := strconv.ParseFloat(n, 64)
				speed = scalar(f / 1000)
			} else if ios {
				continue // no BW line: napalm's IOS getter leaves the interface out
			}
			out = append(out, ref{"_key": canonIf(c.Interface), "is_up": strconv.FormatBool(c.Up()), "is_enabled": strconv.FormatBool(c.Enabled()),
				"description": c.Description, "mac_address": NormaliseMAC(c.MACAddress), "mtu": cmp.Or(c.MTU, "-1"), "speed": speed})
		}
		return out, warned(rep)
	}
}

// ourNapalmNXOSVLANs reads `show vlan brief | json`, as napalm does.
func ourNapalmNXOSVLANs(t *testing.T, p string) ([]ref, []Warning) {
	rows, rep := NXOSShowVLANJSON(beside(t, p, "show_vlan_brief___json.txt"))
	var out []ref
	for _, v := range rows {
		out = append(out, ref{"_key": v.VLANID, "name": v.Name, "ports": canonIfs(v.Interfaces)})
	}
	return out, warned(rep)
}

var refSets = []refSet{
	{"napalm", "nxos_ssh", "get_vlans", "nxos_ssh/get_vlans/*/expected_result.json", ourNapalmNXOSVLANs, napalmVLANs},
	{"napalm", "ios", "get_interfaces", "ios/get_interfaces/*/expected_result.json", ourNapalmInterfaces("show_interfaces.txt", true), napalmInterfaces},
	{"napalm", "nxos_ssh", "get_interfaces", "nxos_ssh/get_interfaces/*/expected_result.json", ourNapalmInterfaces("show_interface.txt", false), napalmInterfaces},
	{"genie", "nxos", "ShowInterfaceBrief", "nxos/ShowInterfaceBrief/*.json", ourBrief, genieBrief},
	{"genie", "nxos", "ShowIpArpDetailVrfAll", "nxos/ShowIpArpDetailVrfAll/*.json", ourARPDetail, genieARPDetail},
	{"genie", "ios", "ShowInterfacesStatus", "ios/ShowInterfacesStatus/*.json", ourStatus, genieStatus},
	{"genie", "iosxe", "ShowInterfacesStatus", "iosxe/ShowInterfacesStatus/*.json", ourStatus, genieStatus},
	{"genie", "nxos", "ShowInterfaceStatus", "nxos/ShowInterfaceStatus/*.json", ourStatus, genieStatus},
	{"genie", "ios", "ShowInterfacesSwitchport", "ios/ShowInterfacesSwitchport/*.json", ourSwitchport, genieSwitchport},
	{"genie", "iosxe", "ShowInterfacesSwitchport", "iosxe/ShowInterfacesSwitchport/*.json", ourSwitchport, genieSwitchport},
	{"genie", "ios", "ShowVlan", "ios/ShowVlan/*.json", ourVLAN, genieVLAN},
	{"genie", "iosxe", "ShowVlan", "iosxe/ShowVlan/*.json", ourVLAN, genieVLAN},
	{"genie", "iosxe", "ShowVlanBrief", "iosxe/ShowVlanBrief/*.json", ourVLANBrief, genieVLANBrief},
	{"genie", "iosxe", "ShowVlanId", "iosxe/ShowVlanId/*.json", ourVLANBrief, genieVLANID},
	{"genie", "ios", "ShowMacAddressTable", "ios/ShowMacAddressTable/*.json", ourMAC, genieMAC},
	{"genie", "iosxe", "ShowMacAddressTable", "iosxe/ShowMacAddressTable/*.json", ourMAC, genieMAC},
	{"genie", "nxos", "ShowMacAddressTable", "nxos/ShowMacAddressTable/*.json", ourNXOSMAC, genieNXOSMAC},
	{"genie", "ios", "ShowIpArp", "ios/ShowIpArp/*.json", ourARP, genieARP(true)},
	{"genie", "iosxe", "ShowIpArp", "iosxe/ShowIpArp/*.json", ourARP, genieARP(true)},
	{"genie", "nxos", "ShowIpArp", "nxos/ShowIpArp/*.json", ourNXOSARP, genieARP(false)},
	{"napalm", "ios", "get_mac_address_table", "ios/get_mac_address_table/*/expected_result.json", ourNapalmMAC, napalmMAC},
	{"napalm", "nxos_ssh", "get_mac_address_table", "nxos_ssh/get_mac_address_table/*/expected_result.json", ourNapalmNXOSMAC, napalmMAC},
	{"napalm", "ios", "get_arp_table", "ios/get_arp_table/*/expected_result.json", ourNapalmARP("show_arp*.txt", iosAged), napalmARP},
	{"napalm", "nxos_ssh", "get_arp_table", "nxos_ssh/get_arp_table/*/expected_result.json", ourNapalmARP("show_ip_arp*.txt", nxosAged), napalmARP},
	{"napalm", "ios", "get_vlans", "ios/get_vlans/*/expected_result.json", ourNapalmVLANs, napalmVLANs},
}

// iosAged and nxosAged are the ARP parsers in the common form with the
// age kept.
func iosAged(text string) ([]agedARP, Report) {
	rows, rep := IOSARPTable(text)
	out := make([]agedARP, len(rows))
	for i, r := range rows {
		out[i] = agedARP{IP: r.IP, MAC: r.MAC, Interface: r.Interface, Age: r.Age}
	}
	return out, rep
}

func nxosAged(text string) ([]agedARP, Report) {
	rows, rep := NXOSARPTable(text)
	out := make([]agedARP, len(rows))
	for i, r := range rows {
		out[i] = agedARP{IP: r.IP, MAC: r.MAC, Interface: r.Interface, Age: r.Age}
	}
	return out, rep
}
