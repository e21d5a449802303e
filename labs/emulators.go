package labs

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cutover-net/cutover/labs/emulator"
	"golang.org/x/crypto/ssh"
)

// EmulatorFiles are where a node's emulator keeps its state.
func (l *Lab) emuPath(node, ext string) string {
	return filepath.Join(l.RunDir, "emulator-"+node+"."+ext)
}

// KnownHosts is the known_hosts file listing the lab's emulated switches.
func (l *Lab) KnownHosts() string { return filepath.Join(l.RunDir, "known_hosts") }

// EmulatorAddr returns the SSH address of an emulated switch ("" if none).
func (l *Lab) EmulatorAddr(node string) string {
	b, err := os.ReadFile(l.emuPath(node, "addr"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// EmulatorSNMPAddr is the UDP address (host:port) of a node's emulated
// SNMP agent, whose community is the node's password.
func (l *Lab) EmulatorSNMPAddr(node string) string {
	b, err := os.ReadFile(l.emuPath(node, "snmp"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Env returns the variables an inventory of this lab uses:
// CUTOVER_LAB_DIR, CUTOVER_LAB_PROBE_NETNS (the namespace of the first
// node labelled as the probe host, for guard.netns) and, per emulated
// switch, CUTOVER_LAB_<NODE>_ADDR (SSH) and CUTOVER_LAB_<NODE>_SNMP (UDP).
func (l *Lab) Env() map[string]string {
	env := map[string]string{LabDirEnv: l.RunDir}
	for _, name := range l.Topo.NodeNames() {
		if _, set := env[ProbeNetnsEnv]; !set && l.Topo.Topology.Nodes[name].Trunked() {
			env[ProbeNetnsEnv] = l.NodeNS(name)
		}
		if l.Topo.Topology.Nodes[name].Dialect() != "" {
			prefix := "CUTOVER_LAB_" + strings.ToUpper(strings.NewReplacer("-", "_").Replace(name))
			env[prefix+"_ADDR"] = l.EmulatorAddr(name)
			env[prefix+"_SNMP"] = l.EmulatorSNMPAddr(name)
		}
	}
	return env
}

// RunEmulator serves the emulated CLI of a vendor switch node on loopback
// until ctx ends. Its host key persists in the run directory; its address
// is written there and the lab's known_hosts file is rewritten.
func (l *Lab) RunEmulator(ctx context.Context, node string) error {
	n, ok := l.Topo.Topology.Nodes[node]
	if !ok || n.Dialect() == "" {
		return fmt.Errorf("lab %s: node %s is not an emulated switch", l.Name, node)
	}
	ifaces, err := l.EmulatedInterfaces(node)
	if err != nil {
		return err
	}
	key, err := l.hostKey(node)
	if err != nil {
		return err
	}
	password := n.Labels[LabelPassword]
	if password == "" {
		password = DefaultPassword
	}
	srv, err := emulator.New(n.Dialect(), emulator.Config{Hostname: node, Username: "admin", Password: password, Community: password,
		Interfaces: ifaces, Backend: OVSBackend{Lab: l}, HostKey: key, TimeScale: l.EmulatorTimeScale})
	if err != nil {
		return err
	}
	if vl := n.Labels[LabelVLANs]; vl != "" {
		ids, err := parseVLANList(vl)
		if err != nil {
			return fmt.Errorf("lab %s: node %s: label %s: %w", l.Name, node, LabelVLANs, err)
		}
		srv.CreateVLANs(ids...)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return err
	}
	go srv.ServeSNMP(ctx, pc)
	l.emuMu.Lock()
	if l.servers == nil {
		l.servers = map[string]*emulator.Server{}
	}
	l.servers[node] = srv
	l.emuMu.Unlock()
	// The SNMP address, the SSH address, known_hosts, and last the
	// ready mark startEmulators waits for: a caller never sees a switch
	// whose host key is not listed yet.
	for _, f := range []struct{ ext, text string }{{"snmp", pc.LocalAddr().String()}, {"addr", ln.Addr().String()}} {
		if err := os.WriteFile(l.emuPath(node, f.ext), []byte(f.text+"\n"), 0o640); err != nil {
			ln.Close()
			return err
		}
	}
	if err := l.writeKnownHosts(); err != nil {
		ln.Close()
		return err
	}
	if err := os.WriteFile(l.emuPath(node, "ready"), nil, 0o640); err != nil {
		ln.Close()
		return err
	}
	return srv.Serve(ctx, ln)
}

// Emulator returns the in-process emulator of a node (nil for daemons or
// plain OVS), for tests that inject faults.
func (l *Lab) Emulator(node string) *emulator.Server {
	l.emuMu.Lock()
	defer l.emuMu.Unlock()
	return l.servers[node]
}

func (l *Lab) hostKey(node string) (ssh.Signer, error) {
	path := l.emuPath(node, "key")
	if b, err := os.ReadFile(path); err == nil {
		return ssh.ParsePrivateKey(b)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "cutover lab "+l.Name+" "+node)
	if err != nil {
		return nil, err
	}
	pemBytes := pemEncode(block.Type, block.Bytes)
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

// writeKnownHosts lists every running emulator of the lab.
func (l *Lab) writeKnownHosts() error {
	var lines []string
	for _, name := range l.Topo.NodeNames() {
		addr := l.EmulatorAddr(name)
		if addr == "" {
			continue
		}
		key, err := l.hostKey(name)
		if err != nil {
			return err
		}
		host, port, _ := net.SplitHostPort(addr)
		lines = append(lines, fmt.Sprintf("[%s]:%s %s", host, port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key.PublicKey())))))
	}
	sort.Strings(lines)
	tmp := l.KnownHosts() + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, l.KnownHosts())
}

// startEmulators starts an emulator for every vendor switch node: as a
// daemon when EmulatorCommand is set (so it outlives `cutover lab up`),
// else in this process until Down.
func (l *Lab) startEmulators(ctx context.Context) error {
	for _, name := range l.Topo.NodeNames() {
		if l.Topo.Topology.Nodes[name].Dialect() == "" {
			continue
		}
		l.progress("switch %s: emulated %s CLI over SSH", name, l.Topo.Topology.Nodes[name].Dialect())
		os.Remove(l.emuPath(name, "ready")) // from an earlier start
		if len(l.EmulatorCommand) > 0 {
			if err := l.spawnEmulator(name); err != nil {
				return err
			}
		} else {
			ectx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			done := make(chan struct{})
			go func() { defer close(done); l.RunEmulator(ectx, name) }()
			l.inproc = append(l.inproc, func() { cancel(); <-done })
		}
		deadline := time.Now().Add(10 * time.Second)
		for !fileExists(l.emuPath(name, "ready")) {
			if time.Now().After(deadline) {
				return fmt.Errorf("lab %s: the emulator of %s did not start (see %s)", l.Name, name, l.emuPath(name, "log"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

func (l *Lab) spawnEmulator(node string) error {
	logf, err := os.Create(l.emuPath(node, "log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	args := append(append([]string{}, l.EmulatorCommand[1:]...), "--topology", l.Topo.File, "--name", l.Name, "--run-dir", filepath.Dir(l.RunDir), "--node", node)
	cmd := exec.Command(l.EmulatorCommand[0], args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("lab %s: starting the emulator of %s: %w", l.Name, node, err)
	}
	if err := os.WriteFile(l.emuPath(node, "pid"), []byte(fmt.Sprint(cmd.Process.Pid)), 0o640); err != nil {
		return err
	}
	go cmd.Wait() // reap it if it ends while we run
	return nil
}

// stopEmulators stops daemons (by pidfile) and in-process emulators.
func (l *Lab) stopEmulators() error {
	var errs []error
	for _, stop := range l.inproc {
		stop()
	}
	l.inproc = nil
	pids, _ := filepath.Glob(filepath.Join(l.RunDir, "emulator-*.pid"))
	for _, p := range pids {
		if err := stopPidfile(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// emulatorRunning reports whether a node's emulator answers.
func (l *Lab) emulatorRunning(node string) bool {
	addr := l.EmulatorAddr(node)
	if addr == "" {
		return false
	}
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func pemEncode(typ string, b []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
