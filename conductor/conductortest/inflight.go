package conductortest

import (
	"sync"
	"time"
)

// inFlight counts the bytes of the request bodies being read and the
// answers being written, against maxInFlight. Large takes wait first
// come, first served, so that a large body is not passed over for ever by
// other large ones; a take of at most smallInFlight bytes that fits goes
// ahead of them, and a take of nothing never waits, so that a large
// request waiting for room delays no small one. It is safe for
// concurrent use.
type inFlight struct {
	mu      sync.Mutex
	used    int
	waiting []*inFlightWaiter // oldest first
}

type inFlightWaiter struct {
	n     int
	ready chan struct{} // closed once the bytes are taken for it
}

// smallInFlight is the most a take may be to pass the queue of waiting
// ones: the body of an ordinary request or an ordinary answer.
const smallInFlight = 64 << 10

// take waits until n more bytes fit within maxInFlight, and takes them;
// n is at most maxInFlight. It reports false, taking nothing, when stop
// or closing ends first, or when timeout has passed.
func (f *inFlight) take(n int, stop, closing <-chan struct{}, timeout time.Duration) bool {
	if n <= 0 {
		return true
	}
	f.mu.Lock()
	if (len(f.waiting) == 0 || n <= smallInFlight) && f.used+n <= maxInFlight {
		f.used += n
		f.mu.Unlock()
		return true
	}
	w := &inFlightWaiter{n: n, ready: make(chan struct{})}
	f.waiting = append(f.waiting, w)
	f.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.ready:
		return true
	case <-stop:
	case <-closing:
	case <-t.C:
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-w.ready:
		// Taken meanwhile: give it back, for whoever waits next.
		f.used -= n
	default:
		for i, x := range f.waiting {
			if x == w {
				f.waiting = append(f.waiting[:i], f.waiting[i+1:]...)
				break
			}
		}
	}
	f.wake()
	return false
}

// give gives back n bytes taken.
func (f *inFlight) give(n int) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used -= n
	f.wake()
}

// wake takes bytes for the waiters that now fit: those at the head of the
// queue, and small ones behind it. f.mu is held.
func (f *inFlight) wake() {
	kept := f.waiting[:0]
	head := true
	for _, w := range f.waiting {
		if (head || w.n <= smallInFlight) && f.used+w.n <= maxInFlight {
			f.used += w.n
			close(w.ready)
			continue
		}
		head = false
		kept = append(kept, w)
	}
	clear(f.waiting[len(kept):])
	f.waiting = kept
}
