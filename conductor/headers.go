package conductor

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The rules for the headers a caller may add, with WithHeader or with a
// request editor of client.Gen(), in one place.

// Why each header the client or net/http owns cannot be set by a caller.
// A header set by an option would apply to every call: the end-user id of
// one customer would send every write into that customer's books.
const (
	whyKey        = "is set by the client from its secret key (use WithAPIKey)"
	whyIdentity   = "is set by the client"
	whyEndUser    = "is set from each call's endUserID argument, so that a call can never go to another end-user's company file"
	whyBody       = "describes the request body, which the client builds"
	whyConnection = "belongs to net/http, which manages the connection"
	whyReplay     = "would make net/http send a create or update again by itself when a kept-alive connection breaks, and Conductor has no idempotency keys to make that safe"
)

// ownedHeaders maps the canonical name of each header a caller may not set
// to why. fromCall marks those an operation itself sets from its
// arguments: a request editor of client.Gen() may set them (it stands in
// for the arguments there), an option may not.
var ownedHeaders = map[string]struct {
	why      string
	fromCall bool
}{
	"Authorization":     {whyKey, false},
	"User-Agent":        {whyIdentity, false},
	endUserHeader:       {whyEndUser, true},
	"Content-Type":      {whyBody, true},
	"Content-Length":    {whyBody, false},
	"Content-Encoding":  {whyBody, false},
	"Transfer-Encoding": {whyBody, false},
	"Trailer":           {whyBody, false},
	"Host":              {whyConnection, false},
	"Connection":        {whyConnection, false},
	"Keep-Alive":        {whyConnection, false},
	"Proxy-Connection":  {whyConnection, false},
	"Upgrade":           {whyConnection, false},
	"Te":                {whyConnection, false},
	"Expect":            {whyConnection, false},
	"Accept-Encoding":   {whyConnection, false},
	"Idempotency-Key":   {whyReplay, false},
	"X-Idempotency-Key": {whyReplay, false},
}

// optionHeaderProblem is what is wrong with a header given to WithHeader,
// as headerProblem says; "" when nothing is.
func optionHeaderProblem(name, value string) (field, problem string) {
	if field, problem := headerProblem(name, value); problem != "" {
		return field, problem
	}
	canonical := http.CanonicalHeaderKey(name)
	if owned, ok := ownedHeaders[canonical]; ok {
		return canonical, owned.why + ", and cannot be overridden"
	}
	return "", ""
}

// checkHeaders refuses, before anything is sent, the headers of a request
// from client.Gen() that net/http would refuse to send (headerProblem), or
// that the client owns (ownedHeaders) and its operation does not set
// itself. The engine sets Authorization and User-Agent after this check,
// so nothing a caller does can change them.
func checkHeaders(h http.Header) error {
	for name, values := range h {
		if owned, ok := ownedHeaders[http.CanonicalHeaderKey(name)]; ok && !owned.fromCall {
			return invalid("header "+name, owned.why+", and cannot be set by a request editor; nothing was sent")
		}
		for _, v := range values {
			if field, problem := headerProblem(name, v); problem != "" {
				return invalid(field, problem+"; nothing was sent")
			}
		}
	}
	return nil
}

// headerProblem is what is wrong with a header, by RFC 9110's rule (a
// name is a token; a value has no control character but tab), and the
// header's name as a message should give it; "" when nothing is.
func headerProblem(name, value string) (field, problem string) {
	if name == "" || strings.ContainsFunc(name, isNotTokenChar) {
		return "header " + strconv.Quote(name), "is not a valid header name"
	}
	if i := strings.IndexFunc(value, isControl); i >= 0 {
		return "header " + name, fmt.Sprintf("has the control character %U; HTTP allows none in a header value, not a line break nor a NUL, but tab", rune(value[i]))
	}
	return "", ""
}

// isNotTokenChar reports whether r cannot appear in an HTTP header name
// (RFC 9110 token).
func isNotTokenChar(r rune) bool {
	if r >= 0x80 || r <= ' ' || r == 0x7f {
		return true
	}
	return strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// isControl reports an ASCII control character other than tab.
func isControl(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }
