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
	byName           map[string]bridgePort
	vlans            map[int]bool
	egress, untagged map[int]PortSet // static (writable) bitmaps
}

func (d *QBridge) read(ctx context.Context) (*bridgeState, error) {
	cols, err := d.columns(ctx, append([]string{oidBasePortIfIndex, oidPvid, oidStaticName, oidStaticEgress, oidStaticUntagged}, ifColumns...)...)
	if err != nil {
		return nil, err
	}
	ifs, err := interfaces(cols)
	if err != nil {
		return nil, d.errorf("", "", "%v", err)
	}
	st := &bridgeState{byName: map[string]bridgePort{}, vlans: map[int]bool{}, egress: map[int]PortSet{}, untagged: map[int]PortSet{}}
	bad := func(err error) error { return d.errorf("", "", "%v", err) }
	// dot1dBasePort -> ifIndex, afresh on every read.
	baseIf := map[int]int{}
	for _, v := range cols[oidBasePortIfIndex] {
		ix, err := index(oidBasePortIfIndex, v.Name, 1)
		if err != nil {
			return nil, bad(err)
		}
		n, err := intValue(v)
		if err != nil {
			return nil, bad(err)
		}
		baseIf[ix[0]] = int(n)
	}
	pvid, pvidType := map[int]int{}, map[int]gosnmp.Asn1BER{}
	for _, v := range cols[oidPvid] {
		ix, err := index(oidPvid, v.Name, 1)
		if err != nil {
			return nil, bad(err)
		}
		pvidType[ix[0]] = v.Type
		if n, err := intValue(v); err == nil && n == 0 {
			pvid[ix[0]] = 0 // no VLAN: a routed port (AOS-CX)
			continue
		}
		vlan, err := vlanValue(v)
		if err != nil {
			return nil, bad(err)
		}
		pvid[ix[0]] = vlan
	}
	for _, v := range cols[oidStaticName] {
		if ix, err := index(oidStaticName, v.Name, 1); err == nil {
			st.vlans[ix[0]] = true
		}
	}
	egress, untagged := cols[oidStaticEgress], cols[oidStaticUntagged]
	if err := decodeBitmaps(oidStaticEgress, egress, st.egress, st.vlans); err != nil {
		return nil, bad(err)
	}
	if err := decodeBitmaps(oidStaticUntagged, untagged, st.untagged, st.vlans); err != nil {
		return nil, bad(err)
	}
	// Membership for trunk detection: the static table, else the current one.
	memberEgress, memberUntagged := st.egress, st.untagged
	if len(egress) == 0 {
		cur, err := d.columns(ctx, oidCurrentEgress, oidCurrentUntagged)
		if err != nil {
			return nil, err
		}
		memberEgress, memberUntagged = map[int]PortSet{}, map[int]PortSet{}
		if err := decodeBitmaps(oidCurrentEgress, cur[oidCurrentEgress], memberEgress, st.vlans); err != nil {
			return nil, bad(err)
		}
		if err := decodeBitmaps(oidCurrentUntagged, cur[oidCurrentUntagged], memberUntagged, st.vlans); err != nil {
			return nil, bad(err)
		}
	}
	member := map[int][]int{} // base port -> static VLANs it is an egress or untagged member of
	for _, v := range slices.Sorted(maps.Keys(st.vlans)) {
		for base := range baseIf {
			if st.egress[v].Has(base) || st.untagged[v].Has(base) {
				member[base] = append(member[base], v)
			}
		}
	}
	for _, base := range slices.Sorted(maps.Keys(baseIf)) {
		idx := baseIf[base]
		pv, hasPvid := pvid[base]
		mode, vlan := judge(base, pv, hasPvid, memberEgress, memberUntagged)
		st.ports = append(st.ports, portState(idx, ifs[idx], mode, vlan))
	}
	sortPorts(st.ports)
	uniqueNames(st.ports)
	ifBase := map[int]int{}
	for base, idx := range baseIf {
		ifBase[idx] = base
	}
	for _, p := range st.ports {
		base := ifBase[p.IfIndex]
		t := pvidType[base]
		if t == 0 {
			t = gosnmp.Gauge32 // Unsigned32 in the MIB
		}
		pv, hasPvid := pvid[base]
		st.byName[p.Name] = bridgePort{ifIndex: p.IfIndex, base: base, pvidType: t, member: member[base], pvid: pv, hasPvid: hasPvid}
	}
	return st, nil
}

