package snmp

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// QBridge is an open snmp_qbridge driver.
type QBridge struct {
	*conn
	pvidOnly bool
}

// QBridgeSaver is an snmp_qbridge driver with a save_oid: it also
// implements switchdrivers.Saver.
type QBridgeSaver struct {
	*QBridge
	saveOID string
	saveVal int
}

// OpenQBridge validates cfg. It performs no I/O.
func OpenQBridge(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	c, err := openConn(QBridgeName, cfg, "membership", "save_oid")
	if err != nil {
		return nil, err
	}
	d := &QBridge{conn: c}
	switch m := c.options["membership"]; m {
	case "", "bitmaps":
	case "pvid":
		d.pvidOnly = true
	default:
		return nil, fmt.Errorf("switch %s: %s: option membership=%q: want bitmaps or pvid", cfg.Name, QBridgeName, m)
	}
	if s, ok := c.options["save_oid"]; ok {
		oid, val, found := strings.Cut(s, "=")
		n, err := strconv.Atoi(val)
		if !found || err != nil || !oidGrammar(oid) {
			return nil, fmt.Errorf("switch %s: %s: option save_oid=%q: want OID=INTEGER (e.g. 1.3.6.1.4.1.X...=1)", cfg.Name, QBridgeName, s)
		}
		return &QBridgeSaver{QBridge: d, saveOID: oid, saveVal: n}, nil
	}
	return d, nil
}

