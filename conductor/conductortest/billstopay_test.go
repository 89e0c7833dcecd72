package conductortest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// payablesBooks are a company's bills and vendor credits: Acme (V1) has
// two open bills (B-1 on A/P, B-2 on the second A/P account, in euros),
// one paid (B-3), a credit with credit left (VC-1) and one used up
// (VC-2); Globex (V2) one open bill and a credit.
var payablesBooks = map[string][]map[string]any{
	"vendors":    {{"id": "V1", "name": "Acme"}, {"id": "V2", "name": "Globex"}},
	"accounts":   {{"id": "AP1", "name": "Accounts Payable"}, {"id": "AP2", "name": "A/P EUR"}, {"id": "BANK", "name": "Checking"}},
	"currencies": {{"id": "EUR", "name": "Euro"}},
	"bills": {
		{"id": "B1", "vendorId": "V1", "payablesAccountId": "AP1", "refNumber": "B-1", "transactionDate": "2024-09-01", "dueDate": "2024-10-01", "amountDue": "100.00", "openAmount": "100.00"},
		{"id": "B2", "vendorId": "V1", "payablesAccountId": "AP2", "refNumber": "B-2", "transactionDate": "2024-09-15", "dueDate": "2024-10-31", "amountDue": "250.00", "openAmount": "250.00", "currencyId": "EUR", "exchangeRate": 1.1},
		{"id": "B3", "vendorId": "V1", "payablesAccountId": "AP1", "refNumber": "B-3", "transactionDate": "2024-08-01", "dueDate": "2024-09-01", "amountDue": "80.00", "openAmount": "0.00"},
		{"id": "B9", "vendorId": "V2", "payablesAccountId": "AP1", "refNumber": "G-9", "transactionDate": "2024-09-01", "dueDate": "2024-10-01", "amountDue": "50.00", "openAmount": "50.00"},
	},
	"vendorCredits": {
		{"id": "VC1", "vendorId": "V1", "payablesAccountId": "AP1", "refNumber": "VC-1", "transactionDate": "2024-09-20", "creditAmount": "40.00", "openAmount": "25.00"},
		{"id": "VC2", "vendorId": "V1", "payablesAccountId": "AP1", "refNumber": "VC-2", "transactionDate": "2024-09-21", "creditAmount": "30.00", "openAmount": "0.00"},
		{"id": "VC9", "vendorId": "V2", "payablesAccountId": "AP1", "refNumber": "GC-9", "transactionDate": "2024-09-22", "creditAmount": "5.00", "openAmount": "5.00"},
	},
}

// toPay is a bill to pay as a test compares it: bill or credit, its id,
// number, A/P account, due date (credits have none), what is left and
// that in the home currency.
type toPay struct {
	Branch, ID, Ref, Account, Due, Left, InHome string
}

