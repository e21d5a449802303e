package runrequest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
)

// Config configures a Board.
type Config struct {
	// StateDir holds the journals (journal/<inventory>/) and the audit log.
	StateDir string
	Executor Executor
	// ApprovalRequired is four-eyes approval; ApprovalTimeout ends a
	// request nobody decided.
	ApprovalRequired bool
	ApprovalTimeout  time.Duration
	// Rehearse allows rehearse requests (a lab is configured).
	Rehearse bool
	// Observe is told every event of every request, in order per
	// request; it must not block (metrics, webhooks).
	Observe func(View, Event)
	Log     *slog.Logger
}

// MaxReason bounds a reason's length.
const MaxReason = 1000

// View is a request as the API shows it.
type View struct {
	ID             string     `json:"id"`
	Kind           Kind       `json:"kind"`
	Inventory      string     `json:"inventory"`
	State          State      `json:"state"`
	Reason         string     `json:"reason"`
	RequestedBy    string     `json:"requested_by"`
	RequestedAt    time.Time  `json:"requested_at"`
	PlanHash       string     `json:"plan_hash"`
	Plan           *plan.Plan `json:"plan,omitempty"`
	Switches       []string   `json:"switches"`
	ExpiresAt      time.Time  `json:"expires_at,omitzero"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      time.Time  `json:"decided_at,omitzero"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	HaltedBy       string     `json:"halted_by,omitempty"`
	HaltReason     string     `json:"halt_reason,omitempty"`
	Error          string     `json:"error,omitempty"`
	Result         *Outcome   `json:"result,omitempty"`
	Journal        string     `json:"journal,omitempty"`
	// Recovery lists the choices for an unfinished run.
	Recovery []string `json:"recovery,omitempty"`
	// RecoveredBy and RecoveryMode say who chose which recovery.
	RecoveredBy  string `json:"recovered_by,omitempty"`
	RecoveryMode string `json:"recovery_mode,omitempty"`
	// Unfinished says where the dead process left each port.
	Unfinished any `json:"unfinished_ports,omitempty"`
}

type request struct {
	View
	spec     Spec
	phase    []Event
	wake     chan struct{}
	run      Run
	switches []string
	timer    *time.Timer
	// seq numbers the request's changes in the store.
	seq uint64
}

// Board holds the requests and runs of one daemon.
type Board struct {
	cfg   Config
	audit *auditLog
	store *store
	log   *slog.Logger
	// ctx is the runs' context: runs outlive the HTTP requests that
	// start them.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	reqs   map[string]*request
	order  []string
	claims map[string]string // switch -> request id
	closed bool
	wg     sync.WaitGroup
}

