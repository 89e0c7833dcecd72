package conductor

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/seed-6dcb809e/conductor-go/internal/config"
)

// Defaults, mirrored from Conductor's official SDKs.
const (
	// DefaultBaseURL is the server in openapi.yaml.
	DefaultBaseURL = "https://api.conductor.is/v1"
	// DefaultMaxRetries is how many times a failed attempt is retried.
	DefaultMaxRetries = 2
	// DefaultTimeout bounds each attempt, response body included. Conductor
	// itself waits up to 90 s for QuickBooks Desktop, so this must be longer.
	DefaultTimeout = 2 * time.Minute
)

// Environment variables read by [NewClient] when no option sets the value.
const (
	EnvSecretKey      = "CONDUCTOR_SECRET_KEY"
	EnvBaseURL        = "CONDUCTOR_BASE_URL"
	EnvPublishableKey = "CONDUCTOR_PUBLISHABLE_KEY"
	// EnvLog turns on logging without code, as the official SDKs'
	// variable of the same name does: debug, info, warn, error or off.
	// When set and no [WithLogger] is given, the client writes its log
	// records (the ones WithLogger describes, as redacted) to standard
	// error at that level and above, in slog's text format. debug shows
	// every attempt; warn the failed ones and the writes left unconfirmed;
	// info adds the writes resolved; error logs nothing today (no record is
	// at that level), off nothing. Any other value is ignored, with one
	// warning on standard error per process, as the Node SDK ignores it:
	// a typo in a logging setting should not stop a program.
	EnvLog = "CONDUCTOR_LOG"
)

// An Option configures a [Client] when passed to [NewClient], or a single
// call when passed to a method ([WithResponse] only the latter); per-call
// options apply on top of the client's, and a later option wins over an
// earlier one. An option given a bad value makes NewClient (or the call)
// return an error.
type Option func(*settings) error

// settings is everything an Option can change. A Client's settings are
// never modified after NewClient returns; a call with options works on a copy.
type settings struct {
	apiKey  string
	baseURL string
	// server is baseURL with the trailing slash the generated request
	// builders need to keep its path (/v1); check derives it.
	server            string
	base              *url.URL // baseURL parsed, which every request must go under
	publishableKey    string
	httpClient        *http.Client
	maxRetries        int
	timeout           time.Duration
	headers           http.Header
	allowInsecureHTTP bool
	logger            *slog.Logger
	// middlewares wrap each attempt, the first outermost (WithMiddleware);
	// never appended to in place, so a clone may share it.
	middlewares []Middleware
	// writePolicy is what a write whose outcome is unknown does.
	writePolicy WritePolicy
	// skipSpecChecks, set by SkipSpecChecks for one call only, leaves out
	// the spec's rules for the body and the query parameters.
	skipSpecChecks bool
	// response, set by WithResponse for one call only, is filled in with
	// the answer the call ends with (see Response.record).
	response *Response
	// bodies, set for the pages of one listing, lends them a buffer to
	// read into (see bodyBuffer).
	bodies *bodyBuffer
}

// clone copies s deeply enough that options applied to the copy never
// touch the original.
func (s *settings) clone() *settings {
	c := *s
	c.headers = s.headers.Clone()
	return &c
}

// apply applies opts, then checks the result as a whole.
func (s *settings) apply(opts []Option) error {
	if err := s.applyOptions(opts); err != nil {
		return err
	}
	return s.check()
}

