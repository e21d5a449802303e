package snmp

import (
	"context"
	"fmt"
	"slices"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// A value a read could not use, or a column whose walk ended before its
// end, is an unreadable row (switchdrivers.UnreadableRow) concerning the
// ports whose state it feeds: the port its index names; every bridge
// port, for a VLAN's membership list (any port may be in it); the ports
// with no row in the column, when its index could not be read or the
// column was cut short (theirs may be the row, or among the rows not
// read). A description or an admin/oper state concerns no port (they
// are shown, never acted on), nor does a VLAN's state (a batch into a
// VLAN not known to exist is refused anyway). The driver's Ports goes past rows that
// concern no port of the plan, and Apply refuses, untouched, a batch
// moving a port one of them concerns (switchdrivers.PortRead.Check).

// badValue is one such row, before the read knows its ports.
type badValue struct {
	root   string // the column walked
	oid    string // the object (the column's, when the column was cut short)
	value  string // what the agent sent ("" when the column was cut short)
	reason string
	at     concern
	index  int      // the ifIndex or dot1dBasePort (by at)
	ports  []string // the ports it may be, once the read knows them
}

// concern says which ports a badValue concerns.
type concern int

const (
	lackingRow  concern = iota // the ports with no row in the column
	ifIndexRow                 // the port of ifIndex index
	basePortRow                // the port of dot1dBasePort index
	everyPort                  // every bridge port (a VLAN's membership)
	noPort                     // none (a VLAN's state)
)

// skip records that v could not be used: a warning (Warnings) and a row.
func (w *warnings) skip(root string, v gosnmp.SnmpPDU, at concern, index int, format string, a ...any) {
	w.add(v.Name, format, a...)
	w.bad = append(w.bad, badValue{root: root, oid: v.Name, value: valueText(v), reason: fmt.Sprintf(format, a...), at: at, index: index})
}

// cut records that the walk of column root ended before the column did.
func (w *warnings) cut(root, format string, a ...any) {
	w.add(root, format, a...)
	w.bad = append(w.bad, badValue{root: root, oid: root, reason: fmt.Sprintf(format, a...), at: lackingRow})
}

// indexedBy says, for rowsOf, what indexes the columns every read walks
// besides the driver's own (IF-MIB's are by ifIndex; those only shown
// concern no port).
func indexedBy(own map[string]concern) map[string]concern {
	out := map[string]concern{oidIfAlias: noPort, oidIfAdminStatus: noPort, oidIfOperStatus: noPort}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// valueText is a value as the agent sent it, for a row's text.
func valueText(v gosnmp.SnmpPDU) string {
	if b, ok := v.Value.([]byte); ok {
		return fmt.Sprintf("%s %q", typeName(v), shorten(b))
	}
	return fmt.Sprintf("%s %v", typeName(v), v.Value)
}

// rowsOf resolves the read's bad values into rows naming the ports they
// may be. ports are the ports read; baseIf maps dot1dBasePort to ifIndex
// (nil on agents without BRIDGE-MIB). indexed says what indexes each
// column other than by ifIndex: basePortRow (dot1dBasePort), or, for a
// column indexed by VLAN, what a row of it with no readable index (or
// the rows of it not read) concerns (everyPort, noPort).
func rowsOf(bad []badValue, cols map[string][]gosnmp.SnmpPDU, ports []switchdrivers.PortState, baseIf map[int]int, indexed map[string]concern) []switchdrivers.UnreadableRow {
	name := map[int]string{} // ifIndex -> port
	for _, p := range ports {
		name[p.IfIndex] = p.Name
	}
	var out []switchdrivers.UnreadableRow
	for i := range bad {
		b := &bad[i]
		at := b.at
		if k := indexed[b.root]; at == lackingRow && (k == everyPort || k == noPort) {
			at = k
		}
		var concerned []string
		switch at {
		case ifIndexRow:
			if n, ok := name[b.index]; ok {
				concerned = []string{n}
			}
		case basePortRow:
			if n, ok := name[baseIf[b.index]]; ok {
				concerned = []string{n}
			}
		case everyPort:
			for _, p := range ports {
				concerned = append(concerned, p.Name)
			}
		case lackingRow:
			has := map[int]bool{}
			for _, v := range cols[b.root] {
				if i, err := rowIndex(v.Name, 2147483647); err == nil {
					if indexed[b.root] == basePortRow {
						i = baseIf[i]
					}
					has[i] = true
				}
			}
			for _, p := range ports {
				if !has[p.IfIndex] {
					concerned = append(concerned, p.Name)
				}
			}
		}
		b.ports = concerned
		text := fmt.Sprintf("%s (%s)", oidName(b.oid), b.oid)
		if b.value != "" {
			text += " = " + b.value
		}
		out = append(out, switchdrivers.UnreadableRow{Command: "walk " + oidName(b.root), Text: text, Reason: b.reason, Ports: concerned, PortsOnly: true})
	}
	return out
}

// same is how SNMP port names compare: as ifName spells them.
func same(a, b string) bool { return a == b }

// keepRows makes rows the latest read's unreadable rows.
func (c *conn) keepRows(rows []switchdrivers.UnreadableRow) {
	c.wmu.Lock()
	c.rows = rows
	c.wmu.Unlock()
}

// Unreadable returns the rows the latest read went past
// (switchdrivers.PortReader).
func (c *conn) Unreadable() []switchdrivers.UnreadableRow {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return slices.Clone(c.rows)
}

// ports reads the ports with read and fails only where a row it went
// past may be a port of the plan.
func (c *conn) ports(ctx context.Context, read func(context.Context) (switchdrivers.PortRead, error)) ([]switchdrivers.PortState, error) {
	pr, err := read(ctx)
	if err != nil {
		return nil, err
	}
	if err := pr.Check(c.name, c.plan, same); err != nil {
		return nil, err
	}
	return pr.Ports, nil
}
