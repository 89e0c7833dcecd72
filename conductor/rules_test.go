package conductor_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// invoiceReply is an answer the client takes for any call below: an
// invoice for a create or an update, a page of none for a list, a report
// for a report (whose answer has no objectType to check).
var invoiceReply = reply{
	status:  200,
	headers: map[string]string{"Content-Type": "application/json"},
	body:    `{"id":"inv_1","objectType":"qbd_invoice","data":[],"hasMore":false,"nextCursor":null,"remainingCount":0,"url":"/v1/quickbooks-desktop/invoices"}`,
}

// text is a string of n characters.
func text(n int) *string {
	s := strings.Repeat("x", n)
	return &s
}

var (
	day = conductor.Date{Time: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	// farDay and farTime cannot be written in four digits of year.
	farDay  = conductor.Date{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	farTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// validInvoice is an invoice create that breaks no rule; with changes a
// case breaks one.
func validInvoice(change func(*conductor.InvoiceCreateParams)) conductor.InvoiceCreateParams {
	p := conductor.InvoiceCreateParams{
		CustomerID:      "80000001-1234567890",
		TransactionDate: day,
		RefNumber:       new("INV-1234"),
		BillingAddress:  &conductor.InvoiceCreateParamsBillingAddress{Line1: new("540 Market St."), City: new("San Francisco")},
		Lines: []conductor.InvoiceCreateParamsLine{
			{ItemID: new("80000001-1234567890"), Quantity: new(1.0)},
			{ItemID: new("80000002-1234567890"), Quantity: new(2.0)},
			{ItemID: new("80000003-1234567890"), Quantity: new(3.0)},
		},
	}
	if change != nil {
		change(&p)
	}
	return p
}

// A ruleCase is one request the spec's rules refuse, and the problems the
// refusal lists.
type ruleCase struct {
	name string
	call func(c *conductor.Client, opts ...conductor.Option) error
	want []conductor.FieldError
	// stillRefused says that SkipSpecChecks does not send it either: the
	// request cannot be written (a timestamp's year outside 0000-9999
	// or offset of a whole day, such a date and time filter), or the
	// client refuses what it would send regardless of the spec (an
	// empty id or query value).
	stillRefused bool
}

func invoiceCreate(p conductor.InvoiceCreateParams) func(*conductor.Client, ...conductor.Option) error {
	return func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Invoices.Create(context.Background(), testEndUserID, p, opts...)
		return err
	}
}

func invoiceList(p *conductor.InvoiceListParams) func(*conductor.Client, ...conductor.Option) error {
	return func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Invoices.List(context.Background(), testEndUserID, p, opts...)
		return err
	}
}

func agingReport(p *conductor.ReportAgingParams) func(*conductor.Client, ...conductor.Option) error {
	return func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Reports.Aging(context.Background(), testEndUserID, p, opts...)
		return err
	}
}

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

// authorizedAt is the path of a receive payment's card authorization
// time, the timestamp some cases give.
const authorizedAt = "creditCardTransaction.response.transactionAuthorizedAt"

