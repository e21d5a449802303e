package showparse

// Readers of the small values campus switches print in their tables: an
// IPv4 address, a port word, the ends of a range of ports.

import (
	"net/netip"
	"strconv"
	"strings"
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

// isPortWord says whether s can name a port: one word with a digit, of
// letters, digits and /.:_- ("gi1/0/1", "1/g1", "1:25", "Po1").
func isPortWord(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("/.:_-", c) >= 0:
		default:
			return false
		}
	}
	return digit
}
