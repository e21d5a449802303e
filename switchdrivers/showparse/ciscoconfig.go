package showparse

import (
	"fmt"
	"strconv"
	"strings"
)

// IOSInterfaceConfig is one interface section of `show running-config`
// (or `show running-config interface X`) on IOS, IOS-XE and EOS, which
// print the same block syntax. The fields from access_group_in to vrf
// are the reference template's; the switchport fields and shutdown are
// what cutover moves.
type IOSInterfaceConfig struct {
	Interface      string `yaml:"interface"`
	Description    string `yaml:"description"`
	AccessGroupIn  string `yaml:"access_group_in"`
	AccessGroupOut string `yaml:"access_group_out"`
	Bandwidth      string `yaml:"bandwidth"`
	MTU            string `yaml:"mtu"`
	OuterVLAN      string `yaml:"outer_vlan"`
	InnerVLAN      string `yaml:"inner_vlan"`
	InputPolicy    string `yaml:"input_policy"`
	OutputPolicy   string `yaml:"output_policy"`
	IPAddress      string `yaml:"ip_address"`
	Netmask        string `yaml:"netmask"`
	IPv6Address    string `yaml:"ipv6_address"`
	PrefixV6Length string `yaml:"prefixv6_length"`
	ProxyARP       string `yaml:"proxy_arp"`      // "no" for `no ip proxy-arp`
	UnicastSource  string `yaml:"unicast_source"` // rx or tx, from `ip verify unicast source reachable-via`
	VRF            string `yaml:"vrf"`

	// Switchport is "no" for `no switchport` (a routed port), "" else.
	Switchport string `yaml:"switchport"`
	// SwitchportMode is the mode `switchport mode` sets ("access",
	// "trunk", "dynamic auto", ...); "" when the section does not set it.
	SwitchportMode    string `yaml:"switchport_mode"`
	AccessVLAN        string `yaml:"access_vlan"`
	NativeVLAN        string `yaml:"native_vlan"`
	TrunkAllowedVLANs string `yaml:"trunk_allowed_vlans"` // "" when not restricted
	VoiceVLAN         string `yaml:"voice_vlan"`
	ChannelGroup      string `yaml:"channel_group"`
	Shutdown          bool   `yaml:"shutdown"`

	// Line is the section's first line (its `interface` line) in the text.
	Line int `yaml:"-"`
}

// ConfigVLAN is a VLAN a configuration creates (`vlan 10`, `vlan
// 66,166,266`), with the name its section gives.
type ConfigVLAN struct {
	ID   string
	Name string
	Line int // the `vlan` line
}

// ConfigLine is a line of a configuration that cutover does not read: it
// holds nothing cutover uses (spanning tree, AAA, routing, ...). It is
// not an error; a caller that must account for every line (a test of a
// shipped configuration) can see them.
type ConfigLine struct {
	Line int
	Text string
}

// IOSConfig is what cutover reads from an IOS or EOS configuration.
type IOSConfig struct {
	Interfaces []IOSInterfaceConfig
	VLANs      []ConfigVLAN
	Unread     []ConfigLine
	End        int // the line of `end` (0 if none): what follows is not configuration
}

// CmdRunningConfig is `show running-config` (and `show running-config
// interface X`, `show startup-config`).
const CmdRunningConfig = "show running-config"

// IOSRunningConfig reads an IOS or IOS-XE configuration.
func IOSRunningConfig(text string) (IOSConfig, Report) { return runningConfig(text) }

// EOSRunningConfig reads an EOS configuration (the same block syntax).
func EOSRunningConfig(text string) (IOSConfig, Report) { return runningConfig(text) }

// IOSRunningConfigInterfaces is the interface sections of a
// configuration (the records the reference template extracts).
func IOSRunningConfigInterfaces(text string) ([]IOSInterfaceConfig, Report) {
	c, rep := runningConfig(text)
	return c.Interfaces, rep
}

