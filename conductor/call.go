package conductor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The helpers in this file are the one way every operation is wrapped.
// Each generated method in api.gen.go is a single call of one of them,
// chosen by the shape of the generated request builder it passes along
// (server; server and id; server and query; server and body; ...). They
// check the ids, build the request with the builder, add the end-user
// header, send it through the engine and decode the answer; everything
// else (authentication, retries, timeouts, errors, logging) is the
// engine's.

// endUserHeader carries the end-user of every QuickBooks Desktop call.
const endUserHeader = "Conductor-End-User-Id"

// An op is what a wrapper tells the helpers about its operation.
type op uint8

const (
	// opEndUser: the operation acts for an end-user, named in the
	// Conductor-End-User-Id header (every QuickBooks Desktop operation).
	opEndUser op = 1 << iota
	// opCreate, opUpdate and opAction mark writes; see writeKind.
	opCreate
	opUpdate
	opAction
	// opQueryRequired: the query has required parameters, so nil params
	// are refused before sending.
	opQueryRequired
)

func (o op) write() writeKind {
	switch {
	case o&opCreate != 0:
		return writeCreate
	case o&opUpdate != 0:
		return writeUpdate
	case o&opAction != 0:
		return writeOther
	}
	return notWrite
}

// prepare checks what every call checks and returns the call's settings.
func (c *Client) prepare(ctx context.Context, o op, endUserID string, opts []Option) (*settings, error) {
	s, err := c.callSettings(ctx, opts)
	if err != nil {
		return nil, err
	}
	if o&opEndUser != 0 {
		if err := checkID("endUserID", endUserID, "the id (end_usr_...) of the end-user whose QuickBooks Desktop to use"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkID refuses an empty id, or one that cannot travel in a URL path or
// a header, before anything is sent.
func checkID(field, id, what string) *ValidationError {
	switch {
	case strings.TrimSpace(id) == "":
		return &ValidationError{Field: field, Reason: fmt.Sprintf("is required: %s; got %q", what, id)}
	case strings.ContainsFunc(id, isControl):
		return &ValidationError{Field: field, Reason: fmt.Sprintf("contains a control character: want %s; got %q", what, id)}
	}
	return nil
}

// roundTrip sends a built request and returns its 2xx response.
func (c *Client) roundTrip(ctx context.Context, s *settings, o op, endUserID string, req *http.Request, err error) (*http.Response, error) {
	if err != nil {
		// The builders fail only on what the helpers cannot check, such
		// as a query value that does not serialise.
		return nil, &ValidationError{Field: "params", Reason: "cannot be sent: " + err.Error()}
	}
	if o&opEndUser != 0 {
		req.Header[endUserHeader] = []string{endUserID}
	}
	return c.engine.send(ctx, req, s, o.write())
}

// decode turns a 2xx JSON body into an R, or an *Error matching
// ErrInvalidResponse. An R of json.RawMessage is the body itself, for
// operations whose answer the spec leaves free-form.
func decode[R any](resp *http.Response, err error) (*R, error) {
	if err != nil {
		return nil, err
	}
	body := resp.Body.(*readBody).data
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return nil, invalidResponse(resp, body, "want JSON; got %s", describeBody(resp, body))
	}
	v := new(R)
	if raw, ok := any(v).(*json.RawMessage); ok {
		if !json.Valid(body) {
			return nil, invalidResponse(resp, body, "the body is not valid JSON")
		}
		*raw = append(json.RawMessage(nil), body...)
		return v, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, invalidResponse(resp, body, "%s", describeDecodeError(body, err))
	}
	return v, nil
}

// describeDecodeError names the field a bad timestamp is in, which
// encoding/json does for a value of the wrong type but not for one that
// time.Time refuses.
func describeDecodeError(body []byte, err error) string {
	var perr *time.ParseError
	if !errors.As(err, &perr) {
		return err.Error()
	}
	field := "a timestamp"
	if i := bytes.Index(body, []byte(strconv.Quote(perr.Value))); i >= 0 {
		// Back from the value over `"key" :` to the key.
		before := bytes.TrimRight(body[:i], " \t\r\n")
		if rest, ok := bytes.CutSuffix(before, []byte(":")); ok {
			rest = bytes.TrimRight(rest, " \t\r\n")
			if key, ok := bytes.CutSuffix(rest, []byte(`"`)); ok {
				if start := bytes.LastIndexByte(key, '"'); start >= 0 {
					field = string(key[start+1:])
				}
			}
		}
	}
	return fmt.Sprintf("%s %q is not an RFC 3339 timestamp", field, perr.Value)
}

// Builders, by the arguments the generated New<Operation>Request functions
// take after the server URL.
type (
	buildNone                func(server string) (*http.Request, error)
	buildID                  func(server, id string) (*http.Request, error)
	buildQuery[P any]        func(server string, params *P) (*http.Request, error)
	buildBody[B any]         func(server string, body B) (*http.Request, error)
	buildIDBody[B any]       func(server, id string, body B) (*http.Request, error)
	buildIDArgBody[A, B any] func(server, id string, arg A, body B) (*http.Request, error)
)

func callNone[R any](ctx context.Context, c *Client, o op, endUserID string, build buildNone, opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	req, err := build(s.server)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func callID[R any](ctx context.Context, c *Client, o op, endUserID, id string, build buildID, opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	if err := checkID("id", id, "the id of the object"); err != nil {
		return nil, err
	}
	req, err := build(s.server, id)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func callQuery[R, P any](ctx context.Context, c *Client, o op, endUserID string, params *P, build buildQuery[P], opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	if err := checkParams(o, params); err != nil {
		return nil, err
	}
	req, err := build(s.server, params)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func callBody[R, B any](ctx context.Context, c *Client, o op, endUserID string, body B, build buildBody[B], opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	req, err := build(s.server, body)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func callIDBody[R, B any](ctx context.Context, c *Client, o op, endUserID, id string, body B, build buildIDBody[B], opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	if err := checkID("id", id, "the id of the object"); err != nil {
		return nil, err
	}
	req, err := build(s.server, id, body)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func callIDArgBody[R, A, B any](ctx context.Context, c *Client, o op, endUserID, id string, arg A, body B, build buildIDArgBody[A, B], opts []Option) (*R, error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	if err := checkID("id", id, "the id of the object"); err != nil {
		return nil, err
	}
	req, err := build(s.server, id, arg, body)
	return decode[R](c.roundTrip(ctx, s, o, endUserID, req, err))
}

// checkParams refuses nil params for an operation with required query
// parameters, which the API would refuse.
func checkParams[P any](o op, params *P) *ValidationError {
	if o&opQueryRequired != 0 && params == nil {
		return &ValidationError{Field: "params", Reason: fmt.Sprintf("is nil, but %T has required fields; set them", *new(P))}
	}
	return nil
}

// raw unwraps a free-form answer.
func raw(r *json.RawMessage, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return *r, nil
}
