package conductortest_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// listed lists path for end_usr_a and returns the field of each object
// listed, in order.
func listed(t *testing.T, srv *conductortest.Server, path, field string) []string {
	t.Helper()
	return fieldOfEach(decodeObject(t, send(t, srv, "GET", path, asEndUserA(srv), "")), field)
}

// fieldOfEach is the field of each object in a page's data, in order.
func fieldOfEach(page map[string]any, field string) []string {
	var out []string
	for _, v := range page["data"].([]any) {
		out = append(out, v.(map[string]any)[field].(string))
	}
	return out
}

// fixtureServer starts a fake whose connected end_usr_a holds objects.
func fixtureServer(t *testing.T, objects map[string][]map[string]any) *conductortest.Server {
	t.Helper()
	return newServer(t, conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", Connected: true, QBD: objects}, {ID: "end_usr_b", Connected: true},
	}}})
}

// TestTimeFilters: updatedAfter and updatedBefore take the three forms the
// spec lists, a date meaning the start of that day for After and its end
// for Before, and both bounds are inclusive. The fake takes the
// end-user's computer to be on UTC.
func TestTimeFilters(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{"customers": {
		{"name": "Alpha", "updatedAt": "2024-10-01T12:00:00Z"},
		{"name": "Beta", "updatedAt": "2024-10-01T13:00:00Z"},
		{"name": "Gamma", "updatedAt": "2024-10-01T14:00:00Z"},
		{"name": "Delta", "updatedAt": "2024-10-02T00:00:00Z"},
	}})
	tests := []struct {
		query string
		want  []string
	}{
		{"updatedAfter=2024-10-01T13:00:00Z", []string{"Beta", "Gamma", "Delta"}},
		{"updatedAfter=2024-10-01T15:00:00%2B02:00", []string{"Beta", "Gamma", "Delta"}},
		{"updatedAfter=2024-10-01T08:00:00-05:00", []string{"Beta", "Gamma", "Delta"}},
		{"updatedAfter=2024-10-01T13:00:00", []string{"Beta", "Gamma", "Delta"}},
		{"updatedAfter=2024-10-01T13:00:01Z", []string{"Gamma", "Delta"}},
		{"updatedAfter=2024-10-02", []string{"Delta"}},
		{"updatedBefore=2024-10-01T13:00:00Z", []string{"Alpha", "Beta"}},
		{"updatedBefore=2024-10-01", []string{"Alpha", "Beta", "Gamma"}},
		{"updatedBefore=2024-09-30", nil},
		{"updatedAfter=2024-10-01&updatedBefore=2024-10-01", []string{"Alpha", "Beta", "Gamma"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/customers?"+tt.query, "name")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestIDsOverrideTheTimeFilters: with ids, QuickBooks ignores every other
// filter, the time filters too, even though the fake passes over objects
// outside a time window without reading them.
func TestIDsOverrideTheTimeFilters(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{"customers": {
		{"id": "80000001-1", "name": "Alpha", "updatedAt": "2024-10-01T12:00:00Z"},
		{"id": "80000002-1", "name": "Beta", "updatedAt": "2024-10-03T12:00:00Z"},
	}})
	for _, query := range []string{"ids=80000001-1&updatedAfter=2024-10-02", "ids=80000002-1&ids=80000001-1&updatedBefore=2024-10-02"} {
		if diff := cmp.Diff([]string{"Alpha", "Beta"}[:strings.Count(query, "ids=")], listed(t, srv, "/quickbooks-desktop/customers?"+query, "name")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", query, diff)
		}
	}
}

// TestMalformedDateFiltersAreRefused: a date or time filter the fake
// cannot read is a 400 naming it, not a filter silently dropped.
func TestMalformedDateFiltersAreRefused(t *testing.T) {
	srv := fixtureServer(t, nil)
	const when = ": must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:mm:ss), with an offset (Z, +02:00) or without one, such as 2025-01-01T12:34:56+00:00."
	const date = ": must be a date, YYYY-MM-DD, such as 2025-01-01."
	tests := []struct{ path, want string }{
		{"/quickbooks-desktop/customers?updatedAfter=yesterday", "updatedAfter" + when},
		{"/quickbooks-desktop/customers?updatedBefore=2024-10-01T25:00:00Z", "updatedBefore" + when},
		{"/quickbooks-desktop/customers?updatedAfter=2024-10-01T13:00", "updatedAfter" + when},
		{"/quickbooks-desktop/customers?updatedAfter=2024-10-01%2013:00:00", "updatedAfter" + when},
		{"/quickbooks-desktop/customers?updatedAfter=1727787600", "updatedAfter" + when},
		{"/quickbooks-desktop/invoices?updatedBefore=2024-02-30", "updatedBefore" + when},
		{"/quickbooks-desktop/invoices?transactionDateFrom=2024-13-01", "transactionDateFrom" + date},
		{"/quickbooks-desktop/invoices?transactionDateTo=01/10/2024", "transactionDateTo" + date},
		{"/quickbooks-desktop/invoices?transactionDateTo=2024-10-01T00:00:00Z", "transactionDateTo" + date},
		{"/quickbooks-desktop/deleted-list-objects?objectTypes=customer&deletedAfter=last%20week", "deletedAfter" + when},
		{"/quickbooks-desktop/bills-to-pay?vendorId=V1&dueDate=tomorrow", "dueDate" + date},
		{"/quickbooks-desktop/reports/aging?reportType=ap_aging_detail&reportDateFrom=2024-1-1", "reportDateFrom" + date},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := send(t, srv, "GET", tt.path, asEndUserA(srv), "")
			if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != tt.want {
				t.Errorf("status %d, message %q; want 400, %q", r.status, env.Error.Message, tt.want)
			}
		})
	}
	for _, ok := range []string{
		"/quickbooks-desktop/deleted-list-objects?objectTypes=customer&deletedAfter=2024-10-01T12:00:00%2B02:00&deletedBefore=2024-10-02",
		"/quickbooks-desktop/bills-to-pay?vendorId=V1&dueDate=2024-10-01",
		"/quickbooks-desktop/reports/aging?reportType=ap_aging_detail&reportDateFrom=2024-01-01",
		"/quickbooks-desktop/invoices?transactionDateFrom=2024-02-29&updatedAfter=2024-10-01T12:00:00.5Z",
	} {
		if r := send(t, srv, "GET", ok, asEndUserA(srv), ""); r.status != http.StatusOK {
			t.Errorf("%s: status %d, %s; want 200", ok, r.status, r.body)
		}
	}
}

