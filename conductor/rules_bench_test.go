package conductor

import (
	"testing"
	"time"
)

// BenchmarkCheckInvoiceCreate checks an invoice create of 10 lines, each
// with several fields set, against the spec's rules (rules.gen.go), as
// every call of QBD.Invoices.Create does before it is sent. The budget
// (BENCHMARKS.md): under 2 us and no allocation when it is valid.
func BenchmarkCheckInvoiceCreate(b *testing.B) {
	params := invoiceOfTenLines()
	b.ReportAllocs()
	var c checker
	for b.Loop() {
		c.fields = c.fields[:0]
		checkInvoiceCreateParams(&c, nil, &params)
	}
	if err := c.err(); err != nil {
		b.Fatalf("the invoice is refused, so the benchmark measures a refusal: %v", err)
	}
}

// invoiceOfTenLines is a valid invoice create, whose every rule of a
// field that is set runs.
func invoiceOfTenLines() InvoiceCreateParams {
	day := Date{Time: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	strategy := PriceRuleConflictStrategyBasePrice
	p := InvoiceCreateParams{
		CustomerID:      "80000001-1234567890",
		TransactionDate: day,
		RefNumber:       new("INV-1234"),
		DueDate:         &day,
		Memo:            new("October's consulting"),
		BillingAddress: &InvoiceCreateParamsBillingAddress{
			Line1: new("Conductor Labs Inc."), Line2: new("540 Market St."),
			City: new("San Francisco"), State: new("CA"), PostalCode: new("94110"),
		},
	}
	for range 10 {
		p.Lines = append(p.Lines, InvoiceCreateParamsLine{
			ItemID:                    new("80000001-1234567890"),
			ClassID:                   new("80000002-1234567890"),
			Description:               new("Consulting, by the hour"),
			Quantity:                  new(8.0),
			Rate:                      new("150.00"),
			SalesTaxCodeID:            new("80000003-1234567890"),
			ServiceDate:               &day,
			PriceRuleConflictStrategy: &strategy,
		})
	}
	return p
}
