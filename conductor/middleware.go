package conductor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
)

// A Middleware wraps each attempt of a call: it is given the attempt's
// request and next, which sends it, and returns the attempt's response or
// error. It is the place for tracing, metrics and logging with what a
// program already uses (see the README's "Middleware and tracing" for
// OpenTelemetry), without replacing the transport of [WithHTTPClient].
//
// A middleware runs once per attempt: a call retried twice runs it three
// times, and [AttemptFromContext] on the request's context tells which
// attempt it is. Requests the client makes itself to find out what a write
// did (see [ResolveWrites]) go through it too.
//
// What it sees is already stripped of the secret key, so that it may log
// the requests and answers it is given: the request's Authorization header reads
// "Bearer [redacted]" (next puts the key back on its own copy, which the
// middleware never sees), its URL's path is redacted as in log records,
// and the response and error next returns are redacted as a call's are,
// with the body read whole (within the attempt's timeout and
// [MaxResponseBodyBytes]) and readable again. Bodies are otherwise as the
// API sent them: an auth session's answer holds its client secret (see
// [AuthSession]), which the client's log records leave out and a
// middleware that logs bodies should too.
//
// A client's middlewares run for all its calls at once, so a middleware
// must be safe for concurrent use. A panic in one is not recovered.
//
// A middleware may change the request it passes to next (add a header such
// as a trace's traceparent, say), return a response of its own without
// calling next, or return an error. next sends only to the base URL, as
// every call does: a request a middleware points elsewhere fails with a
// [*ValidationError] and is not sent. next sets Authorization and
// User-Agent itself, over anything the middleware set.
//
// An error a middleware returns is the attempt's error, retried as a
// connection error is (see the README's "Retries"). For the write policy
// ([ErrWriteUnconfirmed]), an attempt whose middleware returned an error
// without calling next was not sent, so a write is retried; one that
// called next may have taken effect whatever the middleware returns. A
// middleware cannot send a create, update, void or passthrough twice: in
// an attempt of one, under any policy but [ResendWrites], a second call of
// next fails and sends nothing; retrying is the client's to decide.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// MiddlewareNext sends an attempt's request on: to the next [Middleware],
// or, from the last, to the network. It is safe to call from several
// goroutines at once, and keeps count of what the attempt sent, so that a
// write is sent at most once whoever calls it; called after its attempt
// has ended, it sends nothing and returns an error.
type MiddlewareNext func(req *http.Request) (*http.Response, error)

// WithMiddleware adds middlewares that wrap each attempt (see
// [Middleware]), in the order given: the first is the outermost, the one
// that sees the request first and the response last. Given to [NewClient]
// they wrap every call of the client, [Client.Gen]'s included; given to a
// call they are added inside the client's, which therefore see the call's
// middlewares' changes to the request. [WithoutMiddleware] before them
// makes a call use only its own. Default: none.
func WithMiddleware(mw ...Middleware) Option {
	return func(s *settings) error {
		for i, m := range mw {
			if m == nil {
				return fmt.Errorf("conductor: WithMiddleware: middleware %d of %d is nil", i+1, len(mw))
			}
		}
		// A fresh slice: appending to the client's own would let two calls
		// with options write into one backing array.
		s.middlewares = append(append([]Middleware(nil), s.middlewares...), mw...)
		return nil
	}
}

// WithoutMiddleware drops the middlewares given so far, the client's
// included when passed to a call, for a call that must not be traced or
// measured as the others are, or that brings its own ([WithMiddleware]
// after it).
func WithoutMiddleware() Option {
	return func(s *settings) error {
		s.middlewares = nil
		return nil
	}
}

// attemptKey is the context key of the attempt number a middleware reads.
type attemptKey struct{}

// AttemptFromContext returns the number of the attempt whose request
// carries ctx, counted from 1, and true; or 0 and false for a context that
// is not an attempt's. A [Middleware] reads it from its request's context,
// to tell retries apart (as a span attribute, say). It is a context value,
// not a header, so that nothing more goes over the wire.
func AttemptFromContext(ctx context.Context) (int, bool) {
	n, ok := ctx.Value(attemptKey{}).(int)
	return n, ok
}

// errNextAfterAttempt is what next answers a middleware that kept it and
// called it once its attempt had ended.
var errNextAfterAttempt = errors.New("a middleware called next after its attempt had ended; nothing was sent, since the engine may by then be sending the call again")

// errNextAgain is what next answers a middleware that calls it a second
// time in one attempt of a write that must not be sent twice.
var errNextAgain = errors.New("a middleware called next a second time in one attempt of a write; it was not sent again, since sending a write again is decided by the write policy (see conductor.ErrWriteUnconfirmed)")

