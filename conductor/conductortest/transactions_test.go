package conductortest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// shownTxn is a transaction as the test compares it: its id, type,
// entity, number and amount.
type shownTxn struct {
	ID, Type, Entity, Ref, Amount string
}

func shownTxns(page map[string]any) []shownTxn {
	out := []shownTxn{}
	for _, x := range page["data"].([]any) {
		v := x.(map[string]any)
		entity, _ := v["entity"].(map[string]any)
		out = append(out, shownTxn{fmt.Sprint(v["transactionId"]), fmt.Sprint(v["transactionType"]), fmt.Sprint(entity["id"]), fmt.Sprint(v["refNumber"]), fmt.Sprint(v["amount"])})
	}
	return out
}

// The demo's invoices as the transactions list shows them.
var demoInvoiceTxns = []shownTxn{
	{"80000100-1700000100", "invoice", "80000001-1700000001", "INV-1001", "699.00"},
	{demoInvoice2, "invoice", demoGlobex, "INV-1002", "849.00"},
	{"80000102-1700000102", "invoice", "80000003-1700000003", "INV-1003", "999.00"},
}

// TestTransactionsAreReadOffTheBooks: the transactions list is every
// transaction of the company, as QuickBooks' TransactionQuery is: the
// demo's invoices with their type, customer and total, then a payment
// once received; looked up by ids or refNumbers, narrowed by
// transactionTypes, and retrieved by id.
func TestTransactionsAreReadOffTheBooks(t *testing.T) {
	b := demoBooks(t)
	if diff := cmp.Diff(demoInvoiceTxns, shownTxns(b.ok("GET", "transactions", ""))); diff != "" {
		t.Fatalf("transactions (-want +got):\n%s", diff)
	}
	pay := b.ok("POST", "receive-payments", receive(demoGlobex, "100.00", entry(demoInvoice2, "100.00")))
	payment := shownTxn{fmt.Sprint(pay["id"]), "receive_payment", demoGlobex, "<nil>", "100.00"}
	tests := []struct {
		query string
		want  []shownTxn
	}{
		{"", append(demoInvoiceTxns[:3:3], payment)},
		{"?ids=" + demoInvoice2, demoInvoiceTxns[1:2]},
		{"?refNumbers=INV-1003", demoInvoiceTxns[2:3]},
		{"?transactionTypes=receive_payment", []shownTxn{payment}},
		{"?transactionTypes=invoice&entityIds=" + demoGlobex, demoInvoiceTxns[1:2]},
		{"?transactionTypes=all&limit=2", demoInvoiceTxns[:2]},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, shownTxns(b.ok("GET", "transactions"+tt.query, ""))); diff != "" {
			t.Errorf("transactions%s (-want +got):\n%s", tt.query, diff)
		}
	}
	// Paged as every list is: a later page goes on after the one before.
	first := b.ok("GET", "transactions?limit=3", "")
	next := b.ok("GET", fmt.Sprintf("transactions?limit=3&cursor=%v", first["nextCursor"]), "")
	if diff := cmp.Diff([]any{demoInvoiceTxns, 1.0, []shownTxn{payment}, 0.0}, []any{shownTxns(first), first["remainingCount"], shownTxns(next), next["remainingCount"]}); diff != "" {
		t.Errorf("transactions in pages of 3 (-want +got):\n%s", diff)
	}
	got := b.ok("GET", "transactions/"+demoInvoice2, "")
	if diff := cmp.Diff(demoInvoiceTxns[1:2], shownTxns(map[string]any{"data": []any{got}})); diff != "" {
		t.Errorf("transactions/%s (-want +got):\n%s", demoInvoice2, diff)
	}
	refused(t, b.do("GET", "transactions?refNumbers=INV-9999", ""), "500", "INV-9999")
}

// TestTransactionsFixturesAreRefused: the transactions list is computed
// from the transactions, so fixtures cannot give it; the refusal says
// what to give instead.
func TestTransactionsFixturesAreRefused(t *testing.T) {
	_, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"transactions": {{"id": "J1"}}}},
	}}})
	if err == nil || !strings.Contains(err.Error(), "give the transactions themselves") {
		t.Fatalf("fixtures of transactions: error %v; want a refusal saying to give the transactions themselves", err)
	}
}
