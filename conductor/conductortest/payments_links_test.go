package conductortest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestARefusedPaymentChangesNothing: a payment that fits in
// Options.MaxObjectBytes while the invoice it pays, revised, does not is
// refused, and then neither the payment is stored nor the invoice
// changed: a write is all or nothing. Budgets just below the least a
// payment needs refuse at each step of the write (the payment, then the
// invoice).
func TestARefusedPaymentChangesNothing(t *testing.T) {
	try := func(budget int) (status int, stored int, left paid) {
		srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true, MaxObjectBytes: budget, Fixtures: testEndUsers})
		if err != nil {
			return 0, 0, paid{} // the books alone do not fit
		}
		defer srv.Close()
		b := books{t, srv}
		r := b.do("POST", "receive-payments", receive(demoCustomer, "699.00", entry(demoInvoice, "100.00")))
		list := b.ok("GET", "receive-payments", "")
		return r.status, len(list["data"].([]any)), b.invoice(demoInvoice)
	}
	lo, hi := 1, 1<<22
	for lo < hi {
		m := (lo + hi) / 2
		if status, _, _ := try(m); status == http.StatusOK {
			hi = m
		} else {
			lo = m + 1
		}
	}
	refusals := 0
	for budget := lo - 1; budget > lo-1200 && budget > 0; budget -= 16 {
		status, stored, left := try(budget)
		if status == http.StatusOK || status == 0 {
			continue
		}
		refusals++
		if diff := cmp.Diff(fmt.Sprint(0, paid{"699.00", false}), fmt.Sprint(stored, left)); diff != "" {
			t.Errorf("MaxObjectBytes %d: payment refused (%d), yet payments stored and invoice (-want +got):\n%s", budget, status, diff)
		}
	}
	if refusals == 0 {
		t.Fatal("no budget below the least refused the payment")
	}
}

// TestAPaymentOutlivesWhatItPaid: once an invoice a payment paid is
// deleted or voided, an update of the payment that names no
// applyToTransactions (a memo) is taken, keeping what it applies
// unchecked; a deleted invoice's part no longer counts, as QuickBooks
// unlinks a deleted transaction's payments, and is unused again from the
// delete on.
func TestAPaymentOutlivesWhatItPaid(t *testing.T) {
	type kept struct {
		Memo, Unused string
		Applied      int
	}
	for _, c := range []struct {
		name, method, path string
		want               kept
	}{
		{"deleted", "DELETE", "invoices/" + demoInvoice, kept{"x", "699.00", 0}},
		{"voided", "POST", "invoices/" + demoInvoice + "/void", kept{"x", "599.00", 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := demoBooks(t)
			p := b.ok("POST", "receive-payments", receive(demoCustomer, "699.00", entry(demoInvoice, "100.00")))
			b.ok(c.method, c.path, "")
			now := b.ok("GET", "receive-payments/"+p["id"].(string), "")
			unlinked := kept{"<nil>", fmt.Sprint(now["unusedPayment"]), len(now["appliedToTransactions"].([]any))}
			if diff := cmp.Diff(kept{"<nil>", c.want.Unused, c.want.Applied}, unlinked); diff != "" {
				t.Errorf("payment once its invoice was %s (-want +got):\n%s", c.name, diff)
			}
			u := b.ok("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"memo":"x"}`, now["revisionNumber"]))
			got := kept{fmt.Sprint(u["memo"]), fmt.Sprint(u["unusedPayment"]), len(u["appliedToTransactions"].([]any))}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("payment after its invoice was %s (-want +got):\n%s", c.name, diff)
			}
		})
	}
}

// TestAPendingInvoiceIsNotOwed: a pending invoice (isPending) posts to no
// register, so it is not in its customer's balance, a payment applied to
// it is refused as to one QuickBooks cannot find (3140, saying why), and
// isAutoApply passes it by, even when its total is the payment's.
func TestAPendingInvoiceIsNotOwed(t *testing.T) {
	b := demoBooks(t)
	balance := func() string {
		c := b.ok("GET", "customers/"+demoGlobex, "")
		return fmt.Sprint(c["balance"], " ", c["totalBalance"])
	}
	before := balance()
	pending := b.ok("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","isPending":true,"lines":[{"itemId":%q,"quantity":1,"rate":"1000.00"}]}`, demoGlobex, demoItem))
	if diff := cmp.Diff(before, balance()); diff != "" {
		t.Errorf("Globex's balance after a pending invoice (-before +after):\n%s", diff)
	}
	refused(t, b.do("POST", "receive-payments", receive(demoGlobex, "10.00", entry(pending["id"].(string), "10.00"))), "3140", "pending", "applyToTransactions.0.transactionId")
	auto := b.ok("POST", "receive-payments", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","totalAmount":"1000.00","isAutoApply":true}`, demoGlobex))
	var to []string
	for _, a := range auto["appliedToTransactions"].([]any) {
		to = append(to, a.(map[string]any)["transactionId"].(string))
	}
	if diff := cmp.Diff([]string{demoInvoice2}, to); diff != "" {
		t.Errorf("isAutoApply applied to (-want +got):\n%s", diff)
	}
}

// TestARefusedPaymentUpdateChangesNothing: an update of a payment to
// apply to a second invoice too, refused past Options.MaxObjectBytes at
// any step (the payment, either invoice), leaves the payment and both
// invoices as they were.
func TestARefusedPaymentUpdateChangesNothing(t *testing.T) {
	type kept struct {
		Payment, First, Other string
	}
	// try sets up a fake of budget bytes with a new invoice of Acme and
	// a payment of it, and updates the payment to pay INV-1001 too (the
	// invoices are stored in the order of their ids, the new one first,
	// so that INV-1001 can be refused after the new one was stored); ok
	// is false when the setup does not fit.
	try := func(budget int) (ok bool, status int, before, after kept) {
		srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true, MaxObjectBytes: budget, Fixtures: testEndUsers})
		if err != nil {
			return false, 0, before, after
		}
		defer srv.Close()
		b := books{t, srv}
		second := b.do("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-02","lines":[{"itemId":%q,"quantity":1,"rate":"50.00"}]}`, demoCustomer, demoItem))
		if second.status != http.StatusOK {
			return false, 0, before, after
		}
		secondID := decodeObject(t, second)["id"].(string)
		r := b.do("POST", "receive-payments", receive(demoCustomer, "699.00", entry(secondID, "50.00")))
		if r.status != http.StatusOK {
			return false, 0, before, after
		}
		p := decodeObject(t, r)
		read := func() kept {
			get := func(path string) string { return fmt.Sprint(b.ok("GET", path, "")) }
			return kept{get("receive-payments/" + p["id"].(string)), get("invoices/" + demoInvoice), get("invoices/" + secondID)}
		}
		before = read()
		u := b.do("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"applyToTransactions":[%s,%s]}`, p["revisionNumber"], entry(secondID, "50.00"), entry(demoInvoice, "100.00")))
		return true, u.status, before, read()
	}
	lo, hi := 1, 1<<22
	for lo < hi {
		m := (lo + hi) / 2
		if ok, _, _, _ := try(m); ok {
			hi = m
		} else {
			lo = m + 1
		}
	}
	refusals := 0
	for budget := lo; budget < lo+1500; budget += 8 {
		ok, status, before, after := try(budget)
		if !ok || status == http.StatusOK {
			continue
		}
		refusals++
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("MaxObjectBytes %d: update refused (%d), yet the books changed (-before +after):\n%s", budget, status, diff)
		}
	}
	if refusals == 0 {
		t.Fatal("no budget refused the update")
	}
}
