package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cutover-net/cutover/internal/daemon"
	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/internal/webhook"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
)

// daemonTopology: two emulated Catalysts joined by a trunk; on each an
// old server in Production and a new one in Migration with the same
// address (192.168.66.30 on sw1, .31 on sw2); the gateway on sw1, the
// probe host on a trunk of sw2.
const daemonTopology = `
name: dmn
topology:
  nodes:
    sw1: {kind: cisco_cat9kv, labels: {cutover.vlans: "66,166,266"}}
    sw2: {kind: cisco_cat9kv, labels: {cutover.vlans: "66,166,266"}}
    gw: {kind: linux, labels: {cutover.role: gateway, cutover.vlan: "66"}, exec: ["ip address add 192.168.66.1/24 dev eth1"]}
    probe: {kind: linux, labels: {cutover.role: probe}}
    o1: {kind: linux, labels: {cutover.role: old, cutover.vlan: "66"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    n1: {kind: linux, labels: {cutover.role: new, cutover.vlan: "166"}, exec: ["ip address add 192.168.66.30/24 dev eth1"]}
    o2: {kind: linux, labels: {cutover.role: old, cutover.vlan: "66"}, exec: ["ip address add 192.168.66.31/24 dev eth1"]}
    n2: {kind: linux, labels: {cutover.role: new, cutover.vlan: "166"}, exec: ["ip address add 192.168.66.31/24 dev eth1"]}
  links:
    - endpoints: ["sw1:eth1", "o1:eth1"]
    - endpoints: ["sw1:eth2", "n1:eth1"]
    - endpoints: ["sw1:eth8", "gw:eth1"]
    - endpoints: ["sw1:eth9", "sw2:eth9"]
    - endpoints: ["sw2:eth1", "o2:eth1"]
    - endpoints: ["sw2:eth2", "n2:eth1"]
    - endpoints: ["sw2:eth8", "probe:eth1"]
`

// daemonInventory is an inventory of the lab's switches (names from
// sws), the old ports Gi1/0/1 and new Gi1/0/2 on each, addresses addrs.
func daemonInventory(name string, sws []string, addrs []string, source string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: %s\nvlans: {production: 66, migration: 166, shadow: 266}\nswitches:\n", name)
	var old, nw []string
	for _, sw := range sws {
		fmt.Fprintf(&b, "  - {name: %s, driver: cisco_iosxe, address: \"${CUTOVER_LAB_%s_ADDR}\", username: admin, password: %s, options: {known_hosts: \"${CUTOVER_LAB_DIR}/known_hosts\"}}\n", sw, strings.ToUpper(sw), labs.DefaultPassword)
		old = append(old, fmt.Sprintf("%q", sw+":Gi1/0/1"))
		nw = append(nw, fmt.Sprintf("%q", sw+":Gi1/0/2"))
	}
	fmt.Fprintf(&b, "systems:\n  old: {ports: [%s], addresses: [%s]}\n  new: {ports: [%s]}\n", strings.Join(old, ", "), strings.Join(addrs, ", "), strings.Join(nw, ", "))
	fmt.Fprintf(&b, "guard: {trunk: eth1, netns: \"${CUTOVER_LAB_PROBE_NETNS}\", sources: {production: %s}}\n", source)
	return b.String()
}

var labTokens = map[string]string{
	"viewer":   "lab-test-viewer-token-000001",
	"operator": "lab-test-operator-token-0002",
	"approver": "lab-test-approver-token-0003",
}

// apiClient talks to a daemon with one of the tokens.
type apiClient struct {
	t   *testing.T
	url string
}

func (c apiClient) do(who, method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+labTokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for name, tok := range labTokens {
		if strings.Contains(string(b), tok) {
			c.t.Errorf("%s %s: the %s token is in the response", method, path, name)
		}
	}
	return resp.StatusCode, b
}

