package conductor

import (
	"errors"
	"net"
)

// ErrWriteUnconfirmed matches the error of a create, update, void or other
// write that was sent but whose outcome is unknown: the connection broke,
// the attempt timed out, or the server answered 5xx. QuickBooks Desktop
// answers slowly and Conductor has no idempotency keys, so the write may
// have taken effect; sending it again could, say, create a second invoice.
// Such a call is not retried. The error says how to find out before you
// send it again.
var ErrWriteUnconfirmed = errors.New("conductor: the write was sent but not confirmed; it may have taken effect")

// writeKind says whether a call changes data, and how: the write policy
// (shouldRetry) retries a write only when it certainly did not take
// effect, and the error of one that may have says how to check.
type writeKind uint8

const (
	notWrite writeKind = iota
	writeCreate
	writeUpdate
	writeOther // a void, a passthrough, any POST through client.Gen()
)

// unconfirmed wraps err, the last error of a call, with ErrWriteUnconfirmed
// when the call is a write that may have taken effect: anything but a
// connection never opened, or an answer that says it was not processed (a
// 4xx, or QuickBooks being unreachable). What the client refuses itself
// (a ValidationError) never reaches here: it is returned before sending.
func (w writeKind) unconfirmed(err error) error {
	if w == notWrite || err == nil || notSent(err) {
		return err
	}
	var apiErr *Error
	if errors.As(err, &apiErr) && (apiErr.StatusCode < 500 || apiErr.Type == ErrorTypeIntegrationConnection) {
		return err
	}
	return &unconfirmedWrite{err: err, kind: w}
}

// notSent reports whether err happened before any byte of the request was
// sent: the connection could not be opened (refused, no such host).
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

type unconfirmedWrite struct {
	err  error
	kind writeKind
}

func (e *unconfirmedWrite) Error() string {
	var how string
	switch e.kind {
	case writeCreate:
		how = "it may have created the object: before creating it again, look for it, with List filtered by updatedAfter (a time just before the call) or by its name or reference number"
	case writeUpdate:
		how = "it may have been applied: Retrieve the object and compare its revisionNumber with the one you sent before updating it again"
	default:
		how = "it may have taken effect: Retrieve the object, or look for the change, before sending it again"
	}
	return e.err.Error() + " (the write was sent but not confirmed; " + how + ")"
}

func (e *unconfirmedWrite) Unwrap() []error { return []error{e.err, ErrWriteUnconfirmed} }
