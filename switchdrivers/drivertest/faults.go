package drivertest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
)

// FaultHarness describes a driver under test whose peer can be made to
// drop a session in the middle of a batch, to refuse a line, and to let
// another user or process hold its configuration.
type FaultHarness struct {
	// Open returns a new driver for the switch under test, called Switch.
	Open   func(t *testing.T) switchdrivers.Driver
	Switch string
	// Ports and Segments as in Harness: three access ports, all in
	// Segments[0] when RunSessionFaults starts.
	Ports    []string
	Segments []string
	Peer     func(ctx context.Context, port string) (string, error)
	// Atomic: a batch is all or nothing on this platform (a candidate
	// and its commit; NX-OS's checkpoint and rollback): after a failure
	// nothing of it remains.
	Atomic bool
	// DropMidBatch makes the switch drop the next configuration session
	// after the batch's first change has been sent and before its last;
	// Refuse makes it refuse the line that puts port into segment (the
	// platform's own error), and returns a part of that line; Clear
	// removes both.
	DropMidBatch func(t *testing.T)
	Refuse       func(t *testing.T, port, segment string) string
	Clear        func(t *testing.T)
	// Hold makes another user or process hold the switch's
	// configuration the way the platform lets one (a lock, a session, a
	// candidate, another cutover batch in progress), with a change of
	// its own to Ports[2]. holder is how the driver must name it when
	// the platform makes the batch wait ("" where the platform lets both
	// proceed); release checks that the other's change is as it left it
	// (never committed, never undone by the driver) and ends the hold.
	Hold func(t *testing.T) (holder string, release func(t *testing.T))
}

// RunSessionFaults runs the conformance suite of faults in a session: a
// session dropped mid-batch and a refused line leave every port in
// exactly one segment — where it was or where the batch puts it; on an
// atomic platform, where it was — with an error naming the switch (and,
// for the refused line, the port and the line); another user or process
// holding the configuration is either named in a refusal that changes
// nothing or left as it was while the batch proceeds.
func RunSessionFaults(t *testing.T, h FaultHarness) {
	if len(h.Ports) < 3 || len(h.Segments) < 3 {
		t.Fatal("drivertest: the fault harness needs three ports and three segments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a, b, c := h.Segments[0], h.Segments[1], h.Segments[2]
	p0, p1, p2 := h.Ports[0], h.Ports[1], h.Ports[2]
	batch := []switchdrivers.Change{{Port: p0, From: a, To: b}, {Port: p1, From: a, To: c}}
	before := map[string]string{p0: a, p1: a, p2: a}
	after := map[string]string{p0: b, p1: c, p2: a}

	// reset puts every port back in a, through a new driver.
	reset := func(t *testing.T) {
		t.Helper()
		h.Clear(t)
		d := h.Open(t)
		defer d.Close()
		var err error
		for range 3 { // a driver may need a session to clear what a lost one left
			var live []switchdrivers.PortState
			if live, err = d.Ports(ctx); err != nil {
				continue
			}
			var cs []switchdrivers.Change
			for _, p := range live {
				if slices.Contains(h.Ports, p.Name) && p.Segment != a {
					cs = append(cs, switchdrivers.Change{Port: p.Name, From: p.Segment, To: a})
				}
			}
			if err = d.Apply(ctx, cs); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("reset: %v", err)
		}
		expectSegments(ctx, t, h.Peer, before)
	}
	// oneSegment checks every port is where it was or where the batch
	// puts it (on an atomic platform, where it was), never nowhere.
	oneSegment := func(t *testing.T, what string) {
		t.Helper()
		for _, p := range h.Ports {
			got, err := h.Peer(ctx, p)
			if err != nil {
				t.Fatalf("peer: %v", err)
			}
			switch {
			case h.Atomic && got != before[p]:
				t.Errorf("%s: %s is in %q; an atomic batch that failed leaves it in %q", what, p, got, before[p])
			case got != before[p] && got != after[p]:
				t.Errorf("%s: %s is in %q, neither where it was (%q) nor where the batch puts it (%q)", what, p, got, before[p], after[p])
			}
		}
	}
	namesSwitch := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: Apply returned no error", what)
		}
		if !strings.Contains(err.Error(), "switch "+h.Switch) {
			t.Errorf("%s: the error does not name switch %s: %v", what, h.Switch, err)
		}
	}

	t.Run("DroppedMidBatch", func(t *testing.T) {
		reset(t)
		d := h.Open(t)
		defer d.Close()
		h.DropMidBatch(t)
		err := d.Apply(ctx, batch)
		h.Clear(t)
		t.Logf("Apply: %v", err)
		namesSwitch(t, "a session dropped mid-batch", err)
		oneSegment(t, "after a session dropped mid-batch")
		reset(t)
	})

	t.Run("RefusedLine", func(t *testing.T) {
		reset(t)
		d := h.Open(t)
		defer d.Close()
		line := h.Refuse(t, p1, c)
		err := d.Apply(ctx, batch)
		h.Clear(t)
		t.Logf("Apply: %v", err)
		namesSwitch(t, "a refused line", err)
		for _, want := range []string{"port " + p1, line} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("a refused line: the error lacks %q: %v", want, err)
			}
		}
		if h.Atomic && !switchdrivers.IsUntouched(err) {
			t.Errorf("an atomic platform refused a line: the error should say nothing was changed: %v", err)
		}
		oneSegment(t, "after a refused line")
		reset(t)
	})

	t.Run("ConfigurationHeld", func(t *testing.T) {
		if h.Hold == nil {
			t.Fatal("drivertest: the harness says nothing of another user or process holding the configuration")
		}
		reset(t)
		d := h.Open(t)
		defer d.Close()
		holder, release := h.Hold(t)
		err := d.Apply(ctx, batch)
		t.Logf("Apply: %v", err)
		if holder != "" {
			if err == nil || !switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), holder) || !strings.Contains(err.Error(), "switch "+h.Switch) {
				t.Errorf("while %s holds the configuration: want an untouched refusal naming the switch and %q, got %v", holder, holder, err)
			}
			expectSegments(ctx, t, h.Peer, map[string]string{p0: a, p1: a})
		} else {
			if err != nil {
				t.Errorf("while another user configures: %v", err)
			}
			expectSegments(ctx, t, h.Peer, map[string]string{p0: b, p1: c})
		}
		release(t)
		reset(t)
	})
}
