package conductortest

import (
	"fmt"
	"maps"
	"net/http"
)

// Bills to pay (GET /quickbooks-desktop/bills-to-pay) are not objects an
// end-user keeps but what QuickBooks reads off its books for one vendor:
// its open bills and the vendor credits it can still apply to them. The
// fake computes them in the same way, from the bills and vendor credits
// it holds, so a payment applied to a bill shows in the list at once.

// vendorCredits are the vendor credits as a ledger of what is still
// open, as payables are the bills: a vendor credit's openAmount is what
// is left of it to apply (creditAmount when it has none).
var vendorCredits = ledger{resource: "qbd.vendorCredits", entity: "vendor", entityType: "vendor", account: "payablesAccount", txnType: "vendor_credit", typeTitle: "Credit", open: []string{"openAmount", "creditAmount"}}

// payableBranches are what a bills-to-pay list is read from, in its
// order: the open bills, each as the list's bill branch, then the vendor
// credits, each as its credit branch; with the fields of the branch that
// hold the transaction's id, what is still open, and that in the home
// currency.
var payableBranches = []struct {
	books                    ledger
	branch, id, open, inHome string
}{
	{payables, "bill", "billId", "amountDue", "amountDueInHomeCurrency"},
	{vendorCredits, "credit", "creditTransactionId", "creditRemaining", "creditRemainingInHomeCurrency"},
}

// computedList says whether QuickBooks computes resource's list from the
// books rather than keeping its objects, so that fixtures cannot give
// them: bills to pay, and the transactions view (transactions.go).
func computedList(resource string) bool {
	return resource == "billsToPay" || resource == transactionsResource
}

// billsToPay answers the bills-to-pay list of the vendor vendorId: each of
// its bills with a positive amount still open and each of its vendor
// credits with credit remaining, as the list shows them, that pass the
// list's other filters (payablesAccountId, dueDate, currencyIds), applied
// to what the list shows as every list's are. The list has no pages.
func (s *Server) billsToPay(b *builder, rt *route, query map[string]any, eu *endUser) (int, any, *Error) {
	model := s.api.model(resourceKey(rt.op))
	vendor, _ := query["vendorId"].(string)
	filters := maps.Clone(query)
	delete(filters, "vendorId") // what the list shows holds no vendor
	data := []any{}
	for _, br := range payableBranches {
		for _, o := range eu.objects[br.books.resource].all() {
			v := decodeObject(o.data)
			open := openOf(v, br.books)
			if id, _ := refOf(v[br.books.entity]); id != vendor || open == nil || open.Sign() <= 0 {
				continue
			}
			shown := map[string]any{br.id: o.id, "transactionType": br.books.txnType, br.open: amount(open), br.inHome: nil}
			for _, k := range []string{br.books.account, "transactionDate", "refNumber", "dueDate", "currency", "exchangeRate"} {
				shown[k] = v[k]
			}
			if rate, ok := parseDecimal(v["exchangeRate"]); ok {
				shown[br.inHome] = amount(rate.Mul(rate, open))
			}
			item := b.object(model, map[string]any{"bill": nil, "credit": nil, br.branch: shown})
			if b.failed != "" {
				return 0, nil, &Error{Type: "INTERNAL_ERROR", Code: "INTERNAL", Message: fmt.Sprintf("the fake could not show %s %s as a bill to pay: %s", br.books.resource, o.id, b.failed)}
			}
			if passes(item, filters, eu.location()) {
				data = append(data, item)
			}
		}
	}
	return http.StatusOK, map[string]any{"objectType": "list", "url": "/v1" + rt.op.Path, "data": data}, nil
}
