// Package drivertest is the conformance suite every switch driver passes,
// in the manner of testing/fstest and x/net/nettest: a driver plus a peer
// (the real device, an emulator or a lab switch) go in, and the suite
// checks the rules of package switchdrivers against what the peer sees.
package drivertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
)

// Harness describes a driver under test and its peer.
type Harness struct {
	// Open returns a new driver for the switch under test.
	Open func(t *testing.T) switchdrivers.Driver
	// Ports are at least three access ports of the switch, all in
	// Segments[0] when Run starts.
	Ports []string
	// Segments are three distinct segments the switch has.
	Segments []string
	// Peer reads a port's segment by a path independent of the driver.
	Peer func(ctx context.Context, port string) (string, error)
	// Memberships, if set, returns every set of segments the peer has seen
	// the port in since Run started; used to prove remove-before-add.
	Memberships func(port string) [][]string
	// Sessions, if set, returns how many configuration sessions the device
	// has opened so far; used to prove one session per batch and that bad
	// input never reaches the device.
	Sessions func() int
	// DropSessions, if set, ends every session the device holds open now
	// (an idle timeout, a restarted SSH server); used to prove that a
	// session a driver prepared (switchdrivers.Preparer) and found dead is
	// reopened, never skipped.
	DropSessions func()
}

// BadPortNames are injection attempts and malformed names every driver
// must reject before anything reaches the device.
var BadPortNames = []string{
	"", " ", "eth1\nreload", "eth1\r\nshutdown", "eth1;reboot", "eth1|cat", "eth1 && rm",
	"eth1`id`", "$(id)", "eth1\x00", "eth1\x1b[2J", "eth1\tx", "../../etc/passwd",
	strings.Repeat("A", 300),
}

// expectSegments fails the test unless the peer sees every port of want
// in its segment.
func expectSegments(ctx context.Context, t *testing.T, peer func(context.Context, string) (string, error), want map[string]string) {
	t.Helper()
	for port, seg := range want {
		got, err := peer(ctx, port)
		if err != nil {
			t.Fatalf("peer: %v", err)
		}
		if got != seg {
			t.Fatalf("peer sees %s in %q, want %q", port, got, seg)
		}
	}
}

