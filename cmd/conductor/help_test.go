package main

import (
	"strings"
	"testing"
)

// TestHelpAtEveryLevel asks for help at each level of the commands over
// the API, in each way a person may: the help goes to stdout, exit 0, and
// lists what exists there, with the spec's descriptions.
func TestHelpAtEveryLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{
			"Usage: conductor <command> [flags]",
			"\n  auth-sessions create     create an auth session and print it as JSON\n",
			"\n  end-users <method>       end-users: create, delete, list, passthrough, retrieve\n",
			"\n  fake-server              run a fake Conductor API on loopback\n",
			"\n  qbd <resource> <method>  QuickBooks Desktop: 63 resources; \"conductor qbd --help\" lists them\n",
			"CONDUCTOR_SECRET_KEY",
		}},
		{[]string{"qbd", "--help"}, []string{
			"Usage: conductor qbd <resource> <method> [flags]\n       conductor qbd <method> [flags]\n",
			"\n  bill-check-payments        changes, create, delete, list, retrieve, update, void\n",
			"\n  sales-tax-codes            changes, create, list, retrieve, update\n",
			"\n  reports                    aging, budget-summary, custom-detail, custom-summary, general-detail, general-summary, job, payroll-detail, payroll-summary, time\n",
			"\nMethods:\n  health-check               Health check\n",
		}},
		{[]string{"qbd", "-h"}, []string{"Usage: conductor qbd <resource> <method> [flags]"}},
		{[]string{"qbd", "help"}, []string{"Usage: conductor qbd <resource> <method> [flags]"}},
		{[]string{"qbd", "invoices", "--help"}, []string{
			"Usage: conductor qbd invoices <method> [flags]",
			"\n  list      List all invoices\n",
			"\n  void      Void an invoice\n",
			`Run "conductor qbd invoices <method> --help" for a method's flags.`,
		}},
		{[]string{"qbd", "invoices", "changes", "--help"}, []string{
			"Usage: conductor qbd invoices changes --end-user-id ID [--since CHECKPOINT]\n\nPrint what changed in the invoices since a checkpoint: each one created,\nupdated or deleted, one JSON object a line, in the order to apply them to a\ncopy:\n",
			"\n  {\"object\": {...}}  ",
			"\n  {\"deleted\": {\"id\": \"...\", \"deletedAt\": \"...\"}}  ",
			"\n  {\"checkpoint\": \"...\", \"caughtUp\": true}           the last line\n",
			"\nThe last line holds the checkpoint: store it only after applying every line\nbefore it, and pass it as --since next time",
			"run again\nwithout --since and replace the copy",
			"\n  --end-user-id ID\n      The ID of the End-User whose invoices to follow. Required.\n",
			"\n  --since CHECKPOINT\n",
		}},
		{[]string{"qbd", "bill-check-payments", "-h"}, []string{
			"\n  changes   Print what changed in the bill check payments since a checkpoint\n",
		}},
		{[]string{"end-users", "--help"}, []string{"Usage: conductor end-users <method> [flags]", "\n  passthrough  Passthrough\n"}},
		{[]string{"qbd", "invoices", "list", "--help"}, []string{
			"Usage: conductor qbd invoices list --end-user-id ID [flags]\n\nList all invoices.\nReturns a list of invoices.",
			"\n  --end-user-id ID\n      The ID of the End-User to receive this request.\n      Type: string. Required.\n",
			"\n  --all\n      Print every object of every page, one JSON object a line",
			"\n  --customer-ids ID,...\n      Filter for invoices created for these customers.\n      Type: array of string. Separate values with commas, or repeat the flag.\n",
			"\n  --limit N\n      The maximum number of objects to return. Accepts values ranging from 1\n      to 150, defaults to 150. When used",
			"\n      Type: integer from 1 to 150. Default: 150.\n",
			"\n  --payment-status VALUE\n      Filter for invoices that are paid, not paid, or both.\n      Type: enum: all, paid, not_paid. Default: all.\n",
			"\n  --include-line-items[=false]\n      Whether to include line items in the response. Defaults to `true`.\n      Type: boolean. Default: true.\n",
			"\n  --transaction-date-from YYYY-MM-DD\n",
		}},
		{[]string{"qbd", "reports", "aging", "-h"}, []string{
			"Usage: conductor qbd reports aging --end-user-id ID --report-type VALUE [flags]",
			"\n  --report-type VALUE\n      The aging report type to retrieve.\n      Type: enum: ap_aging_detail, ap_aging_summary, ar_aging_detail,\n      ar_aging_summary, collections_report. Required.\n",
		}},
		{[]string{"qbd", "customers", "create", "--help"}, []string{
			"Usage: conductor qbd customers create --end-user-id ID --data JSON [flags]\n",
			"\n  --data JSON\n      The request body: JSON text, @FILE to read it from a file, or - to read\n      it from standard input.\n      Type: JSON object, described below. Required.\n",
			"\nFields of the body (--data), a JSON object: a.b is field b of object a, a[].b\nfield b of each item of array a; a field marked required must be given\nwhenever its object is.\n\n  name: required string\n      The case-insensitive name of this customer. Not guaranteed to be unique\n",
			"\n      Maximum length: 41 characters.\n",
			"\n  email: string\n",
		}},
		{[]string{"qbd", "invoices", "update", "--help"}, []string{
			"Usage: conductor qbd invoices update --end-user-id ID --id ID --data JSON [flags]\n",
			"\n  --id ID\n      The QuickBooks-assigned unique identifier of the invoice to update.\n      Type: string. Required.\n",
			"\n  revisionNumber: required string\n",
		}},
		{[]string{"end-users", "passthrough", "--help"}, []string{
			"Usage: conductor end-users passthrough --id ID --integration-slug VALUE --data JSON [flags]\n",
			"\n      Type: enum: quickbooks_desktop. Required.\n",
			"\n      it from standard input.\n      Type: JSON object, described below. Required.\n",
			"\nThe body (--data) is a JSON object, sent as it is.\n",
		}},
		{[]string{"qbd", "health-check", "--help"}, []string{"Usage: conductor qbd health-check --end-user-id ID [flags]\n\nHealth check.\n"}},
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
			checkWording(t, r.stdout)
		})
	}
}
