package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
)

// prepareFresh bounds how long the live state a prepared session read
// stands for the switch's: a batch due later reads it again, in a session
// of its own.
const prepareFresh = 3 * time.Second

// prepared is a session readied ahead of its batch (Prepare).
type prepared struct {
	key     string
	trial   time.Duration
	a       attempt
	started *switchdrivers.PendingTrial // a trial attempt's trial, as the switch shows it after the commit
	ready   chan struct{}               // closed once Prepare is done with it
	bs      *batchSession               // nil when preparing failed: the batch is then tried in full
}

// batchKey identifies a batch and whether it is applied on trial.
func batchKey(changes []switchdrivers.Change, trial time.Duration) string {
	h := sha256.New()
	for _, c := range changes {
		fmt.Fprintf(h, "%s %s %s\n", c.Port, c.From, c.To)
	}
	fmt.Fprintf(h, "trial %d", trial)
	return hex.EncodeToString(h.Sum(nil))
}

// Prepare implements switchdrivers.Preparer: it opens and authenticates
// the session of the batch, reads the ports and checks the batch against
// them (and the attempt's other checks), and, where the dialect lets an
// empty configuration mode or candidate wait (Dialect.BeginAhead,
// Trial.BeginAhead), enters it. A check of what may still change before
// the batch is due (another trial pending) that fails now is made again
// then. Beside it, one spare session is kept open for the reads and
// confirmations that follow, and opened again after each use, until ctx
// ends or the driver is closed.
//
// Apply (ApplyConfirmed with trial) of the same changes uses the prepared
// session if it is alive and its read is younger than prepareFresh;
// otherwise it discards it and runs the batch in a session of its own,
// under a new attempt name. A prepared session found dead when its first
// line is sent is replaced the same way: nothing of the batch went
// through it.
func (drv *Driver) Prepare(ctx context.Context, changes []switchdrivers.Change, trial time.Duration) error {
	if err := drv.validate(changes); err != nil {
		return err
	}
	if len(changes) == 0 {
		return nil
	}
	p := &prepared{key: batchKey(changes, trial), trial: trial, ready: make(chan struct{})}
	if trial > 0 {
		if drv.d.Trial == nil || drv.noTrials {
			return drv.errf("", "", errors.New("preparing a trial: this switch does not apply batches on trial"))
		}
		p.a, p.started = drv.trialAttempt(changes, trial)
	} else {
		p.a = drv.plainAttempt(changes)
	}
	drv.install(p)
	defer close(p.ready)
	spare := drv.warm(ctx)
	defer func() { <-spare }()
	o, err := drv.dial(ctx)
	if err != nil {
		return err
	}
	bs, err := drv.check(&batchSession{s: o.s, closeFn: o.close, opened: o}, changes, p.a, true)
	if err != nil {
		return err
	}
	if p.a.ahead && !bs.recheck {
		for _, l := range p.a.begin {
			if err := bs.s.line(l); err != nil {
				bs.begun = true // perhaps partly: discarding aborts it
				drv.discardSession(bs, p.a)
				return drv.errf("", l, err)
			}
		}
		bs.begun = true
	}
	p.bs = bs
	return nil
}

// install makes p the driver's prepared batch, discarding the one before.
func (drv *Driver) install(p *prepared) {
	drv.mu.Lock()
	old := drv.prep
	drv.prep = p
	drv.mu.Unlock()
	if old != nil {
		go drv.discard(old)
	}
}

// take returns the prepared batch if it is the one keyed key, once it is
// ready; a prepared batch that is not is discarded.
func (drv *Driver) take(ctx context.Context, key string) *prepared {
	drv.mu.Lock()
	p := drv.prep
	drv.prep = nil
	drv.mu.Unlock()
	if p == nil {
		return nil
	}
	if p.key != key {
		go drv.discard(p)
		return nil
	}
	select {
	case <-p.ready:
		return p
	case <-ctx.Done():
		go drv.discard(p)
		return nil
	}
}

// discard closes a prepared batch's session once it is ready, aborting
// what it began.
func (drv *Driver) discard(p *prepared) {
	<-p.ready
	if p.bs != nil {
		drv.discardSession(p.bs, p.a)
	}
}

// discardSession closes a readied session that will not be used,
// aborting the configuration session or candidate it entered; one that
// cannot be aborted is remembered for Forget.
func (drv *Driver) discardSession(bs *batchSession, a attempt) {
	ctx, cancel := context.WithTimeout(context.Background(), drv.timeout)
	defer cancel()
	if !bs.claim(ctx) {
		// Closed with the context it was prepared in: what it entered may
		// still be there.
		if bs.begun && drv.d.Transactional {
			drv.remember(a.name)
		}
		return
	}
	if bs.begun && drv.d.Transactional {
		aborted := true
		for _, l := range drv.d.Abort {
			aborted = aborted && bs.s.line(l) == nil
		}
		if !aborted {
			drv.remember(a.name)
		}
	}
	bs.closeFn()
}

