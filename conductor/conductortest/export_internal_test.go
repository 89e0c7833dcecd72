package conductortest

import "time"

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

// SetBodyGrace sets how long a body of s may take to start arriving
// before the minimum rate applies (bodyGrace), for a test whose senders
// must not be cut off however slow the machine is.
func SetBodyGrace(s *Server, d time.Duration) { s.bodyGrace.Store(int64(d)) }

// InFlightWaiting is how many requests and answers wait for room in
// maxInFlight.
func InFlightWaiting(s *Server) int {
	s.inFlight.mu.Lock()
	defer s.inFlight.mu.Unlock()
	return len(s.inFlight.waiting)
}

// SetLateMoments makes each later ApplyLate write of s wait, instead of
// its random moment, for the channel moment returns; moment is given the
// wait the fake drew and the time left before the write's
// Conductor-Timeout-Seconds pass. A test so chooses when a late write is
// carried out, however slow the machine.
func SetLateMoments(s *Server, moment func(wait, bound time.Duration) <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.late.timer = moment
}

// ObjectBytes is what s counts against MaxObjectBytes: its objects and
// the records of deleted ones.
func ObjectBytes(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.bytes
}

// SetShowingLimit sets how many objects the answers of s not yet written
// may show at once (maxShownAtOnce), so that a test reaches it with a few.
func SetShowingLimit(s *Server, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.showingLimit = n
}

// Showing is how many objects the answers of s not yet written show.
func Showing(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.showing
}
