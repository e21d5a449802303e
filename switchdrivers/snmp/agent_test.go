package snmp_test

import (
	"cmp"
	"context"
	"encoding/hex"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gosnmp/gosnmp"
)

// orderedAgent is an SNMPv2c agent on a loopback UDP port that serves
// records in the order it is given, as agents that keep a table
// unsorted do: GETNEXT of a row it holds answers the row after it in
// that order; GETNEXT of anything else answers the first row, in that
// order, whose OID is greater. With loop, the last row of each column
// is followed by the column's first row again instead of the next
// column (an agent that walks in circles). snmpsimd cannot serve rows
// out of order, so the tests of ordering use this agent.
type orderedAgent struct {
	Addr      string
	community string
	rows      []agentRow
	pos       map[string]int
	loop      bool
}

type agentRow struct {
	oid string
	pdu gosnmp.SnmpPDU
}

// recordPDU turns one snmprec record's type and value into a varbind
// (the types the drivers read; others are left out).
func recordPDU(oid, typ, val string) (gosnmp.SnmpPDU, bool) {
	p := gosnmp.SnmpPDU{Name: oid}
	switch typ {
	case "2":
		n, err := strconv.Atoi(val)
		p.Type, p.Value = gosnmp.Integer, n
		return p, err == nil
	case "4":
		p.Type, p.Value = gosnmp.OctetString, []byte(val)
	case "4x":
		b, err := hex.DecodeString(val)
		p.Type, p.Value = gosnmp.OctetString, b
		return p, err == nil
	case "65", "66", "67":
		n, err := strconv.ParseUint(val, 10, 32)
		p.Type, p.Value = map[string]gosnmp.Asn1BER{"65": gosnmp.Counter32, "66": gosnmp.Gauge32, "67": gosnmp.TimeTicks}[typ], uint32(n)
		return p, err == nil
	default:
		return p, false
	}
	return p, true
}

// columnOf is an OID without its last sub-identifier: rows of one
// column (for the tables the drivers read, the row index is one
// sub-identifier, or two with the current table's time mark, which this
// groups per time mark).
func columnOf(oid string) string { return oid[:strings.LastIndex(oid, ".")] }

// startOrderedAgent serves records ("OID|TYPE|VALUE") in their order.
func startOrderedAgent(t testing.TB, community string, records []string, loop bool) *orderedAgent {
	t.Helper()
	a := &orderedAgent{community: community, pos: map[string]int{}, loop: loop}
	for _, rec := range records {
		parts := strings.SplitN(rec, "|", 3)
		if len(parts) != 3 {
			continue
		}
		if p, ok := recordPDU(parts[0], parts[1], parts[2]); ok {
			a.pos[parts[0]] = len(a.rows)
			a.rows = append(a.rows, agentRow{parts[0], p})
		}
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.Addr = pc.LocalAddr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		go func() { <-ctx.Done(); pc.Close() }()
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp, ok := a.answer(slices.Clone(buf[:n])); ok {
				pc.WriteTo(resp, from)
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return a
}

func compareOIDs(a, b string) int {
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

func (a *orderedAgent) next(oid string) gosnmp.SnmpPDU {
	oid = strings.TrimPrefix(oid, ".")
	if i, ok := a.pos[oid]; ok {
		switch {
		case a.loop && (i+1 == len(a.rows) || columnOf(a.rows[i+1].oid) != columnOf(oid)):
			j := i // back to the column's first row
			for j > 0 && columnOf(a.rows[j-1].oid) == columnOf(oid) {
				j--
			}
			return a.rows[j].pdu
		case i+1 < len(a.rows):
			return a.rows[i+1].pdu
		}
		return gosnmp.SnmpPDU{Name: oid, Type: gosnmp.EndOfMibView}
	}
	for _, r := range a.rows {
		if compareOIDs(r.oid, oid) > 0 {
			return r.pdu
		}
	}
	return gosnmp.SnmpPDU{Name: oid, Type: gosnmp.EndOfMibView}
}

func (a *orderedAgent) answer(req []byte) ([]byte, bool) {
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: a.community, Logger: gosnmp.NewLogger(nil)}
	pkt, err := dec.SnmpDecodePacket(req)
	if err != nil || pkt.Community != a.community {
		return nil, false
	}
	resp := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: a.community, PDUType: gosnmp.GetResponse, RequestID: pkt.RequestID}
	switch pkt.PDUType {
	case gosnmp.GetRequest:
		for _, v := range pkt.Variables {
			name := strings.TrimPrefix(v.Name, ".")
			if i, ok := a.pos[name]; ok {
				resp.Variables = append(resp.Variables, a.rows[i].pdu)
			} else {
				resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: name, Type: gosnmp.NoSuchInstance})
			}
		}
	case gosnmp.GetNextRequest:
		for _, v := range pkt.Variables {
			resp.Variables = append(resp.Variables, a.next(v.Name))
		}
	case gosnmp.GetBulkRequest:
		cursors := make([]string, len(pkt.Variables))
		for i, v := range pkt.Variables {
			cursors[i] = v.Name
		}
		for r := 0; r < int(pkt.MaxRepetitions) && len(resp.Variables) < 200; r++ {
			for i, c := range cursors {
				v := a.next(c)
				resp.Variables = append(resp.Variables, v)
				cursors[i] = v.Name
			}
		}
	default:
		resp.Error, resp.ErrorIndex, resp.Variables = gosnmp.NotWritable, 1, pkt.Variables
	}
	b, err := resp.MarshalMsg()
	return b, err == nil
}
