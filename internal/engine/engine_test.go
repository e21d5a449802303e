package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// Old system on sw1 (ports sw1-e1, sw1-e2) and on sw2 (sw2-e5), new system
// on sw2 (sw2-e1, sw2-e2): isolate and park touch both switches. o1 and n1
// both have the service address; gw (Production) can observe it.
const topology = `
name: engine
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    sw2: {kind: ovs-bridge}
    o1: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    o2: {kind: linux, labels: {cutover.vlan: "66"}}
    o3: {kind: linux, labels: {cutover.vlan: "66"}}
    n1: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    gw: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.1/24 dev eth1"]}
    n2: {kind: linux, labels: {cutover.vlan: "166"}}
  links:
    - endpoints: ["sw1:e1", "o1:eth1"]
    - endpoints: ["sw1:e2", "o2:eth1"]
    - endpoints: ["sw2:e5", "o3:eth1"]
    - endpoints: ["sw2:e1", "n1:eth1"]
    - endpoints: ["sw2:e2", "n2:eth1"]
    - endpoints: ["sw1:e9", "sw2:e9"]
    - endpoints: ["sw1:e8", "gw:eth1"]
`

var (
	oldPorts = []string{"sw1-e1", "sw1-e2", "sw2-e5"}
	newPorts = []string{"sw2-e1", "sw2-e2"}
)

type fixture struct {
	lab     *labs.Lab
	plan    *plan.Plan
	drivers map[string]switchdrivers.Driver
	dir     string
}

