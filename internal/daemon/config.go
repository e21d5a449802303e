package daemon

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/internal/yamlstrict"
	"gopkg.in/yaml.v3"
)

// Defaults of the configuration.
const (
	DefaultListen          = "127.0.0.1:8650"
	DefaultStateDir        = "/var/lib/cutover"
	DefaultBodyLimit       = 64 << 10
	DefaultApprovalTimeout = time.Hour
	DefaultConfirmTimeout  = 2 * time.Minute
	DefaultShutdownTimeout = 2 * time.Minute
	DefaultWebhookQueue    = 1024
	DefaultWebhookGrace    = 5 * time.Second
	DefaultWebhookTimeout  = 5 * time.Second
	DefaultWebhookAttempts = 5
)

// Config is the daemon's configuration (`cutover serve --config FILE`).
type Config struct {
	File string `json:"-"`
	// Listen is host:port; 127.0.0.1 by default.
	Listen string
	// TLSCert and TLSKey, both or neither: serve HTTPS.
	TLSCert, TLSKey string
	// StateDir holds the journals (one directory per inventory) and the
	// audit log of requests and decisions.
	StateDir string
	// InventoryDir holds the inventories the daemon serves: the files
	// matching InventoryMatch (default *.yml and *.yaml).
	InventoryDir   string
	InventoryMatch []string
	Tokens         []auth.Token
	// Approval: four-eyes (the default) and how long a request waits.
	ApprovalRequired bool
	ApprovalTimeout  time.Duration
	// Public: endpoints served without a token (metrics, healthz).
	PublicMetrics, PublicHealthz bool
	BodyLimit                    int64
	ConfirmTimeout               time.Duration
	ShutdownTimeout              time.Duration
	Watchdog                     []WatchInterface
	Webhooks                     []Webhook
	WebhookQueue                 int
	// WebhookGrace is how long a shutdown lets the webhooks deliver what
	// is queued before it drops (and counts) the rest.
	WebhookGrace time.Duration
	Lab          *LabConfig
}

// WatchInterface is an interface the watchdog captures on.
type WatchInterface struct {
	Interface string
	// VLAN of untagged frames (an access port); 0 on a trunk, where each
	// frame's tag says its VLAN.
	VLAN int
	// Netns is the named network namespace the interface is in.
	Netns string
}

// Webhook is one receiver of events.
type Webhook struct {
	Name     string
	URL      string
	Secret   secret.Secret
	Events   []string // empty: every event
	Timeout  time.Duration
	Attempts int
}

