package snmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// varbind is one object to set, with the value it had (for the undo) and
// the ports it concerns (for errors).
type varbind struct {
	set, before gosnmp.SnmpPDU
	ports       []string
}

// command renders a varbind for errors and plans.
func (v varbind) command() string {
	return fmt.Sprintf("SET %s = %s", oidName(v.set.Name), render(v.set))
}

func render(v gosnmp.SnmpPDU) string {
	switch v.Type {
	case gosnmp.OctetString:
		b, _ := v.Value.([]byte)
		return fmt.Sprintf("ports %v (%d-octet bitmap)", PortSet(b).Ports(), len(b))
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

// applied says how much of a PDU the agent holds, read back.
type applied int

const (
	appliedNone applied = iota
	appliedSome
	appliedAll
)

// verify reads a PDU's objects back and compares them with its values.
func (c *conn) verify(ctx context.Context, pdu []varbind) (applied, error) {
	oids := make([]string, len(pdu))
	for i, v := range pdu {
		oids[i] = v.set.Name
	}
	got, err := c.get(ctx, oids)
	if err != nil {
		return appliedSome, err
	}
	if len(got) != len(pdu) {
		return appliedSome, fmt.Errorf("read-back returned %d values for %d objects", len(got), len(pdu))
	}
	same := 0
	for i, v := range pdu {
		if equalValue(got[i], v.set) {
			same++
		}
	}
	switch same {
	case 0:
		return appliedNone, nil
	case len(pdu):
		return appliedAll, nil
	}
	return appliedSome, nil
}

// equalValue compares a read value with a written one: integers by value
// (whatever their type), port bitmaps by membership (agents pad them).
func equalValue(got, want gosnmp.SnmpPDU) bool {
	if want.Type == gosnmp.OctetString {
		g, err := octets(got)
		if err != nil {
			return false
		}
		w, _ := want.Value.([]byte)
		gs, err := parsePortSet(g)
		if err != nil {
			return bytes.Equal(g, w)
		}
		for i := range max(len(gs), len(w)) * 8 {
			if gs.Has(i+1) != PortSet(w).Has(i+1) {
				return false
			}
		}
		return true
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
// back — a lost answer, or an agent known to report errors for sets that
// worked (trust_readback), counts as done only if the values are there —
// and otherwise undoes what was applied, newest first, so no batch is
// left half-applied. The error names the port and the object.
func (c *conn) applyPDUs(ctx context.Context, all [][]varbind) error {
	for k, pdu := range all {
		err := c.set(ctx, values(pdu))
		if err == nil {
			continue
		}
		state, verr := c.verify(context.WithoutCancel(ctx), pdu)
		var refused *setError
		if state == appliedAll && verr == nil && (!errors.As(err, &refused) || c.trustReadback) {
			continue // proven by the read-back
		}
		failure := c.setFailure(pdu, err)
		if verr != nil {
			failure = errors.Join(failure, fmt.Errorf("reading the objects back: %w", verr))
		}
		// A refused PDU was applied not at all (RFC 3416: as a whole or
		// not); after a lost answer the read-back says what is there.
		undo := all[:k]
		if !errors.As(err, &refused) && state != appliedNone {
			undo = all[:k+1]
		}
		if uerr := c.undo(ctx, undo); uerr != nil {
			return errors.Join(failure, uerr)
		}
		if len(undo) == 0 {
			return switchdrivers.Untouched(failure)
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
		back := make([]gosnmp.SnmpPDU, len(pdu))
		for i, v := range pdu {
			back[len(pdu)-1-i] = v.before
		}
		for _, chunk := range splitValues(back, c.maxVarbinds) {
			if err := c.set(ctx, chunk); err != nil {
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

func splitValues(vs []gosnmp.SnmpPDU, max int) [][]gosnmp.SnmpPDU {
	var out [][]gosnmp.SnmpPDU
	for start := 0; start < len(vs); start += max {
		out = append(out, vs[start:min(start+max, len(vs))])
	}
	return out
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