// runningConfig reads the interface and VLAN sections of a
// configuration: a section starts with an unindented `interface X` or
// `vlan LIST` line and goes on over the indented lines under it; `!`
// lines are comments, `end` ends the configuration. A line of a kind
// cutover reads whose value it cannot read (`switchport access vlan
// 5000`, `vlan 10,abc`, `interface` without a name) is a warning; lines
// of other kinds are Unread.
func runningConfig(text string) (IOSConfig, Report) {
	rep := Report{Command: CmdRunningConfig, Line: 1}
	var c IOSConfig
	var iface *IOSInterfaceConfig
	var vlans []int // indexes in c.VLANs of the current vlan section
	ended := false
	for i, raw := range textLines(text) {
		l := strings.TrimSpace(raw)
		if l == "" || strings.HasPrefix(l, "!") || isPrompt(l) || exemptLine(l) {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		if ended {
			c.Unread = append(c.Unread, ConfigLine{i + 1, raw})
			continue
		}
		if !indented {
			iface, vlans = nil, nil
		}
		f := strings.Fields(l)
		switch {
		case !indented && l == "end":
			ended, c.End = true, i+1
		case !indented && (strings.HasPrefix(l, "Building configuration") || strings.HasPrefix(l, "Current configuration") || strings.HasPrefix(l, "Last configuration change") || strings.HasPrefix(l, "NVRAM config last updated")):
			// the header IOS prints before the configuration
		case !indented && f[0] == "interface":
			if len(f) != 2 || !isInterfaceName(f[1]) {
				rep.warn(i+1, raw, fmt.Sprintf("%q is not an interface name", strings.Join(f[1:], " ")))
				continue
			}
			c.Interfaces = append(c.Interfaces, IOSInterfaceConfig{Interface: f[1], Line: i + 1})
			iface = &c.Interfaces[len(c.Interfaces)-1]
			rep.Read++
			rep.Sections++
		case !indented && f[0] == "vlan" && len(f) == 2 && f[1] != "internal" && f[1] != "configuration":
			ids, err := vlanList(f[1])
			if err != nil {
				rep.warn(i+1, raw, err.Error())
				continue
			}
			for _, id := range ids {
				vlans = append(vlans, len(c.VLANs))
				c.VLANs = append(c.VLANs, ConfigVLAN{ID: strconv.Itoa(id), Line: i + 1})
			}
			rep.Read++
			rep.Sections++
		case indented && iface != nil:
			read, err := iface.line(f, l)
			if err != nil {
				rep.warn(i+1, raw, fmt.Sprintf("interface %s: %v", iface.Interface, err))
			} else if !read {
				c.Unread = append(c.Unread, ConfigLine{i + 1, raw})
			}
		case indented && vlans != nil && f[0] == "name" && len(f) >= 2:
			for _, k := range vlans {
				c.VLANs[k].Name = strings.TrimSpace(strings.TrimPrefix(l, "name"))
			}
		default:
			c.Unread = append(c.Unread, ConfigLine{i + 1, raw})
		}
	}
	return c, rep
}

// line reads one line of an interface section (its words f, trimmed
// text l); it reports whether it is a line cutover reads.
func (c *IOSInterfaceConfig) line(f []string, l string) (bool, error) {
	rest := func(n int) string { // the text after the first n words, blanks kept
		s := l
		for k := 0; k < n; k++ {
			s = strings.TrimLeft(s, " \t")
			s = s[len(f[k]):]
		}
		return strings.TrimSpace(s)
	}
	vlan := func(s string) (string, error) {
		if !isVLANID(s) {
			return "", fmt.Errorf("%q is not a VLAN ID from 1 to 4094", s)
		}
		return s, nil
	}
	var err error
	switch {
	case f[0] == "description" && len(f) > 1:
		c.Description = rest(1)
	case l == "shutdown":
		c.Shutdown = true
	case l == "no shutdown":
		c.Shutdown = false
	case l == "no switchport":
		c.Switchport = "no"
	case l == "switchport":
		c.Switchport = ""
	case len(f) >= 3 && f[0] == "switchport" && f[1] == "mode":
		c.SwitchportMode = rest(2)
	case len(f) == 4 && f[0] == "switchport" && f[1] == "access" && f[2] == "vlan":
		c.AccessVLAN, err = vlan(f[3])
	case len(f) == 5 && f[0] == "switchport" && f[1] == "trunk" && f[2] == "native" && f[3] == "vlan":
		c.NativeVLAN, err = vlan(f[4])
	case len(f) >= 5 && f[0] == "switchport" && f[1] == "trunk" && f[2] == "allowed" && f[3] == "vlan":
		c.TrunkAllowedVLANs, err = allowedVLANs(c.TrunkAllowedVLANs, f[4:])
	case len(f) == 4 && f[0] == "switchport" && f[1] == "voice" && f[2] == "vlan":
		c.VoiceVLAN = f[3]
	case f[0] == "channel-group" && len(f) >= 2:
		c.ChannelGroup = f[1]
	case f[0] == "bandwidth" && len(f) == 2:
		c.Bandwidth = f[1]
	case f[0] == "mtu" && len(f) == 2:
		c.MTU = f[1]
	case len(f) >= 3 && f[0] == "encapsulation" && strings.EqualFold(f[1], "dot1q"):
		c.OuterVLAN = f[2]
		if len(f) >= 5 && f[3] == "second-dot1q" {
			c.InnerVLAN = f[4]
		}
	case len(f) == 2 && f[0] == "vrf": // EOS
		c.VRF = f[1]
	case len(f) == 3 && f[0] == "vrf" && f[1] == "forwarding":
		c.VRF = f[2]
	case len(f) == 4 && f[0] == "ip" && f[1] == "vrf" && f[2] == "forwarding":
		c.VRF = f[3]
	case len(f) >= 3 && f[0] == "ip" && f[1] == "address" && f[2] != "dhcp":
		if len(f) > 3 && f[len(f)-1] == "secondary" {
			return false, nil // a secondary address: the template keeps the primary
		}
		addr, mask, ok := strings.Cut(f[2], "/")
		if !ok && len(f) >= 4 {
			mask = f[3]
		}
		if !isAddr(addr) {
			return false, fmt.Errorf("%q is not an IP address", addr)
		}
		c.IPAddress, c.Netmask = addr, mask
	case len(f) >= 3 && f[0] == "ipv6" && f[1] == "address" && strings.Contains(f[2], "/"):
		c.IPv6Address, c.PrefixV6Length, _ = strings.Cut(f[2], "/")
	case l == "no ip proxy-arp":
		c.ProxyARP = "no"
	case l == "ip proxy-arp":
		c.ProxyARP = "yes"
	case len(f) >= 6 && strings.Join(f[:5], " ") == "ip verify unicast source reachable-via":
		c.UnicastSource = f[5]
	case len(f) == 4 && f[0] == "ip" && f[1] == "access-group" && (f[3] == "in" || f[3] == "out"):
		if f[3] == "in" {
			c.AccessGroupIn = f[2]
		} else {
			c.AccessGroupOut = f[2]
		}
	case len(f) == 3 && f[0] == "service-policy" && (f[1] == "input" || f[1] == "output"):
		if f[1] == "input" {
			c.InputPolicy = f[2]
		} else {
			c.OutputPolicy = f[2]
		}
	default:
		return false, nil
	}
	return err == nil, err
}

// allowedVLANs applies `switchport trunk allowed vlan [add|remove|except|
// all|none] LIST` to the list so far.
func allowedVLANs(cur string, args []string) (string, error) {
	switch args[0] {
	case "all":
		return "", nil
	case "none":
		return "none", nil
	case "add":
		if len(args) != 2 {
			break
		}
		if _, err := vlanList(args[1]); err != nil {
			return cur, err
		}
		if cur == "" || cur == "none" {
			return args[1], nil
		}
		return cur + "," + args[1], nil
	case "remove", "except":
		if len(args) != 2 {
			break
		}
		if _, err := vlanList(args[1]); err != nil {
			return cur, err
		}
		return cur + " " + args[0] + " " + args[1], nil
	default:
		if len(args) != 1 {
			break
		}
		if _, err := vlanList(args[0]); err != nil {
			return cur, err
		}
		return args[0], nil
	}
	return cur, fmt.Errorf("%q is not an allowed VLAN list", strings.Join(args, " "))
}

// vlanList reads "66,166,266" or "10-20,30" into VLAN IDs, each 1-4094.
func vlanList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		if !isVLANID(lo) || !isVLANID(hi) {
			return nil, fmt.Errorf("%q is not a VLAN ID from 1 to 4094", part)
		}
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		if a > b {
			return nil, fmt.Errorf("%q is not a VLAN range", part)
		}
		for v := a; v <= b; v++ {
			out = append(out, v)
		}
	}
	return out, nil
}

// configMode is the mode an interface section sets, as the common Port
// says it: "routed" for `no switchport` or an interface with an IP
// address, VRF or 802.1Q encapsulation (a router's); "access" and "trunk"
// as `switchport mode` says; else, on EOS (whose switchports are access
// ports unless configured otherwise) "access", on IOS "" (DTP decides).
func (c IOSInterfaceConfig) configMode(eos bool) string {
	switch {
	case c.Switchport == "no", c.IPAddress != "" || c.VRF != "" || c.OuterVLAN != "":
		return "routed"
	case c.SwitchportMode == "access", c.SwitchportMode == "trunk":
		return c.SwitchportMode
	case c.SwitchportMode == "" && eos:
		return "access"
	}
	return ""
}
