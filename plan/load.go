package plan

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/internal/yamlstrict"
	"gopkg.in/yaml.v3"
)

func (l *loader) vlanID(n *yaml.Node, what string) int {
	v, ok := l.Scalar(n, what)
	if !ok {
		return 0
	}
	id, err := strconv.Atoi(v)
	if err != nil || id < 1 || id > 4094 {
		l.Addf(n, "%s: VLAN ID %q is outside 1-4094", what, v)
		return 0
	}
	return id
}

var (
	switchNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	ifaceRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$`)
	printable    = regexp.MustCompile(`^[[:graph:]]+$`)
)

func (l *loader) inventory(root *yaml.Node) *Inventory {
	inv := &Inventory{Park: Migration}
	top := l.Mapping(root, "inventory", "version", "name", "vlans", "switches", "systems", "park", "guard")
	if top == nil {
		return inv
	}
	l.Require(root, top, "inventory", "version", "vlans", "switches", "systems")
	if f, ok := top["version"]; ok {
		if v, ok := l.Scalar(f.Val, "version"); ok && v != "1" {
			l.Addf(f.Val, "version: %q is not supported (this cutover reads version 1)", v)
		}
		inv.Version = 1
	}
	inv.Name = strings.TrimSuffix(filepath.Base(l.File), filepath.Ext(l.File))
	if v, n := l.Str(top, "name", "name"); n != nil {
		if !printable.MatchString(strings.ReplaceAll(v, " ", "_")) {
			l.Addf(n, "name: %q has control characters or is empty", v)
		}
		inv.Name = v
	}
	if f, ok := top["vlans"]; ok {
		l.vlans(f.Val, inv)
	}
	swLines := map[string]int{}
	if f, ok := top["switches"]; ok {
		l.switches(f.Val, inv, swLines)
	}
	if f, ok := top["park"]; ok {
		if v, ok := l.Scalar(f.Val, "park"); ok {
			switch v {
			case Migration, Shadow:
				inv.Park = v
			default:
				l.Addf(f.Val, "park: %q is not a park role (migration or shadow)", v)
			}
			if v == Shadow && inv.VLANs.Shadow == 0 {
				l.Addf(f.Val, "park: shadow needs vlans.shadow")
			}
		}
	}
	if f, ok := top["systems"]; ok {
		l.systems(f.Val, inv)
	}
	if f, ok := top["guard"]; ok {
		l.guard(f.Val, inv)
	}
	return inv
}

func (l *loader) vlans(n *yaml.Node, inv *Inventory) {
	fields := l.Mapping(n, "vlans", Production, Migration, Shadow)
	if fields == nil {
		return
	}
	l.Require(n, fields, "vlans", Production, Migration)
	seen := map[int]string{}
	for _, role := range []string{Production, Migration, Shadow} {
		f, ok := fields[role]
		if !ok {
			continue
		}
		id := l.vlanID(f.Val, "vlans."+role)
		if id == 0 {
			continue
		}
		if other, dup := seen[id]; dup {
			l.Addf(f.Val, "vlans.%s: VLAN %d is already the %s VLAN; each role needs its own", role, id, other)
		}
		seen[id] = role
		switch role {
		case Production:
			inv.VLANs.Production = id
		case Migration:
			inv.VLANs.Migration = id
		case Shadow:
			inv.VLANs.Shadow = id
		}
	}
}

func (l *loader) switches(n *yaml.Node, inv *Inventory, lines map[string]int) {
	if n.Kind != yaml.SequenceNode {
		l.Addf(n, "switches: want a list, found %s", yamlstrict.KindName(n))
		return
	}
	if len(n.Content) == 0 {
		l.Addf(n, "switches: the list is empty")
	}
	for i, sn := range n.Content {
		what := fmt.Sprintf("switches[%d]", i)
		fields := l.Mapping(sn, what, "name", "driver", "address", "username", "password", "password_file", "snmp", "segments", "options")
		if fields == nil {
			continue
		}
		l.Require(sn, fields, what, "name", "driver", "address")
		var s Switch
		var nameNode *yaml.Node
		s.Name, nameNode = l.Str(fields, "name", what)
		if nameNode != nil {
			what = "switch " + s.Name
			if !switchNameRE.MatchString(s.Name) {
				l.Addf(nameNode, "switches[%d].name: %q: want letters, digits, '_', '.', '-' (no ':')", i, s.Name)
			} else if first, dup := lines[s.Name]; dup {
				l.Addf(nameNode, "switches[%d].name: duplicate switch name %q (first at line %d)", i, s.Name, first)
			} else {
				lines[s.Name] = nameNode.Line
			}
		}
		var driverNode *yaml.Node
		s.Driver, driverNode = l.Str(fields, "driver", what)
		if driverNode != nil && l.opts.Catalog != nil {
			if !l.opts.Catalog.Known(s.Driver) {
				l.Addf(driverNode, "%s: unknown driver %q (known: %s)", what, s.Driver, strings.Join(l.opts.Catalog.Names(), ", "))
			} else {
				s.NamedSegments, s.AdminDown = l.opts.Catalog.NamedSegments(s.Driver), l.opts.Catalog.CanAdminDown(s.Driver)
			}
		}
		var addrNode *yaml.Node
		s.Address, addrNode = l.Str(fields, "address", what)
		if addrNode != nil && !printable.MatchString(s.Address) {
			l.Addf(addrNode, "%s: address %q is empty or has spaces or control characters", what, s.Address)
		}
		s.Username, _ = l.Str(fields, "username", what)
		pw, pwNode := l.Str(fields, "password", what)
		s.Password = secret.New(pw)
		if f, ok := fields["password_file"]; ok {
			if pwNode != nil {
				l.Addf(f.Key, "%s: give password or password_file, not both", what)
			}
			if p, ok := l.Scalar(f.Val, what+".password_file"); ok {
				s.Password = l.SecretFile(f.Val, what+": password_file", p)
			}
		}
		if f, ok := fields["snmp"]; ok {
			s.SNMP = l.snmp(f.Val, what)
		}
		if f, ok := fields["segments"]; ok {
			s.Segments = l.StringMap(f.Val, what+".segments", []string{Production, Migration, Shadow})
		}
		if s.NamedSegments {
			for _, role := range []string{Production, Migration} {
				if s.Segments[role] == "" {
					l.Addf(sn, "%s: driver %s names its segments (portgroups): segments.%s is missing", what, s.Driver, role)
				}
			}
		}
		if f, ok := fields["options"]; ok {
			s.Options = l.StringMap(f.Val, what+".options", nil)
		}
		inv.Switches = append(inv.Switches, s)
	}
}

var (
	snmpAuth = []string{"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"}
	snmpPriv = []string{"DES", "AES", "AES-192", "AES-256"}
)

func (l *loader) snmp(n *yaml.Node, what string) *SNMP {
	what += ".snmp"
	fields := l.Mapping(n, what, "version", "community", "username", "auth_protocol", "auth_password", "priv_protocol", "priv_password")
	if fields == nil {
		return nil
	}
	s := &SNMP{}
	var vn *yaml.Node
	s.Version, vn = l.Str(fields, "version", what)
	if vn == nil {
		l.Addf(n, "%s: version is missing (1, 2c or 3)", what)
	}
	community, _ := l.Str(fields, "community", what)
	s.Community = secret.New(community)
	s.Username, _ = l.Str(fields, "username", what)
	var an, pn *yaml.Node
	s.AuthProtocol, an = l.Str(fields, "auth_protocol", what)
	s.PrivProtocol, pn = l.Str(fields, "priv_protocol", what)
	ap, _ := l.Str(fields, "auth_password", what)
	pp, _ := l.Str(fields, "priv_password", what)
	s.AuthPassword, s.PrivPassword = secret.New(ap), secret.New(pp)
	switch s.Version {
	case "1", "2c":
		if s.Community.IsZero() {
			l.Addf(n, "%s: version %s needs community", what, s.Version)
		}
	case "3":
		if s.Username == "" {
			l.Addf(n, "%s: version 3 needs username", what)
		}
		if an != nil && !slices.Contains(snmpAuth, s.AuthProtocol) {
			l.Addf(an, "%s: auth_protocol %q (known: %s)", what, s.AuthProtocol, strings.Join(snmpAuth, ", "))
		}
		if pn != nil && !slices.Contains(snmpPriv, s.PrivProtocol) {
			l.Addf(pn, "%s: priv_protocol %q (known: %s)", what, s.PrivProtocol, strings.Join(snmpPriv, ", "))
		}
		if an != nil && s.AuthPassword.IsZero() {
			l.Addf(an, "%s: auth_protocol needs auth_password", what)
		}
		if pn != nil && (s.PrivPassword.IsZero() || an == nil) {
			l.Addf(pn, "%s: priv_protocol needs priv_password and auth_protocol", what)
		}
	case "":
	default:
		l.Addf(vn, "%s: version %q (known: 1, 2c, 3)", what, s.Version)
	}
	return s
}

type portSeen struct {
	system string
	line   int
}

func (l *loader) systems(n *yaml.Node, inv *Inventory) {
	fields := l.Mapping(n, "systems", "old", "new")
	if fields == nil {
		return
	}
	l.Require(n, fields, "systems", "old", "new")
	seen := map[PortRef]portSeen{}
	var newAddrNode *yaml.Node
	for _, name := range []string{"old", "new"} {
		f, ok := fields[name]
		if !ok {
			continue
		}
		what := "systems." + name
		sf := l.Mapping(f.Val, what, "ports", "addresses")
		if sf == nil {
			continue
		}
		var sys System
		if pf, ok := sf["ports"]; ok {
			sys.Ports = l.ports(pf.Val, what, name, inv, seen)
		} else {
			l.Addf(f.Val, "%s: ports is missing", what)
		}
		if af, ok := sf["addresses"]; ok {
			sys.Addresses = l.addresses(af.Val, what)
			if name == "new" {
				newAddrNode = af.Val
			}
		} else if name == "old" {
			l.Addf(f.Val, "%s: addresses is missing (the addresses the cut-over moves)", what)
		}
		if name == "old" {
			inv.Systems.Old = sys
		} else {
			inv.Systems.New = sys
		}
	}
	if inv.Systems.New.Addresses == nil {
		inv.Systems.New.Addresses = inv.Systems.Old.Addresses
	} else if newAddrNode != nil && !sameAddrs(inv.Systems.Old.Addresses, inv.Systems.New.Addresses) {
		l.Addf(newAddrNode, "systems.new.addresses: must be the same addresses as systems.old (a like-for-like replacement takes over exactly the old addresses)")
	}
	for _, sys := range []struct {
		name  string
		ports []PortRef
	}{{"old", inv.Systems.Old.Ports}, {"new", inv.Systems.New.Ports}} {
		// Without a Shadow segment the isolate step (of a cut-over, or of a
		// fallback for the new system) shuts the port down.
		for _, p := range sys.ports {
			sw, ok := inv.SwitchByName(p.Switch)
			if !ok || l.opts.Catalog == nil || !l.opts.Catalog.Known(sw.Driver) || inv.Segment(p.Switch, Shadow) != "" {
				continue
			}
			if !sw.AdminDown {
				l.Addf(fields[sys.name].Val, "systems.%s: switch %s has no Shadow segment, so isolate would shut port %s down, which driver %s cannot do; define vlans.shadow", sys.name, p.Switch, p, sw.Driver)
				break
			}
		}
	}
}

func sameAddrs(a, b []netip.Addr) bool {
	if len(a) != len(b) {
		return false
	}
	as, bs := slices.Clone(a), slices.Clone(b)
	slices.SortFunc(as, netip.Addr.Compare)
	slices.SortFunc(bs, netip.Addr.Compare)
	return slices.Equal(as, bs)
}

func (l *loader) ports(n *yaml.Node, what, system string, inv *Inventory, seen map[PortRef]portSeen) []PortRef {
	if n.Kind != yaml.SequenceNode {
		l.Addf(n, "%s.ports: want a list, found %s", what, yamlstrict.KindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.Addf(n, "%s.ports: the list is empty", what)
	}
	var refs []PortRef
	for _, pn := range n.Content {
		v, ok := l.Scalar(pn, what+".ports")
		if !ok {
			continue
		}
		sw, port, found := strings.Cut(v, ":")
		if !found || sw == "" || port == "" {
			l.Addf(pn, "%s.ports: %q is not switch:port", what, v)
			continue
		}
		ref := PortRef{sw, port}
		s, known := inv.SwitchByName(sw)
		if !known {
			l.Addf(pn, "%s.ports: %q names unknown switch %q", what, v, sw)
			continue
		}
		if l.opts.Catalog != nil && l.opts.Catalog.Known(s.Driver) {
			if err := l.opts.Catalog.ValidatePort(s.Driver, port); err != nil {
				l.Addf(pn, "%s.ports: switch %s: %v", what, sw, err)
				continue
			}
		}
		if prev, dup := seen[ref]; dup {
			if prev.system == system {
				l.Addf(pn, "%s.ports: %s is listed twice (first at line %d)", what, ref, prev.line)
			} else {
				l.Addf(pn, "%s.ports: %s is in both systems (also in systems.%s at line %d)", what, ref, prev.system, prev.line)
			}
			continue
		}
		seen[ref] = portSeen{system, pn.Line}
		refs = append(refs, ref)
	}
	return refs
}

func (l *loader) addresses(n *yaml.Node, what string) []netip.Addr {
	if n.Kind != yaml.SequenceNode {
		l.Addf(n, "%s.addresses: want a list, found %s", what, yamlstrict.KindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.Addf(n, "%s.addresses: the list is empty", what)
	}
	out := []netip.Addr{}
	lines := map[netip.Addr]int{}
	for _, an := range n.Content {
		v, ok := l.Scalar(an, what+".addresses")
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(v)
		switch {
		case err != nil:
			l.Addf(an, "%s.addresses: %q is not an IP address", what, v)
			continue
		case a.Zone() != "" || a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			l.Addf(an, "%s.addresses: %s cannot be a host's service address", what, v)
			continue
		}
		if why := unguardable6(a); why != "" {
			l.Addf(an, "%s.addresses: %s cannot be guarded: %s", what, v, why)
			continue
		}
		a = a.Unmap()
		if first, dup := lines[a]; dup {
			l.Addf(an, "%s.addresses: %s is listed twice (first at line %d)", what, a, first)
			continue
		}
		lines[a] = an.Line
		out = append(out, a)
	}
	return out
}

// Prefixes of IPv6 addresses no host answers neighbour discovery for on
// an Ethernet link, or that answer for no single host.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215
	discard    = netip.MustParsePrefix("100::/64")       // RFC 6666
	teredo     = netip.MustParsePrefix("2001::/32")      // RFC 4380
	orchid     = netip.MustParsePrefix("2001:20::/28")   // RFC 7343
	compatible = netip.MustParsePrefix("::/96")          // RFC 4291 §2.5.5.1
)

// unguardable6 says why the guard cannot prove who owns an IPv6 service
// address by neighbour discovery (RFC 4861), or "" when it can. Interface
// identifiers are read for a /64, the prefix length of every Ethernet link
// that uses stateless autoconfiguration (RFC 4291 §2.5.1, RFC 7421).
func unguardable6(a netip.Addr) string {
	if !a.Is6() || a.Is4In6() {
		return ""
	}
	b := a.As16()
	iid := binary.BigEndian.Uint64(b[8:])
	switch {
	case compatible.Contains(a):
		return "an IPv4-compatible IPv6 address (deprecated, RFC 4291 §2.5.5.1) is never on a link; write the IPv4 address"
	case nat64.Contains(a) || nat64Local.Contains(a):
		return "a NAT64 address (RFC 6052) stands for an IPv4 host behind a translator, not a host on the link"
	case discard.Contains(a):
		return "an address of the discard-only prefix 100::/64 (RFC 6666)"
	case orchid.Contains(a):
		return "an ORCHIDv2 identifier (RFC 7343) is not a locator on any link"
	case teredo.Contains(a):
		return "a Teredo address (RFC 4380) lives on a tunnel, not on the link"
	case iid == 0:
		return "the Subnet-Router anycast address of its /64 (RFC 4291 §2.6.1): every router on the link answers for it, so no single owner can be proven"
	case iid >= 0xfdffffffffffff80:
		return "a reserved subnet anycast address (RFC 2526): several hosts may answer for it, so no single owner can be proven"
	}
	return ""
}

// netnsRE: a name under /run/netns.
var netnsRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func (l *loader) guard(n *yaml.Node, inv *Inventory) {
	fields := l.Mapping(n, "guard", "trunk", "interfaces", "sources", "window", "netns")
	if fields == nil {
		return
	}
	if t, tn := l.Str(fields, "trunk", "guard"); tn != nil {
		if !ifaceRE.MatchString(t) {
			l.Addf(tn, "guard.trunk: %q is not an interface name", t)
		}
		inv.Guard.Trunk = t
	}
	if f, ok := fields["interfaces"]; ok {
		if inv.Guard.Trunk != "" {
			l.Addf(f.Key, "guard: give trunk or interfaces, not both")
		}
		inv.Guard.Interfaces = l.StringMap(f.Val, "guard.interfaces", []string{Production, Migration, Shadow})
		for role, ifc := range inv.Guard.Interfaces {
			if !ifaceRE.MatchString(ifc) {
				l.Addf(f.Val, "guard.interfaces.%s: %q is not an interface name", role, ifc)
			}
		}
	}
	if f, ok := fields["sources"]; ok {
		inv.Guard.Sources = map[string]netip.Addr{}
		for role, v := range l.StringMap(f.Val, "guard.sources", []string{Production, Migration, Shadow}) {
			a, err := netip.ParseAddr(v)
			if err != nil || a.IsUnspecified() || a.IsMulticast() {
				l.Addf(f.Val, "guard.sources.%s: %q is not a usable source address", role, v)
				continue
			}
			if a = a.Unmap(); !a.Is4() {
				l.Addf(f.Val, "guard.sources.%s: %s is IPv6; sources are IPv4 addresses for ordinary ARP requests (IPv6 probes need none: they use the link-local address of the probe's own MAC)", role, v)
				continue
			}
			for _, own := range inv.Systems.Old.Addresses {
				if own == a {
					l.Addf(f.Val, "guard.sources.%s: %s is a cut-over address; use an unused one", role, v)
				}
			}
			inv.Guard.Sources[role] = a
		}
	}
	if ns, nn := l.Str(fields, "netns", "guard"); nn != nil {
		if !netnsRE.MatchString(ns) || ns == "." || ns == ".." {
			l.Addf(nn, "guard.netns: %q is not a network namespace name (as `ip netns list` shows them)", ns)
		}
		inv.Guard.Netns = ns
	}
	if w, wn := l.Str(fields, "window", "guard"); wn != nil {
		d, err := time.ParseDuration(w)
		if err != nil || d < 10*time.Millisecond || d > time.Minute {
			l.Addf(wn, "guard.window: %q: want a duration from 10ms to 1m (e.g. 100ms; the guard raises it to what the round trips it measures justify)", w)
		} else {
			inv.Guard.Window = d
		}
	}
}
