package conductor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The helpers in this file and page.go are the one way every operation is
// called. Each generated method in api.gen.go, and AuthSessions.Create,
// makes one call of one of them (call, list or all) with one request
// value: the operation's flags, the end-user, the ids, and a builder (a
// closure around the generated New<Operation>Request function with the
// method's arguments). The helpers check the ids, build the request, add
// the end-user header, send it through the engine and decode the answer
// into the method's result; everything else (authentication, retries,
// timeouts, errors, logging) is the engine's.
//
// They are not generic over the result (all but all, which must yield a
// T): a generic helper is compiled again for each of the two hundred
// result types, which tripled the time to build this package.

// endUserHeader carries the end-user of every QuickBooks Desktop call.
const endUserHeader = "Conductor-End-User-Id"

// An op is what a wrapper tells the helpers about its operation.
type op uint8

const (
	// opEndUser: the operation acts for an end-user, named in the
	// Conductor-End-User-Id header (every QuickBooks Desktop operation).
	opEndUser op = 1 << iota
	// opCreate, opUpdate, opVoid and opAction (any other POST on an
	// object, a passthrough) mark writes; see writeKind.
	opCreate
	opUpdate
	opVoid
	opAction
	// opID: the operation acts on an object named by its id argument.
	opID
	// opPaginated: a list that Conductor pages (it takes a cursor), whose
	// pages hold at most maxPageObjects objects.
	opPaginated
)

// A request is one call of an operation, as a method hands it to the
// helpers.
type request struct {
	op op
	// endUser is the end-user's id, sent in the Conductor-End-User-Id
	// header when op has opEndUser.
	endUser string
	// id is the object's id when op has opID.
	id string
	// path are the path parameters after the id (passthrough's
	// integrationSlug), checked as the id is, before anything is sent.
	path []pathParam
	// build builds the request for the call's settings.
	build builder
	// check, when set, checks the body or the query parameters against
	// the spec's rules (a generated function of rules.gen.go); nil query
	// parameters are none, and each required one is reported missing. It
	// takes and returns the checker by value: a pointer passed to a
	// function value escapes, which would cost every call an allocation.
	check func(checker) checker
	// externalID, for a create whose body takes an externalId, is the
	// field of the call's params: the client sets a fresh one when the
	// caller left it nil, so that resolution can look the object up.
	externalID **UUID
	// listsActive, for such a create, says that its list shows only
	// active objects unless asked for all (status=all): an inactive
	// object created must still be found.
	listsActive bool
	// answered, when set, checks the decoded answer further, with the
	// response it came in (AuthSessions.Create's checks of the session).
	answered func(*http.Response) error
}

// A pathParam is a path parameter's name and value.
type pathParam struct{ name, value string }

// A builder builds an operation's request for a call's settings: the
// generated ones use only the server URL; AuthSessions.Create's also the
// publishable key. A *ValidationError it returns is the call's error.
type builder func(s *settings) (*http.Request, error)

// write is what an operation sending method does to data: its flags say,
// and a DELETE deletes. An operation with neither is a read, or a write
// harmless to repeat (creating an auth session).
func (o op) write(method string) writeKind {
	switch {
	case o&opCreate != 0:
		return writeCreate
	case o&opUpdate != 0:
		return writeUpdate
	case o&opVoid != 0:
		return writeVoid
	case o&opAction != 0:
		return writeOther
	case method == http.MethodDelete:
		return writeDelete
	}
	return notWrite
}

// prepare checks what every call checks and returns the call's settings:
// the ids, then the spec's rules for the body or the query parameters
// (unless the call passes SkipSpecChecks), then, when any of them failed,
// the empty query values, all problems in one ValidationError.
func (c *Client) prepare(ctx context.Context, r request, opts []Option) (*settings, error) {
	s, err := c.callSettings(ctx, opts)
	if err != nil {
		return nil, err
	}
	var check checker
	if r.op&opEndUser != 0 {
		check.id("endUserID", r.endUser, "the id (end_usr_...) of the end-user whose QuickBooks Desktop to use")
	}
	if r.op&opID != 0 {
		check.id("id", r.id, "the id of the object")
	}
	for _, p := range r.path {
		check.id(p.name, p.value, "the "+p.name+" path parameter")
	}
	if r.check != nil && !s.skipSpecChecks {
		check = r.check(check)
	}
	if len(check.fields) > 0 {
		// An empty query value, refused once the request is built (see
		// checkQuery), is listed with the rest rather than on the next
		// try, unless a rule named its parameter already (a required
		// list given empty) or an item of it (an empty item of an enum
		// list, outside the enum); a valid request is not built twice.
		if req, err := r.build(s); err == nil {
			if qerr := checkQuery(req.URL.RawQuery); qerr != nil {
				for _, f := range qerr.Fields {
					if !slices.ContainsFunc(check.fields, func(g FieldError) bool { return g.Field == f.Field || strings.HasPrefix(g.Field, f.Field+"[") }) {
						check.fields = append(check.fields, f)
					}
				}
			}
		}
		return nil, check.err()
	}
	return s, nil
}

