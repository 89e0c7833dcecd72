package conductortest

import (
	"time"
	// The end-users' time zones (FixtureEndUser.TimeZone) are found
	// wherever the fake runs, a container without zoneinfo included.
	_ "time/tzdata"
)

// Advance moves the fake's clock forward by d, on top of [Options.Now],
// so that a test can reach a 90-day window or a cursor's expiry without
// waiting. Everything the fake dates or times by its clock sees it at
// once: createdAt and updatedAt, revision ids, cursors' and auth
// sessions' expiry, the 90 days deleted objects are kept, and the Date
// header of its answers. A late
// write ([ApplyLate]) is timed by the wall clock, as its client waits on
// it, and is not moved. Advance refuses nothing: a negative d moves the
// clock back, as a test of a clock that went back may want.
func (s *Server) Advance(d time.Duration) {
	s.ahead.Add(int64(d))
}

// now is the fake's time: Options.Now moved on by Advance.
func (s *Server) now() time.Time {
	return s.clock().Add(time.Duration(s.ahead.Load()))
}
