package conductortest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
)

// requestIDHeader is the header Conductor puts on every response.
const requestIDHeader = "Conductor-Request-Id"

// Options configure [NewServerWithOptions]. The zero value is what
// [NewServer] uses.
type Options struct {
	// Addr is the address to listen on. Default "127.0.0.1:0", a random
	// free port on loopback. An unspecified host ("0.0.0.0:4010",
	// "[::]:4010", ":4010") listens on every interface, as in a
	// container; URL then names loopback (see [Server.URL]).
	Addr string
	// SecretKey is the only bearer key the fake accepts. Default: a random
	// sk_conductor_fake_... key.
	SecretKey string
	// PublishableKey is the only publishable key the fake accepts in a
	// request body. Default: a random pk_conductor_fake_... key.
	PublishableKey string
	// Now is the fake's clock, for tests that want fixed timestamps or an
	// expired session. Default time.Now. [Server.Advance] moves it on.
	Now func() time.Time
	// CursorTTL is how long a list's cursor stays valid after the page
	// it came with, as Conductor's does for 10 seconds. Default 10 s;
	// tests of expiry shorten it.
	CursorTTL time.Duration
	// IOTimeout bounds how long a client may take to send a request,
	// headers and body, and to take in its answer; a slower client is cut
	// off without an answer, so that it cannot hold the fake's memory or
	// connections for ever. Default 30 s; tests of a slow client shorten
	// it. A body must also keep to a minimum rate (see the package
	// documentation), whatever IOTimeout is.
	IOTimeout time.Duration
	// Fixtures are end-users and QuickBooks Desktop objects the fake
	// starts with, ids included; see [Fixtures] and [LoadFixtures].
	Fixtures *Fixtures
	// Demo adds a small demo company to the fixtures: a connected
	// end-user, [DemoEndUserID], with customers, items and invoices.
	Demo bool
	// MaxObjectBytes bounds the QuickBooks Desktop objects the fake
	// holds, in bytes, as [MaxObjectBytes] (the default, 8 MiB) says; a
	// test of a real company's books, tens of thousands of objects, sets
	// more, and the fake's memory grows by about as much.
	MaxObjectBytes int
	// MaxCursors and MaxCursorBytes bound the lists the fake pages at
	// once, as [MaxCursors] and [MaxCursorBytes] (the defaults) say.
	MaxCursors, MaxCursorBytes int
}

// Server is a running fake Conductor API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake, such as http://127.0.0.1:41234,
	// for conductor.WithBaseURL or CONDUCTOR_BASE_URL. When the fake
	// listens on every interface it is http://127.0.0.1:<port>, as the
	// bound address names no host to connect to; clients on other
	// machines use this machine's address with the same port.
	URL string
	// SecretKey is the key a client must send as "Authorization: Bearer".
	SecretKey string
	// PublishableKey is the key a request body must carry.
	PublishableKey string

	clock func() time.Time // Options.Now
	// ahead is how far Advance has moved the fake's clock past clock, in
	// nanoseconds.
	ahead     atomic.Int64
	http      *httptest.Server
	transport *http.Transport
	closing   chan struct{}
	closeOnce sync.Once

	// slots holds a token for each request being worked on, so that at
	// most maxConcurrent are, whatever the load; reading a request and
	// writing its answer hold none.
	slots chan struct{}
	// inFlight counts the bytes of the bodies being read and the answers
	// being written.
	inFlight  inFlight
	ioTimeout time.Duration
	// bodyGrace is bodyGrace, but for tests that must not depend on how
	// fast the machine is (export_internal_test.go).
	bodyGrace atomic.Int64
	conns     *connLimit

	api       *api
	cursorTTL time.Duration

	mu       sync.Mutex
	requests window[Request]
	queue    []Response
	random   randomFaults
	late     lateApplies
	sessions sessionStore
	state    *state
	idSeq    int64 // the last QuickBooks id given
}

// Request is one request the fake received, as returned by
// [Server.Requests].
type Request struct {
	Method string
	// Path is the URL path, such as /auth-sessions.
	Path string
	// RawQuery is the query as sent, without the '?', such as
	// limit=2&cursor=abc; url.ParseQuery reads it.
	RawQuery string
	Header   http.Header
	Body     []byte
}

