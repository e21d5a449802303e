package showparse

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Commands a platform's import understands.
const (
	CmdInterfacesStatus     = "show interfaces status"
	CmdInterfacesSwitchport = "show interfaces switchport"
	CmdVLAN                 = "show vlan"
	CmdMACTable             = "show mac address-table"
	CmdARP                  = "show ip arp"
)

// Platforms lists the platforms Import parses.
var Platforms = []string{"arista_eos", "aruba_aoscx", "aruba_os", "brocade_fastiron", "cisco_ios", "cisco_nxos", "cisco_s300", "dell_force10", "dell_powerconnect", "extreme_exos", "hp_comware", "hp_procurve", "huawei_vrp", "juniper_junos", "mikrotik_routeros", "ruckus_fastiron", "ubiquiti_edgeswitch"}

// Junos commands import understands.
const (
	CmdJunosSwitchingInterfaces = "show ethernet-switching interfaces"
	CmdJunosVLANs               = "show vlans"
	CmdJunosARP                 = "show arp"
)

// Section is one command's output within a file.
type Section struct {
	Command string
	Text    string
	Line    int // first line of the output in its file
}

var promptLine = regexp.MustCompile(`^[\w.\-@/:]{1,63}[#>]\s*(sh(?:ow)?\s.+)$`)

// Split cuts a saved session or show-tech into sections at prompt lines
// ("sw1#show vlan"); text without prompts is one section of unknown command.
func Split(text string) []Section {
	var out []Section
	cur := Section{Line: 1}
	var buf []string
	flush := func() {
		if strings.TrimSpace(strings.Join(buf, "")) != "" || cur.Command != "" {
			cur.Text = strings.Join(buf, "\n")
			out = append(out, cur)
		}
	}
	for i, l := range lines(text) {
		if m := promptLine.FindStringSubmatch(l); m != nil {
			flush()
			cur, buf = Section{Command: canonical(m[1]), Line: i + 2}, nil
			continue
		}
		buf = append(buf, l)
	}
	flush()
	return out
}

// canonical expands the usual abbreviations of a show command.
func canonical(cmd string) string {
	f := strings.Fields(strings.ToLower(cmd))
	long := map[string]string{"sh": "show", "int": "interfaces", "stat": "status", "switchp": "switchport", "mac-address-table": "mac address-table", "add": "address-table"}
	for i, w := range f {
		if l, ok := long[w]; ok {
			f[i] = l
		}
	}
	s := strings.Join(f, " ")
	switch {
	case strings.HasPrefix(s, "show interfaces status"), strings.HasPrefix(s, "show interface status"):
		return CmdInterfacesStatus
	case strings.HasPrefix(s, "show interfaces switchport"), strings.HasPrefix(s, "show interface switchport"):
		return CmdInterfacesSwitchport
	case strings.HasPrefix(s, "show vlan"):
		return CmdVLAN
	case strings.HasPrefix(s, "show mac"):
		return CmdMACTable
	case s == "show arp" || strings.HasPrefix(s, "show ip arp"):
		return CmdARP
	}
	return s
}

// Detect guesses the command from the output itself.
func Detect(text string) string {
	for _, l := range lines(text) {
		switch {
		case strings.HasPrefix(l, "Port") && strings.Contains(l, "Status") && strings.Contains(l, "Vlan") && strings.Contains(l, "Duplex"):
			return CmdInterfacesStatus
		case strings.HasPrefix(l, "Name: ") && strings.Contains(text, "Switchport:"):
			return CmdInterfacesSwitchport
		case vlanHeader.MatchString(l) && strings.Contains(l, "Status"):
			return CmdVLAN
		case (strings.HasPrefix(l, "Protocol") || strings.HasPrefix(l, "Address")) && strings.Contains(l, "Hardware"):
			return CmdARP
		case strings.Contains(strings.ToLower(l), "mac address") || strings.Contains(l, "Destination Address"):
			return CmdMACTable
		}
	}
	return ""
}

// detector names the command whose output has a line matching it.
type detector struct {
	command string
	match   func(line string) bool
}

// detect returns the command of the first line some detector matches
// (detectors in order of priority per line), or "".
func detect(text string, ds []detector) string {
	for _, l := range lines(text) {
		for _, d := range ds {
			if d.match(l) {
				return d.command
			}
		}
	}
	return ""
}

