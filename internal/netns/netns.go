// Package netns runs code inside a named network namespace (one created by
// `ip netns add`, so a file under /run/netns). Sockets opened inside fn keep
// that namespace after Do returns, which is how cutover's pinger and probes
// work from the lab's hosts without a subprocess.
package netns

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Dir is where iproute2 keeps named namespaces.
const Dir = "/run/netns"

// Exists reports whether the named namespace exists.
func Exists(name string) bool {
	_, err := os.Stat(filepath.Join(Dir, name))
	return err == nil
}

// Do runs fn on a locked OS thread that has joined the named namespace, then
// returns the thread to its original namespace. fn must not start goroutines
// that expect to be in the namespace: only the calling thread is moved.
func Do(name string, fn func() error) error {
	target, err := os.Open(filepath.Join(Dir, name))
	if err != nil {
		return fmt.Errorf("netns %s: %w", name, err)
	}
	defer target.Close()
	return do(name, target, fn)
}

// do runs fn on a locked OS thread that has joined the namespace target;
// a thread already there runs it as it is (joining needs CAP_SYS_ADMIN).
func do(name string, target *os.File, fn func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns: %w", err)
	}
	defer orig.Close()
	if same, err := sameFile(orig, target); err != nil || same {
		runtime.UnlockOSThread()
		if err != nil {
			return fmt.Errorf("netns %s: %w", name, err)
		}
		return fn()
	}
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns %s: setns: %w", name, err)
	}
	ferr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// Leave the thread locked: the runtime discards it when this
		// goroutine exits instead of reusing a thread in the wrong namespace.
		return fmt.Errorf("netns %s: restoring namespace: %w", name, err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// sameFile reports whether two open namespace files are one namespace.
func sameFile(a, b *os.File) (bool, error) {
	var sa, sb unix.Stat_t
	if err := unix.Fstat(int(a.Fd()), &sa); err != nil {
		return false, err
	}
	if err := unix.Fstat(int(b.Fd()), &sb); err != nil {
		return false, err
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino, nil
}

// Namespace is a network namespace held open, to run code in it later
// from any goroutine.
type Namespace struct{ f *os.File }

// Caller holds the network namespace of the calling thread, so that work
// the caller hands to other goroutines can open its sockets where the
// caller is — which matters when the caller runs inside Do: only its own
// thread is in the namespace then.
func Caller() (*Namespace, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	return &Namespace{f: f}, nil
}

// Do runs fn on a locked OS thread that has joined the namespace (see the
// package-level Do); on a thread already in it, fn just runs.
func (n *Namespace) Do(fn func() error) error { return do("of the caller", n.f, fn) }

// Close releases the namespace.
func (n *Namespace) Close() error { return n.f.Close() }
