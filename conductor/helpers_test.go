package conductor_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

const (
	testAPIKey         = "sk_conductor_test_SECRET_0123456789"
	testPublishableKey = "pk_conductor_test_0123456789"
)

// reply is one scripted response of a scriptServer.
type reply struct {
	status  int
	headers map[string]string
	body    string
	// stall, when set, is waited on before answering (the request's
	// context ends it early).
	stall time.Duration
}

// received is what a scriptServer saw of one request.
type received struct {
	method, path string
	header       http.Header
	body         []byte
	at           time.Time
}

// script answers requests with scripted replies in order, then with the
// last one, and records every request and when it arrived. It serves a
// scriptServer on loopback, or a synctest bubble's server, where the
// times are the bubble's.
type script struct {
	mu       sync.Mutex
	replies  []reply
	requests []received
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, received{r.Method, r.URL.Path, r.Header.Clone(), body, time.Now()})
	rep := s.replies[min(n, len(s.replies)-1)]
	s.mu.Unlock()
	if rep.stall > 0 {
		select {
		case <-time.After(rep.stall):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (s *script) got() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.requests...)
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// gaps are the times between consecutive requests.
func (s *script) gaps() []time.Duration {
	got := s.got()
	var out []time.Duration
	for i := 1; i < len(got); i++ {
		out = append(out, got[i].at.Sub(got[i-1].at))
	}
	return out
}

// scriptServer is a script on a loopback httptest server.
type scriptServer struct {
	*httptest.Server
	*script
	// conns counts the TCP connections the server accepted.
	conns atomic.Int32
}

func newScriptServer(t *testing.T, replies ...reply) *scriptServer {
	t.Helper()
	s := &scriptServer{script: &script{replies: replies}}
	s.Server = httptest.NewUnstartedServer(s.script)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// client returns a client for s with the test keys and opts.
func (s *scriptServer) client(t *testing.T, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	return testClient(t, s.URL, opts...)
}

// testClient returns a client for the server at url with the test keys
// and opts.
func testClient(t *testing.T, url string, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	base := []conductor.Option{
		conductor.WithAPIKey(testAPIKey),
		conductor.WithBaseURL(url),
		conductor.WithPublishableKey(testPublishableKey),
	}
	c, err := conductor.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// sessionJSON is a valid auth_session body as the API documents it.
const sessionJSON = `{
  "id": "auth_sess_1234567abcdefg",
  "objectType": "auth_session",
  "createdAt": "2024-01-01T12:34:56.789Z",
  "endUserId": "end_usr_1234567abcdefg",
  "clientSecret": "auth_sess_client_secret_1234567abcdefg",
  "authFlowUrl": "https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_conductor_test_0123456789",
  "expiresAt": "2024-01-01T13:04:56.789Z",
  "redirectUrl": null
}`

var okReply = reply{
	status:  200,
	headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": "req_ok"},
	body:    sessionJSON,
}

// envelope returns an error body in Conductor's envelope.
func envelope(status int, typ, code, msg string) string {
	b, err := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "userFacingMessage": "Something went wrong.", "type": typ, "code": code,
		"httpStatusCode": status, "requestId": "req_envelope",
	}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

var validParams = conductor.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg"}

func create(t *testing.T, c *conductor.Client, p conductor.AuthSessionCreateParams, opts ...conductor.Option) (*conductor.AuthSession, error) {
	t.Helper()
	return c.AuthSessions.Create(testdeadline.Context(t), p, opts...)
}
