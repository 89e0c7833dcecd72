package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// decodeSession reads what create printed, checking it is the whole of
// stdout.
func decodeSession(t *testing.T, stdout string) sessionJSON {
	t.Helper()
	var s sessionJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || dec.More() {
		t.Fatalf("stdout %q is not one session: %v", stdout, err)
	}
	if !strings.HasPrefix(stdout, "{\n  \"") {
		t.Errorf("stdout is not indented JSON: %q", stdout)
	}
	return s
}

func TestCreateWithoutASecretKeyUsesTheFake(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "auth-sessions", "create", "--end-user-id", "end_usr_demo", "--link-expiry", "2h", "--redirect-url", "https://example.com/cb?a=1&b=2")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	s := decodeSession(t, r.stdout)
	redirect := "https://example.com/cb?a=1&b=2"
	want := gen.AuthSession{ObjectType: "auth_session", EndUserID: "end_usr_demo", RedirectURL: &redirect}
	if diff := cmp.Diff(want, s.AuthSession, cmpopts.IgnoreFields(gen.AuthSession{}, "ID", "CreatedAt", "ClientSecret", "AuthFlowURL", "ExpiresAt")); diff != "" {
		t.Errorf("session mismatch (-want +got):\n%s", diff)
	}
	created, err1 := time.Parse(time.RFC3339, s.CreatedAt)
	expires, err2 := time.Parse(time.RFC3339, s.ExpiresAt)
	if err1 != nil || err2 != nil || expires.Sub(created) != 2*time.Hour {
		t.Errorf("createdAt %q expiresAt %q; want timestamps 2h apart", s.CreatedAt, s.ExpiresAt)
	}
	if !strings.HasPrefix(s.ID, "auth_sess_") || !strings.Contains(s.AuthFlowURL, "/qbd/"+s.ClientSecret+"?key=pk_") || !strings.HasPrefix(s.RequestID, "req_") {
		t.Errorf("id %q, authFlowUrl %q, requestId %q; want the fake's", s.ID, s.AuthFlowURL, s.RequestID)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "in-process fake") || !strings.Contains(lines[0], "end-user end_usr_demo") {
		t.Errorf("stderr %q, want one line saying the fake is used and naming its demo end-user", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "sk_") {
		t.Errorf("output shows a secret key:\n%s%s", r.stdout, r.stderr)
	}
}

func TestCreateDefaultsRedirectToNull(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "auth-sessions", "create", "--end-user-id", "end_usr_demo")
	if r.code != exitOK || !strings.Contains(r.stdout, `"redirectUrl": null`) {
		t.Errorf("exit %d, stdout %q; want 0 and a null redirectUrl", r.code, r.stdout)
	}
}

// TestCreateForAnUnknownEndUserOnTheFake: the in-process fake knows only
// its demo end-user, and refuses others as Conductor does.
func TestCreateForAnUnknownEndUserOnTheFake(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "auth-sessions", "create", "--end-user-id", "end_usr_nobody")
	if r.code != exitAPI || r.stdout != "" || !strings.Contains(r.stderr, "status 404") || !strings.Contains(r.stderr, `No end-user with id "end_usr_nobody" exists.`) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and the fake's 404", r.code, r.stdout, r.stderr)
	}
}

func TestCreateAgainstCONDUCTOR_BASE_URL(t *testing.T) {
	t.Parallel()
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL, "CONDUCTOR_PUBLISHABLE_KEY": srv.PublishableKey}
	r := runCmd(t, env, "auth-sessions", "create", "--end-user-id", conductortest.DemoEndUserID)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", r.code, r.stderr)
	}
	s := decodeSession(t, r.stdout)
	if !strings.HasPrefix(s.AuthFlowURL, srv.URL+"/qbd/") || len(srv.Requests()) != 1 {
		t.Errorf("authFlowUrl %q after %d requests; want one request to the server in CONDUCTOR_BASE_URL", s.AuthFlowURL, len(srv.Requests()))
	}
	if strings.Contains(r.stdout, srv.SecretKey) {
		t.Error("stdout shows the secret key")
	}
}

