package conductortest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// nameFixtures points every reference the fake checks in a request body
// of resource (model: its model name) at the fixture object of the first
// resource it may name, or of resource itself if it may name any object,
// so that a request built from the spec names objects that exist.
func nameFixtures(resource, model string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			ref, checked := referenceField(resource, model, k)
			if !checked {
				nameFixtures(resource, model, x)
				continue
			}
			id := fixtureID(resource)
			if ref.resources != nil {
				id = fixtureID(ref.resources[0])
			}
			switch x.(type) {
			case string:
				v[k] = id
			case []any:
				v[k] = []any{id}
			}
		}
	case []any:
		for _, x := range v {
			nameFixtures(resource, model, x)
		}
	}
}

// TestEveryReferenceOfTheSpecIsChecked checks the tables of what a
// reference may name against every create and update body of the spec,
// both ways: every field named like a reference (…Id, …Ids, at any depth:
// lines, applyToTransactions[].applyCredits) is either checked, naming
// resources of the spec, or listed in notReferences with the reason; and
// every name the tables have is the end of such a field's name, so that
// a reference a new spec adds cannot go unchecked unnoticed, and the
// tables hold no guess the spec does not bear out.
func TestEveryReferenceOfTheSpecIsChecked(t *testing.T) {
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	kinds, skipped := map[string]bool{}, map[string]bool{}
	for _, rt := range a.routes {
		if rt.op.Kind != apispec.Create && rt.op.Kind != apispec.Update || rt.op.Namespace != apispec.QBDNamespace {
			continue
		}
		o := rt.op
		eachField(bodySchema(rt.spec()), "", map[*openapi3.Schema]bool{}, func(path, key string, prop *openapi3.Schema) {
			if !strings.HasSuffix(key, "Id") && !strings.HasSuffix(key, "Ids") {
				return
			}
			if _, ok := notReferences[key]; ok {
				skipped[key] = true
				return
			}
			ref, checked := referenceField(o.Resource, o.Model, key)
			if !checked {
				t.Errorf("%s %s%s: a reference the fake does not check; add its kind to referenceKinds or the field to notReferences, saying why", o.SDKName(), path, key)
				return
			}
			if list := prop.Type.Is("array"); list != ref.list {
				t.Errorf("%s %s%s: the fake reads it as a list %v; the spec's type is %v", o.SDKName(), path, key, ref.list, prop.Type)
			}
			kinds[kindName(ref.kind)] = true
			for _, r := range ref.resources {
				if !a.hasModel(qbdKey(r)) {
					t.Errorf("%s %s%s names %q, which is not a QuickBooks Desktop resource of the spec", o.SDKName(), path, key, r)
				}
			}
		})
	}
	for _, name := range slices.Sorted(maps.Keys(referenceKinds)) {
		if !kinds[name] {
			t.Errorf("referenceKinds has %q, which is not the end of the name of any reference of the spec's request bodies", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(notReferences)) {
		if !skipped[name] {
			t.Errorf("notReferences has %q, which no request body of the spec has", name)
		}
	}
	for _, name := range []string{"customerId", "itemId", "classId", "accountId", "depositToAccountId", "preferredVendorId",
		"preferredPaymentMethodId", "overrideUnitOfMeasureSetId", "salesTaxItemIds", "defaultExpenseAccountIds", "linkToTransactionIds", "creditTransactionId", "parentId"} {
		if _, checked := referenceField("customers", "Customer", name); !checked {
			t.Errorf("a reference %q is not checked", name)
		}
	}
}

// eachField calls f for every property of schema at any depth (through
// anyOf and lists), with the path to the object holding it.
func eachField(schema *openapi3.Schema, path string, seen map[*openapi3.Schema]bool, f func(path, key string, prop *openapi3.Schema)) {
	if schema == nil || seen[schema] {
		return
	}
	seen[schema] = true
	defer delete(seen, schema)
	for _, alt := range schema.AnyOf {
		eachField(alt.Value, path, seen, f)
	}
	if schema.Items != nil {
		eachField(schema.Items.Value, path+"[].", seen, f)
	}
	for _, name := range slices.Sorted(maps.Keys(schema.Properties)) {
		prop, _ := nonNull(schema.Properties[name])
		if prop == nil {
			continue
		}
		f(path, name, prop)
		eachField(prop, path+name+".", seen, f)
	}
}
