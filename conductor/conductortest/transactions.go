package conductortest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The transactions list (GET /quickbooks-desktop/transactions, and GET
// /transactions/{id}) is QuickBooks' TransactionQuery: not objects an
// end-user keeps but every transaction of the company file, whatever its
// kind, in one shape. The fake reads it off the objects of the resources
// apispec.TransactionTypes names, so an invoice or a payment shows in it
// as soon as it is created; fixtures cannot give it (see computedList).

// transactionsResource is the resource of the transactions view.
const transactionsResource = "transactions"

// The fields of a transaction that the view's entity, account and amount
// are read from: the first the object has, in this order.
var (
	viewEntity  = []string{"customer", "vendor", "payee", "entity"}
	viewAccount = []string{"receivablesAccount", "payablesAccount", "bankAccount", "depositToAccount", "creditCardAccount", "account"}
	viewAmount  = []string{"totalAmount", "subtotal", "amount", "amountDue", "creditAmount", "totalAmountInHomeCurrency"}
)

// transactionsView is the transactions eu holds as the transactions view
// shows them, as a collection in the order they were created (by seq,
// which the state gives across resources), so that the list machinery
// pages, filters and retrieves it as any other; its writes are those of
// the collections it is read from, so that a cursor sees a write to any
// of them. It is built for each request that reads it, of only what the
// request can show: the transaction id if id is given, else those
// created after the seq after (a later page's), so that a page costs
// what is left of the list, not all of it.
func (s *Server) transactionsView(eu *endUser, id string, after int64) (*collection, *Error) {
	model := s.api.model(qbdKey(transactionsResource))
	b := s.builderFor(eu)
	view := &collection{byID: map[string]*object{}}
	for res, txnType := range apispec.TransactionTypes {
		c := eu.objects[qbdKey(res)]
		if c == nil || !slices.Contains(model.Properties["transactionType"].Value.Enum, any(txnType)) {
			continue // time tracking is no transaction the query shows
		}
		view.writes += c.writes
		objs := c.order
		if id != "" {
			objs = nil
			if o := c.find(id); o != nil {
				objs = []*object{o}
			}
		} else if start, _ := c.index(after + 1); start > 0 {
			objs = objs[start:]
		}
		for _, o := range objs {
			v := decodeObject(o.data)
			shown := map[string]any{"transactionId": o.id, "transactionType": txnType, "transactionLineId": nil}
			for _, k := range []string{"transactionDate", "refNumber", "memo", "currency", "exchangeRate", "createdAt", "updatedAt"} {
				shown[k] = v[k]
			}
			shown["entity"] = firstOf(v, viewEntity)
			shown["account"] = firstOf(v, viewAccount)
			amt := firstOf(v, viewAmount)
			if amt == nil {
				amt = "0.00"
			}
			shown["amount"], shown["amountInHomeCurrency"] = amt, nil
			if rate, ok := parseDecimal(v["exchangeRate"]); ok {
				if a, ok := parseDecimal(amt); ok {
					shown["amountInHomeCurrency"] = amount(rate.Mul(rate, a))
				}
			}
			item := b.object(model, shown)
			if b.failed != "" {
				return nil, &Error{Type: "INTERNAL_ERROR", Code: "INTERNAL", Message: fmt.Sprintf("the fake could not show %s %s as a transaction: %s", res, o.id, b.failed)}
			}
			data, err := json.Marshal(item)
			if err != nil {
				return nil, &Error{Type: "INTERNAL_ERROR", Code: "INTERNAL", Message: err.Error()}
			}
			// The view's updatedAt is the transaction's, kept as put keeps it.
			obj := &object{id: o.id, seq: o.seq, data: data, updatedAt: o.updatedAt}
			view.byID[o.id] = obj
			view.order = append(view.order, obj)
		}
	}
	slices.SortFunc(view.order, func(a, b *object) int { return int(a.seq - b.seq) })
	return view, nil
}

// firstOf is the first of fields that v holds a value of, or nil.
func firstOf(v map[string]any, fields []string) any {
	for _, f := range fields {
		if x := v[f]; x != nil {
			return x
		}
	}
	return nil
}
