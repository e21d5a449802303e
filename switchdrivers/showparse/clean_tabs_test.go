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

// FuzzNoControl8: the word test agrees with a test of each byte.
func FuzzNoControl8(f *testing.F) {
	f.Add([]byte("Port:\t1:1"))
	f.Add([]byte{0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0, 0x21})
	f.Add([]byte("abcdefgh"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 8 {
			return
		}
		b = b[:8]
		want := true
		for _, c := range b {
			if c < 0x20 || c == 0x7f {
				want = false
			}
		}
		if got := noControl8(string(b)); got != want {
			t.Fatalf("noControl8(%q) = %v", b, got)
		}
	})
}
