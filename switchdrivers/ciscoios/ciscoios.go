// Package ciscoios drives Cisco IOS-XE (and classic IOS Catalyst) access
// ports over SSH with scrapligo v1 (pure Go, standard transport).
//
// Host keys are verified against a known_hosts file (option known_hosts,
// default ~/.ssh/known_hosts); only option insecure_host_key=true, given
// explicitly, turns the check off. Each Apply is one SSH session: it reads
// the ports, checks every change's From, configures in line mode
// (`interface X` / `switchport access vlan N`, which replaces the VLAN
// atomically: never two VLANs on a port), and reads back.
package ciscoios

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/transport"
	"github.com/scrapli/scrapligo/util"
)

// Name is the registry name of this driver.
const Name = "cisco_iosxe"

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: Name, Open: Open, ValidatePort: ValidatePort}
}

// abbreviations maps IOS interface types to the short form show commands print.
var abbreviations = []struct{ long, short string }{
	{"TwentyFiveGigE", "Twe"}, {"TwoGigabitEthernet", "Tw"}, {"FiveGigabitEthernet", "Fi"},
	{"TenGigabitEthernet", "Te"}, {"FortyGigabitEthernet", "Fo"}, {"HundredGigE", "Hu"},
	{"GigabitEthernet", "Gi"}, {"FastEthernet", "Fa"}, {"AppGigabitEthernet", "Ap"}, {"Ethernet", "Et"},
}

var portRE = regexp.MustCompile(`^(TwentyFiveGigE|Twe|TwoGigabitEthernet|Tw|FiveGigabitEthernet|Fi|TenGigabitEthernet|Te|FortyGigabitEthernet|Fo|HundredGigE|Hu|GigabitEthernet|Gi|FastEthernet|Fa|AppGigabitEthernet|Ap|Ethernet|Et)\d{1,3}(/\d{1,3}){0,3}$`)

// ValidatePort accepts IOS Ethernet interface names, long or short
// (GigabitEthernet1/0/1, Gi1/0/1).
func ValidatePort(name string) error {
	if !portRE.MatchString(name) {
		return fmt.Errorf("%w %q: want an IOS Ethernet interface such as GigabitEthernet1/0/1 or Gi1/0/1", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Short returns the abbreviated form of an interface name.
func Short(name string) string {
	for _, a := range abbreviations {
		if rest, ok := strings.CutPrefix(name, a.long); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return a.short + rest
		}
	}
	return name
}

// Driver is an open cisco_iosxe driver.
type Driver struct {
	name, host string
	port       int
	username   string
	password   secret.Secret
	knownHosts string
	insecure   bool
	timeout    time.Duration
	alias      map[string]string // short name -> the inventory's spelling
}

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("switch %s: %s: %s", cfg.Name, Name, fmt.Sprintf(format, a...))
	}
	d := &Driver{name: cfg.Name, port: 22, username: cfg.Username, password: cfg.Password, timeout: 30 * time.Second, alias: map[string]string{}}
	host, port, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		host = cfg.Address
	} else if d.port, err = strconv.Atoi(port); err != nil || d.port < 1 || d.port > 65535 {
		return nil, fail("address %q: bad port", cfg.Address)
	}
	if host == "" || strings.ContainsAny(host, " \t\n/@") {
		return nil, fail("address %q is not a host or host:port", cfg.Address)
	}
	d.host = host
	if d.username == "" || d.password.IsZero() {
		return nil, fail("username and password (or password_file) are required")
	}
	for k, v := range cfg.Options {
		switch k {
		case "known_hosts":
			d.knownHosts = v
		case "insecure_host_key":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fail("option insecure_host_key %q is not true or false", v)
			}
			d.insecure = b
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, fail("option timeout %q is not a positive duration", v)
			}
			d.timeout = t
		default:
			return nil, fail("unknown option %q (known: known_hosts, insecure_host_key, timeout)", k)
		}
	}
	if d.knownHosts == "" && !d.insecure {
		home, _ := os.UserHomeDir()
		d.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	for _, p := range cfg.Ports {
		d.alias[Short(p)] = p
	}
	return d, nil
}

// Close implements switchdrivers.Driver; sessions are per call.
func (d *Driver) Close() error { return nil }

func (d *Driver) errf(port, command string, err error) error {
	return &switchdrivers.Error{Switch: d.name, Port: port, Command: command, Err: err}
}

// session opens one SSH session; closing it is the caller's job. The
// session is closed early if ctx ends (scrapligo has no contexts).
func (d *Driver) session(ctx context.Context) (*network.Driver, func(), error) {
	opts := []util.Option{
		options.WithPort(d.port), options.WithAuthUsername(d.username), options.WithAuthPassword(d.password.Reveal()),
		options.WithTransportType(transport.StandardTransport), options.WithTimeoutOps(d.timeout), options.WithTimeoutSocket(d.timeout),
	}
	if d.insecure {
		opts = append(opts, options.WithAuthNoStrictKey())
	} else {
		opts = append(opts, options.WithSSHKnownHostsFile(d.knownHosts))
	}
	p, err := platform.NewPlatform("cisco_iosxe", d.host, opts...)
	if err != nil {
		return nil, nil, d.errf("", "", err)
	}
	nd, err := p.GetNetworkDriver()
	if err != nil {
		return nil, nil, d.errf("", "", err)
	}
	if err := nd.Open(); err != nil {
		return nil, nil, d.errf("", "", fmt.Errorf("ssh to %s:%d as %s: %s", d.host, d.port, d.username, scrub(err, d.password)))
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			nd.Close()
		case <-done:
		}
	}()
	return nd, func() { close(done); nd.Close() }, nil
}

