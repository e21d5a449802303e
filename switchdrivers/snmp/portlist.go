package snmp

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// A PortList (RFC 4363, Q-BRIDGE-MIB) is an OCTET STRING in which each
// octet stands for eight ports, the most significant bit of the first
// octet for port 1; the ports are dot1dBasePort numbers, and the string
// may be longer than the bridge has ports. Agents, and the tools that
// record walks, also deliver it in other forms. A value is read by its
// form:
//
//   - bitmap: any octets, as the standard says;
//   - list: text of port numbers and ranges, "3,4434,4443" or "1-4, 7"
//     (port 0 names no port);
//   - hex: text of hex octet pairs, "ff ff f8 80 00", "FF:FF:F8" or
//     "0xfffff8" (a hex dump put where the octets belong);
//   - recorded: 16 octets in binary, a line break, then the rest as the
//     text of a hex dump ("\n00 00 …"): how some recorders wrap a long
//     string. The octets are the binary ones followed by the dumped ones.
//
// Any value is also a bitmap, so a printable value that fits a text form
// has two readings. Text with separators (",", "-", blanks, colons) or a
// 0x prefix is text by its form: its bitmap reading would be the codes of
// its characters. A bare number ("3", "4434") or run of hex digits is
// not that clear: the ports the bridge has decide (a reading that names
// ports the bridge lacks, where the other does not, is not the agent's);
// where both readings fit the bridge, the form the agent uses for the
// values it sent unambiguously in the same read decides; failing that,
// the standard's bitmap is taken and a warning says so. A printable
// value that fits no text form and whose bitmap reading names ports the
// bridge lacks fits no form: it is reported, never guessed.

// portForm is how a PortList value was encoded.
type portForm uint8

const (
	formBitmap portForm = iota
	formList
	formHex
	formRecorded
)

func (f portForm) String() string {
	switch f {
	case formList:
		return "a text list of port numbers"
	case formHex:
		return "hex text"
	case formRecorded:
		return "16 binary octets followed by a hex dump as text (a recorder's wrapping)"
	}
	return "an RFC 4363 bitmap"
}

// maxPortListPorts bounds what a text list may name (dot1dBasePort is
// 1..65535; ranges are expanded).
const maxPortListPorts = 65535

// portList is one decoded PortList value: every port it names (ports the
// bridge lacks included, so that a rewrite keeps them), and how it was
// encoded, so that a rewrite uses the same form.
type portList struct {
	set   PortSet
	oid   string // the object it was read from
	raw   []byte // the value as the agent sent it
	form  portForm
	sep   string // hex text: the separator between pairs
	upper bool   // hex text: upper-case digits
}

// encode writes set in pl's form: a text list or hex text as such,
// anything else as an RFC 4363 bitmap at least as long as the value read
// (agents check the length).
func (pl portList) encode(set PortSet) []byte {
	switch pl.form {
	case formList:
		var parts []string
		for _, p := range set.Ports() {
			parts = append(parts, strconv.Itoa(p))
		}
		return []byte(strings.Join(parts, ","))
	case formHex:
		digits := "%02x"
		if pl.upper {
			digits = "%02X"
		}
		b := set.padded(len(pl.set))
		parts := make([]string, len(b))
		for i, o := range b {
			parts[i] = fmt.Sprintf(digits, o)
		}
		if pl.sep == "" { // one run of digits: marked as hex
			return []byte("0x" + strings.Join(parts, ""))
		}
		return []byte(strings.Join(parts, pl.sep))
	}
	return set.padded(len(pl.set))
}

// decodeAs reads b in form f only (for reading back a value written in
// that form); false if b does not fit it.
func decodeAs(b []byte, f portForm) (PortSet, bool) {
	if (f == formList || f == formHex) && len(bytes.TrimSpace(b)) == 0 {
		return nil, true // no ports, written as nothing
	}
	for _, r := range portListReadings(b).cands {
		if r.form == f || (f == formRecorded && r.form == formBitmap) {
			return r.set, true
		}
	}
	return nil, false
}

