// Package cli is the machinery shared by cutover's SSH drivers: scrapligo
// v1 sessions (pure Go, standard transport) with host keys verified
// against known_hosts, the read–check–configure–read-back sequence of
// Apply in one session, and errors that name switch, port and command
// without ever carrying the password. A vendor is a Dialect: its port
// grammar, how to read ports, and how to configure a batch.
//
// Where the platform has commit-confirmed, the Dialect's Trial says how
// to apply a batch on trial, how to tell from a new session whether a
// trial is pending, and how to confirm or cancel it; the driver is then
// a switchdrivers.ConfirmedApplier and a switchdrivers.TrialRecoverer. A
// trial never starts while another is pending, and a confirmation checks
// the trial is pending before and gone after, then reads the ports back.
// Every attempt at a batch has a name of its own (SessionName), so a
// platform whose sessions outlive a lost SSH session (EOS, SR Linux)
// never enters a stale one again; the driver removes what its own lost
// attempts left behind (Dialect.Forget).
package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/response"
	"github.com/scrapli/scrapligo/transport"
	"github.com/scrapli/scrapligo/util"
)

// Session runs commands on an open CLI session.
type Session interface {
	// Show runs a command at the privileged prompt and returns its output.
	Show(command string) (string, error)
	// Config sends one line at whatever prompt the session is at (a
	// configuration line, or a command that changes mode) and returns its
	// output; the dialect's error markers make it an error.
	Config(line string) (string, error)
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
	// Read returns the ports: name (as shown), mode, access VLAN, status,
	// description; it fails on a row it cannot read. ReadRows, where the
	// dialect has it, is used instead: it goes past such rows and returns
	// them (switchdrivers.PortRead), and the driver refuses only what
	// they may concern: Ports fails when one may be a port of the plan
	// (the inventory's ports on the switch), Apply refuses the batch,
	// untouched, when one may be a port it moves; each error names the
	// switch, the port, the command and the row's line and text. To move
	// a dialect onto it, return the parser's warnings as
	// switchdrivers.UnreadableRow (with the ports a command's output
	// lacks and another's has, see ciscoios.ReadPortRows) instead of
	// failing on them.
	Read     func(s Session) ([]switchdrivers.PortState, error)
	ReadRows func(s Session) (switchdrivers.PortRead, error)
	// Begin, Lines and Commit form the configuration of a batch. With
	// Transactional, nothing is applied before Commit and Abort discards.
	// name is the batch's session or candidate name (SessionName), new
	// for every attempt; dialects without named sessions ignore it.
	Begin         func(changes []switchdrivers.Change, name string) []string
	Lines         func(changes []switchdrivers.Change) []string
	Commit        []string
	Abort         []string
	Transactional bool
	// BeginAhead: Begin's lines may be sent when a session is prepared
	// (switchdrivers.Preparer), before the batch is due — an empty
	// configuration mode or candidate may wait on the platform, and
	// entering it changes nothing and starts no timer.
	BeginAhead bool
	// Checks are output checks of particular lines (a line answered
	// without an error marker can still say that the batch must stop).
	Checks map[string]func(output string) error
	// Forget, if set, removes what an attempt of this driver left on the
	// switch when its session was lost before the commit (an EOS session
	// stays pending; an SR Linux named candidate stays open). It is given
	// the attempt's name only: nothing another client made is touched.
	Forget func(s Session, name string) error
	// SaveCommand and SaveOK: writing the configuration to startup.
	SaveCommand, SaveOK string
	// FailedWhen are error markers beyond scrapligo's for the platform.
	FailedWhen []string
	// Trial, if set, is the platform's commit-confirmed syntax.
	Trial *Trial
	// Checkpoint, if set, makes a line-mode batch all-or-nothing: a
	// named snapshot of the configuration before it, restored when a
	// line is refused or the session is lost, deleted after the
	// read-back (NX-OS).
	Checkpoint *Checkpoint
	// MACTable reads the MAC address table (optional).
	MACTable func(s Session) ([]switchdrivers.MACEntry, error)
}

