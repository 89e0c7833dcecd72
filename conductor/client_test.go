package conductor_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// clearEnv unsets the variables NewClient reads, so the machine's
// environment cannot change a test's outcome.
func clearEnv(t *testing.T) {
	t.Setenv(conductor.EnvSecretKey, "")
	t.Setenv(conductor.EnvBaseURL, "")
	t.Setenv(conductor.EnvPublishableKey, "")
}

func TestNewClientWithoutKey(t *testing.T) {
	clearEnv(t)
	c, err := conductor.NewClient()
	if !errors.Is(err, conductor.ErrMissingAPIKey) || c != nil {
		t.Fatalf("NewClient() = %v, %v; want nil and ErrMissingAPIKey", c, err)
	}
	if !strings.Contains(err.Error(), "CONDUCTOR_SECRET_KEY") {
		t.Errorf("error %q does not name CONDUCTOR_SECRET_KEY", err)
	}
}

func TestNewClientReadsTheEnvironment(t *testing.T) {
	srv := newScriptServer(t, okReply)
	clearEnv(t)
	t.Setenv(conductor.EnvSecretKey, testAPIKey)
	t.Setenv(conductor.EnvBaseURL, srv.URL)
	t.Setenv(conductor.EnvPublishableKey, "pk_from_env")
	c, err := conductor.NewClient()
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if _, err := create(t, c, validParams); err != nil {
		t.Fatalf("Create: %v", err)
	}
	r := srv.got()[0]
	if r.header.Get("Authorization") != "Bearer "+testAPIKey || !strings.Contains(string(r.body), `"publishableKey":"pk_from_env"`) {
		t.Errorf("request used Authorization %q and body %s; want the environment's key and publishable key", r.header.Get("Authorization"), r.body)
	}
}

