// Package showparse reads the text switches print for show commands:
// interface status, switchport details, VLAN tables, MAC address tables and
// ARP tables. The CLI drivers parse live output with it; `cutover import`
// parses saved output offline (a show-tech) to bootstrap an inventory.
//
// Column-aligned tables go through one reader (Spec, NewTable, Table.Read:
// see table.go); "Key: value" blocks through Blocks. Each platform's
// parser returns typed records whose field names follow the reference
// TextFSM templates (ntc-templates), so they can be checked against the
// recorded corpus, and a Report: rows read, rows skipped and a Warning
// (line, text, reason) for every line it could not read — a row it cannot
// read never aborts the table and is never dropped silently. Import turns
// records into the common Result.
package showparse

import (
	"fmt"
	"strings"
)

// Port is one interface in the common form.
type Port struct {
	Name        string `json:"name"`
	Mode        string `json:"mode,omitempty"` // access, trunk, routed
	VLAN        string `json:"vlan,omitempty"`
	Status      string `json:"status,omitempty"`
	Description string `json:"description,omitempty"`
}

// VLAN is one VLAN in the common form.
type VLAN struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Status string   `json:"status,omitempty"`
	Ports  []string `json:"ports,omitempty"`
}

// MAC is one learned MAC address.
type MAC struct {
	MAC  string `json:"mac"` // aa:bb:cc:dd:ee:ff
	VLAN string `json:"vlan"`
	Port string `json:"port"`
}

// ARP is one ARP entry.
type ARP struct {
	IP        string `json:"ip"`
	MAC       string `json:"mac"`
	Interface string `json:"interface"`
}

// Result is what `cutover import` prints: the records, one Report per
// table read (rows read and skipped) and every line that could not be
// read.
type Result struct {
	Ports    []Port    `json:"ports"`
	VLANs    []VLAN    `json:"vlans"`
	MACs     []MAC     `json:"macs"`
	ARP      []ARP     `json:"arp"`
	Tables   []Report  `json:"tables"`
	Warnings []Warning `json:"warnings"`
}

// Error is a parse error at a line (of File, when set).
type Error struct {
	File string
	Line int
	Text string
	Msg  string
}

func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d: %s: %q", e.File, e.Line, e.Msg, e.Text)
	}
	return fmt.Sprintf("line %d: %s: %q", e.Line, e.Msg, e.Text)
}

// NormaliseMAC turns Cisco (aabb.ccdd.eeff), dashed or colon forms into
// aa:bb:cc:dd:ee:ff; it returns "" for anything else.
func NormaliseMAC(s string) string {
	var h [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '-' || c == ':':
			continue
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f':
		default:
			return ""
		}
		if n == len(h) {
			return ""
		}
		h[n] = c
		n++
	}
	if n != len(h) {
		return ""
	}
	var b [17]byte
	for i := 0; i < 6; i++ {
		if i > 0 {
			b[3*i-1] = ':'
		}
		b[3*i], b[3*i+1] = h[2*i], h[2*i+1]
	}
	return string(b[:])
}

// lines splits text into lines without trailing CR/whitespace.
func lines(text string) []string {
	raw := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range raw {
		raw[i] = strings.TrimRight(l, " \t\r")
	}
	return raw
}

type token struct {
	start int
	text  string
}

// tokens splits a line into whitespace-separated tokens with positions.
func tokens(line string) []token {
	var out []token
	start := -1
	for i, r := range line {
		if r == ' ' || r == '\t' {
			if start >= 0 {
				out = append(out, token{start, line[start:i]})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, token{start, line[start:]})
	}
	return out
}

func joinTokens(ts []token) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// canonicalInterface is an interface name in one spelling whatever the
// device or a reference wrote: the type's long name in lower case, then
// the rest ("Gi1/0/1", "GigabitEthernet1/0/1" and "gi1/0/1" are one;
// "Eth1/1" is "ethernet1/1", "Po1" "port-channel1"). Names of other
// shapes are only lower-cased.
func canonicalInterface(s string) string {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return strings.ToLower(s)
	}
	prefix := strings.ToLower(s[:i])
	if long, ok := interfaceTypes[prefix]; ok {
		prefix = long
	}
	return prefix + strings.ToLower(s[i:])
}

// sameInterface says whether a and b name one interface (see
// canonicalInterface).
func sameInterface(a, b string) bool {
	if a == b {
		return true
	}
	ia := strings.IndexFunc(a, func(r rune) bool { return r >= '0' && r <= '9' })
	ib := strings.IndexFunc(b, func(r rune) bool { return r >= '0' && r <= '9' })
	if ia < 0 || ib < 0 || !strings.EqualFold(a[ia:], b[ib:]) {
		return false
	}
	return canonicalInterface(a) == canonicalInterface(b)
}

// interfaceTypes maps the abbreviations Cisco IOS, NX-OS and Arista EOS
// print (and the long names) to the long name, lower case.
var interfaceTypes = func() map[string]string {
	m := map[string]string{}
	for long, shorts := range map[string][]string{
		"gigabitethernet":      {"gi", "gig", "ge"},
		"fastethernet":         {"fa"},
		"tengigabitethernet":   {"te", "ten", "tengige"},
		"twogigabitethernet":   {"tw"},
		"twentyfivegige":       {"twe", "twentyfivegigabitethernet"},
		"fivegigabitethernet":  {"fi"},
		"fortygigabitethernet": {"fo", "fortygige"},
		"hundredgige":          {"hu", "hundredgigabitethernet"},
		"fourhundredgige":      {"fou"},
		"appgigabitethernet":   {"ap"},
		"port-channel":         {"po", "portchannel"},
		"loopback":             {"lo"},
		"vlan":                 {"vl"},
		"ethernet":             {"eth", "et"},
		"tunnel":               {"tu"},
		"serial":               {"se"},
		"management":           {"mgmt"},
	} {
		m[long] = long
		for _, s := range shorts {
			m[s] = long
		}
	}
	return m
}()
