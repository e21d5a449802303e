package showparse

import (
	"slices"
	"strings"
	"testing"
)

// FuzzWordHelpers: appendFields, joinFields, foldKey and lookupLower give what the strings
// functions they stand for give.
func FuzzWordHelpers(f *testing.F) {
	for _, s := range []string{"", " ", "Tagged ports", "VLAN  ID", " vlan id", "vlan id ", "vlan\tid", "GigabitEthernet1/0/1   GigabitEthernet2/0/1", "é x", "a\u00a0b", "\v\fx\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendFields([]string{"x"}, s), append([]string{"x"}, strings.Fields(s)...); !slices.Equal(got, want) {
			t.Fatalf("appendFields(%q) = %q, want %q", s, got, want)
		}
		if got, want := joinFields(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("joinFields(%q) = %q, want %q", s, got, want)
		}
		m := map[string]string{strings.ToLower(s): "x", "port is member in": "member"}
		for _, k := range []string{s, "Port is member in", "PORT IS MEMBER in"} {
			got, ok := lookupLower(m, k)
			want, wok := m[strings.ToLower(k)]
			if got != want || ok != wok {
				t.Fatalf("lookupLower(%q) = %q %v, want %q %v", k, got, ok, want, wok)
			}
		}
		if got, want := foldKey(s), strings.ToLower(strings.Join(strings.Fields(s), " ")); got != want {
			t.Fatalf("foldKey(%q) = %q, want %q", s, got, want)
		}
	})
}
