package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReferencesAndPaymentsThroughTheCommand: what a user of another
// language sees of the fake's reference rules through the command: an
// invoice naming a customer the demo company does not have is refused
// with QuickBooks' error (the command prints no integrationCode), and a
// payment applied to the demo's invoice lowers its balance.
func TestReferencesAndPaymentsThroughTheCommand(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	r := runCmd(t, vars, "qbd", "invoices", "create", "--end-user-id", demo, "--data", `{"customerId": "80000999-1700000999", "transactionDate": "2024-11-01"}`)
	for _, want := range []string{"type:       INTEGRATION_ERROR", "code:       QBD_REQUEST_ERROR", `There is an invalid reference to QuickBooks Customer "80000999-1700000999" in the Invoice (customerId)`} {
		if r.code != exitAPI || r.stdout != "" || !strings.Contains(r.stderr, want) {
			t.Errorf("an invoice for a missing customer: exit %d, stdout %q, stderr %q; want %d and %q", r.code, r.stdout, r.stderr, exitAPI, want)
		}
	}

	const invoice = "80000100-1700000100" // INV-1001, 699.00
	ok(t, vars, "qbd", "receive-payments", "create", "--end-user-id", demo, "--data",
		`{"customerId": "80000001-1700000001", "transactionDate": "2024-11-01", "totalAmount": "200.00", "applyToTransactions": [{"transactionId": "`+invoice+`", "paymentAmount": "200.00"}]}`)
	got := object(t, ok(t, vars, "qbd", "invoices", "retrieve", "--id", invoice, "--end-user-id", demo))
	if diff := cmp.Diff(map[string]any{"balanceRemaining": "499.00", "isPaid": false}, map[string]any{"balanceRemaining": got["balanceRemaining"], "isPaid": got["isPaid"]}); diff != "" {
		t.Errorf("the invoice after a payment of 200.00 (-want +got):\n%s", diff)
	}
}
