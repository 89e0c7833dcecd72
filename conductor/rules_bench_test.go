package conductor

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

// BenchmarkInvoiceCreateCall makes the invoice of BenchmarkCheckInvoiceCreate
// through the facade, rules included, and by hand with net/http (the
// floor: marshal, send, decode into a map), against one loopback server
// that answers every request with the same invoice. The budget
// (BENCHMARKS.md): the facade within 1.10 times the floor.
func BenchmarkInvoiceCreateCall(b *testing.B) {
	params := invoiceOfTenLines()
	answer, err := json.Marshal(Invoice{ID: "80000100-1700000100", ObjectType: ObjectTypeInvoice, RefNumber: params.RefNumber})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	const key, endUser = "sk_test_bench", "end_usr_1234567abcdefg"
	ctx := context.Background()

	b.Run("impl=facade", func(b *testing.B) {
		c, err := NewClient(WithAPIKey(key), WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if inv, err := c.QBD.Invoices.Create(ctx, endUser, params); err != nil || inv.ID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		hc := &http.Client{}
		url := srv.URL + "/quickbooks-desktop/invoices"
		b.ReportAllocs()
		for b.Loop() {
			body, err := json.Marshal(params)
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Conductor-End-User-Id", endUser)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var inv map[string]any
			err = json.NewDecoder(resp.Body).Decode(&inv)
			resp.Body.Close()
			if err != nil || inv["id"] == nil {
				b.Fatal(err)
			}
		}
	})
}
