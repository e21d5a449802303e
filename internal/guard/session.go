package guard

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"

	"github.com/cutover-net/cutover/probe/arpframe"
	"github.com/cutover-net/cutover/probe/l2"
	"github.com/cutover-net/cutover/probe/prober"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gopacket/gopacket/afpacket"
)

// Setup says where the guard reaches the VLANs.
type Setup struct {
	Trunk      string         // one trunk interface (tagged frames), or
	Interfaces map[int]string // one access interface per VLAN
	Sources    map[int]netip.Addr
	// InNamespace runs fn where the interfaces are; nil runs it here.
	InNamespace func(fn func() error) error
}

// Session is a running guard: prober, watcher capture and hooks.
type Session struct {
	Guard   *Guard
	Prober  *prober.Prober
	Watcher *watch.Analyzer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   []error
	mu     sync.Mutex
}

// Start opens the sockets and starts the watcher. cfg.Prober and
// cfg.Watcher are filled in by Start.
func Start(ctx context.Context, setup Setup, cfg Config) (*Session, error) {
	in := setup.InNamespace
	if in == nil {
		in = func(fn func() error) error { return fn() }
	}
	type capture struct {
		tp   *afpacket.TPacket
		vlan int
	}
	var captures []capture
	var p *prober.Prober
	err := in(func() error {
		if setup.Trunk != "" {
			c, err := l2.Listen(setup.Trunk, l2.NeighborFilter())
			if err != nil {
				return err
			}
			p = prober.NewTrunk(c, prober.Config{Sources: setup.Sources})
			tp, err := watch.OpenCapture(setup.Trunk)
			if err != nil {
				return err
			}
			captures = append(captures, capture{tp, 0})
			return nil
		}
		if len(setup.Interfaces) == 0 {
			return errors.New("guard: no trunk and no interfaces configured")
		}
		conns := map[int]*l2.Conn{}
		for vlan, ifname := range setup.Interfaces {
			c, err := l2.Listen(ifname, l2.NeighborFilter())
			if err != nil {
				return err
			}
			conns[vlan] = c
			tp, err := watch.OpenCapture(ifname)
			if err != nil {
				return err
			}
			captures = append(captures, capture{tp, vlan})
		}
		var err error
		p, err = prober.NewPerVLAN(conns, prober.Config{Sources: setup.Sources})
		return err
	})
	if err != nil {
		for _, c := range captures {
			c.tp.Close()
		}
		if p != nil {
			p.Close()
		}
		return nil, fmt.Errorf("guard: %w", err)
	}
	s := &Session{Prober: p}
	var g *Guard
	s.Watcher = watch.New(watch.Config{Own: []arpframe.MAC{p.MAC()}, OnEvent: func(e watch.Event) {
		if g != nil {
			g.OnEvent(e)
		}
	}})
	cfg.Prober, cfg.Watcher = p, s.Watcher
	if g, err = New(ctx, cfg); err != nil {
		p.Close()
		for _, c := range captures {
			c.tp.Close()
		}
		return nil, err
	}
	s.Guard = g
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	for _, c := range captures {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.tp.Close()
			if err := watch.RunCapture(cctx, c.tp, s.Watcher, c.vlan); err != nil {
				s.mu.Lock()
				s.errs = append(s.errs, err)
				s.mu.Unlock()
				// A watcher that stops watching must stop the run.
				if cfg.Halt != nil {
					cfg.Halt(fmt.Errorf("guard: the watcher's capture failed: %w", err))
				}
			}
		}()
	}
	return s, nil
}

// Close stops the watcher and the prober.
func (s *Session) Close() error {
	s.Guard.Close()
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(append(s.errs, s.Prober.Close())...)
}

// LocateWith names the switch access port behind a MAC, using every
// driver that can read its MAC table (trunk ports, where every remote MAC
// is also learned, are skipped).
func LocateWith(drivers map[string]switchdrivers.Driver) func(ctx context.Context, mac arpframe.MAC, vlan int) []string {
	return func(ctx context.Context, mac arpframe.MAC, vlan int) []string {
		names := make([]string, 0, len(drivers))
		for n := range drivers {
			names = append(names, n)
		}
		sort.Strings(names)
		var found []string
		for _, n := range names {
			mt, ok := drivers[n].(switchdrivers.MACTabler)
			if !ok {
				continue
			}
			ports, err := drivers[n].Ports(ctx)
			if err != nil {
				continue
			}
			trunk := map[string]bool{}
			for _, p := range ports {
				trunk[p.Name] = p.Mode == switchdrivers.ModeTrunk
			}
			entries, err := mt.MACTable(ctx)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if e.MAC == mac.String() && (e.VLAN == vlan || vlan == 0) && !trunk[e.Port] {
					found = append(found, n+":"+e.Port)
				}
			}
		}
		return found
	}
}