// importJunos parses one section of Junos output into r.
func importJunos(command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{CmdJunosSwitchingInterfaces, func(l string) bool { return strings.HasPrefix(l, "Interface") && strings.Contains(l, "VLAN members") }},
			{CmdJunosVLANs, func(l string) bool {
				return strings.HasPrefix(l, "Routing instance") && strings.Contains(l, "VLAN name")
			}},
			{CmdJunosARP, func(l string) bool { return strings.HasPrefix(l, "MAC Address") && strings.Contains(l, "Interface") }},
		})
	}
	f := strings.Fields(strings.ToLower(command))
	switch {
	case len(f) >= 3 && f[0] == "show" && strings.HasPrefix(f[1], "ethernet-switching") && strings.HasPrefix(f[2], "interface"):
		rows, err := JunosEthernetSwitchingInterfaces(text)
		for _, row := range rows {
			name, _, _ := strings.Cut(row.Interface, ".")
			p := Port{Name: name, Mode: "access", Status: row.Status}
			for _, t := range row.Tagging {
				if t == "tagged" {
					p.Mode = "trunk"
				}
			}
			if p.Mode == "access" && len(row.VLANID) == 1 {
				p.VLAN = row.VLANID[0]
			}
			mergePort(r, p)
		}
		return err
	case len(f) >= 2 && f[0] == "show" && strings.HasPrefix(f[1], "vlan"):
		rows, err := JunosShowVLANs(text)
		for _, row := range rows {
			var ports []string
			for _, i := range row.Interfaces {
				name, _, _ := strings.Cut(strings.TrimSuffix(i, "*"), ".")
				ports = append(ports, name)
			}
			r.VLANs = append(r.VLANs, VLAN{ID: row.Tag, Name: row.Name, Ports: ports})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && f[1] == "arp":
		rows, err := JunosARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Interface)
		}
		return err
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for juniper_junos (known: %s, %s, %s)", command, CmdJunosSwitchingInterfaces, CmdJunosVLANs, CmdJunosARP)
}

// importAOSCX parses one section of AOS-CX output into r.
func importAOSCX(command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{"show interface", func(l string) bool {
				return strings.HasPrefix(l, "Interface ") && (strings.HasSuffix(l, " is up") || strings.HasSuffix(l, " is down"))
			}},
			{"show vlan", func(l string) bool { return strings.HasPrefix(l, "VLAN ") && strings.Contains(l, "Interfaces") }},
			{"show mac-address-table", func(l string) bool { return strings.HasPrefix(l, "MAC Address") && strings.Contains(l, "Port") }},
			{"show arp", func(l string) bool { return strings.HasPrefix(l, "IPv4 Address") && strings.Contains(l, "MAC") }},
		})
	}
	f := strings.Fields(strings.ToLower(command))
	switch {
	case len(f) >= 2 && f[0] == "show" && strings.HasPrefix(f[1], "int"):
		rows, err := AOSCXShowInterface(text)
		for _, row := range rows {
			p := Port{Name: row.Interface, Status: row.LinkStatus, Description: row.Description}
			switch row.VLANMode {
			case "access":
				p.Mode, p.VLAN = "access", row.VLANAccess
			case "":
				p.Mode = "routed"
			default:
				p.Mode, p.VLAN = "trunk", row.VLANNative
			}
			mergePort(r, p)
		}
		return err
	case len(f) >= 2 && f[0] == "show" && f[1] == "vlan":
		rows, err := AOSCXShowVLAN(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status, Ports: row.Interfaces})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && strings.HasPrefix(f[1], "mac"):
		rows, err := AOSCXMACTable(text)
		for _, row := range rows {
			r.addMAC(row.MAC, row.VLAN, []string{row.Port})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && f[1] == "arp":
		rows, err := AOSCXARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Port)
		}
		return err
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for aruba_aoscx (known: show interface, show vlan, show mac-address-table, show arp)", command)
}

