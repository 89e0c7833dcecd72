package conductor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
)

// Version is this library's version, sent in every request's User-Agent
// header as conductor-go/Version. It is the top released version of
// CHANGELOG.md (a test holds them equal), so that a User-Agent seen in
// Conductor's logs or a bug report names the entry that describes the code;
// a release bumps both together.
const Version = "0.1.0"

// core is the hand-written part of a [Client], which api.gen.go declares
// with a field per resource of the API around it: what every service
// sends through.
type core struct {
	settings *settings
	engine   *engine
	gen      *gen.Client
}

// NewClient returns a client configured by opts on top of the environment
// (CONDUCTOR_SECRET_KEY, CONDUCTOR_BASE_URL, CONDUCTOR_PUBLISHABLE_KEY,
// and CONDUCTOR_LOG: see [EnvLog]) and the defaults. It fails with [ErrMissingAPIKey] when no secret key is
// given either way, and with a descriptive error when an option or
// environment variable holds a bad value.
func NewClient(opts ...Option) (*Client, error) {
	s := &settings{
		maxRetries: DefaultMaxRetries,
		timeout:    DefaultTimeout,
		httpClient: defaultHTTPClient(),
	}
	if err := s.applyOptions(opts); err != nil {
		return nil, err
	}
	if s.response != nil {
		return nil, errResponseOnClient
	}
	if s.skipSpecChecks {
		return nil, errSkipOnClient
	}
	if err := s.fillFromEnvironment(); err != nil {
		return nil, err
	}
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.apiKey == "" {
		return nil, ErrMissingAPIKey
	}
	c := &Client{core: core{settings: s, engine: &engine{defaults: s}}}
	var err error
	if c.gen, err = newGenClient(c.engine, s.baseURL); err != nil {
		return nil, err
	}
	c.initServices()
	return c, nil
}

// fillFromEnvironment reads the environment for the settings no option
// gave, so that an option wins and a bad value in a variable it overrides
// does not matter.
func (s *settings) fillFromEnvironment() error {
	for _, e := range []struct {
		name  string
		field *string
		opt   func(string) Option
	}{
		{EnvSecretKey, &s.apiKey, WithAPIKey},
		{EnvBaseURL, &s.baseURL, WithBaseURL},
		{EnvPublishableKey, &s.publishableKey, WithPublishableKey},
	} {
		v := os.Getenv(e.name)
		if v == "" || *e.field != "" {
			continue
		}
		if err := e.opt(v)(s); err != nil {
			return fmt.Errorf("environment variable %s: %w", e.name, err)
		}
	}
	if s.logger == nil {
		s.logger = envLogger(os.Getenv(EnvLog))
	}
	return nil
}

// badEnvLog warns once per process of a CONDUCTOR_LOG value it ignores:
// a program making a client per request would otherwise repeat it on
// every one.
var badEnvLog sync.Once

// envLogger is the logger CONDUCTOR_LOG asks for: nil when it is unset,
// off, or not a level (after a warning on standard error).
func envLogger(v string) *slog.Logger {
	if v == "" || v == "off" {
		return nil
	}
	// The Node SDK's names. A switch, not a map: nothing to build at
	// start-up in every program importing the package.
	var level slog.Level
	switch v {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		badEnvLog.Do(func() {
			fmt.Fprintf(os.Stderr, "conductor: %s is %q, not one of debug, info, warn, error, off; logging stays off\n", EnvLog, v)
		})
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// String describes the client without its secret key, so that printing a
// client, or a copy of one, with any fmt verb is safe. A Client not made
// by NewClient (the zero value) prints as unconfigured.
func (c Client) String() string {
	if c.settings == nil {
		return "conductor.Client{} (not configured: use conductor.NewClient)"
	}
	return fmt.Sprintf("conductor.Client{BaseURL: %q, APIKey: [redacted]}", config.Shown(c.settings.baseURL))
}

// GoString is String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String, quoted for %q, whatever the verb: fmt would apply
// a verb String does not cover (%t, %d, ...) to each field, and show the
// settings behind them.
func (c Client) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(c.String()))
		return
	}
	io.WriteString(f, c.String())
}

