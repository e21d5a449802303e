// Package emulator is the lab's switch emulator: an SSH server that speaks
// a vendor's CLI dialect well enough for cutover's drivers and for people
// — prompts and modes, the show commands the drivers read (in the real
// devices' formats), configuration commands and the platform's error
// messages — and whose configuration changes move Open vSwitch port tags,
// so a driver under test moves real traffic.
//
// Faults can be injected: a rejected command, a session dropped in the
// middle of a batch, slow answers, refused authentication, extra rows in
// a show command's output, another user's change at a given line.
package emulator

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Interface is one emulated switch port.
type Interface struct {
	Name  string // the vendor's full name, e.g. GigabitEthernet1/0/1
	Short string // the abbreviation show commands print, e.g. Gi1/0/1
	Port  string // the backend's (OVS) port
}

// Backend holds the state the emulator shows and changes.
type Backend interface {
	// AccessVLAN reads a port's access VLAN; trunk reports a trunk port.
	AccessVLAN(ctx context.Context, port string) (vlan int, trunk bool, err error)
	// SetAccessVLAN moves a port to an access VLAN.
	SetAccessVLAN(ctx context.Context, port string, vlan int) error
	// MACTable lists learned MACs (aa:bb:cc:dd:ee:ff) with VLAN and port.
	MACTable(ctx context.Context) ([]MACEntry, error)
}

// BulkBackend is an optional capability of a Backend: every port's access
// VLAN in one read (trunks reported apart), so show commands over many
// ports cost one backend call.
type BulkBackend interface {
	AccessVLANs(ctx context.Context) (vlans map[string]int, trunks map[string]bool, err error)
	// SetAccessVLANs moves several ports in one backend transaction (a
	// transactional platform's commit).
	SetAccessVLANs(ctx context.Context, vlans map[string]int) error
}

// setAccessVLANs moves ports together: in one transaction where the
// backend can, else one by one.
func (s *Server) setAccessVLANs(ctx context.Context, vlans map[string]int) error {
	if bb, ok := s.cfg.Backend.(BulkBackend); ok {
		return bb.SetAccessVLANs(ctx, vlans)
	}
	for port, v := range vlans {
		if err := s.cfg.Backend.SetAccessVLAN(ctx, port, v); err != nil {
			return err
		}
	}
	return nil
}

// accessVLAN reads one port, from a bulk read when the caller has one.
func (s *Server) accessVLAN(ctx context.Context, bulk map[string]int, trunks map[string]bool, port string) (int, bool, error) {
	if bulk != nil {
		if trunks[port] {
			return 0, true, nil
		}
		if v, ok := bulk[port]; ok {
			return v, false, nil
		}
	}
	return s.cfg.Backend.AccessVLAN(ctx, port)
}

// readAll reads every port at once where the backend can (nil maps otherwise).
func (s *Server) readAll(ctx context.Context) (map[string]int, map[string]bool) {
	if bb, ok := s.cfg.Backend.(BulkBackend); ok {
		if v, t, err := bb.AccessVLANs(ctx); err == nil {
			return v, t
		}
	}
	return nil, nil
}

// MACEntry is one learned MAC address.
type MACEntry struct {
	MAC  string
	VLAN int
	Port string
}

// Faults configures injected faults. Zero values inject nothing.
type Faults struct {
	RejectCommand string        // a command containing this is refused with the dialect's error
	DropAfter     int           // drop the session after this many configuration commands
	Delay         time.Duration // before every answer
	RefuseAuth    bool
	// Mute: once a line being typed contains this, the switch goes
	// silent — the line's echo is lost, no answer, no prompt — and keeps
	// the session open.
	Mute string
	// Meanwhile, if set, runs before the switch answers a line containing
	// MeanwhileAt: what another user or process does on the switch at
	// that moment (a change of its own), given the server.
	MeanwhileAt string
	Meanwhile   func(srv *Server)
	// ExtraRows add lines to show commands' outputs, and to SR Linux's
	// `info` reads (a row a parser may not read: a Fibre-Channel port,
	// free text, a garbled line, a JSON entry of the wrong shape).
	ExtraRows []ExtraRow
}

// ExtraRow adds Row to the output of every show command typed as
// Command (or longer): after the output's line After (1-based; the
// output's first lines are its header), or at its end when it is shorter.
type ExtraRow struct {
	Command string
	After   int
	Row     string
}

