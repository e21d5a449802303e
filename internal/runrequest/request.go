// Package runrequest is how the daemon turns requests into runs. A
// request names an inventory, a kind (apply, fallback, rollback, rehearse)
// and a reason; its plan is compiled at once and its hash recorded. With
// four-eyes approval (the default) it then waits, state awaiting_approval,
// until an approver other than the requester approves that exact plan
// hash; a denial or the approval timeout ends it with nothing moved.
// Approved, it is prepared again from the inventory as it is now: a plan
// whose hash differs is not started (stale). Two runs never share a
// switch: one that overlaps a running or unfinished run is refused.
//
// On start the board reports the runs a dead process left unfinished in
// its journals (state unfinished) with the recovery choices, and never
// recovers one by itself: an approver chooses rollback or resume.
//
// Every request is kept in the state directory (requests.jsonl, each
// change fsync'd), so that a restarted daemon lists it with the state it
// had; one still undecided then expires, and one whose run a dead process
// left unfinished keeps its ID. Every request, decision and halt is
// written to an audit log with who and why, and the notes of a run's journal say who requested and who
// approved it. Runs are executed by an Executor (internal/runs behind it),
// the same orchestration the CLI uses.
package runrequest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/plan"
)

// Kind is what a request runs.
type Kind string

// Kinds.
const (
	Apply    Kind = "apply"
	Fallback Kind = "fallback"
	Rollback Kind = "rollback"
	Rehearse Kind = "rehearse"
)

// Kinds lists the kinds, for messages.
var Kinds = []Kind{Apply, Fallback, Rollback, Rehearse}

// State is where a request is in its life.
type State string

// States.
const (
	AwaitingApproval State = "awaiting_approval"
	Running          State = "running"
	Done             State = "done"
	Blocked          State = "blocked"
	RolledBack       State = "rolled_back"
	Failed           State = "error"
	Denied           State = "denied"
	Expired          State = "expired"
	Refused          State = "refused" // approved, but could not start (a lock, an overlap)
	Stale            State = "stale"   // approved, but the inventory no longer compiles that plan
	Unfinished       State = "unfinished"
	Recovering       State = "recovering"
)

// Terminal reports whether nothing more will happen to a request in s.
func (s State) Terminal() bool {
	switch s {
	case AwaitingApproval, Running, Unfinished, Recovering:
		return false
	}
	return true
}

// Recovery modes of an unfinished run.
const (
	RecoverRollback = "rollback"
	RecoverResume   = "resume"
)

// Outcome is how a run ended.
type Outcome struct {
	// Class is done, blocked, rolled_back or error (the CLI's exit classes).
	Class   string        `json:"class"`
	Error   string        `json:"error,omitempty"`
	Halted  string        `json:"halted,omitempty"`
	Journal string        `json:"journal,omitempty"`
	Started time.Time     `json:"started,omitzero"`
	Ended   time.Time     `json:"ended,omitzero"`
	Guard   []guard.Check `json:"guard,omitempty"`
	// Report is the engine's report (steps and their timings).
	Report any `json:"report,omitempty"`
	// DowntimeMS is a rehearsal's downtime per address.
	DowntimeMS    map[string]int64 `json:"downtime_ms,omitempty"`
	MaxDowntimeMS int64            `json:"max_downtime_ms,omitempty"`
}

// PortChange is one port's move, as events and webhooks carry it.
type PortChange struct {
	Switch   string `json:"switch"`
	Port     string `json:"port"`
	System   string `json:"system,omitempty"`
	FromRole string `json:"from_role"`
	From     string `json:"from"` // the segment before
	ToRole   string `json:"to_role"`
	To       string `json:"to"` // the segment after
}

// Event is one thing that happened to a request or its run: the events of
// the request (requested, approved, denied, expired, refused, stale,
// started, unfinished, recovery) have IDs a1, a2, …; the run's own
// events (the engine's steps and batches, guard checks, halts, the end)
// have their run's sequence number as ID.
type Event struct {
	ID       string        `json:"id"`
	Time     time.Time     `json:"time"`
	Kind     string        `json:"kind"`
	Run      string        `json:"run"`
	Step     string        `json:"step,omitempty"`
	Switch   string        `json:"switch,omitempty"`
	Moves    int           `json:"moves,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	Error    string        `json:"error,omitempty"`
	Text     string        `json:"text,omitempty"`
	Check    *guard.Check  `json:"check,omitempty"`
	Result   *Outcome      `json:"result,omitempty"`
	Ports    []PortChange  `json:"ports,omitempty"`
	State    State         `json:"state,omitempty"`
	Who      string        `json:"who,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	// Seq is the run's sequence number of a run event (0 for the request's).
	Seq uint64 `json:"-"`
	// JSON is the event encoded once for every stream that sends it (nil:
	// the stream encodes it).
	JSON []byte `json:"-"`
}

// Errors of the board's operations; the API maps them to HTTP statuses.
var (
	ErrNotFound  = errors.New("no such run")          // 404
	ErrInvalid   = errors.New("invalid request")      // 400
	ErrForbidden = errors.New("not allowed")          // 403
	ErrConflict  = errors.New("conflict")             // 409
	ErrInventory = errors.New("inventory not usable") // 422
	ErrClosed    = errors.New("shutting down")        // 503
)

// opError wraps a class error with a message that names what was wrong.
type opError struct {
	class error
	msg   string
}

func (e *opError) Error() string { return e.msg }
func (e *opError) Unwrap() error { return e.class }

func fail(class error, format string, a ...any) error {
	return &opError{class, fmt.Sprintf(format, a...)}
}

// Spec says what to prepare.
type Spec struct {
	Kind      Kind
	Inventory string // its name in the daemon's inventory directory
	// JournalDir is the inventory's journal directory.
	JournalDir string
	// Notes are journaled at the start of the run (who asked, who approved).
	Notes []string
	// Recover, for a recovery, is rollback or resume.
	Recover string
}

// Executor prepares and starts runs: internal/runs (and, for rehearsals,
// the lab) behind it.
type Executor interface {
	// Prepare compiles the run's plan without contacting a switch. An
	// error wrapping ErrInventory is the inventory's fault (its problems).
	Prepare(ctx context.Context, spec Spec) (Prepared, error)
	// Unfinished lists the runs a dead process left unfinished in the
	// journal directories under dir (one per inventory).
	Unfinished(dir string) ([]UnfinishedRun, error)
}

// Prepared is a run ready to start.
type Prepared interface {
	Plan() *plan.Plan
	// Switches identify the devices the run changes (driver and address),
	// so that two runs never share one, whatever the inventories call it.
	Switches() []string
	// Start starts the run (a recovery when the spec said so).
	Start(ctx context.Context) (Run, error)
	Close() error
}

// Run is a run in progress or ended.
type Run interface {
	// Events follows the run's events after sequence number after.
	Events(after uint64) Stream
	Halt(reason string)
	Done() <-chan struct{}
	// Outcome is the result, once Done is closed.
	Outcome() *Outcome
}

// Stream reads events in order; io.EOF after the last one.
type Stream interface {
	Next(ctx context.Context) (Event, error)
}

// UnfinishedRun is a run a dead process left in a journal.
type UnfinishedRun struct {
	Inventory  string
	JournalDir string
	Journal    string // the run's file
	Kind       Kind
	Plan       *plan.Plan
	PID        int
	// Ports says where the journal last saw each port.
	Ports any
}
