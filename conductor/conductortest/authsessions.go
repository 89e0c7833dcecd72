package conductortest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
)

// timestampLayout is Conductor's: UTC with milliseconds and a Z, such as
// 2024-01-01T12:34:56.789Z.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// The limits on linkExpiryMins. openapi.yaml states them only in words
// ("at least 15 minutes and no more than 7 days"); the real API enforces
// them, so the fake does too.
const (
	minLinkExpiryMins     = 15
	maxLinkExpiryMins     = 7 * 24 * 60
	defaultLinkExpiryMins = 30
)

// createAuthSession is POST /auth-sessions once the body has passed the
// spec: the rules the spec states only in words, the fake's own
// publishable key, an end-user the fake knows, then a new session whose
// flow, completed, connects that end-user. s.mu is held.
func (s *Server) createAuthSession(body map[string]any) (int, any, *Error) {
	endUserID, key := str(body["endUserId"]), str(body["publishableKey"])
	mins, hasMins := body["linkExpiryMins"].(float64)
	redirect, hasRedirect := body["redirectUrl"].(string)
	switch {
	case strings.TrimSpace(endUserID) == "":
		return 0, nil, invalid("endUserId: must not be empty; want the end_usr_... id of an end-user.")
	case key != s.PublishableKey:
		return 0, nil, invalid("publishableKey: is not this account's publishable key.")
	case hasMins && (mins < minLinkExpiryMins || mins > maxLinkExpiryMins):
		return 0, nil, invalid(fmt.Sprintf("linkExpiryMins: must be from %d to %d (15 minutes to 7 days).", minLinkExpiryMins, maxLinkExpiryMins))
	case s.state.endUsers[endUserID] == nil:
		return 0, nil, endUserMissing(endUserID)
	}
	if !hasMins {
		mins = defaultLinkExpiryMins
	}
	created := s.now().UTC().Truncate(time.Millisecond)
	expires := created.Add(time.Duration(mins * float64(time.Minute))).Truncate(time.Millisecond)
	secret := "auth_sess_client_secret_" + randomToken()
	sess := session{endUserID: endUserID, expiresAt: expires}
	var redirectURL *string
	if hasRedirect {
		redirectURL = &redirect
		sess.redirectURL = redirectURL
	}
	s.sessions.add(secret, sess)
	return http.StatusOK, sessionBody{
		AuthSession: gen.AuthSession{
			ID:           "auth_sess_" + randomToken(),
			ObjectType:   gen.ObjectTypeAuthSession,
			EndUserID:    endUserID,
			ClientSecret: secret,
			AuthFlowURL:  s.URL + "/qbd/" + secret + "?key=" + url.QueryEscape(key),
			RedirectURL:  redirectURL,
		},
		CreatedAt: created.Format(timestampLayout),
		ExpiresAt: expires.Format(timestampLayout),
	}, nil
}

// sessionBody is an auth_session with its timestamps written as Conductor
// writes them, always with milliseconds: these fields hide the embedded
// time.Time ones, which encoding/json would write with as many digits as
// they need.
type sessionBody struct {
	gen.AuthSession
	CreatedAt string `json:"createdAt"`
	ExpiresAt string `json:"expiresAt"`
}

// checkAuthorization returns why the header does not carry the fake's
// secret key, or "". The message never quotes the key sent.
func (s *Server) checkAuthorization(header string) string {
	scheme, token, _ := strings.Cut(header, " ")
	switch {
	case header == "":
		return "No API key provided. Send your secret key in the Authorization header as \"Bearer sk_...\"."
	case !strings.EqualFold(scheme, "Bearer") || token == "":
		return "The Authorization header is not \"Bearer <secret key>\"."
	case subtle.ConstantTimeCompare([]byte(token), []byte(s.SecretKey)) != 1:
		return "Invalid API key provided."
	}
	return ""
}
