package snmp

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// numericOID is what a warning must name: a dotted numeric OID.
var numericOID = regexp.MustCompile(`^1\.3\.6\.1(\.[0-9]+)+$`)

// FuzzPortListDecode decodes arbitrary values together for a bridge
// given by the fuzzer, and checks invariants: no panic; every value is
// either read or reported (never dropped silently); a warning names the
// value's OID; the members counted are ports of the bridge; writing a
// value back in its form and reading it again gives the same members.
func FuzzPortListDecode(f *testing.F) {
	f.Add([]byte{0, 3, 0, 4, 0x11, 0x62}, []byte("3,4434"), []byte("3"), []byte{})
	f.Add([]byte{0, 1, 0, 48}, []byte("ff ff f8 80 00"), []byte{0x80, 0, 0, 1}, []byte("0,4097,4099"))
	f.Add([]byte{0, 1, 0, 8}, []byte("1-4,7"), []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\n00 40 "), []byte("3,4434,x"))
	f.Add([]byte{0, 1, 0, 16}, []byte("A@"), []byte("0xFFFF"), []byte("   "))
	f.Fuzz(func(t *testing.T, spec, a, b, c []byte) {
		bridge := map[int]bool{}
		for i := 0; i+1 < len(spec) && i < 64; i += 2 {
			bridge[int(binary.BigEndian.Uint16(spec[i:]))] = true
		}
		delete(bridge, 0)
		warned := map[string]int{}
		dec := portListDecoder{bridge: bridge, warn: func(oid, format string, args ...any) {
			if !numericOID.MatchString(oid) {
				t.Fatalf("a warning names no OID: %q: %s", oid, fmt.Sprintf(format, args...))
			}
			warned[oid]++
		}}
		var values []portListValue
		for i, v := range [][]byte{a, b, c} {
			values = append(values, portListValue{oid: fmt.Sprintf("%s.%d", oidStaticEgress, i+1), b: v})
		}
		out := dec.decode(values)
		for oid := range warned {
			if !slices.ContainsFunc(values, func(v portListValue) bool { return v.oid == oid }) {
				t.Fatalf("a warning names %s, which is no value of the read", oid)
			}
		}
		for _, v := range values {
			pl, read := out[v.oid]
			if !read && warned[v.oid] == 0 {
				t.Fatalf("%q was neither read nor reported", v.b)
			}
			if !read {
				continue
			}
			for _, p := range pl.set.within(bridge) {
				if !bridge[p] || !pl.set.Has(p) {
					t.Fatalf("%q: port %d counted, not a port of the bridge %v", v.b, p, bridge)
				}
			}
			enc := pl.encode(pl.set)
			back, ok := decodeAs(enc, pl.form)
			if !ok || !back.equalMembers(pl.set) {
				t.Fatalf("%q read as %s %v; written back %q reads %v", v.b, pl.form, pl.set.Ports(), enc, back.Ports())
			}
		}
	})
}

// FuzzBridgeDecode builds a bridge's columns from fuzzed values (base
// ports, PVIDs, two VLANs' egress and untagged values, some of the wrong
// type) and checks the read's invariants: no panic; no port outside the
// bridge's base ports; every warning names an OID of the read; an
// access port's VLAN is the one VLAN it is untagged in, or its PVID when
// it is a member of none.
func FuzzBridgeDecode(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3}, []byte{0, 10, 0, 20, 0, 10}, []byte{0xe0}, []byte{0xa0}, []byte{0x40}, []byte{0x40}, byte(0))
	f.Add([]byte{0, 3, 0x11, 0x52}, []byte{0, 1}, []byte("3,4434"), []byte("4434"), []byte("3"), []byte(""), byte(5))
	f.Add([]byte{0, 1, 0, 9}, []byte{0x10, 0}, []byte("ff 80"), []byte("ff 00"), []byte("00 80"), []byte("00 80"), byte(0x1a))
	f.Fuzz(func(t *testing.T, bases, pvids, egress10, untagged10, egress20, untagged20 []byte, flags byte) {
		cols := map[string][]gosnmp.SnmpPDU{}
		add := func(root string, index int, typ gosnmp.Asn1BER, value any) {
			cols[root] = append(cols[root], gosnmp.SnmpPDU{Name: fmt.Sprintf("%s.%d", root, index), Type: typ, Value: value})
		}
		baseSet := map[int]bool{}
		for i := 0; i+1 < len(bases) && i < 40; i += 2 {
			base := int(binary.BigEndian.Uint16(bases[i:]))
			add(oidBasePortIfIndex, base, gosnmp.Integer, 1000+i/2)
			add(oidIfName, 1000+i/2, gosnmp.OctetString, []byte(fmt.Sprintf("ge-0/0/%d", i/2)))
			if base >= 1 {
				baseSet[base] = true
			}
			if j := i; j+1 < len(pvids) {
				pv := uint32(binary.BigEndian.Uint16(pvids[j:]))
				if flags&0x10 != 0 && i == 0 {
					add(oidPvid, base, gosnmp.OctetString, []byte("10")) // wrong type
				} else {
					add(oidPvid, base, gosnmp.Gauge32, pv)
				}
			}
		}
		roots := [2]string{oidStaticEgress, oidStaticUntagged}
		if flags&1 != 0 {
			roots = [2]string{oidCurrentEgress, oidCurrentUntagged}
		}
		for i, v := range []struct {
			vlan   int
			e, u   []byte
			dropU  bool
			intVal bool
		}{{10, egress10, untagged10, flags&2 != 0, flags&8 != 0}, {20, egress20, untagged20, flags&4 != 0, false}} {
			if v.intVal {
				add(roots[0], v.vlan, gosnmp.Integer, i)
			} else {
				add(roots[0], v.vlan, gosnmp.OctetString, v.e)
			}
			if !v.dropU {
				add(roots[1], v.vlan, gosnmp.OctetString, v.u)
			}
		}
		var w warnings
		st, err := decodeBridge(cols, &w)
		inputs := map[string]bool{}
		for root, rows := range cols {
			inputs[root] = true
			for _, v := range rows {
				inputs[v.Name] = true
			}
		}
		for _, x := range w.list {
			if !numericOID.MatchString(x.oid) || !(inputs[x.oid] || inputs[x.oid[:strings.LastIndex(x.oid, ".")]]) {
				t.Fatalf("warning names %q, no object of the read: %s", x.oid, x.text)
			}
		}
		if err != nil {
			if len(baseSet) > 0 && len(cols[oidBasePortIfIndex]) > 0 && !strings.Contains(err.Error(), "no bridge ports") {
				t.Fatalf("read failed: %v", err)
			}
			return
		}
		// Every value that could not be used is a row, concerning ports
		// of the read only; a PVID of the wrong type concerns its port.
		if len(st.rows) != len(w.bad) {
			t.Fatalf("%d values could not be used, %d rows", len(w.bad), len(st.rows))
		}
		for _, u := range st.rows {
			for _, p := range u.Ports {
				if _, ok := st.byName[p]; !ok {
					t.Fatalf("row %+v concerns %s, no port of the read", u, p)
				}
			}
		}
		if flags&0x10 != 0 && len(bases) >= 2 && len(pvids) >= 2 {
			for name, bp := range st.byName {
				if bp.base == int(binary.BigEndian.Uint16(bases)) && !slices.ContainsFunc(st.rows, func(u switchdrivers.UnreadableRow) bool { return slices.Contains(u.Ports, name) }) {
					t.Fatalf("%s's PVID could not be read, and no row concerns it: %+v", name, st.rows)
				}
			}
		}
		byIndex := map[int]bool{}
		for _, v := range cols[oidBasePortIfIndex] {
			n, _ := intValue(v)
			byIndex[int(n)] = true
		}
		for _, p := range st.ports {
			bp := st.byName[p.Name]
			if !byIndex[p.IfIndex] || !baseSet[bp.base] {
				t.Fatalf("port %+v (base %d) is not a port of the bridge", p, bp.base)
			}
			switch p.Mode {
			case switchdrivers.ModeAccess:
				if p.Segment == "" {
					continue
				}
				var vlan int
				fmt.Sscan(p.Segment, &vlan)
				if vlan < 1 || vlan > 4094 {
					t.Fatalf("port %+v: VLAN %d", p, vlan)
				}
				if len(bp.member) > 0 && !slices.Contains(bp.member, vlan) && roots[0] == oidStaticEgress {
					t.Fatalf("port %+v: access in VLAN %d, a member of %v", p, vlan, bp.member)
				}
				if len(bp.member) == 0 && roots[0] == oidStaticEgress && (!bp.hasPvid || bp.pvid != vlan) {
					t.Fatalf("port %+v: in no VLAN, reported in %d, PVID %d (%v)", p, vlan, bp.pvid, bp.hasPvid)
				}
			case switchdrivers.ModeTrunk, switchdrivers.ModeRouted:
				if p.Segment != "" {
					t.Fatalf("port %+v: a segment", p)
				}
			default:
				t.Fatalf("port %+v: mode", p)
			}
		}
	})
}