// ruleCases are one request per kind of rule rules.gen.go checks, the
// examples of issue 15 among them.
var ruleCases = []ruleCase{
	{name: "limit 1000", call: invoiceList(&conductor.InvoiceListParams{Limit: new(1000)}),
		want: []conductor.FieldError{{Field: "limit", Reason: "must be from 1 to 150; got 1000"}}},
	{name: "limit -1", call: invoiceList(&conductor.InvoiceListParams{Limit: new(-1)}),
		want: []conductor.FieldError{{Field: "limit", Reason: "must be from 1 to 150; got -1"}}},
	{name: "a missing customerId", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.CustomerID = "" })),
		want: []conductor.FieldError{{Field: "customerId", Reason: "is required"}}},
	{name: "a missing required date", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.TransactionDate = conductor.Date{} })),
		want: []conductor.FieldError{{Field: "transactionDate", Reason: "is required"}}},
	{name: "an empty revisionNumber on an update", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Invoices.Update(context.Background(), testEndUserID, "inv_1", conductor.InvoiceUpdateParams{Memo: new("paid")}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "revisionNumber", Reason: "is required"}}},
	{name: "an empty report type", call: agingReport(&conductor.ReportAgingParams{}),
		want: []conductor.FieldError{{Field: "reportType", Reason: "is required"}}, stillRefused: true},
	{name: "nil params with a required report type", call: agingReport(nil),
		want: []conductor.FieldError{{Field: "reportType", Reason: "is required"}}},
	{name: "nil params with a required list", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.DeletedListObjects.List(context.Background(), testEndUserID, nil, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "objectTypes", Reason: "is required"}}},
	{name: "a required list of a query given empty, which a query cannot send", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.DeletedListObjects.List(context.Background(), testEndUserID, &conductor.DeletedListObjectListParams{ObjectTypes: []conductor.ListType{}}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "objectTypes", Reason: "is required"}}, stillRefused: true},
	{name: "a required list of a body left nil", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.SalesTaxPaymentChecks.Create(context.Background(), testEndUserID, conductor.SalesTaxPaymentCheckCreateParams{
			VendorID: "80000001-1234567890", BankAccountID: "80000002-1234567890", TransactionDate: day}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "lines", Reason: "is required: a list, not null"}}},
	{name: "a refNumber of 12 characters", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.RefNumber = text(12) })),
		want: []conductor.FieldError{{Field: "refNumber", Reason: "must be at most 11 characters; got 12"}}},
	{name: "a field of lines[2] too long", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.Lines[2].ItemID = text(37) })),
		want: []conductor.FieldError{{Field: "lines[2].itemId", Reason: "must be at most 36 characters; got 37"}}},
	{name: "an address field too long", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.BillingAddress.City = text(32) })),
		want: []conductor.FieldError{{Field: "billingAddress.city", Reason: "must be at most 31 characters; got 32"}}},
	{name: "an element of a list of ids too long", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) {
		p.LinkToTransactionIDs = []string{"80000001-1234567890", *text(37)}
	})), want: []conductor.FieldError{{Field: "linkToTransactionIds[1]", Reason: "must be at most 36 characters; got 37"}}},
	{name: "an empty lines list", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.Lines = []conductor.InvoiceCreateParamsLine{} })),
		want: []conductor.FieldError{{Field: "lines", Reason: "must have at least 1 item; got 0 (leave the list out to send none)"}}},
	{name: "a required list given empty", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.BillCheckPayments.Create(context.Background(), testEndUserID, conductor.BillCheckPaymentCreateParams{
			VendorID: "80000001-1234567890", BankAccountID: "80000002-1234567890", TransactionDate: day,
			ApplyToTransactions: []conductor.BillCheckPaymentCreateParamsApplyToTransaction{}}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "applyToTransactions", Reason: "must have at least 1 item; got 0"}}},
	{name: "an enum value not in the set", call: invoiceList(&conductor.InvoiceListParams{PaymentStatus: new(conductor.ListPaymentStatus("late"))}),
		want: []conductor.FieldError{{Field: "paymentStatus", Reason: `must be one of all, not_paid, paid; got "late"`}}},
	{name: "an enum value of the type but not of the field", call: agingReport(&conductor.ReportAgingParams{ReportType: conductor.ReportTypeAuditTrail}),
		want: []conductor.FieldError{{Field: "reportType", Reason: `must be one of ap_aging_detail, ap_aging_summary, ar_aging_detail, ar_aging_summary, collections_report; got "audit_trail"`}}},
	{name: "an enum value of a list not in the set", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.DeletedListObjects.List(context.Background(), testEndUserID, &conductor.DeletedListObjectListParams{
			ObjectTypes: []conductor.ListType{conductor.ListTypeAccount, "invoice"}}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "objectTypes[1]", Reason: `must be one of account, billing_rate, class, currency, customer, customer_message, customer_type, date_driven_terms, employee, inventory_site, item_discount, item_fixed_asset, item_group, item_inventory, item_inventory_assembly, item_non_inventory, item_other_charge, item_payment, item_sales_tax, item_sales_tax_group, item_service, item_subtotal, job_type, other_name, payment_method, payroll_item_non_wage, payroll_item_wage, price_level, sales_representative, sales_tax_code, ship_method, standard_terms, to_do, unit_of_measure_set, vehicle, vendor, vendor_type, workers_comp_code; got "invoice"`}}},
	{name: "a date of five digits of year", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.DueDate = &farDay })),
		want: []conductor.FieldError{{Field: "dueDate", Reason: "must be a date from 0000-01-01 to 9999-12-31; got year 10000"}}},
	{name: "a date and time filter of five digits of year", call: invoiceList(&conductor.InvoiceListParams{UpdatedBefore: &conductor.DateTime{Time: farTime}}),
		want:         []conductor.FieldError{{Field: "updatedBefore", Reason: "a date and time filter must be in the years 0000 to 9999, not 10000"}},
		stillRefused: true},
	{name: "a timestamp of a body of five digits of year", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.ReceivePayments.Create(context.Background(), testEndUserID, conductor.ReceivePaymentCreateParams{
			CustomerID: "80000001-1234567890", TransactionDate: day, TotalAmount: "10.00",
			CreditCardTransaction: &conductor.ReceivePaymentCreateParamsCreditCardTransaction{
				Response: &conductor.ReceivePaymentCreateCreditCardTransactionResponse{
					StatusMessage: "ok", CreditCardTransactionID: "cc_1", MerchantAccountNumber: "1234",
					PaymentStatus: conductor.PaymentStatusCompleted, TransactionAuthorizedAt: farTime,
				},
			},
		}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "creditCardTransaction.response.transactionAuthorizedAt", Reason: "must be a time in the years 0000 to 9999; got year 10000"}},
		stillRefused: true},
	{name: "an object id longer than the spec's 36 characters", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, *text(37), opts...)
		return err
	}, want: []conductor.FieldError{{Field: "id", Reason: "must be at most 36 characters; got 37"}}},
	{name: "an object id too long and a body field too long, the id first", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.QBD.Invoices.Update(context.Background(), testEndUserID, *text(37), conductor.InvoiceUpdateParams{RevisionNumber: "1", RefNumber: text(12)}, opts...)
		return err
	}, want: []conductor.FieldError{
		{Field: "id", Reason: "must be at most 36 characters; got 37"},
		{Field: "refNumber", Reason: "must be at most 11 characters; got 12"},
	}},
	{name: "a free-form body of no property", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.EndUsers.Passthrough(context.Background(), testEndUserID, conductor.QuickBooksDesktop, conductor.EndUserPassthroughParams{}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "params", Reason: "must have at least 1 property; got 0"}}},
	{name: "a path parameter outside its enum", call: func(c *conductor.Client, opts ...conductor.Option) error {
		_, err := c.EndUsers.Passthrough(context.Background(), testEndUserID, "xero", conductor.EndUserPassthroughParams{"qbxml": "<QBXML/>"}, opts...)
		return err
	}, want: []conductor.FieldError{{Field: "integrationSlug", Reason: `must be one of quickbooks_desktop; got "xero"`}}},
	{name: "several problems, in the spec's order", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) {
		p.Lines[2].ClassID = text(40)
		p.BillingAddress.City = text(32)
		p.RefNumber = text(12)
		p.CustomerID = ""
		p.Lines[0].ItemID = text(37)
	})), want: []conductor.FieldError{
		{Field: "customerId", Reason: "is required"},
		{Field: "refNumber", Reason: "must be at most 11 characters; got 12"},
		{Field: "billingAddress.city", Reason: "must be at most 31 characters; got 32"},
		{Field: "lines[0].itemId", Reason: "must be at most 36 characters; got 37"},
		{Field: "lines[2].classId", Reason: "must be at most 36 characters; got 40"},
	}},
	{name: "a date of a negative year", call: invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) {
		p.DueDate = &conductor.Date{Time: time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)}
	})), want: []conductor.FieldError{{Field: "dueDate", Reason: "must be a date from 0000-01-01 to 9999-12-31; got year -1"}}},
	{name: "a timestamp of a negative year", call: receivePayment(time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)),
		want: []conductor.FieldError{{Field: authorizedAt, Reason: "must be a time in the years 0000 to 9999; got year -1"}}, stillRefused: true},
	{name: "a timestamp 24 hours ahead of UTC", call: receivePayment(time.Date(2024, 10, 1, 9, 0, 0, 0, time.FixedZone("", 24*60*60))),
		want: []conductor.FieldError{{Field: authorizedAt, Reason: "must have an offset from UTC of less than 24 hours; got 24h0m0s"}}, stillRefused: true},
	{name: "a timestamp 24 hours behind UTC", call: receivePayment(time.Date(2024, 10, 1, 9, 0, 0, 0, time.FixedZone("", -24*60*60))),
		want: []conductor.FieldError{{Field: authorizedAt, Reason: "must have an offset from UTC of less than 24 hours; got -24h0m0s"}}, stillRefused: true},
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
	}, stillRefused: true},
}

