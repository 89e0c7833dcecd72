package conductor

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// The retry policy of Conductor's official SDKs, with the wait capped.
const (
	initialRetryDelay = 500 * time.Millisecond
	maxRetryDelay     = 8 * time.Second
	// maxRetryAfter is the longest server-requested wait honoured; a longer
	// one falls back to backoff rather than stalling the call.
	maxRetryAfter = 60 * time.Second
)

// shouldRetry decides on one attempt's outcome, by the official SDKs'
// policy, with two exceptions. A write that is not harmless to repeat
// (see writeKind.repeatable) is retried only when it certainly did not
// take effect, by mayHaveTakenEffect (the write policy, stated on
// ErrWriteUnconfirmed), unless resend says the caller accepts that (ResendWrites).
// And an answer that the end-user's QuickBooks Desktop is not reachable
// is never retried, for reads too: the end-user has to act, and asking
// again only delays telling them.
//
// The caller's context ending is never retried; a body over the cap will
// be over it next time too. Requests net/http would refuse to send never
// get here: the engine refuses them before the first attempt.
func shouldRetry(ctx context.Context, resp *http.Response, err error, w writeKind, resend bool) bool {
	if ctx.Err() != nil {
		return false
	}
	guarded := !w.repeatable() && !resend
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return false
		}
		return !guarded || !mayHaveTakenEffect(nil, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// A success is final whatever its headers say: sending a create
		// again would make a second object. x-should-retry, as in the
		// official SDKs, only ever applies to a failure.
		return false
	}
	if integrationDown(resp) {
		return false
	}
	switch resp.Header.Get("X-Should-Retry") {
	case "true":
		return true
	case "false":
		return false
	}
	if guarded {
		// Rate limited: the request was turned away, not processed.
		return resp.StatusCode == http.StatusTooManyRequests && !mayHaveTakenEffect(resp, nil)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests:
		return true
	default:
		return code >= 500
	}
}

// sleep waits d and reports whether it did: false when ctx ended first.
// Retries, resolution's back-off and its waits for a create to land all
// wait this way.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// retryDelay is how long to wait before retry number attempt+1: what the
// server asked for, if sensible, else exponential backoff less up to 25%
// jitter so that many clients do not retry in step.
func retryDelay(resp *http.Response, attempt int) time.Duration {
	if resp != nil {
		if d, ok := serverRetryAfter(resp.Header, time.Now()); ok {
			return d
		}
	}
	d := min(initialRetryDelay<<min(attempt, 16), maxRetryDelay)
	return d - time.Duration(rand.Float64()*0.25*float64(d))
}

// serverRetryAfter reads retry-after-ms, else retry-after in seconds or as
// an HTTP date, and reports whether the wait is in (0, maxRetryAfter].
func serverRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			return inRetryRange(ms / 1000)
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return inRetryRange(secs)
	}
	if t, err := http.ParseTime(v); err == nil {
		return inRetryRange(t.Sub(now).Seconds())
	}
	return 0, false
}

// inRetryRange checks before converting, so NaN, Inf and huge values never
// reach a time.Duration.
func inRetryRange(secs float64) (time.Duration, bool) {
	if secs > 0 && secs <= maxRetryAfter.Seconds() {
		return time.Duration(secs * float64(time.Second)), true
	}
	return 0, false
}