// Trial is how a platform applies a batch on trial (commit-confirmed),
// tells whether a trial is pending, and confirms or cancels it.
type Trial struct {
	// Begin and Commit replace the dialect's for a trial of timeout.
	Begin, Commit func(changes []switchdrivers.Change, name string, timeout time.Duration) []string
	// BeginAhead: as Dialect.BeginAhead, for the trial's Begin (false
	// where entering it arms the revert timer or takes a lock).
	BeginAhead bool
	// Needs, if set, says what the switch needs for a trial and what
	// happens without it: shown as comments before the trial's lines.
	Needs []string
	// Ready, if set, runs at the privileged prompt before a trial: a
	// switch that cannot take one (IOS-XE without its configuration
	// archive) refuses it, untouched.
	Ready func(s Session) error
	// Pending reads the trial pending on the switch (nil: none) at the
	// privileged prompt. A trial never starts while one is pending.
	Pending func(s Session) (*switchdrivers.PendingTrial, error)
	// Owns, if set, tells whether a pending trial is the one an attempt
	// named name started (the EOS session); confirming a trial checks it.
	Owns func(p switchdrivers.PendingTrial, name string) bool
	// Confirm and Cancel are the lines that make the pending trial p
	// permanent or revert it at once, sent from the privileged prompt of
	// a new session; Leave are sent if one of them fails part-way (to
	// leave a configuration mode without committing anything).
	Confirm, Cancel func(p switchdrivers.PendingTrial) []string
	Leave           []string
	// Held: the trial's commit keeps the session's candidate open until
	// the trial is accepted or rejected (SR Linux). The session never
	// returns to the privileged prompt (scrapligo would discard the
	// candidate on the way): the read-back is sent where the commit left
	// it, and the session closes without scrapligo's on-close. Release
	// (the lines that close the candidate called name) follows the
	// confirmation.
	Held    bool
	Release func(name string) []string
	// CancelOnFailure: a line-mode trial batch that fails part-way is
	// cancelled at once from a new session (Cancel), so that nothing of
	// it stays until the timer runs out (AOS-CX auto checkpoint).
	CancelOnFailure bool
	// RevertsAll: the switch's revert restores its whole configuration
	// from before the trial, whoever changed it since (AOS-CX auto
	// checkpoint mode, the IOS-XE revert timer's archive): a batch not on
	// trial is refused, untouched,
	// while a trial is pending — its revert would undo the batch —
	// naming the trial (trials off or not).
	RevertsAll bool
}

// Checkpoint is how a line-mode platform makes a batch all-or-nothing
// (NX-OS `checkpoint` and `rollback running-config checkpoint`). Every
// attempt makes a checkpoint of its own, named as its session
// (SessionName: the prefix "cutover-"), before its first configuration
// line. A refused line rolls the switch back to it in the same session;
// a lost session, in a new one. Before rolling back, the ports outside
// the batch are read: if one changed since the batch began (another
// user), the rollback — which restores the whole configuration — is not
// run, and the error says so. The checkpoint is deleted after the
// read-back, and after a rollback.
type Checkpoint struct {
	// Create makes the checkpoint name; began is when the attempt began
	// (RFC 3339, UTC; StampPlaceholder in a rendering), recorded on the
	// switch so that another process can tell a leftover from a batch in
	// progress.
	Create func(name, began string) []string
	// Leave ends configuration mode (before a rollback in the session
	// whose line was refused).
	Leave []string
	// Rollback and Delete restore and remove the checkpoint name, at the
	// privileged prompt.
	Rollback, Delete func(name string) []string
	// List reads the checkpoints on the switch.
	List func(s Session) ([]CheckpointInfo, error)
	// StaleAfter: a checkpoint named with cutover's prefix that began
	// longer ago than this was left by an attempt that was lost (a
	// killed process): it is deleted on entry and reported (Warnings).
	// A younger one belongs to a batch in progress — another cutover
	// process — or, when its beginning cannot be read, may be: the batch
	// is refused, untouched, naming it and its creator.
	StaleAfter time.Duration
}

// CheckpointInfo is a checkpoint as the switch lists it.
type CheckpointInfo struct {
	Name, User  string
	Began       time.Time // zero: not one of cutover's, or unreadable
	Description string
	// Owner: the cutover process that made it (its stamp's "on HOST pid
	// N"), zero if the stamp has none.
	Owner Owner
}

// StampPlaceholder stands for the time an attempt began in renderings.
const StampPlaceholder = "<began>"

// Registration returns the registry entry of a dialect.
func (d Dialect) Registration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: d.Name, ValidatePort: d.ValidatePort, Open: d.Open, NamedSegments: d.NamedSegments}
}

// Open opens a driver for the dialect; it is a switchdrivers.ConfirmedApplier
// and a switchdrivers.TrialRecoverer when the dialect has trial syntax,
// unless the switch's options say `trials: "off"`.
func (d Dialect) Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	drv, err := Open(d, cfg)
	if err != nil {
		return nil, err
	}
	if d.Trial != nil && !drv.noTrials {
		return &TrialDriver{drv}, nil
	}
	return drv, nil
}

// SessionName names an attempt at a batch: cutover-, a hash of the
// batch's content, and attempt, which is new for every attempt (a lost
// session's name is never entered again). Render shows the attempt as
// AttemptPlaceholder.
func SessionName(changes []switchdrivers.Change, attempt string) string {
	h := sha256.New()
	for _, c := range changes {
		fmt.Fprintf(h, "%s %s %s\n", c.Port, c.From, c.To)
	}
	return "cutover-" + hex.EncodeToString(h.Sum(nil))[:8] + "-" + attempt
}

// AttemptPlaceholder stands for the attempt in rendered session names.
const AttemptPlaceholder = "<attempt>"

