package showparse

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// IOSVLANs is one VLAN of IOS `show vlans`: on a router, the 802.1Q
// VLANs of its subinterfaces (and of the trunks whose native VLAN it
// is), with the addresses configured on them.
type IOSVLANs struct {
	VLANID        string   `yaml:"vlan_id"`
	Interfaces    []string `yaml:"interfaces"`
	IPAddresses   []string `yaml:"ip_addresses"`
	IPv6Addresses []string `yaml:"ipv6_addresses"`
	// InnerVLANs are the inner VLANs of the QinQ subinterfaces ("Gi0/1.1013000
	// (101/3000)").
	InnerVLANs []string `yaml:"inner_vlans"`
}

// CmdVLANs is IOS's `show vlans`, a router's 802.1Q VLANs (not `show
// vlan`, the switch's VLAN table).
const CmdVLANs = "show vlans"

// The lines of `show vlans`, as IOS 12 to IOS-XE 17 print them (two
// layouts: "VLAN ID: N" with "VLAN trunk interfaces for VLAN ID N:", and
// the older "Virtual LAN ID:  N" with "vLAN Trunk Interfaces:").
var (
	vlansStart      = regexp.MustCompile(`^(?:VLAN ID|Virtual LAN ID):\s+(\d+)(?:\s+\(.*\))?$`)
	vlansTrunkFirst = regexp.MustCompile(`^v?LAN Trunk Interfaces?:\s+(\S+)$`)
	vlansTrunkList  = regexp.MustCompile(`^VLAN trunk interfaces for VLAN ID \d+:$`)
	vlansNativeHead = regexp.MustCompile(`^This is configured as native Vlan for the following interface\(s\)\s*:$`)
	vlansNativeIf   = regexp.MustCompile(`^(\S+)(?:\s+Native-vlan Tx-type:\s+\S+)?$`)
	vlansSubif      = regexp.MustCompile(`^(\S+)\s+\((\d+)(?:/(\d+))?\)$`)
	vlansAddr       = regexp.MustCompile(`^(IP|IPv6):\s+(\S+)$`)
	vlansProtoAddr  = regexp.MustCompile(`^(IP|IPv6)\s+(\S+)(?:\s+\d+\s+\d+)?$`)
	vlansProtoHead  = regexp.MustCompile(`^Protocols Configured:(?:\s+Address:)?\s+Received:\s+Transmitted:$`)
)

// IOSShowVLANs parses IOS `show vlans`. Each VLAN starts with its "VLAN
// ID:" line; its subinterfaces are the trunk interfaces listed under it
// and those named with the VLAN in parentheses, each once, in the order
// first named; the addresses come from the "IP:" lines and the protocol
// table. The interfaces of the native-VLAN list are the physical ports
// whose untagged traffic is the VLAN: they are listed again as trunk
// interfaces where the VLAN has a subinterface on them. A line none of
// these is reported.
func IOSShowVLANs(text string) ([]IOSVLANs, Report) {
	rep := Report{Command: CmdVLANs, Line: 1}
	var out []IOSVLANs
	state := vlansData
	for i, raw := range textLines(text) {
		l := strings.TrimSpace(raw)
		if l == "" || isRule(l) || exemptLine(l) || isPrompt(l) || l == "No Virtual LANs configured." || l == "No Virtual LANs configured" {
			continue
		}
		var m []string
		if strings.HasPrefix(l, "VLAN ID:") || strings.HasPrefix(l, "Virtual LAN ID:") {
			m = vlansStart.FindStringSubmatch(l)
		}
		if m != nil {
			if !isVLANID(m[1]) {
				rep.warn(i+1, raw, fmt.Sprintf("VLAN ID %s is not a number from 1 to 4094", m[1]))
				continue
			}
			out = append(out, IOSVLANs{VLANID: m[1], Interfaces: []string{}, IPAddresses: []string{}, IPv6Addresses: []string{}, InnerVLANs: []string{}})
			rep.Read++
			rep.Sections++
			state = vlansData
			continue
		}
		if len(out) == 0 {
			rep.warn(i+1, raw, "a line before the first VLAN ID: line")
			continue
		}
		v := &out[len(out)-1]
		if err := vlansLine(v, l, &state); err != nil {
			rep.warn(i+1, raw, err.Error())
		}
	}
	return out, rep
}

