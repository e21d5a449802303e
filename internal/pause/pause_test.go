package pause

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// fakeClock moves the monotonic and the wall clock apart, as a suspend does.
type fakeClock struct{ mono, wall time.Duration }

var base = time.Now()

func (c *fakeClock) now() (time.Time, time.Time) {
	return base.Add(c.mono), base.Round(0).Add(c.wall)
}

func (c *fakeClock) advance(d time.Duration) { c.mono += d; c.wall += d }

func TestHeartbeatGapIsAStop(t *testing.T) {
	c := &fakeClock{}
	w := newWatch(c.now)
	before := base
	for range 10 {
		c.advance(Interval)
		w.beat()
	}
	if s, ok := w.Since(before); ok {
		t.Fatalf("regular heartbeats reported as a stop: %+v", s)
	}
	c.advance(5 * time.Second) // SIGSTOP for 5 s
	if s, ok := w.Since(before); !ok || s.Length < 4*time.Second {
		t.Fatalf("a stop still going on (no heartbeat since): %+v %v", s, ok)
	}
	w.beat()
	after, _ := c.now()
	s, ok := w.Since(before)
	if !ok || s.Length != 5*time.Second-Interval {
		t.Fatalf("stop: %+v %v", s, ok)
	}
	c.advance(Interval)
	w.beat()
	if s, ok := w.Since(after); ok {
		t.Fatalf("a stop that ended before t reported: %+v", s)
	}
	if n := len(w.Stops()); n != 1 {
		t.Fatalf("stops: %d", n)
	}
}

func TestWallClockAheadIsASuspend(t *testing.T) {
	c := &fakeClock{}
	w := newWatch(c.now)
	c.advance(Interval)
	w.beat()
	// The machine sleeps 30 s: the monotonic clock does not count it.
	c.wall += 30 * time.Second
	c.advance(Interval)
	w.beat()
	s, ok := w.Since(base)
	if !ok || s.Length != 30*time.Second {
		t.Fatalf("suspend: %+v %v", s, ok)
	}
	// A slow tick under load (less than the threshold) is no stop.
	c.advance(Interval + Threshold/2)
	w.beat()
	if n := len(w.Stops()); n != 1 {
		t.Fatalf("stops: %+v", w.Stops())
	}
}

// TestSIGSTOP stops a real process (a child running this test binary's
// helper) and checks that its own watch reports the stop.
func TestSIGSTOP(t *testing.T) {
	if os.Getenv("PAUSE_HELPER") == "1" {
		w := Start()
		defer w.Close()
		start := time.Now()
		os.Stdout.WriteString("ready\n")
		time.Sleep(3 * time.Second)
		s, ok := w.Since(start)
		if !ok {
			os.Exit(3)
		}
		os.Stdout.WriteString(strconv.FormatInt(int64(s.Length/time.Millisecond), 10) + "\n")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestSIGSTOP$")
	cmd.Env = append(os.Environ(), "PAUSE_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(2 * time.Second)
	cmd.Process.Signal(syscall.SIGCONT)
	rest := make([]byte, 64)
	n, _ := out.Read(rest)
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("the stopped process did not notice its stop: %v (%q)", err, rest[:n])
	}
	ms, _ := strconv.Atoi(string(rest[:n-1]))
	if ms < 1500 {
		t.Fatalf("stop of %d ms reported for a 2 s SIGSTOP", ms)
	}
}
