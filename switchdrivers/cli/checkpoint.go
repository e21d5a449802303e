package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
)

// CheckpointPrefix begins the name of every checkpoint cutover makes.
const CheckpointPrefix = "cutover-"

// rollBack restores the checkpoint of attempt a after the batch failed
// at a line (cause, naming the switch, the port and the line): in s if
// the line was refused (inConfig: s is in configuration mode), in a new
// session if s was lost. It reads the ports back and deletes the
// checkpoint. The error returned names the line that failed and the
// rollback's outcome; it is Untouched only when the read-back shows
// every port of the batch where it was.
func (drv *Driver) rollBack(ctx context.Context, s session, lost, inConfig bool, changes []switchdrivers.Change, a attempt, before []switchdrivers.PortState, cause error) error {
	cp := drv.d.Checkpoint
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w; %s", cause, fmt.Sprintf(format, args...))
	}
	if lost {
		ns, closeFn, err := drv.open(ctx)
		if err != nil {
			drv.remember(a.name)
			return fail("checkpoint %s NOT rolled back: no new session (%v): the lines before the failure may have landed", a.checkpoint, err)
		}
		defer closeFn()
		s = ns
	} else if inConfig {
		for _, l := range cp.Leave {
			if err := s.line(l); err != nil {
				return fail("checkpoint %s NOT rolled back: leaving configuration mode (%q): %v", a.checkpoint, l, err)
			}
		}
	}
	// The rollback restores the whole configuration: refuse it when
	// another change was made since the batch began.
	now, err := drv.read(s, changes)
	if err != nil {
		drv.remember(a.name)
		return fail("checkpoint %s NOT rolled back: reading the ports first: %v", a.checkpoint, err)
	}
	if other := changedOutside(now.Ports, before, changes, drv.same); other != "" {
		drv.deleteCheckpoint(s, a.checkpoint)
		return fail("checkpoint %s NOT rolled back: %s changed since the batch began (another user or process), and a rollback would undo it: the lines before the failure have landed", a.checkpoint, other)
	}
	for _, l := range cp.Rollback(a.checkpoint) {
		if _, err := s.Config(l); err != nil {
			drv.remember(a.name)
			return fail("rollback failed (%v): the lines before the failure may have landed", err)
		}
	}
	after, err := drv.read(s, changes)
	if err == nil {
		err = after.Check(drv.name, batchPorts(changes), drv.same)
	}
	if err != nil {
		drv.remember(a.name)
		return fail("rolled back to checkpoint %s, but the read-back failed: %v", a.checkpoint, err)
	}
	back := make([]switchdrivers.Change, len(changes))
	for i, c := range changes {
		back[i] = switchdrivers.Change{Port: c.Port, From: c.To, To: c.From}
	}
	if err := switchdrivers.CheckReadBack(drv.name, after.Ports, back); err != nil {
		drv.deleteCheckpoint(s, a.checkpoint)
		return fail("rolled back to checkpoint %s, but the read-back differs: %v", a.checkpoint, err)
	}
	drv.deleteCheckpoint(s, a.checkpoint)
	return switchdrivers.Untouched(fail("rolled back to checkpoint %s: every port of the batch is back where it was", a.checkpoint))
}

// changedOutside names a port outside the batch whose state differs
// from before ("" if none).
func changedOutside(now, before []switchdrivers.PortState, changes []switchdrivers.Change, same func(a, b string) bool) string {
	inBatch := func(name string) bool {
		return slices.ContainsFunc(changes, func(c switchdrivers.Change) bool { return same(c.Port, name) })
	}
	for _, b := range before {
		if inBatch(b.Name) {
			continue
		}
		i := slices.IndexFunc(now, func(p switchdrivers.PortState) bool { return same(p.Name, b.Name) })
		if i < 0 {
			return "port " + b.Name + " (gone)"
		}
		if n := now[i]; n.Mode != b.Mode || n.Segment != b.Segment {
			return fmt.Sprintf("port %s (%s %s, now %s %s)", b.Name, b.Mode, b.Segment, n.Mode, n.Segment)
		}
	}
	return ""
}

// deleteCheckpoint removes checkpoint name; one that cannot be removed
// now is remembered (Forget removes it in a later session) and noted.
func (drv *Driver) deleteCheckpoint(s session, name string) {
	for _, l := range drv.d.Checkpoint.Delete(name) {
		if _, err := s.Config(l); err != nil {
			drv.remember(name)
			drv.note(fmt.Sprintf("switch %s: checkpoint %s could not be deleted (%v); it is retried in the next session", drv.name, name, err))
			return
		}
	}
}

// note records a warning about what the driver did on the switch.
func (drv *Driver) note(msg string) {
	drv.mu.Lock()
	drv.notes = append(drv.notes, msg)
	drv.mu.Unlock()
}

