package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/plan"
)

// burstExec's run publishes the bursts of events the test sends it.
type burstExec struct{ run *burstRun }

func (e burstExec) Prepare(context.Context, runrequest.Spec) (runrequest.Prepared, error) {
	return burstPrep{e.run}, nil
}
func (burstExec) Unfinished(string) ([]runrequest.UnfinishedRun, error) { return nil, nil }

type burstPrep struct{ run *burstRun }

func (burstPrep) Plan() *plan.Plan                                { return &plan.Plan{Name: "x", Hash: "00000000burst000"} }
func (burstPrep) Switches() []string                              { return []string{"x"} }
func (burstPrep) Close() error                                    { return nil }
func (p burstPrep) Start(context.Context) (runrequest.Run, error) { return p.run, nil }

type burstRun struct {
	mu     sync.Mutex
	events []runrequest.Event
	wake   chan struct{}
	done   chan struct{}
}

func newBurstRun() *burstRun {
	return &burstRun{wake: make(chan struct{}), done: make(chan struct{})}
}

// burst publishes kinds at once; "end" ends the run.
func (r *burstRun) burst(kinds ...string) {
	r.mu.Lock()
	for _, k := range kinds {
		n := len(r.events) + 1
		r.events = append(r.events, runrequest.Event{ID: strconv.Itoa(n), Seq: uint64(n), Kind: k, Time: time.Now(), Text: "event " + strconv.Itoa(n)})
		if k == "end" {
			close(r.done)
		}
	}
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

func (r *burstRun) Events(after uint64) runrequest.Stream { return &burstStream{r: r, next: after} }
func (r *burstRun) Halt(string)                           {}
func (r *burstRun) Done() <-chan struct{}                 { return r.done }
func (r *burstRun) Outcome() *runrequest.Outcome          { return &runrequest.Outcome{Class: "done"} }

type burstStream struct {
	r    *burstRun
	next uint64
}

func (s *burstStream) Next(ctx context.Context) (runrequest.Event, error) {
	for {
		s.r.mu.Lock()
		if s.next < uint64(len(s.r.events)) {
			ev := s.r.events[s.next]
			s.next++
			s.r.mu.Unlock()
			return ev, nil
		}
		wake := s.r.wake
		select {
		case <-s.r.done:
			s.r.mu.Unlock()
			return runrequest.Event{}, io.EOF
		default:
		}
		s.r.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return runrequest.Event{}, ctx.Err()
		}
	}
}

type sseFixture struct {
	srv  *Server
	http *httptest.Server
	run  *burstRun
	id   string
}

