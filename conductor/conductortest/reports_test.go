package conductortest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// table is a report as lines a test can compare: a row's kind, then its
// text or its cells as columnId=value.
func table(t *testing.T, rep *conductor.Report) []string {
	t.Helper()
	var lines []string
	for _, r := range rep.Rows {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var row struct {
			Kind  string
			Text  *string
			Cells []struct {
				ColumnID string
				Value    *string
			}
		}
		if err := json.Unmarshal(data, &row); err != nil {
			t.Fatal(err)
		}
		parts := []string{row.Kind}
		if row.Text != nil {
			parts = append(parts, *row.Text)
		}
		for _, c := range row.Cells {
			v := "<nil>"
			if c.Value != nil {
				v = *c.Value
			}
			parts = append(parts, c.ColumnID+"="+v)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return lines
}

// fixedAt is a fake's clock fixed at the start of day (UTC).
func fixedAt(day string) func() time.Time {
	at, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return at.Add(9 * time.Hour) }
}

func date(t *testing.T, day string) *conductor.Date {
	t.Helper()
	at, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return &conductor.Date{Time: at}
}

func aging(t *testing.T, c *conductor.Client, endUser string, p conductor.ReportAgingParams) []string {
	t.Helper()
	rep, err := c.QBD.Reports.Aging(testdeadline.Context(t), endUser, &p)
	if err != nil {
		t.Fatalf("aging %s: %v", p.ReportType, err)
	}
	if rep.ReportType != p.ReportType || rep.Category != "aging" {
		t.Errorf("reportType %q category %q; want %q, aging", rep.ReportType, rep.Category, p.ReportType)
	}
	if rep.RowCount == nil || int(*rep.RowCount) != len(rep.Rows) || rep.ColumnCount == nil || int(*rep.ColumnCount) != len(rep.Columns) {
		t.Errorf("rowCount %v columnCount %v; want %d, %d", rep.RowCount, rep.ColumnCount, len(rep.Rows), len(rep.Columns))
	}
	return table(t, rep)
}

// The demo company's invoices (INV-1001 to 1003, dated 1 to 3 October
// 2024 without terms, so due then) are 699.00, 849.00 and 999.00.
var demoSummaryOnNov1 = []string{
	"data 1=Acme Corporation 2=0.00 3=0.00 4=699.00 5=0.00 6=0.00 7=699.00",
	"data 1=Globex 2=0.00 3=849.00 4=0.00 5=0.00 6=0.00 7=849.00",
	"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
	"total 1=TOTAL 2=0.00 3=1848.00 4=699.00 5=0.00 6=0.00 7=2547.00",
}

// TestARAgingOfTheDemoCompany: the demo company's unpaid invoices are in
// the A/R aging summary by days past due on the fake's today (31 days is
// 31 - 60, 30 is 1 - 30), a row per customer, and the totals add up.
func TestARAgingOfTheDemoCompany(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-01")})
	c := client(t, srv)
	got := aging(t, c, conductortest.DemoEndUserID, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary})
	if diff := cmp.Diff(demoSummaryOnNov1, got); diff != "" {
		t.Errorf("A/R aging summary (-want +got):\n%s", diff)
	}
}

