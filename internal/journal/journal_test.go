package journal_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

func testPlan() *plan.Plan {
	return &plan.Plan{Kind: "cutover", Name: "t", Hash: "abc123", Steps: []plan.Step{
		{Name: "isolate", Batches: []plan.Batch{{Switch: "sw1", Moves: []plan.Move{{Port: "Gi1/0/1", From: "66", To: "266"}, {Port: "Gi1/0/2", From: "66", To: "266"}}}}},
		{Name: "promote", Batches: []plan.Batch{{Switch: "sw1", Moves: []plan.Move{{Port: "Gi1/0/3", From: "166", To: "66"}}}}},
		{Name: "park", Batches: []plan.Batch{{Switch: "sw1", Moves: []plan.Move{{Port: "Gi1/0/1", From: "266", To: "166"}, {Port: "Gi1/0/2", From: "266", To: "166"}}}}},
	}}
}

func changes(p *plan.Plan, step int) []switchdrivers.Change {
	var out []switchdrivers.Change
	for _, m := range p.Steps[step].Batches[0].Moves {
		out = append(out, switchdrivers.Change{Port: m.Port, From: m.From, To: m.To})
	}
	return out
}

// TestWriteReadPorts journals a run that dies with the promote batch in
// flight and reads back what each port's state is.
func TestWriteReadPorts(t *testing.T) {
	dir := t.TempDir()
	p := testPlan()
	w, err := journal.Create(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Intent("isolate", "sw1", changes(p, 0)))
	must(w.Result("isolate", "sw1", changes(p, 0), nil))
	must(w.Intent("promote", "sw1", changes(p, 1)))
	must(w.Close())

	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	if run.Ended || run.Plan.Hash != "abc123" || run.PID != os.Getpid() || len(run.Records) != 4 {
		t.Fatalf("run: %+v", run)
	}
	want := []journal.PortState{
		{Switch: "sw1", Port: "Gi1/0/1", Original: "66", Final: "166", Last: "266"},
		{Switch: "sw1", Port: "Gi1/0/2", Original: "66", Final: "166", Last: "266"},
		{Switch: "sw1", Port: "Gi1/0/3", Original: "166", Final: "66", Last: "166", Pending: true},
	}
	got := run.Ports()
	if len(got) != len(want) {
		t.Fatalf("ports %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("port %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	// A batch refused untouched leaves its ports where they were.
	w, err = journal.Append(run.Path)
	must(err)
	must(w.Intent("promote", "sw1", changes(p, 1)))
	must(w.Result("promote", "sw1", changes(p, 1), switchdrivers.Untouched(errors.New("% Invalid input"))))
	w.Close()
	run, err = journal.Read(run.Path)
	must(err)
	if got := run.Ports()[2]; got.Pending || got.Last != "166" {
		t.Fatalf("after an untouched failure: %+v", got)
	}

	// A failed result keeps the port pending while the run goes on: it
	// may be on either side. Once the run has ended nothing is pending;
	// the port is unknown unless something read it since.
	w, err = journal.Append(run.Path)
	must(err)
	must(w.Intent("promote", "sw1", changes(p, 1)))
	must(w.Result("promote", "sw1", changes(p, 1), errors.New("read-back failed")))
	w.Close()
	run, err = journal.Read(run.Path)
	must(err)
	if run.Ended || !run.Ports()[2].Pending {
		t.Fatalf("after failure: ended %v ports %+v", run.Ended, run.Ports())
	}
	w, err = journal.Append(run.Path)
	must(err)
	must(w.Write(journal.Record{Kind: journal.KindEnd, Result: "failed"}))
	w.Close()
	run, err = journal.Read(run.Path)
	must(err)
	if got := run.Ports()[2]; !run.Ended || run.Result != "failed" || got.Pending || !got.Unknown || got.Last != "166" {
		t.Fatalf("after the end: ended %v result %q ports %+v", run.Ended, run.Result, run.Ports())
	}
	// A live read settles a port: its segment becomes the last known.
	w, err = journal.Append(run.Path)
	must(err)
	must(w.LiveState("sw1", map[string]string{"Gi1/0/3": "66", "Gi1/0/9": "1"}))
	w.Close()
	run, err = journal.Read(run.Path)
	must(err)
	if got := run.Ports()[2]; got.Pending || got.Unknown || got.Last != "66" {
		t.Fatalf("after a live read: %+v", got)
	}
}

func TestParseRejectsWhatItCannotTrust(t *testing.T) {
	dir := t.TempDir()
	w, err := journal.Create(dir, testPlan())
	if err != nil {
		t.Fatal(err)
	}
	w.Intent("isolate", "sw1", changes(testPlan(), 0))
	w.Close()
	good, _ := os.ReadFile(w.Path())
	lines := strings.SplitAfter(string(good), "\n")

	// A crash mid-write leaves a torn last line: tolerated, flagged.
	torn := lines[0] + lines[1][:len(lines[1])/2]
	run, err := journal.Parse("j", []byte(torn))
	if err != nil || !run.Torn || len(run.Records) != 1 {
		t.Fatalf("torn: %v %+v", err, run)
	}
	for name, tc := range map[string]struct{ data, want string }{
		"garbage in the middle": {lines[0] + "{not json\n" + lines[1], "j:2: not a journal record"},
		"other version":         {strings.Replace(lines[0], `"v":1`, `"v":7`, 1), "j:1: record version 7"},
		"no plan first":         {lines[1], "does not start with the run's plan"},
		"second start":          {lines[0] + lines[0], "j:2: a second start record"},
		"empty":                 {"", "empty"},
	} {
		if _, err := journal.Parse("j", []byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

// TestAppendAfterTornLine: recovery continues a journal whose last line
// was cut short; the fragment goes, the new records are whole lines.
func TestAppendAfterTornLine(t *testing.T) {
	w, err := journal.Create(t.TempDir(), testPlan())
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	f, _ := os.OpenFile(w.Path(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"v":1,"kind":"inte`)
	f.Close()
	w, err = journal.Append(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(journal.Record{Kind: journal.KindEnd, Result: "rolled_back"}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	run, err := journal.Read(w.Path())
	if err != nil || run.Torn || !run.Ended || len(run.Records) != 2 {
		t.Fatalf("%v %+v", err, run)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := journal.Acquire(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := journal.Acquire(dir, false); !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("second acquire: %v", err)
	}
	if pid, alive := journal.LockHolder(dir); pid != os.Getpid() || !alive {
		t.Fatalf("holder %d %v", pid, alive)
	}
	l.Release()
	if pid, _ := journal.LockHolder(dir); pid != 0 {
		t.Fatalf("holder after release: %d", pid)
	}

	// A lock left by a process that is gone is reported, not broken...
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "lock"), []byte(strconv.Itoa(dead.Process.Pid)+"\n"), 0o640)
	var stale *journal.StaleLockError
	if _, err := journal.Acquire(dir, false); !errors.As(err, &stale) || stale.PID != dead.Process.Pid {
		t.Fatalf("stale: %v", err)
	}
	// ...until the caller says it takes over.
	l, err = journal.Acquire(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if pid, alive := journal.LockHolder(dir); pid != os.Getpid() || !alive {
		t.Fatalf("holder after takeover %d %v", pid, alive)
	}
	l.Release()
}

func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	w, err := journal.Create(dir, testPlan())
	if err != nil {
		f.Fatal(err)
	}
	w.Intent("isolate", "sw1", changes(testPlan(), 0))
	w.Result("isolate", "sw1", changes(testPlan(), 0), nil)
	w.Close()
	b, _ := os.ReadFile(w.Path())
	f.Add(b)
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := journal.Parse("f", data)
		if err != nil {
			return
		}
		if run.Plan == nil {
			t.Fatal("parsed a run without a plan")
		}
		run.Ports() // must not panic on any plan the parser accepts
	})
}

// BenchmarkStep measures what the journal adds to one step of one switch:
// an intent and a result, each written and fsync'd.
func BenchmarkStep(b *testing.B) {
	p := testPlan()
	w, err := journal.Create(b.TempDir(), p)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ch := changes(p, 0)
	for b.Loop() {
		if err := w.Intent("isolate", "sw1", ch); err != nil {
			b.Fatal(err)
		}
		if err := w.Result("isolate", "sw1", ch, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPendingTrials: a trial stays pending until its confirmation is
// journaled; a failed confirmation or a batch that was never applied
// decide it either way.
func TestPendingTrials(t *testing.T) {
	dir := t.TempDir()
	p := testPlan()
	w, err := journal.Create(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		w.Trial("isolate", "sw1", 2*time.Minute),
		w.Trial("isolate", "sw2", 2*time.Minute),
		w.Trial("isolate", "sw3", 2*time.Minute),
		w.Result("isolate", "sw3", nil, switchdrivers.Untouched(errors.New("refused"))),
		w.Confirmed("isolate", "sw1", nil),
		w.Confirmed("isolate", "sw2", errors.New("session lost")),
		w.Trial("promote", "sw1", time.Minute),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	run, err := journal.Last(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := run.PendingTrials()
	if len(got) != 2 || got[0].Switch != "sw2" || got[0].Step != "isolate" || got[1].Switch != "sw1" || got[1].Step != "promote" {
		t.Fatalf("pending: %+v", got)
	}
	if d := time.Until(got[1].RevertsAt); d < 50*time.Second || d > time.Minute {
		t.Fatalf("the promote trial reverts in %s, want about a minute", d)
	}
	// A recovery that cancels a trial (or finds it reverted) settles it.
	w, err = journal.Append(run.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.TrialSettled("promote", "sw1", "cancelled"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	run, _ = journal.Read(run.Path)
	if got := run.PendingTrials(); len(got) != 1 || got[0].Switch != "sw2" {
		t.Fatalf("pending after a cancel: %+v", got)
	}
}

// TestEvidence: the latest owners the guard journaled.
func TestEvidence(t *testing.T) {
	w, err := journal.Create(t.TempDir(), testPlan())
	if err != nil {
		t.Fatal(err)
	}
	w.Write(journal.Record{Kind: journal.KindEvidence, Outgoing: map[string][]string{"192.168.66.30": {"02:00:00:00:00:01"}}})
	w.Write(journal.Record{Kind: journal.KindEvidence, Outgoing: map[string][]string{"192.168.66.30": {"02:00:00:00:00:02"}}, Incoming: map[string][]string{"192.168.66.30": {"02:00:00:00:00:03"}}})
	w.Close()
	run, err := journal.Read(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	out, in := run.Evidence()
	if out["192.168.66.30"][0] != "02:00:00:00:00:02" || in["192.168.66.30"][0] != "02:00:00:00:00:03" {
		t.Fatalf("evidence: %v %v", out, in)
	}
}
