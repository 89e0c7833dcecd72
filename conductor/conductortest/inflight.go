package conductortest

import "sync"

// inFlight counts the bytes of the request bodies being read and the
// answers being written, against maxInFlight. Requests take their bodies'
// bytes first come, first served, so a large body is not passed over for
// ever by small ones. It is safe for concurrent use.
type inFlight struct {
	mu      sync.Mutex
	used    int
	waiting []*inFlightWaiter // oldest first
}

type inFlightWaiter struct {
	n     int
	ready chan struct{} // closed once the bytes are taken for it
}

// take waits until n more bytes fit within maxInFlight, and takes them.
// It reports false, taking nothing, when stop or closing ends first.
func (f *inFlight) take(n int, stop, closing <-chan struct{}) bool {
	f.mu.Lock()
	if len(f.waiting) == 0 && f.used+n <= maxInFlight {
		f.used += n
		f.mu.Unlock()
		return true
	}
	w := &inFlightWaiter{n: n, ready: make(chan struct{})}
	f.waiting = append(f.waiting, w)
	f.mu.Unlock()
	select {
	case <-w.ready:
		return true
	case <-stop:
	case <-closing:
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

// add takes n more bytes without waiting: an answer, which exists
// already. It may pass maxInFlight; then requests wait until enough is
// given back.
func (f *inFlight) add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used += n
}

// give gives back n bytes taken or added.
func (f *inFlight) give(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used -= n
	f.wake()
}

// wake takes bytes for the waiters at the head of the queue that now fit.
// f.mu is held.
func (f *inFlight) wake() {
	for len(f.waiting) > 0 && f.used+f.waiting[0].n <= maxInFlight {
		w := f.waiting[0]
		f.waiting[0] = nil
		f.waiting = f.waiting[1:]
		f.used += w.n
		close(w.ready)
	}
}