// importProCurve parses one section of HP ProCurve / ArubaOS-Switch output into r.
func importProCurve(command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{"show interfaces status", func(l string) bool { return strings.Contains(l, "Config-mode") && strings.Contains(l, "Untagged") }},
			{"show interfaces brief", func(l string) bool {
				return strings.Contains(l, "Intrusion") || (strings.Contains(l, "Enabled Status") && strings.Contains(l, "Port"))
			}},
			{"show vlans", func(l string) bool { return strings.Contains(l, "VLAN ID") && strings.Contains(l, "Name") }},
			{"show mac-address", func(l string) bool {
				return strings.HasPrefix(strings.TrimSpace(l), "MAC Address") && strings.Contains(l, "VLAN")
			}},
			{"show arp", func(l string) bool {
				return strings.HasPrefix(strings.TrimSpace(l), "IP Address") && strings.Contains(l, "MAC Address")
			}},
		})
	}
	f := strings.Fields(strings.ToLower(command))
	isNum := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	switch {
	case len(f) >= 3 && f[0] == "show" && strings.HasPrefix(f[1], "int") && f[2] == "status":
		rows, err := ProCurveInterfacesStatus(text)
		for _, row := range rows {
			p := Port{Name: row.Port, Status: row.Status, Description: row.Name}
			switch {
			case row.VLANTagged != "No" && row.VLANTagged != "":
				p.Mode = "trunk"
				if isNum(row.VLANUntagged) {
					p.VLAN = row.VLANUntagged
				}
			case isNum(row.VLANUntagged):
				p.Mode, p.VLAN = "access", row.VLANUntagged
			}
			mergePort(r, p)
		}
		return err
	case len(f) >= 3 && f[0] == "show" && strings.HasPrefix(f[1], "int") && f[2] == "brief":
		rows, err := ProCurveInterfacesBrief(text)
		for _, row := range rows {
			mergePort(r, Port{Name: row.Port, Status: row.Status})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && strings.HasPrefix(f[1], "vlan"):
		rows, err := ProCurveShowVLANs(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && strings.HasPrefix(f[1], "mac"):
		rows, err := ProCurveMACTable(text)
		for _, row := range rows {
			r.addMAC(row.MAC, row.VLAN, []string{row.Port})
		}
		return err
	case len(f) >= 2 && f[0] == "show" && f[1] == "arp":
		rows, err := ProCurveARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Port)
		}
		return err
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for hp_procurve (known: show interfaces status, show interfaces brief, show vlans, show mac-address, show arp)", command)
}

// importHuawei parses one section of Huawei VRP output into r.
func importHuawei(command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{"display port vlan", func(l string) bool {
				return strings.HasPrefix(l, "Port") && strings.Contains(l, "Link Type") && strings.Contains(l, "PVID")
			}},
			{"display interface brief", func(l string) bool {
				return strings.HasPrefix(l, "Interface") && strings.Contains(l, "PHY") && strings.Contains(l, "Protocol")
			}},
			{"display arp all", func(l string) bool { return strings.HasPrefix(l, "IP ADDRESS") && strings.Contains(l, "MAC ADDRESS") }},
		})
	}
	f := strings.Fields(strings.ToLower(command))
	switch {
	case len(f) >= 3 && f[0] == "display" && f[1] == "port" && f[2] == "vlan":
		rows, err := HuaweiDisplayPortVLAN(text)
		for _, row := range rows {
			p := Port{Name: row.Interface, VLAN: row.PVID}
			switch row.LinkType {
			case "access":
				p.Mode = "access"
			case "":
				p.VLAN = "" // an Eth-Trunk member: its trunk carries the VLANs
			default:
				p.Mode = "trunk"
			}
			mergePort(r, p)
		}
		return err
	case len(f) >= 3 && f[0] == "display" && strings.HasPrefix(f[1], "int") && f[2] == "brief":
		rows, err := HuaweiDisplayInterfaceBrief(text)
		for _, row := range rows {
			name, _, _ := strings.Cut(row.Interface, "(")
			mergePort(r, Port{Name: name, Status: row.PHY})
		}
		return err
	case len(f) >= 2 && f[0] == "display" && f[1] == "arp":
		rows, err := HuaweiARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Interface)
		}
		return err
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for huawei_vrp (known: display port vlan, display interface brief, display arp all)", command)
}