// reading is one way to read a value.
type reading struct {
	portList
	named  []int // the ports it names (port 0 and numbers past 65535 excluded)
	strong bool  // text whose form is unmistakable: separators, a 0x prefix
}

// readings are the ways a value can be read, the bitmap first.
type readings struct {
	cands    []reading
	textLike bool // printable, as text is (or a binary prefix and a printable rest)
}

func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func newReading(form portForm, set PortSet) reading {
	return reading{portList: portList{set: set, form: form}, named: set.Ports()}
}

// portListReadings lists every form b fits.
func portListReadings(b []byte) readings {
	out := readings{cands: []reading{newReading(formBitmap, PortSet(slices.Clone(b)))}}
	if len(b) >= 18 && b[16] == '\n' && printable(b[17:]) {
		out.textLike = true
		if rest, ok := parseHexPairs(string(b[17:])); ok {
			out.cands = append(out.cands, newReading(formRecorded, PortSet(append(slices.Clone(b[:16]), rest...))))
		}
		return out
	}
	t := bytes.TrimRight(b, "\x00") // a C string's terminator
	if len(t) == 0 || !printable(t) {
		return out
	}
	out.textLike = true
	if strings.TrimSpace(string(t)) == "" { // blanks: an empty list
		r := newReading(formList, nil)
		r.strong = len(t) > 1
		out.cands = append(out.cands, r)
		return out
	}
	if set, ok := parseListText(t); ok {
		r := newReading(formList, set)
		r.strong = bytes.ContainsAny(t, ",-")
		out.cands = append(out.cands, r)
	}
	if octets, sep, upper, ok := parseHexText(t); ok {
		r := newReading(formHex, PortSet(octets))
		r.sep, r.upper = sep, upper
		r.strong = sep != "" || bytes.HasPrefix(bytes.TrimSpace(t), []byte("0x")) || bytes.HasPrefix(bytes.TrimSpace(t), []byte("0X"))
		out.cands = append(out.cands, r)
	}
	return out
}

// parseHexPairs reads a hex dump's text: pairs of hex digits separated
// by blanks, line breaks or colons ("00 00 40 ", "FF:01").
func parseHexPairs(s string) ([]byte, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ':' })
	if len(fields) == 0 || len(fields) > maxPortListPorts/8+1 {
		return nil, false
	}
	out := make([]byte, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseUint(f, 16, 8)
		if len(f) != 2 || err != nil {
			return nil, false
		}
		out[i] = byte(n)
	}
	return out, true
}

// parseListText reads "3,4434", "1-4, 7", "0,4097,4099".
func parseListText(t []byte) (PortSet, bool) {
	s := strings.TrimSpace(string(t))
	if s == "" {
		return nil, false
	}
	var set PortSet
	count := 0
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.Trim(part, " \t"), "-")
		a, ok := portNumber(strings.Trim(lo, " \t"))
		if !ok {
			return nil, false
		}
		z := a
		if isRange {
			if z, ok = portNumber(strings.Trim(hi, " \t")); !ok || z < a {
				return nil, false
			}
		}
		if count += z - a + 1; count > 4*maxPortListPorts {
			return nil, false
		}
		for p := max(a, 1); p <= z; p++ {
			set = set.With(p)
		}
	}
	return set, true
}

// portNumber reads 0..65535 written in decimal digits only.
func portNumber(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= maxPortListPorts
}

