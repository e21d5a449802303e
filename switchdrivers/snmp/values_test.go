package snmp

import (
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"
)

func TestIntValueAcceptsAgentTypes(t *testing.T) {
	for _, v := range []gosnmp.SnmpPDU{
		{Name: oidPvid + ".1", Type: gosnmp.Gauge32, Value: uint(66)},
		{Name: oidPvid + ".1", Type: gosnmp.Integer, Value: 66},
		{Name: oidPvid + ".1", Type: gosnmp.Counter32, Value: uint(66)},
		{Name: oidPvid + ".1", Type: gosnmp.Counter64, Value: uint64(66)},
		{Name: oidPvid + ".1", Type: gosnmp.Integer, Value: big.NewInt(66)},
	} {
		if n, err := vlanValue(v); err != nil || n != 66 {
			t.Errorf("%s %T: %d %v", v.Type, v.Value, n, err)
		}
	}
	for _, v := range []gosnmp.SnmpPDU{
		{Name: oidPvid + ".7", Type: gosnmp.OctetString, Value: []byte("66")},
		{Name: oidPvid + ".7", Type: gosnmp.NoSuchInstance},
		{Name: oidPvid + ".7", Type: gosnmp.Gauge32, Value: uint(5000)},
		{Name: oidPvid + ".7", Type: gosnmp.Counter64, Value: uint64(1) << 63},
		{Name: oidPvid + ".7", Type: gosnmp.Integer, Value: "x"},
	} {
		if n, err := vlanValue(v); err == nil {
			t.Errorf("%s %v accepted as %d", v.Type, v.Value, n)
		} else if !strings.Contains(err.Error(), "dot1qPvid.7") {
			t.Errorf("error does not name the object: %v", err)
		}
	}
}

func TestPortSets(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want []int
	}{
		{[]byte{0x80, 0x01}, []int{1, 16}},
		{[]byte{0x30}, []int{3, 4}}, // one octet: always a bitmap
		{[]byte("3,4434"), []int{3, 4434}},
		{[]byte("12"), []int{12}},
		{[]byte("0,1"), []int{3, 4, 11, 13, 14, 19, 20, 24}}, // port 0 is no port: the bitmap reading
		{nil, nil},
	} {
		set, err := parsePortSet(tc.in)
		if err != nil || !slices.Equal(set.Ports(), tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, set.Ports(), err, tc.want)
		}
	}
	s := PortSet(nil).With(9).With(1)
	if !s.Has(9) || !s.Has(1) || s.Has(2) || len(s) != 2 || s.Without(9).Has(9) || !s.Has(9) {
		t.Fatalf("With/Without: %v", s.Ports())
	}
}

func TestText(t *testing.T) {
	got, err := text(gosnmp.SnmpPDU{Name: oidIfAlias + ".1", Type: gosnmp.OctetString, Value: []byte("uplink\x1b[2J\xff\x00\x00")})
	if err != nil || got != "uplink?[2J" {
		t.Fatalf("%q %v", got, err)
	}
}

// FuzzDecodeValues feeds arbitrary datagrams through the SNMP decoder and
// every value decoder the drivers use: errors, never panics.
func FuzzDecodeValues(f *testing.F) {
	seed := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "c", PDUType: gosnmp.GetResponse, RequestID: 1, Variables: []gosnmp.SnmpPDU{
		{Name: oidPvid + ".1", Type: gosnmp.Gauge32, Value: uint32(66)},
		{Name: oidStaticEgress + ".66", Type: gosnmp.OctetString, Value: []byte{0xff, 0x01}},
		{Name: oidIfName + ".10001", Type: gosnmp.OctetString, Value: []byte("Gi1/0/1")},
		{Name: oidVmVlan + ".10001", Type: gosnmp.Integer, Value: 166},
	}}
	if b, err := seed.MarshalMsg(); err == nil {
		f.Add(b)
	}
	f.Add([]byte("3,4434,4443"))
	f.Add([]byte{0x30, 0x00})
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: "c", Logger: gosnmp.NewLogger(nil)}
	f.Fuzz(func(t *testing.T, data []byte) {
		if set, err := parsePortSet(data); err == nil {
			for _, p := range set.Ports() {
				if !set.Has(p) {
					t.Fatalf("port %d listed but not a member", p)
				}
			}
		}
		pkt, err := dec.SnmpDecodePacket(data)
		if err != nil || pkt == nil {
			return
		}
		for _, v := range pkt.Variables {
			v.Name = trim(v.Name)
			intValue(v)
			if n, err := vlanValue(v); err == nil && (n < 1 || n > 4094) {
				t.Fatalf("VLAN %d accepted", n)
			}
			if s, err := text(v); err == nil && len([]rune(s)) > 255 {
				t.Fatalf("text of %d runes", len([]rune(s)))
			}
			decodePortSet(v)
			index(oidPvid, v.Name, 1)
		}
	})
}
