package conductortest

// Hooks for the external tests that wait until the fake has taken in the
// load they sent before they measure its memory: nothing else tells when
// it has.

// InFlightBytes is how many bytes the requests being read and the
// answers being written hold of maxInFlight.
func InFlightBytes(s *Server) int {
	s.inFlight.mu.Lock()
	defer s.inFlight.mu.Unlock()
	return s.inFlight.used
}

// BytesRead is how many bytes the fake has read from all connections.
func BytesRead(s *Server) int64 { return s.conns.read.Load() }
