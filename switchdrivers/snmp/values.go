package snmp

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// What agents send is untrusted: every value is checked for its type and
// range before it is used, and an unexpected one is an error naming the
// object, never a panic.

// intValue reads an integer of any of the types real agents use for
// integer objects (dot1qPvid is Unsigned32 in the MIB; agents send
// Gauge32, INTEGER or Counter32).
func intValue(v gosnmp.SnmpPDU) (int64, error) {
	switch v.Type {
	case gosnmp.Integer, gosnmp.Gauge32, gosnmp.Counter32, gosnmp.Uinteger32, gosnmp.TimeTicks, gosnmp.Counter64:
	default:
		return 0, fmt.Errorf("%s: want an integer, the agent sent %s", oidName(v.Name), typeName(v))
	}
	switch n := v.Value.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case uint:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case uint64:
		if n > 1<<62 {
			return 0, fmt.Errorf("%s: %d is out of range", oidName(v.Name), n)
		}
		return int64(n), nil
	case *big.Int:
		if !n.IsInt64() {
			return 0, fmt.Errorf("%s: %s is out of range", oidName(v.Name), n)
		}
		return n.Int64(), nil
	}
	return 0, fmt.Errorf("%s: undecodable %s value", oidName(v.Name), typeName(v))
}

// vlanValue reads a VLAN ID (1–4094).
func vlanValue(v gosnmp.SnmpPDU) (int, error) {
	n, err := intValue(v)
	if err != nil {
		return 0, err
	}
	if n < 1 || n > 4094 {
		return 0, fmt.Errorf("%s: VLAN %d is outside 1-4094", oidName(v.Name), n)
	}
	return int(n), nil
}

// octets reads an OCTET STRING.
func octets(v gosnmp.SnmpPDU) ([]byte, error) {
	if v.Type != gosnmp.OctetString {
		return nil, fmt.Errorf("%s: want an OCTET STRING, the agent sent %s", oidName(v.Name), typeName(v))
	}
	b, ok := v.Value.([]byte)
	if !ok {
		return nil, fmt.Errorf("%s: undecodable OCTET STRING", oidName(v.Name))
	}
	return b, nil
}

// text reads a DisplayString for humans: control characters and invalid
// UTF-8 become '?', at most 255 characters are kept.
func text(v gosnmp.SnmpPDU) (string, error) {
	b, err := octets(v)
	if err != nil {
		return "", err
	}
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
	s = strings.TrimRight(s, "?") // NUL-padded names
	if r := []rune(s); len(r) > 255 {
		s = string(r[:255])
	}
	return s, nil
}

func typeName(v gosnmp.SnmpPDU) string {
	switch v.Type {
	case gosnmp.NoSuchObject:
		return "noSuchObject"
	case gosnmp.NoSuchInstance:
		return "noSuchInstance"
	case gosnmp.EndOfMibView:
		return "endOfMibView"
	}
	return v.Type.String()
}

// absent reports a GET answer saying the object does not exist.
func absent(v gosnmp.SnmpPDU) bool {
	return v.Type == gosnmp.NoSuchObject || v.Type == gosnmp.NoSuchInstance || v.Type == gosnmp.EndOfMibView || v.Type == gosnmp.Null
}

// index returns the last n sub-identifiers of oid after root, as ints.
func index(root, oid string, n int) ([]int, error) {
	rest, ok := strings.CutPrefix(oid, root+".")
	if !ok {
		return nil, fmt.Errorf("%s is not under %s", oid, root)
	}
	parts := strings.Split(rest, ".")
	if len(parts) < n {
		return nil, fmt.Errorf("%s: want %d index components", oid, n)
	}
	out := make([]int, n)
	for i, p := range parts[len(parts)-n:] {
		x, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("%s: bad index %q", oid, p)
		}
		out[i] = int(x)
	}
	return out, nil
}

// PortSet is an 802.1Q PortList: octet 0's most significant bit is port 1.
type PortSet []byte

// decodePortSet reads a PortList. Besides the standard bitmap it accepts
// the comma-separated list of port numbers some agents (and tools that
// export walks) put in its place.
func decodePortSet(v gosnmp.SnmpPDU) (PortSet, error) {
	b, err := octets(v)
	if err != nil {
		return nil, err
	}
	return parsePortSet(b)
}

func parsePortSet(b []byte) (PortSet, error) {
	if isPortListText(b) {
		var set PortSet
		ok := true
		for _, f := range strings.Split(string(b), ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 || n > 65535 {
				ok = false
				break
			}
			set = set.With(n)
		}
		if ok {
			return set, nil
		}
	}
	if len(b) > 8192 {
		return nil, fmt.Errorf("port bitmap of %d octets is too long", len(b))
	}
	return PortSet(append([]byte(nil), b...)), nil
}

// isPortListText: only digits and commas, starting and ending with a
// digit, and either a comma or at least two digits — a text list rather
// than a bitmap, whose octets would rarely all be ASCII digits. A single
// octet is always read as a bitmap (the two readings cannot be told apart;
// the bitmap is the standard).
func isPortListText(b []byte) bool {
	if len(b) < 2 || b[0] < '0' || b[0] > '9' || b[len(b)-1] < '0' || b[len(b)-1] > '9' {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && c != ',' {
			return false
		}
	}
	return true
}

// Has reports whether port (1-based) is in the set.
func (s PortSet) Has(port int) bool {
	i := port - 1
	return port >= 1 && i/8 < len(s) && s[i/8]&(0x80>>(i%8)) != 0
}

// With returns a copy with port added (growing the bitmap if needed).
func (s PortSet) With(port int) PortSet {
	out := append(PortSet(nil), s...)
	i := port - 1
	for len(out) <= i/8 {
		out = append(out, 0)
	}
	out[i/8] |= 0x80 >> (i % 8)
	return out
}

// Without returns a copy with port removed.
func (s PortSet) Without(port int) PortSet {
	out := append(PortSet(nil), s...)
	i := port - 1
	if port >= 1 && i/8 < len(out) {
		out[i/8] &^= 0x80 >> (i % 8)
	}
	return out
}

// Ports lists the members.
func (s PortSet) Ports() []int {
	var out []int
	for i := range len(s) * 8 {
		if s.Has(i + 1) {
			out = append(out, i+1)
		}
	}
	return out
}
