package netns

import (
	"net"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// threadNS is the inode of the calling thread's network namespace.
func threadNS(t *testing.T) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// TestCallerHandsItsNamespaceOn: a goroutine whose thread is in a
// namespace of its own captures it with Caller; code another goroutine
// runs through it is in that namespace (it sees only that namespace's
// interfaces), and a thread already there runs it as it is.
func TestCallerHandsItsNamespaceOn(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (CAP_SYS_ADMIN) to make a network namespace; run `make test` as root")
	}
	here := threadNS(t)
	type captured struct {
		ns  *Namespace
		ino uint64
		err error
	}
	got := make(chan captured)
	go func() {
		// This thread leaves the process's namespace for good: it stays
		// locked, and the runtime discards it when the goroutine ends.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			got <- captured{err: err}
			return
		}
		ns, err := Caller()
		got <- captured{ns, threadNS(t), err}
	}()
	c := <-got
	if c.err != nil {
		t.Fatal(c.err)
	}
	defer c.ns.Close()
	if c.ino == here {
		t.Fatal("unshare left the thread where it was")
	}
	var inside uint64
	var ifaces []net.Interface
	if err := c.ns.Do(func() (err error) {
		inside = threadNS(t)
		ifaces, err = net.Interfaces()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if inside != c.ino || len(ifaces) != 1 || ifaces[0].Name != "lo" {
		t.Fatalf("ran in namespace %d with %v, want %d with lo only", inside, ifaces, c.ino)
	}
	if threadNS(t) != here {
		t.Fatal("the namespace leaked into the caller's thread")
	}
	// Captured here, it runs here, without joining anything.
	mine, err := Caller()
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	if err := mine.Do(func() error {
		if threadNS(t) != here {
			t.Error("moved")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
