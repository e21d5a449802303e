package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/invdir"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// executor runs the board's requests through internal/runs, the same
// orchestration as the CLI's.
type executor struct {
	inventories    *invdir.Dir
	registry       *switchdrivers.Registry
	confirmTimeout time.Duration
	lab            *labRehearser // nil: no lab
}

// inventoryError marks the inventory's own problems (the API's 422).
func inventoryError(err error) error {
	return fmt.Errorf("%w: %w", runrequest.ErrInventory, err)
}

func (e *executor) load(name string) (*plan.Inventory, error) {
	inv, err := e.inventories.Load(name)
	var ve *plan.ValidationError
	if errors.Is(err, invdir.ErrNotFound) || errors.As(err, &ve) {
		return nil, inventoryError(err)
	}
	return inv, err
}

func runsKind(k runrequest.Kind) runs.Kind {
	switch k {
	case runrequest.Fallback:
		return runs.KindFallback
	case runrequest.Rollback:
		return runs.KindRollback
	}
	return runs.KindApply
}

// switchKeys identify the inventory's devices by driver and address.
func switchKeys(inv *plan.Inventory) []string {
	var out []string
	for _, s := range inv.Switches {
		out = append(out, s.Driver+"|"+s.Address)
	}
	slices.Sort(out)
	return out
}

func (e *executor) Prepare(ctx context.Context, spec runrequest.Spec) (runrequest.Prepared, error) {
	if spec.Kind == runrequest.Rehearse {
		if e.lab == nil {
			return nil, fmt.Errorf("%w: this daemon has no lab", runrequest.ErrInvalid)
		}
		return e.lab.prepare(ctx, spec)
	}
	inv, err := e.load(spec.Inventory)
	if err != nil {
		return nil, err
	}
	prep, err := runs.PrepareInventory(inv, runs.Options{Kind: runsKind(spec.Kind), Registry: e.registry, JournalDir: spec.JournalDir,
		Notes: spec.Notes, ConfirmTimeout: e.confirmTimeout})
	if err != nil {
		return nil, inventoryError(err)
	}
	if spec.Kind == runrequest.Rollback && spec.Recover == "" {
		if _, err := prep.LastRun(); err != nil {
			prep.Close()
			return nil, fmt.Errorf("%w: %w", runrequest.ErrConflict, err)
		}
	}
	return &prepared{prep: prep, spec: spec, switches: switchKeys(inv)}, nil
}

// Unfinished reads every inventory's journal directory under dir.
func (e *executor) Unfinished(dir string) ([]runrequest.UnfinishedRun, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []runrequest.UnfinishedRun
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		jd := filepath.Join(dir, ent.Name())
		st, err := runs.ReadStatus(jd)
		if err != nil {
			return nil, fmt.Errorf("journal %s: %w", jd, err)
		}
		if !st.Unfinished() {
			continue
		}
		kind := runrequest.Apply
		if runs.KindOf(st.Run.Plan) == runs.KindFallback {
			kind = runrequest.Fallback
		}
		out = append(out, runrequest.UnfinishedRun{Inventory: ent.Name(), JournalDir: jd, Journal: st.Run.Path, Kind: kind,
			Plan: st.Run.Plan, PID: st.Run.PID, Ports: st.Run.Ports()})
	}
	return out, nil
}

type prepared struct {
	prep     *runs.Prepared
	spec     runrequest.Spec
	switches []string
}

func (p *prepared) Plan() *plan.Plan   { return p.prep.Plan }
func (p *prepared) Switches() []string { return p.switches }
func (p *prepared) Close() error       { return p.prep.Close() }

func (p *prepared) Start(ctx context.Context) (runrequest.Run, error) {
	var r *runs.Run
	var err error
	if p.spec.Recover != "" {
		r, err = p.prep.Recover(ctx, runs.RecoverMode(p.spec.Recover))
	} else {
		r, err = p.prep.Start(ctx)
	}
	var stale *journal.StaleLockError
	if errors.As(err, &stale) {
		return nil, fmt.Errorf("%w (the daemon reports that run as unfinished after a restart; recover it first)", err)
	}
	if err != nil {
		return nil, err
	}
	return &run{r: r, plan: p.prep.Plan}, nil
}

// run adapts a *runs.Run.
type run struct {
	r    *runs.Run
	plan *plan.Plan
	// extra is added to the outcome (a rehearsal's downtime); hold is
	// closed once it is known.
	hold  chan struct{}
	extra func(*runrequest.Outcome)
	// converted holds each event converted and encoded once, whatever the
	// number of streams that send it (seq -> runrequest.Event).
	converted sync.Map
}