func billsToPay(t *testing.T, c *conductor.Client, endUser string, p conductor.BillToPayListParams) []toPay {
	t.Helper()
	page, err := c.QBD.BillsToPay.List(testdeadline.Context(t), endUser, &p)
	if err != nil {
		t.Fatalf("bills to pay %+v: %v", p, err)
	}
	var out []toPay
	for _, x := range page.Data {
		switch {
		case x.Bill != nil && x.Credit == nil:
			b := x.Bill
			due := ""
			if b.DueDate != nil {
				due = b.DueDate.Format("2006-01-02")
			}
			out = append(out, toPay{"bill", b.BillID, deref(b.RefNumber), deref(b.PayablesAccount.ID), due, b.AmountDue, deref(b.AmountDueInHomeCurrency)})
			if b.TransactionType != "bill" {
				t.Errorf("bill %s: transactionType %q; want bill", b.BillID, b.TransactionType)
			}
		case x.Credit != nil && x.Bill == nil:
			cr := x.Credit
			out = append(out, toPay{"credit", cr.CreditTransactionID, deref(cr.RefNumber), deref(cr.PayablesAccount.ID), "", cr.CreditRemaining, deref(cr.CreditRemainingInHomeCurrency)})
			if cr.TransactionType != "vendor_credit" {
				t.Errorf("credit %s: transactionType %q; want vendor_credit", cr.CreditTransactionID, cr.TransactionType)
			}
		default:
			t.Errorf("a bill to pay with bill %v and credit %v; want exactly one", x.Bill, x.Credit)
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestBillsToPayAreReadOffTheBooks: the bills-to-pay list of a vendor is
// its bills with something left to pay and its vendor credits with credit
// left, not another vendor's; a payment applied to a bill shows at once
// as what is left; and dueDate, payablesAccountId and currencyIds narrow
// the list as QuickBooks does (credits, with no due date, stay).
func TestBillsToPayAreReadOffTheBooks(t *testing.T) {
	srv := fixtureServer(t, payablesBooks)
	c := client(t, srv)
	var (
		b1  = toPay{"bill", "B1", "B-1", "AP1", "2024-10-01", "100.00", ""}
		b2  = toPay{"bill", "B2", "B-2", "AP2", "2024-10-31", "250.00", "275.00"}
		vc1 = toPay{"credit", "VC1", "VC-1", "AP1", "", "25.00", ""}
	)
	acme := conductor.BillToPayListParams{VendorID: "V1"}
	if diff := cmp.Diff([]toPay{b1, b2, vc1}, billsToPay(t, c, "end_usr_a", acme)); diff != "" {
		t.Errorf("Acme's bills to pay (-want +got):\n%s", diff)
	}
	globex := conductor.BillToPayListParams{VendorID: "V2"}
	if diff := cmp.Diff([]toPay{{"bill", "B9", "G-9", "AP1", "2024-10-01", "50.00", ""}, {"credit", "VC9", "GC-9", "AP1", "", "5.00", ""}}, billsToPay(t, c, "end_usr_a", globex)); diff != "" {
		t.Errorf("Globex's bills to pay (-want +got):\n%s", diff)
	}
	if got := billsToPay(t, c, "end_usr_a", conductor.BillToPayListParams{VendorID: "V7"}); len(got) != 0 {
		t.Errorf("a vendor with no bills has bills to pay %v; want none", got)
	}

	// A bill partly paid shows what is left; one paid off leaves the list.
	ctx := testdeadline.Context(t)
	if _, err := c.QBD.BillCheckPayments.Create(ctx, "end_usr_a", conductor.BillCheckPaymentCreateParams{VendorID: "V1", BankAccountID: "BANK", TransactionDate: *date(t, "2024-10-02"),
		ApplyToTransactions: []conductor.BillCheckPaymentCreateParamsApplyToTransaction{{TransactionID: "B1", PaymentAmount: ptr("40.00")}}}); err != nil {
		t.Fatal(err)
	}
	b1.Left = "60.00"
	if diff := cmp.Diff([]toPay{b1, b2, vc1}, billsToPay(t, c, "end_usr_a", acme)); diff != "" {
		t.Errorf("Acme's bills to pay after 40.00 paid on B-1 (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name string
		p    conductor.BillToPayListParams
		want []toPay
	}{
		{"due by 2024-10-01", conductor.BillToPayListParams{VendorID: "V1", DueDate: date(t, "2024-10-01")}, []toPay{b1, vc1}},
		{"due by 2024-09-30", conductor.BillToPayListParams{VendorID: "V1", DueDate: date(t, "2024-09-30")}, []toPay{vc1}},
		{"due by 2024-10-31", conductor.BillToPayListParams{VendorID: "V1", DueDate: date(t, "2024-10-31")}, []toPay{b1, b2, vc1}},
		{"on AP2", conductor.BillToPayListParams{VendorID: "V1", PayablesAccountID: ptr("AP2")}, []toPay{b2}},
		{"on AP1, due by 2024-10-31", conductor.BillToPayListParams{VendorID: "V1", PayablesAccountID: ptr("AP1"), DueDate: date(t, "2024-10-31")}, []toPay{b1, vc1}},
		{"in euros", conductor.BillToPayListParams{VendorID: "V1", CurrencyIDs: []string{"EUR"}}, []toPay{b2}},
	} {
		if diff := cmp.Diff(tt.want, billsToPay(t, c, "end_usr_a", tt.p)); diff != "" {
			t.Errorf("Acme's bills to pay %s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestBillsToPayFixturesAreRefused: bills to pay are computed from the
// books, so fixtures giving them are refused with what to give instead,
// rather than kept and never shown.
func TestBillsToPayFixturesAreRefused(t *testing.T) {
	_, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", QBD: map[string][]map[string]any{"billsToPay": {{"bill": map[string]any{"billId": "B1"}}}}},
	}}})
	if err == nil || !strings.Contains(err.Error(), `qbd: "billsToPay" is computed from the books`) || !strings.Contains(err.Error(), "bills and vendorCredits") {
		t.Errorf("fixtures with billsToPay: error %v; want one saying they are computed from bills and vendorCredits", err)
	}
}
