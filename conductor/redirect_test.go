package conductor_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// TestRedirectURLRule sends each edge case through Create to a server: an
// accepted URL must arrive exactly as given, a refused one must be a
// ValidationError that says why, with nothing sent. The rule: an absolute
// http or https URL with a host name, in RFC 3986's syntax, which is what
// the API's `format: uri` checks (conductortest's tests send the accepted
// ones to the fake, and the contract tests to Prism).
func TestRedirectURLRule(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" to accept, else part of the reason
	}{
		{"https://example.com/auth/callback?state=a&b=1", ""},
		{"http://localhost:3000/cb", ""},
		{"HTTPS://EXAMPLE.COM/CB", ""},
		{"https://user:pass@example.com/cb", ""},
		{"https://example.com/cb#done", ""},
		{"https://example.com/caf%C3%A9?q=a%20b", ""},
		{"https://example.com:8443/cb", ""},
		{"https://example.com:65535/cb", ""},
		{"https://example.com:/cb", ""},
		{"https://[::1]:8080/cb", ""},
		{"https://[2001:db8::1]/cb", ""},
		{"https://192.0.2.1/cb", ""},
		{"https://a_b!$&'()*+,;=.example/", ""},

		// No host name.
		{"https://:80", "has no host name"},
		{"https://:80/cb", "has no host name"},
		{"https:///callback", "has no host name"},
		{"https://user@/cb", "has no host name"},
		{"https:/example.com/cb", "has no host name"},
		// Spaces and control characters.
		{"https://example.com/ space", "has a space at byte 21; percent-encode it as %20"},
		{"https://exa mple.com/", "has a space at byte 12"},
		{"https://example.com/cb\n", "has the control character U+000A at byte 23"},
		{"https://example.com/cb\t", "has the control character U+0009"},
		{"https://example.com/\x00", "has the control character U+0000"},
		{"https://example.com/\x7f", "has the control character U+007F"},
		// Non-ASCII.
		{"https://example.com/café", "has the non-ASCII character 'é' at byte 24; percent-encode"},
		{"https://exämple.com/", "has the non-ASCII character 'ä'"},
		{"https://example.com/\xff", "not UTF-8"},
		// A % not followed by two hex digits.
		{"https://example.com/%zz", `has "%zz" at byte 21, where % must start two hex digits`},
		{"https://example.com/%2", `has "%2"`},
		{"https://example.com/?q=100%", `has "%"`},
		// Fragments, ports, IPv6 literals and other characters.
		{"https://example.com/cb#a#b", "has '#' at byte 25, which is allowed there only percent-encoded, as %23"},
		{"https://example.com:65536/cb", "has the port 65536, above 65535"},
		{"https://example.com:8a/cb", `has a port "8a" that is not a number`},
		{"https://[::1/cb", "no ] to close"},
		{"https://[fe80::1%25eth0]/cb", "not an IPv6 address (RFC 3986 allows no zone)"},
		{"https://[192.0.2.1]/cb", "not an IPv6 address"},
		{"https://[v1.fe]/cb", "cannot be parsed as a URL"},
		{"https://ex%41mple.com/cb", "cannot be parsed as a URL"},
		{"https://example.com/a\"b", `has '"' at byte 22`},
		{"https://example.com/{x}", "has '{'"},
		{"https://example.com/a\\b", `has '\\'`},
		// Not an absolute http or https URL.
		{"/callback", "has no scheme"},
		{"example.com/cb", "has no scheme"},
		{"ftp://example.com/x", "is not an http or https URL"},
		{"javascript:alert(1)", "is not an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			srv := newScriptServer(t, okReply)
			_, err := create(t, srv.client(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", RedirectURL: tt.url})
			got := srv.got()
			if tt.want == "" {
				if err != nil || len(got) != 1 {
					t.Fatalf("err = %v after %d requests; want the URL sent", err, len(got))
				}
				var body struct{ RedirectURL string }
				if err := json.Unmarshal(got[0].body, &body); err != nil || body.RedirectURL != tt.url {
					t.Errorf("sent redirectUrl %q (%v), want %q as given", body.RedirectURL, err, tt.url)
				}
				return
			}
			var verr *conductor.ValidationError
			if !errors.As(err, &verr) || verr.Fields[0].Field != "RedirectURL" {
				t.Fatalf("err = %v, want a ValidationError for RedirectURL", err)
			}
			if !strings.Contains(verr.Fields[0].Reason, "an absolute http or https URL with a host name") || !strings.Contains(verr.Fields[0].Reason, tt.want) {
				t.Errorf("Reason = %q; want it to state the rule and say %q", verr.Fields[0].Reason, tt.want)
			}
			if len(got) != 0 {
				t.Errorf("the server got %d requests for a refused URL; want none", len(got))
			}
		})
	}
}
