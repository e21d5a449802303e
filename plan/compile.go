package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// Step names, in execution order.
const (
	StepIsolate = "isolate"
	StepPromote = "promote"
	StepPark    = "park"
)

// Plan kinds.
const (
	KindCutover  = "cutover"
	KindFallback = "fallback"
	KindRollback = "rollback"
)

// Plan is an ordered list of steps. Steps run strictly in order; the
// batches of one step run in parallel, one configuration session each.
type Plan struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Inventory string `json:"inventory,omitempty"`
	// Hash identifies the plan: its kind, its basis, its addresses and its
	// steps with every move and every rendered command (Plan.hash). An
	// approver approves a hash; a run whose inventory now compiles another
	// one is not started.
	Hash      string   `json:"hash"`
	Addresses []string `json:"addresses"`
	// Basis is what of the inventory, besides the moves, decides what a
	// run of the plan does or what its guard checks. Never a secret.
	Basis *Basis `json:"basis,omitempty"`
	Steps []Step `json:"steps"`
}

// Basis is the part of an inventory a plan was compiled from that its
// moves do not show: the VLANs, the park role, every switch's driver,
// address, segment overrides and options, both systems' ports and
// addresses, and where and how the guard probes. Credentials (usernames,
// passwords, SNMP communities and keys) are not in it: changing them
// changes neither what a run does nor what its guard checks.
type Basis struct {
	VLANs    VLANs         `json:"vlans"`
	Park     string        `json:"park"`
	Switches []SwitchBasis `json:"switches"`
	Systems  Systems       `json:"systems"`
	Guard    Guard         `json:"guard"`
}

// SwitchBasis is a switch as a plan depends on it.
type SwitchBasis struct {
	Name     string            `json:"name"`
	Driver   string            `json:"driver"`
	Address  string            `json:"address"`
	Segments map[string]string `json:"segments,omitempty"`
	Options  map[string]string `json:"options,omitempty"`
}

// basisOf extracts the basis of a plan from an inventory.
func basisOf(inv *Inventory) *Basis {
	b := &Basis{VLANs: inv.VLANs, Park: inv.Park, Systems: inv.Systems, Guard: inv.Guard, Switches: []SwitchBasis{}}
	for _, s := range inv.Switches {
		b.Switches = append(b.Switches, SwitchBasis{Name: s.Name, Driver: s.Driver, Address: s.Address, Segments: s.Segments, Options: s.Options})
	}
	return b
}

// Step is one stage of the cut-over.
type Step struct {
	Name    string  `json:"name"`
	Purpose string  `json:"purpose"`
	Batches []Batch `json:"batches"`
}

// Batch is the moves of one step on one switch: one session.
type Batch struct {
	Switch           string   `json:"switch"`
	Moves            []Move   `json:"moves"`
	Commands         []string `json:"commands,omitempty"`
	RollbackCommands []string `json:"rollback_commands,omitempty"`
}

