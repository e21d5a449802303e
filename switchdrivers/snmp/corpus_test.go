package snmp_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
)

// recording is an .snmprec file read by the test itself: OID -> (type, value).
type recording map[string]struct{ typ, val string }

func readRecording(t *testing.T, path string) recording {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := recording{}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(strings.TrimRight(line, "\r"), "|", 3)
		if len(parts) == 3 {
			r[parts[0]] = struct{ typ, val string }{parts[1], parts[2]}
		}
	}
	return r
}

// column returns index suffix -> value for the rows under root.
func (r recording) column(root string) map[string]string {
	out := map[string]string{}
	for oid, v := range r {
		if rest, ok := strings.CutPrefix(oid, root+"."); ok {
			out[rest] = v.val
		}
	}
	return out
}

// text decodes a DisplayString row (hex-encoded when its type ends in x).
func (r recording) text(oid string) string {
	v, ok := r[oid]
	if !ok {
		return ""
	}
	if strings.HasSuffix(v.typ, "x") {
		b, _ := hex.DecodeString(v.val)
		return string(b)
	}
	return v.val
}

const (
	oidBasePortIfIndex = "1.3.6.1.2.1.17.1.4.1.2"
	oidPvid            = "1.3.6.1.2.1.17.7.1.4.5.1.1"
	oidVmVlan          = "1.3.6.1.4.1.9.9.68.1.2.2.1.2"
	oidIfName          = "1.3.6.1.2.1.31.1.1.1.1"
	oidStaticEgress    = "1.3.6.1.2.1.17.7.1.4.3.1.2"
	oidStaticUntagged  = "1.3.6.1.2.1.17.7.1.4.3.1.4"
	oidCurrentEgress   = "1.3.6.1.2.1.17.7.1.4.2.1.4"
	oidCurrentUntagged = "1.3.6.1.2.1.17.7.1.4.2.1.5"
	oidStaticName      = "1.3.6.1.2.1.17.7.1.4.3.1.1"
	oidVtpVlanState    = "1.3.6.1.4.1.9.9.46.1.3.1.1.2"
)

