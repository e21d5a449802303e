// Package snmp drives switches that are managed over SNMP alone:
//
//   - snmp_qbridge: the IEEE 802.1Q-BRIDGE-MIB any vendor implements
//     (ProCurve, Dell, Ubiquiti, Extreme, Arista, Cumulus, MikroTik …).
//     A port's mode and VLAN are judged from its egress and untagged
//     membership and its PVID together (see judge), all indexed by
//     dot1dBasePort, which dot1dBasePortIfIndex maps to the ifIndex that
//     names the port (ifName, else ifDescr). The mapping is read afresh
//     on every call: the numbers are not assumed to be equal (on most
//     switches they are not). A move rewrites the static egress and
//     untagged port bitmaps of every VLAN the port is a member of and of
//     the new VLAN, and the PVID, in one SET PDU (RFC 3416: one PDU is
//     applied as a whole), or, for agents that need it, one varbind per
//     PDU in remove-before-add order.
//   - snmp_cisco: CISCO-VLAN-MEMBERSHIP-MIB vmVlan (one INTEGER per port,
//     which replaces the membership atomically), CISCO-VTP-MIB
//     vtpVlanState for VLAN existence and vlanTrunkPortDynamicStatus for
//     trunks; Save copies running to startup with CISCO-CONFIG-COPY-MIB
//     (or the legacy writeMem).
//
// What agents send is read by its meaning, not by the values seen so
// far: a PortList in any form agents and recorders use (an RFC 4363
// bitmap of any length, hex text, a comma/range list, a recorder's
// binary-then-hex-dump wrapping; see portlist.go), counting only ports
// the bridge has; rows in any order (sorted; a loop stops the column).
// A row or value that cannot be read is skipped with a warning naming
// the switch and the OID (Warnings), never a failed read and never a
// guess; a batch that must move a port whose state could not be read is
// refused untouched, naming the object. A read that finds no port at all
// is an error, never an empty table.
//
// The address is host or host:port (UDP, default 161). Credentials come
// from the inventory's snmp section (v1/v2c community, or v3 user with
// auth and priv); they never appear in errors or logs.
//
// Options: timeout (per request, default 2s), retries (default 1),
// max_repetitions (GETBULK rows per column and request, default 25),
// max_varbinds (per SET PDU, default 60), context (the SNMPv3 context
// name, for agents that serve one view per context), one_varbind_per_pdu (true for
// agents that refuse several varbinds in one SET), trust_readback (true for
// agents that answer a SET with an error although it worked: accepted only
// when reading the values back proves it), membership (snmp_qbridge:
// "bitmaps", the default, or "pvid" for agents that move untagged
// membership with the PVID and have no writable static bitmaps), save_oid
// (snmp_qbridge: OID=INTEGER set by Save, a vendor's documented save
// object), save (snmp_cisco: "copy", the default, or "writemem").
package snmp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// Registry names of the drivers.
const (
	QBridgeName = "snmp_qbridge"
	CiscoName   = "snmp_cisco"
)

// QBridgeRegistration returns the registry entry of snmp_qbridge.
func QBridgeRegistration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: QBridgeName, Open: OpenQBridge, ValidatePort: ValidatePort}
}

// CiscoRegistration returns the registry entry of snmp_cisco.
func CiscoRegistration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: CiscoName, Open: OpenCisco, ValidatePort: ValidatePort}
}

