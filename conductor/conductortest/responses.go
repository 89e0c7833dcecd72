package conductortest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/seed-6dcb809e/conductor-go/gen"
)

// Response is a scripted answer for [Server.Enqueue]: it replaces the
// fake's usual behaviour for one request, to make a call fail or stall.
type Response struct {
	// Status is the HTTP status to answer with. Zero means: after Delay,
	// answer as the fake usually does, so Response{Delay: d} only stalls.
	Status int
	// Header is added to the response, e.g. Retry-After or x-should-retry.
	// A Date here replaces the fake's own (see the package's Time).
	Header http.Header
	// Error, when set, makes the body Conductor's error envelope, with
	// httpStatusCode equal to Status and requestId equal to the response's
	// Conductor-Request-Id.
	Error *Error
	// Body is the raw body when Error is nil, such as an HTML page from a
	// proxy or a truncated JSON document.
	Body []byte
	// Delay is waited before answering. The wait ends early, without an
	// answer, when the client gives up or the Server closes.
	Delay time.Duration
	// Fault, after Delay, gives the request a [Fault] of its own, read or
	// write, instead of the fake's usual answer; Status, Error and Body
	// are then left unset.
	Fault Fault
}

// Error is the content of Conductor's error envelope.
type Error struct {
	// Type is the broad category, one of the enum in openapi.yaml such as
	// INTERNAL_ERROR.
	Type string
	// Code is the finer reason, such as API_KEY_INVALID.
	Code string
	// Message is for developers.
	Message string
	// UserFacingMessage is for end-users. Default: Message.
	UserFacingMessage string
	// IntegrationCode is QuickBooks Desktop's own code, for an
	// INTEGRATION_ERROR.
	IntegrationCode string
}

// Enqueue adds responses to the queue the fake answers from, in order and
// one per request, before any check of the key or the body, and before
// any random fault of [Server.SetFaults]. Requests to
// the auth-flow pages do not consume the queue, so a test can browse them
// while failures are queued. It returns an error, and queues nothing, when
// a Response is contradictory.
func (s *Server) Enqueue(responses ...Response) error {
	for i, r := range responses {
		if err := r.check(); err != nil {
			return fmt.Errorf("conductortest: Enqueue: response %d: %w", i, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range responses {
		r.Header = r.Header.Clone()
		r.Body = append([]byte(nil), r.Body...)
		s.queue = append(s.queue, r)
	}
	return nil
}

func (r Response) check() error {
	switch {
	case r.Status != 0 && (r.Status < 100 || r.Status > 999):
		return fmt.Errorf("status %d is not an HTTP status", r.Status)
	case r.Delay < 0:
		return fmt.Errorf("delay %v is negative", r.Delay)
	case r.Error != nil && r.Body != nil:
		return errors.New("both Error and Body are set; the body is one or the other")
	case r.Status == 0 && (r.Error != nil || r.Body != nil) && r.Fault == NoFault:
		return errors.New("Error or Body is set without a Status to send them with")
	case r.Fault != NoFault && (r.Status != 0 || r.Error != nil || r.Body != nil):
		return errFaultWithAnswer
	case int(r.Fault) >= len(faultNames):
		return fmt.Errorf("Fault %v is unknown; use ApplyThenDrop, ApplyLate, TimeoutNoApply or ApplyThen5xx", r.Fault)
	}
	return nil
}

func (s *Server) dequeue() (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Response{}, false
	}
	r := s.queue[0]
	s.queue = s.queue[1:]
	return r, true
}

// stall waits d before a queued answer and reports whether to answer
// then; false means the client gave up. When the fake closes first, it
// drops the connection.
func (s *Server) stall(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		// ErrAbortHandler drops the connection without an answer;
		// returning normally would send an empty 200 the client would
		// take for a broken success.
		panic(http.ErrAbortHandler)
	}
}

// serveQueued answers with q and reports whether it did; false means the
// request goes on to the fake's usual handling. The caller has waited
// q.Delay.
func (s *Server) serveQueued(w http.ResponseWriter, q Response) bool {
	for name, values := range q.Header {
		w.Header()[http.CanonicalHeaderKey(name)] = values
	}
	if q.Status == 0 {
		return false
	}
	if q.Error != nil {
		writeError(w, q.Status, *q.Error)
		return true
	}
	w.WriteHeader(q.Status)
	w.Write(q.Body)
	return true
}

// writeError sends e in Conductor's envelope. Its requestId is the
// response's Conductor-Request-Id, which a queued Response may have set.
func writeError(w http.ResponseWriter, status int, e Error) {
	if e.UserFacingMessage == "" {
		e.UserFacingMessage = e.Message
	}
	writeJSON(w, status, gen.ErrorResponse{Error: gen.Error{
		Message:           e.Message,
		UserFacingMessage: e.UserFacingMessage,
		Type:              gen.ErrorType(e.Type),
		Code:              e.Code,
		HTTPStatusCode:    float64(status),
		RequestID:         w.Header().Get(requestIDHeader),
		IntegrationCode:   nonEmpty(e.IntegrationCode),
	}})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if p, ok := v.(*page); ok {
		w.Header().Set("Content-Type", "application/json")
		// Every handler writes to an answer, which writes the page
		// object by object once the request's turn is over.
		w.(*answer).writePage(status, p)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		// Only the fake's own types reach here, and they always marshal.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// invalidRequest is the 400 error for a request the API refuses.
func invalidRequest(message string) Error {
	return Error{Type: "INVALID_REQUEST_ERROR", Code: "INVALID_REQUEST", Message: message}
}
