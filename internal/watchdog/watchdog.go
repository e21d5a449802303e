// Package watchdog runs the duplicate-address watcher (probe/watch) on a
// set of interfaces for as long as the daemon lives: one capture and one
// analyzer per interface, VLAN-aware (on a trunk each frame's tag says its
// VLAN; on an access port the configured VLAN does). An interface that
// cannot be opened, or whose capture fails, is retried with backoff and
// its error is reported in its state rather than ending the daemon.
package watchdog

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/gopacket/gopacket/afpacket"
)

// Interface is one interface to watch.
type Interface struct {
	Name string `json:"interface"`
	// VLAN of untagged frames (access port); 0 on a trunk.
	VLAN int `json:"vlan"`
	// Netns is the named network namespace the interface is in ("": the daemon's).
	Netns string `json:"netns,omitempty"`
}

// Label names the interface in metrics and events: netns/name, or name.
func (i Interface) Label() string {
	if i.Netns != "" {
		return i.Netns + "/" + i.Name
	}
	return i.Name
}

// State is what the watchdog knows of one interface.
type State struct {
	Interface
	// Capturing: the capture is open and being read.
	Capturing bool `json:"capturing"`
	// Error is why the capture is not open, while it is retried.
	Error  string       `json:"error,omitempty"`
	Since  time.Time    `json:"since,omitzero"`
	Report watch.Report `json:"report"`
}

// Watchdog watches its interfaces until Close.
type Watchdog struct {
	ifaces []*watched
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type watched struct {
	Interface
	a *watch.Analyzer

	mu        sync.Mutex
	capturing bool
	err       string
	since     time.Time
}

// Options configure a Watchdog.
type Options struct {
	// OnConflict is called for every conflict event (two hosts answering
	// for one address), with the interface; it must not block.
	OnConflict func(Interface, watch.Event)
	// Retry is the first delay before reopening a failed capture (default
	// 1 s, doubling to 30 s).
	Retry time.Duration
	Log   *slog.Logger
}

// Start starts watching every interface.
func Start(ifaces []Interface, opts Options) *Watchdog {
	if opts.Retry <= 0 {
		opts.Retry = time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watchdog{cancel: cancel}
	for _, i := range ifaces {
		wi := &watched{Interface: i}
		wi.a = watch.New(watch.Config{OnEvent: func(e watch.Event) {
			if e.IsConflict() {
				opts.Log.Warn("watchdog: duplicate address", "interface", i.Label(), "kind", e.Kind, "vlan", e.VLAN, "ip", e.IP, "macs", e.MACs, "reason", e.Reason)
				if opts.OnConflict != nil {
					opts.OnConflict(i, e)
				}
			}
		}})
		w.ifaces = append(w.ifaces, wi)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			wi.run(ctx, opts)
		}()
	}
	return w
}

// Analyzers returns each interface's analyzer (for metrics), by label.
func (w *Watchdog) Analyzers() map[string]*watch.Analyzer {
	out := map[string]*watch.Analyzer{}
	for _, wi := range w.ifaces {
		out[wi.Label()] = wi.a
	}
	return out
}

// State returns every interface's state, in configuration order.
func (w *Watchdog) State() []State {
	out := []State{}
	for _, wi := range w.ifaces {
		wi.mu.Lock()
		st := State{Interface: wi.Interface, Capturing: wi.capturing, Error: wi.err, Since: wi.since}
		wi.mu.Unlock()
		st.Report = wi.a.Report()
		out = append(out, st)
	}
	return out
}

// Close stops every capture.
func (w *Watchdog) Close() {
	w.cancel()
	w.wg.Wait()
}

func (wi *watched) set(capturing bool, err error) {
	wi.mu.Lock()
	defer wi.mu.Unlock()
	wi.capturing, wi.err, wi.since = capturing, "", time.Now()
	if err != nil {
		wi.err = err.Error()
	}
}

// run opens the capture and reads it until ctx ends, reopening it with
// backoff whenever it cannot be opened or fails.
func (wi *watched) run(ctx context.Context, opts Options) {
	delay := opts.Retry
	for ctx.Err() == nil {
		tp, err := wi.open()
		if err == nil {
			wi.set(true, nil)
			opts.Log.Info("watchdog: capturing", "interface", wi.Label(), "vlan", wi.VLAN)
			err = watch.RunCapture(ctx, tp, wi.a, wi.VLAN)
			tp.Close()
			delay = opts.Retry
			if ctx.Err() != nil {
				wi.set(false, nil)
				return
			}
			if err == nil {
				err = fmt.Errorf("capture on %s ended", wi.Label())
			}
		}
		wi.set(false, err)
		opts.Log.Warn("watchdog: capture failed, retrying", "interface", wi.Label(), "error", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// open opens the capture socket in the interface's namespace.
func (wi *watched) open() (*afpacket.TPacket, error) {
	if wi.Netns == "" {
		return watch.OpenCapture(wi.Name)
	}
	var tp *afpacket.TPacket
	err := netns.Do(wi.Netns, func() (err error) {
		tp, err = watch.OpenCapture(wi.Name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netns %s: %w", wi.Netns, err)
	}
	return tp, nil
}
