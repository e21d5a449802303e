package snmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// varbind is one object to set, with the value it had (for the undo) and
// the ports it concerns (for errors).
type varbind struct {
	set, before gosnmp.SnmpPDU
	ports       []string
	form        portForm // a PortList's form (OCTET STRING values)
}

// command renders a varbind for errors and plans.
func (v varbind) command() string {
	return fmt.Sprintf("SET %s = %s", oidName(v.set.Name), render(v.set, v.form))
}

func render(v gosnmp.SnmpPDU, form portForm) string {
	switch v.Type {
	case gosnmp.OctetString:
		b, _ := v.Value.([]byte)
		set, _ := decodeAs(b, form)
		if form == formList || form == formHex {
			return fmt.Sprintf("ports %v (%q)", set.Ports(), shorten(b))
		}
		return fmt.Sprintf("ports %v (%d-octet bitmap)", set.Ports(), len(b))
	case gosnmp.Integer:
		return fmt.Sprintf("%v (INTEGER)", v.Value)
	case gosnmp.Gauge32:
		return fmt.Sprintf("%v (Gauge32)", v.Value)
	}
	return fmt.Sprintf("%v (%s)", v.Value, v.Type)
}

// pdus groups varbinds into SET PDUs of at most max varbinds each.
func pdus(vbs []varbind, max int) [][]varbind {
	var out [][]varbind
	for start := 0; start < len(vbs); start += max {
		out = append(out, vbs[start:min(start+max, len(vbs))])
	}
	return out
}

// readBack reads a PDU's objects and says, per varbind, whether the
// agent holds the value set, and whether that differs from the value
// before (a varbind whose value did not change counts as not applied).
func (c *conn) readBack(ctx context.Context, pdu []varbind) (applied []bool, all bool, err error) {
	oids := make([]string, len(pdu))
	for i, v := range pdu {
		oids[i] = v.set.Name
	}
	got, err := c.get(ctx, oids)
	if err != nil {
		return nil, false, err
	}
	if len(got) != len(pdu) {
		return nil, false, fmt.Errorf("read-back returned %d values for %d objects", len(got), len(pdu))
	}
	applied, all = make([]bool, len(pdu)), true
	for i, v := range pdu {
		isSet := equalValue(got[i], v.set, v.form)
		all = all && isSet
		applied[i] = isSet && !equalValue(v.before, v.set, v.form)
	}
	return applied, all, nil
}

// equalValue compares a read value with a written one: integers by value
// (whatever their type), port lists by membership in the form written
// (agents pad bitmaps).
func equalValue(got, want gosnmp.SnmpPDU, form portForm) bool {
	if want.Type == gosnmp.OctetString {
		g, err := octets(got)
		if err != nil {
			return false
		}
		w, _ := want.Value.([]byte)
		gs, ok1 := decodeAs(g, form)
		ws, ok2 := decodeAs(w, form)
		if !ok1 || !ok2 {
			return bytes.Equal(g, w)
		}
		return gs.equalMembers(ws)
	}
	a, err1 := intValue(got)
	b, err2 := intValue(want)
	return err1 == nil && err2 == nil && a == b
}

func values(pdu []varbind) []gosnmp.SnmpPDU {
	out := make([]gosnmp.SnmpPDU, len(pdu))
	for i, v := range pdu {
		out[i] = v.set
	}
	return out
}

// isTimeout tells a lost answer (the SET may or may not have been
// applied) from a refusal.
func isTimeout(err error) bool {
	return err != nil && strings.Contains(err.Error(), "timeout")
}

