//go:build contract

package contract

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/gen"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// The keys every server here is called with. Prism accepts any bearer
// token and any publishable key; the fake is started with these.
const (
	secretKey      = "sk_conductor_contract_0123456789"
	publishableKey = "pk_conductor_contract_0123456789"
)

// prismRefused is Prism's status for a request that breaks openapi.yaml:
// the document declares no 4xx response, so Prism makes up a 422. The real
// API, and the fake, answer 400.
const prismRefused = http.StatusUnprocessableEntity

// noAnswer stands for a request a server never answers.
const noAnswer = -1

// server is one implementation of openapi.yaml under test.
type server struct {
	name  string
	url   string
	prism bool
	// header goes with every request: for Prism, the Prefer header that
	// picks its mode for the request.
	header http.Header
	// fake is the fake, nil for Prism.
	fake *conductortest.Server
}

// staticPrism is the shared Prism answering with the spec's examples, as
// `prism mock` without -d does.
func staticPrism(t *testing.T) server {
	return server{name: "prism", url: prismURL(t), prism: true, header: http.Header{"Prefer": {"dynamic=false"}}}
}

// dynamicPrism is the shared Prism inventing every answer from the schema.
func dynamicPrism(t *testing.T) server {
	return server{name: "prism-dynamic", url: prismURL(t), prism: true}
}

// fakeServer starts a fake with the tests' keys and fixtures; the test's
// cleanup closes it.
func fakeServer(t *testing.T, fixtures *conductortest.Fixtures) server {
	t.Helper()
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{SecretKey: secretKey, PublishableKey: publishableKey, Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return server{name: "conductortest", url: fake.URL, fake: fake}
}

// The end-users the auth-session cases name. The fake creates a session
// only for an end-user it knows (404 otherwise, as the API does), so it
// starts with them; Prism knows of no end-users and accepts any id.
const (
	endUserA       = "end_usr_a"
	endUserExample = "end_usr_1234567abcdefg" // the spec's example id
	endUserUnknown = "end_usr_nobody"
)

var authSessionEndUsers = &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
	{ID: endUserA, CompanyName: "A Inc."},
	{ID: endUserExample, CompanyName: "Example Inc."},
}}

// staticServers are static Prism and the fake, with the same keys.
func staticServers(t *testing.T) []server {
	return []server{staticPrism(t), fakeServer(t, authSessionEndUsers)}
}