// newAttempt returns 8 random hex digits.
func newAttempt() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("cli: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
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
	name := SessionName(changes, AttemptPlaceholder)
	var out []string
	for _, l := range tr.Needs {
		out = append(out, "! "+l)
	}
	out = append(out, t.scriptWith(changes, tr.Begin(changes, name, timeout), tr.Commit(changes, name, timeout))...)
	confirm := tr.Confirm(switchdrivers.PendingTrial{ID: name})
	if tr.Release != nil {
		confirm = append(confirm, tr.Release(name)...)
	}
	for _, l := range confirm {
		out = append(out, "! once the step's guard has passed, in a new session: "+l)
	}
	return out, nil
}

// ApplyConfirmed applies the batch on trial (the switch reverts it after
// timeout) and returns the function that confirms it. The trial is
// refused, untouched, while another trial is pending on the switch.
// The confirmation checks that the trial is still pending (a late one
// is an error naming the switch), confirms it, checks that it is no
// longer pending, and reads the ports back.
func (t *TrialDriver) ApplyConfirmed(ctx context.Context, changes []switchdrivers.Change, timeout time.Duration) (func(context.Context) error, error) {
	if err := t.validate(changes); err != nil {
		return nil, switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return func(context.Context) error { return nil }, nil
	}
	var (
		name    string
		started *switchdrivers.PendingTrial
		err     error
	)
	if p := t.take(ctx, batchKey(changes, timeout)); p != nil {
		name, started, err = t.applyPrepared(ctx, changes, p)
	} else {
		a, st := t.trialAttempt(changes, timeout)
		name, started, err = a.name, st, t.apply(ctx, changes, a)
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		return t.settle(ctx, started, name, changes, "confirming the trial", t.d.Trial.Confirm)
	}, nil
}

// trialAttempt is an attempt at changes on trial; the returned trial is
// filled in, after the commit, as the switch shows it.
func (drv *Driver) trialAttempt(changes []switchdrivers.Change, timeout time.Duration) (attempt, *switchdrivers.PendingTrial) {
	tr := drv.d.Trial
	name := SessionName(changes, newAttempt())
	started := &switchdrivers.PendingTrial{} // the trial as the switch shows it after the commit
	return attempt{
		name:  name,
		begin: tr.Begin(changes, name, timeout), commit: tr.Commit(changes, name, timeout),
		ahead: tr.BeginAhead,
		held:  tr.Held,
		before: func(s session) error {
			if tr.Ready != nil {
				if err := tr.Ready(s); err != nil {
					return drv.errf("", "", err)
				}
			}
			return nil
		},
		exclusive: func(s session) error {
			p, err := tr.Pending(s)
			if err != nil {
				return err
			}
			if p != nil {
				return drv.errf("", "", fmt.Errorf("a trial is already pending on the switch (%s): it must be confirmed or cancelled before another starts", p))
			}
			return nil
		},
		cancel: func(ctx context.Context, cause error) error {
			if !tr.CancelOnFailure {
				return cause
			}
			return drv.cancelFailedTrial(ctx, changes, cause)
		},
		after: func(s session) error {
			p, err := tr.Pending(s)
			if err != nil {
				return fmt.Errorf("reading the trial back: %w", err)
			}
			if p == nil {
				return drv.errf("", "", errors.New("the batch landed but the switch shows no trial pending: it will not revert by itself"))
			}
			*started = *p
			return nil
		},
	}, started
}

// PendingTrial implements switchdrivers.TrialRecoverer.
func (t *TrialDriver) PendingTrial(ctx context.Context) (*switchdrivers.PendingTrial, error) {
	s, closeFn, err := t.open(ctx)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	p, err := t.d.Trial.Pending(s)
	if err != nil {
		return nil, t.errf("", "", err)
	}
	return p, nil
}

// ConfirmTrial implements switchdrivers.TrialRecoverer.
func (t *TrialDriver) ConfirmTrial(ctx context.Context, p switchdrivers.PendingTrial) error {
	return t.settle(ctx, &p, "", nil, "confirming the trial", t.d.Trial.Confirm)
}

// CancelTrial implements switchdrivers.TrialRecoverer.
func (t *TrialDriver) CancelTrial(ctx context.Context, p switchdrivers.PendingTrial) error {
	return t.settle(ctx, &p, "", nil, "cancelling the trial", t.d.Trial.Cancel)
}

