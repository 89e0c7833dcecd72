package conductortest_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestAListConductorDoesNotPageAnswersEverything: a list without a cursor
// (classes, which take a limit, and inventory sites, which take none)
// answers every object when no limit is given, as openapi.yaml says
// ("returns all ... without limit"), and at most limit when one is; a
// paged list (customers) still answers pages of 150.
func TestAListConductorDoesNotPageAnswersEverything(t *testing.T) {
	const n = 160
	var classes, sites, customers []map[string]any
	var names []string
	for i := range n {
		name := fmt.Sprintf("N%03d", i)
		names = append(names, name)
		classes = append(classes, map[string]any{"name": name})
		sites = append(sites, map[string]any{"name": name})
		customers = append(customers, map[string]any{"name": name})
	}
	srv := newServer(t, conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true,
		QBD: map[string][]map[string]any{"classes": classes, "inventorySites": sites, "customers": customers},
	}}}})
	tests := []struct {
		path string
		want []string
	}{
		{"/quickbooks-desktop/classes", names},
		{"/quickbooks-desktop/classes?limit=5", names[:5]},
		{"/quickbooks-desktop/classes?limit=155", names[:155]},
		{"/quickbooks-desktop/classes?limit=1000", names},
		{"/quickbooks-desktop/inventory-sites", names},
		{"/quickbooks-desktop/customers", names[:150]},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listed(t, srv, tt.path, "name")); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tt.path, diff)
		}
	}
}
