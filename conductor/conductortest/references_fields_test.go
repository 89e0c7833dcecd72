package conductortest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestEveryKindOfReferenceIsChecked: a reference named by the longest
// kind its name ends in (preferredPaymentMethodId, a line's
// overrideUnitOfMeasureSetId), each id of a list of them
// (salesTaxItemIds, defaultExpenseAccountIds, linkToTransactionIds), a
// credit applied to a payment's invoice, and a parent (of the object's
// own kind) naming an object the end-user does not have are refused as
// QuickBooks refuses any invalid reference, through HTTP; the same
// requests naming objects that exist are accepted.
func TestEveryKindOfReferenceIsChecked(t *testing.T) {
	srv := newServer(t, conductortest.Options{Demo: true})
	h := qbdHeader(srv, conductortest.DemoEndUserID)
	post := func(path, body string) rawResponse {
		return send(t, srv, "POST", "/quickbooks-desktop/"+path, h, body)
	}
	id := func(path, body string) string {
		t.Helper()
		return decodeObject(t, post(path, body))["id"].(string)
	}
	method := id("payment-methods", `{"name":"Check","paymentMethodType":"check"}`)
	units := id("unit-of-measure-sets", `{"name":"Count","unitOfMeasureType":"count","baseUnit":{"name":"Each","abbreviation":"ea"}}`)
	taxItem := id("sales-tax-items", `{"name":"State tax"}`)
	account := id("accounts", `{"name":"Rent","accountType":"expense"}`)
	credit := id("credit-memos", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","lines":[{"itemId":%q,"quantity":1,"rate":"10.00"}]}`, demoCustomer, demoItem))
	tests := []struct {
		name, path, body string
		// field and message are of the refusal when the body names
		// missingID for %[1]s; kind is what QuickBooks calls it.
		field, kind, words string
		// good is the reference that exists, put for %[1]s to be accepted.
		good string
	}{
		{"preferredPaymentMethodId", "customers", `{"name":"X1","preferredPaymentMethodId":%q}`, "preferredPaymentMethodId", "PaymentMethod", "payment method", method},
		{"a new line's overrideUnitOfMeasureSetId", "invoices/" + demoInvoice, `{"revisionNumber":"0","lines":[{"id":"-1","itemId":"` + demoItem + `","quantity":1,"rate":"1.00","overrideUnitOfMeasureSetId":%q}]}`, "lines.0.overrideUnitOfMeasureSetId", "UnitOfMeasureSet", "unit of measure set", units},
		{"salesTaxItemIds", "sales-tax-group-items", `{"name":"G","salesTaxItemIds":[%q]}`, "salesTaxItemIds.0", "SalesTaxItem", "sales tax item", taxItem},
		{"defaultExpenseAccountIds", "vendors", `{"name":"V","defaultExpenseAccountIds":[%q]}`, "defaultExpenseAccountIds.0", "Account", "account", account},
		{"linkToTransactionIds", "invoices", `{"customerId":"` + demoCustomer + `","transactionDate":"2024-11-01","linkToTransactionIds":[%q]}`, "linkToTransactionIds.0", "Transaction", "transaction", credit},
		{"applyCredits[].creditTransactionId", "receive-payments", `{"customerId":"` + demoCustomer + `","transactionDate":"2024-11-01","totalAmount":"0.00","applyToTransactions":[{"transactionId":"` + demoInvoice + `","applyCredits":[{"creditTransactionId":%q,"appliedAmount":"10.00"}]}]}`, "applyToTransactions.0.applyCredits.0.creditTransactionId", "Transaction", "transaction", credit},
		{"parentId", "customers", `{"name":"Job","parentId":%q}`, "parentId", "Customer", "customer", demoCustomer},
	}
	model := map[string]string{"customers": "Customer", "invoices": "Invoice", "invoices/" + demoInvoice: "Invoice", "sales-tax-group-items": "SalesTaxGroupItem", "vendors": "Vendor", "receive-payments": "ReceivePayment"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(tt.path, fmt.Sprintf(tt.body, missingID))
			type refusal struct {
				Status                         int
				Code, IntegrationCode, Message string
			}
			env := refusal{Status: r.status}
			if r.status != http.StatusOK {
				e := decodeEnvelope(t, r).Error
				env.Code, env.Message = e.Code, e.Message
				if e.IntegrationCode != nil {
					env.IntegrationCode = *e.IntegrationCode
				}
			}
			want := refusal{http.StatusBadRequest, "QBD_REQUEST_ERROR", "3140",
				fmt.Sprintf("There is an invalid reference to QuickBooks %s %q in the %s (%s): QuickBooks Desktop has no such object. Use the id of an existing %s.",
					tt.kind, missingID, model[tt.path], tt.field, tt.words)}
			if diff := cmp.Diff(want, env); diff != "" {
				t.Errorf("naming a missing object (-want +got):\n%s", diff)
			}
			decodeObject(t, post(tt.path, fmt.Sprintf(tt.body, tt.good)))
		})
	}
	t.Run("a parent's fullName", func(t *testing.T) {
		job := decodeObject(t, post("customers", fmt.Sprintf(`{"name":"Job Alpha","parentId":%q}`, demoCustomer)))
		if diff := cmp.Diff(map[string]any{"id": demoCustomer, "fullName": "Acme Corporation"}, job["parent"]); diff != "" {
			t.Errorf("parent (-want +got):\n%s", diff)
		}
	})
}