func TestCreateAPIErrorExits1(t *testing.T) {
	t.Parallel()
	srv := conductortest.NewServer()
	defer srv.Close()
	tests := []struct {
		name    string
		env     map[string]string
		enqueue *conductortest.Response
		want    []string
	}{
		{"wrong key", map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_wrong", "CONDUCTOR_BASE_URL": srv.URL, "CONDUCTOR_PUBLISHABLE_KEY": srv.PublishableKey},
			nil, []string{"status 401", "type:       AUTHENTICATION_ERROR", "code:       API_KEY_INVALID", "message:    Invalid API key provided.", "request id: req_"}},
		{"another publishable key", map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL, "CONDUCTOR_PUBLISHABLE_KEY": "pk_conductor_other"},
			nil, []string{"status 400", "type:       INVALID_REQUEST_ERROR", "message:    publishableKey:"}},
		{"a 502 page from a proxy", map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL, "CONDUCTOR_PUBLISHABLE_KEY": srv.PublishableKey},
			&conductortest.Response{Status: http.StatusBadGateway, Header: http.Header{"X-Should-Retry": {"false"}}, Body: []byte("<html>Bad gateway</html>")},
			[]string{"status 502", "type:       (none)", "not a Conductor error envelope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.enqueue != nil {
				if err := srv.Enqueue(*tt.enqueue); err != nil {
					t.Fatal(err)
				}
			}
			r := runCmd(t, tt.env, "auth-sessions", "create", "--end-user-id", "end_usr_a")
			if r.code != exitAPI || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q; want 1 and nothing on stdout", r.code, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stderr, srv.SecretKey) || strings.Contains(r.stderr, "sk_conductor_wrong") {
				t.Errorf("stderr shows a secret key: %q", r.stderr)
			}
		})
	}
}

func TestCreateNetworkErrorExits1(t *testing.T) {
	t.Parallel()
	srv := conductortest.NewServer()
	url := srv.URL
	srv.Close() // nothing listens there any more
	r := runCmd(t, map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_x", "CONDUCTOR_BASE_URL": url, "CONDUCTOR_PUBLISHABLE_KEY": "pk_conductor_x"},
		"auth-sessions", "create", "--end-user-id", "end_usr_a", "--link-expiry", "15m")
	if r.code != exitAPI || !strings.Contains(r.stderr, "connect") {
		t.Errorf("exit %d, stderr %q; want 1 and the connection error", r.code, r.stderr)
	}
}