// Move takes one port from one segment to another.
type Move struct {
	Port     string `json:"port"`
	System   string `json:"system"` // old or new
	FromRole string `json:"from_role"`
	ToRole   string `json:"to_role"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// Moves counts the moves of a step.
func (s Step) Moves() int {
	n := 0
	for _, b := range s.Batches {
		n += len(b.Moves)
	}
	return n
}

// Moves counts the moves of the plan.
func (p *Plan) Moves() int {
	n := 0
	for _, s := range p.Steps {
		n += s.Moves()
	}
	return n
}

// Compile turns a validated inventory into the cut-over plan: isolate the
// old system (Production → Shadow), promote the new one (Migration →
// Production), park the old one (Shadow → the park role).
func Compile(inv *Inventory) (*Plan, error) {
	return compile(inv, KindCutover, side{"old", inv.Systems.Old}, side{"new", inv.Systems.New}, Migration)
}

// Fallback compiles the reverse swap for a finished cut-over: the new
// system leaves Production, the old one (waiting in the park role) returns,
// and the new one is parked.
func Fallback(inv *Inventory) (*Plan, error) {
	return compile(inv, KindFallback, side{"new", inv.Systems.New}, side{"old", inv.Systems.Old}, inv.Park)
}

type side struct {
	name string
	sys  System
}

func compile(inv *Inventory, kind string, out, in side, inRole string) (*Plan, error) {
	// The outgoing system waits in whichever holding VLAN the incoming one
	// is not in, so no VLAN ever holds two owners of an address.
	holding := Shadow
	if inRole == Shadow {
		holding = Migration
	}
	p := &Plan{Name: inv.Name, Kind: kind, Inventory: inv.File, Basis: basisOf(inv)}
	for _, a := range inv.Systems.Old.Addresses {
		p.Addresses = append(p.Addresses, a.String())
	}
	steps := []struct {
		name, purpose string
		s             side
		from, to      string
	}{
		{StepIsolate, fmt.Sprintf("take the %s system out of Production (into %s)", out.name, holding), out, Production, holding},
		{StepPromote, fmt.Sprintf("move the %s system from %s into Production", in.name, capitalise(inRole)), in, inRole, Production},
		{StepPark, fmt.Sprintf("park the %s system in %s", out.name, capitalise(inv.Park)), out, holding, inv.Park},
	}
	for _, st := range steps {
		step := Step{Name: st.name, Purpose: st.purpose}
		if st.from != st.to {
			var err error
			if step.Batches, err = batches(inv, st.s, st.from, st.to); err != nil {
				return nil, fmt.Errorf("step %s: %w", st.name, err)
			}
		} else {
			step.Purpose = fmt.Sprintf("the %s system stays in %s: nothing to move", out.name, capitalise(st.to))
		}
		p.Steps = append(p.Steps, step)
	}
	p.Hash = p.hash()
	return p, nil
}

func batches(inv *Inventory, s side, fromRole, toRole string) ([]Batch, error) {
	bySwitch := map[string]*Batch{}
	var order []string
	for _, ref := range s.sys.Ports {
		from, to := inv.Segment(ref.Switch, fromRole), inv.Segment(ref.Switch, toRole)
		sw, _ := inv.SwitchByName(ref.Switch)
		// The empty segment is "shut/disconnected", for drivers that can.
		if (from == "" || to == "") && !sw.AdminDown {
			return nil, fmt.Errorf("switch %s port %s: no %s segment for %s → %s", ref.Switch, ref.Port, missing(from, fromRole, toRole), fromRole, toRole)
		}
		if from == to {
			continue // e.g. a port that stays shut when parked in Shadow
		}
		b, ok := bySwitch[ref.Switch]
		if !ok {
			b = &Batch{Switch: ref.Switch}
			bySwitch[ref.Switch] = b
			order = append(order, ref.Switch)
		}
		b.Moves = append(b.Moves, Move{Port: ref.Port, System: s.name, FromRole: fromRole, ToRole: toRole, From: from, To: to})
	}
	slices.Sort(order)
	out := make([]Batch, 0, len(order))
	for _, sw := range order {
		out = append(out, *bySwitch[sw])
	}
	return out, nil
}

func missing(from, fromRole, toRole string) string {
	if from == "" {
		return fromRole
	}
	return toRole
}

// Inverse returns the plan that undoes p: its steps in reverse order, each
// move reversed. Running it after p (or after part of p) restores the
// original state in a safe order.
func (p *Plan) Inverse() *Plan {
	inv := &Plan{Name: p.Name, Kind: KindRollback, Inventory: p.Inventory, Addresses: p.Addresses, Basis: p.Basis}
	for i := len(p.Steps) - 1; i >= 0; i-- {
		s := p.Steps[i]
		rs := Step{Name: "undo-" + s.Name, Purpose: "undo: " + s.Purpose}
		for _, b := range s.Batches {
			rb := Batch{Switch: b.Switch, Commands: b.RollbackCommands, RollbackCommands: b.Commands}
			for _, m := range b.Moves {
				rb.Moves = append(rb.Moves, m.Reverse())
			}
			rs.Batches = append(rs.Batches, rb)
		}
		inv.Steps = append(inv.Steps, rs)
	}
	inv.Hash = inv.hash()
	return inv
}

// Reverse returns the move that undoes m.
func (m Move) Reverse() Move {
	return Move{Port: m.Port, System: m.System, FromRole: m.ToRole, ToRole: m.FromRole, From: m.To, To: m.From}
}

// hash identifies a plan by everything that decides what a run of it does
// or what its guard checks: its kind, its basis (VLANs, park role, the
// switches' drivers, addresses, segments and options, both systems' ports
// and addresses, the guard's interfaces, sources, window and namespace),
// its addresses and its steps with every move and every rendered command
// (the trial form and its timer included). Not its name, its file or the
// steps' prose, and never a secret, which the plan does not hold. A
// journal's plan hashed by another definition (an older cutover) does not
// match: recovery refuses it, naming both hashes.
func (p *Plan) hash() string {
	type hashedBatch struct {
		Switch           string
		Moves            []Move
		Commands         []string
		RollbackCommands []string
	}
	type hashedStep struct {
		Name    string
		Batches []hashedBatch
	}
	h := struct {
		Kind      string
		Basis     *Basis
		Addresses []string
		Steps     []hashedStep
	}{Kind: p.Kind, Basis: p.Basis, Addresses: p.Addresses}
	for _, s := range p.Steps {
		hs := hashedStep{Name: s.Name}
		for _, b := range s.Batches {
			hs.Batches = append(hs.Batches, hashedBatch{Switch: b.Switch, Moves: b.Moves, Commands: b.Commands, RollbackCommands: b.RollbackCommands})
		}
		h.Steps = append(h.Steps, hs)
	}
	b, _ := json.Marshal(h)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// SameCompilation reports whether p and q were compiled from the same
// basis into the same kind of plan with the same moves, whatever commands
// were rendered into them (another trial timer, another driver version).
// A plan without a basis (journaled by an older cutover) matches nothing.
func (p *Plan) SameCompilation(q *Plan) bool {
	strip := func(x *Plan) *Plan {
		c := &Plan{Kind: x.Kind, Basis: x.Basis, Addresses: x.Addresses}
		for _, s := range x.Steps {
			cs := Step{Name: s.Name}
			for _, b := range s.Batches {
				cs.Batches = append(cs.Batches, Batch{Switch: b.Switch, Moves: b.Moves})
			}
			c.Steps = append(c.Steps, cs)
		}
		return c
	}
	return p.Basis != nil && q.Basis != nil && strip(p).hash() == strip(q).hash()
}

// CommandRenderer turns one switch's moves into the exact commands its
// driver sends.
type CommandRenderer interface {
	RenderMoves(sw string, moves []Move) ([]string, error)
}

// UndoRenderer is an optional capability of a CommandRenderer: the exact
// commands of a batch's undo, where they differ from its own form (the
// engine sends an undo outright, never on trial).
type UndoRenderer interface {
	RenderUndo(sw string, moves []Move) ([]string, error)
}

// RenderCommands fills in every batch's commands and rollback commands
// (with r's RenderUndo where it has one), and hashes the plan again: the
// commands are part of what is approved.
func (p *Plan) RenderCommands(r CommandRenderer) error {
	undo := r.RenderMoves
	if u, ok := r.(UndoRenderer); ok {
		undo = u.RenderUndo
	}
	for si := range p.Steps {
		for bi := range p.Steps[si].Batches {
			b := &p.Steps[si].Batches[bi]
			cmds, err := r.RenderMoves(b.Switch, b.Moves)
			if err != nil {
				return fmt.Errorf("step %s: %w", p.Steps[si].Name, err)
			}
			rev := make([]Move, len(b.Moves))
			for i, m := range b.Moves {
				rev[i] = m.Reverse()
			}
			back, err := undo(b.Switch, rev)
			if err != nil {
				return fmt.Errorf("step %s (rollback): %w", p.Steps[si].Name, err)
			}
			b.Commands, b.RollbackCommands = cmds, back
		}
	}
	p.Hash = p.hash()
	return nil
}
