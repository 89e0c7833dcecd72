package conductortest

import (
	"cmp"
	"fmt"
	"maps"
	"math/big"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// Payments and the transactions they pay. A payment (a receive-payment, a
// bill check or credit-card payment) keeps what it applies to each
// transaction in its appliedToTransactions, as QuickBooks answers it;
// the transaction keeps what is left to pay. Every write of a payment
// (create, update, delete, void) goes through linkPayment, which moves
// each transaction's balance by the difference between what the payment
// applied before and what it applies after, so that what is left is
// always the transaction's total less what its live payments apply.

// payLink is what a payment resource pays: the target transactions'
// resource and model name, the field holding what is left to pay (the
// spec's names: an invoice's balanceRemaining, a bill's openAmount), whose
// the payment and its targets are (customer, vendor), and the
// transaction types of a target and of the payment, as linked
// transactions name them.
type payLink struct {
	target, model, balance, party, targetType, paymentType string
}

var paidBy = map[string]payLink{
	"receivePayments":        {"invoices", "Invoice", "balanceRemaining", "customer", "invoice", "receive_payment"},
	"billCheckPayments":      {"bills", "Bill", "openAmount", "vendor", "bill", "bill_payment_check"},
	"billCreditCardPayments": {"bills", "Bill", "openAmount", "vendor", "bill", "bill_payment_credit_card"},
}

// qbdSaveError is QuickBooks Desktop's status code for a request it
// cannot save as given ("There was an error when saving a ...", statusCode
// 3180 in the qbXML SDK's reference of status codes), which Conductor
// passes on as INTEGRATION_ERROR.
const qbdSaveError = "3180"

func notSaved(model, why string) *Error {
	return &Error{Type: "INTEGRATION_ERROR", Code: "QBD_REQUEST_ERROR", IntegrationCode: qbdSaveError,
		Message:           fmt.Sprintf("There was an error when saving this %s: %s", model, why),
		UserFacingMessage: "QuickBooks Desktop could not save this transaction as given."}
}

// unpayable is QuickBooks' answer to a payment applied to a transaction
// that exists but that it cannot pay: that it "cannot be found" or "does
// not exist", as the spec says, which is its invalid reference; why says
// what the fake knows of the reason.
func unpayable(link payLink, model, field, id, why string) *Error {
	e := (&badReference{field: field, name: link.model, id: id}).refusal(model)
	e.Message = fmt.Sprintf("There is an invalid reference to QuickBooks %s %q in the %s (%s): QuickBooks Desktop cannot find it as a transaction to pay, since %s.", link.model, id, model, field, why)
	return e
}

// application is what a payment applies to one transaction: a payment
// amount and a discount, each taken off what is left; entry is the rest
// of what the request or the stored payment gives for it.
type application struct {
	id                string
	payment, discount *big.Rat
	entry             map[string]any
	// at is the entry's index in applyToTransactions (the first, of
	// entries naming the same transaction), for refusals to name.
	at int
}

func (a application) total() *big.Rat { return new(big.Rat).Add(a.payment, a.discount) }

// linkPayment does to the transactions a payment is applied to what
// QuickBooks does when the payment is written: old is what it applied
// before (none for a create), after the payment as it will be stored (nil
// once deleted), body the request. The applications after are those the
// body's applyToTransactions gives, or isAutoApply's, else those after
// holds (an update that names none keeps them; a void has emptied them).
// Each target gets back what old applied and loses what the new apply,
// and after's appliedToTransactions shows them. What QuickBooks refuses
// is refused with nothing changed; the targets change only when the
// returned apply is called, once the payment is stored.
func (s *Server) linkPayment(b *builder, eu *endUser, resource, model, id string, old []application, after, body map[string]any) (apply func() *Error, refused *Error) {
	link, ok := paidBy[resource]
	if !ok {
		return func() *Error { return nil }, nil
	}
	party, _ := refOf(after[link.party])
	given, hasGiven := body["applyToTransactions"].([]any)
	var apps []application
	switch {
	case hasGiven && body["isAutoApply"] == true:
		return nil, invalid("applyToTransactions, isAutoApply: give one or the other, never both, as the spec says: applyToTransactions names the transactions to pay; isAutoApply lets QuickBooks choose them.")
	case hasGiven:
		if apps, refused = readApplications(given, model); refused != nil {
			return nil, refused
		}
	case body["isAutoApply"] == true:
		apps = s.autoApply(eu, link, party, old, after["totalAmount"])
	default: // a deleted payment (after nil) applies nothing
		apps = appliedOf(after)
	}
	// An update that names no applyToTransactions keeps what the payment
	// applies, unchecked: it was checked when given, and a transaction
	// voided since keeps it. One deleted since no longer counts, as
	// QuickBooks unlinks a deleted transaction's payments: what it was
	// applied is unused again.
	keep := !hasGiven && body["isAutoApply"] != true && after != nil
	if keep {
		apps = slices.DeleteFunc(apps, func(a application) bool {
			_, ok := s.state.get(eu, qbdKey(link.target), a.id)
			return !ok
		})
	}

	// What each target had from the payment, and has after.
	was := map[string]*big.Rat{}
	for _, a := range old {
		if was[a.id] == nil {
			was[a.id] = new(big.Rat)
		}
		was[a.id].Add(was[a.id], a.total())
	}
	paid := new(big.Rat)
	targets := map[string]map[string]any{}
	for _, a := range apps {
		paid.Add(paid, a.payment)
		field := fmt.Sprintf("applyToTransactions.%d.transactionId", a.at)
		v, ok := s.state.get(eu, qbdKey(link.target), a.id)
		if !ok {
			return nil, (&badReference{field: field, name: link.model, id: a.id}).refusal(model)
		}
		if owner, _ := refOf(v[link.party]); owner != party {
			// The spec: "This vendor must match the vendor on the
			// bill(s)...; otherwise, QuickBooks will say the
			// transactionId ... 'does not exist'."
			return nil, unpayable(link, model, field, a.id, fmt.Sprintf("it is not of this %s's %s", model, link.party))
		}
		if keep {
			targets[a.id] = v
			continue
		}
		if v["isPending"] == true {
			return nil, unpayable(link, model, field, a.id, "it is pending (isPending is true): a pending transaction posts to no register, so nothing can be applied to it until it is made final")
		}
		left := openBalance(v, link.balance)
		if w := was[a.id]; w != nil {
			left.Add(left, w)
			if _, gross, ok := grossOf(v); ok && left.Cmp(gross) > 0 {
				left = gross
			}
		}
		if left.Sign() <= 0 {
			// The spec: "The target invoice must have isPaid=false,
			// otherwise, QuickBooks will report this object as
			// 'cannot be found'."
			return nil, unpayable(link, model, field, a.id, "it is paid (isPaid is true), and a payment applies only to one with something left to pay")
		}
		if a.total().Cmp(left) > 0 {
			return nil, notSaved(model, fmt.Sprintf("applyToTransactions.%d applies %s (paymentAmount and discountAmount) to the %s %q, which has only %s left to pay; apply at most that.", a.at, amount(a.total()), link.targetType, a.id, amount(left)))
		}
		v[link.balance] = amount(left.Sub(left, a.total()))
		targets[a.id] = v
	}
	if total, ok := parseDecimal(after["totalAmount"]); ok && resource == "receivePayments" {
		if paid.Cmp(total) > 0 {
			// The spec: "The sum of the paymentAmount amounts in the
			// applyToTransactions array cannot exceed the totalAmount,
			// or you will receive an error."
			return nil, notSaved(model, fmt.Sprintf("the paymentAmount amounts of applyToTransactions add up to %s, more than the totalAmount %s; they cannot exceed it.", amount(paid), amount(total)))
		}
		after["unusedPayment"] = amount(new(big.Rat).Sub(total, paid))
	} else if after != nil && resource != "receivePayments" {
		// A bill payment's amount is what it pays.
		after["amount"] = amount(paid)
	}
	// Targets the payment no longer applies to get back what it did.
	for tid, w := range was {
		if targets[tid] != nil {
			continue
		}
		v, ok := s.state.get(eu, qbdKey(link.target), tid)
		if !ok {
			continue // deleted since; nothing to give back to
		}
		back := openBalance(v, link.balance)
		back.Add(back, w)
		if _, gross, ok := grossOf(v); ok && back.Cmp(gross) > 0 {
			// Never more than it came to: a voided one (zeroed) stays 0.
			back = gross
		}
		v[link.balance] = amount(back)
		targets[tid] = v
	}

	if after != nil {
		shown := make([]any, 0, len(apps))
		for _, a := range apps {
			v := targets[a.id]
			in := map[string]any{"transactionId": a.id, "transactionType": link.targetType, "transactionDate": v["transactionDate"],
				"refNumber": v["refNumber"], "balanceRemaining": v[link.balance], "amount": amount(a.payment), "discountAmount": amount(a.discount)}
			for _, k := range []string{"discountAccountId", "discountClassId"} {
				if x, ok := a.entry[k]; ok {
					in[k] = x
				}
			}
			for _, k := range []string{"discountAccount", "discountClass"} {
				if x, ok := a.entry[k]; ok && x != nil {
					in[k] = x
				}
			}
			shown = append(shown, b.object(s.appliedSchema(resource), in))
		}
		// Their discount accounts and classes were checked with the
		// rest of the body's references (badReferenceIn).
		after["appliedToTransactions"] = shown
	}
	// Each target's linked transactions show the payment while it
	// applies to it, as QuickBooks links them.
	applies := map[string]application{}
	for _, a := range apps {
		applies[a.id] = a
	}
	for tid, v := range targets {
		links, _ := v["linkedTransactions"].([]any)
		links = slices.DeleteFunc(slices.Clone(links), func(l any) bool { m, _ := l.(map[string]any); return m["id"] == id })
		if a, ok := applies[tid]; ok {
			links = append(links, map[string]any{"id": id, "objectType": "qbd_linked_transaction", "transactionType": link.paymentType,
				"transactionDate": after["transactionDate"], "refNumber": after["refNumber"], "linkType": "amount", "amount": amount(a.total())})
		}
		v["linkedTransactions"] = links
	}
	// A target refused (MaxObjectBytes) puts back those stored before
	// it, so that the request, refused, changes nothing.
	return func() *Error {
		type kept struct {
			id string
			v  map[string]any
		}
		var done []kept
		for _, tid := range slices.Sorted(maps.Keys(targets)) {
			was, _ := s.state.get(eu, qbdKey(link.target), tid)
			if failed := s.revise(b, eu, qbdKey(link.target), tid, targets[tid]); failed != nil {
				for _, d := range slices.Backward(done) {
					s.putBack(eu, qbdKey(link.target), d.id, d.v)
				}
				return failed
			}
			done = append(done, kept{tid, was})
		}
		return nil
	}, nil
}

// readApplications reads a request's applyToTransactions. QuickBooks
// refuses an entry with neither paymentAmount, discountAmount nor
// applyCredits ("an empty transaction", the spec says); the fake also
// refuses a negative amount, which would raise what is left to pay
// rather than lower it. Entries naming the same transaction are one
// application of their sum.
func readApplications(given []any, model string) ([]application, *Error) {
	var apps []application
	at := map[string]int{}
	for i, e := range given {
		e, _ := e.(map[string]any)
		id, _ := e["transactionId"].(string)
		_, hasPay := e["paymentAmount"]
		_, hasDiscount := e["discountAmount"]
		_, hasCredits := e["applyCredits"]
		if !hasPay && !hasDiscount && !hasCredits {
			return nil, notSaved(model, fmt.Sprintf("applyToTransactions.%d is an empty transaction: give paymentAmount, discountAmount or applyCredits, or any of them together.", i))
		}
		a := application{id: id, payment: new(big.Rat), discount: new(big.Rat), entry: e, at: i}
		for name, into := range map[string]*big.Rat{"paymentAmount": a.payment, "discountAmount": a.discount} {
			x, given := e[name]
			if !given {
				continue
			}
			r, ok := parseDecimal(x)
			if !ok || !amountFormat.allows(fmt.Sprint(x)) {
				return nil, invalid(fmt.Sprintf("applyToTransactions.%d.%s: must be %s.", i, name, amountFormat))
			}
			if r.Sign() < 0 {
				return nil, invalid(fmt.Sprintf("applyToTransactions.%d.%s: must not be negative (it was %s): it is taken off what is left to pay.", i, name, x))
			}
			into.Set(r)
		}
		if j, seen := at[id]; seen {
			apps[j].payment.Add(apps[j].payment, a.payment)
			apps[j].discount.Add(apps[j].discount, a.discount)
			continue
		}
		at[id] = len(apps)
		apps = append(apps, a)
	}
	return apps, nil
}

// appliedOf is what a stored payment applies, as its
// appliedToTransactions show it.
func appliedOf(v map[string]any) []application {
	list, _ := v["appliedToTransactions"].([]any)
	var apps []application
	for i, e := range list {
		e, _ := e.(map[string]any)
		id, _ := e["transactionId"].(string)
		a := application{id: id, payment: new(big.Rat), discount: new(big.Rat), entry: e, at: i}
		if r, ok := parseDecimal(e["amount"]); ok {
			a.payment = r
		}
		if r, ok := parseDecimal(e["discountAmount"]); ok {
			a.discount = r
		}
		apps = append(apps, a)
	}
	return apps
}

// autoApply is what QuickBooks applies a receive-payment of total to when
// isAutoApply is true, as the spec describes it: the party's one open
// transaction whose balance is exactly total if there is one, else its
// open transactions oldest first (by transactionDate, then as created),
// each as much as is left of the payment. old is what the payment applied
// before, which counts as open again.
func (s *Server) autoApply(eu *endUser, link payLink, party string, old []application, total any) []application {
	left, ok := parseDecimal(total)
	if !ok || left.Sign() <= 0 {
		return nil
	}
	type open struct {
		id, date string
		balance  *big.Rat
	}
	was := map[string]*big.Rat{}
	for _, a := range old {
		was[a.id] = a.total()
	}
	var opens []open
	for _, o := range eu.objects[qbdKey(link.target)].all() {
		v := decodeObject(o.data)
		if who, _ := refOf(v[link.party]); who != party || v["isPending"] == true {
			continue // not the party's, or pending: nothing can be applied to it
		}
		bal := openBalance(v, link.balance)
		if w := was[o.id]; w != nil {
			bal.Add(bal, w)
		}
		if bal.Sign() > 0 {
			date, _ := v["transactionDate"].(string)
			opens = append(opens, open{o.id, date, bal})
		}
	}
	slices.SortStableFunc(opens, func(x, y open) int { return cmp.Compare(x.date, y.date) })
	if i := slices.IndexFunc(opens, func(o open) bool { return o.balance.Cmp(left) == 0 }); i >= 0 {
		opens = []open{opens[i]}
	}
	var apps []application
	for _, o := range opens {
		if left.Sign() == 0 {
			break
		}
		pay := new(big.Rat).Set(o.balance)
		if pay.Cmp(left) > 0 {
			pay.Set(left)
		}
		left.Sub(left, pay)
		apps = append(apps, application{id: o.id, payment: pay, discount: new(big.Rat), at: len(apps)})
	}
	return apps
}

// appliedSchema is the schema of an entry of resource's
// appliedToTransactions.
func (s *Server) appliedSchema(resource string) *openapi3.Schema {
	list := s.api.model(qbdKey(resource)).Properties["appliedToTransactions"]
	return list.Value.Items.Value
}

// openBalance is what is left to pay of a transaction v: its balance
// field, else (a bill with no openAmount) its amountDue; zero with
// neither.
func openBalance(v map[string]any, balance string) *big.Rat {
	for _, f := range []string{balance, "amountDue"} {
		if r, ok := parseDecimal(v[f]); ok {
			return r
		}
	}
	return new(big.Rat)
}

// grossOf is what a transaction's balance is of before anything is
// applied to it: an invoice's subtotal plus salesTaxTotal (the spec:
// balanceRemaining is "Calculated as subtotal + salesTaxTotal -
// appliedAmount"), a bill's amountDue ("The amount due minus any credits
// or discounts equals the open amount"); false for another object.
func grossOf(v map[string]any) (balance string, gross *big.Rat, ok bool) {
	if sub, ok := parseDecimal(v["subtotal"]); ok {
		if _, has := v["balanceRemaining"]; has {
			if tax, ok := parseDecimal(v["salesTaxTotal"]); ok {
				sub.Add(sub, tax)
			}
			return "balanceRemaining", sub, true
		}
	}
	if due, ok := parseDecimal(v["amountDue"]); ok {
		if _, has := v["openAmount"]; has {
			return "openAmount", due, true
		}
	}
	return "", nil, false
}

// appliedTo is what has been applied to a transaction v (payments,
// discounts, credits): its gross less what is left; nil for an object
// with no balance.
func appliedTo(v map[string]any) *big.Rat {
	balance, gross, ok := grossOf(v)
	if !ok {
		return nil
	}
	return gross.Sub(gross, openBalance(v, balance))
}

// keepApplied sets what is left to pay of v, whose totals were just
// computed again from new lines, to its new gross less applied, what had
// been applied to it before: new lines do not undo its payments. A total
// below what is applied is refused, as QuickBooks cannot leave more paid
// than is owed.
func keepApplied(v map[string]any, applied *big.Rat, model string) *Error {
	balance, gross, ok := grossOf(v)
	if !ok || applied == nil {
		return nil
	}
	left := new(big.Rat).Sub(gross, applied)
	if left.Sign() < 0 {
		return notSaved(model, fmt.Sprintf("its new total %s is less than the %s already applied to it (payments, discounts, credits); delete or change those payments first.", amount(gross), amount(applied)))
	}
	v[balance] = amount(left)
	return nil
}

// derivePaid sets a transaction's isPaid from what is left to pay, as
// QuickBooks keeps them together ("When true, openAmount will be 0", the
// spec says of isPaid): true exactly when its balanceRemaining (an
// invoice's) or openAmount, else amountDue (a bill's) is zero. A voided
// transaction, whose amounts QuickBooks zeroes, is so paid too: nothing is
// left to pay on it, so it is neither in a list of unpaid transactions
// nor in an aging report, as QuickBooks leaves voided ones out of both.
// Objects with no isPaid are left alone.
func derivePaid(v map[string]any) {
	if _, has := v["isPaid"]; !has {
		return
	}
	for _, f := range []string{"balanceRemaining", "openAmount", "amountDue"} {
		if r, ok := parseDecimal(v[f]); ok {
			v["isPaid"] = r.Sign() == 0
			return
		}
	}
}
