package conductortest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// A Fault is a hard way for a write to fail: the ways a client cannot
// tell from the answer whether the write took effect. The fake's model of
// them is its assumption of how Conductor and QuickBooks Desktop behave,
// not Conductor's documented behaviour; see the package documentation.
type Fault uint8

// The faults. A write that would be refused anyway (a stale
// revisionNumber, an unknown id, a bad body) has nothing to carry out: its
// fault changes only the answer. For a read, carrying it out is only
// answering it.
const (
	// NoFault is the fake's usual answer.
	NoFault Fault = iota
	// ApplyThenDrop carries the write out, then drops the connection
	// without an answer, as a network that breaks after the request
	// arrived does.
	ApplyThenDrop
	// ApplyLate answers Conductor's timeout at once and carries the write
	// out later, as QuickBooks does with a request it had queued: at a
	// random moment before the request's Conductor-Timeout-Seconds
	// (default 90) have passed since it arrived, against the state of
	// that moment (so a stale revisionNumber then fails, unseen). Later
	// requests may land before it. If it cannot start in time (the
	// fake's turns are all taken until then), or 1,000 late writes, or
	// 4 MiB of their requests, already wait, it is never carried out.
	ApplyLate
	// TimeoutNoApply answers Conductor's timeout, as ApplyLate does, and
	// never carries the write out.
	TimeoutNoApply
	// ApplyThen5xx carries the write out, then answers 500
	// INTERNAL_ERROR.
	ApplyThen5xx
)

var faultNames = [...]string{"NoFault", "ApplyThenDrop", "ApplyLate", "TimeoutNoApply", "ApplyThen5xx"}

