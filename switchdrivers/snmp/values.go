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

// rowIndex returns the last sub-identifier of a table row's OID, which
// must be 1..max (a base port, a VLAN, an ifIndex).
func rowIndex(oid string, max int) (int, error) {
	last := oid[strings.LastIndex(oid, ".")+1:]
	n, err := strconv.ParseUint(last, 10, 32)
	if err != nil || n < 1 || n > uint64(max) {
		return 0, fmt.Errorf("index %q is not 1-%d", last, max)
	}
	return int(n), nil
}

// describe says what a value was, for a warning about it.
func describe(v gosnmp.SnmpPDU, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%v", v.Value)
}
