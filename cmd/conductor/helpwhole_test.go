package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestHelpIsWhole: an operation's --help gives the spec's descriptions
// whole (the paragraphs after the first sentence, lists, limits), with
// its links absolute, each value's type, and a body's fields down to the
// nested ones, each with its type and whether its object requires it.
func TestHelpIsWhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"qbd", "invoices", "list", "--help"}, []string{
			// A second and third paragraph.
			"\n  --ids ID,...\n      Filter for specific invoices by their QuickBooks-assigned unique\n      identifier(s).\n\n      IMPORTANT: If you include this parameter, QuickBooks will ignore all\n      other query parameters for this request.\n\n      NOTE: If any of the values you specify in this parameter are not found,\n      the request will return an error.\n\n      Type: array of string. Separate values with commas, or repeat the flag.\n",
			// A list, each item under its marker; the type read from the
			// forms the description lists.
			"\n      following ISO 8601 formats:\n      - date-only (YYYY-MM-DD) - QuickBooks Desktop interprets the date as the\n        start of the specified day",
			"\n      - datetime with timezone (YYYY-MM-DDTHH:mm:ss±HH:mm) - QuickBooks\n        Desktop interprets the timestamp using the specified timezone.\n      Type: date-time.\n",
			"\n      Type: date.\n",
			"\n  --updated-after DATE-TIME\n",
			"\n      Type: integer from 1 to 150. Default: 150.\n",
			"\n  --payment-status VALUE\n      Filter for invoices that are paid, not paid, or both.\n      Type: enum: all, paid, not_paid. Default: all.\n",
			"\n  --include-line-items[=false]\n      Whether to include line items in the response. Defaults to `true`.\n      Type: boolean. Default: true.\n",
		}},
		{[]string{"end-users", "passthrough", "--help"}, []string{
			"(https://docs.conductor.is/api-ref/missing-qbd-types).\n",
		}},
		{[]string{"qbd", "invoices", "create", "--help"}, []string{
			"\n  customerId: required string\n      The customer or customer-job associated with this invoice.",
			"\n  transactionDate: required date\n",
			"\n  lines: array of object\n",
			"\n  lines[].quantity: number\n",
			"\n  lines[].amount: decimal string\n",
			"\n  lines[].priceRuleConflictStrategy: enum: base_price, zero\n",
			"\n  lines[].linkToTransactionLine.transactionId: required string\n",
			"\n  lineGroups[].customFields[].name: required string\n",
			"\n  billingAddress: object\n      The invoice's billing address.\n",
			"\n  billingAddress.city: string\n      The city, district, suburb, town, or village name of the address.\n\n      Maximum length: 31 characters.\n",
			"\n  applyCredits[].appliedAmount: required decimal string\n",
			"\n  externalId: string (uuid)\n",
		}},
		// An enum too long for a line goes on indented past the
		// description; "required" comes first, where no value can be
		// taken for it.
		{[]string{"qbd", "accounts", "create", "--help"}, []string{
			"\n  accountType: required enum: accounts_payable, accounts_receivable,\n        bank, cost_of_goods_sold, credit_card,",
			"other_expense,\n        other_income\n      The classification of this account",
		}},
		{[]string{"qbd", "invoices", "update", "--help"}, []string{
			"\n  revisionNumber: required string\n",
			"\n  lines[].id: required string\n",
			"\n  billingAddress.city: string\n",
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, tt.args...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the help lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

// TestEveryHelpIsReadable asks every operation for its help: no relative
// link, no line wider than the help's width (unless it is one word), no
// Markdown bold, and a type for every flag.
func TestEveryHelpIsReadable(t *testing.T) {
	t.Parallel()
	root, err := loadTree()
	if err != nil {
		t.Fatal(err)
	}
	var visit func(n *node)
	visit = func(n *node) {
		if n.op == nil {
			for _, name := range n.names() {
				if len(n.words) == 0 && slices.ContainsFunc(handWritten, func(h handCommand) bool { return h.word == name }) {
					continue // its help is package flag's (TestHelpOnEveryCommand)
				}
				visit(n.children[name])
			}
			return
		}
		args := append(append([]string(nil), n.words...), "--help")
		r := runCmd(t, nil, args...)
		if r.code != exitOK {
			t.Errorf("%s: exit %d, stderr %q", n.name(), r.code, r.stderr)
			return
		}
		if strings.Contains(r.stdout, "](/") || strings.Contains(r.stdout, "**") {
			t.Errorf("%s --help has a relative link or Markdown bold:\n%s", n.name(), r.stdout)
		}
		for line := range strings.SplitSeq(r.stdout, "\n") {
			if len([]rune(line)) > helpWidth && strings.Contains(strings.TrimSpace(line), " ") && !strings.HasPrefix(line, "Usage:") {
				t.Errorf("%s --help has a line of %d columns:\n%s", n.name(), len([]rune(line)), line)
			}
		}
		flags := strings.Count(r.stdout, "\n  --")
		if types := strings.Count(r.stdout, "\n      Type: "); types != flags {
			t.Errorf("%s --help has %d flags but %d types:\n%s", n.name(), flags, types, r.stdout)
		}
	}
	visit(root)
}

func TestWrapText(t *testing.T) {
	t.Parallel()
	got := wrapText(helpText("First **bold** line, see [the guide](/guides/x).\n\nItems:\n- one two three four\n1. five six"), "    ", 20)
	want := "    First bold line,\n    see [the\n    guide](https://docs.conductor.is/guides/x).\n\n    Items:\n    - one two three\n      four\n    1. five six"
	if got != want {
		t.Errorf("wrapText:\n%s\nwant:\n%s", got, want)
	}
}

// TestErrorLinesHaveOnePrefix: a call that fails prints each line of its
// error with the command's prefix once; the library's own "conductor: "
// is not repeated after it.
func TestErrorLinesHaveOnePrefix(t *testing.T) {
	t.Parallel()
	closed := conductortest.NewServer()
	gone := closed.URL
	closed.Close() // nothing listens there any more
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data": [`))
	}))
	t.Cleanup(garbled.Close)
	for _, tt := range []struct{ name, url, want string }{
		{"nothing listens", gone, "conductor end-users list: GET /end-users failed after "},
		// Not "the API refused the call": it answered 200.
		{"a garbled answer", garbled.URL, "conductor end-users list: GET /end-users: 200: invalid response: unexpected end of JSON input\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_x", "CONDUCTOR_BASE_URL": tt.url}, "end-users", "list")
			if r.code != exitAPI || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tt.want)
			}
			for line := range strings.SplitSeq(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				if strings.HasPrefix(line, "  ") {
					continue // a detail of the line above (type:, code:, ...)
				}
				rest, ok := strings.CutPrefix(line, "conductor end-users list: ")
				if !ok || strings.HasPrefix(rest, "conductor") {
					t.Errorf("stderr line %q; want one prefix, conductor end-users list:", line)
				}
			}
		})
	}
}