// New opens the board: it reads the requests a previous process kept in
// the state directory (each with the state it had), reads the journals
// for unfinished runs (each reported with state unfinished, its switches
// held until it is recovered; a request whose run it is keeps its ID),
// closes the requests a previous process left undecided (they expire;
// nothing starts them) and settles the runs it left running from their
// journals.
func New(cfg Config) (*Board, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Observe == nil {
		cfg.Observe = func(View, Event) {}
	}
	audit, err := openAudit(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Board{cfg: cfg, audit: audit, store: st, log: cfg.Log, ctx: ctx, cancel: cancel, reqs: map[string]*request{}, claims: map[string]string{}}
	if err := b.expireOrphans(); err != nil {
		cancel()
		return nil, err
	}
	stored, err := st.load()
	if err != nil {
		cancel()
		return nil, err
	}
	for _, rec := range stored {
		b.restore(rec)
	}
	unfinished, err := cfg.Executor.Unfinished(b.journalRoot())
	if err != nil {
		cancel()
		return nil, fmt.Errorf("reading the journals under %s: %w", b.journalRoot(), err)
	}
	for _, u := range unfinished {
		b.addUnfinished(u, b.adoptable(u))
	}
	for _, id := range slices.Clone(b.order) {
		b.settle(b.reqs[id])
	}
	// One line per request from here on.
	b.mu.Lock()
	recs := make([]storedRequest, 0, len(b.order))
	for _, id := range b.order {
		recs = append(recs, b.record(b.reqs[id], true))
	}
	b.mu.Unlock()
	if err := st.compact(recs); err != nil {
		cancel()
		return nil, err
	}
	return b, nil
}

// record snapshots r for the store (b.mu held); the plan goes with the
// first line of a request, or with every line when withPlan is set.
func (b *Board) record(r *request, withPlan bool) storedRequest {
	r.seq++
	v := r.snapshot()
	v.Plan = nil
	rec := storedRequest{Seq: r.seq, View: v, Phase: slices.Clone(r.phase)}
	if withPlan || r.seq == 1 {
		rec.Plan = r.Plan
	}
	return rec
}

// save writes a change to the store (b.mu not held).
func (b *Board) save(rec storedRequest) {
	if err := b.store.write(rec); err != nil {
		b.log.Error("request store", "run", rec.View.ID, "error", err)
	}
}

// restore adds a request a previous process kept, as it was.
func (b *Board) restore(rec storedRequest) {
	v := rec.View
	v.Plan = rec.Plan
	if v.Switches == nil {
		v.Switches = []string{}
	}
	r := &request{View: v, phase: rec.Phase, wake: make(chan struct{}), seq: rec.Seq,
		spec: Spec{Kind: v.Kind, Inventory: v.Inventory, JournalDir: b.JournalDir(v.Inventory)}}
	b.reqs[r.ID] = r
	b.order = append(b.order, r.ID)
}

// adoptable is the restored request whose run u is (nil: none): one the
// previous process had running, recovering or unfinished on the same
// inventory, with the same journal or, before its journal was known,
// the same plan.
func (b *Board) adoptable(u UnfinishedRun) *request {
	for _, id := range b.order {
		r := b.reqs[id]
		if r.Inventory != u.Inventory || (r.State != Running && r.State != Recovering && r.State != Unfinished) {
			continue
		}
		if r.Journal == u.Journal || (r.Journal == "" && u.Plan != nil && r.PlanHash == u.Plan.Hash) {
			return r
		}
	}
	return nil
}

// restartReason says why a restored request ended with the restart.
const restartReason = "the daemon restarted before anybody decided; nothing was started"

// settle ends a restored request the previous process left undecided or
// running, unless it is held as an unfinished run: undecided, it expires;
// running, its journal says how it ended.
func (b *Board) settle(r *request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.run != nil || r.State.Terminal() || (r.State == Unfinished && len(r.Recovery) > 0 && b.claims["inventory:"+r.Inventory] == r.ID) {
		return
	}
	if r.State == AwaitingApproval {
		r.DecisionReason, r.DecidedAt, r.ExpiresAt = restartReason, time.Now(), time.Time{}
		b.setState(r, Expired)
		b.phaseEvent(r, "expired", "", restartReason)
		return
	}
	// It was running (or recovering) when the previous process stopped,
	// and its journal is not an unfinished run now.
	state, why := b.journaledEnd(r)
	r.Error = why
	r.Recovery = nil
	b.setState(r, state)
	b.phaseEvent(r, "ended", "", why)
}

// journaledEnd reads how a run the previous process left running ended,
// from its journal (b.mu held).
func (b *Board) journaledEnd(r *request) (State, string) {
	path := r.Journal
	if path == "" && r.Kind != Rehearse {
		// Its journal was not known yet: the journal directory's last run
		// is its run if it has its plan and began after the request.
		if last, err := journal.Last(b.JournalDir(r.Inventory)); err == nil && last != nil && last.Plan.Hash == r.PlanHash &&
			len(last.Records) > 0 && !last.Records[0].Time.Before(r.RequestedAt) {
			path = last.Path
		}
	}
	switch {
	case path == "" && r.Kind == Rehearse:
		return Failed, "the daemon stopped during this rehearsal (rehearsals are not journaled): see the lab's ports"
	case path == "":
		return Failed, "the daemon stopped before this run opened its journal: nothing was moved"
	}
	jr, err := journal.Read(path)
	if err != nil {
		return Failed, fmt.Sprintf("the daemon stopped during this run, and its journal cannot be read: %v", err)
	}
	r.Journal = path
	if !jr.Ended {
		return Failed, fmt.Sprintf("the daemon stopped during this run; its journal %s did not end and is not an unfinished run of this daemon's (another process holds its lock, or a later run followed): see cutover status", path)
	}
	r.Result = &Outcome{Class: string(classState(jr.Result)), Journal: path}
	return classState(jr.Result), fmt.Sprintf("the daemon stopped before it recorded this run's end; its journal %s ends with %s", path, jr.Result)
}

func (b *Board) journalRoot() string { return filepath.Join(b.cfg.StateDir, "journal") }

// JournalDir is the journal directory of an inventory.
func (b *Board) JournalDir(inventory string) string { return filepath.Join(b.journalRoot(), inventory) }

// expireOrphans closes the requests the audit log shows undecided: the
// process that held them is gone, and nothing may start them now.
func (b *Board) expireOrphans() error {
	recs, err := b.audit.read("")
	if err != nil {
		return err
	}
	open := map[string]AuditRecord{}
	var order []string
	for _, r := range recs {
		switch r.Event {
		case "requested":
			if _, seen := open[r.Run]; !seen {
				order = append(order, r.Run)
			}
			open[r.Run] = r
		case "approved", "denied", "expired", "refused", "stale":
			delete(open, r.Run)
		}
	}
	for _, id := range order {
		r, ok := open[id]
		if !ok {
			continue
		}
		if err := b.audit.write(AuditRecord{Run: id, Event: "expired", Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, State: Expired,
			Reason: "the daemon restarted before anybody decided; nothing was started"}); err != nil {
			return err
		}
	}
	return nil
}

// addUnfinished reports an unfinished run a dead process left: as the
// restored request whose run it was (adopt, keeping its ID, requester and
// reason), or as a request of its own.
func (b *Board) addUnfinished(u UnfinishedRun, adopt *request) {
	why := fmt.Sprintf("process %d died in this run; its journal %s did not end", u.PID, u.Journal)
	r := adopt
	if r == nil {
		sum := sha256.Sum256([]byte(u.Journal))
		r = &request{wake: make(chan struct{})}
		r.View = View{ID: "u" + hex.EncodeToString(sum[:])[:15], Kind: u.Kind, Inventory: u.Inventory, Reason: why, Plan: u.Plan}
	} else {
		r.Error, r.Result, r.RecoveredBy, r.RecoveryMode = why, nil, "", ""
	}
	r.spec = Spec{Kind: u.Kind, Inventory: u.Inventory, JournalDir: u.JournalDir}
	r.State, r.PlanHash, r.Journal, r.Recovery, r.Unfinished = Unfinished, u.Plan.Hash, u.Journal, []string{RecoverRollback, RecoverResume}, u.Ports
	if r.Plan == nil {
		r.Plan = u.Plan
	}
	r.Switches = []string{}
	for _, s := range u.Plan.Steps {
		for _, bt := range s.Batches {
			if !slices.Contains(r.Switches, bt.Switch) {
				r.Switches = append(r.Switches, bt.Switch)
			}
		}
	}
	b.mu.Lock()
	if adopt == nil {
		b.reqs[r.ID] = r
		b.order = append(b.order, r.ID)
	}
	// The switches are held until the run is recovered: their keys come
	// from the inventory, which may not even load any more, so the
	// inventory's name stands for them too.
	r.switches = []string{"inventory:" + u.Inventory}
	if p, err := b.cfg.Executor.Prepare(b.ctx, Spec{Kind: u.Kind, Inventory: u.Inventory, JournalDir: u.JournalDir}); err == nil {
		r.switches = append(r.switches, p.Switches()...)
		p.Close()
	}
	for _, s := range r.switches {
		b.claims[s] = r.ID
	}
	ev := b.phaseEvent(r, "unfinished", "", why)
	b.mu.Unlock()
	b.log.Warn("unfinished run found: an approver must choose rollback or resume", "run", r.ID, "inventory", u.Inventory, "journal", u.Journal, "pid", u.PID)
	b.audit.write(AuditRecord{Run: r.ID, Event: "unfinished", Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: why, State: Unfinished})
	b.cfg.Observe(r.View, ev)
}

// phaseEvent appends a request event and wakes its readers (b.mu held).
func (b *Board) phaseEvent(r *request, kind, who, reason string) Event {
	ev := Event{ID: "a" + strconv.Itoa(len(r.phase)+1), Time: time.Now(), Kind: kind, Run: r.ID, State: r.State, Who: who, Reason: reason, Result: r.Result}
	r.phase = append(r.phase, ev)
	close(r.wake)
	r.wake = make(chan struct{})
	return ev
}

// setState changes the state and wakes readers (b.mu held).
func (b *Board) setState(r *request, s State) {
	r.State = s
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *request) snapshot() View {
	v := r.View
	v.Switches = slices.Clone(r.Switches)
	return v
}

// List returns every request, newest first.
func (b *Board) List() []View {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]View, 0, len(b.order))
	for i := len(b.order) - 1; i >= 0; i-- {
		v := b.reqs[b.order[i]].snapshot()
		v.Plan = nil
		out = append(out, v)
	}
	return out
}