var portGrammar = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/:._+-]{0,63}$`)

// ValidatePort accepts interface names as agents report them in ifName or
// ifDescr (Gi1/0/1, 1/1/1, ge-0/0/0, swp1, sfp-sfpplus1, g1, 12): 1–64
// characters of letters, digits and / : . _ + -, starting with a letter or
// digit, without "..". Names never reach a CLI; the grammar keeps
// inventories honest.
func ValidatePort(name string) error {
	if !portGrammar.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("%w %q: SNMP port names are 1-64 characters [A-Za-z0-9/:._+-] as in ifName, starting with a letter or digit", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// OIDs read and written (numeric: no MIB files needed).
const (
	oidIfDescr         = "1.3.6.1.2.1.2.2.1.2"
	oidIfAdminStatus   = "1.3.6.1.2.1.2.2.1.7"
	oidIfOperStatus    = "1.3.6.1.2.1.2.2.1.8"
	oidIfName          = "1.3.6.1.2.1.31.1.1.1.1"
	oidIfAlias         = "1.3.6.1.2.1.31.1.1.1.18"
	oidBasePortIfIndex = "1.3.6.1.2.1.17.1.4.1.2"
	oidPvid            = "1.3.6.1.2.1.17.7.1.4.5.1.1"
	oidStaticName      = "1.3.6.1.2.1.17.7.1.4.3.1.1"
	oidStaticEgress    = "1.3.6.1.2.1.17.7.1.4.3.1.2"
	oidStaticUntagged  = "1.3.6.1.2.1.17.7.1.4.3.1.4"
	oidCurrentEgress   = "1.3.6.1.2.1.17.7.1.4.2.1.4"
	oidCurrentUntagged = "1.3.6.1.2.1.17.7.1.4.2.1.5"
	oidVmVlan          = "1.3.6.1.4.1.9.9.68.1.2.2.1.2"
	oidVtpVlanState    = "1.3.6.1.4.1.9.9.46.1.3.1.1.2"
	oidTrunkDynStatus  = "1.3.6.1.4.1.9.9.46.1.6.1.1.14"
	oidCcCopyEntry     = "1.3.6.1.4.1.9.9.96.1.1.1.1"
	oidWriteMem        = "1.3.6.1.4.1.9.2.1.54.0"
)

// oidNames turn OIDs into the names errors and renders use.
var oidNames = []struct{ oid, name string }{
	{oidPvid, "dot1qPvid"}, {oidStaticEgress, "dot1qVlanStaticEgressPorts"}, {oidStaticUntagged, "dot1qVlanStaticUntaggedPorts"},
	{oidVmVlan, "vmVlan"}, {oidCcCopyEntry, "ccCopyEntry"}, {oidWriteMem, "writeMem"},
	{oidIfDescr, "ifDescr"}, {oidIfAdminStatus, "ifAdminStatus"}, {oidIfOperStatus, "ifOperStatus"}, {oidIfName, "ifName"},
	{oidIfAlias, "ifAlias"}, {oidBasePortIfIndex, "dot1dBasePortIfIndex"}, {oidStaticName, "dot1qVlanStaticName"},
	{oidCurrentEgress, "dot1qVlanCurrentEgressPorts"}, {oidCurrentUntagged, "dot1qVlanCurrentUntaggedPorts"},
	{oidVtpVlanState, "vtpVlanState"}, {oidTrunkDynStatus, "vlanTrunkPortDynamicStatus"},
}

func oidNameList(oids []string) string {
	names := make([]string, len(oids))
	for i, o := range oids {
		names[i] = oidName(o)
	}
	return strings.Join(names, ", ")
}

func oidName(oid string) string {
	for _, n := range oidNames {
		if rest, ok := strings.CutPrefix(oid, n.oid); ok && (rest == "" || rest[0] == '.') { // ifAlias is not ifName + "8"
			return n.name + rest
		}
	}
	return oid
}

// conn is the SNMP session of one driver. Open performs no I/O; the UDP
// socket is made on first use.
type conn struct {
	name          string
	host          string
	port          uint16
	creds         switchdrivers.SNMP
	timeout       time.Duration
	retries       int
	maxReps       int
	maxVarbinds   int
	oneVarbind    bool
	trustReadback bool
	contextName   string            // SNMPv3 context
	options       map[string]string // driver-specific options, not yet consumed

	mu    sync.Mutex
	g     *gosnmp.GoSNMP
	trips atomic.Int64
	sets  atomic.Int64

	plan []string // the inventory's ports on this switch

	wmu      sync.Mutex
	warnings []string                      // the latest read's
	rows     []switchdrivers.UnreadableRow // the latest read's
}

// warnings collects what one read could not use as it came, or read by
// a rule worth knowing; each names the object (OID and index) concerned.
type warnings struct {
	list []warning
	seen map[warning]bool
	bad  []badValue // the values (and cut columns) among them that could not be used
}

type warning struct{ oid, text string }

func (w *warnings) add(oid, format string, a ...any) {
	x := warning{oid, fmt.Sprintf(format, a...)}
	if w.seen == nil {
		w.seen = map[warning]bool{}
	}
	if !w.seen[x] {
		w.seen[x] = true
		w.list = append(w.list, x)
	}
}

// last is the latest warning about oid ("" if none).
func (w *warnings) last(oid string) string {
	for i := len(w.list) - 1; i >= 0; i-- {
		if w.list[i].oid == oid {
			return w.list[i].text
		}
	}
	return ""
}

// keep makes w the latest read's warnings.
func (c *conn) keep(w *warnings) {
	out := make([]string, len(w.list))
	for i, x := range w.list {
		out[i] = fmt.Sprintf("switch %s: %s (%s): %s", c.name, oidName(x.oid), x.oid, x.text)
		for _, b := range w.bad {
			if b.oid == x.oid && b.reason == x.text && len(b.ports) > 0 {
				out[i] += " (it may be " + strings.Join(b.ports, ", ") + ")"
				break
			}
		}
	}
	c.wmu.Lock()
	c.warnings = out
	c.wmu.Unlock()
}

// Warnings returns the warnings of the latest read (Ports, or the reads
// Apply makes): values that fit no known form, rows that could not be
// read, rows the agent returned out of order or in a loop, a PVID that
// disagrees with the VLAN a port is untagged in. Each names the switch
// and the object (OID with its index).
func (c *conn) Warnings() []string {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return slices.Clone(c.warnings)
}

func openConn(driver string, cfg switchdrivers.Config, own ...string) (*conn, error) {
	c := &conn{name: cfg.Name, plan: cfg.Ports, port: 161, timeout: 2 * time.Second, retries: 1, maxReps: 25, maxVarbinds: 60, options: map[string]string{}}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("switch %s: %s: %s", cfg.Name, driver, fmt.Sprintf(format, a...))
	}
	if cfg.SNMP == nil {
		return nil, fail("the switch needs an snmp section (version and community, or version 3 with username)")
	}
	c.creds = *cfg.SNMP
	switch c.creds.Version {
	case "1", "2c":
		if c.creds.Community.IsZero() {
			return nil, fail("snmp version %s needs a community", c.creds.Version)
		}
	case "3":
		if c.creds.Username == "" {
			return nil, fail("snmp version 3 needs a username")
		}
	default:
		return nil, fail("snmp version %q: want 1, 2c or 3", c.creds.Version)
	}
	host, port, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		host = cfg.Address
	} else {
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil || p == 0 {
			return nil, fail("address %q: bad UDP port", cfg.Address)
		}
		c.port = uint16(p)
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n/") {
		return nil, fail("address %q is not a host or host:port", cfg.Address)
	}
	c.host = host
	for k, v := range cfg.Options {
		var err error
		switch k {
		case "timeout":
			c.timeout, err = time.ParseDuration(v)
			if err == nil && (c.timeout < 10*time.Millisecond || c.timeout > time.Minute) {
				err = errors.New("want 10ms to 1m")
			}
		case "retries":
			c.retries, err = boundedInt(v, 0, 10)
		case "max_repetitions":
			c.maxReps, err = boundedInt(v, 1, 200)
		case "max_varbinds":
			c.maxVarbinds, err = boundedInt(v, 1, 500)
		case "one_varbind_per_pdu":
			c.oneVarbind, err = strconv.ParseBool(v)
		case "trust_readback":
			c.trustReadback, err = strconv.ParseBool(v)
		case "context":
			c.contextName = v
			if c.creds.Version != "3" || !printableASCII(v) {
				err = errors.New("an SNMPv3 context name (printable ASCII) needs snmp version 3")
			}
		default:
			known := false
			for _, o := range own {
				known = known || o == k
			}
			if !known {
				return nil, fail("unknown option %q", k)
			}
			c.options[k] = v
		}
		if err != nil {
			return nil, fail("option %s=%q: %v", k, v, err)
		}
	}
	if c.oneVarbind {
		c.maxVarbinds = 1
	}
	return c, nil
}

func printableASCII(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return s != ""
}

func boundedInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("want an integer from %d to %d", lo, hi)
	}
	return n, nil
}

var authProtocols = map[string]gosnmp.SnmpV3AuthProtocol{
	"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA-224": gosnmp.SHA224, "SHA-256": gosnmp.SHA256, "SHA-384": gosnmp.SHA384, "SHA-512": gosnmp.SHA512,
}

var privProtocols = map[string]gosnmp.SnmpV3PrivProtocol{
	"DES": gosnmp.DES, "AES": gosnmp.AES, "AES-192": gosnmp.AES192, "AES-256": gosnmp.AES256,
}

// session returns the connected client (c.mu held).
func (c *conn) session() (*gosnmp.GoSNMP, error) {
	if c.g != nil {
		return c.g, nil
	}
	// MaxOids only bounds the library's own checks; the driver sizes its
	// requests itself (max_varbinds for SETs, columns for walks).
	g := &gosnmp.GoSNMP{Target: c.host, Port: c.port, Timeout: c.timeout, Retries: c.retries, MaxOids: 1000,
		OnSent: func(*gosnmp.GoSNMP) { c.trips.Add(1) }}
	switch c.creds.Version {
	case "1":
		g.Version, g.Community = gosnmp.Version1, c.creds.Community.Reveal()
	case "2c":
		g.Version, g.Community = gosnmp.Version2c, c.creds.Community.Reveal()
	case "3":
		usm := &gosnmp.UsmSecurityParameters{UserName: c.creds.Username}
		g.Version, g.SecurityModel, g.MsgFlags = gosnmp.Version3, gosnmp.UserSecurityModel, gosnmp.NoAuthNoPriv
		if c.creds.AuthProtocol != "" {
			usm.AuthenticationProtocol, usm.AuthenticationPassphrase = authProtocols[c.creds.AuthProtocol], c.creds.AuthPassword.Reveal()
			g.MsgFlags = gosnmp.AuthNoPriv
		}
		if c.creds.PrivProtocol != "" {
			usm.PrivacyProtocol, usm.PrivacyPassphrase = privProtocols[c.creds.PrivProtocol], c.creds.PrivPassword.Reveal()
			g.MsgFlags = gosnmp.AuthPriv
		}
		g.SecurityParameters = usm
		g.ContextName = c.contextName
	}
	if err := g.Connect(); err != nil {
		return nil, c.scrub(err)
	}
	c.g = g
	return g, nil
}

// scrub keeps credentials out of an error from the SNMP library.
func (c *conn) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range []string{c.creds.Community.Reveal(), c.creds.AuthPassword.Reveal(), c.creds.PrivPassword.Reveal()} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// RoundTrips reports how many requests the driver has sent (retries
// included).
func (c *conn) RoundTrips() int64 { return c.trips.Load() }

// SetPDUs reports how many SET PDUs the driver has sent.
func (c *conn) SetPDUs() int64 { return c.sets.Load() }

// Close releases the socket.
func (c *conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g == nil {
		return nil
	}
	err := c.g.Conn.Close()
	c.g = nil
	return err
}

func (c *conn) errorf(port string, command string, format string, a ...any) error {
	return &switchdrivers.Error{Switch: c.name, Port: port, Command: command, Err: fmt.Errorf(format, a...)}
}

// request runs one request with ctx.
func (c *conn) request(ctx context.Context, what string, fn func(g *gosnmp.GoSNMP) (*gosnmp.SnmpPacket, error)) (*gosnmp.SnmpPacket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.session()
	if err != nil {
		return nil, c.errorf("", "", "%s: %w", what, err)
	}
	g.Context = ctx
	pkt, err := fn(g)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.errorf("", "", "%s: %w", what, context.Cause(ctx))
		}
		return nil, c.errorf("", "", "%s: %w", what, c.scrub(err))
	}
	return pkt, nil
}

// trim drops the leading dot the library puts on OIDs.
func trim(oid string) string { return strings.TrimPrefix(oid, ".") }

// maxColumnRows bounds one column of a walk (an agent that keeps
// inventing new OIDs cannot keep a read going for ever).
const maxColumnRows = 1 << 18

// walkColumn is the state of one column during a walk.
type walkColumn struct {
	root     string
	cursor   string // the OID the next request continues from
	max      string // the greatest OID read
	seen     map[string]bool
	rows     []gosnmp.SnmpPDU
	disorder string // the first OID that came after a greater one
	done     bool
}

// columns walks several table columns at once with GETBULK: each request
// carries the cursor of every column not finished yet, so a table of n
// columns costs about rows/max_repetitions round trips, not n times that.
// SNMPv1 agents get GETNEXT.
//
// Real agents return rows out of order, or come back to rows already
// returned. Rows are kept whatever their order and sorted at the end; a
// row returned again sends the column on from the greatest OID read, and
// a column that comes back to rows it already returned from there is a
// loop: it stops there. Each is a warning, never a failed read.
func (c *conn) columns(ctx context.Context, w *warnings, roots ...string) (map[string][]gosnmp.SnmpPDU, error) {
	cols := make([]*walkColumn, len(roots))
	for i, r := range roots {
		cols[i] = &walkColumn{root: r, cursor: r, max: r, seen: map[string]bool{}}
	}
	reps := c.maxReps
	answered, retried := false, false
	for {
		var active []*walkColumn
		for _, col := range cols {
			if !col.done {
				active = append(active, col)
			}
		}
		if len(active) == 0 {
			break
		}
		oids := make([]string, len(active))
		names := make([]string, len(active))
		for i, col := range active {
			oids[i], names[i] = col.cursor, col.root
		}
		pkt, err := c.request(ctx, "walking "+oidNameList(names), func(g *gosnmp.GoSNMP) (*gosnmp.SnmpPacket, error) {
			if g.Version == gosnmp.Version1 {
				return g.GetNext(oids)
			}
			return g.GetBulk(oids, 0, uint32(reps))
		})
		if err != nil && reps > 1 && isTimeout(err) && ctx.Err() == nil && (answered || !retried) {
			// Agents that cannot fit a long answer into one datagram
			// may send nothing instead of tooBig: ask for fewer rows
			// (once only while the agent has answered nothing: a dead
			// agent costs one more timeout, not several).
			w.add(active[0].root, "the agent did not answer a GETBULK of %d rows per column; the walk goes on with %d", reps, max(1, reps/4))
			reps, retried = max(1, reps/4), true
			continue
		}
		if err != nil {
			return nil, err
		}
		answered = true
		if pkt.Error == gosnmp.TooBig && reps > 1 {
			reps /= 2
			continue
		}
		if pkt.Error == gosnmp.NoSuchName && c.creds.Version == "1" {
			break // v1's end of the MIB
		}
		if pkt.Error != gosnmp.NoError {
			return nil, c.errorf("", "", "walking %s: the agent answered %s", oidNameList(names), pkt.Error)
		}
		if len(pkt.Variables) == 0 {
			for _, col := range active {
				w.cut(col.root, "the agent answered a walk request with no values; the column ends here (%d rows)", len(col.rows))
				col.done = true
			}
			break
		}
		progressed := false
		skip := map[*walkColumn]bool{}
		for i, v := range pkt.Variables {
			col := active[i%len(active)]
			if col.done || skip[col] {
				continue
			}
			name := trim(v.Name)
			if v.Type == gosnmp.EndOfMibView || v.Type == gosnmp.NoSuchObject || v.Type == gosnmp.NoSuchInstance || !strings.HasPrefix(name, col.root+".") {
				col.done = true
				continue
			}
			if col.seen[name] {
				if col.cursor == col.max {
					w.cut(col.root, "the agent returned %s again after %s (a loop): the walk of this column stops there with %d rows", name, col.cursor, len(col.rows))
					col.done = true
				} else {
					col.cursor = col.max // go on from the greatest OID read
					skip[col] = true
				}
				continue
			}
			if !oidAfter(name, col.cursor) && col.disorder == "" {
				col.disorder = fmt.Sprintf("%s after %s", name, col.cursor)
			}
			v.Name = name
			col.seen[name] = true
			col.rows = append(col.rows, v)
			col.cursor = name
			if oidAfter(name, col.max) {
				col.max = name
			}
			progressed = true
			if len(col.rows) >= maxColumnRows {
				w.cut(col.root, "more than %d rows: the walk of this column stops there", maxColumnRows)
				col.done = true
			}
		}
		if !progressed && len(skip) == 0 {
			stalled := false
			for _, col := range active {
				if !col.done {
					w.cut(col.root, "the agent returned nothing new after %s; the column ends there with %d rows", col.cursor, len(col.rows))
					col.done, stalled = true, true
				}
			}
			if stalled {
				break
			}
		}
	}
	out := make(map[string][]gosnmp.SnmpPDU, len(cols))
	for _, col := range cols {
		if col.disorder != "" {
			w.add(col.root, "the agent returned rows out of order (%s); they were sorted", col.disorder)
			slices.SortFunc(col.rows, func(a, b gosnmp.SnmpPDU) int { return compareOID(a.Name, b.Name) })
		}
		out[col.root] = col.rows
	}
	return out, nil
}

// compareOID orders dotted OIDs numerically, component by component.
func compareOID(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.ParseUint(as[i], 10, 64)
		y, _ := strconv.ParseUint(bs[i], 10, 64)
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// oidAfter reports whether a sorts after b (numeric, component-wise).
func oidAfter(a, b string) bool { return compareOID(a, b) > 0 }

// get reads single objects; absent ones come back as NoSuchObject or
// NoSuchInstance varbinds (v2c/v3), not as an error.
func (c *conn) get(ctx context.Context, oids []string) ([]gosnmp.SnmpPDU, error) {
	var out []gosnmp.SnmpPDU
	for start := 0; start < len(oids); start += c.maxVarbinds {
		chunk := oids[start:min(start+c.maxVarbinds, len(oids))]
		pkt, err := c.request(ctx, "reading "+oidName(chunk[0]), func(g *gosnmp.GoSNMP) (*gosnmp.SnmpPacket, error) { return g.Get(chunk) })
		if err != nil {
			return nil, err
		}
		if pkt.Error != gosnmp.NoError && pkt.Error != gosnmp.NoSuchName {
			return nil, c.errorf("", "", "reading %s: the agent answered %s", oidName(chunk[0]), pkt.Error)
		}
		for _, v := range pkt.Variables {
			v.Name = trim(v.Name)
			out = append(out, v)
		}
	}
	return out, nil
}

// setError is a SET the agent refused: its status and the varbind it
// named (ErrorIndex, 1-based; 0 when the agent named none).
type setError struct {
	status gosnmp.SNMPError
	index  int
}

func (e *setError) Error() string { return "the agent answered " + e.status.String() }

// set sends one SET PDU. A timeout comes back as a plain error: whether
// it was applied is unknown.
func (c *conn) set(ctx context.Context, pdus []gosnmp.SnmpPDU) error {
	c.sets.Add(1)
	pkt, err := c.request(ctx, "setting "+oidName(pdus[0].Name), func(g *gosnmp.GoSNMP) (*gosnmp.SnmpPacket, error) { return g.Set(pdus) })
	if err != nil {
		return err
	}
	if pkt.Error != gosnmp.NoError {
		return &setError{status: pkt.Error, index: int(pkt.ErrorIndex)}
	}
	return nil
}
