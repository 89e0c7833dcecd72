package conductortest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The demo's other invoices: INV-1002 (Globex, 5 × 150.00 + 99.00) and
// INV-1003 (Initech).
const (
	demoGlobex   = "80000002-1700000002"
	demoInvoice2 = "80000101-1700000101"
)

// books is a demo fake and the requests the payment tests make of it.
type books struct {
	t   *testing.T
	srv *conductortest.Server
}

func demoBooks(t *testing.T) books {
	return books{t, newServer(t, conductortest.Options{Demo: true})}
}

// do sends a request as the demo end-user and returns the answer.
func (b books) do(method, path, body string) rawResponse {
	b.t.Helper()
	return send(b.t, b.srv, method, "/quickbooks-desktop/"+path, qbdHeader(b.srv, conductortest.DemoEndUserID), body)
}

// ok is do for a request that must be answered 200, decoded.
func (b books) ok(method, path, body string) map[string]any {
	b.t.Helper()
	return decodeObject(b.t, b.do(method, path, body))
}

// paid is what is left to pay of a transaction and whether it is paid.
type paid struct {
	Balance string
	IsPaid  any
}

func (b books) invoice(id string) paid {
	b.t.Helper()
	v := b.ok("GET", "invoices/"+id, "")
	return paid{fmt.Sprint(v["balanceRemaining"]), v["isPaid"]}
}

func (b books) bill(id string) paid {
	b.t.Helper()
	v := b.ok("GET", "bills/"+id, "")
	return paid{fmt.Sprint(v["openAmount"]), v["isPaid"]}
}

// receive is a receive-payment's body: the customer, the total, and the
// applyToTransactions entries, each a JSON object's members.
func receive(customer, total string, entries ...string) string {
	return fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","totalAmount":%q,"applyToTransactions":[%s]}`, customer, total, join(entries))
}

// entry is an applyToTransactions entry paying amount of transaction id.
func entry(id, amount string) string {
	return fmt.Sprintf(`{"transactionId":%q,"paymentAmount":%q}`, id, amount)
}

func join(entries []string) string { return strings.Join(entries, ",") }

// refused checks that r is a refusal of type and integrationCode whose
// message contains each of words.
func refused(t *testing.T, r rawResponse, integrationCode string, words ...string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, body %s; want 400", r.status, r.body)
	}
	env := decodeEnvelope(t, r)
	code := ""
	if env.Error.IntegrationCode != nil {
		code = *env.Error.IntegrationCode
	}
	if code != integrationCode {
		t.Errorf("integrationCode %q; want %q (%s)", code, integrationCode, env.Error.Message)
	}
	for _, w := range words {
		if !strings.Contains(env.Error.Message, w) {
			t.Errorf("message %q lacks %q", env.Error.Message, w)
		}
	}
}

// TestTakingBackAPaymentRestoresWhatItPaid: deleting a receive-payment
// (the API has no void of one) gives its invoices back what it applied, and updating
// one takes back what it applied before applying what it applies now, as
// QuickBooks does; the invoice's isPaid follows.
func TestTakingBackAPaymentRestoresWhatItPaid(t *testing.T) {
	b := demoBooks(t)
	unpaid, settled := paid{"699.00", false}, paid{"0.00", true}

	p := b.ok("POST", "receive-payments", receive(demoCustomer, "699.00", entry(demoInvoice, "699.00")))
	if diff := cmp.Diff(settled, b.invoice(demoInvoice)); diff != "" {
		t.Fatalf("paid in full (-want +got):\n%s", diff)
	}
	b.ok("DELETE", "receive-payments/"+p["id"].(string), "")
	if diff := cmp.Diff(unpaid, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("its payment deleted (-want +got):\n%s", diff)
	}

	p = b.ok("POST", "receive-payments", receive(demoCustomer, "100.00", entry(demoInvoice, "100.00")))
	p = b.ok("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"totalAmount":"10.00","applyToTransactions":[%s]}`, p["revisionNumber"], entry(demoInvoice, "10.00")))
	if diff := cmp.Diff(paid{"689.00", false}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("its payment of 100.00 updated to 10.00 (-want +got):\n%s", diff)
	}
	// Moved to another of the customer's invoices: the first gets its
	// 10.00 back.
	second := b.ok("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-02","lines":[{"itemId":%q,"quantity":1,"rate":"50.00"}]}`, demoCustomer, demoItem))
	b.ok("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"applyToTransactions":[%s]}`, p["revisionNumber"], entry(second["id"].(string), "10.00")))
	if diff := cmp.Diff([]paid{unpaid, {"40.00", false}}, []paid{b.invoice(demoInvoice), b.invoice(second["id"].(string))}); diff != "" {
		t.Errorf("its payment moved to another invoice (-want +got):\n%s", diff)
	}
	// An update that does not name its applications keeps them.
	p = b.ok("GET", "receive-payments/"+p["id"].(string), "")
	b.ok("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"memo":"kept"}`, p["revisionNumber"]))
	if diff := cmp.Diff(paid{"40.00", false}, b.invoice(second["id"].(string))); diff != "" {
		t.Errorf("its payment's memo updated (-want +got):\n%s", diff)
	}
}