// TestARAgingBucketsByDueDate: each invoice is in the bucket of its days
// past due at the report's end date (both bounds of each bucket), not yet
// due is current, an invoice without a due date is due on its date, one
// dated after the report date or paid is left out, and a partly paid one
// counts its balance remaining.
func TestARAgingBucketsByDueDate(t *testing.T) {
	inv := func(ref, date, due, balance string) map[string]any {
		v := map[string]any{"customerId": "C1", "refNumber": ref, "transactionDate": date, "totalAmount": "500.00", "balanceRemaining": balance}
		if due != "" {
			v["dueDate"] = due
		}
		return v
	}
	srv := newServer(t, conductortest.Options{Now: fixedAt("2025-06-01"), Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{
			"customers": {{"id": "C1", "name": "Globex"}},
			"invoices": {
				inv("D0", "2025-03-01", "2025-03-31", "10.00"),     // due on the report date: current
				inv("Dfuture", "2025-03-01", "2025-04-30", "1.00"), // not yet due
				inv("D1", "2025-03-01", "2025-03-30", "20.00"),
				inv("D30", "2025-02-01", "2025-03-01", "30.00"),
				inv("D31", "2025-02-01", "2025-02-28", "40.00"),
				inv("D60", "2025-01-01", "2025-01-30", "50.00"),
				inv("D61", "2025-01-01", "2025-01-29", "60.00"),
				inv("D90", "2024-12-01", "2024-12-31", "70.00"),
				inv("D91", "2024-12-01", "2024-12-30", "80.00"),
				inv("Dnone", "2025-03-21", "", "5.00"), // due on its date: 10 days
				inv("Later", "2025-04-01", "2025-04-01", "500.00"),
				{"customerId": "C1", "refNumber": "Paid", "transactionDate": "2025-03-01", "totalAmount": "500.00", "balanceRemaining": "0.00", "isPaid": true},
			},
		},
	}}}})
	c := client(t, srv)
	got := aging(t, c, "end_usr_a", conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingDetail, ReportDateTo: date(t, "2025-03-31")})
	row := func(ref, date, due, days, amount string) string {
		s := "data 2=Invoice 3=" + date + " 4=" + ref + " 5=Globex 6=" + due
		if days != "" {
			s += " 7=" + days
		}
		return s + " 8=" + amount
	}
	want := []string{
		"text Current",
		row("D0", "2025-03-01", "2025-03-31", "", "10.00"),
		row("Dfuture", "2025-03-01", "2025-04-30", "", "1.00"),
		"subtotal 1=Total Current 8=11.00",
		"text 1 - 30",
		row("D30", "2025-02-01", "2025-03-01", "30", "30.00"),
		row("Dnone", "2025-03-21", "2025-03-21", "10", "5.00"),
		row("D1", "2025-03-01", "2025-03-30", "1", "20.00"),
		"subtotal 1=Total 1 - 30 8=55.00",
		"text 31 - 60",
		row("D60", "2025-01-01", "2025-01-30", "60", "50.00"),
		row("D31", "2025-02-01", "2025-02-28", "31", "40.00"),
		"subtotal 1=Total 31 - 60 8=90.00",
		"text 61 - 90",
		row("D90", "2024-12-01", "2024-12-31", "90", "70.00"),
		row("D61", "2025-01-01", "2025-01-29", "61", "60.00"),
		"subtotal 1=Total 61 - 90 8=130.00",
		"text > 90",
		row("D91", "2024-12-01", "2024-12-30", "91", "80.00"),
		"subtotal 1=Total > 90 8=80.00",
		"total 1=TOTAL 8=366.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A/R aging detail as of 2025-03-31 (-want +got):\n%s", diff)
	}

	// The same books aged at the fake's today (2025-06-01), 62 days on,
	// and the invoice dated after 31 March is in: Dfuture is 32 days
	// past due, Later 61.
	got = aging(t, c, "end_usr_a", conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary})
	want = []string{
		"data 1=Globex 2=0.00 3=0.00 4=1.00 5=535.00 6=330.00 7=866.00",
		"total 1=TOTAL 2=0.00 3=0.00 4=1.00 5=535.00 6=330.00 7=866.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A/R aging summary as of today (-want +got):\n%s", diff)
	}
}

