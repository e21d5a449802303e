package emulator

import (
	"context"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// The SNMP agent answers SNMPv2c with the community Config.Community for
// the objects cutover's SNMP drivers use, computed from the backend on
// every request: IF-MIB (ifDescr, ifName, ifAlias, admin/oper status),
// BRIDGE-MIB dot1dBasePortIfIndex, Q-BRIDGE-MIB (dot1qPvid, the VLAN
// static table with its egress and untagged bitmaps), CISCO-VLAN-
// MEMBERSHIP-MIB vmVlan, CISCO-VTP-MIB vtpVlanState and
// vlanTrunkPortDynamicStatus, CISCO-CONFIG-COPY-MIB's ccCopyTable and the
// legacy writeMem. Interface i (from 0) has ifIndex 10001+i and
// dot1dBasePort i+1, so the two are never equal, as on real switches.
//
// A SET PDU is checked as a whole and applied as a whole: bitmaps and
// PVIDs first update a copy of the membership; a port left untagged in
// two VLANs, a VLAN that does not exist or a value of the wrong type
// refuses the PDU with the standard error status and index; otherwise
// each port whose membership changed moves its OVS tag (a port in no
// VLAN is parked in the blackhole VLAN 4094). A PVID set alone moves the
// port, as agents do that tie untagged membership to the PVID.

// SNMPFaults are injected SNMP faults; zero values inject nothing.
type SNMPFaults struct {
	Silent         bool             // answer nothing (the client times out)
	SetError       string           // OID prefix: a SET touching it is refused …
	SetStatus      gosnmp.SNMPError // … with this status (default commitFailed)
	WrongType      string           // OID prefix: values under it come back as an OCTET STRING
	NoSuchInstance string           // OID prefix: GET answers noSuchInstance, walks skip the rows
	LieOnSet       bool             // apply every SET, then answer genErr (a known agent bug)
}

// Blackhole is the VLAN a port removed from every VLAN is parked in.
const Blackhole = 4094

const (
	oidSysDescr        = "1.3.6.1.2.1.1.1.0"
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
	oidStaticRowStatus = "1.3.6.1.2.1.17.7.1.4.3.1.5"
	oidVmVlan          = "1.3.6.1.4.1.9.9.68.1.2.2.1.2"
	oidVtpVlanState    = "1.3.6.1.4.1.9.9.46.1.3.1.1.2.1"
	oidTrunkDynStatus  = "1.3.6.1.4.1.9.9.46.1.6.1.1.14"
	oidCcCopyEntry     = "1.3.6.1.4.1.9.9.96.1.1.1.1"
	oidWriteMem        = "1.3.6.1.4.1.9.2.1.54.0"
)

// snmpState is the agent's view of the switch during one request.
type snmpState struct {
	vlan  map[int]int  // interface index -> access VLAN (Blackhole: none)
	pvid  map[int]int  // interface index -> PVID
	trunk map[int]bool // interface index -> trunk
	vlans []int        // existing VLANs, sorted
}

// pvidRecord is a PVID set over SNMP, valid while the port stays in the
// VLAN it was in then (a CLI change of the access VLAN moves the PVID).
type pvidRecord struct{ pvid, tag int }

type mibEntry struct {
	oid []uint32
	pdu gosnmp.SnmpPDU
}

// SetSNMPFaults changes the injected SNMP faults.
func (s *Server) SetSNMPFaults(f SNMPFaults) {
	s.mu.Lock()
	s.snmpFaults = f
	s.mu.Unlock()
}

// SetPDUs is the number of SNMP SET PDUs received.
func (s *Server) SetPDUs() int { return int(s.setPDUs.Load()) }

// CreateVLANs makes VLANs exist (as `vlan N` does on the CLI).
func (s *Server) CreateVLANs(ids ...int) {
	s.mu.Lock()
	for _, v := range ids {
		s.vlans[v] = true
	}
	s.mu.Unlock()
}

// ServeSNMP answers SNMP on pc until ctx ends.
func (s *Server) ServeSNMP(ctx context.Context, pc net.PacketConn) error {
	go func() { <-ctx.Done(); pc.Close() }()
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		resp, ok := s.answerSNMP(ctx, slices.Clone(buf[:n]))
		if ok {
			pc.WriteTo(resp, from)
		}
	}
}

