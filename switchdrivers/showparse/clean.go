package showparse

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// textLines splits output into lines as a terminal shows them (see
// cleanLine); line i of the result is line i+1 of the text. The lines
// whose tabs are expanded are written one after the other into one
// buffer (a line of tabs is rewritten, and EXOS indents every line with
// them).
func textLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	var expanded strings.Builder
	if tabs := strings.Count(text, "\t"); tabs > 0 {
		expanded.Grow(len(text) + 7*tabs)
	}
	for more := true; more; {
		l := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			more = false
		}
		l, tabs := cleanControls(l)
		if tabs > 0 {
			from := expanded.Len()
			writeExpanded(&expanded, l)
			l = expanded.String()[from:] // what is written is never changed
		}
		lines = append(lines, unpage(l))
	}
	return lines
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
	l, tabs := cleanControls(l)
	if tabs > 0 {
		var b strings.Builder
		b.Grow(len(l) + 7*tabs)
		writeExpanded(&b, l)
		l = b.String()
	}
	return unpage(l)
}

// cleanControls is cleanLine up to the pager mark, except that the tabs
// of a line that has no other control character, short enough never to
// reach maxColumn and valid UTF-8, are left to expand (writeExpanded):
// the line and the number of those tabs.
func cleanControls(l string) (string, int) {
	end := len(l)
	for end > 0 && (l[end-1] == ' ' || l[end-1] == '\t' || l[end-1] == '\r') {
		end--
	}
	l = l[:end]
	plain, tabs := true, 0
	for i := 0; i < len(l); i++ {
		if c := l[i]; c == '\t' {
			tabs++
		} else if c < 0x20 || c == 0x7f {
			plain = false
			break
		}
	}
	if !plain || tabs > 0 && (8*len(l) >= maxColumn || !utf8.ValidString(l)) {
		return strings.TrimRight(terminal(l), " "), 0
	}
	return l, tabs // expanded, l ends with neither a blank nor a tab, nor will the result
}

// unpage removes a pager mark at the start of a line. A pager mark
// starts, after blanks, with a dash or "press" and says "more" or
// "<SPACE>": only such lines are matched against pagingMark (rules of
// dashes are many, and slow to match).
func unpage(l string) string {
	if t := strings.TrimLeft(l, " "); t != "" && (t[0] == '-' || t[0]|0x20 == 'p') && mayPage(t) && (containsFold(t, "more") || strings.Contains(t, "<")) {
		if m := pagingMark.FindStringIndex(l); m != nil {
			l = l[m[1]:]
		}
	}
	return l
}

// mayPage says whether t has an "m" (either case) or a "<": a rule of
// dashes, which has neither, is passed over in one scan.
func mayPage(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c|0x20 == 'm' || c == '<' {
			return true
		}
	}
	return false
}

// writeExpanded writes a valid UTF-8 line whose only control characters
// are tabs to b, the tabs expanded to 8-column stops, columns counted in
// runes, as terminal does.
func writeExpanded(b *strings.Builder, l string) {
	col := 0
	for {
		i := strings.IndexByte(l, '\t')
		if i < 0 {
			b.WriteString(l) // the rest: no column to count
			return
		}
		b.WriteString(l[:i])
		for j := 0; j < i; j++ {
			if l[j]&0xc0 != 0x80 { // an ASCII byte or a rune's first
				col++
			}
		}
		n := 8 - col%8
		b.WriteString("        "[:n])
		col += n
		l = l[i+1:]
	}
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
