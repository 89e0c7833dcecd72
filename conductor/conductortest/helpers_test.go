package conductortest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/gen"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// testEndUsers are the end-users the tests' fakes start with, not
// connected: an auth session is only for an end-user the fake knows.
// So are end_usr_0 to end_usr_63, for tests of many callers.
var testEndUsers = func() *conductortest.Fixtures {
	f := &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a"}, {ID: "end_usr_b"}, {ID: "end_usr_1234567abcdefg"},
		{ID: "end_usr_first"}, {ID: "end_usr_newest"}, {ID: "end_usr_oldest"},
	}}
	for i := range 64 {
		f.EndUsers = append(f.EndUsers, conductortest.FixtureEndUser{ID: fmt.Sprintf("end_usr_%d", i)})
	}
	return f
}()

// newServer starts a fake, with testEndUsers unless opts give fixtures,
// that the test closes when it ends.
func newServer(t *testing.T, opts ...conductortest.Options) *conductortest.Server {
	t.Helper()
	var o conductortest.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Fixtures == nil {
		o.Fixtures = testEndUsers
	}
	if o.Now == nil && o.CursorTTL == 0 {
		// On the wall clock, a busy machine can take longer than
		// Conductor's 10 s between two pages; tests of expiry set Now.
		o.CursorTTL = 24 * time.Hour
	}
	srv, err := conductortest.NewServerWithOptions(o)
	if err != nil {
		t.Fatalf("NewServerWithOptions: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// client returns srv.Client(opts...) with the environment cleared, so the
// machine's CONDUCTOR_* variables cannot change a test.
func client(t *testing.T, srv *conductortest.Server, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	for _, name := range []string{conductor.EnvSecretKey, conductor.EnvBaseURL, conductor.EnvPublishableKey} {
		t.Setenv(name, "")
	}
	c, err := srv.Client(opts...)
	if err != nil {
		t.Fatalf("srv.Client: %v", err)
	}
	return c
}

func create(t *testing.T, c *conductor.Client, p conductor.AuthSessionCreateParams, opts ...conductor.Option) (*conductor.AuthSession, error) {
	t.Helper()
	return c.AuthSessions.Create(testdeadline.Context(t), p, opts...)
}

// rawResponse is one answer of the fake to a hand-built request.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// send makes a request that the conductor client would never make, such
// as one with a body it would refuse, and reads the whole answer.
func send(t *testing.T, srv *conductortest.Server, method, path string, header http.Header, body string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	hc.CloseIdleConnections()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header, b}
}

// authorized is the headers of a well-formed call to srv.
func authorized(srv *conductortest.Server) http.Header {
	return http.Header{"Authorization": {"Bearer " + srv.SecretKey}, "Content-Type": {"application/json"}}
}

// decodeEnvelope checks that r is an error envelope whose requestId is the
// Conductor-Request-Id header, and returns it.
func decodeEnvelope(t *testing.T, r rawResponse) gen.ErrorResponse {
	t.Helper()
	var env gen.ErrorResponse
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("body %q is not an envelope: %v", r.body, err)
	}
	if id := r.header.Get("Conductor-Request-Id"); id == "" || id != env.Error.RequestID {
		t.Errorf("Conductor-Request-Id %q, envelope requestId %q; want equal and set", id, env.Error.RequestID)
	}
	if int(env.Error.HTTPStatusCode) != r.status {
		t.Errorf("httpStatusCode %v, status %d; want equal", env.Error.HTTPStatusCode, r.status)
	}
	if env.Error.Message == "" || env.Error.UserFacingMessage == "" {
		t.Errorf("envelope %s lacks a message or userFacingMessage", r.body)
	}
	return env
}
