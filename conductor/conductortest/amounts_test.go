package conductortest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// asEndUserA is the headers of a call for end_usr_a of a fake from
// connected.
func asEndUserA(srv *conductortest.Server) http.Header {
	return qbdHeader(srv, "end_usr_a")
}

// decodeObject decodes a 200 answer, failing the test on any other.
func decodeObject(t *testing.T, r rawResponse) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s; want 200", r.status, r.body)
	}
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAmountsAreExact: a line's amount is its quantity times its rate and
// an invoice's subtotal the sum of its lines', both exact and rounded to
// cents half away from zero, as QuickBooks does; float64 arithmetic gets
// every case here wrong by a cent.
func TestAmountsAreExact(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := asEndUserA(srv)
	customer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", h, `{"name":"Globex"}`))
	big := `{"amount":"1999999999999.99"}`
	tests := []struct {
		name, lines  string
		wantLines    []string
		wantSubtotal string
	}{
		{"large amounts summed", strings.Repeat(big+",", 4) + big,
			[]string{"1999999999999.99", "1999999999999.99", "1999999999999.99", "1999999999999.99", "1999999999999.99"}, "9999999999999.95"},
		{"a half cent rounds up", `{"quantity":1,"rate":"1.005"},{"quantity":3,"rate":"0.125"}`, []string{"1.01", "0.38"}, "1.39"},
		{"fractional quantities, as written", `{"quantity":2.5,"rate":"10.01"},{"quantity":1.005,"rate":"1"}`, []string{"25.03", "1.01"}, "26.04"},
		{"a negative rate rounds away from zero", `{"quantity":1,"rate":"-0.125"},{"quantity":1,"rate":"1"}`, []string{"-0.13", "1.00"}, "0.87"},
		{"large rate and quantity", `{"quantity":999,"rate":"9999999999.99999"}`, []string{"9989999999999.99"}, "9989999999999.99"},
		{"a given amount wins over the rate", `{"quantity":3,"rate":"5.00","amount":"12.50"}`, []string{"12.50"}, "12.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", h,
				`{"customerId":"`+customer["id"].(string)+`","transactionDate":"2024-10-01","lines":[`+tt.lines+`]}`))
			var lines []string
			for _, l := range inv["lines"].([]any) {
				lines = append(lines, l.(map[string]any)["amount"].(string))
			}
			if diff := cmp.Diff(tt.wantLines, lines); diff != "" {
				t.Errorf("line amounts (-want +got):\n%s", diff)
			}
			got := map[string]any{"subtotal": inv["subtotal"], "balanceRemaining": inv["balanceRemaining"]}
			if diff := cmp.Diff(map[string]any{"subtotal": tt.wantSubtotal, "balanceRemaining": tt.wantSubtotal}, got); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTotalsGivenAreKept: a total an object is given (a fixture of a
// paid invoice) is kept, and only the totals it lacks are its lines' sum.
func TestTotalsGivenAreKept(t *testing.T) {
	srv := newServer(t, conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true,
		QBD: map[string][]map[string]any{"invoices": {{
			"id": "80000001-1700000000", "transactionDate": "2024-10-01", "balanceRemaining": "0.00",
			"lines": []any{map[string]any{"quantity": 2, "rate": "150.00"}},
		}}},
	}}}})
	inv, err := client(t, srv).QBD.Invoices.Retrieve(context.Background(), "end_usr_a", "80000001-1700000000")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"subtotal": inv.Subtotal, "balanceRemaining": *inv.BalanceRemaining}
	if diff := cmp.Diff(map[string]string{"subtotal": "300.00", "balanceRemaining": "0.00"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAmountsThatAreNotDecimalsAreRefused: an amount, a rate or a filter
// by amount must be a plain decimal number in the format the spec gives
// for the field; anything else is a 400 naming the field and saying what
// is allowed, before the fake changes anything.
func TestAmountsThatAreNotDecimalsAreRefused(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := asEndUserA(srv)
	customer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", h, `{"name":"Globex"}`))
	invoice := func(line string) string {
		return `{"customerId":"` + customer["id"].(string) + `","transactionDate":"2024-10-01","lines":[` + line + `]}`
	}
	const rate = `lines.0.rate: must be a decimal number as a string, with up to 10 digits before the point and up to 5 after it and no exponent, such as "-1234.50".`
	const amount = `lines.0.amount: must be a decimal number as a string, with up to 13 digits before the point and, if it has cents, exactly 2 after it, and no exponent, such as "-1234.50".`
	for _, bad := range []string{"NaN", "Infinity", "-Inf", "0x1p4", "1e3", "+5", ".5", "5.", " 5", "5 ", "1,000.00", "", "-", "12345678901", "1.123456", "١٢"} {
		t.Run("rate "+bad, func(t *testing.T) {
			r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, invoice(`{"quantity":1,"rate":`+strconvQuote(bad)+`}`))
			if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != rate {
				t.Errorf("status %d, message %q; want 400, %q", r.status, env.Error.Message, rate)
			}
		})
	}
	for _, bad := range []string{"1.005", "12345678901234.57", "NaN"} {
		t.Run("amount "+bad, func(t *testing.T) {
			r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, invoice(`{"amount":`+strconvQuote(bad)+`}`))
			if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != amount {
				t.Errorf("status %d, message %q; want 400, %q", r.status, env.Error.Message, amount)
			}
		})
	}
	for _, good := range []string{"-5", "0", "007.5", "1234567890.12345"} {
		decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", h, invoice(`{"quantity":1,"rate":`+strconvQuote(good)+`}`)))
	}
	r := send(t, srv, "GET", "/quickbooks-desktop/customers?totalBalance=NaN", h, "")
	if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || !strings.HasPrefix(env.Error.Message, "totalBalance: must be a decimal number as a string") {
		t.Errorf("totalBalance=NaN: status %d, message %q; want 400 naming totalBalance", r.status, env.Error.Message)
	}
	page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices", h, ""))
	if n := len(page["data"].([]any)); n != 4 {
		t.Errorf("the fake holds %d invoices; want the 4 good ones", n)
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestNumbersOutOfRange: 1e400 is valid JSON; where the field takes a
// number it is refused as out of range, where it takes something else as
// the wrong type, never as invalid JSON. A query number is a JSON number:
// NaN, Infinity and hexadecimal are not numbers.
func TestNumbersOutOfRange(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := asEndUserA(srv)
	customer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", h, `{"name":"Globex"}`))
	body := func(extra string) string {
		return `{"customerId":"` + customer["id"].(string) + `","transactionDate":"2024-10-01"` + extra + `}`
	}
	tests := []struct{ name, method, path, body, want string }{
		{"a number field", "POST", "/quickbooks-desktop/invoices", body(`,"lines":[{"quantity":1e400,"rate":"1.00"}]`), "lines.0.quantity: the number is out of range; a number must be at most 1.7976931348623157e+308 in size."},
		{"a negative one", "POST", "/quickbooks-desktop/invoices", body(`,"lines":[{"quantity":-1e400}]`), "lines.0.quantity: the number is out of range; a number must be at most 1.7976931348623157e+308 in size."},
		{"a string field", "POST", "/quickbooks-desktop/invoices", body(`,"memo":1e400`), "memo: must be a string."},
		{"a bounded number", "POST", "/auth-sessions", `{"publishableKey":"` + srv.PublishableKey + `","endUserId":"end_usr_a","linkExpiryMins":1e400}`, "linkExpiryMins: "},
		{"a query number", "GET", "/quickbooks-desktop/customers?limit=1e400", "", "limit: the number is out of range."},
		{"NaN", "GET", "/quickbooks-desktop/customers?limit=NaN", "", `limit: must be a number; got "NaN".`},
		{"Infinity", "GET", "/quickbooks-desktop/customers?limit=Infinity", "", `limit: must be a number; got "Infinity".`},
		{"hexadecimal", "GET", "/quickbooks-desktop/customers?limit=0x10", "", `limit: must be a number; got "0x10".`},
		{"a trailing space", "GET", "/quickbooks-desktop/customers?limit=10%20", "", `limit: must be a number; got "10 ".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, tt.method, tt.path, h, tt.body)
			env := decodeEnvelope(t, r)
			if r.status != http.StatusBadRequest || !strings.HasPrefix(env.Error.Message, tt.want) || strings.Contains(env.Error.Message, "JSON") {
				t.Errorf("status %d, message %q; want 400 starting %q", r.status, env.Error.Message, tt.want)
			}
		})
	}
	// A number too small for a float64 is zero, as JSON decoders read it.
	inv := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", h, body(`,"lines":[{"quantity":1e-400,"rate":"5.00"}]`)))
	if inv["subtotal"] != "0.00" {
		t.Errorf("subtotal of a line of quantity 1e-400: %v; want 0.00", inv["subtotal"])
	}
}

// TestComputedAmountsOutOfRangeAreRefused: an amount the fake computes
// must fit the spec's format for an amount (at most 13 digits before the
// point), as QuickBooks refuses an amount beyond its limits: a line's
// quantity times its rate, and a total summed from lines, that do not fit
// are a 400 naming the field, and nothing is stored.
func TestComputedAmountsOutOfRangeAreRefused(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := asEndUserA(srv)
	customer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", h, `{"name":"Globex"}`))
	invoice := func(lines string) string {
		return `{"customerId":"` + customer["id"].(string) + `","transactionDate":"2024-10-01","lines":[` + lines + `]}`
	}
	const tooLarge = "; an amount has at most 13 digits before the point."
	tests := []struct{ name, lines, want string }{
		{"a huge quantity", `{"quantity":1e300,"rate":"9999999999"}`, "lines.0.amount: the computed amount (quantity times rate) is out of range" + tooLarge},
		{"just past the limit", `{"quantity":1},{"quantity":1001,"rate":"9999999999.99999"}`, "lines.1.amount: the computed amount (quantity times rate) is out of range" + tooLarge},
		{"a huge negative quantity", `{"quantity":-1e20,"rate":"1"}`, "lines.0.amount: the computed amount (quantity times rate) is out of range" + tooLarge},
		{"a sum of lines", `{"amount":"9999999999999.99"},{"amount":"0.01"}`, "subtotal: the sum of the lines' amounts is out of range" + tooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, invoice(tt.lines))
			if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != tt.want {
				t.Errorf("status %d, message %q; want 400, %q", r.status, env.Error.Message, tt.want)
			}
		})
	}
	inv := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", h, invoice(`{"amount":"9999999999999.98"},{"amount":"0.01"}`)))
	if inv["subtotal"] != "9999999999999.99" {
		t.Errorf("subtotal at the limit: %v; want 9999999999999.99", inv["subtotal"])
	}
	// An update that would put a total out of range is refused too, and
	// leaves the invoice as it was.
	r := send(t, srv, "POST", "/quickbooks-desktop/invoices/"+inv["id"].(string), h,
		`{"revisionNumber":"`+inv["revisionNumber"].(string)+`","lines":[{"id":"-1","quantity":1e15,"rate":"1"}]}`)
	if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || !strings.HasPrefix(env.Error.Message, "lines.0.amount: the computed amount") {
		t.Errorf("update: status %d, message %q; want 400 naming lines.0.amount", r.status, env.Error.Message)
	}
	page := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices", h, ""))
	if diff := cmp.Diff([]any{inv}, page["data"]); diff != "" {
		t.Errorf("invoices held (-want +got):\n%s", diff)
	}
}

// TestDecimalsComeBackInQuickBooksForm: an amount, rate or price a
// request gives in any form its format allows comes back as QuickBooks
// writes it: an amount with exactly two decimals, a rate or price with
// two to five, no leading zeros and no negative zero.
func TestDecimalsComeBackInQuickBooksForm(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := asEndUserA(srv)
	customer := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", h, `{"name":"Globex","creditLimit":"0100.5"}`))
	if customer["creditLimit"] != "100.50" {
		t.Errorf("creditLimit 0100.5 came back as %v; want 100.50", customer["creditLimit"])
	}
	lines := []string{
		`{"amount":"0000000000001.00"}`, `{"amount":"-0"}`, `{"amount":"00"}`, `{"amount":"-12.30"}`,
		`{"quantity":1,"rate":"007.5"}`, `{"quantity":1,"rate":"1.12300"}`, `{"quantity":1,"rate":"-0.00"}`, `{"quantity":1,"rate":"2.123456"}`,
	}
	body := `{"customerId":"` + customer["id"].(string) + `","transactionDate":"2024-10-01","lines":[` + strings.Join(lines[:7], ",") + `]}`
	inv := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", h, body))
	type line struct{ Rate, Amount any }
	var got []line
	for _, l := range inv["lines"].([]any) {
		l := l.(map[string]any)
		got = append(got, line{l["rate"], l["amount"]})
	}
	want := []line{
		{nil, "1.00"}, {nil, "0.00"}, {nil, "0.00"}, {nil, "-12.30"},
		{"7.50", "7.50"}, {"1.123", "1.12"}, {"0.00", "0.00"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if inv["subtotal"] != "-2.68" {
		t.Errorf("subtotal %v; want -2.68", inv["subtotal"])
	}
	// The form stored is the form every later answer gives.
	again := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices/"+inv["id"].(string), h, ""))
	if diff := cmp.Diff(inv, again); diff != "" {
		t.Errorf("retrieved (-created +retrieved):\n%s", diff)
	}
	// An amount with cents has exactly two decimals, as the spec says.
	for _, bad := range []string{"1.5", "00.5", "1.500"} {
		r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, `{"customerId":"`+customer["id"].(string)+`","transactionDate":"2024-10-01","lines":[{"amount":"`+bad+`"}]}`)
		if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || !strings.HasPrefix(env.Error.Message, "lines.0.amount: must be a decimal number as a string, with up to 13 digits before the point and, if it has cents, exactly 2 after it") {
			t.Errorf("amount %s: status %d, message %q; want 400 naming lines.0.amount", bad, r.status, env.Error.Message)
		}
	}
}

// TestFixtureDecimalsAreChecked: fixtures are held to the rules a request
// is: a decimal that is not one, or an amount computed out of range, is an
// error naming the fixture and the field, and a good one is kept in the
// form QuickBooks writes it.
func TestFixtureDecimalsAreChecked(t *testing.T) {
	fixture := func(invoice map[string]any) conductortest.Options {
		invoice["id"] = "80000001-1700000000"
		invoice["transactionDate"] = "2024-10-01"
		return conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
			ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"invoices": {invoice}},
		}}}}
	}
	const rateFormat = `must be a decimal number as a string, with up to 10 digits before the point and up to 5 after it and no exponent, such as "-1234.50"`
	tests := []struct {
		name    string
		invoice map[string]any
		want    string
	}{
		{"a rate NaN", map[string]any{"lines": []any{map[string]any{"quantity": 1, "rate": "NaN"}}},
			"conductortest: fixtures: endUsers[0] (end_usr_a): qbd.invoices[0]: lines.0.rate: " + rateFormat + "."},
		{"an amount with three decimals", map[string]any{"subtotal": "1.005"},
			"conductortest: fixtures: endUsers[0] (end_usr_a): qbd.invoices[0]: subtotal: must be a decimal number as a string, with up to 13 digits before the point and, if it has cents, exactly 2 after it, and no exponent, such as \"-1234.50\"."},
		{"an amount out of range", map[string]any{"lines": []any{map[string]any{"quantity": 1e300, "rate": "1"}}},
			"conductortest: fixtures: endUsers[0] (end_usr_a): qbd.invoices[0]: lines.0.amount: the computed amount (quantity times rate) is out of range; an amount has at most 13 digits before the point."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conductortest.NewServerWithOptions(fixture(tt.invoice))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v; want %q", err, tt.want)
			}
		})
	}
	srv := newServer(t, fixture(map[string]any{"balanceRemaining": "-0", "lines": []any{map[string]any{"quantity": 2, "rate": "1.5"}}}))
	inv := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices/80000001-1700000000", asEndUserA(srv), ""))
	got := map[string]any{"rate": inv["lines"].([]any)[0].(map[string]any)["rate"], "amount": inv["lines"].([]any)[0].(map[string]any)["amount"], "balanceRemaining": inv["balanceRemaining"], "subtotal": inv["subtotal"]}
	if diff := cmp.Diff(map[string]any{"rate": "1.50", "amount": "3.00", "balanceRemaining": "0.00", "subtotal": "3.00"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
