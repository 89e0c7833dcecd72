package conductor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
)

// MaxResponseBodyBytes caps how much of a response body is read (8 MiB).
// A server that sends more gets an error instead of the client's memory.
const MaxResponseBodyBytes = 8 << 20

var userAgent = "conductor-go/" + Version

// engine is the one layer between the generated client and the network.
// Everything every operation needs lives here, so an operation added to
// openapi.yaml gets it with no code of its own: the Authorization and
// User-Agent headers, per-attempt timeouts, retries with backoff, bounded
// body reads, logging, and turning non-2xx responses into *Error.
type engine struct {
	defaults  *settings
	deadlines deadlines
}

var _ gen.HttpRequestDoer = (*engine)(nil)

// Do sends req with retries. It returns a response only for a 2xx status,
// with the body already read (so the per-attempt timeout covered it),
// redacted and replayable; any other status becomes an *Error.
//
// Do is what the generated client of [Client.Gen] sends through, with the
// client's settings; facade calls use send with their own. It cannot tell
// what a POST does, so it treats every POST as a write, and every DELETE
// as a delete (see methodWrite).
func (e *engine) Do(req *http.Request) (*http.Response, error) {
	// A request editor may have added a header net/http would refuse, or
	// one the client owns; refuse it once, before anything is sent. The
	// facade's own headers are checked where they are set (options, ids),
	// so its calls skip this.
	if err := checkHeaders(req.Header); err != nil {
		return nil, err
	}
	return e.send(req.Context(), req, e.defaults, methodWrite(req.Method))
}

// send is Do for a call whose context is ctx (req's own is ignored), whose
// settings are s, and which changes data as write says.
func (e *engine) send(ctx context.Context, req *http.Request, s *settings, write writeKind) (*http.Response, error) {
	red := redactor{s.apiKey}
	if err := checkTarget(req.Method, req.URL, s.base); err != nil {
		return nil, red.error(err)
	}
	getBody, err := replayableBody(req)
	if err != nil {
		return nil, err
	}
	if !write.repeatable() {
		// Over HTTP/2, after the server resets a stream (when it may have
		// carried the request out), net/http sends a request again by
		// itself if it has no body or can rewind it with GetBody: a create
		// went out thousands of times within one attempt. Retries are the
		// engine's to decide, by the write policy, so a write's request
		// gets a body net/http cannot rewind.
		req.GetBody = nil
		if (req.Body == nil || req.Body == http.NoBody) && mayUseHTTP2(s.httpClient, req.URL.Scheme) {
			req.Body = emptyWriteBody{}
		}
	}
	// The generated client builds a new request for each call and hands it
	// only to the engine, so the engine can add its headers in place. The
	// request's own headers (the end-user id, a Gen() editor's) win over
	// the options'; the client's identity is set last, over anything.
	for name, values := range s.headers {
		if _, ok := req.Header[name]; !ok {
			req.Header[name] = slices.Clone(values) // never share the settings' slices
		}
	}
	if write != notWrite {
		if _, ok := req.Header[timeoutHeader]; !ok {
			req.Header[timeoutHeader] = writeTimeout(s.timeout)
		}
	}
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	req.Header.Set("User-Agent", userAgent)

	// The path is shown in errors and logs; an id can be anything, even
	// the key.
	path := red.string(req.URL.Path)
	var tookEffect bool // an attempt before this one may have taken effect
	// answer is the last attempt's answer, even one whose body broke off;
	// WithResponse's Response gets it when the call ends, and only then:
	// the answers of attempts retried are thrown away uncopied.
	var answer *http.Response
	defer func() { s.response.record(answer) }()
	var first time.Time // when a write's first attempt went out, for its error
	if write != notWrite {
		first = time.Now()
	}
	for attempt := 0; ; attempt++ {
		var start time.Time
		if s.logger != nil { // reading the clock is not free on every machine
			start = time.Now()
		}
		var resp *http.Response
		resp, answer, err = e.attempt(ctx, req, attempt, getBody, s, red, write)
		retry := attempt < s.maxRetries && shouldRetry(ctx, resp, err, write, s.writePolicy == ResendWrites)
		var wait time.Duration
		if retry {
			wait = retryDelay(resp, attempt)
		}
		if s.logger != nil {
			logAttempt(ctx, s.logger, req.Method, path, resp, err, attempt, time.Since(start), wait)
		}
		mayHave := write != notWrite && mayHaveTakenEffect(resp, err)
		if !retry {
			resp, err = finish(req.Method, path, resp, err, attempt)
			return resp, sentAt(write.unconfirmed(err, mayHave, tookEffect), first)
		}
		tookEffect = tookEffect || mayHave
		if !sleep(ctx, wait) {
			last := err
			if last == nil {
				_, last = finish(req.Method, path, resp, nil, attempt)
			}
			err = fmt.Errorf("conductor: %s %s: %w while waiting to retry; last attempt: %w", req.Method, path, ctx.Err(), last)
			return nil, sentAt(write.unconfirmed(err, false, tookEffect), first)
		}
	}
}