// Run runs the conformance suite.
func Run(t *testing.T, h Harness) {
	if len(h.Ports) < 3 || len(h.Segments) < 3 {
		t.Fatal("drivertest: the harness needs three ports and three segments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := h.Open(t)
	defer d.Close()
	a, b, c := h.Segments[0], h.Segments[1], h.Segments[2]
	if _, ok := d.(switchdrivers.ConfirmedApplier); ok {
		if _, ok := d.(switchdrivers.TrialRecoverer); !ok {
			t.Error("the driver applies on trial but cannot take a pending trial over from a new session (switchdrivers.TrialRecoverer); RunTrials checks it")
		}
	}

	expectPeer := func(t *testing.T, want map[string]string) {
		t.Helper()
		expectSegments(ctx, t, h.Peer, want)
	}
	all := func(seg string) map[string]string {
		m := map[string]string{}
		for _, p := range h.Ports {
			m[p] = seg
		}
		return m
	}
	// reset puts every port back in a, through the driver.
	reset := func(t *testing.T) {
		t.Helper()
		live, err := d.Ports(ctx)
		if err != nil {
			t.Fatalf("Ports: %v", err)
		}
		var cs []switchdrivers.Change
		for _, p := range live {
			if slices.Contains(h.Ports, p.Name) && p.Segment != a {
				cs = append(cs, switchdrivers.Change{Port: p.Name, From: p.Segment, To: a})
			}
		}
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatalf("reset: %v", err)
		}
		expectPeer(t, all(a))
	}
	sessions := func() int {
		if h.Sessions == nil {
			return -1
		}
		return h.Sessions()
	}

	t.Run("Read", func(t *testing.T) {
		ports, err := d.Ports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]switchdrivers.PortState{}
		for _, p := range ports {
			if p.Name == "" {
				t.Errorf("a port without a name: %+v", p)
			}
			switch p.Mode {
			case switchdrivers.ModeAccess, switchdrivers.ModeTrunk, switchdrivers.ModeRouted:
			default:
				t.Errorf("port %s: mode %q", p.Name, p.Mode)
			}
			if p.Admin != "up" && p.Admin != "down" || p.Oper != "up" && p.Oper != "down" {
				t.Errorf("port %s: admin %q oper %q", p.Name, p.Admin, p.Oper)
			}
			byName[p.Name] = p
		}
		for _, name := range h.Ports {
			p, ok := byName[name]
			if !ok {
				t.Fatalf("Ports lacks %s", name)
			}
			peer, err := h.Peer(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Mode != switchdrivers.ModeAccess || p.Segment != peer {
				t.Fatalf("%s: driver reads %s/%q, peer %q", name, p.Mode, p.Segment, peer)
			}
		}
	})

	t.Run("ApplyAndReadBack", func(t *testing.T) {
		reset(t)
		p := h.Ports[0]
		if err := d.Apply(ctx, []switchdrivers.Change{{Port: p, From: a, To: b}}); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, map[string]string{p: b, h.Ports[1]: a})
		ports, err := d.Ports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := switchdrivers.CheckReadBack("dut", ports, []switchdrivers.Change{{Port: p, From: a, To: b}}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("BatchOneSession", func(t *testing.T) {
		reset(t)
		var cs []switchdrivers.Change
		for _, p := range h.Ports {
			cs = append(cs, switchdrivers.Change{Port: p, From: a, To: c})
		}
		before := sessions()
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if before >= 0 {
			if n := sessions() - before; n != 1 {
				t.Fatalf("a batch of %d ports used %d configuration sessions, want 1", len(cs), n)
			}
		}
		expectPeer(t, all(c))
		// Mixed directions in one batch.
		cs = []switchdrivers.Change{{Port: h.Ports[0], From: c, To: a}, {Port: h.Ports[1], From: c, To: b}}
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, map[string]string{h.Ports[0]: a, h.Ports[1]: b, h.Ports[2]: c})
	})

	t.Run("StaleFromRefusedUntouched", func(t *testing.T) {
		reset(t)
		cs := []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}, {Port: h.Ports[1], From: c, To: b}}
		err := d.Apply(ctx, cs)
		if !errors.Is(err, switchdrivers.ErrStale) {
			t.Fatalf("want ErrStale, got %v", err)
		}
		if !strings.Contains(err.Error(), h.Ports[1]) {
			t.Fatalf("error does not name the port: %v", err)
		}
		if !switchdrivers.IsUntouched(err) {
			t.Fatalf("a refused batch must be reported as untouched: %v", err)
		}
		expectPeer(t, all(a))
	})

	t.Run("UnknownPortRefusedUntouched", func(t *testing.T) {
		reset(t)
		cs := []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}, {Port: "nosuch99", From: a, To: b}}
		if err := d.Apply(ctx, cs); err == nil || !strings.Contains(err.Error(), "nosuch99") || !switchdrivers.IsUntouched(err) {
			t.Fatalf("want an untouched error naming nosuch99, got %v", err)
		}
		expectPeer(t, all(a))
	})

	t.Run("BadPortNamesNeverReachTheDevice", func(t *testing.T) {
		reset(t)
		before := sessions()
		for _, bad := range BadPortNames {
			cs := []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}, {Port: bad, From: a, To: b}}
			if _, err := d.Render(cs); !errors.Is(err, switchdrivers.ErrBadPortName) {
				t.Errorf("Render accepted port %q: %v", bad, err)
			}
			if err := d.Apply(ctx, cs); !errors.Is(err, switchdrivers.ErrBadPortName) || !switchdrivers.IsUntouched(err) {
				t.Errorf("Apply accepted port %q: %v", bad, err)
			}
		}
		if before >= 0 && sessions() != before {
			t.Fatalf("bad port names opened %d sessions", sessions()-before)
		}
		expectPeer(t, all(a))
	})

	t.Run("RenderIsExact", func(t *testing.T) {
		cs := []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}, {Port: h.Ports[1], From: a, To: c}}
		cmds, err := d.Render(cs)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(cmds, "\n")
		for _, want := range []string{h.Ports[0], h.Ports[1], b, c} {
			if !strings.Contains(text, want) {
				t.Fatalf("rendered commands lack %q:\n%s", want, text)
			}
		}
		if cmds, err := d.Render(nil); err != nil || len(cmds) != 0 {
			t.Fatalf("Render(nil) = %q, %v", cmds, err)
		}
		if err := d.Apply(ctx, nil); err != nil {
			t.Fatalf("Apply(nil): %v", err)
		}
	})

	t.Run("TraceCommittedMeansInPlace", func(t *testing.T) {
		reset(t)
		var order []string
		var seen map[string]string
		trace := &switchdrivers.ApplyTrace{
			Configuring: func() { order = append(order, "configuring") },
			ReadBack:    func() { order = append(order, "read-back") },
			Committed: func() {
				order = append(order, "committed")
				seen = map[string]string{}
				for _, p := range h.Ports {
					seg, err := h.Peer(ctx, p)
					if err != nil {
						t.Errorf("peer: %v", err)
					}
					seen[p] = seg
				}
			},
		}
		var cs []switchdrivers.Change
		for _, p := range h.Ports {
			cs = append(cs, switchdrivers.Change{Port: p, From: a, To: b})
		}
		if err := d.Apply(switchdrivers.WithApplyTrace(ctx, trace), cs); err != nil {
			t.Fatal(err)
		}
		if strings.Join(order, ",") != "configuring,committed,read-back" {
			t.Fatalf("the trace's hooks ran as %q, want configuring, committed, read-back, once each", order)
		}
		for _, p := range h.Ports {
			if seen[p] != b {
				t.Errorf("when the commit was reported the peer saw %s in %q, want %q: a commit must mean the change is in place", p, seen[p], b)
			}
		}
		// A batch refused before it reaches the device reports no commit.
		order = nil
		stale := []switchdrivers.Change{{Port: h.Ports[0], From: c, To: a}}
		if err := d.Apply(switchdrivers.WithApplyTrace(ctx, trace), stale); !errors.Is(err, switchdrivers.ErrStale) {
			t.Fatalf("want ErrStale, got %v", err)
		}
		if slices.Contains(order, "committed") || slices.Contains(order, "read-back") {
			t.Fatalf("a refused batch reported a commit or a read-back (%q)", order)
		}
		expectPeer(t, all(b))
	})

	t.Run("PreparedSession", func(t *testing.T) {
		if _, ok := d.(switchdrivers.Preparer); !ok {
			t.Skip("the driver opens no sessions ahead (switchdrivers.Preparer)")
		}
		reset(t)
		// A driver of its own: the sessions it opens ahead are not the
		// other subtests'.
		d := h.Open(t)
		defer d.Close()
		pr := d.(switchdrivers.Preparer)
		move := func(from, to string) []switchdrivers.Change {
			var cs []switchdrivers.Change
			for _, p := range h.Ports {
				cs = append(cs, switchdrivers.Change{Port: p, From: from, To: to})
			}
			return cs
		}
		before := sessions()
		if err := pr.Prepare(ctx, move(a, b), 0); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, all(a)) // preparing changes nothing
		prepared := sessions()
		if before >= 0 && prepared == before {
			t.Error("Prepare opened no session")
		}
		if err := d.Apply(ctx, move(a, b)); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, all(b))
		if before >= 0 && sessions() != prepared {
			t.Fatalf("the prepared batch opened %d sessions beside the one prepared for it", sessions()-prepared)
		}
		// Another batch than the one prepared runs in a session of its
		// own and the prepared one is discarded: its read of the ports
		// (all in b) never stands for a later state.
		if err := pr.Prepare(ctx, move(b, c), 0); err != nil {
			t.Fatal(err)
		}
		if err := d.Apply(ctx, move(b, a)); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, all(a))
		if err := d.Apply(ctx, move(b, c)); !errors.Is(err, switchdrivers.ErrStale) || !switchdrivers.IsUntouched(err) {
			t.Fatalf("a batch prepared while its ports were in %s, applied after they moved: want an untouched ErrStale, got %v", b, err)
		}
		expectPeer(t, all(a))
		if h.DropSessions == nil {
			return
		}
		// A prepared session that died is reopened, never skipped; so is
		// the spare one the reads after it use.
		if err := pr.Prepare(ctx, move(a, c), 0); err != nil {
			t.Fatal(err)
		}
		h.DropSessions()
		if err := d.Apply(ctx, move(a, c)); err != nil {
			t.Fatalf("the prepared session died before the batch: %v", err)
		}
		expectPeer(t, all(c))
		if err := pr.Prepare(ctx, move(c, a), 0); err != nil {
			t.Fatal(err)
		}
		h.DropSessions()
		live, err := d.Ports(ctx)
		if err != nil {
			t.Fatalf("reading after the sessions opened ahead died: %v", err)
		}
		if err := switchdrivers.CheckReadBack("dut", live, move(a, c)); err != nil {
			t.Fatal(err)
		}
		if err := d.Apply(ctx, move(c, a)); err != nil {
			t.Fatal(err)
		}
		expectPeer(t, all(a))
	})

	t.Run("NeverTwoSegments", func(t *testing.T) {
		if h.Memberships == nil {
			t.Skip("the harness records no membership history")
		}
		for _, p := range h.Ports {
			hist := h.Memberships(p)
			if len(hist) < 3 {
				t.Fatalf("%s: only %d states recorded; the monitor missed the moves", p, len(hist))
			}
			for _, set := range hist {
				if len(set) != 1 {
					t.Fatalf("%s was in %v at once (history %v)", p, set, hist)
				}
			}
		}
	})
}

