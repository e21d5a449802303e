package emulator

import (
	"context"
	"time"
)

// trial is a configuration applied on trial: the device reverts it
// unless it is confirmed (IOS-XE revert timer, Junos commit confirmed,
// EOS commit timer, SR Linux commit confirmed). Every platform's revert
// restores the configuration from before the trial, the changes other
// sessions made since included (the IOS-XE archive, Junos rollback 1,
// an EOS checkpoint, an SR Linux checkpoint), so the trial keeps a
// snapshot of every port.
type trial struct {
	name     string         // EOS session, SR Linux candidate
	user     string         // who started it
	snapshot map[string]int // every access port's VLAN before the trial
	armed    time.Time      // on the device's clock
	length   time.Duration  // on the device's clock
	timer    *time.Timer
	// reverted, if set, runs after the timer's revert, given what the
	// revert changed (the ports with their VLANs before it): the
	// dialect's own bookkeeping, the Junos rollback's commit entry, SR
	// Linux's status.
	reverted func(undo map[string]int)
}

// now is the device's clock: it runs 1/TimeScale times as fast as the
// real one, so revert timers and the times the device prints agree.
func (srv *Server) now() time.Time {
	if srv.cfg.TimeScale <= 0 {
		return time.Now()
	}
	return srv.born.Add(time.Duration(float64(time.Since(srv.born)) / srv.cfg.TimeScale))
}

// real converts a duration on the device's clock to real time.
func (srv *Server) real(d time.Duration) time.Duration {
	if srv.cfg.TimeScale > 0 {
		return time.Duration(float64(d) * srv.cfg.TimeScale)
	}
	return d
}

// snapshot reads every access port's VLAN (trunks are not configured by
// the dialects, so a revert leaves them alone).
func (srv *Server) snapshot(ctx context.Context) (map[string]int, error) {
	bulk, trunks := srv.readAll(ctx)
	out := map[string]int{}
	for _, it := range srv.cfg.Interfaces {
		v, trunk, err := srv.accessVLAN(ctx, bulk, trunks, it.Port)
		if err != nil {
			return nil, err
		}
		if !trunk {
			out[it.Port] = v
		}
	}
	return out, nil
}

// restore puts every port of snap back, in one transaction: only the
// ports that moved since are written. It returns those ports with their
// VLANs before the restore.
func (srv *Server) restore(ctx context.Context, snap map[string]int) (map[string]int, error) {
	now, err := srv.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	moved, undo := map[string]int{}, map[string]int{}
	for port, v := range snap {
		if cur, ok := now[port]; ok && cur != v {
			moved[port], undo[port] = v, cur
		}
	}
	if len(moved) == 0 {
		return undo, nil
	}
	return undo, srv.setAccessVLANs(ctx, moved)
}

// arm starts t: after its length (on the device's clock) the switch
// restores t's snapshot unless the trial was settled first.
func (srv *Server) arm(t *trial) {
	t.armed = srv.now()
	t.timer = time.AfterFunc(srv.real(t.length), func() {
		srv.mu.Lock()
		current := srv.trial == t
		if current {
			srv.trial = nil
		}
		srv.mu.Unlock()
		if !current {
			return
		}
		undo, _ := srv.restore(context.Background(), t.snapshot)
		if t.reverted != nil {
			t.reverted(undo)
		}
	})
	srv.mu.Lock()
	srv.trial = t
	srv.mu.Unlock()
}

// pending returns the trial awaiting confirmation, or nil.
func (srv *Server) pending() *trial {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.trial
}

// settle ends the pending trial (the one called name, if name is given):
// confirmed, it stays; cancelled, its snapshot is restored now. It
// returns the trial, nil if there was none.
func (srv *Server) settle(ctx context.Context, name string, cancel bool) (*trial, error) {
	srv.mu.Lock()
	t := srv.trial
	if t == nil || name != "" && t.name != name {
		srv.mu.Unlock()
		return nil, nil
	}
	t.timer.Stop()
	srv.trial = nil
	srv.mu.Unlock()
	if cancel {
		_, err := srv.restore(ctx, t.snapshot)
		return t, err
	}
	return t, nil
}

// PendingTrial reports whether a trial awaits confirmation and, if so,
// its time left on the device's clock (for tests).
func (srv *Server) PendingTrial() (bool, time.Duration) {
	t := srv.pending()
	if t == nil {
		return false, 0
	}
	return true, t.armed.Add(t.length).Sub(srv.now())
}