// settle confirms or cancels (lines) the trial pending on the switch, in
// a new session: the trial must be pending before — want, the trial as
// the switch showed it after its commit — and gone after. With changes
// (the confirmation of this driver's own trial, the attempt name), the
// ports are read back.
func (t *TrialDriver) settle(ctx context.Context, want *switchdrivers.PendingTrial, name string, changes []switchdrivers.Change, what string, lines func(switchdrivers.PendingTrial) []string) error {
	tr := t.d.Trial
	s, closeFn, err := t.open(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	p, err := tr.Pending(s)
	if err != nil {
		return t.errf("", "", fmt.Errorf("%s: %w", what, err))
	}
	switch {
	case p == nil:
		return t.errf("", "", fmt.Errorf("%s: %w on the switch: it was already reverted (its timer ran out), confirmed or cancelled", what, switchdrivers.ErrNoPendingTrial))
	case want != nil && want.ID != p.ID:
		return t.errf("", "", fmt.Errorf("%s: %w with id %q; the switch has %s pending", what, switchdrivers.ErrNoPendingTrial, want.ID, p))
	case name != "" && tr.Owns != nil && !tr.Owns(*p, name):
		return t.errf("", "", fmt.Errorf("%s: the trial pending on the switch (%s) is not this run's (%s)", what, p, name))
	}
	for i, line := range lines(*p) {
		if _, err := s.Config(line); err != nil {
			if i > 0 {
				for _, l := range tr.Leave {
					s.Config(l)
				}
			}
			return t.errf("", line, fmt.Errorf("%s: %w", what, err))
		}
	}
	after, err := tr.Pending(s)
	if err != nil {
		return t.errf("", "", fmt.Errorf("%s: reading the trial back: %w", what, err))
	}
	if after != nil && after.ID == p.ID {
		return t.errf("", "", fmt.Errorf("%s: the trial is still pending afterwards (%s)", what, after))
	}
	if changes != nil {
		live, err := t.read(s, changes)
		if err == nil {
			err = live.Check(t.name, batchPorts(changes), t.same)
		}
		if err != nil {
			return fmt.Errorf("%s: read-back: %w", what, err)
		}
		if err := switchdrivers.CheckReadBack(t.name, live.Ports, changes); err != nil {
			return fmt.Errorf("%s: the switch no longer holds the trial: %w", what, err)
		}
	}
	if name != "" && tr.Release != nil {
		// The trial is confirmed; what the release closes (an open
		// candidate with nothing in it) holds nothing of it.
		for _, l := range tr.Release(name) {
			if _, err := s.Config(l); err != nil {
				break
			}
		}
	}
	return nil
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
	noTrials   bool
	timeout    time.Duration
	alias      map[string]string // shown name -> the inventory's spelling
	plan       []string          // the inventory's ports on this switch

	mu    sync.Mutex
	stale []string                      // names of this driver's attempts whose session was lost before the commit
	notes []string                      // what the driver removed or left on the switch, for Warnings
	taken int                           // how many of notes TakeNotes has returned
	rows  []switchdrivers.UnreadableRow // those the latest ReadPorts went past
	// Sessions opened ahead (Prepare): the prepared batch, the spare
	// session for the reads and confirmations that follow, the one being
	// opened, and the context they live in.
	prep      *prepared
	spare     *openedSession
	refilling chan struct{}
	warmCtx   context.Context
	closed    bool
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
		case "trials":
			switch v {
			case "on":
			case "off":
				drv.noTrials = true
			default:
				return nil, fail("option trials %q is not on or off", v)
			}
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, fail("option timeout %q is not a positive duration", v)
			}
			drv.timeout = t
		default:
			return nil, fail("unknown option %q (known: known_hosts, insecure_host_key, timeout, trials)", k)
		}
	}
	if drv.insecure {
		// The opt-out is said wherever the driver's notes go: `cutover
		// ports` warnings, and a run's progress and journal (TakeNotes).
		drv.note(fmt.Sprintf("switch %s: the SSH host key is NOT verified (insecure_host_key: \"true\" in the inventory)", drv.name))
	}
	if drv.knownHosts == "" && !drv.insecure {
		home, _ := os.UserHomeDir()
		drv.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	for _, p := range cfg.Ports {
		drv.alias[d.Short(p)] = p
	}
	drv.plan = cfg.Ports
	return drv, nil
}

// same says whether a and b spell one port (long or short, any case).
func (drv *Driver) same(a, b string) bool { return strings.EqualFold(drv.d.Short(a), drv.d.Short(b)) }

// batchPorts are the ports a batch moves.
func batchPorts(changes []switchdrivers.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Port
	}
	return out
}

// Close implements switchdrivers.Driver: sessions are per call; a
// prepared session and the spare one are closed (a prepared candidate
// aborted).
func (drv *Driver) Close() error {
	drv.closePrepared()
	return nil
}

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
	// kill closes the session (once): it ends any wait on the switch.
	kill func()
	// held: the session holds something open that returning to the
	// privileged prompt would discard (a trial's SR Linux candidate):
	// Show sends at the prompt it is at.
	held bool
}

func (s session) Show(command string) (string, error) {
	if s.held {
		out, err := s.send(command)
		if err != nil {
			return "", s.drv.errf("", command, err)
		}
		return out, nil
	}
	r, err := s.exchange(command, s.nd.SendCommand)
	if err != nil {
		return "", s.drv.errf("", command, s.sendError(err))
	}
	if r.Failed != nil || s.failed(r.Result) {
		return "", s.drv.errf("", command, fmt.Errorf("%s", strings.TrimSpace(r.Result)))
	}
	if err := s.check(command, r.Result); err != nil {
		return "", s.drv.errf("", command, err)
	}
	return r.Result, nil
}

