package showparse

import "net/netip"

// isIPv4 says whether s is an IPv4 address in dotted form.
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}
