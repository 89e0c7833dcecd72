package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFiltersThroughTheCommand: what a user of another language sees of
// the fake's list filters, through the command against the demo company:
// each filter narrows the list as QuickBooks would, a payment moves an
// invoice between payment statuses, lines are left out when asked, and a
// filter the fake cannot apply is refused, not ignored.
func TestFiltersThroughTheCommand(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	refNumbers := func(args ...string) []string {
		t.Helper()
		var out []string
		for _, inv := range lines(t, ok(t, vars, append([]string{"qbd", "invoices", "list", "--all", "--end-user-id", demo}, args...)...)) {
			out = append(out, inv["refNumber"].(string))
		}
		return out
	}
	const acme, globex = "80000001-1700000001", "80000002-1700000002"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no filter", nil, []string{"INV-1001", "INV-1002", "INV-1003"}},
		{"a customer", []string{"--customer-ids", globex}, []string{"INV-1002"}},
		{"two customers", []string{"--customer-ids", acme + "," + globex}, []string{"INV-1001", "INV-1002"}},
		{"a refNumber range", []string{"--ref-number-from", "INV-1002", "--ref-number-to", "INV-1003"}, []string{"INV-1002", "INV-1003"}},
		{"a refNumber suffix", []string{"--ref-number-ends-with", "03"}, []string{"INV-1003"}},
		{"refNumbers compare with case", []string{"--ref-number-contains", "inv"}, nil},
		{"a date range", []string{"--transaction-date-from", "2024-10-02", "--transaction-date-to", "2024-10-02"}, []string{"INV-1002"}},
		{"paid, before any payment", []string{"--payment-status", "paid"}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, refNumbers(tt.args...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	const inv1001 = "80000100-1700000100" // 699.00
	ok(t, vars, "qbd", "receive-payments", "create", "--end-user-id", demo, "--data",
		`{"customerId": "`+acme+`", "transactionDate": "2024-11-01", "totalAmount": "699.00", "applyToTransactions": [{"transactionId": "`+inv1001+`", "paymentAmount": "699.00"}]}`)
	if diff := cmp.Diff([]string{"INV-1001"}, refNumbers("--payment-status", "paid")); diff != "" {
		t.Errorf("paid, after INV-1001 is paid in full (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"INV-1002", "INV-1003"}, refNumbers("--payment-status", "not_paid")); diff != "" {
		t.Errorf("not paid, after INV-1001 is paid in full (-want +got):\n%s", diff)
	}

	for _, inv := range lines(t, ok(t, vars, "qbd", "invoices", "list", "--all", "--end-user-id", demo, "--include-line-items=false")) {
		if l, _ := inv["lines"].([]any); len(l) != 0 {
			t.Errorf("%v with --include-line-items=false has %d lines", inv["refNumber"], len(l))
		}
	}
	var names []string
	for _, c := range lines(t, ok(t, vars, "qbd", "customers", "list", "--all", "--end-user-id", demo, "--name-contains", "GLOB")) {
		names = append(names, c["name"].(string))
	}
	if diff := cmp.Diff([]string{"Globex"}, names); diff != "" {
		t.Errorf("customers whose name contains GLOB, names compared without case (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"qbd", "customers", "list", "--end-user-id", demo, "--name-contains", "a", "--name-starts-with", "A"}, "nameContains, nameStartsWith: QuickBooks takes only one of"},
		{[]string{"qbd", "transactions", "list", "--end-user-id", demo, "--posting-status", "posting"}, "postingStatus: the fake does not apply this filter"},
	} {
		r := runCmd(t, vars, tt.args...)
		if r.code != exitAPI || r.stdout != "" || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("conductor %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, exitAPI, tt.want)
		}
	}
}
