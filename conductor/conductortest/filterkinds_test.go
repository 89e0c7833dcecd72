package conductortest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFilterKinds: each kind of filter the spec lists, applied as its
// description says QuickBooks applies it, through the fake's HTTP API.
func TestFilterKinds(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		// Balances are the open invoices': Globex 100.00, Initech 10.00,
		// globe trotters 250.50.
		"customers": {
			{"id": "C1", "name": "Globex"},
			{"id": "C2", "name": "Initech"},
			{"id": "C3", "name": "globe trotters"},
		},
		"accounts": {
			{"id": "A1", "name": "Checking", "accountType": "bank"},
			{"id": "A2", "name": "Sales", "accountType": "income"},
		},
		"serviceItems": {{"id": "S1", "name": "Consulting"}, {"id": "S2", "name": "Support"}},
		"bills": {
			{"refNumber": "B1", "vendorId": "V1", "transactionDate": "2024-10-01", "expenseLines": []any{map[string]any{"accountId": "A2", "amount": "5.00"}}},
			{"refNumber": "B2", "vendorId": "V1", "transactionDate": "2024-10-01", "payablesAccountId": "A1"},
		},
		"vendors": {{"id": "V1", "name": "Acme"}},
		"invoices": {
			// Paid: nothing left of it (isPaid follows).
			{"refNumber": "9", "customerId": "C1", "transactionDate": "2024-10-01", "balanceRemaining": "0.00", "lines": []any{map[string]any{"itemId": "S1", "amount": "10.00"}}},
			{"refNumber": "10", "customerId": "C2", "transactionDate": "2024-10-01", "lines": []any{map[string]any{"itemId": "S2", "amount": "10.00"}}},
			{"refNumber": "100", "customerId": "C1", "transactionDate": "2024-10-01", "lines": []any{map[string]any{"itemId": "S2", "amount": "100.00"}}},
			{"refNumber": "INV-a", "customerId": "C3", "transactionDate": "2024-10-01", "lines": []any{map[string]any{"itemId": "S2", "amount": "250.50"}}},
		},
	})
	tests := []struct {
		path, field string
		want        []string
	}{
		// Names, without case.
		{"customers?fullNames=GLOBEX", "name", []string{"Globex"}},
		{"customers?fullNames=initech", "name", []string{"Initech"}},
		{"customers?nameContains=LOBE", "name", []string{"Globex", "globe trotters"}},
		{"customers?nameStartsWith=GLOBE", "name", []string{"Globex", "globe trotters"}},
		{"customers?nameEndsWith=TERS", "name", []string{"globe trotters"}},
		{"customers?nameFrom=h&nameTo=J", "name", []string{"Initech"}},
		// Ref numbers with case; ranges of digits only as numbers.
		{"invoices?refNumberFrom=9&refNumberTo=10", "refNumber", []string{"9", "10"}},
		{"invoices?refNumberFrom=10", "refNumber", []string{"10", "100", "INV-a"}}, // INV-a: by letters
		{"invoices?refNumberContains=INV", "refNumber", []string{"INV-a"}},
		{"invoices?refNumberContains=inv", "refNumber", nil},
		{"invoices?refNumberStartsWith=1", "refNumber", []string{"10", "100"}},
		{"invoices?refNumberEndsWith=-a", "refNumber", []string{"INV-a"}},
		// Payment status.
		{"invoices?paymentStatus=paid", "refNumber", []string{"9"}},
		{"invoices?paymentStatus=not_paid", "refNumber", []string{"10", "100", "INV-a"}},
		{"invoices?paymentStatus=all", "refNumber", []string{"9", "10", "100", "INV-a"}},
		{"invoices?paymentStatus=not_paid&customerIds=C1", "refNumber", []string{"100"}},
		// Entity and item filters, lines included.
		{"bills?accountIds=A2", "refNumber", []string{"B1"}},
		{"bills?accountIds=A1&accountIds=A9", "refNumber", []string{"B2"}},
		// Amounts, as decimals.
		{"customers?totalBalanceGreaterThan=100", "name", []string{"globe trotters"}},
		{"customers?totalBalanceGreaterThanOrEqualTo=100.00", "name", []string{"Globex", "globe trotters"}},
		{"customers?totalBalanceLessThan=100", "name", []string{"Initech"}},
		{"customers?totalBalanceLessThanOrEqualTo=100", "name", []string{"Globex", "Initech"}},
		{"customers?totalBalance=250.5", "name", []string{"globe trotters"}},
		// An enum of the object's own field.
		{"accounts?accountType=income", "name", []string{"Sales"}},
		// ids, names, fullNames and refNumbers override every other
		// filter, as their descriptions say.
		{"customers?ids=C2&nameContains=globe&totalBalanceGreaterThan=1000", "name", []string{"Initech"}},
		{"customers?fullNames=initech&nameContains=globe&updatedAfter=2999-01-01", "name", []string{"Initech"}},
		{"vendors?names=ACME&status=inactive&nameStartsWith=z", "name", []string{"Acme"}},
		{"invoices?refNumbers=9&customerIds=C2&paymentStatus=not_paid", "refNumber", []string{"9"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, tt.field)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestIncludeLineItems: includeLineItems=false leaves every invoice's
// lines out of the answer, on every page, and the invoices stored keep
// them.
func TestIncludeLineItems(t *testing.T) {
	line := []any{map[string]any{"description": "Work", "amount": "10.00"}}
	srv := fixtureServer(t, map[string][]map[string]any{"invoices": {
		{"refNumber": "1", "lines": line}, {"refNumber": "2", "lines": line},
	}})
	lines := func(query string) []int {
		page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?"+query, asEndUserA(srv), ""))
		var n []int
		for _, v := range page["data"].([]any) {
			n = append(n, len(v.(map[string]any)["lines"].([]any)))
		}
		return n
	}
	for _, tt := range []struct {
		query string
		want  []int
	}{
		{"includeLineItems=false", []int{0, 0}},
		{"includeLineItems=true", []int{1, 1}},
		{"", []int{1, 1}},
		{"includeLineItems=false&limit=1", []int{0}},
	} {
		if diff := cmp.Diff(tt.want, lines(tt.query)); diff != "" {
			t.Errorf("%s: lines (-want +got):\n%s", tt.query, diff)
		}
	}
	page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?includeLineItems=false&limit=1", asEndUserA(srv), ""))
	next := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=1&cursor="+page["nextCursor"].(string), asEndUserA(srv), ""))
	if n := len(next["data"].([]any)[0].(map[string]any)["lines"].([]any)); n != 0 {
		t.Errorf("the second page of includeLineItems=false shows %d lines; want 0", n)
	}
}

// TestUnappliedFilterIsRefused: a filter the fake does not apply is a 400
// naming it, not a list that looks filtered.
func TestUnappliedFilterIsRefused(t *testing.T) {
	srv := fixtureServer(t, nil)
	r := send(t, srv, "GET", "/quickbooks-desktop/transactions?postingStatus=posting", asEndUserA(srv), "")
	env := decodeEnvelope(t, r)
	if r.status != 400 || !strings.HasPrefix(env.Error.Message, "postingStatus: the fake does not apply this filter to transactions") {
		t.Errorf("status %d, %q; want 400 naming postingStatus", r.status, env.Error.Message)
	}
}

// TestIncludeLinkedTransactions: a list leaves out each transaction's
// linked transactions unless includeLinkedTransactions=true, its default
// being false, as QuickBooks does.
func TestIncludeLinkedTransactions(t *testing.T) {
	linked := []any{map[string]any{"id": "P1", "transactionType": "receive_payment", "transactionDate": "2024-10-02", "amount": "-5.00", "linkType": "amount"}}
	srv := fixtureServer(t, map[string][]map[string]any{"invoices": {{"refNumber": "1", "linkedTransactions": linked}}})
	for query, want := range map[string]int{"": 0, "includeLinkedTransactions=false": 0, "includeLinkedTransactions=true": 1} {
		page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?"+query, asEndUserA(srv), ""))
		if got := len(page["data"].([]any)[0].(map[string]any)["linkedTransactions"].([]any)); got != want {
			t.Errorf("%q: %d linked transactions; want %d", query, got, want)
		}
	}
}

// TestExcludeAlternateShippingAddresses: excludeAlternateShippingAddresses
// =true answers a customer's alternateShippingAddresses null, as the
// spec says.
func TestExcludeAlternateShippingAddresses(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{"customers": {
		{"name": "Globex", "alternateShippingAddresses": []any{map[string]any{"line1": "1 Main St"}}},
	}})
	for query, want := range map[string]bool{"": false, "excludeAlternateShippingAddresses=false": false, "excludeAlternateShippingAddresses=true": true} {
		page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/customers?"+query, asEndUserA(srv), ""))
		if got := page["data"].([]any)[0].(map[string]any)["alternateShippingAddresses"] == nil; got != want {
			t.Errorf("%q: alternateShippingAddresses null is %v; want %v", query, got, want)
		}
	}
}

// TestStatusFilters: status and pendingStatus (billsToPay's dueDate and
// payablesAccountId: TestBillsToPayAreReadOffTheBooks).
func TestStatusFilters(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers": {{"name": "Active", "isActive": true}, {"name": "Dormant", "isActive": false}},
		"buildAssemblies": {
			{"refNumber": "P", "isPending": true, "transactionDate": "2024-10-01"},
			{"refNumber": "D", "isPending": false, "transactionDate": "2024-10-01"},
		},
	})
	tests := []struct {
		path, field string
		want        []string
	}{
		{"customers", "name", []string{"Active"}},
		{"customers?status=inactive", "name", []string{"Dormant"}},
		{"customers?status=all", "name", []string{"Active", "Dormant"}},
		{"build-assemblies?pendingStatus=pending", "refNumber", []string{"P"}},
		{"build-assemblies?pendingStatus=not_pending", "refNumber", []string{"D"}},
		{"build-assemblies?pendingStatus=all", "refNumber", []string{"P", "D"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, tt.field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.path, diff)
		}
	}
}

