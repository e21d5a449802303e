package showparse

import (
	"reflect"
	"strings"
	"testing"
)

// TestMikroTikVLANDetail reads entries as RouterOS 6 and 7 print them:
// properties wrapped over lines, quoted values with blanks and escaped
// quotes, a disabled entry, a comment over two lines; an entry without a
// VLAN ID and a line that is not properties are reported.
func TestMikroTikVLANDetail(t *testing.T) {
	text := strings.Join([]string{
		"Flags: X - disabled, R - running",
		" 0 R ;;; uplink",
		"      to the core",
		"      name=\"vlan 10 \\\"office\\\"\" mtu=1500 l2mtu=1594 mac-address=64:D1:54:00:00:01 arp=enabled",
		"      arp-timeout=auto loop-protect=default vlan-id=10 interface=bridge1",
		"      use-service-tag=no",
		"",
		" 1 X  name=\"vlan20\" mtu=1500 vlan-id=20 interface=ether2 use-service-tag=no",
		" 2    name=\"novid\" mtu=1500 interface=ether3",
		" 3 R  name=\"vlan30\" vlan-id=30 interface=ether4",
		"      this is not a property",
	}, "\n")
	rows, rep := MikroTikInterfaceVLAN(text)
	wantWarnings(t, text, rep, 9, 11)
	if len(rows) != 3 {
		t.Fatalf("%+v", rows)
	}
	if v := rows[0]; v.ID != "0" || v.Status != "R" || !reflect.DeepEqual(v.Description, []string{"uplink", "to the core"}) ||
		v.Name != `vlan 10 "office"` || v.VLANID != "10" || v.Interface != "bridge1" || v.ServiceTag != "no" || v.Properties["arp-timeout"] != "auto" {
		t.Fatalf("%+v", v)
	}
	if v := rows[1]; v.Status != "X" || v.VLANID != "20" {
		t.Fatalf("%+v", v)
	}
	var r Result
	if err := Import("mikrotik_routeros", "/interface vlan print detail without-paging", text, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.VLANs) != 3 || r.VLANs[0].ID != "10" || r.VLANs[0].Ports[0] != "bridge1" {
		t.Fatalf("%+v", r.VLANs)
	}
}

// TestMikroTikARP reads RouterOS 7's layout (a column list line, flags
// under "#") and comments between entries.
func TestMikroTikARP(t *testing.T) {
	text := strings.Join([]string{
		"Flags: D - DYNAMIC; C - COMPLETE",
		"Columns: ADDRESS, MAC-ADDRESS, INTERFACE",
		"#    ADDRESS        MAC-ADDRESS        INTERFACE",
		";;; printer",
		"0 DC 192.168.88.10  DC:2C:6E:00:00:01  bridge",
		"1  C 192.168.88.11  DC:2C:6E:00:00:02  bridge",
		"2    192.168.88.12                     bridge",
	}, "\n")
	rows, rep := MikroTikARPTable(text)
	wantWarnings(t, text, rep)
	if len(rows) != 3 || rows[0].Flags != "DC" || rows[1].Flags != "C" || rows[2].MAC != "" || rows[2].Interface != "bridge" {
		t.Fatalf("%+v", rows)
	}
}
