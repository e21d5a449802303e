package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/invdir"
	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/internal/statuspage"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"gopkg.in/yaml.v3"
)

// Tokens of the tests; every response and log line is checked for them.
var tokens = map[string]string{
	"viewer":   "viewer-secret-token-0001",
	"operator": "operator-secret-token-0002",
	"approver": "approver-secret-token-0003",
	"remote":   "remote-only-secret-token-0004",
}

const goodInventory = `version: 1
name: good
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: ovs, address: "unix:/nonexistent/db.sock"}
systems:
  old: {ports: ["sw1:p1"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:p2"]}
`

type fixture struct {
	srv  *Server
	logs *bytes.Buffer
	dir  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.yml"), []byte(goodInventory), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.yml"), []byte(strings.Replace(goodInventory, "park", "prak", 1)+"colour: blue\n"), 0o644)
	var list []auth.Token
	for _, name := range []string{"viewer", "operator", "approver"} {
		list = append(list, auth.Token{Name: name, Role: auth.Role(name), Value: secret.New(tokens[name])})
	}
	list = append(list, auth.Token{Name: "remote", Role: auth.Approver, Value: secret.New(tokens["remote"]), Allow: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}})
	a, err := auth.New(list)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(nil)
	logs := &bytes.Buffer{}
	board, err := runrequest.New(runrequest.Config{StateDir: t.TempDir(), Executor: stubExec{}, ApprovalRequired: true, ApprovalTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Runs: board, Auth: a, Inventories: &invdir.Dir{Path: dir, Registry: all.Registry()}, Registry: all.Registry(),
		Metrics: m, Daemon: m.EnableDaemon(), Log: slog.New(slog.NewJSONHandler(logs, nil)), BodyLimit: 1024,
		PublicMetrics: true, PublicHealthz: true, StatusPage: statuspage.Files()})
	f := &fixture{srv: srv, logs: logs, dir: dir}
	t.Cleanup(func() { f.noSecrets(t, logs.String(), "log") })
	return f
}

// do sends a request as the named token ("" none) and returns the response.
func (f *fixture) do(t *testing.T, who, method, path string, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+tokens[who])
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	f.noSecrets(t, rec.Body.String(), method+" "+path)
	return rec
}

func (f *fixture) noSecrets(t *testing.T, text, where string) {
	t.Helper()
	for name, tok := range tokens {
		if strings.Contains(text, tok) {
			t.Errorf("%s: the %s token appears: %s", where, name, text)
		}
	}
}