// Get returns one request.
func (b *Board) Get(id string) (View, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.reqs[id]
	if !ok {
		return View{}, fail(ErrNotFound, "run %q: no such run", id)
	}
	return r.snapshot(), nil
}

// Create is what a client asks for.
type Create struct {
	Kind      Kind   `json:"kind"`
	Inventory string `json:"inventory"`
	Reason    string `json:"reason"`
	// PlanHash, if given, must be the inventory's current plan: the one
	// the requester reviewed.
	PlanHash string `json:"plan_hash,omitempty"`
}

var printable = regexp.MustCompile(`^[^\x00-\x08\x0b-\x1f\x7f]*$`)

func checkReason(reason, what string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", fail(ErrInvalid, "reason is required: say why (%s)", what)
	case len(reason) > MaxReason:
		return "", fail(ErrInvalid, "reason is %d bytes long; at most %d", len(reason), MaxReason)
	case !printable.MatchString(reason):
		return "", fail(ErrInvalid, "reason has control characters")
	}
	return reason, nil
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Create records a request: its plan is compiled now and its hash kept.
// With approval required it waits for an approver; otherwise it starts.
func (b *Board) Create(ctx context.Context, p *auth.Principal, c Create) (View, error) {
	if !slices.Contains(Kinds, c.Kind) {
		return View{}, fail(ErrInvalid, "kind %q: want apply, fallback, rollback or rehearse", c.Kind)
	}
	if c.Kind == Rehearse && !b.cfg.Rehearse {
		return View{}, fail(ErrInvalid, "kind rehearse: this daemon has no lab (configure lab: to rehearse)")
	}
	if c.Inventory == "" {
		return View{}, fail(ErrInvalid, "inventory is required")
	}
	reason, err := checkReason(c.Reason, "it is journaled with the run")
	if err != nil {
		return View{}, err
	}
	id := newID()
	spec := Spec{Kind: c.Kind, Inventory: c.Inventory, JournalDir: b.JournalDir(c.Inventory)}
	if !b.cfg.ApprovalRequired {
		// Started at once: the run is prepared once, its notes with it.
		spec.Notes = []string{fmt.Sprintf("requested by %s (%s) through the daemon, run %s: %s; four-eyes approval is off", p.Name, p.Role, id, reason)}
	}
	prep, err := b.cfg.Executor.Prepare(ctx, spec)
	if err != nil {
		return View{}, err
	}
	pl, switches := prep.Plan(), prep.Switches()
	if b.cfg.ApprovalRequired {
		prep.Close()
		prep = nil
	}
	if c.PlanHash != "" && c.PlanHash != pl.Hash {
		if prep != nil {
			prep.Close()
		}
		return View{}, fail(ErrConflict, "plan_hash %s does not match: inventory %s now compiles plan %s; review the plan again", c.PlanHash, c.Inventory, pl.Hash)
	}
	r := &request{spec: spec, wake: make(chan struct{}), switches: switches}
	r.View = View{ID: id, Kind: c.Kind, Inventory: c.Inventory, Reason: reason, RequestedBy: p.Name, RequestedAt: time.Now(),
		PlanHash: pl.Hash, Plan: pl, State: AwaitingApproval, Switches: planSwitches(pl)}
	b.mu.Lock()
	if b.closed || b.overlap(r) != "" {
		other := b.overlap(r)
		b.mu.Unlock()
		if prep != nil {
			prep.Close()
		}
		if other == "" {
			return View{}, fail(ErrClosed, "the daemon is shutting down; nothing was requested")
		}
		return View{}, fail(ErrConflict, "%s", other)
	}
	if b.cfg.ApprovalRequired {
		r.ExpiresAt = r.RequestedAt.Add(b.cfg.ApprovalTimeout)
	}
	b.reqs[r.ID] = r
	b.order = append(b.order, r.ID)
	ev := b.phaseEvent(r, "requested", p.Name, reason)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	if err := b.audit.write(AuditRecord{Run: r.ID, Event: "requested", Who: p.Name, Role: string(p.Role), Address: p.Addr.String(),
		Kind: c.Kind, Inventory: c.Inventory, PlanHash: pl.Hash, Reason: reason, State: AwaitingApproval}); err != nil {
		b.log.Error("audit log", "error", err)
	}
	b.log.Info("run requested", "run", r.ID, "kind", c.Kind, "inventory", c.Inventory, "plan", pl.Hash, "by", p.Name, "reason", reason)
	b.cfg.Observe(r.snapshot(), ev)
	if prep != nil {
		if err := b.startPrepared(r, prep); err != nil {
			return View{}, err
		}
		return b.Get(r.ID)
	}
	r.timer = time.AfterFunc(b.cfg.ApprovalTimeout, func() { b.expire(r.ID) })
	return b.Get(r.ID)
}