// TestTransactionAndReferenceFilters: transactionDateFrom and To are
// inclusive, and customerIds (vendorIds, and any <x>Ids the object has an
// x reference for) keep exactly the objects that refer to one of the ids.
func TestTransactionAndReferenceFilters(t *testing.T) {
	inv := func(ref, customer, date string) map[string]any {
		return map[string]any{"refNumber": ref, "customerId": customer, "transactionDate": date}
	}
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers": {{"id": "C1", "name": "Globex"}, {"id": "C2", "name": "Initech"}},
		"vendors":   {{"id": "V1", "name": "Acme"}, {"id": "V2", "name": "Hooli"}},
		"invoices": {
			inv("I1", "C1", "2024-09-30"), inv("I2", "C1", "2024-10-01"),
			inv("I3", "C2", "2024-10-02"), inv("I4", "C1", "2024-10-03"),
		},
		"bills": {
			{"refNumber": "B1", "vendorId": "V1", "transactionDate": "2024-10-01"},
			{"refNumber": "B2", "vendorId": "V2", "transactionDate": "2024-10-01"},
			{"refNumber": "B3", "vendorId": "V1", "transactionDate": "2024-10-01"},
		},
	})
	tests := []struct {
		path string
		want []string
	}{
		{"invoices?transactionDateFrom=2024-10-01", []string{"I2", "I3", "I4"}},
		{"invoices?transactionDateTo=2024-10-02", []string{"I1", "I2", "I3"}},
		{"invoices?transactionDateFrom=2024-10-02&transactionDateTo=2024-10-02", []string{"I3"}},
		{"invoices?customerIds=C1", []string{"I1", "I2", "I4"}},
		{"invoices?customerIds=C2", []string{"I3"}},
		{"invoices?customerIds=C2&customerIds=C1", []string{"I1", "I2", "I3", "I4"}},
		{"invoices?customerIds=C9", nil},
		{"invoices?customerIds=C1&transactionDateFrom=2024-10-02", []string{"I4"}},
		{"invoices?refNumbers=I4&refNumbers=I2", []string{"I2", "I4"}},
		{"bills?vendorIds=V1", []string{"B1", "B3"}},
		{"bills?vendorIds=V2", []string{"B2"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, "refNumber")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRepeatedSingleValueParameterIsRefused: a parameter that takes one
// value, given twice, is a 400 naming it; which one would the fake use?
func TestRepeatedSingleValueParameterIsRefused(t *testing.T) {
	srv := fixtureServer(t, nil)
	for _, name := range []string{"limit=1&limit=2", "cursor=a&cursor=b", "updatedAfter=2024-10-01&updatedAfter=2024-10-02"} {
		r := send(t, srv, "GET", "/quickbooks-desktop/customers?"+name, asEndUserA(srv), "")
		want := name[:strings.Index(name, "=")] + ": is given 2 times; give it once."
		if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != want {
			t.Errorf("%s: status %d, message %q; want 400, %q", name, r.status, env.Error.Message, want)
		}
	}
}

// pagedServer starts a fake on a clock the test moves, with the default
// cursor lifetime, whose end_usr_a and end_usr_b each have three
// customers.
func pagedServer(t *testing.T) (srv *conductortest.Server, advance func(time.Duration)) {
	t.Helper()
	now := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	three := []map[string]any{{"name": "A"}, {"name": "B"}, {"name": "C"}}
	srv = newServer(t, conductortest.Options{Now: clock, Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"customers": three}},
		{ID: "end_usr_b", Connected: true, QBD: map[string][]map[string]any{"customers": three}},
	}}})
	return srv, func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

