package conductortest_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// createTransaction creates a transaction of resource (invoices,
// estimates) with refNumber for endUser and returns it.
func createTransaction(t *testing.T, srv *conductortest.Server, endUser, resource, refNumber string) map[string]any {
	t.Helper()
	body := fmt.Sprintf(`{"customerId":"80000001-1","transactionDate":"2024-10-01","refNumber":%q}`, refNumber)
	return decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/"+resource, qbdHeader(srv, endUser), body))
}

func deleteTransaction(t *testing.T, srv *conductortest.Server, endUser, resource, id string) {
	t.Helper()
	decodeObject(t, send(t, srv, "DELETE", "/quickbooks-desktop/"+resource+"/"+id, qbdHeader(srv, endUser), ""))
}

// deletedData is the data of a deleted-* list for end_usr_a.
func deletedData(t *testing.T, srv *conductortest.Server, pathAndQuery string) []any {
	t.Helper()
	page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/"+pathAndQuery, asEndUserA(srv), ""))
	data, _ := page["data"].([]any)
	return data
}

// TestDeletedTransactionsAreListed: a deleted transaction is listed by
// deleted-transactions as the spec's schema shows it, deletedAt on the
// end-user's clock, grouped by type and by when deleted, filtered by
// type and by deletedAfter and deletedBefore (without an offset, in the
// end-user's zone), to its end-user only, for 90 days of the fake's time.
func TestDeletedTransactionsAreListed(t *testing.T) {
	srv := clockServer(t,
		conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "America/Los_Angeles", ClockSkew: "-3h"},
		conductortest.FixtureEndUser{ID: "end_usr_b"})
	inv1 := createTransaction(t, srv, "end_usr_a", "invoices", "INV-1") // 02:34:56-07:00
	srv.Advance(time.Hour)
	deleteTransaction(t, srv, "end_usr_a", "invoices", inv1["id"].(string)) // 03:34:56-07:00
	est := createTransaction(t, srv, "end_usr_a", "estimates", "EST-1")
	srv.Advance(time.Hour)
	inv2 := createTransaction(t, srv, "end_usr_a", "invoices", "INV-2")
	deleteTransaction(t, srv, "end_usr_a", "invoices", inv2["id"].(string)) // 04:34:56-07:00
	deleteTransaction(t, srv, "end_usr_a", "estimates", est["id"].(string))
	kept := createTransaction(t, srv, "end_usr_a", "invoices", "INV-3")
	other := createTransaction(t, srv, "end_usr_b", "invoices", "INV-B")
	deleteTransaction(t, srv, "end_usr_b", "invoices", other["id"].(string))

	record := func(v map[string]any, typ, deletedAt string) map[string]any {
		return map[string]any{"id": v["id"], "objectType": "qbd_deleted_transaction", "transactionType": typ,
			"createdAt": v["createdAt"], "deletedAt": deletedAt, "refNumber": v["refNumber"]}
	}
	r1 := record(inv1, "invoice", "2024-10-01T03:34:56-07:00")
	r2 := record(inv2, "invoice", "2024-10-01T04:34:56-07:00")
	re := record(est, "estimate", "2024-10-01T04:34:56-07:00")
	tests := []struct {
		query string
		want  []any
	}{
		{"transactionTypes=invoice", []any{r1, r2}},
		{"transactionTypes=invoice&transactionTypes=estimate", []any{re, r1, r2}},
		{"transactionTypes=check", []any{}},
		{"transactionTypes=invoice&deletedAfter=2024-10-01T04:00:00", []any{r2}},
		{"transactionTypes=invoice&deletedAfter=2024-10-01T04:00:00Z", []any{r1, r2}},
		{"transactionTypes=invoice&deletedBefore=2024-10-01T03:34:56", []any{r1}},
		{"transactionTypes=invoice&deletedAfter=2024-10-01&deletedBefore=2024-10-01", []any{r1, r2}},
		{"transactionTypes=invoice&deletedBefore=2024-09-30", []any{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, deletedData(t, srv, "deleted-transactions?"+tt.query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
	if got := listed(t, srv, "/quickbooks-desktop/invoices", "refNumber"); !cmp.Equal(got, []string{kept["refNumber"].(string)}) {
		t.Errorf("invoices listed after the deletes: %v; want only %v", got, kept["refNumber"])
	}

	// INV-1 was deleted an hour before INV-2 and the estimate.
	srv.Advance(90*24*time.Hour - 30*time.Minute)
	if diff := cmp.Diff([]any{re, r2}, deletedData(t, srv, "deleted-transactions?transactionTypes=invoice&transactionTypes=estimate")); diff != "" {
		t.Errorf("90 days and 30 minutes after INV-1's deletion (-want +got):\n%s", diff)
	}
	srv.Advance(time.Hour)
	if diff := cmp.Diff([]any{}, deletedData(t, srv, "deleted-transactions?transactionTypes=invoice&transactionTypes=estimate")); diff != "" {
		t.Errorf("more than 90 days after every deletion (-want +got):\n%s", diff)
	}
}

// TestDeletedListObjectsAreListed: an object the end-user deletes in
// QuickBooks (DeleteInQuickBooks), such as a customer or a service item,
// is listed by deleted-list-objects with its listType and fullName.
func TestDeletedListObjectsAreListed(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "Europe/Paris"})
	customer := createCustomer(t, srv, "end_usr_a", "Acme")
	item := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/service-items", asEndUserA(srv), `{"name":"Consulting"}`))
	srv.Advance(time.Minute)
	for _, d := range []struct{ resource, id string }{{"customers", customer["id"].(string)}, {"serviceItems", item["id"].(string)}} {
		if err := srv.DeleteInQuickBooks("end_usr_a", d.resource, d.id); err != nil {
			t.Fatalf("DeleteInQuickBooks(%s): %v", d.resource, err)
		}
	}
	record := func(v map[string]any, typ string) map[string]any {
		return map[string]any{"id": v["id"], "objectType": "qbd_deleted_list_object", "listType": typ,
			"createdAt": v["createdAt"], "deletedAt": "2024-10-01T14:35:56+02:00", "fullName": v["fullName"]}
	}
	want := []any{record(customer, "customer"), record(item, "item_service")}
	if diff := cmp.Diff(want, deletedData(t, srv, "deleted-list-objects?objectTypes=item_service&objectTypes=customer")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := listed(t, srv, "/quickbooks-desktop/customers", "name"); !cmp.Equal(got, []string{"A", "B", "C"}) {
		t.Errorf("customers after deleting Acme: %v; want [A B C]", got)
	}
	for _, bad := range []struct{ endUser, resource, id, want string }{
		{"end_usr_zz", "customers", "x", `no end-user "end_usr_zz"`},
		{"end_usr_a", "customer", "x", `"customer" is not a QuickBooks Desktop resource`},
		{"end_usr_a", "customers", customer["id"].(string), "has no customers with the id"},
	} {
		if err := srv.DeleteInQuickBooks(bad.endUser, bad.resource, bad.id); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("DeleteInQuickBooks(%q, %q, %q): %v; want an error saying %s", bad.endUser, bad.resource, bad.id, err, bad.want)
		}
	}
}

// TestDeletedListsNeedTheirTypes: the type filter is required and holds
// only the spec's values; a bad deletedAfter is refused, as other time
// filters are.
func TestDeletedListsNeedTheirTypes(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	for _, path := range []string{
		"deleted-transactions", "deleted-transactions?transactionTypes=customer",
		"deleted-list-objects", "deleted-list-objects?objectTypes=invoice",
		"deleted-transactions?transactionTypes=invoice&deletedAfter=yesterday",
	} {
		r := send(t, srv, "GET", "/quickbooks-desktop/"+path, asEndUserA(srv), "")
		if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Code != "INVALID_REQUEST" {
			t.Errorf("%s: status %d, %s; want 400 INVALID_REQUEST", path, r.status, r.body)
		}
	}
}

// TestDeleteInQuickBooksKeepsNoRecordWithoutAType: QuickBooks keeps no
// deletion history of a transfer (no transactionType or listType names
// it), so DeleteInQuickBooks removes one and records nothing: neither
// deleted list shows it, of any type, while a deleted invoice is shown.
func TestDeleteInQuickBooksKeepsNoRecordWithoutAType(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	from := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/accounts", asEndUserA(srv), `{"name":"Checking","accountType":"bank"}`))
	to := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/accounts", asEndUserA(srv), `{"name":"Savings","accountType":"bank"}`))
	transfer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/transfers", asEndUserA(srv),
		fmt.Sprintf(`{"transactionDate":"2024-10-01","sourceAccountId":%q,"targetAccountId":%q,"amount":"10.00"}`, from["id"], to["id"])))
	invoice := createTransaction(t, srv, "end_usr_a", "invoices", "INV-1")
	if err := srv.DeleteInQuickBooks("end_usr_a", "transfers", transfer["id"].(string)); err != nil {
		t.Fatalf("DeleteInQuickBooks(transfers): %v", err)
	}
	if err := srv.DeleteInQuickBooks("end_usr_a", "invoices", invoice["id"].(string)); err != nil {
		t.Fatalf("DeleteInQuickBooks(invoices): %v", err)
	}
	if got := listed(t, srv, "/quickbooks-desktop/transfers", "id"); len(got) != 0 {
		t.Errorf("transfers after deleting the only one: %v; want none", got)
	}
	var transactions, lists []string
	for _, typ := range append(slices.Collect(maps.Values(apispec.TransactionTypes)), apispec.TransactionTypesUnserved...) {
		transactions = append(transactions, "transactionTypes="+typ)
	}
	for _, typ := range append(slices.Collect(maps.Values(apispec.ListTypes)), apispec.ListTypesUnserved...) {
		lists = append(lists, "objectTypes="+typ)
	}
	var ids []any
	for _, v := range append(deletedData(t, srv, "deleted-transactions?"+strings.Join(transactions, "&")),
		deletedData(t, srv, "deleted-list-objects?"+strings.Join(lists, "&"))...) {
		ids = append(ids, v.(map[string]any)["id"])
	}
	if diff := cmp.Diff([]any{invoice["id"]}, ids); diff != "" {
		t.Errorf("ids of every deleted type (-want +got):\n%s", diff)
	}
}
