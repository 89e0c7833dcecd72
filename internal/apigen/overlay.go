package apigen

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// An action is one change the overlay makes to the spec before
// oapi-codegen reads it (OpenAPI Overlay 1.1.0, JSONPath of RFC 9535).
// Update is a map of member to value: a string for a name or format, a
// bool for the x-omit* extensions, which oapi-codegen reads only as bools.
type action struct {
	Target string `yaml:"target"`
	Update any    `yaml:"update,omitempty"`
	Remove bool   `yaml:"remove,omitempty"`
}

type overlayDoc struct {
	Overlay string            `yaml:"overlay"`
	Info    map[string]string `yaml:"info"`
	Actions []action          `yaml:"actions"`
}

// Overlay derives, from the spec alone, the OpenAPI Overlay that shapes
// the generated client:
//
//   - an operationId for every operation (apispec's ID: InvoiceList,
//     InvoiceCreate), which names its request builder and parameter types;
//   - the Conductor-End-User-Id header parameter removed everywhere, since
//     the facade sets it from its endUserID argument;
//   - x-go-type-name on inline request bodies (InvoiceCreateParams) and
//     inline 200 bodies (InvoiceList, InvoiceDeleteResponse);
//   - format: date-time on the string properties the spec describes as
//     "The date and time ...", so that they decode into time.Time;
//   - plain values (overlay_values.go): optional lists sent or not by
//     omitzero rather than through a pointer, and DateTime for the date
//     and time filters.
//   - the names and descriptions of every type, and one type per set of
//     enum values (see typeNames), so that gen and the facade use one
//     name for each type; previous is the overlay the last generation
//     wrote (nil for the first), whose names are kept (see published).
//
// Every target names one node of this spec, so oapi-codegen's strict mode
// fails on the next spec version only if the derivation itself broke.
func Overlay(specData, previous []byte) ([]byte, error) {
	spec, err := apispec.Parse(specData)
	if err != nil {
		return nil, err
	}
	prev, err := readPublished(previous)
	if err != nil {
		return nil, err
	}
	ops, err := spec.Operations()
	if err != nil {
		return nil, err
	}
	root := spec.Document()
	doc := overlayDoc{
		Overlay: "1.1.0",
		Info: map[string]string{
			"title":   "conductor-go: names and types for oapi-codegen, derived from openapi.yaml by internal/apigen",
			"version": "1",
		},
	}
	header := false
	for _, o := range ops {
		opPath := "$.paths" + key(o.Path) + "." + strings.ToLower(o.Method)
		doc.Actions = append(doc.Actions, action{Target: opPath, Update: map[string]string{"operationId": o.ID()}})
		op := mapOf(mapOf(mapOf(root["paths"])[o.Path])[strings.ToLower(o.Method)])
		if body := jsonSchema(mapOf(op["requestBody"])); body != nil && body["$ref"] == nil {
			doc.Actions = append(doc.Actions, action{
				Target: opPath + ".requestBody.content['application/json'].schema",
				Update: map[string]string{"x-go-type-name": o.ParamsType()},
			})
		}
		if result := jsonSchema(mapOf(mapOf(op["responses"])["200"])); result != nil && result["$ref"] == nil {
			name := o.ResultType()
			if o.Kind == apispec.List {
				name = o.Model + "List"
			}
			doc.Actions = append(doc.Actions, action{
				Target: opPath + ".responses['200'].content['application/json'].schema",
				Update: map[string]string{"x-go-type-name": name},
			})
		}
		header = header || o.NeedsEndUser
	}
	if header {
		doc.Actions = append(doc.Actions, action{
			Target: "$.paths.*.*.parameters[?@.name == '" + apispec.EndUserHeader + "']",
			Remove: true,
		})
	}
	for _, target := range dateTimes(root) {
		doc.Actions = append(doc.Actions, action{Target: target, Update: map[string]string{"format": "date-time"}})
	}
	doc.Actions = append(doc.Actions, plainValues(root)...)
	doc.Actions = append(doc.Actions, branchDescriptions(root)...)
	names := typeNames(root, ops, prev)
	names.validate()
	if err := names.err(); err != nil {
		return nil, err
	}
	doc.Actions = append(doc.Actions, names.actions...)

	var b bytes.Buffer
	b.WriteString("# Generated from openapi.yaml by internal/apigen (make generate). DO NOT EDIT.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// jsonSchema is the application/json schema of a request body or response.
func jsonSchema(bodyOrResponse map[string]any) map[string]any {
	return mapOf(mapOf(mapOf(bodyOrResponse["content"])["application/json"])["schema"])
}

// dateTimeDescription is how the spec describes a timestamp: "The date and
// time when this invoice was created, in ISO 8601 format ...".
var dateTimeDescription = regexp.MustCompile(`^The date and time\b`)

// dateTimes returns a target for every string schema, or string branch of
// an anyOf, described as a date and time and with no format yet, under
// paths and components, in document order of sorted keys.
func dateTimes(root map[string]any) []string {
	var targets []string
	walkSchemas(root, func(n map[string]any, path string) {
		if desc, _ := n["description"].(string); dateTimeDescription.MatchString(desc) {
			if isPlainString(n) {
				targets = append(targets, path)
			}
			for i, branch := range list(n["anyOf"]) {
				if isPlainString(mapOf(branch)) {
					targets = append(targets, fmt.Sprintf("%s.anyOf[%d]", path, i))
				}
			}
		}
	})
	return targets
}

// walkSchemas calls visit with every object under the spec's paths and
// components, and its JSONPath, in document order of sorted keys; not
// inside example or examples, which hold values, not schemas. The
// overlay's derivations that look at every schema share it.
func walkSchemas(root map[string]any, visit func(node map[string]any, path string)) {
	var walk func(node any, path string)
	walk = func(node any, path string) {
		switch n := node.(type) {
		case map[string]any:
			visit(n, path)
			for _, k := range slices.Sorted(maps.Keys(n)) {
				if k == "example" || k == "examples" {
					continue
				}
				walk(n[k], path+key(k))
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(mapOf(root["paths"]), "$.paths")
	walk(mapOf(root["components"]), "$.components")
}

func isPlainString(schema map[string]any) bool {
	return schema["type"] == "string" && schema["format"] == nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// key is the JSONPath selector of a member: .name, or ['/a/{b}'] when the
// name is not an identifier.
func key(name string) string {
	if identifier.MatchString(name) {
		return "." + name
	}
	return "['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "']"
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
