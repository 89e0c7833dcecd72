package conductortest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/uri"
)

// checkRequest checks r as Conductor does, against rt's operation in the
// spec: the end-user header, every query parameter, and the body. It
// returns the query and the body decoded (nil when the operation takes
// none), or the 400 naming what is wrong.
func checkRequest(rt *route, r *http.Request, body []byte) (map[string]any, map[string]any, *Error) {
	if rt.op.NeedsEndUser && strings.TrimSpace(r.Header.Get(apispec.EndUserHeader)) == "" {
		return nil, nil, invalid(apispec.EndUserHeader + ": the header is required: the id (end_usr_...) of the end-user whose QuickBooks Desktop to use.")
	}
	query, msg := checkQuery(rt.spec(), r.URL.Query())
	if msg != "" {
		return nil, nil, invalid(msg)
	}
	schema := bodySchema(rt.spec())
	if schema == nil {
		return query, nil, nil
	}
	if !strings.Contains(r.Header.Get("Content-Type"), "json") {
		return nil, nil, invalid(fmt.Sprintf("Content-Type: is %q; send application/json.", r.Header.Get("Content-Type")))
	}
	if !json.Valid(body) {
		return nil, nil, invalid("The request body is not valid JSON; send a JSON object.")
	}
	value, huge := decodeNumbers(body)
	// Unknown fields first: the spec says additionalProperties: false,
	// and kin-openapi's wording of that names one field and not the
	// ones allowed.
	if msg := checkUnknownFields(value, schema); msg != "" {
		return nil, nil, invalid(msg)
	}
	if msg := checkSchema(value, schema); msg != "" {
		return nil, nil, invalid(msg)
	}
	if huge != "" {
		return nil, nil, invalid(fmt.Sprintf("%s: the number is out of range; a number must be at most %g in size.", huge, math.MaxFloat64))
	}
	if msg := checkDecimals(value, &openapi3.SchemaRef{Value: schema}, nil); msg != "" {
		return nil, nil, invalid(msg)
	}
	obj, _ := value.(map[string]any)
	return query, obj, nil
}

func invalid(msg string) *Error {
	e := invalidRequest(msg)
	return &e
}

