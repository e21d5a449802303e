package snmp_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
)

// This file judges every port of a recorded walk by itself, from the
// standards' meaning, without the driver's code, and measures how often
// the driver agrees.
//
//   - Q-BRIDGE-MIB (RFC 4363): a PortList names dot1dBasePorts (octet 0's
//     most significant bit is port 1); dot1qVlanStaticEgressPorts/
//     UntaggedPorts are the configured membership, dot1qVlanCurrent… the
//     operational one (used for VLANs the static table lacks); dot1qPvid
//     is the VLAN given to untagged frames received. A port untagged in
//     exactly one VLAN and tagged in none is an access port of that VLAN
//     (whatever its PVID); a tagged member of any VLAN, or an untagged
//     member of several, is a trunk; a port in no VLAN has its PVID's VLAN
//     (PVID 0: routed). Ports are the rows of dot1dBasePortIfIndex, named
//     by the ifIndex it maps them to; bits of base ports that do not exist
//     count for nothing.
//   - CISCO-VLAN-MEMBERSHIP-MIB / CISCO-VTP-MIB: vlanTrunkPortDynamicStatus
//     trunking(1) is a trunk; otherwise vmVlan is the access VLAN.
//
// Recordings store a PortList as hex (type 4x) or as the text the
// recorder saw (type 4): a comma/range list of port numbers, or hex
// digits in pairs; some recorders stored the first 16 octets in binary
// and the rest as the text of a hex dump.

// judged is one port as the recording says it is.
type judged struct{ mode, vlan string }

var (
	recordedList = regexp.MustCompile(`^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$`)
	recordedHex  = regexp.MustCompile(`^\s*[0-9A-Fa-f]{2}([\s:]+[0-9A-Fa-f]{2})*\s*$`)
)

// recordedPorts decodes a PortList as the recording holds it.
func recordedPorts(typ, val string) map[int]bool {
	out := map[int]bool{}
	b := []byte(val)
	if strings.HasSuffix(typ, "x") {
		b, _ = hex.DecodeString(val)
	}
	text := string(b)
	switch {
	case strings.TrimSpace(text) == "":
		return out
	case len(b) > 17 && b[16] == '\n' && recordedHex.Match(b[17:]):
		rest, _ := hex.DecodeString(strings.Join(strings.Fields(strings.ReplaceAll(string(b[17:]), ":", " ")), ""))
		b = append(b[:16:16], rest...)
	case recordedList.MatchString(text) && (strings.ContainsAny(text, ",-") || typ == "4"):
		for _, part := range strings.Split(text, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, _ := strconv.Atoi(strings.TrimSpace(lo))
			z := a
			if isRange {
				z, _ = strconv.Atoi(strings.TrimSpace(hi))
			}
			for p := a; p <= z && p-a < 70000; p++ {
				out[p] = true
			}
		}
		return out
	case recordedHex.MatchString(text):
		b, _ = hex.DecodeString(strings.Join(strings.Fields(strings.ReplaceAll(text, ":", " ")), ""))
	}
	for i := range len(b) * 8 {
		if b[i/8]&(0x80>>(i%8)) != 0 {
			out[i+1] = true
		}
	}
	return out
}

// vlanColumn returns VLAN -> members for a PortList column of the
// recording (the VLAN is the last index component).
func vlanColumn(r recording, root string) map[int]map[int]bool {
	out := map[int]map[int]bool{}
	for oid, v := range r {
		if rest, ok := strings.CutPrefix(oid, root+"."); ok {
			vlan, _ := strconv.Atoi(rest[strings.LastIndex(rest, ".")+1:])
			out[vlan] = recordedPorts(v.typ, v.val)
		}
	}
	return out
}