// TestSpecRulesRefuseBeforeSending: each request that breaks a rule the
// spec states is a *ValidationError listing every problem, by JSON path,
// with what is allowed, and nothing is sent; SkipSpecChecks sends it.
func TestSpecRulesRefuseBeforeSending(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	for _, tt := range ruleCases {
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
				t.Fatalf("the server received %d requests; want none", n)
			}

			// Sent, the answer may not suit the operation: only the
			// refusal matters.
			err = tt.call(c, conductor.SkipSpecChecks())
			refused := errors.As(err, &verr)
			sent := srv.count() - before
			switch {
			case tt.stillRefused && (sent != 0 || !refused):
				t.Errorf("with SkipSpecChecks: err = %v, %d sent; want it refused still", err, sent)
			case !tt.stillRefused && (sent != 1 || refused):
				t.Errorf("with SkipSpecChecks: err = %v, %d sent; want it sent", err, sent)
			}
		})
	}
}

// TestValidRequestsAreSent: requests at the edges of the rules are sent:
// the bounds themselves, lengths counted in characters, not bytes, and
// lists and optional fields left nil.
func TestValidRequestsAreSent(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	for name, call := range map[string]func(*conductor.Client, ...conductor.Option) error{
		"an invoice":                             invoiceCreate(validInvoice(nil)),
		"an invoice of refNumber 11 characters":  invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.RefNumber = text(11) })),
		"an invoice of refNumber 11 in 22 bytes": invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.RefNumber = new(strings.Repeat("é", 11)) })),
		"an invoice of no lines":                 invoiceCreate(validInvoice(func(p *conductor.InvoiceCreateParams) { p.Lines, p.BillingAddress = nil, nil })),
		"limit 1":                                invoiceList(&conductor.InvoiceListParams{Limit: new(1)}),
		"limit 150":                              invoiceList(&conductor.InvoiceListParams{Limit: new(150)}),
		"nil params of a list":                   invoiceList(nil),
		"an aging report":                        agingReport(&conductor.ReportAgingParams{ReportType: conductor.ReportTypeArAgingSummary, ReportDateFrom: &day}),
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
		// A required bool left unset is false, which no check can tell
		// from false given: the README says it is sent as that.
		"a sales tax code of isTaxable left unset": func(c *conductor.Client, opts ...conductor.Option) error {
			_, err := c.QBD.SalesTaxCodes.Create(context.Background(), testEndUserID, conductor.SalesTaxCodeCreateParams{Name: "T"}, opts...)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			// Sent, the answer may not suit the operation: only the
			// refusal matters.
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

// TestSkipSpecChecksIsPerCall: given to NewClient, which would turn the
// rules off for every call, SkipSpecChecks is refused.
func TestSkipSpecChecksIsPerCall(t *testing.T) {
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.SkipSpecChecks())
	if err == nil || c != nil || !strings.Contains(err.Error(), "per-call") {
		t.Errorf("NewClient(SkipSpecChecks()) = %v, %v; want a refusal saying it is a per-call option", c, err)
	}
}

