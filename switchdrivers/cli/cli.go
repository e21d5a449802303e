// Package cli is the machinery shared by cutover's SSH drivers: scrapligo
// v1 sessions (pure Go, standard transport) with host keys verified
// against known_hosts, the read–check–configure–read-back sequence of
// Apply in one session, and errors that name switch, port and command
// without ever carrying the password. A vendor is a Dialect: its port
// grammar, how to read ports, and how to configure a batch.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/transport"
	"github.com/scrapli/scrapligo/util"
)

// Session runs commands on an open CLI session.
type Session interface {
	// Show runs a command at the privileged prompt and returns its output.
	Show(command string) (string, error)
}

// Dialect describes one vendor CLI.
type Dialect struct {
	Name     string // registry name
	Platform string // scrapligo platform
	// PlatformYAML, if set, is a scrapligo platform definition for a
	// platform scrapligo v1 does not ship (it replaces Platform).
	PlatformYAML []byte
	// ValidatePort checks a port name; Short gives the spelling show
	// commands print (to match the inventory's spelling).
	ValidatePort func(string) error
	Short        func(string) string
	// ValidateSegment checks a segment before it reaches the CLI; nil
	// accepts VLAN IDs 1-4094.
	ValidateSegment func(string) error
	// NamedSegments: segments are names (mac-vrfs), not VLAN IDs.
	NamedSegments bool
	// Read returns the ports: name (as shown), mode, access VLAN, status, description.
	Read func(s Session) ([]switchdrivers.PortState, error)
	// Begin, Lines and Commit form the configuration of a batch. With
	// Transactional, nothing is applied before Commit and Abort discards.
	Begin         func(changes []switchdrivers.Change) []string
	Lines         func(changes []switchdrivers.Change) []string
	Commit        []string
	Abort         []string
	Transactional bool
	// SaveCommand and SaveOK: writing the configuration to startup.
	SaveCommand, SaveOK string
	// FailedWhen are error markers beyond scrapligo's for the platform.
	FailedWhen []string
	// Trial, if set, is the platform's commit-confirmed syntax.
	Trial *Trial
	// MACTable reads the MAC address table (optional).
	MACTable func(s Session) ([]switchdrivers.MACEntry, error)
}

// Trial is how a platform applies a batch on trial and confirms it.
type Trial struct {
	// Begin and Commit replace the dialect's for a trial of timeout.
	Begin, Commit func(changes []switchdrivers.Change, timeout time.Duration) []string
	// Confirm are the lines that make the trial permanent (a new session).
	Confirm func(changes []switchdrivers.Change) []string
}

// Registration returns the registry entry of a dialect.
func (d Dialect) Registration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: d.Name, ValidatePort: d.ValidatePort, Open: d.Open, NamedSegments: d.NamedSegments}
}

// Open opens a driver for the dialect; it is a switchdrivers.ConfirmedApplier
// when the dialect has trial syntax.
func (d Dialect) Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	drv, err := Open(d, cfg)
	if err != nil {
		return nil, err
	}
	if d.Trial != nil {
		return &TrialDriver{drv}, nil
	}
	return drv, nil
}

// TrialDriver is a Driver whose platform applies batches on trial.
type TrialDriver struct{ *Driver }

// RenderConfirmed returns the trial session and, after it, the
// confirmation sent once the step's guard has passed.
func (t *TrialDriver) RenderConfirmed(changes []switchdrivers.Change, timeout time.Duration) ([]string, error) {
	if err := t.validate(changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	tr := t.d.Trial
	out := t.scriptWith(changes, tr.Begin(changes, timeout), tr.Commit(changes, timeout))
	for _, l := range tr.Confirm(changes) {
		out = append(out, "! once the step's guard has passed, in a new session: "+l)
	}
	return out, nil
}

// ApplyConfirmed applies the batch on trial (the switch reverts it after
// timeout) and returns the function that confirms it.
func (t *TrialDriver) ApplyConfirmed(ctx context.Context, changes []switchdrivers.Change, timeout time.Duration) (func(context.Context) error, error) {
	tr := t.d.Trial
	err := t.apply(ctx, changes, tr.Begin(changes, timeout), tr.Commit(changes, timeout))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		s, closeFn, err := t.open(ctx)
		if err != nil {
			return err
		}
		defer closeFn()
		for _, line := range tr.Confirm(changes) {
			if err := s.line(line); err != nil {
				return t.errf("", line, fmt.Errorf("confirming the trial configuration: %w", err))
			}
		}
		return nil
	}, nil
}

// Driver is an open CLI driver.
type Driver struct {
	d          Dialect
	name, host string
	port       int
	username   string
	password   secret.Secret
	knownHosts string
	insecure   bool
	timeout    time.Duration
	alias      map[string]string // shown name -> the inventory's spelling
}