// Config implements Session.
func (s session) Config(line string) (string, error) {
	out, err := s.send(line)
	if err != nil {
		return out, s.drv.errf("", line, err)
	}
	return out, nil
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

// check applies the dialect's output check of a line, if it has one.
func (s session) check(line, out string) error {
	if c, ok := s.drv.d.Checks[line]; ok {
		return c(out)
	}
	return nil
}

// sendError is what a failed send reports, the password scrubbed.
func (s session) sendError(err error) error {
	msg := s.drv.scrub(err)
	if errors.Is(err, util.ErrConnectionError) { // scrapligo's text is just "errConnectionError"
		msg = "the SSH session was lost (" + msg + ")"
	}
	return errors.New(msg)
}

// exchange sends one command with send and waits for its answer, at most
// the driver's timeout and a margin: scrapligo v1 waits for a command's
// echo without any timeout of its own, so a switch that never echoes
// would hold the session (and the step) forever. Past that time the
// session is closed, which ends the wait with an error naming the command.
func (s session) exchange(command string, send func(string, ...util.Option) (*response.Response, error)) (*response.Response, error) {
	limit := s.drv.timeout + hangMargin
	t := time.AfterFunc(limit, s.kill)
	r, err := send(command)
	if !t.Stop() {
		return nil, fmt.Errorf("the switch answered nothing within %s, so the session was closed (%v)", limit, err)
	}
	return r, err
}

// errKilled ends a read of a session that was killed.
var errKilled = errors.New("the session was closed")

// hangMargin is how much longer than the driver's timeout one exchange
// may take before its session is closed.
const hangMargin = 5 * time.Second

// line sends one configuration line at whatever prompt the session is at.
func (s session) line(command string) error {
	_, err := s.send(command)
	return err
}

func (s session) send(command string) (string, error) {
	r, err := s.exchange(command, s.nd.Driver.SendCommand)
	if err != nil {
		return "", s.sendError(err)
	}
	if r.Failed != nil || s.failed(r.Result) {
		return r.Result, &refusedError{strings.TrimSpace(r.Result)}
	}
	if err := s.check(command, r.Result); err != nil {
		return r.Result, &refusedError{err.Error()}
	}
	return r.Result, nil
}

// abandon makes the session close without scrapligo's on-close
// operations (which would leave a held candidate with "discard now").
func (s session) abandon() { s.nd.OnClose = nil }

// refusedError is a line the device answered with an error: it was
// received and refused (unlike a lost session, where nobody knows).
type refusedError struct{ output string }

func (e *refusedError) Error() string { return e.output }

// open returns a session for one call: the spare session opened ahead
// (Prepare) if it is alive, else a new one. It is closed early if ctx
// ends (scrapligo has no contexts).
func (drv *Driver) open(ctx context.Context) (session, func(), error) {
	if err := context.Cause(ctx); err != nil {
		return session{}, nil, drv.errf("", "", err)
	}
	if s, closeFn, ok := drv.takeSpare(ctx); ok {
		return s, closeFn, nil
	}
	is, err := drv.dial(ctx)
	if err != nil {
		return session{}, nil, err
	}
	closeFn, ok := is.attach(ctx)
	if !ok {
		return session{}, nil, drv.errf("", "", context.Cause(ctx))
	}
	return is.s, closeFn, nil
}

// openedSession is a session and what closes it: ctx, the one it was
// opened for, until it is attached to a caller's (attach).
type openedSession struct {
	s         session
	closeOnce func()
	stopIdle  func() bool // stops the close on the opener's context
}

// attach hands the session to a caller: from now on it closes when ctx
// ends (or the returned function is called), no longer when the
// opener's context does. It fails if the session was closed already.
// Closing does not wait: scrapligo's close runs the platform's exit
// commands and waits for the transport, which must not hold up the
// caller's next step (it may be inside the outage).
func (o *openedSession) attach(ctx context.Context) (func(), bool) {
	if !o.stopIdle() {
		return nil, false // closed, or being closed, by the opener's context
	}
	stop := context.AfterFunc(ctx, o.s.kill)
	return func() { stop(); go o.closeOnce() }, true
}

// close closes a session that was never attached, without waiting.
func (o *openedSession) close() {
	o.stopIdle()
	go o.closeOnce()
}

// dial opens one SSH session, closed early if ctx ends (scrapligo has no
// contexts) until it is attached to another.
func (drv *Driver) dial(ctx context.Context) (*openedSession, error) {
	opts := []util.Option{
		options.WithPort(drv.port), options.WithAuthUsername(drv.username), options.WithAuthPassword(drv.password.Reveal()),
		options.WithTransportType(transport.StandardTransport), options.WithTimeoutOps(drv.timeout), options.WithTimeoutSocket(drv.timeout),
	}
	if drv.insecure {
		// Only with the inventory's explicit, documented opt-out
		// insecure_host_key: "true" (Open notes it for the operator).
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
		return nil, drv.errf("", "", err)
	}
	nd, err := p.GetNetworkDriver()
	if err != nil {
		return nil, drv.errf("", "", err)
	}
	if err := nd.Open(); err != nil {
		return nil, drv.errf("", "", fmt.Errorf("ssh to %s:%d as %s: %s", drv.host, drv.port, drv.username, drv.scrub(err)))
	}
	var once sync.Once
	closeOnce := func() { once.Do(func() { nd.Close() }) }
	// kill ends a session at once: when ctx ends, or when the switch went
	// silent. scrapligo v1 reads a command's echo without a timeout and,
	// once its channel is closed, goes on polling it for ever; an error
	// handed to the channel ends that read. No exit commands are sent: the
	// switch is not listening, or the run is over.
	kill := func() {
		once.Do(func() {
			nd.OnClose, nd.Driver.OnClose = nil, nil
			select {
			case nd.Channel.Errs <- errKilled:
			case <-time.After(time.Second): // no read in progress
			}
			nd.Close()
		})
	}
	return &openedSession{s: session{drv: drv, nd: nd, kill: kill}, closeOnce: closeOnce, stopIdle: context.AfterFunc(ctx, kill)}, nil
}

// read returns the ports as the inventory — or the batch in hand — spells
// them (long or short interface names), and the rows the dialect could
// not read.
func (drv *Driver) read(s session, batch []switchdrivers.Change) (switchdrivers.PortRead, error) {
	var pr switchdrivers.PortRead
	if drv.d.ReadRows != nil {
		var err error
		if pr, err = drv.d.ReadRows(s); err != nil {
			var named *switchdrivers.Error
			if !errors.As(err, &named) {
				err = drv.errf("", "", err) // an output that could not be read at all
			}
			return pr, err
		}
	} else {
		ports, err := drv.d.Read(s)
		if err != nil {
			return pr, err
		}
		pr.Ports = ports
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
	for i := range pr.Ports {
		pr.Ports[i].Name = spelling(pr.Ports[i].Name)
	}
	return pr, nil
}

// ReadPorts reads the ports in one session, past the rows it cannot
// read (switchdrivers.PortReader).
func (drv *Driver) ReadPorts(ctx context.Context) (switchdrivers.PortRead, error) {
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return switchdrivers.PortRead{}, err
	}
	defer closeFn()
	pr, err := drv.read(s, nil)
	drv.mu.Lock()
	drv.rows = pr.Unreadable
	drv.mu.Unlock()
	return pr, err
}

// TakeNotes returns what the driver did on the switch besides its
// batches since it was last called (switchdrivers.Noter); Warnings keeps
// listing every note.
func (drv *Driver) TakeNotes() []string {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	out := append([]string(nil), drv.notes[drv.taken:]...)
	drv.taken = len(drv.notes)
	return out
}

// Unreadable returns the rows the latest ReadPorts (or Ports) went past
// (switchdrivers.PortReader).
func (drv *Driver) Unreadable() []switchdrivers.UnreadableRow {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	return append([]switchdrivers.UnreadableRow(nil), drv.rows...)
}

// Warnings are the rows the latest ReadPorts (or Ports) went past, each
// naming the switch, the command, the line, its text, why it could not
// be read and the ports it may be.
func (drv *Driver) Warnings() []string {
	var out []string
	for _, u := range drv.Unreadable() {
		out = append(out, u.Warning(drv.name))
	}
	drv.mu.Lock()
	out = append(out, drv.notes...)
	drv.mu.Unlock()
	return out
}

// Ports reads the ports in one session. It goes past a row it cannot
// read unless the row may be a port of the plan.
func (drv *Driver) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	pr, err := drv.ReadPorts(ctx)
	if err != nil {
		return nil, err
	}
	if err := pr.Check(drv.name, drv.plan, drv.same); err != nil {
		return nil, err
	}
	return pr.Ports, nil
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
	name := SessionName(changes, AttemptPlaceholder)
	cp := drv.d.Checkpoint
	if cp == nil {
		return drv.scriptWith(changes, drv.d.Begin(changes, name), drv.d.Commit)
	}
	out := drv.scriptWith(changes, append(cp.Create(name, StampPlaceholder), drv.d.Begin(changes, name)...), drv.d.Commit)
	leave := ""
	if len(cp.Leave) > 0 {
		leave = " (after " + strings.Join(cp.Leave, "; ") + ")"
	}
	for _, l := range cp.Rollback(name) {
		out = append(out, "! only if a line is refused"+leave+" or the session is lost (from a new session), unless a port outside the batch changed since: "+l)
	}
	for _, l := range cp.Delete(name) {
		out = append(out, "! then, after reading the ports back: "+l)
	}
	return append(out, cp.Delete(name)...)
}

