package emulator

import "net"

// track registers a connection for DropConnections until the returned
// function is called.
func (s *Server) track(conn net.Conn) func() {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[net.Conn]struct{}{}
	}
	s.conns[conn] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
	}
}

// DropConnections closes every SSH connection open now, as a switch
// that ends idle sessions (exec-timeout) or reloads its SSH server does;
// clients see their sessions end. It returns how many it closed.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}
