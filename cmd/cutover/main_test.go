package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
)

func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const inventory = `version: 1
name: cli-test
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: ovs, address: unix:/nonexistent/db.sock}
systems:
  old: {ports: ["sw1:p1"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:p2"]}
`

func TestValidate(t *testing.T) {
	good := writeFile(t, "good.yml", inventory)
	if code, out, _ := cli(t, "validate", good); code != 0 || !strings.Contains(out, "valid: 1 switches, 2 ports, 1 addresses") {
		t.Fatalf("good: %d %q", code, out)
	}
	bad := writeFile(t, "bad.yml", strings.Replace(inventory, "driver: ovs", "driver: juniper_nope", 1)+"bogus: 1\n")
	code, _, stderr := cli(t, "validate", bad)
	if code != exitError || !strings.Contains(stderr, bad+":5:") || !strings.Contains(stderr, bad+":9:1: inventory: unknown key \"bogus\"") {
		t.Fatalf("bad: %d %q", code, stderr)
	}
	code, out, _ := cli(t, "validate", bad, "-o", "json")
	var res struct {
		Valid    bool
		Problems []struct {
			File    string
			Line    int
			Message string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitError || res.Valid || len(res.Problems) != 2 || res.Problems[0].Line != 5 || res.Problems[1].Line != 9 {
		t.Fatalf("json: %d %v %+v", code, err, res)
	}
	if code, _, stderr := cli(t, "validate", "/nonexistent.yml"); code != exitError || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing file: %d %q", code, stderr)
	}
}

func TestPlanFormats(t *testing.T) {
	inv := writeFile(t, "inv.yml", inventory)
	code, out, stderr := cli(t, "plan", inv, "-o", "json")
	var p struct {
		Kind  string
		Steps []struct {
			Name    string
			Batches []struct {
				Commands         []string `json:"commands"`
				RollbackCommands []string `json:"rollback_commands"`
			}
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || len(p.Steps) != 3 || p.Steps[1].Name != "promote" ||
		len(p.Steps[1].Batches[0].Commands) != 1 || len(p.Steps[1].Batches[0].RollbackCommands) != 1 {
		t.Fatalf("%d %q %q", code, out, stderr)
	}
	if code, out, _ := cli(t, "plan", inv, "-o", "markdown"); code != 0 || !strings.Contains(out, "# Cut-over method of procedure: cli-test") || !strings.Contains(out, "set Port p2 tag=66") {
		t.Fatalf("markdown: %d %s", code, out)
	}
	if code, out, _ := cli(t, "plan", inv, "--fallback"); code != 0 || !strings.Contains(out, "fallback plan") || !strings.Contains(out, "p1                   old migration(166) -> production(66)") {
		t.Fatalf("fallback: %d %s", code, out)
	}
	if code, _, stderr := cli(t, "plan", inv, "-o", "yaml"); code != exitError || !strings.Contains(stderr, "want one of text, json, markdown") {
		t.Fatalf("bad format: %d %s", code, stderr)
	}
}

// TestPlanHashShowsWhatIsApproved: `plan -o json` shows the hash (the one
// the text form names) and the basis it covers; an inventory with other
// addresses (the same moves) has another hash.
func TestPlanHashShowsWhatIsApproved(t *testing.T) {
	hashOf := func(text string) (string, string) {
		t.Helper()
		inv := writeFile(t, "inv.yml", text)
		code, out, stderr := cli(t, "plan", inv, "-o", "json")
		var p struct {
			Hash  string
			Basis struct {
				Systems struct{ Old struct{ Addresses []string } }
			}
		}
		if code != 0 || json.Unmarshal([]byte(out), &p) != nil || len(p.Hash) != 16 {
			t.Fatalf("plan -o json: %d %q %q", code, out, stderr)
		}
		if code, txt, _ := cli(t, "plan", inv); code != 0 || !strings.Contains(txt, "(plan "+p.Hash+")") {
			t.Fatalf("the text plan does not name hash %s: %s", p.Hash, txt)
		}
		return p.Hash, strings.Join(p.Basis.Systems.Old.Addresses, ",")
	}
	a, addrs := hashOf(inventory)
	b, _ := hashOf(strings.Replace(inventory, "192.168.66.30", "192.168.66.40", 1))
	if a == b || addrs != "192.168.66.30" {
		t.Fatalf("hashes %s and %s for other addresses; basis addresses %q", a, b, addrs)
	}
}

func TestApplyNeedsConfirmationAndGuard(t *testing.T) {
	inv := writeFile(t, "inv.yml", inventory)
	code, _, stderr := cli(t, "apply", inv, "--no-guard", "--journal", t.TempDir())
	if code != exitError || !strings.Contains(stderr, "pass --yes") {
		t.Fatalf("%d %s", code, stderr)
	}
	code, _, stderr = cli(t, "apply", inv, "--yes", "--journal", t.TempDir())
	if code != exitError || !strings.Contains(stderr, "no guard section") {
		t.Fatalf("%d %s", code, stderr)
	}
}

func TestApplyUnreachableSwitchRollsBackNothing(t *testing.T) {
	inv := writeFile(t, "inv.yml", strings.Replace(inventory, "address: unix:/nonexistent/db.sock", "address: unix:/nonexistent/db.sock, options: {timeout: 1s}", 1))
	code, out, stderr := cli(t, "apply", inv, "--yes", "--no-guard", "--journal", t.TempDir(), "-o", "json")
	var rep struct{ Result, Error string }
	if json.Unmarshal([]byte(out), &rep) != nil || code != exitRolledBack || rep.Result != "rolled_back" ||
		!strings.Contains(rep.Error, "switch sw1") || !strings.Contains(rep.Error, "nothing was changed") {
		t.Fatalf("%d %q %q", code, out, stderr)
	}
}

// TestRehearseDefaultLab runs `cutover rehearse -o json` on the shipped
// topology and inventory, in a lab of its own, and checks the report.
func TestRehearseDefaultLab(t *testing.T) {
	labtest.Require(t)
	name := labtest.Name("reh")
	runDir := t.TempDir()
	code, out, stderr := cli(t, "rehearse", "-t", "../../containerlab.yml", "--name", name, "--run-dir", runDir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	var rep struct {
		Result string `json:"result"`
		Steps  []struct {
			Name     string `json:"name"`
			Started  string `json:"started"`
			Finished string `json:"finished"`
			Moves    int    `json:"moves"`
		} `json:"steps"`
		DowntimeMS        map[string]int64 `json:"downtime_ms"`
		MaxDowntimeMS     int64            `json:"max_downtime_ms"`
		ConflictsObserved *int             `json:"conflicts_observed"`
		Outage            map[string]any   `json:"outage"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	expectOutage(t, "rehearse", rep.Outage)
	if rep.Outage["outage_ms"] != float64(rep.MaxDowntimeMS) {
		t.Fatalf("the breakdown is not set against the measured outage %d ms: %v", rep.MaxDowntimeMS, rep.Outage)
	}
	if rep.Result != "done" || len(rep.Steps) != 3 || rep.ConflictsObserved == nil || *rep.ConflictsObserved != 0 {
		t.Fatalf("report: %s", out)
	}
	for i, want := range []string{"isolate", "promote", "park"} {
		if rep.Steps[i].Name != want || rep.Steps[i].Moves != 3 || rep.Steps[i].Started == "" || rep.Steps[i].Finished == "" {
			t.Fatalf("step %d: %+v", i, rep.Steps[i])
		}
	}
	var most int64
	// The default lab is dual-stack: every address of both families is measured.
	for _, ip := range []string{"192.168.66.30", "192.168.66.31", "192.168.66.32", "fd66::30", "fd66::31", "fd66::32"} {
		ms, ok := rep.DowntimeMS[ip]
		if !ok || ms <= 0 {
			t.Fatalf("downtime for %s: %v (%v)", ip, ms, rep.DowntimeMS)
		}
		most = max(most, ms)
	}
	if rep.MaxDowntimeMS != most {
		t.Fatalf("max_downtime_ms %d, per-address max %d", rep.MaxDowntimeMS, most)
	}
	for _, want := range []string{"step isolate: 3 moves", "step park done", "lab " + name + " is down"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q", want)
		}
	}
	topo, _ := labs.LoadTopology("../../containerlab.yml")
	l, _ := labs.New(topo, name, runDir)
	if left := labtest.Leftovers(l); len(left) > 0 {
		t.Fatalf("rehearsal left: %v", left)
	}
	t.Logf("rehearsal downtime: %v (max %d ms)", rep.DowntimeMS, rep.MaxDowntimeMS)
}

// expectOutage checks the JSON outage breakdown (a contract): the five
// parts and the floor, positive, the floor their sum.
func expectOutage(t *testing.T, what string, o map[string]any) {
	t.Helper()
	var sum float64
	for _, k := range []string{"isolate_ms", "absence_ms", "promote_ms", "announce_ms", "floor_ms"} {
		v, ok := o[k].(float64)
		if !ok || v <= 0 {
			t.Fatalf("%s: outage %q is %v: %v", what, k, o[k], o)
		}
		if k != "floor_ms" {
			sum += v
		}
	}
	if d := o["floor_ms"].(float64) - sum; d > 0.2 || d < -0.2 {
		t.Fatalf("%s: the floor is not the sum of the parts: %v", what, o)
	}
}