// answerSNMP decodes one request and encodes its answer; false: no answer
// (undecodable, wrong version or community, or a fault).
func (s *Server) answerSNMP(ctx context.Context, req []byte) ([]byte, bool) {
	s.mu.Lock()
	faults := s.snmpFaults
	community := s.cfg.Community
	s.mu.Unlock()
	if faults.Silent || community == "" {
		return nil, false
	}
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: community, Logger: gosnmp.NewLogger(nil)}
	pkt, err := dec.SnmpDecodePacket(req)
	if err != nil || pkt.Version != gosnmp.Version2c || pkt.Community != community {
		return nil, false // real agents stay silent on a bad community
	}
	resp := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: community, PDUType: gosnmp.GetResponse, RequestID: pkt.RequestID}
	st, err := s.snmpRead(ctx)
	if err != nil {
		resp.Error, resp.ErrorIndex, resp.Variables = gosnmp.GenErr, 0, pkt.Variables
		return marshal(resp)
	}
	mib := s.mib(st, faults)
	switch pkt.PDUType {
	case gosnmp.GetRequest:
		for _, v := range pkt.Variables {
			resp.Variables = append(resp.Variables, get(mib, v.Name))
		}
	case gosnmp.GetNextRequest:
		for _, v := range pkt.Variables {
			resp.Variables = append(resp.Variables, next(mib, v.Name))
		}
	case gosnmp.GetBulkRequest:
		nonRep := min(int(pkt.NonRepeaters), len(pkt.Variables))
		for _, v := range pkt.Variables[:nonRep] {
			resp.Variables = append(resp.Variables, next(mib, v.Name))
		}
		cursors := make([]string, 0, len(pkt.Variables)-nonRep)
		for _, v := range pkt.Variables[nonRep:] {
			cursors = append(cursors, v.Name)
		}
		for r := 0; r < int(pkt.MaxRepetitions) && len(resp.Variables) < 1000 && len(cursors) > 0; r++ {
			for i, c := range cursors {
				v := next(mib, c)
				resp.Variables = append(resp.Variables, v)
				cursors[i] = v.Name
			}
		}
	case gosnmp.SetRequest:
		s.setPDUs.Add(1)
		resp.Variables = pkt.Variables
		resp.Error, resp.ErrorIndex = s.snmpSet(ctx, st, pkt.Variables, faults)
		if faults.LieOnSet && resp.Error == gosnmp.NoError {
			resp.Error, resp.ErrorIndex = gosnmp.GenErr, 1
		}
	default:
		return nil, false
	}
	return marshal(resp)
}

func marshal(p *gosnmp.SnmpPacket) ([]byte, bool) {
	b, err := p.MarshalMsg()
	return b, err == nil
}

// snmpRead reads the backend once for a request.
func (s *Server) snmpRead(ctx context.Context) (*snmpState, error) {
	st := &snmpState{vlan: map[int]int{}, pvid: map[int]int{}, trunk: map[int]bool{}}
	s.mu.Lock()
	exist := map[int]bool{}
	for v := range s.vlans {
		exist[v] = true
	}
	pvids := maps.Clone(s.pvids)
	s.mu.Unlock()
	var bulkVLANs map[string]int
	var bulkTrunks map[string]bool
	if bb, ok := s.cfg.Backend.(BulkBackend); ok {
		var err error
		if bulkVLANs, bulkTrunks, err = bb.AccessVLANs(ctx); err != nil {
			return nil, err
		}
	}
	for i, it := range s.cfg.Interfaces {
		v, trunk := bulkVLANs[it.Port], bulkTrunks[it.Port]
		if bulkVLANs == nil {
			var err error
			if v, trunk, err = s.cfg.Backend.AccessVLAN(ctx, it.Port); err != nil {
				return nil, err
			}
		}
		st.vlan[i], st.trunk[i], st.pvid[i] = v, trunk, v
		if r, ok := pvids[i]; ok && r.tag == v {
			st.pvid[i] = r.pvid
		}
		if trunk {
			st.pvid[i] = 1
		}
		if !trunk && v != Blackhole && v > 0 {
			exist[v] = true
		}
	}
	for v := range exist {
		st.vlans = append(st.vlans, v)
	}
	slices.Sort(st.vlans)
	return st, nil
}