// newGenClient returns the generated client of [Client.Gen], which sends
// through e. gen.Client shows its Server field to fmt, so it is given
// baseURL with any password hidden, and genDoer puts the real one back on
// each request, which is then the same as a facade call's.
func newGenClient(e *engine, baseURL string) (*gen.Client, error) {
	if shown := config.Shown(baseURL); shown != baseURL {
		u, err := url.Parse(shown)
		if err != nil {
			return nil, err
		}
		return gen.NewClient(shown, gen.WithHTTPClient(genDoer{e, u.User.String()}))
	}
	return gen.NewClient(baseURL, gen.WithHTTPClient(e))
}

// genDoer sends through the engine; a request whose user info is hidden,
// the base URL's as shown (password hidden), first gets the real one back
// from the engine's settings. It holds nothing but the engine and what is
// shown anyway, so that printing a gen.Client, with any verb, shows no
// more than the engine's address.
type genDoer struct {
	*engine
	hidden string
}

func (d genDoer) Do(req *http.Request) (*http.Response, error) {
	if req.URL.User != nil && req.URL.User.String() == d.hidden {
		req.URL.User = d.defaults.base.User
	}
	return d.engine.Do(req)
}

// CloseIdleConnections closes the connections the client keeps open for
// reuse; later calls open new ones. Tests that check for leaked goroutines
// (such as with goleak) call it at the end. Clients without
// [WithHTTPClient] share one pool, so this closes idle connections for all
// of them, as [http.Client.CloseIdleConnections] does for the default
// transport.
func (c *Client) CloseIdleConnections() { c.settings.httpClient.CloseIdleConnections() }

// Gen returns the generated low-level client, for operations this package
// does not wrap. Its requests go through the same layer as every other
// call: authentication, User-Agent, retries, timeouts, and non-2xx
// responses returned as [*Error]. They are not checked against the spec's
// rules (lengths, bounds, enums, required fields), which only the
// methods of this package run.
//
// Every POST and DELETE is treated as a write, by the policy on
// [ErrWriteUnconfirmed]. A request editor may set the end-user header,
// Conductor-End-User-Id; one that sets a header the client owns (see
// [WithHeader]) gets a [*ValidationError] and nothing is sent. So does a
// request that is not an operation of the spec under the base URL: one an
// editor points at another host, port, scheme or path, and one whose id
// is "." or ".." (the generated builders resolve those into another path).
func (c *Client) Gen() *gen.Client { return c.gen }

// callSettings returns the settings for one facade call: the client's,
// or a copy with opts applied.
//
// The options are applied before ctx is checked, so that a call refused
// for a nil ctx still wipes its WithResponse's Response.
func (c *Client) callSettings(ctx context.Context, opts []Option) (*settings, error) {
	s := c.settings
	if len(opts) > 0 {
		s = c.settings.clone()
		if err := s.apply(opts); err != nil {
			return nil, err
		}
	}
	if ctx == nil {
		return nil, errors.New("conductor: nil context")
	}
	return s, nil
}

// defaultHTTPClient is shared by every Client that is not given its own,
// so that programs creating many clients still share one connection pool.
// It keeps enough idle connections for concurrent callers (net/http keeps 2
// per host, so a busy client would dial for most calls) and leaves timeouts
// to the per-attempt context, which unlike http.Client.Timeout also covers
// reading the body.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	t.IdleConnTimeout = 90 * time.Second
	return withoutRedirects(&http.Client{Transport: t})
})

// withoutRedirects returns a copy of hc that hands 3xx responses back
// instead of following them: following would resend the request, with its
// Authorization header, to wherever Location points.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