// TestGenIsNotChecked pins what the README says of Client.Gen(): its
// requests, built from gen's own values, do not go through the spec's
// rules, so limit 1000 is sent there.
func TestGenIsNotChecked(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	resp, err := c.Gen().InvoiceList(context.Background(), &gen.InvoiceListParams{Limit: new(1000)}, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Conductor-End-User-Id", testEndUserID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := srv.count(); n != 1 {
		t.Errorf("the server received %d requests; want 1", n)
	}
}

// TestManyProblemsKeepAShortError: an import of a thousand bad lines is
// refused with every problem in Fields, while Error, which ends up in
// logs, spells out the first few and counts the rest.
func TestManyProblemsKeepAShortError(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	p := validInvoice(nil)
	p.Lines = make([]conductor.InvoiceCreateParamsLine, 1000)
	for i := range p.Lines {
		p.Lines[i].ItemID = text(37)
	}
	err := invoiceCreate(p)(c)
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v; want a *ValidationError", err)
	}
	if len(verr.Fields) != 1000 || verr.Fields[999].Field != "lines[999].itemId" {
		t.Fatalf("%d problems, the last %v; want 1000, the last lines[999].itemId", len(verr.Fields), verr.Fields[len(verr.Fields)-1])
	}
	msg := err.Error()
	for _, want := range []string{"1000 problems", "lines[0].itemId: must be at most 36 characters; got 37", "lines[9].itemId", "and 990 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() does not say %q: %.300s", want, msg)
		}
	}
	if strings.Contains(msg, "lines[10].") || len(msg) > 1000 {
		t.Errorf("Error() spells out more than 10 problems (%d bytes): %.300s...", len(msg), msg)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server received %d requests; want none", n)
	}
}