// parseHexText reads octets written as hex pairs separated by blanks or
// colons ("ff ff f8", "FF:FF:F8", Net-SNMP's lines of 16), or as one run
// of hex digits after "0x" or containing a letter ("0xfffff8",
// "fffff8"); a run of decimal digits alone is a number, not hex.
func parseHexText(t []byte) (octets []byte, sep string, upper bool, ok bool) {
	s := strings.TrimSpace(string(t))
	prefixed := strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")
	if prefixed {
		s = s[2:]
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ':' })
	if len(fields) == 0 {
		return nil, "", false, false
	}
	if len(fields) == 1 {
		if len(fields[0])%2 != 0 || (!prefixed && !strings.ContainsAny(fields[0], "abcdefABCDEF")) {
			return nil, "", false, false // "10" is a port number
		}
		sep = ""
	} else {
		for _, f := range fields {
			if len(f) != 2 {
				return nil, "", false, false
			}
		}
		sep = " "
		if strings.Contains(s, ":") && !strings.ContainsAny(s, " \t\r\n") {
			sep = ":"
		}
	}
	joined := strings.Join(fields, "")
	if len(joined)/2 > maxPortListPorts/8+1 {
		return nil, "", false, false
	}
	octets = make([]byte, len(joined)/2)
	for i := range octets {
		n, err := strconv.ParseUint(joined[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, "", false, false
		}
		octets[i] = byte(n)
	}
	return octets, sep, strings.ContainsAny(joined, "ABCDEF"), true
}

// portListValue is a PortList value to decode with the others of one
// read.
type portListValue struct {
	oid string
	b   []byte
}

// portListDecoder decodes the PortList values of one read together:
// the bridge's ports and the forms the agent used elsewhere in the read
// settle the values that fit two forms.
type portListDecoder struct {
	bridge map[int]bool // the bridge's base ports
	warn   func(oid, format string, a ...any)
}

// decode returns oid -> decoded value; values that fit no form are left
// out and reported.
func (d portListDecoder) decode(values []portListValue) map[string]portList {
	out := make(map[string]portList, len(values))
	type open struct {
		v     portListValue
		cands []reading
	}
	var undecided []open
	evidence := map[portForm]int{}
	clean := func(r reading) bool {
		for _, p := range r.named {
			if !d.bridge[p] {
				return false
			}
		}
		return true
	}
	for _, v := range values {
		rs := portListReadings(v.b)
		bitmap := rs.cands[0]
		if len(bitmap.named) == 0 && !rs.textLike { // empty, or zeros only: no ports in any form
			out[v.oid] = bitmap.portList
			continue
		}
		texts := rs.cands[1:]
		if len(texts) == 1 && texts[0].form == formRecorded {
			out[v.oid] = texts[0].portList
			evidence[formBitmap]++ // the agent sends bitmaps; the recorder wrapped it
			continue
		}
		if len(texts) == 0 {
			if rs.textLike && !clean(bitmap) {
				d.warn(v.oid, "the value %q fits no PortList form: it is printable but neither a list of port numbers nor hex text, and read as an RFC 4363 bitmap it names ports the bridge does not have; its membership is unknown", shorten(v.b))
				continue
			}
			out[v.oid] = bitmap.portList
			if !rs.textLike {
				evidence[formBitmap]++
			}
			continue
		}
		if i := slices.IndexFunc(texts, func(r reading) bool { return r.strong }); i >= 0 {
			// Separators or a 0x prefix: text by its form (its bitmap
			// reading would be the characters' codes).
			out[v.oid] = texts[i].portList
			evidence[texts[i].form]++
			continue
		}
		// A single number ("3", "4434") or run of hex digits: the bridge's
		// ports, then the agent's other values, decide.
		var fits []reading
		for _, r := range texts {
			if clean(r) {
				fits = append(fits, r)
			}
		}
		switch {
		case len(fits) == 1 && !clean(bitmap):
			out[v.oid] = fits[0].portList
			evidence[fits[0].form]++
		case len(fits) == 0 && clean(bitmap) && len(bitmap.named) > 0:
			out[v.oid] = bitmap.portList
			evidence[formBitmap]++
		case len(fits) == 0 && len(texts) == 1:
			// Neither reading fits the bridge: the form decides (the
			// bitmap reading of text is its ASCII codes).
			out[v.oid] = texts[0].portList
			evidence[texts[0].form]++
		case len(fits) == 0:
			undecided = append(undecided, open{v, texts})
		default:
			if clean(bitmap) {
				fits = append([]reading{bitmap}, fits...)
			}
			undecided = append(undecided, open{v, fits})
		}
	}
	consensus, best := portForm(0), 0
	tied := false
	for _, f := range []portForm{formBitmap, formList, formHex} {
		switch n := evidence[f]; {
		case n > best:
			consensus, best, tied = f, n, false
		case n == best && n > 0:
			tied = true
		}
	}
	for _, u := range undecided {
		chosen := -1
		if best > 0 && !tied {
			for i, r := range u.cands {
				if r.form == consensus {
					chosen = i
				}
			}
		}
		if chosen >= 0 {
			out[u.v.oid] = u.cands[chosen].portList
			continue
		}
		// No evidence from the agent's other values: the standard's
		// bitmap if it is a reading, else the list.
		chosen = 0
		for i, r := range u.cands {
			if r.form == formList {
				chosen = i
			}
		}
		if u.cands[0].form == formBitmap {
			chosen = 0
		}
		r := u.cands[chosen]
		var alt []string
		for _, o := range u.cands {
			if o.form != r.form {
				alt = append(alt, fmt.Sprintf("as %s, ports %v", o.form, o.named))
			}
		}
		d.warn(u.v.oid, "the value %q reads %s: taken as %s (ports %v), as nothing else in this read tells which form the agent uses", shorten(u.v.b), strings.Join(alt, "; "), r.form, r.named)
		out[u.v.oid] = r.portList
	}
	return out
}