func (drv *Driver) scriptWith(changes []switchdrivers.Change, begin, commit []string) []string {
	out := append([]string{}, begin...)
	out = append(out, drv.d.Lines(changes)...)
	return append(out, commit...)
}

// Apply configures the batch in one SSH session and reads it back. A
// session prepared for exactly this batch (Prepare) is used if it is
// still alive; otherwise a session is opened now.
func (drv *Driver) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	if err := drv.validate(changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	if p := drv.take(ctx, batchKey(changes, 0)); p != nil {
		_, _, err := drv.applyPrepared(ctx, changes, p)
		return err
	}
	return drv.apply(ctx, changes, drv.plainAttempt(changes))
}

// plainAttempt is an attempt at changes, not on trial.
func (drv *Driver) plainAttempt(changes []switchdrivers.Change) attempt {
	name := SessionName(changes, newAttempt())
	a := attempt{name: name, begin: drv.d.Begin(changes, name), commit: drv.d.Commit, ahead: drv.d.BeginAhead}
	if tr := drv.d.Trial; tr != nil && tr.RevertsAll {
		a.exclusive = func(s session) error {
			p, err := tr.Pending(s)
			if err != nil {
				return drv.errf("", "", fmt.Errorf("reading the pending trial: %w", err))
			}
			if p != nil {
				return drv.errf("", "", fmt.Errorf("%w: a trial is pending on the switch (%s): its revert would undo this batch; it must be confirmed or cancelled first", ErrBusy, p))
			}
			return nil
		}
	}
	if cp := drv.d.Checkpoint; cp != nil {
		create := cp.Create(name, Stamp(time.Now(), ThisProcess()))
		a.begin = append(create, a.begin...)
		a.checkpoint, a.created = name, len(create)
		a.ahead = false // a checkpoint is made when the batch is due
		a.exclusive = drv.clearCheckpoints
	}
	return a
}