// setup starts the lab and opens drivers; options[sw] are extra driver
// options for switch sw (e.g. a wrapper around ovs-vsctl).
func setup(t *testing.T, options map[string]map[string]string) *fixture {
	t.Helper()
	l := labtest.Start(t, topology)
	f := &fixture{lab: l, dir: t.TempDir()}
	opt := func(sw string) string {
		var parts []string
		for k, v := range options[sw] {
			parts = append(parts, fmt.Sprintf("%s: %q", k, v))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	inv := fmt.Sprintf(`version: 1
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: ovs, address: %q, options: %s}
  - {name: sw2, driver: ovs, address: %q, options: %s}
systems:
  old: {ports: [sw1:sw1-e1, sw1:sw1-e2, sw2:sw2-e5], addresses: [192.168.66.30]}
  new: {ports: [sw2:sw2-e1, sw2:sw2-e2]}
`, l.DB(), opt("sw1"), l.DB(), opt("sw2"))
	reg := all.Registry()
	iv, err := plan.Parse("engine.yml", []byte(inv), plan.LoadOptions{Catalog: reg})
	if err != nil {
		t.Fatal(err)
	}
	if f.plan, err = plan.Compile(iv); err != nil {
		t.Fatal(err)
	}
	if f.drivers, err = engine.OpenDrivers(reg, iv); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) expect(t *testing.T, ports []string, vlan string) {
	t.Helper()
	for _, p := range ports {
		got, err := f.lab.PortTag(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got != vlan {
			t.Errorf("port %s is in VLAN %s, want %s", p, got, vlan)
		}
	}
}

// wrapper writes an ovs-vsctl wrapper that runs body (sh) before the real
// binary whenever the call is a transaction (contains wait-until).
func wrapper(t *testing.T, dir, name, body string) string {
	t.Helper()
	real, err := exec.LookPath("ovs-vsctl")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	script := fmt.Sprintf("#!/bin/sh\ncase \"$*\" in *wait-until*)\n%s\n;;\nesac\nexec %s \"$@\"\n", body, real)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

type recorder struct {
	mu     sync.Mutex
	events []string
	fail   map[string]error // "before:promote" -> error
}

func (r *recorder) hook(kind string, p *plan.Plan, i int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := kind + ":" + p.Steps[i].Name
	r.events = append(r.events, key)
	return r.fail[key]
}
func (r *recorder) BeforeStep(_ context.Context, p *plan.Plan, i int) error {
	return r.hook("before", p, i)
}
func (r *recorder) AfterStep(_ context.Context, p *plan.Plan, i int) error {
	return r.hook("after", p, i)
}
func (r *recorder) progress(ev engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.Switch != "" {
		r.events = append(r.events, ev.Kind+":"+ev.Step+":"+ev.Switch)
	} else {
		r.events = append(r.events, ev.Kind+":"+ev.Step)
	}
}

func TestRunStepsInOrderWithHooks(t *testing.T) {
	f := setup(t, nil)
	r := &recorder{}
	e := &engine.Engine{Drivers: f.drivers, Hooks: r, Progress: r.progress}
	rep := e.Run(context.Background(), f.plan)
	if rep.Result != engine.ResultDone || rep.Err != nil {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	f.expect(t, newPorts, "66")
	f.expect(t, oldPorts, "166")
	// Batches of a step may finish in any order; everything else is fixed.
	got := strings.Join(r.events, " ")
	for _, sw := range []string{"sw1", "sw2"} {
		got = strings.NewReplacer("batch-done:isolate:"+sw+" ", "", "batch-done:park:"+sw+" ", "").Replace(got)
	}
	want := "step-start:isolate before:isolate after:isolate step-done:isolate " +
		"step-start:promote before:promote batch-done:promote:sw2 after:promote step-done:promote " +
		"step-start:park before:park after:park step-done:park"
	if got != want {
		t.Fatalf("events:\n%s\nwant:\n%s\n(all: %v)", got, want, r.events)
	}
	if len(rep.Steps) != 3 || rep.Steps[0].Moves != 3 || rep.Steps[1].Moves != 2 {
		t.Fatalf("steps: %+v", rep.Steps)
	}
	for i := 1; i < 3; i++ {
		if rep.Steps[i].Started.Before(rep.Steps[i-1].Finished) {
			t.Fatalf("step %s started before step %s finished", rep.Steps[i].Name, rep.Steps[i-1].Name)
		}
	}
}

// TestSwitchesRunInParallelWithinAStep: each switch's transaction waits at
// a barrier for the other's to start; run one after the other they would
// both give up and fail.
func TestSwitchesRunInParallelWithinAStep(t *testing.T) {
	dir := t.TempDir()
	barrier := func(me, other string) string {
		return fmt.Sprintf(`touch %[1]s/%[2]s; i=0; while [ ! -e %[1]s/%[3]s ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
[ -e %[1]s/%[3]s ] || { echo "barrier: %[3]s never started" >&2; exit 1; }
rm -f %[1]s/%[3]s.done; touch %[1]s/%[2]s.done`, dir, me, other)
	}
	// Only the isolate step has batches on both switches; after it the
	// barrier files exist, so later steps pass through.
	f := setup(t, map[string]map[string]string{
		"sw1": {"ovs_vsctl": wrapper(t, dir, "w1", barrier("sw1", "sw2"))},
		"sw2": {"ovs_vsctl": wrapper(t, dir, "w2", barrier("sw2", "sw1"))},
	})
	rep := (&engine.Engine{Drivers: f.drivers}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultDone {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	f.expect(t, newPorts, "66")
}

func TestFailedStepIsRolledBack(t *testing.T) {
	dir := t.TempDir()
	// sw2 rejects its promote transaction (its isolate of sw2-e5 goes through).
	reject := fmt.Sprintf(`case "$*" in *"tag=166 -- set"*) echo "ovs-vsctl: transaction error: injected rejection" >&2; exit 1;; esac`)
	f := setup(t, map[string]map[string]string{"sw2": {"ovs_vsctl": wrapper(t, dir, "w2", reject)}})
	rep := (&engine.Engine{Drivers: f.drivers}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultRolledBack {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	msg := rep.Err.Error()
	for _, want := range []string{"switch sw2", "injected rejection", "wait-until Port sw2-e1 tag=166"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	f.expect(t, oldPorts, "66")
	f.expect(t, newPorts, "166")
	if len(rep.Rollback) != 2 || rep.Rollback[0].Name != "undo-promote" || rep.Rollback[1].Name != "undo-isolate" || rep.Rollback[1].Moves != 3 {
		t.Fatalf("rollback: %+v", rep.Rollback)
	}
}

func TestBlockedBeforePromoteRestoresOld(t *testing.T) {
	f := setup(t, nil)
	r := &recorder{fail: map[string]error{"before:promote": &engine.BlockedError{Step: "promote", Reason: "192.168.66.30 still answers in VLAN 66 from 02:00:00:00:00:01", Restore: true}}}
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: r}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultBlocked {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	var be *engine.BlockedError
	if !errors.As(rep.Err, &be) || !strings.Contains(rep.Error, "still answers") {
		t.Fatalf("err = %v", rep.Err)
	}
	f.expect(t, oldPorts, "66")
	f.expect(t, newPorts, "166")
}

func TestBlockedWithoutRestoreKeepsCompletedSteps(t *testing.T) {
	f := setup(t, nil)
	r := &recorder{fail: map[string]error{"before:park": &engine.BlockedError{Step: "park", Reason: "park VLAN occupied"}}}
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: r}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultBlocked || len(rep.Rollback) != 0 {
		t.Fatalf("result %s, rollback %+v: %v", rep.Result, rep.Rollback, rep.Err)
	}
	f.expect(t, newPorts, "66")
	f.expect(t, oldPorts, "266")
}

// TestHaltMidStepUndoesOnlyThatStep cancels the run (as the watcher does)
// while sw2's promote transaction is under way.
func TestHaltMidStepUndoesOnlyThatStep(t *testing.T) {
	dir := t.TempDir()
	slow := `case "$*" in *"tag=166 -- set"*) sleep 3;; esac`
	f := setup(t, map[string]map[string]string{"sw2": {"ovs_vsctl": wrapper(t, dir, "w2", slow)}})
	ctx, halt := context.WithCancelCause(context.Background())
	hooks := hookFunc(func(kind string, p *plan.Plan, i int) error {
		if kind == "before" && p.Steps[i].Name == plan.StepPromote {
			time.AfterFunc(300*time.Millisecond, func() {
				halt(&engine.BlockedError{Step: "promote", Reason: "watcher: 192.168.66.30 answered by two MACs"})
			})
		}
		return nil
	})
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: hooks}).Run(ctx, f.plan)
	if rep.Result != engine.ResultBlocked || !strings.Contains(rep.Error, "answered by two MACs") {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	if len(rep.Rollback) != 1 || rep.Rollback[0].Name != "undo-promote" {
		t.Fatalf("only the interrupted step is undone: %+v", rep.Rollback)
	}
	f.expect(t, oldPorts, "266")
	f.expect(t, newPorts, "166")
}

func TestAfterHookFailureUndoesTheStep(t *testing.T) {
	f := setup(t, nil)
	r := &recorder{fail: map[string]error{"after:promote": errors.New("new system does not answer")}}
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: r}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultRolledBack {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	f.expect(t, oldPorts, "66")
	f.expect(t, newPorts, "166")
}

func TestRollbackLeavesForeignChangesAlone(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	// Someone moves an old port while the run is at the promote step.
	r := &recorder{fail: map[string]error{}}
	hooks := hookFunc(func(kind string, p *plan.Plan, i int) error {
		if kind == "before" && p.Steps[i].Name == plan.StepPromote {
			if err := f.lab.SetPortTag(ctx, "sw1-e2", "999"); err != nil {
				return err
			}
			return &engine.BlockedError{Step: "promote", Reason: "test", Restore: true}
		}
		return r.hook(kind, p, i)
	})
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: hooks}).Run(ctx, f.plan)
	if rep.Result != engine.ResultFailed {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	if !strings.Contains(rep.Error, "switch sw1 port sw1-e2") || !strings.Contains(rep.Error, "left alone") {
		t.Fatalf("error should name the foreign port: %v", rep.Err)
	}
	f.expect(t, []string{"sw1-e1", "sw2-e5"}, "66")
	f.expect(t, []string{"sw1-e2"}, "999")
}

type hookFunc func(kind string, p *plan.Plan, i int) error

func (h hookFunc) BeforeStep(_ context.Context, p *plan.Plan, i int) error { return h("before", p, i) }
func (h hookFunc) AfterStep(_ context.Context, p *plan.Plan, i int) error  { return h("after", p, i) }

func TestMissingDriverFailsBeforeAnything(t *testing.T) {
	f := setup(t, nil)
	delete(f.drivers, "sw2")
	rep := (&engine.Engine{Drivers: f.drivers}).Run(context.Background(), f.plan)
	if rep.Result != engine.ResultFailed || !strings.Contains(rep.Error, "sw2") {
		t.Fatalf("%s: %v", rep.Result, rep.Err)
	}
	f.expect(t, oldPorts, "66")
}

// TestRestoreFromAnyPartialState rolls back what an interrupted run left:
// half an isolate, a full isolate, isolate+promote, and a finished run.
// Ports at their origin (or at an earlier step's state) stay; the rest go
// back; the journal sees an intent and a result for every batch sent.
func TestRestoreFromAnyPartialState(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	set := func(vlan string, ports ...string) {
		for _, p := range ports {
			if err := f.lab.SetPortTag(ctx, p, vlan); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name           string
		setup          func()
		wantMovedBacks int
	}{
		{"half an isolate", func() { set("266", "sw1-e1") }, 1},
		{"isolate done", func() { set("266", oldPorts...) }, 3},
		{"promote half done", func() { set("266", oldPorts...); set("66", "sw2-e1") }, 4},
		{"finished", func() { set("166", oldPorts...); set("66", newPorts...) }, 3 + 2 + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			rec := &journalRecorder{}
			reps, err := (&engine.Engine{Drivers: f.drivers, Recorder: rec}).Restore(ctx, f.plan)
			if err != nil {
				t.Fatal(err)
			}
			moved := 0
			for _, r := range reps {
				moved += r.Moves
			}
			if moved != tc.wantMovedBacks {
				t.Errorf("moved %d ports back, want %d", moved, tc.wantMovedBacks)
			}
			f.expect(t, oldPorts, "66")
			f.expect(t, newPorts, "166")
			if rec.intents != rec.results || rec.intents == 0 {
				t.Errorf("journal saw %d intents and %d results", rec.intents, rec.results)
			}
		})
	}
}

// TestRestoreStopsAtAnIncompleteUndo: a new port someone moved elsewhere
// makes undo-promote incomplete; undoing isolate on top of it is refused
// (it could put the old system back next to the new), and the error says
// which steps were left.
func TestRestoreStopsAtAnIncompleteUndo(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	for _, p := range oldPorts {
		f.lab.SetPortTag(ctx, p, "166")
	}
	f.lab.SetPortTag(ctx, "sw2-e1", "999")
	f.lab.SetPortTag(ctx, "sw2-e2", "66")
	reps, err := (&engine.Engine{Drivers: f.drivers}).Restore(ctx, f.plan)
	if err == nil || !strings.Contains(err.Error(), "switch sw2 port sw2-e1") || !strings.Contains(err.Error(), "not undone, to keep one owner per address: isolate") {
		t.Fatalf("restore: %v", err)
	}
	if len(reps) != 2 || reps[1].Name != "undo-promote" {
		t.Fatalf("undo steps run: %+v", reps)
	}
	f.expect(t, oldPorts, "266") // undo-park done, undo-isolate not attempted
	f.expect(t, []string{"sw2-e2"}, "166")
	f.expect(t, []string{"sw2-e1"}, "999")
}

type journalRecorder struct {
	mu               sync.Mutex
	intents, results int
}

func (j *journalRecorder) Intent(string, string, []switchdrivers.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.intents++
	return nil
}

func (j *journalRecorder) Result(string, string, []switchdrivers.Change, error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.results++
	return nil
}

// TestJournalDiskFullMidRun journals to a 1 MiB tmpfs that fills up after
// the isolate step: promote is not sent (its intent cannot be recorded),
// and the undo of isolate is sent anyway — restoring service comes before
// the journal — with the journal failure reported.
func TestJournalDiskFullMidRun(t *testing.T) {
	f := setup(t, nil)
	ctx := context.Background()
	// An observer independent of the engine: the gateway pings the service
	// address throughout and watches for two MACs answering for it.
	service := netip.MustParseAddr("192.168.66.30")
	obs, err := f.lab.Observe(ctx, "gw", "eth1", 66, []netip.Addr{service}, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	watchStart := time.Now()
	defer func() {
		obs.Close()
		if owners := obs.Watch.Owners(66, service, watchStart); len(owners) == 0 {
			t.Errorf("the observer never saw %s answered", service)
		}
		if n := obs.Conflicts(); n != 0 {
			t.Errorf("the observer saw %s answered by two MACs %d times", service, n)
		}
	}()
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	w, err := journal.Create(mnt, f.plan)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fill := func() error {
		filler, err := os.Create(filepath.Join(mnt, "filler"))
		if err != nil {
			return err
		}
		defer filler.Close()
		buf := make([]byte, 64<<10)
		for {
			if _, err := filler.Write(buf); err != nil {
				break // ENOSPC: full
			}
		}
		// tmpfs allocates pages: fill the slack of the journal's last
		// page with notes until not even a short one fits.
		for _, n := range []int{2048, 512, 128, 32, 1} {
			for w.Write(journal.Record{Kind: journal.KindNote, Detail: strings.Repeat("x", n)}) == nil {
			}
		}
		return nil
	}
	hooks := hookFunc(func(kind string, p *plan.Plan, i int) error {
		if kind == "after" && p.Steps[i].Name == plan.StepIsolate {
			return fill()
		}
		return nil
	})
	var warnings []string
	progress := func(ev engine.Event) {
		if ev.Kind == "journal-failed" {
			warnings = append(warnings, ev.Err.Error())
		}
	}
	time.Sleep(200 * time.Millisecond) // the observer sees the old system answer first
	rep := (&engine.Engine{Drivers: f.drivers, Hooks: hooks, Recorder: w, Progress: progress}).Run(ctx, f.plan)
	time.Sleep(200 * time.Millisecond) // and after the rollback
	if rep.Result != engine.ResultRolledBack || !strings.Contains(rep.Error, "not sent") || !strings.Contains(rep.Error, "no space left on device") {
		t.Fatalf("result %s: %v", rep.Result, rep.Err)
	}
	f.expect(t, oldPorts, "66")
	f.expect(t, newPorts, "166")
	if all := strings.Join(warnings, "\n"); !strings.Contains(all, "sending the undo without a journal record") || !strings.Contains(all, "no space left on device") {
		t.Fatalf("journal failures during the undo were not reported: %q", warnings)
	}
	// What reached the disk is still a readable journal: the isolate
	// step's intent and result.
	run, err := journal.Read(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range run.Ports() {
		if p.Original == "66" && p.Last != "266" {
			t.Errorf("journal: %s:%s last %s, want 266 (isolate recorded)", p.Switch, p.Port, p.Last)
		}
	}
}