// LabConfig lets the daemon rehearse in a local lab and read the lab's
// addresses (CUTOVER_LAB_*) for its inventories.
type LabConfig struct {
	Topology string
	Name     string
	RunDir   string // the base of the lab's run directory; empty: the default
}

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	ifaceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$`)
)

// LoadConfig reads and checks the configuration file; every problem is
// reported with its line (a *yamlstrict.ValidationError). lookup resolves
// ${VAR} (nil: the environment).
func LoadConfig(path string, lookup func(string) (string, bool)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(path, data, lookup)
}

// ParseConfig checks configuration text; path names it in problems and
// resolves relative paths.
func ParseConfig(path string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	r := yamlstrict.NewReader(path, lookup)
	root := r.Decode(data, "configuration")
	if root == nil {
		return nil, r.Err()
	}
	c := &Config{File: path, Listen: DefaultListen, StateDir: DefaultStateDir, InventoryMatch: []string{"*.yml", "*.yaml"},
		ApprovalRequired: true, ApprovalTimeout: DefaultApprovalTimeout, PublicMetrics: true, PublicHealthz: true,
		BodyLimit: DefaultBodyLimit, ConfirmTimeout: DefaultConfirmTimeout, ShutdownTimeout: DefaultShutdownTimeout,
		WebhookQueue: DefaultWebhookQueue, WebhookGrace: DefaultWebhookGrace}
	cr := &configReader{Reader: r, c: c}
	cr.top(root)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

type configReader struct {
	*yamlstrict.Reader
	c *Config
}

// path resolves a file path relative to the configuration file.
func (r *configReader) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.Dir, p)
}

func (r *configReader) duration(n *yaml.Node, what string, min, max time.Duration) (time.Duration, bool) {
	v, ok := r.Scalar(n, what)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > max {
		r.Addf(n, "%s: %q: want a duration from %s to %s (e.g. 30s, 5m)", what, v, min, max)
		return 0, false
	}
	return d, true
}

func (r *configReader) boolean(n *yaml.Node, what string) (bool, bool) {
	v, ok := r.Scalar(n, what)
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.Addf(n, "%s: %q: want true or false", what, v)
		return false, false
	}
	return b, true
}

func (r *configReader) integer(n *yaml.Node, what string, min, max int64) (int64, bool) {
	v, ok := r.Scalar(n, what)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil || i < min || i > max {
		r.Addf(n, "%s: %q: want a whole number from %d to %d", what, v, min, max)
		return 0, false
	}
	return i, true
}

func (r *configReader) top(root *yaml.Node) {
	c := r.c
	top := r.Mapping(root, "configuration", "version", "listen", "tls", "state_dir", "inventories", "tokens", "approval",
		"public", "limits", "confirm_timeout", "shutdown_timeout", "watchdog", "webhooks", "webhook_queue", "webhook_grace", "lab")
	if top == nil {
		return
	}
	r.Require(root, top, "configuration", "version", "inventories", "tokens")
	if f, ok := top["version"]; ok {
		if v, ok := r.Scalar(f.Val, "version"); ok && v != "1" {
			r.Addf(f.Val, "version: %q is not supported (this cutover reads version 1)", v)
		}
	}
	if v, n := r.Str(top, "listen", "configuration"); n != nil {
		host, port, err := net.SplitHostPort(v)
		if err != nil || port == "" {
			r.Addf(n, "listen: %q: want host:port (e.g. 127.0.0.1:8650)", v)
		} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			r.Addf(n, "listen: %q: port %q is not a port number", v, port)
		} else if host != "" && host != "localhost" {
			if _, err := netip.ParseAddr(host); err != nil {
				r.Addf(n, "listen: %q: %q is not an IP address", v, host)
			}
		}
		c.Listen = v
	}
	if f, ok := top["tls"]; ok {
		if fields := r.Mapping(f.Val, "tls", "cert", "key"); fields != nil {
			r.Require(f.Val, fields, "tls", "cert", "key")
			cert, cn := r.Str(fields, "cert", "tls")
			key, kn := r.Str(fields, "key", "tls")
			c.TLSCert, c.TLSKey = r.path(cert), r.path(key)
			for _, x := range []struct {
				n    *yaml.Node
				what string
				p    string
			}{{cn, "tls.cert", c.TLSCert}, {kn, "tls.key", c.TLSKey}} {
				if x.n == nil {
					continue
				}
				if _, err := os.Stat(x.p); err != nil {
					r.Addf(x.n, "%s: %v", x.what, err)
				}
			}
		}
	}
	if v, n := r.Str(top, "state_dir", "configuration"); n != nil {
		if v == "" {
			r.Addf(n, "state_dir: empty")
		}
		c.StateDir = r.path(v)
	}
	if f, ok := top["inventories"]; ok {
		r.inventories(f.Val)
	}
	if f, ok := top["tokens"]; ok {
		r.tokens(f.Val)
	}
	if f, ok := top["approval"]; ok {
		if fields := r.Mapping(f.Val, "approval", "required", "timeout"); fields != nil {
			if g, ok := fields["required"]; ok {
				if b, ok := r.boolean(g.Val, "approval.required"); ok {
					c.ApprovalRequired = b
				}
			}
			if g, ok := fields["timeout"]; ok {
				if d, ok := r.duration(g.Val, "approval.timeout", time.Second, 7*24*time.Hour); ok {
					c.ApprovalTimeout = d
				}
			}
		}
	}
	if f, ok := top["public"]; ok {
		c.PublicMetrics, c.PublicHealthz = false, false
		for _, n := range r.List(f.Val, "public") {
			v, ok := r.Scalar(n, "public")
			if !ok {
				continue
			}
			switch v {
			case "metrics":
				c.PublicMetrics = true
			case "healthz":
				c.PublicHealthz = true
			default:
				r.Addf(n, "public: %q: only metrics and healthz can be served without a token", v)
			}
		}
	}
	if f, ok := top["limits"]; ok {
		if fields := r.Mapping(f.Val, "limits", "body_bytes"); fields != nil {
			if g, ok := fields["body_bytes"]; ok {
				if i, ok := r.integer(g.Val, "limits.body_bytes", 1024, 16<<20); ok {
					c.BodyLimit = i
				}
			}
		}
	}
	if f, ok := top["confirm_timeout"]; ok {
		if v, _ := r.Scalar(f.Val, "confirm_timeout"); v == "0" {
			c.ConfirmTimeout = 0
		} else if d, ok := r.duration(f.Val, "confirm_timeout", 30*time.Second, time.Hour); ok {
			c.ConfirmTimeout = d
		}
	}
	if f, ok := top["shutdown_timeout"]; ok {
		if d, ok := r.duration(f.Val, "shutdown_timeout", time.Second, time.Hour); ok {
			c.ShutdownTimeout = d
		}
	}
	if f, ok := top["watchdog"]; ok {
		r.watchdog(f.Val)
	}
	if f, ok := top["webhooks"]; ok {
		r.webhooks(f.Val)
	}
	if f, ok := top["webhook_queue"]; ok {
		if i, ok := r.integer(f.Val, "webhook_queue", 1, 1<<20); ok {
			c.WebhookQueue = int(i)
		}
	}
	if f, ok := top["webhook_grace"]; ok {
		if v, _ := r.Scalar(f.Val, "webhook_grace"); v == "0" {
			c.WebhookGrace = 0
		} else if d, ok := r.duration(f.Val, "webhook_grace", 100*time.Millisecond, 10*time.Minute); ok {
			c.WebhookGrace = d
		}
	}
	if f, ok := top["lab"]; ok {
		if fields := r.Mapping(f.Val, "lab", "topology", "name", "run_dir"); fields != nil {
			r.Require(f.Val, fields, "lab", "topology")
			l := &LabConfig{Name: "cutover"}
			if v, n := r.Str(fields, "topology", "lab"); n != nil {
				l.Topology = r.path(v)
				if _, err := os.Stat(l.Topology); err != nil {
					r.Addf(n, "lab.topology: %v", err)
				}
			}
			if v, n := r.Str(fields, "name", "lab"); n != nil {
				if !nameRE.MatchString(v) {
					r.Addf(n, "lab.name: %q: want letters, digits, '_', '.', '-'", v)
				}
				l.Name = v
			}
			if v, n := r.Str(fields, "run_dir", "lab"); n != nil {
				l.RunDir = r.path(v)
			}
			c.Lab = l
		}
	}
}

func (r *configReader) inventories(n *yaml.Node) {
	c := r.c
	if n.Kind == yaml.ScalarNode {
		v, _ := r.Scalar(n, "inventories")
		c.InventoryDir = r.path(v)
	} else if fields := r.Mapping(n, "inventories", "dir", "match"); fields != nil {
		r.Require(n, fields, "inventories", "dir")
		v, _ := r.Str(fields, "dir", "inventories")
		c.InventoryDir = r.path(v)
		if f, ok := fields["match"]; ok {
			c.InventoryMatch = nil
			for _, m := range r.List(f.Val, "inventories.match") {
				v, ok := r.Scalar(m, "inventories.match")
				if !ok {
					continue
				}
				if _, err := filepath.Match(v, ""); err != nil || v == "" || filepath.Base(v) != v {
					r.Addf(m, "inventories.match: %q is not a file name pattern (e.g. *.yml)", v)
					continue
				}
				c.InventoryMatch = append(c.InventoryMatch, v)
			}
		}
	}
	if c.InventoryDir == "" {
		return
	}
	if fi, err := os.Stat(c.InventoryDir); err != nil || !fi.IsDir() {
		r.Addf(n, "inventories: %s is not a directory", c.InventoryDir)
	}
}

func (r *configReader) tokens(n *yaml.Node) {
	items := r.List(n, "tokens")
	if n.Kind == yaml.SequenceNode && len(items) == 0 {
		r.Addf(n, "tokens: the list is empty (every API request needs a token)")
	}
	lines := map[string]int{}
	for i, tn := range items {
		what := fmt.Sprintf("tokens[%d]", i)
		fields := r.Mapping(tn, what, "name", "role", "token", "token_file", "allow")
		if fields == nil {
			continue
		}
		r.Require(tn, fields, what, "name", "role")
		var t auth.Token
		name, nn := r.Str(fields, "name", what)
		if nn != nil {
			if !nameRE.MatchString(name) {
				r.Addf(nn, "%s.name: %q: want letters, digits, '_', '.', '-'", what, name)
			} else if first, dup := lines[name]; dup {
				r.Addf(nn, "%s.name: %q is already the name of the token at line %d", what, name, first)
			} else {
				lines[name] = nn.Line
				what = "token " + name
			}
		}
		t.Name = name
		role, rn := r.Str(fields, "role", what)
		if rn != nil {
			t.Role = auth.Role(role)
			if !t.Role.Valid() {
				r.Addf(rn, "%s: role %q (known: viewer, operator, approver)", what, role)
			}
		}
		var at *yaml.Node
		t.Value, at = r.InlineOrFile(fields, "token", what, tn, "token or token_file is missing")
		if at != nil && !t.Value.IsZero() && len(t.Value.Reveal()) < auth.MinTokenLength {
			r.Addf(at, "%s: the token is shorter than %d characters", what, auth.MinTokenLength)
		}
		if f, ok := fields["allow"]; ok {
			for _, an := range r.List(f.Val, what+".allow") {
				v, ok := r.Scalar(an, what+".allow")
				if !ok {
					continue
				}
				p, err := netip.ParsePrefix(v)
				if err != nil {
					a, aerr := netip.ParseAddr(v)
					if aerr != nil {
						r.Addf(an, "%s.allow: %q is not an address or a prefix (e.g. 10.0.0.0/8)", what, v)
						continue
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				t.Allow = append(t.Allow, p.Masked())
			}
		}
		r.c.Tokens = append(r.c.Tokens, t)
	}
}

func (r *configReader) watchdog(n *yaml.Node) {
	seen := map[string]int{}
	for i, wn := range r.List(n, "watchdog") {
		what := fmt.Sprintf("watchdog[%d]", i)
		fields := r.Mapping(wn, what, "interface", "vlan", "netns")
		if fields == nil {
			continue
		}
		r.Require(wn, fields, what, "interface")
		var w WatchInterface
		if v, vn := r.Str(fields, "interface", what); vn != nil {
			if !ifaceRE.MatchString(v) {
				r.Addf(vn, "%s.interface: %q is not an interface name", what, v)
			}
			w.Interface = v
		}
		if f, ok := fields["vlan"]; ok {
			if id, ok := r.integer(f.Val, what+".vlan", 0, 4094); ok {
				w.VLAN = int(id)
			}
		}
		if v, vn := r.Str(fields, "netns", what); vn != nil {
			if !nameRE.MatchString(v) {
				r.Addf(vn, "%s.netns: %q is not a network namespace name", what, v)
			}
			w.Netns = v
		}
		key := w.Netns + "/" + w.Interface
		if first, dup := seen[key]; dup {
			r.Addf(wn, "%s: interface %s is already watched (line %d)", what, w.Interface, first)
			continue
		}
		seen[key] = wn.Line
		r.c.Watchdog = append(r.c.Watchdog, w)
	}
}

func (r *configReader) webhooks(n *yaml.Node) {
	names := map[string]int{}
	for i, hn := range r.List(n, "webhooks") {
		what := fmt.Sprintf("webhooks[%d]", i)
		fields := r.Mapping(hn, what, "name", "url", "secret", "secret_file", "events", "timeout", "attempts")
		if fields == nil {
			continue
		}
		r.Require(hn, fields, what, "name", "url")
		h := Webhook{Timeout: DefaultWebhookTimeout, Attempts: DefaultWebhookAttempts}
		if v, vn := r.Str(fields, "name", what); vn != nil {
			if !nameRE.MatchString(v) {
				r.Addf(vn, "%s.name: %q: want letters, digits, '_', '.', '-'", what, v)
			} else if first, dup := names[v]; dup {
				r.Addf(vn, "%s.name: %q is already a webhook's name (line %d)", what, v, first)
			} else {
				names[v] = vn.Line
				what = "webhook " + v
			}
			h.Name = v
		}
		if v, vn := r.Str(fields, "url", what); vn != nil {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				// The URL may hold a secret: the problem does not repeat it.
				r.Addf(vn, "%s.url: not an http or https URL", what)
			} else if u.User != nil {
				r.Addf(vn, "%s.url: credentials in the URL are not accepted; the body is signed with secret", what)
			}
			h.URL = v
		}
		h.Secret, _ = r.InlineOrFile(fields, "secret", what, hn, "secret or secret_file is missing (the receiver checks the X-Cutover-Signature with it)")
		if f, ok := fields["events"]; ok {
			for _, en := range r.List(f.Val, what+".events") {
				v, ok := r.Scalar(en, what+".events")
				if !ok {
					continue
				}
				if !slices.Contains(WebhookEvents, v) {
					r.Addf(en, "%s.events: unknown event %q (known: %v)", what, v, WebhookEvents)
					continue
				}
				h.Events = append(h.Events, v)
			}
		}
		if f, ok := fields["timeout"]; ok {
			if d, ok := r.duration(f.Val, what+".timeout", 100*time.Millisecond, time.Minute); ok {
				h.Timeout = d
			}
		}
		if f, ok := fields["attempts"]; ok {
			if i, ok := r.integer(f.Val, what+".attempts", 1, 20); ok {
				h.Attempts = int(i)
			}
		}
		r.c.Webhooks = append(r.c.Webhooks, h)
	}
}