// shorten quotes at most 48 octets of a value for a warning.
func shorten(b []byte) string {
	if len(b) > 48 {
		return string(b[:48]) + "…"
	}
	return string(b)
}

// PortSet is a set of ports as an RFC 4363 bitmap: octet 0's most
// significant bit is port 1.
type PortSet []byte

// Has reports whether port (1-based) is in the set.
func (s PortSet) Has(port int) bool {
	i := port - 1
	return port >= 1 && i/8 < len(s) && s[i/8]&(0x80>>(i%8)) != 0
}

// With returns a copy with port added (growing the bitmap if needed).
func (s PortSet) With(port int) PortSet {
	out := append(PortSet(nil), s...)
	i := port - 1
	for len(out) <= i/8 {
		out = append(out, 0)
	}
	out[i/8] |= 0x80 >> (i % 8)
	return out
}

// Without returns a copy with port removed.
func (s PortSet) Without(port int) PortSet {
	out := append(PortSet(nil), s...)
	i := port - 1
	if port >= 1 && i/8 < len(out) {
		out[i/8] &^= 0x80 >> (i % 8)
	}
	return out
}

// Ports lists the members.
func (s PortSet) Ports() []int {
	var out []int
	for i, o := range s {
		for o != 0 {
			bit := bits.LeadingZeros8(o) // 0: the octet's first port
			out = append(out, i*8+bit+1)
			o &^= 0x80 >> bit
		}
	}
	return out
}

// within lists the members that are ports of the bridge: only those
// count (a PortList may be longer than the bridge has ports, or carry
// bits of ports the bridge does not list).
func (s PortSet) within(bridge map[int]bool) []int {
	var out []int
	for _, p := range s.Ports() {
		if bridge[p] {
			out = append(out, p)
		}
	}
	return out
}

// Or returns the union of two sets.
func (s PortSet) Or(o PortSet) PortSet {
	out := PortSet(s.padded(len(o)))
	for i, b := range o {
		out[i] |= b
	}
	return out
}

// padded returns the bitmap extended with zero octets to at least n.
func (s PortSet) padded(n int) []byte {
	out := append([]byte(nil), s...)
	for len(out) < n {
		out = append(out, 0)
	}
	return out
}

// equalMembers reports whether two sets have the same members (trailing
// zero octets aside).
func (s PortSet) equalMembers(o PortSet) bool {
	for i := range max(len(s), len(o)) {
		var a, b byte
		if i < len(s) {
			a = s[i]
		}
		if i < len(o) {
			b = o[i]
		}
		if a != b {
			return false
		}
	}
	return true
}
