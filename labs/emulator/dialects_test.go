package emulator

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-net/cutover/labs/emulator/emuterm"
	"golang.org/x/crypto/ssh"
)

// memBackend is an in-memory switch: port -> access VLAN.
type memBackend struct {
	mu    sync.Mutex
	vlans map[string]int
}

func (b *memBackend) AccessVLAN(_ context.Context, port string) (int, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.vlans[port]
	if !ok {
		return 0, false, fmt.Errorf("no port %s", port)
	}
	return v, false, nil
}

func (b *memBackend) SetAccessVLAN(_ context.Context, port string, vlan int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.vlans[port] = vlan
	return nil
}

func (b *memBackend) MACTable(context.Context) ([]MACEntry, error) { return nil, nil }

func (b *memBackend) AccessVLANs(context.Context) (map[string]int, map[string]bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for p, v := range b.vlans {
		out[p] = v
	}
	return out, map[string]bool{}, nil
}

func (b *memBackend) SetAccessVLANs(_ context.Context, vlans map[string]int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for p, v := range vlans {
		b.vlans[p] = v
	}
	return nil
}

func (b *memBackend) vlan(port string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.vlans[port]
}

// lab is one emulated switch of a dialect on loopback, its clock 100
// times as fast (a minute lasts 0.6 s), ports p1-p3 in VLAN 10.
type lab struct {
	srv  *Server
	be   *memBackend
	addr string
}