// Open validates cfg for dialect d. It performs no I/O.
func Open(d Dialect, cfg switchdrivers.Config) (*Driver, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("switch %s: %s: %s", cfg.Name, d.Name, fmt.Sprintf(format, a...))
	}
	drv := &Driver{d: d, name: cfg.Name, port: 22, username: cfg.Username, password: cfg.Password, timeout: 30 * time.Second, alias: map[string]string{}}
	host, port, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		host = cfg.Address
	} else if drv.port, err = strconv.Atoi(port); err != nil || drv.port < 1 || drv.port > 65535 {
		return nil, fail("address %q: bad port", cfg.Address)
	}
	if host == "" || strings.ContainsAny(host, " \t\n/@") {
		return nil, fail("address %q is not a host or host:port", cfg.Address)
	}
	drv.host = host
	if drv.username == "" || drv.password.IsZero() {
		return nil, fail("username and password (or password_file) are required")
	}
	for k, v := range cfg.Options {
		switch k {
		case "known_hosts":
			drv.knownHosts = v
		case "insecure_host_key":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fail("option insecure_host_key %q is not true or false", v)
			}
			drv.insecure = b
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, fail("option timeout %q is not a positive duration", v)
			}
			drv.timeout = t
		default:
			return nil, fail("unknown option %q (known: known_hosts, insecure_host_key, timeout)", k)
		}
	}
	if drv.knownHosts == "" && !drv.insecure {
		home, _ := os.UserHomeDir()
		drv.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	for _, p := range cfg.Ports {
		drv.alias[d.Short(p)] = p
	}
	return drv, nil
}

// Close implements switchdrivers.Driver; sessions are per call.
func (drv *Driver) Close() error { return nil }

func (drv *Driver) errf(port, command string, err error) error {
	return &switchdrivers.Error{Switch: drv.name, Port: port, Command: command, Err: err}
}

// scrub removes the password from an error text, should a library ever
// include it.
func (drv *Driver) scrub(err error) string {
	s := err.Error()
	if !drv.password.IsZero() {
		s = strings.ReplaceAll(s, drv.password.Reveal(), secret.Redacted)
	}
	return s
}

type session struct {
	drv *Driver
	nd  *network.Driver
}

func (s session) Show(command string) (string, error) {
	r, err := s.nd.SendCommand(command)
	if err != nil {
		return "", s.drv.errf("", command, s.sendError(err))
	}
	if r.Failed != nil || s.failed(r.Result) {
		return "", s.drv.errf("", command, fmt.Errorf("%s", strings.TrimSpace(r.Result)))
	}
	return r.Result, nil
}

// failed reports output carrying one of the dialect's own error markers.
func (s session) failed(out string) bool {
	for _, m := range s.drv.d.FailedWhen {
		if strings.Contains(out, m) {
			return true
		}
	}
	return false
}

// line sends one configuration line at whatever prompt the session is at.
// sendError is what a failed send reports, the password scrubbed.
func (s session) sendError(err error) error {
	msg := s.drv.scrub(err)
	if errors.Is(err, util.ErrConnectionError) { // scrapligo's text is just "errConnectionError"
		msg = "the SSH session was lost (" + msg + ")"
	}
	return errors.New(msg)
}

func (s session) line(command string) error {
	r, err := s.nd.Driver.SendCommand(command)
	if err != nil {
		return s.sendError(err)
	}
	if r.Failed != nil || s.failed(r.Result) {
		return &refusedError{strings.TrimSpace(r.Result)}
	}
	return nil
}

// refusedError is a line the device answered with an error: it was
// received and refused (unlike a lost session, where nobody knows).
type refusedError struct{ output string }

func (e *refusedError) Error() string { return e.output }

// open opens one SSH session, closed early if ctx ends (scrapligo has no
// contexts).
func (drv *Driver) open(ctx context.Context) (session, func(), error) {
	opts := []util.Option{
		options.WithPort(drv.port), options.WithAuthUsername(drv.username), options.WithAuthPassword(drv.password.Reveal()),
		options.WithTransportType(transport.StandardTransport), options.WithTimeoutOps(drv.timeout), options.WithTimeoutSocket(drv.timeout),
	}
	if drv.insecure {
		// Only with the inventory's explicit, documented insecure_host_key: "true".
		opts = append(opts, options.WithAuthNoStrictKey())
	} else {
		opts = append(opts, options.WithSSHKnownHostsFile(drv.knownHosts))
	}
	var def any = drv.d.Platform
	if drv.d.PlatformYAML != nil {
		def = drv.d.PlatformYAML
	}
	p, err := platform.NewPlatform(def, drv.host, opts...)
	if err != nil {
		return session{}, nil, drv.errf("", "", err)
	}
	nd, err := p.GetNetworkDriver()
	if err != nil {
		return session{}, nil, drv.errf("", "", err)
	}
	if err := nd.Open(); err != nil {
		return session{}, nil, drv.errf("", "", fmt.Errorf("ssh to %s:%d as %s: %s", drv.host, drv.port, drv.username, drv.scrub(err)))
	}
	stop := context.AfterFunc(ctx, func() { nd.Close() })
	return session{drv, nd}, func() { stop(); nd.Close() }, nil
}