// call makes one operation and decodes its answer into out.
func (c *Client) call(ctx context.Context, r request, opts []Option, out any) error {
	s, err := c.prepare(ctx, r, opts)
	if err != nil {
		return err
	}
	fresh := false // the externalId is the client's own, used by no other create
	if r.externalID != nil && *r.externalID == nil && s.writePolicy != ResendWrites {
		*r.externalID, fresh = newExternalID(), true
	}
	req, err := r.build(s)
	resp, err := c.roundTrip(ctx, s, r, req, err)
	if err == nil {
		err = decodeInto(resp, nil, out)
		if err == nil && r.answered != nil {
			err = r.answered(resp)
		}
		if err != nil {
			// An answer the client cannot read leaves the outcome of a
			// write unknown, though its status may say it was carried out.
			err = r.op.write(req.Method).unconfirmed(err, mayHaveTakenEffect(resp, nil), false)
		}
	}
	// The engine's error says when a write may have taken effect.
	if u, ok := err.(*UnconfirmedWriteError); ok {
		u.ID = r.id
		if u.SentAt.IsZero() {
			u.SentAt = time.Now().Round(0) // a 2xx it could not read: sent a moment ago
		}
		if r.externalID != nil && *r.externalID != nil {
			u.ExternalID = (*r.externalID).String()
		}
		if s.writePolicy == ResolveWrites {
			return c.resolve(ctx, s, r, req, out, u, fresh)
		}
	}
	return err
}

// id refuses an empty id, or one that cannot travel in a URL path or a
// header, before anything is sent. It checks every path parameter: the
// generated methods check those after the id with it.
func (c *checker) id(field, id, what string) {
	switch {
	case strings.TrimSpace(id) == "":
		c.add(nil, field, fmt.Sprintf("is required: %s; got %q", what, id))
	case strings.ContainsFunc(id, isControl):
		c.add(nil, field, fmt.Sprintf("contains a control character: want %s; got %q", what, id))
	case id == "." || id == "..":
		// Escaping leaves dots as they are, and a path segment of dots
		// is resolved away: /invoices/. would read the list, and
		// /invoices/.. update would create. No QuickBooks id is dots.
		c.add(nil, field, fmt.Sprintf("is %q, which would change the request's path: want %s, not \".\" or \"..\"", id, what))
	}
}

// roundTrip sends the built request of r and returns its 2xx response.
func (c *Client) roundTrip(ctx context.Context, s *settings, r request, req *http.Request, err error) (*http.Response, error) {
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			return nil, verr
		}
		// The generated builders fail only on what the helpers cannot
		// check, such as a query value that does not serialise (with
		// SkipSpecChecks, a date and time filter of five digits of
		// year). Their errors wrap the value's own, which says why;
		// their own words dump the value's Go struct.
		for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(inner) {
			err = inner
		}
		return nil, invalid("params", "cannot be sent: "+err.Error())
	}
	if err := checkQuery(req.URL.RawQuery); err != nil {
		return nil, err
	}
	if r.op&opEndUser != 0 {
		req.Header[endUserHeader] = []string{r.endUser}
	}
	return c.engine.send(ctx, req, s, r.op.write(req.Method))
}

// decodeInto decodes a 2xx JSON body into out, or returns an *Error
// matching ErrInvalidResponse. An out of *json.RawMessage gets the body
// itself, for operations whose answer the spec leaves free-form, once it
// is known to be valid JSON. Any other out must come as a JSON object
// that costs at most the decode budget (see budget.go) and passes
// checkResult: the objectType the spec gives it (of each object, for a
// page), and an id where the spec requires one.
func decodeInto(resp *http.Response, err error, out any) error {
	if err != nil {
		return err
	}
	body := resp.Body.(*readBody).data
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return invalidResponse(resp, body, "want JSON; got %s", describeBody(resp, body))
	}
	if raw, ok := out.(*json.RawMessage); ok {
		if !json.Valid(body) {
			return invalidResponse(resp, body, "the body is not valid JSON")
		}
		*raw = append(json.RawMessage(nil), body...)
		return nil
	}
	refused, err := decodeAnswer(body, out)
	switch {
	case refused != "":
		return invalidResponse(resp, body, "%s", refused)
	case err != nil:
		return invalidResponse(resp, body, "%s", describeDecodeError(body, err))
	}
	if bytes.TrimLeft(body, " \t\r\n")[0] != '{' {
		// null, which encoding/json decodes into a struct as nothing.
		return invalidResponse(resp, body, "want a JSON object; got %s", describeBody(resp, body))
	}
	if why := checkResult(out, body); why != "" {
		return invalidResponse(resp, body, "%s", why)
	}
	return nil
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

// checkObject is why an object of an answer (the i-th of a page, or the
// answer itself when i < 0) is not what the spec documents, or "": its
// objectType is not want, or it has no id though the schema requires one.
func checkObject(i int, objectType, want, id string, needID bool) string {
	switch {
	case objectType != want:
		return fmt.Sprintf("%s has objectType %q, want %q", objectName(i), objectType, want)
	case needID && id == "":
		return fmt.Sprintf("%s (%s) has no id", objectName(i), want)
	}
	return ""
}

// objectName names, in a message, the i-th object of a page, or the
// answer itself when i < 0.
func objectName(i int) string {
	if i < 0 {
		return "the object"
	}
	return fmt.Sprintf("object %d of the page", i)
}
