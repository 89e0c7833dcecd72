package conductortest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestFullNames: QuickBooks joins a child's name to its parent's full
// name with a colon, for a customer created with parentId and for one
// given in the fixtures by its parentId; a fullName the fixtures give is
// kept as it is, not rebuilt from the name.
func TestFullNames(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{"customers": {
		{"id": "C1", "name": "Globex"},
		{"id": "C2", "name": "Site", "parentId": "C1"},
		{"id": "C3", "name": "Depot", "fullName": "Initech:Depot"},
	}})
	c := client(t, srv)
	ctx := testdeadline.Context(t)
	annex, err := c.QBD.Customers.Create(ctx, "end_usr_a", conductor.CustomerCreateParams{Name: "Annex", ParentID: new("C2")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"Annex": annex.FullName}
	for _, id := range []string{"C1", "C2", "C3"} {
		cust, err := c.QBD.Customers.Retrieve(ctx, "end_usr_a", id)
		if err != nil {
			t.Fatal(err)
		}
		got[cust.Name] = cust.FullName
	}
	want := map[string]string{"Globex": "Globex", "Site": "Globex:Site", "Annex": "Globex:Site:Annex", "Depot": "Initech:Depot"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("full names (-want +got):\n%s", diff)
	}
}
