// Package guard makes a cut-over safe: it plugs into the engine's hooks
// and blocks any step that would let two hosts answer for one address in
// one VLAN, using ARP and IPv6 neighbour-discovery evidence from the prober
// (active) and the watcher (passive, running throughout). Every check
// covers every address of both families.
//
// For a plan (cut-over or fallback) with an outgoing system in Production
// and an incoming one in its staging VLAN:
//
//   - preflight, before isolate: the holding VLAN is free of the addresses;
//     every address answers in Production (the outgoing MACs) and in the
//     staging VLAN (the incoming MACs); the two MAC sets are disjoint;
//   - before promote: nobody answers in Production (absence proof);
//   - after promote: the new bindings are announced (gratuitous ARP,
//     unsolicited neighbour advertisements with Override) and every
//     address answers in Production from incoming MACs only;
//   - before park: nobody answers in the park VLAN;
//   - throughout: the watcher expects, per VLAN and address, exactly the
//     MACs the plan puts there; any other claimant, and any conflict the
//     watcher sees on a guarded address (a forged ARP claim included),
//     halts the run.
//
// A block says whether going back is safe: it is when every MAC in the
// evidence belongs to the outgoing system (say, a forgotten second NIC of
// an old server), and not when a foreign host is involved, because
// restoring the outgoing system would then create the very conflict the
// guard exists to prevent.
package guard

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/outage"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/prober"
	"github.com/cutover-net/cutover/probe/watch"
)

// Config configures a Guard.
type Config struct {
	Prober  *prober.Prober
	Watcher *watch.Analyzer // the guard's own; the Guard sets its expectations
	// VLANs maps roles (plan.Production, plan.Migration, plan.Shadow) to the
	// VLAN IDs the probe sees.
	VLANs map[string]int
	Addrs []netip.Addr
	// Window is the quiet window of an absence proof (default
	// DefaultWindow); the guard raises a shorter one to what the round
	// trips it measures justify (see window.go).
	Window time.Duration
	// AnnounceCount and AnnounceInterval: RFC 5227 §2.3 (default 2, 2 s).
	AnnounceCount    int
	AnnounceInterval time.Duration
	// NoAnnounce turns the announcements off (to measure what they gain).
	NoAnnounce bool
	// Locate returns the access ports ("switch:port") where a MAC sits;
	// nil or empty when the switches cannot tell.
	Locate func(ctx context.Context, mac arpframe.MAC, vlan int) []string
	// Halt stops the run at once (cancels the engine's context).
	Halt func(error)
	// Progress receives one line per check; Record each check (the journal).
	Progress func(string)
	Record   func(Check)
	// Timeline, if set, receives the moments of the absence proofs and
	// of the announcements (package outage).
	Timeline *outage.Timeline
	// Evidence, if set, receives the owners of the addresses each time the
	// guard has verified them (preflight, resume), for the journal: a
	// recovery's guard recalls them (Recall).
	Evidence func(outgoing, incoming map[netip.Addr][]arpframe.MAC)
}

// Check is one guard check, for reports and the journal.
type Check struct {
	Step   string `json:"step"`
	Name   string `json:"check"`
	VLAN   int    `json:"vlan"`
	Passed bool   `json:"passed"`
	// Status is ok, blocked, not verified or void (Verdict); empty in
	// checks recorded before it existed.
	Status   string        `json:"status,omitempty"`
	Detail   string        `json:"detail"`
	Duration time.Duration `json:"duration_ns"`
}

