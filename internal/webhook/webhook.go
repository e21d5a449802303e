// Package webhook delivers the daemon's events to HTTP receivers: one JSON
// body per event, signed with HMAC-SHA256 of the body under the webhook's
// secret (header X-Cutover-Signature: sha256=<hex>), retried with
// exponential backoff. Sending never waits: each webhook has a bounded
// queue, and an event that finds it full is dropped and counted. On
// shutdown the queued deliveries get a grace period; what is still queued
// (or in flight) when it ends is dropped and counted the same way. A
// receiver checks the signature before it trusts a body.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
)

// Headers of a delivery.
const (
	SignatureHeader = "X-Cutover-Signature" // sha256=<hex HMAC-SHA256 of the body>
	EventHeader     = "X-Cutover-Event"
	DeliveryHeader  = "X-Cutover-Delivery"
)

// Target is one receiver.
type Target struct {
	Name   string
	URL    string
	Secret secret.Secret
	// Events filters by event name; empty: every event.
	Events []string
	// Timeout bounds one attempt; Attempts is how many are made in all.
	Timeout  time.Duration
	Attempts int
}

// Observer is told how deliveries end (metrics); nil is allowed.
type Observer interface {
	WebhookDelivered(hook, outcome string)
	WebhookDropped(hook string)
}

// Outcomes of a delivery.
const (
	Delivered = "delivered"
	Failed    = "failed"
)

// Dispatcher owns one queue and one sender per target.
type Dispatcher struct {
	targets []*sender
	obs     Observer
	log     *slog.Logger
	client  *http.Client
	wg      sync.WaitGroup
	cancel  context.CancelFunc
	// drain is closed when shutdown begins: the senders deliver what is
	// queued, then stop; cancel ends the grace period.
	drain chan struct{}
	once  sync.Once
	// dropped counts the deliveries shutdown dropped.
	dropped atomic.Int64
	// closed (under mu) once the senders have stopped: Send drops.
	mu     sync.RWMutex
	closed bool
	// Backoff is the wait before the second attempt, doubled for each
	// further one (default 1 s, at most 1 min).
	backoff time.Duration
}

type sender struct {
	Target
	queue chan delivery
}

type delivery struct {
	id, event string
	body      []byte
}

// Options tune a Dispatcher.
type Options struct {
	// Queue is each target's queue length.
	Queue int
	// Backoff is the first retry's delay (default 1 s).
	Backoff  time.Duration
	Observer Observer
	Log      *slog.Logger
	// Client sends the requests (default: a client with no redirects
	// followed, so a signed body never goes to another address).
	Client *http.Client
}

// Start starts one sender per target; Close stops them.
func Start(targets []Target, opts Options) *Dispatcher {
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{obs: opts.Observer, log: opts.Log, client: opts.Client, cancel: cancel, backoff: opts.Backoff, drain: make(chan struct{})}
	for _, t := range targets {
		if t.Attempts <= 0 {
			t.Attempts = 1
		}
		if t.Timeout <= 0 {
			t.Timeout = 5 * time.Second
		}
		s := &sender{Target: t, queue: make(chan delivery, opts.Queue)}
		d.targets = append(d.targets, s)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.run(ctx, s)
		}()
	}
	return d
}

// Send queues body (marshalled to JSON) as event for every target that
// wants it. It never blocks: a full queue drops the event for that target.
func (d *Dispatcher) Send(event string, body any) {
	if d == nil || len(d.targets) == 0 {
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		d.log.Error("webhook: the event cannot be encoded", "event", event, "error", err)
		return
	}
	id := newID()
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, s := range d.targets {
		if len(s.Events) > 0 && !slices.Contains(s.Events, event) {
			continue
		}
		if d.closed {
			d.drop(s, delivery{id: id, event: event}, 0)
			continue
		}
		select {
		case s.queue <- delivery{id: id, event: event, body: b}:
		default:
			if d.obs != nil {
				d.obs.WebhookDropped(s.Name)
			}
			d.log.Warn("webhook queue full: event dropped", "webhook", s.Name, "event", event)
		}
	}
}

// Close stops the senders at once: what is still queued or in flight is
// dropped and counted (Shutdown with no grace).
func (d *Dispatcher) Close() { d.Shutdown(0) }