// NewServer starts a fake on a random loopback port with random keys. Call
// Close when done. It panics only if loopback cannot be listened on, as
// httptest.NewServer does, since a test can do nothing useful then; use
// [NewServerWithOptions] to get an error instead.
func NewServer() *Server {
	s, err := NewServerWithOptions(Options{})
	if err != nil {
		panic("conductortest: " + err.Error())
	}
	return s
}

// NewServerWithOptions starts a fake configured by opts, such as a fixed
// address and keys for a standalone fake that other programs use.
func NewServerWithOptions(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.SecretKey == "" {
		opts.SecretKey = "sk_conductor_fake_" + randomToken()
	}
	if opts.PublishableKey == "" {
		opts.PublishableKey = "pk_conductor_fake_" + randomToken()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := checkKeys(opts.SecretKey, opts.PublishableKey); err != nil {
		return nil, err
	}
	s, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("conductortest: listen on %s: %w", opts.Addr, err)
	}
	s.start(l)
	return s, nil
}

// prepare makes the fake opts describe, with its fixtures loaded, ready to
// start; NewServerWithOptions has completed and checked opts.
func prepare(opts Options) (*Server, error) {
	a, err := loadAPI()
	if err != nil {
		return nil, fmt.Errorf("conductortest: the fake cannot read its OpenAPI document: %w", err)
	}
	return prepareWith(a, opts)
}

// prepareWith is prepare with the spec a.
func prepareWith(a *api, opts Options) (*Server, error) {
	if opts.CursorTTL <= 0 {
		opts.CursorTTL = 10 * time.Second
	}
	if opts.IOTimeout <= 0 {
		opts.IOTimeout = defaultIOTimeout
	}
	for _, b := range []struct {
		name string
		v    *int
		def  int
	}{{"MaxObjectBytes", &opts.MaxObjectBytes, MaxObjectBytes}, {"MaxCursors", &opts.MaxCursors, MaxCursors}, {"MaxCursorBytes", &opts.MaxCursorBytes, MaxCursorBytes}} {
		if *b.v < 0 {
			return nil, fmt.Errorf("conductortest: Options.%s is %d; use 0 for the default (%d) or more", b.name, *b.v, b.def)
		}
		if *b.v == 0 {
			*b.v = b.def
		}
	}
	s := &Server{
		SecretKey:      opts.SecretKey,
		PublishableKey: opts.PublishableKey,
		clock:          opts.Now,
		closing:        make(chan struct{}),
		slots:          make(chan struct{}, maxConcurrent),
		requests:       window[Request]{maxLen: RequestWindowLen, maxBytes: RequestWindowBytes},
		sessions:       newSessionStore(),
		transport:      newTransport(),
		api:            a,
		cursorTTL:      opts.CursorTTL,
		ioTimeout:      opts.IOTimeout,
		state:          newState(opts),
	}
	s.bodyGrace.Store(int64(bodyGrace))
	fixtures := opts.Fixtures
	if opts.Demo {
		fixtures = fixtures.with(demoFixtures())
	}
	if err := s.load(fixtures); err != nil {
		return nil, fmt.Errorf("conductortest: fixtures: %w", err)
	}
	return s, nil
}

// start serves s on l. ReadTimeout runs from a request's start to its
// last body byte, waiting for room to read the body included; the answer
// has its own deadline (see serve), as a server-wide WriteTimeout would
// also count the time a queued Response.Delay stalls.
func (s *Server) start(l net.Listener) {
	limit := newConnLimit(l)
	s.conns = limit
	s.http = &httptest.Server{Listener: limit, Config: &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: s.ioTimeout,
		ReadTimeout:       s.ioTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         limit.connState,
	}}
	s.http.Start()
	s.URL = baseURL(l.Addr())
}

// baseURL is the URL a client on this machine reaches addr by. A listener
// on an unspecified address (0.0.0.0 or ::) takes connections on every
// interface, loopback included, but its own address cannot be connected
// to, and the conductor client refuses plain http to it as not loopback.
// 127.0.0.1 serves for both, because Go listens on an unspecified address
// with one dual-stack socket for "tcp", whichever of the two was asked for.
func baseURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return "http://" + addr.String()
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// checkKeys refuses keys the conductor client would refuse to send, so that
// a misconfigured fake fails at start rather than on every call.
func checkKeys(secret, publishable string) error {
	if err := config.SecretKey(secret); err != nil {
		return fmt.Errorf("conductortest: Options.SecretKey %w", err)
	}
	if err := config.PublishableKey(publishable); err != nil {
		return fmt.Errorf("conductortest: Options.PublishableKey %w", err)
	}
	return nil
}