// inject adds the rows of faults that apply to the output of line.
func (f Faults) inject(line, out string) string {
	for _, x := range f.ExtraRows {
		if !strings.HasPrefix(line, x.Command) {
			continue
		}
		lines := strings.Split(out, "\n")
		at := min(x.After, len(lines))
		out = strings.Join(append(lines[:at:at], append([]string{x.Row}, lines[at:]...)...), "\n")
	}
	return out
}

// Config configures a Server.
type Config struct {
	Hostname   string
	Username   string
	Password   string
	Interfaces []Interface
	Backend    Backend
	// HostKey signs the server's identity; nil generates one.
	HostKey ssh.Signer
	Faults  Faults
	// TimeScale shortens revert timers for tests (0.01: a minute lasts
	// 0.6 s); 0 means real time.
	TimeScale float64
	// Community is the SNMPv2c community ServeSNMP answers; empty: none.
	Community string
}

// Server is one emulated switch.
type Server struct {
	cfg      Config
	dialect  dialect
	sessions atomic.Int64
	mu       sync.Mutex
	faults   Faults
	vlans    map[int]bool
	desc     map[string]string
	log      []string // configuration commands received, in order
	received []string // every line received, in order (Received)
	trial    *trial   // a configuration applied on trial, awaiting confirmation
	born     time.Time
	archive  bool // IOS-XE: the configuration archive is configured

	junos junosState
	eos   eosState
	srl   srlState
	nxos  nxosState
	aoscx aoscxState

	snmpFaults SNMPFaults
	setPDUs    atomic.Int64
	saves      atomic.Int64
	copies     map[int]int // ccCopyTable rows: row -> ccCopyState
	pvids      map[int]pvidRecord
	conns      map[net.Conn]struct{} // open SSH connections (DropConnections)
}

// sessionEnder is a dialect with state to settle when a CLI session
// ends, however it ends.
type sessionEnder interface{ end(s *session) }

type dialect interface {
	prompt(s *session) string
	// exec runs one non-empty line (f are its words).
	exec(s *session, line string, f []string) (out string, closeSession bool)
	// invalid is the answer to a command the dialect refuses.
	invalid(line string) string
}

// New returns a server for a dialect ("cisco_iosxe").
func New(dialectName string, cfg Config) (*Server, error) {
	s := &Server{cfg: cfg, faults: cfg.Faults, vlans: map[int]bool{1: true}, desc: map[string]string{}, copies: map[int]int{}, pvids: map[int]pvidRecord{},
		born: time.Now(), archive: true}
	switch dialectName {
	case "cisco_iosxe":
		s.dialect = iosxe{}
	case "arista_eos":
		s.dialect = eos{}
	case "cisco_nxos":
		s.dialect = nxos{}
	case "juniper_junos":
		s.dialect = junos{}
	case "aruba_aoscx":
		s.dialect = aoscx{}
	case "nokia_srl":
		s.dialect = srl{}
	default:
		return nil, fmt.Errorf("emulator: dialect %q is not emulated (known: arista_eos, aruba_aoscx, cisco_iosxe, cisco_nxos, juniper_junos, nokia_srl)", dialectName)
	}
	if cfg.Backend == nil || len(cfg.Interfaces) == 0 {
		return nil, errors.New("emulator: a backend and interfaces are required")
	}
	if s.cfg.HostKey == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		if s.cfg.HostKey, err = ssh.NewSignerFromKey(priv); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// HostKey is the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.cfg.HostKey.PublicKey() }

// KnownHostsLine returns the known_hosts line for addr (host:port).
func (s *Server) KnownHostsLine(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if port != "22" {
		host = "[" + host + "]:" + port
	}
	return host + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.HostKey())))
}

// WriteKnownHosts writes a known_hosts file for addr.
func (s *Server) WriteKnownHosts(path, addr string) error {
	return os.WriteFile(path, []byte(s.KnownHostsLine(addr)+"\n"), 0o600)
}

// Sessions is the number of shell sessions opened so far.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }

// SetFaults changes the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// ConfigLog returns the configuration commands received so far.
func (s *Server) ConfigLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Received returns every non-empty line received so far, from every
// session, in order: reads and the client's session set-up included.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// Serve accepts SSH connections on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if s.currentFaults().RefuseAuth || c.User() != s.cfg.Username || string(pw) != s.cfg.Password {
				return nil, errors.New("authentication failed")
			}
			return nil, nil
		},
	}
	cfg.AddHostKey(s.cfg.HostKey)
	go func() { <-ctx.Done(); ln.Close() }()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handle(ctx, conn, cfg)
		}()
	}
}

