package snmp

import (
	"math/big"
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
			octets(v)
			rowIndex(v.Name, 4094)
		}
	})
}
