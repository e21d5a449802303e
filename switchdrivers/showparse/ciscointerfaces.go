package showparse

import (
	"regexp"
	"strings"
)

// CiscoInterface is one interface of IOS `show interfaces` or NX-OS
// `show interface`: the state, hardware and addresses their blocks
// print. Field names follow the reference template (ntc's
// cisco_ios_show_interfaces); admin_state and port_mode are NX-OS's.
type CiscoInterface struct {
	Interface string `yaml:"interface"`
	// LinkStatus is what follows "is" on the block's first line: "up",
	// "down", "administratively down", "reset", "deleted"; NX-OS adds the
	// reason in parentheses ("down (Link not connected)").
	LinkStatus     string `yaml:"link_status"`
	ProtocolStatus string `yaml:"protocol_status"` // "up", "down", "" where the device prints none (NX-OS ports)
	AdminState     string `yaml:"admin_state"`     // NX-OS "admin state is up": "up", "down", "" where not printed
	HardwareType   string `yaml:"hardware_type"`
	MACAddress     string `yaml:"mac_address"`
	BIA            string `yaml:"bia"`
	Description    string `yaml:"description"`
	IPAddress      string `yaml:"ip_address"`
	PrefixLength   string `yaml:"prefix_length"`
	MTU            string `yaml:"mtu"`
	Bandwidth      string `yaml:"bandwidth"` // as printed: "1000000 Kbit"
	Duplex         string `yaml:"duplex"`
	Speed          string `yaml:"speed"`
	PortMode       string `yaml:"port_mode"` // NX-OS "Port mode is trunk"
}

// CmdInterfaces is IOS's `show interfaces` (NX-OS: `show interface`).
const CmdInterfaces = "show interfaces"

var (
	ifAddr = regexp.MustCompile(`^Internet [Aa]ddress is (\S+?)/(\d+)`)
	// ifStates are the states IOS and NX-OS print after "NAME is".
	ifStates = []string{"administratively down", "up", "down", "reset", "deleted", "testing", "dormant", "not present", "lower layer down"}
)

// ifStart reads an interface's first line: "GigabitEthernet1 is up, line
// protocol is up (connected)", "Control Plane Interface is down, line
// protocol is down", "Ethernet1/1 is down (Link not connected)", "mgmt0
// is up": the name, the state (with NX-OS's reason in parentheses) and
// the line protocol's ("" where not printed).
func ifStart(l string) (name, state, protocol string, ok bool) {
	i := strings.Index(l, " is ")
	if i < 1 {
		return "", "", "", false
	}
	name, rest := l[:i], l[i+len(" is "):]
	for _, s := range ifStates {
		if strings.HasPrefix(rest, s) && (len(rest) == len(s) || rest[len(s)] == ',' || rest[len(s)] == ' ') {
			state, rest = s, rest[len(s):]
			break
		}
	}
	if state == "" {
		return "", "", "", false
	}
	if strings.HasPrefix(rest, " (") {
		if j := strings.IndexByte(rest, ')'); j > 0 {
			state, rest = state+rest[:j+1], rest[j+1:]
		}
	}
	if p, ok := strings.CutPrefix(rest, ", line protocol is "); ok {
		end := strings.IndexFunc(p, func(r rune) bool { return r < 'a' || r > 'z' })
		if end < 0 {
			end = len(p)
		}
		protocol = p[:end]
	}
	return name, state, protocol, true
}

