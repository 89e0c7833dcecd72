package conductortest_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// newCustomer creates a customer for endUser and returns its id, for
// transactions to name: the fake refuses a reference to a customer the
// end-user does not have, as QuickBooks does.
func newCustomer(t *testing.T, srv *conductortest.Server, endUser string) string {
	t.Helper()
	v := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", qbdHeader(srv, endUser), fmt.Sprintf(`{"name": %q}`, "Globex")))
	return v["id"].(string)
}

// The demo company's objects the tests name.
const (
	demoCustomer = "80000001-1700000001"
	demoItem     = "80000004-1700000004"
	demoInvoice  = "80000100-1700000100" // INV-1001: 4 × 150.00 + 99.00
	missingID    = "80000999-1700000999"
)

func ptr[T any](v T) *T { return &v }

var demoDate = conductor.Date{Time: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)}

// refusedAsInvalidReference checks that err is QuickBooks' refusal of a
// reference to an object that does not exist, as Conductor passes it on:
// INTEGRATION_ERROR, QBD_REQUEST_ERROR, QuickBooks' status code 3140 and
// its message naming the kind of object and the id.
func refusedAsInvalidReference(t *testing.T, err error, message string) {
	t.Helper()
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v; want the fake's refusal", err)
	}
	got := conductor.Error{Type: apiErr.Type, Code: apiErr.Code, IntegrationCode: apiErr.IntegrationCode, StatusCode: apiErr.StatusCode, Message: apiErr.Message}
	want := conductor.Error{Type: conductor.ErrorTypeIntegration, Code: "QBD_REQUEST_ERROR", IntegrationCode: "3140", StatusCode: http.StatusBadRequest, Message: message}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(conductor.Error{})); diff != "" {
		t.Errorf("refusal (-want +got):\n%s", diff)
	}
}

// TestReferencesToMissingObjectsAreRefused: a create or update naming an
// object the end-user does not have, at the top of the body or in a line,
// is refused as QuickBooks refuses it, and nothing is stored; naming the
// demo company's own objects is accepted.
func TestReferencesToMissingObjectsAreRefused(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	c := client(t, srv, conductor.WithMaxRetries(0))
	ctx := testdeadline.Context(t)
	eu := conductortest.DemoEndUserID
	before, err := c.QBD.Invoices.List(ctx, eu, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a customer that does not exist", func(t *testing.T) {
		_, err := c.QBD.Invoices.Create(ctx, eu, conductor.InvoiceCreateParams{CustomerID: missingID, TransactionDate: demoDate})
		refusedAsInvalidReference(t, err, `There is an invalid reference to QuickBooks Customer "80000999-1700000999" in the Invoice (customerId): QuickBooks Desktop has no such object. Use the id of an existing customer.`)
	})
	t.Run("a line's item that does not exist", func(t *testing.T) {
		_, err := c.QBD.Invoices.Create(ctx, eu, conductor.InvoiceCreateParams{CustomerID: demoCustomer, TransactionDate: demoDate,
			Lines: []conductor.InvoiceCreateParamsLine{{ItemID: ptr(demoItem), Quantity: ptr(1.0), Rate: ptr("10.00")}, {ItemID: ptr(missingID), Quantity: ptr(1.0), Rate: ptr("10.00")}}})
		refusedAsInvalidReference(t, err, `There is an invalid reference to QuickBooks Item "80000999-1700000999" in the Invoice (lines.1.itemId): QuickBooks Desktop has no such object. Use the id of an existing item.`)
	})
	t.Run("an object of another kind", func(t *testing.T) {
		_, err := c.QBD.Invoices.Create(ctx, eu, conductor.InvoiceCreateParams{CustomerID: demoItem, TransactionDate: demoDate})
		refusedAsInvalidReference(t, err, `There is an invalid reference to QuickBooks Customer "80000004-1700000004" in the Invoice (customerId): QuickBooks Desktop has no such object. Use the id of an existing customer.`)
	})
	t.Run("an update naming a class that does not exist", func(t *testing.T) {
		inv, err := c.QBD.Invoices.Retrieve(ctx, eu, demoInvoice)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.QBD.Invoices.Update(ctx, eu, demoInvoice, conductor.InvoiceUpdateParams{RevisionNumber: inv.RevisionNumber, ClassID: ptr(missingID)})
		refusedAsInvalidReference(t, err, `There is an invalid reference to QuickBooks Class "80000999-1700000999" in the Invoice (classId): QuickBooks Desktop has no such object. Use the id of an existing class.`)
		after, err := c.QBD.Invoices.Retrieve(ctx, eu, demoInvoice)
		if err != nil {
			t.Fatal(err)
		}
		if after.RevisionNumber != inv.RevisionNumber || after.Class != nil {
			t.Errorf("after the refused update the invoice is at revision %s with class %+v; want %s and none", after.RevisionNumber, after.Class, inv.RevisionNumber)
		}
	})
	after, err := c.QBD.Invoices.List(ctx, eu, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Data) != len(before.Data) {
		t.Errorf("%d invoices after the refused creates; want the %d before", len(after.Data), len(before.Data))
	}

	t.Run("the demo's own objects", func(t *testing.T) {
		inv, err := c.QBD.Invoices.Create(ctx, eu, conductor.InvoiceCreateParams{CustomerID: demoCustomer, TransactionDate: demoDate,
			Lines: []conductor.InvoiceCreateParamsLine{{ItemID: ptr(demoItem), Quantity: ptr(2.0), Rate: ptr("150.00")}}})
		if err != nil {
			t.Fatal(err)
		}
		got := []*string{inv.Customer.ID, inv.Customer.FullName, inv.Lines[0].Item.ID, inv.Lines[0].Item.FullName}
		if diff := cmp.Diff([]*string{ptr(demoCustomer), ptr("Acme Corporation"), ptr(demoItem), ptr("Consulting")}, got); diff != "" {
			t.Errorf("references (-want +got):\n%s", diff)
		}
	})
}