// read returns the ports as the inventory — or the batch in hand — spells
// them (long or short interface names).
func (drv *Driver) read(s session, batch []switchdrivers.Change) ([]switchdrivers.PortState, error) {
	ports, err := drv.d.Read(s)
	if err != nil {
		return nil, err
	}
	spelling := func(shown string) string {
		short := drv.d.Short(shown)
		for _, c := range batch {
			if drv.d.Short(c.Port) == short {
				return c.Port
			}
		}
		if a, ok := drv.alias[short]; ok {
			return a
		}
		return shown
	}
	for i := range ports {
		ports[i].Name = spelling(ports[i].Name)
	}
	return ports, nil
}

// Ports reads the ports in one session.
func (drv *Driver) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	return drv.read(s, nil)
}

func (drv *Driver) validate(changes []switchdrivers.Change) error {
	for _, c := range changes {
		if err := drv.d.ValidatePort(c.Port); err != nil {
			return drv.errf(c.Port, "", err)
		}
		for _, seg := range []string{c.From, c.To} {
			if drv.d.ValidateSegment != nil {
				if err := drv.d.ValidateSegment(seg); err != nil {
					return drv.errf(c.Port, "", err)
				}
			} else if n, err := strconv.Atoi(seg); err != nil || n < 1 || n > 4094 || strconv.Itoa(n) != seg {
				return drv.errf(c.Port, "", fmt.Errorf("segment %q is not a VLAN ID 1-4094", seg))
			}
		}
	}
	return nil
}

// Render returns the configuration session Apply runs.
func (drv *Driver) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := drv.validate(changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return drv.script(changes), nil
}

func (drv *Driver) script(changes []switchdrivers.Change) []string {
	return drv.scriptWith(changes, drv.d.Begin(changes), drv.d.Commit)
}

func (drv *Driver) scriptWith(changes []switchdrivers.Change, begin, commit []string) []string {
	out := append([]string{}, begin...)
	out = append(out, drv.d.Lines(changes)...)
	return append(out, commit...)
}

// Apply configures the batch in one SSH session and reads it back.
func (drv *Driver) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	return drv.apply(ctx, changes, drv.d.Begin(changes), drv.d.Commit)
}

func (drv *Driver) apply(ctx context.Context, changes []switchdrivers.Change, begin, commit []string) error {
	if err := drv.validate(changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	defer closeFn()
	live, err := drv.read(s, changes)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	if err := switchdrivers.CheckFrom(drv.name, live, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	script := drv.scriptWith(changes, begin, commit)
	body := len(begin) + len(drv.d.Lines(changes))
	perPort := max(1, len(drv.d.Lines(changes))/len(changes))
	for i, line := range script {
		if err := s.line(line); err != nil {
			port := changes[min(max(0, i-len(begin))/perPort, len(changes)-1)].Port
			e := drv.errf(port, line, err)
			var refused *refusedError
			if drv.d.Transactional && (i < body || i == body && errors.As(err, &refused)) {
				// Nothing is applied before the commit, nor by a commit
				// the device refused (its first line; what follows a
				// commit has committed already): discard and say so.
				for _, a := range drv.d.Abort {
					s.line(a)
				}
				return switchdrivers.Untouched(e)
			}
			return e
		}
	}
	after, err := drv.read(s, changes)
	if err != nil {
		return fmt.Errorf("read-back: %w", err)
	}
	return switchdrivers.CheckReadBack(drv.name, after, changes)
}

// MACTable reads the MAC address table, if the dialect can.
func (drv *Driver) MACTable(ctx context.Context) ([]switchdrivers.MACEntry, error) {
	if drv.d.MACTable == nil {
		return nil, drv.errf("", "", errors.New("no MAC table support"))
	}
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	entries, err := drv.d.MACTable(s)
	for i := range entries {
		if a, ok := drv.alias[drv.d.Short(entries[i].Port)]; ok {
			entries[i].Port = a
		}
	}
	return entries, err
}

// Save writes the running configuration to startup. Platforms whose
// commits are persistent (Junos, SR Linux with save on commit) have no
// save command: there is nothing to do.
func (drv *Driver) Save(ctx context.Context) error {
	if drv.d.SaveCommand == "" {
		return nil
	}
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	out, err := s.Show(drv.d.SaveCommand)
	if err != nil {
		return err
	}
	if !strings.Contains(out, drv.d.SaveOK) {
		return drv.errf("", drv.d.SaveCommand, fmt.Errorf("no %s in %q", drv.d.SaveOK, strings.TrimSpace(out)))
	}
	return nil
}