// newBill creates a vendor, a bank account and a bill of 350.00 for the
// vendor, and returns the vendor's, the account's and the bill's ids.
func (b books) newBill(vendorName string) (vendor, bank, bill string) {
	b.t.Helper()
	vendor = b.ok("POST", "vendors", fmt.Sprintf(`{"name":%q}`, vendorName))["id"].(string)
	bank = b.ok("POST", "accounts", fmt.Sprintf(`{"name":"Checking %s","accountType":"bank"}`, vendorName))["id"].(string)
	rent := b.ok("POST", "accounts", fmt.Sprintf(`{"name":"Rent %s","accountType":"expense"}`, vendorName))["id"].(string)
	bill = b.ok("POST", "bills", fmt.Sprintf(`{"vendorId":%q,"transactionDate":"2024-11-01","expenseLines":[{"accountId":%q,"amount":"350.00"}]}`, vendor, rent))["id"].(string)
	return vendor, bank, bill
}

// TestTakingBackABillPaymentRestoresTheBill: a bill check or credit-card
// payment deleted, voided or updated gives its bills back what it paid.
func TestTakingBackABillPaymentRestoresTheBill(t *testing.T) {
	b := demoBooks(t)
	vendor, bank, bill := b.newBill("Initrode")
	card := b.ok("POST", "accounts", `{"name":"Visa","accountType":"credit_card"}`)["id"].(string)
	check := func(amount string) string {
		return fmt.Sprintf(`{"vendorId":%q,"bankAccountId":%q,"transactionDate":"2024-11-01","applyToTransactions":[%s]}`, vendor, bank, entry(bill, amount))
	}
	p := b.ok("POST", "bill-check-payments", check("350.00"))
	if diff := cmp.Diff(paid{"0.00", true}, b.bill(bill)); diff != "" {
		t.Fatalf("paid in full (-want +got):\n%s", diff)
	}
	if p["amount"] != "350.00" {
		t.Errorf("the check's amount %v; want what it pays, 350.00", p["amount"])
	}
	b.ok("DELETE", "bill-check-payments/"+p["id"].(string), "")
	if diff := cmp.Diff(paid{"350.00", false}, b.bill(bill)); diff != "" {
		t.Errorf("its check deleted (-want +got):\n%s", diff)
	}
	p = b.ok("POST", "bill-check-payments", check("300.00"))
	b.ok("POST", "bill-check-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"applyToTransactions":[%s]}`, p["revisionNumber"], entry(bill, "30.00")))
	if diff := cmp.Diff(paid{"320.00", false}, b.bill(bill)); diff != "" {
		t.Errorf("its check updated from 300.00 to 30.00 (-want +got):\n%s", diff)
	}
	b.ok("POST", "bill-check-payments/"+p["id"].(string)+"/void", "")
	cc := b.ok("POST", "bill-credit-card-payments", fmt.Sprintf(`{"vendorId":%q,"creditCardAccountId":%q,"transactionDate":"2024-11-01","applyToTransactions":[%s]}`, vendor, card, entry(bill, "350.00")))
	if diff := cmp.Diff(paid{"0.00", true}, b.bill(bill)); diff != "" {
		t.Errorf("its check voided, then paid by card (-want +got):\n%s", diff)
	}
	b.ok("POST", "bill-credit-card-payments/"+cc["id"].(string)+"/void", "")
	if diff := cmp.Diff(paid{"350.00", false}, b.bill(bill)); diff != "" {
		t.Errorf("its card payment voided (-want +got):\n%s", diff)
	}
}

// TestIsPaidFollowsTheBalance: an invoice's isPaid is true exactly when
// nothing is left to pay, after every write: new lines keep what was
// paid (balanceRemaining is the new total less it); a voided invoice has
// nothing left to pay and reads as paid, so that not_paid leaves it out.
func TestIsPaidFollowsTheBalance(t *testing.T) {
	b := demoBooks(t)
	b.ok("POST", "receive-payments", receive(demoCustomer, "699.00", entry(demoInvoice, "699.00")))
	relined := func(rate string) rawResponse {
		v := b.ok("GET", "invoices/"+demoInvoice, "")
		return b.do("POST", "invoices/"+demoInvoice, fmt.Sprintf(`{"revisionNumber":%q,"lines":[{"id":"-1","itemId":%q,"quantity":1,"rate":%q}]}`, v["revisionNumber"], demoItem, rate))
	}
	u := decodeObject(t, relined("709.00"))
	if diff := cmp.Diff(paid{"10.00", false}, paid{fmt.Sprint(u["balanceRemaining"]), u["isPaid"]}); diff != "" {
		t.Errorf("a paid invoice's total raised by 10.00 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(paid{"10.00", false}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("the invoice read back (-want +got):\n%s", diff)
	}
	refused(t, relined("600.00"), "3180", "600.00", "699.00 already applied")
	if diff := cmp.Diff(paid{"10.00", false}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("after the refusal (-want +got):\n%s", diff)
	}

	v := b.ok("POST", "invoices/"+demoInvoice2+"/void", "")
	if v["voided"] != true {
		t.Fatalf("void answered %v", v)
	}
	if diff := cmp.Diff(paid{"0.00", true}, b.invoice(demoInvoice2)); diff != "" {
		t.Errorf("a voided invoice (-want +got):\n%s", diff)
	}
	list := b.ok("GET", "invoices?paymentStatus=not_paid", "")
	var refs []any
	for _, inv := range list["data"].([]any) {
		refs = append(refs, inv.(map[string]any)["refNumber"])
	}
	if diff := cmp.Diff([]any{"INV-1001", "INV-1003"}, refs); diff != "" {
		t.Errorf("invoices not paid (-want +got):\n%s", diff)
	}
}

// TestPaymentsQuickBooksRefuses: what the spec says QuickBooks refuses of
// a payment is refused, with the error it names, and changes nothing.
func TestPaymentsQuickBooksRefuses(t *testing.T) {
	b := demoBooks(t)
	paidOff := b.ok("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-02","lines":[{"itemId":%q,"quantity":1,"rate":"5.00"}]}`, demoCustomer, demoItem))["id"].(string)
	b.ok("POST", "receive-payments", receive(demoCustomer, "5.00", entry(paidOff, "5.00")))
	vendorA, bank, billA := b.newBill("Initrode")
	vendorB, _, _ := b.newBill("Umbrella")
	_ = vendorA
	invalidRequest := ""
	for _, c := range []struct {
		name, path, body, code string
		words                  []string
	}{
		{"paymentAmounts over the totalAmount", "receive-payments", receive(demoCustomer, "1.00", entry(demoInvoice, "699.00")), "3180",
			[]string{"add up to 699.00, more than the totalAmount 1.00"}},
		{"an invoice already paid", "receive-payments", receive(demoCustomer, "5.00", entry(paidOff, "5.00")), "3140",
			[]string{paidOff, "(applyToTransactions.0.transactionId)", "isPaid is true"}},
		{"another customer's invoice", "receive-payments", receive(demoCustomer, "10.00", entry(demoInvoice2, "10.00")), "3140",
			[]string{demoInvoice2, "not of this ReceivePayment's customer"}},
		{"another vendor's bill", "bill-check-payments", fmt.Sprintf(`{"vendorId":%q,"bankAccountId":%q,"transactionDate":"2024-11-01","applyToTransactions":[%s]}`, vendorB, bank, entry(billA, "1.00")), "3140",
			[]string{billA, "not of this BillCheckPayment's vendor"}},
		{"an empty transaction", "receive-payments", receive(demoCustomer, "10.00", fmt.Sprintf(`{"transactionId":%q}`, demoInvoice)), "3180",
			[]string{"applyToTransactions.0 is an empty transaction"}},
		{"isAutoApply with applyToTransactions", "receive-payments", strings.Replace(receive(demoCustomer, "10.00", entry(demoInvoice, "10.00")), "{", `{"isAutoApply":true,`, 1), invalidRequest,
			[]string{"never both"}},
		{"a negative paymentAmount", "receive-payments", receive(demoCustomer, "10.00", entry(demoInvoice, "-500.00")), invalidRequest,
			[]string{"applyToTransactions.0.paymentAmount: must not be negative"}},
		{"more than is left to pay", "receive-payments", receive(demoCustomer, "800.00", entry(demoInvoice, "700.00")), "3180",
			[]string{"applies 700.00", "only 699.00 left to pay"}},
		{"more than is left, in two entries", "receive-payments", receive(demoCustomer, "800.00", entry(demoInvoice, "400.00"), entry(demoInvoice, "300.00")), "3180",
			[]string{"applies 700.00", "only 699.00 left to pay"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(t, b.do("POST", c.path, c.body), c.code, c.words...)
		})
	}
	if diff := cmp.Diff([]paid{{"699.00", false}, {"849.00", false}, {"0.00", true}}, []paid{b.invoice(demoInvoice), b.invoice(demoInvoice2), b.invoice(paidOff)}); diff != "" {
		t.Errorf("the invoices after the refusals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(paid{"350.00", false}, b.bill(billA)); diff != "" {
		t.Errorf("the bill after the refusals (-want +got):\n%s", diff)
	}
	// The same invoice twice in one payment is paid their sum.
	b.ok("POST", "receive-payments", receive(demoCustomer, "100.00", entry(demoInvoice, "50.00"), entry(demoInvoice, "50.00")))
	if diff := cmp.Diff(paid{"599.00", false}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("paid 50.00 twice in one payment (-want +got):\n%s", diff)
	}
}

// TestDiscountsAutoApplyAndLinks: a discount lowers the invoice's balance
// as a payment does; the payment shows what it applied, and the invoice
// the payment among its linked transactions (in a list, with
// includeLinkedTransactions=true); isAutoApply applies the payment to the
// customer's open invoice of exactly its amount, else to its open
// invoices oldest first.
func TestDiscountsAutoApplyAndLinks(t *testing.T) {
	b := demoBooks(t)
	p := b.ok("POST", "receive-payments", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","refNumber":"PMT-1","totalAmount":"600.00","applyToTransactions":[{"transactionId":%q,"paymentAmount":"600.00","discountAmount":"99.00"}]}`, demoCustomer, demoInvoice))
	if diff := cmp.Diff(paid{"0.00", true}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("paid 600.00 with a discount of 99.00 (-want +got):\n%s", diff)
	}
	applied := p["appliedToTransactions"].([]any)[0].(map[string]any)
	want := map[string]any{"transactionId": demoInvoice, "transactionType": "invoice", "transactionDate": "2024-10-01", "refNumber": "INV-1001",
		"balanceRemaining": "0.00", "amount": "600.00", "discountAmount": "99.00"}
	for k := range applied {
		if want[k] == nil {
			delete(applied, k)
		}
	}
	if diff := cmp.Diff(want, applied); diff != "" {
		t.Errorf("the payment's appliedToTransactions (-want +got):\n%s", diff)
	}
	if p["unusedPayment"] != "0.00" {
		t.Errorf("unusedPayment %v; want 0.00", p["unusedPayment"])
	}
	link := []any{map[string]any{"id": p["id"], "objectType": "qbd_linked_transaction", "transactionType": "receive_payment", "transactionDate": "2024-11-01",
		"refNumber": "PMT-1", "linkType": "amount", "amount": "699.00"}}
	if diff := cmp.Diff(link, b.ok("GET", "invoices/"+demoInvoice, "")["linkedTransactions"]); diff != "" {
		t.Errorf("the invoice's linked transactions (-want +got):\n%s", diff)
	}
	listed := func(query string) any {
		for _, inv := range b.ok("GET", "invoices?"+query, "")["data"].([]any) {
			if inv := inv.(map[string]any); inv["id"] == demoInvoice {
				return inv["linkedTransactions"]
			}
		}
		return nil
	}
	if diff := cmp.Diff(link, listed("includeLinkedTransactions=true")); diff != "" {
		t.Errorf("listed with includeLinkedTransactions=true (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{}, listed("")); diff != "" {
		t.Errorf("listed without includeLinkedTransactions (-want +got):\n%s", diff)
	}
	b.ok("DELETE", "receive-payments/"+p["id"].(string), "")
	if diff := cmp.Diff([]any{}, b.ok("GET", "invoices/"+demoInvoice, "")["linkedTransactions"]); diff != "" {
		t.Errorf("the payment deleted, the invoice's linked transactions (-want +got):\n%s", diff)
	}

	older := b.ok("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-09-01","lines":[{"itemId":%q,"quantity":1,"rate":"50.00"}]}`, demoCustomer, demoItem))["id"].(string)
	auto := func(total string) map[string]any {
		return b.ok("POST", "receive-payments", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-11-01","totalAmount":%q,"isAutoApply":true}`, demoCustomer, total))
	}
	auto("699.00")
	if diff := cmp.Diff([]paid{{"0.00", true}, {"50.00", false}}, []paid{b.invoice(demoInvoice), b.invoice(older)}); diff != "" {
		t.Errorf("auto-applied 699.00, the amount of the newer invoice (-want +got):\n%s", diff)
	}
	b.ok("POST", "invoices", fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-12-01","lines":[{"itemId":%q,"quantity":1,"rate":"100.00"}]}`, demoCustomer, demoItem))
	p = auto("80.00")
	if diff := cmp.Diff(paid{"0.00", true}, b.invoice(older)); diff != "" {
		t.Errorf("auto-applied 80.00: the oldest invoice (-want +got):\n%s", diff)
	}
	var got []string
	for _, a := range p["appliedToTransactions"].([]any) {
		a := a.(map[string]any)
		got = append(got, fmt.Sprint(a["transactionDate"], " ", a["amount"], " ", a["balanceRemaining"]))
	}
	if diff := cmp.Diff([]string{"2024-09-01 50.00 0.00", "2024-12-01 30.00 70.00"}, got); diff != "" {
		t.Errorf("auto-applied 80.00, oldest first (-want +got):\n%s", diff)
	}
}

