package runrequest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditRecord is one line of the audit log: a request, a decision, a
// halt, a recovery choice, with who made it and why.
type AuditRecord struct {
	Time      time.Time `json:"time"`
	Run       string    `json:"run"`
	Event     string    `json:"event"`
	Who       string    `json:"who,omitempty"`
	Role      string    `json:"role,omitempty"`
	Address   string    `json:"address,omitempty"`
	Kind      Kind      `json:"kind,omitempty"`
	Inventory string    `json:"inventory,omitempty"`
	PlanHash  string    `json:"plan_hash,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	State     State     `json:"state,omitempty"`
}

// auditLog appends records to a file, each synced to disk before the
// action it records goes on.
type auditLog struct {
	mu   sync.Mutex
	path string
}

func openAudit(dir string) (*auditLog, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &auditLog{path: filepath.Join(dir, "audit.jsonl")}, nil
}

func (a *auditLog) write(r AuditRecord) error {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	return nil
}

// read returns the records of run ("" every run).
func (a *auditLog) read(run string) ([]AuditRecord, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.Open(a.path)
	if os.IsNotExist(err) {
		return []AuditRecord{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := []AuditRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			// A torn last line (a crash mid-write) is skipped.
			continue
		}
		if run == "" || r.Run == run {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}
