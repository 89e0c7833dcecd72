package conductor

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
	"github.com/seed-6dcb809e/conductor-go/internal/uri"
)

// Limits on AuthSessionCreateParams.LinkExpiry, from the API reference:
// "at least 15 minutes and no more than 7 days".
const (
	MinLinkExpiry     = 15 * time.Minute
	MaxLinkExpiry     = 7 * 24 * time.Hour
	DefaultLinkExpiry = 30 * time.Minute
)

// AuthSessionsService creates auth sessions; reach it as client.AuthSessions.
type AuthSessionsService struct {
	client *Client
}

// AuthSessionCreateParams are the parameters of [AuthSessionsService.Create].
type AuthSessionCreateParams struct {
	// EndUserID is the end-user (end_usr_...) who will connect their
	// QuickBooks Desktop. Required.
	EndUserID string
	// PublishableKey (pk_...) goes into AuthFlowURL. Required unless the
	// client has one from WithPublishableKey or CONDUCTOR_PUBLISHABLE_KEY.
	// Never a secret key (sk_...): the URL is shown to end-users.
	PublishableKey string
	// LinkExpiry is how long AuthFlowURL stays valid: a whole number of
	// minutes from 15m to 168h (7 days). Zero means the server's default,
	// 30 minutes.
	LinkExpiry time.Duration
	// RedirectURL is where the end-user's browser goes after the flow, an
	// absolute http or https URL with a host name, in RFC 3986 syntax
	// (spaces, non-ASCII and the like percent-encoded), as the API's
	// `format: uri` requires. Empty means their tab closes instead.
	RedirectURL string
}

// AuthSession is a started authentication flow: send the end-user's
// browser to AuthFlowURL before ExpiresAt.
type AuthSession struct {
	ID         string
	ObjectType string
	EndUserID  string
	// ClientSecret grants access to the flow; AuthFlowURL contains it.
	// Neither is logged by LogValue.
	ClientSecret string
	AuthFlowURL  string
	// RedirectURL is "" when the session has none.
	RedirectURL string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// RequestID is the Conductor-Request-Id of the response, for support.
	RequestID string
}

// LogValue keeps the client secret out of logs, including the copy inside
// AuthFlowURL.
func (s *AuthSession) LogValue() slog.Value {
	flowURL := "[redacted]"
	if s.ClientSecret != "" {
		flowURL = strings.ReplaceAll(s.AuthFlowURL, s.ClientSecret, "[redacted]")
	}
	return slog.GroupValue(
		slog.String("id", s.ID),
		slog.String("end_user_id", s.EndUserID),
		slog.String("client_secret", "[redacted]"),
		slog.String("auth_flow_url", flowURL),
		slog.String("redirect_url", s.RedirectURL),
		slog.Time("created_at", s.CreatedAt),
		slog.Time("expires_at", s.ExpiresAt),
		slog.String("request_id", s.RequestID),
	)
}

// Create starts an auth session. Parameters are validated first; a bad one
// returns a [*ValidationError] and sends nothing.
func (svc *AuthSessionsService) Create(ctx context.Context, params AuthSessionCreateParams, opts ...Option) (*AuthSession, error) {
	var answer gen.AuthSession
	var session *AuthSession
	// Creating a session twice is harmless (the first one simply expires),
	// so unlike other creates it is retried as a read is: no opCreate.
	err := svc.client.call(ctx, request{
		build: func(s *settings) (*http.Request, error) {
			body, err := params.requestBody(s.publishableKey)
			if err != nil {
				return nil, err
			}
			return gen.NewAuthSessionCreateRequest(s.server, body)
		},
		answered: func(resp *http.Response) (err error) {
			session, err = toAuthSession(resp, &answer)
			return err
		},
	}, opts, &answer)
	if err != nil {
		return nil, err
	}
	return session, nil
}

// requestBody validates p and builds the body the API expects.
func (p AuthSessionCreateParams) requestBody(defaultPublishableKey string) (gen.AuthSessionCreateParams, *ValidationError) {
	var body gen.AuthSessionCreateParams
	if strings.TrimSpace(p.EndUserID) == "" {
		return body, invalid("EndUserID", fmt.Sprintf("is required (the end_usr_... id of the end-user); got %q", p.EndUserID))
	}
	key := p.PublishableKey
	if key == "" {
		key = defaultPublishableKey
	}
	if key == "" {
		return body, invalid("PublishableKey", "is required: set it in the params, with conductor.WithPublishableKey, or in "+EnvPublishableKey)
	}
	if err := config.PublishableKey(key); err != nil { // never quotes the key back
		return body, invalid("PublishableKey", err.Error())
	}
	body.EndUserID = p.EndUserID
	body.PublishableKey = key
	if p.LinkExpiry != 0 {
		if p.LinkExpiry < MinLinkExpiry || p.LinkExpiry > MaxLinkExpiry || p.LinkExpiry%time.Minute != 0 {
			return body, invalid("LinkExpiry", fmt.Sprintf("must be 0 (the server's default, 30m) or a whole number of minutes from 15m to 168h (7 days); got %v", p.LinkExpiry))
		}
		mins := p.LinkExpiry.Minutes()
		body.LinkExpiryMins = &mins
	}
	if p.RedirectURL != "" {
		if err := uri.CheckRedirect(p.RedirectURL); err != nil {
			return body, invalid("RedirectURL", fmt.Sprintf("must be empty or an absolute http or https URL with a host name, in RFC 3986 syntax; got %q, which %v", p.RedirectURL, err))
		}
		body.RedirectURL = &p.RedirectURL
	}
	return body, nil
}

// toAuthSession checks a decoded 200 body against the auth_session schema,
// so a caller never gets a half-filled session.
func toAuthSession(resp *http.Response, a *gen.AuthSession) (*AuthSession, error) {
	body := resp.Body.(*readBody).data
	if a.ObjectType != gen.ObjectTypeAuthSession {
		return nil, invalidResponse(resp, body, "objectType is %q, want %q", a.ObjectType, gen.ObjectTypeAuthSession)
	}
	for _, f := range []struct{ name, value string }{
		{"id", a.ID}, {"endUserId", a.EndUserID}, {"clientSecret", a.ClientSecret}, {"authFlowUrl", a.AuthFlowURL},
	} {
		if f.value == "" {
			return nil, invalidResponse(resp, body, "auth_session has no %s", f.name)
		}
	}
	for _, f := range []struct {
		name  string
		value time.Time
	}{{"createdAt", a.CreatedAt}, {"expiresAt", a.ExpiresAt}} {
		if f.value.IsZero() {
			return nil, invalidResponse(resp, body, "auth_session has no %s", f.name)
		}
	}
	session := &AuthSession{
		ID:           a.ID,
		ObjectType:   string(a.ObjectType),
		EndUserID:    a.EndUserID,
		ClientSecret: a.ClientSecret,
		AuthFlowURL:  a.AuthFlowURL,
		CreatedAt:    a.CreatedAt,
		ExpiresAt:    a.ExpiresAt,
		RequestID:    resp.Header.Get(requestIDHeader),
	}
	if a.RedirectURL != nil {
		session.RedirectURL = *a.RedirectURL
	}
	return session, nil
}
