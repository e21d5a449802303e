package daemon

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/yamlstrict"
)

var labTokens = map[string]string{
	"CUTOVER_TOKEN_VIEWER":   "lab-viewer-token-0123456789",
	"CUTOVER_TOKEN_OPERATOR": "lab-operator-token-0123456789",
	"CUTOVER_TOKEN_APPROVER": "lab-approver-token-0123456789",
}

// labs/serve.yml is valid with the three token variables set, serves the
// lab's inventories and rehearses in the default lab.
func TestLabsServeConfig(t *testing.T) {
	c, err := LoadConfig("../../labs/serve.yml", env(labTokens))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tokens) != 3 || c.Lab == nil || c.Lab.Name != "cutover" || !c.ApprovalRequired || c.StateDir != "/var/lib/cutover/lab" {
		t.Errorf("%+v", c)
	}
	withState := map[string]string{"CUTOVER_STATE_DIR": "/tmp/x"}
	for k, v := range labTokens {
		withState[k] = v
	}
	if c, err := LoadConfig("../../labs/serve.yml", env(withState)); err != nil || c.StateDir != "/tmp/x" {
		t.Errorf("CUTOVER_STATE_DIR: %v %+v", err, c)
	}
	// Without the tokens it says which variables are missing.
	_, err = LoadConfig("../../labs/serve.yml", env(nil))
	for k := range labTokens {
		if err == nil || !strings.Contains(err.Error(), "environment variable "+k+" is not set") {
			t.Errorf("no problem for %s: %v", k, err)
		}
	}
}

// The example configuration is valid but for the files it names on a
// real installation.
func TestExampleConfig(t *testing.T) {
	_, err := LoadConfig("dist/serve.example.yml", env(labTokens))
	var ve *yamlstrict.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v", err)
	}
	for _, p := range ve.Problems {
		if !strings.Contains(p.Msg, "no such file") && !strings.Contains(p.Msg, "is not a directory") {
			t.Errorf("example: %s", p)
		}
	}
}

// The systemd unit is hardened as promised.
func TestSystemdUnit(t *testing.T) {
	f, err := os.Open("dist/cutover.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			got[k] = v
		}
	}
	for k, v := range map[string]string{
		"NoNewPrivileges":         "yes",
		"CapabilityBoundingSet":   "CAP_NET_RAW CAP_NET_ADMIN",
		"StateDirectory":          "cutover",
		"ProtectSystem":           "strict",
		"Environment":             "CUTOVER_STATE_DIR=%S/cutover",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX AF_PACKET AF_NETLINK",
	} {
		if got[k] != v {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}
	if !strings.Contains(got["ExecStart"], "cutover serve --config ") {
		t.Errorf("ExecStart=%s", got["ExecStart"])
	}
}
