package conductortest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/gen/spec"
	"github.com/seed-6dcb809e/conductor-go/internal/uri"
)

// createBody is a POST /auth-sessions body that passed validation.
type createBody struct {
	PublishableKey string   `json:"publishableKey"`
	EndUserID      string   `json:"endUserId"`
	LinkExpiryMins *float64 `json:"linkExpiryMins"`
	RedirectURL    *string  `json:"redirectUrl"`
}

// The limits on linkExpiryMins. openapi.yaml states them only in words
// ("at least 15 minutes and no more than 7 days"); the real API enforces
// them, so the fake does too.
const (
	minLinkExpiryMins     = 15
	maxLinkExpiryMins     = 7 * 24 * 60
	defaultLinkExpiryMins = 30
)

// createRequestBody is the request body of POST /auth-sessions in the spec
// held by gen/spec, generated from the same openapi.yaml as gen, so the fake
// checks exactly the schema the client was generated from.
var createRequestBody = sync.OnceValues(func() (*openapi3.RequestBody, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, err
	}
	item := doc.Paths.Find("/auth-sessions")
	if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
		return nil, errors.New("the embedded spec has no POST /auth-sessions with a request body")
	}
	return item.Post.RequestBody.Value, nil
})

// validateCreate checks a POST /auth-sessions body, described by rb, as
// Conductor does and returns it decoded, or a message for a 400 that names
// the field.
func (s *Server) validateCreate(r *http.Request, body []byte, rb *openapi3.RequestBody) (createBody, string) {
	var decoded createBody
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return decoded, "The request body is not valid JSON; send a JSON object with endUserId and publishableKey."
	}
	schema, msg := requestSchema(r.Header.Get("Content-Type"), rb)
	if msg != "" {
		return decoded, msg
	}
	// Unknown fields first: the spec may say additionalProperties: false
	// (Conductor's does), and kin-openapi's wording of that names one
	// field and not the ones allowed.
	if msg := checkUnknownFields(value, schema); msg != "" {
		return decoded, msg
	}
	if msg := checkSchema(value, schema); msg != "" {
		return decoded, msg
	}
	if err := json.Unmarshal(body, &decoded); err != nil {
		// The schema check passed, so the types match; this cannot happen.
		return decoded, "The request body does not decode: " + err.Error()
	}
	return decoded, s.checkRules(decoded)
}

// requestSchema is rb's schema for the request's content type, or a
// message saying which content type to send.
func requestSchema(contentType string, rb *openapi3.RequestBody) (*openapi3.Schema, string) {
	media := rb.Content.Get(contentType)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil, fmt.Sprintf("Content-Type: is %q; send application/json.", contentType)
	}
	return media.Schema.Value, ""
}

// checkSchema validates value against schema with kin-openapi's own
// validator. openapi3filter would pick kin-openapi's JSON Schema 2020-12
// path for this 3.1 document, which flattens errors to text (no field to
// name) and skips format validators; the request schema uses no 3.1-only
// keyword, so the classic validator checks it exactly.
func checkSchema(value any, schema *openapi3.Schema) string {
	err := schema.VisitJSON(value,
		openapi3.VisitAsRequest(),
		openapi3.EnableFormatValidation(),
		// kin-openapi leaves "uri" unchecked unless given a validator;
		// the spec declares it on redirectUrl, and Prism checks it.
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(uri.Check)),
	)
	if err == nil {
		return ""
	}
	return describeSchemaError(err)
}

// describeSchemaError turns kin-openapi's error into a message that starts
// with the field and says what is allowed, without echoing the value.
func describeSchemaError(err error) string {
	var serr *openapi3.SchemaError
	if !errors.As(err, &serr) {
		return "The request body is invalid: " + err.Error()
	}
	field := strings.Join(serr.JSONPointer(), ".")
	if serr.SchemaField == "required" {
		// The missing property is named in the reason, not the pointer.
		if name, ok := quoted(serr.Reason); ok {
			return name + ": is required but missing."
		}
	}
	if field == "" {
		return "The request body " + serr.Reason + "; send a JSON object with endUserId and publishableKey."
	}
	want := ""
	if sc := serr.Schema; sc != nil && sc.Type != nil && len(sc.Type.Slice()) > 0 {
		want = "a " + strings.Join(sc.Type.Slice(), " or ")
		if sc.Format != "" {
			want += " in format " + sc.Format
		}
	}
	switch serr.SchemaField {
	case "format":
		if why := errors.Unwrap(serr.Origin); why != nil && want != "" && serr.Schema.Format == "uri" {
			// uri.Check's reasons read after "it".
			return fmt.Sprintf("%s: must be %s (RFC 3986); it %v.", field, want, why)
		}
		fallthrough
	case "type", "nullable":
		if want != "" {
			return fmt.Sprintf("%s: must be %s.", field, want)
		}
	}
	return fmt.Sprintf("%s: %s.", field, serr.Reason)
}

// quoted returns the first "..." in s.
func quoted(s string) (string, bool) {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, `"`)
	return name, ok
}

// checkUnknownFields refuses properties the schema does not list. The
// seed openapi.yaml does not say additionalProperties: false, but
// Conductor's published document does and the real API refuses them.
func checkUnknownFields(value any, schema *openapi3.Schema) string {
	fields, ok := value.(map[string]any)
	if !ok {
		return "" // not an object: the schema check has said so already
	}
	var unknown []string
	for name := range fields {
		if _, ok := schema.Properties[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	slices.Sort(unknown)
	allowed := make([]string, 0, len(schema.Properties))
	for name := range schema.Properties {
		allowed = append(allowed, name)
	}
	slices.Sort(allowed)
	return fmt.Sprintf("%s: is not a known field; the fields are %s.", strings.Join(unknown, ", "), strings.Join(allowed, ", "))
}

// checkRules applies what the spec says only in words, and the fake's own
// publishable key.
func (s *Server) checkRules(b createBody) string {
	switch {
	case strings.TrimSpace(b.EndUserID) == "":
		return "endUserId: must not be empty; want the end_usr_... id of an end-user."
	case b.PublishableKey != s.PublishableKey:
		return "publishableKey: is not this account's publishable key."
	case b.LinkExpiryMins != nil && (*b.LinkExpiryMins < minLinkExpiryMins || *b.LinkExpiryMins > maxLinkExpiryMins):
		return fmt.Sprintf("linkExpiryMins: must be from %d to %d (15 minutes to 7 days).", minLinkExpiryMins, maxLinkExpiryMins)
	}
	return ""
}