func planSwitches(p *plan.Plan) []string {
	out := []string{}
	for _, s := range p.Steps {
		for _, bt := range s.Batches {
			if !slices.Contains(out, bt.Switch) {
				out = append(out, bt.Switch)
			}
		}
	}
	return out
}

// overlap says which active run holds one of r's switches ("" none; b.mu held).
func (b *Board) overlap(r *request) string {
	for _, s := range r.switches {
		if id, ok := b.claims[s]; ok && id != r.ID {
			o := b.reqs[id]
			if o.run != nil {
				select {
				case <-o.run.Done():
					// Ended: its follower frees the switch in a moment;
					// a client that saw the end may go on at once.
					continue
				default:
				}
			}
			return fmt.Sprintf("switch %s is in run %s (%s of %s, %s); two runs never share a switch", strings.TrimPrefix(s, "inventory:"), id, o.Kind, o.Inventory, o.State)
		}
	}
	return ""
}

// decision looks up an awaiting request for a decision (b.mu held).
func (b *Board) awaiting(id string) (*request, error) {
	r, ok := b.reqs[id]
	if !ok {
		return nil, fail(ErrNotFound, "run %q: no such run", id)
	}
	if r.State != AwaitingApproval {
		return nil, fail(ErrConflict, "run %s is %s, not awaiting approval", id, r.State)
	}
	return r, nil
}