func ifIndex(i int) int { return 10001 + i }

// ifName is what the platform's agent puts in ifName: IOS the short
// form (Gi1/0/1), EOS and NX-OS the full name (Ethernet1, Ethernet1/1).
func (s *Server) ifName(it Interface) string {
	if _, ios := s.dialect.(iosxe); ios {
		return it.Short
	}
	return it.Name
}

// bitmaps computes the static egress and untagged port bitmaps.
func (s *Server) bitmaps(st *snmpState) (egress, untagged map[int][]byte) {
	size := (len(s.cfg.Interfaces) + 7) / 8
	egress, untagged = map[int][]byte{}, map[int][]byte{}
	for _, v := range st.vlans {
		egress[v], untagged[v] = make([]byte, size), make([]byte, size)
	}
	for i := range s.cfg.Interfaces {
		bit := byte(0x80 >> (i % 8))
		switch {
		case st.trunk[i]:
			for _, v := range st.vlans {
				egress[v][i/8] |= bit
			}
		case egress[st.vlan[i]] != nil:
			egress[st.vlan[i]][i/8] |= bit
			untagged[st.vlan[i]][i/8] |= bit
		}
	}
	return egress, untagged
}

// mib lists every object, sorted by OID.
func (s *Server) mib(st *snmpState, f SNMPFaults) []mibEntry {
	var out []mibEntry
	add := func(oid string, t gosnmp.Asn1BER, v any) {
		if f.NoSuchInstance != "" && strings.HasPrefix(oid, f.NoSuchInstance) {
			return
		}
		if f.WrongType != "" && strings.HasPrefix(oid, f.WrongType) {
			t, v = gosnmp.OctetString, []byte("bogus")
		}
		out = append(out, mibEntry{parseOID(oid), gosnmp.SnmpPDU{Name: oid, Type: t, Value: v}})
	}
	add(oidSysDescr, gosnmp.OctetString, []byte("cutover lab emulated switch "+s.cfg.Hostname))
	s.mu.Lock()
	desc := map[string]string{}
	for k, v := range s.desc {
		desc[k] = v
	}
	copies := map[int]int{}
	for k, v := range s.copies {
		copies[k] = v
	}
	s.mu.Unlock()
	egress, untagged := s.bitmaps(st)
	for i, it := range s.cfg.Interfaces {
		idx := ifIndex(i)
		add(fmt.Sprintf("%s.%d", oidIfDescr, idx), gosnmp.OctetString, []byte(it.Name))
		add(fmt.Sprintf("%s.%d", oidIfAdminStatus, idx), gosnmp.Integer, 1)
		add(fmt.Sprintf("%s.%d", oidIfOperStatus, idx), gosnmp.Integer, 1)
		add(fmt.Sprintf("%s.%d", oidIfName, idx), gosnmp.OctetString, []byte(s.ifName(it)))
		add(fmt.Sprintf("%s.%d", oidIfAlias, idx), gosnmp.OctetString, []byte(desc[it.Name]))
		add(fmt.Sprintf("%s.%d", oidBasePortIfIndex, i+1), gosnmp.Integer, idx)
		add(fmt.Sprintf("%s.%d", oidPvid, i+1), gosnmp.Gauge32, uint32(st.pvid[i]))
		if !st.trunk[i] {
			add(fmt.Sprintf("%s.%d", oidVmVlan, idx), gosnmp.Integer, st.vlan[i])
		}
		status := 2 // notTrunking
		if st.trunk[i] {
			status = 1
		}
		add(fmt.Sprintf("%s.%d", oidTrunkDynStatus, idx), gosnmp.Integer, status)
	}
	for _, v := range st.vlans {
		add(fmt.Sprintf("%s.%d", oidStaticName, v), gosnmp.OctetString, []byte(fmt.Sprintf("VLAN%04d", v)))
		add(fmt.Sprintf("%s.%d", oidStaticEgress, v), gosnmp.OctetString, egress[v])
		add(fmt.Sprintf("%s.%d", oidStaticUntagged, v), gosnmp.OctetString, untagged[v])
		add(fmt.Sprintf("%s.%d", oidStaticRowStatus, v), gosnmp.Integer, 1)
		add(fmt.Sprintf("%s.%d", oidVtpVlanState, v), gosnmp.Integer, 1)
	}
	for row, state := range copies {
		add(fmt.Sprintf("%s.10.%d", oidCcCopyEntry, row), gosnmp.Integer, state)
		add(fmt.Sprintf("%s.13.%d", oidCcCopyEntry, row), gosnmp.Integer, 0)
		add(fmt.Sprintf("%s.14.%d", oidCcCopyEntry, row), gosnmp.Integer, 1)
	}
	slices.SortFunc(out, func(a, b mibEntry) int { return slices.Compare(a.oid, b.oid) })
	return out
}

