package conductor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
)

// Response is the HTTP answer to one call, which [WithResponse] fills in:
// what the call's typed result leaves out.
//
// The engine has already redacted it, as it does an [*Error]: the secret
// key, wherever a server echoed it, reads [redacted] in Header and Body.
// The Body of [AuthSessionsService.Create] holds the session's client
// secret, as [AuthSession.ClientSecret] does. So a Response or *Response
// printed with fmt, logged with slog or marshalled with encoding/json,
// alone or in a slice, a map or an exported struct field, shows its
// status, request id and the size of its body, never the body or the
// headers. Its fields are plain, though, and fmt prints them, body and
// headers included, where it calls no method: for %p of a Response (go
// vet reports that) and for a Response in an unexported struct field, or
// behind a pointer there. Keep such a field out of what you print.
type Response struct {
	// StatusCode is the HTTP status, such as 200.
	StatusCode int
	// Header holds the response headers, under their canonical names.
	Header http.Header
	// RequestID is the Conductor-Request-Id header (req_...), which
	// Conductor's support asks for.
	RequestID string
	// Body is the raw response body: after a successful call, the JSON
	// the result was decoded from, byte for byte. A field the spec does
	// not list (one Conductor added after this library was generated) is
	// not in the typed result but is here:
	//
	//	var extra struct {
	//		NewField string `json:"newField"`
	//	}
	//	err := json.Unmarshal(resp.Body, &extra)
	//
	// It is the caller's own copy, at most [MaxResponseBodyBytes] long.
	Body []byte
}

// WithResponse makes the call it is passed to fill in *resp with its HTTP
// answer: status, headers, Conductor-Request-Id and raw body, where a
// field the spec does not list is kept (see [Response]). It works with
// every operation: the generated methods, List, All and
// [AuthSessionsService.Create].
//
// After a call that returns no error, *resp is the answer its result was
// decoded from; after a write the client resolved (README "Writes exactly
// once"), whatever its outcome, it is the answer to the last request the
// resolution made, such as the retrieve whose "no such object" showed a
// delete done. After one that fails, it is the answer to the call's last
// attempt, whatever its status: the non-2xx that became the [*Error]
// (with the headers, which the Error does not keep), or the 2xx that did
// not decode ([ErrInvalidResponse]); or, when that attempt's body could
// not be read whole (it broke off, say), the status, headers and request
// id that arrived, with a nil Body; or the zero Response when no answer
// arrived (a connection failure, a timeout before the headers) or the
// call was refused before sending (a bad parameter or option, a nil
// context). Only that answer's body is copied, not those of attempts
// retried.
//
// List fills it in with the page's answer. All fills it in one page at a
// time, as the loop reaches the page: in the loop body, *resp is the
// answer of the page the current object came from; after the loop, that
// of the last page the loop reached (the failed one, by the rule above,
// when the loop ends with a page's error). The page All fetches ahead
// while the loop works is written into *resp only when the loop reaches
// it, so the loop body may read *resp.
//
// It is a per-call option: [NewClient] refuses it, since every call of a
// shared client would write into the same Response. Give each concurrent
// call a Response of its own. A nil resp is refused.
func WithResponse(resp *Response) Option {
	return func(s *settings) error {
		if resp == nil {
			return errors.New("conductor: WithResponse: the *Response is nil; pass the address of a conductor.Response to fill in")
		}
		*resp = Response{}
		s.response = resp
		return nil
	}
}

// errResponseOnClient refuses WithResponse given to NewClient.
var errResponseOnClient = errors.New("conductor: NewClient: WithResponse is a per-call option: pass it to a call (each its own Response), not to NewClient, where every call of the client would write into the same one")

// record fills r in with the answer a call (or a page of All) ends
// with, or zeroes it when there is none; r nil (no WithResponse) does
// nothing. resp is the engine's, already redacted, whose buffers the
// engine may reuse, so r gets copies; a body the engine did not read
// whole is left out.
func (r *Response) record(resp *http.Response) {
	if r == nil {
		return
	}
	if resp == nil {
		*r = Response{}
		return
	}
	var body []byte
	if rb, ok := resp.Body.(*readBody); ok {
		body = bytes.Clone(rb.data)
	}
	*r = Response{
		StatusCode: resp.StatusCode,
		Header:     resp.Header.Clone(),
		RequestID:  resp.Header.Get(requestIDHeader),
		Body:       body,
	}
}

// forAll returns the settings to fetch the pages of an All loop with,
// and deliver, which gives the caller's Response (if it asked for one) the
// answer to the page fetched last. The settings record each page's answer
// in a Response of their own, not in the caller's: the page fetched ahead
// runs beside the loop body, which may be reading the caller's. pages
// calls deliver when the loop reaches a page, before it starts fetching
// the next one, so the two never touch that Response at once.
func (s *settings) forAll() (*settings, func()) {
	if s.response == nil {
		return s, func() {}
	}
	caller, c := s.response, *s // settings are never modified once made: sharing the rest is safe
	c.response = new(Response)
	return &c, func() { *caller = *c.response }
}

// String describes r without its body or headers, which may hold
// secrets: its status, request id and body size.
func (r Response) String() string {
	return fmt.Sprintf("conductor.Response{StatusCode: %d, RequestID: %q, Body: %d bytes}", r.StatusCode, r.RequestID, len(r.Body))
}

// Format prints String, quoted for %q, whatever the verb: fmt would
// otherwise print the fields themselves for %#v, and for a verb String
// does not cover (%x, %d, ...).
func (r Response) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(r.String()))
		return
	}
	io.WriteString(f, r.String())
}

// LogValue logs what String prints; a JSON handler would otherwise log
// the body and headers.
func (r Response) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("status", r.StatusCode),
		slog.String("request_id", r.RequestID),
		slog.Int("body_bytes", len(r.Body)),
	)
}

// MarshalJSON writes what LogValue logs, {"status":200,"request_id":
// "req_...","body_bytes":123}: encoding/json, and slog's JSON handler for
// a Response inside a slice or struct, would otherwise write the body and
// headers. So a Response does not survive a round trip through JSON; to
// keep the body, marshal Body itself.
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Status    int    `json:"status"`
		RequestID string `json:"request_id"`
		BodyBytes int    `json:"body_bytes"`
	}{r.StatusCode, r.RequestID, len(r.Body)})
}
