// Package switchdrivers defines how cutover talks to anything that can move a
// port between segments: the small Driver interface every backend implements,
// the optional capabilities a backend may add, and the Registry through which
// backends are found by name.
//
// The shape follows database/sql/driver: Open validates its arguments and
// performs no I/O; every I/O method takes a context; capabilities beyond the
// required interface are discovered by interface assertion.
//
// A segment is what a VLAN role means on a backend: a decimal VLAN ID on a
// switch, a portgroup name in vSphere, a mac-vrf on SR Linux.
//
// Rules every driver keeps (checked by package drivertest):
//   - Apply uses one configuration session or transaction per call;
//   - a port is never in two segments, not even for a moment (remove before add);
//   - Apply reads back and returns an error on any mismatch;
//   - port names are validated before anything reaches the device;
//   - a change whose From does not match the live state is refused, untouched.
package switchdrivers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
)

// Port modes reported by Ports.
const (
	ModeAccess = "access"
	ModeTrunk  = "trunk"
	ModeRouted = "routed"
)

// PortState is one port as read live from a switch.
type PortState struct {
	Name        string `json:"name"`
	IfIndex     int    `json:"ifindex,omitempty"` // SNMP drivers
	Mode        string `json:"mode"`              // access, trunk or routed
	Segment     string `json:"segment,omitempty"` // access VLAN / portgroup; empty for trunks
	Admin       string `json:"admin"`             // up or down
	Oper        string `json:"oper"`              // up or down
	Description string `json:"description,omitempty"`
}