func oidGrammar(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 128 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// bridgePort is what Apply needs of one port.
type bridgePort struct {
	ifIndex, base int
	pvidType      gosnmp.Asn1BER
	member        []int // the static VLANs it is an egress or untagged member of
	pvid          int
	hasPvid       bool
}

// bridgeState is one read of the switch.
type bridgeState struct {
	ports            []switchdrivers.PortState
	rows             []switchdrivers.UnreadableRow // what the read could not use, and the ports it may be
	byName           map[string]bridgePort
	vlans            map[int]bool
	egress, untagged map[int]portList // static (writable) membership
	unreadable       []string         // static membership values that fit no form
}

func (d *QBridge) read(ctx context.Context) (*bridgeState, error) {
	var w warnings
	defer d.keep(&w)
	cols, err := d.columns(ctx, &w, append([]string{oidBasePortIfIndex, oidPvid, oidStaticName, oidStaticEgress, oidStaticUntagged, oidCurrentEgress, oidCurrentUntagged}, ifColumns...)...)
	if err != nil {
		d.keepRows(nil)
		return nil, err
	}
	st, err := decodeBridge(cols, &w)
	if err != nil {
		d.keepRows(nil)
		return nil, d.errorf("", "", "%v", err)
	}
	d.keepRows(st.rows)
	return st, nil
}

// ReadPorts reads the bridge ports and the values it could not use
// (switchdrivers.PortReader).
func (d *QBridge) ReadPorts(ctx context.Context) (switchdrivers.PortRead, error) {
	st, err := d.read(ctx)
	if err != nil {
		return switchdrivers.PortRead{}, err
	}
	return switchdrivers.PortRead{Ports: st.ports, Unreadable: st.rows}, nil
}

// decodeBridge makes one read of the switch out of the columns walked:
// IF-MIB, dot1dBasePortIfIndex, dot1qPvid, dot1qVlanStaticName, and the
// static and current membership columns. A VLAN's membership is its
// static (configured, writable) rows, or, for a VLAN the static table
// does not list, its current rows: agents list a VLAN in one table and
// not the other.
func decodeBridge(cols map[string][]gosnmp.SnmpPDU, w *warnings) (*bridgeState, error) {
	ifs := interfaces(cols, w)
	st := &bridgeState{byName: map[string]bridgePort{}, vlans: map[int]bool{}, egress: map[int]portList{}, untagged: map[int]portList{}}
	// dot1dBasePort -> ifIndex, afresh on every read.
	baseIf, ifBase := map[int]int{}, map[int]int{}
	for _, v := range cols[oidBasePortIfIndex] {
		base, err := rowIndex(v.Name, 65535)
		if err != nil {
			w.skip(oidBasePortIfIndex, v, lackingRow, 0, "%v; row skipped", err)
			continue
		}
		n, err := intValue(v)
		if err != nil || n < 1 || n > 2147483647 {
			w.skip(oidBasePortIfIndex, v, basePortRow, base, "not an ifIndex (%s); base port %d skipped", describe(v, err), base)
			continue
		}
		if other, dup := ifBase[int(n)]; dup {
			w.skip(oidBasePortIfIndex, v, ifIndexRow, int(n), "base ports %d and %d both map to ifIndex %d; base port %d skipped", other, base, n, base)
			continue
		}
		baseIf[base], ifBase[int(n)] = int(n), base
	}
	if len(baseIf) == 0 {
		return nil, fmt.Errorf("the agent lists no bridge ports (dot1dBasePortIfIndex has no readable rows; dot1qPvid has %d, ifName %d): no port can be named", len(cols[oidPvid]), len(cols[oidIfName]))
	}
	pvid, pvidType := map[int]int{}, map[int]gosnmp.Asn1BER{}
	var orphans []string
	for _, v := range cols[oidPvid] {
		base, err := rowIndex(v.Name, 65535)
		if err != nil {
			w.skip(oidPvid, v, lackingRow, 0, "%v; row skipped", err)
			continue
		}
		n, err := intValue(v)
		switch {
		case err != nil || n < 0 || n > 4094:
			w.skip(oidPvid, v, basePortRow, base, "not a VLAN ID (%s); the PVID of base port %d is unknown", describe(v, err), base)
			continue
		case baseIf[base] == 0:
			orphans = append(orphans, strconv.Itoa(base))
			continue
		}
		pvid[base], pvidType[base] = int(n), v.Type // 0: no VLAN, a routed port (AOS-CX)
	}
	if len(orphans) > 0 {
		w.add(oidPvid+"."+orphans[0], "base ports %s have a PVID but no dot1dBasePortIfIndex row, so no interface: not listed", strings.Join(orphans, ", "))
	}
	for _, v := range cols[oidStaticName] {
		if vlan, err := rowIndex(v.Name, 4094); err == nil {
			st.vlans[vlan] = true
		}
	}
	bridge := make(map[int]bool, len(baseIf))
	for base := range baseIf {
		bridge[base] = true
	}
	dec := portListDecoder{bridge: bridge, warn: w.add}
	static, current, bad := membership(dec, w, cols, st.vlans)
	st.egress, st.untagged = static[0], static[1]
	st.unreadable = bad
	egress, untagged := map[int]portList{}, map[int]portList{}
	for v := range st.vlans {
		src := current
		if _, ok := static[0][v]; ok {
			src = static
		} else if _, ok := static[1][v]; ok {
			src = static
		}
		if pl, ok := src[0][v]; ok {
			egress[v] = pl
		}
		if pl, ok := src[1][v]; ok {
			untagged[v] = pl
		}
	}
	// Per port, the VLANs it is in (only ports of the bridge count),
	// collected VLAN by VLAN: the cost grows with the members, not with
	// ports times VLANs.
	in := map[int]*portVLANs{}
	of := func(base int) *portVLANs {
		if in[base] == nil {
			in[base] = &portVLANs{}
		}
		return in[base]
	}
	for _, v := range slices.Sorted(maps.Keys(egress)) {
		pl := egress[v]
		_, known := untagged[v]
		if !known {
			untaggedRoot := oidStaticUntagged
			if strings.HasPrefix(pl.oid, oidCurrentEgress+".") {
				untaggedRoot = oidCurrentUntagged
			}
			w.add(pl.oid, "VLAN %d has egress ports but no %s row: its members are judged with their PVID (in this VLAN alone and the PVID's: access; else a trunk)", v, oidName(untaggedRoot))
		}
		for _, base := range pl.set.within(bridge) {
			switch {
			case !known:
				of(base).either = append(of(base).either, v)
			case !untagged[v].set.Has(base):
				of(base).tagged = append(of(base).tagged, v)
			}
		}
	}
	for _, v := range slices.Sorted(maps.Keys(untagged)) {
		for _, base := range untagged[v].set.within(bridge) {
			of(base).untagged = append(of(base).untagged, v)
		}
	}
	member := map[int][]int{} // base port -> static VLANs it is an egress or untagged member of
	for _, v := range slices.Sorted(maps.Keys(st.vlans)) {
		for _, base := range st.egress[v].set.Or(st.untagged[v].set).within(bridge) {
			member[base] = append(member[base], v)
		}
	}
	for _, base := range slices.Sorted(maps.Keys(baseIf)) {
		idx := baseIf[base]
		pv, hasPvid := pvid[base]
		var vlans portVLANs
		if in[base] != nil {
			vlans = *in[base]
		}
		mode, vlan := judge(vlans, pv, hasPvid)
		p := portState(idx, ifs[idx], mode, vlan)
		if mode == switchdrivers.ModeAccess && hasPvid && pv != vlan && vlan != 0 {
			w.add(fmt.Sprintf("%s.%d", oidPvid, base), "%s (base port %d) is untagged in VLAN %d alone but its PVID is %d: reported in VLAN %d, the VLAN it sends untagged frames in (a move sets both)", p.Name, base, vlan, pv, vlan)
		}
		st.ports = append(st.ports, p)
	}
	sortPorts(st.ports)
	uniqueNames(st.ports)
	for _, p := range st.ports {
		base := ifBase[p.IfIndex]
		t := pvidType[base]
		if t == 0 {
			t = gosnmp.Gauge32 // Unsigned32 in the MIB
		}
		pv, hasPvid := pvid[base]
		st.byName[p.Name] = bridgePort{ifIndex: p.IfIndex, base: base, pvidType: t, member: member[base], pvid: pv, hasPvid: hasPvid}
	}
	st.rows = rowsOf(w.bad, cols, st.ports, baseIf, indexedBy(map[string]concern{
		oidBasePortIfIndex: basePortRow, oidPvid: basePortRow, oidStaticName: noPort,
		oidStaticEgress: everyPort, oidStaticUntagged: everyPort, oidCurrentEgress: everyPort, oidCurrentUntagged: everyPort,
	}))
	return st, nil
}

// membership decodes the egress and untagged PortList columns of the
// static and the current table, all together (one agent, one read);
// VLANs found are added to vlans. It returns, per table, [egress,
// untagged] by VLAN, and the OIDs of static values that could not be
// read (reported as warnings; the current table's are reported only).
func membership(dec portListDecoder, w *warnings, cols map[string][]gosnmp.SnmpPDU, vlans map[int]bool) (static, current [2]map[int]portList, unreadable []string) {
	var values []portListValue
	vlanOf := map[string]int{}
	pdus := map[string]gosnmp.SnmpPDU{}
	rootOf := map[string]string{}
	isStatic := func(oid string) bool {
		return strings.HasPrefix(oid, oidStaticEgress+".") || strings.HasPrefix(oid, oidStaticUntagged+".")
	}
	// A value that could not be read is any port's membership: of the
	// static table, always (a move rewrites it); of the current table,
	// where the static table does not list its VLAN (the VLAN is judged
	// from it).
	type unread struct {
		v          gosnmp.SnmpPDU
		root       string
		vlan       int // 0: not known
		fromStatic bool
	}
	var bad []unread
	skipped := func(v gosnmp.SnmpPDU, root string, vlan int, format string, a ...any) {
		w.add(v.Name, format, a...)
		bad = append(bad, unread{v: v, root: root, vlan: vlan, fromStatic: isStatic(v.Name)})
	}
	for _, root := range []string{oidStaticEgress, oidStaticUntagged, oidCurrentEgress, oidCurrentUntagged} {
		for _, v := range cols[root] {
			vlan, err := rowIndex(v.Name, 4094)
			if err != nil {
				skipped(v, root, 0, "%v; row skipped", err)
				continue
			}
			b, err := octets(v)
			if err != nil {
				skipped(v, root, vlan, "%v; the membership of VLAN %d is unknown", err, vlan)
				continue
			}
			vlanOf[v.Name], pdus[v.Name], rootOf[v.Name] = vlan, v, root
			values = append(values, portListValue{oid: v.Name, b: b})
		}
	}
	decoded := dec.decode(values)
	for _, t := range []*[2]map[int]portList{&static, &current} {
		t[0], t[1] = map[int]portList{}, map[int]portList{}
	}
	for _, v := range values {
		vlan := vlanOf[v.oid]
		vlans[vlan] = true
		pl, ok := decoded[v.oid]
		if !ok { // the decoder has said why
			bad = append(bad, unread{v: pdus[v.oid], root: rootOf[v.oid], vlan: vlan, fromStatic: isStatic(v.oid)})
			continue
		}
		pl.oid, pl.raw = v.oid, v.b
		table := &current
		if isStatic(v.oid) {
			table = &static
		}
		if strings.HasPrefix(v.oid, oidStaticEgress+".") || strings.HasPrefix(v.oid, oidCurrentEgress+".") {
			table[0][vlan] = pl
		} else {
			table[1][vlan] = pl
		}
	}
	for _, u := range bad {
		at := everyPort
		_, egress := static[0][u.vlan]
		_, untagged := static[1][u.vlan]
		switch {
		case u.fromStatic:
			unreadable = append(unreadable, u.v.Name)
		case u.vlan > 0 && (egress || untagged):
			at = noPort // its VLAN is judged from the static table
		}
		w.bad = append(w.bad, badValue{root: u.root, oid: u.v.Name, value: valueText(u.v), reason: w.last(u.v.Name), at: at})
	}
	return static, current, unreadable
}

// portVLANs are the VLANs one port is in: tagged (an egress member, not
// untagged), untagged, or either (an egress member of a VLAN that has no
// untagged row to tell).
type portVLANs struct{ tagged, untagged, either []int }

// judge decides a bridge port's mode and VLAN from the standard's
// meaning of egress, untagged and PVID together (IEEE 802.1Q, RFC 4363):
// a port untagged in exactly one VLAN and tagged in none is an access
// port of that VLAN, whatever its PVID says; a tagged member of any VLAN,
// or an untagged member of several, is a trunk; a port that is a member
// of no VLAN takes its VLAN from its PVID (0: routed, no VLAN). Where a
// VLAN has egress members but no untagged row, a port in that VLAN alone
// is an access port if its PVID names it, else a trunk.
func judge(in portVLANs, pvid int, hasPvid bool) (mode string, vlan int) {
	switch {
	case len(in.tagged) > 0 || len(in.untagged) > 1:
		return switchdrivers.ModeTrunk, 0
	case len(in.either) > 0:
		if len(in.either) == 1 && len(in.untagged) == 0 && hasPvid && pvid == in.either[0] {
			return switchdrivers.ModeAccess, pvid
		}
		return switchdrivers.ModeTrunk, 0
	case len(in.untagged) == 1:
		return switchdrivers.ModeAccess, in.untagged[0]
	case hasPvid && pvid == 0:
		return switchdrivers.ModeRouted, 0
	}
	return switchdrivers.ModeAccess, pvid
}

// Ports implements switchdrivers.Driver: the bridge ports, named by
// ifName, with their mode and VLAN as judged from egress, untagged and
// PVID. It fails where a value it could not use may concern a port of
// the plan.
func (d *QBridge) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	return d.ports(ctx, d.ReadPorts)
}

