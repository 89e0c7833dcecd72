// Package testdeadline bounds a test's waits by the test's own deadline
// (go test -timeout) instead of a fixed wall-clock limit. A fixed limit
// fails on a small, busy machine that is merely slow; the test's deadline
// is what whoever runs the tests allowed, and ending a little before it
// lets the test say what it was waiting for instead of the binary being
// killed with a goroutine dump.
package testdeadline

import (
	"context"
	"testing"
	"time"
)

// Context returns a context that ends when t ends, or shortly before t's
// deadline (a twentieth of the time left, at least a second), whichever
// is first. With no deadline (-timeout 0), or inside a synctest bubble,
// it ends only with t: in a bubble time is fake, and a wait that never
// ends is reported as a deadlock.
func Context(t *testing.T) context.Context {
	t.Helper()
	ctx := t.Context()
	d, ok := deadline(t)
	if !ok {
		return ctx
	}
	ctx, cancel := context.WithDeadline(ctx, d.Add(-max(time.Until(d)/20, time.Second)))
	t.Cleanup(cancel)
	return ctx
}

// deadline is t.Deadline, which panics inside a synctest bubble (Go 1.26
// has no other way to tell that t runs in one).
func deadline(t *testing.T) (d time.Time, ok bool) {
	defer func() {
		if recover() != nil {
			d, ok = time.Time{}, false
		}
	}()
	return t.Deadline()
}
