package showparse

import (
	"regexp"
	"strings"
	"testing"
)

// The regular expressions the line matchers of `show vlans` and NX-OS's
// port ranges are written out from: each matcher must match exactly the
// lines its expression matches and return the same groups.
var (
	reVLANsStart      = regexp.MustCompile(`^(?:VLAN ID|Virtual LAN ID):\s+(\d+)(?:\s+\(.*\))?$`)
	reVLANsTrunkFirst = regexp.MustCompile(`^v?LAN Trunk Interfaces?:\s+(\S+)$`)
	reVLANsTrunkList  = regexp.MustCompile(`^VLAN trunk interfaces for VLAN ID \d+:$`)
	reVLANsNativeHead = regexp.MustCompile(`^This is configured as native Vlan for the following interface\(s\)\s*:$`)
	reVLANsNativeIf   = regexp.MustCompile(`^(\S+)(?:\s+Native-vlan Tx-type:\s+\S+)?$`)
	reVLANsSubif      = regexp.MustCompile(`^(\S+)\s+\((\d+)(?:/(\d+))?\)$`)
	reVLANsAddr       = regexp.MustCompile(`^(IP|IPv6):\s+(\S+)$`)
	reVLANsProtoAddr  = regexp.MustCompile(`^(IP|IPv6)\s+(\S+)(?:\s+\d+\s+\d+)?$`)
	reVLANsProtoHead  = regexp.MustCompile(`^Protocols Configured:(?:\s+Address:)?\s+Received:\s+Transmitted:$`)
	reNXOSPortRange   = regexp.MustCompile(`^(.*?[^\d-])(\d+)-(\d+)$`)
)

// groups is what FindStringSubmatch gives, with "" for no match (so that
// a matcher's (values..., false) compares to it).
func groups(re *regexp.Regexp, l string) []string {
	m := re.FindStringSubmatch(l)
	if m == nil {
		return make([]string, re.NumSubexp()+1)
	}
	m[0] = "match"
	return m
}

func checkLineMatchers(t *testing.T, l string) {
	t.Helper()
	flag := func(ok bool) string {
		if ok {
			return "match"
		}
		return ""
	}
	same := func(name string, re *regexp.Regexp, got ...string) {
		t.Helper()
		want := groups(re, l)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s(%q): %q, the expression gives %q", name, l, got, want)
			}
		}
	}
	id, ok := vlansStart(l)
	if !ok {
		id = ""
	}
	same("vlansStart", reVLANsStart, flag(ok), id)
	name, ok := vlansTrunkFirst(l)
	if !ok {
		name = ""
	}
	same("vlansTrunkFirst", reVLANsTrunkFirst, flag(ok), name)
	same("vlansTrunkList", reVLANsTrunkList, flag(vlansTrunkList(l)))
	same("vlansNativeHead", reVLANsNativeHead, flag(vlansNativeHead(l)))
	name, ok = vlansNativeIf(l)
	if !ok {
		name = ""
	}
	same("vlansNativeIf", reVLANsNativeIf, flag(ok), name)
	n, vlan, inner, ok := vlansSubif(l)
	same("vlansSubif", reVLANsSubif, flag(ok), n, vlan, inner)
	f, a, ok := vlansAddr(l)
	same("vlansAddr", reVLANsAddr, flag(ok), f, a)
	f, a, ok = vlansProtoAddr(l)
	same("vlansProtoAddr", reVLANsProtoAddr, flag(ok), f, a)
	same("vlansProtoHead", reVLANsProtoHead, flag(vlansProtoHead(l)))
	p, from, to, ok := nxosPortRange(l)
	same("nxosPortRange", reNXOSPortRange, flag(ok), p, from, to)
}

var lineMatcherSeeds = []string{
	"VLAN ID: 1 (IEEE 802.1Q Encapsulation)", "VLAN ID: 12", "VLAN ID:12", "VLAN ID: 12 ()", "VLAN ID: 12 (", "VLAN ID: 12x", "VLAN ID: 12 (a\nb)",
	"Virtual LAN ID:  2 (Inter Switch Link Encapsulation)", "Virtual LAN ID: \t7 \f(x)",
	"vLAN Trunk Interface:   FastEthernet0/0.2", "LAN Trunk Interfaces: Gi0/0.3", "vLAN Trunk Interfaces:Gi0/0.3", "LAN Trunk Interface:  a b",
	"VLAN trunk interfaces for VLAN ID 2:", "VLAN trunk interfaces for VLAN ID :", "VLAN trunk interfaces for VLAN ID 2: ",
	"This is configured as native Vlan for the following interface(s) :", "This is configured as native Vlan for the following interface(s):",
	"GigabitEthernet0/0", "GigabitEthernet0/0   Native-vlan Tx-type: 802.1Q", "Gi0/0 Native-vlan  Tx-type: x", "Gi0/0 Native-vlan Tx-type:", "Gi0/0 x",
	"GigabitEthernet0/0/0.2 (2)", "Gi0/1.1013000 (101/3000)", "Gi0/1 (101/)", "Gi0/1 (/3)", "Gi0/1 (1) ", "Gi0/1(1)", " Gi0/1 (1)", "a  (12)",
	"IP: 10.1.1.1", "IPv6: 2001:db8::1", "IP:10.1.1.1", "IP: 10.1.1.1 x", "IP 10.1.1.1", "IP  10.1.1.1  12  34", "IPv6 2001:db8::1 1 2", "IP 1 2", "IP 10.0.0.1 12", "IPv610.1 1 2", "IP\u00a01.2.3.4",
	"Protocols Configured:          Received:        Transmitted:", "Protocols Configured:  Address:  Received:  Transmitted:", "Protocols Configured:Received: Transmitted:", "Protocols Configured: Address:Received: Transmitted:",
	"Ethernet1/1-4", "port-channel10-13", "Ethernet1/1", "1-4", "a-1-4", "x--1-4", "é1-2", "\xff1-2", "a\nb1-2", "\n1-2", "Eth1/1-", "Eth-1", "",
}

// TestLineMatchers: every matcher agrees with its expression on the seeds
// (the corpus's lines of these commands are checked by TestCorpus).
func TestLineMatchers(t *testing.T) {
	for _, l := range lineMatcherSeeds {
		checkLineMatchers(t, l)
	}
}

// FuzzLineMatchers: every matcher agrees with its expression on any line.
func FuzzLineMatchers(f *testing.F) {
	for _, l := range lineMatcherSeeds {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, l string) { checkLineMatchers(t, l) })
}

// FuzzOnceFold: onceFold counts what a plain search counts.
func FuzzOnceFold(f *testing.F) {
	f.Add("TABLE_vlanbriefxbrief row_VLANBRIEFXBRIEF", "row_vlanbriefxbrief")
	f.Add("a_b_a_b", "a_b")
	f.Fuzz(func(t *testing.T, s, w string) {
		w = strings.ToLower(w)
		if !strings.Contains(w, "_") || strings.ContainsFunc(s+w, func(r rune) bool { return r >= 0x80 }) {
			return
		}
		n, ls := 0, strings.ToLower(s)
		for i := 0; i+len(w) <= len(ls); i++ {
			if ls[i:i+len(w)] == w {
				n++
			}
		}
		if got := onceFold(s, w); got != (n <= 1) {
			t.Fatalf("onceFold(%q, %q) = %v, %d occurrences", s, w, got, n)
		}
	})
}