// checkQuery checks the query parameters against the operation's and
// returns them as JSON values of their schemas' types.
func checkQuery(op *openapi3.Operation, q url.Values) (map[string]any, string) {
	params := map[string]*openapi3.Parameter{}
	var names []string
	for _, ref := range op.Parameters {
		if p := ref.Value; p != nil && p.In == "query" {
			params[p.Name] = p
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	out := map[string]any{}
	for name, values := range q {
		p, ok := params[name]
		if !ok {
			if len(names) == 0 {
				return nil, fmt.Sprintf("%s: is not a query parameter of this operation, which takes none.", name)
			}
			return nil, fmt.Sprintf("%s: is not a query parameter of this operation; they are %s.", name, strings.Join(names, ", "))
		}
		schema := p.Schema.Value
		var v any
		if schema.Type.Is("array") {
			var items []any
			for _, s := range values {
				item, msg := queryValue(name, s, schema.Items.Value)
				if msg != "" {
					return nil, msg
				}
				items = append(items, item)
			}
			v = items
		} else {
			if len(values) > 1 {
				return nil, fmt.Sprintf("%s: is given %d times; give it once.", name, len(values))
			}
			var msg string
			if v, msg = queryValue(name, values[0], schema); msg != "" {
				return nil, msg
			}
			if msg := checkQueryString(p, values[0]); msg != "" {
				return nil, msg
			}
		}
		if err := schema.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.EnableFormatValidation()); err != nil {
			var serr *openapi3.SchemaError
			if errors.As(err, &serr) {
				return nil, fmt.Sprintf("%s: %s.", name, serr.Reason)
			}
			return nil, fmt.Sprintf("%s: %v.", name, err)
		}
		out[name] = v
	}
	for _, name := range names {
		if params[name].Required {
			if _, ok := out[name]; !ok {
				return nil, name + ": is required but missing."
			}
		}
	}
	return out, ""
}

// queryValue reads one query value as its schema's type.
func queryValue(name, s string, schema *openapi3.Schema) (any, string) {
	switch {
	case schema == nil || schema.Type.Is("string"):
		return s, ""
	case schema.Type.Is("integer"), schema.Type.Is("number"):
		// A JSON number: ParseFloat alone would take NaN, Inf and 0x10.
		if !isJSONNumber(s) {
			return nil, fmt.Sprintf("%s: must be a number; got %q.", name, s)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Sprintf("%s: the number is out of range.", name)
		}
		return f, ""
	case schema.Type.Is("boolean"):
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Sprintf("%s: must be true or false; got %q.", name, s)
		}
		return b, ""
	}
	return s, ""
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
		return "The request body " + serr.Reason + "."
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

// checkUnknownFields refuses properties the schema does not list, unless
// it allows others.
func checkUnknownFields(value any, schema *openapi3.Schema) string {
	fields, ok := value.(map[string]any)
	if !ok {
		return "" // not an object: the schema check, run next, says so
	}
	if ap := schema.AdditionalProperties; ap.Schema != nil || ap.Has != nil && *ap.Has {
		return "" // free-form, such as a passthrough's qbXML
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

// decodeNumbers decodes a valid JSON body with its numbers as float64,
// as kin-openapi checks them. A number too large for a float64 (1e400) is
// valid JSON, so it is not refused as invalid: it becomes the largest
// float64 of its sign, for the schema check to refuse where the field has
// a maximum or takes no number, and huge names the first such field.
func decodeNumbers(body []byte) (value any, huge string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.Decode(&value) // body is valid JSON
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch v := v.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil { // only a range error: v is a JSON number
				if huge == "" {
					huge = fieldName(path)
				}
				return math.Copysign(math.MaxFloat64, f)
			}
			return f
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				v[k] = walk(v[k], append(path, k))
			}
		case []any:
			for i := range v {
				v[i] = walk(v[i], append(path, strconv.Itoa(i)))
			}
		}
		return v
	}
	return walk(value, nil), huge
}

// fieldName names a field of the body as the other refusals do:
// lines.0.rate.
func fieldName(path []string) string {
	if len(path) == 0 {
		return "The request body"
	}
	return strings.Join(path, ".")
}

// checkDecimals refuses a decimal string (an amount, a rate, a price:
// the spec says which in the field's description) that is not a plain
// decimal number in the format the spec gives. value has passed the
// schema check.
func checkDecimals(value any, ref *openapi3.SchemaRef, path []string) string {
	schema, _ := nonNull(ref)
	if schema == nil || value == nil {
		return ""
	}
	switch v := value.(type) {
	case string:
		if f, ok := isDecimalString(ref); ok && !f.allows(v) {
			return fmt.Sprintf("%s: must be %s.", fieldName(path), f)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if prop := schema.Properties[k]; prop != nil {
				if msg := checkDecimals(v[k], prop, append(path, k)); msg != "" {
					return msg
				}
			}
		}
	case []any:
		if schema.Items == nil {
			return ""
		}
		for i, item := range v {
			if msg := checkDecimals(item, schema.Items, append(path, strconv.Itoa(i))); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// isJSONNumber says whether s is a number as JSON writes one.
func isJSONNumber(s string) bool {
	return s != "" && (s[0] == '-' || isDigit(s[0])) && isDigit(s[len(s)-1]) && json.Valid([]byte(s))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkQueryString applies the rules the spec states in words to a string
// query parameter: the formats of a date or time filter, and of an amount.
func checkQueryString(p *openapi3.Parameter, s string) string {
	schema := p.Schema.Value
	if !schema.Type.Is("string") {
		return ""
	}
	if msg := checkWhen(p, s); msg != "" {
		return msg
	}
	if f, ok := decimalFormatOf(p.Description, schema.Description); ok && !f.allows(s) {
		return fmt.Sprintf("%s: must be %s.", p.Name, f)
	}
	return ""
}