// attempt is one attempt at a batch.
type attempt struct {
	name          string   // its session or candidate name
	begin, commit []string // the lines around the batch's own
	// ahead: begin may be sent when the session is prepared, before the
	// batch is due (an empty candidate or configuration mode may wait).
	ahead bool
	// before, if set, runs after the check of the live state and may
	// refuse the batch untouched; exclusive too, but it checks what may
	// change until the batch is due (no other trial pending): a prepared
	// session runs it again when the batch is due if it failed before.
	// after, if set, runs after the read-back, in the same session.
	before, exclusive, after func(session) error
	// held: the commit leaves the session holding something open (an SR
	// Linux candidate): the session never returns to the privileged
	// prompt, whose deescalation would discard it.
	held bool
	// checkpoint: the checkpoint the attempt makes (Dialect.Checkpoint)
	// with its first created lines.
	checkpoint string
	created    int
	// cancel, if set, handles a failure part-way (cause): a trial's
	// cancellation (Trial.CancelOnFailure).
	cancel func(ctx context.Context, cause error) error
}

// batchSession is a session readied for one attempt at a batch: open, the
// batch checked against the live state, the attempt's checks run and,
// where the platform lets an empty one wait, its configuration session or
// candidate entered (begun).
type batchSession struct {
	s       session
	closeFn func()
	// opened: a session Prepare opened, closed by its context until the
	// batch claims it (claim).
	opened   *openedSession
	attached bool
	checked  time.Time                 // when the live state was read
	begun    bool                      // the attempt's begin lines were sent
	recheck  bool                      // exclusive failed when readied: run it again when the batch is due
	live     []switchdrivers.PortState // the ports as read when the batch was checked
}

// apply runs one attempt at a batch in a session of its own: read, check,
// before, begin, the lines, commit, read back, after.
func (drv *Driver) apply(ctx context.Context, changes []switchdrivers.Change, a attempt) error {
	bs, err := drv.ready(ctx, changes, a, false)
	if err != nil {
		return err
	}
	defer bs.closeFn()
	err = drv.run(ctx, bs, changes, a)
	var lost errLostFirst
	if errors.As(err, &lost) {
		return lost.error
	}
	return err
}

// ready opens a session for an attempt at changes and checks the batch
// against the live state (refusing it untouched where it must). Preparing,
// a failed exclusive check is left for the batch's time (recheck).
func (drv *Driver) ready(ctx context.Context, changes []switchdrivers.Change, a attempt, preparing bool) (*batchSession, error) {
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return nil, switchdrivers.Untouched(err)
	}
	return drv.check(&batchSession{s: s, closeFn: closeFn}, changes, a, preparing)
}

// check reads the ports in a batch's session and checks the batch against
// them and the attempt's checks; it closes the session on a refusal.
func (drv *Driver) check(bs *batchSession, changes []switchdrivers.Change, a attempt, preparing bool) (*batchSession, error) {
	s := bs.s
	bs.checked = time.Now()
	fail := func(err error) (*batchSession, error) {
		bs.closeFn()
		return nil, switchdrivers.Untouched(err)
	}
	live, err := drv.read(s, changes)
	if err != nil {
		return fail(err)
	}
	if err := live.Check(drv.name, batchPorts(changes), drv.same); err != nil {
		return fail(err) // a port to move may be a row that could not be read
	}
	if err := switchdrivers.CheckFrom(drv.name, live.Ports, changes); err != nil {
		return fail(err)
	}
	bs.live = live.Ports
	drv.forgetStale(s)
	if a.before != nil {
		if err := a.before(s); err != nil {
			return fail(err)
		}
	}
	if a.exclusive != nil {
		if err := a.exclusive(s); err != nil {
			if !preparing {
				return fail(err)
			}
			bs.recheck = true
		}
	}
	return bs, nil
}

