// Package journal records a run so that a crash never leaves cutover
// guessing: one human-readable JSON line per record, appended and fsync'd
// before the run goes on — the plan at the start, each batch's intent
// before it is sent, its result after, each guard check, the end. A lock
// held with the journal keeps two runs off the same switches; a lock left
// by a dead process is reported, never silently broken.
package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// Version is the record format version.
const Version = 1

// Record kinds.
const (
	KindStart  = "start"  // the plan
	KindIntent = "intent" // a batch about to be sent
	KindResult = "result" // what came of it
	KindGuard  = "guard"  // a guard check
	KindNote   = "note"   // anything else worth keeping (recovery decisions, a lock taken over)
	KindEnd    = "end"    // the run's result
	// A batch sent on trial (the switch reverts it by itself unless it is
	// confirmed) and the confirmation of a step's trial on one switch.
	KindTrial   = "trial"
	KindConfirm = "confirm"
	// A trial settled without a confirmation: cancelled, found reverted
	// by the switch, or waited out (Detail says which).
	KindSettled = "settled"
	// The live segments of a switch's ports of the plan, as a recovery or
	// a rollback read them (Live).
	KindLive = "live"
	// The guard's evidence of who owns the addresses (Outgoing, Incoming).
	KindEvidence = "evidence"
)

// Record is one journal line.
type Record struct {
	V       int                    `json:"v"`
	Time    time.Time              `json:"time"`
	Kind    string                 `json:"kind"`
	Plan    *plan.Plan             `json:"plan,omitempty"`
	Step    string                 `json:"step,omitempty"`
	Switch  string                 `json:"switch,omitempty"`
	Changes []switchdrivers.Change `json:"changes,omitempty"`
	Error   string                 `json:"error,omitempty"`
	// Untouched: the batch failed and the switch says nothing of it was applied.
	Untouched bool   `json:"untouched,omitempty"`
	Result    string `json:"result,omitempty"`
	Detail    string `json:"detail,omitempty"`
	PID       int    `json:"pid,omitempty"`
	// RevertMS: a trial's revert timer, in milliseconds.
	RevertMS int64 `json:"revert_ms,omitempty"`
	// Live: port -> segment on Switch (KindLive).
	Live map[string]string `json:"live,omitempty"`
	// Outgoing, Incoming: address -> MACs (KindEvidence).
	Outgoing map[string][]string `json:"outgoing,omitempty"`
	Incoming map[string][]string `json:"incoming,omitempty"`
}

// Writer appends records to one run's file. It is safe for concurrent use:
// the engine journals the batches of one step from parallel goroutines.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
	size int64 // bytes of complete records
}

// Create starts a run's journal in dir.
func Create(dir string, p *plan.Plan) (*Writer, error) {
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o750); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	name := fmt.Sprintf("%s-%s.jsonl", time.Now().UTC().Format("20060102T150405.000000000Z"), p.Hash)
	path := filepath.Join(dir, "runs", name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	w := &Writer{f: f, path: path}
	if err := w.Write(Record{Kind: KindStart, Plan: p, PID: os.Getpid()}); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Append reopens an existing run's journal (recovery continues it).
// A torn last line (the crash that made recovery necessary) is cut off
// first, so the records that follow stay whole lines.
func Append(path string) (*Writer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	size := int64(bytes.LastIndexByte(data, '\n') + 1)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if size < int64(len(data)) {
		if err := f.Truncate(size); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: cutting off the torn last line: %w", path, err)
		}
	}
	return &Writer{f: f, path: path, size: size}, nil
}

// Path is the run's file.
func (w *Writer) Path() string { return w.path }

