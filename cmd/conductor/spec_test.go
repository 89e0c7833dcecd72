package main

import (
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// TestParametersByReference: a parameter, or its schema, that the spec
// shares through components gets its flag as one written in place does.
func TestParametersByReference(t *testing.T) {
	t.Parallel()
	var table specTable
	table.doc.Operations = map[string]string{"GET /things": `{"parameters": [
		{"$ref": "#/components/parameters/limit"},
		{"in": "query", "name": "status", "schema": {"$ref": "#/components/schemas/status"}},
		{"$ref": "#/components/parameters/absent"}]}`}
	table.doc.Components.Parameters = map[string]string{"limit": `{"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1}}`}
	table.doc.Components.Schemas = map[string]string{"status": `{"type": "string", "enum": ["active", "all"]}`}
	_, err := table.operation(apispec.Operation{Method: "GET", Path: "/things"})
	if err == nil || !strings.Contains(err.Error(), `cannot follow $ref "#/components/parameters/absent"`) {
		t.Errorf("a $ref to nothing: got %v", err)
	}
	table.doc.Operations["GET /things"] = `{"parameters": [{"$ref": "#/components/parameters/limit"}, {"in": "query", "name": "status", "schema": {"$ref": "#/components/schemas/status"}}]}`
	s, err := table.operation(apispec.Operation{Method: "GET", Path: "/things"})
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Parameters[0]; p.Name != "limit" || p.Schema.Type != "integer" {
		t.Errorf("the parameter by reference is %+v", p)
	}
	if _, facts := newParamFlag(s.Parameters[1]).help(); !strings.Contains(facts, "Type: enum: active, all.") {
		t.Errorf("--status's help is %q; the enum of the schema by reference allows active and all", facts)
	}
}
