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

// FuzzTextLines: textLines, which writes expanded lines into one buffer,
// gives each line as cleanLine does.
func FuzzTextLines(f *testing.F) {
	f.Add("Port:\t1:1\n\tType:\t\tUTP\n")
	f.Add("a\tb\r\n\t--More--\tx\n\x08\tz\n\tpress <space> to continue or <q> to quit:\ty")
	f.Add("é\tü\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, raw := textLines(s), strings.Split(s, "\n")
		if len(got) != len(raw) {
			t.Fatalf("%q: %d lines, want %d", s, len(got), len(raw))
		}
		for i, l := range raw {
			if want := cleanLine(l); got[i] != want {
				t.Fatalf("%q: line %d is %q, cleanLine gives %q", s, i+1, got[i], want)
			}
		}
	})
}
