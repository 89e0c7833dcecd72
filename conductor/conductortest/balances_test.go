package conductortest_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestCustomerBalancesFromTheBooks: a customer's balance is what its open
// invoices leave to pay and its totalBalance that with its jobs', as
// every answer shows them (list, retrieve, create) and the totalBalance
// filters read them, computed from the books, so a payment or a new
// invoice changes them; through HTTP against the demo company.
func TestCustomerBalancesFromTheBooks(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	h := qbdHeader(srv, conductortest.DemoEndUserID)
	do := func(method, path, body string) map[string]any {
		t.Helper()
		return decodeObject(t, send(t, srv, method, "/quickbooks-desktop/"+path, h, body))
	}
	type balances struct{ Name, Balance, TotalBalance string }
	listBalances := func(path string) []balances {
		t.Helper()
		var out []balances
		for _, v := range do("GET", path, "")["data"].([]any) {
			c := v.(map[string]any)
			out = append(out, balances{c["fullName"].(string), fmt.Sprint(c["balance"]), fmt.Sprint(c["totalBalance"])})
		}
		return out
	}
	want := []balances{{"Acme Corporation", "699.00", "699.00"}, {"Globex", "849.00", "849.00"}, {"Initech", "999.00", "999.00"}}
	if diff := cmp.Diff(want, listBalances("customers?totalBalanceGreaterThan=0")); diff != "" {
		t.Errorf("customers owing, of the demo (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:2], listBalances("customers?totalBalance=849.00")); diff != "" {
		t.Errorf("totalBalance=849.00 (-want +got):\n%s", diff)
	}

	// Globex pays INV-1002 off: it owes nothing.
	do("POST", "receive-payments", `{"customerId":"80000002-1700000002","transactionDate":"2024-11-01","totalAmount":"849.00","applyToTransactions":[{"transactionId":"80000101-1700000101","paymentAmount":"849.00"}]}`)
	if diff := cmp.Diff([]balances{want[0], want[2]}, listBalances("customers?totalBalanceGreaterThan=0")); diff != "" {
		t.Errorf("customers owing once Globex paid (-want +got):\n%s", diff)
	}
	got := do("GET", "customers/80000002-1700000002", "")
	if diff := cmp.Diff(balances{"Globex", "0.00", "0.00"}, balances{got["fullName"].(string), fmt.Sprint(got["balance"]), fmt.Sprint(got["totalBalance"])}); diff != "" {
		t.Errorf("Globex retrieved (-want +got):\n%s", diff)
	}

	// A job of Acme's, and a job of that job, each invoiced: Acme's
	// balance stays its own, its totalBalance takes theirs.
	job := do("POST", "customers", fmt.Sprintf(`{"name":"Job Alpha","parentId":%q}`, demoCustomer))
	if diff := cmp.Diff(balances{"Acme Corporation:Job Alpha", "0.00", "0.00"}, balances{job["fullName"].(string), fmt.Sprint(job["balance"]), fmt.Sprint(job["totalBalance"])}); diff != "" {
		t.Errorf("the new job as created (-want +got):\n%s", diff)
	}
	phase := do("POST", "customers", fmt.Sprintf(`{"name":"Phase 1","parentId":%q}`, job["id"]))
	for customer, amount := range map[any]string{job["id"]: "100.00", phase["id"]: "20.50"} {
		do("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-02","lines":[{"itemId":%q,"quantity":1,"rate":%q}]}`, customer, demoItem, amount))
	}
	want = []balances{{"Acme Corporation", "699.00", "819.50"}, {"Initech", "999.00", "999.00"}, {"Acme Corporation:Job Alpha", "100.00", "120.50"}, {"Acme Corporation:Job Alpha:Phase 1", "20.50", "20.50"}}
	if diff := cmp.Diff(want, listBalances("customers?totalBalanceGreaterThan=0")); diff != "" {
		t.Errorf("customers owing with jobs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]balances{{"Globex", "0.00", "0.00"}, want[2], want[3]}, listBalances("customers?totalBalanceLessThan=200")); diff != "" {
		t.Errorf("totalBalanceLessThan=200 (-want +got):\n%s", diff)
	}
}

// TestVendorBalancesAndFixtures: a vendor's balance is what its open
// bills leave to pay, and a fixture's balance set by hand is replaced by
// the one computed from its books, so that no fixture can make a
// customer owe what no invoice says.
func TestVendorBalancesAndFixtures(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers":    {{"id": "C1", "name": "Hand-set", "balance": "5.00", "totalBalance": "5.00"}},
		"vendors":      {{"id": "V1", "name": "Initrode", "balance": "7.00"}, {"id": "V2", "name": "Paid up"}},
		"accounts":     {{"id": "A1", "name": "Rent", "accountType": "expense"}},
		"serviceItems": {{"id": "S1", "name": "Work"}},
		"bills": {
			{"refNumber": "B1", "vendorId": "V1", "transactionDate": "2024-10-01", "expenseLines": []any{map[string]any{"accountId": "A1", "amount": "300.00"}}},
			{"refNumber": "B2", "vendorId": "V1", "transactionDate": "2024-10-01", "openAmount": "25.00", "expenseLines": []any{map[string]any{"accountId": "A1", "amount": "50.00"}}},
			{"refNumber": "B3", "vendorId": "V2", "transactionDate": "2024-10-01", "openAmount": "0.00", "expenseLines": []any{map[string]any{"accountId": "A1", "amount": "50.00"}}},
		},
	})
	h := asEndUserA(srv)
	got := map[string]string{}
	for _, path := range []string{"customers/C1", "vendors/V1", "vendors/V2"} {
		v := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/"+path, h, ""))
		got[path] = fmt.Sprint(v["balance"], " ", v["totalBalance"])
	}
	want := map[string]string{"customers/C1": "0.00 0.00", "vendors/V1": "325.00 <nil>", "vendors/V2": "0.00 <nil>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("balance and totalBalance (-want +got):\n%s", diff)
	}
}

// TestCustomersOwingPagedWhileOnePays: a page of the customers owing
// counts those after it as the books are then: a customer who pays off
// between pages is neither listed nor counted.
func TestCustomersOwingPagedWhileOnePays(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	h := qbdHeader(srv, conductortest.DemoEndUserID)
	type pageOf struct {
		Names     []string
		Remaining float64
	}
	page := func(query string) (pageOf, string) {
		t.Helper()
		v := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/customers?"+query, h, ""))
		cursor, _ := v["nextCursor"].(string)
		return pageOf{fieldOfEach(v, "name"), v["remainingCount"].(float64)}, cursor
	}
	first, cursor := page("totalBalanceGreaterThan=0&limit=1")
	if diff := cmp.Diff(pageOf{[]string{"Acme Corporation"}, 2}, first); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}
	decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/receive-payments", h, `{"customerId":"80000002-1700000002","transactionDate":"2024-11-01","totalAmount":"849.00","applyToTransactions":[{"transactionId":"80000101-1700000101","paymentAmount":"849.00"}]}`))
	second, _ := page("limit=1&cursor=" + cursor)
	if diff := cmp.Diff(pageOf{[]string{"Initech"}, 0}, second); diff != "" {
		t.Errorf("the page after Globex paid (-want +got):\n%s", diff)
	}
}
