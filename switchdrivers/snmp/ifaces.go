package snmp

import (
	"fmt"
	"sort"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// iface is one interface as IF-MIB describes it.
type iface struct {
	index       int
	name        string
	admin, oper string
	alias       string
}

// ifColumns are the IF-MIB columns every read includes.
var ifColumns = []string{oidIfName, oidIfDescr, oidIfAlias, oidIfAdminStatus, oidIfOperStatus}

// interfaces decodes the IF-MIB columns of a walk, keyed by ifIndex.
// A port is named by ifName, else ifDescr (when either fits the port
// grammar), else "ifindex-N". A row that cannot be read is skipped with
// a warning; the others are kept.
func interfaces(cols map[string][]gosnmp.SnmpPDU, w *warnings) map[int]*iface {
	out := map[int]*iface{}
	get := func(idx int) *iface {
		if out[idx] == nil {
			out[idx] = &iface{index: idx}
		}
		return out[idx]
	}
	descr := map[int]string{}
	for _, root := range ifColumns {
		for _, v := range cols[root] {
			idx, err := rowIndex(v.Name, 2147483647)
			if err != nil {
				w.skip(root, v, lackingRow, 0, "%v; row skipped", err)
				continue
			}
			// A port's name is what the plan knows it by; its
			// description and states are shown, never acted on.
			concerns := noPort
			if root == oidIfName || root == oidIfDescr {
				concerns = ifIndexRow
			}
			switch root {
			case oidIfName, oidIfDescr, oidIfAlias:
				s, err := text(v)
				if err != nil {
					w.skip(root, v, concerns, idx, "%v; ignored", err)
					continue
				}
				switch root {
				case oidIfName:
					if ValidatePort(s) == nil {
						get(idx).name = s
					}
				case oidIfDescr:
					descr[idx] = s
				case oidIfAlias:
					get(idx).alias = s
				}
			case oidIfAdminStatus, oidIfOperStatus:
				n, err := intValue(v)
				if err != nil {
					w.skip(root, v, concerns, idx, "%v; ignored", err)
					continue
				}
				st := ifStatus(n)
				if root == oidIfAdminStatus {
					get(idx).admin = st
				} else {
					get(idx).oper = st
				}
			}
		}
	}
	for idx, d := range descr {
		if i := get(idx); i.name == "" && ValidatePort(d) == nil {
			i.name = d
		}
	}
	for idx, i := range out {
		if i.name == "" {
			i.name = fmt.Sprintf("ifindex-%d", idx)
		}
	}
	return out
}

// ifStatus names ifAdminStatus/ifOperStatus values.
func ifStatus(n int64) string {
	switch n {
	case 1:
		return "up"
	case 2:
		return "down"
	case 3:
		return "testing"
	case 5:
		return "dormant"
	case 6:
		return "notPresent"
	case 7:
		return "lowerLayerDown"
	}
	return "unknown"
}

// portState builds a PortState for an interface (nil: ifIndex unknown to IF-MIB).
func portState(idx int, i *iface, mode string, vlan int) switchdrivers.PortState {
	p := switchdrivers.PortState{Name: fmt.Sprintf("ifindex-%d", idx), IfIndex: idx, Mode: mode}
	if i != nil {
		p.Name, p.Admin, p.Oper, p.Description = i.name, i.admin, i.oper, i.alias
	}
	if mode == switchdrivers.ModeAccess && vlan > 0 {
		p.Segment = fmt.Sprint(vlan)
	}
	return p
}

func sortPorts(ps []switchdrivers.PortState) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].IfIndex < ps[j].IfIndex })
}

// uniqueNames makes duplicate names (two interfaces with one ifName)
// unambiguous by their ifIndex, so no change can hit the wrong one.
func uniqueNames(ps []switchdrivers.PortState) {
	count := map[string]int{}
	for _, p := range ps {
		count[p.Name]++
	}
	for i := range ps {
		if count[ps[i].Name] > 1 {
			ps[i].Name = fmt.Sprintf("ifindex-%d", ps[i].IfIndex)
		}
	}
}

// vlanSegment parses a segment as a VLAN ID.
func vlanSegment(seg string) (int, error) {
	var v int
	if _, err := fmt.Sscanf(seg, "%d", &v); err != nil || fmt.Sprint(v) != seg || v < 1 || v > 4094 {
		return 0, fmt.Errorf("segment %q is not a VLAN ID (1-4094)", seg)
	}
	return v, nil
}

// checkChanges validates a batch without I/O.
func checkChanges(sw string, changes []switchdrivers.Change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if err := ValidatePort(c.Port); err != nil {
			return &switchdrivers.Error{Switch: sw, Err: err}
		}
		if seen[c.Port] {
			return &switchdrivers.Error{Switch: sw, Port: c.Port, Err: fmt.Errorf("port appears twice in one batch")}
		}
		seen[c.Port] = true
		for _, seg := range []string{c.From, c.To} {
			if _, err := vlanSegment(seg); err != nil {
				return &switchdrivers.Error{Switch: sw, Port: c.Port, Err: err}
			}
		}
	}
	return nil
}
