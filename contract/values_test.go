//go:build contract

package contract

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds how deep requestValue fills nested objects: deeper, it
// gives only what is required, so that a recursive schema ends.
const maxDepth = 6

// requestValue is a value the schema accepts in a request: the schema's
// own example where it is one the schema accepts, else one made from the
// type and its limits (maxLength, minimum, minItems). An object gets every
// property, optional ones too, so that every field the client can send
// reaches both servers, which check it against the spec.
func requestValue(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	switch {
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		for _, v := range s.Enum {
			if v != nil {
				return v
			}
		}
		return nil
	case isObject(s):
		required := map[string]bool{}
		for _, name := range s.Required {
			required[name] = true
		}
		m := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if depth >= maxDepth && !required[name] {
				continue
			}
			if v := requestValue(s.Properties[name], depth+1); v != nil || required[name] {
				m[name] = v
			}
		}
		return m
	}
	if s.Example != nil && accepts(s, s.Example) {
		return s.Example
	}
	switch {
	case s.Type.Is("array"):
		items := make([]any, max(1, int(s.MinItems)))
		for i := range items {
			items[i] = requestValue(s.Items, depth+1)
		}
		return items
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("integer"), s.Type.Is("number"):
		n := 1.0
		if s.Min != nil && n < *s.Min {
			n = *s.Min
		}
		if s.Max != nil && n > *s.Max {
			n = *s.Max
		}
		return n
	case s.Type.Is("string"):
		v := "contract"
		switch s.Format {
		case "date":
			v = "2024-10-01"
		case "date-time":
			v = "2024-10-01T12:34:56Z"
		case "uri":
			v = "https://example.com/contract"
		case "uuid":
			v = "12345678-abcd-abcd-abcd-1234567890ab"
		case "email":
			v = "contract@example.com"
		}
		if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
			v = v[:*s.MaxLength]
		}
		if uint64(len(v)) < s.MinLength {
			v += strings.Repeat("x", int(s.MinLength)-len(v))
		}
		return v
	}
	return nil
}

func isObject(s *openapi3.Schema) bool { return s.Type.Is("object") || len(s.Properties) > 0 }

// accepts says whether the schema accepts v in a request, formats included.
func accepts(s *openapi3.Schema, v any) bool {
	return s.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.EnableFormatValidation()) == nil
}
