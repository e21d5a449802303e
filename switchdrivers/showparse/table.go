package showparse

import (
	"fmt"
	"slices"
	"strings"
)

// This file is the table reader every column-aligned `show` table goes
// through (DESIGN §8). A parser describes its table once with a Spec —
// the columns it needs, each with the header words that name it — and
// reads rows by column name:
//
//	var vlans = NewTable(Spec{
//		Command: "show vlan",
//		Columns: []Column{{"vlan", []string{"VLAN", "VID"}}, {"name", []string{"Name"}}, {"ports", []string{"Ports"}}},
//	})
//	rep := vlans.Read(text, func(r Row) error {
//		if r.Cell("vlan") == "" { return errors.New("no VLAN ID") } // reported with the line; the table goes on
//		out = append(out, VLAN{ID: r.Cell("vlan"), Name: r.Cell("name")})
//		return nil
//	})
//
// The reader finds every header of the table in the text (a table may be
// printed in several sections, each with its own header and widths),
// locates the columns from the header line — from the dashes under it
// when there are several runs of them, which also lets a header span two
// lines — and cuts each row into cells by position: a cell that starts
// left of its column or runs over into the next is kept whole, a row whose
// cells are all shifted (a shorter port column) is realigned, columns the
// Spec does not name are read past, and columns the header lacks read as
// "". Paging residue (--More--, backspaces, ANSI sequences), CRLF, tabs,
// prompts, blank lines and rules are dealt with before a parser sees a
// row. A row the parser rejects becomes a Warning with its line number
// and text; it never aborts the table.

// Column is one column a parser reads.
type Column struct {
	// Name is how the parser asks for the cell: Row.Cell(Name).
	Name string
	// Headers are the header texts that name the column on the
	// platforms and releases the parser reads ("Vlan", "VLAN ID",
	// "Mac Address"). They are matched as whole words, ignoring case and
	// spacing; a title split over two header lines matches too.
	Headers []string
}

// Spec describes one kind of table.
type Spec struct {
	// Command is the command that prints the table, for messages.
	Command string
	// Columns are the columns the parser reads. Other columns of a
	// header are read past.
	Columns []Column
	// Signatures say which columns a header must name to be this table's
	// header: any one signature suffices (a table printed in two layouts
	// has two). Nil means every column.
	Signatures [][]string
	// Key is the column every row starts with (default: the first
	// column). A line whose key cell is empty continues the row above it
	// (Row.Continuation): a long port list wrapped onto the next line.
	Key string
	// Skip recognises lines inside the table that are documented not to
	// be rows ("Total Mac Addresses for this criterion: 5"). It gets the
	// line without leading and trailing blanks.
	Skip func(line string) bool
	// Context recognises lines that qualify the rows after them ("VRF:
	// blue", "IP ARP Table for context default"); the last one seen is
	// Row.Context. They are not rows.
	Context func(line string) bool
	// Stop recognises a line after which nothing in the text belongs to
	// this table ("Multicast Entries").
	Stop func(line string) bool
}

// Table is a compiled Spec; it is read-only and safe to share.
type Table struct {
	spec    Spec
	index   map[string]int // column name -> index in spec.Columns
	aliases []alias        // longest first
	sigs    [][]int
	key     int
}

type alias struct {
	words   []string // lower case
	col     int
	letters uint32 // the letters of its words (see letterSet)
}

// letterSet is the set of ASCII letters in s, case folded, as bits.
func letterSet(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		}
	}
	return m
}

// NewTable compiles s. It panics on a Spec that names a column twice or
// a signature or key column that does not exist: that is a bug in the
// parser, caught by its first test.
func NewTable(s Spec) *Table {
	t := &Table{spec: s, index: map[string]int{}}
	for i, c := range s.Columns {
		if _, dup := t.index[c.Name]; dup || c.Name == "" || len(c.Headers) == 0 {
			panic(fmt.Sprintf("showparse: table %q: column %q is unnamed, has no header or is named twice", s.Command, c.Name))
		}
		t.index[c.Name] = i
		for _, h := range c.Headers {
			if w := strings.Fields(strings.ToLower(h)); len(w) > 0 {
				t.aliases = append(t.aliases, alias{w, i, letterSet(h)})
			}
		}
	}
	slices.SortStableFunc(t.aliases, func(a, b alias) int { return len(b.words) - len(a.words) })
	sigs := s.Signatures
	if sigs == nil {
		all := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			all[i] = c.Name
		}
		sigs = [][]string{all}
	}
	for _, sig := range sigs {
		var idx []int
		for _, name := range sig {
			i, ok := t.index[name]
			if !ok {
				panic(fmt.Sprintf("showparse: table %q: signature names unknown column %q", s.Command, name))
			}
			idx = append(idx, i)
		}
		t.sigs = append(t.sigs, idx)
	}
	if s.Key != "" {
		i, ok := t.index[s.Key]
		if !ok {
			panic(fmt.Sprintf("showparse: table %q: unknown key column %q", s.Command, s.Key))
		}
		t.key = i
	}
	return t
}

