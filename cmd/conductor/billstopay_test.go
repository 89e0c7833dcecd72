package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestBillsToPayThroughTheCommand: what a user of another language sees
// of the fake's bills to pay, through the command against fixtures (the
// demo company has no bills): a vendor's open bills and vendor credits,
// not another vendor's nor a paid bill, what is left of a bill after a
// payment, and dueDate narrowing the bills (a credit has no due date).
func TestBillsToPayThroughTheCommand(t *testing.T) {
	t.Parallel()
	const eu = "end_usr_books"
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: eu, Connected: true, QBD: map[string][]map[string]any{
			"vendors":  {{"id": "V1", "name": "Acme"}, {"id": "V2", "name": "Globex"}},
			"accounts": {{"id": "AP", "name": "Accounts Payable"}, {"id": "BANK", "name": "Checking"}},
			"bills": {
				{"id": "B1", "vendorId": "V1", "payablesAccountId": "AP", "refNumber": "B-1", "transactionDate": "2024-09-01", "dueDate": "2024-10-01", "openAmount": "100.00"},
				{"id": "B2", "vendorId": "V1", "payablesAccountId": "AP", "refNumber": "B-2", "transactionDate": "2024-09-15", "dueDate": "2024-10-31", "openAmount": "250.00"},
				{"id": "B3", "vendorId": "V1", "payablesAccountId": "AP", "refNumber": "B-3", "transactionDate": "2024-08-01", "dueDate": "2024-09-01", "openAmount": "0.00"},
				{"id": "B9", "vendorId": "V2", "payablesAccountId": "AP", "refNumber": "G-9", "transactionDate": "2024-09-01", "dueDate": "2024-10-01", "openAmount": "50.00"},
			},
			"vendorCredits": {{"id": "VC1", "vendorId": "V1", "payablesAccountId": "AP", "refNumber": "VC-1", "transactionDate": "2024-09-20", "openAmount": "25.00"}},
		},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	vars := map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL}
	toPay := func(args ...string) []string {
		t.Helper()
		var out []string
		page := object(t, ok(t, vars, append([]string{"qbd", "bills-to-pay", "list", "--end-user-id", eu, "--vendor-id", "V1"}, args...)...))
		for _, x := range page["data"].([]any) {
			x := x.(map[string]any)
			if b, ok := x["bill"].(map[string]any); ok {
				out = append(out, "bill "+b["refNumber"].(string)+" "+b["amountDue"].(string))
			}
			if c, ok := x["credit"].(map[string]any); ok {
				out = append(out, "credit "+c["refNumber"].(string)+" "+c["creditRemaining"].(string))
			}
		}
		return out
	}
	if diff := cmp.Diff([]string{"bill B-1 100.00", "bill B-2 250.00", "credit VC-1 25.00"}, toPay()); diff != "" {
		t.Errorf("Acme's bills to pay (-want +got):\n%s", diff)
	}
	ok(t, vars, "qbd", "bill-check-payments", "create", "--end-user-id", eu, "--data",
		`{"vendorId": "V1", "bankAccountId": "BANK", "transactionDate": "2024-10-02", "applyToTransactions": [{"transactionId": "B1", "paymentAmount": "40.00"}]}`)
	if diff := cmp.Diff([]string{"bill B-1 60.00", "credit VC-1 25.00"}, toPay("--due-date", "2024-10-01")); diff != "" {
		t.Errorf("Acme's bills to pay due by 2024-10-01, after 40.00 paid on B-1 (-want +got):\n%s", diff)
	}
}
