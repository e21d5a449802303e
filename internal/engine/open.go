package engine

import (
	"context"
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

// PortRow is one row of the live port table (`cutover ports`, the API's
// port table).
type PortRow struct {
	Switch string `json:"switch"`
	switchdrivers.PortState
}

// ReadPorts reads the live port table of the inventory's switches, in
// inventory order (only: that switch alone, "" every one). Warnings are
// what drivers say of rows or values they read past (SNMP: naming switch
// and OID). A switch that cannot be read gives its error, joined to the
// others'; the switches that could be read are still returned.
func ReadPorts(ctx context.Context, inv *plan.Inventory, drivers map[string]switchdrivers.Driver, only string) (rows []PortRow, warnings []string, err error) {
	rows = []PortRow{}
	var errs []error
	for _, s := range inv.Switches {
		if only != "" && s.Name != only {
			continue
		}
		ports, err := drivers[s.Name].Ports(ctx)
		if wr, ok := drivers[s.Name].(interface{ Warnings() []string }); ok {
			warnings = append(warnings, wr.Warnings()...)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, p := range ports {
			rows = append(rows, PortRow{s.Name, p})
		}
	}
	return rows, warnings, errors.Join(errs...)
}