// newClient is a client for srv that never retries, so each case is one
// request.
func newClient(t *testing.T, srv server, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	base := []conductor.Option{
		conductor.WithAPIKey(secretKey),
		conductor.WithBaseURL(srv.url),
		conductor.WithPublishableKey(publishableKey),
		conductor.WithMaxRetries(0),
		// No attempt limit but the test's deadline (callContext): a busy
		// machine is slow, not wrong.
		conductor.WithTimeout(time.Hour),
	}
	for name, values := range srv.header {
		for _, v := range values {
			base = append(base, conductor.WithHeader(name, v))
		}
	}
	c, err := conductor.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func callContext(t *testing.T) context.Context {
	return testdeadline.Context(t)
}

// TestStatic runs the same cases against Prism's static mode, which
// answers with the spec's examples, and against the fake.
func TestStatic(t *testing.T) {
	t.Parallel()
	for _, srv := range staticServers(t) {
		t.Run(srv.name, func(t *testing.T) {
			t.Run("valid calls parse", func(t *testing.T) { testValidCalls(t, srv) })
			t.Run("bodies", func(t *testing.T) { testBodies(t, srv) })
			t.Run("keys", func(t *testing.T) { testKeys(t, srv) })
			t.Run("routes", func(t *testing.T) { testRoutes(t, srv) })
			t.Run("redirect URLs", func(t *testing.T) { testRedirectURLs(t, srv) })
		})
	}
}

func testValidCalls(t *testing.T, srv server) {
	c := newClient(t, srv)
	for _, p := range []conductor.AuthSessionCreateParams{
		{EndUserID: endUserExample},
		{EndUserID: endUserA, LinkExpiry: conductor.MinLinkExpiry},
		{EndUserID: endUserA, LinkExpiry: conductor.MaxLinkExpiry, RedirectURL: "https://example.com/auth/conductor-callback"},
	} {
		s, err := c.AuthSessions.Create(callContext(t), p)
		if err != nil {
			t.Errorf("Create(%+v): %v", p, err)
			continue
		}
		if s.ObjectType != "auth_session" || s.ID == "" || s.ClientSecret == "" || s.AuthFlowURL == "" || s.RequestID == "" {
			t.Errorf("Create(%+v) = %+v; want every field set", p, s)
		}
		if s.CreatedAt.IsZero() || s.ExpiresAt.Before(s.CreatedAt) {
			t.Errorf("createdAt %v, expiresAt %v; want set and in order", s.CreatedAt, s.ExpiresAt)
		}
	}
}

// bodyCase is one request body and how each server answers it. Where the
// two differ (beyond Prism's 422 for the API's 400), why says which one
// the real API agrees with.
type bodyCase struct {
	name, contentType, body string
	fake, prism             int
	why                     string
}

const pk = `"publishableKey":"` + publishableKey + `"`

var bodyCases = []bodyCase{
	{name: "minimal", body: `{"endUserId":"end_usr_a",` + pk + `}`, fake: 200, prism: 200},
	{name: "every field", body: `{"endUserId":"end_usr_a",` + pk + `,"linkExpiryMins":10080,"redirectUrl":"https://example.com/cb"}`, fake: 200, prism: 200},
	{name: "linkExpiryMins 15", body: `{"endUserId":"end_usr_a",` + pk + `,"linkExpiryMins":15}`, fake: 200, prism: 200},
	{name: "no endUserId", body: `{` + pk + `}`, fake: 400, prism: prismRefused},
	{name: "no publishableKey", body: `{"endUserId":"end_usr_a"}`, fake: 400, prism: prismRefused},
	{name: "endUserId a number", body: `{"endUserId":5,` + pk + `}`, fake: 400, prism: prismRefused},
	{name: "linkExpiryMins a string", body: `{"endUserId":"end_usr_a",` + pk + `,"linkExpiryMins":"30"}`, fake: 400, prism: prismRefused},
	{name: "redirectUrl not a URI", body: `{"endUserId":"end_usr_a",` + pk + `,"redirectUrl":"not a uri"}`, fake: 400, prism: prismRefused},
	{name: "redirectUrl null", body: `{"endUserId":"end_usr_a",` + pk + `,"redirectUrl":null}`, fake: 400, prism: prismRefused},
	{name: "an array", body: `[]`, fake: 400, prism: prismRefused},
	{name: "text/plain", contentType: "text/plain", body: `{"endUserId":"end_usr_a",` + pk + `}`, fake: 400, prism: http.StatusUnsupportedMediaType,
		why: "Prism answers 415 for a content type the spec does not list; the real API answers 400 to every malformed request"},
	{name: "linkExpiryMins 14", body: `{"endUserId":"end_usr_a",` + pk + `,"linkExpiryMins":14}`, fake: 400, prism: 200,
		why: "openapi.yaml states the 15..10080 range only in words, so Prism cannot check it; the real API refuses it"},
	{name: "linkExpiryMins 10081", body: `{"endUserId":"end_usr_a",` + pk + `,"linkExpiryMins":10081}`, fake: 400, prism: 200,
		why: "as for 14: the upper bound of 7 days is only in words"},
	{name: "unknown field", body: `{"endUserId":"end_usr_a",` + pk + `,"endUserID":"end_usr_b"}`, fake: 400, prism: prismRefused},
	{name: "another publishableKey", body: `{"endUserId":"end_usr_a","publishableKey":"pk_conductor_other"}`, fake: 400, prism: 200,
		why: "Prism cannot know which publishable key belongs to the account; the real API checks it"},
	{name: "an end-user the account does not have", body: `{"endUserId":"` + endUserUnknown + `",` + pk + `}`, fake: 404, prism: 200,
		why: "Prism knows no end-users and accepts any id; the real API answers 404 RESOURCE_MISSING for one it does not know"},
	{name: "empty endUserId", body: `{"endUserId":"",` + pk + `}`, fake: 400, prism: 200,
		why: "the schema allows any string; an empty id names no end-user, and the fake refuses it as the client does before sending"},
	// Last: Prism never answers this one (5.16.0 waits forever on a body
	// declared as JSON that does not parse), so it costs a timeout.
	{name: "not JSON", body: `endUserId=end_usr_a`, fake: 400, prism: noAnswer,
		why: "Prism 5.16.0 hangs on a JSON body that does not parse; the real API answers 400"},
}

// testBodies sends each body with the generated client, through the same
// layer as the facade, so a refusal must come back as *conductor.Error.
func testBodies(t *testing.T, srv server) {
	for _, tc := range bodyCases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.fake
			if srv.prism {
				want = tc.prism
			}
			if tc.fake != tc.prism && !(tc.fake == 400 && tc.prism == prismRefused) && tc.why == "" {
				t.Fatal("the servers differ and the case does not say why")
			}
			var opts []conductor.Option
			if want == noAnswer {
				opts = append(opts, conductor.WithTimeout(2*time.Second))
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			resp, err := newClient(t, srv, opts...).Gen().AuthSessionCreateWithBody(callContext(t), ct, strings.NewReader(tc.body))
			checkAnswer(t, srv, want, err)
			if want == http.StatusOK {
				var s gen.AuthSession
				if err != nil || json.NewDecoder(resp.Body).Decode(&s) != nil || s.ID == "" {
					t.Errorf("got %v, %v; want an auth_session", resp, err)
				}
			}
		})
	}
}