// TestExclusiveFiltersAreRefused: filters the spec's descriptions say
// QuickBooks takes only one of at a time are refused together.
func TestExclusiveFiltersAreRefused(t *testing.T) {
	srv := fixtureServer(t, nil)
	const one = ": QuickBooks takes only one of these filters at a time, as openapi.yaml says; give one of them."
	for path, want := range map[string]string{
		"customers?nameContains=a&nameStartsWith=b":                  "nameContains, nameStartsWith" + one,
		"invoices?refNumberEndsWith=1&refNumberContains=2":           "refNumberContains, refNumberEndsWith" + one,
		"customers?totalBalanceLessThan=1&totalBalanceGreaterThan=0": "totalBalanceGreaterThan, totalBalanceLessThan" + one,
		"item-sites?itemType=service&siteIds=S1":                     "itemType, siteIds" + one,
	} {
		r := send(t, srv, "GET", "/quickbooks-desktop/"+path, asEndUserA(srv), "")
		if env := decodeEnvelope(t, r); r.status != 400 || env.Error.Message != want {
			t.Errorf("%s: status %d, %q; want 400, %q", path, r.status, env.Error.Message, want)
		}
	}
	for _, ok := range []string{"customers?nameContains=a&nameFrom=b", "invoices?refNumberFrom=1&refNumberTo=2"} {
		if r := send(t, srv, "GET", "/quickbooks-desktop/"+ok, asEndUserA(srv), ""); r.status != 200 {
			t.Errorf("%s: status %d; want 200", ok, r.status)
		}
	}
}
