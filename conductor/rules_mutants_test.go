package conductor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// These tests pin what the rules' own tests (rules_test.go) left open,
// found by make mutate: the other side of each bound, the order of the
// problems, and the message of a ValidationError.

// receivePayment is a receive-payment create whose card transaction was
// authorized at at.
func receivePayment(at time.Time) func(*conductor.Client, ...conductor.Option) error {
	return func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.ReceivePayments.Create(context.Background(), testEndUserID, conductor.ReceivePaymentCreateParams{
			CustomerID: "80000001-1234567890", TransactionDate: day, TotalAmount: "10.00",
			CreditCardTransaction: &conductor.ReceivePaymentCreateParamsCreditCardTransaction{
				Response: &conductor.ReceivePaymentCreateCreditCardTransactionResponse{
					StatusMessage: "ok", CreditCardTransactionID: "cc_1", MerchantAccountNumber: "1234",
					PaymentStatus: conductor.PaymentStatusCompleted, TransactionAuthorizedAt: at,
				},
			},
		}, opts...)
		return err
	}
}

// TestRulesRefuseBelowTheirBounds: a date or a timestamp below year 0,
// or at an offset of a whole day, cannot be written as the spec's format,
// and a limit below a minimum with no maximum is told only the minimum:
// each is refused by the rules, naming the field, and nothing is sent.
// And the method's arguments come before the body's fields.
func TestRulesRefuseBelowTheirBounds(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0))
	const path = "creditCardTransaction.response.transactionAuthorizedAt"
	for _, tt := range []ruleCase{
		{name: "a date of a negative year", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) {
			p.DueDate = &conductor.Date{Time: time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)}
		})), want: []conductor.FieldError{{Field: "dueDate", Reason: "must be a date from 0000-01-01 to 9999-12-31; got year -1"}}},
		{name: "a timestamp of a negative year", call: receivePayment(time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)),
			want: []conductor.FieldError{{Field: path, Reason: "must be a time in the years 0000 to 9999; got year -1"}}},
		{name: "a timestamp 24 hours ahead of UTC", call: receivePayment(time.Date(2024, 10, 1, 9, 0, 0, 0, time.FixedZone("", 24*60*60))),
			want: []conductor.FieldError{{Field: path, Reason: "must have an offset from UTC of less than 24 hours; got 24h0m0s"}}},
		{name: "a timestamp 24 hours behind UTC", call: receivePayment(time.Date(2024, 10, 1, 9, 0, 0, 0, time.FixedZone("", -24*60*60))),
			want: []conductor.FieldError{{Field: path, Reason: "must have an offset from UTC of less than 24 hours; got -24h0m0s"}}},
		{name: "limit 0 on accounts, whose spec states only a minimum", call: func(c *conductor.Client, opts ...conductor.Option) error {
			_, err := c.QBD.Accounts.List(context.Background(), testEndUserID, &conductor.AccountListParams{Limit: new(0)}, opts...)
			return err
		}, want: []conductor.FieldError{{Field: "limit", Reason: "must be at least 1; got 0"}}},
		{name: "the end-user id before the body", call: func(c *conductor.Client, opts ...conductor.Option) error {
			_, err := c.QBD.Invoices.Create(context.Background(), "", validInvoice(func(p *conductor.InvoiceCreateParams) { p.RefNumber = text(12) }), opts...)
			return err
		}, want: []conductor.FieldError{
			{Field: "endUserID", Reason: `is required: the id (end_usr_...) of the end-user whose QuickBooks Desktop to use; got ""`},
			{Field: "refNumber", Reason: "must be at most 11 characters; got 12"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.count()
			err := tt.call(c)
			var verr *conductor.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v (%T); want a *ValidationError", err, err)
			}
			if diff := cmp.Diff(tt.want, verr.Fields); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if n := srv.count() - before; n != 0 {
				t.Errorf("the server received %d requests; want none", n)
			}
		})
	}
}

// TestRulesSendAtTheirBounds: the requests just inside a bound, or with
// no bound on a side, are sent: the last year a date can be written in,
// one line (the spec's minimum), one property of a passthrough, a limit
// on a list whose spec states no maximum, a timestamp far from UTC but
// less than a day.
func TestRulesSendAtTheirBounds(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0))
	for name, call := range map[string]func(*conductor.Client, ...conductor.Option) error{
		"a due date of 9999-12-31": invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) {
			p.DueDate = &conductor.Date{Time: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
		})),
		"an invoice of one line": invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.Lines = p.Lines[:1] })),
		"a passthrough of one property": func(c *conductor.Client, opts ...conductor.Option) error {
			_, err := c.EndUsers.Passthrough(context.Background(), testEndUserID, conductor.QuickBooksDesktop, conductor.EndUserPassthroughParams{"qbxml": "<QBXML/>"}, opts...)
			return err
		},
		"limit 500 on accounts, whose spec states no maximum": func(c *conductor.Client, opts ...conductor.Option) error {
			_, err := c.QBD.Accounts.List(context.Background(), testEndUserID, &conductor.AccountListParams{Limit: new(500)}, opts...)
			return err
		},
		"a timestamp 14 hours ahead of UTC": receivePayment(time.Date(2024, 10, 1, 9, 0, 0, 0, time.FixedZone("", 14*60*60))),
	} {
		t.Run(name, func(t *testing.T) {
			before := srv.count()
			var verr *conductor.ValidationError
			if err := call(c); errors.As(err, &verr) {
				t.Fatal(err)
			}
			if n := srv.count() - before; n != 1 {
				t.Errorf("the server received %d requests; want 1", n)
			}
		})
	}
}

// TestValidationErrorMessage: the message names each field with what is
// allowed; one problem in a sentence, several counted and separated, so
// that a log line says everything a user must fix.
func TestValidationErrorMessage(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0))
	for _, tt := range []struct {
		name   string
		change func(*conductor.InvoiceCreateParams)
		want   string
	}{
		{"one problem", func(p *conductor.InvoiceCreateParams) { p.RefNumber = text(12) },
			"conductor: invalid refNumber: must be at most 11 characters; got 12"},
		{"two problems", func(p *conductor.InvoiceCreateParams) { p.CustomerID, p.RefNumber = "", text(12) },
			"conductor: 2 problems with the request: customerId: is required; refNumber: must be at most 11 characters; got 12"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := invoiceCreate(validInvoice(tt.change))(c)
			if err == nil {
				t.Fatal("err = nil; want a *ValidationError")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("Error() (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), testAPIKey) {
				t.Errorf("Error() shows the key: %q", err)
			}
		})
	}
}
