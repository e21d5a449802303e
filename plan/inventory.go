// Package plan reads inventories (format v1), validates them, and compiles
// them into cut-over plans: the ordered steps isolate → promote → park, each
// a set of port moves grouped per switch, plus the inverse (rollback) and
// fallback plans. It renders plans as text, JSON and a Markdown
// method-of-procedure.
//
// plan performs no network I/O. Driver knowledge (which names exist, the
// port grammar, the exact commands) reaches it through the Catalog and
// CommandRenderer interfaces, which switchdrivers.Registry satisfies.
package plan

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/internal/yamlstrict"
)

// Roles of VLANs.
const (
	Production = "production"
	Migration  = "migration"
	Shadow     = "shadow"
)

// Inventory is a parsed, validated inventory (format v1).
type Inventory struct {
	Version  int      `json:"version"`
	Name     string   `json:"name"`
	VLANs    VLANs    `json:"vlans"`
	Switches []Switch `json:"switches"`
	Systems  Systems  `json:"systems"`
	Park     string   `json:"park"`
	Guard    Guard    `json:"guard"`

	File string `json:"-"` // where it was read from
}

// VLANs maps roles to VLAN IDs. Shadow is optional (0 = none).
type VLANs struct {
	Production int `json:"production"`
	Migration  int `json:"migration"`
	Shadow     int `json:"shadow,omitempty"`
}

// Switch is one switch (or other backend) of the inventory.
type Switch struct {
	Name     string            `json:"name"`
	Driver   string            `json:"driver"`
	Address  string            `json:"address"`
	Username string            `json:"username,omitempty"`
	Password secret.Secret     `json:"password,omitzero"`
	SNMP     *SNMP             `json:"snmp,omitempty"`
	Segments map[string]string `json:"segments,omitempty"` // role -> segment override
	Options  map[string]string `json:"options,omitempty"`
	// From the driver: segments are names (no VLAN fallback), and the
	// empty segment (isolate without a holding segment) shuts the port.
	NamedSegments bool `json:"-"`
	AdminDown     bool `json:"-"`
}

// SNMP holds a switch's SNMP credentials.
type SNMP struct {
	Version      string        `json:"version"`
	Community    secret.Secret `json:"community,omitzero"`
	Username     string        `json:"username,omitempty"`
	AuthProtocol string        `json:"auth_protocol,omitempty"`
	AuthPassword secret.Secret `json:"auth_password,omitzero"`
	PrivProtocol string        `json:"priv_protocol,omitempty"`
	PrivPassword secret.Secret `json:"priv_password,omitzero"`
}

// Systems are the two sides of the cut-over.
type Systems struct {
	Old System `json:"old"`
	New System `json:"new"`
}

// System is a set of switch ports and the addresses it answers for.
type System struct {
	Ports     []PortRef    `json:"ports"`
	Addresses []netip.Addr `json:"addresses"`
}

// PortRef is a "switch:port" reference.
type PortRef struct {
	Switch string `json:"switch"`
	Port   string `json:"port"`
}

func (p PortRef) String() string { return p.Switch + ":" + p.Port }

// Guard says where the probes reach the VLANs.
type Guard struct {
	Trunk      string            `json:"trunk,omitempty"`
	Interfaces map[string]string `json:"interfaces,omitempty"`
	// Sources are ordinary-request source addresses per role: unused
	// addresses in the VLAN's subnet. Optional; without them, ownership
	// checks wait out the RFC 5227 probe interval.
	Sources map[string]netip.Addr `json:"sources,omitempty"`
	// Window is the quiet window of an absence proof (default: the
	// guard's, 100 ms); the guard raises a window shorter than the round
	// trips it measures on the LAN justify.
	Window time.Duration `json:"window,omitempty"`
	// Netns is the named network namespace (`ip netns`) the interfaces
	// are in; empty: the one cutover runs in.
	Netns string `json:"netns,omitempty"`
}

// Segment returns the segment of role on switch sw ("" if the role has none).
//
// A switch whose driver names its segments (vSphere portgroups) has only
// the segments its `segments:` gives; other switches fall back to the
// role's VLAN ID. "" means the role has no segment there.
func (inv *Inventory) Segment(sw, role string) string {
	for _, s := range inv.Switches {
		if s.Name == sw {
			if seg, ok := s.Segments[role]; ok {
				return seg
			}
			if s.NamedSegments {
				return ""
			}
		}
	}
	var id int
	switch role {
	case Production:
		id = inv.VLANs.Production
	case Migration:
		id = inv.VLANs.Migration
	case Shadow:
		id = inv.VLANs.Shadow
	}
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}

// SwitchByName returns the named switch.
func (inv *Inventory) SwitchByName(name string) (Switch, bool) {
	for _, s := range inv.Switches {
		if s.Name == name {
			return s, true
		}
	}
	return Switch{}, false
}

// Catalog is what validation needs to know about drivers.
type Catalog interface {
	// Known reports whether a driver name is registered.
	Known(driver string) bool
	// Names lists the registered drivers, for error messages.
	Names() []string
	// ValidatePort checks a port name against the driver's grammar.
	ValidatePort(driver, port string) error
	// CanAdminDown reports whether the driver can isolate by shutting a port.
	CanAdminDown(driver string) bool
	// NamedSegments reports whether the driver's segments are names.
	NamedSegments(driver string) bool
}

// LoadOptions control how an inventory is read.
type LoadOptions struct {
	// LookupEnv resolves ${VAR}; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Catalog checks driver names and port names; nil skips those checks.
	Catalog Catalog
}

// Problem is one thing wrong with an inventory, at a position.
type Problem = yamlstrict.Problem

// ValidationError lists every problem found in an inventory.
type ValidationError = yamlstrict.ValidationError

// Load reads and validates an inventory file.
func Load(path string, opts LoadOptions) (*Inventory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b, opts)
}

type loader struct {
	*yamlstrict.Reader
	opts LoadOptions
}

// Parse validates inventory text. name is the file name used in problems;
// relative password_file paths are resolved against its directory. All
// problems are reported at once, as a *ValidationError.
func Parse(name string, data []byte, opts LoadOptions) (*Inventory, error) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	l := &loader{Reader: yamlstrict.NewReader(name, opts.LookupEnv), opts: opts}
	root := l.Decode(data, "inventory")
	if root == nil {
		return nil, l.Err()
	}
	inv := l.inventory(root)
	inv.File = name
	if err := l.Err(); err != nil {
		return nil, err
	}
	return inv, nil
}
