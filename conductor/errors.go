package conductor

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Sentinels matched by [*Error] through [errors.Is], one per class of HTTP
// status, so callers can branch without remembering numbers:
//
//	if errors.Is(err, conductor.ErrRateLimited) { ... }
var (
	ErrBadRequest          = errors.New("conductor: bad request (400)")
	ErrAuthentication      = errors.New("conductor: authentication failed (401)")
	ErrPermissionDenied    = errors.New("conductor: permission denied (403)")
	ErrNotFound            = errors.New("conductor: not found (404)")
	ErrConflict            = errors.New("conductor: conflict (409)")
	ErrUnprocessableEntity = errors.New("conductor: unprocessable entity (422)")
	ErrRateLimited         = errors.New("conductor: rate limited (429)")
	ErrServer              = errors.New("conductor: server error (5xx)")

	// ErrInvalidResponse matches an [*Error] for a 2xx response whose body
	// is not what the API documents. What is checked: the body is JSON
	// (by Content-Type, and valid JSON for a free-form result such as
	// passthrough's); it is a JSON object that decodes into the result's
	// type (a timestamp must be RFC 3339); where the result's schema has
	// an objectType, it is the one the spec gives, and the id, where the
	// spec requires one, is not empty; where it has none (the company,
	// preferences, the health check, transactions, bills to pay, account
	// tax lines, payments to deposit), every key the schema requires at
	// the object's top level is present (its value is not checked); a
	// list has its data array, each object of it checked alike, and a
	// page of a paginated list holds at most 150 objects; its arrays'
	// elements, counted at their type's size, take at most 4 times its
	// size plus 1 MiB, so that the decoded result holds at most 8 times
	// the body plus 2 MiB (see the README). No other field is
	// checked: an object of the right objectType may lack others, which
	// then hold their zero value. For a write, whose status said it was
	// carried out, the error also matches [ErrWriteUnconfirmed].
	ErrInvalidResponse = errors.New("conductor: invalid response")

	// ErrMissingAPIKey is returned by [NewClient] when neither
	// [WithAPIKey] nor the CONDUCTOR_SECRET_KEY environment variable gives
	// a secret key.
	ErrMissingAPIKey = errors.New("conductor: no API key: set the CONDUCTOR_SECRET_KEY environment variable or pass conductor.WithAPIKey")
)

// Error is a response from the API that is not a success: any non-2xx
// status, or a 2xx whose body could not be decoded (see [ErrInvalidResponse]).
//
// The fields come from Conductor's error envelope
// (`{"error": {"type": ..., "code": ..., ...}}`). When the body is not that
// envelope (an HTML page from a proxy, an empty or truncated body), Type and
// Code are empty and Message says what was received instead.
type Error struct {
	// Method and Path are the request's, such as POST and
	// /v1/quickbooks-desktop/invoices: which operation failed.
	Method, Path string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Type is the broad category, one of the ErrorType constants such as
	// [ErrorTypeIntegrationConnection]; empty when the body was not
	// Conductor's error envelope.
	Type ErrorType
	// Code is the finer-grained reason, such as "API_KEY_INVALID"; branch on
	// it for special handling.
	Code string
	// Message is meant for developers and logs.
	Message string
	// UserFacingMessage is safe to show to end-users.
	UserFacingMessage string
	// IntegrationCode is the code from QuickBooks Desktop or the Web
	// Connector, when the error came from there.
	IntegrationCode string
	// RequestID identifies the request for Conductor's support: the
	// envelope's requestId, else the Conductor-Request-Id header.
	RequestID string
	// Body is the raw response body, capped at [MaxResponseBodyBytes].
	Body []byte

	invalidResponse bool
}

// Error reads like "conductor: POST /v1/quickbooks-desktop/invoices: 401
// AUTHENTICATION_ERROR API_KEY_INVALID: <message> (request req_...)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("conductor: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Type != "" {
		b.WriteString(" " + string(e.Type))
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Is reports whether target is the sentinel for this error's status class.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrAuthentication:
		return e.StatusCode == http.StatusUnauthorized
	case ErrPermissionDenied:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrUnprocessableEntity:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	case ErrInvalidResponse:
		return e.invalidResponse
	}
	return false
}

// ErrorType is the broad category of an [Error], from Conductor's error
// envelope.
type ErrorType string

// Conductor's error types.
const (
	// ErrorTypeIntegration: QuickBooks Desktop refused the request, such as
	// an id that does not exist in the company file; IntegrationCode holds
	// QuickBooks' own code.
	ErrorTypeIntegration ErrorType = "INTEGRATION_ERROR"
	// ErrorTypeIntegrationConnection: the end-user's QuickBooks Desktop, or
	// its Web Connector, could not be reached (status 502). The end-user
	// has to act, by opening QuickBooks or the Web Connector on their
	// computer; nothing is wrong with your code or with Conductor, and
	// Conductor advises not to raise alerts for it. The request did not
	// reach QuickBooks, and the client does not retry it: only the
	// end-user can fix it.
	ErrorTypeIntegrationConnection ErrorType = "INTEGRATION_CONNECTION_ERROR"
	// ErrorTypeInvalidRequest: the request is wrong, such as a missing or
	// invalid parameter, or an object that does not exist.
	ErrorTypeInvalidRequest ErrorType = "INVALID_REQUEST_ERROR"
	// ErrorTypeAuthentication: the secret key is missing or invalid.
	ErrorTypeAuthentication ErrorType = "AUTHENTICATION_ERROR"
	// ErrorTypePermission: the key may not do this.
	ErrorTypePermission ErrorType = "PERMISSION_ERROR"
	// ErrorTypeInternal: something went wrong on Conductor's side.
	ErrorTypeInternal ErrorType = "INTERNAL_ERROR"
)

// ValidationError is a request the API would refuse, caught before
// anything was sent. Fields lists every problem found, not only the first,
// so that a program can show each next to its own form field; Error spells
// out the first ten and counts the rest.
type ValidationError struct {
	// Fields holds one entry per problem (never none): the method's
	// arguments first, then the body's or the query's fields in the
	// spec's order, then the query parameters that would be sent empty.
	Fields []FieldError
}

// FieldError is one problem of a request that a [ValidationError] lists.
type FieldError struct {
	// Field names what is wrong: a field of the body by its JSON path, as
	// the spec names it (refNumber, lines[2].quantity), a query parameter
	// by its name (limit), and an argument of the method, or a field the
	// client converts before sending, by its Go name (endUserID,
	// LinkExpiry).
	Field string
	// Reason says what is allowed and what was given.
	Reason string
}

// maxErrorFields is how many problems Error spells out: a request of a
// thousand bad lines is refused with all of them in Fields, while its
// message, which ends up in logs, stays a line.
const maxErrorFields = 10

func (e *ValidationError) Error() string {
	switch len(e.Fields) {
	case 0:
		return "conductor: invalid request"
	case 1:
		return "conductor: invalid " + e.Fields[0].Field + ": " + e.Fields[0].Reason
	}
	var b strings.Builder
	fmt.Fprintf(&b, "conductor: %d problems with the request:", len(e.Fields))
	for i, f := range e.Fields[:min(len(e.Fields), maxErrorFields)] {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" " + f.Field + ": " + f.Reason)
	}
	if n := len(e.Fields) - maxErrorFields; n > 0 {
		fmt.Fprintf(&b, "; and %d more (ValidationError.Fields lists them all)", n)
	}
	return b.String()
}

// invalid is the ValidationError of one problem.
func invalid(field, reason string) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Reason: reason}}}
}
