package snmp

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// ports makes a bridge of the listed base ports and ranges ("1-48").
func bridgeOf(spec ...any) map[int]bool {
	out := map[int]bool{}
	for _, s := range spec {
		switch v := s.(type) {
		case int:
			out[v] = true
		case [2]int:
			for p := v[0]; p <= v[1]; p++ {
				out[p] = true
			}
		}
	}
	return out
}

// hexDump writes octets as Net-SNMP prints a Hex-STRING: lines of 16
// "XX " pairs.
func hexDump(b []byte) string {
	var sb strings.Builder
	for i, o := range b {
		if i > 0 && i%16 == 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "%02X ", o)
	}
	return sb.String()
}

// recorderArtefact wraps octets as some recorders stored them: the first
// 16 in binary, then the rest of the dump as text.
func recorderArtefact(b []byte) []byte {
	dump := hexDump(b)
	first, rest, _ := strings.Cut(dump, "\n")
	_ = first
	return append(slices.Clone(b[:16]), []byte("\n"+rest)...)
}

type decodeCase struct {
	name   string
	bridge map[int]bool
	values [][]byte // decoded together (one read); the first is checked
	want   []int    // the first value's members that are bridge ports
	form   portForm
	warn   string // a warning about the first value containing this
}

func runDecode(t *testing.T, tc decodeCase) {
	t.Helper()
	var warned []string
	dec := portListDecoder{bridge: tc.bridge, warn: func(oid, format string, a ...any) {
		warned = append(warned, oid+": "+fmt.Sprintf(format, a...))
	}}
	var vs []portListValue
	for i, b := range tc.values {
		vs = append(vs, portListValue{oid: fmt.Sprintf("%s.%d", oidStaticEgress, i+1), b: b})
	}
	out := dec.decode(vs)
	pl, ok := out[vs[0].oid]
	switch {
	case tc.want == nil && tc.warn != "":
		if ok {
			t.Errorf("%s: read as %s %v, want it refused", tc.name, pl.form, pl.set.within(tc.bridge))
		}
	case !ok:
		t.Errorf("%s: not read (%v)", tc.name, warned)
	case !slices.Equal(pl.set.within(tc.bridge), tc.want) || pl.form != tc.form:
		t.Errorf("%s: %s %v, want %s %v (warnings %v)", tc.name, pl.form, pl.set.within(tc.bridge), tc.form, tc.want, warned)
	}
	found := tc.warn == ""
	for _, w := range warned {
		if !strings.HasPrefix(w, oidStaticEgress+".") {
			t.Errorf("%s: warning names no value's OID: %s", tc.name, w)
		}
		if tc.warn != "" && strings.HasPrefix(w, vs[0].oid+":") && strings.Contains(w, tc.warn) {
			found = true
		}
	}
	if !found {
		t.Errorf("%s: no warning about %s containing %q: %v", tc.name, vs[0].oid, tc.warn, warned)
	}
	if tc.warn == "" && len(warned) > 0 {
		t.Errorf("%s: unexpected warnings %v", tc.name, warned)
	}
}

