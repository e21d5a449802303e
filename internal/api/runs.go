package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/runs"
)

// runError maps the board's errors to HTTP statuses.
func runError(err error) error {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, runrequest.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, runrequest.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, runrequest.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, runrequest.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, runrequest.ErrInventory):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, runrequest.ErrClosed):
		status = http.StatusServiceUnavailable
	}
	return &Error{Status: status, Msg: err.Error()}
}

func (s *Server) board() (*runrequest.Board, error) {
	if s.cfg.Runs == nil {
		return nil, errorf(http.StatusServiceUnavailable, "runs are not available in this daemon")
	}
	return s.cfg.Runs, nil
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b.List())
	return nil
}

func (s *Server) createRun(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	var c runrequest.Create
	if err := decodeBody(w, r, s.cfg.BodyLimit, &c); err != nil {
		return err
	}
	v, err := b.Create(r.Context(), p, c)
	if err != nil {
		return runError(err)
	}
	w.Header().Set("Location", "/v1/runs/"+v.ID)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	v, err := b.Get(r.PathValue("id"))
	if err != nil {
		return runError(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// Decision is the body of approve and deny.
type Decision struct {
	// PlanHash is the plan the approver reviewed (approve only).
	PlanHash string `json:"plan_hash,omitempty"`
	Reason   string `json:"reason"`
}

// Reason is the body of halt.
type Reason struct {
	Reason string `json:"reason"`
}

// Recovery is the body of recover.
type Recovery struct {
	Mode   string `json:"mode"`
	Reason string `json:"reason"`
}

// decide decodes a body of type B, asks the board with it and writes the
// answer with status: approve, deny, halt and recover have this shape.
func decide[B, V any](s *Server, w http.ResponseWriter, r *http.Request, status int, ask func(*runrequest.Board, B) (V, error)) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	var body B
	if err := decodeBody(w, r, s.cfg.BodyLimit, &body); err != nil {
		return err
	}
	v, err := ask(b, body)
	if err != nil {
		return runError(err)
	}
	writeJSON(w, status, v)
	return nil
}

func (s *Server) approveRun(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decide(s, w, r, http.StatusOK, func(b *runrequest.Board, d Decision) (runrequest.View, error) {
		return b.Approve(r.Context(), p, r.PathValue("id"), d.PlanHash, d.Reason)
	})
}

func (s *Server) denyRun(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decide(s, w, r, http.StatusOK, func(b *runrequest.Board, d Reason) (runrequest.View, error) {
		return b.Deny(p, r.PathValue("id"), d.Reason)
	})
}

func (s *Server) haltRun(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decide(s, w, r, http.StatusAccepted, func(b *runrequest.Board, d Reason) (runrequest.View, error) {
		return b.Halt(p, r.PathValue("id"), d.Reason)
	})
}

func (s *Server) recoverRun(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decide(s, w, r, http.StatusAccepted, func(b *runrequest.Board, d Recovery) (runrequest.View, error) {
		return b.Recover(r.Context(), p, r.PathValue("id"), d.Mode, d.Reason)
	})
}

func (s *Server) runJournal(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	j, err := b.Journal(r.PathValue("id"))
	if err != nil {
		return runError(err)
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return b
}

// InventoryStatus is what an inventory's journal says of its last run
// (as `cutover status -o json`).
type InventoryStatus struct {
	Inventory string `json:"inventory"`
	// State: none, running, unfinished, or the last run's result.
	State     string              `json:"state"`
	Journal   string              `json:"journal,omitempty"`
	PlanHash  string              `json:"plan_hash,omitempty"`
	Kind      string              `json:"kind,omitempty"`
	PID       int                 `json:"pid,omitempty"`
	HolderPID int                 `json:"holder_pid,omitempty"`
	Torn      bool                `json:"torn_last_line,omitempty"`
	Batches   []runs.BatchResult  `json:"batches"`
	Ports     []journal.PortState `json:"ports"`
	Notes     []string            `json:"guard_and_notes"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.cfg.Inventories.Find(name); err != nil {
		return errorf(http.StatusNotFound, "%v", err)
	}
	st, err := runs.ReadStatus(b.JournalDir(name))
	if err != nil {
		return err
	}
	out := InventoryStatus{Inventory: name, State: "none", Batches: st.Batches, Ports: []journal.PortState{}, Notes: st.Notes}
	if run := st.Run; run != nil {
		out.Journal, out.PlanHash, out.Kind, out.PID, out.HolderPID, out.Torn = run.Path, run.Plan.Hash, run.Plan.Kind, run.PID, st.HolderPID, run.Torn
		out.Ports = run.Ports()
		switch {
		case st.Running:
			out.State = "running"
		case st.Unfinished():
			out.State = "unfinished"
		default:
			out.State = run.Result
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
