package labtest

import (
	"bytes"
	"cmp"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Snmpsim is a running snmpsimd (Debian package snmpsim) serving the
// .snmprec files of one directory: each file answers to the community
// (v1/v2c) or context (v3) named after it.
type Snmpsim struct {
	Addr string // 127.0.0.1:port
	Port uint16
}

// SnmpsimV3 are the USM credentials StartSnmpsim configures.
var SnmpsimV3 = struct{ User, AuthKey, PrivKey string }{"cutover", "auth-secret-9f2", "priv-secret-4c1"}

// StartSnmpsim runs snmpsimd on a free loopback port for dataDir, with a
// v3 user (SHA-256 + AES, SnmpsimV3) besides v1/v2c, and stops it when
// the test ends. It waits until probe (a community) answers. Without
// snmpsimd the test skips, and fails in CI (`make test` installs it).
func StartSnmpsim(t testing.TB, dataDir, probe string, extra ...string) *Snmpsim {
	t.Helper()
	bin, err := exec.LookPath("snmpsimd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("snmpsimd is missing in CI: %v", err)
		}
		t.Skipf("skipping: snmpsimd not installed (Debian package snmpsim; `make test` installs it): %v", err)
	}
	cache := openTempDir(t, "snmpsim-cache-", 0o777) // snmpsimd drops to nobody when started as root
	var addr string
	for range 20 {
		ln, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.LocalAddr().String()
		ln.Close()
		args := []string{"--data-dir=" + dataDir, "--cache-dir=" + cache, "--agent-udpv4-endpoint=" + addr,
			"--logging-method=stderr", "--max-varbinds=256",
			"--v3-user=" + SnmpsimV3.User, "--v3-auth-key=" + SnmpsimV3.AuthKey, "--v3-auth-proto=SHA256",
			"--v3-priv-key=" + SnmpsimV3.PrivKey, "--v3-priv-proto=AES"}
		if os.Geteuid() == 0 {
			args = append(args, "--process-user=nobody", "--process-group=nogroup")
		}
		cmd := exec.Command(bin, append(args, extra...)...)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		_, port, _ := net.SplitHostPort(addr)
		var p uint16
		fmt.Sscan(port, &p)
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				if strings.Contains(log.String(), "Address already in use") {
					goto retry
				}
				t.Fatalf("snmpsimd exited:\n%s", log.String())
			default:
			}
			g := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: p, Community: probe, Version: gosnmp.Version2c, Timeout: 300 * time.Millisecond, Retries: 0}
			if g.Connect() == nil {
				pkt, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"})
				g.Conn.Close()
				if err == nil && pkt.Error == gosnmp.NoError {
					t.Cleanup(func() {
						select {
						case <-exited: // it should still be serving: say why it is not
							t.Errorf("snmpsimd on %s exited before the test ended (%v):\n%s", addr, cmd.ProcessState, log.String())
						default:
						}
						stop()
					})
					return &Snmpsim{Addr: addr, Port: p}
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		stop()
		t.Fatalf("snmpsimd did not answer within 90 s:\n%s", log.String())
	retry:
		stop()
	}
	t.Fatal("snmpsimd: no free port")
	return nil
}

// WritableCopy copies the .snmprec files of dir whose names are listed
// into a new temporary directory, passing each file's records (lines
// OID|TYPE|VALUE) through edit, which may rewrite, drop or add records
// (e.g. make a VLAN column writable with the writecache variation); the
// result is sorted by OID, as snmpsimd needs. The originals are read in
// place and never changed.
func WritableCopy(t testing.TB, dir string, names []string, edit func(file string, records []string) []string) string {
	t.Helper()
	out := openTempDir(t, "snmprec-", 0o755)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var records []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimRight(l, "\r"); l != "" {
				records = append(records, l)
			}
		}
		records = edit(name, records)
		slices.SortStableFunc(records, func(a, b string) int { return compareOID(oidOf(a), oidOf(b)) })
		if err := os.WriteFile(filepath.Join(out, name), []byte(strings.Join(records, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func oidOf(record string) string { oid, _, _ := strings.Cut(record, "|"); return oid }

// compareOID orders dotted OIDs numerically, component by component.
func compareOID(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.ParseUint(as[i], 10, 64)
		y, _ := strconv.ParseUint(bs[i], 10, 64)
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// openTempDir makes a temporary directory with mode perm that processes
// of other users (snmpsimd runs as nobody) can reach, removed at the end.
func openTempDir(t testing.TB, prefix string, perm os.FileMode) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
	return dir
}