func (r *run) Events(after uint64) runrequest.Stream {
	return &stream{run: r, sub: r.r.Subscribe(after)}
}
func (r *run) Halt(reason string) { r.r.Halt(reason) }
func (r *run) Done() <-chan struct{} {
	if r.hold != nil {
		return r.hold
	}
	return r.r.Done()
}

func (r *run) Outcome() *runrequest.Outcome {
	select {
	case <-r.Done():
	default:
		return nil
	}
	res := r.r.Wait()
	out := outcome(res)
	if r.extra != nil {
		r.extra(out)
	}
	return out
}

func outcome(res *runs.Result) *runrequest.Outcome {
	out := &runrequest.Outcome{Class: string(res.Class), Error: res.Error, Halted: res.Halted, Journal: res.Journal,
		Started: res.Started, Ended: res.Ended, Guard: res.Guard}
	if res.Report != nil {
		out.Report = res.Report
	}
	return out
}

type stream struct {
	run *run
	sub *runs.Subscription
}

func (s *stream) Next(ctx context.Context) (runrequest.Event, error) {
	ev, err := s.sub.Next(ctx)
	if err != nil {
		return runrequest.Event{}, err
	}
	if c, ok := s.run.converted.Load(ev.Seq); ok {
		return c.(runrequest.Event), nil
	}
	out, err := s.convert(ctx, ev)
	if err != nil {
		return runrequest.Event{}, err
	}
	out.JSON, _ = json.Marshal(out)
	c, _ := s.run.converted.LoadOrStore(ev.Seq, out)
	return c.(runrequest.Event), nil
}

// convert turns a run's event into the daemon's: a batch's ports with
// their segments before and after, the end with its outcome.
func (s *stream) convert(ctx context.Context, ev runs.Event) (runrequest.Event, error) {
	out := runrequest.Event{ID: strconv.FormatUint(ev.Seq, 10), Seq: ev.Seq, Time: ev.Time, Kind: ev.Kind, Step: ev.Step, Switch: ev.Switch,
		Moves: ev.Moves, Duration: ev.Duration, Error: ev.Error, Text: ev.Text, Check: ev.Check}
	switch ev.Kind {
	case "batch-done":
		out.Ports = batchPorts(s.run.plan, ev.Step, ev.Switch, false)
	case "rollback-done":
		if ev.Error == "" {
			out.Ports = batchPorts(s.run.plan, strings.TrimPrefix(ev.Step, "undo-"), "", true)
		}
	case runs.EventEnd:
		if s.run.hold != nil {
			// A rehearsal's end waits for its measurement.
			select {
			case <-s.run.hold:
			case <-ctx.Done():
				return runrequest.Event{}, ctx.Err()
			}
		}
		out.Result = s.run.Outcome()
		if out.Result == nil && ev.Result != nil {
			out.Result = outcome(ev.Result)
		}
	}
	return out, nil
}

// batchPorts are the moves of step on sw ("" every switch), reversed for
// an undo.
func batchPorts(p *plan.Plan, step, sw string, reverse bool) []runrequest.PortChange {
	if p == nil {
		return nil
	}
	var out []runrequest.PortChange
	for _, s := range p.Steps {
		if s.Name != step {
			continue
		}
		for _, b := range s.Batches {
			if sw != "" && b.Switch != sw {
				continue
			}
			for _, m := range b.Moves {
				if reverse {
					m = m.Reverse()
				}
				out = append(out, runrequest.PortChange{Switch: b.Switch, Port: m.Port, System: m.System, FromRole: m.FromRole, From: m.From, ToRole: m.ToRole, To: m.To})
			}
		}
	}
	return out
}

// labRehearser runs rehearse requests in the configured lab
// (labs.Rehearsal, which runs the cut-over through internal/runs).
type labRehearser struct {
	cfg            *LabConfig
	inventories    *invdir.Dir
	registry       *switchdrivers.Registry
	confirmTimeout time.Duration
}

