package engine

import (
	"errors"

	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// OpenDrivers opens a driver for every switch of the inventory. Opening
// performs no I/O. On error the drivers already opened are closed.
func OpenDrivers(reg *switchdrivers.Registry, inv *plan.Inventory) (map[string]switchdrivers.Driver, error) {
	ports := map[string][]string{}
	for _, sys := range []plan.System{inv.Systems.Old, inv.Systems.New} {
		for _, r := range sys.Ports {
			ports[r.Switch] = append(ports[r.Switch], r.Port)
		}
	}
	out := map[string]switchdrivers.Driver{}
	for _, s := range inv.Switches {
		cfg := switchdrivers.Config{
			Name: s.Name, Address: s.Address, Username: s.Username, Password: s.Password, Options: s.Options,
			Ports: ports[s.Name],
		}
		if c := s.SNMP; c != nil {
			cfg.SNMP = &switchdrivers.SNMP{Version: c.Version, Community: c.Community, Username: c.Username,
				AuthProtocol: c.AuthProtocol, AuthPassword: c.AuthPassword, PrivProtocol: c.PrivProtocol, PrivPassword: c.PrivPassword}
		}
		d, err := reg.Open(s.Driver, cfg)
		if err != nil {
			CloseDrivers(out)
			return nil, err
		}
		out[s.Name] = d
	}
	return out, nil
}

// CloseDrivers closes every driver and returns their errors joined.
func CloseDrivers(ds map[string]switchdrivers.Driver) error {
	var errs []error
	for _, d := range ds {
		errs = append(errs, d.Close())
	}
	return errors.Join(errs...)
}
