package snmp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// smallBridge is the columns of a four-port bridge (ifIndex 101-104
// behind base ports 1-4, named p1-p4), ports 1-2 untagged in VLAN 10,
// 3-4 in VLAN 20, every PVID set; edit changes them before the read.
func smallBridge(edit func(cols map[string][]gosnmp.SnmpPDU)) map[string][]gosnmp.SnmpPDU {
	cols := map[string][]gosnmp.SnmpPDU{}
	add := func(root string, index int, typ gosnmp.Asn1BER, value any) {
		cols[root] = append(cols[root], gosnmp.SnmpPDU{Name: fmt.Sprintf("%s.%d", root, index), Type: typ, Value: value})
	}
	for p := 1; p <= 4; p++ {
		add(oidBasePortIfIndex, p, gosnmp.Integer, 100+p)
		add(oidIfName, 100+p, gosnmp.OctetString, []byte(fmt.Sprintf("p%d", p)))
		add(oidIfAlias, 100+p, gosnmp.OctetString, []byte("host"))
		add(oidPvid, p, gosnmp.Gauge32, uint32(10+10*((p-1)/2)))
	}
	for _, v := range []int{10, 20} {
		var set PortSet
		for p := 1; p <= 4; p++ {
			if 10+10*((p-1)/2) == v {
				set = set.With(p)
			}
		}
		add(oidStaticName, v, gosnmp.OctetString, []byte(fmt.Sprintf("v%d", v)))
		add(oidStaticEgress, v, gosnmp.OctetString, []byte(set))
		add(oidStaticUntagged, v, gosnmp.OctetString, []byte(set))
		add(oidCurrentEgress, v, gosnmp.OctetString, []byte(set))
		add(oidCurrentUntagged, v, gosnmp.OctetString, []byte(set))
	}
	if edit != nil {
		edit(cols)
	}
	return cols
}

// set replaces the value of oid in cols.
func set(cols map[string][]gosnmp.SnmpPDU, oid string, typ gosnmp.Asn1BER, value any) {
	root := oid[:strings.LastIndexByte(oid, '.')]
	for i, v := range cols[root] {
		if v.Name == oid {
			cols[root][i].Type, cols[root][i].Value = typ, value
		}
	}
}

// drop removes the row oid from cols.
func drop(cols map[string][]gosnmp.SnmpPDU, oid string) {
	root := oid[:strings.LastIndexByte(oid, '.')]
	cols[root] = slices.DeleteFunc(cols[root], func(v gosnmp.SnmpPDU) bool { return v.Name == oid })
}