// applyPDUs sends the PDUs in order. When one fails, it reads its objects
// back: a lost answer, or an agent known to report errors for sets that
// worked (trust_readback), counts as done only if every value is there.
// Otherwise it undoes what was applied — the earlier PDUs and whatever
// part of the failed one the agent applied anyway (agents are not always
// atomic, whatever RFC 3416 says) — newest first, so no batch is left
// half-applied. The error names the port and the object.
func (c *conn) applyPDUs(ctx context.Context, all [][]varbind) error {
	for k, pdu := range all {
		err := c.set(ctx, values(pdu))
		if err == nil {
			continue
		}
		var refused *setError
		applied, allSet, verr := c.readBack(context.WithoutCancel(ctx), pdu)
		if verr == nil && allSet && (!errors.As(err, &refused) || c.trustReadback) {
			continue // proven by the read-back
		}
		failure := c.setFailure(pdu, err)
		var partial []varbind
		for i, v := range pdu {
			if verr != nil || applied[i] {
				partial = append(partial, v)
			}
		}
		if verr != nil {
			failure = errors.Join(failure, fmt.Errorf("reading the objects back: %w", verr))
		}
		undo := slices.Clone(all[:k])
		if len(partial) > 0 {
			undo = append(undo, partial)
		}
		if len(undo) == 0 {
			return switchdrivers.Untouched(failure)
		}
		if uerr := c.undo(ctx, undo); uerr != nil {
			return errors.Join(failure, uerr)
		}
		return fmt.Errorf("%w; what had been set was undone", failure)
	}
	return nil
}

// undo restores the before-values of pdus, newest first.
func (c *conn) undo(ctx context.Context, done [][]varbind) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for k := len(done) - 1; k >= 0; k-- {
		pdu := done[k]
		back := make([]varbind, len(pdu))
		for i, v := range pdu {
			back[len(pdu)-1-i] = varbind{set: v.before, ports: v.ports, form: v.form}
		}
		for _, chunk := range pdus(back, c.maxVarbinds) {
			if err := c.set(ctx, values(chunk)); err != nil && !c.holds(ctx, chunk) {
				var ports []string
				for _, v := range pdu {
					ports = append(ports, v.ports...)
				}
				errs = append(errs, c.errorf(strings.Join(dedupe(ports), ", "), "", "undoing a partial batch failed (%v): check these ports", err))
			}
		}
	}
	return errors.Join(errs...)
}

// holds reports whether the agent holds every value of pdu (read back):
// an undo whose answer was lost or wrong still counts when it is proven.
func (c *conn) holds(ctx context.Context, pdu []varbind) bool {
	oids := make([]string, len(pdu))
	for i, v := range pdu {
		oids[i] = v.set.Name
	}
	got, err := c.get(ctx, oids)
	if err != nil || len(got) != len(pdu) {
		return false
	}
	for i, v := range pdu {
		if !equalValue(got[i], v.set, v.form) {
			return false
		}
	}
	return true
}

// setFailure names the port and object a failed SET concerns.
func (c *conn) setFailure(pdu []varbind, err error) error {
	var refused *setError
	if errors.As(err, &refused) && refused.index >= 1 && refused.index <= len(pdu) {
		v := pdu[refused.index-1]
		return c.errorf(strings.Join(v.ports, ", "), v.command(), "%v", err)
	}
	var ports, cmds []string
	for _, v := range pdu {
		ports = append(ports, v.ports...)
		cmds = append(cmds, oidName(v.set.Name))
	}
	return c.errorf(strings.Join(dedupe(ports), ", "), "SET "+strings.Join(cmds, ", "), "%v", err)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// applyBatch is the Apply every SNMP driver shares: validate the batch,
// read the switch, refuse untouched unless every port is where the batch
// says, plan the SET PDUs from that read (a planning error is untouched
// too), send them (applyPDUs) and read back.
func applyBatch[S any](ctx context.Context, c *conn, changes []switchdrivers.Change,
	read func(context.Context) (S, switchdrivers.PortRead, error),
	plan func(S) ([][]varbind, error)) error {
	if err := checkChanges(c.name, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	moved := make([]string, len(changes))
	for i, ch := range changes {
		moved[i] = ch.Port
	}
	st, live, err := read(ctx)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	if err := live.Check(c.name, moved, same); err != nil {
		return switchdrivers.Untouched(err) // a port to move may be a value that could not be read
	}
	if err := switchdrivers.CheckFrom(c.name, live.Ports, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	set, err := plan(st)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	trace := switchdrivers.ContextApplyTrace(ctx)
	trace.TraceConfiguring()
	if err := c.applyPDUs(ctx, set); err != nil {
		return err
	}
	trace.TraceCommitted() // every SET PDU answered without error
	_, after, err := read(ctx)
	if err == nil {
		err = after.Check(c.name, moved, same)
	}
	if err != nil {
		return c.errorf("", "", "read-back: %w", err)
	}
	if err := switchdrivers.CheckReadBack(c.name, after.Ports, changes); err != nil {
		return err
	}
	trace.TraceReadBack()
	return nil
}