// The states of IOSShowVLANs within a VLAN.
const (
	vlansData   = iota // in a VLAN
	vlansTrunks        // in a list of trunk interfaces
	vlansNative        // in the list of native-VLAN interfaces
)

// vlansLine reads one line of a VLAN of `show vlans` into v.
func vlansLine(v *IOSVLANs, l string, state *int) error {
	var m []string
	if strings.HasPrefix(l, "IP") {
		if m = vlansAddr.FindStringSubmatch(l); m == nil {
			if m = vlansProtoAddr.FindStringSubmatch(l); m != nil && !isAddr(m[2]) {
				m = nil // "IP  123 456": the protocol's counters
			}
		}
	}
	if m != nil {
		if !isAddr(m[2]) {
			return fmt.Errorf("%q is not an IP address", m[2])
		}
		if m[1] == "IP" {
			v.IPAddresses = appendNew(v.IPAddresses, m[2])
		} else {
			v.IPv6Addresses = appendNew(v.IPv6Addresses, m[2])
		}
		return nil
	}
	if strings.Contains(l, "LAN Trunk Interface") {
		m = vlansTrunkFirst.FindStringSubmatch(l)
	} else {
		m = nil
	}
	if m != nil {
		v.Interfaces = appendNew(v.Interfaces, m[1])
		*state = vlansTrunks
		return nil
	}
	if strings.HasSuffix(l, ")") {
		m = vlansSubif.FindStringSubmatch(l)
	} else {
		m = nil
	}
	if m != nil {
		if !isInterfaceName(m[1]) {
			return fmt.Errorf("%q is not an interface name", m[1])
		}
		v.Interfaces = appendNew(v.Interfaces, m[1])
		if m[3] != "" {
			v.InnerVLANs = appendNew(v.InnerVLANs, m[3])
		}
		*state = vlansData
		return nil
	}
	switch {
	case strings.HasPrefix(l, "This is configured") && vlansNativeHead.MatchString(l):
		*state = vlansNative
	case strings.HasPrefix(l, "VLAN trunk interfaces") && vlansTrunkList.MatchString(l):
		*state = vlansTrunks
	case strings.HasPrefix(l, "Protocols Configured:") && vlansProtoHead.MatchString(l), strings.HasPrefix(l, "MPLS"), vlansCount(l):
		*state = vlansData // the protocol table, the counters
	case *state == vlansTrunks && isInterfaceName(l):
		v.Interfaces = appendNew(v.Interfaces, l)
	case *state == vlansNative && vlansNativeIf.MatchString(l) && isInterfaceName(vlansNativeIf.FindStringSubmatch(l)[1]):
		// A port whose untagged traffic is this VLAN.
	case *state == vlansData && isInterfaceName(l):
		// A subinterface's name above its "(N)" line.
	default:
		return fmt.Errorf("not a line of %s", CmdVLANs)
	}
	return nil
}

// appendNew appends s to l unless l has it.
func appendNew(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	if err != nil {
		_, err = netip.ParsePrefix(s)
	}
	return err == nil
}

// vlansCount says whether l is a line of counters: a protocol's
// ("IP  2192679791  2184903327", "Other  0  358885"), the totals ("Total
// 9958707 packets, 3870632644 bytes input", "314218 packets, 63184318
// bytes input") or the drops ("Total 0 oversubscription packet drops").
func vlansCount(l string) bool {
	f := strings.Fields(l)
	if len(f) > 0 && f[0] == "Total" {
		f = f[1:]
	}
	switch {
	case len(f) == 3 && isNumber(f[1]) && isNumber(f[2]) && !isNumber(f[0]):
		return true
	case len(f) == 5 && isNumber(f[0]) && f[1] == "packets," && isNumber(f[2]) && f[3] == "bytes" && (f[4] == "input" || f[4] == "output"):
		return true
	case len(f) == 4 && isNumber(f[0]) && f[1] == "oversubscription" && f[2] == "packet" && f[3] == "drops":
		return true
	}
	return false
}