// Approve approves a request for the exact plan hash the approver saw,
// then prepares it again from the inventory as it is now and starts it.
// The requester cannot approve their own request.
func (b *Board) Approve(ctx context.Context, p *auth.Principal, id, planHash, reason string) (View, error) {
	if reason == "" {
		reason = "approved"
	}
	reason, err := checkReason(reason, "")
	if err != nil {
		return View{}, err
	}
	b.mu.Lock()
	r, err := b.awaiting(id)
	if err != nil {
		b.mu.Unlock()
		return View{}, err
	}
	switch {
	case p.Name == r.RequestedBy:
		b.mu.Unlock()
		return View{}, fail(ErrForbidden, "four-eyes: %s requested run %s and cannot approve it; another approver must", p.Name, id)
	case planHash == "":
		b.mu.Unlock()
		return View{}, fail(ErrInvalid, "plan_hash is required: approve the plan you reviewed (run %s has plan %s)", id, r.PlanHash)
	case planHash != r.PlanHash:
		b.mu.Unlock()
		return View{}, fail(ErrConflict, "plan_hash %s is not the plan of run %s (%s); nothing was approved", planHash, id, r.PlanHash)
	}
	r.timer.Stop()
	r.DecidedBy, r.DecidedAt, r.DecisionReason = p.Name, time.Now(), reason
	r.ExpiresAt = time.Time{}
	b.setState(r, Running) // no second decision from here on
	ev := b.phaseEvent(r, "approved", p.Name, reason)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: id, Event: "approved", Who: p.Name, Role: string(p.Role), Address: p.Addr.String(), Kind: r.Kind, Inventory: r.Inventory, PlanHash: planHash, Reason: reason, State: Running})
	b.log.Info("run approved", "run", id, "by", p.Name, "plan", planHash, "reason", reason)
	b.cfg.Observe(r.snapshot(), ev)
	notes := []string{
		fmt.Sprintf("requested by %s through the daemon, run %s: %s", r.RequestedBy, id, r.Reason),
		fmt.Sprintf("approved by %s (%s) for plan %s: %s", p.Name, p.Role, planHash, reason),
	}
	if err := b.start(r, notes, planHash); err != nil {
		return View{}, err
	}
	return b.Get(id)
}

