package main

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestAPIUsageErrorsExit2 gives the commands over the API what cannot
// work: each is the person's input, so the status is 2, before any fake
// is started or anything sent; the message says what is wrong and names
// the flag with two dashes, never a Go name.
func TestAPIUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	list := []string{"qbd", "invoices", "list", "--end-user-id", demo}
	createCustomer := []string{"qbd", "customers", "create", "--end-user-id", demo}
	createInvoice := []string{"qbd", "invoices", "create", "--end-user-id", demo}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	fiscalYear := []string{"qbd", "reports", "budget-summary", "--end-user-id", demo, "--budget-criterion", "accounts", "--fiscal-year"}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		// The words before the flags.
		{"no resource", []string{"qbd"}, "", "Usage: conductor qbd <resource> <method> [flags]"},
		{"unknown resource", []string{"qbd", "invoicez", "list"}, "", `conductor qbd: unknown resource "invoicez"; did you mean "invoices"?` + "\nRun \"conductor qbd --help\" to list them."},
		{"no method", []string{"qbd", "invoices"}, "", "Usage: conductor qbd invoices <method> [flags]"},
		{"unknown method", []string{"qbd", "invoices", "lst"}, "", "conductor qbd invoices: unknown method \"lst\"; did you mean \"list\"?\nIts methods are changes, create, delete, list, retrieve, update and void.\n"},
		{"unknown end-users method", []string{"end-users", "update"}, "", "conductor end-users: unknown method \"update\"\nIts methods are create, delete, list, passthrough and retrieve.\n"},
		{"a flag before the resource", []string{"qbd", "--end-user-id", demo, "invoices", "list"}, "", "conductor qbd: --end-user-id is a flag, but a resource comes first: flags follow the method, as in conductor qbd account-tax-lines list --flag ..."},

		// Flags.
		{"no end-user", []string{"qbd", "invoices", "list"}, "", "conductor qbd invoices list: --end-user-id is required\n\nUsage: conductor qbd invoices list --end-user-id ID [flags]\nRun \"conductor qbd invoices list --help\" for its flags."},
		{"two required flags", []string{"qbd", "reports", "aging"}, "", "--end-user-id and --report-type are required"},
		{"no id", []string{"qbd", "invoices", "retrieve", "--end-user-id", demo}, "", "--id is required"},
		{"unknown flag", with(list, "--customer-id", "x"), "", "unknown flag --customer-id; did you mean --customer-ids?"},
		{"unknown flag with one dash", with(list, "-customer-id", "x"), "", "unknown flag --customer-id; did you mean --customer-ids?"},
		{"--all on a retrieve", []string{"qbd", "invoices", "retrieve", "--end-user-id", demo, "--id", "1", "--all"}, "", "unknown flag --all\n"},
		{"a flag without its value", with(list, "--limit"), "", "--limit needs a value"},
		{"not an integer", with(list, "--limit", "ten"), "", `--limit "ten": want a whole number from 1 to 150`},
		{"a hexadecimal integer", with(list, "--limit", "0x10"), "", `--limit "0x10": want a whole number from 1 to 150`},
		{"not a number", []string{"qbd", "reports", "budget-summary", "--end-user-id", demo, "--fiscal-year", "20x6", "--budget-criterion", "accounts"}, "", `--fiscal-year "20x6": want a number`},
		{"NaN", with(fiscalYear, "NaN"), "", `--fiscal-year "NaN": want a number`},
		{"infinity", with(fiscalYear, "-Inf"), "", `--fiscal-year "-Inf": want a number`},
		{"infinity spelt out", with(fiscalYear, "Infinity"), "", `--fiscal-year "Infinity": want a number`},
		{"a hexadecimal number", with(fiscalYear, "0x1p11"), "", `--fiscal-year "0x1p11": want a number`},
		{"a number with underscores", with(fiscalYear, "2_024"), "", `--fiscal-year "2_024": want a number`},
		{"a number out of range", with(fiscalYear, "1e999"), "", `--fiscal-year "1e999": want a number`},
		{"not a boolean", with(list, "--include-line-items=maybe"), "", `--include-line-items "maybe": want true or false`},
		{"a boolean's value after a space", with(list, "--include-line-items", "false"), "", `unexpected argument "false"; a true/false flag takes its value after =, as --include-line-items=false`},
		{"not a date", with(list, "--transaction-date-from", "10/01/2024"), "", `--transaction-date-from "10/01/2024": want a date as YYYY-MM-DD, such as 2024-10-01`},
		{"not a date and time", with(list, "--updated-after", "yesterday"), "", `--updated-after: "yesterday" is not a date and time filter: want YYYY-MM-DDTHH:mm:ss±HH:mm (such as 2025-01-01T12:34:56+00:00, an offset of at most ±23:59), YYYY-MM-DDTHH:mm:ss or YYYY-MM-DD`},
		{"an empty item", with(list, "--customer-ids", "a,,b"), "", `--customer-ids "a,,b": an empty item; separate items with commas, or repeat the flag`},
		{"an item of only spaces", with(list, "--customer-ids", "a, ,b"), "", `--customer-ids "a, ,b": an item of only spaces; separate items with commas, or repeat the flag`},
		{"a list of only spaces", with(list, "--customer-ids", " "), "", `--customer-ids " ": an item of only spaces`},
		{"an item of only spaces, repeated", with(list, "--customer-ids", "a", "--customer-ids", "\t"), "", `--customer-ids "\t": an item of only spaces`},
		{"an extra argument", with(list, "extra"), "", `unexpected argument "extra"`},
		{"a required flag given empty", []string{"qbd", "reports", "aging", "--end-user-id", demo, "--report-type", ""}, "",
			`--report-type "": an empty value, but the flag is required: want one of ap_aging_detail, ap_aging_summary, ar_aging_detail, ar_aging_summary, collections_report` + "\n"},
		{"a path parameter given empty", []string{"end-users", "passthrough", "--id", demo, "--integration-slug", "", "--data", `{"a": 1}`}, "",
			`--integration-slug "": an empty value, but the flag is required: want one of quickbooks_desktop` + "\n"},

		// --data.
		{"no --data", createCustomer, "", "--data is required"},
		{"--data empty", with(createCustomer, "--data", " "), "", `--data is empty; want a JSON object, such as {"name": "Acme"}`},
		{"--data cut short", with(createCustomer, "--data", `{"name": "A`), "", "--data is not valid JSON: it ends early (a bracket or quote is not closed)"},
		{"--data not JSON", with(createCustomer, "--data", "{\n  \"name\": }"), "", "--data is not valid JSON: invalid character '}' looking for beginning of value, at line 2, column 11"},
		{"--data an array", with(createCustomer, "--data", `[{"name": "A"}]`), "", `--data is an array; want a JSON object`},
		{"--data null", with(createCustomer, "--data", "null"), "", `--data is null; want a JSON object, such as {"name": "Acme"}`},
		{"--data with text after it", with(createCustomer, "--data", `{"name": "A"} x`), "", "--data has more after its JSON value, from line 1, column 15"},
		{"--data two values", with(createCustomer, "--data", `{"name": "A"} {"name": "B"}`), "", "--data has more after its JSON value, from line 1, column 15"},
		{"--data with an unknown field", with(createCustomer, "--data", `{"nam": "A"}`), "", `--data has no field "nam"; did you mean "name"?`},
		{"--data with a field in another case", with(createCustomer, "--data", `{"Name": "A"}`), "", `--data has no field "Name"; did you mean "name"?`},
		{"--data with an unknown nested field", with(createInvoice, "--data", `{"customerId": "1", "transactionDate": "2024-10-01", "lines": [{"quantity": 1}, {"quantiy": 2}]}`), "", `--data has no field "lines[1].quantiy"; did you mean "lines[1].quantity"?`},
		{"--data with a value of the wrong kind", with(createCustomer, "--data", `{"name": 5}`), "", `--data field "name" is a number (5); want a string`},
		{"--data with a nested value of the wrong kind", with(createInvoice, "--data", `{"customerId": "1", "transactionDate": "2024-10-01", "lines": [{"quantity": "2"}]}`), "", `--data field "lines[0].quantity" is a string ("2"); want a number`},
		{"--data with a bad date", with(createInvoice, "--data", `{"customerId": "1", "transactionDate": "10/01/2024"}`), "", `--data field "transactionDate" is "10/01/2024"; want a date as "YYYY-MM-DD", such as "2024-10-01"`},
		{"--data from a file that is not there", with(createCustomer, "--data", "@/nonexistent/customer.json"), "", "--data @/nonexistent/customer.json: open /nonexistent/customer.json: no such file or directory"},
		{"--data from empty stdin", with(createCustomer, "--data", "-"), "", "--data - (standard input) is empty"},
		{"--data from stdin, not JSON", with(createCustomer, "--data", "-"), "name: Acme\n", "--data - (standard input) is not valid JSON: invalid character 'a' in literal null (expecting 'u'), at line 1, column 2"},
		{"--data @ alone", with(createCustomer, "--data", "@"), "", "--data @: names no file; write @FILE, such as @invoice.json"},
		{"--data with a number out of range", with(createInvoice, "--data", `{"customerId": "1", "transactionDate": "2024-10-01", "lines": [{"quantity": 1e999}]}`), "", `--data field "lines[0].quantity" is 1e999, which is out of range`},
		{"--data from a directory", with(createCustomer, "--data", "@/"), "", "--data @/: read /: is a directory"},
		{"--data too large", with(createCustomer, "--data", "-"), strings.Repeat(" ", maxData+1), "--data - (standard input): more than 16 MiB, which no body of the API comes near"},
		{"no path parameter", []string{"end-users", "passthrough", "--id", demo, "--data", "{}"}, "", "--integration-slug is required"},
		{"a flag before the method", []string{"qbd", "invoices", "--limit", "1", "list"}, "", "conductor qbd invoices: --limit is a flag, but a method comes first: flags follow the method, as in conductor qbd invoices changes --flag ..."},

		// What the client's rules refuse is a usage error too, found
		// before a fake is started, as a flag's own refusal is.
		{"a limit the client refuses", with(list, "--limit", "1000"), "", "conductor qbd invoices list: --limit must be from 1 to 150; got 1000\n"},
		{"a limit the client refuses, with --all", with(list, "--all", "--limit", "0"), "", "conductor qbd invoices list: --limit must be from 1 to 150; got 0\n"},
		{"a value outside its enum", with(list, "--payment-status", "unpaid"), "", `--payment-status must be one of all, not_paid, paid; got "unpaid"`},
		{"--data without its required fields", with(createInvoice, "--data", `{"memo": "x"}`), "", "--data customerId is required\nconductor qbd invoices create: --data transactionDate is required\n"},
		{"a path parameter outside its enum", []string{"end-users", "passthrough", "--id", demo, "--integration-slug", "xero", "--data", `{"a": 1}`}, "", `--integration-slug must be one of quickbooks_desktop; got "xero"`},
		{"--data without a required true or false", []string{"qbd", "sales-tax-codes", "create", "--end-user-id", demo, "--data", `{"name": "T"}`}, "",
			"conductor qbd sales-tax-codes create: --data isTaxable is required\n"},
		{"--data with a required number null", []string{"qbd", "build-assemblies", "create", "--end-user-id", demo, "--data", `{"inventoryAssemblyItemId": "1", "transactionDate": "2024-10-01", "quantityToBuild": null}`}, "",
			"conductor qbd build-assemblies create: --data quantityToBuild is required\n"},
		{"--data without a required number in a list", []string{"qbd", "customers", "update", "--end-user-id", demo, "--id", "1", "--data", `{"revisionNumber": "1", "additionalNotes": [{"id": 1, "note": "x"}, {"note": "y"}]}`}, "",
			"conductor qbd customers update: --data additionalNotes[1].id is required\n"},
		{"--data without a required true or false, and too long", []string{"qbd", "sales-tax-codes", "create", "--end-user-id", demo, "--data", `{"name": "Taxa"}`}, "",
			"conductor qbd sales-tax-codes create: --data isTaxable is required\nconductor qbd sales-tax-codes create: --data name must be at most 3 characters; got 4\n"},
		{"a blank id", []string{"qbd", "invoices", "retrieve", "--end-user-id", demo, "--id", " "}, "", `--id is required: the id of the object; got " "`},

		// A change feed's flags, and its checkpoint, read before anything
		// is sent (more in feedcmd_test.go).
		{"changes without an end-user", []string{"qbd", "invoices", "changes"}, "", "conductor qbd invoices changes: --end-user-id is required\n\nUsage: conductor qbd invoices changes --end-user-id ID [--since CHECKPOINT]\n"},
		{"changes with a blank end-user", []string{"qbd", "invoices", "changes", "--end-user-id", " "}, "", `conductor qbd invoices changes: --end-user-id is required: the id (end_usr_...) of the end-user whose QuickBooks Desktop to use; got " "`},
		{"changes with an unknown flag", []string{"qbd", "invoices", "changes", "--end-user-id", demo, "--sinse", "x"}, "", "unknown flag --sinse; did you mean --since?"},
		{"changes with a list's flag", []string{"qbd", "invoices", "changes", "--end-user-id", demo, "--limit", "1"}, "", "unknown flag --limit\n"},
		{"changes since text that is no checkpoint", []string{"qbd", "invoices", "changes", "--end-user-id", demo, "--since", "yesterday"}, "",
			"conductor qbd invoices changes: --since: the checkpoint does not start with \"v1.\""},
		{"changes since a checkpoint cut short", []string{"qbd", "invoices", "changes", "--end-user-id", demo, "--since", "v1.eyJyIjoicWJkLmludm9p"}, "",
			"conductor qbd invoices changes: --since: the checkpoint cannot be read"},
		{"changes of a resource with no feed", []string{"qbd", "transfers", "changes", "--end-user-id", demo}, "", "conductor qbd transfers: unknown method \"changes\"\nIts methods are create, list, retrieve and update.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmdWithInput(t, nil, tt.stdin, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q on stderr", r.code, r.stdout, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "in-process fake") {
				t.Errorf("a fake was started for a usage error: %q", r.stderr)
			}
			checkWording(t, r.stderr)
		})
	}
}