// TestARAgingFollowsTheBooks: voiding, deleting and paying an invoice
// (its balance remaining brought to zero) take it out of the report, and
// a new invoice comes in.
func TestARAgingFollowsTheBooks(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-01")})
	c := client(t, srv)
	ctx := testdeadline.Context(t)
	eu := conductortest.DemoEndUserID
	summary := func() []string {
		return aging(t, c, eu, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary})
	}
	invoice := func(ref string) conductor.Invoice {
		t.Helper()
		list, err := c.QBD.Invoices.List(ctx, eu, &conductor.InvoiceListParams{RefNumbers: []string{ref}})
		if err != nil || len(list.Data) != 1 {
			t.Fatalf("invoice %s: %+v, %v", ref, list, err)
		}
		return list.Data[0]
	}

	if _, err := c.QBD.Invoices.Void(ctx, eu, invoice("INV-1001").ID); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"data 1=Globex 2=0.00 3=849.00 4=0.00 5=0.00 6=0.00 7=849.00",
		"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
		"total 1=TOTAL 2=0.00 3=1848.00 4=0.00 5=0.00 6=0.00 7=1848.00",
	}
	if diff := cmp.Diff(want, summary()); diff != "" {
		t.Errorf("after voiding INV-1001 (-want +got):\n%s", diff)
	}

	if _, err := c.QBD.Invoices.Delete(ctx, eu, invoice("INV-1002").ID); err != nil {
		t.Fatal(err)
	}
	want = []string{
		"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
		"total 1=TOTAL 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
	}
	if diff := cmp.Diff(want, summary()); diff != "" {
		t.Errorf("after deleting INV-1002 (-want +got):\n%s", diff)
	}

	// A new invoice for Acme, due in ten days: current.
	ref := "INV-2001"
	due := date(t, "2024-11-11")
	rate := "100.00"
	qty := 2.0
	if _, err := c.QBD.Invoices.Create(ctx, eu, conductor.InvoiceCreateParams{
		CustomerID: "80000001-1700000001", RefNumber: &ref, TransactionDate: conductor.Date{Time: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)}, DueDate: due,
		Lines: []conductor.InvoiceCreateParamsLine{{ItemID: new("80000004-1700000004"), Rate: &rate, Quantity: &qty}},
	}); err != nil {
		t.Fatal(err)
	}
	want = []string{
		"data 1=Acme Corporation 2=200.00 3=0.00 4=0.00 5=0.00 6=0.00 7=200.00",
		"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
		"total 1=TOTAL 2=200.00 3=999.00 4=0.00 5=0.00 6=0.00 7=1199.00",
	}
	if diff := cmp.Diff(want, summary()); diff != "" {
		t.Errorf("after invoicing Acme (-want +got):\n%s", diff)
	}
}

// TestARAgingLeavesOutPaidInvoices: an invoice whose balance remaining is
// zero, or marked paid, is not in the aging; one partly paid is, for what
// remains.
func TestARAgingLeavesOutPaidInvoices(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers": {{"id": "C1", "name": "Globex"}},
		"invoices": {
			{"customerId": "C1", "refNumber": "Part", "transactionDate": "2024-10-01", "totalAmount": "500.00", "balanceRemaining": "120.00"},
			{"customerId": "C1", "refNumber": "Zero", "transactionDate": "2024-10-01", "totalAmount": "500.00", "balanceRemaining": "0.00"},
			{"customerId": "C1", "refNumber": "Paid", "transactionDate": "2024-10-01", "totalAmount": "500.00", "balanceRemaining": "0.00", "isPaid": true},
		},
	})
	c := client(t, srv)
	got := aging(t, c, "end_usr_a", conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingDetail, ReportDateTo: date(t, "2024-10-01")})
	want := []string{
		"text Current",
		"data 2=Invoice 3=2024-10-01 4=Part 5=Globex 6=2024-10-01 8=120.00",
		"subtotal 1=Total Current 8=120.00",
		"total 1=TOTAL 8=120.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A/R aging detail (-want +got):\n%s", diff)
	}
}

// apBooks are a vendor's bills: open, partly paid, paid; and a
// customer's invoice, which no A/P report shows.
var apBooks = map[string][]map[string]any{
	"vendors":   {{"id": "V1", "name": "Stationers"}, {"id": "V2", "name": "Acme Supply"}},
	"customers": {{"id": "C1", "name": "Globex"}},
	"accounts":  {{"id": "A1", "name": "Accounts Payable"}},
	"classes":   {{"id": "K1", "name": "East"}},
	"bills": {
		{"vendorId": "V1", "payablesAccountId": "A1", "refNumber": "B-1", "transactionDate": "2025-01-01", "dueDate": "2025-01-31", "amountDue": "300.00", "openAmount": "300.00"},
		{"vendorId": "V2", "expenseLines": []any{map[string]any{"amount": "80.00", "classId": "K1"}}, "refNumber": "B-2", "transactionDate": "2025-02-20", "dueDate": "2025-03-05", "amountDue": "80.00", "openAmount": "25.50"},
		{"vendorId": "V2", "refNumber": "B-3", "transactionDate": "2025-02-01", "dueDate": "2025-02-05", "amountDue": "90.00", "openAmount": "0.00", "isPaid": true},
	},
	"invoices": {{"customerId": "C1", "transactionDate": "2025-01-01", "balanceRemaining": "700.00"}},
}