// Shutdown lets the senders deliver what is queued for up to grace
// (retries and their backoff included), then stops them: a delivery still
// queued or in flight is dropped and counted (the Observer's
// WebhookDropped, and the total returned), and so is an event sent once
// its webhook's queue has run empty or after Shutdown. Shutdown returns as
// soon as every queue is empty and the senders have stopped.
func (d *Dispatcher) Shutdown(grace time.Duration) (dropped int) {
	if d == nil {
		return 0
	}
	d.once.Do(func() {
		close(d.drain)
		stopped := make(chan struct{})
		go func() { d.wg.Wait(); close(stopped) }()
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-stopped:
		case <-timer.C:
			d.cancel()
			<-stopped
		}
		d.cancel()
		d.mu.Lock()
		d.closed = true
		for _, s := range d.targets {
			d.dropQueued(s)
		}
		d.mu.Unlock()
	})
	return int(d.dropped.Load())
}

func (d *Dispatcher) run(ctx context.Context, s *sender) {
	for {
		select {
		case <-ctx.Done():
			d.dropQueued(s)
			return
		case <-d.drain:
			// Shutdown: what is queued goes out (until the grace ends).
			for {
				select {
				case dl := <-s.queue:
					d.send(ctx, s, dl)
				default:
					if ctx.Err() != nil {
						d.dropQueued(s)
					}
					return
				}
			}
		case dl := <-s.queue:
			d.send(ctx, s, dl)
		}
	}
}

// send delivers one event and counts its outcome; a delivery that the end
// of the shutdown's grace period cut short is dropped.
func (d *Dispatcher) send(ctx context.Context, s *sender, dl delivery) {
	if ctx.Err() != nil {
		d.drop(s, dl, 1)
		return
	}
	outcome := d.deliver(ctx, s, dl)
	if ctx.Err() != nil {
		d.drop(s, dl, 1)
		return
	}
	if d.obs != nil {
		d.obs.WebhookDelivered(s.Name, outcome)
	}
}

// dropQueued drops and counts what is left in s's queue.
func (d *Dispatcher) dropQueued(s *sender) {
	for {
		select {
		case dl := <-s.queue:
			d.drop(s, dl, 0)
		default:
			return
		}
	}
}

// drop counts a delivery shutdown did not make (inFlight: it was being sent).
func (d *Dispatcher) drop(s *sender, dl delivery, inFlight int) {
	d.dropped.Add(1)
	if d.obs != nil {
		d.obs.WebhookDropped(s.Name)
	}
	state := "queued"
	if inFlight > 0 {
		state = "in flight"
	}
	d.log.Warn("webhook: shutting down past the grace period: event dropped", "webhook", s.Name, "event", dl.event, "delivery", dl.id, "state", state)
}

// deliver makes up to Attempts attempts, waiting Backoff, 2×Backoff, …
// (at most a minute) between them. A 2xx answer delivers; 4xx other than
// 408 and 429 fails at once (the receiver refuses this body); anything
// else is retried.
func (d *Dispatcher) deliver(ctx context.Context, s *sender, dl delivery) string {
	wait := d.backoff
	for attempt := 1; ; attempt++ {
		status, err := d.post(ctx, s, dl)
		if err == nil && status/100 == 2 {
			return Delivered
		}
		retry := err != nil || status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
		why := fmt.Sprintf("HTTP %d", status)
		if err != nil {
			why = err.Error()
		}
		if !retry || attempt >= s.Attempts {
			d.log.Warn("webhook delivery failed", "webhook", s.Name, "event", dl.event, "delivery", dl.id, "attempts", attempt, "reason", why)
			return Failed
		}
		d.log.Info("webhook delivery failed, retrying", "webhook", s.Name, "event", dl.event, "delivery", dl.id, "attempt", attempt, "retry_in", wait, "reason", why)
		select {
		case <-ctx.Done():
			return Failed
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

func (d *Dispatcher) post(ctx context.Context, s *sender, dl delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(dl.body))
	if err != nil {
		// The URL may hold a secret: the error does not repeat it.
		return 0, fmt.Errorf("webhook %s: the request cannot be made", s.Name)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cutover-webhook/1")
	req.Header.Set(EventHeader, dl.event)
	req.Header.Set(DeliveryHeader, dl.id)
	req.Header.Set(SignatureHeader, Sign(s.Secret, dl.body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("webhook %s: %s", s.Name, transportError(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// transportError says what went wrong without the URL (which *url.Error
// repeats, and which may hold a secret).
func transportError(err error) string {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap().Error()
	}
	return err.Error()
}

// Sign is the X-Cutover-Signature of body under key: "sha256=" and the
// hex HMAC-SHA256.
func Sign(key secret.Secret, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key.Reveal()))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header against body in constant time.
func Verify(key secret.Secret, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(key, body)), []byte(header))
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