// TestUnreadableValues: every value a read cannot use is a row naming
// the ports whose state it feeds — the port its index names; every port
// for a membership list the read judges from; the ports with no row in
// the column for a row whose index cannot be read or a column cut short;
// none for what only shows (a description) or a value the read does not
// judge from — and PortRead.Check refuses exactly those.
func TestUnreadableValues(t *testing.T) {
	all := []string{"p1", "p2", "p3", "p4"}
	for _, tc := range []struct {
		name string
		edit func(cols map[string][]gosnmp.SnmpPDU)
		cut  string // a column cut short
		want []string
		text string // in the row's text
	}{
		{"a PVID of the wrong type", func(c map[string][]gosnmp.SnmpPDU) { set(c, oidPvid+".2", gosnmp.OctetString, []byte("10")) },
			"", []string{"p2"}, `dot1qPvid.2 (1.3.6.1.2.1.17.7.1.4.5.1.1.2) = OctetString "10"`},
		{"a static egress list of the wrong type", func(c map[string][]gosnmp.SnmpPDU) { set(c, oidStaticEgress+".20", gosnmp.Integer, 7) },
			"", all, "dot1qVlanStaticEgressPorts.20"},
		{"a static untagged list that fits no form", func(c map[string][]gosnmp.SnmpPDU) {
			set(c, oidStaticUntagged+".10", gosnmp.OctetString, []byte("1,2,x"))
		}, "", all, `"1,2,x"`},
		{"a current list of a VLAN the static table has", func(c map[string][]gosnmp.SnmpPDU) {
			set(c, oidCurrentEgress+".10", gosnmp.Integer, 7)
		}, "", nil, "dot1qVlanCurrentEgressPorts.10"},
		{"a current list of a VLAN only the current table has", func(c map[string][]gosnmp.SnmpPDU) {
			drop(c, oidStaticEgress+".20")
			drop(c, oidStaticUntagged+".20")
			set(c, oidCurrentUntagged+".20", gosnmp.Integer, 7)
		}, "", all, "dot1qVlanCurrentUntaggedPorts.20"},
		{"a description of the wrong type", func(c map[string][]gosnmp.SnmpPDU) { set(c, oidIfAlias+".103", gosnmp.Integer, 7) },
			"", nil, "ifAlias.103"},
		{"a PVID row whose index cannot be read, beside a port with no PVID row", func(c map[string][]gosnmp.SnmpPDU) {
			drop(c, oidPvid+".4")
			c[oidPvid] = append(c[oidPvid], gosnmp.SnmpPDU{Name: oidPvid + ".0", Type: gosnmp.Gauge32, Value: uint32(20)})
		}, "", []string{"p4"}, "dot1qPvid.0"},
		{"the description column cut short", func(c map[string][]gosnmp.SnmpPDU) { drop(c, oidIfAlias+".104") },
			oidIfAlias, nil, "ifAlias (1.3.6.1.2.1.31.1.1.1.18)"},
		{"the PVID column cut short", func(c map[string][]gosnmp.SnmpPDU) { drop(c, oidPvid+".3"); drop(c, oidPvid+".4") },
			oidPvid, []string{"p3", "p4"}, "dot1qPvid (1.3.6.1.2.1.17.7.1.4.5.1.1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w warnings
			if tc.cut != "" {
				w.cut(tc.cut, "the walk of this column stops there")
			}
			st, err := decodeBridge(smallBridge(tc.edit), &w)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.rows) != 1 {
				t.Fatalf("rows %+v (warnings %v)", st.rows, w.list)
			}
			u := st.rows[0]
			if !slices.Equal(u.Ports, tc.want) || !strings.Contains(u.Text, tc.text) || !u.PortsOnly || u.Reason == "" || !strings.HasPrefix(u.Command, "walk ") {
				t.Fatalf("row %+v, want ports %v and %q in its text", u, tc.want, tc.text)
			}
			read := switchdrivers.PortRead{Ports: st.ports, Unreadable: st.rows}
			for _, p := range all {
				err := read.Check("sw", []string{p}, same)
				var up *switchdrivers.UnreadablePortError
				if concerned := slices.Contains(tc.want, p); concerned != errors.As(err, &up) {
					t.Errorf("%s (concerned: %v): %v", p, concerned, err)
				}
			}
			// A value's text names no port: port "10" is no row's.
			if u.Concerns("10", same) && !slices.Contains(tc.want, "10") {
				t.Error("a word of the value was taken for a port")
			}
		})
	}
}

// TestUnreadableCiscoValues: a vmVlan or trunk status that cannot be read
// concerns its port; a VLAN's state concerns none.
func TestUnreadableCiscoValues(t *testing.T) {
	cols := map[string][]gosnmp.SnmpPDU{}
	add := func(root string, index int, typ gosnmp.Asn1BER, value any) {
		cols[root] = append(cols[root], gosnmp.SnmpPDU{Name: fmt.Sprintf("%s.%d", root, index), Type: typ, Value: value})
	}
	for p := 1; p <= 3; p++ {
		add(oidIfName, p, gosnmp.OctetString, []byte(fmt.Sprintf("Gi0/%d", p)))
		add(oidVmVlan, p, gosnmp.Integer, 10)
		add(oidTrunkDynStatus, p, gosnmp.Integer, 2)
	}
	add(oidVtpVlanState, 10, gosnmp.Integer, 1)
	add(oidVtpVlanState, 20, gosnmp.OctetString, []byte("up"))
	set(cols, oidVmVlan+".2", gosnmp.OctetString, []byte("10"))
	set(cols, oidTrunkDynStatus+".3", gosnmp.OctetString, []byte("no"))
	var w warnings
	st, err := decodeCisco(cols, &w)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, u := range st.rows {
		got[u.Command] = u.Ports
	}
	if len(st.rows) != 3 || !slices.Equal(got["walk vmVlan"], []string{"Gi0/2"}) || !slices.Equal(got["walk vlanTrunkPortDynamicStatus"], []string{"Gi0/3"}) ||
		got["walk vtpVlanState"] != nil {
		t.Fatalf("rows %+v", st.rows)
	}
}