// errLostFirst marks a session lost before the first line run sent was
// answered: nothing of the batch reached the switch through it.
type errLostFirst struct{ error }

func (e errLostFirst) Unwrap() error { return e.error }

// run sends the attempt's lines in a readied session — begin (unless sent
// ahead), the batch's lines, commit — then reads back and runs after. It
// reports the phases to the context's switchdrivers.ApplyTrace. A session
// lost before its first line was answered is reported as errLostFirst
// (wrapping the error the batch would report).
func (drv *Driver) run(ctx context.Context, bs *batchSession, changes []switchdrivers.Change, a attempt) error {
	s := bs.s
	if bs.recheck {
		if err := a.exclusive(s); err != nil {
			return switchdrivers.Untouched(err)
		}
	}
	trace := switchdrivers.ContextApplyTrace(ctx)
	begin := a.begin
	if bs.begun {
		begin = nil
	}
	script := drv.scriptWith(changes, begin, a.commit)
	lines := len(drv.d.Lines(changes))
	body := len(begin) + lines
	perPort := max(1, lines/len(changes))
	trace.TraceConfiguring()
	for i, line := range script {
		if err := s.line(line); err != nil {
			port := ""
			if i >= len(begin) && i < body {
				port = changes[min((i-len(begin))/perPort, len(changes)-1)].Port
			}
			e := drv.errf(port, line, err)
			var refused *refusedError
			if a.checkpoint != "" {
				switch {
				case i >= a.created:
					return drv.rollBack(ctx, s, !errors.As(err, &refused), i > a.created, changes, a, bs.live, e)
				case errors.As(err, &refused):
					return switchdrivers.Untouched(e) // no checkpoint, nothing configured
				default:
					drv.remember(a.name) // the checkpoint may have been made
				}
			}
			if drv.d.Transactional && (i < body || i == body && errors.As(err, &refused)) {
				// Nothing is applied before the commit, nor by a commit
				// the device refused (its first line; what follows a
				// commit has committed already): discard and say so.
				aborted := errors.As(err, &refused)
				for _, ab := range drv.d.Abort {
					aborted = aborted && s.line(ab) == nil
				}
				if !aborted {
					drv.remember(a.name) // the session was lost: what it began may still be there
				}
				e = switchdrivers.Untouched(e)
			}
			if i == 0 && !errors.As(err, &refused) {
				return errLostFirst{e}
			}
			if a.cancel != nil && i > 0 && !drv.d.Transactional { // the trial started: its first line was answered
				return a.cancel(ctx, e)
			}
			return e
		}
	}
	trace.TraceCommitted()
	if a.checkpoint != "" {
		// Deleted whatever the read-back says (the batch landed); a
		// session lost meanwhile leaves it to the next session (Forget).
		defer drv.deleteCheckpoint(s, a.checkpoint)
	}
	if a.held {
		// Read back where the commit left the session (the reads name
		// their datastore), and close it without scrapligo's return to
		// the privileged prompt.
		s.abandon()
		s.held = true
	}
	after, err := drv.read(s, changes)
	if err != nil {
		return fmt.Errorf("read-back: %w", err)
	}
	if err := after.Check(drv.name, batchPorts(changes), drv.same); err != nil {
		return fmt.Errorf("read-back: %w", err)
	}
	if err := switchdrivers.CheckReadBack(drv.name, after.Ports, changes); err != nil {
		return err
	}
	trace.TraceReadBack()
	if a.after != nil {
		return a.after(s)
	}
	return nil
}

// remember records an attempt whose session was lost before its commit,
// for Forget in a later session.
func (drv *Driver) remember(name string) {
	if drv.d.Forget == nil {
		return
	}
	drv.mu.Lock()
	drv.stale = append(drv.stale, name)
	drv.mu.Unlock()
}

// forgetStale removes what this driver's lost attempts left on the
// switch. A name that cannot be forgotten now is kept for the next
// session; it never blocks a batch (its name is never entered again).
func (drv *Driver) forgetStale(s session) {
	drv.mu.Lock()
	names := drv.stale
	drv.stale = nil
	drv.mu.Unlock()
	var keep []string
	for _, n := range names {
		if err := drv.d.Forget(s, n); err != nil {
			keep = append(keep, n)
		}
	}
	if len(keep) > 0 {
		drv.mu.Lock()
		drv.stale = append(drv.stale, keep...)
		drv.mu.Unlock()
	}
}

// Stale lists the names of this driver's attempts whose session was lost
// before the commit and whose leftovers are not removed yet.
func (drv *Driver) Stale() []string {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	return append([]string(nil), drv.stale...)
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
	entries, err := drv.d.MACTable(s) // with an *UnreadableRowsError, the entries read
	for i := range entries {
		if a, ok := drv.alias[drv.d.Short(entries[i].Port)]; ok {
			entries[i].Port = a
		}
	}
	var rows *switchdrivers.UnreadableRowsError
	if errors.As(err, &rows) {
		rows.Switch = drv.name
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