// importComware parses one section of HPE/H3C Comware output into r.
func importComware(command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{"display interface brief", func(l string) bool {
				return strings.HasPrefix(l, "Interface") && (strings.Contains(l, "PVID") || strings.Contains(l, "Protocol"))
			}},
			{"display mac-address", func(l string) bool { return strings.HasPrefix(l, "MAC ADDR") && strings.Contains(l, "VLAN") }},
			{"display arp", func(l string) bool { return strings.HasPrefix(l, "IP address") && strings.Contains(l, "MAC address") }},
		})
	}
	f := strings.Fields(strings.ToLower(command))
	switch {
	case len(f) >= 3 && f[0] == "display" && strings.HasPrefix(f[1], "int") && f[2] == "brief":
		rows, err := ComwareDisplayInterfaceBrief(text)
		for _, row := range rows {
			p := Port{Name: row.Interface, Status: row.Link, Description: strings.TrimSpace(row.Description)}
			switch row.Type {
			case "A":
				p.Mode, p.VLAN = "access", row.VLANID
			case "T", "H":
				p.Mode, p.VLAN = "trunk", row.VLANID
			case "":
				p.Mode = "routed"
			}
			if p.Description == "--" {
				p.Description = ""
			}
			mergePort(r, p)
		}
		return err
	case len(f) >= 2 && f[0] == "display" && strings.HasPrefix(f[1], "mac"):
		rows, err := ComwareMACTable(text)
		for _, row := range rows {
			r.addMAC(row.MAC, row.VLAN, []string{row.Interface})
		}
		return err
	case len(f) >= 2 && f[0] == "display" && f[1] == "arp":
		rows, err := ComwareARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Interface)
		}
		return err
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for hp_comware (known: display interface brief, display mac-address, display arp)", command)
}

// importSMB parses the tables import knows of Cisco SG300, Dell
// PowerConnect and Force10, and Ubiquiti EdgeSwitch (ports with their
// link state, MAC tables, VLAN lists).
func importSMB(platform, command, text string, r *Result) error {
	known := map[string][]string{
		"cisco_s300":          {"show interfaces status", "show mac address-table"},
		"dell_powerconnect":   {"show interfaces status"},
		"ubiquiti_edgeswitch": {"show vlan"},
		"dell_force10":        {"show vlan brief"},
	}[platform]
	if command == "" {
		command = detect(text, []detector{
			{"show interfaces status", func(l string) bool {
				return strings.HasPrefix(l, "Port") && strings.Contains(l, "Duplex") && strings.Contains(l, "Neg")
			}},
			{"show mac address-table", func(l string) bool { return strings.Contains(l, "Mac Address") && strings.Contains(l, "Port") }},
			{"show vlan", func(l string) bool { return strings.HasPrefix(l, "VLAN ID") && strings.Contains(l, "VLAN Name") }},
			{"show vlan brief", func(l string) bool { return strings.HasPrefix(l, "VLAN") && strings.Contains(l, "STG") }},
		})
	}
	c := strings.Join(strings.Fields(strings.ToLower(command)), " ")
	if c == "show interface status" || c == "show int status" {
		c = "show interfaces status"
	}
	switch {
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	case !slices.Contains(known, c):
		return fmt.Errorf("command %q is not understood for %s (known: %s)", command, platform, strings.Join(known, ", "))
	case c == "show interfaces status":
		rows, err := SMBInterfacesStatus(text)
		for _, row := range rows {
			mergePort(r, Port{Name: row.Port, Status: row.LinkState})
		}
		return err
	case c == "show mac address-table":
		rows, err := SMBMACTable(text)
		for _, row := range rows {
			if row.Port != "0" { // the switch's own address
				r.addMAC(row.MAC, row.VLAN, []string{row.Port})
			}
		}
		return err
	case c == "show vlan":
		rows, err := EdgeSwitchShowVLAN(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
		}
		return err
	default: // show vlan brief
		rows, err := Force10ShowVLANBrief(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
		}
		return err
	}
}

