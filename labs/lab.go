package labs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cutover-net/cutover/internal/netns"
	"github.com/cutover-net/cutover/labs/emulator"
)

// DefaultRunBase is where labs keep their run directories.
const DefaultRunBase = "/run/cutover/labs"

// Lab is one local lab realised from a topology.
type Lab struct {
	Topo   *Topology
	Name   string // the lab's name: the topology's, unless overridden
	RunDir string
	// Progress, if set, receives one line per stage of Up and Down.
	Progress func(string)
	// EmulatorCommand, if set, is the command (argv prefix) that runs a
	// vendor switch emulator as a daemon, so it outlives this process
	// (`cutover lab emulate`). Unset, emulators run in this process.
	EmulatorCommand []string
	// EmulatorTimeScale shortens in-process emulators' revert timers
	// (tests); 0 is real time.
	EmulatorTimeScale float64

	inproc  []func() // stops in-process emulators
	emuMu   sync.Mutex
	servers map[string]*emulator.Server // in-process emulators by node
}

// New returns the lab for t. name overrides the topology's name when not
// empty (tests use it to run labs side by side); runBase defaults to
// DefaultRunBase.
func New(t *Topology, name, runBase string) (*Lab, error) {
	if name == "" {
		name = t.Name
	}
	if !labName.MatchString(name) {
		return nil, fmt.Errorf("lab name %q: want 1-24 characters [a-z0-9-]", name)
	}
	if runBase == "" {
		runBase = DefaultRunBase
	}
	return &Lab{Topo: t, Name: name, RunDir: filepath.Join(runBase, name)}, nil
}

// FabricNS is the namespace holding the lab's ovs-vswitchd and switch ports.
func (l *Lab) FabricNS() string { return "cutover-" + l.Name }

// NodeNS is the namespace of a linux node (containerlab's container name).
func (l *Lab) NodeNS(node string) string { return "clab-" + l.Name + "-" + node }

// DB is the OVSDB remote of the lab's switches.
func (l *Lab) DB() string { return "unix:" + filepath.Join(l.RunDir, "db.sock") }

func (l *Lab) progress(format string, a ...any) {
	if l.Progress != nil {
		l.Progress(fmt.Sprintf(format, a...))
	}
}

func (l *Lab) env() []string {
	return append(os.Environ(), "OVS_RUNDIR="+l.RunDir, "OVS_LOGDIR="+l.RunDir, "OVS_DBDIR="+l.RunDir)
}

// run executes a command and returns an error naming it, with its stderr.
func (l *Lab) run(ctx context.Context, name string, args ...string) error {
	_, err := l.output(ctx, name, args...)
	return err
}

func (l *Lab) output(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = l.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("lab %s: %s %s: %v: %s", l.Name, name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (l *Lab) vsctl(ctx context.Context, args ...string) error {
	return l.run(ctx, "ovs-vsctl", append([]string{"--db=" + l.DB(), "--timeout=20"}, args...)...)
}

// Requirements lists the programs a lab needs and the Debian package of each.
var Requirements = map[string]string{
	"ip": "iproute2", "ovsdb-tool": "openvswitch-common", "ovsdb-server": "openvswitch-switch",
	"ovs-vswitchd": "openvswitch-switch", "ovs-vsctl": "openvswitch-switch",
}

// CheckRequirements returns an error naming every missing program and its
// package, or the lack of root.
func CheckRequirements() error {
	var missing []string
	for prog, pkg := range Requirements {
		if _, err := exec.LookPath(prog); err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", prog, pkg))
		}
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("the local lab needs: %s", strings.Join(missing, ", ")))
	}
	if os.Geteuid() != 0 {
		errs = append(errs, errors.New("the local lab needs root (network namespaces, veth pairs, Open vSwitch)"))
	}
	return errors.Join(errs...)
}