// applyOptions applies every one of opts, even after one is refused, and
// returns the first refusal: a WithResponse later in the list still wipes
// its Response, which would otherwise hold an earlier call's answer.
func (s *settings) applyOptions(opts []Option) error {
	var first error
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(s); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// check validates what only makes sense once every option is applied.
func (s *settings) check() error {
	if shown, inClear := config.InClear(s.baseURL); inClear && !s.allowInsecureHTTP {
		return fmt.Errorf("conductor: base URL %q uses plain http to a host that is not loopback, which would send the secret key in clear; use https, or pass conductor.WithInsecureHTTP() if you really mean it", shown)
	}
	s.server = s.baseURL + "/"
	base, err := url.Parse(s.baseURL)
	if err != nil {
		return fmt.Errorf("conductor: base URL %q: %w", config.Shown(s.baseURL), err)
	}
	s.base = base
	return nil
}

// WithAPIKey sets the secret key (sk_...) sent as a bearer token. Default:
// the CONDUCTOR_SECRET_KEY environment variable.
func WithAPIKey(key string) Option {
	return func(s *settings) error {
		if err := config.SecretKey(key); err != nil {
			return fmt.Errorf("conductor: WithAPIKey: the key %w", err)
		}
		s.apiKey = key
		return nil
	}
}

// WithBaseURL sets the API's base URL, such as a fake server's in tests.
// Default: the CONDUCTOR_BASE_URL environment variable, else
// [DefaultBaseURL]. The URL must be absolute http or https; plain http is
// accepted only for loopback hosts unless [WithInsecureHTTP] is given. A
// password in it (https://user:pass@host) is shown as xxxxx wherever the
// URL is: a printed [Client] or [Client.Gen], and errors.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error {
		u, err := config.BaseURL(rawURL)
		if err != nil {
			return fmt.Errorf("conductor: WithBaseURL: %w", err)
		}
		s.baseURL = u
		return nil
	}
}

// WithInsecureHTTP allows a plain-http base URL to a host that is not
// loopback. The secret key then travels unencrypted; use it only on a
// network you trust completely.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.allowInsecureHTTP = true
		return nil
	}
}

// WithPublishableKey sets the publishable key (pk_...) used when
// [AuthSessionCreateParams.PublishableKey] is empty. Default: the
// CONDUCTOR_PUBLISHABLE_KEY environment variable.
func WithPublishableKey(key string) Option {
	return func(s *settings) error {
		if err := config.PublishableKey(key); err != nil {
			return fmt.Errorf("conductor: WithPublishableKey: the key %w", err)
		}
		s.publishableKey = key
		return nil
	}
}

// WithHTTPClient sets the HTTP client that sends requests. Redirects are
// never followed on API calls whatever its CheckRedirect says, so that the
// secret key cannot be forwarded to another host. Default: a client whose
// transport keeps up to 100 idle connections to the API, where net/http's
// default keeps 2 and would open a new connection for most concurrent calls.
func WithHTTPClient(client *http.Client) Option {
	return func(s *settings) error {
		if client == nil {
			return errors.New("conductor: WithHTTPClient: the client is nil")
		}
		s.httpClient = withoutRedirects(client)
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt is retried; 0 turns
// retries off. Default: [DefaultMaxRetries].
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("conductor: WithMaxRetries: %d is negative; use 0 to turn retries off", n)
		}
		s.maxRetries = n
		return nil
	}
}

// WithTimeout bounds each attempt, from sending the request to reading the
// whole response. The context passed to a call bounds the call as a whole,
// retries included. Default: [DefaultTimeout].
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("conductor: WithTimeout: %v is not positive", d)
		}
		s.timeout = d
		return nil
	}
}

// WithHeader adds a header to every request, such as
// Conductor-Timeout-Seconds, which must then be a whole number of seconds
// from 1 to 3600 (without it, the client sends it on every write: 90, or
// the attempt timeout in whole seconds when that is shorter, so that how
// long a write could still land is known). A header the request already has is kept: one
// a request editor of [Client.Gen] set for that request wins over the
// option.
//
// The headers the client or net/http owns are refused, with an error
// saying why: Authorization and User-Agent (use [WithAPIKey] for the key);
// Conductor-End-User-Id, which each call sets from its endUserID argument,
// so that an option can never send a call to another end-user's company
// file; the headers that describe the body (Content-Type, Content-Length,
// Content-Encoding, Transfer-Encoding, Trailer) and the connection (Host,
// Connection, Keep-Alive, Proxy-Connection, Upgrade, TE, Expect,
// Accept-Encoding); and Idempotency-Key and X-Idempotency-Key, with which
// net/http itself sends a write again when a kept-alive connection breaks
// (Conductor has no idempotency keys). A request editor of [Client.Gen]
// may set Conductor-End-User-Id and Content-Type, which stand for the
// operation's arguments there, and none of the others.
func WithHeader(name, value string) Option {
	return func(s *settings) error {
		if field, problem := optionHeaderProblem(name, value); problem != "" {
			return fmt.Errorf("conductor: WithHeader: %s %s", field, problem)
		}
		canonical := http.CanonicalHeaderKey(name)
		if canonical == timeoutHeader {
			if n, err := strconv.Atoi(value); err != nil || n < 1 || n > 3600 {
				return fmt.Errorf("conductor: WithHeader: %s is %q; want a whole number of seconds from 1 to 3600 (Conductor waits that long for QuickBooks Desktop; the client sets it on writes to 90, or to a shorter attempt timeout)", timeoutHeader, value)
			}
		}
		s.headers = s.headers.Clone()
		if s.headers == nil {
			s.headers = http.Header{}
		}
		s.headers.Set(canonical, value)
		return nil
	}
}