func newSSEFixture(t *testing.T) *sseFixture {
	t.Helper()
	a, _ := auth.New([]auth.Token{{Name: "op", Role: auth.Operator, Value: secret.New("sse-test-operator-token")}})
	run := newBurstRun()
	board, err := runrequest.New(runrequest.Config{StateDir: t.TempDir(), Executor: burstExec{run}, ApprovalRequired: true, ApprovalTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(nil)
	f := &sseFixture{run: run}
	f.srv = New(Config{Runs: board, Auth: a, Metrics: m, Daemon: m.EnableDaemon(), Log: slog.New(slog.DiscardHandler)})
	f.http = httptest.NewServer(f.srv)
	t.Cleanup(func() {
		select {
		case <-run.done:
		default:
			run.burst("end")
		}
		f.http.CloseClientConnections()
		f.http.Close()
		board.Shutdown(context.Background())
	})
	v, err := board.Create(context.Background(), &auth.Principal{Name: "op", Role: auth.Operator}, runrequest.Create{Kind: runrequest.Apply, Inventory: "x", Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.id = v.ID
	return f
}

// follow reads the run's stream (from after last) to its end and returns
// its text; connected is told once the response has begun.
func (f *sseFixture) follow(t *testing.T, last string, connected func()) string {
	req, _ := http.NewRequest("GET", f.http.URL+"/v1/runs/"+f.id+"/events", nil)
	req.Header.Set("Authorization", "Bearer sse-test-operator-token")
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, _ := br.ReadString('\n') // "retry: 1000"
	if connected != nil {
		connected()
	}
	rest, _ := io.ReadAll(br)
	return first + string(rest)
}

// ids lists the event IDs of a stream's text.
func ids(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if id, ok := strings.CutPrefix(l, "id: "); ok {
			out = append(out, id)
		}
	}
	return out
}

func (f *sseFixture) hubs() (n, clients, frames int) {
	f.srv.hubsMu.Lock()
	defer f.srv.hubsMu.Unlock()
	for _, h := range f.srv.hubs {
		n++
		clients += h.clients
		h.mu.Lock()
		frames += len(h.frames)
		h.mu.Unlock()
	}
	return n, clients, frames
}

// TestEventStreamsShareOneHub: twenty clients follow one run; they share
// one hub, which reads the run once and encodes each burst once as one
// frame; every client gets the same bytes, every event once and in order;
// a client that never reads holds nobody up; the hub goes with its last
// client.
func TestEventStreamsShareOneHub(t *testing.T) {
	f := newSSEFixture(t)
	const clients = 20
	var connected sync.WaitGroup
	connected.Add(clients + 1)
	// A client that connects and never reads its stream.
	stuckReq, _ := http.NewRequest("GET", f.http.URL+"/v1/runs/"+f.id+"/events", nil)
	stuckReq.Header.Set("Authorization", "Bearer sse-test-operator-token")
	stuck, err := http.DefaultClient.Do(stuckReq)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Body.Close()
	texts := make([]string, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			texts[i] = f.follow(t, "", connected.Done)
		}()
	}
	connected.Done()
	connected.Wait()
	if n, c, _ := f.hubs(); n != 1 || c != clients+1 {
		t.Fatalf("%d hubs with %d clients, want one with %d", n, c, clients+1)
	}
	// The request's own events, then the run's in three bursts.
	if _, err := f.srv.cfg.Runs.Approve(context.Background(), &auth.Principal{Name: "ap", Role: auth.Approver}, f.id, "00000000burst000", "ok"); err != nil {
		t.Fatal(err)
	}
	f.run.burst("journal", "step-start", "check", "check")
	time.Sleep(4 * Coalesce)
	f.run.burst("batch-done", "step-done")
	time.Sleep(4 * Coalesce)
	_, _, framesBefore := f.hubs()
	f.run.burst("step-start", "batch-done", "step-done", "end")
	wg.Wait()
	want := "a1,a2,a3,1,2,3,4,5,6,7,8,9,10"
	for i, text := range texts {
		if got := strings.Join(ids(text), ","); got != want {
			t.Fatalf("client %d: events %s, want %s\n%s", i, got, want, text)
		}
		if text != texts[0] {
			t.Fatalf("client %d got other bytes than client 0:\n%s\n---\n%s", i, text, texts[0])
		}
	}
	if !strings.Contains(texts[0], "id: 10\nevent: end\ndata: {") || !strings.HasPrefix(texts[0], "retry: 1000\n\nid: a1\nevent: requested\n") {
		t.Fatalf("stream text:\n%s", texts[0])
	}
	// requested; approved+started (one burst); three bursts of the run.
	if framesBefore > 4 {
		t.Errorf("%d frames for the first four bursts: the bursts were not coalesced", framesBefore)
	}
	stuck.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n, _, _ := f.hubs(); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hub outlived its clients")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hubHas reports whether the run's hub has read the event with ID id.
func (f *sseFixture) hubHas(id string) bool {
	f.srv.hubsMu.Lock()
	h := f.srv.hubs[f.id]
	f.srv.hubsMu.Unlock()
	if h == nil {
		return false
	}
	_, ok := h.locate(id)
	return ok
}

// TestEventStreamResumes: a client that reconnects with Last-Event-ID
// gets exactly the events after it — in the middle of a frame, after the
// request's own events, and for an ID the hub has not seen (it reads the
// run itself then).
func TestEventStreamResumes(t *testing.T) {
	f := newSSEFixture(t)
	if _, err := f.srv.cfg.Runs.Approve(context.Background(), &auth.Principal{Name: "ap", Role: auth.Approver}, f.id, "00000000burst000", "ok"); err != nil {
		t.Fatal(err)
	}
	f.run.burst("journal", "step-start", "check", "check", "batch-done")
	all := make(chan string)
	go func() { all <- f.follow(t, "", nil) }()
	// Wait until the hub holds the burst, then resume inside it.
	deadline := time.Now().Add(5 * time.Second)
	for !f.hubHas("5") {
		if time.Now().After(deadline) {
			t.Fatal("the hub never read the burst")
		}
		time.Sleep(5 * time.Millisecond)
	}
	type resume struct{ last, want string }
	cases := []resume{
		{"3", "4,5,6,7"},
		{"a2", "a3,1,2,3,4,5,6,7"},
		{"a3", "1,2,3,4,5,6,7"},
		{"6", "7"},
		{"12", ""}, // not seen by the hub: the client reads the run itself
	}
	results := make([]chan string, len(cases))
	for i, c := range cases {
		results[i] = make(chan string)
		go func() { results[i] <- f.follow(t, c.last, nil) }()
	}
	time.Sleep(4 * Coalesce)
	f.run.burst("step-done", "end")
	for i, c := range cases {
		if got := strings.Join(ids(<-results[i]), ","); got != c.want {
			t.Errorf("resumed after %s: %s, want %s", c.last, got, c.want)
		}
	}
	if got := strings.Join(ids(<-all), ","); got != "a1,a2,a3,1,2,3,4,5,6,7" {
		t.Errorf("from the start: %s", got)
	}
}

// BenchmarkEventStreamFanOut is the cost of 1,000 clients following a
// run of 12 bursts of events over loopback, this process being both the
// daemon and the clients: cpu-ms-per-burst is the CPU time (user and
// system) the process spends per burst, the clients' reading included.
func BenchmarkEventStreamFanOut(b *testing.B) {
	const clients, bursts = 1000, 12
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		f := newSSEFixture(&testing.T{})
		var connected, done sync.WaitGroup
		connected.Add(clients)
		done.Add(clients)
		http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = clients
		for range clients {
			go func() {
				defer done.Done()
				req, _ := http.NewRequest("GET", f.http.URL+"/v1/runs/"+f.id+"/events", nil)
				req.Header.Set("Authorization", "Bearer sse-test-operator-token")
				resp, err := http.DefaultClient.Do(req)
				connected.Done()
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}()
		}
		connected.Wait()
		f.srv.cfg.Runs.Approve(context.Background(), &auth.Principal{Name: "ap", Role: auth.Approver}, f.id, "00000000burst000", "ok")
		time.Sleep(4 * Coalesce)
		before := cpuTime()
		for j := range bursts - 1 {
			f.run.burst("step-start", "check", fmt.Sprint("batch-done ", j))
			time.Sleep(4 * Coalesce)
		}
		f.run.burst("end")
		done.Wait()
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N*bursts), "cpu-ms-per-burst")
}

// cpuTime is the process's CPU time so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestDealNeverWaitsTwiceForAStuckClient: the hub deals turns in order; a
// client that does not hand its turn back costs one turnWait, and is not
// waited for again until it has caught up; a client that left is skipped.
func TestDealNeverWaitsTwiceForAStuckClient(t *testing.T) {
	h := &hub{}
	stuck, quick, left := h.join(), h.join(), h.join()
	h.leave(left)
	var order []string
	var mu sync.Mutex
	answer := func(name string, s *sub, n int) {
		for range n {
			<-s.turn
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			s.done <- struct{}{}
		}
	}
	go answer("quick", quick, 2)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	start := time.Now()
	h.deal(context.Background(), timer)
	first := time.Since(start)
	start = time.Now()
	h.deal(context.Background(), timer)
	second := time.Since(start)
	if first < turnWait || second >= turnWait {
		t.Errorf("deals took %s and %s: the stuck client must cost one turnWait (%s), once", first, second, turnWait)
	}
	if !stuck.slow || len(stuck.turn) != 1 {
		t.Errorf("the stuck client: slow %v, %d turns pending", stuck.slow, len(stuck.turn))
	}
	mu.Lock()
	if strings.Join(order, ",") != "quick,quick" {
		t.Errorf("turns: %v", order)
	}
	mu.Unlock()
	// It catches up: from the next deal on it is waited for again.
	<-stuck.turn
	stuck.done <- struct{}{}
	go answer("stuck", stuck, 1)
	go answer("quick", quick, 1)
	h.deal(context.Background(), timer)
	if stuck.slow {
		t.Error("a client that caught up is still skipped")
	}
}