// scrub removes the password from an error text, should a library ever
// include it.
func scrub(err error, pw secret.Secret) string {
	s := err.Error()
	if !pw.IsZero() {
		s = strings.ReplaceAll(s, pw.Reveal(), secret.Redacted)
	}
	return s
}

func (d *Driver) show(nd *network.Driver, command string) (string, error) {
	r, err := nd.SendCommand(command)
	if err != nil {
		return "", d.errf("", command, errors.New(scrub(err, d.password)))
	}
	if r.Failed != nil {
		return "", d.errf("", command, fmt.Errorf("%v: %s", r.Failed, strings.TrimSpace(r.Result)))
	}
	return r.Result, nil
}

// read returns the ports as the inventory names them.
func (d *Driver) read(nd *network.Driver) ([]switchdrivers.PortState, error) {
	statusText, err := d.show(nd, "show interfaces status")
	if err != nil {
		return nil, err
	}
	spText, err := d.show(nd, "show interfaces switchport")
	if err != nil {
		return nil, err
	}
	var r showparse.Result
	if err := showparse.Import("cisco_iosxe", showparse.CmdInterfacesStatus, statusText, &r); err != nil {
		return nil, d.errf("", "show interfaces status", err)
	}
	if err := showparse.Import("cisco_iosxe", showparse.CmdInterfacesSwitchport, spText, &r); err != nil {
		return nil, d.errf("", "show interfaces switchport", err)
	}
	out := make([]switchdrivers.PortState, 0, len(r.Ports))
	for _, p := range r.Ports {
		name := p.Name
		if a, ok := d.alias[name]; ok {
			name = a
		}
		st := switchdrivers.PortState{Name: name, Mode: p.Mode, Description: p.Description, Admin: "up", Oper: "down"}
		if st.Mode == switchdrivers.ModeAccess {
			st.Segment = p.VLAN
		}
		switch p.Status {
		case "connected", "monitoring":
			st.Oper = "up"
		case "disabled", "err-disabled":
			st.Admin = "down"
		}
		out = append(out, st)
	}
	return out, nil
}

// Ports reads `show interfaces status` and `show interfaces switchport`.
func (d *Driver) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	nd, closeFn, err := d.session(ctx)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	return d.read(nd)
}

func (d *Driver) validate(changes []switchdrivers.Change) error {
	for _, c := range changes {
		if err := ValidatePort(c.Port); err != nil {
			return d.errf(c.Port, "", err)
		}
		for _, seg := range []string{c.From, c.To} {
			if n, err := strconv.Atoi(seg); err != nil || n < 1 || n > 4094 || strconv.Itoa(n) != seg {
				return d.errf(c.Port, "", fmt.Errorf("segment %q is not a VLAN ID 1-4094", seg))
			}
		}
	}
	return nil
}

func configLines(changes []switchdrivers.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, "interface "+c.Port, "switchport access vlan "+c.To)
	}
	return out
}

// Render returns the configuration session Apply runs.
func (d *Driver) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := d.validate(changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return append(append([]string{"configure terminal"}, configLines(changes)...), "end"), nil
}

// Apply configures the batch in one SSH session and reads it back.
func (d *Driver) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	if err := d.validate(changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	nd, closeFn, err := d.session(ctx)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	defer closeFn()
	live, err := d.read(nd)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	if err := switchdrivers.CheckFrom(d.name, live, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	lines := configLines(changes)
	mr, err := nd.SendConfigs(lines)
	if err != nil {
		// The session failed part-way: some lines may have been applied.
		done := 0
		if mr != nil {
			done = len(mr.Responses)
		}
		port := changes[min(done/2, len(changes)-1)].Port
		return d.errf(port, "", fmt.Errorf("configuration session failed after %d of %d lines: %s", done, len(lines), scrub(err, d.password)))
	}
	for i, r := range mr.Responses {
		if r.Failed != nil {
			port := changes[min(i/2, len(changes)-1)].Port
			return d.errf(port, r.Input, fmt.Errorf("%s", strings.TrimSpace(r.Result)))
		}
	}
	after, err := d.read(nd)
	if err != nil {
		return fmt.Errorf("read-back: %w", err)
	}
	return switchdrivers.CheckReadBack(d.name, after, changes)
}

// MACTable reads `show mac address-table`.
func (d *Driver) MACTable(ctx context.Context) ([]switchdrivers.MACEntry, error) {
	nd, closeFn, err := d.session(ctx)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	text, err := d.show(nd, "show mac address-table")
	if err != nil {
		return nil, err
	}
	rows, err := showparse.IOSMACTable(text)
	if err != nil {
		return nil, d.errf("", "show mac address-table", err)
	}
	var out []switchdrivers.MACEntry
	for _, r := range rows {
		vlan, err := strconv.Atoi(r.VLANID)
		if err != nil || len(r.Ports) == 0 {
			continue // "All" (CPU) entries
		}
		port := r.Ports[0]
		if a, ok := d.alias[Short(port)]; ok {
			port = a
		}
		out = append(out, switchdrivers.MACEntry{MAC: showparse.NormaliseMAC(r.Address), VLAN: vlan, Port: port})
	}
	return out, nil
}

// Save writes the running configuration to startup (write memory).
func (d *Driver) Save(ctx context.Context) error {
	nd, closeFn, err := d.session(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	out, err := d.show(nd, "write memory")
	if err != nil {
		return err
	}
	if !strings.Contains(out, "[OK]") {
		return d.errf("", "write memory", fmt.Errorf("no [OK] in %q", strings.TrimSpace(out)))
	}
	return nil
}