func jsonError(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	var e Error
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != status || e.Status != status || !strings.Contains(e.Msg, want) {
		t.Errorf("want %d %q, got %d %s", status, want, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("error content type %q", ct)
	}
	if rec.Header().Get("Set-Cookie") != "" {
		t.Error("a cookie was set")
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, "", "GET", "/v1/inventories", "")
	jsonError(t, rec, 401, "no bearer token")
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	req := httptest.NewRequest("GET", "/v1/inventories", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["viewer"]+"x")
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	jsonError(t, rec, 401, "not valid")
	req.Header.Set("Authorization", "Basic "+tokens["viewer"])
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	jsonError(t, rec, 401, "Bearer <token>")
	jsonError(t, f.do(t, "viewer", "GET", "/v1/inventories/good/plan", ""), 403, "role viewer, which may not plan")
	// The remote token is an approver's, limited to 10.9.0.0/16.
	jsonError(t, f.do(t, "remote", "GET", "/v1/inventories", ""), 403, "token remote may not be used from 192.0.2.1")
	req = httptest.NewRequest("GET", "/v1/whoami", nil)
	req.RemoteAddr = "10.9.1.2:4000"
	req.Header.Set("Authorization", "Bearer "+tokens["remote"])
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	var who struct {
		Name        string
		Role        string
		Permissions []string
	}
	if json.Unmarshal(rec.Body.Bytes(), &who); rec.Code != 200 || who.Name != "remote" || !slices.Contains(who.Permissions, "approve") || slices.Contains(who.Permissions, "request") {
		t.Errorf("whoami from an allowed address: %d %s", rec.Code, rec.Body.String())
	}
	// Public routes.
	if rec := f.do(t, "", "GET", "/healthz", ""); rec.Code != 200 {
		t.Errorf("healthz: %d", rec.Code)
	}
	if rec := f.do(t, "", "GET", "/metrics", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `cutover_api_requests_total{code="401",route="GET /v1/inventories"} 3`) {
		t.Errorf("metrics: %d %s", rec.Code, rec.Body.String())
	}
	jsonError(t, f.do(t, "viewer", "GET", "/v2/nothing", ""), 404, "no route GET /v2/nothing")
	if !strings.Contains(f.logs.String(), `"principal":"viewer"`) {
		t.Errorf("the log does not name the client: %s", f.logs.String())
	}
}

func TestInventoriesAndPlans(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, "viewer", "GET", "/v1/inventories", "")
	var list []InventorySummary
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list) != 2 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if list[0].Name != "broken" || list[0].Valid || list[0].Problems != 1 || list[1].Name != "good" || !list[1].Valid || list[1].Ports != 2 {
		t.Errorf("list: %+v", list)
	}
	var v Validation
	json.Unmarshal(f.do(t, "viewer", "GET", "/v1/inventories/broken", "").Body.Bytes(), &v)
	if v.Valid || len(v.ProblemList) != 1 || v.ProblemList[0].Line != 9 || !strings.Contains(v.ProblemList[0].Msg, `unknown key "colour"`) {
		t.Errorf("validation: %+v", v)
	}
	jsonError(t, f.do(t, "viewer", "GET", "/v1/inventories/nope", ""), 404, `inventory "nope": no such inventory`)
	jsonError(t, f.do(t, "viewer", "GET", "/v1/inventories/..%2fetc", ""), 404, "no such inventory")
	rec = f.do(t, "operator", "GET", "/v1/inventories/good/plan", "")
	var p struct{ Hash, Kind string }
	if json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != 200 || p.Hash == "" || rec.Header().Get("X-Cutover-Plan-Hash") != p.Hash || p.Kind != "cutover" {
		t.Errorf("plan: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do(t, "approver", "GET", "/v1/inventories/good/plan?format=markdown&kind=fallback", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "# Fallback method of procedure: good") || !strings.Contains(rec.Body.String(), "ovs-vsctl") {
		t.Errorf("markdown: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do(t, "operator", "GET", "/v1/inventories/good/plan?format=text", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "step 1 isolate") {
		t.Errorf("text: %d %s", rec.Code, rec.Body.String())
	}
	jsonError(t, f.do(t, "operator", "GET", "/v1/inventories/good/plan?format=pdf", ""), 400, `format "pdf": want text, json, markdown`)
	jsonError(t, f.do(t, "operator", "GET", "/v1/inventories/good/plan?kind=sideways", ""), 400, `kind "sideways"`)
	jsonError(t, f.do(t, "operator", "GET", "/v1/inventories/broken/plan", ""), 422, `unknown key "colour"`)
	// The live table of an unreachable switch names it.
	rec = f.do(t, "viewer", "GET", "/v1/inventories/good/ports", "")
	var pt PortTable
	if json.Unmarshal(rec.Body.Bytes(), &pt); rec.Code != 502 || len(pt.Errors) != 1 || !strings.Contains(pt.Errors[0], "sw1") {
		t.Errorf("ports: %d %s", rec.Code, rec.Body.String())
	}
	jsonError(t, f.do(t, "viewer", "GET", "/v1/inventories/good/ports?switch=sw9", ""), 404, `switch "sw9": no such switch in inventory good`)
	var ws WatchState
	if json.Unmarshal(f.do(t, "viewer", "GET", "/v1/watch", "").Body.Bytes(), &ws); ws.Enabled || ws.Interfaces == nil {
		t.Errorf("watch without a watchdog: %+v", ws)
	}
}

type sample struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		want              string
	}{
		{"ok", "application/json", `{"reason": "x", "count": 2}`, 0, ""},
		{"unknown field", "", `{"reason": "x", "colour": 1}`, 400, `unknown field "colour" (known: count, reason)`},
		{"empty", "", ``, 400, "request body is empty: want a JSON object with count, reason"},
		{"two values", "", `{} {}`, 400, "more than one JSON value"},
		{"wrong type", "", `{"count": "two"}`, 400, `field "count": want int, found string`},
		{"not an object", "", `[1]`, 400, "want a JSON object with count, reason, found array"},
		{"syntax", "", `{"reason": }`, 400, "invalid JSON at byte 12"},
		{"truncated", "", `{"reason": "x"`, 400, "ends too early"},
		{"too big", "", `{"reason": "` + strings.Repeat("a", 2000) + `"}`, 413, "larger than 1024 bytes"},
		{"content type", "text/plain", `{}`, 415, `content type "text/plain": want application/json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			var v sample
			err := decodeBody(httptest.NewRecorder(), req, 1024, &v)
			if tc.status == 0 {
				if err != nil || v.Reason != "x" || v.Count != 2 {
					t.Fatalf("%v %+v", err, v)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Status != tc.status || !strings.Contains(e.Msg, tc.want) {
				t.Errorf("got %v, want %d %q", err, tc.status, tc.want)
			}
		})
	}
}

// TestOpenAPIMatchesRoutes: every route served is documented, and every
// documented route is served (a request to it reaches its handler, not
// the not-found handler).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range f.srv.Routes() {
		served[rt.Method+" "+strings.TrimSuffix(rt.Path, "{$}")] = true
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but not in openapi.yaml", r)
		}
	}
	params := strings.NewReplacer("{name}", "good", "{id}", "no-such-run")
	for r := range documented {
		if !served[r] {
			t.Errorf("%s is in openapi.yaml but not served", r)
			continue
		}
		method, path, _ := strings.Cut(r, " ")
		rec := f.do(t, "approver", method, params.Replace(path), "")
		if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), "no route ") {
			t.Errorf("%s: the route is not reached: %d %s", r, rec.Code, rec.Body.String())
		}
	}
	if len(documented) < 10 {
		t.Errorf("only %d routes documented", len(documented))
	}
}

// stubExec prepares the inventory "good" with a fixed plan and starts
// nothing: enough to check the API's refusals.
type stubExec struct{}

func (stubExec) Prepare(ctx context.Context, spec runrequest.Spec) (runrequest.Prepared, error) {
	if spec.Inventory != "good" {
		return nil, fmt.Errorf("%w: inventory %q: no such inventory", runrequest.ErrInventory, spec.Inventory)
	}
	return stubPrep{}, nil
}
func (stubExec) Unfinished(string) ([]runrequest.UnfinishedRun, error) { return nil, nil }

type stubPrep struct{}

func (stubPrep) Plan() *plan.Plan   { return &plan.Plan{Name: "good", Hash: "0123456789abcdef"} }
func (stubPrep) Switches() []string { return []string{"ovs|x"} }
func (stubPrep) Close() error       { return nil }
func (stubPrep) Start(context.Context) (runrequest.Run, error) {
	return nil, errors.New("the stub starts nothing")
}

// TestRunsBadInput: every refusal is a clear 4xx with a JSON error.
func TestRunsBadInput(t *testing.T) {
	f := newFixture(t)
	jsonError(t, f.do(t, "", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"x"}`), 401, "no bearer token")
	jsonError(t, f.do(t, "viewer", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"x"}`), 403, "may not request")
	jsonError(t, f.do(t, "approver", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"x"}`), 403, "role approver, which may not request")
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"x","force":true}`), 400, `unknown field "force"`)
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"`+strings.Repeat("x", 2000)+`"}`), 413, "larger than 1024 bytes")
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"good"}`), 400, "reason is required")
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"nope","reason":"x"}`), 422, `inventory "nope"`)
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"rehearse","inventory":"good","reason":"x"}`), 400, "no lab")
	jsonError(t, f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"x","plan_hash":"ffff"}`), 409, "plan_hash ffff does not match")
	rec := f.do(t, "operator", "POST", "/v1/runs", `{"kind":"apply","inventory":"good","reason":"CHG-7"}`)
	var v runrequest.View
	if json.Unmarshal(rec.Body.Bytes(), &v); rec.Code != 201 || v.State != runrequest.AwaitingApproval || rec.Header().Get("Location") != "/v1/runs/"+v.ID {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	path := "/v1/runs/" + v.ID
	jsonError(t, f.do(t, "operator", "POST", path+"/approve", `{"plan_hash":"0123456789abcdef"}`), 403, "which may not approve")
	jsonError(t, f.do(t, "viewer", "POST", path+"/halt", `{"reason":"x"}`), 403, "may not halt")
	jsonError(t, f.do(t, "approver", "POST", path+"/approve", `{"plan_hash":"ffff"}`), 409, "plan_hash ffff is not the plan of run")
	jsonError(t, f.do(t, "approver", "POST", path+"/approve", `{}`), 400, "plan_hash is required")
	jsonError(t, f.do(t, "approver", "POST", path+"/approve", `{"plan_hash":"0123456789abcdef","by":"me"}`), 400, `unknown field "by"`)
	jsonError(t, f.do(t, "operator", "POST", path+"/halt", `{"reason":"x"}`), 409, "not running")
	jsonError(t, f.do(t, "approver", "POST", path+"/recover", `{"mode":"rollback","reason":"x"}`), 409, "not unfinished")
	jsonError(t, f.do(t, "viewer", "GET", "/v1/runs/nope", ""), 404, `run "nope": no such run`)
	jsonError(t, f.do(t, "viewer", "GET", path+"/events?last_event_id=zz", ""), 400, `Last-Event-ID "zz"`)
	// The stub cannot start it: approved, then refused, nothing moved.
	jsonError(t, f.do(t, "approver", "POST", path+"/approve", `{"plan_hash":"0123456789abcdef","reason":"ok"}`), 409, "the stub starts nothing")
	json.Unmarshal(f.do(t, "viewer", "GET", path, "").Body.Bytes(), &v)
	if v.State != runrequest.Refused || v.DecidedBy != "approver" {
		t.Errorf("%+v", v)
	}
	rec = f.do(t, "viewer", "GET", path+"/events", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/event-stream" || !strings.Contains(rec.Body.String(), "id: a1\nevent: requested\n") || !strings.Contains(rec.Body.String(), "event: refused") {
		t.Errorf("events: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do(t, "viewer", "GET", path+"/journal", "")
	var j runrequest.JournalView
	if json.Unmarshal(rec.Body.Bytes(), &j); rec.Code != 200 || len(j.Audit) != 3 || j.Audit[1].Who != "approver" {
		t.Errorf("journal: %d %s", rec.Code, rec.Body.String())
	}
}

// TestStatusPageFiles: the page, its script and its style sheet are
// served without a token under a policy that allows no inline script or
// style, and the page loads exactly those files.
func TestStatusPageFiles(t *testing.T) {
	f := newFixture(t)
	page := f.do(t, "", "GET", "/", "")
	for path, ctype := range map[string]string{"/": "text/html", "/status.js": "text/javascript", "/status.css": "text/css"} {
		rec := f.do(t, "", "GET", path, "")
		csp := rec.Header().Get("Content-Security-Policy")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), ctype) || rec.Body.Len() < 100 {
			t.Errorf("GET %s: %d %s, %d bytes", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "default-src 'none'") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: policy %q, nosniff %q", path, csp, rec.Header().Get("X-Content-Type-Options"))
		}
	}
	for _, ref := range []string{`<script src="/status.js"></script>`, `<link rel="stylesheet" href="/status.css">`} {
		if !strings.Contains(page.Body.String(), ref) {
			t.Errorf("the page does not load %s", ref)
		}
	}
	jsonError(t, f.do(t, "", "GET", "/status.map", ""), 404, "no route")
}
