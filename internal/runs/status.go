package runs

import (
	"time"

	"github.com/cutover-net/cutover/internal/journal"
)

// Status is what the journal says of the current or last run.
type Status struct {
	// Run is the journal's last run; nil when there is none.
	Run *journal.Run
	// Running: the run has not ended and the lock's holder (HolderPID) is
	// alive. A run that has not ended and is not running is unfinished: a
	// process died in it, and Recover (or a rollback) must deal with it.
	Running   bool
	HolderPID int
	// Batches are the batch results, in journal order.
	Batches []BatchResult
	// Notes are the guard's checks and the notes (recovery decisions,
	// halts, locks taken over), in journal order.
	Notes []string
}

// BatchResult is one batch's journaled result.
type BatchResult struct {
	Step   string    `json:"step"`
	Switch string    `json:"switch"`
	Error  string    `json:"error,omitempty"`
	Ports  int       `json:"ports"`
	Time   time.Time `json:"time"`
}

// Unfinished reports whether the run was left unfinished by a dead process.
func (s *Status) Unfinished() bool { return s.Run != nil && !s.Run.Ended && !s.Running }

// ReadStatus reads the status of the last run in the journal dir.
func ReadStatus(dir string) (*Status, error) {
	run, err := journal.Last(dir)
	if err != nil {
		return nil, err
	}
	st := &Status{Run: run, Batches: []BatchResult{}, Notes: []string{}}
	if run == nil {
		return st, nil
	}
	if !run.Ended {
		st.HolderPID, st.Running = journal.LockHolder(dir)
	}
	for _, r := range run.Records {
		switch r.Kind {
		case journal.KindResult:
			st.Batches = append(st.Batches, BatchResult{r.Step, r.Switch, r.Error, len(r.Changes), r.Time})
		case journal.KindGuard, journal.KindNote:
			st.Notes = append(st.Notes, r.Detail)
		}
	}
	return st, nil
}
