package plan

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"gopkg.in/yaml.v3"
)

type field struct{ key, val *yaml.Node }

// mapping returns the fields of a mapping node, reporting unknown and
// duplicate keys. It returns nil if n is not a mapping.
func (l *loader) mapping(n *yaml.Node, what string, known ...string) map[string]field {
	if n.Kind != yaml.MappingNode {
		l.addf(n, "%s: want a mapping, found %s", what, kindName(n))
		return nil
	}
	out := map[string]field{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(known, k.Value) {
			l.addf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		if prev, dup := out[k.Value]; dup {
			l.addf(k, "%s: key %q given twice (first at line %d)", what, k.Value, prev.key.Line)
			continue
		}
		out[k.Value] = field{k, v}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

var envRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// scalar returns a scalar's value with ${VAR} and ${VAR:-default} expanded
// ($$ is a literal $). ok is false if a problem was reported.
func (l *loader) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.addf(n, "%s: want a value, found %s", what, kindName(n))
		return "", false
	}
	ok := true
	v := envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := envRef.FindStringSubmatch(m)
		if val, set := l.opts.LookupEnv(sub[1]); set {
			return val
		}
		if sub[2] != "" {
			return sub[2][2:]
		}
		l.addf(n, "%s: environment variable %s is not set", what, sub[1])
		ok = false
		return ""
	})
	return v, ok
}

func (l *loader) str(fields map[string]field, key, what string) (string, *yaml.Node) {
	f, ok := fields[key]
	if !ok {
		return "", nil
	}
	v, _ := l.scalar(f.val, what+"."+key)
	return v, f.val
}

// require reports each missing key at its parent's position.
func (l *loader) require(parent *yaml.Node, fields map[string]field, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := fields[k]; !ok {
			l.addf(parent, "%s: %s is missing", what, k)
		}
	}
}

