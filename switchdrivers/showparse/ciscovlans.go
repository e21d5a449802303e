package showparse

import (
	"fmt"
	"net/netip"
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
// the older "Virtual LAN ID:  N" with "vLAN Trunk Interfaces:"), each
// recognised by a function that matches exactly what the regular
// expression in its comment matches (\s and \S as a Go regexp has them:
// the blanks [\t\n\f\r ] and the rest); ciscovlans_test.go checks each
// against its expression. They are written out because `show vlans` of
// a router with hundreds of subinterfaces runs to thousands of lines.

// vlansStart: ^(?:VLAN ID|Virtual LAN ID):\s+(\d+)(?:\s+\(.*\))?$, the
// VLAN ID.
func vlansStart(l string) (string, bool) {
	rest, ok := strings.CutPrefix(l, "VLAN ID:")
	if !ok {
		if rest, ok = strings.CutPrefix(l, "Virtual LAN ID:"); !ok {
			return "", false
		}
	}
	rest, ok = cutBlanks(rest)
	n := leadingDigits(rest)
	if !ok || n == 0 {
		return "", false
	}
	id, rest := rest[:n], rest[n:]
	if rest == "" {
		return id, true
	}
	if rest, ok = cutBlanks(rest); !ok || len(rest) < 2 || rest[0] != '(' || rest[len(rest)-1] != ')' || strings.IndexByte(rest, '\n') >= 0 {
		return "", false
	}
	return id, true
}

// vlansTrunkFirst: ^v?LAN Trunk Interfaces?:\s+(\S+)$, the interface.
func vlansTrunkFirst(l string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(l, "v"), "LAN Trunk Interface")
	if !ok {
		return "", false
	}
	if rest, ok = strings.CutPrefix(strings.TrimPrefix(rest, "s"), ":"); !ok {
		return "", false
	}
	return lastWord(rest)
}

// vlansTrunkList: ^VLAN trunk interfaces for VLAN ID \d+:$.
func vlansTrunkList(l string) bool {
	rest, ok := strings.CutPrefix(l, "VLAN trunk interfaces for VLAN ID ")
	n := leadingDigits(rest)
	return ok && n > 0 && rest[n:] == ":"
}

// vlansNativeHead: ^This is configured as native Vlan for the following
// interface\(s\)\s*:$.
func vlansNativeHead(l string) bool {
	rest, ok := strings.CutPrefix(l, "This is configured as native Vlan for the following interface(s)")
	rest, _ = cutBlanks(rest)
	return ok && rest == ":"
}

// vlansNativeIf: ^(\S+)(?:\s+Native-vlan Tx-type:\s+\S+)?$, the interface.
func vlansNativeIf(l string) (string, bool) {
	name, rest := cutWord(l)
	if name == "" {
		return "", false
	}
	if rest == "" {
		return name, true
	}
	rest, _ = cutBlanks(rest) // cutWord stopped at a blank
	if rest, ok := strings.CutPrefix(rest, "Native-vlan Tx-type:"); ok {
		if _, ok := lastWord(rest); ok {
			return name, true
		}
	}
	return "", false
}

// vlansSubif: ^(\S+)\s+\((\d+)(?:/(\d+))?\)$, the subinterface, its
// VLAN and its inner VLAN ("" if none).
func vlansSubif(l string) (name, vlan, inner string, ok bool) {
	name, rest := cutWord(l)
	if name == "" || rest == "" {
		return "", "", "", false
	}
	rest, _ = cutBlanks(rest)
	rest, ok = strings.CutPrefix(rest, "(")
	n := leadingDigits(rest)
	if !ok || n == 0 {
		return "", "", "", false
	}
	vlan, rest = rest[:n], rest[n:]
	if r, ok := strings.CutPrefix(rest, "/"); ok {
		n = leadingDigits(r)
		if n == 0 {
			return "", "", "", false
		}
		inner, rest = r[:n], r[n:]
	}
	if rest != ")" {
		return "", "", "", false
	}
	return name, vlan, inner, true
}

// vlansAddr: ^(IP|IPv6):\s+(\S+)$, the family and the address.
func vlansAddr(l string) (family, addr string, ok bool) {
	for _, f := range [...]string{"IP", "IPv6"} {
		if rest, ok := strings.CutPrefix(l, f+":"); ok {
			if a, ok := lastWord(rest); ok {
				return f, a, true
			}
		}
	}
	return "", "", false
}

