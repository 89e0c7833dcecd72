//go:build contract

package contract

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// redirectCase is a redirectUrl, whether the client sends it, and how
// each server answers it as a raw body. Where they differ (beyond Prism's
// 422 for the API's 400), why says which follows RFC 3986.
type redirectCase struct {
	url         string
	client      bool
	fake, prism int
	why         string
}

var redirectCases = []redirectCase{
	// What the client sends: every server must accept it.
	{url: "https://example.com/auth/callback?state=a&b=1", client: true, fake: 200, prism: 200},
	{url: "http://localhost:3000/cb", client: true, fake: 200, prism: 200},
	{url: "HTTPS://EXAMPLE.COM/CB", client: true, fake: 200, prism: 200},
	{url: "https://user:pass@example.com/cb", client: true, fake: 200, prism: 200},
	{url: "https://example.com/cb#done", client: true, fake: 200, prism: 200},
	{url: "https://example.com/caf%C3%A9?q=a%20b", client: true, fake: 200, prism: 200},
	{url: "https://example.com:8443/cb", client: true, fake: 200, prism: 200},
	{url: "https://example.com:65535/cb", client: true, fake: 200, prism: 200},
	{url: "https://example.com:/cb", client: true, fake: 200, prism: 200},
	{url: "https://[::1]:8080/cb", client: true, fake: 200, prism: 200},
	{url: "https://[2001:db8::1]/cb", client: true, fake: 200, prism: 200},
	{url: "https://[::ffff:192.0.2.1]/cb", client: true, fake: 200, prism: 200},
	{url: "https://192.0.2.1/cb", client: true, fake: 200, prism: 200},
	{url: "https://a_b!$&'()*+,;=.example/", client: true, fake: 200, prism: 200},
	// URIs the client refuses as no redirect target: servers accept them.
	{url: "https://:80", fake: 200, prism: 200},
	{url: "https:///callback", fake: 200, prism: 200},
	{url: "https://example.com:65536/cb", fake: 200, prism: 200},
	{url: "ftp://example.com/x", fake: 200, prism: 200},
	{url: "mailto:someone@example.com", fake: 200, prism: 200},
	// Not URIs: every server refuses them.
	{url: "https://example.com/ space", fake: 400, prism: prismRefused},
	{url: "https://example.com/cb\n", fake: 400, prism: prismRefused},
	{url: "https://example.com/café", fake: 400, prism: prismRefused},
	{url: "https://exämple.com/", fake: 400, prism: prismRefused},
	{url: "https://example.com/%zz", fake: 400, prism: prismRefused},
	{url: "https://example.com/cb#a#b", fake: 400, prism: prismRefused},
	{url: "https://[fe80::1%25eth0]/cb", fake: 400, prism: prismRefused},
	{url: "https://[192.0.2.1]/cb", fake: 400, prism: prismRefused},
	{url: "https://[::1/cb", fake: 400, prism: prismRefused},
	{url: "https://example.com/a\"b", fake: 400, prism: prismRefused},
	{url: "/callback", fake: 400, prism: prismRefused},
	// Where Prism's expression is looser than RFC 3986.
	{url: "https://example.com:8a/cb", fake: 400, prism: 200,
		why: "ajv-formats' uri expression lets one slash start the authority, so it reads //example.com:8a/cb as an empty authority and a path; RFC 3986 has no port 8a"},
	{url: "https://[::ffff:192.0.2.01]/cb", fake: 400, prism: 200,
		why: "ajv-formats' dec-octet takes a leading zero, RFC 3986's does not"},
}

// testRedirectURLs sends each redirectUrl as a raw body, and through the
// client the ones it sends, so that what the client sends, every server
// accepts.
func testRedirectURLs(t *testing.T, srv server) {
	for _, tc := range redirectCases {
		t.Run(tc.url, func(t *testing.T) {
			want := tc.fake
			if srv.prism {
				want = tc.prism
			}
			if tc.fake != tc.prism && !(tc.fake == 400 && tc.prism == prismRefused) && tc.why == "" {
				t.Fatal("the servers differ and the case does not say why")
			}
			body, err := json.Marshal(map[string]string{"endUserId": "end_usr_a", "publishableKey": publishableKey, "redirectUrl": tc.url})
			if err != nil {
				t.Fatal(err)
			}
			_, err = newClient(t, srv).Gen().AuthSessionCreateWithBody(callContext(t), "application/json", strings.NewReader(string(body)))
			checkAnswer(t, srv, want, err)

			_, err = newClient(t, srv).AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", RedirectURL: tc.url})
			if tc.client {
				checkAnswer(t, srv, http.StatusOK, err)
			} else if verr := (*conductor.ValidationError)(nil); !errors.As(err, &verr) {
				t.Errorf("through the client: %v; want a ValidationError", err)
			}
		})
	}
}

// TestPrismURIExpressionIsTheOneInternalUriChecks holds internal/uri's
// fuzz test to the Prism installed here: its copy of ajv-formats' uri
// expression must be the one Prism validates `format: uri` with.
func TestPrismURIExpressionIsTheOneInternalUriChecks(t *testing.T) {
	t.Parallel()
	js, err := os.ReadFile(filepath.Join("prism", "node_modules", "ajv-formats", "dist", "formats.js"))
	if err != nil {
		t.Fatalf("Prism's ajv-formats: %v; run `make test-contract`, which installs it", err)
	}
	m := regexp.MustCompile(`\nconst URI = /(.*)/i;\n`).FindSubmatch(js)
	if m == nil {
		t.Fatal("ajv-formats no longer defines const URI = /.../i; see what Prism checks `format: uri` with now")
	}
	copied, err := os.ReadFile(filepath.Join("..", "internal", "uri", "testdata", "ajv-formats-uri.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(copied)) != string(m[1]) {
		t.Error("internal/uri/testdata/ajv-formats-uri.txt differs from the uri expression of the ajv-formats Prism runs; copy it again and rerun internal/uri's fuzz test")
	}
}