// Up realises the lab. It is idempotent: a lab that is already up and
// healthy is left alone; a partial one is removed and built again. A failed
// Up removes what it created.
func (l *Lab) Up(ctx context.Context) (err error) {
	if err := CheckRequirements(); err != nil {
		return err
	}
	if st, serr := l.Status(ctx); serr == nil && st.Healthy {
		l.progress("lab %s is already up", l.Name)
		return nil
	}
	if err := l.Down(ctx); err != nil {
		return fmt.Errorf("removing the remains of an earlier lab %s: %w", l.Name, err)
	}
	defer func() {
		if err != nil {
			// Clean up with a fresh context: ctx may be the reason we failed.
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if derr := l.Down(cctx); derr != nil {
				err = errors.Join(err, fmt.Errorf("cleaning up after the failed start: %w", derr))
			}
		}
	}()
	if err := os.MkdirAll(l.RunDir, 0o750); err != nil {
		return err
	}
	if err := l.writeState(); err != nil {
		return err
	}
	l.progress("starting Open vSwitch (private ovsdb-server and ovs-vswitchd in %s)", l.FabricNS())
	if err := l.addNS(ctx, l.FabricNS()); err != nil {
		return err
	}
	if err := l.startOVS(ctx); err != nil {
		return err
	}
	nodes := l.Topo.Topology.Nodes
	for _, name := range l.Topo.NodeNames() {
		n := nodes[name]
		if n.IsSwitch() {
			l.progress("switch %s: OVS bridge (datapath netdev)", name)
			if err := l.vsctl(ctx, "add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev"); err != nil {
				return err
			}
			continue
		}
		l.progress("host %s: namespace %s", name, l.NodeNS(name))
		if err := l.addNS(ctx, l.NodeNS(name)); err != nil {
			return err
		}
	}
	for _, link := range l.Topo.Topology.Links {
		if err := l.addLink(ctx, link); err != nil {
			return err
		}
	}
	for _, name := range l.Topo.NodeNames() {
		n := nodes[name]
		for _, line := range n.Exec {
			argv, err := splitCommand(line)
			if err != nil || len(argv) == 0 {
				return fmt.Errorf("lab %s: node %s: exec %q: cannot split into a command", l.Name, name, line)
			}
			if n.IsSwitch() {
				return fmt.Errorf("lab %s: node %s: exec lines are supported on linux nodes only", l.Name, name)
			}
			if err := l.run(ctx, "ip", append([]string{"netns", "exec", l.NodeNS(name)}, argv...)...); err != nil {
				return fmt.Errorf("node %s: exec %q: %w", name, line, err)
			}
		}
	}
	if err := l.startEmulators(ctx); err != nil {
		return err
	}
	l.progress("lab %s is up", l.Name)
	return nil
}

