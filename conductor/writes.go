package conductor

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"
)

// ErrWriteUnconfirmed matches the error of a write (a create, update,
// void, delete, passthrough, or any POST or DELETE through [Client.Gen])
// whose outcome the client could not read, so that it may have taken
// effect. QuickBooks Desktop answers slowly and Conductor has no
// idempotency keys: sending a create again could, say, make a second
// invoice. The error says how to find out before you send it again.
//
// This is the client's write policy, stated once. An attempt may have
// taken effect unless the client knows it did not: the connection could
// not be opened, so nothing was sent; or the server answered that it did
// not carry the request out, with a 4xx, with
// INTEGRATION_CONNECTION_ERROR ([ErrorTypeIntegrationConnection]: the
// request never reached QuickBooks), or with x-should-retry: true.
// Anything else may have: a broken connection or a timeout after the
// request was sent, a 5xx, a 1xx or a 3xx (whose answer is not the
// result), and a 2xx whose body cannot be read as the result.
//
// A create, update, void or passthrough attempt that may have taken
// effect is never sent again blindly, unless the call has
// [WithWritePolicy]([ResendWrites]); one that did not is retried after a
// refused connection or a 429, or when the server sends x-should-retry:
// true. A delete, which is harmless to repeat, is retried as a read is;
// then a later attempt's "no such object" may only mean that an earlier
// one deleted it, so the error matches ErrWriteUnconfirmed and says so.
// Reads are never unconfirmed.
//
// Under the default policy, [ResolveWrites], a facade write whose outcome
// is unknown is then resolved (README "Writes exactly once"): an update is
// sent again with the same revisionNumber, and a stale-revision answer
// settled by a retrieve; a delete or void is settled by a retrieve; a
// create whose body takes externalId (the client sets a fresh one when
// the caller did not) is looked up by it for as long as the first attempt
// could still land, and sent again only after. What stays unknown, or a
// write with [ReportWrites], ends with an [*UnconfirmedWriteError]
// matching ErrWriteUnconfirmed.
var ErrWriteUnconfirmed = errors.New("conductor: the write was sent but not confirmed; it may have taken effect")

// writeKind says whether a call changes data, and how: the write policy
// (see ErrWriteUnconfirmed) retries a write only when it is harmless to
// repeat or certainly did not take effect, and the error of one that may
// have says how to check.
type writeKind uint8

const (
	notWrite writeKind = iota
	writeCreate
	writeUpdate
	writeVoid   // a facade void, which resolution settles by the voided transaction
	writeOther  // a passthrough, any POST through client.Gen() (a void among them)
	writeDelete // harmless to repeat: the second finds nothing to delete
)

// repeatable reports whether sending the call again after it took effect
// changes nothing more: a read or a delete.
func (w writeKind) repeatable() bool { return w == notWrite || w == writeDelete }

// methodWrite is what a request of client.Gen() does to data, which only
// its method tells: every method but GET, HEAD and OPTIONS may change it.
func methodWrite(method string) writeKind {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return notWrite
	case http.MethodDelete:
		return writeDelete
	}
	return writeOther
}

// mayHaveTakenEffect is the write policy's one rule (see
// ErrWriteUnconfirmed): whether the attempt that ended with resp, or with
// err, may have been carried out by the server. Both the retry decision
// (shouldRetry) and the error of a write (unconfirmed) ask it.
func mayHaveTakenEffect(resp *http.Response, err error) bool {
	if err != nil {
		return !notSent(err)
	}
	code := resp.StatusCode
	if code < 400 {
		// 2xx: it did. 1xx, 3xx: the answer is not the outcome.
		return true
	}
	if resp.Header.Get("X-Should-Retry") == "true" || integrationDown(resp) {
		return false // the server says it was turned away
	}
	return code >= 500
}

// notSent reports whether err happened before any byte of the request was
// sent: the connection could not be opened (refused, no such host). A
// connection that broke later may have carried the whole request.
//
// A middleware's error before it called next (notSentError) is the same:
// nothing was sent.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var ns *notSentError
	return errors.As(err, &ns)
}

