package labs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/guard"
	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// LabDirEnv is the variable a rehearsal inventory can use to reach the
// lab's run directory, e.g. address: unix:${CUTOVER_LAB_DIR:-/run/cutover/labs/cutover}/db.sock.
// During a rehearsal it is set to the lab's run directory for the
// inventory only (the process environment is not changed).
const LabDirEnv = "CUTOVER_LAB_DIR"

// ProbeNetnsEnv names the lab probe host's network namespace (Lab.Env).
const ProbeNetnsEnv = "CUTOVER_LAB_PROBE_NETNS"

// Rehearsal configures one rehearsal run.
type Rehearsal struct {
	Lab       *Lab
	Inventory string // inventory file whose switches are the lab's
	Registry  *switchdrivers.Registry
	// Scenario stages a fault (see Scenarios); empty for a clean run.
	Scenario string
	// NoGuard runs without the guard; NoAnnounce without the gratuitous-ARP
	// announcements (both to measure what they gain).
	NoGuard, NoAnnounce bool
	// Interval between pings to each address (default 10 ms).
	Interval time.Duration
	// WarmUp bounds the wait for the old system to answer before the
	// cut-over (default 20 s); Recover bounds the wait for every address to
	// answer after it (default 120 s).
	WarmUp, Recover time.Duration
	// Keep leaves the lab up afterwards.
	Keep bool
	// ConfirmTimeout applies steps on trial where the switches can
	// (engine.Engine.ConfirmTimeout); 0 is off.
	ConfirmTimeout time.Duration
	// Progress receives human-readable lines; EngineProgress the engine's events.
	Progress       func(string)
	EngineProgress func(engine.Event)
	// OnStart, if set, is given the cut-over's run as soon as it starts
	// (to follow its events or halt it: the daemon does).
	OnStart func(*runs.Run)
}

