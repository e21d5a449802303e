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
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns: %w", err)
	}
	defer orig.Close()
	target, err := os.Open(filepath.Join(Dir, name))
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netns %s: %w", name, err)
	}
	defer target.Close()
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