// Guard implements engine.Hooks.
type Guard struct {
	cfg    Config
	ctx    context.Context // for background announcements
	cancel context.CancelFunc

	prod, staging, holding, park int
	parkMoves                    bool
	outPorts, inPorts            map[string]bool // "switch:port" the plan moves

	mu      sync.Mutex
	step    string
	outMACs map[netip.Addr][]arpframe.MAC
	inMACs  map[netip.Addr][]arpframe.MAC
	// armed: preflight is over. Before that nothing has changed, so a
	// watcher conflict is held (early) and reported only if the
	// preflight's own, more precise, checks pass.
	armed  bool
	early  *engine.BlockedError
	halted error
	checks []Check
	// The outage's own work (phases.go): the absence proof started when
	// the isolate was read back, when isolate began and was read back,
	// and whether promote's bindings were announced at its commit.
	pending     *pendingProof
	isolateFrom time.Time
	isolatedAt  time.Time
	announced   bool
	// since: evidence received before it predates the last step read
	// back; inPlace: whether the switches still hold that step.
	since   time.Time
	inPlace func(context.Context) error
	// emptyBeforeUndo: nobody answered in Production before the undo of
	// isolate, so whoever answers after it is the outgoing system.
	emptyBeforeUndo bool
	ann             announcements
}

// New returns a guard. Close it to stop background announcements.
func New(ctx context.Context, cfg Config) (*Guard, error) {
	if cfg.Prober == nil || cfg.Watcher == nil {
		return nil, errors.New("guard: a prober and a watcher are required")
	}
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("guard: no addresses to guard")
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.AnnounceCount <= 0 {
		cfg.AnnounceCount = 2
	}
	if cfg.AnnounceInterval <= 0 {
		cfg.AnnounceInterval = 2 * time.Second
	}
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &Guard{cfg: cfg, ctx: gctx, cancel: cancel}, nil
}

// Close stops background work.
func (g *Guard) Close() { g.cancel() }

// Checks returns the checks made so far.
func (g *Guard) Checks() []Check {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.checks)
}

func (g *Guard) progress(format string, a ...any) {
	if g.cfg.Progress != nil {
		g.cfg.Progress(fmt.Sprintf(format, a...))
	}
}

func (g *Guard) record(c Check) {
	c.Status = c.Verdict()
	g.mu.Lock()
	g.checks = append(g.checks, c)
	g.mu.Unlock()
	if g.cfg.Record != nil {
		g.cfg.Record(c)
	}
	if c.Status == "" {
		c.Status = c.Verdict()
	}
	status := c.Status
	if status != StatusOK {
		status = strings.ToUpper(status)
	}
	g.progress("guard %s: %s in VLAN %d: %s (%s, %s)", c.Step, c.Name, c.VLAN, status, c.Detail, c.Duration.Round(time.Millisecond))
}

// roles reads the VLANs of the plan's roles from its moves.
func (g *Guard) roles(p *plan.Plan) error {
	vlan := func(role string) (int, error) {
		v, ok := g.cfg.VLANs[role]
		if !ok || v == 0 {
			return 0, fmt.Errorf("guard: no VLAN for role %s", role)
		}
		return v, nil
	}
	var err error
	if g.prod, err = vlan(plan.Production); err != nil {
		return err
	}
	g.outPorts, g.inPorts = map[string]bool{}, map[string]bool{}
	for _, s := range p.Steps {
		if len(s.Batches) == 0 {
			continue
		}
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				switch s.Name {
				case plan.StepIsolate:
					g.outPorts[b.Switch+":"+m.Port] = true
				case plan.StepPromote:
					g.inPorts[b.Switch+":"+m.Port] = true
				}
			}
		}
		m := s.Batches[0].Moves[0]
		switch s.Name {
		case plan.StepIsolate:
			g.holding, err = vlan(m.ToRole)
		case plan.StepPromote:
			g.staging, err = vlan(m.FromRole)
		case plan.StepPark:
			g.park, err = vlan(m.ToRole)
			g.parkMoves = true
		}
		if err != nil {
			return err
		}
	}
	if g.holding == 0 || g.staging == 0 {
		return errors.New("guard: the plan has no isolate or promote moves")
	}
	if !g.parkMoves {
		g.park = g.holding
	}
	return nil
}