// newTransport is the transport of the clients from Server.Client. The
// Server owns it so that Close drops its idle keep-alive connections from
// the client side as well, and their goroutines end at once instead of
// whenever they notice the server hung up. It ignores proxy settings
// because the fake is always reached directly.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.MaxIdleConnsPerHost = 100
	return t
}

// Client returns a conductor client for the fake: its URL, SecretKey and
// PublishableKey, and an HTTP client whose connections Close shuts. opts
// apply on top, such as conductor.WithMaxRetries(0). The error is
// NewClient's for a bad option; CONDUCTOR_SECRET_KEY, CONDUCTOR_BASE_URL
// and CONDUCTOR_PUBLISHABLE_KEY play no part, since the fake's own
// settings override them; CONDUCTOR_LOG does, as for any client, unless
// opts has conductor.WithLogger.
func (s *Server) Client(opts ...conductor.Option) (*conductor.Client, error) {
	base := []conductor.Option{
		conductor.WithAPIKey(s.SecretKey),
		conductor.WithBaseURL(s.URL),
		conductor.WithPublishableKey(s.PublishableKey),
		conductor.WithHTTPClient(&http.Client{Transport: s.transport}),
	}
	return conductor.NewClient(append(base, opts...)...)
}

// Close stops the fake: requests stalled by a queued Delay end at once
// without an answer, and late writes of an [ApplyLate] fault not yet
// carried out never are; Close waits for every request in progress (a
// client that stopped sending its request or reading its answer, for up
// to [Options.IOTimeout]), then closes the idle connections of the clients
// from [Server.Client], so nothing of the fake is left running. Calling
// it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.http.Close()
		s.Settle() // the late applies see closing and end
		s.transport.CloseIdleConnections()
	})
}

// Requests returns a copy of the most recent requests the fake received,
// oldest first, those it refused included: at most [RequestWindowLen], and
// fewer when their bodies and headers would pass [RequestWindowBytes] in
// all. The most recent request is always there, so a test that checks what
// it just sent finds it.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests.values()
	for i := range out {
		// Copies, so that a test changing what it got changes nothing kept.
		out[i].Header = out[i].Header.Clone()
		out[i].Body = append([]byte(nil), out[i].Body...)
	}
	return out
}

// serve is the fake's one handler. It reads the body, records the
// request and gives it a request id, prepares the answer (working on it in
// one of the fake's turns, but for a queued Delay), then writes it within
// the IOTimeout. Neither the body's read nor the answer's write holds a
// turn, so clients slow to send or to read delay no one else's turn; what
// they hold is counted in s.inFlight, or, for the objects of a list, in
// MaxObjectBytes while they are pinned.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// The deadline of the connection's previous answer must not cut this
	// request's "100 Continue" short.
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set(requestIDHeader, "req_"+randomToken())
	var held int
	defer func() { s.inFlight.give(held) }()
	body, held, err := s.readBody(r, rc)
	s.record(r, body)
	if err != nil {
		// The client went away or was cut off mid-body: nobody is left
		// to answer, and an empty answer would read as a success.
		panic(http.ErrAbortHandler)
	}
	a := newAnswer(w)
	if len(body) > maxRequestBody {
		writeError(a, http.StatusRequestEntityTooLarge, invalidRequest(fmt.Sprintf("The request body is larger than %d bytes.", maxRequestBody)))
	} else if !s.prepareAnswer(a, r, body) {
		return
	}
	if a.page != nil {
		defer s.unpin(a.page)
	}
	// The body is done with (the request window counts what it keeps);
	// the answer takes its room before it is written, waiting while there
	// is none, so that answers to slow readers stay within maxInFlight.
	s.inFlight.give(held)
	held = 0
	n := min(a.size(), maxInFlight)
	if !s.inFlight.take(n, r.Context().Done(), s.closing, s.ioTimeout) {
		panic(http.ErrAbortHandler)
	}
	held = n
	s.setDate(w.Header())
	rc.SetWriteDeadline(time.Now().Add(s.ioTimeout))
	a.writeTo(w)
}

