package guard

import (
	"errors"
	"net/netip"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/plan"
)

// VLANs maps the inventory's roles to VLAN IDs.
func VLANs(inv *plan.Inventory) map[string]int {
	return map[string]int{plan.Production: inv.VLANs.Production, plan.Migration: inv.VLANs.Migration, plan.Shadow: inv.VLANs.Shadow}
}

// SetupFrom turns an inventory's guard section into a Setup.
func SetupFrom(inv *plan.Inventory) (*Setup, error) {
	roles := VLANs(inv)
	s := &Setup{Trunk: inv.Guard.Trunk, Sources: map[int]netip.Addr{}}
	for role, ifname := range inv.Guard.Interfaces {
		if s.Interfaces == nil {
			s.Interfaces = map[int]string{}
		}
		s.Interfaces[roles[role]] = ifname
	}
	for role, a := range inv.Guard.Sources {
		s.Sources[roles[role]] = a
	}
	if ns := inv.Guard.Netns; ns != "" {
		s.InNamespace = func(fn func() error) error { return netns.Do(ns, fn) }
	}
	if s.Trunk == "" && len(s.Interfaces) == 0 {
		return nil, errors.New("the inventory has no guard section (guard.trunk or guard.interfaces); pass --no-guard to run without the duplicate-address guard")
	}
	return s, nil
}

// ConfigFrom fills the parts of a Config that come from the inventory.
func ConfigFrom(inv *plan.Inventory) Config {
	return Config{VLANs: VLANs(inv), Addrs: inv.Systems.Old.Addresses, Window: inv.Guard.Window}
}