// page asks for a page of end-user's customers and returns the answer.
func page(t *testing.T, srv *conductortest.Server, endUser, query string) rawResponse {
	t.Helper()
	return send(t, srv, "GET", "/quickbooks-desktop/customers?limit=1"+query, qbdHeader(srv, endUser), "")
}

// firstCursor lists end_usr_a's first customer and returns the cursor.
func firstCursor(t *testing.T, srv *conductortest.Server) string {
	t.Helper()
	first := decodeObject(t, page(t, srv, "end_usr_a", ""))
	cursor, ok := first["nextCursor"].(string)
	if !ok || cursor == "" {
		t.Fatalf("first page %v has no cursor", first)
	}
	return cursor
}

func wantInvalidCursor(t *testing.T, r rawResponse, what string) {
	t.Helper()
	if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Code != "INVALID_CURSOR" {
		t.Errorf("%s: status %d, %s; want 400 INVALID_CURSOR", what, r.status, r.body)
	}
}

// TestACursorIsItsEndUsers: one end-user's cursor is unknown to another,
// and another's trying it does not spoil it for its owner.
func TestACursorIsItsEndUsers(t *testing.T) {
	srv, _ := pagedServer(t)
	cursor := firstCursor(t, srv)
	wantInvalidCursor(t, page(t, srv, "end_usr_b", "&cursor="+cursor), "end_usr_b with end_usr_a's cursor")
	h := asEndUserA(srv)
	wantInvalidCursor(t, send(t, srv, "GET", "/quickbooks-desktop/vendors?cursor="+cursor, h, ""), "the customers' cursor for vendors")
	second := decodeObject(t, page(t, srv, "end_usr_a", "&cursor="+cursor))
	if got := fieldOfEach(second, "name"); !cmp.Equal(got, []string{"B"}) {
		t.Errorf("end_usr_a's second page: %v; want [B]", got)
	}
}