// importOther parses the one or two tables import knows of FastIron,
// EXOS, RouterOS and ArubaOS.
func importOther(platform, command, text string, r *Result) error {
	if command == "" {
		command = detect(text, []detector{
			{"show interfaces brief", func(l string) bool {
				return strings.HasPrefix(l, "Port") && strings.Contains(l, "Pvid") && strings.Contains(l, "Trunk")
			}},
			{"show vlan description", func(l string) bool {
				return strings.HasPrefix(l, "Name") && strings.Contains(l, "VID") && strings.Contains(l, "Description")
			}},
			{"show iparp", func(l string) bool { return strings.HasPrefix(l, "VR") && strings.Contains(l, "Destination") }},
			{"/ip arp print", func(l string) bool { return strings.Contains(l, "ADDRESS") && strings.Contains(l, "MAC-ADDRESS") }},
			{"show vlan", func(l string) bool { return strings.Contains(l, "VLAN ID") && strings.Contains(l, "Status") }},
			{"show arp", func(l string) bool {
				return strings.Contains(l, "IP Address") && strings.Contains(l, "Hardware Address")
			}},
		})
	}
	c := strings.Join(strings.Fields(strings.TrimPrefix(strings.ToLower(command), "/")), " ")
	switch {
	case command == "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	case (platform == "brocade_fastiron" || platform == "ruckus_fastiron") && (c == "show interfaces brief" || c == "show int brief" || c == "show interface brief"):
		rows, err := FastIronInterfacesBrief(text)
		for _, row := range rows {
			p := Port{Name: row.Interface, Status: row.LinkState, Description: row.Name}
			switch {
			case row.TagOnly == "Yes":
				p.Mode = "trunk"
			case strings.Trim(row.PVID, "0123456789") == "" && row.PVID != "":
				p.Mode, p.VLAN = "access", row.PVID
			}
			if p.Mode == "trunk" && strings.Trim(row.PVID, "0123456789") == "" {
				p.VLAN = row.PVID
			}
			mergePort(r, p)
		}
		return err
	case platform == "extreme_exos" && c == "show vlan description":
		rows, err := EXOSShowVLANDescription(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name})
		}
		return err
	case platform == "extreme_exos" && c == "show iparp":
		rows, err := EXOSIPARP(text)
		for _, row := range rows {
			r.addARP(row.Destination, row.MAC, row.Port)
		}
		return err
	case platform == "aruba_os" && c == "show vlan":
		rows, err := ArubaOSShowVLAN(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.ID, Name: row.Name, Status: row.Status})
		}
		return err
	case platform == "aruba_os" && c == "show arp":
		rows, err := ArubaOSARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Interface)
		}
		return err
	case platform == "mikrotik_routeros" && (c == "ip arp print" || c == "ip arp print detail"):
		rows, err := MikroTikARPTable(text)
		for _, row := range rows {
			if row.MAC != "" {
				r.addARP(row.IP, row.MAC, row.Interface)
			}
		}
		return err
	}
	known := map[string]string{"brocade_fastiron": "show interfaces brief", "ruckus_fastiron": "show interfaces brief",
		"extreme_exos": "show vlan description, show iparp", "mikrotik_routeros": "/ip arp print", "aruba_os": "show vlan, show arp"}[platform]
	return fmt.Errorf("command %q is not understood for %s (known: %s)", command, platform, known)
}

