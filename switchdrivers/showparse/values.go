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

// asciiBlank is what strings.Fields splits ASCII text at.
var asciiBlank = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// appendFields appends the words of s to dst, as append(dst,
// strings.Fields(s)...) does, without the slice in between.
func appendFields(dst []string, s string) []string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(dst, strings.Fields(s)...) // Unicode blanks too
		}
	}
	for i := 0; i < len(s); {
		for i < len(s) && asciiBlank[s[i]] {
			i++
		}
		j := i
		for j < len(s) && !asciiBlank[s[j]] {
			j++
		}
		if j > i {
			dst = append(dst, s[i:j])
		}
		i = j
	}
	return dst
}

// joinFields is strings.Join(strings.Fields(s), " "), without
// allocating when s is ASCII with its words one blank apart (it is then
// s without its outer blanks).
func joinFields(s string) string {
	i, j := 0, len(s)
	for i < j && asciiBlank[s[i]] {
		i++
	}
	for j > i && asciiBlank[s[j-1]] {
		j--
	}
	t := s[i:j]
	for k := 0; k < len(t); k++ {
		if c := t[k]; c >= 0x80 || asciiBlank[c] && (c != ' ' || asciiBlank[t[k+1]]) {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return t
}

// foldKey is the key of a "Key: value" line as it is compared:
// strings.ToLower(strings.Join(strings.Fields(key), " ")), without
// allocating when key is already so.
func foldKey(key string) string {
	key = joinFields(key)
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(key)
		}
	}
	return key
}

// lookupLower is m[strings.ToLower(s)], without allocating the lower-case
// key when s is short ASCII.
func lookupLower(m map[string]string, s string) (string, bool) {
	var buf [64]byte
	if len(s) > len(buf) {
		v, ok := m[strings.ToLower(s)]
		return v, ok
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			v, ok := m[strings.ToLower(s)]
			return v, ok
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	v, ok := m[string(buf[:len(s)])]
	return v, ok
}
