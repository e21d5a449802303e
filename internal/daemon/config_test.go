package daemon

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/internal/yamlstrict"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestConfigReadsEverything(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "approver.token"), []byte("approver-token-from-a-file\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "hook.secret"), []byte("hook-secret\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "inv"), 0o755)
	os.WriteFile(filepath.Join(dir, "topo.yml"), nil, 0o644)
	text := `version: 1
listen: 0.0.0.0:9000
state_dir: ${STATE:-state}
inventories: {dir: inv, match: ["*.inventory.yml"]}
tokens:
  - {name: op, role: operator, token: "${OP_TOKEN}", allow: [10.0.0.0/8, 192.0.2.7]}
  - {name: boss, role: approver, token_file: approver.token}
approval: {required: false, timeout: 90s}
public: [healthz]
limits: {body_bytes: 4096}
confirm_timeout: 0
watchdog:
  - {interface: eth1, netns: probe}
  - {interface: eth2, vlan: 66}
webhooks:
  - {name: chat, url: "https://chat.example/hook", secret_file: hook.secret, events: [end, halt], attempts: 3}
webhook_grace: 12s
lab: {topology: topo.yml, name: mylab}
`
	c, err := ParseConfig(filepath.Join(dir, "serve.yml"), []byte(text), env(map[string]string{"OP_TOKEN": "operator-token-0123456"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "0.0.0.0:9000" || c.StateDir != filepath.Join(dir, "state") || c.InventoryDir != filepath.Join(dir, "inv") || c.InventoryMatch[0] != "*.inventory.yml" {
		t.Errorf("%+v", c)
	}
	if len(c.Tokens) != 2 || c.Tokens[0].Value.Reveal() != "operator-token-0123456" || c.Tokens[1].Value.Reveal() != "approver-token-from-a-file" || c.Tokens[1].Role != auth.Approver {
		t.Errorf("tokens %+v", c.Tokens)
	}
	if len(c.Tokens[0].Allow) != 2 || c.Tokens[0].Allow[1].String() != "192.0.2.7/32" {
		t.Errorf("allow %v", c.Tokens[0].Allow)
	}
	if c.ApprovalRequired || c.ApprovalTimeout != 90*time.Second || c.PublicMetrics || !c.PublicHealthz || c.BodyLimit != 4096 || c.ConfirmTimeout != 0 {
		t.Errorf("%+v", c)
	}
	if len(c.Watchdog) != 2 || c.Watchdog[0].Netns != "probe" || c.Watchdog[1].VLAN != 66 {
		t.Errorf("watchdog %+v", c.Watchdog)
	}
	if len(c.Webhooks) != 1 || c.Webhooks[0].Secret.Reveal() != "hook-secret" || len(c.Webhooks[0].Events) != 2 || c.Webhooks[0].Attempts != 3 {
		t.Errorf("webhooks %+v", c.Webhooks)
	}
	if c.Lab == nil || c.Lab.Name != "mylab" {
		t.Errorf("lab %+v", c.Lab)
	}
	if c.WebhookGrace != 12*time.Second {
		t.Errorf("webhook_grace %s", c.WebhookGrace)
	}
}

func TestConfigDefaults(t *testing.T) {
	dir := t.TempDir()
	c, err := ParseConfig(filepath.Join(dir, "s.yml"), []byte("version: 1\ninventories: .\ntokens: [{name: a, role: viewer, token: aaaaaaaaaaaaaaaaaaaa}]\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != DefaultListen || !strings.HasPrefix(c.Listen, "127.0.0.1:") || !c.ApprovalRequired || !c.PublicMetrics || !c.PublicHealthz || c.StateDir != DefaultStateDir || c.BodyLimit != DefaultBodyLimit || c.WebhookGrace != DefaultWebhookGrace {
		t.Errorf("defaults: %+v", c)
	}
}

// Every problem is reported at its line, and no secret appears in them.
func TestConfigProblems(t *testing.T) {
	dir := t.TempDir()
	text := `version: 2
listen: localhost
inventories: nowhere
colour: blue
tokens:
  - {name: a, role: admin, token: tiny-pw}
  - {name: a, role: viewer, token: "${MISSING}"}
  - {name: b, role: viewer, token: secret-value-1234567890, token_file: x}
  - {name: c, role: viewer, token_file: missing.token}
approval: {required: maybe, timeout: 0s}
public: [metrics, everything]
webhooks:
  - {name: h, url: "ftp://user:pw@x"}
watchdog:
  - {interface: "eth 1"}
`
	_, err := ParseConfig(filepath.Join(dir, "serve.yml"), []byte(text), env(nil))
	var ve *yamlstrict.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v", err)
	}
	want := []struct {
		line int
		msg  string
	}{
		{1, `version: "2" is not supported`},
		{2, `listen: "localhost": want host:port`},
		{3, "nowhere is not a directory"},
		{4, `unknown key "colour"`},
		{6, `role "admin"`},
		{6, "shorter than 16 characters"},
		{7, "environment variable MISSING is not set"},
		{7, `"a" is already the name of the token at line 6`},
		{8, "give token or token_file, not both"},
		{9, "missing.token: no such file"},
		{10, `approval.required: "maybe": want true or false`},
		{10, `approval.timeout: "0s"`},
		{11, `public: "everything"`},
		{13, "not an http or https URL"},
		{13, "secret or secret_file is missing"},
		{15, `"eth 1" is not an interface name`},
	}
	for _, w := range want {
		found := false
		for _, p := range ve.Problems {
			if p.Line == w.line && strings.Contains(p.Msg, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem at line %d with %q in:\n%v", w.line, w.msg, err)
		}
	}
	for _, leak := range []string{"secret-value-1234567890", "tiny-pw", "pw@"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("the problems show %q: %v", leak, err)
		}
	}
}

// A webhook can ask for every kind of event a run emits.
func TestWebhookEventsCoverTheRuns(t *testing.T) {
	for _, k := range []string{runs.EventJournal, runs.EventGuardOff, runs.EventGuard, runs.EventCheck, runs.EventNote, runs.EventHalt, runs.EventEnd,
		"step-start", "batch-done", "batch-failed", "step-done", "confirmed", "rollback-start", "rollback-done", "journal-failed"} {
		if !slices.Contains(WebhookEvents, k) {
			t.Errorf("webhooks cannot ask for %s", k)
		}
	}
}