// Write appends a record and syncs it to disk; only then may the caller
// act on it.
func (w *Writer) Write(r Record) error {
	r.V = Version
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.f.Write(append(b, '\n'))
	if err != nil {
		// A short write (a full disk) must not leave half a line for the
		// next record to follow: cut the file back to its last full line.
		if n > 0 {
			w.f.Truncate(w.size)
		}
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	w.size += int64(n)
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", w.path, err)
	}
	return nil
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// Run is a journal read back.
type Run struct {
	Path    string
	Plan    *plan.Plan
	PID     int
	Records []Record
	Ended   bool
	Result  string
	// Torn is set when the last line was cut short (a crash mid-write);
	// it is ignored.
	Torn bool
}

// Parse reads a run's journal. A torn last line is tolerated and
// reported; anything else malformed, another version, or a journal that
// does not start with its plan is an error naming the line.
func Parse(path string, data []byte) (*Run, error) {
	run := &Run{Path: path}
	lines := bytes.Split(data, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	for i, l := range lines {
		var r Record
		if err := json.Unmarshal(l, &r); err != nil {
			if i == len(lines)-1 && !bytes.HasSuffix(data, []byte("\n")) {
				run.Torn = true
				break
			}
			return nil, fmt.Errorf("journal %s:%d: not a journal record: %v", path, i+1, err)
		}
		if r.V != Version {
			return nil, fmt.Errorf("journal %s:%d: record version %d, this cutover reads version %d", path, i+1, r.V, Version)
		}
		if i == 0 {
			if r.Kind != KindStart || r.Plan == nil {
				return nil, fmt.Errorf("journal %s:1: does not start with the run's plan", path)
			}
			run.Plan, run.PID = r.Plan, r.PID
		} else if r.Kind == KindStart {
			return nil, fmt.Errorf("journal %s:%d: a second start record", path, i+1)
		}
		if r.Kind == KindEnd {
			run.Ended, run.Result = true, r.Result
		}
		run.Records = append(run.Records, r)
	}
	if run.Plan == nil {
		return nil, fmt.Errorf("journal %s: empty", path)
	}
	return run, nil
}

// Read reads a run's journal file.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Last returns the latest run in dir, or nil if there is none.
func Last(dir string) (*Run, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*.jsonl"))
	if len(files) == 0 {
		return nil, nil
	}
	sort.Strings(files)
	return Read(files[len(files)-1])
}

// Lock is the lock a run holds on its journal directory.
type Lock struct{ path string }

// ErrLocked is returned when another live process holds the lock.
var ErrLocked = errors.New("locked")

// StaleLockError reports a lock left by a process that is gone.
type StaleLockError struct {
	PID  int
	Path string
}

func (e *StaleLockError) Error() string {
	return fmt.Sprintf("lock %s was left by process %d, which is gone: its run did not finish", e.Path, e.PID)
}

// Acquire takes the lock in dir. A live holder gives ErrLocked; a dead one
// a *StaleLockError, unless takeOver is set, in which case the lock is
// taken over (the caller journals that it did).
func Acquire(dir string, takeOver bool) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "lock")
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return &Lock{path: path}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if processAlive(pid) {
			return nil, fmt.Errorf("%w: process %d is running a cut-over (lock %s)", ErrLocked, pid, path)
		}
		if !takeOver {
			return nil, &StaleLockError{PID: pid, Path: path}
		}
		os.Remove(path)
	}
	return nil, fmt.Errorf("%w: could not take %s", ErrLocked, path)
}

// Release frees the lock.
func (l *Lock) Release() error { return os.Remove(l.path) }

// PortState is what the journal says of one port of the plan.
type PortState struct {
	Switch   string `json:"switch"`
	Port     string `json:"port"`
	Original string `json:"original"` // before the run
	Final    string `json:"final"`    // where the plan puts it
	Last     string `json:"last"`     // where the last successful result (or live read) left it
	Pending  bool   `json:"pending"`  // sent without a successful or untouched result: it may be on either side (never once the run ended)
	// Unknown: the run ended without learning where the port is (its last
	// change failed and nothing read it since): look at the switch.
	Unknown bool `json:"unknown,omitempty"`
}

// Ports summarises the journal per port.
func (r *Run) Ports() []PortState {
	idx := map[string]int{}
	var out []PortState
	for _, s := range r.Plan.Steps {
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				k := b.Switch + ":" + m.Port
				if i, ok := idx[k]; ok {
					out[i].Final = m.To
					continue
				}
				idx[k] = len(out)
				out = append(out, PortState{Switch: b.Switch, Port: m.Port, Original: m.From, Final: m.To, Last: m.From})
			}
		}
	}
	for _, rec := range r.Records {
		for _, c := range rec.Changes {
			i, ok := idx[rec.Switch+":"+c.Port]
			if !ok {
				continue
			}
			switch {
			case rec.Kind == KindIntent:
				out[i].Pending = true
			case rec.Kind == KindResult && rec.Error == "":
				out[i].Last, out[i].Pending = c.To, false
			case rec.Kind == KindResult && rec.Untouched:
				out[i].Pending = false
			}
		}
		for port, seg := range rec.Live {
			if i, ok := idx[rec.Switch+":"+port]; ok && rec.Kind == KindLive {
				out[i].Last, out[i].Pending = seg, false
			}
		}
	}
	if r.Ended {
		// The run is over: nothing it sent is still on its way. A port
		// whose last change has no result since (a rollback or recovery
		// journals every port it reads) is unknown, not pending.
		for i := range out {
			out[i].Unknown, out[i].Pending = out[i].Pending, false
		}
	}
	return out
}

