package runs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// One Open vSwitch bridge: the old server (old, VLAN 66) and the new one
// (new, VLAN 166) both hold 192.168.66.30; the probe host's trunk is the
// guard's view of the VLANs.
const topology = `
name: runs
topology:
  nodes:
    sw1: {kind: ovs-bridge}
    old: {kind: linux, labels: {cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    new: {kind: linux, labels: {cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
  links:
    - endpoints: ["sw1:e1", "old:eth1"]
    - endpoints: ["sw1:e2", "new:eth1"]
    - endpoints: ["sw1:e9", "probe:eth1"]
`

// lab is the test lab with its inventories.
type lab struct {
	*labs.Lab
	guarded, unguarded string
}

func startLab(t *testing.T) *lab {
	l := labtest.Start(t, topology)
	return &lab{Lab: l, guarded: inventory(t, l, "guard: {trunk: eth1, netns: \""+l.NodeNS("probe")+"\", sources: {production: 192.168.66.250}}\n", ""),
		unguarded: inventory(t, l, "", "")}
}

// inventory writes an inventory of the lab; options are sw1's driver options.
func inventory(t *testing.T, l *labs.Lab, guard, options string) string {
	t.Helper()
	if options == "" {
		options = "{}"
	}
	text := fmt.Sprintf(`version: 1
name: runs-test
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: %q, options: %s}]
systems:
  old: {ports: [sw1:sw1-e1], addresses: [192.168.66.30]}
  new: {ports: [sw1:sw1-e2]}
%s`, l.DB(), options, guard)
	path := filepath.Join(t.TempDir(), "inv.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// expect checks where the old and the new port are, as the switch says.
func (l *lab) expect(t *testing.T, old, new string) {
	t.Helper()
	for port, want := range map[string]string{"sw1-e1": old, "sw1-e2": new} {
		if got, err := l.PortTag(context.Background(), port); err != nil || got != want {
			t.Errorf("%s in VLAN %q (%v), want %s", port, got, err, want)
		}
	}
}

// reset puts the systems back before the cut-over, behind the runs' back:
// the new system out of Production before the old one returns.
func (l *lab) reset(t *testing.T) {
	t.Helper()
	for _, pv := range [][2]string{{"sw1-e2", "166"}, {"sw1-e1", "66"}} {
		if err := l.SetPortTag(context.Background(), pv[0], pv[1]); err != nil {
			t.Fatal(err)
		}
	}
}

func prepare(t *testing.T, inv string, opts runs.Options) *runs.Prepared {
	t.Helper()
	opts.Registry = all.Registry()
	p, err := runs.Prepare(inv, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// collect reads a subscription to its end.
func collect(t *testing.T, sub *runs.Subscription) []runs.Event {
	var evs []runs.Event
	for {
		ev, err := sub.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return evs
		}
		if err != nil {
			t.Errorf("subscriber: %v", err)
			return evs
		}
		evs = append(evs, ev)
	}
}

// line is an event as a comparable line.
func line(ev runs.Event) string {
	s := fmt.Sprintf("%d %s %s %s/%s %d %q %q", ev.Seq, ev.Time.Format(time.RFC3339Nano), ev.Kind, ev.Step, ev.Switch, ev.Moves, ev.Text, ev.Error)
	if ev.Check != nil {
		s += fmt.Sprintf(" check %s %s %v", ev.Check.Step, ev.Check.Name, ev.Check.Passed)
	}
	if ev.Result != nil {
		s += " result " + string(ev.Result.Class)
	}
	return s
}

func lines(evs []runs.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = line(ev)
	}
	return out
}

func TestRuns(t *testing.T) {
	l := startLab(t)
	// Each case starts with the old system in Production, the new one in
	// Migration.
	t.Run("guarded apply: two subscribers, one journal, one plan hash", func(t *testing.T) { guardedApply(t, l) })
	t.Run("a subscriber that never reads", func(t *testing.T) { l.reset(t); neverReads(t, l) })
	t.Run("halt mid-step", func(t *testing.T) { l.reset(t); haltMidStep(t, l) })
	t.Run("recover resume", func(t *testing.T) { l.reset(t); recoverUnfinished(t, l, runs.RecoverResume) })
	t.Run("recover rollback", func(t *testing.T) { l.reset(t); recoverUnfinished(t, l, runs.RecoverRollback) })
	t.Run("rollback the last run", func(t *testing.T) { l.reset(t); rollbackLast(t, l) })
}

// guardedApply: the plan hash known before the run is the one journaled;
// two subscribers see the same events in the same order, every step and
// every guard check; one that comes after the end sees them all too.
func guardedApply(t *testing.T, l *lab) {
	dir := t.TempDir()
	prep := prepare(t, l.guarded, runs.Options{Kind: runs.KindApply, JournalDir: dir, ConfirmTimeout: time.Minute})
	hash := prep.Plan.Hash
	if hash == "" || prep.Plan.Steps[0].Batches[0].Commands == nil || !prep.Guarded() {
		t.Fatalf("prepared plan: %+v (guarded %v)", prep.Plan, prep.Guarded())
	}
	if run, _ := journal.Last(dir); run != nil {
		t.Fatal("preparing journaled a run")
	}
	r, err := prep.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	subs := []*runs.Subscription{r.Subscribe(0), r.Subscribe(0)}
	got := make([][]runs.Event, len(subs))
	var wg sync.WaitGroup
	for i, sub := range subs {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = collect(t, sub) }()
	}
	res := r.Wait()
	wg.Wait()
	if res.Class != runs.ClassDone || res.Err != nil || res.Report == nil || res.Report.Result != engine.ResultDone {
		t.Fatalf("result: %+v", res)
	}
	l.expect(t, "166", "66")

	a, b := lines(got[0]), lines(got[1])
	if !slices.Equal(a, b) {
		t.Fatalf("the subscribers saw different runs:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	evs := got[0]
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has Seq %d", i, ev.Seq)
		}
	}
	if last := evs[len(evs)-1]; last.Kind != runs.EventEnd || last.Result == nil || last.Result.Class != runs.ClassDone {
		t.Fatalf("last event: %s", line(last))
	}
	if evs[0].Kind != runs.EventJournal || evs[0].Text != res.Journal {
		t.Fatalf("first event: %s, journal %s", line(evs[0]), res.Journal)
	}
	var steps []string
	checks := 0
	for _, ev := range evs {
		switch ev.Kind {
		case "step-done":
			if ev.Error != "" {
				t.Errorf("step failed: %s", line(ev))
			}
			steps = append(steps, ev.Step)
		case runs.EventCheck:
			checks++
			if !ev.Check.Passed {
				t.Errorf("check failed: %s", line(ev))
			}
		}
	}
	if !slices.Equal(steps, []string{"isolate", "promote", "park"}) || checks < 5 || checks != len(res.Guard) {
		t.Fatalf("steps %v, %d check events, %d checks in the result", steps, checks, len(res.Guard))
	}

	// The journal holds the very plan prepared, and every check.
	run, err := journal.Last(dir)
	if err != nil || run.Path != res.Journal || !run.Ended || run.Result != engine.ResultDone {
		t.Fatalf("journal: %+v %v", run, err)
	}
	if run.Plan.Hash != hash {
		t.Fatalf("journaled plan %s, prepared %s", run.Plan.Hash, hash)
	}
	journaled := 0
	for _, rec := range run.Records {
		if rec.Kind == journal.KindGuard {
			journaled++
		}
	}
	if journaled != checks {
		t.Fatalf("%d guard records, %d checks", journaled, checks)
	}
	if _, alive := journal.LockHolder(dir); alive {
		t.Fatal("the lock outlived the run")
	}

	// Late subscribers: from the start, and resuming after an event.
	if late := lines(collect(t, r.Subscribe(0))); !slices.Equal(late, a) {
		t.Fatalf("a late subscriber saw\n%s", strings.Join(late, "\n"))
	}
	if resumed := lines(collect(t, r.Subscribe(3))); !slices.Equal(resumed, a[3:]) {
		t.Fatalf("resumed after 3:\n%s", strings.Join(resumed, "\n"))
	}
	st, err := runs.ReadStatus(dir)
	if err != nil || st.Running || st.Unfinished() || len(st.Batches) != 3 {
		t.Fatalf("status: %+v %v", st, err)
	}
}

// neverReads: a subscriber that never reads costs the run nothing: the run
// ends, and the subscriber, left behind the buffer, is cut off.
func neverReads(t *testing.T, l *lab) {
	prep := prepare(t, l.unguarded, runs.Options{Kind: runs.KindApply, NoGuard: true, JournalDir: t.TempDir(), EventBuffer: 2})
	r, err := prep.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sub := r.Subscribe(0)
	res := r.Wait()
	if res.Class != runs.ClassDone {
		t.Fatalf("result: %+v", res)
	}
	l.expect(t, "166", "66")
	if _, err := sub.Next(context.Background()); !errors.Is(err, runs.ErrCutOff) {
		t.Fatalf("the subscriber that never read: %v, want cut off", err)
	}
}

// slowVsctl writes an ovs-vsctl that, once, stays in the new port's
// promote transaction after committing it: a step under way on the
// switch. mark appears when it gets there.
func slowVsctl(t *testing.T) (path, mark string) {
	t.Helper()
	real, err := exec.LookPath("ovs-vsctl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, mark = filepath.Join(dir, "ovs-vsctl"), filepath.Join(dir, "in-promote")
	script := fmt.Sprintf("#!/bin/sh\n%s \"$@\" || exit $?\ncase \"$*\" in *\"wait-until Port sw1-e2 tag=166\"*)\n  if [ ! -e %s ]; then : > %s; exec sleep 60; fi;;\nesac\n", real, mark, mark)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, mark
}

// haltMidStep halts the run while the promote batch is on the switch but
// not finished: the promote and the isolate are undone, the result says
// halted and why, and the journal keeps the halt.
func haltMidStep(t *testing.T, l *lab) {
	vsctl, mark := slowVsctl(t)
	inv := inventory(t, l.Lab, "", fmt.Sprintf("{ovs_vsctl: %q}", vsctl))
	dir := t.TempDir()
	prep := prepare(t, inv, runs.Options{Kind: runs.KindApply, NoGuard: true, JournalDir: dir})
	r, err := prep.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		if time.Now().After(deadline) {
			r.Halt("test: the promote never began")
			t.Fatalf("the promote never began: %+v", r.Wait())
		}
	}
	if tag, _ := l.PortTag(context.Background(), "sw1-e2"); tag != "66" {
		t.Fatalf("the promote is not on the switch yet: new port in %s", tag)
	}
	const reason = "operator alice: the change board withdrew approval"
	r.Halt(reason)
	res := r.Wait()
	r.Halt("too late") // after the end: nothing
	if res.Class != runs.ClassRolledBack || res.Halted != reason || res.Report == nil || res.Report.Result != engine.ResultRolledBack {
		t.Fatalf("result: %+v", res)
	}
	if !strings.Contains(res.Error, "halted: "+reason) {
		t.Fatalf("the error does not name the halt: %s", res.Error)
	}
	var undone []string
	for _, s := range res.Report.Rollback {
		if s.Error != "" {
			t.Errorf("undo failed: %+v", s)
		}
		undone = append(undone, s.Name)
	}
	if !slices.Equal(undone, []string{"undo-promote", "undo-isolate"}) {
		t.Fatalf("undone: %v", undone)
	}
	l.expect(t, "66", "166")

	run, err := journal.Last(dir)
	if err != nil || !run.Ended || run.Result != engine.ResultRolledBack {
		t.Fatalf("journal: %+v %v", run, err)
	}
	notes := 0
	for _, rec := range run.Records {
		if rec.Kind == journal.KindNote {
			notes++
			if rec.Detail != "halt requested: "+reason {
				t.Errorf("note %q", rec.Detail)
			}
		}
	}
	if notes != 1 {
		t.Fatalf("%d notes, want the halt's", notes)
	}
	var kinds []string
	for _, ev := range collect(t, r.Subscribe(0)) {
		if ev.Kind == runs.EventHalt && ev.Text != reason {
			t.Errorf("halt event: %s", line(ev))
		}
		kinds = append(kinds, ev.Kind)
	}
	if i := slices.Index(kinds, runs.EventHalt); i < 0 || i > slices.Index(kinds, "rollback-start") || kinds[len(kinds)-1] != runs.EventEnd {
		t.Fatalf("events: %v", kinds)
	}
}

// deadPID is the PID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

// crashAfterIsolate leaves in dir what a process killed between isolate
// and promote leaves: its journal up to isolate's result, its lock, and
// the old port in Shadow.
func crashAfterIsolate(t *testing.T, l *lab, p *plan.Plan, dir string) int {
	t.Helper()
	pid := deadPID(t)
	// The dead process's journal: its start record (with its PID), then
	// isolate's intent and result.
	start, err := json.Marshal(journal.Record{V: journal.Version, Time: time.Now().UTC(), Kind: journal.KindStart, Plan: p, PID: pid})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "runs", time.Now().UTC().Format("20060102T150405.000000000Z")+"-"+p.Hash+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(start, '\n'), 0o640); err != nil {
		t.Fatal(err)
	}
	w, err := journal.Append(path)
	if err != nil {
		t.Fatal(err)
	}
	step := p.Steps[0]
	b := step.Batches[0]
	var changes []switchdrivers.Change
	for _, m := range b.Moves {
		changes = append(changes, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
	}
	if err := w.Intent(step.Name, b.Switch, changes); err != nil {
		t.Fatal(err)
	}
	if err := l.SetPortTag(context.Background(), "sw1-e1", "266"); err != nil {
		t.Fatal(err)
	}
	if err := w.Result(step.Name, b.Switch, changes, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "lock"), []byte(strconv.Itoa(pid)+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	return pid
}

// recoverUnfinished: a run a dead process left between isolate and
// promote is found (status, Start refused), then recovered — resumed to
// the end under the guard, or rolled back — in the same journal.
func recoverUnfinished(t *testing.T, l *lab, mode runs.RecoverMode) {
	dir := t.TempDir()
	prep := prepare(t, l.guarded, runs.Options{Kind: runs.KindApply, JournalDir: dir})
	pid := crashAfterIsolate(t, l, prep.Plan, dir)

	st, err := runs.ReadStatus(dir)
	if err != nil || !st.Unfinished() || st.Run.Plan.Hash != prep.Plan.Hash || len(st.Batches) != 1 {
		t.Fatalf("status: %+v %v", st, err)
	}
	var stale *journal.StaleLockError
	if _, err := prep.Start(context.Background()); !errors.As(err, &stale) || stale.PID != pid {
		t.Fatalf("start over an unfinished run: %v", err)
	}
	r, err := prep.Recover(context.Background(), mode)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	r.Follow(func(ev runs.Event) {
		if ev.Kind == runs.EventNote {
			notes = append(notes, ev.Text)
		}
	})
	res := r.Wait()
	run, err := journal.Last(dir)
	if err != nil || run.Path != st.Run.Path || !run.Ended {
		t.Fatalf("journal after the recovery: %+v %v", run, err)
	}
	recovering := fmt.Sprintf("recovering the unfinished run %s (process %d is gone): ", run.Path, pid)
	switch mode {
	case runs.RecoverResume:
		if res.Class != runs.ClassDone || run.Result != engine.ResultDone || len(res.Guard) == 0 {
			t.Fatalf("resume: %+v", res)
		}
		if !slices.Equal(notes, []string{recovering + "resuming", "the switches show the run stopped before step promote"}) {
			t.Fatalf("notes: %q", notes)
		}
		for _, c := range res.Guard {
			if !c.Passed {
				t.Errorf("check failed: %+v", c)
			}
		}
		l.expect(t, "166", "66")
	case runs.RecoverRollback:
		if res.Class != runs.ClassRolledBack || run.Result != engine.ResultRolledBack || !strings.Contains(res.Error, "the run was rolled back") {
			t.Fatalf("rollback: %+v", res)
		}
		if !slices.Equal(notes, []string{recovering + "rolling back"}) {
			t.Fatalf("notes: %q", notes)
		}
		l.expect(t, "66", "166")
	}
	if st, _ := runs.ReadStatus(dir); st.Unfinished() || st.Running {
		t.Fatalf("still unfinished: %+v", st)
	}
}

// rollbackLast: a finished run is undone from its journal, through a
// rollback prepared from the same inventory.
func rollbackLast(t *testing.T, l *lab) {
	dir := t.TempDir()
	apply := prepare(t, l.unguarded, runs.Options{Kind: runs.KindApply, NoGuard: true, JournalDir: dir})
	r, err := apply.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Wait(); res.Class != runs.ClassDone {
		t.Fatalf("apply: %+v", res)
	}
	l.expect(t, "166", "66")

	back := prepare(t, l.unguarded, runs.Options{Kind: runs.KindRollback, NoGuard: true, JournalDir: dir})
	if back.Plan != nil {
		t.Fatal("a rollback's plan is the journal's, not known before reading it")
	}
	if err := back.Lock(false); err != nil {
		t.Fatal(err)
	}
	last, err := back.LastRun()
	if err != nil || last.Plan.Hash != apply.Plan.Hash || back.Plan.Hash != apply.Plan.Hash {
		t.Fatalf("last run: %+v %v", last, err)
	}
	r, err = back.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := r.Wait()
	if res.Class != runs.ClassRolledBack || res.Report == nil || len(res.Report.Rollback) != 3 || res.Journal != last.Path {
		t.Fatalf("rollback: %+v", res)
	}
	l.expect(t, "66", "166")
	run, err := journal.Last(dir)
	if err != nil || run.Result != engine.ResultRolledBack || !strings.HasPrefix(run.Records[len(run.Records)-1].Detail, "rolled back in ") {
		t.Fatalf("journal: %+v %v", run, err)
	}
}

// TestPrepareTouchesNoSwitch: preparing compiles and renders the plan
// against a switch nobody could reach, and journals nothing.
func TestPrepareTouchesNoSwitch(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inv.yml")
	os.WriteFile(inv, []byte(`version: 1
name: offline
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: unix:/nonexistent/db.sock}]
systems:
  old: {ports: [sw1:p1], addresses: [192.168.66.30]}
  new: {ports: [sw1:p2]}
`), 0o600)
	for _, kind := range []runs.Kind{runs.KindApply, runs.KindFallback} {
		p, err := runs.Prepare(inv, runs.Options{Kind: kind, Registry: all.Registry(), NoGuard: true, JournalDir: filepath.Join(dir, "journal")})
		if err != nil {
			t.Fatal(err)
		}
		if p.Plan.Kind != map[runs.Kind]string{runs.KindApply: plan.KindCutover, runs.KindFallback: plan.KindFallback}[kind] ||
			len(p.Plan.Hash) != 16 || !strings.Contains(strings.Join(p.Plan.Steps[1].Batches[0].Commands, " "), "set Port p2 tag=66") && kind == runs.KindApply {
			t.Fatalf("%s: %+v", kind, p.Plan)
		}
		if runs.KindOf(p.Plan) != kind {
			t.Fatalf("KindOf(%s plan) = %s", p.Plan.Kind, runs.KindOf(p.Plan))
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "journal")); !os.IsNotExist(err) {
		t.Fatalf("preparing touched the journal: %v", err)
	}
	// Without a guard section, a guarded run is refused before anything.
	if _, err := runs.Prepare(inv, runs.Options{Kind: runs.KindApply, Registry: all.Registry()}); err == nil || !strings.Contains(err.Error(), "no guard section") {
		t.Fatalf("guarded without a guard section: %v", err)
	}
	// A rollback needs its journal; only a rollback takes a dead lock over.
	if _, err := runs.Prepare(inv, runs.Options{Kind: runs.KindRollback, Registry: all.Registry(), NoGuard: true}); err == nil {
		t.Fatal("a rollback without a journal was prepared")
	}
	p, err := runs.Prepare(inv, runs.Options{Kind: runs.KindApply, Registry: all.Registry(), NoGuard: true, JournalDir: filepath.Join(dir, "journal")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Lock(true); err == nil {
		t.Fatal("an apply took a lock over")
	}
}

// TestWaitForTrials: a trial the journal shows unconfirmed is named; once
// its revert time and the grace are past, there is nothing to wait for.
func TestWaitForTrials(t *testing.T) {
	dir := t.TempDir()
	w, err := journal.Create(dir, &plan.Plan{Kind: plan.KindCutover, Hash: "abc", Steps: []plan.Step{{Name: "isolate"}}})
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	w.Write(journal.Record{Kind: journal.KindTrial, Time: past, Step: "isolate", Switch: "sw1", RevertMS: 1000})
	w.Close()
	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	if err := runs.WaitForTrials(context.Background(), run, func(s string) { notes = append(notes, s) }); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "switch sw1: the trial of step isolate was never confirmed") {
		t.Fatalf("notes: %q", notes)
	}
}
