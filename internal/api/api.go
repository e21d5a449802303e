// Package api is the daemon's HTTP+JSON API under /v1/, with /healthz,
// /metrics and the live status page beside it. Every route is in one
// table (Routes), which the OpenAPI document (openapi.yaml, served at
// /v1/openapi.yaml) is checked against. Requests carry a bearer token;
// bodies are size-limited JSON objects with no unknown fields; every error
// is a JSON object that names what was wrong. Tokens never appear in a
// response or a log line.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/invdir"
	"github.com/cutover-net/cutover/internal/metrics"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/statuspage"
	"github.com/cutover-net/cutover/internal/watchdog"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI is the API's OpenAPI document.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// Config is what the API serves.
type Config struct {
	Auth        *auth.Authenticator
	Inventories *invdir.Dir
	Registry    *switchdrivers.Registry
	// Watchdog is nil when no interface is watched.
	Watchdog *watchdog.Watchdog
	Metrics  *metrics.Metrics
	Daemon   *metrics.Daemon
	Log      *slog.Logger
	// BodyLimit bounds request bodies.
	BodyLimit int64
	// PublicMetrics and PublicHealthz serve those without a token.
	PublicMetrics, PublicHealthz bool
	// ConfirmTimeout is the trial timer plans are rendered with.
	ConfirmTimeout time.Duration
	// StatusPage is the live status page: the HTML (served at /) and the
	// script and style sheet it loads (internal/statuspage).
	StatusPage []statuspage.File
	// Runs is the board of run requests (nil: runs are not available).
	Runs *runrequest.Board
}

// Server is the API's handler.
type Server struct {
	cfg Config
	mux *http.ServeMux
	// hubs share each followed run's event frames among its clients.
	hubsMu sync.Mutex
	hubs   map[string]*hub
}

// Route is one route of the API.
type Route struct {
	Method, Path string
	// Permission is what the caller's token needs; "" is a public route.
	Permission auth.Permission
	handle     func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error
}

// Pattern is the route's ServeMux pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// New returns the API's handler.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 64 << 10
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	for _, rt := range s.Routes() {
		s.mux.Handle(rt.Pattern(), s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, "no route %s %s (the API is under /v1/; see /v1/openapi.yaml)", r.Method, r.URL.Path))
	})
	return s
}

// Routes is the route table.
func (s *Server) Routes() []Route {
	metricsPerm, healthPerm := auth.Read, auth.Read
	if s.cfg.PublicMetrics {
		metricsPerm = ""
	}
	if s.cfg.PublicHealthz {
		healthPerm = ""
	}
	return []Route{
		{"GET", "/{$}", "", s.page},
		{"GET", "/status.js", "", s.page},
		{"GET", "/status.css", "", s.page},
		{"GET", "/healthz", healthPerm, s.healthz},
		{"GET", "/metrics", metricsPerm, s.metrics},
		{"GET", "/v1/openapi.yaml", "", s.openapi},
		{"GET", "/v1/whoami", auth.Read, s.whoami},
		{"GET", "/v1/inventories", auth.Read, s.listInventories},
		{"GET", "/v1/inventories/{name}", auth.Read, s.validateInventory},
		{"GET", "/v1/inventories/{name}/plan", auth.Plan, s.plan},
		{"GET", "/v1/inventories/{name}/ports", auth.Read, s.ports},
		{"GET", "/v1/inventories/{name}/status", auth.Read, s.status},
		{"GET", "/v1/watch", auth.Read, s.watch},
		{"GET", "/v1/runs", auth.Read, s.listRuns},
		{"POST", "/v1/runs", auth.Request, s.createRun},
		{"GET", "/v1/runs/{id}", auth.Read, s.getRun},
		{"POST", "/v1/runs/{id}/approve", auth.Approve, s.approveRun},
		{"POST", "/v1/runs/{id}/deny", auth.Approve, s.denyRun},
		{"POST", "/v1/runs/{id}/halt", auth.Halt, s.haltRun},
		{"POST", "/v1/runs/{id}/recover", auth.Recover, s.recoverRun},
		{"GET", "/v1/runs/{id}/events", auth.Read, s.runEvents},
		{"GET", "/v1/runs/{id}/journal", auth.Read, s.runJournal},
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	start := time.Now()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	slot := &principalSlot{}
	r = r.WithContext(context.WithValue(r.Context(), principalKey{}, slot))
	s.mux.ServeHTTP(rec, r)
	route := r.Pattern
	if route == "" || route == "/" {
		route = "unmatched"
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if s.cfg.Daemon != nil {
		s.cfg.Daemon.APIRequest(route, rec.status)
	}
	principal := ""
	if slot.p != nil {
		principal = slot.p.Name
	}
	// The path and route, never the headers (the token) or the body.
	s.cfg.Log.Info("api", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.status,
		"client", auth.ClientAddr(r).String(), "principal", principal, "duration", time.Since(start).Round(time.Microsecond))
}

type principalKey struct{}

// principalSlot is where wrap leaves the authenticated client for the log line.
type principalSlot struct{ p *auth.Principal }

// wrap authenticates and authorises a route's requests.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p *auth.Principal
		if rt.Permission != "" {
			var err error
			if p, err = s.cfg.Auth.Authenticate(r); err != nil {
				writeError(w, err)
				return
			}
			if slot, ok := r.Context().Value(principalKey{}).(*principalSlot); ok {
				slot.p = p
			}
			if err := auth.Authorize(p, rt.Permission); err != nil {
				writeError(w, err)
				return
			}
		}
		if err := rt.handle(w, r, p); err != nil {
			writeError(w, err)
		}
	})
}

