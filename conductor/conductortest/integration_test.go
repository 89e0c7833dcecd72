package conductortest_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestAnIntegrationFromStartToEnd walks the path a user's integration
// takes, through the client, against one fake: an end-user, an auth
// session, the flow completed on the fake's page, the health check, a
// customer, invoices for it, every invoice across pages, an update with
// the revision number, a stale revision refused, a void, a delete, and the
// end-user deleted with its data.
func TestAnIntegrationFromStartToEnd(t *testing.T) {
	srv := newServer(t)
	c := client(t, srv, conductor.WithMaxRetries(0))
	ctx := testdeadline.Context(t)

	endUser, err := c.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(endUser.ID, "end_usr_") || len(endUser.IntegrationConnections) != 0 {
		t.Fatalf("end-user %+v; want an end_usr_ id and no connection yet", endUser)
	}
	_, err = c.QBD.HealthCheck(ctx, endUser.ID)
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.Type != conductor.ErrorTypeIntegrationConnection || apiErr.StatusCode != http.StatusBadGateway {
		t.Fatalf("health check before connecting: %v; want INTEGRATION_CONNECTION_ERROR, 502", err)
	}

	session, err := c.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: endUser.ID})
	if err != nil {
		t.Fatal(err)
	}
	completeFlow(t, srv, session.AuthFlowURL)
	if hc, err := c.QBD.HealthCheck(ctx, endUser.ID); err != nil || hc.Status != "ok" {
		t.Fatalf("health check after connecting: %+v, %v", hc, err)
	}
	if eu, err := c.EndUsers.Retrieve(ctx, endUser.ID); err != nil || len(eu.IntegrationConnections) != 1 {
		t.Fatalf("end-user after connecting: %+v, %v; want one integration connection", eu, err)
	}

	customer, err := c.QBD.Customers.Create(ctx, endUser.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	if customer.FullName != "Globex" || customer.RevisionNumber != "0" || !regexp.MustCompile(`^[0-9A-F]+-\d+$`).MatchString(customer.ID) {
		t.Errorf("customer %s %q revision %s; want a QuickBooks id, its name as full name, revision 0", customer.ID, customer.FullName, customer.RevisionNumber)
	}

	date := conductor.Date{Time: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	var invoices []*conductor.Invoice
	for i := range 5 {
		inv, err := c.QBD.Invoices.Create(ctx, endUser.ID, conductor.InvoiceCreateParams{
			CustomerID: customer.ID, TransactionDate: date, RefNumber: new("INV-" + string(rune('1'+i))),
			Lines: []conductor.InvoiceCreateParamsLine{{Description: new("Consulting"), Quantity: new(float64(i + 1)), Rate: new("150.00")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		invoices = append(invoices, inv)
	}
	first := invoices[0]
	if first.Customer == nil || *first.Customer.ID != customer.ID || *first.Customer.FullName != "Globex" {
		t.Errorf("invoice customer %+v; want the reference {id, fullName} to Globex", first.Customer)
	}
	if first.Subtotal != "150.00" || len(first.Lines) != 1 || *first.Lines[0].Amount != "150.00" {
		t.Errorf("invoice subtotal %s, lines %+v; want 150.00 from 1 × 150.00", first.Subtotal, first.Lines)
	}

	before := len(srv.Requests())
	var listed []string
	for inv, err := range c.QBD.Invoices.All(ctx, endUser.ID, &conductor.InvoiceListParams{Limit: new(2), CustomerIDs: []string{customer.ID}}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, inv.ID)
	}
	var want []string
	for _, inv := range invoices {
		want = append(want, inv.ID)
	}
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("All (-created +listed):\n%s", diff)
	}
	pages := srv.Requests()[before:]
	if len(pages) != 3 {
		t.Fatalf("All asked for %d pages of 2 for 5 invoices, want 3", len(pages))
	}
	// The first page carries the filter; the next ones, the cursor the
	// first answer gave, the same for both.
	var queries []url.Values
	for _, p := range pages {
		q, err := url.ParseQuery(p.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, q)
	}
	if queries[0].Get("customerIds") != customer.ID || queries[0].Get("limit") != "2" || queries[0].Has("cursor") {
		t.Errorf("the first page's query %q; want customerIds=%s and limit=2, no cursor", pages[0].RawQuery, customer.ID)
	}
	if c := queries[1].Get("cursor"); c == "" || queries[2].Get("cursor") != c {
		t.Errorf("the next pages' queries %q, %q; want the same cursor in both", pages[1].RawQuery, pages[2].RawQuery)
	}

	updated, err := c.QBD.Invoices.Update(ctx, endUser.ID, first.ID, conductor.InvoiceUpdateParams{RevisionNumber: first.RevisionNumber, Memo: new("Paid by wire")})
	if err != nil {
		t.Fatal(err)
	}
	if updated.RevisionNumber != "1" || *updated.Memo != "Paid by wire" || *updated.RefNumber != "INV-1" {
		t.Errorf("updated: revision %s memo %v ref %v; want revision 1, the memo, the rest kept", updated.RevisionNumber, updated.Memo, updated.RefNumber)
	}
	_, err = c.QBD.Invoices.Update(ctx, endUser.ID, first.ID, conductor.InvoiceUpdateParams{RevisionNumber: first.RevisionNumber, Memo: new("stale")})
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.Type != conductor.ErrorTypeIntegration || apiErr.IntegrationCode != "3200" {
		t.Errorf("update with a stale revision: %v; want INTEGRATION_ERROR with QuickBooks' code 3200", err)
	}

	voided, err := c.QBD.Invoices.Void(ctx, endUser.ID, first.ID)
	if err != nil || !voided.Voided {
		t.Fatalf("void: %+v, %v", voided, err)
	}
	if inv, err := c.QBD.Invoices.Retrieve(ctx, endUser.ID, first.ID); err != nil || inv.Subtotal != "0.00" || !strings.HasPrefix(*inv.Memo, "VOID:") {
		t.Errorf("after the void: %+v, %v; want it kept, zeroed, its memo marked VOID:", inv, err)
	}

	deleted, err := c.QBD.Invoices.Delete(ctx, endUser.ID, invoices[1].ID)
	if err != nil || !deleted.Deleted {
		t.Fatalf("delete: %+v, %v", deleted, err)
	}
	_, err = c.QBD.Invoices.Retrieve(ctx, endUser.ID, invoices[1].ID)
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.Type != conductor.ErrorTypeIntegration {
		t.Errorf("retrieving a deleted invoice: %v; want QuickBooks' INTEGRATION_ERROR", err)
	}

	if _, err := c.EndUsers.Delete(ctx, endUser.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.QBD.Invoices.List(ctx, endUser.ID, nil)
	if !errors.Is(err, conductor.ErrNotFound) {
		t.Errorf("listing for a deleted end-user: %v; want 404", err)
	}
}

// completeFlow follows an auth session's flow on the fake as an end-user's
// browser would: the page, then its link.
func completeFlow(t *testing.T, srv *conductortest.Server, flowURL string) {
	t.Helper()
	u, err := url.Parse(flowURL)
	if err != nil {
		t.Fatal(err)
	}
	page := send(t, srv, "GET", u.Path, http.Header{}, "")
	m := regexp.MustCompile(`id="complete" href="([^"]+)"`).FindSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		t.Fatalf("the flow page: status %d, no completion link in %s", page.status, page.body)
	}
	if r := send(t, srv, "GET", string(m[1]), http.Header{}, ""); r.status != http.StatusOK && r.status != http.StatusSeeOther {
		t.Fatalf("completing the flow: status %d", r.status)
	}
}