// start prepares the request again, checks its plan hash, claims its
// switches and starts it. A failure ends the request (stale or refused)
// and is returned.
func (b *Board) start(r *request, notes []string, approvedHash string) error {
	spec := r.spec
	spec.Notes = notes
	end := func(s State, kind string, err error) error { return b.endUnstarted(r, s, kind, err) }
	prep, err := b.cfg.Executor.Prepare(b.ctx, spec)
	if err != nil {
		return end(Stale, "stale", fail(ErrConflict, "run %s was not started: the inventory cannot be prepared any more: %v", r.ID, err))
	}
	if h := prep.Plan().Hash; h != r.PlanHash {
		prep.Close()
		return end(Stale, "stale", fail(ErrConflict, "run %s was not started: inventory %s now compiles plan %s, not the approved %s; request it again", r.ID, r.Inventory, h, r.PlanHash))
	}
	return b.startPrepared(r, prep)
}

// startPrepared claims the request's switches and starts its prepared run.
func (b *Board) startPrepared(r *request, prep Prepared) error {
	end := func(s State, kind string, err error) error { return b.endUnstarted(r, s, kind, err) }
	b.mu.Lock()
	r.switches = prep.Switches()
	if other := b.overlap(r); other != "" {
		b.mu.Unlock()
		prep.Close()
		return end(Refused, "refused", fail(ErrConflict, "run %s was not started: %s", r.ID, other))
	}
	if b.closed {
		b.mu.Unlock()
		prep.Close()
		return end(Refused, "refused", fail(ErrClosed, "run %s was not started: the daemon is shutting down", r.ID))
	}
	for _, s := range r.switches {
		b.claims[s] = r.ID
	}
	b.mu.Unlock()
	run, err := prep.Start(b.ctx)
	if err != nil {
		prep.Close()
		return end(Refused, "refused", fail(ErrConflict, "run %s was not started: %v", r.ID, err))
	}
	b.mu.Lock()
	r.run = run
	if r.State != Recovering {
		b.setState(r, Running)
	}
	ev := b.phaseEvent(r, "started", "", "")
	b.wg.Add(1)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.log.Info("run started", "run", r.ID, "kind", r.Kind, "inventory", r.Inventory, "plan", r.PlanHash)
	b.cfg.Observe(r.snapshot(), ev)
	go b.follow(r, prep, run)
	return nil
}

// endUnstarted ends a request that could not start (stale, refused).
func (b *Board) endUnstarted(r *request, s State, kind string, err error) error {
	b.mu.Lock()
	r.Error = err.Error()
	b.setState(r, s)
	b.release(r)
	ev := b.phaseEvent(r, kind, "", r.Error)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: r.ID, Event: kind, Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: r.Error, State: s})
	b.log.Warn("run not started", "run", r.ID, "state", s, "error", r.Error)
	b.cfg.Observe(r.snapshot(), ev)
	b.cfg.Observe(r.snapshot(), Event{Kind: "end", Run: r.ID, Time: time.Now(), State: s, Error: r.Error})
	return err
}

// release frees the request's switches (b.mu held).
func (b *Board) release(r *request) {
	for s, id := range b.claims {
		if id == r.ID {
			delete(b.claims, s)
		}
	}
}

// follow passes the run's events to the observer and records its end.
func (b *Board) follow(r *request, prep Prepared, run Run) {
	defer b.wg.Done()
	stream := run.Events(0)
	for {
		ev, err := stream.Next(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				b.log.Error("following the run's events", "run", r.ID, "error", err)
			}
			break
		}
		if ev.Kind == "journal" && ev.Text != "" {
			// The run's journal is open: a restart finds the run by it.
			b.mu.Lock()
			r.Journal = ev.Text
			rec := b.record(r, false)
			b.mu.Unlock()
			b.save(rec)
		}
		b.cfg.Observe(r.snapshot(), ev)
	}
	<-run.Done()
	out := run.Outcome()
	prep.Close()
	b.mu.Lock()
	r.Result, r.Journal = out, out.Journal
	if out.Error != "" {
		r.Error = out.Error
	}
	r.Recovery = nil
	b.setState(r, classState(out.Class))
	b.release(r)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: r.ID, Event: "ended", Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, State: classState(out.Class), Reason: out.Error})
	b.log.Info("run ended", "run", r.ID, "result", out.Class, "journal", out.Journal, "error", out.Error)
}

