package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
)

// catalog is a small plan.Catalog: driver "ovs" with Linux interface names,
// driver "downable" that can shut ports down.
type catalog struct{}

var portRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_. /-]{0,30}$`)

func (catalog) Known(d string) bool { return d == "ovs" || d == "downable" || d == "named" }
func (catalog) Names() []string     { return []string{"downable", "named", "ovs"} }
func (catalog) ValidatePort(d, p string) error {
	if !portRE.MatchString(p) {
		return fmt.Errorf("invalid port name %q", p)
	}
	return nil
}
func (catalog) CanAdminDown(d string) bool  { return d == "downable" || d == "named" }
func (catalog) NamedSegments(d string) bool { return d == "named" }

const good = `version: 1
name: mxone-upgrade
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - name: sw1
    driver: ovs
    address: 10.0.0.11
    username: admin
    password: ${SW1_PASSWORD}
  - name: sw2
    driver: ovs
    address: 10.0.0.12:22
    password_file: sw2.pw
systems:
  old: {ports: ["sw1:Gi1/0/1", "sw1:Gi1/0/2"], addresses: [192.168.66.30, 192.168.66.31]}
  new: {ports: ["sw2:Gi1/0/1", "sw2:Gi1/0/2"]}
park: migration
guard:
  trunk: eth1