// integrationDown reports an answer that says the end-user's QuickBooks
// Desktop could not be reached (INTEGRATION_CONNECTION_ERROR): the request
// never reached QuickBooks, and asking again at once will not reach it
// either; the end-user has to act.
func integrationDown(resp *http.Response) bool {
	body, ok := resp.Body.(*readBody)
	if !ok || resp.StatusCode < 400 {
		return false
	}
	var env struct {
		Error struct {
			Type ErrorType `json:"type"`
		} `json:"error"`
	}
	return json.Unmarshal(body.data, &env) == nil && env.Error.Type == ErrorTypeIntegrationConnection
}

// unconfirmed wraps err, the error a call ends with, in an
// *UnconfirmedWriteError when the call is a write and an attempt of it may
// have taken effect (by mayHaveTakenEffect): the last one, or an earlier
// one, whose effect the last answer may then describe. What the client
// refuses itself (a ValidationError) never reaches here: it is returned
// before sending.
func (w writeKind) unconfirmed(err error, last, earlier bool) error {
	if w == notWrite || err == nil || !(last || earlier) {
		return err
	}
	return &UnconfirmedWriteError{Kind: w.name(), Err: err, earlier: !last}
}

// name is the kind's name in an UnconfirmedWriteError: a void or
// passthrough through Gen() is a "write".
func (w writeKind) name() string {
	switch w {
	case writeCreate:
		return "create"
	case writeUpdate:
		return "update"
	case writeVoid:
		return "void"
	case writeDelete:
		return "delete"
	}
	return "write"
}

// An UnconfirmedWriteError is the error of a write whose outcome is
// unknown: it matches [ErrWriteUnconfirmed], and says what the client knows
// of the write, to find out what it did before sending it again. Under
// [ResolveWrites] a call ends with it only when the client could not find
// out itself (a create without externalId, a passthrough, a write through
// [Client.Gen], five re-sends that all went unanswered, a re-send or a
// read turned away before QuickBooks answered it, as when QuickBooks is
// offline, an externalId found on two objects, or the context ending).
type UnconfirmedWriteError struct {
	// Kind is "create", "update", "void", "delete", or "write" (a
	// passthrough, or a POST through Client.Gen()).
	Kind string
	// ID is the object's id, for an update, void or delete.
	ID string
	// ExternalID is, for a create, the externalId it was sent with, to
	// look for with List; "" when it had none.
	ExternalID string
	// SentAt is when the call sent its first attempt.
	SentAt time.Time
	// Err is the last error.
	Err error

	earlier bool // only an attempt before the last may have taken effect
}

// Error keeps the last error's words and says how to find out what the
// write did.
func (e *UnconfirmedWriteError) Error() string {
	if e.Kind == "delete" && e.earlier {
		return e.Err.Error() + " (an earlier attempt of this delete was sent but not confirmed: it may have deleted the object, and then an answer that there is no such object only means that it is gone; Retrieve it to check)"
	}
	what := "the write was sent but not confirmed"
	if e.earlier {
		what = "an earlier attempt of this write was sent but not confirmed, and this answer may be about what it did"
	}
	var how string
	switch e.Kind {
	case "create":
		how = "it may have created the object: before creating it again, look for it, with List filtered by updatedAfter (a time just before the call) or by its name or reference number"
		if e.ExternalID != "" {
			// No list filters by externalId: the objects listed show it.
			how += ", and compare each object's externalId with " + e.ExternalID
		}
	case "update":
		how = "it may have been applied: Retrieve the object and compare its revisionNumber with the one you sent before updating it again"
	case "delete":
		how = "it may have deleted the object: Retrieve it to see whether it is gone"
	case "void":
		how = "it may have voided the transaction: Retrieve it and see whether its memo starts with \"VOID:\", as QuickBooks marks a voided one, before voiding it again"
	default:
		how = "it may have taken effect: Retrieve the object, or look for the change, before sending it again"
	}
	return e.Err.Error() + " (" + what + "; " + how + ")"
}

// Unwrap makes errors.Is match both the last error and ErrWriteUnconfirmed.
func (e *UnconfirmedWriteError) Unwrap() []error { return []error{e.Err, ErrWriteUnconfirmed} }