func (f Fault) String() string {
	if int(f) < len(faultNames) {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// allFaults are the faults Faults draws from when Kinds is empty.
var allFaults = []Fault{ApplyThenDrop, ApplyLate, TimeoutNoApply, ApplyThen5xx}

// Faults configure [Server.SetFaults]: random faults for writes.
type Faults struct {
	// Seed seeds the draws: the same seed, and the same writes in the
	// same order, give the same faults and the same ApplyLate moments.
	Seed uint64
	// Rate is the share of writes that get a fault, from 0 (none) to 1
	// (every one).
	Rate float64
	// Kinds are the faults drawn, each as likely as the others; nil or
	// empty means all four.
	Kinds []Fault
}

// randomFaults is what SetFaults set. s.mu guards it.
type randomFaults struct {
	rate  float64
	kinds []Fault
	rng   *rand.Rand // see draws
}

// lateApplies counts the ApplyLate writes not yet carried out or dropped,
// for Settle and Close. s.mu guards it.
type lateApplies struct {
	pending int
	bytes   int        // of their requests, within maxLateBytes
	done    *sync.Cond // on s.mu; signalled when pending falls to 0
	// timer, when set, replaces the timer of each late apply
	// (export_internal_test.go), so that a test chooses the moment.
	timer func(wait, bound time.Duration) <-chan struct{}
}

// SetFaults gives every later write to QuickBooks Desktop (a create,
// update, delete or void: a POST or DELETE under /quickbooks-desktop) a
// random fault, f.Rate of them, drawn from f.Kinds with a generator
// seeded by f.Seed. Reads, auth sessions, end-users and passthrough never
// get one. A response queued with [Server.Enqueue] still comes first,
// with no draw. Rate 0 turns random faults off. It returns an error, and
// changes nothing, when Rate is not within 0..1 or a kind is unknown.
func (s *Server) SetFaults(f Faults) error {
	if math.IsNaN(f.Rate) || f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("conductortest: SetFaults: Rate %v is not a share; use 0 (no faults) to 1 (every write)", f.Rate)
	}
	kinds := allFaults
	if len(f.Kinds) > 0 {
		kinds = make([]Fault, len(f.Kinds))
		for i, k := range f.Kinds {
			if k == NoFault || int(k) >= len(faultNames) {
				return fmt.Errorf("conductortest: SetFaults: Kinds[%d] is %v; use ApplyThenDrop, ApplyLate, TimeoutNoApply or ApplyThen5xx", i, k)
			}
			kinds[i] = k
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = randomFaults{rate: f.Rate, kinds: kinds, rng: rand.New(rand.NewPCG(f.Seed, f.Seed))}
	return nil
}

// draws is the fake's generator for faults and late moments, seeded by
// SetFaults, or at random until it is called. s.mu is held.
func (s *Server) draws() *rand.Rand {
	if s.random.rng == nil {
		s.random.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return s.random.rng
}

// drawFault is the random fault for r: NoFault unless r is a write to
// QuickBooks Desktop and SetFaults asked for faults.
func (s *Server) drawFault(r *http.Request) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random.rate == 0 {
		return NoFault
	}
	rt, _, _ := s.api.match(r.Method, r.URL.EscapedPath())
	if rt == nil || rt.op.Namespace != apispec.QBDNamespace {
		return NoFault
	}
	switch rt.op.Kind {
	case apispec.Create, apispec.Update, apispec.Delete, apispec.Action:
	default:
		return NoFault
	}
	rng := s.draws()
	if rng.Float64() >= s.random.rate {
		return NoFault
	}
	return s.random.kinds[rng.IntN(len(s.random.kinds))]
}

// serveFault answers r, which arrived at arrived, with fault f.
func (s *Server) serveFault(a *answer, r *http.Request, body []byte, f Fault, arrived time.Time) {
	switch f {
	case ApplyThenDrop:
		s.carryOutNow(r, body)
		panic(http.ErrAbortHandler)
	case ApplyThen5xx:
		s.carryOutNow(r, body)
		writeError(a, http.StatusInternalServerError, Error{Type: "INTERNAL_ERROR", Code: "INTERNAL_SERVER_ERROR",
			Message: "An internal server error occurred. Please try again."})
	case ApplyLate, TimeoutNoApply:
		secs := timeoutSeconds(r.Header)
		if f == ApplyLate {
			s.applyLate(r, body, arrived.Add(time.Duration(secs)*time.Second))
		}
		writeError(a, http.StatusGatewayTimeout, Error{Type: "INTEGRATION_ERROR", Code: "QBD_REQUEST_TIMEOUT",
			Message: fmt.Sprintf("QuickBooks Desktop did not answer within %d seconds (Conductor-Timeout-Seconds). "+
				"It may still process the request, until those seconds have passed since the request arrived; check whether it did before sending it again.", secs),
			UserFacingMessage: "QuickBooks Desktop took too long to respond. Please try again."})
	}
}

// timeoutSeconds is the request's Conductor-Timeout-Seconds, an integer
// from 1 to 3600, or Conductor's default 90.
func timeoutSeconds(h http.Header) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Conductor-Timeout-Seconds")))
	if err != nil || n < 1 || n > 3600 {
		return 90
	}
	return n
}

// carryOutNow does what the fake does for r, in one of its turns, and
// discards the answer.
func (s *Server) carryOutNow(r *http.Request, body []byte) {
	s.enter(r)
	defer s.leave()
	s.carryOut(r, body)
}

// carryOut does what the fake does for r and discards the answer. The
// caller holds a turn.
func (s *Server) carryOut(r *http.Request, body []byte) {
	a := &answer{header: http.Header{}}
	s.serveAPI(a, r, body)
	if a.page != nil {
		s.unpin(a.page)
	}
}

// applyLate carries r out at a random moment before deadline, in a
// goroutine that Close ends and waits for.
func (s *Server) applyLate(r *http.Request, body []byte, deadline time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bound := time.Until(deadline)
	size := requestSize(r, body) + lateCost
	if bound <= 0 || s.late.pending >= maxLate || s.late.bytes+size > maxLateBytes {
		return // a queued Delay took all of it, or there is no room to keep it
	}
	wait := time.Duration(s.draws().Int64N(int64(bound)))
	var moment <-chan struct{}
	if s.late.timer != nil {
		moment = s.late.timer(wait, bound)
	}
	s.late.pending++
	s.late.bytes += size
	// The request as it arrived; its context ends with this answer.
	late := r.Clone(context.WithoutCancel(r.Context()))
	go s.lateApply(late, body, size, wait, moment, deadline)
}

func (s *Server) lateApply(r *http.Request, body []byte, size int, wait time.Duration, moment <-chan struct{}, deadline time.Time) {
	defer s.lateDone(size)
	var timer <-chan time.Time // nil, never ready, when a test chooses the moment
	if moment == nil {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
	case <-moment:
	case <-s.closing:
		return
	}
	if !s.enterBefore(deadline) {
		return
	}
	defer s.leave()
	s.carryOut(r, body)
}

// lateCost is what a late write holds beyond its request's size: its
// copy of the Request and URL, its context, goroutine and timer.
const lateCost = 2 << 10

// enterBefore takes a turn, as enter does, and reports whether it got one
// before deadline and before the fake closed.
func (s *Server) enterBefore(deadline time.Time) bool {
	left := time.Until(deadline)
	if left <= 0 {
		return false
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-s.closing:
	}
	return false
}

func (s *Server) lateDone(size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.late.pending--
	s.late.bytes -= size
	if s.late.pending == 0 && s.late.done != nil {
		s.late.done.Broadcast()
	}
}

// Settle waits until every [ApplyLate] write has been carried out (or
// dropped, as ApplyLate says), so that a test can compare the fake's
// books with what its calls were told. It returns at once after Close,
// which drops those still waiting.
func (s *Server) Settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.late.done == nil {
		s.late.done = sync.NewCond(&s.mu)
	}
	for s.late.pending > 0 {
		s.late.done.Wait()
	}
}

// errFaultWithAnswer is Enqueue's error for a Response that sets both a
// Fault and an answer of its own.
var errFaultWithAnswer = errors.New("Fault is set with Status, Error or Body; a fault makes its own answer")