// OnEvent receives the watcher's events (wire it to watch.Config.OnEvent).
// A conflict on a guarded address in a VLAN of the plan halts the run.
func (g *Guard) OnEvent(e watch.Event) {
	if !e.IsConflict() || !slices.Contains(g.cfg.Addrs, e.IP) {
		return
	}
	g.mu.Lock()
	if g.prod != 0 && e.VLAN != g.prod && e.VLAN != g.staging && e.VLAN != g.holding && e.VLAN != g.park {
		g.mu.Unlock()
		return
	}
	if g.halted != nil || g.early != nil {
		g.mu.Unlock()
		return
	}
	var macs []arpframe.MAC
	for _, s := range e.MACs {
		if m, err := arpframe.ParseMAC(s); err == nil {
			macs = append(macs, m)
		}
	}
	err := &engine.BlockedError{
		Step:    g.step,
		Reason:  fmt.Sprintf("watcher: %s in VLAN %d: %s (%s)", e.IP, e.VLAN, e.Reason, strings.Join(e.MACs, ", ")),
		Restore: g.ownedByOutgoing(macs),
	}
	if !g.armed {
		g.early = err
		g.mu.Unlock()
		return
	}
	g.halted = err
	g.mu.Unlock()
	g.progress("guard: HALT %s", err.Reason)
	if g.cfg.Halt != nil {
		g.cfg.Halt(err)
	}
}