// CiscoShowInterfaces parses IOS `show interfaces` and NX-OS `show
// interface`. A block starts with an unindented "NAME is STATE" line;
// NX-OS prints "admin state is ..." unindented as its second line. The
// block's other lines (counters, queues, rates) are not read. An
// unindented line that starts no block, and text before the first block,
// are reported.
func CiscoShowInterfaces(text string) ([]CiscoInterface, Report) {
	rep := Report{Command: CmdInterfaces, Line: 1}
	var out []CiscoInterface
	for i, raw := range textLines(text) {
		l := strings.TrimSpace(raw)
		if l == "" {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		if len(out) > 0 && indented {
			out[len(out)-1].field(l) // most lines: no rule, prompt or timestamp is indented
			continue
		}
		if isRule(l) || exemptLine(l) || isPrompt(l) {
			continue
		}
		if !indented && !strings.HasPrefix(l, "admin state") {
			if name, state, protocol, ok := ifStart(l); ok {
				out = append(out, CiscoInterface{Interface: name, LinkStatus: state, ProtocolStatus: protocol})
				rep.Read++
				rep.Sections++
				continue
			}
		}
		if len(out) == 0 {
			rep.warn(i+1, raw, "a line before the first interface (\"NAME is up|down\")")
			continue
		}
		c := &out[len(out)-1]
		if st, ok := strings.CutPrefix(l, "admin state is "); ok && !indented {
			// "admin state is up, Dedicated Interface", "admin state is
			// up,  Hardware: NVE"
			st, more, _ := strings.Cut(st, ",")
			c.AdminState = strings.TrimSpace(st)
			if _, hw, ok := strings.Cut(more, "Hardware:"); ok {
				c.HardwareType = strings.TrimSpace(hw)
			}
			continue
		}
		if !indented {
			rep.warn(i+1, raw, "not an interface's first line (\"NAME is up|down[, line protocol is up|down]\") nor NX-OS's \"admin state is\"")
			continue
		}
		c.field(l)
	}
	return out, rep
}

// field reads one indented line of an interface's block. The lines it
// reads start with a keyword, checked before any pattern (the block's
// counters are most of its lines).
func (c *CiscoInterface) field(l string) {
	if i := strings.Index(l, "MTU "); i >= 0 && (i == 0 || l[i-1] == ' ') {
		c.mtu(l[i+len("MTU "):])
	}
	switch {
	case strings.HasPrefix(l, "Description:"):
		// NX-OS may print the MTU or the address on the same line,
		// after two blanks.
		d := strings.TrimSpace(strings.TrimPrefix(l, "Description:"))
		for _, next := range []string{"  MTU ", "  Internet "} {
			if i := strings.Index(d, next); i >= 0 {
				d = strings.TrimSpace(d[:i])
			}
		}
		c.Description = d
	case strings.HasPrefix(l, "Hardware is "), strings.HasPrefix(l, "Hardware:"):
		// "Hardware is Gigabit Ethernet, address is 0000.1111.2222 (bia
		// 0000.1111.2222)", NX-OS "Hardware: 1000/10000 Ethernet,
		// address: 002a.6a11.3e37 (bia 002a.6a11.3e37)".
		hw := strings.TrimPrefix(strings.TrimPrefix(l, "Hardware is "), "Hardware:")
		hw, addr, _ := strings.Cut(hw, ", address")
		c.HardwareType = strings.TrimSpace(hw)
		f := strings.Fields(strings.TrimPrefix(strings.TrimPrefix(addr, " is"), ":"))
		if len(f) > 0 {
			c.MACAddress = f[0]
		}
		if len(f) > 2 && f[1] == "(bia" {
			c.BIA = strings.TrimSuffix(f[2], ")")
		}
	case strings.HasPrefix(l, "Internet "):
		if m := ifAddr.FindStringSubmatch(l); m != nil {
			c.IPAddress, c.PrefixLength = m[1], m[2]
		}
	case strings.HasPrefix(l, "Port mode is "):
		c.PortMode = firstWord(strings.TrimPrefix(l, "Port mode is "))
	case len(l) > 13 && (l[4] == '-' || l[4] == ' ') && strings.EqualFold(l[5:13], "duplex, "):
		// "Full-duplex, 1000Mb/s, media type is ...", NX-OS "full-duplex,
		// 1000 Mb/s", IOS-XE "Full Duplex, 1000Mbps, link type is auto".
		for _, d := range []string{"full", "half", "auto"} {
			if strings.EqualFold(l[:4], d) {
				speed, _, _ := strings.Cut(l[13:], ",")
				c.Duplex, c.Speed = d, strings.TrimSpace(speed)
			}
		}
	}
}

// mtu reads "1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec" (the rest of
// a line after "MTU "): the MTU, and the bandwidth with its unit where
// printed.
func (c *CiscoInterface) mtu(s string) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(f) < 2 || f[1] != "bytes" || !isNumber(f[0]) {
		return
	}
	c.MTU = f[0]
	if len(f) >= 5 && f[2] == "BW" && isNumber(f[3]) {
		c.Bandwidth = f[3] + " " + f[4]
	}
}

// Enabled says whether the interface is administratively up: NX-OS's
// "admin state", else the first line ("administratively down").
func (c CiscoInterface) Enabled() bool {
	if c.AdminState != "" {
		return c.AdminState == "up"
	}
	return !strings.Contains(strings.ToLower(c.LinkStatus), "administratively down")
}

// Up says whether the interface passes traffic: its line protocol where
// printed, else its link.
func (c CiscoInterface) Up() bool {
	if c.ProtocolStatus != "" {
		return c.ProtocolStatus == "up"
	}
	return strings.HasPrefix(c.LinkStatus, "up")
}

// portStatus is the interface's status in the common form: "disabled"
// when administratively down, else up or down.
func (c CiscoInterface) portStatus() string {
	switch {
	case !c.Enabled():
		return "disabled"
	case c.Up():
		return "up"
	}
	return "down"
}