// timeoutHeader asks Conductor to wait that many seconds for QuickBooks
// Desktop before it answers with a timeout. The engine sets it on every
// write, so that how long a write Conductor gave up on could still be
// carried out is known: resolution waits that long before it sends a
// create again (see resolve.go).
const timeoutHeader = "Conductor-Timeout-Seconds"

// conductorWait is Conductor's documented default wait, and the header's
// value when the attempt's timeout is longer.
var conductorWait = []string{"90"}

// writeTimeout is the value of timeoutHeader for a write whose attempts
// time out after timeout: 90, or the timeout in whole seconds when it is
// shorter (at least 1), so that Conductor gives up before the client does.
// The common value is one shared slice: a write costs no allocation more.
func writeTimeout(timeout time.Duration) []string {
	if timeout >= 90*time.Second {
		return conductorWait
	}
	return []string{strconv.Itoa(max(1, int(timeout/time.Second)))}
}

// sentAt records in err, when it is an *UnconfirmedWriteError, when the
// write's first attempt went out.
func sentAt(err error, first time.Time) error {
	if u, ok := err.(*UnconfirmedWriteError); ok {
		u.SentAt = first.Round(0) // a time to show, without the monotonic reading
	}
	return err
}

// attempt sends one try and reads the whole body within the try's
// timeout. What it returns (headers, body, error) is already redacted.
// answer is what arrived of the answer: resp, or, when its body could not
// be read, its status and headers (a write's request id is what support
// needs to tell whether it took effect); nil when nothing did.
//
// With middlewares (WithMiddleware), the attempt goes through them; write
// says what next may do (see throughMiddleware).
func (e *engine) attempt(callCtx context.Context, req *http.Request, attempt int, getBody func() (io.ReadCloser, error), s *settings, red redactor, write writeKind) (resp, answer *http.Response, err error) {
	ctx, stop := e.deadlines.start(callCtx, s.timeout)
	defer stop()
	r := req.WithContext(ctx)
	if attempt > 0 && getBody != nil { // the first attempt sends req.Body itself
		body, err := getBody()
		if err != nil {
			return nil, nil, err
		}
		r.Body = body
	}
	if len(s.middlewares) > 0 {
		if resp, answer, err = e.throughMiddleware(ctx, r, attempt, getBody, s, red, write); err == nil {
			return resp, answer, nil
		}
	} else if resp, err = s.httpClient.Do(r); err == nil {
		resp.Request = r // a transport from WithHTTPClient may leave it out
		if err = readResponse(ctx, resp, boundsBodies(s.httpClient), red, s.bodies.spare()); err == nil {
			return resp, resp, nil
		}
		answer = resp // its head, redacted; the Body, not read whole, is not kept
	}
	switch {
	case callCtx.Err() == nil && context.Cause(ctx) == context.DeadlineExceeded:
		// The attempt's own timeout: net/http saw only a cancellation, so
		// say what it was, and let errors.Is find DeadlineExceeded but not
		// Canceled, which is the caller's.
		err = fmt.Errorf("attempt timed out after %v: %w (%v)", s.timeout, context.DeadlineExceeded, err)
	case callCtx.Err() != nil && !errors.Is(err, callCtx.Err()):
		// The body was closed under a read, which then reports that rather
		// than why: keep the why, so errors.Is finds it.
		err = fmt.Errorf("%w: %w", callCtx.Err(), err)
	}
	return nil, answer, red.error(err)
}