// setDate dates an answer by the fake's clock, as a real server's Date
// header gives its own: a client reads the server's time from it (a
// change feed, to tell a checkpoint older than QuickBooks' 90 days), so
// it must move with Advance, not be net/http's wall clock. Every answer
// passes here; a Date a queued Response sets (or removes, with a nil
// value) is left as it is.
func (s *Server) setDate(h http.Header) {
	if _, set := h["Date"]; !set {
		h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	}
}

// unpin gives back the objects of a page written or abandoned.
func (s *Server) unpin(p *page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.unpin(p.data)
}

// prepareAnswer writes r's answer to a and reports whether there is one;
// false means the client gave up while a queued Delay stalled it.
func (s *Server) prepareAnswer(a *answer, r *http.Request, body []byte) bool {
	if secret, complete, ok := authFlowPath(r.URL.Path); ok {
		s.enter(r)
		defer s.leave()
		s.serveAuthFlow(a, r, secret, complete)
		return true
	}
	arrived := time.Now()
	fault := NoFault
	if q, ok := s.dequeue(); ok {
		if q.Delay > 0 && !s.stall(r, q.Delay) {
			return false
		}
		if s.serveQueued(a, q) {
			return true
		}
		fault = q.Fault
	} else {
		fault = s.drawFault(r)
	}
	if fault != NoFault {
		s.serveFault(a, r, body, fault, arrived)
		return true
	}
	s.enter(r)
	defer s.leave()
	s.serveAPI(a, r, body)
	return true
}

// serveAPI answers an API request: the operation the spec has for the
// method and path, the key, the request as the spec describes it, then the
// operation against the fake's state.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	rt, params, allowed := s.api.match(r.Method, r.URL.EscapedPath())
	switch {
	case rt == nil && len(allowed) > 0:
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, Error{Type: "INVALID_REQUEST_ERROR", Code: "METHOD_NOT_ALLOWED", Message: fmt.Sprintf("%s is not allowed on %s; use %s.", r.Method, r.URL.Path, strings.Join(allowed, " or "))})
		return
	case rt == nil:
		writeError(w, http.StatusNotFound, Error{Type: "INVALID_REQUEST_ERROR", Code: "RESOURCE_MISSING", Message: fmt.Sprintf("There is no resource at %s %s.", r.Method, r.URL.Path)})
		return
	}
	if msg := s.checkAuthorization(r.Header.Get("Authorization")); msg != "" {
		writeError(w, http.StatusUnauthorized, Error{
			Type: "AUTHENTICATION_ERROR", Code: "API_KEY_INVALID", Message: msg,
			UserFacingMessage: "An internal server error occurred. Please try again.",
		})
		return
	}
	if _, err := rt.operation(); err != nil {
		writeError(w, http.StatusInternalServerError, Error{Type: "INTERNAL_ERROR", Code: "INTERNAL", Message: "The fake cannot read the spec of " + rt.op.Method + " " + rt.op.Path + ": " + err.Error()})
		return
	}
	query, obj, bad := checkRequest(rt, r, body)
	if bad != nil {
		writeError(w, http.StatusBadRequest, *bad)
		return
	}
	status, answer, failed := s.dispatchLocked(rt, r, params, query, obj)
	if failed != nil {
		writeError(w, statusOf(failed), *failed)
		return
	}
	writeJSON(w, status, answer)
}

// dispatchLocked is dispatch with s.mu held, and let go whatever
// happens: a panic in an operation (a bug of the fake, which net/http
// recovers from) must fail that request, not leave every later one
// waiting for the lock.
func (s *Server) dispatchLocked(rt *route, r *http.Request, params map[string]string, query, body map[string]any) (int, any, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dispatch(rt, r, params, query, body)
}

// dispatch runs an operation against the state. s.mu is held.
func (s *Server) dispatch(rt *route, r *http.Request, params map[string]string, query, body map[string]any) (int, any, *Error) {
	switch {
	case rt.op.SDKName() == "authSessions.create":
		return s.createAuthSession(body)
	case rt.op.Namespace == "" && rt.op.Resource == "endUsers":
		return s.serveEndUsers(rt, params, body)
	case rt.op.Namespace == "":
		return s.serveTopLevel(rt, params, query, body)
	}
	eu, failed := s.forEndUser(r)
	if failed != nil {
		return 0, nil, failed
	}
	return s.serveQBD(rt, params, query, body, eu)
}