// Change moves one access port from one segment to another.
type Change struct {
	Port string `json:"port"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Driver is a connection to one switch (or one vCenter, one SNMP agent).
type Driver interface {
	// Ports reads every port's live state.
	Ports(ctx context.Context) ([]PortState, error)
	// Render returns the exact commands or requests Apply would send for
	// changes, without any I/O. It validates port names and segments.
	Render(changes []Change) ([]string, error)
	// Apply performs changes in one session, remove-before-add, and reads
	// them back. It refuses the whole batch, untouched, if any change's From
	// does not match the live state. Errors raised before anything reached
	// the device are wrapped with Untouched.
	Apply(ctx context.Context, changes []Change) error
	// Close releases the session, if any.
	Close() error
}

// ConfirmedApplier is implemented by drivers whose devices can apply a
// batch on trial: the device reverts it by itself unless confirm is called
// within timeout (Junos commit confirmed, EOS commit timer, IOS-XE revert
// timer). If cutover dies between the two, the switch goes back alone.
type ConfirmedApplier interface {
	ApplyConfirmed(ctx context.Context, changes []Change, timeout time.Duration) (confirm func(context.Context) error, err error)
	// RenderConfirmed is Render for a trial: the batch, then the confirmation.
	RenderConfirmed(changes []Change, timeout time.Duration) ([]string, error)
}

// PendingTrial is a trial (commit-confirmed) pending on a switch: the
// switch reverts it by itself unless it is confirmed.
type PendingTrial struct {
	// ID is the device's handle of the trial where it has one (the EOS
	// configuration session, the SR Linux commit id, the Junos commit
	// time); ConfirmTrial and CancelTrial act only on the trial with this ID.
	ID string `json:"id,omitempty"`
	// User started the trial, where the device says.
	User string `json:"user,omitempty"`
	// RevertIn is the time left before the switch reverts, as the switch's
	// own clock counts it; 0 when the device does not say.
	RevertIn time.Duration `json:"revert_in,omitempty"`
	// Detail is what the device printed about the trial.
	Detail string `json:"detail,omitempty"`
}

// String describes the trial as the device does.
func (p PendingTrial) String() string {
	s := "trial"
	if p.ID != "" {
		s += " " + p.ID
	}
	if p.User != "" {
		s += " by " + p.User
	}
	if p.RevertIn > 0 {
		s += ", reverts in " + p.RevertIn.String()
	}
	return s
}

// ErrNoPendingTrial is wrapped when a trial was expected on a switch and
// none is pending (already confirmed, cancelled or reverted).
var ErrNoPendingTrial = errors.New("no trial is pending")

// ErrTrialUnavailable is wrapped, with Untouched, when a switch cannot
// take a trial at all (IOS-XE without its configuration archive): the
// engine then sends the batch without a trial and says so, unless trials
// are required.
var ErrTrialUnavailable = errors.New("the switch cannot apply a batch on trial")

// TrialRecoverer is implemented by drivers whose devices can, from a new
// session, tell whether a trial is pending and confirm or cancel it. A
// recovery uses it to take over the trials of a run that died instead of
// waiting for the switches to revert them.
type TrialRecoverer interface {
	// PendingTrial reads the trial pending on the switch; nil if none.
	PendingTrial(ctx context.Context) (*PendingTrial, error)
	// ConfirmTrial makes the pending trial p permanent and checks that it
	// is no longer pending. It fails (wrapping ErrNoPendingTrial) if p is
	// not pending any more.
	ConfirmTrial(ctx context.Context, p PendingTrial) error
	// CancelTrial reverts the pending trial p now, as its timer would
	// (the switch's configuration from before the trial), and checks that
	// it is no longer pending. It fails like ConfirmTrial.
	CancelTrial(ctx context.Context, p PendingTrial) error
}

// Saver is implemented by drivers whose devices keep a running and a
// startup configuration.
type Saver interface {
	Save(ctx context.Context) error
}

// Config is what a driver is opened with. Open must not perform I/O.
type Config struct {
	Name     string // the switch's name in the inventory, used in errors
	Address  string
	Username string
	Password secret.Secret
	Options  map[string]string
	// Ports are the ports the inventory names on this switch. Drivers for
	// large backends (vSphere) may limit reads to them.
	Ports []string
	// SNMP are the switch's SNMP credentials, if the inventory gives them.
	SNMP *SNMP
}

// SNMP are SNMP credentials (the inventory's `snmp:` section).
type SNMP struct {
	Version      string // 1, 2c or 3
	Community    secret.Secret
	Username     string
	AuthProtocol string // MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
	AuthPassword secret.Secret
	PrivProtocol string // DES, AES, AES-192, AES-256
	PrivPassword secret.Secret
}

// Registration describes one backend.
type Registration struct {
	// Name is the inventory's `driver:` value.
	Name string
	// Open validates cfg and returns a Driver. It must not perform I/O.
	Open func(cfg Config) (Driver, error)
	// ValidatePort checks a port name against the backend's grammar.
	ValidatePort func(name string) error
	// AdminDown reports whether the backend can isolate a port by shutting
	// it down (needed when the inventory has no Shadow VLAN). Such drivers
	// take the empty segment as "shut/disconnected".
	AdminDown bool
	// NamedSegments reports that segments are names (portgroups, mac-vrfs),
	// not VLAN IDs: every role used needs a `segments:` entry.
	NamedSegments bool
}

// Registry maps driver names to registrations. Build one with NewRegistry
// and Register; it is not safe to Register concurrently with lookups.
type Registry struct {
	regs map[string]Registration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{regs: map[string]Registration{}} }

// Register adds r. It panics on a duplicate or incomplete registration,
// which is a programming error.
func (r *Registry) Register(reg Registration) {
	if reg.Name == "" || reg.Open == nil || reg.ValidatePort == nil {
		panic("switchdrivers: incomplete registration " + reg.Name)
	}
	if _, dup := r.regs[reg.Name]; dup {
		panic("switchdrivers: duplicate registration " + reg.Name)
	}
	r.regs[reg.Name] = reg
}

// Lookup returns the registration called name.
func (r *Registry) Lookup(name string) (Registration, bool) {
	reg, ok := r.regs[name]
	return reg, ok
}

// Names lists the registered drivers, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.regs))
	for n := range r.regs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Open opens a driver by name.
func (r *Registry) Open(driver string, cfg Config) (Driver, error) {
	reg, ok := r.regs[driver]
	if !ok {
		return nil, fmt.Errorf("switch %s: unknown driver %q", cfg.Name, driver)
	}
	return reg.Open(cfg)
}

// ErrBadPortName is wrapped by every port-name validation error.
var ErrBadPortName = errors.New("invalid port name")

// ErrStale is wrapped when a change's From does not match the live state.
var ErrStale = errors.New("port is not in the expected segment")

// UntouchedError marks an Apply failure that happened before any change
// reached the device (validation, the pre-read, a refused transaction).
// The engine does not try to undo such a batch. Drivers must use it only
// when they are certain: when in doubt, return a plain error.
type UntouchedError struct{ Err error }

func (e *UntouchedError) Error() string { return e.Err.Error() + " (nothing was changed)" }
func (e *UntouchedError) Unwrap() error { return e.Err }

// Untouched wraps err as an UntouchedError (nil stays nil).
func Untouched(err error) error {
	if err == nil {
		return nil
	}
	return &UntouchedError{Err: err}
}

// IsUntouched reports whether err says that nothing was changed.
func IsUntouched(err error) bool {
	var u *UntouchedError
	return errors.As(err, &u)
}

// Error is the error type drivers return for a failure concerning one switch
// and, where known, one port and one command.
type Error struct {
	Switch  string
	Port    string
	Command string
	Err     error
}

func (e *Error) Error() string {
	s := "switch " + e.Switch
	if e.Port != "" {
		s += " port " + e.Port
	}
	if e.Command != "" {
		s += fmt.Sprintf(" (command %q)", e.Command)
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// CheckFrom verifies each change against live state and returns the first
// mismatch as an *Error wrapping ErrStale (or a not-found error). Drivers
// call it before opening a configuration session.
func CheckFrom(sw string, live []PortState, changes []Change) error {
	byName := make(map[string]PortState, len(live))
	for _, p := range live {
		byName[p.Name] = p
	}
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.Port] {
			return &Error{Switch: sw, Port: c.Port, Err: errors.New("port appears twice in one batch")}
		}
		seen[c.Port] = true
		p, ok := byName[c.Port]
		if !ok {
			return &Error{Switch: sw, Port: c.Port, Err: errors.New("no such port")}
		}
		if p.Mode != ModeAccess {
			return &Error{Switch: sw, Port: c.Port, Err: fmt.Errorf("port is in %s mode; cutover moves access ports only", p.Mode)}
		}
		if p.Segment != c.From {
			return &Error{Switch: sw, Port: c.Port, Err: fmt.Errorf("%w: expected %s, found %s", ErrStale, c.From, p.Segment)}
		}
	}
	return nil
}

// CheckReadBack verifies that every change has landed.
func CheckReadBack(sw string, live []PortState, changes []Change) error {
	byName := make(map[string]PortState, len(live))
	for _, p := range live {
		byName[p.Name] = p
	}
	var errs []error
	for _, c := range changes {
		p, ok := byName[c.Port]
		switch {
		case !ok:
			errs = append(errs, &Error{Switch: sw, Port: c.Port, Err: errors.New("read-back: port vanished")})
		case p.Segment != c.To:
			errs = append(errs, &Error{Switch: sw, Port: c.Port, Err: fmt.Errorf("read-back: segment is %q, want %q", p.Segment, c.To)})
		}
	}
	return errors.Join(errs...)
}

// Known reports whether a driver is registered (plan.Catalog).
func (r *Registry) Known(driver string) bool { _, ok := r.regs[driver]; return ok }

// ValidatePort checks a port name with the driver's grammar (plan.Catalog).
func (r *Registry) ValidatePort(driver, port string) error {
	reg, ok := r.regs[driver]
	if !ok {
		return fmt.Errorf("unknown driver %q", driver)
	}
	return reg.ValidatePort(port)
}

// CanAdminDown reports whether the driver can shut ports down (plan.Catalog).
func (r *Registry) CanAdminDown(driver string) bool { return r.regs[driver].AdminDown }

// NamedSegments reports whether the driver's segments are names (plan.Catalog).
func (r *Registry) NamedSegments(driver string) bool { return r.regs[driver].NamedSegments }

// MACEntry is one learned MAC address.
type MACEntry struct {
	MAC  string `json:"mac"` // aa:bb:cc:dd:ee:ff
	VLAN int    `json:"vlan"`
	Port string `json:"port"`
}

// MACTabler is implemented by drivers that can read the switch's MAC
// address table; the guard uses it to name the port behind a MAC. A row
// the driver cannot read does not cost the others: MACTable returns every
// entry it read, and an *UnreadableRowsError naming the rows it could
// not (the entries are good; a caller may use them).
type MACTabler interface {
	MACTable(ctx context.Context) ([]MACEntry, error)
}

// UnreadableRow is a line of a switch's output that a driver could not
// read. Drivers go past such a row (see PortRead) and say so: a row is
// never dropped without one.
type UnreadableRow struct {
	Command string `json:"command"`        // the command whose output it is
	Line    int    `json:"line,omitempty"` // 1-based, in that output (0: a value, not a line: SNMP)
	Text    string `json:"text"`           // the line as the terminal showed it
	Reason  string `json:"reason"`         // why it could not be read
	// Ports are ports the row may be, besides those its text names: the
	// ports this command's output lacks although another command of the
	// same read printed them (a port whose own line was garbled), the
	// port whose block or continuation lines it is among.
	Ports []string `json:"ports,omitempty"`
	// PortsOnly: the row's text is no line of a table but a value (an
	// SNMP varbind: an OID and what the agent sent), whose words are not
	// port names; the row concerns its Ports alone.
	PortsOnly bool `json:"-"`
}

// String says where the row is, what it says and why it could not be
// read. A row with no line (an SNMP value) is named by its command and
// text alone.
func (u UnreadableRow) String() string {
	if u.Line == 0 {
		return fmt.Sprintf("%s: %q: %s", u.Command, u.Text, u.Reason)
	}
	return fmt.Sprintf("line %d of %q: %q: %s", u.Line, u.Command, u.Text, u.Reason)
}

// Warning is the row as a warning about switch sw: where it is, what it
// says, why it could not be read and the ports it may be besides those
// its text names.
func (u UnreadableRow) Warning(sw string) string {
	s := "switch " + sw + ": " + u.String()
	if len(u.Ports) > 0 {
		s += " (it may be " + strings.Join(u.Ports, ", ") + ")"
	}
	return s
}

// Concerns says whether the row may be port's: a word of its text is the
// port (same tells spellings apart: GigabitEthernet1/0/2 and Gi1/0/2 are
// one port), or the port is one of its Ports.
func (u UnreadableRow) Concerns(port string, same func(a, b string) bool) bool {
	for _, p := range u.Ports {
		if same(p, port) {
			return true
		}
	}
	if u.PortsOnly {
		return false
	}
	for _, w := range strings.FieldsFunc(u.Text, func(r rune) bool { return strings.ContainsRune(" \t,;()[]\"'", r) }) {
		if same(strings.TrimRight(w, ":."), port) {
			return true
		}
	}
	return false
}

// PortRead is a read of a switch's ports that went past the rows it
// could not read.
type PortRead struct {
	Ports      []PortState     `json:"ports"`
	Unreadable []UnreadableRow `json:"unreadable,omitempty"`
}

// Check is nil when every port of ports can be trusted: none of the rows
// that could not be read concerns it, and it was read (a port that was
// not read while rows were not may be one of them). Otherwise it is an
// *Error naming the switch and the first port that cannot, wrapping an
// *UnreadablePortError that names the rows.
// A driver calls it with the ports of the plan in Ports, and with the
// ports of a batch before Apply touches anything and at its read-back.
func (r PortRead) Check(sw string, ports []string, same func(a, b string) bool) error {
	if len(r.Unreadable) == 0 {
		return nil
	}
	for _, port := range ports {
		var rows []UnreadableRow
		for _, u := range r.Unreadable {
			if u.Concerns(port, same) {
				rows = append(rows, u)
			}
		}
		if len(rows) > 0 {
			return &Error{Switch: sw, Port: port, Err: &UnreadablePortError{Switch: sw, Port: port, Rows: rows}}
		}
		if !slices.ContainsFunc(r.Ports, func(p PortState) bool { return same(p.Name, port) }) {
			// The port is nowhere: it may be any of them.
			return &Error{Switch: sw, Port: port, Err: &UnreadablePortError{Switch: sw, Port: port, Rows: r.Unreadable, Unread: true}}
		}
	}
	return nil
}

// UnreadablePortError says a port a driver must read (a port of the
// plan, or one it is about to move) may be in a row it could not read.
type UnreadablePortError struct {
	Switch string
	Port   string
	Rows   []UnreadableRow
	// Unread: the port was not read at all (the rows are every row that
	// could not be read); otherwise the rows name it.
	Unread bool
}

// Error says why the port cannot be trusted (the *Error around it names
// the switch and the port).
func (e *UnreadablePortError) Error() string {
	why := "a row it may be in could not be read"
	if e.Unread {
		why = "it was not read, and rows of the output could not be"
	}
	msg := fmt.Sprintf("%s: %s", why, e.Rows[0])
	if n := len(e.Rows) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// UnreadableRowsError is returned beside a result that is complete but
// for rows the driver could not read (a MAC table): the result holds
// every row that was read; the error names the others.
type UnreadableRowsError struct {
	Switch string
	Rows   []UnreadableRow
}

func (e *UnreadableRowsError) Error() string {
	msg := fmt.Sprintf("switch %s: %d row(s) could not be read, first %s", e.Switch, len(e.Rows), e.Rows[0])
	return msg
}

// PortReader is implemented by drivers whose read of the ports goes past
// rows it cannot read (see PortRead): ReadPorts returns the ports and
// those rows, for a caller that shows them. Such a driver's Ports
// returns the ports alone and fails only where PortRead.Check does for
// the ports of the plan. Unreadable returns the rows of the driver's
// latest read of the ports (by ReadPorts or Ports, even one that
// failed on them): a caller that read through Ports shows them without
// reading again.
type PortReader interface {
	ReadPorts(ctx context.Context) (PortRead, error)
	Unreadable() []UnreadableRow
}

// Preparer is implemented by drivers whose sessions take time to get
// ready: an SSH login, the privilege and configuration prompts, a
// candidate configuration. Prepare readies, ahead of time, the session
// that the next Apply of exactly changes — or, with trial > 0, the next
// ApplyConfirmed of them with that timeout — will use, so that the batch,
// when it is due, costs only its configuration lines, its commit and its
// read-back. The engine calls it while the step before runs; callers call
// it only once every earlier batch to the switch has been applied (a
// candidate copies the configuration it starts from).
//
// Prepare changes nothing on the device, and what it readies is still the
// one configuration session of that batch. It goes only as far as is
// valid until the batch is due: what may change meanwhile (a trial
// another batch left pending) is checked again when the batch is applied.
// A prepared session that has died by then is reopened, never skipped;
// an Apply of other changes opens a session of its own and discards the
// prepared one, as Close does, and so does the end of ctx. An error from
// Prepare is not the batch's: the batch is tried in full when it is due.
type Preparer interface {
	Prepare(ctx context.Context, changes []Change, trial time.Duration) error
}

// Noter is an optional capability of a Driver: what it did on the switch
// besides the batches it was given (a checkpoint a killed process left,
// deleted; a lost attempt's session aborted), each note naming the switch.
// TakeNotes returns the notes made since it was last called; the engine
// calls it after every batch, reports and journals them.
type Noter interface {
	TakeNotes() []string
}

// ApplyTrace is a set of hooks called at the phases of an Apply (or an
// ApplyConfirmed) of a batch, in the manner of net/http/httptrace: attach
// it to the context with WithApplyTrace. Any hook may be nil. A driver
// calls each hook at most once per call, from the goroutine running
// Apply, in this order; a driver that calls none is timed by its caller
// around the whole call.
type ApplyTrace struct {
	// Configuring: the session is open and the batch was checked against
	// the live state; the batch's first configuration line (request,
	// transaction) is about to be sent.
	Configuring func()
	// Committed: the device has accepted the whole batch — the last line
	// of a line-mode batch, the commit of a transaction — so every change
	// is in place on the device. The read-back follows.
	Committed func()
	// ReadBack: the driver read the ports back after the commit and found
	// every change in place. What Apply still does after it (a trial's
	// check that it is pending, closing the session) changes nothing.
	ReadBack func()
}

type applyTraceKey struct{}

// WithApplyTrace returns a context whose Apply calls report to trace.
func WithApplyTrace(ctx context.Context, trace *ApplyTrace) context.Context {
	return context.WithValue(ctx, applyTraceKey{}, trace)
}

// ContextApplyTrace returns the trace attached to ctx; never nil (a trace
// without hooks when none is attached).
func ContextApplyTrace(ctx context.Context) *ApplyTrace {
	if t, ok := ctx.Value(applyTraceKey{}).(*ApplyTrace); ok && t != nil {
		return t
	}
	return &ApplyTrace{}
}

// TraceConfiguring calls the trace's Configuring hook, if any.
func (t *ApplyTrace) TraceConfiguring() {
	if t != nil && t.Configuring != nil {
		t.Configuring()
	}
}

// TraceCommitted calls the trace's Committed hook, if any.
func (t *ApplyTrace) TraceCommitted() {
	if t != nil && t.Committed != nil {
		t.Committed()
	}
}

// TraceReadBack calls the trace's ReadBack hook, if any.
func (t *ApplyTrace) TraceReadBack() {
	if t != nil && t.ReadBack != nil {
		t.ReadBack()
	}
}