// vlansProtoAddr: ^(IP|IPv6)\s+(\S+)(?:\s+\d+\s+\d+)?$, the family and
// the address.
func vlansProtoAddr(l string) (family, addr string, ok bool) {
	for _, f := range [...]string{"IP", "IPv6"} {
		rest, ok := strings.CutPrefix(l, f)
		if !ok {
			continue
		}
		if rest, ok = cutBlanks(rest); !ok {
			continue
		}
		a, rest := cutWord(rest)
		if a == "" {
			continue
		}
		if rest == "" {
			return f, a, true
		}
		rest, _ = cutBlanks(rest)
		n := leadingDigits(rest)
		if n == 0 {
			continue
		}
		if rest, ok = cutBlanks(rest[n:]); ok && rest != "" && leadingDigits(rest) == len(rest) {
			return f, a, true
		}
	}
	return "", "", false
}

// vlansProtoHead: ^Protocols Configured:(?:\s+Address:)?\s+Received:\s+Transmitted:$.
func vlansProtoHead(l string) bool {
	rest, ok := strings.CutPrefix(l, "Protocols Configured:")
	if !ok {
		return false
	}
	if rest, ok = cutBlanks(rest); !ok {
		return false
	}
	if r, ok := strings.CutPrefix(rest, "Address:"); ok {
		if rest, ok = cutBlanks(r); !ok {
			return false
		}
	}
	if rest, ok = strings.CutPrefix(rest, "Received:"); !ok {
		return false
	}
	rest, ok = cutBlanks(rest)
	return ok && rest == "Transmitted:"
}

// isBlank says whether c is what \s matches in a Go regexp.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// cutBlanks is s without its leading blanks (\s*), and whether it had
// any.
func cutBlanks(s string) (string, bool) {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:], i > 0
}

// cutWord splits s at its first blank: the word before it (\S*) and
// the rest, the blank included.
func cutWord(s string) (word, rest string) {
	i := 0
	for i < len(s) && !isBlank(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// lastWord is the word of s if s is blanks and then one word, to its
// end (\s+(\S+)$).
func lastWord(s string) (string, bool) {
	s, ok := cutBlanks(s)
	w, rest := cutWord(s)
	return w, ok && w != "" && rest == ""
}

// leadingDigits is the number of ASCII digits s starts with (\d*).
func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

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
		if id, ok := vlansStart(l); ok {
			if !isVLANID(id) {
				rep.warn(i+1, raw, fmt.Sprintf("VLAN ID %s is not a number from 1 to 4094", id))
				continue
			}
			out = append(out, IOSVLANs{VLANID: id, Interfaces: []string{}, IPAddresses: []string{}, IPv6Addresses: []string{}, InnerVLANs: []string{}})
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
	if strings.HasPrefix(l, "IP") {
		family, addr, ok := vlansAddr(l)
		if !ok {
			if family, addr, ok = vlansProtoAddr(l); ok && !isAddr(addr) {
				ok = false // "IP  123 456": the protocol's counters
			}
		}
		if ok {
			if !isAddr(addr) {
				return fmt.Errorf("%q is not an IP address", addr)
			}
			if family == "IP" {
				v.IPAddresses = appendNew(v.IPAddresses, addr)
			} else {
				v.IPv6Addresses = appendNew(v.IPv6Addresses, addr)
			}
			return nil
		}
	}
	if name, ok := vlansTrunkFirst(l); ok {
		v.Interfaces = appendNew(v.Interfaces, name)
		*state = vlansTrunks
		return nil
	}
	if name, _, inner, ok := vlansSubif(l); ok {
		if !isInterfaceName(name) {
			return fmt.Errorf("%q is not an interface name", name)
		}
		v.Interfaces = appendNew(v.Interfaces, name)
		if inner != "" {
			v.InnerVLANs = appendNew(v.InnerVLANs, inner)
		}
		*state = vlansData
		return nil
	}
	switch {
	case vlansNativeHead(l):
		*state = vlansNative
	case vlansTrunkList(l):
		*state = vlansTrunks
	case vlansProtoHead(l), strings.HasPrefix(l, "MPLS"), vlansCount(l):
		*state = vlansData // the protocol table, the counters
	case *state == vlansTrunks && isInterfaceName(l):
		v.Interfaces = appendNew(v.Interfaces, l)
	case *state == vlansNative && isNativeIf(l):
		// A port whose untagged traffic is this VLAN.
	case *state == vlansData && isInterfaceName(l):
		// A subinterface's name above its "(N)" line.
	default:
		return fmt.Errorf("not a line of %s", CmdVLANs)
	}
	return nil
}

// isNativeIf says whether l is a line of the native-VLAN list: an
// interface, and its Tx-type.
func isNativeIf(l string) bool {
	name, ok := vlansNativeIf(l)
	return ok && isInterfaceName(name)
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
