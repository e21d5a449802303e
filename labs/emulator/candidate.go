package emulator

import (
	"errors"
	"slices"
)

// candidate is a transactional platform's pending configuration (Junos,
// SR Linux): per port, the VLAN memberships committing it would give,
// from the running state and the staged operations in order (vlan > 0
// adds a member, 0 removes every member, -v removes member v).
type candidate struct {
	order   []string
	members map[string][]int
	running map[string]int // a bulk read of the backend, nil if it has none
}

// errTrunk: a staged port is a trunk in the lab.
var errTrunk = errors.New("not an access interface in the lab")

// candidate builds what committing the staged changes would give.
func (s *session) candidate(stagedChanges []staged) (*candidate, string, error) {
	srv := s.srv
	c := &candidate{members: map[string][]int{}}
	var trunks map[string]bool
	c.running, trunks = srv.readAll(s.ctx)
	for _, ch := range stagedChanges {
		if _, ok := c.members[ch.port]; !ok {
			c.order = append(c.order, ch.port)
			v, trunk, err := srv.accessVLAN(s.ctx, c.running, trunks, ch.port)
			if err != nil {
				return nil, ch.port, err
			}
			if trunk {
				return nil, ch.port, errTrunk
			}
			c.members[ch.port] = []int{v}
		}
		switch {
		case ch.vlan == 0:
			c.members[ch.port] = nil
		case ch.vlan < 0:
			c.members[ch.port] = slices.DeleteFunc(c.members[ch.port], func(v int) bool { return v == -ch.vlan })
		case !slices.Contains(c.members[ch.port], ch.vlan):
			c.members[ch.port] = append(c.members[ch.port], ch.vlan)
		}
	}
	return c, "", nil
}

// invalid returns the first port the commit must refuse — in two VLANs,
// or in one that does not exist — with its members (nil port: none).
func (c *candidate) invalid(s *session) (port string, members []int) {
	exists := map[int]bool{}
	for _, v := range s.srv.knownVLANs() {
		exists[v] = true
	}
	for _, p := range c.order {
		m := c.members[p]
		if len(m) > 1 || len(m) == 1 && !exists[m[0]] && !s.srv.portInVLAN(s, m[0]) {
			return p, m
		}
	}
	return "", nil
}

// apply commits the candidate as one backend transaction: each port to
// its member, or to none (a port in no VLAN).
func (c *candidate) apply(s *session, none int) error {
	vlans := map[string]int{}
	for _, p := range c.order {
		v := none
		if m := c.members[p]; len(m) == 1 {
			v = m[0]
		}
		vlans[p] = v
	}
	if len(vlans) == 0 {
		return nil
	}
	return s.srv.setAccessVLANs(s.ctx, vlans)
}

// before returns what the candidate's commit would undo: the running
// VLAN of each port it changes.
func (c *candidate) before(s *session) map[string]int {
	out := map[string]int{}
	for _, p := range c.order {
		if v, ok := c.running[p]; ok {
			out[p] = v
		} else if v, trunk, err := s.srv.cfg.Backend.AccessVLAN(s.ctx, p); err == nil && !trunk {
			out[p] = v
		}
	}
	return out
}

// snapshot is every port's VLAN before the candidate's commit, from the
// read the candidate was built on where the backend reads in bulk.
func (c *candidate) snapshot(s *session) (map[string]int, error) {
	if c.running != nil {
		return c.running, nil
	}
	return s.srv.snapshot(s.ctx)
}

// interfaceName is the vendor name of a backend port.
func (srv *Server) interfaceName(port string) string {
	for _, it := range srv.cfg.Interfaces {
		if it.Port == port {
			return it.Name
		}
	}
	return port
}