// TestBooleanFlagValueAfterASpace: package flag takes a boolean's value
// only after =, so "--include-line-items no" sets it and leaves "no"
// over; the command says how to write it, as a usage error, and starts
// nothing.
func TestBooleanFlagValueAfterASpace(t *testing.T) {
	t.Parallel()
	list := []string{"qbd", "invoices", "list", "--end-user-id", demo}
	with := func(more ...string) []string { return append(append([]string(nil), list...), more...) }
	tests := []struct {
		args []string
		want string
	}{
		{with("--include-line-items", "no"), `unexpected argument "no"; a true/false flag takes its value after =, as --include-line-items=false` + "\n"},
		{with("--include-line-items", "false"), `unexpected argument "false"; a true/false flag takes its value after =, as --include-line-items=false` + "\n"},
		{with("--include-line-items", "true", "--limit", "5"), `unexpected argument "true"; a true/false flag takes its value after =, as --include-line-items=true` + "\n"},
		{with("--include-linked-transactions", "Yes"), `unexpected argument "Yes"; a true/false flag takes its value after =, as --include-linked-transactions=true` + "\n"},
		{with("--all", "off"), `unexpected argument "off"; a true/false flag takes its value after =, as --all=false` + "\n"},
		{[]string{"fake-server", "--demo", "no"}, `conductor fake-server: unexpected argument "no"; a true/false flag takes its value after =, as --demo=false` + "\n"},
		// Not after a boolean flag, or not a boolean: no hint.
		{with("--limit", "5", "no"), `unexpected argument "no"` + "\n"},
		{with("--cursor=x", "no"), `unexpected argument "no"` + "\n"},
		// --limit is --cursor's value here, not a flag.
		{with("--cursor", "--limit", "no"), `unexpected argument "no"` + "\n"},
		{with("--include-line-items=true", "no"), `unexpected argument "no"` + "\n"},
		{with("--include-line-items", "maybe"), `unexpected argument "maybe"` + "\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "in-process fake") {
				t.Errorf("a fake was started for a usage error: %q", r.stderr)
			}
			checkWording(t, r.stderr)
		})
	}
}

// TestBodyFieldsFollowReferences covers what the spec does not hold
// today: a body field shared through components is listed as one written
// in place, a schema that contains itself stops, and the types the spec
// writes only in words are read from them.
func TestBodyFieldsFollowReferences(t *testing.T) {
	t.Parallel()
	var table specTable
	table.doc.Components.Schemas = map[string]string{
		"address": `{"type": "object", "required": ["city"], "properties": {"city": {"type": "string", "description": "The city."}}}`,
		"node":    `{"type": "object", "properties": {"child": {"$ref": "#/components/schemas/node"}}}`,
	}
	var body specSchema
	if err := json.Unmarshal([]byte(`{"type": "object", "required": ["at"], "properties": {
		"at": {"type": "string", "description": "The date and time when it happened."},
		"price": {"type": "string", "description": "The price, represented as a decimal string."},
		"addresses": {"type": "array", "items": {"$ref": "#/components/schemas/address"}},
		"tree": {"$ref": "#/components/schemas/node"},
		"missing": {"$ref": "#/components/schemas/absent"}}}`), &body); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	(&opCommand{table: &table}).printBody(&body, &b)
	got := b.String()
	for _, want := range []string{
		"\n  at: required date-time\n      The date and time when it happened.\n",
		"\n  price: decimal string\n",
		"\n  addresses: array of object\n",
		"\n  addresses[].city: required string\n      The city.\n",
		"\n  tree.child.child.child: object\n",
		"\n  missing: any JSON value\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the body's fields lack %q:\n%s", want, got)
		}
	}
	// The spec's deepest body has four levels; a dozen or so is room.
	if n := strings.Count(got, "\n  tree."); n > 16 {
		t.Errorf("a schema that contains itself is listed %d levels deep", n)
	}
}