// readResponse reads resp's body whole, bounded by ctx and
// MaxResponseBodyBytes, into spare's memory when it is large enough, and
// replaces it, and resp's status line, headers and trailers, with their
// redacted form. bound says that the transport itself ends a body read
// when ctx ends.
func readResponse(ctx context.Context, resp *http.Response, bound bool, red redactor, spare []byte) error {
	resp.Status = red.string(resp.Status) // a reason phrase can say anything
	red.header(resp.Header)
	if resp.StatusCode < 200 {
		// A 1xx final answer (101 Switching Protocols) hands over the raw
		// connection as its body, which no context bounds: never read it.
		resp.Body.Close()
		resp.Body = &readBody{}
		return nil
	}
	if !bound {
		// Closing the body when ctx ends is what bounds a read then. The
		// function closes the body it was given: ctx may end after the
		// read, as resp.Body is replaced below.
		raw := resp.Body
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		defer stop()
	}
	body, err := readCapped(resp.Body, resp.ContentLength, spare)
	resp.Body.Close()
	red.header(resp.Trailer) // filled in once the body is read to its end
	if err != nil {
		return fmt.Errorf("reading the %d response: %w", resp.StatusCode, err)
	}
	body = red.bytes(body)
	rb := &readBody{data: body}
	rb.Reset(body)
	resp.Body = rb
	return nil
}

// boundsBodies reports whether hc's transport is net/http's own, which
// ends a body read when the request's context ends. Any other transport,
// such as one given to WithHTTPClient, may not.
func boundsBodies(hc *http.Client) bool {
	t := hc.Transport
	if t == nil {
		t = http.DefaultTransport // which a program may have replaced
	}
	_, std := t.(*http.Transport)
	return std
}

// finish turns the last attempt into what Do returns; path is the
// request's, redacted.
func finish(method, path string, resp *http.Response, err error, attempt int) (*http.Response, error) {
	if err != nil {
		tries := ""
		if attempt > 0 {
			tries = fmt.Sprintf(" after %d attempts", attempt+1)
		}
		return nil, fmt.Errorf("conductor: %s %s failed%s: %w", method, path, tries, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if path != resp.Request.URL.Path {
			// What reads the answer later (its checks, a Gen() caller)
			// shows resp.Request's path: give it the redacted one.
			r, u := *resp.Request, *resp.Request.URL
			u.Path, u.RawPath = path, ""
			r.URL = &u
			resp.Request = &r
		}
		return resp, nil
	}
	e := decodeError(resp, resp.Body.(*readBody).data)
	e.Path = path
	return nil, e
}

// replayableBody returns a function giving a fresh copy of the request body
// for each attempt, so that every retry sends exactly the same bytes.
func replayableBody(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		return req.GetBody, nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("conductor: reading the request body: %w", err)
	}
	getBody := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = getBody()
	return getBody, nil
}

// emptyWriteBody is the body of a write that has none (a void, say), one
// net/http cannot rewind, so that it never sends the write again by
// itself over HTTP/2. The price: over HTTP/1.1 such a request goes out as
// an empty chunked body instead of with Content-Length: 0, which net/http
// sends only for a request with no body at all (Request.outgoingLength),
// and which HTTP/2 then resends (http2shouldRetryRequest). Which protocol
// a connection speaks is known only once it is made, so the engine uses
// it only where HTTP/2 is possible (see mayUseHTTP2).
type emptyWriteBody struct{}

func (emptyWriteBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyWriteBody) Close() error             { return nil }

// mayUseHTTP2 reports whether hc may send a request to a URL of scheme
// over HTTP/2: over https unless its net/http transport is set to HTTP/1
// only; over plain http only if it is set to unencrypted HTTP/2 (h2c);
// always with a transport that is not net/http's, which the engine cannot
// see into. Over HTTP/1.1, net/http never resends a POST or DELETE that
// has no Idempotency-Key header (which the engine refuses) by itself.
func mayUseHTTP2(hc *http.Client, scheme string) bool {
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return true
	}
	if scheme == "http" {
		return t.Protocols != nil && t.Protocols.UnencryptedHTTP2()
	}
	return t.Protocols == nil || t.Protocols.HTTP2()
}

func logAttempt(ctx context.Context, logger *slog.Logger, method, path string, resp *http.Response, err error, attempt int, took, wait time.Duration) {
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("attempt", attempt+1),
		slog.Duration("duration", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", resp.Header.Get(requestIDHeader)))
		if resp.StatusCode >= 300 {
			level = slog.LevelWarn
		}
	}
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if wait > 0 {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	logger.LogAttrs(ctx, level, "conductor: request", attrs...)
}