// Row is one row of a table, cut into cells by the columns of the header
// above it.
type Row struct {
	Line    int    // 1-based line number in the text read
	Text    string // the line as the terminal showed it
	t       *Table
	sec     *section
	cells   []string // per header column
	ctx     string
	compact bool // four or more words, each one blank apart
}

// Cell is the text of the named column in this row, without surrounding
// blanks; "" when the cell is empty or this section's header does not
// have the column.
func (r Row) Cell(name string) string {
	i := r.t.column(name)
	if i < 0 {
		panic(fmt.Sprintf("showparse: table %q has no column %q", r.t.spec.Command, name))
	}
	if c := r.sec.byCol[i]; c >= 0 {
		return r.cells[c]
	}
	return ""
}

// column is the index of the named column in the Spec, -1 if none: a
// search of the few names a table has, quicker than its index map for
// the cells of every row.
func (t *Table) column(name string) int {
	for i := range t.spec.Columns {
		if t.spec.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// Has says whether this row's header has the named column.
func (r Row) Has(name string) bool {
	i := r.t.column(name)
	return i >= 0 && r.sec.byCol[i] >= 0
}

// Continuation says whether the row's key cell is empty: the line
// continues the row above it.
func (r Row) Continuation() bool { return r.Cell(r.t.spec.Columns[r.t.key].Name) == "" }

// Aligned says whether positions carry meaning in this row: its header
// is set out in columns (dashes under it, or at least two blanks between
// most titles) and the row is too (not four or more words from the start
// of the line, each one blank apart). When it is not — "Port Name Status Vlan", or a row printed
// without padding under an aligned header — a parser reads the row's
// Fields instead.
func (r Row) Aligned() bool { return r.sec.aligned && !r.compact }

// Fields are the row's blank-separated words.
func (r Row) Fields() []string { return strings.Fields(r.Text) }

// Context is the last line the Spec's Context recognised before this row
// ("" if none).
func (r Row) Context() string { return r.ctx }

// Read reads every section of the table in text and hands each row to
// row, in order. A row for which row returns an error is skipped and
// reported with the error as its reason; the table goes on. Text that has
// lines but no header of the table is reported once, at its first line.
func (t *Table) Read(text string, row func(Row) error) Report {
	return t.readLines(textLines(text), row, nil)
}

// readLines is Read of lines already as the terminal shows them (see
// textLines). headers, if not nil, keeps the headers found, for the next
// reads of texts that repeat them (one table per entry of a long
// output).
func (t *Table) readLines(lines []string, row func(Row) error, headers headerCache) Report {
	rep := Report{Command: t.spec.Command, Line: 1}
	var sec *section
	ctx := ""
	first := -1       // first line with content, for "no header"
	firstRow := false // the next line is the first under a header
	var tokBuf [32]tok
	toks := tokBuf[:0] // a row's words, on the stack for the usual few
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || isRule(l) {
			continue
		}
		if isPrompt(trimmed) {
			sec = nil // the next command's output starts here
			continue
		}
		if t.spec.Stop != nil && t.spec.Stop(trimmed) {
			break
		}
		if s, last := headers.header(t, lines, i); s != nil {
			sec, i = s, last
			rep.Sections++
			firstRow = true
			continue
		}
		if t.spec.Context != nil && t.spec.Context(trimmed) {
			ctx = trimmed
			continue
		}
		if exemptLine(trimmed) || (t.spec.Skip != nil && t.spec.Skip(trimmed)) {
			continue
		}
		if first < 0 {
			first = i
		}
		if sec == nil {
			continue // text around the tables: legends, titles, counts
		}
		if !firstRow && foreignHeader(lines, i) {
			sec = nil // another table of the same output (VLAN types, remote SPAN)
			continue
		}
		firstRow = false // the first line under a header is a row, even between two rules
		toks = tokenize(l, toks[:0])
		r := Row{Line: i + 1, Text: l, t: t, sec: sec, cells: sec.cut(l, toks), ctx: ctx, compact: compact(toks)}
		if err := row(r); err != nil {
			rep.warn(i+1, l, err.Error())
			continue
		}
		rep.Read++
	}
	if rep.Sections == 0 && first >= 0 {
		rep.warn(first+1, lines[first], fmt.Sprintf("no %s table here: no header naming %s", t.spec.Command, t.describe()))
	}
	return rep
}

// describe names the columns of the table's first signature as its
// header prints them: "Port, Status, Vlan".
func (t *Table) describe() string {
	var names []string
	for _, c := range t.sigs[0] {
		names = append(names, t.spec.Columns[c].Headers[0])
	}
	return strings.Join(names, ", ")
}

// Score says how well text's best header matches the table: the number
// of the Spec's columns it names, or 0 when no header of the table is in
// the text. Detection compares it across tables.
func (t *Table) Score(text string) int {
	lines := textLines(text)
	best := 0
	for i := range lines {
		if s, _ := t.header(lines, i); s != nil {
			n := 0
			for _, c := range s.byCol {
				if c >= 0 {
					n++
				}
			}
			best = max(best, n)
		}
	}
	return best
}

// exemptLine recognises lines any Cisco-like CLI may put in any output:
// the exec timestamp ("Load for five secs: ...", "Time source is NTP,
// ...").
func exemptLine(l string) bool {
	return strings.HasPrefix(l, "Load for ") || strings.HasPrefix(l, "Time source is ")
}

// isRule says whether l is a rule: only dashes, equals signs, plus signs,
// bars and blanks, with at least three dashes or equals signs.
func isRule(l string) bool {
	n := 0
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '-', '=':
			n++
		case ' ', '+', '|':
		default:
			return false
		}
	}
	return n >= 3
}