// TestAPaymentAppliedToAnInvoiceLowersItsBalance: a receive-payment
// applied to an invoice lowers its balanceRemaining by the amount and
// marks it isPaid once nothing is left, with a new revision, as QuickBooks
// does; one applied to an invoice that does not exist is refused and
// changes nothing.
func TestAPaymentAppliedToAnInvoiceLowersItsBalance(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	c := client(t, srv, conductor.WithMaxRetries(0))
	ctx := testdeadline.Context(t)
	eu := conductortest.DemoEndUserID
	pay := func(invoice, amount string) error {
		_, err := c.QBD.ReceivePayments.Create(ctx, eu, conductor.ReceivePaymentCreateParams{CustomerID: demoCustomer, TransactionDate: demoDate, TotalAmount: amount,
			ApplyToTransactions: []conductor.ReceivePaymentCreateParamsApplyToTransaction{{TransactionID: invoice, PaymentAmount: ptr(amount)}}})
		return err
	}
	type state struct {
		Balance  string
		IsPaid   bool
		Revision string
	}
	invoice := func() state {
		t.Helper()
		inv, err := c.QBD.Invoices.Retrieve(ctx, eu, demoInvoice)
		if err != nil {
			t.Fatal(err)
		}
		if inv.BalanceRemaining == nil || inv.IsPaid == nil {
			t.Fatalf("the invoice has balanceRemaining %v and isPaid %v; want both", inv.BalanceRemaining, inv.IsPaid)
		}
		return state{*inv.BalanceRemaining, *inv.IsPaid, inv.RevisionNumber}
	}
	if diff := cmp.Diff(state{"699.00", false, "0"}, invoice()); diff != "" {
		t.Fatalf("the demo's invoice before any payment (-want +got):\n%s", diff)
	}
	err := pay(missingID, "100.00")
	refusedAsInvalidReference(t, err, `There is an invalid reference to QuickBooks Invoice "80000999-1700000999" in the ReceivePayment (applyToTransactions.0.transactionId): QuickBooks Desktop has no such object. Use the id of an existing invoice.`)
	if err := pay(demoInvoice, "200.00"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state{"499.00", false, "1"}, invoice()); diff != "" {
		t.Errorf("after a payment of 200.00 (-want +got):\n%s", diff)
	}
	if err := pay(demoInvoice, "499.00"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state{"0.00", true, "2"}, invoice()); diff != "" {
		t.Errorf("after paying the rest (-want +got):\n%s", diff)
	}
	payments, err := c.QBD.ReceivePayments.List(ctx, eu, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(payments.Data) != 2 {
		t.Errorf("%d payments; want the 2 accepted", len(payments.Data))
	}
}

// TestABillPaymentLowersTheBillsOpenAmount: a bill's openAmount and
// amountDue are the sum of its expense lines, and a bill check payment
// applied to it lowers its openAmount and marks it isPaid once nothing
// is left, as a receive-payment does an invoice's balance.
func TestABillPaymentLowersTheBillsOpenAmount(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	c := client(t, srv, conductor.WithMaxRetries(0))
	ctx := testdeadline.Context(t)
	eu := conductortest.DemoEndUserID
	vendor, err := c.QBD.Vendors.Create(ctx, eu, conductor.VendorCreateParams{Name: "Initrode"})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := c.QBD.Accounts.Create(ctx, eu, conductor.AccountCreateParams{Name: "Checking", AccountType: conductor.AccountTypeBank})
	if err != nil {
		t.Fatal(err)
	}
	rent, err := c.QBD.Accounts.Create(ctx, eu, conductor.AccountCreateParams{Name: "Rent", AccountType: conductor.AccountTypeExpense})
	if err != nil {
		t.Fatal(err)
	}
	bill, err := c.QBD.Bills.Create(ctx, eu, conductor.BillCreateParams{VendorID: vendor.ID, TransactionDate: demoDate,
		ExpenseLines: []conductor.BillCreateParamsExpenseLine{{AccountID: ptr(rent.ID), Amount: ptr("300.00")}, {AccountID: ptr(rent.ID), Amount: ptr("50.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		AmountDue, OpenAmount string
		IsPaid                bool
	}
	stateOf := func(b *conductor.Bill) state {
		t.Helper()
		if b.AmountDue == nil || b.OpenAmount == nil || b.IsPaid == nil {
			t.Fatalf("the bill has amountDue %v, openAmount %v and isPaid %v; want all", b.AmountDue, b.OpenAmount, b.IsPaid)
		}
		return state{*b.AmountDue, *b.OpenAmount, *b.IsPaid}
	}
	if diff := cmp.Diff(state{"350.00", "350.00", false}, stateOf(bill)); diff != "" {
		t.Errorf("the bill as created (-want +got):\n%s", diff)
	}
	if _, err := c.QBD.BillCheckPayments.Create(ctx, eu, conductor.BillCheckPaymentCreateParams{VendorID: vendor.ID, BankAccountID: bank.ID, TransactionDate: demoDate,
		ApplyToTransactions: []conductor.BillCheckPaymentCreateParamsApplyToTransaction{{TransactionID: bill.ID, PaymentAmount: ptr("350.00")}}}); err != nil {
		t.Fatal(err)
	}
	paid, err := c.QBD.Bills.Retrieve(ctx, eu, bill.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state{"350.00", "0.00", true}, stateOf(paid)); diff != "" {
		t.Errorf("the bill once paid (-want +got):\n%s", diff)
	}
}