func (l *loader) vlanID(n *yaml.Node, what string) int {
	v, ok := l.scalar(n, what)
	if !ok {
		return 0
	}
	id, err := strconv.Atoi(v)
	if err != nil || id < 1 || id > 4094 {
		l.addf(n, "%s: VLAN ID %q is outside 1-4094", what, v)
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
	top := l.mapping(root, "inventory", "version", "name", "vlans", "switches", "systems", "park", "guard")
	if top == nil {
		return inv
	}
	l.require(root, top, "inventory", "version", "vlans", "switches", "systems")
	if f, ok := top["version"]; ok {
		if v, ok := l.scalar(f.val, "version"); ok && v != "1" {
			l.addf(f.val, "version: %q is not supported (this cutover reads version 1)", v)
		}
		inv.Version = 1
	}
	inv.Name = strings.TrimSuffix(filepath.Base(l.file), filepath.Ext(l.file))
	if v, n := l.str(top, "name", "name"); n != nil {
		if !printable.MatchString(strings.ReplaceAll(v, " ", "_")) {
			l.addf(n, "name: %q has control characters or is empty", v)
		}
		inv.Name = v
	}
	if f, ok := top["vlans"]; ok {
		l.vlans(f.val, inv)
	}
	swLines := map[string]int{}
	if f, ok := top["switches"]; ok {
		l.switches(f.val, inv, swLines)
	}
	if f, ok := top["park"]; ok {
		if v, ok := l.scalar(f.val, "park"); ok {
			switch v {
			case Migration, Shadow:
				inv.Park = v
			default:
				l.addf(f.val, "park: %q is not a park role (migration or shadow)", v)
			}
			if v == Shadow && inv.VLANs.Shadow == 0 {
				l.addf(f.val, "park: shadow needs vlans.shadow")
			}
		}
	}
	if f, ok := top["systems"]; ok {
		l.systems(f.val, inv)
	}
	if f, ok := top["guard"]; ok {
		l.guard(f.val, inv)
	}
	return inv
}

func (l *loader) vlans(n *yaml.Node, inv *Inventory) {
	fields := l.mapping(n, "vlans", Production, Migration, Shadow)
	if fields == nil {
		return
	}
	l.require(n, fields, "vlans", Production, Migration)
	seen := map[int]string{}
	for _, role := range []string{Production, Migration, Shadow} {
		f, ok := fields[role]
		if !ok {
			continue
		}
		id := l.vlanID(f.val, "vlans."+role)
		if id == 0 {
			continue
		}
		if other, dup := seen[id]; dup {
			l.addf(f.val, "vlans.%s: VLAN %d is already the %s VLAN; each role needs its own", role, id, other)
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
		l.addf(n, "switches: want a list, found %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		l.addf(n, "switches: the list is empty")
	}
	for i, sn := range n.Content {
		what := fmt.Sprintf("switches[%d]", i)
		fields := l.mapping(sn, what, "name", "driver", "address", "username", "password", "password_file", "snmp", "segments", "options")
		if fields == nil {
			continue
		}
		l.require(sn, fields, what, "name", "driver", "address")
		var s Switch
		var nameNode *yaml.Node
		s.Name, nameNode = l.str(fields, "name", what)
		if nameNode != nil {
			what = "switch " + s.Name
			if !switchNameRE.MatchString(s.Name) {
				l.addf(nameNode, "switches[%d].name: %q: want letters, digits, '_', '.', '-' (no ':')", i, s.Name)
			} else if first, dup := lines[s.Name]; dup {
				l.addf(nameNode, "switches[%d].name: duplicate switch name %q (first at line %d)", i, s.Name, first)
			} else {
				lines[s.Name] = nameNode.Line
			}
		}
		var driverNode *yaml.Node
		s.Driver, driverNode = l.str(fields, "driver", what)
		if driverNode != nil && l.opts.Catalog != nil {
			if !l.opts.Catalog.Known(s.Driver) {
				l.addf(driverNode, "%s: unknown driver %q (known: %s)", what, s.Driver, strings.Join(l.opts.Catalog.Names(), ", "))
			} else {
				s.NamedSegments, s.AdminDown = l.opts.Catalog.NamedSegments(s.Driver), l.opts.Catalog.CanAdminDown(s.Driver)
			}
		}
		var addrNode *yaml.Node
		s.Address, addrNode = l.str(fields, "address", what)
		if addrNode != nil && !printable.MatchString(s.Address) {
			l.addf(addrNode, "%s: address %q is empty or has spaces or control characters", what, s.Address)
		}
		s.Username, _ = l.str(fields, "username", what)
		pw, pwNode := l.str(fields, "password", what)
		s.Password = secret.New(pw)
		if f, ok := fields["password_file"]; ok {
			if pwNode != nil {
				l.addf(f.key, "%s: give password or password_file, not both", what)
			}
			if p, ok := l.scalar(f.val, what+".password_file"); ok {
				s.Password = l.readSecretFile(f.val, what, p)
			}
		}
		if f, ok := fields["snmp"]; ok {
			s.SNMP = l.snmp(f.val, what)
		}
		if f, ok := fields["segments"]; ok {
			s.Segments = l.stringMap(f.val, what+".segments", []string{Production, Migration, Shadow})
		}
		if s.NamedSegments {
			for _, role := range []string{Production, Migration} {
				if s.Segments[role] == "" {
					l.addf(sn, "%s: driver %s names its segments (portgroups): segments.%s is missing", what, s.Driver, role)
				}
			}
		}
		if f, ok := fields["options"]; ok {
			s.Options = l.stringMap(f.val, what+".options", nil)
		}
		inv.Switches = append(inv.Switches, s)
	}
}

func (l *loader) readSecretFile(n *yaml.Node, what, p string) secret.Secret {
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.dir, p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		// The error names the file, never its content.
		l.addf(n, "%s: password_file: %v", what, err)
		return secret.Secret{}
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		l.addf(n, "%s: password_file %s is empty", what, p)
	}
	return secret.New(v)
}

func (l *loader) stringMap(n *yaml.Node, what string, keys []string) map[string]string {
	if n.Kind != yaml.MappingNode {
		l.addf(n, "%s: want a mapping, found %s", what, kindName(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if keys != nil && !slices.Contains(keys, k.Value) {
			l.addf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(keys, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			l.addf(k, "%s: key %q given twice", what, k.Value)
			continue
		}
		if val, ok := l.scalar(v, what+"."+k.Value); ok {
			out[k.Value] = val
		}
	}
	return out
}

var (
	snmpAuth = []string{"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"}
	snmpPriv = []string{"DES", "AES", "AES-192", "AES-256"}
)

func (l *loader) snmp(n *yaml.Node, what string) *SNMP {
	what += ".snmp"
	fields := l.mapping(n, what, "version", "community", "username", "auth_protocol", "auth_password", "priv_protocol", "priv_password")
	if fields == nil {
		return nil
	}
	s := &SNMP{}
	var vn *yaml.Node
	s.Version, vn = l.str(fields, "version", what)
	if vn == nil {
		l.addf(n, "%s: version is missing (1, 2c or 3)", what)
	}
	community, _ := l.str(fields, "community", what)
	s.Community = secret.New(community)
	s.Username, _ = l.str(fields, "username", what)
	var an, pn *yaml.Node
	s.AuthProtocol, an = l.str(fields, "auth_protocol", what)
	s.PrivProtocol, pn = l.str(fields, "priv_protocol", what)
	ap, _ := l.str(fields, "auth_password", what)
	pp, _ := l.str(fields, "priv_password", what)
	s.AuthPassword, s.PrivPassword = secret.New(ap), secret.New(pp)
	switch s.Version {
	case "1", "2c":
		if s.Community.IsZero() {
			l.addf(n, "%s: version %s needs community", what, s.Version)
		}
	case "3":
		if s.Username == "" {
			l.addf(n, "%s: version 3 needs username", what)
		}
		if an != nil && !slices.Contains(snmpAuth, s.AuthProtocol) {
			l.addf(an, "%s: auth_protocol %q (known: %s)", what, s.AuthProtocol, strings.Join(snmpAuth, ", "))
		}
		if pn != nil && !slices.Contains(snmpPriv, s.PrivProtocol) {
			l.addf(pn, "%s: priv_protocol %q (known: %s)", what, s.PrivProtocol, strings.Join(snmpPriv, ", "))
		}
		if an != nil && s.AuthPassword.IsZero() {
			l.addf(an, "%s: auth_protocol needs auth_password", what)
		}
		if pn != nil && (s.PrivPassword.IsZero() || an == nil) {
			l.addf(pn, "%s: priv_protocol needs priv_password and auth_protocol", what)
		}
	case "":
	default:
		l.addf(vn, "%s: version %q (known: 1, 2c, 3)", what, s.Version)
	}
	return s
}

type portSeen struct {
	system string
	line   int
}

func (l *loader) systems(n *yaml.Node, inv *Inventory) {
	fields := l.mapping(n, "systems", "old", "new")
	if fields == nil {
		return
	}
	l.require(n, fields, "systems", "old", "new")
	seen := map[PortRef]portSeen{}
	var newAddrNode *yaml.Node
	for _, name := range []string{"old", "new"} {
		f, ok := fields[name]
		if !ok {
			continue
		}
		what := "systems." + name
		sf := l.mapping(f.val, what, "ports", "addresses")
		if sf == nil {
			continue
		}
		var sys System
		if pf, ok := sf["ports"]; ok {
			sys.Ports = l.ports(pf.val, what, name, inv, seen)
		} else {
			l.addf(f.val, "%s: ports is missing", what)
		}
		if af, ok := sf["addresses"]; ok {
			sys.Addresses = l.addresses(af.val, what)
			if name == "new" {
				newAddrNode = af.val
			}
		} else if name == "old" {
			l.addf(f.val, "%s: addresses is missing (the addresses the cut-over moves)", what)
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
		l.addf(newAddrNode, "systems.new.addresses: must be the same addresses as systems.old (a like-for-like replacement takes over exactly the old addresses)")
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
				l.addf(fields[sys.name].val, "systems.%s: switch %s has no Shadow segment, so isolate would shut port %s down, which driver %s cannot do; define vlans.shadow", sys.name, p.Switch, p, sw.Driver)
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
		l.addf(n, "%s.ports: want a list, found %s", what, kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.addf(n, "%s.ports: the list is empty", what)
	}
	var refs []PortRef
	for _, pn := range n.Content {
		v, ok := l.scalar(pn, what+".ports")
		if !ok {
			continue
		}
		sw, port, found := strings.Cut(v, ":")
		if !found || sw == "" || port == "" {
			l.addf(pn, "%s.ports: %q is not switch:port", what, v)
			continue
		}
		ref := PortRef{sw, port}
		s, known := inv.SwitchByName(sw)
		if !known {
			l.addf(pn, "%s.ports: %q names unknown switch %q", what, v, sw)
			continue
		}
		if l.opts.Catalog != nil && l.opts.Catalog.Known(s.Driver) {
			if err := l.opts.Catalog.ValidatePort(s.Driver, port); err != nil {
				l.addf(pn, "%s.ports: switch %s: %v", what, sw, err)
				continue
			}
		}
		if prev, dup := seen[ref]; dup {
			if prev.system == system {
				l.addf(pn, "%s.ports: %s is listed twice (first at line %d)", what, ref, prev.line)
			} else {
				l.addf(pn, "%s.ports: %s is in both systems (also in systems.%s at line %d)", what, ref, prev.system, prev.line)
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
		l.addf(n, "%s.addresses: want a list, found %s", what, kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.addf(n, "%s.addresses: the list is empty", what)
	}
	out := []netip.Addr{}
	lines := map[netip.Addr]int{}
	for _, an := range n.Content {
		v, ok := l.scalar(an, what+".addresses")
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(v)
		switch {
		case err != nil:
			l.addf(an, "%s.addresses: %q is not an IP address", what, v)
			continue
		case a.Zone() != "" || a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			l.addf(an, "%s.addresses: %s cannot be a host's service address", what, v)
			continue
		}
		if why := unguardable6(a); why != "" {
			l.addf(an, "%s.addresses: %s cannot be guarded: %s", what, v, why)
			continue
		}
		a = a.Unmap()
		if first, dup := lines[a]; dup {
			l.addf(an, "%s.addresses: %s is listed twice (first at line %d)", what, a, first)
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
	fields := l.mapping(n, "guard", "trunk", "interfaces", "sources", "window", "netns")
	if fields == nil {
		return
	}
	if t, tn := l.str(fields, "trunk", "guard"); tn != nil {
		if !ifaceRE.MatchString(t) {
			l.addf(tn, "guard.trunk: %q is not an interface name", t)
		}
		inv.Guard.Trunk = t
	}
	if f, ok := fields["interfaces"]; ok {
		if inv.Guard.Trunk != "" {
			l.addf(f.key, "guard: give trunk or interfaces, not both")
		}
		inv.Guard.Interfaces = l.stringMap(f.val, "guard.interfaces", []string{Production, Migration, Shadow})
		for role, ifc := range inv.Guard.Interfaces {
			if !ifaceRE.MatchString(ifc) {
				l.addf(f.val, "guard.interfaces.%s: %q is not an interface name", role, ifc)
			}
		}
	}
	if f, ok := fields["sources"]; ok {
		inv.Guard.Sources = map[string]netip.Addr{}
		for role, v := range l.stringMap(f.val, "guard.sources", []string{Production, Migration, Shadow}) {
			a, err := netip.ParseAddr(v)
			if err != nil || a.IsUnspecified() || a.IsMulticast() {
				l.addf(f.val, "guard.sources.%s: %q is not a usable source address", role, v)
				continue
			}
			if a = a.Unmap(); !a.Is4() {
				l.addf(f.val, "guard.sources.%s: %s is IPv6; sources are IPv4 addresses for ordinary ARP requests (IPv6 probes need none: they use the link-local address of the probe's own MAC)", role, v)
				continue
			}
			for _, own := range inv.Systems.Old.Addresses {
				if own == a {
					l.addf(f.val, "guard.sources.%s: %s is a cut-over address; use an unused one", role, v)
				}
			}
			inv.Guard.Sources[role] = a
		}
	}
	if ns, nn := l.str(fields, "netns", "guard"); nn != nil {
		if !netnsRE.MatchString(ns) || ns == "." || ns == ".." {
			l.addf(nn, "guard.netns: %q is not a network namespace name (as `ip netns list` shows them)", ns)
		}
		inv.Guard.Netns = ns
	}
	if w, wn := l.str(fields, "window", "guard"); wn != nil {
		d, err := time.ParseDuration(w)
		if err != nil || d < 50*time.Millisecond || d > time.Minute {
			l.addf(wn, "guard.window: %q: want a duration from 50ms to 1m (e.g. 300ms)", w)
		} else {
			inv.Guard.Window = d
		}
	}
}