func (l *Lab) addNS(ctx context.Context, ns string) error {
	if err := l.run(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	return l.run(ctx, "ip", "-n", ns, "link", "set", "lo", "up")
}

func (l *Lab) startOVS(ctx context.Context) error {
	db := filepath.Join(l.RunDir, "conf.db")
	schema, err := findSchema()
	if err != nil {
		return err
	}
	if err := l.run(ctx, "ovsdb-tool", "create", db, schema); err != nil {
		return err
	}
	if err := l.run(ctx, "ovsdb-server", db,
		"--remote=punix:"+filepath.Join(l.RunDir, "db.sock"),
		"--pidfile="+filepath.Join(l.RunDir, "ovsdb-server.pid"),
		"--unixctl="+filepath.Join(l.RunDir, "ovsdb-server.ctl"),
		"--log-file="+filepath.Join(l.RunDir, "ovsdb-server.log"),
		"--detach"); err != nil {
		return err
	}
	if err := l.vsctl(ctx, "--no-wait", "init"); err != nil {
		return err
	}
	return l.run(ctx, "ip", "netns", "exec", l.FabricNS(), "ovs-vswitchd", l.DB(),
		"--pidfile="+filepath.Join(l.RunDir, "ovs-vswitchd.pid"),
		"--unixctl="+filepath.Join(l.RunDir, "ovs-vswitchd.ctl"),
		"--log-file="+filepath.Join(l.RunDir, "ovs-vswitchd.log"),
		"--detach")
}

func findSchema() (string, error) {
	for _, p := range []string{"/usr/share/openvswitch/vswitch.ovsschema", "/usr/local/share/openvswitch/vswitch.ovsschema"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("vswitch.ovsschema not found (install openvswitch-switch)")
}

// addLink creates the veth pair for one link and attaches switch ends to
// their bridges: switch–switch and switch–probe links are trunks, other
// switch–host links are access ports in the host's cutover.vlan.
func (l *Lab) addLink(ctx context.Context, link Link) error {
	a, _ := ParseEndpoint(link.Endpoints[0])
	b, _ := ParseEndpoint(link.Endpoints[1])
	na, nb := l.Topo.Topology.Nodes[a.Node], l.Topo.Topology.Nodes[b.Node]
	if !na.IsSwitch() && nb.IsSwitch() {
		a, b, na, nb = b, a, nb, na
	}
	l.progress("link %s:%s <-> %s:%s", a.Node, a.Iface, b.Node, b.Iface)
	nsOf := func(e Endpoint, n *Node) (ns, dev string) {
		p, _ := l.Topo.Port(e)
		if n.IsSwitch() {
			return l.FabricNS(), p.OVS
		}
		return l.NodeNS(e.Node), p.Iface
	}
	nsA, devA := nsOf(a, na)
	nsB, devB := nsOf(b, nb)
	if err := l.run(ctx, "ip", "-n", nsA, "link", "add", devA, "type", "veth", "peer", "name", devB, "netns", nsB); err != nil {
		return err
	}
	for _, e := range []struct {
		e   Endpoint
		n   *Node
		ns  string
		dev string
	}{{a, na, nsA, devA}, {b, nb, nsB, devB}} {
		if e.n.IsSwitch() {
			var other *Node
			if e.e == a {
				other = nb
			} else {
				other = na
			}
			args := []string{"add-port", e.e.Node, e.dev}
			switch {
			case other.IsSwitch() || other.Trunked():
				args = append(args, "vlan_mode=trunk")
			default:
				vlan := DefaultVLAN
				if v, ok := other.Labels[LabelVLAN]; ok {
					vlan, _ = parseVLAN(v)
				}
				args = append(args, "tag="+strconv.Itoa(vlan))
			}
			if err := l.vsctl(ctx, args...); err != nil {
				return err
			}
		}
		if err := l.run(ctx, "ip", "-n", e.ns, "link", "set", e.dev, "up"); err != nil {
			return err
		}
	}
	return nil
}

type state struct {
	Name     string `json:"name"`
	Topology string `json:"topology"`
	Started  string `json:"started"`
}

func (l *Lab) statePath() string { return filepath.Join(l.RunDir, "lab.json") }

func (l *Lab) writeState() error {
	b, _ := json.MarshalIndent(state{Name: l.Name, Topology: l.Topo.File, Started: time.Now().UTC().Format(time.RFC3339)}, "", "  ")
	return os.WriteFile(l.statePath(), b, 0o640)
}

// Down removes everything the lab created: its processes, namespaces (and
// with them every veth), and run directory. It is safe to call on a lab that
// is partly or not at all up.
func (l *Lab) Down(ctx context.Context) error {
	var errs []error
	if err := l.stopEmulators(); err != nil {
		errs = append(errs, fmt.Errorf("lab %s: stopping emulators: %w", l.Name, err))
	}
	for _, p := range []string{"ovs-vswitchd", "ovsdb-server"} {
		if err := stopPidfile(filepath.Join(l.RunDir, p+".pid")); err != nil {
			errs = append(errs, fmt.Errorf("lab %s: stopping %s: %w", l.Name, p, err))
		}
	}
	namespaces := []string{l.FabricNS()}
	for _, name := range l.Topo.NodeNames() {
		if !l.Topo.Topology.Nodes[name].IsSwitch() {
			namespaces = append(namespaces, l.NodeNS(name))
		}
	}
	removed := 0
	for _, ns := range namespaces {
		if !netns.Exists(ns) {
			continue
		}
		if err := l.run(ctx, "ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	if err := os.RemoveAll(l.RunDir); err != nil {
		errs = append(errs, err)
	}
	if removed > 0 {
		l.progress("lab %s is down (%d namespaces removed)", l.Name, removed)
	}
	return errors.Join(errs...)
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z' && b[i+2] != 'X'
	}
	return true
}

// stopPidfile terminates the process named by a pidfile: SIGTERM, then
// SIGKILL after 3 s. A missing pidfile or dead process is not an error.
func stopPidfile(path string) error {
	pid, err := readPid(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	if !alive(pid) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !alive(pid) {
			return nil
		}
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	for i := 0; i < 100 && alive(pid); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// Exec runs argv inside a linux node's namespace, with stdin if given,
// and returns its standard output.
func (l *Lab) Exec(ctx context.Context, node string, stdin []byte, argv ...string) ([]byte, error) {
	n, ok := l.Topo.Topology.Nodes[node]
	if !ok || n.IsSwitch() {
		return nil, fmt.Errorf("lab %s: %s is not a linux node", l.Name, node)
	}
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.NodeNS(node)}, argv...)...)
	cmd.Env = l.env()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("lab %s: node %s: %s: %v: %s", l.Name, node, strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
