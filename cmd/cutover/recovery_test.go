package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/journal"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/labs/labtest"
)

// TestKillNineMidBatchThenRecover kills `cutover apply` (SIGKILL) in the
// middle of a batch on a slow Catalyst; the next `cutover apply` finds the
// unfinished run in the journal and puts every port back.
func TestKillNineMidBatchThenRecover(t *testing.T) {
	l := labtest.Start(t, `
name: crash
topology:
  nodes:
    sw1: {kind: cisco_iosxe}
    o1: {kind: linux, labels: {cutover.vlan: "66"}}
    o2: {kind: linux, labels: {cutover.vlan: "66"}}
    n1: {kind: linux, labels: {cutover.vlan: "166"}}
    n2: {kind: linux, labels: {cutover.vlan: "166"}}
  links:
    - endpoints: ["sw1:e1", "o1:eth1"]
    - endpoints: ["sw1:e2", "o2:eth1"]
    - endpoints: ["sw1:e3", "n1:eth1"]
    - endpoints: ["sw1:e4", "n2:eth1"]
`)
	addr := l.EmulatorAddr("sw1")
	inv := writeFile(t, "crash.yml", fmt.Sprintf(`version: 1
name: crash
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: cisco_iosxe, address: %q, username: admin, password: %q, options: {known_hosts: %q}}
systems:
  old: {ports: ["sw1:Gi1/0/1", "sw1:Gi1/0/2"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:Gi1/0/3", "sw1:Gi1/0/4"]}
`, addr, labs.DefaultPassword, l.KnownHosts()))
	dir := t.TempDir()
	args := []string{"apply", inv, "--yes", "--no-guard", "--confirm-timeout", "0", "--journal", dir}
	tag := func(port string) string { v, _ := l.PortTag(context.Background(), port); return v }

	// Each CLI line takes 300 ms: the isolate batch is slow enough to die in.
	l.Emulator("sw1").SetFaults(emulator.Faults{Delay: 300 * time.Millisecond})
	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "CUTOVER_TEST_AS_MAIN=1")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for tag("sw1-e1") != "266" { // the first port of the batch has moved...
		if time.Now().After(deadline) {
			child.Process.Kill()
			t.Fatal("the first move never happened")
		}
		time.Sleep(20 * time.Millisecond)
	}
	child.Process.Signal(syscall.SIGKILL) // ...and the second not yet
	child.Wait()
	if tag("sw1-e2") != "66" {
		t.Fatalf("killed too late: sw1-e2 already in %s", tag("sw1-e2"))
	}
	l.Emulator("sw1").SetFaults(emulator.Faults{})

	// The journal knows the run is unfinished and a change is in flight.
	code, out, _ := cli(t, "status", "--journal", dir, "-o", "json")
	var st struct {
		State string
		Ports []journal.PortState
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !strings.HasPrefix(st.State, "unfinished") || len(st.Ports) != 4 || !st.Ports[0].Pending {
		t.Fatalf("status: %s", out)
	}
	if pid, alive := journal.LockHolder(dir); pid != child.Process.Pid || alive {
		t.Fatalf("lock held by %d (alive %v), want the dead child %d", pid, alive, child.Process.Pid)
	}

	// Recovery: roll back, exit 4, every port where it was.
	code, _, stderr := cli(t, args...)
	if code != exitRolledBack || !strings.Contains(stderr, "recovering the unfinished run") {
		t.Fatalf("recovery: exit %d\n%s", code, stderr)
	}
	for port, want := range map[string]string{"sw1-e1": "66", "sw1-e2": "66", "sw1-e3": "166", "sw1-e4": "166"} {
		if got := tag(port); got != want {
			t.Errorf("%s in %s after recovery, want %s", port, got, want)
		}
	}
	run, err := journal.Last(dir)
	if err != nil || !run.Ended || run.Result != "rolled_back" {
		t.Fatalf("journal after recovery: %+v %v", run, err)
	}
	// The lock is free again and the cut-over can now run to the end.
	if code, _, stderr := cli(t, args...); code != 0 {
		t.Fatalf("apply after recovery: %d %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*.jsonl"))
	if len(files) != 2 {
		t.Fatalf("want 2 runs in the journal, got %d", len(files))
	}
}
