// Package webhook delivers the daemon's events to HTTP receivers: one JSON
// body per event, signed with HMAC-SHA256 of the body under the webhook's
// secret (header X-Cutover-Signature: sha256=<hex>), retried with
// exponential backoff. Sending never waits: each webhook has a bounded
// queue, and an event that finds it full is dropped and counted. A
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
	d := &Dispatcher{obs: opts.Observer, log: opts.Log, client: opts.Client, cancel: cancel, backoff: opts.Backoff}
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
	for _, s := range d.targets {
		if len(s.Events) > 0 && !slices.Contains(s.Events, event) {
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

// Close stops the senders; what is still queued is not sent.
func (d *Dispatcher) Close() {
	if d == nil {
		return
	}
	d.cancel()
	d.wg.Wait()
}

func (d *Dispatcher) run(ctx context.Context, s *sender) {
	for {
		select {
		case <-ctx.Done():
			return
		case dl := <-s.queue:
			outcome := d.deliver(ctx, s, dl)
			if d.obs != nil && ctx.Err() == nil {
				d.obs.WebhookDelivered(s.Name, outcome)
			}
		}
	}
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