// judge decides a bridge port's mode and VLAN from the standard's
// meaning of egress, untagged and PVID together (IEEE 802.1Q, RFC 4363):
// a port untagged in exactly one VLAN and tagged in none is an access
// port of that VLAN, whatever its PVID says; a tagged member of any VLAN,
// or an untagged member of several, is a trunk; a port that is a member
// of no VLAN takes its untagged VLAN from its PVID (0: routed, no VLAN).
func judge(base, pvid int, hasPvid bool, egress, untagged map[int]PortSet) (mode string, vlan int) {
	tagged, untaggedIn := false, []int{}
	for v, set := range egress {
		if set.Has(base) && !untagged[v].Has(base) {
			tagged = true
		}
	}
	for v, set := range untagged {
		if set.Has(base) {
			untaggedIn = append(untaggedIn, v)
		}
	}
	switch {
	case tagged || len(untaggedIn) > 1:
		return switchdrivers.ModeTrunk, 0
	case len(untaggedIn) == 1:
		return switchdrivers.ModeAccess, untaggedIn[0]
	case hasPvid && pvid == 0:
		return switchdrivers.ModeRouted, 0
	}
	return switchdrivers.ModeAccess, pvid
}

// decodeBitmaps fills into[vlan] from a column indexed by (…, vlan).
func decodeBitmaps(root string, col []gosnmp.SnmpPDU, into map[int]PortSet, vlans map[int]bool) error {
	for _, v := range col {
		ix, err := index(root, v.Name, 1)
		if err != nil {
			return err
		}
		set, err := decodePortSet(v)
		if err != nil {
			return fmt.Errorf("%s: %w", oidName(v.Name), err)
		}
		into[ix[0]] = set
		vlans[ix[0]] = true
	}
	return nil
}

// Ports implements switchdrivers.Driver: the bridge ports, named by
// ifName, with their PVID as the segment.
func (d *QBridge) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	st, err := d.read(ctx)
	if err != nil {
		return nil, err
	}
	return st.ports, nil
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
	read := func(ctx context.Context) (*bridgeState, []switchdrivers.PortState, error) {
		st, err := d.read(ctx)
		if err != nil {
			return nil, nil, err
		}
		return st, st.ports, nil
	}
	return applyBatch(ctx, d.conn, changes, read, func(st *bridgeState) ([][]varbind, error) { return d.plan(st, changes) })
}

// plan turns changes into SET PDUs: per PDU, the ports' removal from the
// old VLANs' bitmaps, their addition to the new ones', then their PVIDs.
func (d *QBridge) plan(st *bridgeState, changes []switchdrivers.Change) ([][]varbind, error) {
	if len(st.vlans) == 0 {
		return nil, d.errorf("", "", "the agent lists no VLANs (dot1qVlanStaticTable and dot1qVlanCurrentTable are empty), so the target VLAN cannot be verified")
	}
	for _, c := range changes {
		to, _ := vlanSegment(c.To)
		if !st.vlans[to] {
			return nil, d.errorf(c.Port, "", "VLAN %d does not exist on the switch", to)
		}
		if !d.pvidOnly && (st.egress[to] == nil || st.untagged[to] == nil) {
			return nil, d.errorf(c.Port, "", "VLAN %d has no dot1qVlanStaticEgressPorts/UntaggedPorts row to rewrite; if this agent moves untagged membership with the PVID, set options.membership: pvid", to)
		}
		// The PVID classifies what the port receives: moving the
		// membership without it would leave the port receiving into the
		// old VLAN.
		if p := st.byName[c.Port]; !p.hasPvid {
			return nil, d.errorf(c.Port, "", "the agent lists no dot1qPvid.%d for this port (dot1dBasePort %d), so its PVID cannot be moved with it", p.base, p.base)
		}
	}
	egress, untagged := maps.Clone(st.egress), maps.Clone(st.untagged)
	bitmap := func(root string, vlan int, before, after PortSet, ports []string) varbind {
		oid := fmt.Sprintf("%s.%d", root, vlan)
		return varbind{
			set:    gosnmp.SnmpPDU{Name: oid, Type: gosnmp.OctetString, Value: []byte(after)},
			before: gosnmp.SnmpPDU{Name: oid, Type: gosnmp.OctetString, Value: []byte(before)},
			ports:  ports,
		}
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
	// add order, updating egress/untagged.
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
				u, e := untagged[v], egress[v]
				var ports []string
				for _, c := range leaving[v] {
					b := st.byName[c.Port].base
					u, e = u.Without(b), e.Without(b)
					ports = append(ports, c.Port)
				}
				out = append(out, bitmap(oidStaticUntagged, v, untagged[v], u, ports), bitmap(oidStaticEgress, v, egress[v], e, ports))
				untagged[v], egress[v] = u, e
			}
			for _, v := range slices.Sorted(maps.Keys(arriving)) {
				u, e := untagged[v], egress[v]
				var ports []string
				for _, c := range arriving[v] {
					b := st.byName[c.Port].base
					u, e = u.With(b), e.With(b)
					ports = append(ports, c.Port)
				}
				out = append(out, bitmap(oidStaticEgress, v, egress[v], e, ports), bitmap(oidStaticUntagged, v, untagged[v], u, ports))
				untagged[v], egress[v] = u, e
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
