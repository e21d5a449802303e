package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/internal/daemon"
	"github.com/cutover-net/cutover/internal/runrequest"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/labtest"
	"github.com/cutover-net/cutover/switchdrivers/all"
)

// benchLab is one emulated Catalyst with the crash topology, a daemon
// serving its inventory in this process, and the inventory's path.
type benchLab struct {
	url, inv, journal string
	cancel            func()
}

func startBenchLab(b *testing.B, approval bool) *benchLab {
	b.Helper()
	l := labtest.Start(b, crashTopology)
	dir := b.TempDir()
	invDir := filepath.Join(dir, "inv")
	os.Mkdir(invDir, 0o755)
	inv := filepath.Join(invDir, "crash.yml")
	os.WriteFile(inv, []byte(fmt.Sprintf(`version: 1
name: crash
vlans: {production: 66, migration: 166, shadow: 266}
switches:
  - {name: sw1, driver: cisco_iosxe, address: %q, username: admin, password: %q, options: {known_hosts: %q}}
systems:
  old: {ports: ["sw1:Gi1/0/1", "sw1:Gi1/0/2"], addresses: [192.168.66.30]}
  new: {ports: ["sw1:Gi1/0/3", "sw1:Gi1/0/4"]}
guard: {trunk: eth1, netns: %s, sources: {production: 192.168.66.250}}
`, l.EmulatorAddr("sw1"), labs.DefaultPassword, l.KnownHosts(), l.NodeNS("probe"))), 0o644)
	cfgText := fmt.Sprintf("version: 1\nlisten: 127.0.0.1:0\nstate_dir: %s\ninventories: %s\nconfirm_timeout: 0\napproval: {required: %v}\ntokens:\n  - {name: op, role: operator, token: bench-operator-token-1}\n  - {name: ap, role: approver, token: bench-approver-token-2}\n  - {name: vw, role: viewer, token: bench-viewer-token-00003}\n",
		filepath.Join(dir, "state"), invDir, approval)
	cfg, err := daemon.ParseConfig(filepath.Join(dir, "serve.yml"), []byte(cfgText), nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, cfg, daemon.Options{Registry: all.Registry(), Log: slog.New(slog.DiscardHandler), Ready: func(u string) { ready <- u }})
	}()
	bl := &benchLab{inv: inv, journal: filepath.Join(dir, "cli-journal"), cancel: func() { cancel(); <-done }}
	select {
	case bl.url = <-ready:
	case err := <-done:
		b.Fatal(err)
	}
	b.Cleanup(bl.cancel)
	return bl
}

