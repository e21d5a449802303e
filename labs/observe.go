package labs

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/net/icmp"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/probe/pinger"
	"github.com/cutover-net/cutover/probe/watch"
	"github.com/gopacket/gopacket/afpacket"
)

// Observer is a client's view of the lab, independent of the guard: it
// pings the service addresses from a node and watches the ARP traffic on
// that node's interface for addresses answered by two MACs at once (two
// hosts in one VLAN both answer the same broadcast request, within
// milliseconds). A host that answers again after another one left — a
// rollback bringing the old system back — is not a conflict here, unlike
// in `cutover watch`, whose flip-flop rule flags any reclaim within a
// minute.
type Observer struct {
	Pinger *pinger.Pinger
	Watch  *watch.Analyzer

	conn                *icmp.PacketConn
	stopWatch, stopPing context.CancelFunc
	watchDone           chan struct{}
	pingDone            chan error
}

// Observe starts pinging targets every interval from node and watching
// iface there (its frames counted as VLAN vlan). Close stops both.
func (l *Lab) Observe(ctx context.Context, node, iface string, vlan int, targets []netip.Addr, interval time.Duration) (*Observer, error) {
	var conn *icmp.PacketConn
	var tp *afpacket.TPacket
	if err := netns.Do(l.NodeNS(node), func() (err error) {
		if conn, err = pinger.Listen(); err != nil {
			return err
		}
		tp, err = watch.OpenCapture(iface)
		return err
	}); err != nil {
		if conn != nil {
			conn.Close()
		}
		return nil, fmt.Errorf("opening the pinger and observer on %s: %w", node, err)
	}
	pg, err := pinger.New(conn, targets, interval)
	if err != nil {
		conn.Close()
		tp.Close()
		return nil, err
	}
	o := &Observer{Pinger: pg, Watch: watch.New(watch.Config{FlipHold: time.Nanosecond}), conn: conn, watchDone: make(chan struct{}), pingDone: make(chan error, 1)}
	var wctx, pctx context.Context
	wctx, o.stopWatch = context.WithCancel(ctx)
	pctx, o.stopPing = context.WithCancel(ctx)
	go func() {
		defer close(o.watchDone)
		defer tp.Close()
		watch.RunCapture(wctx, tp, o.Watch, vlan)
	}()
	go func() { o.pingDone <- pg.Run(pctx) }()
	return o, nil
}

// Conflicts is how many times the watcher saw an address claimed by a
// second MAC.
func (o *Observer) Conflicts() int { return int(o.Watch.Conflicts()) }

// Close stops pinging and watching.
func (o *Observer) Close() error {
	o.stopPing()
	<-o.pingDone
	o.stopWatch()
	<-o.watchDone
	return o.conn.Close()
}
