package main

import (
	"regexp"
	"slices"
	"strings"
)

// What the help says of a value's type, a flag's or a body field's, read
// from its schema in the spec. The spec writes some types only in words,
// and the rules here are those the rest of the repository reads them by:
// a decimal string says "decimal string" (conductortest's decimal
// arithmetic), a timestamp starts "The date and time", and a date and
// time filter lists the ISO 8601 forms it accepts, the one with an
// offset among them (internal/apigen's overlay, which makes both Go
// times).

var (
	// dateTimeDescription is how the spec describes a timestamp.
	dateTimeDescription = regexp.MustCompile(`^The date and time\b`)
)

const (
	dateTimeFilterForms = "Accepts the following ISO 8601 formats"
	dateTimeFilterForm  = "YYYY-MM-DDTHH:mm:ss±HH:mm"
)

// typeName names the type of the value s describes: string, integer from
// 1 to 150, boolean, date, date-time, decimal string, enum:
// a, b, c, array of …, object. descriptions are what else describes the
// value (a parameter's own description, besides its schema's).
func typeName(s specSchema, descriptions ...string) string {
	text := strings.Join(append(descriptions, s.Description), "\n")
	switch {
	case len(s.Enum) > 0:
		return "enum: " + enumList(s.Enum)
	case s.Type == "array":
		if s.Items == nil {
			return "array"
		}
		return "array of " + typeName(*s.Items)
	case s.Type == "integer" || s.Type == "number":
		return string(s.Type) + bounds(s)
	case s.Type == "string":
		switch {
		case s.Format == "date":
			return "date"
		case s.Format == "date-time",
			dateTimeDescription.MatchString(strings.TrimSpace(s.Description)),
			strings.Contains(text, dateTimeFilterForms) && strings.Contains(text, dateTimeFilterForm):
			return "date-time"
		case strings.Contains(strings.ToLower(text), "decimal string"):
			return "decimal string"
		case s.Format != "":
			return "string (" + s.Format + ")"
		}
		return "string"
	case s.Type == "":
		return "any JSON value"
	}
	return string(s.Type)
}

// bodyField is a field of a body, at any depth: its path as --data
// writes it (lines[].quantity, billingAddress.city), its schema, and
// whether its object requires it.
type bodyField struct {
	path     string
	schema   specSchema
	required bool
}

// maxBodyDepth bounds how deep bodyFields goes, against a schema that
// contains itself through a $ref; the spec's deepest body today has four
// levels.
const maxBodyDepth = 12

// bodyFields lists the fields of an object schema, each followed by its
// own: an object's fields after a dot, an array's items' after [].
// Required fields come first at each level. resolve replaces a schema
// that is a $ref by the one it names; one it cannot follow is listed as
// it is, a field of any JSON value (TestSpecTableAgreesWithEmbeddedSpec
// holds every $ref of the table followable).
func bodyFields(s specSchema, prefix string, resolve func(*specSchema) error, depth int) []bodyField {
	if depth > maxBodyDepth {
		return nil
	}
	var out []bodyField
	for _, name := range s.fields() {
		field := s.Properties[name]
		resolve(&field)
		if field.Items != nil {
			items := *field.Items // not the schema's own, which others share
			resolve(&items)
			field.Items = &items
		}
		out = append(out, bodyField{prefix + name, field, slices.Contains(s.Required, name)})
		path, inner := prefix+name, field
		for inner.Type == "array" && inner.Items != nil {
			path += "[]"
			inner = *inner.Items
			resolve(&inner)
		}
		if len(inner.Properties) > 0 {
			out = append(out, bodyFields(inner, path+".", resolve, depth+1)...)
		}
	}
	return out
}