// bridgeColumns500 builds the columns of a 500-port bridge (ifIndex
// 1001-1500 behind base ports 1-500, ten VLANs, every port untagged in
// one) with its PortLists written by encode.
func bridgeColumns500(encode func(set PortSet) []byte) map[string][]gosnmp.SnmpPDU {
	cols := map[string][]gosnmp.SnmpPDU{}
	add := func(root string, index int, typ gosnmp.Asn1BER, value any) {
		cols[root] = append(cols[root], gosnmp.SnmpPDU{Name: fmt.Sprintf("%s.%d", root, index), Type: typ, Value: value})
	}
	for p := 1; p <= 500; p++ {
		add(oidBasePortIfIndex, p, gosnmp.Integer, 1000+p)
		add(oidPvid, p, gosnmp.Gauge32, uint32(10+(p-1)%10))
	}
	for _, root := range ifColumns {
		for p := 1; p <= 500; p++ {
			switch root {
			case oidIfAdminStatus, oidIfOperStatus:
				add(root, 1000+p, gosnmp.Integer, 1)
			default:
				add(root, 1000+p, gosnmp.OctetString, []byte(fmt.Sprintf("Gi1/0/%d", p)))
			}
		}
	}
	for v := 10; v < 20; v++ {
		var set PortSet
		for p := 1; p <= 500; p++ {
			if 10+(p-1)%10 == v {
				set = set.With(p)
			}
		}
		add(oidStaticName, v, gosnmp.OctetString, []byte(fmt.Sprintf("VLAN%04d", v)))
		add(oidStaticEgress, v, gosnmp.OctetString, encode(set))
		add(oidStaticUntagged, v, gosnmp.OctetString, encode(set))
	}
	return cols
}

// BenchmarkDecodeBridge500 decodes one read of a 500-port switch (no
// I/O): names, base ports, PVIDs, ten VLANs' membership, the judgement,
// with the PortLists as bitmaps, comma lists or hex text.
func BenchmarkDecodeBridge500(b *testing.B) {
	for _, form := range []portList{{form: formBitmap}, {form: formList}, {form: formHex, sep: " "}} {
		b.Run(strings.Fields(form.form.String())[len(strings.Fields(form.form.String()))-1], func(b *testing.B) {
			cols := bridgeColumns500(func(set PortSet) []byte { pl := form; pl.set = make(PortSet, 63); return pl.encode(set) })
			for b.Loop() {
				var w warnings
				st, err := decodeBridge(cols, &w)
				if err != nil || len(st.ports) != 500 || len(w.list) != 0 || st.ports[0].Segment != "10" {
					b.Fatalf("%v %d %v", err, len(st.ports), w.list)
				}
			}
		})
	}
}