// TestACursorLastsTenSecondsByDefault: as Conductor's, a cursor is good
// for 10 seconds after the page it came with, and not a moment longer.
func TestACursorLastsTenSecondsByDefault(t *testing.T) {
	srv, advance := pagedServer(t)
	cursor := firstCursor(t, srv)
	advance(10*time.Second - time.Millisecond)
	if got := fieldOfEach(decodeObject(t, page(t, srv, "end_usr_a", "&cursor="+cursor)), "name"); !cmp.Equal(got, []string{"B"}) {
		t.Errorf("second page just before 10 s: %v; want [B]", got)
	}
	advance(10 * time.Second)
	wantInvalidCursor(t, page(t, srv, "end_usr_a", "&cursor="+cursor), "third page 10 s after the second")
}

// TestACursorEndsWithTheLastPage: once a listing's last page is sent its
// cursor is spent, so asking for a page after the last is an
// INVALID_CURSOR rather than the last page again.
func TestACursorEndsWithTheLastPage(t *testing.T) {
	srv, _ := pagedServer(t)
	cursor := firstCursor(t, srv)
	for _, want := range []string{"B", "C"} {
		if got := fieldOfEach(decodeObject(t, page(t, srv, "end_usr_a", "&cursor="+cursor)), "name"); !cmp.Equal(got, []string{want}) {
			t.Fatalf("next page: %v; want [%s]", got, want)
		}
	}
	wantInvalidCursor(t, page(t, srv, "end_usr_a", "&cursor="+cursor), "the cursor after the last page")
}

// TestNameMatches: nameContains, StartsWith and EndsWith match where they
// say, nameFrom and nameTo are inclusive bounds, all without case, and a
// customer's name is its full name (Parent:Child), as QuickBooks matches
// it. The refNumber matches keep case.
func TestNameMatches(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"vendors": {{"name": "Acme"}, {"name": "Hooli"}, {"name": "Bacme"}, {"name": "Acmeco"}},
		"customers": {
			{"id": "C1", "name": "Globex"},
			{"id": "C2", "name": "Site", "fullName": "Globex:Site", "parent": map[string]any{"id": "C1"}},
		},
		"invoices": {{"refNumber": "INV-1", "customerId": "C1"}, {"refNumber": "inv-2", "customerId": "C1"}, {"refNumber": "X-INV", "customerId": "C1"}},
	})
	tests := []struct {
		path, field string
		want        []string
	}{
		{"vendors?nameContains=CME", "name", []string{"Acme", "Bacme", "Acmeco"}},
		{"vendors?nameStartsWith=acme", "name", []string{"Acme", "Acmeco"}},
		{"vendors?nameEndsWith=ACME", "name", []string{"Acme", "Bacme"}},
		{"vendors?nameFrom=bacme", "name", []string{"Hooli", "Bacme"}},
		{"vendors?nameTo=ACMECO", "name", []string{"Acme", "Acmeco"}},
		{"vendors?nameFrom=Acmeco&nameTo=Bacme", "name", []string{"Bacme", "Acmeco"}},
		{"customers?nameStartsWith=globex:", "name", []string{"Site"}},
		{"customers?nameEndsWith=site", "name", []string{"Site"}},
		{"invoices?refNumberStartsWith=INV", "refNumber", []string{"INV-1"}},
		{"invoices?refNumberEndsWith=INV", "refNumber", []string{"X-INV"}},
		{"invoices?refNumberContains=INV", "refNumber", []string{"INV-1", "X-INV"}},
		{"invoices?refNumberFrom=INV-1&refNumberTo=X-INV", "refNumber", []string{"INV-1", "X-INV"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, tt.field)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeletingAnEndUserKeepsOthersCursors: deleting an end-user ends its
// listings and no one else's.
func TestDeletingAnEndUserKeepsOthersCursors(t *testing.T) {
	srv, _ := pagedServer(t)
	cursor := firstCursor(t, srv)
	if r := send(t, srv, "DELETE", "/end-users/end_usr_b", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting end_usr_b: status %d: %s", r.status, r.body)
	}
	if got := fieldOfEach(decodeObject(t, page(t, srv, "end_usr_a", "&cursor="+cursor)), "name"); !cmp.Equal(got, []string{"B"}) {
		t.Errorf("end_usr_a's second page after end_usr_b was deleted: %v; want [B]", got)
	}
}