// TestRulesAndEmptyQueryValuesAtOnce: a request that breaks a rule of the
// spec and gives a query parameter empty is refused with both problems,
// not the second only on the next try.
func TestRulesAndEmptyQueryValuesAtOnce(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	err := invoiceList(&conductor.InvoiceListParams{Limit: new(1000), RefNumbers: []string{}})(c)
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v; want a *ValidationError", err)
	}
	var fields []string
	for _, f := range verr.Fields {
		fields = append(fields, f.Field)
	}
	if diff := cmp.Diff([]string{"limit", "refNumbers"}, fields); diff != "" {
		t.Errorf("the fields named (-want +got):\n%s", diff)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server received %d requests; want none", n)
	}
}

// TestAnEmptyItemOfAnEnumListIsOneProblem: an empty item of a query's
// enum list breaks the enum and would be sent empty; it is one mistake,
// reported once, under the item's path, and nothing is sent.
func TestAnEmptyItemOfAnEnumListIsOneProblem(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	_, err := c.QBD.DeletedListObjects.List(context.Background(), testEndUserID, &conductor.DeletedListObjectListParams{
		ObjectTypes: []conductor.ListType{conductor.ListTypeAccount, ""}})
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v; want a *ValidationError", err)
	}
	var fields []string
	for _, f := range verr.Fields {
		fields = append(fields, f.Field)
	}
	if diff := cmp.Diff([]string{"objectTypes[1]"}, fields); diff != "" {
		t.Errorf("the fields named (-want +got):\n%s", diff)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server received %d requests; want none", n)
	}
}

// TestAnUnsendableValueWithSkipSpecChecksSaysWhy: with the rules skipped,
// a value that cannot be written at all (a date and time filter of five
// digits of year) is still refused, in the value's own words, not in a
// dump of the Go struct the generated builder could not write.
func TestAnUnsendableValueWithSkipSpecChecksSaysWhy(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
	err := invoiceList(&conductor.InvoiceListParams{UpdatedBefore: &conductor.DateTime{Time: farTime}})(c, conductor.SkipSpecChecks())
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v; want a *ValidationError", err)
	}
	want := []conductor.FieldError{{Field: "params", Reason: "cannot be sent: a date and time filter must be in the years 0000 to 9999, not 10000"}}
	if diff := cmp.Diff(want, verr.Fields); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server received %d requests; want none", n)
	}
}

// TestValidationErrorMessage: the message names each field with what is
// allowed; one problem in a sentence, several counted and separated, so
// that a log line says everything a user must fix.
func TestValidationErrorMessage(t *testing.T) {
	srv := newScriptServer(t, invoiceReply)
	c := srv.client(t, conductor.WithMaxRetries(0), reportWrites)
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