// checkWording fails when a message writes a flag with one dash, as
// package flag does, or names what a command-line user cannot change.
func checkWording(t *testing.T, stderr string) {
	t.Helper()
	if m := singleDashFlag.FindString(stderr); m != "" {
		t.Errorf("stderr writes a flag with one dash, %q:\n%s", m, stderr)
	}
	// The documentation's address (https://docs.conductor.is/...) is
	// not a Go name.
	if m := goNames.FindString(strings.ReplaceAll(stderr, docsSite, "")); m != "" {
		t.Errorf("stderr names %q, which a command-line user cannot change:\n%s", m, stderr)
	}
	if m := goWords.FindString(stderr); m != "" {
		t.Errorf("stderr says %q, a Go word; --data is JSON, where a value is null or left out:\n%s", m, stderr)
	}
}

// goWords finds a word of Go in a message about a value: a command-line
// user writes JSON and flags.
var goWords = regexp.MustCompile(`\bnil\b`)

// TestClientValidationErrorsNameTheFlag gives values that pass the flags
// but that the client refuses before sending: status 2, the flag named,
// and nothing reaches the API.
func TestClientValidationErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a blank end-user", []string{"qbd", "invoices", "list", "--end-user-id", " "},
			`conductor qbd invoices list: --end-user-id is required: the id (end_usr_...) of the end-user whose QuickBooks Desktop to use; got " "`},
		{"an empty id", []string{"qbd", "invoices", "retrieve", "--end-user-id", demo, "--id", ""},
			`conductor qbd invoices retrieve: --id is required: the id of the object; got ""`},
		{"an id with a control character", []string{"qbd", "invoices", "void", "--end-user-id", demo, "--id", "80000001\n"},
			`conductor qbd invoices void: --id contains a control character`},
		{"an end-user id with a control character, on end-users", []string{"end-users", "delete", "--id", "end_usr\r1"},
			`conductor end-users delete: --id contains a control character`},
		// The spec's rules, as the client checks them for a program.
		{"a limit above the spec's maximum", []string{"qbd", "invoices", "list", "--end-user-id", demo, "--limit", "1000"},
			`conductor qbd invoices list: --limit must be from 1 to 150; got 1000`},
		{"--data without its required fields", []string{"qbd", "invoices", "create", "--end-user-id", demo, "--data", `{"memo": "x"}`},
			"conductor qbd invoices create: --data customerId is required\nconductor qbd invoices create: --data transactionDate is required\n"},
		{"--data too long, at the top and in a line", []string{"qbd", "invoices", "create", "--end-user-id", demo, "--data",
			`{"customerId": "1", "transactionDate": "2024-10-01", "refNumber": "INV-0000001", "memo": "x", "lines": [{}, {}, {"itemId": "` + strings.Repeat("8", 37) + `"}], "purchaseOrderNumber": "` + strings.Repeat("é", 26) + `"}`},
			"conductor qbd invoices create: --data lines[2].itemId must be at most 36 characters; got 37\n"},
		{"a limit below the spec's minimum", []string{"qbd", "invoices", "list", "--end-user-id", demo, "--limit", "0"},
			`conductor qbd invoices list: --limit must be from 1 to 150; got 0`},
		{"a value outside its enum", []string{"qbd", "invoices", "list", "--end-user-id", demo, "--payment-status", "unpaid"},
			`conductor qbd invoices list: --payment-status must be one of all, not_paid, paid; got "unpaid"`},
		{"an item of a list outside its enum", []string{"qbd", "deleted-list-objects", "list", "--end-user-id", demo, "--object-types", "customer,widget"},
			`conductor qbd deleted-list-objects list: --object-types must be one of account, billing_rate`},
		{"a path parameter outside its enum, with an empty body", []string{"end-users", "passthrough", "--id", demo, "--integration-slug", "xero", "--data", "{}"},
			"conductor end-users passthrough: --integration-slug must be one of quickbooks_desktop; got \"xero\"\nconductor end-users passthrough: --data must have at least 1 property; got 0\n"},
		{"--data with an empty list", []string{"qbd", "invoices", "create", "--end-user-id", demo, "--data", `{"customerId": "1", "transactionDate": "2024-10-01", "lines": []}`},
			"conductor qbd invoices create: --data lines must have at least 1 item; got 0"},
		{"--data with a required list null", []string{"qbd", "sales-tax-group-items", "create", "--end-user-id", demo, "--data", `{"name": "Tax", "salesTaxItemIds": null}`},
			"conductor qbd sales-tax-group-items create: --data salesTaxItemIds is required"},
		{"a report value outside its enum", []string{"qbd", "reports", "general-summary", "--end-user-id", demo, "--report-type", "profit_and_loss_standard", "--summarize-columns-by", "fortnight"},
			`conductor qbd reports general-summary: --summarize-columns-by must be one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			r := runCmd(t, vars, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if n := len(srv.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached the API", n)
			}
			checkWording(t, r.stderr)
		})
	}
}

// TestAPICommandsCheckTheEnvironment: the commands over the API read the
// same variables as auth-sessions create, and refuse the same mistakes by
// the variable's name; they need no publishable key.
func TestAPICommandsCheckTheEnvironment(t *testing.T) {
	t.Parallel()
	args := []string{"qbd", "invoices", "list", "--end-user-id", demo}
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"a publishable key as CONDUCTOR_SECRET_KEY", map[string]string{"CONDUCTOR_SECRET_KEY": "pk_conductor_y0123"},
			"conductor qbd invoices list: CONDUCTOR_SECRET_KEY is a publishable key (pk_...); the API needs your secret key (sk_...)"},
		{"plain http to another host", map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_y0123", "CONDUCTOR_BASE_URL": "http://example.com/v1"},
			`conductor qbd invoices list: CONDUCTOR_BASE_URL "http://example.com/v1" uses plain http to a host that is not loopback`},
		{"a secret key as CONDUCTOR_PUBLISHABLE_KEY", map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_y0123", "CONDUCTOR_PUBLISHABLE_KEY": "sk_conductor_z0123"},
			"conductor qbd invoices list: CONDUCTOR_PUBLISHABLE_KEY is a secret key (sk_...)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, tt.vars, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "0123") {
				t.Errorf("stderr shows a key: %q", r.stderr)
			}
			checkWording(t, r.stderr)
		})
	}
}

// TestQueryParamsOfAnotherType covers what the spec does not hold today:
// a flag whose value the parameters' Go type cannot take is named.
func TestQueryParamsOfAnotherType(t *testing.T) {
	t.Parallel()
	type params struct {
		Count *int `json:"count,omitempty"`
	}
	f := newParamFlag(specParam{Name: "count", In: "query", Schema: specSchema{Type: "number"}})
	if err := f.Set("2.5"); err != nil {
		t.Fatal(err)
	}
	_, err := queryParams([]*paramFlag{f}, reflect.TypeFor[params]())
	if err == nil || err.Error() != "--count 2.5: want a whole number" {
		t.Errorf("got %v, want --count 2.5: want a whole number", err)
	}
	other := newParamFlag(specParam{Name: "other", In: "query", Schema: specSchema{Type: "string"}})
	if err := other.Set("x"); err != nil {
		t.Fatal(err)
	}
	if _, err := queryParams([]*paramFlag{other}, reflect.TypeFor[params]()); err == nil || !strings.Contains(err.Error(), `unknown field "other"`) {
		t.Errorf("a flag the parameters lack: got %v, want an error naming it", err)
	}
}

// TestChecksBeforeSendingWaitForNothing: the command checks a call by the
// client's rules, on a client that sends nothing, before it makes the
// client that sends; a write those checks "send" must not be waited on as
// one whose answer was lost. In a bubble, where only waiting moves the
// clock, a write refused for its key (after the checks, before anything
// is sent) leaves the clock where it was.
func TestChecksBeforeSendingWaitForNothing(t *testing.T) {
	t.Parallel()
	id := []string{"--end-user-id", demo, "--id", "80000100-1700000100"}
	for _, args := range [][]string{
		append([]string{"qbd", "invoices", "update", "--data", `{"revisionNumber": "0", "memo": "x"}`}, id...),
		append([]string{"qbd", "invoices", "void"}, id...),
		append([]string{"qbd", "invoices", "delete"}, id...),
		{"qbd", "classes", "create", "--end-user-id", demo, "--data", `{"name": "Overhead"}`},
	} {
		t.Run(strings.Join(args[:3], " "), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				r := runCmd(t, map[string]string{"CONDUCTOR_SECRET_KEY": "pk_conductor_x"}, args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "CONDUCTOR_SECRET_KEY is a publishable key") {
					t.Fatalf("exit %d, stderr %q; want 2 and the key refused", r.code, r.stderr)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("the command waited %v before refusing the key; want no wait", waited)
				}
			})
		})
	}
}