// applyPrepared runs a prepared batch: in its session if that is alive
// and fresh, otherwise — and when the session turns out dead at the first
// line — as a new attempt in a session of its own. It returns the name of
// the attempt that ran and, on trial, its trial.
func (drv *Driver) applyPrepared(ctx context.Context, changes []switchdrivers.Change, p *prepared) (string, *switchdrivers.PendingTrial, error) {
	if bs := p.bs; bs != nil {
		switch {
		case !bs.claim(ctx):
			// Closed with the context it was prepared in: a candidate it
			// entered may still be there, for Forget.
			if bs.begun && drv.d.Transactional {
				drv.remember(p.a.name)
			}
		case time.Since(bs.checked) <= prepareFresh && bs.s.alive():
			err := drv.run(ctx, bs, changes, p.a)
			bs.closeFn()
			var lost errLostFirst
			if !errors.As(err, &lost) {
				return p.a.name, p.started, err
			}
			// Lost before anything of the batch went through: reopened below.
		default:
			drv.discardSession(bs, p.a)
		}
	}
	var a attempt
	var started *switchdrivers.PendingTrial
	if p.trial > 0 {
		a, started = drv.trialAttempt(changes, p.trial)
	} else {
		a = drv.plainAttempt(changes)
	}
	return a.name, started, drv.apply(ctx, changes, a)
}

// claim makes a prepared session the caller's: closed when ctx ends, no
// longer with the context it was prepared in. It reports false if it
// was closed already. A session the batch opened itself is the caller's
// from the start.
func (bs *batchSession) claim(ctx context.Context) bool {
	if bs.opened == nil || bs.attached {
		return true
	}
	closeFn, ok := bs.opened.attach(ctx)
	if ok {
		bs.closeFn, bs.attached = closeFn, true
	}
	return ok
}

// warm keeps one spare session open from now until ctx ends or the driver
// is closed. The returned channel is closed once a spare is open (or
// could not be).
func (drv *Driver) warm(ctx context.Context) <-chan struct{} {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	drv.warmCtx = ctx
	if drv.spare != nil || drv.refilling != nil {
		if drv.refilling != nil {
			return drv.refilling
		}
		done := make(chan struct{})
		close(done)
		return done
	}
	return drv.refillLocked()
}

// refillLocked opens a spare session in the background (drv.mu held).
func (drv *Driver) refillLocked() <-chan struct{} {
	ctx := drv.warmCtx
	done := make(chan struct{})
	drv.refilling = done
	go func() {
		defer close(done)
		o, err := drv.dial(ctx)
		drv.mu.Lock()
		defer drv.mu.Unlock()
		drv.refilling = nil
		if err != nil {
			return // the next open dials for itself
		}
		if drv.closed || ctx.Err() != nil || drv.spare != nil {
			o.close()
			return
		}
		drv.spare = o
	}()
	return done
}

// takeSpare attaches the spare session, if there is one that still
// answers, to ctx, and opens the next in the background.
func (drv *Driver) takeSpare(ctx context.Context) (session, func(), bool) {
	drv.mu.Lock()
	sp := drv.spare
	drv.spare = nil
	if sp != nil && drv.warmCtx != nil && drv.warmCtx.Err() == nil && drv.refilling == nil && !drv.closed {
		drv.refillLocked()
	}
	drv.mu.Unlock()
	if sp == nil {
		return session{}, nil, false
	}
	closeFn, ok := sp.attach(ctx)
	if !ok {
		return session{}, nil, false
	}
	if !sp.s.answers() {
		closeFn()
		return session{}, nil, false
	}
	return sp.s, closeFn, true
}

// closePrepared discards the prepared batch and the spare session.
func (drv *Driver) closePrepared() {
	drv.mu.Lock()
	p, sp := drv.prep, drv.spare
	drv.prep, drv.spare, drv.closed = nil, nil, true
	drv.mu.Unlock()
	if p != nil {
		drv.discard(p)
	}
	if sp != nil {
		sp.close()
	}
}

// alive reports whether the session can still be used, without a round
// trip: its transport has not ended, and nothing but idle output (a
// device message) arrived since its last prompt.
func (s session) alive() bool {
	ch := s.nd.Channel
	for range 64 {
		b, err := ch.Read()
		if err != nil {
			return false
		}
		if b == nil {
			return true
		}
	}
	return false // a stream of output while idle: not a session in a known state
}

// answers reports whether the session is alive and answers a return
// with its prompt: one round trip, for a spare session about to serve a
// read or a confirmation (which, unlike a batch's first line, cannot tell
// a session lost before it from one lost during it).
func (s session) answers() bool {
	if !s.alive() {
		return false
	}
	_, err := s.nd.GetPrompt()
	return err == nil
}