// clearCheckpoints runs before a batch: a checkpoint of cutover's
// prefix older than StaleAfter was left by a lost attempt and is
// deleted, and reported; a younger one is another batch in progress,
// and the batch is refused naming it, as it is for one whose beginning
// cannot be read.
func (drv *Driver) clearCheckpoints(s session) error {
	cp := drv.d.Checkpoint
	list, err := cp.List(s)
	if err != nil {
		return drv.errf("", "", fmt.Errorf("reading the checkpoints: %w", err))
	}
	var busy []string
	for _, c := range list {
		if !strings.HasPrefix(c.Name, CheckpointPrefix) {
			continue // not cutover's: never touched
		}
		if c.Owner.Lost() {
			// Made on this machine by a cutover process that is gone (a
			// killed run, whose recovery runs now): a lost attempt
			// whatever its age; nothing else may be waiting for it.
			if err := drv.dropLeftover(s, c, fmt.Sprintf("left by cutover process %d on %s, which is no longer running", c.Owner.PID, c.Owner.Host)); err != nil {
				return err
			}
			continue
		}
		if c.Began.IsZero() {
			busy = append(busy, fmt.Sprintf("%s (made by %s; when its batch began cannot be read from %q: delete it by hand once no cutover runs)", c.Name, orUnknown(c.User), c.Description))
			continue
		}
		if age := time.Since(c.Began); age < cp.StaleAfter {
			busy = append(busy, fmt.Sprintf("%s (made by %s %s ago: %q)", c.Name, orUnknown(c.User), age.Round(time.Second), c.Description))
			continue
		}
		if err := drv.dropLeftover(s, c, "left by a lost cutover attempt"); err != nil {
			return err
		}
	}
	if len(busy) > 0 {
		return drv.errf("", "", fmt.Errorf("%w: another cutover batch is in progress on the switch: checkpoint %s; if no cutover process works on this switch (one was killed less than %s ago), delete it (`%s`) and try again", ErrBusy, strings.Join(busy, ", "), cp.StaleAfter, strings.Join(cp.Delete("NAME"), "; ")))
	}
	return nil
}

// dropLeftover deletes checkpoint c, left by a lost attempt (why), and
// reports it.
func (drv *Driver) dropLeftover(s session, c CheckpointInfo, why string) error {
	for _, l := range drv.d.Checkpoint.Delete(c.Name) {
		if _, err := s.Config(l); err != nil {
			return drv.errf("", l, fmt.Errorf("deleting checkpoint %s, %s: %w", c.Name, why, err))
		}
	}
	drv.note(fmt.Sprintf("switch %s: deleted checkpoint %s, %s (made by %s: %q); what that attempt configured was not rolled back", drv.name, c.Name, why, orUnknown(c.User), c.Description))
	return nil
}

// ErrBusy is wrapped when another process holds the switch's
// configuration (another cutover batch in progress, a lock, a trial).
var ErrBusy = errors.New("the configuration is held by another process")

func orUnknown(s string) string {
	if s == "" {
		return "an unknown user"
	}
	return s
}

// cancelFailedTrial cancels, from a new session, the trial a line-mode
// batch started before it failed (cause), and reads the ports back: the
// error says whether the switch is back where it was (then nothing was
// changed) or why not.
func (drv *Driver) cancelFailedTrial(ctx context.Context, changes []switchdrivers.Change, cause error) error {
	t := &TrialDriver{drv}
	err := t.settle(ctx, nil, "", nil, "cancelling the failed trial", drv.d.Trial.Cancel)
	switch {
	case errors.Is(err, switchdrivers.ErrNoPendingTrial):
		// The trial never started: what the batch sent before it failed
		// is what landed (nothing, if it failed at the trial's first line).
		return fmt.Errorf("%w; no trial was pending to cancel", cause)
	case err != nil:
		return fmt.Errorf("%w; the trial could NOT be cancelled (%v): the switch reverts it when its timer runs out", cause, err)
	}
	s, closeFn, err := drv.open(ctx)
	if err != nil {
		return fmt.Errorf("%w; the trial was cancelled, but the ports could not be read back: %v", cause, err)
	}
	defer closeFn()
	after, err := drv.read(s, changes)
	if err == nil {
		err = after.Check(drv.name, batchPorts(changes), drv.same)
	}
	if err == nil {
		back := make([]switchdrivers.Change, len(changes))
		for i, c := range changes {
			back[i] = switchdrivers.Change{Port: c.Port, From: c.To, To: c.From}
		}
		err = switchdrivers.CheckReadBack(drv.name, after.Ports, back)
	}
	if err != nil {
		return fmt.Errorf("%w; the trial was cancelled, but the read-back differs: %v", cause, err)
	}
	return switchdrivers.Untouched(fmt.Errorf("%w; the trial was cancelled: every port of the batch is back where it was", cause))
}