// A WritePolicy says what a write does when its outcome is unknown: the
// connection broke after the request was sent, the attempt timed out, or
// the server answered 5xx (see [ErrWriteUnconfirmed]).
type WritePolicy uint8

const (
	// ResolveWrites, the default, has the client find out whether the
	// write took effect, and finish it exactly once where it can (README
	// "Writes exactly once"): an update is sent again with the same
	// revisionNumber, a delete or void is checked with a retrieve, and a
	// create that takes externalId is looked up by it.
	ResolveWrites WritePolicy = iota
	// ReportWrites returns an [*UnconfirmedWriteError] at once, with no
	// further request: the caller finds out.
	ReportWrites
	// ResendWrites sends the write again as a read is retried, which is
	// what the official SDKs do: it may write twice, say a second invoice.
	ResendWrites
)

// String is the policy's name: "resolve", "report" or "resend".
func (p WritePolicy) String() string {
	switch p {
	case ResolveWrites:
		return "resolve"
	case ReportWrites:
		return "report"
	case ResendWrites:
		return "resend"
	}
	return fmt.Sprintf("WritePolicy(%d)", uint8(p))
}

// WithWritePolicy sets what a create, update, void, delete or passthrough
// does when its outcome is unknown; see [WritePolicy]. Default:
// [ResolveWrites]. Writes through [Client.Gen] are never resolved: under
// ResendWrites they are sent again, under the others they end with an
// [*UnconfirmedWriteError].
func WithWritePolicy(p WritePolicy) Option {
	return func(s *settings) error {
		if p > ResendWrites {
			return fmt.Errorf("conductor: WithWritePolicy: %v is not a write policy; want conductor.ResolveWrites, conductor.ReportWrites or conductor.ResendWrites", p)
		}
		s.writePolicy = p
		return nil
	}
}

// WithLogger logs one structured record per attempt (method, path, status,
// request id, attempt, duration, wait before the next attempt) at Debug
// level, or Warn for an attempt that failed; and one per write resolved
// under [ResolveWrites] ("conductor: write resolved": kind, method, path,
// id, external_id, checks, outcome, requests, duration) at Info level, or
// Warn when it stays unconfirmed. Secrets are never logged: not
// the Authorization header, not a session's client secret. Default: no
// logging, unless the CONDUCTOR_LOG environment variable asks for it (see
// [EnvLog]); a logger given here, to NewClient or to a call, wins over it.
func WithLogger(logger *slog.Logger) Option {
	return func(s *settings) error {
		if logger == nil {
			return errors.New("conductor: WithLogger: the logger is nil")
		}
		s.logger = logger
		return nil
	}
}

// SkipSpecChecks sends one call without checking its body and query
// parameters against the spec's rules (lengths, bounds, enums, required
// fields; see the README), for the rare field Conductor accepts although
// the spec forbids it, such as a value QuickBooks added to an enum before
// the spec did. The ids (but for the spec's length of them) and the
// request's target are still checked.
//
// It is a per-call option: [NewClient] refuses it, so that skipping the
// rules is a decision made at the call that needs it.
func SkipSpecChecks() Option {
	return func(s *settings) error {
		s.skipSpecChecks = true
		return nil
	}
}

// errSkipOnClient refuses SkipSpecChecks given to NewClient.
var errSkipOnClient = errors.New("conductor: NewClient: SkipSpecChecks is a per-call option: pass it to the call whose request the spec's rules would refuse, not to NewClient, where it would turn them off for every call")