func (s *Server) handle(ctx context.Context, conn net.Conn, cfg *ssh.ServerConfig) {
	// Stopping the server ends its connections, whatever the clients do.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	defer s.track(conn)()
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for r := range creqs {
				switch r.Type {
				case "pty-req", "env", "window-change":
					r.Reply(true, nil)
				case "shell":
					r.Reply(true, nil)
					s.sessions.Add(1)
					go func() {
						s.repl(ctx, ch)
						ch.Close()
					}()
				default:
					r.Reply(false, nil)
				}
			}
		}()
	}
}

// session is one CLI session's state.
type session struct {
	srv        *Server
	ctx        context.Context
	mode       string // exec, config, config-if
	iface      *Interface
	configCmd  int
	cfgSession string   // EOS: the configuration session's name
	staged     []staged // Junos private candidate: changes awaiting commit
	junosMode  string   // Junos: private, exclusive or shared
	candName   string   // SR Linux: the candidate the session is in
	// question, if set, takes the next line as the answer to a question
	// the device asked (no prompt is printed meanwhile).
	question func(answer string) string
}

type staged struct {
	port string
	vlan int
}

// repl echoes input like a terminal, runs each line, and prints the prompt.
func (s *Server) repl(ctx context.Context, rw io.ReadWriter) {
	ss := &session{srv: s, ctx: ctx, mode: "exec"}
	if e, ok := s.dialect.(sessionEnder); ok {
		defer e.end(ss) // an exit, or the connection dropped
	}
	w := bufio.NewWriter(rw)
	flush := func() { w.Flush() }
	w.WriteString("\r\n" + s.dialect.prompt(ss))
	flush()
	buf := make([]byte, 4096)
	var line []byte
	lastCR := false
	for {
		n, err := rw.Read(buf)
		if err != nil {
			return
		}
		for _, c := range buf[:n] {
			if c == '\n' && lastCR {
				lastCR = false
				continue
			}
			lastCR = c == '\r'
			if c != '\r' && c != '\n' {
				if c == 0x7f || c == 0x08 {
					if len(line) > 0 {
						line = line[:len(line)-1]
						w.WriteString("\b \b")
					}
					continue
				}
				line = append(line, c)
				if m := s.currentFaults().Mute; m != "" && strings.HasSuffix(string(line), m) {
					w.Reset(rw) // the echo of the line so far is lost
					io.Copy(io.Discard, rw)
					return
				}
				w.WriteByte(c)
				continue
			}
			w.WriteString("\r\n")
			if d := s.currentFaults().Delay; d > 0 {
				flush()
				time.Sleep(d)
			}
			out, closeSession := s.run(ss, strings.TrimSpace(string(line)))
			line = line[:0]
			if out != "" {
				w.WriteString(strings.ReplaceAll(strings.TrimRight(out, "\n"), "\n", "\r\n") + "\r\n")
			}
			if closeSession {
				flush()
				return
			}
			w.WriteString(s.dialect.prompt(ss))
			flush()
		}
		flush()
	}
}

// run applies the injected faults and the configuration log common to
// every dialect, then lets the dialect run the line.
func (s *Server) run(ss *session, line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) == 0 && ss.question == nil {
		return "", false
	}
	s.mu.Lock()
	s.received = append(s.received, line)
	s.mu.Unlock()
	if ss.mode != "exec" {
		ss.configCmd++
		if fl := s.currentFaults(); fl.DropAfter > 0 && ss.configCmd > fl.DropAfter {
			return "", true // the session drops mid-batch
		}
		s.mu.Lock()
		s.log = append(s.log, line)
		s.mu.Unlock()
	}
	fl := s.currentFaults()
	if fl.Meanwhile != nil && fl.MeanwhileAt != "" && strings.Contains(line, fl.MeanwhileAt) {
		fl.Meanwhile(s)
	}
	if fl.RejectCommand != "" && strings.Contains(line, fl.RejectCommand) {
		return s.dialect.invalid(line), false
	}
	show := ss.mode == "exec" && len(f) > 0 && (f[0] == "show" || f[0] == "info")
	out, closed := s.dialect.exec(ss, line, f)
	if show && len(fl.ExtraRows) > 0 {
		out = fl.inject(line, out)
	}
	return out, closed
}

// lookup finds an interface by full name or abbreviation, case-insensitively.
func (s *Server) lookup(name string) *Interface {
	for i := range s.cfg.Interfaces {
		it := &s.cfg.Interfaces[i]
		if strings.EqualFold(it.Name, name) || strings.EqualFold(it.Short, name) {
			return it
		}
	}
	return nil
}