// isPrompt recognises a prompt line, bare or with the next command.
func isPrompt(l string) bool {
	if strings.IndexByte(l, '#') < 0 && strings.IndexByte(l, '>') < 0 {
		return false // every prompt has one (see splitPrompt)
	}
	_, ok := splitPrompt(l)
	return ok
}

// splitPrompt returns what was typed after the prompt of a prompt line:
// "sw1#", "sw1#show vlan", "sw1# show vlan", "user@sw> show vlans",
// "<HUAWEI>display vlan", "[admin@MikroTik] > /ip arp print".
func splitPrompt(l string) (string, bool) {
	l = strings.TrimSpace(l)
	var rest string
	switch {
	case strings.HasPrefix(l, "<"):
		end := strings.IndexByte(l, '>')
		if end < 2 || !promptName(l[1:end]) {
			return "", false
		}
		rest = l[end+1:]
	case strings.HasPrefix(l, "["):
		end := strings.IndexByte(l, ']')
		if end < 2 || !promptName(l[1:end]) {
			return "", false
		}
		rest = strings.TrimSpace(l[end+1:])
		if !strings.HasPrefix(rest, ">") {
			return "", false
		}
		rest = rest[1:]
	case strings.HasPrefix(l, "("): // FASTPATH (EdgeSwitch, PowerConnect): "(UBNT EdgeSwitch) #", "(sw1) (Config)#"
		end := strings.IndexByte(l, ')')
		if end < 2 || !promptName(strings.ReplaceAll(l[1:end], " ", "_")) {
			return "", false
		}
		rest = strings.TrimSpace(l[end+1:])
		if strings.HasPrefix(rest, "(") {
			mode := strings.IndexByte(rest, ')')
			if mode < 0 || !promptName(rest[:mode+1]) {
				return "", false
			}
			rest = strings.TrimSpace(rest[mode+1:])
		}
		if rest == "" || rest[0] != '#' && rest[0] != '>' {
			return "", false
		}
		rest = rest[1:]
	default:
		end := strings.IndexAny(l, "#>")
		if end < 1 || !promptName(strings.TrimSuffix(l[:end], " Router")) && !exosPrompt(l[:end]) { // FastIron's layer-3 images: "SSH@ICX7450 Router#"
			return "", false
		}
		rest = l[end+1:]
	}
	rest = strings.TrimSpace(rest)
	if rest != "" && !(rest[0] >= 'a' && rest[0] <= 'z' || rest[0] >= 'A' && rest[0] <= 'Z' || rest[0] == '/') {
		return "", false
	}
	return rest, true
}

// exosPrompt recognises what EXOS prints before "#" or ">": the name and
// the command's number, a blank ("X440G2.5 "), with "* " before it when
// the configuration is not saved and "Slot-1 " on a stack.
func exosPrompt(s string) bool {
	s, ok := strings.CutSuffix(s, " ")
	s = strings.TrimPrefix(s, "* ")
	if slot, rest, found := strings.Cut(s, " "); found && strings.HasPrefix(slot, "Slot-") && isNumber(slot[5:]) {
		s = rest
	}
	dot := strings.LastIndexByte(s, '.')
	return ok && dot > 0 && isNumber(s[dot+1:]) && promptName(s)
}

