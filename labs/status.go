package labs

import (
	"context"
	"path/filepath"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/ovs"
)

// Status is what `cutover lab status` reports.
type Status struct {
	Name      string          `json:"name"`
	Topology  string          `json:"topology"`
	RunDir    string          `json:"run_dir"`
	DB        string          `json:"db"`
	Healthy   bool            `json:"healthy"`
	Processes []ProcessStatus `json:"processes"`
	Nodes     []NodeStatus    `json:"nodes"`
}

// ProcessStatus is one of the lab's daemons.
type ProcessStatus struct {
	Name    string `json:"name"`
	PID     int    `json:"pid,omitempty"`
	Running bool   `json:"running"`
}

// NodeStatus is one node: a namespace or a bridge with its ports.
type NodeStatus struct {
	Name      string                    `json:"name"`
	Kind      string                    `json:"kind"`
	Role      string                    `json:"role,omitempty"`
	Namespace string                    `json:"namespace,omitempty"`
	SSH       string                    `json:"ssh,omitempty"` // emulated CLI address
	Present   bool                      `json:"present"`
	Ports     []switchdrivers.PortState `json:"ports,omitempty"`
}

// Status reads the lab's live state. Healthy means every process runs and
// every namespace and bridge exists.
func (l *Lab) Status(ctx context.Context) (*Status, error) {
	st := &Status{Name: l.Name, Topology: l.Topo.File, RunDir: l.RunDir, DB: l.DB(), Healthy: true}
	for _, p := range []string{"ovsdb-server", "ovs-vswitchd"} {
		pid, _ := readPid(filepath.Join(l.RunDir, p+".pid"))
		ps := ProcessStatus{Name: p, PID: pid, Running: alive(pid)}
		st.Healthy = st.Healthy && ps.Running
		st.Processes = append(st.Processes, ps)
	}
	if !netns.Exists(l.FabricNS()) {
		st.Healthy = false
	}
	for _, name := range l.Topo.NodeNames() {
		n := l.Topo.Topology.Nodes[name]
		ns := NodeStatus{Name: name, Kind: n.Kind, Role: n.Labels[LabelRole]}
		if n.IsSwitch() {
			if n.Dialect() != "" {
				ns.SSH = l.EmulatorAddr(name)
				st.Healthy = st.Healthy && l.emulatorRunning(name)
			}
			if st.Processes[0].Running {
				d, err := ovs.Open(switchdrivers.Config{Name: name, Address: l.DB(), Options: map[string]string{"timeout": "2s"}})
				if err == nil {
					ns.Ports, err = d.Ports(ctx)
					ns.Present = err == nil
				}
			}
		} else {
			ns.Namespace = l.NodeNS(name)
			ns.Present = netns.Exists(ns.Namespace)
		}
		st.Healthy = st.Healthy && ns.Present
		st.Nodes = append(st.Nodes, ns)
	}
	return st, nil
}
