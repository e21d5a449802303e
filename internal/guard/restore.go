package guard

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
)

// Restores, announcements and the age of evidence.
//
// Whenever a system is (re)placed in Production — promote, the undo of
// isolate in any rollback, a recovery — its bindings are announced
// (gratuitous ARP in both forms, AnnounceCount times, AnnounceInterval
// apart) and its ownership of every address is checked afterwards, so
// that neighbours stop sending to the MACs of the system that left when
// the switch change lands, not when their caches expire. A binding is
// announced only while the switches hold it: each round first asks the
// engine (engine.Landing.InPlace), which looks at the step's trial
// deadline and reads the switches again after a stop of the process; a
// binding that leaves Production (the undo of promote) stops its
// announcements at once. The rounds still due when a run ends are sent
// before the guard closes (WaitAnnouncements).
//
// A check judges the state a step left, so it uses only evidence the
// kernel received after that step was read back (engine.Landing.ReadBack;
// the prober's IgnoreBefore, the watcher's ExpectSince).

// Check statuses.
const (
	StatusOK          = "ok"
	StatusBlocked     = "blocked"
	StatusNotVerified = "not verified" // could not be checked; the run went on, and says why
	StatusVoid        = "void"         // its evidence predates a revert of the step it judged
)

// Verdict is the check's status: Status, or, for a check recorded
// without one, ok or blocked as Passed says.
func (c Check) Verdict() string {
	switch {
	case c.Status != "":
		return c.Status
	case c.Passed:
		return StatusOK
	}
	return StatusBlocked
}

// announcement is one binding being announced in a VLAN.
type announcement struct {
	vlan   int
	cancel context.CancelFunc
	done   chan struct{}
}

// announcements are the guard's running announcements, by VLAN.
type announcements struct {
	mu      sync.Mutex
	running map[int]*announcement
}

// Landed implements engine.LandingHooks: from now on checks use only
// evidence received after the read-back, and announcements of what the
// step put in place ask the engine whether the switches still hold it.
func (g *Guard) Landed(_ context.Context, _ *plan.Plan, l engine.Landing) {
	g.mu.Lock()
	if l.ReadBack.After(g.since) {
		g.since = l.ReadBack
	}
	g.inPlace = l.InPlace
	g.mu.Unlock()
	g.cfg.Prober.IgnoreBefore(l.ReadBack)
}

// landing returns the evidence horizon and the in-place check of the
// last step read back.
func (g *Guard) landing() (time.Time, func(context.Context) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	inPlace := g.inPlace
	if inPlace == nil {
		inPlace = func(context.Context) error { return nil }
	}
	return g.since, inPlace
}

// expectFrom sets the watcher's expectations for vlan for the frames
// captured from since on (an empty since: from now).
func (g *Guard) expectFrom(vlan int, macs map[netip.Addr][]arpframe.MAC, since time.Time) {
	if since.IsZero() {
		since = time.Now()
	}
	for _, a := range g.cfg.Addrs {
		g.cfg.Watcher.ExpectSince(vlan, a, macs[a], since)
	}
}

// left tells the watcher that the owners left vlan (a switch change that
// moved them out was read back): the next owner there is a change of
// owner, not a flip-flop with them.
func (g *Guard) left(vlan int, owners map[netip.Addr][]arpframe.MAC) {
	for _, a := range g.cfg.Addrs {
		if macs := owners[a]; len(macs) > 0 {
			g.cfg.Watcher.Left(vlan, a, macs)
		}
	}
}

