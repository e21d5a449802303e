package labs

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// PortTag reads a switch port's access VLAN straight from the lab's OVSDB,
// independently of any driver: the peer a driver's changes are checked
// against. It returns "" for a port without a tag.
func (l *Lab) PortTag(ctx context.Context, port string) (string, error) {
	out, err := l.output(ctx, "ovs-vsctl", "--db="+l.DB(), "--timeout=5", "get", "Port", port, "tag")
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(out))
	if v == "[]" {
		return "", nil
	}
	return v, nil
}

// SetPortTag sets a port's access VLAN behind every driver's back (tests
// use it to simulate someone else changing the switch).
func (l *Lab) SetPortTag(ctx context.Context, port, vlan string) error {
	return l.vsctl(ctx, "set", "Port", port, "tag="+vlan)
}

// PortMonitor records every committed state of every port of the lab's
// OVSDB (via ovsdb-client monitor), as the set of VLANs the port carried.
type PortMonitor struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	history map[string][][]string
	ready   chan struct{}
	once    sync.Once
}

// MonitorPorts starts recording. It returns once the initial state is in.
func (l *Lab) MonitorPorts(ctx context.Context) (*PortMonitor, error) {
	mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cmd := exec.CommandContext(mctx, "ovsdb-client", "--format=json", "monitor", l.DB(), "Open_vSwitch", "Port", "name,tag,trunks,vlan_mode")
	cmd.Env = l.env()
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("lab %s: ovsdb-client monitor: %w", l.Name, err)
	}
	m := &PortMonitor{cmd: cmd, cancel: cancel, done: make(chan struct{}), history: map[string][][]string{}, ready: make(chan struct{})}
	go func() {
		defer close(m.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			m.update(sc.Bytes())
		}
		m.once.Do(func() { close(m.ready) })
		_ = cmd.Wait()
	}()
	select {
	case <-m.ready:
		return m, nil
	case <-ctx.Done():
		m.Close()
		return nil, ctx.Err()
	}
}

func (m *PortMonitor) update(line []byte) {
	var t struct {
		Data     [][]json.RawMessage `json:"data"`
		Headings []string            `json:"headings"`
	}
	if json.Unmarshal(line, &t) != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, row := range t.Data {
		r := map[string]json.RawMessage{}
		for i, h := range t.Headings {
			if i < len(row) {
				r[h] = row[i]
			}
		}
		var action string
		json.Unmarshal(r["action"], &action)
		if action != "initial" && action != "new" && action != "insert" {
			continue
		}
		var name string
		json.Unmarshal(r["name"], &name)
		m.history[name] = append(m.history[name], memberships(r["tag"], r["trunks"], r["vlan_mode"]))
	}
	m.once.Do(func() { close(m.ready) })
}

// memberships returns the VLANs a port carries: its tag plus its trunks,
// or "all" for a trunk without a VLAN list.
func memberships(tag, trunks, mode json.RawMessage) []string {
	var set []string
	var n float64
	if json.Unmarshal(tag, &n) == nil {
		set = append(set, strconv.Itoa(int(n)))
	}
	var tr []any
	if json.Unmarshal(trunks, &tr) == nil && len(tr) == 2 {
		if items, ok := tr[1].([]any); ok {
			for _, it := range items {
				if f, ok := it.(float64); ok {
					set = append(set, strconv.Itoa(int(f)))
				}
			}
		}
	} else if json.Unmarshal(trunks, &n) == nil {
		set = append(set, strconv.Itoa(int(n)))
	}
	if len(set) == 0 {
		set = []string{"all"}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// History returns every VLAN set the port has been seen with, in order.
func (m *PortMonitor) History(port string) [][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.history[port])
}

// Close stops recording.
func (m *PortMonitor) Close() {
	m.cancel()
	<-m.done
}
