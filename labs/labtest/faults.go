package labtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// Faulted is a driver under test against an emulated switch made to drop
// a session mid-batch, refuse a line, and be configured by another user.
type Faulted struct {
	Emulated
	// Atomic: a batch is all or nothing on the platform.
	Atomic bool
	// Line is a part of the line that puts port into segment (the line
	// the emulator is made to refuse).
	Line func(port, segment string) string
	// Hold makes another user or process hold the configuration, as
	// drivertest.FaultHarness.Hold (see the Hold* helpers).
	Hold func(t *testing.T, e Emulated) (holder string, release func(t *testing.T))
}

// RunFaultConformance runs the drivertest suite of session faults
// (drivertest.RunSessionFaults) against an emulated switch: the session
// drops after its third configuration line (the first change sent, the
// second not), a line is refused with the dialect's error, the lab's OVS
// database is the independent peer.
func RunFaultConformance(t *testing.T, f Faulted) {
	t.Helper()
	srv := f.Lab.Emulator(f.Node)
	drivertest.RunSessionFaults(t, drivertest.FaultHarness{
		Open:         f.Open,
		Switch:       f.Node,
		Ports:        f.Ports,
		Segments:     f.Segments,
		Peer:         f.peer,
		Atomic:       f.Atomic,
		DropMidBatch: func(*testing.T) { srv.SetFaults(emulator.Faults{DropAfter: 3}) },
		Refuse: func(_ *testing.T, port, segment string) string {
			line := f.Line(port, segment)
			srv.SetFaults(emulator.Faults{RejectCommand: line})
			return line
		},
		Clear: func(*testing.T) { srv.SetFaults(emulator.Faults{}) },
		Hold:  func(t *testing.T) (string, func(*testing.T)) { return f.Hold(t, f.Emulated) },
	})
}

// expectPort fails the test unless the peer sees port in segment.
func (e Emulated) expectPort(t *testing.T, port, segment, why string) {
	t.Helper()
	got, err := e.peer(context.Background(), port)
	if err != nil || got != segment {
		t.Errorf("%s: %s is in %q (%v), want %q", why, port, got, err, segment)
	}
}

// HoldLineMode is another user configuring a line-mode switch that has
// no configuration lock (IOS-XE; AOS-CX outside a trial): in configuration mode, it
// moves Ports[2] to Segments[1] with set(segment) and stays there. The
// driver proceeds; its batch must leave the other's change alone.
func HoldLineMode(set func(segment string) string) func(*testing.T, Emulated) (string, func(*testing.T)) {
	return func(t *testing.T, e Emulated) (string, func(*testing.T)) {
		tm := Terminal(t, e.Lab, e.Node)
		tm.Run("configure terminal")
		tm.Run("interface " + e.Ports[2])
		tm.Run(set(e.Segments[1]))
		return "", func(t *testing.T) {
			e.expectPort(t, e.Ports[2], e.Segments[1], "the other user's change")
			tm.Run(set(e.Segments[0]))
			tm.Run("end")
			tm.Close()
		}
	}
}

// HoldAOSCX is another user in AOS-CX auto checkpoint mode (a trial of
// five minutes) who has moved Ports[2]: its revert would undo any batch,
// so the driver refuses, untouched, naming the pending auto checkpoint;
// the other's change stays.
func HoldAOSCX(t *testing.T, e Emulated) (string, func(*testing.T)) {
	tm := Terminal(t, e.Lab, e.Node)
	tm.Run("checkpoint auto 5")
	tm.Run("configure terminal")
	tm.Run("interface " + e.Ports[2])
	tm.Run("vlan access " + e.Segments[1])
	tm.Run("end")
	return "trial AUTO", func(t *testing.T) {
		e.expectPort(t, e.Ports[2], e.Segments[1], "the other user's change on trial")
		tm.Run("checkpoint auto confirm")
		tm.Run("configure terminal")
		tm.Run("interface " + e.Ports[2])
		tm.Run("vlan access " + e.Segments[0])
		tm.Run("end")
		tm.Close()
	}
}

