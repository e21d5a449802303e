package showparse

// membership collects, from a VLAN table that lists each VLAN's member
// ports (FastIron `show vlan`, a FastIron configuration, Force10 `show
// vlan`, Cisco SG `show vlan`, EXOS port details), which VLANs each port
// is untagged and tagged in, and judges each port's mode and VLAN from
// both together (IEEE 802.1Q: a port carries at most one VLAN untagged on
// egress; a port tagged in any VLAN is a trunk):
//
//   - tagged in one VLAN or more: a trunk, whose VLAN is the one it is
//     untagged in (its native VLAN), if exactly one;
//   - untagged in exactly one VLAN and tagged in none: an access port of
//     that VLAN;
//   - untagged in several and tagged in none: the table does not say
//     (protocol or MAC-based VLANs), so neither mode nor VLAN is given.
type membership struct {
	order    []string
	untagged map[string][]string
	tagged   map[string][]string
}

func newMembership() *membership {
	return &membership{untagged: map[string][]string{}, tagged: map[string][]string{}}
}

func (m *membership) see(port string) {
	if _, ok := m.untagged[port]; ok {
		return
	}
	if _, ok := m.tagged[port]; ok {
		return
	}
	m.order = append(m.order, port)
}

// add records that port is a member of vlan, tagged or not.
func (m *membership) add(port, vlan string, tagged bool) {
	m.see(port)
	if tagged {
		m.tagged[port] = appendNew(m.tagged[port], vlan)
		if _, ok := m.untagged[port]; !ok {
			m.untagged[port] = nil
		}
	} else {
		m.untagged[port] = appendNew(m.untagged[port], vlan)
	}
}

// trunk records that port is a trunk (FastIron dual-mode) whatever its
// tagged VLANs in this output.
func (m *membership) trunk(port string) {
	m.see(port)
	if _, ok := m.tagged[port]; !ok {
		m.tagged[port] = []string{}
	}
}

// ports merges each port's judged mode and VLAN into r.
func (m *membership) ports(r *Result) {
	for _, p := range m.order {
		u := m.untagged[p]
		_, isTrunk := m.tagged[p]
		port := Port{Name: p}
		switch {
		case isTrunk:
			port.Mode = "trunk"
			if len(u) == 1 {
				port.VLAN = u[0]
			}
		case len(u) == 1:
			port.Mode, port.VLAN = "access", u[0]
		}
		mergePort(r, port)
	}
}
