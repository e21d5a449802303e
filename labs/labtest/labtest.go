// Package labtest starts local labs for tests: a unique name per lab, the
// lab removed when the test ends, and a check that nothing was left behind
// (no namespaces, no OVS processes, no run directory).
//
// Labs need root and Open vSwitch. Without them a test skips with a visible
// reason on a developer's machine, but fails under CI (CI=true), where
// `make test` has installed everything: a lab test must never skip silently
// in CI.
package labtest

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/probe/pinger"
	"golang.org/x/net/icmp"
)

var (
	counter atomic.Int32
	prune   sync.Once
)

// Require skips (or, under CI, fails) the test if labs cannot run here.
// The first call in a process also removes labs left by test processes
// that died (killed, timed out) before their cleanup ran.
func Require(t testing.TB) {
	t.Helper()
	if err := labs.CheckRequirements(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("lab test cannot run in CI: %v", err)
		}
		t.Skipf("skipping lab test: %v (run `make test` as root to install and run everything)", err)
	}
	prune.Do(func() {
		for _, lab := range PruneStale() {
			t.Logf("removed lab %s left by a test process that is gone", lab)
		}
	})
}

// Name returns a lab name unique to this process and call: prefix, the
// process ID, a counter.
func Name(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), counter.Add(1))
}

var testLab = regexp.MustCompile(`^(?:cutover|clab)-([a-z]{1,4}-(\d+)-\d+)(?:-|$)`)

// PruneStale removes test labs (named by Name) whose process is gone:
// their OVS processes are stopped and their namespaces deleted. It
// returns the labs it removed.
func PruneStale() []string {
	entries, _ := os.ReadDir("/run/netns")
	stale := map[string][]string{}
	for _, e := range entries {
		m := testLab.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[2])
		if pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		stale[m[1]] = append(stale[m[1]], e.Name())
	}
	var removed []string
	for lab, namespaces := range stale {
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			b, err := os.ReadFile(p)
			if err == nil && strings.Contains(string(b), "/"+lab+"/") {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		for _, ns := range namespaces {
			exec.Command("ip", "netns", "del", ns).Run()
		}
		removed = append(removed, lab)
	}
	return removed
}

// Start parses topology (containerlab YAML), brings the lab up under a
// unique name with its run directory inside the test's temp dir, and
// registers its removal. It fails the test if the lab leaves anything
// behind.
func Start(t testing.TB, topology string) *labs.Lab {
	t.Helper()
	l := New(t, topology)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.Up(ctx); err != nil {
		t.Fatalf("lab up: %v", err)
	}
	return l
}

// New is Start without bringing the lab up (the cleanup is registered).
func New(t testing.TB, topology string) *labs.Lab {
	t.Helper()
	Require(t)
	topo, err := labs.ParseTopology("test-topology.yml", []byte(topology))
	if err != nil {
		t.Fatal(err)
	}
	// Unix socket paths are limited to 108 bytes; keep the run dir short.
	base, err := os.MkdirTemp("", "colab")
	if err != nil {
		t.Fatal(err)
	}
	l, err := labs.New(topo, Name("t"), base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := l.Down(ctx); err != nil {
			t.Errorf("lab down: %v", err)
		}
		if left := Leftovers(l); len(left) > 0 {
			t.Errorf("lab %s left behind: %s", l.Name, strings.Join(left, "; "))
		}
		os.RemoveAll(base)
	})
	return l
}

// Leftovers lists anything of the lab that still exists: namespaces,
// processes whose command line names its run directory, the run directory.
func Leftovers(l *labs.Lab) []string {
	var left []string
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if e.Name() == l.FabricNS() || strings.HasPrefix(e.Name(), "clab-"+l.Name+"-") {
			left = append(left, "namespace "+e.Name())
		}
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && (strings.Contains(string(b), l.RunDir+"/") || strings.Contains(string(b), "\x00--name\x00"+l.Name+"\x00")) {
			left = append(left, "process "+filepath.Base(filepath.Dir(p))+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	if _, err := os.Stat(l.RunDir); err == nil {
		left = append(left, "run directory "+l.RunDir)
	}
	return left
}

// Ping pings targets from a node of the lab for d and returns, per target,
// how many replies came back.
func Ping(t testing.TB, l *labs.Lab, node string, d time.Duration, targets ...string) map[string]int {
	t.Helper()
	var addrs []netip.Addr
	for _, s := range targets {
		addrs = append(addrs, netip.MustParseAddr(s))
	}
	var conn *icmp.PacketConn
	if err := netns.Do(l.NodeNS(node), func() (err error) { conn, err = pinger.Listen(); return err }); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p, err := pinger.New(conn, addrs, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p.Run(ctx)
	out := map[string]int{}
	for _, s := range p.Stats(start, time.Now()) {
		out[s.Target.String()] = s.Received
	}
	return out
}

// Exec runs argv in a node of the lab and fails the test on error.
func Exec(t testing.TB, l *labs.Lab, node string, argv ...string) string {
	t.Helper()
	out, err := l.Exec(context.Background(), node, nil, argv...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// InNode runs fn inside a node's network namespace (for opening sockets there).
func InNode(t testing.TB, l *labs.Lab, node string, fn func() error) {
	t.Helper()
	if err := netns.Do(l.NodeNS(node), fn); err != nil {
		t.Fatal(err)
	}
}