func (c apiClient) run(who, method, path string, body any, want int) runrequest.View {
	c.t.Helper()
	code, b := c.do(who, method, path, body)
	if code != want {
		c.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	var v runrequest.View
	json.Unmarshal(b, &v)
	return v
}

func (c apiClient) refused(who, method, path string, body any, want int, msg string) {
	c.t.Helper()
	code, b := c.do(who, method, path, body)
	var e struct{ Error string }
	if json.Unmarshal(b, &e); code != want || !strings.Contains(e.Error, msg) {
		c.t.Errorf("%s %s: want %d %q, got %d %s", method, path, want, msg, code, b)
	}
}

func (c apiClient) wait(id string, states ...runrequest.State) runrequest.View {
	c.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v := c.run("viewer", "GET", "/v1/runs/"+id, nil, 200)
		if slices.Contains(states, v.State) {
			return v
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("run %s is %s (%s), want %v", id, v.State, v.Error, states)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sse reads a run's server-sent events until the stream ends.
func (c apiClient) sse(id, last string) <-chan []runrequest.Event {
	out := make(chan []runrequest.Event, 1)
	go func() {
		var evs []runrequest.Event
		defer func() { out <- evs }()
		req, _ := http.NewRequest("GET", c.url+"/v1/runs/"+id+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+labTokens["viewer"])
		if last != "" {
			req.Header.Set("Last-Event-ID", last)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev runrequest.Event
				json.Unmarshal([]byte(data), &ev)
				evs = append(evs, ev)
			}
		}
	}()
	return out
}

// hookReceiver collects webhook deliveries and checks their signatures.
type hookReceiver struct {
	mu     sync.Mutex
	bodies []daemon.WebhookBody
	raw    []string
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !webhook.Verify(secret.New("lab-webhook-secret"), b, r.Header.Get(webhook.SignatureHeader)) {
		h.bad++
		return
	}
	var body daemon.WebhookBody
	json.Unmarshal(b, &body)
	h.bodies = append(h.bodies, body)
	h.raw = append(h.raw, string(b))
}

func (h *hookReceiver) events(run string) []daemon.WebhookBody {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []daemon.WebhookBody
	for _, b := range h.bodies {
		if b.Run == run {
			out = append(out, b)
		}
	}
	return out
}

func kinds(evs []runrequest.Event) []string {
	var out []string
	for _, e := range evs {
		k := e.Kind
		if e.Step != "" {
			k += " " + e.Step
		}
		out = append(out, k)
	}
	return out
}

// TestDaemonInTheLab drives the daemon, a real process, against the lab
// through its API alone: a four-eyes cut-over followed by SSE, with real
// traffic moved and the journal complete; a denial, an approval timeout
// and a plan hash that no longer matches move nothing; overlapping runs
// are refused while disjoint ones both run; kill -9 in the middle of a
// run, a restart that lists every request as it ended and the killed run
// unfinished, and its recovery by resuming; the rollback run kind; a halt
// between two steps, rolled back and journaled with who and why; another
// kill -9, recovered by rolling back; then a
// rehearsal scraped by a real Prometheus and watched in headless Chromium.
func TestDaemonInTheLab(t *testing.T) {
	l := labtest.Start(t, daemonTopology)
	dir := t.TempDir()
	topo := filepath.Join(dir, "dmn.clab.yml")
	os.WriteFile(topo, []byte(daemonTopology), 0o644)
	invDir := filepath.Join(dir, "inventories")
	os.Mkdir(invDir, 0o755)
	writeInv := func(name, text string) { os.WriteFile(filepath.Join(invDir, name+".yml"), []byte(text), 0o644) }
	writeInv("one", daemonInventory("one", []string{"sw1"}, []string{"192.168.66.30"}, "192.168.66.250"))
	writeInv("two", daemonInventory("two", []string{"sw2"}, []string{"192.168.66.31"}, "192.168.66.251"))
	writeInv("both", daemonInventory("both", []string{"sw1", "sw2"}, []string{"192.168.66.30", "192.168.66.31"}, "192.168.66.252"))
	hooks := &hookReceiver{}
	hookSrv := httptest.NewServer(hooks)
	defer hookSrv.Close()
	state := filepath.Join(dir, "state")
	cfg := filepath.Join(dir, "serve.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 1
listen: 127.0.0.1:0
state_dir: %s
inventories: %s
tokens:
  - {name: vera, role: viewer, token: "${T_VIEWER}"}
  - {name: olga, role: operator, token: "${T_OPERATOR}"}
  - {name: anna, role: approver, token: "${T_APPROVER}"}
approval: {required: true, timeout: 4s}
confirm_timeout: 0
lab: {topology: %s, name: %s, run_dir: %s}
webhooks:
  - {name: test, url: %q, secret: lab-webhook-secret}
watchdog:
  - {interface: eth1, netns: %s}
`, state, invDir, topo, l.Name, filepath.Dir(l.RunDir), hookSrv.URL, l.NodeNS("probe"))), 0o644)
	env := []string{"T_VIEWER=" + labTokens["viewer"], "T_OPERATOR=" + labTokens["operator"], "T_APPROVER=" + labTokens["approver"]}
	d := startDaemon(t, cfg, env...)
	api := apiClient{t: t, url: d.url}
	tag := func(port string) string { v, _ := l.PortTag(context.Background(), port); return v }
	wantTags := func(when string, want map[string]string) {
		t.Helper()
		for port, v := range want {
			if got := tag(port); got != v {
				t.Errorf("%s: %s in VLAN %s, want %s", when, port, got, v)
			}
		}
	}
	pre1 := map[string]string{"sw1-e1": "66", "sw1-e2": "166"}
	pre2 := map[string]string{"sw2-e1": "66", "sw2-e2": "166"}
	wantTags("before", pre1)
	wantTags("before", pre2)

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "1. A four-eyes")
	// 1. A four-eyes cut-over through the API alone.
	code, planJSON := api.do("operator", "GET", "/v1/inventories/one/plan", nil)
	var p struct{ Hash string }
	if json.Unmarshal(planJSON, &p); code != 200 || p.Hash == "" {
		t.Fatalf("plan: %d %s", code, planJSON)
	}
	v := api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "one", "reason": "CHG-1: replace the old server", "plan_hash": p.Hash}, 201)
	if v.State != runrequest.AwaitingApproval || v.PlanHash != p.Hash {
		t.Fatalf("%+v", v)
	}
	events := api.sse(v.ID, "")
	obs, err := l.Observe(context.Background(), "gw", "eth1", 66, []netip.Addr{netip.MustParseAddr("192.168.66.30")}, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the observer sees the old server first
	api.refused("operator", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": p.Hash}, 403, "may not approve")
	wantTags("awaiting approval", pre1)
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": p.Hash, "reason": "MOP reviewed"}, 200)
	v = api.wait(v.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked)
	ended := time.Now()
	if v.State != runrequest.Done {
		t.Fatalf("cut-over: %s %s", v.State, v.Error)
	}
	evs := <-events
	got := strings.Join(kinds(evs), ",")
	for _, want := range []string{"requested", "approved", "started", "step-start isolate", "batch-done isolate", "step-done isolate", "step-start promote", "step-done promote", "step-start park", "step-done park", "check", "end"} {
		if !strings.Contains(got, want) {
			t.Errorf("SSE lacks %s: %s", want, got)
		}
	}
	if last := evs[len(evs)-1]; last.Kind != "end" || last.Result == nil || last.Result.Class != "done" {
		t.Errorf("last event %+v", last)
	}
	// Resuming after the approval replays from there.
	if resumed := <-api.sse(v.ID, "a2"); len(resumed) != len(evs)-2 || resumed[0].Kind != "started" {
		t.Errorf("resumed from a2: %v", kinds(resumed))
	}
	wantTags("after the cut-over", map[string]string{"sw1-e1": "166", "sw1-e2": "66"})
	time.Sleep(500 * time.Millisecond)
	obs.Close()
	n1MAC := strings.TrimSpace(labtest.Exec(t, l, "n1", "cat", "/sys/class/net/eth1/address"))
	if neigh := labtest.Exec(t, l, "gw", "ip", "neigh", "show", "192.168.66.30"); !strings.Contains(neigh, n1MAC) || obs.Conflicts() != 0 {
		t.Errorf("after the cut-over the gateway reaches 192.168.66.30 at %q (new server %s); %d conflicts", neigh, n1MAC, obs.Conflicts())
	}
	if st := obs.Pinger.Stats(ended, time.Now()); st[0].Received == 0 {
		t.Errorf("the gateway's pings are not answered after the cut-over")
	}
	var j runrequest.JournalView
	_, jb := api.do("viewer", "GET", "/v1/runs/"+v.ID+"/journal", nil)
	json.Unmarshal(jb, &j)
	var recs []string
	for _, r := range j.Records {
		recs = append(recs, r.Kind+":"+r.Step)
	}
	all := strings.Join(recs, ",")
	for _, want := range []string{"start:", "intent:isolate", "result:isolate", "intent:promote", "result:promote", "intent:park", "result:park", "guard:promote", "end:"} {
		if !strings.Contains(all, want) {
			t.Errorf("journal lacks %s: %s", want, all)
		}
	}
	if n := len(j.Records); n == 0 || j.Records[n-1].Kind != journal.KindEnd || j.Records[n-1].Result != "done" || !strings.Contains(string(jb), "approved by anna (approver) for plan "+p.Hash+": MOP reviewed") || !strings.Contains(string(jb), "requested by olga") {
		t.Errorf("journal: %s", jb)
	}
	if len(j.Audit) < 3 || j.Audit[0].Who != "olga" || j.Audit[1].Who != "anna" {
		t.Errorf("audit: %+v", j.Audit)
	}

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "2. Denied")
	// 2. Denied, expired, stale: nothing moves.
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "two", "reason": "CHG-2"}, 201)
	api.refused("approver", "POST", "/v1/runs/"+v.ID+"/deny", map[string]string{}, 400, "reason is required")
	if v = api.run("approver", "POST", "/v1/runs/"+v.ID+"/deny", map[string]string{"reason": "not in the change window"}, 200); v.State != runrequest.Denied {
		t.Errorf("deny: %+v", v)
	}
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "two", "reason": "CHG-3"}, 201)
	api.wait(v.ID, runrequest.Expired)
	api.refused("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 409, "is expired, not awaiting approval")
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "two", "reason": "CHG-4"}, 201)
	writeInv("two", daemonInventory("two", []string{"sw2"}, []string{"192.168.66.31"}, "192.168.66.251")+"park: shadow\n")
	api.refused("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 409, "now compiles plan")
	api.wait(v.ID, runrequest.Stale)
	writeInv("two", daemonInventory("two", []string{"sw2"}, []string{"192.168.66.31"}, "192.168.66.251"))
	wantTags("after deny, timeout and a stale plan", pre2)

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "3. Overlapping")
	// 3. Overlapping runs are refused, disjoint ones both run.
	l.Emulator("sw1").SetFaults(emulator.Faults{Delay: 100 * time.Millisecond})
	fb := api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "fallback", "inventory": "one", "reason": "CHG-5: fall back"}, 201)
	api.run("approver", "POST", "/v1/runs/"+fb.ID+"/approve", map[string]string{"plan_hash": fb.PlanHash}, 200)
	api.refused("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "both", "reason": "overlap"}, 409, "is in run "+fb.ID)
	two := api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "two", "reason": "CHG-6: disjoint"}, 201)
	api.run("approver", "POST", "/v1/runs/"+two.ID+"/approve", map[string]string{"plan_hash": two.PlanHash}, 200)
	if v := api.run("viewer", "GET", "/v1/runs/"+fb.ID, nil, 200); v.State != runrequest.Running {
		t.Errorf("the fallback was not running beside the disjoint run: %s", v.State)
	}
	if v := api.wait(two.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked); v.State != runrequest.Done {
		t.Errorf("disjoint run: %s %s", v.State, v.Error)
	}
	if v := api.wait(fb.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked); v.State != runrequest.Done {
		t.Errorf("fallback: %s %s", v.State, v.Error)
	}
	l.Emulator("sw1").SetFaults(emulator.Faults{})
	wantTags("after the fallback", map[string]string{"sw1-e1": "66", "sw1-e2": "166"})
	wantTags("after the disjoint cut-over", map[string]string{"sw2-e1": "166", "sw2-e2": "66"})

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "4. kill -9")
	// 4. kill -9 in the middle of the isolate batch; the restarted daemon
	// lists its runs as they ended, reports the killed one unfinished
	// (under its own ID) and recovers it only when told: resumed to the
	// end under the guard.
	l.Emulator("sw1").SetFaults(emulator.Faults{Delay: 150 * time.Millisecond})
	// A request still awaiting approval when the daemon dies is never
	// started: the restarted daemon expires it (and closes it in the
	// audit log).
	pending := api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "fallback", "inventory": "two", "reason": "CHG-8"}, 201)
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "one", "reason": "CHG-7"}, 201)
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 200)
	deadline := time.Now().Add(60 * time.Second)
	for tag("sw1-e1") != "266" {
		if time.Now().After(deadline) {
			t.Fatal("the run never reached the isolate batch")
		}
		time.Sleep(5 * time.Millisecond)
	}
	pid := d.cmd.Process.Pid
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	l.Emulator("sw1").SetFaults(emulator.Faults{})
	d = startDaemon(t, cfg, env...)
	api.url = d.url
	var list []runrequest.View
	_, lb := api.do("viewer", "GET", "/v1/runs", nil)
	json.Unmarshal(lb, &list)
	states := map[string]runrequest.State{}
	for _, r := range list {
		states[r.ID] = r.State
	}
	if len(list) != 8 || states[fb.ID] != runrequest.Done || states[two.ID] != runrequest.Done || states[pending.ID] != runrequest.Expired || states[v.ID] != runrequest.Unfinished {
		t.Fatalf("after the restart (want the 8 requests, the killed run unfinished): %s", lb)
	}
	u := api.run("viewer", "GET", "/v1/runs/"+v.ID, nil, 200)
	if strings.Join(u.Recovery, ",") != "rollback,resume" || !strings.Contains(u.Error, fmt.Sprintf("process %d", pid)) || u.RequestedBy != "olga" || u.Reason != "CHG-7" {
		t.Fatalf("the killed run after the restart: %+v", u)
	}
	api.refused("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "one", "reason": "again"}, 409, "is in run "+u.ID)
	api.refused("operator", "POST", "/v1/runs/"+u.ID+"/recover", map[string]string{"mode": "resume", "reason": "x"}, 403, "may not recover")
	time.Sleep(200 * time.Millisecond)
	if got := tag("sw1-e2"); got != "166" {
		t.Errorf("the restarted daemon moved a port by itself: sw1-e2 in %s", got)
	}
	resumed := api.sse(u.ID, "")
	api.run("approver", "POST", "/v1/runs/"+u.ID+"/recover", map[string]string{"mode": "resume", "reason": "finish the change"}, 202)
	if v := api.wait(u.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked); v.State != runrequest.Done || v.RecoveredBy != "anna" || v.RecoveryMode != "resume" {
		t.Errorf("resume: %s %s %+v", v.State, v.Error, v)
	}
	wantTags("after the resumed cut-over", map[string]string{"sw1-e1": "166", "sw1-e2": "66"})
	got = strings.Join(kinds(<-resumed), ",")
	for _, want := range []string{"unfinished", "recovery", "started", "note", "step-start promote", "step-done promote", "step-done park", "check", "end"} {
		if !strings.Contains(got, want) {
			t.Errorf("the resume's events lack %s: %s", want, got)
		}
	}
	j = runrequest.JournalView{}
	_, jb = api.do("viewer", "GET", "/v1/runs/"+u.ID+"/journal", nil)
	json.Unmarshal(jb, &j)
	if n := len(j.Records); n == 0 || j.Records[n-1].Kind != journal.KindEnd || j.Records[n-1].Result != "done" ||
		!strings.Contains(string(jb), "recovery (resume) chosen by anna (approver) through the daemon: finish the change") || !strings.Contains(string(jb), "recovery: resume") {
		t.Errorf("the resumed run's journal: %s", jb)
	}
	guardChecks := 0
	for _, r := range j.Records {
		if r.Kind == journal.KindGuard {
			guardChecks++
			if strings.Contains(r.Detail, "BLOCKED") {
				t.Errorf("a guard check of the resume did not pass: %+v", r)
			}
		}
	}
	if guardChecks == 0 {
		t.Error("the resume journaled no guard check")
	}
	if audit, err := os.ReadFile(filepath.Join(state, "audit.jsonl")); err != nil || !strings.Contains(string(audit), `"run":"`+pending.ID+`","event":"expired"`) {
		t.Errorf("the pending request %s is not closed in the audit log: %v\n%s", pending.ID, err, audit)
	}
	wantTags("after a restart with a request pending", map[string]string{"sw2-e1": "166", "sw2-e2": "66"})

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "4b. rollback, halt")
	// 4b. The rollback run kind undoes that cut-over (the journal's last
	// run); then a cut-over halted in the middle is rolled back, and the
	// journal and the audit log say who halted it and why.
	rb := api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "rollback", "inventory": "one", "reason": "CHG-9: undo"}, 201)
	if rb.PlanHash != u.PlanHash {
		t.Errorf("the rollback request's plan %s, the run it undoes %s", rb.PlanHash, u.PlanHash)
	}
	api.run("approver", "POST", "/v1/runs/"+rb.ID+"/approve", map[string]string{"plan_hash": rb.PlanHash}, 200)
	if v := api.wait(rb.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked); v.State != runrequest.RolledBack {
		t.Errorf("rollback run: %s %s", v.State, v.Error)
	}
	wantTags("after the rollback run", pre1)
	// The halt comes between isolate and promote, in promote's absence
	// proof (a 3 s quiet window here): a halt in the middle of an SSH
	// batch waits for the session's own timeout (switchdrivers/cli).
	writeInv("one", strings.Replace(daemonInventory("one", []string{"sw1"}, []string{"192.168.66.30"}, "192.168.66.250"), "sources:", "window: 3s, sources:", 1))
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "one", "reason": "CHG-10"}, 201)
	halted := api.sse(v.ID, "")
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 200)
	deadline = time.Now().Add(60 * time.Second)
	for isolated := false; !isolated; {
		if time.Now().After(deadline) {
			t.Fatal("the run never finished its isolate batch")
		}
		time.Sleep(20 * time.Millisecond)
		j = runrequest.JournalView{}
		_, jb = api.do("viewer", "GET", "/v1/runs/"+v.ID+"/journal", nil)
		json.Unmarshal(jb, &j)
		for _, r := range j.Records {
			isolated = isolated || (r.Kind == journal.KindResult && r.Step == "isolate" && r.Error == "")
		}
	}
	api.refused("viewer", "POST", "/v1/runs/"+v.ID+"/halt", map[string]string{"reason": "x"}, 403, "may not halt")
	api.run("operator", "POST", "/v1/runs/"+v.ID+"/halt", map[string]string{"reason": "the new server lost its disk"}, 202)
	v = api.wait(v.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked)
	writeInv("one", daemonInventory("one", []string{"sw1"}, []string{"192.168.66.30"}, "192.168.66.250"))
	if v.State != runrequest.RolledBack || v.HaltedBy != "olga" || v.HaltReason != "the new server lost its disk" || v.Result == nil || v.Result.Halted != "halted by olga: the new server lost its disk" {
		t.Errorf("halt: %s %s %+v", v.State, v.Error, v.Result)
	}
	wantTags("after the halt", pre1)
	got = strings.Join(kinds(<-halted), ",")
	for _, want := range []string{"step-done isolate", "halt", "rollback-done undo-isolate", "end"} {
		if !strings.Contains(got, want) {
			t.Errorf("the halted run's events lack %s: %s", want, got)
		}
	}
	j = runrequest.JournalView{}
	_, jb = api.do("viewer", "GET", "/v1/runs/"+v.ID+"/journal", nil)
	json.Unmarshal(jb, &j)
	if n := len(j.Records); n == 0 || j.Records[n-1].Kind != journal.KindEnd || j.Records[n-1].Result != "rolled_back" ||
		!strings.Contains(string(jb), "halt requested: halted by olga: the new server lost its disk") {
		t.Errorf("the halted run's journal: %s", jb)
	}
	var haltAudit bool
	for _, a := range j.Audit {
		haltAudit = haltAudit || (a.Event == "halt" && a.Who == "olga" && a.Role == "operator" && a.Reason == "the new server lost its disk")
	}
	if !haltAudit {
		t.Errorf("no audit record of the halt: %+v", j.Audit)
	}

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "4c. kill -9, rollback")
	// 4c. kill -9 again in the middle of the isolate batch; this time the
	// approver chooses to roll the unfinished run back.
	l.Emulator("sw1").SetFaults(emulator.Faults{Delay: 150 * time.Millisecond})
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "apply", "inventory": "one", "reason": "CHG-11"}, 201)
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 200)
	deadline = time.Now().Add(60 * time.Second)
	for tag("sw1-e1") != "266" {
		if time.Now().After(deadline) {
			t.Fatal("the run never reached the isolate batch")
		}
		time.Sleep(5 * time.Millisecond)
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	l.Emulator("sw1").SetFaults(emulator.Faults{})
	d = startDaemon(t, cfg, env...)
	api.url = d.url
	if u := api.run("viewer", "GET", "/v1/runs/"+v.ID, nil, 200); u.State != runrequest.Unfinished {
		t.Fatalf("after the second restart: %+v", u)
	}
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/recover", map[string]string{"mode": "rollback", "reason": "the window is over"}, 202)
	if u := api.wait(v.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked); u.State != runrequest.RolledBack || u.RecoveryMode != "rollback" {
		t.Errorf("rollback recovery: %s %s", u.State, u.Error)
	}
	wantTags("after the rollback recovery", pre1)

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "5. The watchdog")
	// 5. The watchdog: the new server put into Production beside the old
	// one by hand is a conflict on /v1/watch, in a webhook and a metric.
	if err := l.SetPortTag(context.Background(), "sw1-e2", "66"); err != nil {
		t.Fatal(err)
	}
	// Both servers ask for the gateway: two MACs claim 192.168.66.30 in
	// VLAN 66 in broadcasts the probe host's trunk carries.
	// The old one asks again: a reclaim, the mark of two owners.
	for _, n := range []string{"o1", "n1", "o1"} {
		labtest.Exec(t, l, n, "ip", "neigh", "flush", "all")
		labtest.Ping(t, l, n, 300*time.Millisecond, "192.168.66.1")
	}
	var ws struct {
		Enabled    bool
		Conflicts  int
		Interfaces []struct{ Capturing bool }
	}
	deadline = time.Now().Add(10 * time.Second)
	for ws.Conflicts == 0 && time.Now().Before(deadline) {
		_, wb := api.do("viewer", "GET", "/v1/watch", nil)
		json.Unmarshal(wb, &ws)
		time.Sleep(100 * time.Millisecond)
	}
	if !ws.Enabled || ws.Conflicts == 0 || !ws.Interfaces[0].Capturing {
		t.Errorf("watchdog: %+v", ws)
	}
	l.SetPortTag(context.Background(), "sw1-e2", "166")
	if _, mb := api.do("", "GET", "/metrics", nil); !strings.Contains(string(mb), "cutover_watchdog_conflicts_total{interface=") {
		t.Errorf("no watchdog conflicts metric")
	}

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "6. A rehearsal")
	// 6. A rehearsal scraped by Prometheus and watched in Chromium.
	// The gateway's cache still points at whichever server answered last.
	labtest.Exec(t, l, "gw", "ip", "neigh", "flush", "all")
	prom := startPrometheus(t, d.url)
	// The browser starts (and the token is typed) before the request, so
	// that its start-up does not eat the approval timeout.
	page := openStatusPage(t, d.url, "")
	v = api.run("operator", "POST", "/v1/runs", map[string]string{"kind": "rehearse", "inventory": "both", "reason": "dress rehearsal"}, 201)
	page.follow(t, d.url, v.ID)
	api.run("approver", "POST", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash}, 200)
	v = api.wait(v.ID, runrequest.Done, runrequest.Failed, runrequest.RolledBack, runrequest.Blocked)
	if v.State != runrequest.Done || v.Result == nil || len(v.Result.DowntimeMS) != 2 {
		t.Fatalf("rehearsal: %s %s %+v", v.State, v.Error, v.Result)
	}
	page.check(t, []string{"isolate", "promote", "park"}, "done")
	prom.expect(t, `cutover_runs_total{kind="rehearse",result="done"}`, 1)
	prom.expect(t, `cutover_step_duration_seconds_count{kind="rehearse"}`, 3)
	prom.expect(t, `cutover_rehearsal_downtime_seconds`, 2)

	t.Logf("%s: %s", time.Now().Format("15:04:05.000"), "The webhooks: sig")
	// The webhooks: signed, with the plan hash and the ports' segments,
	// never a token.
	hooks.mu.Lock()
	bad, raw := hooks.bad, strings.Join(hooks.raw, "\n")
	hooks.mu.Unlock()
	if bad != 0 {
		t.Errorf("%d webhook deliveries with a bad signature", bad)
	}
	for name, tok := range labTokens {
		if strings.Contains(raw, tok) {
			t.Errorf("the %s token is in a webhook body", name)
		}
	}
	var sawConflict bool
	for _, b := range hooks.events("") {
		sawConflict = sawConflict || b.Event == "watchdog-conflict"
	}
	if !sawConflict {
		t.Error("no watchdog-conflict webhook")
	}
	var sawPorts bool
	for _, b := range hooks.events(two.ID) {
		if b.PlanHash != two.PlanHash {
			t.Errorf("webhook %s without the plan hash: %+v", b.Event, b)
		}
		if b.Event == "batch-done" && len(b.Ports) == 1 && b.Ports[0].From == "66" && b.Ports[0].To == "266" {
			sawPorts = true
		}
	}
	if !sawPorts {
		t.Errorf("no batch-done webhook with the port's segments: %+v", hooks.events(two.ID))
	}
	logs := d.logs()
	for name, tok := range labTokens {
		if strings.Contains(logs, tok) {
			t.Errorf("the %s token is in the daemon's log", name)
		}
	}
	d.stop(t)
}

// prometheus is a real Prometheus scraping the daemon.
type prometheus struct {
	url string
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startPrometheus(t *testing.T, daemonURL string) *prometheus {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus is not installed (make test installs the Debian package): %v", err)
	}
	dir := t.TempDir()
	target := strings.TrimPrefix(daemonURL, "http://")
	cfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: cutover\n    static_configs: [{targets: [%q]}]\n", target)), 0o644)
	addr := freePort(t)
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p := &prometheus{url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus did not get ready: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// expect waits until the PromQL query returns want series.
func (p *prometheus) expect(t *testing.T, query string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.url + "/api/v1/query?query=" + url.QueryEscape(query))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Metric map[string]string
					Value  []any
				}
			}
		}
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if r.Status == "success" && len(r.Data.Result) == want {
			t.Logf("PromQL %s: %d series, e.g. %v = %v", query, want, r.Data.Result[0].Metric, r.Data.Result[0].Value)
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("PromQL %s: %+v, want %d series", query, r, want)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// statusPage is the daemon's page open in headless Chromium.
type statusPage struct {
	ctx    context.Context
	cancel func()
}

func openStatusPage(t *testing.T, daemonURL, run string) *statusPage {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (make test installs the Debian package): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 1000)}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
	p := &statusPage{ctx: ctx, cancel: func() { tcancel(); cancel(); acancel() }}
	t.Cleanup(p.cancel)
	// The token is typed once; the page keeps it in the tab.
	target := daemonURL + "/"
	if run != "" {
		target += "?run=" + run
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(target), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), labTokens["viewer"]), chromedp.Click(chromedp.ID("open")),
		chromedp.WaitVisible(chromedp.ID("main")), chromedp.WaitVisible(chromedp.ID("state"))); err != nil {
		t.Fatalf("status page: %v", err)
	}
	return p
}

// follow shows run on the page (the token kept in the tab).
func (p *statusPage) follow(t *testing.T, daemonURL, run string) {
	t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(daemonURL+"/?run="+run), chromedp.WaitVisible(chromedp.ID("main")), chromedp.WaitVisible(chromedp.ID("state"))); err != nil {
		t.Fatalf("status page: %v", err)
	}
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("runs").value === %q`, run), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("status page: run %s is not shown: %v", run, err)
	}
}

// check waits for the run's result on the page, checks the step names and
// writes a screenshot as a test artefact.
func (p *statusPage) check(t *testing.T, steps []string, result string) {
	t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](fmt.Sprintf(`!!(document.getElementById("result") && document.getElementById("result").textContent.startsWith(%q))`, result), chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if shot, serr := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)); serr == nil {
			os.WriteFile(filepath.Join(os.TempDir(), "statuspage-failed.png"), shot, 0o644)
		}
		t.Fatalf("status page: the result %s never showed: %v\n%s", result, err, text)
	}
	stepText, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("steps")))
	if err != nil {
		t.Fatal(err)
	}
	resultText, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("result")))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`sessionStorage.getItem("cutover-token") ? "kept" : "lost"`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if !strings.Contains(stepText, s) {
			t.Errorf("the page does not show step %s: %q", s, stepText)
		}
	}
	if !strings.Contains(stepText, "done") || stored != "kept" {
		t.Errorf("steps %q, token %s", stepText, stored)
	}
	dir := os.Getenv("CUTOVER_TEST_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "cutover-test-artefacts")
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, "statuspage.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("status page shows %q; screenshot: %s", resultText, path)
}