// announceIn claims each address for its owner in vlan: the first round
// now, the others in the background, every round only while inPlace
// says the switches hold the binding. An announcement already running in
// vlan stops first (the binding it claimed is being replaced).
func (g *Guard) announceIn(ctx context.Context, step string, vlan int, owners map[netip.Addr]arpframe.MAC, inPlace func(context.Context) error) error {
	g.stopAnnouncing(vlan)
	if g.cfg.NoAnnounce || len(owners) == 0 {
		return nil
	}
	if err := inPlace(ctx); err != nil {
		g.progress("guard %s: not announcing in VLAN %d: %v", step, vlan, err)
		return err
	}
	if err := g.cfg.Prober.Announce(g.ctx, vlan, owners, 1, 0); err != nil {
		return fmt.Errorf("guard %s: %w", step, err)
	}
	g.progress("guard %s: announced %d addresses in VLAN %d (gratuitous ARP in request and reply forms, unsolicited neighbour advertisements with Override; %d× every %s)", step, len(owners), vlan, g.cfg.AnnounceCount, g.cfg.AnnounceInterval)
	if g.cfg.AnnounceCount < 2 {
		return nil
	}
	actx, cancel := context.WithCancel(g.ctx)
	a := &announcement{vlan: vlan, cancel: cancel, done: make(chan struct{})}
	g.ann.mu.Lock()
	if g.ann.running == nil {
		g.ann.running = map[int]*announcement{}
	}
	g.ann.running[vlan] = a
	g.ann.mu.Unlock()
	go func() {
		defer close(a.done)
		defer cancel()
		for i := 1; i < g.cfg.AnnounceCount; i++ {
			t := time.NewTimer(g.cfg.AnnounceInterval)
			select {
			case <-actx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if err := inPlace(actx); err != nil {
				if actx.Err() == nil {
					g.progress("guard %s: announcements in VLAN %d stopped: %v", step, vlan, err)
				}
				return
			}
			if err := g.cfg.Prober.Announce(actx, vlan, owners, 1, 0); err != nil {
				if actx.Err() == nil {
					g.progress("guard %s: announcing in VLAN %d again failed: %v", step, vlan, err)
				}
				return
			}
		}
	}()
	return nil
}

// stopAnnouncing stops the announcement running in vlan, if any: its
// binding is leaving.
func (g *Guard) stopAnnouncing(vlan int) {
	g.ann.mu.Lock()
	a := g.ann.running[vlan]
	delete(g.ann.running, vlan)
	g.ann.mu.Unlock()
	if a != nil {
		a.cancel()
		<-a.done
	}
}

// Announcing reports whether announcements are still due.
func (g *Guard) Announcing() bool {
	g.ann.mu.Lock()
	defer g.ann.mu.Unlock()
	for _, a := range g.ann.running {
		select {
		case <-a.done:
		default:
			return true
		}
	}
	return false
}

// WaitAnnouncements waits until the announcements still due have been
// sent (or stopped), or ctx ends: a run that ends right after a restore
// must not cut its repeated announcements short.
func (g *Guard) WaitAnnouncements(ctx context.Context) error {
	g.ann.mu.Lock()
	var pending []*announcement
	for _, a := range g.ann.running {
		pending = append(pending, a)
	}
	g.ann.mu.Unlock()
	for _, a := range pending {
		select {
		case <-a.done:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// firstMACs are the owners to announce: each address's (single) MAC.
func firstMACs(addrs []netip.Addr, macs map[netip.Addr][]arpframe.MAC) map[netip.Addr]arpframe.MAC {
	out := map[netip.Addr]arpframe.MAC{}
	for _, a := range addrs {
		if m := macs[a]; len(m) > 0 {
			out[a] = m[0]
		}
	}
	return out
}

// Recall gives a guard that has not seen the preflight (a recovery) the
// evidence of who owned the addresses that the run's journal kept: MACs
// it will recognise as the outgoing system's (the rollback may bring
// them back) and the incoming system's.
func (g *Guard) Recall(out, in map[netip.Addr][]arpframe.MAC) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.outMACs == nil && len(out) > 0 {
		g.outMACs = out
	}
	if g.inMACs == nil && len(in) > 0 {
		g.inMACs = in
	}
}

// evidence hands the owners the guard has verified to the journal.
func (g *Guard) evidence() {
	if g.cfg.Evidence == nil {
		return
	}
	g.mu.Lock()
	out, in := g.outMACs, g.inMACs
	g.mu.Unlock()
	g.cfg.Evidence(out, in)
}

// BeforeUndo implements engine.UndoHooks. Before undoing isolate — the
// outgoing system returning to Production — nobody but the outgoing
// system may answer there. A foreign answer stops the rollback (the old
// system stays isolated rather than join another owner); answers from the
// outgoing system's own MACs (a half-isolated system, or one its switch
// already put back by reverting a trial) are no reason to stop, and the
// check says so; a probe that cannot run is recorded as not verified and
// the undo goes on: the rollback reaches isolate only after the later
// steps were undone completely, so the switches already show the incoming
// system out of Production. Before the other undos the watcher learns
// who is about to come back where.
func (g *Guard) BeforeUndo(ctx context.Context, p *plan.Plan, i int) error {
	if g.outPorts == nil { // a recovery: no step of this run went through the guard
		if err := g.roles(p); err != nil {
			return err
		}
	}
	g.mu.Lock()
	out, in := g.outMACs, g.inMACs
	g.mu.Unlock()
	switch p.Steps[i].Name {
	case plan.StepPromote:
		if in != nil {
			g.expectFrom(g.staging, in, time.Time{}) // the incoming system is about to return
		}
		return nil
	case plan.StepPark:
		if g.parkMoves && out != nil {
			g.expectFrom(g.holding, out, time.Time{})
		}
		return nil
	case plan.StepIsolate:
	default:
		return nil
	}
	const step, what = "undo-isolate", "nobody else answers in Production"
	start := time.Now()
	proof, owners, err := g.cfg.Prober.Absence(ctx, g.prod, g.cfg.Addrs, g.cfg.Window)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		g.record(Check{Step: step, Name: what, VLAN: g.prod, Status: StatusNotVerified, Duration: time.Since(start),
			Detail: fmt.Sprintf("not verified, undoing anyway (the later steps are undone): guard %s: probing VLAN %d: %v", step, g.prod, err)})
		return nil
	}
	if proof != nil {
		g.record(Check{Step: step, Name: what, VLAN: g.prod, Passed: true, Duration: time.Since(start),
			Detail: fmt.Sprintf("%d probes, %s quiet", proof.Probes, proof.Window)})
		g.mu.Lock()
		g.emptyBeforeUndo = true
		g.mu.Unlock()
		if out != nil {
			g.expectFrom(g.prod, out, time.Time{})
		}
		return nil
	}
	detail, macs := g.describe(ctx, g.prod, owners)
	g.mu.Lock()
	mine := g.ownedByOutgoing(macs)
	g.mu.Unlock()
	if !mine {
		mine = g.onOutgoingPorts(ctx, g.prod, macs)
	}
	if !mine {
		g.record(Check{Step: step, Name: what, VLAN: g.prod, Duration: time.Since(start), Detail: detail})
		return &engine.BlockedError{Step: step, Reason: fmt.Sprintf("%s: %s", what, detail), Restore: false}
	}
	g.record(Check{Step: step, Name: what, VLAN: g.prod, Passed: true, Duration: time.Since(start),
		Detail: "the only answers are the outgoing system's own MACs: going on (" + detail + ")"})
	g.mu.Lock()
	if g.outMACs == nil {
		g.outMACs = owners // recognised by the switches' MAC tables
	}
	out = g.outMACs
	g.mu.Unlock()
	g.expectFrom(g.prod, out, time.Time{})
	return nil
}

// AfterUndo implements engine.AfterUndoHooks: the watcher and the
// prober follow the systems back; the undo of promote stops the incoming
// system's announcements, the undo of isolate announces the outgoing
// system back in Production and checks that it owns every address there.
func (g *Guard) AfterUndo(ctx context.Context, p *plan.Plan, i int) error {
	if g.outPorts == nil {
		if err := g.roles(p); err != nil {
			return err
		}
	}
	since, _ := g.landing()
	g.mu.Lock()
	out, in := g.outMACs, g.inMACs
	g.mu.Unlock()
	switch p.Steps[i].Name {
	case plan.StepPromote:
		g.stopAnnouncing(g.prod)
		g.cfg.Prober.Moved(g.prod, g.staging, g.cfg.Addrs)
		g.expectFrom(g.prod, nil, since)
		g.left(g.prod, in)
	case plan.StepPark:
		if g.parkMoves {
			g.cfg.Prober.Moved(g.park, g.holding, g.cfg.Addrs)
			g.expectFrom(g.park, nil, since)
			g.left(g.park, out)
		}
	case plan.StepIsolate:
		g.cfg.Prober.Moved(g.holding, g.prod, g.cfg.Addrs)
		g.expectFrom(g.holding, nil, since)
		g.left(g.holding, out)
		return g.restored(ctx)
	}
	return nil
}

// restored announces the outgoing system back in Production and checks
// that it, and only it, answers for every address there (the checks of
// step "restore"). A recovery's guard may not know the outgoing MACs (no
// preflight, nothing in the journal): it takes those that answer now, if
// the switches place them on the outgoing system's ports or nobody
// answered before the undo. An announcement that cannot be sent does not
// undo the restore: it is said, and the neighbours learn the restored
// MACs when their caches expire.
func (g *Guard) restored(ctx context.Context) error {
	const step, what = "restore", "the outgoing system owns every address in Production"
	g.mu.Lock()
	out, emptyBefore := g.outMACs, g.emptyBeforeUndo
	g.mu.Unlock()
	announce := func() {
		noop := func(context.Context) error { return nil } // an undo is applied outright, never on trial
		if err := g.announceIn(ctx, step, g.prod, firstMACs(g.cfg.Addrs, out), noop); err != nil {
			g.progress("guard %s: NOT ANNOUNCED in VLAN %d (%v): neighbours keep the MACs they cached until their entries expire", step, g.prod, err)
		}
	}
	known := out != nil
	if known {
		announce()
	}
	start := time.Now()
	owners, err := g.cfg.Prober.Presence(ctx, g.prod, g.cfg.Addrs)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		g.record(Check{Step: step, Name: what, VLAN: g.prod, Status: StatusNotVerified, Duration: time.Since(start), Detail: "not verified: " + err.Error()})
		return nil
	}
	var silent []string
	for _, a := range g.cfg.Addrs {
		if len(owners[a]) == 0 {
			silent = append(silent, a.String())
		}
	}
	if !known {
		var macs []arpframe.MAC
		for _, m := range owners {
			macs = append(macs, m...)
		}
		if len(macs) > 0 && (emptyBefore || g.onOutgoingPorts(ctx, g.prod, macs)) {
			out = owners
			g.mu.Lock()
			g.outMACs = owners
			g.mu.Unlock()
		}
	}
	foreign := map[netip.Addr][]arpframe.MAC{}
	for a, macs := range owners {
		for _, m := range macs {
			if !slices.Contains(out[a], m) {
				foreign[a] = append(foreign[a], m)
			}
		}
	}
	c := Check{Step: step, Name: what, VLAN: g.prod, Duration: time.Since(start)}
	switch {
	case out == nil:
		c.Status = StatusNotVerified
		c.Detail = "not verified and not announced: the MACs that answer cannot be told to be the outgoing system's (no preflight evidence, no MAC table)"
		g.record(c)
		return nil
	case len(foreign) > 0:
		detail, _ := g.describe(ctx, g.prod, foreign)
		c.Detail = "other owners: " + detail
		g.record(c)
		return &engine.BlockedError{Step: step, Reason: c.Name + ": " + c.Detail}
	case len(silent) > 0:
		c.Status = StatusNotVerified
		c.Detail = "no answer yet for " + strings.Join(silent, ", ")
		g.record(c)
	default:
		c.Passed, c.Detail = true, fmt.Sprintf("%d addresses, outgoing MACs only", len(g.cfg.Addrs))
		g.record(c)
	}
	g.expectFrom(g.prod, out, time.Time{})
	if !known {
		announce()
	}
	return nil
}

// verifiedInPlace is called when a check after a step is about to pass:
// the evidence must not predate a revert of the step. The engine reads
// the switches again if the process may have been stopped since; if they
// no longer hold the step, the check is void.
func (g *Guard) verifiedInPlace(ctx context.Context, c *Check) error {
	_, inPlace := g.landing()
	err := inPlace(ctx)
	if err == nil {
		return nil
	}
	var rev *engine.RevertedError
	if !errors.As(err, &rev) {
		return err
	}
	c.Passed, c.Status = false, StatusVoid
	c.Detail = "not counted, the switches no longer hold the step it judges: " + err.Error()
	g.record(*c)
	return err
}
