package conductortest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestInvoicing is the README's example of testing with the fake, kept
// here so that it stays true.
func TestInvoicing(t *testing.T) {
	srv := conductortest.NewServer()
	defer srv.Close()
	client, err := srv.Client() // a *conductor.Client for the fake; options may follow
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// An end-user, connected as if they had followed the auth flow's link.
	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Connect(endUser.ID); err != nil {
		t.Fatal(err)
	}

	// The fake keeps what it is sent: the invoice refers to the customer
	// by name, and its total is its lines'.
	customer, err := client.QBD.Customers.Create(ctx, endUser.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	invoice, err := client.QBD.Invoices.Create(ctx, endUser.ID, conductor.InvoiceCreateParams{
		CustomerID:      customer.ID,
		TransactionDate: conductor.Date{Time: time.Date(2024, time.October, 1, 0, 0, 0, 0, time.UTC)},
		Lines:           []conductor.InvoiceCreateParamsLine{{Description: new("Consulting"), Quantity: new(2.0), Rate: new("150.00")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *invoice.Customer.FullName != "Globex" || invoice.Subtotal != "300.00" {
		t.Errorf("invoice for %s of %s, want Globex and 300.00", *invoice.Customer.FullName, invoice.Subtotal)
	}

	// Make the next call fail with a 503; the client retries the read.
	if err := srv.Enqueue(conductortest.Response{
		Status: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After-Ms": {"10"}},
		Error:  &conductortest.Error{Type: "INTERNAL_ERROR", Code: "SERVICE_UNAVAILABLE", Message: "Try again."},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.QBD.Invoices.Retrieve(ctx, endUser.ID, invoice.ID); err != nil {
		t.Fatal(err)
	}

	// An update needs the current revision number; the old one is then stale.
	if _, err := client.QBD.Invoices.Update(ctx, endUser.ID, invoice.ID, conductor.InvoiceUpdateParams{RevisionNumber: invoice.RevisionNumber, Memo: new("Paid")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.QBD.Invoices.Update(ctx, endUser.ID, invoice.ID, conductor.InvoiceUpdateParams{RevisionNumber: invoice.RevisionNumber, Memo: new("Paid twice")})
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || apiErr.IntegrationCode != "3200" {
		t.Errorf("a stale update: %v; want QuickBooks' error 3200", err)
	}
}

// TestUpdatedSince runs the README's pagination example, invoicesSince,
// against the fake: an optional list is a plain slice, a time filter a
// conductor.DateTime.
func TestUpdatedSince(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().Add(-48 * time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Connect(endUser.ID); err != nil {
		t.Fatal(err)
	}
	customer, err := client.QBD.Customers.Create(ctx, endUser.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	// One invoice two days ago, two now.
	var want []string
	for i := range 3 {
		if i == 1 {
			mu.Lock()
			now = time.Now()
			mu.Unlock()
		}
		invoice, err := client.QBD.Invoices.Create(ctx, endUser.ID, conductor.InvoiceCreateParams{
			CustomerID:      customer.ID,
			TransactionDate: conductor.Date{Time: time.Date(2024, time.October, 1, 0, 0, 0, 0, time.UTC)},
			Lines:           []conductor.InvoiceCreateParamsLine{{Description: new("Consulting"), Quantity: new(2.0), Rate: new("150.00")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			want = append(want, invoice.ID)
		}
	}

	var got []string
	if err := invoicesSince(ctx, client, endUser.ID, func(invoice conductor.Invoice) { got = append(got, invoice.ID) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("invoices updated in the last day (-want +got):\n%s", diff)
	}
}

// invoicesSince is the README's example of All: every invoice updated in
// the last 24 hours.
func invoicesSince(ctx context.Context, client *conductor.Client, endUserID string, process func(conductor.Invoice)) error {
	since := time.Now().Add(-24 * time.Hour)
	for invoice, err := range client.QBD.Invoices.All(ctx, endUserID, &conductor.InvoiceListParams{UpdatedAfter: &conductor.DateTime{Time: since}}) {
		if err != nil {
			return err // a page failed after the usual retries; nothing was skipped
		}
		process(invoice)
	}
	return nil
}
