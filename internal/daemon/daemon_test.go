package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// offline is an inventory whose switch is never reached: the daemon
// compiles its plans, and a run of it fails at its first read.
func offline(dir, addresses string) string {
	return fmt.Sprintf(`version: 1
name: offline
vlans: {production: 66, migration: 166, shadow: 266}
switches: [{name: sw1, driver: ovs, address: "unix:%s/nothing.sock"}]
systems:
  old: {ports: ["sw1:p1"], addresses: [%s]}
  new: {ports: ["sw1:p2"]}
guard: {trunk: cutover-none0}
`, dir, addresses)
}

// testDaemon is a daemon served by this process (daemon.Run), with its
// state directory and inventory directory kept across restarts.
type testDaemon struct {
	dir, url string
	stop     func() error
}

const (
	operatorToken = "daemon-test-operator-1"
	approverToken = "daemon-test-approver-2"
	approver2     = "daemon-test-approver-3"
)

// startDaemon serves dir's configuration (serve.yml, written with extra
// appended on the first start) until the test ends or stop is called.
func startDaemon(t *testing.T, dir, extra string) *testDaemon {
	t.Helper()
	cfgPath := filepath.Join(dir, "serve.yml")
	if _, err := os.Stat(cfgPath); os.IsNotExist(err) {
		os.MkdirAll(filepath.Join(dir, "inv"), 0o755)
		text := fmt.Sprintf("version: 1\nlisten: 127.0.0.1:0\nstate_dir: state\ninventories: inv\nconfirm_timeout: 0\ntokens:\n"+
			"  - {name: olga, role: operator, token: %s}\n  - {name: anna, role: approver, token: %s}\n  - {name: bert, role: approver, token: %s}\n%s",
			operatorToken, approverToken, approver2, extra)
		if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadConfig(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Run(ctx, cfg, Options{Registry: all.Registry(), Log: slog.New(slog.DiscardHandler), Ready: func(u string) { ready <- u }})
	}()
	d := &testDaemon{dir: dir}
	stopped := false
	d.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { d.stop() })
	select {
	case d.url = <-ready:
	case err := <-done:
		t.Fatalf("the daemon did not start: %v", err)
	}
	return d
}

// call makes an API request and decodes a JSON answer into out (if not nil).
func (d *testDaemon) call(t *testing.T, token, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = strings.NewReader(string(js))
	}
	req, _ := http.NewRequest(method, d.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw)
}

// request asks for a run of kind on inv and returns its view.
func (d *testDaemon) request(t *testing.T, kind, inv, reason string) runrequest.View {
	t.Helper()
	var v runrequest.View
	if code, body := d.call(t, operatorToken, "POST", "/v1/runs", map[string]string{"kind": kind, "inventory": inv, "reason": reason}, &v); code != 201 {
		t.Fatalf("request %s of %s: %d %s", kind, inv, code, body)
	}
	return v
}

