package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/cutover-net/cutover/probe/prober"
)

func TestJustifiedWindow(t *testing.T) {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	lan := prober.RTT{Samples: 6, Min: ms(0.3), Median: ms(0.5), Max: ms(1.2)}
	slow := prober.RTT{Samples: 6, Min: ms(20), Median: ms(30), Max: ms(45)}
	for _, c := range []struct {
		name       string
		configured time.Duration
		rtt        prober.RTT
		want       time.Duration
		why        string // fragment; "" means the configured window is used
	}{
		{"default on a LAN", DefaultWindow, lan, DefaultWindow, ""},
		{"down to the floor on a LAN", ms(20), lan, ms(20), ""},
		{"below the floor", ms(10), lan, MinWindow, "raised from 10ms"},
		{"below four slowest round trips", ms(100), slow, ms(180), "4× the slowest of 6 round trips"},
		{"above them", ms(300), slow, ms(300), ""},
		{"nothing measured: never below the default", ms(20), prober.RTT{}, DefaultWindow, "no round trip measured"},
		{"nothing measured, a longer window", ms(500), prober.RTT{}, ms(500), ""},
	} {
		got, why := justifiedWindow(c.configured, c.rtt)
		if got != c.want || (c.why == "") != (why == "") || !strings.Contains(why, c.why) {
			t.Errorf("%s: window %s (%q), want %s (%q)", c.name, got, why, c.want, c.why)
		}
	}
}