func parseOID(s string) []uint32 {
	s = strings.TrimPrefix(s, ".")
	var out []uint32
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil
		}
		out = append(out, uint32(n))
	}
	return out
}

func get(mib []mibEntry, name string) gosnmp.SnmpPDU {
	oid := parseOID(name)
	i, found := slices.BinarySearchFunc(mib, oid, func(e mibEntry, o []uint32) int { return slices.Compare(e.oid, o) })
	if found {
		return mib[i].pdu
	}
	return gosnmp.SnmpPDU{Name: strings.TrimPrefix(name, "."), Type: gosnmp.NoSuchInstance}
}

func next(mib []mibEntry, name string) gosnmp.SnmpPDU {
	oid := parseOID(name)
	i, found := slices.BinarySearchFunc(mib, oid, func(e mibEntry, o []uint32) int { return slices.Compare(e.oid, o) })
	if found {
		i++
	}
	if i >= len(mib) {
		return gosnmp.SnmpPDU{Name: strings.TrimPrefix(name, "."), Type: gosnmp.EndOfMibView}
	}
	return mib[i].pdu
}

// snmpSet checks and applies one SET PDU as a whole.
func (s *Server) snmpSet(ctx context.Context, st *snmpState, vars []gosnmp.SnmpPDU, f SNMPFaults) (gosnmp.SNMPError, uint8) {
	exists := map[int]bool{}
	for _, v := range st.vlans {
		exists[v] = true
	}
	egress, untagged := s.bitmaps(st)
	pvid := maps.Clone(st.pvid)
	base := func(n int) (int, bool) { return n - 1, n >= 1 && n <= len(s.cfg.Interfaces) }
	byIfIndex := func(n int) (int, bool) { return n - 10001, n > 10000 && n-10001 < len(s.cfg.Interfaces) }
	pvidSet := map[int]bool{}
	untaggedSet := false // the PDU rewrites an untagged bitmap
	var copyRow, copyCreate int
	writeMem := false
	for k, v := range vars {
		name := strings.TrimPrefix(v.Name, ".")
		idx := uint8(k + 1)
		if f.SetError != "" && strings.HasPrefix(name, f.SetError) {
			if f.SetStatus == 0 {
				return gosnmp.CommitFailed, idx
			}
			return f.SetStatus, idx
		}
		last := lastComponent(name)
		switch {
		case strings.HasPrefix(name, oidStaticEgress+"."), strings.HasPrefix(name, oidStaticUntagged+"."):
			b, ok := v.Value.([]byte)
			if v.Type != gosnmp.OctetString || !ok {
				return gosnmp.WrongType, idx
			}
			if !exists[last] {
				return gosnmp.NoCreation, idx
			}
			if strings.HasPrefix(name, oidStaticEgress+".") {
				egress[last] = b
			} else {
				untagged[last], untaggedSet = b, true
			}
		case strings.HasPrefix(name, oidPvid+"."), strings.HasPrefix(name, oidVmVlan+"."):
			var i int
			var ok bool
			if strings.HasPrefix(name, oidPvid+".") {
				i, ok = base(last)
			} else {
				i, ok = byIfIndex(last)
			}
			if !ok {
				return gosnmp.NoCreation, idx
			}
			n, ok := intOf(v)
			if !ok || (strings.HasPrefix(name, oidPvid+".") && v.Type != gosnmp.Gauge32 && v.Type != gosnmp.Integer) ||
				(strings.HasPrefix(name, oidVmVlan+".") && v.Type != gosnmp.Integer) {
				return gosnmp.WrongType, idx
			}
			if !exists[n] || st.trunk[i] {
				return gosnmp.WrongValue, idx
			}
			pvid[i], pvidSet[i] = n, true
		case strings.HasPrefix(name, oidCcCopyEntry+"."):
			col := componentAt(name, len(parseOID(oidCcCopyEntry)))
			n, _ := intOf(v)
			copyRow = last
			if col == 14 {
				copyCreate = n
			}
		case name == oidWriteMem:
			writeMem = true
		default:
			return gosnmp.NotWritable, idx
		}
	}
	// Every access port ends untagged in at most one VLAN (the egress
	// set follows, as on agents that add untagged ports to it).
	target := map[int]int{}
	for i := range s.cfg.Interfaces {
		if st.trunk[i] {
			continue
		}
		var in []int
		bit := byte(0x80 >> (i % 8))
		for v, u := range untagged {
			if i/8 < len(u) && u[i/8]&bit != 0 {
				in = append(in, v)
			}
		}
		switch {
		case len(in) > 1:
			return gosnmp.InconsistentValue, 0
		case len(in) == 1 && in[0] != st.vlan[i]:
			target[i] = in[0]
		case len(in) == 0 && st.vlan[i] != Blackhole:
			target[i] = Blackhole
		case pvidSet[i] && pvid[i] != st.vlan[i] && len(in) == 1 && in[0] == st.vlan[i] && !untaggedSet:
			target[i] = pvid[i] // the PVID carries the membership
		}
	}
	for i, v := range target {
		if err := s.cfg.Backend.SetAccessVLAN(ctx, s.cfg.Interfaces[i].Port, v); err != nil {
			return gosnmp.CommitFailed, 0
		}
	}
	s.mu.Lock()
	for i := range s.cfg.Interfaces {
		tag := st.vlan[i]
		if v, ok := target[i]; ok {
			tag = v
		}
		if pvidSet[i] || target[i] != 0 {
			s.pvids[i] = pvidRecord{pvid[i], tag}
		}
	}
	s.mu.Unlock()
	if copyRow != 0 {
		s.mu.Lock()
		switch copyCreate {
		case 4: // createAndGo: the copy succeeds at once
			s.copies[copyRow] = 3
		case 6: // destroy
			delete(s.copies, copyRow)
		}
		s.mu.Unlock()
	}
	if writeMem || copyCreate == 4 {
		s.saves.Add(1)
	}
	return gosnmp.NoError, 0
}

// CopyRows is the number of ccCopyTable rows present (a client that
// saved cleans its row up).
func (s *Server) CopyRows() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.copies)
}

// Saves is the number of configuration saves received over SNMP.
func (s *Server) Saves() int { return int(s.saves.Load()) }

func intOf(v gosnmp.SnmpPDU) (int, bool) {
	switch n := v.Value.(type) {
	case int:
		return n, true
	case uint:
		return int(n), true
	case uint32:
		return int(n), true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	}
	return 0, false
}

func lastComponent(oid string) int {
	n, _ := strconv.Atoi(oid[strings.LastIndex(oid, ".")+1:])
	return n
}

func componentAt(oid string, i int) int {
	parts := strings.Split(oid, ".")
	if i >= len(parts) {
		return -1
	}
	n, _ := strconv.Atoi(parts[i])
	return n
}