// page serves the status page's files, each as it is (nothing inline:
// the policy allows this origin's scripts and styles only).
func (s *Server) page(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	i := slices.IndexFunc(s.cfg.StatusPage, func(f statuspage.File) bool { return f.Path == r.URL.Path })
	if i < 0 {
		return errorf(http.StatusNotFound, "%s: this daemon serves no status page", r.URL.Path)
	}
	f := s.cfg.StatusPage[i]
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", statuspage.CSP)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(f.Body)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	promhttp.HandlerFor(s.cfg.Metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(openAPI)
	return nil
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var perms []auth.Permission
	for _, perm := range []auth.Permission{auth.Read, auth.Plan, auth.Request, auth.Halt, auth.Approve, auth.Recover} {
		if p.Can(perm) {
			perms = append(perms, perm)
		}
	}
	writeJSON(w, http.StatusOK, struct {
		*auth.Principal
		Permissions []auth.Permission `json:"permissions"`
	}{p, perms})
	return nil
}

// InventorySummary is one inventory in the list.
type InventorySummary struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Valid     bool   `json:"valid"`
	Problems  int    `json:"problems"`
	Title     string `json:"title,omitempty"` // the inventory's name:
	Switches  int    `json:"switches"`
	Ports     int    `json:"ports"`
	Addresses int    `json:"addresses"`
	Park      string `json:"park,omitempty"`
	Error     string `json:"error,omitempty"`
}

func summarise(e invdir.Entry, inv *plan.Inventory, err error) InventorySummary {
	sum := InventorySummary{Name: e.Name, File: e.File, Valid: err == nil}
	var ve *plan.ValidationError
	switch {
	case errors.As(err, &ve):
		sum.Problems = len(ve.Problems)
	case err != nil:
		sum.Error = err.Error()
	default:
		sum.Title, sum.Switches, sum.Park = inv.Name, len(inv.Switches), inv.Park
		sum.Ports = len(inv.Systems.Old.Ports) + len(inv.Systems.New.Ports)
		sum.Addresses = len(inv.Systems.Old.Addresses)
	}
	return sum
}