func (bl *benchLab) post(b *testing.B, token, path string, body any) runrequest.View {
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", bl.url+path, strings.NewReader(string(js)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var v runrequest.View
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 || json.Unmarshal(raw, &v) != nil {
		b.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return v
}

// follow reads a run's events until its end and returns the end's result.
func (bl *benchLab) follow(b *testing.B, id string, connected *sync.WaitGroup) *runrequest.Outcome {
	req, _ := http.NewRequest("GET", bl.url+"/v1/runs/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer bench-viewer-token-00003")
	resp, err := http.DefaultClient.Do(req)
	if connected != nil {
		connected.Done()
	}
	if err != nil {
		b.Error(err)
		return nil
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out *runrequest.Outcome
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(data, `"kind":"end"`) {
			var ev runrequest.Event
			json.Unmarshal([]byte(data), &ev)
			out = ev.Result
		}
	}
	return out
}

// watch follows a run's event stream as a cheap client would: it reads
// to the end and reports whether the end event came.
func (bl *benchLab) watch(id string, connected *sync.WaitGroup) bool {
	req, _ := http.NewRequest("GET", bl.url+"/v1/runs/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer bench-viewer-token-00003")
	resp, err := http.DefaultClient.Do(req)
	connected.Done()
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return sawEnd(resp.Body)
}

// sawEnd reads an event stream to its end, line by line in a fixed
// buffer, and reports whether it held the end event.
func sawEnd(r io.Reader) bool {
	br := bufio.NewReaderSize(r, 4096)
	ended, whole := false, true // whole: the slice starts a line
	for {
		line, err := br.ReadSlice('\n')
		if whole && string(line) == "event: end\n" {
			ended = true
		}
		switch err {
		case nil:
			whole = true
		case bufio.ErrBufferFull:
			whole = false
		default:
			return ended
		}
	}
}

func engineTime(o *runrequest.Outcome) time.Duration { return o.Ended.Sub(o.Started) }

// BenchmarkAPIOverhead compares a run requested through the daemon's API
// (POST, the run, its end read from the event stream) with the same run
// started directly through internal/runs, as `cutover apply` does after
// its flags. The engine's own time (result started..ended) is taken out of
// both; ms-overhead is what the API adds.
func BenchmarkAPIOverhead(b *testing.B) {
	bl := startBenchLab(b, false)
	var api, direct []time.Duration
	viaAPI := func(kind string) {
		start := time.Now()
		v := bl.post(b, "bench-operator-token-1", "/v1/runs", map[string]string{"kind": kind, "inventory": "crash", "reason": "bench"})
		out := bl.follow(b, v.ID, nil)
		if out == nil || out.Class != "done" {
			b.Fatalf("api %s: %+v", kind, out)
		}
		api = append(api, time.Since(start)-engineTime(out))
	}
	directly := func(kind string) {
		rk := runs.KindApply
		if kind == "fallback" {
			rk = runs.KindFallback
		}
		start := time.Now()
		prep, err := runs.Prepare(bl.inv, runs.Options{Kind: rk, Registry: all.Registry(), JournalDir: bl.journal})
		if err != nil {
			b.Fatal(err)
		}
		r, err := prep.Start(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		r.Follow(func(runs.Event) {})
		res := r.Wait()
		prep.Close()
		if res.Class != runs.ClassDone {
			b.Fatalf("direct %s: %+v", kind, res)
		}
		direct = append(direct, time.Since(start)-res.Ended.Sub(res.Started))
	}
	for i := 0; i < b.N; i++ {
		// Each path runs the cut-over and the fallback equally often.
		if i%2 == 0 {
			viaAPI("apply")
			directly("fallback")
		} else {
			directly("apply")
			viaAPI("fallback")
		}
	}
	ma, md := median(api), median(direct)
	b.ReportMetric(float64((ma-md).Microseconds())/1000, "ms-overhead")
	b.ReportMetric(float64(ma.Microseconds())/1000, "ms-api-outside-engine")
	b.ReportMetric(float64(md.Microseconds())/1000, "ms-direct-outside-engine")
}

// BenchmarkSSEClients runs the cut-over (and back) with 1,000 clients
// following its event stream, and without any, and compares the engine's
// step timings: pct-slower is how much longer the watched runs' steps
// took (median of the runs' summed step durations). The clients are
// goroutines of this process, on the same cores as the daemon and the
// emulated switches.
func BenchmarkSSEClients(b *testing.B) { benchSSE(b, false) }

// BenchmarkSSEClientsApart is BenchmarkSSEClients with the 1,000 clients
// in a process of their own (this test binary as a client swarm), under
// `taskset -c $CUTOVER_BENCH_CLIENT_CPUS` when that is set: run the
// benchmark binary itself under taskset on the other CPUs to keep the
// clients off the cores of the run, e.g.
//
//	go test -c -o /tmp/cutover.test ./cmd/cutover
//	CUTOVER_BENCH_CLIENT_CPUS=1 taskset -c 0 /tmp/cutover.test -test.run '^$' -test.bench SSEClientsApart -test.benchtime 8x
func BenchmarkSSEClientsApart(b *testing.B) { benchSSE(b, true) }

const sseClients = 1000

func benchSSE(b *testing.B, apart bool) {
	bl := startBenchLab(b, true)
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = sseClients
	kinds := []string{"apply", "fallback"}
	var watched, unwatched []time.Duration
	for i := 0; i < 2*b.N; i++ {
		kind := kinds[i%2]
		n := 0
		if (i/2)%2 == 0 {
			n = sseClients
		}
		v := bl.post(b, "bench-operator-token-1", "/v1/runs", map[string]string{"kind": kind, "inventory": "crash", "reason": "bench"})
		var ended func() int
		if apart && n > 0 {
			ended = startSwarm(b, bl.url, v.ID, n)
		} else {
			ended = bl.watchers(v.ID, n)
		}
		bl.post(b, "bench-approver-token-2", "/v1/runs/"+v.ID+"/approve", map[string]string{"plan_hash": v.PlanHash})
		out := bl.follow(b, v.ID, nil)
		if got := ended(); out == nil || out.Class != "done" || got != n {
			b.Fatalf("run %d: %+v, %d of %d clients saw the end", i, out, got, n)
		}
		var steps time.Duration
		rep := out.Report.(map[string]any)
		for _, s := range rep["steps"].([]any) {
			st := s.(map[string]any)
			t0, _ := time.Parse(time.RFC3339Nano, st["started"].(string))
			t1, _ := time.Parse(time.RFC3339Nano, st["finished"].(string))
			steps += t1.Sub(t0)
		}
		if n > 0 {
			watched = append(watched, steps)
		} else {
			unwatched = append(unwatched, steps)
		}
	}
	mw, mu := median(watched), median(unwatched)
	b.ReportMetric(100*float64(mw-mu)/float64(mu), "pct-slower")
	b.ReportMetric(float64(mw.Microseconds())/1000, "ms-steps-watched")
	b.ReportMetric(float64(mu.Microseconds())/1000, "ms-steps-unwatched")
}

// watchers connects n clients of this process to the run's event stream
// and returns, once they are connected, the function that waits for them
// and counts those that saw the end.
func (bl *benchLab) watchers(id string, n int) func() int {
	var connected, finished sync.WaitGroup
	connected.Add(n)
	var mu sync.Mutex
	ended := 0
	for range n {
		finished.Add(1)
		go func() {
			defer finished.Done()
			if bl.watch(id, &connected) {
				mu.Lock()
				ended++
				mu.Unlock()
			}
		}()
	}
	connected.Wait()
	return func() int { finished.Wait(); return ended }
}

// swarmEnv makes the test binary a client swarm (sseSwarm).
const swarmEnv = "CUTOVER_TEST_SSE_SWARM"

// startSwarm starts n clients of the run's event stream in a process of
// their own (under taskset with $CUTOVER_BENCH_CLIENT_CPUS) and returns,
// once they are connected, the function that waits for them and counts
// those that saw the end.
func startSwarm(b *testing.B, url, id string, n int) func() int {
	b.Helper()
	args := []string{os.Args[0]}
	if cpus := os.Getenv("CUTOVER_BENCH_CLIENT_CPUS"); cpus != "" {
		args = append([]string{"taskset", "-c", cpus}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", swarmEnv, url, id, n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "connected" {
		cmd.Process.Kill()
		cmd.Wait()
		b.Fatalf("the client swarm did not connect: %q", sc.Text())
	}
	return func() int {
		got := -1
		if sc.Scan() {
			fmt.Sscanf(sc.Text(), "ended %d", &got)
		}
		cmd.Wait()
		return got
	}
}

// sseSwarm is the client swarm's main: "URL ID N" from the environment;
// it prints "connected" once the N clients' streams have begun and
// "ended K" once they have all ended, K of them with the end event.
func sseSwarm(spec string) int {
	var url, id string
	var n int
	if _, err := fmt.Sscanf(spec, "%s %s %d", &url, &id, &n); err != nil {
		fmt.Fprintln(os.Stderr, "swarm:", err)
		return 2
	}
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = n
	bl := &benchLab{url: url}
	ended := bl.watchers(id, n)
	fmt.Println("connected")
	fmt.Printf("ended %d\n", ended())
	return 0
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
