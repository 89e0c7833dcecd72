package conductortest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
)

// timestampLayout is Conductor's: UTC with milliseconds and a Z, such as
// 2024-01-01T12:34:56.789Z.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// createAuthSession is POST /auth-sessions after the queue: the key, then
// the body, then a new session.
func (s *Server) createAuthSession(w http.ResponseWriter, r *http.Request, body []byte) {
	if msg := s.checkAuthorization(r.Header.Get("Authorization")); msg != "" {
		writeError(w, http.StatusUnauthorized, Error{
			Type: "AUTHENTICATION_ERROR", Code: "API_KEY_INVALID", Message: msg,
			UserFacingMessage: "An internal server error occurred. Please try again.",
		})
		return
	}
	rb, err := createRequestBody()
	if err != nil {
		writeError(w, http.StatusInternalServerError, Error{Type: "INTERNAL_ERROR", Code: "SPEC_UNAVAILABLE", Message: "The fake cannot load its OpenAPI document: " + err.Error()})
		return
	}
	params, msg := s.validateCreate(r, body, rb)
	if msg != "" {
		writeError(w, http.StatusBadRequest, invalidRequest(msg))
		return
	}
	mins := float64(defaultLinkExpiryMins)
	if params.LinkExpiryMins != nil {
		mins = *params.LinkExpiryMins
	}
	created := s.now().UTC().Truncate(time.Millisecond)
	expires := created.Add(time.Duration(mins * float64(time.Minute))).Truncate(time.Millisecond)
	secret := "auth_sess_client_secret_" + randomToken()
	s.mu.Lock()
	s.sessions.add(secret, session{redirectURL: params.RedirectURL, expiresAt: expires})
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, sessionBody{
		AuthSession: gen.AuthSession{
			ID:           "auth_sess_" + randomToken(),
			ObjectType:   gen.AuthSessionObjectTypeAuthSession,
			EndUserID:    params.EndUserID,
			ClientSecret: secret,
			AuthFlowURL:  s.URL + "/qbd/" + secret + "?key=" + url.QueryEscape(params.PublishableKey),
			RedirectURL:  params.RedirectURL,
		},
		CreatedAt: created.Format(timestampLayout),
		ExpiresAt: expires.Format(timestampLayout),
	})
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