func (lr *labRehearser) prepare(ctx context.Context, spec runrequest.Spec) (runrequest.Prepared, error) {
	e, err := lr.inventories.Find(spec.Inventory)
	if err != nil {
		return nil, inventoryError(err)
	}
	inv, err := plan.Load(e.File, lr.inventories.LoadOptions())
	if err != nil {
		return nil, inventoryError(err)
	}
	// The plan a rehearsal runs is the cut-over's, as the lab's variables
	// resolve the inventory (its hash is what an approver approves).
	prep, err := runs.PrepareInventory(inv, runs.Options{Kind: runs.KindApply, Registry: lr.registry, NoGuard: true, ConfirmTimeout: lr.confirmTimeout})
	if err != nil {
		return nil, inventoryError(err)
	}
	p := prep.Plan
	prep.Close()
	return &rehearsalPrep{lr: lr, file: e.File, plan: p, switches: switchKeys(inv)}, nil
}

type rehearsalPrep struct {
	lr       *labRehearser
	file     string
	plan     *plan.Plan
	switches []string
}

func (p *rehearsalPrep) Plan() *plan.Plan   { return p.plan }
func (p *rehearsalPrep) Switches() []string { return p.switches }
func (p *rehearsalPrep) Close() error       { return nil }

// Start starts the rehearsal in the background (the lab's staging and
// the pre-cut-over pings come before its cut-over); the run's events
// follow once the cut-over has started, and its end waits for the
// downtime measurement.
func (p *rehearsalPrep) Start(ctx context.Context) (runrequest.Run, error) {
	topo, err := labs.LoadTopology(p.lr.cfg.Topology)
	if err != nil {
		return nil, err
	}
	l, err := labs.New(topo, p.lr.cfg.Name, p.lr.cfg.RunDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	r := &labRun{started: make(chan struct{}), finished: make(chan struct{}), cancel: cancel, plan: p.plan}
	reh := &labs.Rehearsal{Lab: l, Inventory: p.file, Registry: p.lr.registry, ConfirmTimeout: p.lr.confirmTimeout,
		OnStart: func(rr *runs.Run) {
			r.run = &run{r: rr, plan: rr.Plan(), hold: r.finished, extra: r.add}
			close(r.started)
		}}
	go func() {
		r.rep, r.err = reh.Run(ctx)
		cancel(nil)
		close(r.finished)
	}()
	return r, nil
}

// labRun is a rehearsal: before its cut-over starts there is no run to
// follow yet.
type labRun struct {
	started, finished chan struct{}
	cancel            context.CancelCauseFunc
	plan              *plan.Plan
	run               *run // set when started is closed
	rep               *labs.RehearsalReport
	err               error
}

func (l *labRun) Events(after uint64) runrequest.Stream { return &labStream{l: l, after: after} }

func (l *labRun) Halt(reason string) {
	select {
	case <-l.started:
		l.run.Halt(reason)
	default:
		l.cancel(&runs.HaltError{Reason: reason})
	}
}

func (l *labRun) Done() <-chan struct{} { return l.finished }

func (l *labRun) Outcome() *runrequest.Outcome {
	select {
	case <-l.finished:
	default:
		return nil
	}
	select {
	case <-l.started:
		return l.run.Outcome()
	default:
		// It ended before its cut-over started: nothing was moved by the
		// run (the lab's staging may have set the pre-cut-over state).
		return &runrequest.Outcome{Class: string(runs.ClassError), Error: "the rehearsal did not start its cut-over: " + l.err.Error()}
	}
}

type labStream struct {
	l     *labRun
	after uint64
	sub   runrequest.Stream
	ended bool
}

func (s *labStream) Next(ctx context.Context) (runrequest.Event, error) {
	if s.sub == nil {
		select {
		case <-s.l.started:
			s.sub = s.l.run.Events(s.after)
		case <-s.l.finished:
			select {
			case <-s.l.started:
				s.sub = s.l.run.Events(s.after)
			default:
				if s.ended {
					return runrequest.Event{}, io.EOF
				}
				s.ended = true
				return runrequest.Event{ID: "1", Seq: 1, Time: time.Now(), Kind: runs.EventEnd, Result: s.l.Outcome(), Error: s.l.err.Error()}, nil
			}
		case <-ctx.Done():
			return runrequest.Event{}, ctx.Err()
		}
	}
	return s.sub.Next(ctx)
}

func (l *labRun) add(o *runrequest.Outcome) {
	if l.rep != nil {
		o.DowntimeMS, o.MaxDowntimeMS = l.rep.DowntimeMS, l.rep.MaxDowntimeMS
	}
	if l.err != nil {
		if o.Class == string(runs.ClassDone) {
			o.Class = string(runs.ClassError)
		}
		if o.Error == "" {
			o.Error = l.err.Error()
		}
	}
}