`

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func parseGood(t *testing.T, text string) (*Inventory, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sw2.pw"), []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Parse(filepath.Join(dir, "inv.yml"), []byte(text), LoadOptions{Catalog: catalog{}, LookupEnv: env(map[string]string{"SW1_PASSWORD": "env-secret"})})
}

func TestParseGood(t *testing.T) {
	inv, err := parseGood(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Switches[0].Password.Reveal() != "env-secret" || inv.Switches[1].Password.Reveal() != "file-secret" {
		t.Fatalf("secrets not resolved: %q %q", inv.Switches[0].Password.Reveal(), inv.Switches[1].Password.Reveal())
	}
	if len(inv.Systems.New.Addresses) != 2 || inv.Systems.New.Addresses[1].String() != "192.168.66.31" {
		t.Fatalf("new addresses should default to old's: %v", inv.Systems.New.Addresses)
	}
	if got := inv.Segment("sw1", Shadow); got != "266" {
		t.Fatalf("shadow segment = %q", got)
	}
	if inv.Systems.Old.Ports[1] != (PortRef{"sw1", "Gi1/0/2"}) {
		t.Fatalf("ports: %v", inv.Systems.Old.Ports)
	}
}

// TestParseBad covers every invalid-inventory case: the edit applied to
// the good inventory, then the line and a fragment the problem must carry.
func TestParseBad(t *testing.T) {
	cases := []struct {
		name      string
		from, to  string
		line      int
		fragments []string
	}{
		{"unknown top-level key", "park: migration", "park: migration\nparking: shadow", 18, []string{`unknown key "parking"`}},
		{"unknown switch key", "    username: admin", "    usernme: admin", 8, []string{`unknown key "usernme"`}},
		{"unknown driver", "driver: ovs\n    address: 10.0.0.11", "driver: cisco_ios_xyz\n    address: 10.0.0.11", 6, []string{`unknown driver "cisco_ios_xyz"`, "known: downable, named, ovs"}},
		{"unknown switch in port", `"sw2:Gi1/0/1", "sw2`, `"sw9:Gi1/0/1", "sw2`, 16, []string{`unknown switch "sw9"`}},
		{"duplicate switch", "  - name: sw2", "  - name: sw1", 10, []string{`duplicate switch name "sw1" (first at line 5)`}},
		{"port listed twice", `"sw1:Gi1/0/2"]`, `"sw1:Gi1/0/1"]`, 15, []string{"sw1:Gi1/0/1 is listed twice"}},
		{"port in both systems", `"sw2:Gi1/0/1", "sw2`, `"sw1:Gi1/0/1", "sw2`, 16, []string{"in both systems"}},
		{"malformed port", `"sw1:Gi1/0/2"]`, `"sw1-Gi1/0/2"]`, 15, []string{`"sw1-Gi1/0/2" is not switch:port`}},
		{"empty port", `"sw1:Gi1/0/2"]`, `"sw1:"]`, 15, []string{"is not switch:port"}},
		{"bad port grammar", `"sw1:Gi1/0/2"]`, `"sw1:Gi1/0/2;reload"]`, 15, []string{"invalid port name"}},
		{"port with newline", `"sw1:Gi1/0/2"]`, `"sw1:Gi1/0/2\nreload"]`, 15, []string{"invalid port name"}},
		{"vlan out of range", "production: 66,", "production: 4095,", 3, []string{`VLAN ID "4095" is outside 1-4094`}},
		{"vlan zero", "production: 66,", "production: 0,", 3, []string{"outside 1-4094"}},
		{"vlan not a number", "production: 66,", "production: sixty,", 3, []string{"outside 1-4094"}},
		{"roles share a vlan", "shadow: 266", "shadow: 166", 3, []string{"VLAN 166 is already the migration VLAN"}},
		{"missing migration vlan", "migration: 166, ", "", 3, []string{"vlans: migration is missing"}},
		{"bad address", "192.168.66.31]", "192.168.66.310]", 15, []string{`"192.168.66.310" is not an IP address`}},
		{"duplicate address", "192.168.66.31]", "192.168.66.30]", 15, []string{"192.168.66.30 is listed twice"}},
		{"multicast address", "192.168.66.31]", "224.0.0.1]", 15, []string{"cannot be a host's service address"}},
		{"missing addresses", `, addresses: [192.168.66.30, 192.168.66.31]}`, `}`, 15, []string{"addresses is missing"}},
		{"IPv6 link-local", "192.168.66.31]", "fe80::31]", 15, []string{"cannot be a host's service address"}},
		{"IPv6 with a zone", "192.168.66.31]", "\"fd66::31%eth1\"]", 15, []string{"cannot be a host's service address"}},
		{"IPv6 multicast", "192.168.66.31]", "ff02::1:ff00:31]", 15, []string{"cannot be a host's service address"}},
		{"IPv6 subnet-router anycast", "192.168.66.31]", "2001:db8:66::]", 15, []string{"2001:db8:66:: cannot be guarded", "Subnet-Router anycast"}},
		{"IPv6 reserved anycast", "192.168.66.31]", "2001:db8:66::fdff:ffff:ffff:ff90]", 15, []string{"cannot be guarded", "RFC 2526"}},
		{"IPv4-compatible IPv6", "192.168.66.31]", "\"::192.168.66.31\"]", 15, []string{"cannot be guarded", "IPv4-compatible"}},
		{"NAT64", "192.168.66.31]", "64:ff9b::c0a8:421f]", 15, []string{"cannot be guarded", "NAT64"}},
		{"local-use NAT64", "192.168.66.31]", "64:ff9b:1::c0a8:421f]", 15, []string{"cannot be guarded", "NAT64"}},
		{"Teredo", "192.168.66.31]", "2001:0:4136:e378:8000:63bf:3fff:fdd2]", 15, []string{"cannot be guarded", "Teredo"}},
		{"discard prefix", "192.168.66.31]", "100::31]", 15, []string{"cannot be guarded", "discard-only"}},
		{"ORCHIDv2", "192.168.66.31]", "2001:20::31]", 15, []string{"cannot be guarded", "ORCHIDv2"}},
		{"duplicate IPv6 address, written two ways", "192.168.66.30, 192.168.66.31]", "fd66::30, \"fd66:0::30\", 192.168.66.31]", 15, []string{"fd66::30 is listed twice"}},
		{"IPv6 guard source", "  trunk: eth1", "  trunk: eth1\n  sources: {production: \"fd66::250\"}", 20, []string{"guard.sources.production: fd66::250 is IPv6"}},
		{"new addresses differ", `"sw2:Gi1/0/2"]}`, `"sw2:Gi1/0/2"], addresses: [192.168.66.30]}`, 16, []string{"same addresses as systems.old"}},
		{"unset env var", "${SW1_PASSWORD}", "${NOPE_PASSWORD}", 9, []string{"environment variable NOPE_PASSWORD is not set"}},
		{"missing password file", "password_file: sw2.pw", "password_file: missing.pw", 13, []string{"password_file", "missing.pw"}},
		{"password and file", "    username: admin", "    username: admin\n    password_file: sw2.pw", 9, []string{"not both"}},
		{"missing address", "    address: 10.0.0.12:22\n", "", 10, []string{"address is missing"}},
		{"bad version", "version: 1", "version: 2", 1, []string{`version: "2" is not supported`}},
		{"bad park", "park: migration", "park: attic", 17, []string{`"attic" is not a park role`}},
		{"no shadow and no admin-down", ", shadow: 266}", "}", 15, []string{"driver ovs cannot do", "define vlans.shadow"}},
		{"guard trunk and interfaces", "  trunk: eth1", "  trunk: eth1\n  interfaces: {production: eth2}", 20, []string{"not both"}},
		{"bad guard interface", "  trunk: eth1", "  trunk: \"eth1 x\"", 19, []string{"not an interface name"}},
		{"bad guard netns", "  trunk: eth1", "  trunk: eth1\n  netns: ../etc", 20, []string{"guard.netns: \"../etc\" is not a network namespace name"}},
		{"yaml syntax", "vlans: {production", "vlans: [production", 3, []string{"did not find expected"}},
		{"switch is a list", "  - name: sw2\n    driver: ovs\n    address: 10.0.0.12:22\n    password_file: sw2.pw\n", "  - [sw2]\n", 10, []string{"want a mapping"}},
		{"yaml tab", "    username: admin", "\tusername: admin", 8, []string{"YAML syntax"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(good, c.from, c.to, 1)
			if text == good && c.from != c.to {
				t.Fatalf("edit %q did not apply", c.from)
			}
			_, err := parseGood(t, text)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			found := false
			for _, p := range ve.Problems {
				msg := p.String()
				ok := p.Line == c.line && strings.Contains(msg, "inv.yml:")
				for _, f := range c.fragments {
					ok = ok && strings.Contains(msg, f)
				}
				found = found || ok
			}
			if !found {
				t.Fatalf("no problem at line %d containing %q; got:\n%v", c.line, c.fragments, err)
			}
		})
	}
}

// TestDualStackAddresses: IPv4 and IPv6 service addresses of one system,
// every one of them probe-able, are accepted as written; an IPv4-mapped
// IPv6 address is its IPv4 address.
func TestDualStackAddresses(t *testing.T) {
	inv, err := parseGood(t, strings.Replace(good, "192.168.66.31]", "192.168.66.31, fd66::30, 2001:db8:66::31, \"::ffff:192.168.66.32\"]", 1))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range inv.Systems.Old.Addresses {
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != "192.168.66.30 192.168.66.31 fd66::30 2001:db8:66::31 192.168.66.32" || len(inv.Systems.New.Addresses) != 5 {
		t.Fatalf("addresses %v, new %v", got, inv.Systems.New.Addresses)
	}
}

func TestParseReportsAllProblemsAtOnce(t *testing.T) {
	text := strings.NewReplacer("production: 66", "production: 5000", "driver: ovs\n    address: 10.0.0.12", "driver: nope\n    address: 10.0.0.12",
		"192.168.66.31]", "192.168.66.310]", "${SW1_PASSWORD}", "${UNSET_X}").Replace(good)
	_, err := parseGood(t, text)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	lines := []int{}
	for _, p := range ve.Problems {
		lines = append(lines, p.Line)
	}
	if fmt.Sprint(lines) != "[3 9 11 15]" {
		t.Fatalf("problem lines %v; %v", lines, err)
	}
}

func TestParkShadowNeedsShadowVLAN(t *testing.T) {
	text := strings.NewReplacer(", shadow: 266}", "}", "park: migration", "park: shadow").Replace(good)
	_, err := Parse("inv.yml", []byte(text), LoadOptions{Catalog: catalog{}, LookupEnv: env(map[string]string{"SW1_PASSWORD": "x"})})
	if err == nil || !strings.Contains(err.Error(), "inv.yml:17:7: park: shadow needs vlans.shadow") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvDefaultsAndDollarEscape(t *testing.T) {
	text := strings.Replace(good, "address: 10.0.0.11", "address: ${SW1_ADDR:-10.9.9.9}", 1)
	text = strings.Replace(text, "${SW1_PASSWORD}", "pa$$word", 1)
	inv, err := parseGood(t, text)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Switches[0].Address != "10.9.9.9" || inv.Switches[0].Password.Reveal() != "pa$word" {
		t.Fatalf("got %q %q", inv.Switches[0].Address, inv.Switches[0].Password.Reveal())
	}
}

func TestSecretsNeverInProblems(t *testing.T) {
	// A bad value next to a secret: the problem must not quote the secret.
	text := strings.Replace(good, "    username: admin", "    username: admin\n    bogus: 1", 1)
	_, err := parseGood(t, text)
	if err == nil || strings.Contains(err.Error(), "env-secret") || strings.Contains(err.Error(), "file-secret") {
		t.Fatalf("err = %v", err)
	}
	inv, err := parseGood(t, good)
	if err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("%+v %v", inv, inv.Switches)
	if strings.Contains(s, "env-secret") || strings.Contains(s, "file-secret") || !strings.Contains(s, secret.Redacted) {
		t.Fatalf("secret printed: %s", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("version: 1\nvlans: {production: 1, migration: 2}\nswitches: []\nsystems: {old: {ports: [a:b]}, new: {ports: []}}"))
	f.Add([]byte("a: &x [*x]"))
	f.Add([]byte("version: ${X:-1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse("fuzz.yml", data, LoadOptions{Catalog: catalog{}, LookupEnv: env(nil)})
		if err == nil {
			// A valid inventory must compile and its plan must be consistent.
			p, cerr := Compile(inv)
			if cerr != nil {
				t.Fatalf("valid inventory does not compile: %v", cerr)
			}
			if p.Moves() == 0 {
				t.Fatalf("valid inventory compiled to no moves")
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error is not a ValidationError with problems: %v", err)
		}
	})
}