// TestAPAgingFromBills: the A/P aging reports are the open bills, by
// vendor and days past due.
func TestAPAgingFromBills(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	c := client(t, srv)
	asOf := date(t, "2025-03-15")
	got := aging(t, c, "end_usr_a", conductor.ReportAgingParams{ReportType: conductor.ReportTypeApAgingSummary, ReportDateTo: asOf})
	want := []string{
		"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		"total 1=TOTAL 2=0.00 3=25.50 4=300.00 5=0.00 6=0.00 7=325.50",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A/P aging summary (-want +got):\n%s", diff)
	}
	got = aging(t, c, "end_usr_a", conductor.ReportAgingParams{ReportType: conductor.ReportTypeApAgingDetail, ReportDateTo: asOf})
	want = []string{
		"text 1 - 30",
		"data 2=Bill 3=2025-02-20 4=B-2 5=Acme Supply 6=2025-03-05 7=10 8=25.50",
		"subtotal 1=Total 1 - 30 8=25.50",
		"text 31 - 60",
		"data 2=Bill 3=2025-01-01 4=B-1 5=Stationers 6=2025-01-31 7=43 8=300.00",
		"subtotal 1=Total 31 - 60 8=300.00",
		"total 1=TOTAL 8=325.50",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A/P aging detail (-want +got):\n%s", diff)
	}
}