// HoldEOS is another user with a configuration session of its own,
// pending (uncommitted), that moves Ports[2]. The driver's session
// commits its batch alone: the other's change stays uncommitted.
func HoldEOS(t *testing.T, e Emulated) (string, func(*testing.T)) {
	tm := Terminal(t, e.Lab, e.Node)
	tm.Run("configure session other-user")
	tm.Run("interface " + e.Ports[2])
	tm.Run("switchport access vlan " + e.Segments[1])
	return "", func(t *testing.T) {
		e.expectPort(t, e.Ports[2], e.Segments[0], "the other user's uncommitted session")
		tm.Run("abort")
		tm.Close()
	}
}

// HoldJunos is another user in `configure exclusive` with an uncommitted
// change to Ports[2]: Junos refuses the driver's configuration mode
// naming the user editing the configuration ("Users currently editing
// the configuration:" for `configure private`, "configuration database
// locked by:" for `configure exclusive`); the other's change is neither
// committed nor discarded by the driver.
func HoldJunos(set func(port, segment string) string) func(*testing.T, Emulated) (string, func(*testing.T)) {
	return func(t *testing.T, e Emulated) (string, func(*testing.T)) {
		tm := Terminal(t, e.Lab, e.Node)
		tm.Run("configure exclusive")
		tm.Run(set(e.Ports[2], e.Segments[1]))
		return "admin terminal", func(t *testing.T) { // the user Junos names: "Users currently editing the configuration:" or "locked by:"
			e.expectPort(t, e.Ports[2], e.Segments[0], "the other user's uncommitted change")
			if out := tm.Run("show | compare"); out == "" {
				t.Errorf("the other user's candidate lost its change")
			}
			tm.Run("rollback 0")
			tm.Close()
			time.Sleep(200 * time.Millisecond) // the switch notices the session's end and releases the lock
		}
	}
}

// HoldSRL is another user with a private candidate of its own holding
// an uncommitted change to Ports[2]: the driver's candidate commits its
// batch alone.
func HoldSRL(set func(port, segment string) string) func(*testing.T, Emulated) (string, func(*testing.T)) {
	return func(t *testing.T, e Emulated) (string, func(*testing.T)) {
		tm := Terminal(t, e.Lab, e.Node)
		tm.Run("enter candidate private name other-user")
		tm.Run(set(e.Ports[2], e.Segments[1]))
		return "", func(t *testing.T) {
			e.expectPort(t, e.Ports[2], e.Segments[0], "the other user's uncommitted candidate")
			tm.Run("discard now")
			tm.Close()
		}
	}
}

// HoldNXOS is another cutover process in the middle of a batch on an
// NX-OS switch: its checkpoint exists (made now) and it has moved
// Ports[2]. The driver refuses its batch naming that checkpoint, and
// neither rolls back nor deletes it.
func HoldNXOS(t *testing.T, e Emulated) (string, func(*testing.T)) {
	tm := Terminal(t, e.Lab, e.Node)
	const name = "cutover-0ther000-busy0001"
	tm.Run("checkpoint " + name + " description cutover began " + time.Now().UTC().Format(time.RFC3339))
	tm.Run("configure terminal")
	tm.Run("interface " + e.Ports[2])
	tm.Run("switchport access vlan " + e.Segments[1])
	tm.Run("end")
	return name, func(t *testing.T) {
		e.expectPort(t, e.Ports[2], e.Segments[1], "the other process's change")
		if out := tm.Run("show checkpoint summary"); !strings.Contains(out, ") "+name+":") {
			t.Errorf("the other process's checkpoint is gone: %q", out)
		}
		tm.Run("configure terminal")
		tm.Run("interface " + e.Ports[2])
		tm.Run("switchport access vlan " + e.Segments[0])
		tm.Run("end")
		tm.Run("no checkpoint " + name)
		tm.Close()
	}
}
