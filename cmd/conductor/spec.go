package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// What the command reads of the spec beyond internal/apispec's names: an
// operation's parameters, with the schemas that type their flags, and the
// top-level fields of its body, with the descriptions the help shows.
// apispec's Operation does not carry them; they are read here, with
// encoding/json, from the JSON of the spec that spectable.gen.go holds
// for each operation.

// opSpec is one operation of the spec as the command reads it.
type opSpec struct {
	Parameters  []specParam `json:"parameters"`
	RequestBody *struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			// Schema is decoded only for the help (body): a command
			// that runs needs none of it, and its fields down to the
			// nested ones take a few times longer to decode than the
			// rest of the operation.
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	// Responses are decoded only for a table (items): the schema of a
	// list's objects names its columns.
	Responses map[string]struct {
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

// specParam is a parameter of an operation.
type specParam struct {
	Ref         string     `json:"$ref"`
	Name        string     `json:"name"`
	In          string     `json:"in"`
	Required    bool       `json:"required"`
	Description string     `json:"description"`
	Schema      specSchema `json:"schema"`
}

// specSchema is what the command uses of a schema: its type, which a
// flag's text is parsed as, the constraints its help states (the
// client's rules check them), and an object's fields, which the help
// lists for a body down to the nested ones.
type specSchema struct {
	Ref         string                `json:"$ref"`
	Type        schemaType            `json:"type"`
	Format      string                `json:"format"`
	Enum        []any                 `json:"enum"`
	Minimum     *float64              `json:"minimum"`
	Maximum     *float64              `json:"maximum"`
	Default     any                   `json:"default"`
	Description string                `json:"description"`
	Items       *specSchema           `json:"items"`
	AnyOf       []specSchema          `json:"anyOf"`
	Properties  map[string]specSchema `json:"properties"`
	Required    []string              `json:"required"`
}

// schemaType is a schema's type, written "string" or, in OpenAPI 3.1,
// ["string", "null"]; null aside, the first is kept.
type schemaType string

// UnmarshalJSON reads either form.
func (t *schemaType) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*t = schemaType(one)
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	for _, s := range many {
		if s != "null" {
			*t = schemaType(s)
			return nil
		}
	}
	return nil
}

// UnmarshalJSON reads a schema, taking the type of an anyOf whose
// branches are one type and null, as the spec writes nullable fields.
func (s *specSchema) UnmarshalJSON(b []byte) error {
	type plain specSchema // without this method
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = specSchema(v)
	if s.Type == "" {
		for _, alt := range s.AnyOf {
			if alt.Type != "" && alt.Type != "null" {
				s.Type, s.Format, s.Enum, s.Items = alt.Type, alt.Format, alt.Enum, alt.Items
				s.Minimum, s.Maximum = alt.Minimum, alt.Maximum
				s.Properties, s.Required = alt.Properties, alt.Required
				if s.Description == "" {
					s.Description = alt.Description
				}
				break
			}
		}
	}
	return nil
}

// specDoc is the spec's operations, and the components they may refer
// to, each kept as JSON until a command needs it: generated at `make
// generate` (spectable.gen.go), so that a command decodes the one
// operation it runs, not the whole embedded spec.
type specDoc struct {
	Operations map[string]string // by method and path: GET /end-users
	Components struct {
		Parameters map[string]string
		Schemas    map[string]string
	}
}

//go:generate go run ../apigen cmdtable -spec ../../openapi.yaml -o spectable.gen.go

// specTable is the command's table: the operations apispec names, and the
// JSON of each, with the components they reach, from spectable.gen.go.
type specTable struct {
	ops []apispec.Operation
	doc specDoc
}

var loadSpec = sync.OnceValues(func() (*specTable, error) {
	t := &specTable{ops: specOperations}
	t.doc.Operations = specOperationJSON
	t.doc.Components.Parameters = specParameterJSON
	t.doc.Components.Schemas = specSchemaJSON
	return t, nil
})

// operation reads the parameters and body of o from the spec.
func (t *specTable) operation(o apispec.Operation) (*opSpec, error) {
	raw, ok := t.doc.Operations[o.Method+" "+o.Path]
	if !ok {
		return nil, fmt.Errorf("the spec has no %s %s", o.Method, o.Path)
	}
	var s opSpec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("reading %s %s from the spec: %w", o.Method, o.Path, err)
	}
	// The spec writes its parameters in place today; one it shares
	// through components is followed, so that it still gets its flag.
	for i, p := range s.Parameters {
		if p.Ref != "" {
			if err := t.resolve(p.Ref, "#/components/parameters/", t.doc.Components.Parameters, &s.Parameters[i]); err != nil {
				return nil, fmt.Errorf("%s %s: %w", o.Method, o.Path, err)
			}
		}
		if err := t.deref(&s.Parameters[i].Schema); err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.Method, o.Path, err)
		}
		if s.Parameters[i].Name == "" {
			return nil, fmt.Errorf("%s %s: a parameter has no name", o.Method, o.Path)
		}
	}
	return &s, nil
}

// resolve decodes into v the component a local $ref names.
func (t *specTable) resolve(ref, prefix string, components map[string]string, v any) error {
	name, ok := strings.CutPrefix(ref, prefix)
	raw, found := components[name]
	if !ok || !found {
		return fmt.Errorf("cannot follow $ref %q", ref)
	}
	return json.Unmarshal([]byte(raw), v)
}

// deref replaces a schema that is a $ref by the component schema it
// names; any other schema is left as it is.
func (t *specTable) deref(s *specSchema) error {
	if s.Ref == "" {
		return nil
	}
	var to specSchema
	if err := t.resolve(s.Ref, "#/components/schemas/", t.doc.Components.Schemas, &to); err != nil {
		return err
	}
	*s = to
	return nil
}

// body is the operation's JSON request body schema, or nil when it has
// none.
func (s *opSpec) body() (*specSchema, error) {
	if s == nil || s.RequestBody == nil {
		return nil, nil
	}
	media, ok := s.RequestBody.Content["application/json"]
	if !ok {
		return nil, nil
	}
	var schema specSchema
	if err := json.Unmarshal(media.Schema, &schema); err != nil {
		return nil, fmt.Errorf("reading the request body's schema from the spec: %w", err)
	}
	return &schema, nil
}

// fields are an object's field names, required ones first, each group
// sorted.
func (b *specSchema) fields() []string {
	names := make([]string, 0, len(b.Properties))
	for name := range b.Properties {
		names = append(names, name)
	}
	slices.SortFunc(names, func(x, y string) int {
		rx, ry := slices.Contains(b.Required, x), slices.Contains(b.Required, y)
		switch {
		case rx && !ry:
			return -1
		case ry && !rx:
			return 1
		}
		return strings.Compare(x, y)
	})
	return names
}

// items is the schema of the objects of a list's page, its 200 response's
// data array, followed to the component it names.
func (t *specTable) items(s *opSpec) (*specSchema, error) {
	media, ok := s.Responses["200"].Content["application/json"]
	if !ok {
		return nil, fmt.Errorf("the spec gives the list no JSON response")
	}
	var page specSchema
	if err := json.Unmarshal(media.Schema, &page); err != nil {
		return nil, fmt.Errorf("reading the list's response schema from the spec: %w", err)
	}
	if err := t.deref(&page); err != nil {
		return nil, err
	}
	data, ok := page.Properties["data"]
	if !ok || data.Items == nil {
		return nil, fmt.Errorf("the spec's list response has no data array")
	}
	item := *data.Items
	if err := t.deref(&item); err != nil {
		return nil, err
	}
	return &item, nil
}