// ownedByOutgoing reports whether every MAC belongs to the outgoing
// system (g.mu held).
func (g *Guard) ownedByOutgoing(macs []arpframe.MAC) bool {
	if len(macs) == 0 || g.outMACs == nil {
		return false
	}
	for _, m := range macs {
		found := false
		for _, own := range g.outMACs {
			if slices.Contains(own, m) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// onOutgoingPorts reports whether the switches place every MAC on a port
// of the outgoing system: how a recovery, which has no preflight evidence,
// still recognises the outgoing system (say, the half of it a killed run
// had not yet isolated).
func (g *Guard) onOutgoingPorts(ctx context.Context, vlan int, macs []arpframe.MAC) bool {
	if g.cfg.Locate == nil || len(macs) == 0 {
		return false
	}
	for _, m := range macs {
		where := g.cfg.Locate(ctx, m, vlan)
		if len(where) == 0 {
			return false
		}
		for _, port := range where {
			if !g.outPorts[port] {
				return false
			}
		}
	}
	return true
}

func (g *Guard) haltErr(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.halted != nil {
		return g.halted
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// expect sets the watcher's expectations for one VLAN: per address, the
// MACs allowed there (nil map: nobody).
func (g *Guard) expect(vlan int, macs map[netip.Addr][]arpframe.MAC, also map[netip.Addr][]arpframe.MAC) {
	for _, a := range g.cfg.Addrs {
		allowed := append(slices.Clone(macs[a]), also[a]...)
		g.cfg.Watcher.Expect(vlan, a, allowed)
	}
}

// BeforeStep implements engine.Hooks.
func (g *Guard) BeforeStep(ctx context.Context, p *plan.Plan, i int) error {
	if err := g.haltErr(ctx); err != nil {
		return err
	}
	step := p.Steps[i].Name
	g.mu.Lock()
	g.step = step
	g.mu.Unlock()
	switch step {
	case plan.StepIsolate:
		if err := g.roles(p); err != nil {
			return err
		}
		// The outgoing system leaves Production: announcing it there (a
		// resume's undo of a half-done isolate did) stops first.
		g.stopAnnouncing(g.prod)
		if err := g.preflight(ctx); err != nil {
			return err
		}
		// The outgoing system is about to arrive in the holding VLAN.
		g.expectFrom(g.holding, g.outMACs, time.Time{})
		g.mu.Lock()
		g.isolateFrom = time.Now()
		g.mu.Unlock()
	case plan.StepPromote:
		if err := g.absentBeforePromote(ctx); err != nil {
			return err
		}
		g.expectFrom(g.prod, g.inMACs, time.Time{}) // the incoming system is about to arrive
	case plan.StepPark:
		if !g.parkMoves {
			return nil
		}
		if err := g.absent(ctx, step, g.park, "the park VLAN is free"); err != nil {
			return err
		}
		g.expectFrom(g.park, g.outMACs, time.Time{})
	}
	return g.haltErr(ctx)
}

// BeforeResume implements engine.ResumeHooks. A run another process left
// at a step boundary is resumed only on fresh evidence of who owns the
// addresses where the completed steps put both systems: before promote,
// the outgoing system answers in the holding VLAN and the incoming one in
// its staging VLAN; before park, the incoming system answers in
// Production and the outgoing one in the holding VLAN. The same
// consistency checks as the preflight apply; then the watcher expects
// exactly those owners, and the next step's own checks (absence in
// Production before promote, in the park VLAN before park) follow.
func (g *Guard) BeforeResume(ctx context.Context, p *plan.Plan, from int) error {
	if from <= 0 || from >= len(p.Steps) {
		return nil // a fresh start runs the preflight; nothing left is nothing to guard
	}
	if err := g.roles(p); err != nil {
		return err
	}
	const step = "resume"
	g.mu.Lock()
	g.step = step
	g.mu.Unlock()
	var inVLAN, emptied int
	switch p.Steps[from].Name {
	case plan.StepPromote:
		inVLAN, emptied = g.staging, g.prod
	case plan.StepPark:
		inVLAN, emptied = g.prod, g.staging
	default:
		return fmt.Errorf("guard: cannot resume at step %s", p.Steps[from].Name)
	}
	out, err := g.present(ctx, step, g.holding, "the outgoing system answers, isolated")
	if err != nil {
		return err
	}
	in, err := g.present(ctx, step, inVLAN, "the incoming system answers in "+g.vlanName(inVLAN))
	if err != nil {
		return err
	}
	if err := g.consistent(ctx, step, g.holding, out, inVLAN, in); err != nil {
		return err
	}
	g.mu.Lock()
	g.outMACs, g.inMACs = out, in
	g.armed = true
	early := g.early
	g.mu.Unlock()
	if early != nil {
		g.record(Check{Step: step, Name: "watcher", Passed: false, Detail: early.Reason})
		return early
	}
	since, inPlace := g.landing()
	g.expectFrom(g.holding, out, since)
	g.expectFrom(inVLAN, in, since)
	g.expectFrom(emptied, nil, since)
	g.evidence()
	if inVLAN == g.prod {
		// The incoming system is in Production: announce it again (the
		// dead process's announcements may have been cut short), while
		// the switches hold the promote.
		if err := g.announceIn(ctx, step, g.prod, firstMACs(g.cfg.Addrs, in), inPlace); err != nil {
			return err
		}
	}
	return g.haltErr(ctx)
}

// AfterStep implements engine.Hooks.
func (g *Guard) AfterStep(ctx context.Context, p *plan.Plan, i int) error {
	if err := g.haltErr(ctx); err != nil {
		return err
	}
	// The step has been read back: from then on, the VLANs it emptied
	// hold nobody (frames captured before are judged as before).
	since, inPlace := g.landing()
	switch p.Steps[i].Name {
	case plan.StepIsolate:
		g.mu.Lock()
		moved := !g.isolatedAt.IsZero() // by ReadBack, before the absence proof began
		g.mu.Unlock()
		if !moved {
			g.cfg.Prober.Moved(g.prod, g.holding, g.cfg.Addrs)
		}
		g.expectFrom(g.prod, nil, since)
		g.left(g.prod, g.outMACs)
	case plan.StepPromote:
		g.cfg.Prober.Moved(g.staging, g.prod, g.cfg.Addrs)
		g.expectFrom(g.staging, nil, since)
		g.left(g.staging, g.inMACs)
		g.mu.Lock()
		announced := g.announced
		g.mu.Unlock()
		if !announced {
			// Not announced when the switches accepted the promote (a
			// resume, a driver that reports no commit, a failed send).
			if err := g.announcePromote(ctx, inPlace); err != nil {
				return err
			}
		}
		if err := g.owned(ctx); err != nil {
			return err
		}
	case plan.StepPark:
		if g.parkMoves {
			g.cfg.Prober.Moved(g.holding, g.park, g.cfg.Addrs)
			g.expectFrom(g.holding, nil, since)
			g.left(g.holding, g.outMACs)
		}
	}
	return g.haltErr(ctx)
}

func (g *Guard) preflight(ctx context.Context) error {
	const step = "preflight"
	if err := g.absent(ctx, step, g.holding, "the holding VLAN is free"); err != nil {
		return err
	}
	out, err := g.present(ctx, step, g.prod, "the outgoing system answers in Production")
	if err != nil {
		return err
	}
	in, err := g.present(ctx, step, g.staging, "the incoming system answers in its staging VLAN")
	if err != nil {
		return err
	}
	if err := g.consistent(ctx, step, g.prod, out, g.staging, in); err != nil {
		return err
	}
	g.mu.Lock()
	g.outMACs, g.inMACs = out, in
	g.armed = true
	early := g.early
	g.mu.Unlock()
	if early != nil {
		// Seen by the watcher while probing, though the probes did not show it.
		g.record(Check{Step: step, Name: "watcher", Passed: false, Detail: early.Reason})
		return early
	}
	g.expect(g.prod, out, nil)
	g.expect(g.staging, in, nil)
	g.expect(g.holding, nil, nil)
	g.evidence()
	return nil
}

// consistent checks the evidence of who owns the addresses: no MAC
// answers for both systems, no address answers from two MACs on one side,
// and no owner sits on a port the plan does not move.
func (g *Guard) consistent(ctx context.Context, step string, outVLAN int, out map[netip.Addr][]arpframe.MAC, inVLAN int, in map[netip.Addr][]arpframe.MAC) error {
	outWhere, inWhere := g.vlanName(outVLAN), g.vlanName(inVLAN)
	for a, macs := range in {
		for _, m := range macs {
			for b, outs := range out {
				if slices.Contains(outs, m) {
					return g.block(step, fmt.Sprintf("MAC %s answers for %s in VLAN %d and for %s in VLAN %d: one host in both systems", m, b, outVLAN, a, inVLAN), true)
				}
			}
		}
	}
	for _, side := range []struct {
		vlan   int
		owners map[netip.Addr][]arpframe.MAC
		what   string
	}{{outVLAN, out, outWhere}, {inVLAN, in, inWhere}} {
		multi := map[netip.Addr][]arpframe.MAC{}
		for a, macs := range side.owners {
			if len(macs) > 1 {
				multi[a] = macs
			}
		}
		if len(multi) > 0 {
			detail, _ := g.describe(ctx, side.vlan, multi)
			return g.block(step, fmt.Sprintf("more than one MAC answers in %s: %s. A NIC the plan does not move would keep answering for the address after the cut-over; disconnect it or add its port to the inventory", side.what, detail), true)
		}
	}
	if err := g.unplannedPorts(ctx, step, outVLAN, out, g.outPorts, "outgoing"); err != nil {
		return err
	}
	return g.unplannedPorts(ctx, step, inVLAN, in, g.inPorts, "incoming")
}

// vlanName names a VLAN by its role in the plan.
func (g *Guard) vlanName(vlan int) string {
	switch vlan {
	case g.prod:
		return "Production"
	case g.staging:
		return "the staging VLAN"
	case g.holding:
		return "the holding VLAN"
	}
	return fmt.Sprintf("VLAN %d", vlan)
}

// unplannedPorts blocks when, as far as the switches can tell, a MAC
// answering for one of the addresses sits on a port the plan does not move
// (a port forgotten in the inventory would keep answering after the move).
func (g *Guard) unplannedPorts(ctx context.Context, step string, vlan int, owners map[netip.Addr][]arpframe.MAC, planned map[string]bool, side string) error {
	if g.cfg.Locate == nil {
		return nil
	}
	var problems []string
	located := map[arpframe.MAC][]string{} // a dual-stack host's MAC answers for several addresses
	for _, a := range g.cfg.Addrs {
		for _, m := range owners[a] {
			where, ok := located[m]
			if !ok {
				where = g.cfg.Locate(ctx, m, vlan)
				located[m] = where
			}
			for _, port := range where {
				if !planned[port] {
					problems = append(problems, fmt.Sprintf("%s answers from %s on %s", a, m, port))
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return g.block(step, fmt.Sprintf("in VLAN %d the %s system answers from ports the plan does not move: %s; add them to the inventory or disconnect them", vlan, side, strings.Join(problems, "; ")), true)
}

// present requires every address to answer in vlan.
func (g *Guard) present(ctx context.Context, step string, vlan int, what string) (map[netip.Addr][]arpframe.MAC, error) {
	start := time.Now()
	owners, err := g.cfg.Prober.Presence(ctx, vlan, g.cfg.Addrs)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("guard %s: probing VLAN %d: %w", step, vlan, err)
	}
	var missing []string
	for _, a := range g.cfg.Addrs {
		if len(owners[a]) == 0 {
			missing = append(missing, a.String())
		}
	}
	c := Check{Step: step, Name: what, VLAN: vlan, Passed: len(missing) == 0, Duration: time.Since(start)}
	if len(missing) > 0 {
		c.Detail = "no answer for " + strings.Join(missing, ", ")
		g.record(c)
		return nil, &engine.BlockedError{Step: step, Reason: fmt.Sprintf("%s: VLAN %d: no answer for %s", what, vlan, strings.Join(missing, ", ")), Restore: true}
	}
	c.Detail = fmt.Sprintf("%s answered", g.addressCount())
	g.record(c)
	return owners, nil
}

// absent requires a quiet window in vlan.
func (g *Guard) absent(ctx context.Context, step string, vlan int, what string) error {
	return g.judgeAbsence(ctx, step, vlan, what, g.proveAbsence(ctx, vlan))
}

// absence is the outcome of an absence proof: the proof, or the owners
// found, or the error that stopped it; and the window, the round trips
// it rested on and why the window is not the configured one.
type absence struct {
	start  time.Time
	proof  *prober.Proof
	owners map[netip.Addr][]arpframe.MAC
	err    error
	rtt    prober.RTT
	raised string
}

// proveAbsence runs an absence proof in vlan.
func (g *Guard) proveAbsence(ctx context.Context, vlan int) absence {
	a := absence{start: time.Now()}
	var window time.Duration
	window, a.rtt, a.raised = g.window(vlan)
	a.proof, a.owners, a.err = g.cfg.Prober.Absence(ctx, vlan, g.cfg.Addrs, window)
	return a
}

// judgeAbsence records an absence proof as the check what of step, and
// blocks if anybody answered (restoring being safe when only the
// outgoing system did).
func (g *Guard) judgeAbsence(ctx context.Context, step string, vlan int, what string, a absence) error {
	start, proof, owners, err := a.start, a.proof, a.owners, a.err
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("guard %s: probing VLAN %d: %w", step, vlan, err)
	}
	if proof != nil {
		g.markAbsence(step, a)
		g.record(Check{Step: step, Name: what, VLAN: vlan, Passed: true, Duration: proof.End.Sub(start), Detail: proofDetail(a)})
		return nil
	}
	detail, macs := g.describe(ctx, vlan, owners)
	g.record(Check{Step: step, Name: what, VLAN: vlan, Passed: false, Duration: time.Since(start), Detail: detail})
	g.mu.Lock()
	restore := g.ownedByOutgoing(macs)
	g.mu.Unlock()
	if !restore {
		restore = g.onOutgoingPorts(ctx, vlan, macs)
	}
	return &engine.BlockedError{Step: step, Reason: fmt.Sprintf("%s: %s", what, detail), Restore: restore}
}

// owned requires every address to answer in Production from incoming MACs only.
func (g *Guard) owned(ctx context.Context) error {
	const step = plan.StepPromote
	start := time.Now()
	g.progress("guard promote: verifying ownership in VLAN %d (ACD probes wait for the RFC 5227 interval unless guard.sources is set)", g.prod)
	owners, err := g.cfg.Prober.Presence(ctx, g.prod, g.cfg.Addrs)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("guard promote: probing VLAN %d: %w", g.prod, err)
	}
	var silent []string
	foreign := map[netip.Addr][]arpframe.MAC{}
	for _, a := range g.cfg.Addrs {
		if len(owners[a]) == 0 {
			silent = append(silent, a.String())
		}
		for _, m := range owners[a] {
			if !slices.Contains(g.inMACs[a], m) {
				foreign[a] = append(foreign[a], m)
			}
		}
	}
	c := Check{Step: step, Name: "the incoming system owns every address in Production", VLAN: g.prod, Duration: time.Since(start)}
	// Answers gathered before a revert of the promote (the process was
	// stopped past the trial's deadline) say nothing: the switches are
	// read again first if need be.
	if err := g.verifiedInPlace(ctx, &c); err != nil {
		return err
	}
	switch {
	case len(foreign) > 0:
		detail, macs := g.describe(ctx, g.prod, foreign)
		c.Detail = "other owners: " + detail
		g.record(c)
		g.mu.Lock()
		restore := g.ownedByOutgoing(macs)
		g.mu.Unlock()
		return &engine.BlockedError{Step: step, Reason: c.Name + ": " + c.Detail, Restore: restore}
	case len(silent) > 0:
		c.Detail = "no answer for " + strings.Join(silent, ", ")
		g.record(c)
		return &engine.BlockedError{Step: step, Reason: c.Name + ": " + c.Detail, Restore: true}
	}
	c.Passed, c.Detail = true, fmt.Sprintf("%s, incoming MACs only", g.addressCount())
	g.record(c)
	return nil
}

// addressCount says how many addresses the guard covers, by family when
// there are both ("3 addresses (1 IPv4, 2 IPv6)").
func (g *Guard) addressCount() string {
	v4 := 0
	for _, a := range g.cfg.Addrs {
		if a.Is4() {
			v4++
		}
	}
	n := len(g.cfg.Addrs)
	if v4 == 0 || v4 == n {
		return fmt.Sprintf("%d addresses", n)
	}
	return fmt.Sprintf("%d addresses (%d IPv4, %d IPv6)", n, v4, n-v4)
}

func (g *Guard) block(step, reason string, restore bool) error {
	g.record(Check{Step: step, Name: "consistency", Passed: false, Detail: reason})
	return &engine.BlockedError{Step: step, Reason: reason, Restore: restore}
}

// describe formats owners as "192.168.66.30 in VLAN 66 from aa:.. (switch
// sw1 port Gi1/0/5)" and returns every MAC.
func (g *Guard) describe(ctx context.Context, vlan int, owners map[netip.Addr][]arpframe.MAC) (string, []arpframe.MAC) {
	addrs := make([]netip.Addr, 0, len(owners))
	for a := range owners {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Less(addrs[j]) })
	var parts []string
	var all []arpframe.MAC
	for _, a := range addrs {
		var who []string
		for _, m := range owners[a] {
			all = append(all, m)
			s := m.String()
			if g.cfg.Locate != nil {
				if where := g.cfg.Locate(ctx, m, vlan); len(where) > 0 {
					s += " (on " + strings.Join(where, ", ") + ")"
				}
			}
			who = append(who, s)
		}
		parts = append(parts, fmt.Sprintf("%s answers in VLAN %d from %s", a, vlan, strings.Join(who, ", ")))
	}
	return strings.Join(parts, "; "), all
}