// RehearsalStep is one step as reported by a rehearsal.
type RehearsalStep struct {
	Name     string    `json:"name"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Moves    int       `json:"moves"`
	Error    string    `json:"error,omitempty"`
}

// RehearsalReport is the outcome (`cutover rehearse -o json`).
type RehearsalReport struct {
	Result   string          `json:"result"`
	Scenario string          `json:"scenario,omitempty"`
	Expected string          `json:"expected,omitempty"` // the scenario's expected result
	Lab      string          `json:"lab"`
	Plan     string          `json:"plan"`
	Guarded  bool            `json:"guarded"`
	Steps    []RehearsalStep `json:"steps"`
	Rollback []RehearsalStep `json:"rollback,omitempty"`
	Guard    []guard.Check   `json:"guard,omitempty"`
	// DowntimeMS is, per address (IPv4 and IPv6), the longest gap between
	// answered pings from the gateway host, from the start of the
	// cut-over to recovery.
	DowntimeMS    map[string]int64 `json:"downtime_ms"`
	MaxDowntimeMS int64            `json:"max_downtime_ms"`
	// Outage breaks the longest outage down into its physical parts and
	// the floor they add up to (package outage); nil without the guard's
	// announcement (no guard, or a run that did not reach promote).
	Outage *outage.Breakdown `json:"outage,omitempty"`
	// ConflictsObserved counts conflicts seen by a watcher of its own on the
	// gateway host's Production port (ARP and IPv6 neighbour discovery),
	// independent of the guard.
	ConflictsObserved int               `json:"conflicts_observed"`
	Ports             map[string]string `json:"ports"` // switch:port -> segment afterwards
	PingsSent         int               `json:"pings_sent"`
	PingsAnswered     int               `json:"pings_answered"`
	Error             string            `json:"error,omitempty"`
}

func (r *Rehearsal) progress(format string, a ...any) {
	if r.Progress != nil {
		r.Progress(fmt.Sprintf(format, a...))
	}
}

// node returns the one linux node with the given role label.
func (r *Rehearsal) node(role string) (string, error) {
	var found []string
	for _, name := range r.Lab.Topo.NodeNames() {
		if n := r.Lab.Topo.Topology.Nodes[name]; !n.IsSwitch() && n.Labels[LabelRole] == role {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("topology %s: a rehearsal needs exactly one linux node labelled %s: %s (found %d)", r.Lab.Topo.File, LabelRole, role, len(found))
	}
	return found[0], nil
}

// Run brings the lab up, stages the pre-cut-over state through the
// drivers (old system in Production, new in Migration), stages the
// scenario's fault, pings every service address from the gateway host,
// applies the cut-over plan under the guard, waits for every address to
// answer again, and reports the outage per address. The lab is taken down
// afterwards unless Keep is set or it was already up. A report is returned
// whenever the cut-over itself ran.
func (r *Rehearsal) Run(ctx context.Context) (rep *RehearsalReport, err error) {
	if r.Interval <= 0 {
		r.Interval = 10 * time.Millisecond
	}
	if r.WarmUp <= 0 {
		r.WarmUp = 20 * time.Second
	}
	if r.Recover <= 0 {
		r.Recover = 120 * time.Second
	}
	l := r.Lab
	sc, err := lookupScenario(r.Scenario)
	if err != nil {
		return nil, err
	}
	gw, err := r.node(RoleGateway)
	if err != nil {
		return nil, err
	}
	// The inventory names the lab's switches through CUTOVER_LAB_* variables;
	// emulated switches' addresses are known once the lab is up, so it is
	// read again then.
	load := func() (*plan.Inventory, error) {
		env := l.Env()
		return plan.Load(r.Inventory, plan.LoadOptions{Catalog: r.Registry, LookupEnv: func(k string) (string, bool) {
			if v, ok := env[k]; ok {
				if v == "" {
					v = "127.0.0.1:1" // not up yet
				}
				return v, true
			}
			return os.LookupEnv(k)
		}})
	}
	inv, err := load()
	if err != nil {
		return nil, err
	}
	// Every service address is pinged, IPv4 and IPv6 alike: the gateway
	// node needs an address of each family the inventory uses.
	targets := slices.Clone(inv.Systems.Old.Addresses)
	if sc != nil && sc.needsIPv6 && !slices.ContainsFunc(targets, netip.Addr.Is6) {
		return nil, fmt.Errorf("scenario %s needs an IPv6 service address in the inventory %s", sc.Name, r.Inventory)
	}
	guardNS, err := r.guardNamespace(inv)
	if err != nil {
		return nil, err
	}
	if sc != nil && sc.extend != nil {
		sc.extend(l.Topo, inv)
		if err := l.Topo.check(); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
	}

	st, _ := l.Status(ctx)
	wasUp := st != nil && st.Healthy
	if err := l.Up(ctx); err != nil {
		return nil, err
	}
	if !r.Keep && !wasUp {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if derr := l.Down(dctx); derr != nil {
				err = errors.Join(err, derr)
			}
		}()
	}

	if inv, err = load(); err != nil {
		return nil, err
	}
	// The cut-over is an ordinary run (internal/runs), unjournaled, with
	// the guard in the probe host and the scenario's faults between steps.
	// The guard stays up until the measurement is over (prep.Close): its
	// later announcements fall in the time the service takes to come back.
	prep, err := runs.PrepareInventory(inv, runs.Options{Kind: runs.KindApply, Registry: r.Registry, NoGuard: r.NoGuard, ConfirmTimeout: r.ConfirmTimeout,
		Lab: runs.Lab{GuardNamespace: guardNS, NoAnnounce: r.NoAnnounce, KeepGuard: true, Hooks: func(inner engine.Hooks, session *guard.Session) engine.Hooks {
			if sc == nil || sc.afterStep == nil {
				return inner
			}
			return &scenarioHooks{inner: inner, sc: sc, lab: l, inv: inv, session: session}
		}}})
	if err != nil {
		return nil, err
	}
	defer prep.Close()
	drivers, p := prep.Drivers, prep.Plan
	if err := r.stage(ctx, inv, drivers); err != nil {
		return nil, fmt.Errorf("staging the pre-cut-over state: %w", err)
	}
	if sc != nil && sc.setup != nil {
		r.progress("scenario %s: %s", sc.Name, sc.Description)
		if err := sc.setup(ctx, l, inv); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
	}

	// The client's view: pings, and an independent watcher, on the gateway.
	obs, err := l.Observe(ctx, gw, "eth1", inv.VLANs.Production, targets, r.Interval)
	if err != nil {
		return nil, err
	}
	defer obs.Close()
	pg := obs.Pinger

	r.progress("pinging %d addresses from %s every %s", len(targets), gw, r.Interval)
	warm := time.Now()
	if err := waitFor(ctx, r.WarmUp, func() bool { return pg.Answering(warm) }); err != nil {
		var silent []string
		for _, s := range pg.Stats(warm, time.Now()) {
			if s.LastReply.Before(warm) {
				silent = append(silent, s.Target.String())
			}
		}
		return nil, fmt.Errorf("the old system does not answer %s's pings to %s before the cut-over: %w", gw, strings.Join(silent, ", "), err)
	}

	r.progress("cutting over: %d moves in %d steps (guard %s)", p.Moves(), len(p.Steps), onOff(!r.NoGuard))
	run, err := prep.Start(ctx)
	if err != nil {
		return nil, err
	}
	if r.OnStart != nil {
		r.OnStart(run)
	}
	run.Follow(func(ev runs.Event) {
		switch {
		case ev.Kind == runs.EventGuard && r.Progress != nil:
			r.Progress(ev.Text)
		case ev.Engine != nil && r.EngineProgress != nil:
			r.EngineProgress(*ev.Engine)
		}
	})
	res := run.Wait()
	er := res.Report
	if er == nil {
		return nil, res.Err // the guard did not start
	}
	// Downtime is measured over the engine's work, as before the run layer.
	start, ended := res.Started, res.Ended
	r.progress("plan %s; waiting for every address to answer", er.Result)
	recErr := waitFor(ctx, r.Recover, func() bool { return pg.Answering(ended) })
	// Keep pinging briefly so the last gap is closed by steady replies.
	time.Sleep(min(200*time.Millisecond, 20*r.Interval))
	stop := time.Now()

	rep = &RehearsalReport{Result: er.Result, Lab: l.Name, Plan: p.Hash, Guarded: !r.NoGuard, DowntimeMS: map[string]int64{}, Ports: map[string]string{}, Error: er.Error}
	if sc != nil {
		rep.Scenario, rep.Expected = sc.Name, sc.Expect
	}
	for _, s := range er.Steps {
		rep.Steps = append(rep.Steps, RehearsalStep(s))
	}
	for _, s := range er.Rollback {
		rep.Rollback = append(rep.Rollback, RehearsalStep(s))
	}
	rep.Guard = res.Guard
	for _, s := range pg.Stats(start, stop) {
		ms := s.LongestGap.Milliseconds()
		rep.DowntimeMS[s.Target.String()] = ms
		rep.MaxDowntimeMS = max(rep.MaxDowntimeMS, ms)
		rep.PingsSent += s.Sent
		rep.PingsAnswered += s.Received
	}
	rep.ConflictsObserved = obs.Conflicts()
	// The outage in parts: the gateway's first answers after the
	// announcement end it.
	if tl := run.Timeline(); !tl.First(plan.StepPromote, outage.Announced).IsZero() {
		announced := tl.First(plan.StepPromote, outage.Announced)
		rep.Outage = tl.Breakdown(plan.StepIsolate, plan.StepPromote, pg.AllAnswered(announced), time.Duration(rep.MaxDowntimeMS)*time.Millisecond)
	}
	for name, d := range drivers {
		ports, err := d.Ports(ctx)
		if pr, ok := d.(switchdrivers.PortReader); ok && err != nil {
			// A port of the plan may be a row the driver cannot read: the
			// report still shows the ports it did read.
			var read switchdrivers.PortRead
			if read, err = pr.ReadPorts(ctx); err == nil {
				ports = read.Ports
			}
		}
		if err == nil {
			for _, pt := range ports {
				rep.Ports[name+":"+pt.Name] = pt.Segment
			}
		}
	}
	if recErr != nil {
		var down []string
		for _, s := range pg.Stats(start, stop) {
			if s.LastReply.Before(ended) {
				down = append(down, s.Target.String())
			}
		}
		msg := fmt.Sprintf("not answering %s after the cut-over: %v", recErr, down)
		rep.Error = joinMsg(rep.Error, msg)
		return rep, errors.New(msg)
	}
	return rep, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// guardNamespace checks the inventory's guard section and returns how to
// reach the guard's interfaces in the lab: in the node labelled
// cutover.role: probe (nil without the guard).
func (r *Rehearsal) guardNamespace(inv *plan.Inventory) (func(fn func() error) error, error) {
	if r.NoGuard {
		return nil, nil
	}
	probeNode, err := r.node("probe")
	if err != nil {
		return nil, err
	}
	if _, err := guard.SetupFrom(inv); err != nil {
		return nil, err
	}
	ns := r.Lab.NodeNS(probeNode)
	return func(fn func() error) error { return netns.Do(ns, fn) }, nil
}

// scenarioHooks runs a scenario's fault injection after the guard has
// checked a step, then gives the watcher a moment to react.
type scenarioHooks struct {
	inner   engine.Hooks
	sc      *Scenario
	lab     *Lab
	inv     *plan.Inventory
	session *guard.Session
}

func (h *scenarioHooks) BeforeStep(ctx context.Context, p *plan.Plan, i int) error {
	if h.inner == nil {
		return nil
	}
	return h.inner.BeforeStep(ctx, p, i)
}

// BeforeUndo passes the guard's check before an undo through.
func (h *scenarioHooks) BeforeUndo(ctx context.Context, p *plan.Plan, i int) error {
	if uh, ok := h.inner.(engine.UndoHooks); ok {
		return uh.BeforeUndo(ctx, p, i)
	}
	return nil
}

// Committed and ReadBack pass the moments a step reaches on the switches
// to the guard (it announces at promote's commit and starts the absence
// proof at isolate's read-back).
func (h *scenarioHooks) Committed(ctx context.Context, p *plan.Plan, i int) {
	if ph, ok := h.inner.(engine.PhaseHooks); ok {
		ph.Committed(ctx, p, i)
	}
}

func (h *scenarioHooks) ReadBack(ctx context.Context, p *plan.Plan, i int, at time.Time) {
	if ph, ok := h.inner.(engine.PhaseHooks); ok {
		ph.ReadBack(ctx, p, i, at)
	}
}

// Landed passes the read-back of each step to the guard (its evidence
// horizon, the in-place check of a trial).
func (h *scenarioHooks) Landed(ctx context.Context, p *plan.Plan, l engine.Landing) {
	if lh, ok := h.inner.(engine.LandingHooks); ok {
		lh.Landed(ctx, p, l)
	}
}

// AfterUndo passes the guard's work after an undo through (announcing
// a system back in Production).
func (h *scenarioHooks) AfterUndo(ctx context.Context, p *plan.Plan, i int) error {
	if ah, ok := h.inner.(engine.AfterUndoHooks); ok {
		return ah.AfterUndo(ctx, p, i)
	}
	return nil
}

func (h *scenarioHooks) AfterStep(ctx context.Context, p *plan.Plan, i int) error {
	if h.inner != nil {
		if err := h.inner.AfterStep(ctx, p, i); err != nil {
			return err
		}
	}
	// The injected fault is the world's doing, not the run's: a halt must
	// not interrupt it.
	injected, err := h.sc.afterStep(context.WithoutCancel(ctx), h.lab, h.inv, p.Steps[i].Name)
	if err != nil {
		return fmt.Errorf("scenario %s: %w", h.sc.Name, err)
	}
	if !injected {
		return nil
	}
	// Let the injected frames reach the watcher before the next step: a
	// halt ends the wait at once; on a loaded machine the capture may lag
	// the injection by hundreds of milliseconds, so the bound is generous.
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(2 * time.Second):
	}
	return nil
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// stage moves the old system's ports into Production and the new system's
// into Migration, from wherever they are, through the drivers.
func (r *Rehearsal) stage(ctx context.Context, inv *plan.Inventory, drivers map[string]switchdrivers.Driver) error {
	live := map[string]map[string]string{}
	for name, d := range drivers {
		ports, err := d.Ports(ctx)
		if err != nil {
			return err
		}
		live[name] = map[string]string{}
		for _, p := range ports {
			live[name][p.Name] = p.Segment
		}
	}
	step := plan.Step{Name: "stage"}
	bySwitch := map[string]int{}
	add := func(refs []plan.PortRef, system, role string) error {
		for _, ref := range refs {
			cur, ok := live[ref.Switch][ref.Port]
			if !ok {
				return fmt.Errorf("switch %s has no port %s", ref.Switch, ref.Port)
			}
			want := inv.Segment(ref.Switch, role)
			if cur == want {
				continue
			}
			i, ok := bySwitch[ref.Switch]
			if !ok {
				i = len(step.Batches)
				bySwitch[ref.Switch] = i
				step.Batches = append(step.Batches, plan.Batch{Switch: ref.Switch})
			}
			step.Batches[i].Moves = append(step.Batches[i].Moves, plan.Move{Port: ref.Port, System: system, FromRole: "lab", ToRole: role, From: cur, To: want})
		}
		return nil
	}
	if err := add(inv.Systems.Old.Ports, "old", plan.Production); err != nil {
		return err
	}
	if err := add(inv.Systems.New.Ports, "new", plan.Migration); err != nil {
		return err
	}
	slices.SortFunc(step.Batches, func(a, b plan.Batch) int { return strings.Compare(a.Switch, b.Switch) })
	r.progress("staging: %d ports (old -> Production, new -> Migration)", step.Moves())
	rep := (&engine.Engine{Drivers: drivers}).Run(ctx, &plan.Plan{Name: "stage", Kind: "stage", Steps: []plan.Step{step}})
	return rep.Err
}

// waitFor polls cond every 10 ms until it holds, ctx ends or limit passes.
func waitFor(ctx context.Context, limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("within %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