// TestAFixtureWhoseIsPaidContradictsItsBalanceIsRefused: QuickBooks keeps
// isPaid with the balance, so fixtures cannot set them apart.
func TestAFixtureWhoseIsPaidContradictsItsBalanceIsRefused(t *testing.T) {
	_, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{
			"invoices": {{"transactionDate": "2024-10-01", "subtotal": "10.00", "balanceRemaining": "10.00", "isPaid": true}},
		}}}}})
	want := "conductortest: fixtures: endUsers[0] (end_usr_a): qbd.invoices[0]: isPaid: is true, but what is left to pay (balanceRemaining, openAmount or amountDue) says false: QuickBooks keeps isPaid true exactly when nothing is left to pay."
	if err == nil || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
}

// TestNewLinesOnAPaidInvoice: an update that keeps an invoice's lines by
// their ids and adds one with the id -1, as the spec says to, keeps the
// lines it names as they were, gives the new one an id of its own, and
// keeps what was paid: the paid invoice owes the new line's amount.
func TestNewLinesOnAPaidInvoice(t *testing.T) {
	b := demoBooks(t)
	b.ok("POST", "receive-payments", receive(demoCustomer, "699.00", entry(demoInvoice, "699.00")))
	v := b.ok("GET", "invoices/"+demoInvoice, "")
	ls := v["lines"].([]any)
	first, second := ls[0].(map[string]any), ls[1].(map[string]any)
	u := b.ok("POST", "invoices/"+demoInvoice, fmt.Sprintf(`{"revisionNumber":%q,"lines":[{"id":%q},{"id":%q,"quantity":2},{"id":"-1","itemId":%q,"quantity":1,"rate":"10.00"}]}`,
		v["revisionNumber"], first["id"], second["id"], demoItem))
	type line struct{ ID, Description, Amount any }
	var got []line
	for _, l := range u["lines"].([]any) {
		l := l.(map[string]any)
		got = append(got, line{l["id"], l["description"], l["amount"]})
	}
	newID := got[2].ID
	if newID == "-1" || newID == first["id"] || newID == second["id"] || newID == nil {
		t.Errorf("the new line's id is %v; want one of its own", newID)
	}
	want := []line{{first["id"], "Consulting, October", "600.00"}, {second["id"], "Support plan", "198.00"}, {newID, nil, "10.00"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"808.00", "109.00", false}, []any{u["subtotal"], u["balanceRemaining"], u["isPaid"]}); diff != "" {
		t.Errorf("subtotal, balanceRemaining, isPaid (-want +got):\n%s", diff)
	}
}

// TestAPaymentOfAVoidedInvoiceTakenBack: voiding an invoice zeroes it;
// the payment that had paid it can no longer pay it, and deleting the
// payment leaves it at zero, never owing more than it came to.
func TestAPaymentOfAVoidedInvoiceTakenBack(t *testing.T) {
	b := demoBooks(t)
	p := b.ok("POST", "receive-payments", receive(demoCustomer, "100.00", entry(demoInvoice, "100.00")))
	b.ok("POST", "invoices/"+demoInvoice+"/void", "")
	r := b.do("POST", "receive-payments/"+p["id"].(string), fmt.Sprintf(`{"revisionNumber":%q,"applyToTransactions":[%s]}`, p["revisionNumber"], entry(demoInvoice, "50.00")))
	refused(t, r, "3140", "isPaid is true")
	b.ok("DELETE", "receive-payments/"+p["id"].(string), "")
	if diff := cmp.Diff(paid{"0.00", true}, b.invoice(demoInvoice)); diff != "" {
		t.Errorf("voided, then its payment deleted (-want +got):\n%s", diff)
	}
}