func TestOptionsWinOverTheEnvironmentAndCallOptionsWinOverTheClient(t *testing.T) {
	envSrv := newScriptServer(t, okReply)
	clientSrv := newScriptServer(t, okReply)
	callSrv := newScriptServer(t, okReply)
	clearEnv(t)
	t.Setenv(conductor.EnvSecretKey, "sk_env")
	t.Setenv(conductor.EnvBaseURL, envSrv.URL)
	c, err := conductor.NewClient(conductor.WithAPIKey("sk_client"), conductor.WithBaseURL(clientSrv.URL), conductor.WithPublishableKey("pk_client"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create(t, c, validParams); err != nil {
		t.Fatal(err)
	}
	if _, err := create(t, c, validParams, conductor.WithBaseURL(callSrv.URL), conductor.WithAPIKey("sk_call"), conductor.WithPublishableKey("pk_call"), conductor.WithHeader("X-Trace", "1")); err != nil {
		t.Fatal(err)
	}
	// The call's options must not stick to the client.
	if _, err := create(t, c, validParams); err != nil {
		t.Fatal(err)
	}
	if n := len(envSrv.got()); n != 0 {
		t.Errorf("the environment's base URL got %d requests, want 0", n)
	}
	cr, call := clientSrv.got(), callSrv.got()
	if len(cr) != 2 || len(call) != 1 {
		t.Fatalf("client server got %d, call server %d requests; want 2 and 1", len(cr), len(call))
	}
	for _, r := range cr {
		if r.header.Get("Authorization") != "Bearer sk_client" || r.header.Get("X-Trace") != "" || !strings.Contains(string(r.body), "pk_client") {
			t.Errorf("client request: Authorization %q, X-Trace %q, body %s", r.header.Get("Authorization"), r.header.Get("X-Trace"), r.body)
		}
	}
	if r := call[0]; r.header.Get("Authorization") != "Bearer sk_call" || r.header.Get("X-Trace") != "1" || !strings.Contains(string(r.body), "pk_call") {
		t.Errorf("call request: Authorization %q, X-Trace %q, body %s", r.header.Get("Authorization"), r.header.Get("X-Trace"), r.body)
	}
}

func TestBadOptionsFailNewClient(t *testing.T) {
	clearEnv(t)
	tests := []struct {
		name string
		opt  conductor.Option
		want string
	}{
		{"negative retries", conductor.WithMaxRetries(-1), "negative"},
		{"unparsable URL", conductor.WithBaseURL("http://[::1"), "cannot parse"},
		{"relative URL", conductor.WithBaseURL("/v1"), "not an absolute http or https URL"},
		{"ftp URL", conductor.WithBaseURL("ftp://example.com"), "not an absolute http or https URL"},
		{"URL with query", conductor.WithBaseURL("https://example.com/v1?x=1"), "query"},
		{"plain http to a remote host", conductor.WithBaseURL("http://api.example.com/v1"), "WithInsecureHTTP"},
		{"empty key", conductor.WithAPIKey(""), "empty"},
		{"publishable key as API key", conductor.WithAPIKey("pk_live_x"), "publishable key"},
		{"key with newline", conductor.WithAPIKey("sk_a\nX-Evil: 1"), "control characters"},
		{"secret key as publishable key", conductor.WithPublishableKey("sk_live_x"), "secret key"},
		{"nil HTTP client", conductor.WithHTTPClient(nil), "nil"},
		{"zero timeout", conductor.WithTimeout(0), "not positive"},
		{"bad header name", conductor.WithHeader("Bad Header", "x"), "not a valid header name"},
		{"header name with a colon", conductor.WithHeader("X-A:B", "x"), "not a valid header name"},
		{"Authorization header", conductor.WithHeader("authorization", "Bearer x"), "cannot be overridden"},
		{"header value with newline", conductor.WithHeader("X-A", "1\r\nX-B: 2"), "line break"},
		{"nil logger", conductor.WithLogger(nil), "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), tt.opt)
			if err == nil || c != nil {
				t.Fatalf("NewClient = %v, %v; want an error", c, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestBadEnvironmentFailsNewClient(t *testing.T) {
	clearEnv(t)
	t.Setenv(conductor.EnvSecretKey, testAPIKey)
	t.Setenv(conductor.EnvBaseURL, "not a url")
	_, err := conductor.NewClient()
	if err == nil || !strings.Contains(err.Error(), conductor.EnvBaseURL) {
		t.Fatalf("err = %v; want an error naming %s", err, conductor.EnvBaseURL)
	}
}

func TestPlainHTTPNeedsLoopbackOrOptIn(t *testing.T) {
	clearEnv(t)
	for _, u := range []string{"http://127.0.0.1:4010", "http://localhost:4010/v1", "http://[::1]:4010"} {
		if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(u)); err != nil {
			t.Errorf("WithBaseURL(%q): %v; loopback over http is fine", u, err)
		}
	}
	if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("http://10.1.2.3/v1"), conductor.WithInsecureHTTP()); err != nil {
		t.Errorf("with WithInsecureHTTP: %v", err)
	}
	// The check also holds for a base URL given per call.
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithPublishableKey(testPublishableKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create(t, c, validParams, conductor.WithBaseURL("http://api.example.com")); err == nil || !strings.Contains(err.Error(), "in clear") {
		t.Errorf("per-call plain http base URL: err = %v, want a refusal", err)
	}
}

func TestWithHTTPClientIsUsedAndDoesNotFollowRedirects(t *testing.T) {
	target := newScriptServer(t, okReply)
	redirector := newScriptServer(t, reply{status: http.StatusTemporaryRedirect, headers: map[string]string{"Location": target.URL + "/auth-sessions"}})
	var used bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	_, err := create(t, redirector.client(t, conductor.WithHTTPClient(hc)), validParams)
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(err.Error(), target.URL) {
		t.Fatalf("err = %v; want a 307 *conductor.Error naming the Location", err)
	}
	if !used {
		t.Error("the HTTP client given to WithHTTPClient was not used")
	}
	if n := len(target.got()); n != 0 {
		t.Errorf("the redirect target got %d requests, want 0: the key must not follow a redirect", n)
	}
	if hc.CheckRedirect != nil {
		t.Error("WithHTTPClient changed the caller's http.Client")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPrintingTheClientHidesTheKey(t *testing.T) {
	clearEnv(t)
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{c, *c, c.AuthSessions, *c.AuthSessions} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, testAPIKey) || strings.Contains(out, "SECRET") {
				t.Errorf("fmt.Sprintf(%q, %T) = %q shows the key", verb, v, out)
			}
		}
	}
}

func TestABadVariableDoesNotMatterWhenAnOptionOverridesIt(t *testing.T) {
	srv := newScriptServer(t, okReply)
	clearEnv(t)
	t.Setenv(conductor.EnvSecretKey, "pk_not_a_secret_key")
	t.Setenv(conductor.EnvBaseURL, "not a url")
	t.Setenv(conductor.EnvPublishableKey, "sk_not_publishable")
	// srv.client passes all three as options.
	if _, err := create(t, srv.client(t), validParams); err != nil {
		t.Fatalf("Create: %v", err)
	}
	// Without the option, the bad variable is still an error.
	if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithPublishableKey(testPublishableKey)); err == nil || !strings.Contains(err.Error(), conductor.EnvBaseURL) {
		t.Errorf("err = %v, want one naming %s", err, conductor.EnvBaseURL)
	}
}

func TestCloseIdleConnections(t *testing.T) {
	srv := newScriptServer(t, okReply)
	c := srv.client(t)
	for range 2 {
		if _, err := create(t, c, validParams); err != nil {
			t.Fatal(err)
		}
	}
	c.CloseIdleConnections()
	if _, err := create(t, c, validParams); err != nil {
		t.Fatal(err)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("server saw %d connections, want 2: one before CloseIdleConnections, one after", n)
	}
}

func TestPrintingAZeroClientDoesNotPanic(t *testing.T) {
	var zero conductor.Client
	var nilClient *conductor.Client
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{zero, &zero, nilClient} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "PANIC") {
				t.Errorf("fmt.Sprintf(%q, %T) = %q: String or GoString panicked", verb, v, out)
			}
		}
	}
	if got := fmt.Sprint(zero); !strings.Contains(got, "NewClient") {
		t.Errorf("fmt.Sprint(conductor.Client{}) = %q; want it to say the client is not configured", got)
	}
}

func TestHeaderValuesWithControlCharactersAreRefused(t *testing.T) {
	for _, value := range []string{"a\x01b", "a\x7fb", "a\rb", "a\nb", "a\x00b", "\x1b[31m"} {
		_, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithHeader("X-Test", value))
		if err == nil || !strings.Contains(err.Error(), "control character") {
			t.Errorf("WithHeader(%q): err = %v; want a refusal naming the control character", value, err)
		}
	}
	// Tab and text beyond ASCII are allowed in a header value.
	for _, value := range []string{"a\tb", "Zoë"} {
		if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithHeader("X-Test", value)); err != nil {
			t.Errorf("WithHeader(%q): %v; want it accepted", value, err)
		}
	}
}
