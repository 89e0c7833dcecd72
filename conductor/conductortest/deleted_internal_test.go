package conductortest

import (
	"maps"
	"slices"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// TestDeletedTypesCoverTheSpec: every resource the fake can delete, by
// the API or DeleteInQuickBooks, that the deleted-* lists show maps to a
// value of their enum, every value of the enums is either mapped once or
// listed as one the fake has no resource for, and every resource the
// API deletes is mapped.
func TestDeletedTypesCoverTheSpec(t *testing.T) {
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	enum := func(resource, param string) []string {
		for _, rt := range a.routes {
			if rt.op.Namespace != apispec.QBDNamespace || rt.op.Resource != resource || rt.op.Kind != apispec.List {
				continue
			}
			for _, p := range rt.spec().Parameters {
				if p.Value.Name == param {
					var out []string
					for _, v := range p.Value.Schema.Value.Items.Value.Enum {
						out = append(out, v.(string))
					}
					return out
				}
			}
		}
		t.Fatalf("no %s parameter on the %s list", param, resource)
		return nil
	}
	for _, tt := range []struct {
		table    map[string]string
		unserved []string
		resource string
		param    string
	}{
		{apispec.TransactionTypes, apispec.TransactionTypesUnserved, "deletedTransactions", "transactionTypes"},
		{apispec.ListTypes, apispec.ListTypesUnserved, "deletedListObjects", "objectTypes"},
	} {
		values := enum(tt.resource, tt.param)
		mapped := map[string]string{}
		for resource, v := range tt.table {
			if !a.hasModel(qbdKey(resource)) {
				t.Errorf("%s: %q is no resource of the fake", tt.param, resource)
			}
			if !slices.Contains(values, v) {
				t.Errorf("%s: %s maps to %q, which is not in the enum %v", tt.param, resource, v, values)
			}
			if other, dup := mapped[v]; dup {
				t.Errorf("%s: %q is the type of both %s and %s", tt.param, v, other, resource)
			}
			mapped[v] = resource
		}
		for _, v := range values {
			_, isMapped := mapped[v]
			if isMapped == slices.Contains(tt.unserved, v) {
				t.Errorf("%s: %q must be either mapped to a resource or listed as unserved, not %s", tt.param, v, map[bool]string{true: "both", false: "neither"}[isMapped])
			}
		}
		for _, v := range tt.unserved {
			if !slices.Contains(values, v) {
				t.Errorf("%s: unserved %q is not in the enum", tt.param, v)
			}
		}
	}
	for _, rt := range a.routes {
		if rt.op.Namespace == apispec.QBDNamespace && rt.op.Kind == apispec.Delete {
			if _, ok := apispec.TransactionTypes[rt.op.Resource]; !ok {
				t.Errorf("%s %s deletes %s, which has no transactionType (transactionTypes has %v)", rt.op.Method, rt.op.Path, rt.op.Resource, slices.Sorted(maps.Keys(apispec.TransactionTypes)))
			}
		}
	}
}
