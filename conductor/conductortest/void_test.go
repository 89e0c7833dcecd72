package conductortest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestVoidingTwiceMarksTheMemoOnce: a void puts "VOID: " before the
// memo, or makes a missing memo "VOID:", once; voiding again, as a retry
// of a void whose answer was lost does, leaves the memo as it is.
func TestVoidingTwiceMarksTheMemoOnce(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers": {{"id": "C1", "name": "Globex"}},
		"invoices":  {{"id": "I1", "customerId": "C1", "memo": "Rush"}, {"id": "I2", "customerId": "C1"}},
	})
	c := client(t, srv)
	ctx := testdeadline.Context(t)
	var got []string
	for _, id := range []string{"I1", "I2"} {
		for range 2 {
			if v, err := c.QBD.Invoices.Void(ctx, "end_usr_a", id); err != nil || !v.Voided {
				t.Fatalf("void %s: %+v, %v", id, v, err)
			}
		}
		inv, err := c.QBD.Invoices.Retrieve(ctx, "end_usr_a", id)
		if err != nil || inv.Memo == nil {
			t.Fatalf("retrieve %s: %+v, %v", id, inv, err)
		}
		got = append(got, *inv.Memo)
	}
	if diff := cmp.Diff([]string{"VOID: Rush", "VOID:"}, got); diff != "" {
		t.Errorf("memos after two voids (-want +got):\n%s", diff)
	}
}