func corpusFiles(t *testing.T) (string, []string) {
	dir := filepath.Join(corpus.Dir(t), "snmprec")
	files, err := filepath.Glob(filepath.Join(dir, "*.snmprec"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .snmprec files in %s: %v", dir, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	return dir, names
}

// hasPortList: the recording has a port list to rewrite for vlan: a
// static one (bitmap or text), or a current bitmap (made static by
// writable).
func hasPortList(r recording, vlan string) bool {
	for oid, v := range r {
		if (strings.HasPrefix(oid, oidStaticEgress+".") || (v.typ == "4x" && strings.HasPrefix(oid, oidCurrentEgress+"."))) && strings.HasSuffix(oid, "."+vlan) {
			return true
		}
	}
	return false
}

// hexBitmaps: the recording has port bitmaps (static or current) as hex.
func hexBitmaps(r recording) bool {
	for oid, v := range r {
		if v.typ == "4x" && (strings.HasPrefix(oid, oidStaticEgress+".") || strings.HasPrefix(oid, oidCurrentEgress+".")) {
			return true
		}
	}
	return false
}

func isCisco(r recording) bool { return len(r.column(oidVmVlan)) > 0 }

func open(t *testing.T, driver, addr, community string, options map[string]string) switchdrivers.Driver {
	t.Helper()
	cfg := switchdrivers.Config{Name: "sw-" + community, Address: addr, Options: options,
		SNMP: &switchdrivers.SNMP{Version: "2c", Community: secret.New(community)}}
	var d switchdrivers.Driver
	var err error
	if driver == snmp.CiscoName {
		d, err = snmp.OpenCisco(cfg)
	} else {
		d, err = snmp.OpenQBridge(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// writable edits a recording so that a move can be applied and read
// back under snmpsimd: the VLAN columns (dot1qPvid, vmVlan, the static
// port bitmaps) use the writecache variation. Recordings that lack the
// static bitmaps get them from the current table's (same VLANs, same
// members), so the bitmap path runs against snmpsimd too; recordings that
// lack VLAN names get a dot1qVlanStaticName row for each PVID in use and
// one spare VLAN, so the target VLAN's existence can be checked. Static
// port lists recorded as text stay text (the driver writes them back in
// the form it read).
func writable(r recording) func(file string, records []string) []string {
	return func(_ string, records []string) []string {
		var out []string
		haveStatic := len(r.column(oidStaticEgress)) > 0
		for _, rec := range records {
			parts := strings.SplitN(rec, "|", 3)
			if len(parts) != 3 {
				continue
			}
			oid, typ, val := parts[0], parts[1], parts[2]
			portList := strings.HasPrefix(oid, oidStaticEgress+".") || strings.HasPrefix(oid, oidStaticUntagged+".") ||
				strings.HasPrefix(oid, oidCurrentEgress+".") || strings.HasPrefix(oid, oidCurrentUntagged+".")
			static := strings.HasPrefix(oid, oidStaticEgress+".") || strings.HasPrefix(oid, oidStaticUntagged+".")
			if portList && !static && typ == "4" && val == "" {
				typ, val = "4x", "00" // an empty port list
				rec = oid + "|4x|00"
			}
			switch {
			case static && typ == "4":
				// A port list the agent sends as text (Junos: "3,4434"):
				// written back as text. (In hex: writecache's options are
				// comma-separated.)
				rec = fmt.Sprintf("%s|4:writecache|hexvalue=%s", oid, hex.EncodeToString([]byte(val)))
			case strings.HasPrefix(oid, oidPvid+"."), strings.HasPrefix(oid, oidVmVlan+"."):
				rec = fmt.Sprintf("%s|%s:writecache|value=%s", oid, typ, val)
			case (strings.HasPrefix(oid, oidStaticEgress+".") || strings.HasPrefix(oid, oidStaticUntagged+".")) && typ == "4x":
				rec = fmt.Sprintf("%s|4:writecache|hexvalue=%s", oid, val)
			case !haveStatic && typ == "4x" && (strings.HasPrefix(oid, oidCurrentEgress+".") || strings.HasPrefix(oid, oidCurrentUntagged+".")):
				root := oidStaticEgress
				if strings.HasPrefix(oid, oidCurrentUntagged+".") {
					root = oidStaticUntagged
				}
				vlan := oid[strings.LastIndex(oid, ".")+1:]
				out = append(out, fmt.Sprintf("%s.%s|4:writecache|hexvalue=%s", root, vlan, val))
			}
			out = append(out, rec)
		}
		if isCisco(r) {
			spare := 0
			for idx, state := range r.column(oidVtpVlanState) {
				if state == "1" {
					spare++
				}
				_ = idx
			}
			if spare < 2 { // one operational VLAN only: add a spare one to move to
				out = append(out, oidVtpVlanState+".1.3999|2|1")
			}
			return out
		}
		named := r.column(oidStaticName)
		used := map[string]bool{}
		for _, v := range r.column(oidPvid) {
			if v != "0" {
				used[v] = true
			}
		}
		for _, root := range []string{oidCurrentEgress, oidStaticEgress} {
			for idx := range r.column(root) {
				used[idx[strings.LastIndex(idx, ".")+1:]] = true
			}
		}
		if len(used) < 2 {
			used["3999"] = true
		}
		for v := range used {
			if _, ok := named[v]; !ok {
				out = append(out, fmt.Sprintf("%s.%s|4|cutover-test-%s", oidStaticName, v, v))
			}
		}
		// Access ports without a dot1qPvid row (most of the Junos walk's)
		// get one naming the VLAN they are untagged in, so that they can
		// be moved (the driver refuses a port whose PVID it cannot set).
		judgedPorts, pvids := judgeRecording(r), r.column(oidPvid)
		for base, idx := range r.column(oidBasePortIfIndex) {
			i, _ := strconv.Atoi(idx)
			if j := judgedPorts[i]; pvids[base] == "" && j.mode == switchdrivers.ModeAccess && j.vlan != "" {
				out = append(out, fmt.Sprintf("%s.%s|66:writecache|value=%s", oidPvid, base, j.vlan))
			}
		}
		return out
	}
}

// TestCorpusMoveAndReadBack makes each recording's VLAN columns writable
// in a temporary copy and moves one access port to another VLAN the
// switch has, through the driver, then back.
func TestCorpusMoveAndReadBack(t *testing.T) {
	dir, names := corpusFiles(t)
	recs := map[string]recording{}
	for _, name := range names {
		recs[name] = readRecording(t, filepath.Join(dir, name))
	}
	ctx := context.Background()
	for _, name := range names {
		community := strings.TrimSuffix(name, ".snmprec")
		t.Run(community, func(t *testing.T) {
			r := recs[name]
			// One snmpsimd per recording: writecache keeps written values
			// per OID, shared by every recording one process serves.
			copyDir := labtest.WritableCopy(t, dir, []string{name}, func(file string, records []string) []string { return writable(r)(file, records) })
			sim := labtest.StartSnmpsim(t, copyDir, community)
			driver, opts := snmp.QBridgeName, map[string]string{}
			if isCisco(r) {
				driver = snmp.CiscoName
			} else if !hexBitmaps(r) && len(r.column(oidStaticEgress)) == 0 {
				opts["membership"] = "pvid" // no port lists to rewrite
			}
			d := open(t, driver, sim.Addr, community, opts)
			ports, err := d.Ports(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The VLANs the switch has, and an access port to move.
			vlans := map[string]bool{}
			if isCisco(r) {
				for _, rec := range writable(r)("", nil) {
					if idx, state, _ := strings.Cut(rec, "|2|"); state == "1" {
						vlans[idx[strings.LastIndex(idx, ".")+1:]] = true
					}
				}
				for idx, state := range r.column(oidVtpVlanState) {
					if state == "1" { // operational
						vlans[idx[strings.LastIndex(idx, ".")+1:]] = true
					}
				}
			} else {
				for _, rec := range writable(r)("", nil) {
					idx := strings.SplitN(rec, "|", 2)[0]
					vlans[idx[strings.LastIndex(idx, ".")+1:]] = true
				}
				for _, root := range []string{oidStaticName, oidStaticEgress, oidCurrentEgress} {
					for idx := range r.column(root) {
						vlans[idx[strings.LastIndex(idx, ".")+1:]] = true
					}
				}
			}
			if opts["membership"] == "" && !isCisco(r) {
				// Membership moves need both VLANs' port lists.
				for v := range vlans {
					if !hasPortList(r, v) {
						delete(vlans, v)
					}
				}
			}
			var port switchdrivers.PortState
			var target string
			for _, p := range ports {
				if p.Mode != switchdrivers.ModeAccess || !vlans[p.Segment] {
					continue
				}
				for _, v := range slices.Sorted(maps.Keys(vlans)) {
					if v != p.Segment {
						port, target = p, v
						break
					}
				}
				if target != "" {
					break
				}
			}
			if port.Name == "" {
				// Every port is a trunk (or routed) by the standard's
				// reading: a move of one is refused, untouched.
				for _, p := range ports {
					if p.Mode == switchdrivers.ModeAccess {
						t.Fatalf("%s: access port %s in VLAN %q, but no second VLAN to move it to (VLANs %v)", community, p.Name, p.Segment, vlans)
					}
				}
				err := d.Apply(ctx, []switchdrivers.Change{{Port: ports[0].Name, From: "1", To: "2"}})
				if !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "mode; cutover moves access ports only") {
					t.Fatalf("moving %s (%s): %v", ports[0].Name, ports[0].Mode, err)
				}
				t.Logf("%s: no access port (%d ports, all trunk or routed by egress/untagged/PVID); a move is refused untouched: %v", community, len(ports), err)
				return
			}
			from := port.Segment
			move := []switchdrivers.Change{{Port: port.Name, From: from, To: target}}
			if err := d.Apply(ctx, move); err != nil {
				t.Fatalf("move %s %s -> %s: %v", port.Name, from, target, err)
			}
			back := []switchdrivers.Change{{Port: port.Name, From: target, To: from}}
			if err := d.Apply(ctx, back); err != nil {
				t.Fatalf("move back: %v", err)
			}
			t.Logf("%s via %s (%v): moved %s (ifIndex %d) %s -> %s -> %s, read back each time", community, driver, opts, port.Name, port.IfIndex, from, target, from)
		})
	}
}

// TestV3AuthPriv reads a recording over SNMPv3 (SHA-256 + AES, the
// recording chosen by context name) and gets the same ports as over v2c;
// wrong keys fail with an error that names the switch, not the keys.
func TestV3AuthPriv(t *testing.T) {
	dir, _ := corpusFiles(t)
	sim := labtest.StartSnmpsim(t, dir, "procurve")
	ctx := context.Background()
	v3 := func(auth, priv string) switchdrivers.Driver {
		d, err := snmp.OpenQBridge(switchdrivers.Config{Name: "sw-v3", Address: sim.Addr, Options: map[string]string{"context": "procurve", "timeout": "500ms", "retries": "0"},
			SNMP: &switchdrivers.SNMP{Version: "3", Username: labtest.SnmpsimV3.User, AuthProtocol: "SHA-256", AuthPassword: secret.New(auth), PrivProtocol: "AES", PrivPassword: secret.New(priv)}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	got, err := v3(labtest.SnmpsimV3.AuthKey, labtest.SnmpsimV3.PrivKey).Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := open(t, snmp.QBridgeName, sim.Addr, "procurve", nil).Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) == 0 || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
		t.Fatalf("v3 read %d ports, v2c %d", len(got), len(want))
	}
	_, err = v3("wrong-auth-key-123", "wrong-priv-key-456").Ports(ctx)
	if err == nil || !strings.Contains(err.Error(), "switch sw-v3") || strings.Contains(err.Error(), "wrong-auth-key-123") || strings.Contains(err.Error(), "wrong-priv-key-456") {
		t.Fatalf("wrong keys: %v", err)
	}
	t.Logf("v3 authPriv (SHA-256, AES): %d ports, same as v2c; wrong keys: %v", len(got), err)
}

// TestSnmpsimRefusesASet: snmpsimd's error variation refuses the SET of
// one port's PVID (commitFailed, then wrongValue). snmpsimd is not atomic:
// it keeps the varbinds before the refused one. The batch of two moves
// fails naming that port and the object, the driver undoes what the agent
// kept, and neither port has moved.
func TestSnmpsimRefusesASet(t *testing.T) {
	dir, _ := corpusFiles(t)
	name := "edgeswitch_us-8-v2.snmprec"
	r := readRecording(t, filepath.Join(dir, name))
	ctx := context.Background()
	for _, status := range []string{"commitFailed", "wrongValue"} {
		t.Run(status, func(t *testing.T) {
			copyDir := labtest.WritableCopy(t, dir, []string{name}, func(file string, records []string) []string {
				out := writable(r)(file, records)
				for i, rec := range out {
					if strings.HasPrefix(rec, oidPvid+".3|") { // base port 3
						v := rec[strings.LastIndex(rec, "=")+1:]
						out[i] = fmt.Sprintf("%s.3|66:error|op=set,status=%s,value=%s", oidPvid, strings.ToLower(status), v)
					}
				}
				return out
			})
			sim := labtest.StartSnmpsim(t, copyDir, "edgeswitch_us-8-v2")
			d := open(t, snmp.QBridgeName, sim.Addr, "edgeswitch_us-8-v2", nil)
			before, err := d.Ports(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seg := map[string]string{}
			for _, p := range before {
				seg[p.Name] = p.Segment
			}
			aerr := d.Apply(ctx, []switchdrivers.Change{{Port: "0/2", From: seg["0/2"], To: "1"}, {Port: "0/3", From: seg["0/3"], To: "1"}})
			if aerr == nil || !strings.Contains(aerr.Error(), "switch sw-edgeswitch_us-8-v2 port 0/3") || !strings.Contains(aerr.Error(), "dot1qPvid.3") ||
				!strings.Contains(strings.ToLower(aerr.Error()), strings.ToLower(status)) || !strings.Contains(aerr.Error(), "what had been set was undone") {
				t.Fatalf("refused SET: %v", aerr)
			}
			after, err := d.Ports(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range after {
				if p.Segment != seg[p.Name] {
					t.Errorf("%s moved from %s to %s", p.Name, seg[p.Name], p.Segment)
				}
			}
			t.Logf("%s: %v (SET PDUs %d)", status, aerr, d.(*snmp.QBridge).SetPDUs())
		})
	}
}
