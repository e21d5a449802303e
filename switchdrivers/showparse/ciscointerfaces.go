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
	// "GigabitEthernet1 is up, line protocol is up (connected)",
	// "Control Plane Interface is down, line protocol is down",
	// "Ethernet1/1 is down (Link not connected)", "mgmt0 is up".
	ifStart     = regexp.MustCompile(`^(\S+(?: \S+)*?) is ((?:administratively )?(?:up|down|reset|deleted|testing|dormant|not present|lower layer down)(?: \([^)]*\))?)(?:, line protocol is ([a-z]+))?(.*)$`)
	ifAdmin     = regexp.MustCompile(`^admin state is (\S+?),?(?:\s+.*)?$`)
	ifHardware  = regexp.MustCompile(`^Hardware(?: is|:)\s+(.*?)(?:,\s+address(?: is|:)\s+(\S+)(?:\s+\(bia (\S+)\))?)?\s*$`)
	ifHWInAdmin = regexp.MustCompile(`Hardware:\s+(\S+)$`)
	ifMTU       = regexp.MustCompile(`(?:^|\s)MTU (\d+) bytes(?:,\s+BW (\d+ \S+?)),?(?:\s|$)|(?:^|\s)MTU (\d+) bytes\s*$`)
	ifDesc      = regexp.MustCompile(`^Description:\s*(.*?)(?:\s{2,}(?:MTU|Internet) .*)?$`)
	ifAddr      = regexp.MustCompile(`^Internet [Aa]ddress is (\S+?)/(\d+)`)
	ifMode      = regexp.MustCompile(`^Port mode is (\S+)`)
	ifDuplex    = regexp.MustCompile(`^(?i)(full|half|auto)[- ]duplex, ([^,]+)`)
)

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
		if l == "" || isRule(l) || exemptLine(l) || isPrompt(l) {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		if !indented {
			if m := ifStart.FindStringSubmatch(l); m != nil && !strings.HasPrefix(l, "admin state") {
				out = append(out, CiscoInterface{Interface: m[1], LinkStatus: m[2], ProtocolStatus: m[3]})
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
		if m := ifAdmin.FindStringSubmatch(l); m != nil && !indented {
			c.AdminState = m[1]
			if h := ifHWInAdmin.FindStringSubmatch(l); h != nil {
				c.HardwareType = h[1]
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

// field reads one indented line of an interface's block.
func (c *CiscoInterface) field(l string) {
	if m := ifMTU.FindStringSubmatch(l); m != nil {
		if m[1] != "" {
			c.MTU, c.Bandwidth = m[1], m[2]
		} else {
			c.MTU = m[3]
		}
	}
	switch {
	case strings.HasPrefix(l, "Description:"):
		c.Description = ifDesc.FindStringSubmatch(l)[1]
	case ifHardware.MatchString(l):
		m := ifHardware.FindStringSubmatch(l)
		c.HardwareType, c.MACAddress, c.BIA = strings.TrimSpace(m[1]), m[2], m[3]
	case ifAddr.MatchString(l):
		m := ifAddr.FindStringSubmatch(l)
		c.IPAddress, c.PrefixLength = m[1], m[2]
	case ifMode.MatchString(l):
		c.PortMode = ifMode.FindStringSubmatch(l)[1]
	case ifDuplex.MatchString(l):
		m := ifDuplex.FindStringSubmatch(l)
		c.Duplex, c.Speed = strings.ToLower(m[1]), strings.TrimSpace(m[2])
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
