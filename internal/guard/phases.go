package guard

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
)

// The outage lasts from the moment isolate takes the outgoing system out
// of Production until the incoming system's bindings are announced there,
// so the guard works inside it only where it must, and as early as the
// switches allow (engine.PhaseHooks):
//
//   - the absence proof that promote waits for starts the moment the
//     drivers have read the isolate back — the outgoing system has left
//     Production — while the engine reads the step back itself and
//     confirms its trials; it uses only answers received after that
//     read-back, and the passive watcher's evidence since before isolate;
//   - the new bindings are announced the moment every switch has
//     accepted the promote (the binding is in place); the promote's
//     read-back and the ownership check follow, outside the outage, and
//     the ownership check still uses only answers received after that
//     read-back.

// pendingProof is an absence proof running ahead of the BeforeStep that
// judges it.
type pendingProof struct {
	vlan int
	done chan struct{}
	res  absence
}

// Committed implements engine.PhaseHooks: once every switch has accepted
// the promote, the incoming system's bindings are in place and are
// announced. The first round goes out now — the switches have just said
// the binding is there — and every later one only while the step's
// engine.Landing.InPlace, once the promote has been read back, says the
// switches still hold it (before that, the step before's: the isolate,
// confirmed by then).
func (g *Guard) Committed(ctx context.Context, p *plan.Plan, i int) {
	if p.Steps[i].Name != plan.StepPromote || g.haltErr(ctx) != nil {
		return
	}
	latest := func(ctx context.Context) error {
		_, inPlace := g.landing()
		return inPlace(ctx)
	}
	if err := g.announcePromote(ctx, latest); err != nil {
		g.progress("guard promote: announcing when the switches accepted the promote failed (announcing again after its read-back): %v", err)
		return
	}
	g.mu.Lock()
	g.announced = true
	g.mu.Unlock()
}

// announcePromote announces the incoming system's bindings in Production
// (announceIn) and marks the moment on the outage's timeline.
func (g *Guard) announcePromote(ctx context.Context, inPlace func(context.Context) error) error {
	if err := g.announceIn(ctx, plan.StepPromote, g.prod, firstMACs(g.cfg.Addrs, g.inMACs), inPlace); err != nil {
		return err
	}
	if !g.cfg.NoAnnounce {
		g.cfg.Timeline.Mark(plan.StepPromote, "", outage.Announced, time.Now())
	}
	return nil
}

// ReadBack implements engine.PhaseHooks: once the drivers have read the
// isolate back, the outgoing system's addresses have left Production (the
// rate limit of ACD probes follows them) and the absence proof promote
// waits for starts.
func (g *Guard) ReadBack(ctx context.Context, p *plan.Plan, i int, at time.Time) {
	if p.Steps[i].Name != plan.StepIsolate || g.haltErr(ctx) != nil {
		return
	}
	g.cfg.Prober.Moved(g.prod, g.holding, g.cfg.Addrs)
	// Only answers received after the read-back are evidence: one the
	// outgoing system sent before it left is none.
	g.cfg.Prober.IgnoreBefore(at)
	pp := &pendingProof{vlan: g.prod, done: make(chan struct{})}
	g.mu.Lock()
	g.pending, g.isolatedAt = pp, at
	g.mu.Unlock()
	go func() {
		defer close(pp.done)
		pp.res = g.proveAbsence(ctx, pp.vlan)
	}()
}

// takePending returns the absence proof started ahead for vlan, once it
// is done (nil when none was).
func (g *Guard) takePending(ctx context.Context, vlan int) (*absence, error) {
	g.mu.Lock()
	pp := g.pending
	g.pending = nil
	g.mu.Unlock()
	if pp == nil || pp.vlan != vlan {
		return nil, nil
	}
	select {
	case <-pp.done:
		return &pp.res, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// absentBeforePromote is the absence proof in Production before promote:
// the one started when the isolate was read back, or one run now (a
// resume, drivers that report no read-back), and the passive watcher's
// evidence since before isolate: no MAC but the outgoing system's may
// have claimed an address in Production since, nor any after the
// isolate's read-back.
func (g *Guard) absentBeforePromote(ctx context.Context) error {
	const step, what = plan.StepPromote, "nobody answers in Production"
	res, err := g.takePending(ctx, g.prod)
	if err != nil {
		return err
	}
	if res == nil {
		r := g.proveAbsence(ctx, g.prod)
		res = &r
	}
	if err := g.judgeAbsence(ctx, step, g.prod, what, *res); err != nil {
		return err
	}
	return g.passive(ctx, step)
}

// passive blocks on a claim the guard's watcher saw in Production since
// before isolate from a MAC that is not the outgoing system's, or from
// any MAC after the isolate's read-back (the watcher halts the run on
// these too; this names them in the check).
func (g *Guard) passive(ctx context.Context, step string) error {
	g.mu.Lock()
	from, isolated := g.isolateFrom, g.isolatedAt
	g.mu.Unlock()
	if from.IsZero() {
		return nil
	}
	found := map[netip.Addr][]arpframe.MAC{}
	for _, a := range g.cfg.Addrs {
		for _, m := range g.cfg.Watcher.Owners(g.prod, a, from) {
			if !slices.Contains(g.outMACs[a], m) {
				found[a] = append(found[a], m)
			}
		}
		if !isolated.IsZero() {
			for _, m := range g.cfg.Watcher.Owners(g.prod, a, isolated) {
				if !slices.Contains(found[a], m) {
					found[a] = append(found[a], m)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	detail, macs := g.describe(ctx, g.prod, found)
	g.record(Check{Step: step, Name: "nobody claimed an address in Production since isolate began (watcher)", VLAN: g.prod, Passed: false, Detail: detail})
	g.mu.Lock()
	restore := g.ownedByOutgoing(macs)
	g.mu.Unlock()
	return &engine.BlockedError{Step: step, Reason: fmt.Sprintf("the watcher saw claims in Production since isolate began: %s", detail), Restore: restore}
}

// markAbsence puts a passed proof on the timeline (the one before promote
// is a part of the outage, with the round trips and window it used).
func (g *Guard) markAbsence(step string, a absence) {
	g.cfg.Timeline.Mark(step, "", outage.AbsenceStart, a.proof.Start)
	g.cfg.Timeline.Mark(step, "", outage.AbsenceEnd, a.proof.End)
	if step == plan.StepPromote {
		g.cfg.Timeline.Proof(a.rtt.Median, a.proof.Window)
	}
}

// proofDetail describes a passed proof.
func proofDetail(a absence) string {
	raised := ""
	if a.raised != "" {
		raised = " (" + a.raised + ")"
	}
	p := a.proof
	return strings.TrimSpace(fmt.Sprintf("%d probes in %d rounds %s apart, %s quiet%s%s", p.Probes, p.Rounds, p.Interval, p.Window, raised, describeRTT(a.rtt)))
}
