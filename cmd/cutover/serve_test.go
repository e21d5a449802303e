package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemonProc is a `cutover serve` child process.
type daemonProc struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	log    strings.Builder
	exited chan struct{}
}

// startDaemon runs `cutover serve --config cfg` (the test binary standing
// in for cutover) with env added, and waits until it listens.
func startDaemon(t testing.TB, cfg string, env ...string) *daemonProc {
	t.Helper()
	d := &daemonProc{exited: make(chan struct{})}
	d.cmd = exec.Command(os.Args[0], "serve", "--config", cfg)
	d.cmd.Env = append(append(os.Environ(), "CUTOVER_TEST_AS_MAIN=1"), env...)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		defer close(d.exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		re := regexp.MustCompile(`listening on (https?://\S+)`)
		for sc.Scan() {
			d.mu.Lock()
			d.log.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				listening <- m[1]
			}
		}
		d.cmd.Wait()
	}()
	t.Cleanup(func() { d.kill() })
	select {
	case d.url = <-listening:
	case <-d.exited:
		t.Fatalf("the daemon exited: %s", d.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("the daemon does not listen: %s", d.logs())
	}
	return d
}

func (d *daemonProc) logs() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

func (d *daemonProc) kill() {
	if d.cmd.Process != nil {
		d.cmd.Process.Kill()
	}
	<-d.exited
}

// stop sends SIGTERM and waits for the exit.
func (d *daemonProc) stop(t testing.TB) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the daemon did not stop on SIGTERM: %s", d.logs())
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM: %s", code, d.logs())
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cutover test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// TestServeProcess: `cutover serve` over TLS on 127.0.0.1 with tokens from
// the environment and a file; no token is ever in a response or a log
// line; SIGTERM shuts it down cleanly; a bad configuration is refused with
// its line.
func TestServeProcess(t *testing.T) {
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir)
	os.Mkdir(filepath.Join(dir, "inventories"), 0o755)
	os.WriteFile(filepath.Join(dir, "inventories", "x.yml"), []byte("version: 1\n"), 0o644)
	secrets := map[string]string{"viewer": "serve-test-viewer-token-1", "approver": "serve-test-approver-token-2"}
	os.WriteFile(filepath.Join(dir, "approver.token"), []byte(secrets["approver"]+"\n"), 0o600)
	cfg := filepath.Join(dir, "serve.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 1
listen: 127.0.0.1:0
tls: {cert: %s, key: %s}
state_dir: %s
inventories: inventories
tokens:
  - {name: view, role: viewer, token: "${TEST_VIEWER_TOKEN}"}
  - {name: boss, role: approver, token_file: approver.token}
public: [healthz]
`, cert, key, filepath.Join(dir, "state"))), 0o644)
	d := startDaemon(t, cfg, "TEST_VIEWER_TOKEN="+secrets["viewer"])
	if !strings.HasPrefix(d.url, "https://127.0.0.1:") {
		t.Fatalf("url %s", d.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", d.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for name, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: the %s token is in the response", path, name)
			}
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s sets a cookie", path)
		}
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		path, token string
		code        int
		want        string
	}{
		{"/healthz", "", 200, `"ok"`},
		{"/metrics", "", 401, "no bearer token"},
		{"/metrics", secrets["viewer"], 200, "cutover_api_requests_total"},
		{"/v1/inventories", "", 401, "no bearer token"},
		{"/v1/inventories", secrets["viewer"], 200, `"name": "x"`},
		{"/v1/inventories/x", secrets["approver"], 200, "inventory: vlans is missing"},
		{"/v1/whoami", secrets["approver"], 200, `"name": "boss"`},
		{"/", "", 200, "<!doctype html>"},
	} {
		code, body := get(tc.path, tc.token)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %s", tc.path, code, body)
		}
	}
	// Plain HTTP is not served.
	if resp, err := http.Get(strings.Replace(d.url, "https", "http", 1) + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Error("plain HTTP answered")
	}
	d.stop(t)
	logs := d.logs()
	for name, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the %s token is in the log", name)
		}
	}
	if !strings.Contains(logs, "shutting down") || !strings.Contains(logs, `principal=boss`) {
		t.Errorf("log: %s", logs)
	}

	// A bad configuration: exit 1, every problem with its line.
	os.WriteFile(cfg, []byte("version: 1\ninventories: inventories\ntokens: []\nlisten: 10.0.0.1\nextra: 1\n"), 0o644)
	code, _, stderr := cli(t, "serve", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "serve.yml:3:9: tokens: the list is empty") || !strings.Contains(stderr, `serve.yml:5:1: configuration: unknown key "extra"`) || !strings.Contains(stderr, `serve.yml:4:9: listen: "10.0.0.1": want host:port`) {
		t.Errorf("bad config: %d %s", code, stderr)
	}
}