// sameBody reports whether a and b are the same body, without the panic
// of == on an interface holding a type that cannot be compared (a body of
// a middleware's own may be one).
func sameBody(a, b io.ReadCloser) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// notSentError marks the error of an attempt whose middlewares returned it
// without next having sent anything: a middleware's own, or next's
// refusal of a request it would not send. The write policy (notSent)
// treats it as a connection that could not be opened. An attempt that sent
// its request never gets one, whatever its middlewares do after.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// throughMiddleware is one attempt of r through s's middlewares, the
// attempt's request r already carrying its context, key and body. It
// returns what attempt returns, before attempt explains a timeout: the
// response read whole and redacted, and answer, what arrived of the last
// answer next got, or of one the middlewares made.
func (e *engine) throughMiddleware(ctx context.Context, r *http.Request, attempt int, getBody func() (io.ReadCloser, error), s *settings, red redactor, write writeKind) (resp, answer *http.Response, err error) {
	// The view is what the middlewares see: the request with the key out
	// of its header and path. The real one, r, stays here.
	view := r.Clone(context.WithValue(ctx, attemptKey{}, attempt+1))
	view.Header.Set("Authorization", "Bearer "+redacted)
	if p := red.string(r.URL.Path); p != r.URL.Path {
		view.URL.Path, view.URL.RawPath = p, ""
	}
	viewURL := view.URL.String()
	guarded := !write.repeatable() && s.writePolicy != ResendWrites
	bound := boundsBodies(s.httpClient)
	// What next has done, under mu: a middleware may call it from other
	// goroutines, or keep it and call it after the attempt (done), when
	// nothing may be sent: the engine may by then be sending the write
	// again.
	var (
		mu         sync.Mutex
		sent, done bool
		calls      int
	)
	defer func() {
		mu.Lock()
		done = true
		mu.Unlock()
	}()
	send := func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		if done {
			mu.Unlock()
			return nil, errNextAfterAttempt
		}
		calls++
		n := calls
		if n > 1 && guarded {
			mu.Unlock()
			return nil, errNextAgain
		}
		if req.Method != r.Method {
			mu.Unlock()
			return nil, fmt.Errorf("a middleware changed the request's method from %s to %s: the write policy is the call's, so next sends only its method", r.Method, req.Method)
		}
		sent = true
		mu.Unlock()
		out := req.Clone(req.Context())
		if req.URL.String() == viewURL {
			u := *r.URL // the real path, with whatever the view hid
			out.URL = &u
		} else if err := checkTarget(out.Method, out.URL, s.base); err != nil {
			return nil, red.error(err)
		}
		if n > 1 && getBody != nil && sameBody(req.Body, view.Body) {
			// The first call sent the attempt's body; the same bytes again.
			body, err := getBody()
			if err != nil {
				return nil, err
			}
			out.Body = body
		}
		// The client's headers over anything a middleware set; and none
		// with which net/http would send a write again by itself.
		out.Header.Set("Authorization", r.Header.Get("Authorization"))
		out.Header.Set("User-Agent", userAgent)
		out.Header.Del("Idempotency-Key")
		out.Header.Del("X-Idempotency-Key")
		got, err := s.httpClient.Do(out)
		if err != nil {
			return nil, red.error(err)
		}
		got.Request = req // the middleware's own, without the key
		// A middleware may hand next a context of its own (a span's): the
		// transport bounds the body read only by one that ends with the
		// attempt's, which a context derived from it does. A middleware
		// may keep what next returns, so its body is never read into a
		// listing's reused buffer (bodyBuffer).
		b := bound && out.Context().Done() == ctx.Done()
		mu.Lock()
		answer = got
		mu.Unlock()
		if err := readResponse(ctx, got, b, red, nil); err != nil {
			return nil, red.error(err)
		}
		// The body's length once redacted, which may differ from what the
		// server said: a middleware that wraps the body (otelhttp does)
		// hands back one the client reads again by that length.
		got.ContentLength = int64(len(got.Body.(*readBody).data))
		return got, nil
	}
	chain := MiddlewareNext(send)
	for i := len(s.middlewares) - 1; i >= 0; i-- {
		mw, inner := s.middlewares[i], chain
		chain = func(req *http.Request) (*http.Response, error) { return mw(req, inner) }
	}
	resp, err = chain(view)
	if err == nil && resp == nil {
		err = errors.New("a middleware returned neither a response nor an error")
	}
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close() // a middleware's answer and error both: the error wins
		}
		err = red.error(err)
		mu.Lock()
		if !sent {
			err = &notSentError{err}
		}
		a := answer
		mu.Unlock()
		return nil, a, err
	}
	if rb, ok := resp.Body.(*readBody); ok {
		// next's answer, read and redacted: only rewind it, in case a
		// middleware read it.
		rb.Reset(rb.data)
	} else {
		// A middleware's own answer: read and redact it as next's are.
		if resp.Body == nil {
			resp.Body = http.NoBody
		}
		if resp.ContentLength == 0 && resp.Body != http.NoBody {
			// A Response literal leaves it 0 more often than it means it.
			resp.ContentLength = -1
		}
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		if err := readResponse(ctx, resp, false, red, nil); err != nil {
			return nil, resp, red.error(err)
		}
	}
	resp.Request = view
	return resp, resp, nil
}