// Render implements switchdrivers.Driver.
func (d *QBridge) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := checkChanges(d.name, changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	leaving, arriving := map[string][]string{}, map[string][]string{}
	var lines []string
	for _, c := range changes {
		leaving[c.From] = append(leaving[c.From], c.Port)
		arriving[c.To] = append(arriving[c.To], c.Port)
	}
	lines = append(lines, "# read dot1dBasePortIfIndex, ifName, the VLANs and their port bitmaps; refuse unless every target VLAN exists")
	if !d.pvidOnly {
		for _, v := range slices.Sorted(maps.Keys(leaving)) {
			lines = append(lines, fmt.Sprintf("SET dot1qVlanStaticUntaggedPorts.%s, dot1qVlanStaticEgressPorts.%s (and those of any other VLAN the read shows them in): remove %s", v, v, strings.Join(leaving[v], ", ")))
		}
		for _, v := range slices.Sorted(maps.Keys(arriving)) {
			lines = append(lines, fmt.Sprintf("SET dot1qVlanStaticEgressPorts.%s, dot1qVlanStaticUntaggedPorts.%s: add %s", v, v, strings.Join(arriving[v], ", ")))
		}
	}
	for _, c := range changes {
		lines = append(lines, fmt.Sprintf("SET dot1qPvid.<dot1dBasePort of %s> = %s", c.Port, c.To))
	}
	how := fmt.Sprintf("# in one SET PDU (up to %d varbinds each), applied by the agent as a whole", d.maxVarbinds)
	if d.oneVarbind {
		how = "# one varbind per SET PDU, in the order above (remove before add)"
	}
	return append(lines, how, "# read back"), nil
}

