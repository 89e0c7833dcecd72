package conductortest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// TestRedirectURLAtBothEnds sends each edge case to the fake twice: as a
// raw body, which the fake must answer as `format: uri` (RFC 3986) says,
// and through the client, whose stricter rule must refuse it before
// sending or see the fake accept it. What the client sends, the fake
// never refuses.
func TestRedirectURLAtBothEnds(t *testing.T) {
	const accept = ""
	tests := []struct {
		url    string
		fake   string // accept, or the end of the fake's 400 message
		client bool   // whether the client sends it
	}{
		{"https://example.com/auth/callback?state=a&b=1", accept, true},
		{"http://localhost:3000/cb", accept, true},
		{"HTTPS://EXAMPLE.COM/CB", accept, true},
		{"https://user:pass@example.com/cb", accept, true},
		{"https://example.com/cb#done", accept, true},
		{"https://example.com/caf%C3%A9?q=a%20b", accept, true},
		{"https://example.com:8443/cb", accept, true},
		{"https://example.com:65535/cb", accept, true},
		{"https://example.com:/cb", accept, true},
		{"https://[::1]:8080/cb", accept, true},
		{"https://[2001:db8::1]/cb", accept, true},
		{"https://192.0.2.1/cb", accept, true},
		{"https://a_b!$&'()*+,;=.example/", accept, true},

		// URIs the client refuses: no host name, another scheme, a port
		// no browser takes, what Go cannot parse.
		{"https://:80", accept, false},
		{"https:///callback", accept, false},
		{"https:/example.com/cb", accept, false},
		{"https://example.com:65536/cb", accept, false},
		{"https://[v1.fe]/cb", accept, false},
		{"https://ex%41mple.com/cb", accept, false},
		{"ftp://example.com/x", accept, false},
		{"mailto:someone@example.com", accept, false},
		{"urn:isbn:0451450523", accept, false},

		// Not URIs: both refuse.
		{"https://example.com/ space", "has a space at byte 21; percent-encode it as %20.", false},
		{"https://exa mple.com/", "has a space at byte 12; percent-encode it as %20.", false},
		{"https://example.com/cb\n", "has the control character U+000A at byte 23.", false},
		{"https://example.com/\x00", "has the control character U+0000 at byte 21.", false},
		{"https://example.com/café", "has the non-ASCII character 'é' at byte 24; percent-encode its UTF-8 bytes (or use punycode in a host name).", false},
		{"https://exämple.com/", "has the non-ASCII character 'ä' at byte 11; percent-encode its UTF-8 bytes (or use punycode in a host name).", false},
		{"https://example.com/%zz", `has "%zz" at byte 21, where % must start two hex digits, such as %20.`, false},
		{"https://example.com/?q=100%", `has "%" at byte 27, where % must start two hex digits, such as %20.`, false},
		{"https://example.com/cb#a#b", "has '#' at byte 25, which is allowed there only percent-encoded, as %23.", false},
		{"https://example.com:8a/cb", `has a port "8a" that is not a number.`, false},
		{"https://[::1/cb", "has a [ at byte 9 with no ] to close its IP address.", false},
		{"https://[fe80::1%25eth0]/cb", "has [fe80::1%25eth0], which is not an IPv6 address (RFC 3986 allows no zone).", false},
		{"https://[192.0.2.1]/cb", "has [192.0.2.1], which is not an IPv6 address (RFC 3986 allows no zone).", false},
		{"https://example.com/a\"b", `has '"' at byte 22, which is allowed there only percent-encoded, as %22.`, false},
		{"https://example.com/a\\b", `has '\\' at byte 22, which is allowed there only percent-encoded, as %5C.`, false},
		{"/callback", "has no scheme, such as https:, at its start.", false},
		{"not a uri", "has no scheme, such as https:, at its start.", false},
	}
	srv := newServer(t)
	c := client(t, srv, conductor.WithMaxRetries(0))
	defer c.CloseIdleConnections()
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			body, err := json.Marshal(map[string]string{"endUserId": "end_usr_a", "publishableKey": srv.PublishableKey, "redirectUrl": tt.url})
			if err != nil {
				t.Fatal(err)
			}
			r := send(t, srv, "POST", "/auth-sessions", authorized(srv), string(body))
			if tt.fake == accept {
				if r.status != http.StatusOK {
					t.Errorf("the fake answered %d %s, want 200", r.status, r.body)
				}
			} else if r.status != http.StatusBadRequest {
				t.Errorf("the fake answered %d %s, want 400", r.status, r.body)
			} else if msg, want := decodeEnvelope(t, r).Error.Message, "redirectUrl: must be a string in format uri (RFC 3986); it "+tt.fake; msg != want {
				t.Errorf("the fake's message is %q, want %q", msg, want)
			}

			_, err = create(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", RedirectURL: tt.url})
			var verr *conductor.ValidationError
			switch {
			case tt.client && err != nil:
				t.Errorf("through the client: %v; want the fake to accept what the client sends", err)
			case !tt.client && !errors.As(err, &verr):
				t.Errorf("through the client: %v; want a ValidationError before sending", err)
			case tt.client && strings.Contains(tt.fake, " "):
				t.Error("the table says the client sends a URL the fake refuses")
			}
		})
	}
}