// waitState polls a run until it reaches state.
func (d *testDaemon) waitState(t *testing.T, id string, state runrequest.State) runrequest.View {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v runrequest.View
		d.call(t, operatorToken, "GET", "/v1/runs/"+id, nil, &v)
		if v.State == state || time.Now().After(deadline) {
			if v.State != state {
				t.Fatalf("run %s is %s (%s), want %s", id, v.State, v.Error, state)
			}
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestApprovalStaleWhenAddressesChange: an approver approves the plan of
// a request; the inventory's addresses change in between (the moves stay
// the same). The daemon does not start the run: its plan hash now differs.
func TestApprovalStaleWhenAddressesChange(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir, "")
	inv := filepath.Join(dir, "inv", "offline.yml")
	os.WriteFile(inv, []byte(offline(dir, "192.168.66.30")), 0o644)
	v := d.request(t, "apply", "offline", "CHG-7")
	os.WriteFile(inv, []byte(offline(dir, "192.168.66.99")), 0o644)
	var p struct{ Hash string }
	d.call(t, approverToken, "GET", "/v1/inventories/offline/plan", nil, &p)
	if p.Hash == "" || p.Hash == v.PlanHash {
		t.Fatalf("the plan of other addresses has hash %q, the request's %q", p.Hash, v.PlanHash)
	}
	code, body := d.call(t, approverToken, "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, nil)
	if code != 409 || !strings.Contains(body, "now compiles plan "+p.Hash+", not the approved "+v.PlanHash) {
		t.Fatalf("approval after the addresses changed: %d %s", code, body)
	}
	if got := d.waitState(t, v.ID, runrequest.Stale); got.Result != nil {
		t.Fatalf("a stale run has a result: %+v", got.Result)
	}
}

// TestShutdownGivesWebhooksTheirGrace: a slow receiver has the events of
// a request and its denial queued when the daemon is told to stop; the
// daemon delivers them all within webhook_grace before it returns.
func TestShutdownGivesWebhooksTheirGrace(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		got = append(got, r.Header.Get("X-Cutover-Event"))
		mu.Unlock()
	}))
	defer srv.Close()
	dir := t.TempDir()
	d := startDaemon(t, dir, fmt.Sprintf("webhooks: [{name: chat, url: %q, secret: hook-secret-1}]\nwebhook_grace: 20s\n", srv.URL))
	os.WriteFile(filepath.Join(dir, "inv", "offline.yml"), []byte(offline(dir, "192.168.66.30")), 0o644)
	v := d.request(t, "apply", "offline", "CHG-8")
	if code, body := d.call(t, approverToken, "POST", "/v1/runs/"+v.ID+"/deny", map[string]string{"reason": "not tonight"}, nil); code != 200 {
		t.Fatalf("deny: %d %s", code, body)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, " ") != "requested denied end" {
		t.Fatalf("delivered before the daemon returned: %v, want requested denied end", got)
	}
}

// TestRunListSurvivesARestart: the daemon stops and starts again on the
// same state directory; GET /v1/runs still lists its requests with the
// states they ended in, and the one nobody decided is expired, not started.
func TestRunListSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir, "")
	os.WriteFile(filepath.Join(dir, "inv", "offline.yml"), []byte(offline(dir, "192.168.66.30")), 0o644)
	denied := d.request(t, "apply", "offline", "CHG-10")
	d.call(t, approverToken, "POST", "/v1/runs/"+denied.ID+"/deny", map[string]string{"reason": "not tonight"}, nil)
	failed := d.request(t, "apply", "offline", "CHG-11")
	d.call(t, approverToken, "POST", "/v1/runs/"+failed.ID+"/approve", map[string]string{"plan_hash": failed.PlanHash}, nil)
	d.waitState(t, failed.ID, runrequest.Failed) // its switch is not there
	waiting := d.request(t, "fallback", "offline", "CHG-12")
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	d = startDaemon(t, dir, "")
	var list []runrequest.View
	if code, body := d.call(t, operatorToken, "GET", "/v1/runs", nil, &list); code != 200 || len(list) != 3 {
		t.Fatalf("after the restart: %d %s", code, body)
	}
	want := map[string]runrequest.State{denied.ID: runrequest.Denied, failed.ID: runrequest.Failed, waiting.ID: runrequest.Expired}
	for _, v := range list {
		if v.State != want[v.ID] || v.RequestedBy != "olga" || v.PlanHash == "" || v.RequestedAt.IsZero() {
			t.Errorf("%s: %s, want %s: %+v", v.ID, v.State, want[v.ID], v)
		}
	}
	var f runrequest.View
	d.call(t, operatorToken, "GET", "/v1/runs/"+failed.ID, nil, &f)
	if f.DecidedBy != "anna" || f.Result == nil || f.Result.Class != "error" || f.Journal == "" || f.Plan == nil {
		t.Errorf("the failed run after the restart: %+v", f)
	}
	code, body := d.call(t, approverToken, "POST", "/v1/runs/"+waiting.ID+"/approve", map[string]string{"plan_hash": waiting.PlanHash}, nil)
	if code != 409 || !strings.Contains(body, "is expired, not awaiting approval") {
		t.Errorf("approving a request from before the restart: %d %s", code, body)
	}
}
