// Package all assembles a Registry holding every driver cutover ships.
package all

import (
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/aristaeos"
	"github.com/cutover-net/cutover/switchdrivers/arubaaoscx"
	"github.com/cutover-net/cutover/switchdrivers/ciscoios"
	"github.com/cutover-net/cutover/switchdrivers/cisconxos"
	"github.com/cutover-net/cutover/switchdrivers/juniperjunos"
	"github.com/cutover-net/cutover/switchdrivers/nokiasrl"
	"github.com/cutover-net/cutover/switchdrivers/ovs"
	"github.com/cutover-net/cutover/switchdrivers/snmp"
	"github.com/cutover-net/cutover/switchdrivers/vsphere"
)

// Registry returns a new registry with every built-in driver.
func Registry() *switchdrivers.Registry {
	r := switchdrivers.NewRegistry()
	r.Register(ovs.Registration())
	r.Register(ciscoios.Registration())
	r.Register(aristaeos.Registration())
	r.Register(cisconxos.Registration())
	r.Register(juniperjunos.Registration())
	r.Register(arubaaoscx.Registration())
	r.Register(nokiasrl.Registration())
	r.Register(vsphere.Registration())
	r.Register(snmp.QBridgeRegistration())
	r.Register(snmp.CiscoRegistration())
	return r
}
