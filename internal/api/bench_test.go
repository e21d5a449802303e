package api

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/plan"
)

// instantExec's runs end at once after a cut-over's worth of events: what
// is left of a request's time is the daemon's own (HTTP, JSON, the audit
// log's fsync, the board, the event stream).
type instantExec struct{}

func (instantExec) Prepare(context.Context, runrequest.Spec) (runrequest.Prepared, error) {
	return instantPrep{}, nil
}
func (instantExec) Unfinished(string) ([]runrequest.UnfinishedRun, error) { return nil, nil }

type instantPrep struct{}

func (instantPrep) Plan() *plan.Plan   { return &plan.Plan{Name: "bench", Hash: "00000000bench000"} }
func (instantPrep) Switches() []string { return []string{"bench"} }
func (instantPrep) Close() error       { return nil }
func (instantPrep) Start(context.Context) (runrequest.Run, error) {
	r := &instantRun{done: make(chan struct{})}
	for _, k := range []string{"journal", "step-start", "batch-done", "step-done", "step-start", "batch-done", "step-done", "step-start", "batch-done", "step-done"} {
		r.events = append(r.events, runrequest.Event{Kind: k, Time: time.Now()})
	}
	r.events = append(r.events, runrequest.Event{Kind: "end", Result: &runrequest.Outcome{Class: "done"}})
	for i := range r.events {
		r.events[i].Seq = uint64(i + 1)
		r.events[i].ID = strconv.Itoa(i + 1)
	}
	close(r.done)
	return r, nil
}

type instantRun struct {
	events []runrequest.Event
	done   chan struct{}
}

func (r *instantRun) Events(after uint64) runrequest.Stream { return &instantStream{r: r, next: after} }
func (r *instantRun) Halt(string)                           {}
func (r *instantRun) Done() <-chan struct{}                 { return r.done }
func (r *instantRun) Outcome() *runrequest.Outcome          { return &runrequest.Outcome{Class: "done"} }

type instantStream struct {
	r    *instantRun
	next uint64
	mu   sync.Mutex
}

func (s *instantStream) Next(context.Context) (runrequest.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= uint64(len(s.r.events)) {
		return runrequest.Event{}, io.EOF
	}
	s.next++
	return s.r.events[s.next-1], nil
}

// BenchmarkAPIRun is the daemon's overhead on a run: POST /v1/runs (the
// request journaled in the audit log, fsync'd), the run started, and its
// event stream read to the end, over real HTTP on loopback. The run itself
// is the CLI's (internal/runs) and is not part of it.
func BenchmarkAPIRun(b *testing.B) {
	a, _ := auth.New([]auth.Token{{Name: "op", Role: auth.Operator, Value: secret.New("bench-operator-token")}})
	board, err := runrequest.New(runrequest.Config{StateDir: b.TempDir(), Executor: instantExec{}})
	if err != nil {
		b.Fatal(err)
	}
	m := metrics.New(nil)
	srv := httptest.NewServer(New(Config{Runs: board, Auth: a, Metrics: m, Daemon: m.EnableDaemon(), Log: slog.New(slog.DiscardHandler)}))
	defer board.Shutdown(context.Background())
	defer srv.Close()
	client := srv.Client()
	do := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer bench-operator-token")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		return resp
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := do("POST", "/v1/runs", `{"kind":"apply","inventory":"bench","reason":"bench"}`)
		var id string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), `"id": "`); ok && id == "" {
				id = strings.TrimSuffix(v, `",`)
			}
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || id == "" {
			b.Fatalf("POST: %d", resp.StatusCode)
		}
		ev := do("GET", "/v1/runs/"+id+"/events", "")
		body, _ := io.ReadAll(ev.Body)
		ev.Body.Close()
		if !strings.Contains(string(body), "event: end\n") {
			b.Fatalf("no end: %s", body)
		}
	}
}
