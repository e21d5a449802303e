package showparse

import (
	"net/netip"
	"strconv"
)

// isIPv4 says whether s is an IPv4 address in dotted form.
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// portRange reads the ends of a range of port numbers ("3" and "8" of
// 3-8, of 1/1/3 to 1/1/8): decimal numbers, the first not above the
// last, at most maxRange apart; ports are numbered far below the limits
// of an int, so a range can be walked without overflow.
func portRange(from, to string) (int, int, bool) {
	a, err1 := strconv.Atoi(from)
	b, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || a < 0 || b < a || b-a > maxRange || b > maxPort {
		return 0, 0, false
	}
	return a, b, true
}

const (
	maxRange = 4096    // ports in one range
	maxPort  = 1 << 20 // a port number
)