// Apply implements switchdrivers.Driver.
func (d *QBridge) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	read := func(ctx context.Context) (*bridgeState, switchdrivers.PortRead, error) {
		st, err := d.read(ctx)
		if err != nil {
			return nil, switchdrivers.PortRead{}, err
		}
		return st, switchdrivers.PortRead{Ports: st.ports, Unreadable: st.rows}, nil
	}
	return applyBatch(ctx, d.conn, changes, read, func(st *bridgeState) ([][]varbind, error) { return d.plan(st, changes) })
}

// plan turns changes into SET PDUs: per PDU, the ports' removal from the
// old VLANs' bitmaps, their addition to the new ones', then their PVIDs.
func (d *QBridge) plan(st *bridgeState, changes []switchdrivers.Change) ([][]varbind, error) {
	if len(st.vlans) == 0 {
		return nil, d.errorf("", "", "the agent lists no VLANs (dot1qVlanStaticTable and dot1qVlanCurrentTable are empty), so the target VLAN cannot be verified")
	}
	if !d.pvidOnly && len(st.unreadable) > 0 {
		slices.Sort(st.unreadable)
		return nil, d.errorf(changes[0].Port, "", "%s could not be read (see the warnings), so which VLANs the ports are members of is not fully known", oidNameList(st.unreadable))
	}
	for _, c := range changes {
		to, _ := vlanSegment(c.To)
		if !st.vlans[to] {
			return nil, d.errorf(c.Port, "", "VLAN %d does not exist on the switch", to)
		}
		_, hasEgress := st.egress[to]
		_, hasUntagged := st.untagged[to]
		if !d.pvidOnly && (!hasEgress || !hasUntagged) {
			return nil, d.errorf(c.Port, "", "VLAN %d has no dot1qVlanStaticEgressPorts/UntaggedPorts row to rewrite; if this agent moves untagged membership with the PVID, set options.membership: pvid", to)
		}
		// The PVID classifies what the port receives: moving the
		// membership without it would leave the port receiving into the
		// old VLAN.
		if p := st.byName[c.Port]; !p.hasPvid {
			return nil, d.errorf(c.Port, "", "dot1qPvid.%d, the PVID of this port (dot1dBasePort %d), is missing or unreadable (see the warnings), so it cannot be moved with the port", p.base, p.base)
		}
	}
	// The membership as the agent holds it while the PDUs go out: the
	// decoded sets, and the value each object holds (what an undo puts
	// back).
	type object struct {
		pl   portList
		set  PortSet
		held []byte
	}
	objects := map[string]*object{}
	obj := func(root string, vlan int) *object {
		oid := fmt.Sprintf("%s.%d", root, vlan)
		if objects[oid] == nil {
			pl := st.egress[vlan]
			if root == oidStaticUntagged {
				pl = st.untagged[vlan]
			}
			objects[oid] = &object{pl: pl, set: pl.set, held: pl.raw}
		}
		return objects[oid]
	}
	rewrite := func(root string, vlan int, ports []string, edit func(PortSet) PortSet) varbind {
		o := obj(root, vlan)
		oid := fmt.Sprintf("%s.%d", root, vlan)
		o.set = edit(o.set)
		value := o.pl.encode(o.set)
		vb := varbind{
			set:    gosnmp.SnmpPDU{Name: oid, Type: gosnmp.OctetString, Value: value},
			before: gosnmp.SnmpPDU{Name: oid, Type: gosnmp.OctetString, Value: o.held},
			ports:  ports,
			form:   o.pl.form,
		}
		o.held = value
		return vb
	}
	pvid := func(p bridgePort, port string, from, to int) varbind {
		oid := fmt.Sprintf("%s.%d", oidPvid, p.base)
		if p.hasPvid {
			from = p.pvid // the undo restores what the agent held
		}
		val := func(v int) any {
			if p.pvidType == gosnmp.Integer {
				return v
			}
			return uint32(v)
		}
		return varbind{
			set:    gosnmp.SnmpPDU{Name: oid, Type: p.pvidType, Value: val(to)},
			before: gosnmp.SnmpPDU{Name: oid, Type: p.pvidType, Value: val(from)},
			ports:  []string{port},
		}
	}
	// moves builds the varbinds moving a group of ports, in remove-before-
	// add order.
	moves := func(group []switchdrivers.Change) []varbind {
		var out []varbind
		if !d.pvidOnly {
			// A port leaves every VLAN it is a member of (not only the
			// one it is reported in: its PVID may name another), then
			// joins the new one.
			leaving, arriving := map[int][]switchdrivers.Change{}, map[int][]switchdrivers.Change{}
			for _, c := range group {
				to, _ := vlanSegment(c.To)
				for _, v := range st.byName[c.Port].member {
					if v != to {
						leaving[v] = append(leaving[v], c)
					}
				}
				arriving[to] = append(arriving[to], c)
			}
			for _, v := range slices.Sorted(maps.Keys(leaving)) {
				var ports []string
				var bases []int
				for _, c := range leaving[v] {
					ports, bases = append(ports, c.Port), append(bases, st.byName[c.Port].base)
				}
				without := func(s PortSet) PortSet {
					for _, b := range bases {
						s = s.Without(b)
					}
					return s
				}
				out = append(out, rewrite(oidStaticUntagged, v, ports, without), rewrite(oidStaticEgress, v, ports, without))
			}
			for _, v := range slices.Sorted(maps.Keys(arriving)) {
				var ports []string
				var bases []int
				for _, c := range arriving[v] {
					ports, bases = append(ports, c.Port), append(bases, st.byName[c.Port].base)
				}
				with := func(s PortSet) PortSet {
					for _, b := range bases {
						s = s.With(b)
					}
					return s
				}
				out = append(out, rewrite(oidStaticEgress, v, ports, with), rewrite(oidStaticUntagged, v, ports, with))
			}
		}
		for _, c := range group {
			from, _ := vlanSegment(c.From)
			to, _ := vlanSegment(c.To)
			out = append(out, pvid(st.byName[c.Port], c.Port, from, to))
		}
		return out
	}
	if d.oneVarbind {
		// Port by port, each varbind its own PDU, in remove-before-add order.
		var out [][]varbind
		for _, c := range changes {
			for _, v := range moves([]switchdrivers.Change{c}) {
				out = append(out, []varbind{v})
			}
		}
		return out, nil
	}
	// As many whole port moves per PDU as max_varbinds allows: each PDU
	// leaves every port entirely in its old or entirely in its new VLAN.
	var out [][]varbind
	var group []switchdrivers.Change
	size := func(g []switchdrivers.Change) int {
		if d.pvidOnly {
			return len(g)
		}
		vl := map[int]bool{}
		for _, c := range g {
			to, _ := vlanSegment(c.To)
			vl[to] = true
			for _, v := range st.byName[c.Port].member {
				vl[v] = true
			}
		}
		return len(g) + 2*len(vl)
	}
	for _, c := range changes {
		if len(group) > 0 && size(append(slices.Clone(group), c)) > d.maxVarbinds {
			out = append(out, moves(group))
			group = nil
		}
		group = append(group, c)
	}
	if len(group) > 0 {
		if size(group) > d.maxVarbinds {
			return nil, d.errorf(group[0].Port, "", "one port move needs %d varbinds, more than max_varbinds=%d", size(group), d.maxVarbinds)
		}
		out = append(out, moves(group))
	}
	return out, nil
}

// Save implements switchdrivers.Saver with the configured save_oid.
func (d *QBridgeSaver) Save(ctx context.Context) error {
	v := varbind{set: gosnmp.SnmpPDU{Name: d.saveOID, Type: gosnmp.Integer, Value: d.saveVal}}
	if err := d.set(ctx, values([]varbind{v})); err != nil {
		return d.errorf("", v.command(), "saving the configuration: %v", err)
	}
	return nil
}
