package conductortest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// nameFixtures points every reference of a request body of resource
// (customerId, lines[].itemId, a payment's
// applyToTransactions[].transactionId) the fake checks at the fixture
// object of the first resource it may name, so that a request built from
// the spec names objects that exist.
func nameFixtures(resource string, body map[string]any) {
	nameReferences(body)
	if link, ok := paidBy[resource]; ok {
		applied, _ := body["applyToTransactions"].([]any)
		for _, a := range applied {
			if a, ok := a.(map[string]any); ok {
				a["transactionId"] = fixtureID(link.target)
			}
		}
	}
}

func nameReferences(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			base, isID := strings.CutSuffix(k, "Id")
			if _, isString := x.(string); isID && isString {
				if resources, checked := refersTo(base); checked {
					v[k] = fixtureID(resources[0])
				}
				continue
			}
			nameReferences(x)
		}
	case []any:
		for _, x := range v {
			nameReferences(x)
		}
	}
}

// TestReferenceKindsAreTheSpecs checks the table of what a reference may
// name against the spec: every resource it names is one of the spec's,
// and every name it has is the name, or the last word of the name, of a
// reference in the spec's objects, so that the table holds no guess the
// spec does not bear out.
func TestReferenceKindsAreTheSpecs(t *testing.T) {
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	references := map[string]bool{}
	seen := map[any]bool{}
	for _, model := range a.models {
		collectReferences(model, references, seen)
	}
	used := map[string]bool{}
	for name := range references {
		used[kindName(name)] = true
	}
	for _, name := range slices.Sorted(maps.Keys(referenceKinds)) {
		if !used[name] {
			t.Errorf("referenceKinds has %q, which is not the name or last word of any reference in the spec", name)
		}
		for _, r := range referenceKinds[name] {
			if a.models[qbdKey(r)] == nil {
				t.Errorf("referenceKinds[%q] names %q, which is not a QuickBooks Desktop resource of the spec", name, r)
			}
		}
	}
	for _, name := range []string{"customer", "item", "class", "account", "depositToAccount", "vendor", "preferredVendor"} {
		if _, checked := refersTo(name); !checked {
			t.Errorf("a reference %q is not checked", name)
		}
	}
}

// collectReferences adds the names of schema's reference properties, at
// any depth, to names.
func collectReferences(schema *openapi3.Schema, names map[string]bool, seen map[any]bool) {
	if schema == nil || seen[schema] {
		return
	}
	seen[schema] = true
	for _, alt := range schema.AnyOf {
		collectReferences(alt.Value, names, seen)
	}
	if schema.Items != nil {
		collectReferences(schema.Items.Value, names, seen)
	}
	for name, prop := range schema.Properties {
		if isReference(prop) {
			names[name] = true
			continue
		}
		collectReferences(prop.Value, names, seen)
	}
}
