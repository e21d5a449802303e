package showparse

import (
	"strings"
	"testing"
)

// FuzzExpandTabs: cleanLine's way with a line whose only control
// characters are tabs gives what replaying it on a terminal gives.
func FuzzExpandTabs(f *testing.F) {
	f.Add("Port:\t1:1\tx")
	f.Add("\t\tName: Default, Internal Tag = 1\t")
	f.Add("é\tü\t\t-- x")
	f.Fuzz(func(t *testing.T, l string) {
		if !strings.Contains(strings.TrimRight(l, " \t\r"), "\t") || strings.ContainsFunc(l, func(r rune) bool { return r != '\t' && (r < 0x20 || r == 0x7f) }) {
			return
		}
		want := strings.TrimRight(l, " \t\r")
		want = cleanLine(strings.TrimRight(terminal(want), " ") + "\x00") // the NUL sends it through terminal
		if got := cleanLine(l); got != want {
			t.Fatalf("%q: %q, terminal gives %q", l, got, want)
		}
	})
}
