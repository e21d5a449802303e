package labtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/labs/emulator"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
)

// Emulated is a driver under test against an emulated switch of a running lab.
type Emulated struct {
	Lab      *labs.Lab
	Node     string
	Open     func(t *testing.T) switchdrivers.Driver
	Ports    []string // three access ports, all in Segments[0]
	Segments []string
	// OVSPort maps an interface to the lab's OVS port (default OVSPort).
	OVSPort func(iface string) string
	// Segment maps an OVS tag to the driver's segment (default: the tag).
	Segment func(tag string) string
	// Sessions counts the device's configuration sessions (default: the
	// emulator's SSH sessions).
	Sessions func() int
}

// RunConformance runs the drivertest suite with the lab's OVS database as
// the independent peer and its port monitor as the membership history.
func RunConformance(t *testing.T, e Emulated) {
	t.Helper()
	mon, err := e.Lab.MonitorPorts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mon.Close)
	sessions := e.Sessions
	if sessions == nil {
		sessions = e.Lab.Emulator(e.Node).Sessions
	}
	drivertest.Run(t, drivertest.Harness{
		Open:         e.Open,
		Ports:        e.Ports,
		Segments:     e.Segments,
		Peer:         e.peer,
		Memberships:  func(port string) [][]string { return mon.History(e.ovsPort(port)) },
		Sessions:     sessions,
		DropSessions: func() { e.Lab.Emulator(e.Node).DropConnections() },
	})
}

// Unreadable is a driver under test against an emulated switch made to
// print (or send) what the driver cannot read about a port.
type Unreadable struct {
	Emulated
	// OpenPlan returns a new driver whose plan is plan.
	OpenPlan func(t *testing.T, plan []string) switchdrivers.Driver
	// Outside is a port of the switch outside Ports.
	Outside string
	// Garble sets the emulator's faults so that what it prints (or
	// sends) about port cannot be read, and returns a part of its text.
	Garble func(t *testing.T, srv *emulator.Server, port string) string
}

// RunUnreadableConformance runs the drivertest suite of unreadable rows
// (drivertest.RunUnreadable) against an emulated switch, the lab's OVS
// database as the independent peer; the emulator's configuration log
// and SET PDUs count what reached the device.
func RunUnreadableConformance(t *testing.T, u Unreadable) {
	t.Helper()
	srv := u.Lab.Emulator(u.Node)
	drivertest.RunUnreadable(t, drivertest.UnreadableHarness{
		Open:     u.OpenPlan,
		Ports:    u.Ports,
		Segments: u.Segments,
		Outside:  u.Outside,
		Peer:     u.peer,
		Garble:   func(t *testing.T, port string) string { return u.Garble(t, srv, port) },
		Clear: func(t *testing.T) {
			srv.SetFaults(emulator.Faults{})
			srv.SetSNMPFaults(emulator.SNMPFaults{})
		},
		Changes: func() int { return len(srv.ConfigLog()) + srv.SetPDUs() },
	})
}

// ExtraRow is the Garble of a CLI emulator that adds a row to command's
// output after its line after (see emulator.ExtraRow): row(port).
func ExtraRow(command string, after int, row func(port string) string) func(*testing.T, *emulator.Server, string) string {
	return func(_ *testing.T, srv *emulator.Server, port string) string {
		r := row(port)
		srv.SetFaults(emulator.Faults{ExtraRows: []emulator.ExtraRow{{Command: command, After: after, Row: r}}})
		return strings.TrimSpace(r)
	}
}

// ovsPort is the lab's OVS port behind an interface of the switch.
func (e Emulated) ovsPort(iface string) string {
	if e.OVSPort != nil {
		return e.OVSPort(iface)
	}
	for _, p := range e.Lab.Topo.SwitchPorts(e.Node) {
		if p.Name == iface || p.Short == iface {
			return p.OVS
		}
	}
	return OVSPort(e.Node, iface)
}

// peer reads a port's segment from the lab's OVS database, independently
// of the driver.
func (e Emulated) peer(ctx context.Context, port string) (string, error) {
	tag, err := e.Lab.PortTag(ctx, e.ovsPort(port))
	if e.Segment != nil {
		return e.Segment(tag), err
	}
	return tag, err
}

// TimeScale is the emulators' clock in labs started by StartFast: a
// minute of a revert timer lasts 0.6 s.
const TimeScale = 0.01

// StartFast is Start with the emulators' revert timers TimeScale times
// as long, for trials.
func StartFast(t testing.TB, topology string) *labs.Lab {
	t.Helper()
	l := New(t, topology)
	l.EmulatorTimeScale = TimeScale
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.Up(ctx); err != nil {
		t.Fatalf("lab up: %v", err)
	}
	return l
}

// RunTrialConformance runs the drivertest trial suite against an
// emulated switch of a lab started by StartFast, the lab's OVS database
// as the independent peer. The trials last five minutes of the switch's
// clock (3 s: long enough for a loaded machine to read and confirm them
// before they run out).
func RunTrialConformance(t *testing.T, e Emulated) {
	t.Helper()
	drivertest.RunTrials(t, drivertest.TrialHarness{
		Open:         e.Open,
		Ports:        e.Ports,
		Segments:     e.Segments,
		Peer:         e.peer,
		Timeout:      5 * time.Minute,
		TimerLasts:   time.Duration(float64(5*time.Minute) * TimeScale),
		RevertWithin: 10 * time.Second,
	})
}