// checkAnswer checks that err is what a server answering with status
// gives: nil for 200, an *Error with the status (and, from the fake,
// Conductor's envelope), or a timeout for noAnswer.
func checkAnswer(t *testing.T, srv server, status int, err error) {
	t.Helper()
	var apiErr *conductor.Error
	switch {
	case status == http.StatusOK:
		if err != nil {
			t.Errorf("err = %v, want success", err)
		}
	case status == noAnswer:
		if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &apiErr) {
			t.Errorf("err = %v, want a timeout: this server is known not to answer", err)
		}
	case !errors.As(err, &apiErr):
		t.Errorf("err = %v (%T), want a %d *conductor.Error", err, err, status)
	case apiErr.StatusCode != status:
		t.Errorf("status %d (%v), want %d", apiErr.StatusCode, err, status)
	case !srv.prism && (apiErr.Type == "" || !strings.HasPrefix(apiErr.RequestID, "req_")):
		t.Errorf("the fake's error %v is not Conductor's envelope", err)
	case srv.prism && apiErr.Type != "":
		// Prism's errors are application/problem+json, not Conductor's
		// envelope: the client must say so rather than invent fields.
		t.Errorf("Prism's error decoded as an envelope: %v", err)
	}
}

// testKeys checks the Authorization header. Prism only checks that a
// bearer token is there; it cannot know which keys are valid.
func testKeys(t *testing.T, srv server) {
	body := `{"endUserId":"end_usr_a",` + pk + `}`
	for _, tc := range []struct {
		name, authorization string
		fake, prism         int
	}{
		{"the key", "Bearer " + secretKey, 200, 200},
		{"no header", "", 401, 401},
		{"not bearer", "Basic " + secretKey, 401, 401},
		{"bearer without a token", "Bearer", 401, 401},
		// Differs: Prism accepts any token, the real API only a valid key.
		{"another key", "Bearer sk_conductor_wrong", 401, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.fake
			if srv.prism {
				want = tc.prism
			}
			h := http.Header{"Content-Type": {"application/json"}}
			if tc.authorization != "" {
				h.Set("Authorization", tc.authorization)
			}
			if got := rawStatus(t, srv, "POST", "/auth-sessions", h, body); got != want {
				t.Errorf("status %d, want %d", got, want)
			}
		})
	}
	t.Run("another key through the client", func(t *testing.T) {
		_, err := newClient(t, srv, conductor.WithAPIKey("sk_conductor_wrong")).AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
		want := http.StatusUnauthorized
		if srv.prism {
			want = http.StatusOK
		}
		checkAnswer(t, srv, want, err)
	})
}

// testRoutes checks that both refuse what openapi.yaml does not define.
func testRoutes(t *testing.T, srv server) {
	h := http.Header{"Authorization": {"Bearer " + secretKey}, "Content-Type": {"application/json"}}
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/auth-sessions", http.StatusMethodNotAllowed},
		{"POST", "/no-such-resource", http.StatusNotFound},
	} {
		if got := rawStatus(t, srv, tc.method, tc.path, h, `{}`); got != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
}

// rawStatus sends a request the client would not send, such as one
// without a key, and returns the status.
func rawStatus(t *testing.T, srv server, method, path string, h http.Header, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(callContext(t), method, srv.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	for name, values := range srv.header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