func classState(class string) State {
	switch class {
	case "done":
		return Done
	case "blocked":
		return Blocked
	case "rolled_back":
		return RolledBack
	}
	return Failed
}

// expire ends a request nobody decided in time.
func (b *Board) expire(id string) {
	b.mu.Lock()
	r, ok := b.reqs[id]
	if !ok || r.State != AwaitingApproval {
		b.mu.Unlock()
		return
	}
	reason := fmt.Sprintf("nobody approved it within %s; nothing was started", b.cfg.ApprovalTimeout)
	r.DecisionReason, r.DecidedAt = reason, time.Now()
	b.setState(r, Expired)
	b.release(r)
	ev := b.phaseEvent(r, "expired", "", reason)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: id, Event: "expired", Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: reason, State: Expired})
	b.log.Info("run request expired", "run", id)
	b.cfg.Observe(r.snapshot(), ev)
	b.cfg.Observe(r.snapshot(), Event{Kind: "end", Run: id, Time: time.Now(), State: Expired, Reason: reason})
}

// Deny ends a request awaiting approval.
func (b *Board) Deny(p *auth.Principal, id, reason string) (View, error) {
	reason, err := checkReason(reason, "a denial is journaled with who and why")
	if err != nil {
		return View{}, err
	}
	b.mu.Lock()
	r, err := b.awaiting(id)
	if err != nil {
		b.mu.Unlock()
		return View{}, err
	}
	r.timer.Stop()
	r.DecidedBy, r.DecidedAt, r.DecisionReason, r.ExpiresAt = p.Name, time.Now(), reason, time.Time{}
	b.setState(r, Denied)
	b.release(r)
	ev := b.phaseEvent(r, "denied", p.Name, reason)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: id, Event: "denied", Who: p.Name, Role: string(p.Role), Address: p.Addr.String(), Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: reason, State: Denied})
	b.log.Info("run denied", "run", id, "by", p.Name, "reason", reason)
	b.cfg.Observe(r.snapshot(), ev)
	b.cfg.Observe(r.snapshot(), Event{Kind: "end", Run: id, Time: time.Now(), State: Denied, Who: p.Name, Reason: reason})
	return b.Get(id)
}

// Halt stops a running run: what it did is undone as after any failure
// (unless the guard says going back is unsafe). The run's journal and the
// audit log say who halted it and why.
func (b *Board) Halt(p *auth.Principal, id, reason string) (View, error) {
	reason, err := checkReason(reason, "a halt is journaled with who and why")
	if err != nil {
		return View{}, err
	}
	b.mu.Lock()
	r, ok := b.reqs[id]
	if !ok {
		b.mu.Unlock()
		return View{}, fail(ErrNotFound, "run %q: no such run", id)
	}
	if (r.State != Running && r.State != Recovering) || r.run == nil {
		b.mu.Unlock()
		return View{}, fail(ErrConflict, "run %s is %s, not running: nothing to halt", id, r.State)
	}
	r.HaltedBy, r.HaltReason = p.Name, reason
	run := r.run
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: id, Event: "halt", Who: p.Name, Role: string(p.Role), Address: p.Addr.String(), Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: reason})
	b.log.Warn("run halted", "run", id, "by", p.Name, "reason", reason)
	run.Halt(fmt.Sprintf("halted by %s: %s", p.Name, reason))
	return b.Get(id)
}

// Recover starts the recovery an approver chose for an unfinished run.
func (b *Board) Recover(ctx context.Context, p *auth.Principal, id, mode, reason string) (View, error) {
	if mode != RecoverRollback && mode != RecoverResume {
		return View{}, fail(ErrInvalid, "mode %q: want rollback or resume", mode)
	}
	reason, err := checkReason(reason, "a recovery is journaled with who and why")
	if err != nil {
		return View{}, err
	}
	b.mu.Lock()
	r, ok := b.reqs[id]
	if !ok {
		b.mu.Unlock()
		return View{}, fail(ErrNotFound, "run %q: no such run", id)
	}
	if r.State != Unfinished {
		b.mu.Unlock()
		return View{}, fail(ErrConflict, "run %s is %s, not unfinished: nothing to recover", id, r.State)
	}
	r.RecoveredBy, r.RecoveryMode = p.Name, mode
	r.spec.Recover = mode
	b.setState(r, Recovering)
	// Its own claims must not refuse it.
	b.release(r)
	ev := b.phaseEvent(r, "recovery", p.Name, mode+": "+reason)
	rec := b.record(r, false)
	b.mu.Unlock()
	b.save(rec)
	b.audit.write(AuditRecord{Run: id, Event: "recovery", Who: p.Name, Role: string(p.Role), Address: p.Addr.String(), Kind: r.Kind, Inventory: r.Inventory, PlanHash: r.PlanHash, Reason: mode + ": " + reason, State: Recovering})
	b.log.Warn("recovering an unfinished run", "run", id, "mode", mode, "by", p.Name, "reason", reason)
	b.cfg.Observe(r.snapshot(), ev)
	if err := b.start(r, []string{fmt.Sprintf("recovery (%s) chosen by %s (%s) through the daemon: %s", mode, p.Name, p.Role, reason)}, ""); err != nil {
		return View{}, err
	}
	return b.Get(id)
}