// TrialHarness describes a driver whose switch applies batches on trial
// (switchdrivers.ConfirmedApplier) and lets a new session take a pending
// trial over (switchdrivers.TrialRecoverer).
type TrialHarness struct {
	// Open returns a new driver: every call stands for a new process
	// (a recovery), with nothing in memory from the previous ones.
	Open func(t *testing.T) switchdrivers.Driver
	// Ports and Segments as in Harness: three access ports, all in
	// Segments[0] when RunTrials starts.
	Ports    []string
	Segments []string
	Peer     func(ctx context.Context, port string) (string, error)
	// Timeout is the trials' timeout; TimerLasts is how long that is in
	// real time (emulators run their clocks fast). RevertWithin bounds
	// the wait for the switch's own revert (a deadline on polling, not
	// an assertion on its speed).
	Timeout, TimerLasts, RevertWithin time.Duration
}

// RunTrials runs the conformance suite of trials: a pending trial is
// seen from a new session, confirming it stops the revert, cancelling
// it restores the segments from before it, its timer reverts it, a
// second trial is refused while one is pending, and a switch with
// nothing pending reports nothing pending.
func RunTrials(t *testing.T, h TrialHarness) {
	if len(h.Ports) < 3 || len(h.Segments) < 3 {
		t.Fatal("drivertest: the trial harness needs three ports and three segments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a, b, c := h.Segments[0], h.Segments[1], h.Segments[2]
	open := func(t *testing.T) (switchdrivers.Driver, switchdrivers.ConfirmedApplier, switchdrivers.TrialRecoverer) {
		t.Helper()
		d := h.Open(t)
		t.Cleanup(func() { d.Close() })
		ca, ok := d.(switchdrivers.ConfirmedApplier)
		if !ok {
			t.Fatal("the driver cannot apply on trial")
		}
		tr, ok := d.(switchdrivers.TrialRecoverer)
		if !ok {
			t.Fatal("the driver applies on trial but cannot tell a pending trial from a new session (switchdrivers.TrialRecoverer)")
		}
		return d, ca, tr
	}
	expect := func(t *testing.T, want map[string]string) {
		t.Helper()
		expectSegments(ctx, t, h.Peer, want)
	}
	nothingPending := func(t *testing.T) {
		t.Helper()
		_, _, tr := open(t)
		p, err := tr.PendingTrial(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p != nil {
			t.Fatalf("a trial is reported pending: %s", p)
		}
	}
	pending := func(t *testing.T) switchdrivers.PendingTrial {
		t.Helper()
		_, _, tr := open(t)
		p, err := tr.PendingTrial(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil {
			t.Fatal("no trial reported pending, though one was applied and not confirmed")
		}
		return *p
	}
	// setup puts the ports in the given segments, without a trial.
	setup := func(t *testing.T, want map[string]string) {
		t.Helper()
		d, _, _ := open(t)
		live, err := d.Ports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var cs []switchdrivers.Change
		for _, p := range live {
			if seg, ok := want[p.Name]; ok && p.Segment != seg {
				cs = append(cs, switchdrivers.Change{Port: p.Name, From: p.Segment, To: seg})
			}
		}
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatalf("setup: %v", err)
		}
		expect(t, want)
	}
	waitFor := func(t *testing.T, want map[string]string) {
		t.Helper()
		deadline := time.Now().Add(h.RevertWithin)
		for {
			ok := true
			for port, seg := range want {
				if got, err := h.Peer(ctx, port); err != nil || got != seg {
					ok = false
				}
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				expect(t, want) // fails, naming the port
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	p0, p1, p2 := h.Ports[0], h.Ports[1], h.Ports[2]
	start := map[string]string{p0: a, p1: b, p2: a}
	trial := []switchdrivers.Change{{Port: p0, From: a, To: c}, {Port: p1, From: b, To: a}}
	after := map[string]string{p0: c, p1: a, p2: a}

	// begin starts the trial from start and returns its confirmation.
	begin := func(t *testing.T) func(context.Context) error {
		t.Helper()
		setup(t, start)
		_, ca, _ := open(t)
		confirm, err := ca.ApplyConfirmed(ctx, trial, h.Timeout)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, after)
		return confirm
	}
	// gone checks that confirming a trial that is no longer pending fails,
	// naming the switch, and changes nothing.
	gone := func(t *testing.T, confirm func(context.Context) error, what string) {
		t.Helper()
		if err := confirm(ctx); !errors.Is(err, switchdrivers.ErrNoPendingTrial) || !strings.Contains(err.Error(), "switch ") {
			t.Errorf("%s: want ErrNoPendingTrial naming the switch, got %v", what, err)
		}
		expect(t, start)
	}

	t.Run("NothingPending", func(t *testing.T) {
		setup(t, start)
		nothingPending(t)
		_, _, tr := open(t)
		for name, act := range map[string]func(context.Context, switchdrivers.PendingTrial) error{"confirm": tr.ConfirmTrial, "cancel": tr.CancelTrial} {
			if err := act(ctx, switchdrivers.PendingTrial{}); !errors.Is(err, switchdrivers.ErrNoPendingTrial) {
				t.Errorf("%s with nothing pending: want ErrNoPendingTrial, got %v", name, err)
			}
		}
		expect(t, start)
	})

	t.Run("PendingSeenAndSecondTrialRefused", func(t *testing.T) {
		confirm := begin(t)
		p := pending(t)
		if p.Detail == "" {
			t.Errorf("the pending trial says nothing of itself: %+v", p)
		}
		_, other, _ := open(t)
		if _, err := other.ApplyConfirmed(ctx, []switchdrivers.Change{{Port: p2, From: a, To: b}}, h.Timeout); err == nil || !switchdrivers.IsUntouched(err) {
			t.Errorf("a second trial while one is pending: want an untouched refusal, got %v", err)
		}
		expect(t, after)
		if err := confirm(ctx); err != nil {
			t.Fatal(err)
		}
		nothingPending(t)
	})

	t.Run("ConfirmFromANewSessionStopsTheRevert", func(t *testing.T) {
		begin(t)
		p := pending(t)
		_, _, tr := open(t)
		if err := tr.ConfirmTrial(ctx, switchdrivers.PendingTrial{ID: p.ID + "-not-it"}); err == nil {
			t.Error("a trial was confirmed under another trial's ID")
		}
		if err := tr.ConfirmTrial(ctx, p); err != nil {
			t.Fatal(err)
		}
		nothingPending(t)
		time.Sleep(h.TimerLasts + time.Second) // past the timer
		expect(t, after)
		nothingPending(t)
	})

	t.Run("CancelRestoresTheSegmentsBefore", func(t *testing.T) {
		confirm := begin(t)
		p := pending(t)
		_, _, tr := open(t)
		if err := tr.CancelTrial(ctx, p); err != nil {
			t.Fatal(err)
		}
		expect(t, start)
		nothingPending(t)
		gone(t, confirm, "confirming a cancelled trial")
		// Another trial starts (another run): the first one's confirmation
		// must not confirm it.
		_, other, _ := open(t)
		confirmOther, err := other.ApplyConfirmed(ctx, []switchdrivers.Change{{Port: p2, From: a, To: b}}, h.Timeout)
		if err != nil {
			t.Fatal(err)
		}
		if err := confirm(ctx); err == nil {
			t.Error("a confirmation confirmed another run's trial")
		}
		if err := confirmOther(ctx); err != nil {
			t.Fatalf("the other trial was taken by the first confirmation: %v", err)
		}
		setup(t, start)
	})

	t.Run("PreparedTrial", func(t *testing.T) {
		d, ca, _ := open(t)
		pr, ok := d.(switchdrivers.Preparer)
		if !ok {
			t.Skip("the driver opens no sessions ahead (switchdrivers.Preparer)")
		}
		setup(t, start)
		if err := pr.Prepare(ctx, trial, h.Timeout); err != nil {
			t.Fatal(err)
		}
		expect(t, start) // preparing changes nothing and starts no trial
		nothingPending(t)
		// On trial too, a reported commit means the changes are in place.
		var atCommit map[string]string
		trace := &switchdrivers.ApplyTrace{Committed: func() {
			atCommit = map[string]string{}
			for port := range after {
				atCommit[port], _ = h.Peer(ctx, port)
			}
		}}
		confirm, err := ca.ApplyConfirmed(switchdrivers.WithApplyTrace(ctx, trace), trial, h.Timeout)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, after)
		for port, seg := range after {
			if atCommit[port] != seg {
				t.Errorf("when the trial's commit was reported the peer saw %s in %q, want %q", port, atCommit[port], seg)
			}
		}
		pending(t)
		// The next batch is prepared while this trial is pending (the
		// step before it is confirmed meanwhile): it starts once the
		// trial is confirmed, and is refused, untouched, while it is not.
		next := []switchdrivers.Change{{Port: p2, From: a, To: b}}
		if err := pr.Prepare(ctx, next, h.Timeout); err != nil {
			t.Fatal(err)
		}
		if _, err := ca.ApplyConfirmed(ctx, next, h.Timeout); err == nil || !switchdrivers.IsUntouched(err) {
			t.Fatalf("a prepared trial while another is pending: want an untouched refusal, got %v", err)
		}
		expect(t, after)
		if err := pr.Prepare(ctx, next, h.Timeout); err != nil {
			t.Fatal(err)
		}
		if err := confirm(ctx); err != nil {
			t.Fatal(err)
		}
		nothingPending(t)
		confirmNext, err := ca.ApplyConfirmed(ctx, next, h.Timeout)
		if err != nil {
			t.Fatalf("the prepared trial after the one before was confirmed: %v", err)
		}
		expect(t, map[string]string{p0: c, p1: a, p2: b})
		if err := confirmNext(ctx); err != nil {
			t.Fatal(err)
		}
		nothingPending(t)
		time.Sleep(h.TimerLasts + time.Second) // past both timers: nothing reverts
		expect(t, map[string]string{p0: c, p1: a, p2: b})
		setup(t, start)
	})

	t.Run("TimerRevertsAndLateConfirmFails", func(t *testing.T) {
		confirm := begin(t)
		waitFor(t, start)
		nothingPending(t)
		gone(t, confirm, "a late confirmation")
	})
}

// UnreadableHarness describes a driver under test whose peer can be made
// to print a row (or send a value) about a port that the driver cannot
// read.
type UnreadableHarness struct {
	// Open returns a new driver whose plan (switchdrivers.Config.Ports)
	// is plan.
	Open func(t *testing.T, plan []string) switchdrivers.Driver
	// Ports are two access ports of the switch, both in Segments[0] when
	// RunUnreadable starts; Segments are two distinct segments.
	Ports    []string
	Segments []string
	// Outside is a port of the switch outside Ports.
	Outside string
	Peer    func(ctx context.Context, port string) (string, error)
	// Garble makes the peer print (or send), from now on, something
	// about port the driver cannot read, in place of or beside what it
	// prints of it; it returns a part of its text. Clear undoes it.
	Garble func(t *testing.T, port string) string
	Clear  func(t *testing.T)
	// Changes, if set, counts what reached the device's configuration so
	// far (configuration lines, SET PDUs): a refused batch adds nothing.
	Changes func() int
}

// RunUnreadable checks what a driver does with what it cannot read
// (switchdrivers.PortReader): it goes past a row about a port outside
// the plan — Ports reads the plan's ports, ReadPorts returns the row
// with its command and text, a batch beside it lands — while a row that
// may be a port of the plan fails Ports, and a batch moving that port is
// refused untouched; both errors name the switch, the port, the command
// (and line, where the output has lines) and the row's text.
func RunUnreadable(t *testing.T, h UnreadableHarness) {
	if len(h.Ports) < 2 || len(h.Segments) < 2 || h.Outside == "" {
		t.Fatal("drivertest: the unreadable harness needs two ports, two segments and a port outside them")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t.Cleanup(func() { h.Clear(t) })
	a, b := h.Segments[0], h.Segments[1]
	d := h.Open(t, h.Ports)
	defer d.Close()
	pr, ok := d.(switchdrivers.PortReader)
	if !ok {
		t.Fatal("the driver cannot say which rows it read past (switchdrivers.PortReader)")
	}
	changes := func() int {
		if h.Changes == nil {
			return -1
		}
		return h.Changes()
	}
	segments := func(t *testing.T, want map[string]string) {
		t.Helper()
		expectSegments(ctx, t, h.Peer, want)
	}
	// row finds the row whose text holds frag in a read of the ports.
	row := func(t *testing.T, frag string) switchdrivers.UnreadableRow {
		t.Helper()
		read, err := pr.ReadPorts(ctx)
		if err != nil {
			t.Fatalf("ReadPorts: %v", err)
		}
		for _, u := range read.Unreadable {
			if strings.Contains(u.Text, frag) {
				if u.Command == "" || u.Reason == "" {
					t.Errorf("the row says not where it is or why: %+v", u)
				}
				if got := pr.Unreadable(); !slices.ContainsFunc(got, func(x switchdrivers.UnreadableRow) bool { return x.Text == u.Text }) {
					t.Errorf("Unreadable after ReadPorts lacks the row: %+v", got)
				}
				return u
			}
		}
		t.Fatalf("ReadPorts returns no row with %q: %+v", frag, read.Unreadable)
		return switchdrivers.UnreadableRow{}
	}
	// names checks that err names the switch, the port and the row.
	names := func(t *testing.T, err error, port string, u switchdrivers.UnreadableRow) {
		t.Helper()
		var up *switchdrivers.UnreadablePortError
		if !errors.As(err, &up) || up.Port != port {
			t.Fatalf("want an UnreadablePortError for %s, got %v", port, err)
		}
		frags := []string{"switch ", port, u.Command, fmt.Sprintf("%q", u.Text)}
		if u.Line > 0 {
			frags = append(frags, fmt.Sprintf("line %d of", u.Line))
		}
		for _, f := range frags {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("error lacks %q: %v", f, err)
			}
		}
	}

	t.Run("OutsideThePlan", func(t *testing.T) {
		frag := h.Garble(t, h.Outside)
		live, err := d.Ports(ctx)
		if err != nil {
			t.Fatalf("Ports with a row outside the plan: %v", err)
		}
		for _, p := range h.Ports {
			if !slices.ContainsFunc(live, func(s switchdrivers.PortState) bool { return s.Name == p }) {
				t.Fatalf("Ports lacks %s", p)
			}
		}
		if got := pr.Unreadable(); !slices.ContainsFunc(got, func(u switchdrivers.UnreadableRow) bool { return strings.Contains(u.Text, frag) }) {
			t.Errorf("Unreadable after Ports lacks the row with %q: %+v", frag, got)
		}
		row(t, frag)
		cs := []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}}
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatalf("a batch beside a row outside the plan: %v", err)
		}
		segments(t, map[string]string{h.Ports[0]: b, h.Ports[1]: a})
		if err := d.Apply(ctx, []switchdrivers.Change{{Port: h.Ports[0], From: b, To: a}}); err != nil {
			t.Fatal(err)
		}
		segments(t, map[string]string{h.Ports[0]: a})
	})

	t.Run("OnAPortOfThePlan", func(t *testing.T) {
		frag := h.Garble(t, h.Ports[1])
		u := row(t, frag)
		_, err := d.Ports(ctx)
		names(t, err, h.Ports[1], u)
		before := changes()
		err = d.Apply(ctx, []switchdrivers.Change{{Port: h.Ports[0], From: a, To: b}, {Port: h.Ports[1], From: a, To: b}})
		if !switchdrivers.IsUntouched(err) {
			t.Fatalf("a batch moving a port that may be the row was not refused untouched: %v", err)
		}
		names(t, err, h.Ports[1], u)
		if before >= 0 && changes() != before {
			t.Errorf("the refused batch reached the device (%d changes)", changes()-before)
		}
		segments(t, map[string]string{h.Ports[0]: a, h.Ports[1]: a})
		// A driver whose plan does not hold the port goes past the row.
		other := h.Open(t, []string{h.Ports[0]})
		defer other.Close()
		if _, err := other.Ports(ctx); err != nil {
			t.Errorf("Ports of a plan without %s: %v", h.Ports[1], err)
		}
	})

	t.Run("Cleared", func(t *testing.T) {
		h.Clear(t)
		if _, err := d.Ports(ctx); err != nil {
			t.Fatal(err)
		}
		if got := pr.Unreadable(); len(got) != 0 {
			t.Errorf("rows left from an earlier read: %+v", got)
		}
	})
}

// Transcript is a CLI session (package cli's Session) that answers from a
// table of outputs, for tests of what a dialect reads; a command the
// table does not hold is an error.
type Transcript map[string]string

// Show returns the output recorded for command.
func (tr Transcript) Show(command string) (string, error) {
	out, ok := tr[command]
	if !ok {
		return "", fmt.Errorf("unexpected command %q", command)
	}
	return out, nil
}

// Config is Show: a transcript has no modes.
func (tr Transcript) Config(line string) (string, error) { return tr.Show(line) }