// judgeRecording returns ifIndex -> the port as the recording says it is.
func judgeRecording(r recording) map[int]judged {
	out := map[int]judged{}
	if isCisco(r) {
		trunk := r.column(oidTrunkDynStatus)
		vm := r.column(oidVmVlan)
		for _, col := range []map[string]string{trunk, vm} {
			for idx := range col {
				i, _ := strconv.Atoi(idx)
				switch {
				case trunk[idx] == "1":
					out[i] = judged{switchdrivers.ModeTrunk, ""}
				default:
					out[i] = judged{switchdrivers.ModeAccess, vm[idx]}
				}
			}
		}
		return out
	}
	// A VLAN's membership is configured in the static table; a VLAN the
	// static table does not list has its membership in the current one.
	egress, untagged := vlanColumn(r, oidStaticEgress), vlanColumn(r, oidStaticUntagged)
	curEgress, curUntagged := vlanColumn(r, oidCurrentEgress), vlanColumn(r, oidCurrentUntagged)
	for _, col := range []map[int]map[int]bool{curEgress, curUntagged} {
		for vlan := range col {
			_, e := egress[vlan]
			_, u := untagged[vlan]
			if e || u {
				continue
			}
			if m, ok := curEgress[vlan]; ok {
				egress[vlan] = m
			}
			if m, ok := curUntagged[vlan]; ok {
				untagged[vlan] = m
			}
		}
	}
	pvid := r.column(oidPvid)
	for base, idx := range r.column(oidBasePortIfIndex) {
		b, _ := strconv.Atoi(base)
		i, _ := strconv.Atoi(idx)
		// A VLAN with egress members but no untagged row does not say
		// which of them are untagged: a port in that VLAN alone is an
		// access port if its PVID (the VLAN of what it receives
		// untagged) names the VLAN, else a trunk.
		tagged, untaggedIn, either := false, []int{}, []int{}
		for vlan, members := range egress {
			_, known := untagged[vlan]
			switch {
			case !members[b]:
			case !known:
				either = append(either, vlan)
			case !untagged[vlan][b]:
				tagged = true
			}
		}
		for vlan, members := range untagged {
			if members[b] {
				untaggedIn = append(untaggedIn, vlan)
			}
		}
		switch {
		case tagged || len(untaggedIn) > 1:
			out[i] = judged{switchdrivers.ModeTrunk, ""}
		case len(either) == 1 && len(untaggedIn) == 0 && pvid[base] == strconv.Itoa(either[0]):
			out[i] = judged{switchdrivers.ModeAccess, pvid[base]}
		case len(either) > 0:
			out[i] = judged{switchdrivers.ModeTrunk, ""}
		case len(untaggedIn) == 1:
			out[i] = judged{switchdrivers.ModeAccess, strconv.Itoa(untaggedIn[0])}
		case pvid[base] == "0":
			out[i] = judged{switchdrivers.ModeRouted, ""}
		default:
			out[i] = judged{switchdrivers.ModeAccess, pvid[base]}
		}
	}
	return out
}

const (
	oidTrunkDynStatus = "1.3.6.1.4.1.9.9.46.1.6.1.1.14"
	oidIfDescr        = "1.3.6.1.2.1.2.2.1.2"
)

// walkSet is one corpus folder of walks.
type walkSet struct {
	folder, dir string
	names       []string
	vendor      map[string]string // file -> vendor/OS (MANIFEST.tsv where there is one)
}

func walkSets(t *testing.T) []walkSet {
	var out []walkSet
	for _, folder := range []string{"snmprec", "snmprec-extra"} {
		dir := filepath.Join(corpus.Dir(t), folder)
		files, _ := filepath.Glob(filepath.Join(dir, "*.snmprec"))
		if len(files) == 0 {
			t.Fatalf("no .snmprec files in %s", dir)
		}
		ws := walkSet{folder: folder, dir: dir, vendor: map[string]string{}}
		for _, f := range files {
			ws.names = append(ws.names, filepath.Base(f))
		}
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err == nil {
			for _, row := range corpus.Manifest(t, dir) {
				ws.vendor[filepath.Base(row["local_path"])] = row["vendor_os"]
			}
		}
		out = append(out, ws)
	}
	return out
}