func (s *Server) listInventories(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	entries, err := s.cfg.Inventories.List()
	if err != nil {
		return err
	}
	out := []InventorySummary{}
	for _, e := range entries {
		inv, err := plan.Load(e.File, s.cfg.Inventories.LoadOptions())
		out = append(out, summarise(e, inv, err))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// inventory loads the inventory named in the path; a missing one is 404,
// an invalid one 422 with its problems.
func (s *Server) inventory(r *http.Request) (*plan.Inventory, error) {
	name := r.PathValue("name")
	inv, err := s.cfg.Inventories.Load(name)
	var ve *plan.ValidationError
	switch {
	case errors.Is(err, invdir.ErrNotFound):
		return nil, errorf(http.StatusNotFound, "%v", err)
	case errors.As(err, &ve):
		return nil, &Error{Status: http.StatusUnprocessableEntity, Msg: "inventory " + name + " is not valid: " + err.Error()}
	case err != nil:
		return nil, err
	}
	return inv, nil
}

// Validation is an inventory's validation result.
type Validation struct {
	InventorySummary
	ProblemList []plan.Problem `json:"problem_list"`
}

func (s *Server) validateInventory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	e, err := s.cfg.Inventories.Find(r.PathValue("name"))
	if errors.Is(err, invdir.ErrNotFound) {
		return errorf(http.StatusNotFound, "%v", err)
	} else if err != nil {
		return err
	}
	inv, err := plan.Load(e.File, s.cfg.Inventories.LoadOptions())
	v := Validation{InventorySummary: summarise(e, inv, err), ProblemList: []plan.Problem{}}
	var ve *plan.ValidationError
	if errors.As(err, &ve) {
		v.ProblemList = ve.Problems
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// planKinds maps the plan endpoint's kind parameter to the compiler.
var planKinds = map[string]func(*plan.Inventory) (*plan.Plan, error){
	plan.KindCutover:  plan.Compile,
	plan.KindFallback: plan.Fallback,
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	q := r.URL.Query()
	kind, format := q.Get("kind"), q.Get("format")
	if kind == "" {
		kind = plan.KindCutover
	}
	if format == "" {
		format = "json"
	}
	if _, ok := planKinds[kind]; !ok {
		return errorf(http.StatusBadRequest, "kind %q: want cutover or fallback", kind)
	}
	contentType := map[string]string{"json": "application/json", "text": "text/plain; charset=utf-8", "markdown": "text/markdown; charset=utf-8"}[format]
	if contentType == "" {
		return errorf(http.StatusBadRequest, "format %q: want %s", format, strings.Join(plan.Formats, ", "))
	}
	inv, err := s.inventory(r)
	if err != nil {
		return err
	}
	p, err := s.compile(inv, kind)
	if err != nil {
		return errorf(http.StatusUnprocessableEntity, "inventory %s: compiling the %s plan: %v", r.PathValue("name"), kind, err)
	}
	var buf bytes.Buffer
	if err := plan.Render(&buf, p, format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Cutover-Plan-Hash", p.Hash)
	w.Write(buf.Bytes())
	return nil
}

// compile compiles the inventory's plan of kind with every batch's
// commands rendered by its drivers (no switch is contacted).
func (s *Server) compile(inv *plan.Inventory, kind string) (*plan.Plan, error) {
	p, err := planKinds[kind](inv)
	if err != nil {
		return nil, err
	}
	drivers, err := engine.OpenDrivers(s.cfg.Registry, inv)
	if err != nil {
		return nil, err
	}
	defer engine.CloseDrivers(drivers)
	if err := p.RenderCommands(engine.Commands{Drivers: drivers, ConfirmTimeout: s.cfg.ConfirmTimeout}); err != nil {
		return nil, err
	}
	return p, nil
}

// PortTable is the live port table of an inventory's switches.
type PortTable struct {
	Inventory string           `json:"inventory"`
	Ports     []engine.PortRow `json:"ports"`
	// Errors are the switches that could not be read.
	Errors []string `json:"errors"`
	// Warnings are rows or values a driver read past (naming switch and OID).
	Warnings []string `json:"warnings"`
}

func (s *Server) ports(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	inv, err := s.inventory(r)
	if err != nil {
		return err
	}
	only := r.URL.Query().Get("switch")
	if only != "" {
		if _, ok := inv.SwitchByName(only); !ok {
			return errorf(http.StatusNotFound, "switch %q: no such switch in inventory %s", only, r.PathValue("name"))
		}
	}
	drivers, err := engine.OpenDrivers(s.cfg.Registry, inv)
	if err != nil {
		return err
	}
	defer engine.CloseDrivers(drivers)
	rows, warnings, err := engine.ReadPorts(r.Context(), inv, drivers, only)
	t := PortTable{Inventory: r.PathValue("name"), Ports: rows, Errors: []string{}, Warnings: append([]string{}, warnings...)}
	if err != nil {
		for _, e := range unjoin(err) {
			t.Errors = append(t.Errors, e.Error())
		}
	}
	status := http.StatusOK
	if len(t.Errors) > 0 {
		// Some switch could not be read: the rows that could are there.
		status = http.StatusBadGateway
	}
	writeJSON(w, status, t)
	return nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// WatchState is the watchdog's state.
type WatchState struct {
	Enabled    bool             `json:"enabled"`
	Interfaces []watchdog.State `json:"interfaces"`
	Conflicts  int              `json:"conflicts"`
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	st := WatchState{Interfaces: []watchdog.State{}}
	if s.cfg.Watchdog != nil {
		st.Enabled, st.Interfaces = true, s.cfg.Watchdog.State()
		for _, i := range st.Interfaces {
			st.Conflicts += len(i.Report.Conflicts)
		}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
