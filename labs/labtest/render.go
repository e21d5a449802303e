package labtest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/cli"
)

// sessionSetUp are the lines scrapligo sends when it opens a session
// (its platforms' network-on-open; AOS-CX: the driver's own platform
// definition's `no page`), before any line of the driver's.
var sessionSetUp = []string{"terminal ", "set cli ", "environment ", "no page"}

// sessionClose are the lines scrapligo sends at the privileged prompt
// when it closes a session (its platforms' network-on-close).
var sessionClose = []string{"exit", "quit"}

// attemptName is an attempt's session or candidate name (cli.SessionName).
var attemptName = regexp.MustCompile(`\bcutover-([0-9a-f]{8})-[0-9a-f]{8}\b`)

// attemptStamp is when an attempt began and which process made it, in a
// checkpoint's description (cli.Stamp); the plan shows cli.StampPlaceholder.
var attemptStamp = regexp.MustCompile(`\bcutover began \S+ on \S+ pid \d+$`)

// confirmLater prefixes the lines RenderConfirmed shows for the
// confirmation (cli.TrialDriver.RenderConfirmed).
const confirmLater = "! once the step's guard has passed, in a new session: "

// RunRenderIsSent proves that what `cutover plan` shows for a batch is
// what the driver sends to the switch, line for line and in order: the
// plain form (Render, also the plan's rollback lines) against Apply, and,
// where the driver applies on trial, the trial form (RenderConfirmed)
// against ApplyConfirmed and the confirmation. From what the emulator
// received are left out only the session set-up and close scrapligo
// sends on open and on close and the reads (`show …`, `info …`) the driver makes between the lines,
// unless the plan shows them; comment lines of the plan (`! …`) are
// notes, and its attempt and stamp placeholders stand for the attempt's
// name and stamp.
func RunRenderIsSent(t *testing.T, e Emulated) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := e.Lab.Emulator(e.Node)
	d := e.Open(t)
	defer d.Close()
	a, b, c := e.Segments[0], e.Segments[1], e.Segments[2]
	batch := []switchdrivers.Change{{Port: e.Ports[0], From: a, To: b}, {Port: e.Ports[1], From: a, To: c}}
	back := []switchdrivers.Change{{Port: e.Ports[0], From: b, To: a}, {Port: e.Ports[1], From: c, To: a}}

	sent := func(t *testing.T, from int, shown []string) []string {
		t.Helper()
		var out []string
		for _, l := range srv.Received()[from:] {
			l = strings.TrimSpace(l)
			read := strings.HasPrefix(l, "show ") || strings.HasPrefix(l, "info ")
			setUp := slices.ContainsFunc(sessionSetUp, func(p string) bool { return strings.HasPrefix(l, p) }) || slices.Contains(sessionClose, l)
			if (read || setUp) && !slices.Contains(shown, l) {
				continue
			}
			l = attemptStamp.ReplaceAllString(l, "cutover began "+cli.StampPlaceholder)
			out = append(out, attemptName.ReplaceAllString(l, "cutover-${1}-"+cli.AttemptPlaceholder))
		}
		return out
	}
	shown := func(rendered []string) []string {
		var out []string
		for _, l := range rendered {
			if rest, ok := strings.CutPrefix(l, confirmLater); ok {
				out = append(out, rest)
			} else if !strings.HasPrefix(l, "!") {
				out = append(out, l)
			}
		}
		return out
	}
	expect := func(t *testing.T, what string, want, got []string) {
		t.Helper()
		if !slices.Equal(want, got) {
			t.Fatalf("%s: the plan shows\n  %s\nthe switch received\n  %s", what, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		}
	}

	for _, cs := range [][]switchdrivers.Change{batch, back} {
		rendered, err := d.Render(cs)
		if err != nil {
			t.Fatal(err)
		}
		want := shown(rendered)
		mark := len(srv.Received())
		if err := d.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
		expect(t, "Apply", want, sent(t, mark, want))
	}

	ca, ok := d.(switchdrivers.ConfirmedApplier)
	if !ok {
		return
	}
	const timeout = 5 * time.Minute
	rendered, err := ca.RenderConfirmed(batch, timeout)
	if err != nil {
		t.Fatal(err)
	}
	want := shown(rendered)
	mark := len(srv.Received())
	confirm, err := ca.ApplyConfirmed(ctx, batch, timeout)
	if err != nil {
		t.Fatal(err)
	}
	if err := confirm(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, "ApplyConfirmed and its confirmation", want, sent(t, mark, want))
	if err := d.Apply(ctx, back); err != nil {
		t.Fatal(err)
	}
}
