package runrequest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cutover-net/cutover/plan"
)

// storeVersion is the format of the request store's lines.
const storeVersion = 1

// storedRequest is one line of the request store: a request as it was
// after one of its changes. Seq orders the changes of one request (they
// may be written out of order by concurrent changes): the highest wins.
type storedRequest struct {
	V   int    `json:"v"`
	Seq uint64 `json:"seq"`
	// View is the request without its plan (Plan holds it).
	View View `json:"view"`
	// Plan is the request's plan, in its first line only.
	Plan *plan.Plan `json:"plan,omitempty"`
	// Phase is the request's own events (requested, approved, …).
	Phase []Event `json:"phase,omitempty"`
}

// store keeps the requests in state_dir/requests.jsonl: every change
// appended as a line and synced to disk before the change is reported
// (like the audit log), so that a restarted daemon lists every request
// with the state it had.
type store struct {
	mu   sync.Mutex
	path string
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("request store: %w", err)
	}
	return &store{path: filepath.Join(dir, "requests.jsonl")}, nil
}

// write appends one change and syncs it.
func (s *store) write(rec storedRequest) error {
	rec.V = storeVersion
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("request store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("request store: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("request store %s: %w", s.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("request store %s: %w", s.path, err)
	}
	return nil
}

// load reads the store: each request's latest change (with the plan of
// its first), in the order the requests first appear. A torn last line
// (a crash mid-write) is skipped; any other unreadable line is an error
// naming it.
func (s *store) load() ([]storedRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := os.ReadFile(s.path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("request store: %w", err)
	}
	latest := map[string]storedRequest{}
	plans := map[string]*plan.Plan{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var rec storedRequest
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && bytes.HasSuffix(data, sc.Bytes()) {
				break // the torn last line
			}
			return nil, fmt.Errorf("request store %s:%d: not a request record: %v", s.path, line, err)
		}
		if rec.V != storeVersion {
			return nil, fmt.Errorf("request store %s:%d: record version %d, this cutover reads version %d", s.path, line, rec.V, storeVersion)
		}
		id := rec.View.ID
		if rec.Plan != nil && plans[id] == nil {
			plans[id] = rec.Plan
		}
		old, seen := latest[id]
		if !seen {
			order = append(order, id)
		}
		if !seen || rec.Seq >= old.Seq {
			latest[id] = rec
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("request store %s: %w", s.path, err)
	}
	out := make([]storedRequest, 0, len(order))
	for _, id := range order {
		rec := latest[id]
		rec.Plan = plans[id]
		out = append(out, rec)
	}
	return out, nil
}

// compact rewrites the store with one line per request (its latest
// change, with its plan): written aside, synced, renamed over the old
// file, and the directory synced.
func (s *store) compact(recs []storedRequest) error {
	var buf bytes.Buffer
	for _, rec := range recs {
		rec.V = storeVersion
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("request store: %w", err)
		}
		buf.Write(append(b, '\n'))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tmp := s.path + ".new"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("request store: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("request store %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("request store %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("request store %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("request store: %w", err)
	}
	d, err := os.Open(filepath.Dir(s.path))
	if err != nil {
		return fmt.Errorf("request store: %w", err)
	}
	defer d.Close()
	return d.Sync()
}
