package showparse

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// textLines splits output into lines as a terminal shows them (see
// cleanLine); line i of the result is line i+1 of the text.
func textLines(text string) []string {
	raw := strings.Split(text, "\n")
	for i, l := range raw {
		raw[i] = cleanLine(l)
	}
	return raw
}

// pagingMark matches what pagers print before a page's first line:
// Cisco, Arista and Dell "--More--" (" --More-- or (q)uit"), Huawei
// "---- More ----", Junos "---(more 42%)---", HP "-- MORE --, next page:
// Space, next line: Enter, quit: Control-C", Extreme "Press <SPACE> to
// continue or <Q> to quit:".
var pagingMark = regexp.MustCompile(`(?i)^\s*(?:-{2,}\s*\(?\s*more(?:\s+\d+%)?\s*\)?\s*-{2,}(?:\s*or\s+\(q\)uit|,\s*next page: space, next line: enter, quit: control-c)?|press <space> to continue or <q> to quit:?)\s?`)

// cleanLine returns one line of output as a terminal would show it: a
// trailing CR and trailing blanks removed, backspaces, carriage returns
// and the usual ANSI cursor sequences applied (pagers erase their
// "--More--" with them), tabs expanded to 8 columns, other control
// characters dropped, and a pager mark at the start removed.
func cleanLine(l string) string {
	l = strings.TrimRight(l, " \t\r")
	plain := true
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < 0x20 || c == 0x7f {
			plain = false
			break
		}
	}
	if !plain {
		l = strings.TrimRight(terminal(l), " ")
	}
	// A pager mark starts, after blanks, with a dash or "press" and says
	// "more" or "<SPACE>": only such lines are matched against pagingMark
	// (rules of dashes are many, and slow to match).
	if t := strings.TrimLeft(l, " "); t != "" && (t[0] == '-' || t[0]|0x20 == 'p') && (containsFold(t, "more") || strings.Contains(t, "<")) {
		if m := pagingMark.FindStringIndex(l); m != nil {
			l = l[m[1]:]
		}
	}
	return l
}

// maxColumn bounds how far a cursor sequence may move (a line of output
// is far shorter).
const maxColumn = 4096

// terminal replays a line's control characters onto a one-line screen.
func terminal(l string) string {
	var buf []rune
	cur := 0
	put := func(r rune) {
		cur = min(cur, maxColumn)
		for len(buf) < cur {
			buf = append(buf, ' ')
		}
		if cur < len(buf) {
			buf[cur] = r
		} else {
			buf = append(buf, r)
		}
		cur++
	}
	for i := 0; i < len(l); {
		r, size := utf8.DecodeRuneInString(l[i:])
		i += size
		switch {
		case r == '\b':
			cur = max(0, cur-1)
		case r == '\r':
			cur = 0
		case r == '\t':
			for {
				put(' ')
				if cur%8 == 0 || cur > maxColumn {
					break
				}
			}
		case r == 0x1b:
			i = escape(l, i, &buf, &cur)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && size == 1:
		default:
			put(r)
		}
	}
	return string(buf)
}

// escape applies the ANSI sequence that starts after the ESC at l[i-1]
// and returns the index after it: CSI K erases to the end of the line,
// CSI n D / C / G move the cursor; any other sequence is ignored.
func escape(l string, i int, buf *[]rune, cur *int) int {
	if i >= len(l) || l[i] != '[' {
		return min(len(l), i+1) // a two-byte escape (ESC 7, ESC =, ...)
	}
	j := i + 1
	n := 0
	for j < len(l) && (l[j] >= '0' && l[j] <= '9' || l[j] == ';' || l[j] == '?') {
		if l[j] >= '0' && l[j] <= '9' && n < 10000 {
			n = n*10 + int(l[j]-'0')
		}
		j++
	}
	if j >= len(l) {
		return j
	}
	step := max(n, 1)
	switch l[j] {
	case 'K': // erase to the end (0), from the start (1), the whole line (2)
		b := *buf
		from, to := min(*cur, len(b)), len(b)
		if n == 1 {
			from, to = 0, min(*cur+1, len(b))
		} else if n == 2 {
			from = 0
		}
		for k := from; k < to; k++ {
			b[k] = ' '
		}
	case 'D':
		*cur = max(0, *cur-step)
	case 'C':
		*cur = min(maxColumn, *cur+step)
	case 'G':
		*cur = min(maxColumn, step-1)
	}
	return j + 1
}