func TestCreateValidationErrorsExit2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"link expiry too short", []string{"--link-expiry", "10m"}, "--link-expiry must be 0 (the server's default, 30m) or a whole number of minutes from 15m to 168h"},
		{"relative redirect", []string{"--redirect-url", "/callback"}, `--redirect-url must be empty or an absolute http or https URL with a host name, in RFC 3986 syntax; got "/callback", which has no scheme`},
		{"redirect with a space", []string{"--redirect-url", "https://example.com/a b"}, "which has a space at byte 22; percent-encode it as %20"},
		{"blank end user", []string{"--end-user-id", " "}, `--end-user-id is required (the end_usr_... id of the end-user); got " "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, append([]string{"auth-sessions", "create", "--end-user-id", "end_usr_a"}, tt.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}

// goNames finds what a command-line user cannot change: a Go option, a
// Go field of conductortest.Options, a package-qualified name.
var goNames = regexp.MustCompile(`With[A-Z]\w*|Options\.|conductor\.\w|conductortest`)

// TestCreateErrorsNameWhatTheUserCanChange runs the command as a process,
// with a real environment, as a person would: each bad key or base URL,
// from a flag or a variable, must be refused with exit status 2 by the
// name the person gave it, never by a Go option, and without showing a key.
func TestCreateErrorsNameWhatTheUserCanChange(t *testing.T) {
	t.Parallel()
	const sk, pk = "sk_conductor_x0123", "pk_conductor_x0123"
	real := func(extra map[string]string) map[string]string {
		env := map[string]string{"CONDUCTOR_SECRET_KEY": sk, "CONDUCTOR_PUBLISHABLE_KEY": pk}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"publishable key as CONDUCTOR_SECRET_KEY", real(map[string]string{"CONDUCTOR_SECRET_KEY": "pk_conductor_y0123"}), nil,
			"CONDUCTOR_SECRET_KEY is a publishable key (pk_...); the API needs your secret key (sk_...)"},
		{"CONDUCTOR_SECRET_KEY with a space", real(map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor y0123"}), nil,
			"CONDUCTOR_SECRET_KEY contains whitespace or control characters"},
		{"no publishable key for the real API", map[string]string{"CONDUCTOR_SECRET_KEY": sk}, nil,
			"with CONDUCTOR_SECRET_KEY set, a publishable key is needed too: pass --publishable-key or set CONDUCTOR_PUBLISHABLE_KEY"},
		{"secret key as CONDUCTOR_PUBLISHABLE_KEY", real(map[string]string{"CONDUCTOR_PUBLISHABLE_KEY": "sk_conductor_y0123"}), nil,
			"CONDUCTOR_PUBLISHABLE_KEY is a secret key (sk_...), which would be put in a URL shown to end-users"},
		{"secret key as --publishable-key", real(nil), []string{"--publishable-key", "sk_conductor_y0123"},
			"--publishable-key is a secret key (sk_...), which would be put in a URL shown to end-users"},
		{"secret key as CONDUCTOR_PUBLISHABLE_KEY, on the fake", map[string]string{"CONDUCTOR_PUBLISHABLE_KEY": "sk_conductor_y0123"}, nil,
			"CONDUCTOR_PUBLISHABLE_KEY is a secret key (sk_...)"},
		{"secret key as --publishable-key, on the fake", nil, []string{"--publishable-key", "sk_conductor_y0123"},
			"--publishable-key is a secret key (sk_...)"},
		{"CONDUCTOR_BASE_URL not http", real(map[string]string{"CONDUCTOR_BASE_URL": "ftp://example.com"}), nil,
			`CONDUCTOR_BASE_URL: "ftp://example.com" is not an absolute http or https URL`},
		{"CONDUCTOR_BASE_URL unparsable", real(map[string]string{"CONDUCTOR_BASE_URL": "http://[::1"}), nil,
			`CONDUCTOR_BASE_URL: cannot parse "http://[::1"`},
		{"CONDUCTOR_BASE_URL with a key in its query", real(map[string]string{"CONDUCTOR_BASE_URL": "https://example.com/v1?key=sk_conductor_y0123"}), nil,
			`CONDUCTOR_BASE_URL: "https://example.com/v1" is followed by a query or fragment (not shown here, as it may hold a secret)`},
		{"CONDUCTOR_BASE_URL with a key in its fragment", real(map[string]string{"CONDUCTOR_BASE_URL": "https://example.com/v1#sk_conductor_y0123"}), nil,
			`CONDUCTOR_BASE_URL: "https://example.com/v1" is followed by a query or fragment`},
		{"CONDUCTOR_BASE_URL plain http to another host", real(map[string]string{"CONDUCTOR_BASE_URL": "http://example.com/v1"}), nil,
			`CONDUCTOR_BASE_URL "http://example.com/v1" uses plain http to a host that is not loopback, which would send your secret key in clear; use https (plain http is allowed to loopback only, such as a conductor fake-server on 127.0.0.1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits for its own process
			r := runProcess(t, tt.env, append([]string{"auth-sessions", "create", "--end-user-id", "end_usr_a"}, tt.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if m := goNames.FindString(r.stderr); m != "" {
				t.Errorf("stderr names %q, which a command-line user cannot change: %q", m, r.stderr)
			}
			if strings.Contains(r.stderr, "in-process fake") {
				t.Errorf("a fake was started for a usage error: %q", r.stderr)
			}
			if strings.Contains(r.stderr, "sk_conductor") {
				t.Errorf("stderr shows a secret key: %q", r.stderr)
			}
		})
	}
}

func TestCreateOnTheFakeUsesThePublishableKeyGiven(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flag", nil, []string{"--publishable-key", "pk_conductor_mine"}},
		{"environment", map[string]string{"CONDUCTOR_PUBLISHABLE_KEY": "pk_conductor_mine"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, tt.env, append([]string{"auth-sessions", "create", "--end-user-id", conductortest.DemoEndUserID}, tt.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if s := decodeSession(t, r.stdout); !strings.HasSuffix(s.AuthFlowURL, "?key=pk_conductor_mine") {
				t.Errorf("authFlowUrl %q, want it to carry pk_conductor_mine", s.AuthFlowURL)
			}
		})
	}
}

// TestCONDUCTOR_LOGShowsEachRequestOnce: with CONDUCTOR_LOG set, a command
// logs the request it sends, and not the one it only checked (a request
// the client refuses is found before anything is sent, on a client whose
// transport sends nothing and fails on purpose).
func TestCONDUCTOR_LOGShowsEachRequestOnce(t *testing.T) {
	t.Parallel()
	for _, level := range []string{"debug", "warn"} {
		r := runProcess(t, map[string]string{"CONDUCTOR_LOG": level}, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--limit", "1")
		if r.code != 0 {
			t.Fatalf("CONDUCTOR_LOG=%s: exit %d, stderr %q", level, r.code, r.stderr)
		}
		want := 0
		if level == "debug" {
			want = 1 // warn logs failures only, and nothing failed
		}
		if n := strings.Count(r.stderr, `msg="conductor: request"`); n != want || strings.Contains(r.stderr, "not sent") {
			t.Errorf("CONDUCTOR_LOG=%s: stderr has %d request records, want %d, and none of a request not sent:\n%s", level, n, want, r.stderr)
		}
	}
}
