package conductor

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// deadlines ends attempts that outlive their timeout, with one runtime
// timer for all of a client's attempts in flight instead of one each.
//
// context.WithTimeout would arm a timer per attempt, and arming a timer
// that becomes the earliest one wakes the runtime's network poller: on a
// loopback call that alone added 12-17 % to the time of a plain net/http
// call (BENCHMARKS.md). Here an attempt costs a cancellable context and a
// heap push; the one timer is re-armed only when it fires or when an
// attempt needs it earlier.
type deadlines struct {
	mu      sync.Mutex
	timer   *time.Timer
	armedAt time.Time // when timer fires; zero when it is not armed
	pending deadlineHeap
}

// pendingAttempt is an attempt waiting for its deadline.
type pendingAttempt struct {
	at     time.Time
	cancel context.CancelCauseFunc
	index  int // in the heap; -1 once removed
}

// start returns a context for one attempt, done when parent is or when
// timeout has passed, whichever is first; context.Cause then gives
// context.DeadlineExceeded for the timeout. stop must be called when the
// attempt is over.
func (d *deadlines) start(parent context.Context, timeout time.Duration) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	p := &pendingAttempt{at: time.Now().Add(timeout), cancel: cancel}
	d.mu.Lock()
	heap.Push(&d.pending, p)
	if d.armedAt.IsZero() || p.at.Before(d.armedAt) {
		d.arm(p.at)
	}
	d.mu.Unlock()
	return ctx, func() {
		d.mu.Lock()
		if p.index >= 0 {
			heap.Remove(&d.pending, p.index)
		}
		d.mu.Unlock()
		cancel(nil)
	}
}

// arm sets the timer to fire at t. d.mu must be held.
func (d *deadlines) arm(t time.Time) {
	d.armedAt = t
	wait := time.Until(t)
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, d.fire)
		return
	}
	d.timer.Reset(wait)
}

// fire ends the attempts whose deadline has passed and re-arms the timer
// for the next one.
func (d *deadlines) fire() {
	d.mu.Lock()
	now := time.Now()
	var expired []*pendingAttempt
	for len(d.pending) > 0 && !d.pending[0].at.After(now) {
		expired = append(expired, heap.Pop(&d.pending).(*pendingAttempt))
	}
	d.armedAt = time.Time{}
	if len(d.pending) > 0 {
		d.arm(d.pending[0].at)
	}
	d.mu.Unlock()
	for _, p := range expired {
		p.cancel(context.DeadlineExceeded)
	}
}

// deadlineHeap orders pending attempts by deadline, earliest first.
type deadlineHeap []*pendingAttempt

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *deadlineHeap) Push(x any) {
	p := x.(*pendingAttempt)
	p.index = len(*h)
	*h = append(*h, p)
}
func (h *deadlineHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	p.index = -1
	*h = old[:len(old)-1]
	return p
}
