package conductor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/seed-6dcb809e/conductor-go/gen"
)

const requestIDHeader = "Conductor-Request-Id"

// decodeError builds the *Error for a non-2xx response from Conductor's
// error envelope, or, when the body is something else, from what it is.
// The engine has already redacted the body and headers.
func decodeError(resp *http.Response, body []byte) *Error {
	e := &Error{
		Method:     resp.Request.Method,
		Path:       resp.Request.URL.Path,
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get(requestIDHeader),
		Body:       body,
	}
	var env gen.ErrorResponse
	switch {
	case resp.StatusCode < 200:
		e.Message = fmt.Sprintf("the server answered %d %s, which the Conductor API never does; the connection was closed unread", resp.StatusCode, http.StatusText(resp.StatusCode))
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = fmt.Sprintf("redirect to %q not followed: API calls never follow redirects, so the secret key cannot reach another host", resp.Header.Get("Location"))
	case json.Unmarshal(body, &env) == nil && env.Error.Message != "" && env.Error.Type != "":
		e.Type = ErrorType(env.Error.Type)
		e.Code = env.Error.Code
		e.Message = env.Error.Message
		e.UserFacingMessage = env.Error.UserFacingMessage
		if env.Error.IntegrationCode != nil {
			e.IntegrationCode = *env.Error.IntegrationCode
		}
		if env.Error.RequestID != "" {
			e.RequestID = env.Error.RequestID
		}
	default:
		e.Message = "the response body is not a Conductor error envelope: " + describeBody(resp, body)
	}
	return e
}

// invalidResponse is the *Error for a 2xx body that cannot be what the
// operation documents.
func invalidResponse(resp *http.Response, body []byte, format string, args ...any) *Error {
	return &Error{
		Method:          resp.Request.Method,
		Path:            resp.Request.URL.Path,
		StatusCode:      resp.StatusCode,
		RequestID:       resp.Header.Get(requestIDHeader),
		Message:         "invalid response: " + fmt.Sprintf(format, args...),
		Body:            body,
		invalidResponse: true,
	}
}

// describeBody summarises a body for a message: its type, size and a
// printable excerpt, enough to recognise a proxy's error page.
func describeBody(resp *http.Response, body []byte) string {
	if len(body) == 0 {
		return "the body is empty"
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	excerpt := strings.Join(strings.FieldsFunc(string(body[:min(len(body), 120)]), func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}), " ")
	return fmt.Sprintf("%d bytes of %s starting %q", len(body), ct, excerpt)
}
