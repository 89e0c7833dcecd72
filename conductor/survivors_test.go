package conductor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// Behaviours that one-line mutants of the engine showed no test pinned
// (make mutate; internal/mutation/catalogue.txt).

// TestACancelledCallIsNotRetried: a call whose context ends during an
// attempt ends with that attempt, not with a retry it then abandons.
func TestACancelledCallIsNotRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		logger, logs := newLogger()
		c := bubbleServer(t, &script{replies: []reply{{status: 200, stall: 5 * time.Second}}}, conductor.WithLogger(logger))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		_, err := c.AuthSessions.Create(ctx, validParams)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want it to wrap context.Canceled", err)
		}
		if strings.Contains(err.Error(), "retry") {
			t.Errorf("err = %q; the call was cancelled during its attempt, so no retry was due", err)
		}
		if strings.Contains(logs.String(), "retry_in") {
			t.Errorf("the log plans a retry of a cancelled call:\n%s", logs.String())
		}
	})
}

// TestARedactedErrorKeepsItsCause: an attempt that timed out on a path
// that holds the key (an id can be anything) has its message redacted,
// and still matches context.DeadlineExceeded.
func TestARedactedErrorKeepsItsCause(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := bubbleServer(t, &script{replies: []reply{{status: 200, stall: 5 * time.Second}}}, conductor.WithTimeout(time.Second), conductor.WithMaxRetries(0))
		_, err := c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, testAPIKey)
		if err == nil {
			t.Fatal("Retrieve from a server that never answers succeeded")
		}
		if strings.Contains(err.Error(), testAPIKey) {
			t.Errorf("err = %q shows the key", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v; want it to match context.DeadlineExceeded, redacted or not", err)
		}
	})
}

// TestEachAttemptEndsAtItsOwnTimeout: attempts in flight at once on one
// client end each at its own timeout, a short one started after a long
// one included, however the client keeps them.
func TestEachAttemptEndsAtItsOwnTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		stall := reply{status: 200, stall: time.Minute}
		c := bubbleServer(t, &script{replies: []reply{stall, stall, stall}}, conductor.WithMaxRetries(0))
		start := time.Now()
		ended := make(chan time.Duration, 2)
		for _, timeout := range []time.Duration{20 * time.Second, 10 * time.Second} {
			go func() {
				create(t, c, validParams, conductor.WithTimeout(timeout))
				ended <- time.Since(start)
			}()
			synctest.Wait() // the attempt is in flight before the next starts
		}
		_, err := create(t, c, validParams, conductor.WithTimeout(time.Second))
		if took := time.Since(start); took != time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the 1 s attempt ended after %v with %v; want 1s and context.DeadlineExceeded", took, err)
		}
		if first, second := <-ended, <-ended; first != 10*time.Second || second != 20*time.Second {
			t.Errorf("the 10 s and 20 s attempts ended after %v and %v", first, second)
		}
	})
}