func promptName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@/:()~", r)) {
			return false
		}
	}
	return true
}

// foreignHeader says whether the line at i heads another table: it
// follows a blank line (or a rule) and a rule follows it. The reader
// leaves the current table there; rows right above a closing rule are
// still rows.
func foreignHeader(lines []string, i int) bool {
	if i+1 >= len(lines) || !isRule(lines[i+1]) {
		return false
	}
	return i == 0 || strings.TrimSpace(lines[i-1]) == "" || isRule(lines[i-1])
}

// compact says whether a row of four or more words starts the line and
// has them one blank apart, as no padded row does.
func compact(toks []tok) bool {
	if len(toks) < 4 || toks[0].start != 0 {
		return false
	}
	for i := 1; i < len(toks); i++ {
		if toks[i].start-toks[i-1].end != 1 {
			return false
		}
	}
	return true
}

// tok is one blank-separated word of a line: its columns [start, end)
// and its bytes [bs, be).
type tok struct{ start, end, bs, be int }

// tokenize appends l's words to out. Columns count runes (cleanLine has
// expanded tabs).
func tokenize(l string, out []tok) []tok {
	col, in := 0, false
	var cur tok
	for i, r := range l {
		if r == ' ' {
			if in {
				cur.end, cur.be = col, i
				out = append(out, cur)
				in = false
			}
		} else if !in {
			cur = tok{start: col, bs: i}
			in = true
		}
		col++
	}
	if in {
		cur.end, cur.be = col, len(l)
		out = append(out, cur)
	}
	return out
}

// hcol is one column of a header as printed.
type hcol struct {
	start, end int      // extent of its title (or its dashes)
	title      []string // lower-case words, top line first
	col        int      // index in the Spec's columns, -1 for a column the Spec does not name
	anchorsL   []int    // where cells of this column start when aligned
	anchorsR   []int    // where right-aligned cells end
}

// section is the layout of the rows under one header.
type section struct {
	cols    []hcol
	byCol   []int // Spec column -> index in cols, or -1
	aligned bool
}

// header returns the section whose header starts at line i, and the
// index of the header's last line (its rule, if any); nil if line i does
// not start a header of the table.
func (t *Table) header(lines []string, i int) (*section, int) {
	if isRule(lines[i]) || strings.TrimSpace(lines[i]) == "" {
		return nil, 0
	}
	// The header's lines: line i, and one more when a rule follows it.
	// Blank lines between them are passed over (a capture that doubled
	// every line end).
	last, rule := i, -1
	j := nextContent(lines, i+1)
	switch k := nextContent(lines, j+1); {
	case j < len(lines) && isRule(lines[j]):
		rule = j
	case k < len(lines) && !isRule(lines[j]) && isRule(lines[k]):
		last, rule = j, k
	}
	if !t.mayMatch(lines[i : last+1]) {
		if last == i {
			return nil, 0
		}
		last, rule = i, -1 // maybe a one-line header right above a row
		if !t.mayMatch(lines[i : i+1]) {
			return nil, 0
		}
	}
	dashed := rule >= 0 && len(runs(lines[rule])) >= 2
	if last > i && strings.Contains(lines[i], ":") && (!dashed || strings.TrimSpace(lines[i+1]) == "") {
		// "The total number of vlans is : 2" right above a header
		// without column dashes, or "Management VLAN :" a blank line
		// above a header:
		// a statement, not the header's first line (column titles have
		// no colon); the header starts on a later line. ("EHWIC: 1"
		// right above a header and its rule is the section's title.)
		return nil, 0
	}
	var s *section
	if dashed {
		s = t.dashHeader(lines[i:last+1], runs(lines[rule]))
	}
	if s == nil { // no runs, or titles that do not sit over them (an unpadded header)
		s = t.wordHeader(lines[i : last+1])
	}
	if s == nil && last > i { // a title above a one-line header
		s, rule = t.wordHeader(lines[i:i+1]), -1
		last = i
	}
	if s == nil {
		return nil, 0
	}
	if rule >= 0 {
		last = rule
	}
	return s, last
}