// Events follows a request's events after lastEventID ("" from the
// start): a1, a2, … for the request's, a number for its run's.
func (b *Board) Events(id, lastEventID string) (*EventStream, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.reqs[id]
	if !ok {
		return nil, fail(ErrNotFound, "run %q: no such run", id)
	}
	s := &EventStream{b: b, r: r}
	switch {
	case lastEventID == "":
	case strings.HasPrefix(lastEventID, "a"):
		n, err := strconv.Atoi(lastEventID[1:])
		if err != nil || n < 0 {
			return nil, fail(ErrInvalid, "Last-Event-ID %q: want an event ID this stream sent (a1, a2, … or a number)", lastEventID)
		}
		s.phaseNext = n
	default:
		n, err := strconv.ParseUint(lastEventID, 10, 64)
		if err != nil {
			return nil, fail(ErrInvalid, "Last-Event-ID %q: want an event ID this stream sent (a1, a2, … or a number)", lastEventID)
		}
		s.phaseNext, s.runAfter = math.MaxInt, n
	}
	return s, nil
}

// EventStream reads one request's events.
type EventStream struct {
	b         *Board
	r         *request
	phaseNext int
	runAfter  uint64
	sub       Stream
}

// Next returns the next event, waiting for it until ctx ends; io.EOF
// after the last one.
func (s *EventStream) Next(ctx context.Context) (Event, error) {
	for s.sub == nil {
		s.b.mu.Lock()
		r := s.r
		if s.phaseNext < len(r.phase) {
			ev := r.phase[s.phaseNext]
			s.phaseNext++
			s.b.mu.Unlock()
			return ev, nil
		}
		if r.run != nil {
			s.sub = r.run.Events(s.runAfter)
			s.b.mu.Unlock()
			break
		}
		if r.State.Terminal() {
			s.b.mu.Unlock()
			return Event{}, io.EOF
		}
		wake := r.wake
		s.b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return Event{}, context.Cause(ctx)
		}
	}
	return s.sub.Next(ctx)
}

// JournalView is a run's journal and its audit records.
type JournalView struct {
	Run     string           `json:"run"`
	Journal string           `json:"journal"`
	Records []journal.Record `json:"records"`
	Audit   []AuditRecord    `json:"audit"`
}

// Journal returns the run's journal records (none before it started, or
// for a rehearsal, which is not journaled) and its audit records.
func (b *Board) Journal(id string) (JournalView, error) {
	v, err := b.Get(id)
	if err != nil {
		return JournalView{}, err
	}
	out := JournalView{Run: id, Journal: v.Journal, Records: []journal.Record{}}
	if out.Journal == "" {
		b.mu.Lock()
		if r := b.reqs[id]; r.run != nil {
			if o := r.run.Outcome(); o != nil {
				out.Journal = o.Journal
			}
		}
		b.mu.Unlock()
	}
	if out.Journal != "" {
		jr, err := journal.Read(out.Journal)
		if err != nil {
			return JournalView{}, fmt.Errorf("run %s: %w", id, err)
		}
		out.Records = jr.Records
	}
	if out.Audit, err = b.audit.read(id); err != nil {
		return JournalView{}, err
	}
	return out, nil
}

// Shutdown refuses new requests and waits for the runs in progress until
// ctx ends; a run still going then keeps its journal and lock (the next
// start reports it unfinished).
func (b *Board) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	for _, r := range b.reqs {
		if r.timer != nil {
			r.timer.Stop()
		}
	}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("runs still in progress after the shutdown timeout; their journals stay unfinished")
	}
}