// agreement compares the driver's ports with the judgement, by ifIndex:
// right ports, ports judged, and a description of each disagreement.
func agreement(want map[int]judged, got []switchdrivers.PortState) (right, total int, wrong []string) {
	byIndex := map[int]switchdrivers.PortState{}
	for _, p := range got {
		byIndex[p.IfIndex] = p
	}
	for _, idx := range sortedKeys(want) {
		w := want[idx]
		total++
		p, ok := byIndex[idx]
		switch {
		case !ok:
			wrong = append(wrong, fmt.Sprintf("ifIndex %d (%s %s): not listed", idx, w.mode, w.vlan))
		case p.Mode != w.mode || (w.mode == switchdrivers.ModeAccess && p.Segment != w.vlan):
			wrong = append(wrong, fmt.Sprintf("%s (ifIndex %d): %s %q, the standard's reading %s %q", p.Name, idx, p.Mode, p.Segment, w.mode, w.vlan))
		default:
			right++
		}
	}
	for _, p := range got {
		if _, ok := want[p.IfIndex]; !ok {
			total++
			wrong = append(wrong, fmt.Sprintf("%s (ifIndex %d): listed, but no port of the bridge", p.Name, p.IfIndex))
		}
	}
	return right, total, wrong
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestAccuracyPerWalk serves every walk of snmprec and snmprec-extra with
// snmpsimd and requires the driver to agree with the standard's reading
// of the recording on at least 99 % of the ports of each walk. The
// figures are printed per walk (vendor) and overall.
func TestAccuracyPerWalk(t *testing.T) {
	ctx := context.Background()
	var lines []string
	allRight, allTotal := 0, 0
	for _, ws := range walkSets(t) {
		sim := labtest.StartSnmpsim(t, ws.dir, strings.TrimSuffix(ws.names[0], ".snmprec"))
		for _, name := range ws.names {
			community := strings.TrimSuffix(name, ".snmprec")
			t.Run(ws.folder+"/"+community, func(t *testing.T) {
				r := readRecording(t, filepath.Join(ws.dir, name))
				want := judgeRecording(r)
				if len(want) == 0 {
					t.Fatal("the recording has no bridge or VLAN-membership ports")
				}
				driver := snmp.QBridgeName
				if isCisco(r) {
					driver = snmp.CiscoName
				}
				var got []switchdrivers.PortState
				ports, err := open(t, driver, sim.Addr, community, nil).Ports(ctx)
				if err != nil {
					t.Errorf("Ports: %v", err)
				} else {
					got = ports
				}
				// Each port is named by its ifName, else ifDescr, else
				// ifindex-N, through the mapping read afresh (DESIGN §3).
				names := map[int]string{}
				count := map[string]int{}
				for idx := range want {
					name := fmt.Sprintf("ifindex-%d", idx)
					for _, root := range []string{oidIfName, oidIfDescr} {
						if n := r.text(fmt.Sprintf("%s.%d", root, idx)); n != "" && snmp.ValidatePort(n) == nil && strings.HasPrefix(name, "ifindex-") {
							name = n
						}
					}
					names[idx] = name
					count[name]++
				}
				for _, p := range got {
					if w, ok := names[p.IfIndex]; ok && count[w] == 1 && p.Name != w {
						t.Errorf("ifIndex %d is named %q, want %q", p.IfIndex, p.Name, w)
					}
				}
				right, total, wrong := agreement(want, got)
				share := float64(right) / float64(total)
				vendor := ws.vendor[name]
				if vendor == "" {
					vendor = community
				}
				lines = append(lines, fmt.Sprintf("%-22s %-60s %-13s %4d/%4d = %.3f", ws.folder+"/"+community, vendor, driver, right, total, share))
				allRight += right
				allTotal += total
				for i, w := range wrong {
					if i == 10 {
						t.Logf("… %d more", len(wrong)-10)
						break
					}
					t.Logf("disagrees: %s", w)
				}
				if share < 0.99 {
					t.Errorf("%d of %d ports right (%.3f), want >= 0.99", right, total, share)
				}
			})
		}
	}
	t.Logf("port mode/VLAN agreement with the standard's reading, per walk:\n%s\nall walks: %d/%d = %.3f",
		strings.Join(lines, "\n"), allRight, allTotal, float64(allRight)/float64(max(allTotal, 1)))
}