// statusOf is the HTTP status Conductor answers an error with.
func statusOf(e *Error) int {
	switch {
	case e.Code == "RESOURCE_MISSING":
		return http.StatusNotFound
	case e.Type == "INTEGRATION_CONNECTION_ERROR":
		return http.StatusBadGateway
	case e.Type == "INTERNAL_ERROR":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// enter takes a slot for r, waiting while maxConcurrent requests hold one.
// When the client goes away or the fake closes first, it drops the
// connection: returning normally would send an empty 200 that a client
// would take for a broken success.
func (s *Server) enter(r *http.Request) {
	select {
	case s.slots <- struct{}{}:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	case <-s.closing:
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) leave() { <-s.slots }

// readBody reads up to maxRequestBody+1 bytes of r's body, into a buffer of
// the body's size when the request declares it: io.ReadAll would leave up
// to twice that allocated, and the request window keeps the buffer. First
// it takes room for the body in s.inFlight, waiting while there is none;
// it returns how many bytes it took, which the caller gives back. When
// the client goes away, the fake closes or the IOTimeout passes while it
// waits, it drops the connection. The body must then arrive at
// minBodyRate (see slowBody).
func (s *Server) readBody(r *http.Request, rc *http.ResponseController) ([]byte, int, error) {
	room := maxRequestBody + 1
	if n := r.ContentLength; n >= 0 && n <= maxRequestBody {
		room = int(n)
	}
	if !s.inFlight.take(room, r.Context().Done(), s.closing, s.ioTimeout) {
		panic(http.ErrAbortHandler)
	}
	if room == 0 { // a declared empty body
		return nil, 0, nil
	}
	sb := &slowBody{r: r.Body, rc: rc, start: time.Now(), end: time.Now().Add(s.ioTimeout), grace: time.Duration(s.bodyGrace.Load())}
	// Once the body is in, the deadline is the IOTimeout's again, as
	// before it: the rate's would cut off a request waiting for its turn.
	defer rc.SetReadDeadline(sb.end)
	limited := io.LimitReader(sb, maxRequestBody+1)
	if room <= maxRequestBody {
		body := make([]byte, room)
		k, err := io.ReadFull(limited, body)
		return body[:k], room, err
	}
	body, err := io.ReadAll(limited)
	if cap(body) > len(body) {
		body = bytes.Clone(body)
	}
	return body, room, err
}

// slowBody reads a request body that must arrive at minBodyRate once
// bodyGrace has passed: before each read it sets the connection's read
// deadline to when the body would fall below that rate, or end, the
// IOTimeout, if sooner. A client that trickles its body is so cut off
// within seconds, and gives back the room it took, as with Kestrel's
// MinRequestBodyDataRate.
type slowBody struct {
	r          io.Reader
	rc         *http.ResponseController
	start, end time.Time
	grace      time.Duration // bodyGrace
	read       int64
}

func (b *slowBody) Read(p []byte) (int, error) {
	due := b.start.Add(b.grace + time.Duration((b.read+1)*int64(time.Second)/minBodyRate))
	if due.After(b.end) {
		due = b.end
	}
	b.rc.SetReadDeadline(due)
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// record adds r to the request window; a request counts its body, headers,
// method and path against RequestWindowBytes.
func (s *Server) record(r *http.Request, body []byte) {
	size := requestSize(r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.add(Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}, size)
}

// requestSize is what keeping r and its body costs. A header costs far
// more than its text: a kept copy of r.Header gives each name a map slot,
// with the room a map keeps free, and each value a string header, so a
// request of thousands of tiny headers would otherwise be kept for a
// twentieth of what it holds.
func requestSize(r *http.Request, body []byte) int {
	size := len(r.Method) + len(r.URL.Path) + len(r.URL.RawQuery) + cap(body)
	for name, values := range r.Header {
		size += len(name) + headerNameCost
		for _, v := range values {
			size += len(v) + headerValueCost
		}
	}
	return size
}

// headerNameCost and headerValueCost are what a kept header name and
// value cost beyond their text (see requestSize).
const headerNameCost, headerValueCost = 128, 32

// randomToken is 26 lowercase letters and digits from crypto/rand: ids and
// secrets must not be guessable even in a fake that others can reach.
func randomToken() string { return strings.ToLower(rand.Text()) }