// Intent journals a batch about to be sent (engine.Recorder).
func (w *Writer) Intent(step, sw string, changes []switchdrivers.Change) error {
	return w.Write(Record{Kind: KindIntent, Step: step, Switch: sw, Changes: changes})
}

// Result journals what came of a batch (engine.Recorder).
func (w *Writer) Result(step, sw string, changes []switchdrivers.Change, err error) error {
	r := Record{Kind: KindResult, Step: step, Switch: sw, Changes: changes}
	if err != nil {
		r.Error, r.Untouched = err.Error(), switchdrivers.IsUntouched(err)
	}
	return w.Write(r)
}

// Trial journals a batch about to be sent on trial (engine.TrialRecorder).
func (w *Writer) Trial(step, sw string, revertIn time.Duration) error {
	return w.Write(Record{Kind: KindTrial, Step: step, Switch: sw, RevertMS: revertIn.Milliseconds()})
}

// Confirmed journals the confirmation of a step's trial on one switch
// (engine.TrialRecorder).
func (w *Writer) Confirmed(step, sw string, err error) error {
	r := Record{Kind: KindConfirm, Step: step, Switch: sw}
	if err != nil {
		r.Error = err.Error()
	}
	return w.Write(r)
}

// TrialOff journals that a step's batch on a switch that was to go on
// trial is sent without one, and why (engine.TrialOffRecorder): a note
// naming the step and the switch.
func (w *Writer) TrialOff(step, sw, reason string) error {
	return w.Write(Record{Kind: KindNote, Step: step, Switch: sw, Detail: "sent without a trial: " + reason})
}

// Note journals what a driver did on a switch besides a step's batch
// (engine.NoteRecorder).
func (w *Writer) Note(step, sw, text string) error {
	return w.Write(Record{Kind: KindNote, Step: step, Switch: sw, Detail: text})
}

// TrialSettled journals a trial settled without a confirmation
// (engine.TrialCancelRecorder).
func (w *Writer) TrialSettled(step, sw, how string) error {
	return w.Write(Record{Kind: KindSettled, Step: step, Switch: sw, Detail: how})
}

// LiveState journals the live segments of a switch's ports.
func (w *Writer) LiveState(sw string, live map[string]string) error {
	return w.Write(Record{Kind: KindLive, Switch: sw, Live: live})
}

// Evidence is the latest owners of the addresses the guard verified in
// the run (address -> MACs), nil when it verified none.
func (r *Run) Evidence() (outgoing, incoming map[string][]string) {
	for _, rec := range r.Records {
		if rec.Kind == KindEvidence {
			outgoing, incoming = rec.Outgoing, rec.Incoming
		}
	}
	return outgoing, incoming
}

// PendingTrial is a trial the journal does not show confirmed: until
// RevertsAt the switch may still revert it by itself.
type PendingTrial struct {
	Switch    string    `json:"switch"`
	Step      string    `json:"step"`
	RevertsAt time.Time `json:"reverts_at"`
}

// PendingTrials lists the trials sent and never confirmed. A recovery
// must not read the switches before they are past RevertsAt: a revert
// arriving after the recovery's own changes would undo them.
func (r *Run) PendingTrials() []PendingTrial {
	var out []PendingTrial
	for _, rec := range r.Records {
		switch rec.Kind {
		case KindTrial:
			out = append(out, PendingTrial{rec.Switch, rec.Step, rec.Time.Add(time.Duration(rec.RevertMS) * time.Millisecond)})
		case KindConfirm:
			if rec.Error != "" {
				continue // not confirmed: it still reverts
			}
			out = slices.DeleteFunc(out, func(t PendingTrial) bool { return t.Switch == rec.Switch && t.Step == rec.Step })
		case KindResult:
			if rec.Untouched {
				out = slices.DeleteFunc(out, func(t PendingTrial) bool { return t.Switch == rec.Switch && t.Step == rec.Step })
			}
		case KindSettled:
			out = slices.DeleteFunc(out, func(t PendingTrial) bool { return t.Switch == rec.Switch && t.Step == rec.Step })
		}
	}
	return out
}

// LockHolder reports who holds the lock in dir, without touching it:
// pid 0 when there is no lock.
func LockHolder(dir string) (pid int, running bool) {
	b, err := os.ReadFile(filepath.Join(dir, "lock"))
	if err != nil {
		return 0, false
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, processAlive(pid)
}

// processAlive reports whether process pid exists (EPERM: it does, as another user).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
