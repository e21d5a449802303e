package webhook

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/secret"
)

type counts struct {
	mu                 sync.Mutex
	delivered, dropped map[string]int
	outcomes           []string
}

func (c *counts) WebhookDelivered(hook, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes = append(c.outcomes, hook+":"+outcome)
}

func (c *counts) WebhookDropped(hook string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped == nil {
		c.dropped = map[string]int{}
	}
	c.dropped[hook]++
}

func (c *counts) snapshot() ([]string, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := map[string]int{}
	for k, v := range c.dropped {
		d[k] = v
	}
	return append([]string(nil), c.outcomes...), d
}

// A receiver that fails twice gets the same signed body a third time; the
// signature verifies with the secret and fails with another key.
func TestRetriedSignedDelivery(t *testing.T) {
	key := secret.New("hook-secret-value-1234")
	var attempts atomic.Int32
	got := make(chan *http.Request, 1)
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := attempts.Add(1)
		b, _ := io.ReadAll(r.Body)
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		body = b
		got <- r
	}))
	defer srv.Close()
	obs := &counts{}
	d := Start([]Target{{Name: "chat", URL: srv.URL, Secret: key, Attempts: 4}}, Options{Backoff: 10 * time.Millisecond, Observer: obs})
	defer d.Close()
	d.Send("step-done", map[string]any{"run": "r1", "step": "isolate"})
	select {
	case r := <-got:
		sig := r.Header.Get(SignatureHeader)
		if !Verify(key, body, sig) {
			t.Fatalf("signature %q does not verify", sig)
		}
		if Verify(secret.New("another-key-entirely"), body, sig) {
			t.Fatal("the signature verifies under another key")
		}
		if r.Header.Get(EventHeader) != "step-done" || r.Header.Get(DeliveryHeader) == "" {
			t.Errorf("headers: %v", r.Header)
		}
		if strings.Contains(string(body), key.Reveal()) || strings.Contains(sig, key.Reveal()) {
			t.Error("the secret is in the delivery")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("not delivered after %d attempts", attempts.Load())
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	waitFor(t, func() bool { o, _ := obs.snapshot(); return len(o) == 1 })
	if o, _ := obs.snapshot(); o[0] != "chat:delivered" {
		t.Errorf("outcome %v", o)
	}
}

// A receiver that refuses (400) is not retried; one that never answers
// fails after its attempts; events not subscribed are not sent.
func TestFailuresAndFilter(t *testing.T) {
	var refused, events atomic.Int32
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refused.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer bad.Close()
	filtered := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		events.Add(1)
		if e := r.Header.Get(EventHeader); e != "end" {
			t.Errorf("filtered webhook got %s", e)
		}
	}))
	defer filtered.Close()
	obs := &counts{}
	d := Start([]Target{
		{Name: "bad", URL: bad.URL, Secret: secret.New("k"), Attempts: 5},
		{Name: "down", URL: "http://127.0.0.1:1/hook", Secret: secret.New("k"), Attempts: 2},
		{Name: "ends", URL: filtered.URL, Secret: secret.New("k"), Events: []string{"end"}},
	}, Options{Backoff: 5 * time.Millisecond, Observer: obs})
	defer d.Close()
	d.Send("step-start", map[string]string{"step": "isolate"})
	d.Send("end", map[string]string{"result": "done"})
	waitFor(t, func() bool { o, _ := obs.snapshot(); return len(o) == 5 })
	o, _ := obs.snapshot()
	want := map[string]int{"bad:failed": 2, "down:failed": 2, "ends:delivered": 1}
	have := map[string]int{}
	for _, x := range o {
		have[x]++
	}
	for k, n := range want {
		if have[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, have[k], n, o)
		}
	}
	if refused.Load() != 2 || events.Load() != 1 {
		t.Errorf("refusing receiver asked %d times (want 2: no retry), filtered one %d (want 1)", refused.Load(), events.Load())
	}
}

// A receiver that hangs fills the queue: Send never blocks, and what does
// not fit is dropped and counted.
func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	obs := &counts{}
	d := Start([]Target{{Name: "slow", URL: srv.URL, Secret: secret.New("k"), Timeout: time.Minute}}, Options{Queue: 4, Observer: obs})
	defer d.Close()
	start := time.Now()
	for i := 0; i < 100; i++ {
		d.Send("batch-done", map[string]int{"i": i})
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Send waited for the receiver")
	}
	_, dropped := obs.snapshot()
	// One in flight, four queued, the rest dropped (the sender may not
	// have taken the first one yet).
	if n := dropped["slow"]; n < 95 || n > 96 {
		t.Errorf("%d dropped, want 95 or 96", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestShutdownDeliversQueuedWithinGrace: events queued behind a slow
// receiver when shutdown begins are still delivered within the grace
// period; nothing is dropped.
func TestShutdownDeliversQueuedWithinGrace(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		got.Add(1)
	}))
	defer srv.Close()
	obs := &counts{}
	d := Start([]Target{{Name: "chat", URL: srv.URL, Secret: secret.New("k")}}, Options{Observer: obs})
	for i := range 5 {
		d.Send("end", map[string]int{"n": i})
	}
	if dropped := d.Shutdown(10 * time.Second); dropped != 0 || got.Load() != 5 {
		t.Fatalf("dropped %d, delivered %d of 5", dropped, got.Load())
	}
	outcomes, drops := obs.snapshot()
	if len(outcomes) != 5 || len(drops) != 0 {
		t.Fatalf("outcomes %v, drops %v", outcomes, drops)
	}
	// After shutdown nothing is queued: an event is dropped and counted.
	d.Send("end", map[string]int{"n": 6})
	if _, drops := obs.snapshot(); drops["chat"] != 1 {
		t.Fatalf("an event sent after shutdown: drops %v", drops)
	}
}

// TestShutdownDropsWhatTheGraceDoesNotCover: a receiver that never
// answers holds one delivery in flight and four queued; shutdown waits
// the grace period, then drops and counts all five, in the daemon's
// metric too.
func TestShutdownDropsWhatTheGraceDoesNotCover(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	m := metrics.New(nil)
	dm := m.EnableDaemon()
	d := Start([]Target{{Name: "chat", URL: srv.URL, Secret: secret.New("k"), Timeout: time.Minute, Attempts: 3}}, Options{Observer: dm})
	for i := range 5 {
		d.Send("end", map[string]int{"n": i})
	}
	start := time.Now()
	dropped := d.Shutdown(300 * time.Millisecond)
	if took := time.Since(start); dropped != 5 || took < 300*time.Millisecond {
		t.Fatalf("dropped %d of 5 after %s", dropped, took)
	}
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counted float64 = -1
	for _, mf := range mfs {
		if mf.GetName() == "cutover_webhook_dropped_total" {
			counted = mf.GetMetric()[0].GetCounter().GetValue()
		}
		if mf.GetName() == "cutover_webhook_deliveries_total" {
			t.Errorf("deliveries counted: %v", mf.GetMetric())
		}
	}
	if counted != 5 {
		t.Fatalf("cutover_webhook_dropped_total %v, want 5", counted)
	}
}