// TestAgingFilters: the entity, transaction type and detail level
// parameters narrow the report as QuickBooks narrows it; a filter the
// fake does not apply, or two of a group the spec allows one of, is
// refused with a message naming it.
func TestAgingFilters(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	c := client(t, srv)
	asOf := date(t, "2025-03-15")
	summary := conductor.DetailLevelSummaryOnly
	noSummary := conductor.DetailLevelAllExceptSummary
	customers := conductor.EntityTypeCustomer
	nonPosting := conductor.PostingStatusNonPosting
	nextYear := conductor.ReportDateMacroNextYear
	tests := []struct {
		name string
		p    conductor.ReportAgingParams
		want []string
	}{
		{"entityFullNames, any case", conductor.ReportAgingParams{EntityFullNames: []string{"stationers"}}, []string{
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		}},
		{"entityIds", conductor.ReportAgingParams{EntityIDs: []string{"V2"}}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"total 1=TOTAL 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		}},
		{"entityType customer", conductor.ReportAgingParams{EntityType: &customers}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"transactionTypes invoice", conductor.ReportAgingParams{TransactionTypes: []conductor.ReportTransactionType{"invoice"}}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"transactionTypes bill", conductor.ReportAgingParams{TransactionTypes: []conductor.ReportTransactionType{"check", "bill"}}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=25.50 4=300.00 5=0.00 6=0.00 7=325.50",
		}},
		{"accountIds", conductor.ReportAgingParams{AccountIDs: []string{"A1"}}, []string{
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		}},
		{"classFullNames, any case", conductor.ReportAgingParams{ClassFullNames: []string{"east"}}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"total 1=TOTAL 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		}},
		{"reportDateFrom: rows dated on or after it", conductor.ReportAgingParams{ReportDateFrom: date(t, "2025-01-02")}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"total 1=TOTAL 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		}},
		{"reportDateFrom on a row's date", conductor.ReportAgingParams{ReportDateFrom: date(t, "2025-01-01")}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=25.50 4=300.00 5=0.00 6=0.00 7=325.50",
		}},
		{"accountFullNames", conductor.ReportAgingParams{AccountFullNames: []string{"ACCOUNTS PAYABLE"}}, []string{
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		}},
		{"classIds", conductor.ReportAgingParams{ClassIDs: []string{"K1"}}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"total 1=TOTAL 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		}},
		{"postingStatus non_posting", conductor.ReportAgingParams{PostingStatus: &nonPosting}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"updatedBefore, before the books were written", conductor.ReportAgingParams{UpdatedBefore: date(t, "2001-01-01")}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"updatedAfter, after the books were written", conductor.ReportAgingParams{UpdatedAfter: date(t, "2100-01-01")}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"updatedDateMacro next_year", conductor.ReportAgingParams{UpdatedDateMacro: &nextYear}, []string{
			"total 1=TOTAL 2=0.00 3=0.00 4=0.00 5=0.00 6=0.00 7=0.00",
		}},
		{"all except summary", conductor.ReportAgingParams{DetailLevel: &noSummary}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		}},
		{"summary only", conductor.ReportAgingParams{DetailLevel: &summary}, []string{
			"total 1=TOTAL 2=0.00 3=25.50 4=300.00 5=0.00 6=0.00 7=325.50",
		}},
	}
	for _, tt := range tests {
		tt.p.ReportType, tt.p.ReportDateTo = conductor.ReportTypeApAgingSummary, asOf
		if diff := cmp.Diff(tt.want, aging(t, c, "end_usr_a", tt.p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	ctx := testdeadline.Context(t)
	for _, tt := range []struct {
		p    conductor.ReportAgingParams
		want string
	}{
		{conductor.ReportAgingParams{ItemIDs: []string{"I1"}}, "itemIds: the fake does not apply this filter"},
		// Which accounts a report lists changes no aging row (they are
		// per customer or vendor): refused, not accepted and ignored.
		{conductor.ReportAgingParams{AccountsToInclude: new(conductor.AccountsToIncludeAll)}, "accountsToInclude: the fake does not apply this filter"},
		{conductor.ReportAgingParams{EntityIDs: []string{"V1"}, EntityFullNames: []string{"Stationers"}}, "entityIds, entityFullNames: QuickBooks takes only one of these filters at a time"},
	} {
		tt.p.ReportType = conductor.ReportTypeApAgingSummary
		_, err := c.QBD.Reports.Aging(ctx, "end_usr_a", &tt.p)
		var e *conductor.Error
		if !errors.As(err, &e) || e.StatusCode != 400 || !strings.Contains(e.Message, tt.want) {
			t.Errorf("%+v: %v; want a 400 saying %q", tt.p, err, tt.want)
		}
	}
}

// TestReportOneOfGroups: two parameters of a group the spec says to
// choose one of ("Choose only one account filter per request",
// "Choose either `reportDateMacro` or `reportDateFrom`/`reportDateTo`")
// are refused together, read from the spec's words; the two joined by a
// slash go together.
func TestReportOneOfGroups(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	for _, tt := range []struct {
		query   string
		refused bool
	}{
		{"reportDateMacro=this_week&reportDateFrom=2025-01-01", true},
		{"reportDateMacro=this_week&reportDateTo=2025-01-31", true},
		{"reportDateFrom=2025-01-01&reportDateTo=2025-01-31", false},
		{"updatedDateMacro=today&updatedAfter=2025-01-01", true},
		{"updatedDateMacro=today&updatedBefore=2025-01-31", true},
		{"updatedAfter=2025-01-01&updatedBefore=2025-01-31", false},
		{"accountType=accounts_payable&accountIds=A1", true},
		{"accountIds=A1&accountFullNames=Payables", true},
		{"entityType=vendor&entityFullNames=Stationers", true},
		{"itemType=discount&itemIds=I1", true},
		{"itemIds=I1&itemFullNames=Consulting", true},
		{"classIds=K1&classFullNames=Sales", true},
	} {
		r := send(t, srv, "GET", "/quickbooks-desktop/reports/aging?reportType=ap_aging_summary&"+tt.query, asEndUserA(srv), "")
		var env struct{ Error struct{ Message string } }
		json.Unmarshal(r.body, &env)
		refused := r.status == http.StatusBadRequest && strings.Contains(env.Error.Message, "QuickBooks takes only one of these filters at a time")
		if refused != tt.refused {
			t.Errorf("%s: status %d, %s; want refused as one of a group: %v", tt.query, r.status, r.body, tt.refused)
		}
	}
}

// TestBalanceSummaries: the customer and vendor balance summaries are
// what each customer owes and each vendor is owed, from the same open
// invoices and bills.
func TestBalanceSummaries(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	c := client(t, srv)
	ctx := testdeadline.Context(t)
	var got [][]string
	for _, rt := range []conductor.ReportType{conductor.ReportTypeCustomerBalanceSummary, conductor.ReportTypeVendorBalanceSummary} {
		rep, err := c.QBD.Reports.GeneralSummary(ctx, "end_usr_a", &conductor.ReportGeneralSummaryParams{ReportType: rt, ReportDateTo: date(t, "2025-03-15")})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Category != "general_summary" || rep.Basis == nil || *rep.Basis != "accrual" {
			t.Errorf("%s: category %q basis %v; want general_summary, accrual", rt, rep.Category, rep.Basis)
		}
		got = append(got, table(t, rep))
	}
	want := [][]string{
		{"data 1=Globex 2=700.00", "total 1=TOTAL 2=700.00"},
		{"data 1=Acme Supply 2=25.50", "data 1=Stationers 2=300.00", "total 1=TOTAL 2=325.50"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("balance summaries (-want +got):\n%s", diff)
	}
}

// TestOtherReportsAreEmpty: a report the fake does not compute is its
// kind and category, with no rows.
func TestOtherReportsAreEmpty(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	c := client(t, srv)
	rep, err := c.QBD.Reports.GeneralSummary(testdeadline.Context(t), "end_usr_a", &conductor.ReportGeneralSummaryParams{ReportType: conductor.ReportTypeTrialBalance})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %d", rep.ReportType, rep.Category, len(rep.Rows))
	if diff := cmp.Diff("trial_balance general_summary 0", got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAgingAsOf: the report's period ends at reportDateTo or where its
// macro says (weeks from Sunday, months and years from the 1st); the
// aging is at that end, or at today with agingAsOf=today.
func TestAgingAsOf(t *testing.T) {
	// apBooks, and a bill dated and due on the 1st of March.
	books := maps.Clone(apBooks)
	books["bills"] = append(slices.Clone(books["bills"]), map[string]any{"vendorId": "V1", "refNumber": "B-4", "transactionDate": "2025-03-01", "dueDate": "2025-03-01", "openAmount": "5.00"})
	srv := newServer(t, conductortest.Options{Now: fixedAt("2025-03-15"), Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", Connected: true, QBD: books},
	}}})
	c := client(t, srv)
	lastMonth := conductor.ReportDateMacroLastMonth
	today := conductor.OpenBalanceAsOfToday
	tests := []struct {
		name string
		p    conductor.ReportAgingParams
		want []string
	}{
		{"today by default", conductor.ReportAgingParams{}, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"data 1=Stationers 2=0.00 3=5.00 4=300.00 5=0.00 6=0.00 7=305.00",
			"total 1=TOTAL 2=0.00 3=30.50 4=300.00 5=0.00 6=0.00 7=330.50",
		}},
		// The macro names the period, as reportDateFrom and reportDateTo
		// would: B-1, dated 1 January, is before it.
		{"last_month: dated in February, as of 28 February", conductor.ReportAgingParams{ReportDateMacro: &lastMonth}, []string{
			"data 1=Acme Supply 2=25.50 3=0.00 4=0.00 5=0.00 6=0.00 7=25.50",
			"total 1=TOTAL 2=25.50 3=0.00 4=0.00 5=0.00 6=0.00 7=25.50",
		}},
		{"as of 19 February", conductor.ReportAgingParams{ReportDateTo: date(t, "2025-02-19")}, []string{
			"data 1=Stationers 2=0.00 3=300.00 4=0.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=300.00 4=0.00 5=0.00 6=0.00 7=300.00",
		}},
		{"as of 19 February, aged today", conductor.ReportAgingParams{ReportDateTo: date(t, "2025-02-19"), AgingAsOf: &today}, []string{
			"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
			"total 1=TOTAL 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		}},
	}
	for _, tt := range tests {
		tt.p.ReportType = conductor.ReportTypeApAgingSummary
		if diff := cmp.Diff(tt.want, aging(t, c, "end_usr_a", tt.p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestARAgingAfterAPayment: a payment received and applied to an invoice
// in full takes it out of the aging; one applied in part leaves what
// remains. The report reads the invoice's balanceRemaining, which the
// payment lowers.
func TestARAgingAfterAPayment(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-01")})
	c := client(t, srv)
	ctx := testdeadline.Context(t)
	eu := conductortest.DemoEndUserID
	pay := func(customer, ref, amount string) {
		t.Helper()
		list, err := c.QBD.Invoices.List(ctx, eu, &conductor.InvoiceListParams{RefNumbers: []string{ref}})
		if err != nil || len(list.Data) != 1 {
			t.Fatalf("invoice %s: %+v, %v", ref, list, err)
		}
		if _, err := c.QBD.ReceivePayments.Create(ctx, eu, conductor.ReceivePaymentCreateParams{
			CustomerID: customer, TotalAmount: amount, TransactionDate: conductor.Date{Time: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)},
			ApplyToTransactions: []conductor.ReceivePaymentCreateParamsApplyToTransaction{{TransactionID: list.Data[0].ID, PaymentAmount: &amount}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	pay("80000001-1700000001", "INV-1001", "699.00")
	pay("80000002-1700000002", "INV-1002", "800.00")
	want := []string{
		"data 1=Globex 2=0.00 3=49.00 4=0.00 5=0.00 6=0.00 7=49.00",
		"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
		"total 1=TOTAL 2=0.00 3=1048.00 4=0.00 5=0.00 6=0.00 7=1048.00",
	}
	got := aging(t, c, eu, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after payments (-want +got):\n%s", diff)
	}
}

// TestAgingPostingStatus: a pending (draft) invoice or bill posts to no
// register, so an aging report leaves it out unless asked for
// non-posting rows (then it has only those) or either.
func TestAgingPostingStatus(t *testing.T) {
	books := maps.Clone(apBooks)
	books["bills"] = append(slices.Clone(books["bills"]), map[string]any{"vendorId": "V1", "refNumber": "Draft", "transactionDate": "2025-03-01", "dueDate": "2025-03-01", "openAmount": "7.00", "isPending": true})
	srv := fixtureServer(t, books)
	c := client(t, srv)
	posted := []string{
		"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
		"data 1=Stationers 2=0.00 3=0.00 4=300.00 5=0.00 6=0.00 7=300.00",
		"total 1=TOTAL 2=0.00 3=25.50 4=300.00 5=0.00 6=0.00 7=325.50",
	}
	for _, tt := range []struct {
		status conductor.PostingStatus
		want   []string
	}{
		{"", posted},
		{conductor.PostingStatusPosting, posted},
		{conductor.PostingStatusNonPosting, []string{
			"data 1=Stationers 2=0.00 3=7.00 4=0.00 5=0.00 6=0.00 7=7.00",
			"total 1=TOTAL 2=0.00 3=7.00 4=0.00 5=0.00 6=0.00 7=7.00",
		}},
		{conductor.PostingStatusEither, []string{
			"data 1=Acme Supply 2=0.00 3=25.50 4=0.00 5=0.00 6=0.00 7=25.50",
			"data 1=Stationers 2=0.00 3=7.00 4=300.00 5=0.00 6=0.00 7=307.00",
			"total 1=TOTAL 2=0.00 3=32.50 4=300.00 5=0.00 6=0.00 7=332.50",
		}},
	} {
		p := conductor.ReportAgingParams{ReportType: conductor.ReportTypeApAgingSummary, ReportDateTo: date(t, "2025-03-15")}
		if tt.status != "" {
			p.PostingStatus = &tt.status
		}
		if diff := cmp.Diff(tt.want, aging(t, c, "end_usr_a", p)); diff != "" {
			t.Errorf("postingStatus %q (-want +got):\n%s", tt.status, diff)
		}
	}
}

// TestARAgingPendingInvoiceCreated: an invoice created pending is not in
// the A/R aging until asked for non-posting rows.
func TestARAgingPendingInvoiceCreated(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-01")})
	c := client(t, srv)
	eu := conductortest.DemoEndUserID
	rate, qty, pending := "1000.00", 1.0, true
	if _, err := c.QBD.Invoices.Create(testdeadline.Context(t), eu, conductor.InvoiceCreateParams{
		CustomerID: "80000001-1700000001", TransactionDate: conductor.Date{Time: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)}, IsPending: &pending,
		Lines: []conductor.InvoiceCreateParamsLine{{ItemID: new("80000004-1700000004"), Rate: &rate, Quantity: &qty}},
	}); err != nil {
		t.Fatal(err)
	}
	got := aging(t, c, eu, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary})
	if diff := cmp.Diff(demoSummaryOnNov1, got); diff != "" {
		t.Errorf("with a pending invoice (-want +got):\n%s", diff)
	}
	nonPosting := conductor.PostingStatusNonPosting
	got = aging(t, c, eu, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary, PostingStatus: &nonPosting})
	want := []string{
		"data 1=Acme Corporation 2=1000.00 3=0.00 4=0.00 5=0.00 6=0.00 7=1000.00",
		"total 1=TOTAL 2=1000.00 3=0.00 4=0.00 5=0.00 6=0.00 7=1000.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("non-posting rows (-want +got):\n%s", diff)
	}
}

// TestAgingReportDates: reportDateFrom leaves out rows dated before it;
// reportDateTo=0001-01-01 is a date (nothing is dated by then), not "no
// date given".
func TestAgingReportDates(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-01")})
	c := client(t, srv)
	eu := conductortest.DemoEndUserID
	for _, tt := range []struct {
		name string
		p    conductor.ReportAgingParams
		want []string
	}{
		{"from 2 October: INV-1001 is dated the 1st", conductor.ReportAgingParams{ReportDateFrom: date(t, "2024-10-02")}, demoSummaryOnNov1[1:3:3]},
		{"to 0001-01-01", conductor.ReportAgingParams{ReportDateTo: date(t, "0001-01-01")}, []string{}},
		{"from 0001-01-01", conductor.ReportAgingParams{ReportDateFrom: date(t, "0001-01-01")}, demoSummaryOnNov1[:3:3]},
	} {
		tt.p.ReportType = conductor.ReportTypeArAgingSummary
		got := aging(t, c, eu, tt.p)
		if len(got) > 0 {
			got = got[:len(got)-1] // the total row
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestAgingAsOfAPastDateCountsPaymentsMadeByThen: an aging report as of
// a past date leaves out only what was paid by that date: a payment dated
// 1 November takes INV-1001 out of the report as of 1 November, not of
// the one as of 31 October, as QuickBooks ages a past date.
func TestAgingAsOfAPastDateCountsPaymentsMadeByThen(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true, Now: fixedAt("2024-11-02")})
	c := client(t, srv)
	eu := conductortest.DemoEndUserID
	amount := "699.00"
	if _, err := c.QBD.ReceivePayments.Create(testdeadline.Context(t), eu, conductor.ReceivePaymentCreateParams{
		CustomerID: "80000001-1700000001", TotalAmount: amount, TransactionDate: conductor.Date{Time: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)},
		ApplyToTransactions: []conductor.ReceivePaymentCreateParamsApplyToTransaction{{TransactionID: demoInvoice, PaymentAmount: &amount}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		asOf string
		want []string
	}{
		{"2024-10-31", []string{
			"data 1=Acme Corporation 2=0.00 3=699.00 4=0.00 5=0.00 6=0.00 7=699.00",
			"data 1=Globex 2=0.00 3=849.00 4=0.00 5=0.00 6=0.00 7=849.00",
			"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
			"total 1=TOTAL 2=0.00 3=2547.00 4=0.00 5=0.00 6=0.00 7=2547.00",
		}},
		{"2024-11-01", []string{
			"data 1=Globex 2=0.00 3=849.00 4=0.00 5=0.00 6=0.00 7=849.00",
			"data 1=Initech 2=0.00 3=999.00 4=0.00 5=0.00 6=0.00 7=999.00",
			"total 1=TOTAL 2=0.00 3=1848.00 4=0.00 5=0.00 6=0.00 7=1848.00",
		}},
	} {
		got := aging(t, c, eu, conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary, ReportDateTo: date(t, tt.asOf)})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("as of %s, after a payment of 1 November (-want +got):\n%s", tt.asOf, diff)
		}
	}
}

// TestBalanceSummaryBasis: basis is the report's basis, accrual when
// none is given or none (QuickBooks' default); the amounts owed are the
// same on either basis.
func TestBalanceSummaryBasis(t *testing.T) {
	srv := fixtureServer(t, apBooks)
	c := client(t, srv)
	var got []string
	for _, basis := range []conductor.Basis{"", "none", "accrual", "cash"} {
		p := conductor.ReportGeneralSummaryParams{ReportType: conductor.ReportTypeCustomerBalanceSummary, ReportDateTo: date(t, "2025-03-15")}
		if basis != "" {
			p.Basis = &basis
		}
		rep, err := c.QBD.Reports.GeneralSummary(testdeadline.Context(t), "end_usr_a", &p)
		if err != nil {
			t.Fatal(err)
		}
		var b any = rep.Basis
		if rep.Basis != nil {
			b = *rep.Basis
		}
		got = append(got, fmt.Sprintf("%q: %v %v", basis, b, table(t, rep)))
	}
	want := []string{
		`"": accrual [data 1=Globex 2=700.00 total 1=TOTAL 2=700.00]`,
		`"none": accrual [data 1=Globex 2=700.00 total 1=TOTAL 2=700.00]`,
		`"accrual": accrual [data 1=Globex 2=700.00 total 1=TOTAL 2=700.00]`,
		`"cash": cash [data 1=Globex 2=700.00 total 1=TOTAL 2=700.00]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
