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
	h := authorized(srv)
	h.Set("Conductor-End-User-Id", "end_usr_a")
	return h
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
	big := `{"amount":"7777777777777.77"}`
	tests := []struct {
		name, lines  string
		wantLines    []string
		wantSubtotal string
	}{
		{"large amounts summed", strings.Repeat(big+",", 4) + big,
			[]string{"7777777777777.77", "7777777777777.77", "7777777777777.77", "7777777777777.77", "7777777777777.77"}, "38888888888888.85"},
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
	const amount = `lines.0.amount: must be a decimal number as a string, with up to 13 digits before the point and up to 2 after it and no exponent, such as "-1234.50".`
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