// TestPortListForms: each form agents and recorders use reads as the
// standard means it; only ports the bridge has count.
func TestPortListForms(t *testing.T) {
	ports48 := bridgeOf([2]int{1, 48})
	padded := make([]byte, 160) // far longer than 48 ports
	padded[0], padded[5], padded[100] = 0x81, 0x01, 0xff
	artefact := make([]byte, 160)
	artefact[0], artefact[120] = 0x80, 0x40 // port 1, and port 962 in the dumped part
	junos := bridgeOf(3, 4, [2]int{490, 520}, [2]int{4096, 4480})
	for _, tc := range []decodeCase{
		{name: "bitmap", bridge: ports48, values: [][]byte{{0x80, 0x01, 0x00, 0x00, 0x00, 0x01}}, want: []int{1, 16, 48}, form: formBitmap},
		{name: "bitmap longer than the bridge", bridge: ports48, values: [][]byte{padded}, want: []int{1, 8, 48}, form: formBitmap},
		{name: "empty", bridge: ports48, values: [][]byte{{}}, want: nil, form: formBitmap},
		{name: "zeros", bridge: ports48, values: [][]byte{make([]byte, 64)}, want: nil, form: formBitmap},
		{name: "hex text", bridge: bridgeOf([2]int{1, 40}), values: [][]byte{[]byte("ff ff f8 80 00")}, want: append(seq(1, 21), 25), form: formHex},
		{name: "hex text, colons", bridge: bridgeOf([2]int{1, 40}), values: [][]byte{[]byte("FF:FF:F8:80:00")}, want: append(seq(1, 21), 25), form: formHex},
		{name: "hex text, 0x", bridge: bridgeOf([2]int{1, 40}), values: [][]byte{[]byte("0xFFFFF88000")}, want: append(seq(1, 21), 25), form: formHex},
		{name: "hex dump lines", bridge: ports48, values: [][]byte{[]byte(hexDump(append([]byte{0x80}, make([]byte, 20)...)))}, want: []int{1}, form: formHex},
		{name: "list with port 0", bridge: bridgeOf(1, 4097, 4099), values: [][]byte{[]byte("0,4097,4099")}, want: []int{4097, 4099}, form: formList},
		{name: "list with ranges", bridge: ports48, values: [][]byte{[]byte("1-4,7")}, want: []int{1, 2, 3, 4, 7}, form: formList},
		{name: "list with blanks", bridge: ports48, values: [][]byte{[]byte(" 1 - 4 , 7 ")}, want: []int{1, 2, 3, 4, 7}, form: formList},
		{name: "list naming ports the bridge lacks", bridge: ports48, values: [][]byte{[]byte("3,4434,4443")}, want: []int{3}, form: formList},
		{name: "Junos single port", bridge: junos, values: [][]byte{[]byte("3")}, want: []int{3}, form: formList},
		{name: "recorder artefact", bridge: bridgeOf([2]int{1, 48}, 57, 58, 962), values: [][]byte{recorderArtefact(artefact)}, want: []int{1, 962}, form: formRecorded},
		{name: "recorder artefact invents nothing", bridge: bridgeOf([2]int{1, 48}, 57, 58, 962), values: [][]byte{recorderArtefact(make([]byte, 160))}, want: nil, form: formRecorded},
		// A one-octet value "3" (0x33): bitmap ports 3,4,7,8, or the list
		// "3". The agent's other values decide.
		{name: "ambiguous, the agent sends bitmaps", bridge: bridgeOf([2]int{1, 8}), values: [][]byte{[]byte("3"), {0x80}, {0x01}}, want: []int{3, 4, 7, 8}, form: formBitmap},
		{name: "ambiguous, the agent sends lists", bridge: bridgeOf([2]int{1, 8}), values: [][]byte{[]byte("3"), []byte("1,2"), []byte("5-6")}, want: []int{3}, form: formList},
		{name: "ambiguous, nothing tells", bridge: bridgeOf([2]int{1, 8}), values: [][]byte{[]byte("3")}, want: []int{3, 4, 7, 8}, form: formBitmap, warn: "taken as an RFC 4363 bitmap"},
		// Printable, no text grammar, and its bitmap reading names ports
		// the bridge lacks: no form fits.
		{name: "fits no form", bridge: bridgeOf(3, 4434), values: [][]byte{[]byte("3,4434,x")}, warn: "fits no PortList form"},
		{name: "printable bitmap of real ports", bridge: bridgeOf([2]int{1, 16}), values: [][]byte{[]byte("A@")}, want: []int{2, 8, 10}, form: formBitmap},
	} {
		runDecode(t, tc)
	}
}

func seq(a, z int) []int {
	var out []int
	for p := a; p <= z; p++ {
		out = append(out, p)
	}
	return out
}

// TestPortListEncode: a rewrite keeps the form the agent used, the
// bitmap's length, and the members the bridge does not list.
func TestPortListEncode(t *testing.T) {
	bitmap := portList{set: PortSet{0x80, 0, 0, 0, 0, 0, 0, 0x01}, form: formBitmap}
	if got := bitmap.encode(bitmap.set.With(2)); !slices.Equal(got, []byte{0xc0, 0, 0, 0, 0, 0, 0, 0x01}) {
		t.Errorf("bitmap: % x", got)
	}
	if got := bitmap.encode(PortSet(nil)); len(got) != 8 {
		t.Errorf("bitmap shrank to %d octets", len(got))
	}
	list := portList{set: PortSet(nil).With(3).With(4434), form: formList}
	if got := string(list.encode(list.set.Without(3).With(5))); got != "5,4434" {
		t.Errorf("list: %q", got)
	}
	hex := portList{set: PortSet{0xff, 0x00, 0x00}, form: formHex, sep: ":", upper: true}
	if got := string(hex.encode(hex.set.With(24))); got != "FF:00:01" {
		t.Errorf("hex: %q", got)
	}
	for _, pl := range []portList{bitmap, list, hex} {
		enc := pl.encode(pl.set)
		back, ok := decodeAs(enc, pl.form)
		if !ok || !back.equalMembers(pl.set) {
			t.Errorf("%s: %q reads back as %v, want %v", pl.form, enc, back.Ports(), pl.set.Ports())
		}
	}
}