func newLab(t *testing.T, dialect string, names ...string) *lab {
	t.Helper()
	be := &memBackend{vlans: map[string]int{"p1": 10, "p2": 10, "p3": 10}}
	var ifs []Interface
	for i, n := range names {
		ifs = append(ifs, Interface{Name: n, Short: n, Port: fmt.Sprintf("p%d", i+1)})
	}
	srv, err := New(dialect, Config{Hostname: "sw1", Username: "admin", Password: "pw", Interfaces: ifs, Backend: be, TimeScale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateVLANs(10, 20, 30)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &lab{srv: srv, be: be, addr: ln.Addr().String()}
}

// term is one interactive CLI session.
type term struct{ *emuterm.Term }

// prompts: IOS/EOS "host#", "host(config…)#"; Junos "admin@sw1> ", "admin@sw1# ";
// SR Linux "A:sw1# "; a question "(yes) ".
var prompt = regexp.MustCompile(`(?m)(^sw1(\([^)]*\))?# ?|admin@sw1[>#] |A:sw1# |\(yes\) )\z`)

func (l *lab) open(t *testing.T) *term {
	t.Helper()
	cfg := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("pw")}, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	return &term{emuterm.Dial(t, l.addr, cfg, prompt.Match)}
}

// run sends a line and returns the answer (without the echo and prompt).
func (tm *term) run(line string) string {
	out := strings.TrimLeft(tm.Send(line), " ") // the space after an AOS-CX prompt
	out = strings.TrimPrefix(out, line+"\r\n")
	out = strings.TrimSpace(strings.ReplaceAll(prompt.ReplaceAllString(out, ""), "\r\n", "\n"))
	out = strings.TrimSuffix(out, "[edit]") // Junos's banner before its prompt
	return strings.TrimSpace(strings.TrimSuffix(out, "--{ running }--[  ]--"))
}

// drop ends the connection without leaving any mode.
func (tm *term) drop() {
	tm.Close()
	time.Sleep(100 * time.Millisecond) // the server notices the drop
}

func waitVLAN(t *testing.T, be *memBackend, port string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for be.vlan(port) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s in VLAN %d, want %d", port, be.vlan(port), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Trials last 5 minutes of the switch's clock: 3 s, long enough for a
// loaded machine to read and confirm them before they run out.
const trialMinutes = 5

// stays checks that port keeps its VLAN past a trial's timer.
func stays(t *testing.T, be *memBackend, port string, want int) {
	t.Helper()
	time.Sleep(trialMinutes*600*time.Millisecond + 500*time.Millisecond)
	if got := be.vlan(port); got != want {
		t.Fatalf("%s in VLAN %d after the timer, want %d", port, got, want)
	}
}

func junosSet(port string, vlan int) string {
	return fmt.Sprintf("set interfaces %s unit 0 family ethernet-switching vlan members %d", port, vlan)
}

// TestJunosTrials: A1-A3 of the vendor evidence.
func TestJunosTrials(t *testing.T) {
	l := newLab(t, "juniper_junos", "ge-0/0/0", "ge-0/0/1", "ge-0/0/2")
	a := l.open(t)

	// No confirmed commit on a private copy, with the device's words.
	a.run("configure private")
	a.run(junosSet("ge-0/0/0", 20))
	if out := a.run("commit confirmed 1"); out != "error: commit confirmed not supported for private configuration" {
		t.Fatalf("private commit confirmed: %q", out)
	}
	a.run("rollback 0")
	a.run("exit configuration-mode")
	if l.be.vlan("p1") != 10 {
		t.Fatal("a refused commit changed the port")
	}

	// configure exclusive + commit confirmed: reverts (rollback 1) unless confirmed.
	trialOn := func(port string, vlan int) {
		t.Helper()
		a.run("configure exclusive")
		a.run("delete interfaces " + port + " unit 0 family ethernet-switching vlan members")
		a.run(junosSet(port, vlan))
		if out := a.run(fmt.Sprintf("commit confirmed %d", trialMinutes)); !strings.Contains(out, fmt.Sprintf("rolled back in %d minutes unless confirmed", trialMinutes)) {
			t.Fatalf("commit confirmed: %q", out)
		}
		a.run("exit configuration-mode")
	}
	trialOn("ge-0/0/0", 20)
	if h := a.run("show system commit"); !regexp.MustCompile(`(?m)^0\s+\S+ \S+ UTC by admin via cli commit confirmed, rollback in 5mins$`).MatchString(h) {
		t.Fatalf("history: %q", h)
	}
	waitVLAN(t, l.be, "p1", 10)
	if h := a.run("show system commit"); !strings.Contains(strings.Split(h, "\n")[0], "by root via other") {
		t.Fatalf("no rollback entry: %q", h)
	}

	// An empty private commit from a new session commits nothing and so
	// does not confirm.
	trialOn("ge-0/0/0", 20)
	b := l.open(t)
	b.run("configure private")
	if out := b.run("commit and-quit"); !strings.Contains(out, "commit complete") {
		t.Fatalf("empty private commit: %q", out)
	}
	waitVLAN(t, l.be, "p1", 10)

	// A plain commit on the shared candidate from a new session confirms;
	// so does commit check.
	for _, confirm := range []string{"commit", "commit check"} {
		trialOn("ge-0/0/0", 20)
		c := l.open(t)
		c.run("configure")
		if out := c.run(confirm); strings.Contains(out, "error") {
			t.Fatalf("%s: %q", confirm, out)
		}
		c.run("exit configuration-mode")
		if p, _ := l.srv.PendingTrial(); p {
			t.Fatalf("%s did not confirm", confirm)
		}
		stays(t, l.be, "p1", 20)
		a.run("configure exclusive")
		a.run(junosSet("ge-0/0/0", 10))
		a.run("delete interfaces ge-0/0/0 unit 0 family ethernet-switching vlan members")
		a.run(junosSet("ge-0/0/0", 10))
		a.run("commit and-quit")
	}

	// rollback 1 + commit cancels at once.
	trialOn("ge-0/0/1", 30)
	c := l.open(t)
	c.run("configure exclusive")
	if out := c.run("rollback 1"); out != "load complete" {
		t.Fatalf("rollback 1: %q", out)
	}
	if out := c.run("show | compare"); !strings.Contains(out, "-       members v30;") || !strings.Contains(out, "+       members v10;") {
		t.Fatalf("compare: %q", out)
	}
	c.run("commit")
	c.run("exit configuration-mode")
	if p, _ := l.srv.PendingTrial(); p || l.be.vlan("p2") != 10 {
		t.Fatalf("cancel: pending %v, p2 in %d", p, l.be.vlan("p2"))
	}
}

// TestJunosConfigureForms: the shared candidate, its lock, and what each
// form leaves behind when its session ends.
func TestJunosConfigureForms(t *testing.T) {
	l := newLab(t, "juniper_junos", "ge-0/0/0", "ge-0/0/1", "ge-0/0/2")
	a, b := l.open(t), l.open(t)
	a.run("configure exclusive")
	if out := b.run("configure exclusive"); !strings.Contains(out, "locked") {
		t.Fatalf("second exclusive: %q", out)
	}
	b.run("configure")
	if out := b.run(junosSet("ge-0/0/1", 20)); !strings.Contains(out, "locked") {
		t.Fatalf("edit under another's lock: %q", out)
	}
	b.run("exit configuration-mode")
	a.run(junosSet("ge-0/0/0", 20))
	// quit with uncommitted changes asks; the default discards.
	if out := a.run("quit"); !strings.HasSuffix(out, "Discard uncommitted changes? [yes,no]") {
		t.Fatalf("quit: %q", out)
	}
	if out := a.run(""); !strings.Contains(out, "discarding uncommitted changes") {
		t.Fatalf("answer: %q", out)
	}
	// A dropped exclusive session discards its changes and its lock.
	c := l.open(t)
	c.run("configure exclusive")
	c.run(junosSet("ge-0/0/0", 20))
	c.drop()
	b.run("configure")
	if out := b.run("show | compare"); out != "[edit]" && out != "" {
		t.Fatalf("after a dropped exclusive session: %q", out)
	}
	// Plain configure leaves its changes in the shared candidate, which
	// blocks private mode and is committed by the next commit.
	b.run("delete interfaces ge-0/0/2 unit 0 family ethernet-switching vlan members")
	b.run(junosSet("ge-0/0/2", 30))
	b.drop()
	d := l.open(t)
	if out := d.run("configure private"); !strings.Contains(out, "error") {
		t.Fatalf("private over a modified shared candidate: %q", out)
	}
	d.run("configure")
	if out := d.run("show | compare"); !strings.Contains(out, "+       members v30;") {
		t.Fatalf("the shared change is gone: %q", out)
	}
	d.run("commit and-quit")
	if l.be.vlan("p3") != 30 {
		t.Fatal("the shared candidate was not committed")
	}
}

// TestIOSRevertTimer: A4 and issue 15's emulator bullet.
func TestIOSRevertTimer(t *testing.T) {
	l := newLab(t, "cisco_iosxe", "Gi1/0/1", "Gi1/0/2", "Gi1/0/3")
	a, b := l.open(t), l.open(t)
	if out := b.run("show archive config rollback timer"); out != "%No Rollback Confirmed Change pending" {
		t.Fatalf("nothing pending: %q", out)
	}
	a.run("configure terminal revert timer 5")
	// Armed on entering configuration mode, before any line or `end`.
	if out := b.run("show archive config rollback timer"); !strings.Contains(out, "Timer value: 5 min") || !strings.Contains(out, "User: admin") {
		t.Fatalf("pending: %q", out)
	}
	a.run("interface Gi1/0/1")
	a.run("switchport access vlan 20")
	a.drop() // the session is lost mid-batch
	b.run("configure terminal")
	b.run("interface Gi1/0/3")
	b.run("switchport access vlan 30")
	b.run("end")
	// Everything since the archive is rolled back, the other session's
	// change included.
	waitVLAN(t, l.be, "p1", 10)
	waitVLAN(t, l.be, "p3", 10)
	if out := b.run("configure confirm"); out != "%No Rollback Confirmed Change pending" {
		t.Fatalf("a late confirm: %q", out)
	}

	// configure confirm from another session keeps the change.
	c := l.open(t)
	c.run("configure terminal revert timer 5")
	c.run("interface Gi1/0/2")
	c.run("switchport access vlan 20")
	c.run("end")
	if out := b.run("configure confirm"); out != "" {
		t.Fatalf("confirm: %q", out)
	}
	stays(t, l.be, "p2", 20)

	// configure revert now rolls back at once.
	c.run("configure terminal revert timer 5")
	c.run("interface Gi1/0/2")
	c.run("switchport access vlan 30")
	c.run("end")
	if out := b.run("configure revert now"); !strings.Contains(out, "Rollback Done") || l.be.vlan("p2") != 20 {
		t.Fatalf("revert now: %q, p2 in %d", out, l.be.vlan("p2"))
	}

	// Without the archive the revert timer is refused and the session
	// stays at the exec prompt.
	b.run("configure terminal")
	b.run("no archive")
	b.run("end")
	if out := b.run("show archive"); !strings.Contains(out, "Archive feature not enabled") {
		t.Fatalf("show archive: %q", out)
	}
	if out := b.run("configure terminal revert timer 5"); !strings.Contains(out, "Turn config archive on") {
		t.Fatalf("revert timer without archive: %q", out)
	}
	if out := b.run("interface Gi1/0/1"); !strings.Contains(out, "Invalid input") {
		t.Fatalf("configuration mode entered without the archive: %q", out)
	}
}

// TestEOSSessions: A6.
func TestEOSSessions(t *testing.T) {
	l := newLab(t, "arista_eos", "Ethernet1", "Ethernet2", "Ethernet3")
	a := l.open(t)
	a.run("configure session s1")
	a.run("interface Ethernet1")
	a.run("switchport access vlan 20")
	a.drop()
	b := l.open(t)
	if out := b.run("show configuration sessions | json"); !strings.Contains(out, `"s1": {`) || !strings.Contains(out, `"state": "pending"`) {
		t.Fatalf("a dropped session: %q", out)
	}
	// Another change on the switch; then the stale session is entered
	// again and committed: its old copy overwrites that change.
	b.run("configure terminal")
	b.run("interface Ethernet3")
	b.run("switchport access vlan 30")
	b.run("end")
	b.run("configure session s1")
	b.run("commit")
	if l.be.vlan("p1") != 20 || l.be.vlan("p3") != 10 {
		t.Fatalf("stale session commit: p1 %d (want 20, its old line), p3 %d (want 10: overwritten)", l.be.vlan("p1"), l.be.vlan("p3"))
	}
	// The pool of pending sessions is limited.
	for i := range eosMaxPending {
		b.run(fmt.Sprintf("configure session x%d", i))
		b.run("end")
	}
	if out := b.run("configure session one-too-many"); !strings.Contains(out, "Maximum number of pending sessions") {
		t.Fatalf("session pool: %q", out)
	}
	for i := range eosMaxPending {
		b.run(fmt.Sprintf("configure session x%d abort", i))
	}
	// commit timer: reverts, or is committed or aborted from another session.
	timed := func(name string) {
		b.run("configure session " + name)
		b.run("interface Ethernet2")
		b.run("switchport access vlan 30")
		b.run("commit timer 00:05:00")
		if out := b.run("show configuration sessions | json"); !strings.Contains(out, `"state": "pendingCommitTimer"`) {
			t.Fatalf("commit timer: %q", out)
		}
	}
	timed("t1")
	waitVLAN(t, l.be, "p2", 10)
	timed("t2")
	c := l.open(t)
	c.run("configure session t2 commit")
	stays(t, l.be, "p2", 30)
	b.run("configure session t3")
	b.run("interface Ethernet2")
	b.run("switchport access vlan 20")
	b.run("commit timer 00:05:00")
	c.run("configure session t3 abort")
	if l.be.vlan("p2") != 30 {
		t.Fatalf("abort of a timed session: p2 in %d, want 30", l.be.vlan("p2"))
	}
}

// TestSRLCandidates: section C of the vendor evidence.
func TestSRLCandidates(t *testing.T) {
	l := newLab(t, "nokia_srl", "ethernet-1/1", "ethernet-1/2", "ethernet-1/3")
	a := l.open(t)
	a.run("enter candidate private")
	a.run("delete / network-instance mac-vrf-10 interface ethernet-1/1.0")
	a.run("set / network-instance mac-vrf-20 interface ethernet-1/1.0")
	a.drop()
	// private-<user> is shared: the next session of the user commits the
	// lost batch with its own.
	b := l.open(t)
	b.run("enter candidate private")
	b.run("commit now")
	if l.be.vlan("p1") != 20 {
		t.Fatalf("the private candidate did not outlive its session: p1 in %d", l.be.vlan("p1"))
	}
	// A confirmed commit keeps the candidate open; nothing discards it or
	// commits over it until it is accepted or rejected.
	b.run("enter candidate private name n1")
	b.run("delete / network-instance mac-vrf-10 interface ethernet-1/2.0")
	b.run("set / network-instance mac-vrf-30 interface ethernet-1/2.0")
	b.run("commit confirmed timeout 300")
	c := l.open(t)
	if out := c.run("info from state system configuration commit * | as json"); !strings.Contains(out, `"status": "unconfirmed"`) {
		t.Fatalf("commit state: %q", out)
	}
	if out := b.run("discard now"); !strings.HasPrefix(out, "Error") {
		t.Fatalf("discard of a held candidate: %q", out)
	}
	c.run("enter candidate private name n2")
	c.run("delete / network-instance mac-vrf-10 interface ethernet-1/3.0")
	c.run("set / network-instance mac-vrf-20 interface ethernet-1/3.0")
	if out := c.run("commit now"); !strings.HasPrefix(out, "Error") {
		t.Fatalf("commit while another is unconfirmed: %q", out)
	}
	c.run("discard now")
	if out := c.run("tools system configuration confirmed-reject"); !strings.Contains(out, "rejected") || l.be.vlan("p2") != 10 {
		t.Fatalf("reject: %q, p2 in %d", out, l.be.vlan("p2"))
	}
	b.run("discard now")
	if got := l.srv.SRLCandidates(); len(got) != 0 {
		t.Fatalf("candidates left: %v", got)
	}
}