// Import parses one section of platform output into r.
func Import(platform, command, text string, r *Result) error {
	switch platform {
	case "brocade_fastiron", "ruckus_fastiron", "extreme_exos", "mikrotik_routeros", "aruba_os":
		return importOther(platform, command, text, r)
	case "cisco_s300", "dell_powerconnect", "ubiquiti_edgeswitch", "dell_force10":
		return importSMB(platform, command, text, r)
	case "hp_comware":
		return importComware(command, text, r)
	case "huawei_vrp":
		return importHuawei(command, text, r)
	case "hp_procurve":
		return importProCurve(command, text, r)
	case "juniper_junos":
		return importJunos(command, text, r)
	case "aruba_aoscx":
		return importAOSCX(command, text, r)
	}
	eos, nxos := platform == "arista_eos", platform == "cisco_nxos"
	if platform != "cisco_ios" && platform != "cisco_iosxe" && !eos && !nxos {
		return fmt.Errorf("platform %s: import is not implemented yet (supported: %s)", platform, strings.Join(Platforms, ", "))
	}
	if command == "" {
		command = Detect(text)
	}
	if eos {
		switch canonical(command) {
		case CmdMACTable:
			rows, err := EOSMACTable(text)
			for _, row := range rows {
				r.addMAC(row.Address, row.VLANID, row.Ports)
			}
			return err
		case CmdARP:
			rows, err := EOSARPTable(text)
			for _, row := range rows {
				r.addARP(row.IP, row.MAC, row.Interface)
			}
			return err
		}
		// Interfaces, switchport and VLAN tables share IOS's layouts.
	}
	if nxos {
		switch canonical(command) {
		case CmdInterfacesSwitchport:
			rows, err := NXOSInterfaceSwitchport(text)
			for _, row := range rows {
				p := Port{Name: row.Interface, Mode: row.Mode}
				switch row.Mode {
				case "access":
					p.VLAN = row.AccessVLAN
				case "trunk":
					p.VLAN = row.NativeVLAN
				}
				mergePort(r, p)
			}
			return err
		case CmdMACTable:
			rows, err := NXOSMACTable(text)
			for _, row := range rows {
				r.addMAC(row.Address, row.VLANID, splitPorts(row.Ports))
			}
			return err
		case CmdARP:
			rows, err := NXOSARPTable(text)
			for _, row := range rows {
				r.addARP(row.IP, row.MAC, row.Interface)
			}
			return err
		}
		// The status and VLAN tables share IOS's layouts.
	}
	switch canonical(command) {
	case CmdInterfacesStatus:
		rows, err := IOSInterfacesStatus(text)
		for _, row := range rows {
			mergePort(r, Port{Name: row.Port, Mode: modeFromVLAN(row.VLANID), VLAN: vlanValue(row.VLANID), Status: row.Status, Description: row.Name})
		}
		return err
	case CmdInterfacesSwitchport:
		rows, err := IOSInterfacesSwitchport(text)
		for _, row := range rows {
			p := Port{Name: row.Interface, Mode: switchportMode(row)}
			switch p.Mode {
			case "access":
				p.VLAN = row.AccessVLAN
			case "trunk":
				p.VLAN = row.NativeVLAN
			}
			mergePort(r, p)
		}
		return err
	case CmdVLAN:
		rows, err := IOSShowVLAN(text)
		for _, row := range rows {
			r.VLANs = append(r.VLANs, VLAN{ID: row.VLANID, Name: row.Name, Status: row.Status, Ports: row.Interfaces})
		}
		return err
	case CmdMACTable:
		rows, err := IOSMACTable(text)
		for _, row := range rows {
			r.addMAC(row.Address, row.VLANID, row.Ports)
		}
		return err
	case CmdARP:
		rows, err := IOSARPTable(text)
		for _, row := range rows {
			r.addARP(row.IP, row.MAC, row.Interface)
		}
		return err
	case "":
		return fmt.Errorf("cannot tell which command produced this output; give --command")
	}
	return fmt.Errorf("command %q is not understood for %s (known: %s)", command, platform,
		strings.Join([]string{CmdInterfacesStatus, CmdInterfacesSwitchport, CmdVLAN, CmdMACTable, CmdARP}, ", "))
}

func (r *Result) addMAC(addr, vlan string, ports []string) {
	port := ""
	if len(ports) > 0 {
		port = ports[0]
	}
	r.MACs = append(r.MACs, MAC{MAC: NormaliseMAC(addr), VLAN: vlan, Port: port})
}

func (r *Result) addARP(ip, mac, iface string) {
	r.ARP = append(r.ARP, ARP{IP: ip, MAC: NormaliseMAC(mac), Interface: iface})
}

func modeFromVLAN(v string) string {
	switch {
	case v == "trunk":
		return "trunk"
	case v == "routed":
		return "routed"
	case v != "" && strings.Trim(v, "0123456789") == "":
		return "access"
	}
	return ""
}

func vlanValue(v string) string {
	if modeFromVLAN(v) == "access" {
		return v
	}
	return ""
}

func switchportMode(s IOSSwitchport) string {
	m := s.Mode
	if m == "" || m == "down" {
		m = s.AdminMode
	}
	switch {
	case strings.Contains(m, "trunk"):
		return "trunk"
	case strings.Contains(m, "access"):
		return "access"
	case s.Switchport == "Disabled":
		return "routed"
	}
	return ""
}

// mergePort adds p, filling in an existing record of the same port.
func mergePort(r *Result, p Port) {
	for i := range r.Ports {
		q := &r.Ports[i]
		if q.Name != p.Name {
			continue
		}
		if p.Mode != "" {
			q.Mode = p.Mode
		}
		if p.VLAN != "" {
			q.VLAN = p.VLAN
		}
		if q.Status == "" {
			q.Status = p.Status
		}
		if q.Description == "" {
			q.Description = p.Description
		}
		return
	}
	r.Ports = append(r.Ports, p)
}