// nextContent is the index of the first line from i on that is not
// blank (len(lines) if none).
func nextContent(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

// headerCache maps the lines a header may span (see Table.header) to
// the section they start and the header's last line, relative to its
// first. A section is not changed once laid out, so rows under equal
// headers can share it.
type headerCache map[string]cachedHeader

type cachedHeader struct {
	sec  *section
	last int
}

// header is t.header, remembered in c (when c is not nil).
func (c headerCache) header(t *Table, lines []string, i int) (*section, int) {
	if c == nil {
		return t.header(lines, i)
	}
	// t.header reads line i and the next two lines with content after it.
	j := nextContent(lines, i+1)
	k := nextContent(lines, j+1)
	if isRule(lines[i]) || !t.mayMatch(lines[i:min(j+1, len(lines))]) {
		return nil, 0 // t.header tests no more lines than these
	}
	var buf [512]byte // the key, joined here: looked up without allocating
	key := buf[:0]
	for n, l := range lines[i:min(k+1, len(lines))] {
		if n > 0 {
			key = append(key, '\n')
		}
		key = append(key, l...)
	}
	if h, ok := c[string(key)]; ok {
		return h.sec, i + h.last
	}
	s, last := t.header(lines, i)
	c[string(key)] = cachedHeader{s, last - i}
	return s, last
}

// mayMatch is a quick test that the lines contain, somewhere, every word
// of some header of each column of some signature.
func (t *Table) mayMatch(lines []string) bool {
	var letters uint32
	for _, l := range lines {
		letters |= letterSet(l)
	}
	has := func(a alias) bool {
		if a.letters&^letters != 0 {
			return false // a letter of it is not in the lines
		}
		for _, w := range a.words {
			if !slices.ContainsFunc(lines, func(l string) bool { return containsFold(l, w) }) {
				return false
			}
		}
		return true
	}
	for _, sig := range t.sigs {
		ok := true
		for _, c := range sig {
			found := false
			for _, a := range t.aliases {
				if a.col == c && has(a) {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// containsFold says whether s contains the lower-case word w, ignoring the
// case of ASCII letters.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for ; j < len(w); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[j] {
				break
			}
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// runs returns the runs of dashes (or equals signs) of a rule as
// [start, end) column pairs.
func runs(rule string) [][2]int {
	var out [][2]int
	col, start := 0, -1
	for _, r := range rule {
		if r == '-' || r == '=' {
			if start < 0 {
				start = col
			}
		} else if start >= 0 {
			out = append(out, [2]int{start, col})
			start = -1
		}
		col++
	}
	if start >= 0 {
		out = append(out, [2]int{start, col})
	}
	return out
}

// headerWords returns the words of a header line, lower case, without
// the bars and plus signs some headers draw between columns.
func headerWords(l string) []word {
	var out []word
	for _, tk := range tokenize(l, nil) {
		w := l[tk.bs:tk.be]
		if strings.Trim(w, "|+") == "" {
			continue
		}
		out = append(out, word{tk.start, tk.end, strings.ToLower(w)})
	}
	return out
}

type word struct {
	start, end int
	text       string
}

// dashHeader lays out a header whose rule has several runs: one column
// per run, titled by the header words above it.
func (t *Table) dashHeader(lines []string, rs [][2]int) *section {
	cols := make([]hcol, len(rs))
	for k, r := range rs {
		cols[k] = hcol{start: r[0], end: r[1], col: -1, anchorsL: []int{r[0]}, anchorsR: []int{r[1]}}
	}
	for _, l := range lines {
		from, to := make([]int, len(rs)), make([]int, len(rs))
		for _, w := range headerWords(l) {
			k := bestRun(rs, w.start, w.end)
			if from[k] == 0 {
				from[k] = w.start + 1 // +1: 0 means no word yet
			}
			to[k] = w.end
			cols[k].title = append(cols[k].title, w.text)
		}
		for k := range cols { // where this line's title of the column starts and ends
			if from[k] > 0 {
				cols[k].anchorsL = append(cols[k].anchorsL, from[k]-1)
				cols[k].anchorsR = append(cols[k].anchorsR, to[k])
			}
		}
	}
	s := &section{cols: cols, aligned: true}
	t.name(s)
	return t.check(s)
}

// bestRun is the run a word [a, b) overlaps most, or the nearest one.
func bestRun(rs [][2]int, a, b int) int {
	best, bestOv, bestDist := 0, -1, 1<<30
	for k, r := range rs {
		ov := min(b, r[1]) - max(a, r[0])
		dist := max(r[0]-b, a-r[1], 0)
		if ov > bestOv || ov == bestOv && ov <= 0 && dist < bestDist {
			best, bestOv, bestDist = k, ov, dist
		}
	}
	return best
}

// wordHeader lays out a header from its words: the Spec's header texts
// mark its columns; other words separated by one blank form one column
// the Spec does not name. A second header line adds its words to the
// titles of the columns above them.
func (t *Table) wordHeader(lines []string) *section {
	// The line naming more of the Spec's columns lays out the columns.
	main, mainCols := 0, []hcol(nil)
	bestN := -1
	for li, l := range lines {
		cols := t.segment(headerWords(l))
		n := 0
		for _, c := range cols {
			if c.col >= 0 {
				n++
			}
		}
		if n > bestN {
			main, mainCols, bestN = li, cols, n
		}
	}
	if len(mainCols) == 0 {
		return nil
	}
	for li, l := range lines {
		if li == main {
			continue
		}
		for _, w := range headerWords(l) {
			k := 0
			for k+1 < len(mainCols) && mainCols[k+1].start <= w.start {
				k++
			}
			if k+1 < len(mainCols) && w.end > mainCols[k+1].start && w.end-mainCols[k+1].start > mainCols[k+1].start-w.start {
				k++
			}
			c := &mainCols[k]
			if li < main {
				c.title = append([]string{w.text}, c.title...)
			} else {
				c.title = append(c.title, w.text)
			}
		}
	}
	s := &section{cols: mainCols}
	gaps, wide := 0, 0
	for k := 1; k < len(mainCols); k++ {
		gaps++
		if mainCols[k].start-mainCols[k-1].end >= 2 {
			wide++
		}
	}
	s.aligned = gaps == 0 || 2*wide > gaps
	t.name(s)
	return t.check(s)
}

// segment cuts one header line into columns: the Spec's header texts
// first (longest first), then the remaining words, joined where one blank
// separates them.
func (t *Table) segment(ws []word) []hcol {
	used := make([]bool, len(ws))
	taken := make([]bool, len(t.spec.Columns))
	var cols []hcol
	for _, a := range t.aliases {
		if taken[a.col] {
			continue
		}
		for j := 0; j+len(a.words) <= len(ws); j++ {
			ok := true
			for k, aw := range a.words {
				if used[j+k] || !sameWord(ws[j+k].text, aw) || k > 0 && ws[j+k].start-ws[j+k-1].end > 2 {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			c := hcol{start: ws[j].start, end: ws[j+len(a.words)-1].end, col: a.col}
			for k := range a.words {
				used[j+k] = true
				c.title = append(c.title, ws[j+k].text)
			}
			cols = append(cols, c)
			taken[a.col] = true
			break
		}
	}
	for j := 0; j < len(ws); j++ {
		if used[j] {
			continue
		}
		c := hcol{start: ws[j].start, end: ws[j].end, col: -1, title: []string{ws[j].text}}
		for j+1 < len(ws) && !used[j+1] && ws[j+1].start-ws[j].end == 1 {
			j++
			c.end = ws[j].end
			c.title = append(c.title, ws[j].text)
		}
		cols = append(cols, c)
	}
	slices.SortFunc(cols, func(a, b hcol) int { return a.start - b.start })
	for k := range cols {
		cols[k].anchorsL = []int{cols[k].start}
		cols[k].anchorsR = []int{cols[k].end}
	}
	return cols
}

// name gives the header's unnamed columns a Spec column whose header
// text equals their title, or else appears in it ("Ethernet Interface"
// for "Interface"); each Spec column names one header column.
func (t *Table) name(s *section) {
	taken := make([]bool, len(t.spec.Columns))
	for _, c := range s.cols {
		if c.col >= 0 {
			taken[c.col] = true
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, a := range t.aliases {
			if taken[a.col] {
				continue
			}
			for k := range s.cols {
				c := &s.cols[k]
				if c.col >= 0 {
					continue
				}
				if pass == 0 && slices.EqualFunc(c.title, a.words, sameWord) || pass == 1 && containsWords(c.title, a.words) {
					c.col, taken[a.col] = a.col, true
					break
				}
			}
		}
	}
}

func containsWords(title, words []string) bool {
	for i := 0; i+len(words) <= len(title); i++ {
		if slices.EqualFunc(title[i:i+len(words)], words, sameWord) {
			return true
		}
	}
	return false
}

// sameWord says whether a header word is a Spec's header word w: the
// same, or one of the names a slash joins ("VLAN/BD" is "vlan",
// "Ports/SWID.SSID.LID" is "ports").
func sameWord(h, w string) bool {
	if h == w {
		return true
	}
	for _, part := range strings.Split(h, "/") {
		if part == w {
			return true
		}
	}
	return false
}

// check fills s.byCol and returns s if its columns satisfy a signature.
func (t *Table) check(s *section) *section {
	s.byCol = make([]int, len(t.spec.Columns))
	for i := range s.byCol {
		s.byCol[i] = -1
	}
	for k, c := range s.cols {
		if c.col >= 0 {
			s.byCol[c.col] = k
		}
	}
	for _, sig := range t.sigs {
		ok := true
		for _, c := range sig {
			if s.byCol[c] < 0 {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
	}
	return nil
}

// maxShift is how far (in columns) left or right of the header's columns
// a row's cells may all sit and still be realigned.
const maxShift = 6

// place puts each word of a row in a header column, left to right. A
// word inside one column's span belongs to it. A word that straddles two
// or more goes to the column of the word just before it when only one
// blank separates them and it lies mostly in that column (a value that
// runs over: "notconnect: TD"), else to the one column it lies in without
// the pushes before it (a switch printing fixed columns absorbs them),
// else to the column it starts or ends exactly where the header says (a
// left- or right-aligned value), else to the column it overlaps most.
// A value that runs over pushes the columns after it right, as a switch
// printing relative widths does. A row whose cells all sit left of the
// header's columns (printed with a narrower first column) is realigned
// first, when a shift leaves fewer words straddling columns unexplained
// and lets more words start or end where the header's columns do.
func (s *section) place(toks []tok) []int {
	out, _, _ := s.placeShifted(toks)
	return out
}

// placeShifted is place, the shift of the columns in effect where each
// word was placed, and how many words straddled columns with nothing but
// their overlap to go by.
func (s *section) placeShifted(toks []tok) ([]int, []int, int) {
	out, shifts := make([]int, len(toks)), make([]int, len(toks))
	misfits := s.walk(toks, 0, out, shifts)
	if misfits == 0 || len(toks) < 2 {
		return out, shifts, misfits
	}
	// masks[i] has bit d+maxShift set when word i starts or ends where a
	// column after the first does under shift d; fixed counts the words
	// that do so at the first column (whatever the shift).
	masks := make([]uint32, len(toks))
	fixed, candidates := 0, uint32(0)
	for i, tk := range toks {
		if s.anchoredAt(0, tk, 0, 0) {
			fixed++
			continue
		}
		for k := 1; k < len(s.cols); k++ {
			for _, a := range s.cols[k].anchorsL {
				if d := tk.start - a; d >= -maxShift && d <= maxShift {
					masks[i] |= 1 << (d + maxShift)
				}
			}
			for _, a := range s.cols[k].anchorsR {
				if d := tk.end - a; d >= -maxShift && d <= maxShift {
					masks[i] |= 1 << (d + maxShift)
				}
			}
		}
		candidates |= masks[i]
	}
	anchored := func(d int) int {
		n := fixed
		for _, m := range masks {
			n += int(m >> (d + maxShift) & 1)
		}
		return n
	}
	anch := anchored(0)
	best, bestMisfits, bestAnch := 0, misfits, 0
	tmp := make([]int, len(toks))
	for d := -maxShift; d <= maxShift; d++ {
		if d == 0 || candidates>>(d+maxShift)&1 == 0 || toks[0].end > s.cols[1].start+d { // the first word stays first
			continue
		}
		a := anchored(d)
		if a <= anch || a < bestAnch {
			continue
		}
		if n := s.walk(toks, d, tmp, nil); n < bestMisfits || n == bestMisfits && a > bestAnch {
			best, bestMisfits, bestAnch = d, n, a
		}
	}
	if best != 0 {
		misfits = s.walk(toks, best, out, shifts)
	}
	return out, shifts, misfits
}

// walk places the words with the columns after the first shifted by d0
// (see place), records in shifts (if not nil) the shift in effect for
// each, and returns how many straddled two columns with nothing but their
// overlap to go by.
func (s *section) walk(toks []tok, d0 int, out, shifts []int) int {
	d, k, misfits := d0, 0, 0
	for i, tk := range toks {
		js := max(k, s.colAt(tk.start, d))
		je := max(js, s.colAt(tk.end-1, d))
		// Two blanks or more on from the word before, starting exactly
		// where the next column does (pushed or not): that column's.
		if i > 0 && tk.start-toks[i-1].end >= 2 && js+1 < len(s.cols) {
			if l := s.cols[js+1].start; tk.start == l+d0 || tk.start == l+d {
				js = js + 1
				je = max(js, je)
			}
		}
		c := js
		if je > js {
			c = -1
			// The word after a value, one blank on, mostly over that
			// value's column: the value runs on ("notconnect: TD").
			if i > 0 && out[i-1] == js && tk.start-toks[i-1].end == 1 {
				c = js
				for j := js + 1; j <= je; j++ {
					if overlap(s, j, d, tk) > overlap(s, js, d, tk) {
						c = -1
					}
				}
			}
			// Inside one column where the row started (the push before it
			// was absorbed, as in a layout of fixed columns).
			if c < 0 && d != d0 {
				if j := max(k, s.colAt(tk.start, d0)); j == s.colAt(tk.end-1, d0) {
					c = j
				}
			}
			if c < 0 && s.anchoredAt(js, tk, d0, d) {
				c = js
			}
			for j := js + 1; c < 0 && j <= je; j++ {
				if s.anchoredAt(j, tk, d0, d) {
					c = j
				}
			}
			if c < 0 {
				misfits++
				c = js
				best := overlap(s, js, d, tk)
				for j := js + 1; j <= je; j++ {
					if ov := overlap(s, j, d, tk); ov > best {
						c, best = j, ov
					}
				}
			}
		}
		out[i], k = c, c
		if shifts != nil {
			shifts[i] = d
		}
		if c+1 < len(s.cols) && tk.end > s.cols[c+1].start+d { // it runs into the next column: what follows is pushed
			d = tk.end + 1 - s.cols[c+1].start
		}
	}
	return misfits
}

// colAt is the column whose span holds position x when the columns after
// the first are shifted by d.
func (s *section) colAt(x, d int) int {
	k := 0
	for k+1 < len(s.cols) && s.cols[k+1].start+d <= x {
		k++
	}
	return k
}

// anchoredAt says whether a word starts or ends where column k does, the
// columns after the first shifted by anything from d0 (the row's shift)
// to d (that and the pushes of values that ran over before it: a switch
// may or may not have carried them on).
func (s *section) anchoredAt(k int, tk tok, d0, d int) bool {
	if k == 0 {
		d0, d = 0, 0
	}
	for _, a := range s.cols[k].anchorsL {
		if tk.start >= a+d0 && tk.start <= a+d {
			return true
		}
	}
	for _, a := range s.cols[k].anchorsR {
		if tk.end >= a+d0 && tk.end <= a+d {
			return true
		}
	}
	return false
}

// cut splits a row into one cell per header column (see place): a cell
// is the row's text from its first word to its last.
func (s *section) cut(l string, toks []tok) []string {
	cells := make([]string, len(s.cols))
	var first, last [16]int // cellWords for the usual few columns, without allocating
	if len(s.cols) > len(first) {
		for k, r := range s.cellWords(toks) {
			if r[0] >= 0 {
				cells[k] = l[toks[r[0]].bs:toks[r[1]].be]
			}
		}
		return cells
	}
	for k := range s.cols {
		first[k] = -1
	}
	var buf [16]int
	for i, k := range s.placeInto(toks, buf[:0]) {
		if first[k] < 0 {
			first[k] = i
		}
		last[k] = i
	}
	for k := range s.cols {
		if first[k] >= 0 {
			cells[k] = l[toks[first[k]].bs:toks[last[k]].be]
		}
	}
	return cells
}

// placeInto is place for the cells of a row, into buf where the row's
// words all fit their columns unshifted (placeShifted's first walk, the
// usual case) and buf has room for them.
func (s *section) placeInto(toks []tok, buf []int) []int {
	if len(toks) <= cap(buf) {
		if out := buf[:len(toks)]; s.walk(toks, 0, out, nil) == 0 {
			return out
		}
	}
	return s.place(toks)
}

// cellWords gives each header column the indexes of its first and last
// word in the row ({-1, -1} when its cell is empty).
func (s *section) cellWords(toks []tok) [][2]int {
	out := make([][2]int, len(s.cols))
	for k := range out {
		out[k] = [2]int{-1, -1}
	}
	for i, k := range s.place(toks) {
		if out[k][0] < 0 {
			out[k][0] = i
		}
		out[k][1] = i
	}
	return out
}

// span is column k's span when the columns after the first are shifted
// by d: from its start to the next column's start; the first column
// starts at the line's start and the last runs to its end.
func (s *section) span(k, d int) (int, int) {
	from, to := -1<<30, 1<<30
	if k > 0 {
		from = s.cols[k].start + d
	}
	if k+1 < len(s.cols) {
		to = s.cols[k+1].start + d
	}
	return from, to
}

func overlap(s *section, k, d int, tk tok) int {
	from, to := s.span(k, d)
	return min(tk.end, to) - max(tk.start, from)
}
