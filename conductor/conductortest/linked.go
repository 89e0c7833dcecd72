package conductortest

import (
	"fmt"
	"math/big"
)

// paidBy is what a payment is applied to, by the payment's resource, and
// the field of that transaction holding what is left to pay (the spec's
// names: an invoice's balanceRemaining, a bill's openAmount; both have
// isPaid).
var paidBy = map[string]struct{ target, model, balance string }{
	"receivePayments":        {"invoices", "Invoice", "balanceRemaining"},
	"billCheckPayments":      {"bills", "Bill", "openAmount"},
	"billCreditCardPayments": {"bills", "Bill", "openAmount"},
}

// applyPayment does to the transactions a new payment is applied to
// (applyToTransactions[].transactionId, paymentAmount) what QuickBooks
// does: lowers what is left to pay by the amount and marks one paid off
// isPaid. A transaction the end-user does not have is refused as
// QuickBooks refuses any invalid reference; model is the payment's model
// name, for the message. Nothing changes until the returned apply is
// called, once the payment is stored.
func (s *Server) applyPayment(b *builder, eu *endUser, resource, model string, body map[string]any) (apply func() *Error, refused *Error) {
	link, ok := paidBy[resource]
	if !ok {
		return func() *Error { return nil }, nil
	}
	applied, _ := body["applyToTransactions"].([]any)
	type change struct {
		id string
		v  map[string]any
	}
	var changes []change
	for i, a := range applied {
		a, _ := a.(map[string]any)
		id, _ := a["transactionId"].(string)
		v, ok := s.state.get(eu, qbdKey(link.target), id)
		if !ok {
			return nil, (&badReference{field: fmt.Sprintf("applyToTransactions.%d.transactionId", i), name: link.model, id: id}).refusal(model)
		}
		amount, ok := parseDecimal(a["paymentAmount"])
		if !ok {
			continue
		}
		balance, ok := parseDecimal(v[link.balance])
		if !ok {
			balance = new(big.Rat)
		}
		balance.Sub(balance, amount)
		if balance.Sign() < 0 {
			balance.SetInt64(0)
		}
		v[link.balance], _ = amountFormat.write(balance)
		v["isPaid"] = balance.Sign() == 0
		changes = append(changes, change{id, v})
	}
	return func() *Error {
		for _, c := range changes {
			if failed := s.revise(b, eu, qbdKey(link.target), c.id, c.v); failed != nil {
				return failed
			}
		}
		return nil
	}, nil
}
