package labtest

import (
	"regexp"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/switchdrivers"
)

// SwitchConfig is the driver configuration for an emulated switch node of
// a lab started by Start (user admin, the lab's password, its known_hosts).
func SwitchConfig(t testing.TB, l *labs.Lab, node string, opts map[string]string) switchdrivers.Config {
	t.Helper()
	addr := l.EmulatorAddr(node)
	if addr == "" {
		t.Fatalf("node %s has no emulator", node)
	}
	if opts == nil {
		opts = map[string]string{"known_hosts": l.KnownHosts(), "timeout": "10s"}
	}
	return switchdrivers.Config{Name: node, Address: addr, Username: "admin", Password: secret.New(labs.DefaultPassword), Options: opts}
}

var trailingNumber = regexp.MustCompile(`(\d+)$`)

// OVSPort maps a vendor interface of an emulated switch (Gi1/0/N,
// EthernetN) to the lab's OVS port, node-eN.
func OVSPort(node, iface string) string {
	return node + "-e" + trailingNumber.FindString(iface)
}
