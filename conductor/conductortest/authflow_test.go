package conductortest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// pathOf is the path and query of an absolute URL on the fake.
func pathOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

var completeLink = regexp.MustCompile(`href="([^"]+)"`)

// followFlow opens the auth-flow page and its link, as a user would, and
// checks that neither answer may be cached: both carry the session's
// secret, in the page's link or the URL asked for.
func followFlow(t *testing.T, srv *conductortest.Server, authFlowURL string) rawResponse {
	t.Helper()
	page := send(t, srv, "GET", pathOf(t, authFlowURL), nil, "")
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("auth-flow page: %d %q, want a 200 HTML page", page.status, page.header.Get("Content-Type"))
	}
	m := completeLink.FindSubmatch(page.body)
	if m == nil {
		t.Fatalf("the page has no link: %s", page.body)
	}
	done := send(t, srv, "GET", string(m[1]), nil, "")
	for what, r := range map[string]rawResponse{"the auth-flow page": page, "its link": done} {
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
		}
	}
	return done
}

func TestAuthFlowRedirectsToRedirectURL(t *testing.T) {
	srv := newServer(t)
	const callback = "https://example.com/auth/callback?state=a&b=1"
	s, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", RedirectURL: callback})
	if err != nil {
		t.Fatal(err)
	}
	r := followFlow(t, srv, s.AuthFlowURL)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != callback {
		t.Errorf("completing: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), callback)
	}
	checkPrefix(t, "Conductor-Request-Id", r.header.Get("Conductor-Request-Id"), "req_")
}

func TestAuthFlowWithoutRedirectURLSaysToCloseTheTab(t *testing.T) {
	srv := newServer(t)
	s, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	if err != nil {
		t.Fatal(err)
	}
	r := followFlow(t, srv, s.AuthFlowURL)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "close this tab") {
		t.Errorf("completing: %d %s, want a 200 page saying to close the tab", r.status, r.body)
	}
}

func TestAuthFlowUnknownOrExpiredIs404(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow
	srv := newServer(t, conductortest.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	s, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: 15 * time.Minute, RedirectURL: "https://example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	page := pathOf(t, s.AuthFlowURL)
	complete := "/qbd/" + s.ClientSecret + "/complete"
	for _, p := range []string{"/qbd/auth_sess_client_secret_unknown", "/qbd/auth_sess_client_secret_unknown/complete"} {
		if r := send(t, srv, "GET", p, nil, ""); r.status != http.StatusNotFound || decodeEnvelope(t, r).Error.Code != "RESOURCE_MISSING" {
			t.Errorf("GET %s: %d %s, want a 404 envelope", p, r.status, r.body)
		}
	}

	mu.Lock()
	now = now.Add(15*time.Minute - time.Millisecond)
	mu.Unlock()
	if r := send(t, srv, "GET", page, nil, ""); r.status != http.StatusOK {
		t.Fatalf("a millisecond before expiry: %d, want 200", r.status)
	}
	mu.Lock()
	now = now.Add(time.Millisecond)
	mu.Unlock()
	for _, p := range []string{page, complete} {
		if r := send(t, srv, "GET", p, nil, ""); r.status != http.StatusNotFound {
			t.Errorf("GET %s at expiry: %d, want 404", p, r.status)
		}
	}
}
