package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests run the command without a key: against the in-process demo
// company, as a person on a fresh clone would.

func TestOutputTableOfAList(t *testing.T) {
	t.Parallel()
	for _, all := range []bool{false, true} {
		args := []string{"qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--output", "table"}
		if all {
			args = append(args, "--all")
		}
		r := runCmd(t, nil, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		wantHeader := "id                   refNumber  customer          transactionDate  subtotal  balanceRemaining  updatedAt"
		if diff := cmp.Diff(wantHeader, lines[0]); diff != "" {
			t.Errorf("%v: header (-want +got):\n%s", args, diff)
		}
		if len(lines) != 4 {
			t.Fatalf("%v: %d lines, want the header and the demo's 3 invoices:\n%s", args, len(lines), r.stdout)
		}
		// updatedAt is when the fake started.
		if want := "80000100-1700000100  INV-1001   Acme Corporation  2024-10-01       699.00    699.00            20"; !strings.HasPrefix(lines[1], want) {
			t.Errorf("%v: first row\n%q, want it to begin\n%q", args, lines[1], want)
		}
	}
}

func TestOutputTableColumnsFollowTheSchema(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "end-users", "list", "--output", "table")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	header, _, _ := strings.Cut(r.stdout, "\n")
	if want := "id            companyName          createdAt"; header != want {
		t.Errorf("header %q, want %q", header, want)
	}
	if !strings.Contains(r.stdout, "\nend_usr_demo  Demo Company (fake)  20") {
		t.Errorf("no row for the demo end-user:\n%s", r.stdout)
	}
}

func TestOutputTableOfAnObject(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "qbd", "invoices", "retrieve", "--end-user-id", "end_usr_demo", "--id", "80000100-1700000100", "--output", "table")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"\nid                80000100-1700000100\n",
		"\ncustomer          Acme Corporation\n",
		"\nisPaid            false\n",
		"\nlines             2 items\n",
	} {
		if !strings.Contains("\n"+r.stdout, want) {
			t.Errorf("no row %q in:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "billingAddress") {
		t.Errorf("a null field has a row:\n%s", r.stdout)
	}
}

func TestOutputJSONLinesOfAPage(t *testing.T) {
	t.Parallel()
	// One fake for both runs: each in-process fake stamps its objects
	// with the time it starts.
	_, vars := demoFake(t)
	args := []string{"qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--limit", "2"}
	page := runCmd(t, vars, args...)
	lines := runCmd(t, vars, append(args, "--output", "jsonl")...)
	if page.code != exitOK || lines.code != exitOK {
		t.Fatalf("exit %d and %d, stderr %q and %q", page.code, lines.code, page.stderr, lines.stderr)
	}
	var p struct{ Data []map[string]any }
	if err := json.Unmarshal([]byte(page.stdout), &p); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(lines.stdout, "\n"), "\n")
	if len(got) != len(p.Data) || len(got) != 2 {
		t.Fatalf("%d lines, want the page's %d objects (2):\n%s", len(got), len(p.Data), lines.stdout)
	}
	for i, line := range got {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", i+1, err)
		}
		if diff := cmp.Diff(p.Data[i], obj); diff != "" {
			t.Errorf("line %d is not the page's object %d (-page +line):\n%s", i+1, i+1, diff)
		}
	}
}

func TestOutputJSONLinesOfAnObject(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "qbd", "invoices", "retrieve", "--end-user-id", "end_usr_demo", "--id", "80000100-1700000100", "--output", "jsonl")
	if r.code != exitOK || strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("exit %d, stdout %q; want one JSON object on one line", r.code, r.stdout)
	}
}

func TestOutputBadValue(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--output", "yaml")
	want := `conductor qbd invoices list: --output "yaml": want json, jsonl or table` + "\n"
	if r.code != exitUsage || !strings.HasPrefix(r.stderr, want) || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, want)
	}
}

func TestTableColumnsFallBack(t *testing.T) {
	t.Parallel()
	// A list whose objects have none of the roles' fields but an id: its
	// first fields, required ones first.
	item := &specSchema{
		Properties: map[string]specSchema{"taxLineName": {}, "taxLineId": {}, "note": {}, "id": {}},
		Required:   []string{"taxLineName", "taxLineId"},
	}
	if diff := cmp.Diff([]string{"taxLineId", "taxLineName", "id", "note"}, tableColumns(item)); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 70)
	for _, tt := range []struct {
		v    any
		want string
	}{
		{nil, ""},
		{"a\tb\nc", "a b c"},
		{json.Number("1.50"), "1.50"},
		{map[string]any{"id": "1", "fullName": "Acme"}, "Acme"},
		{map[string]any{"city": "Oslo"}, `{"city":"Oslo"}`},
		{[]any{1}, "1 item"},
		{long, strings.Repeat("x", maxCell-1) + "…"},
	} {
		if got := cell(tt.v); got != tt.want {
			t.Errorf("cell(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestOutputTableOfTransactions: the transactions list, whose objects'
// id is transactionId, shows it, and each one's type, so that a reader can
// retrieve the row's transaction.
func TestOutputTableOfTransactions(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "qbd", "transactions", "list", "--end-user-id", "end_usr_demo", "--output", "table")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if fields := strings.Fields(lines[0]); len(fields) < 2 || fields[0] != "transactionId" || fields[1] != "transactionType" {
		t.Errorf("header %q, want it to begin with transactionId and transactionType", lines[0])
	}
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "80000100-1700000100") || !strings.Contains(lines[1], "invoice") {
		t.Errorf("want a row for each of the demo's 3 invoices, the first 80000100-1700000100, an invoice:\n%s", r.stdout)
	}
}

// TestJsonlAndTableSayMoreFollow: jsonl and table show a page's objects,
// not the page, so when more follow the command says so on stderr, with
// the cursor to ask with; json shows hasMore itself.
func TestJsonlAndTableSayMoreFollow(t *testing.T) {
	for _, format := range []string{"jsonl", "table"} {
		r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--limit", "1", "--output", format)
		if r.code != 0 || !strings.Contains(r.stderr, "more objects follow (the page says hasMore): ask for the next page with --cursor ") {
			t.Errorf("--output %s of a page with more after it: exit %d, stderr %q; want a note of the cursor", format, r.code, r.stderr)
		}
	}
	r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_demo", "--output", "table")
	if strings.Contains(r.stderr, "more objects follow") {
		t.Errorf("the whole list as a table: stderr %q; want no note", r.stderr)
	}
}

// TestATableWritesNoControlCharacter: a company name holding terminal
// escapes (ESC, BEL) is shown with them escaped, as JSON shows them, not
// written raw for the terminal to obey.
func TestATableWritesNoControlCharacter(t *testing.T) {
	r := runCmd(t, nil, "end-users", "create", "--data", `{"companyName":"Acme\u001b]0;owned\u0007\u001b[2J","sourceId":"s1","email":"a@b.example"}`, "--output", "table")
	if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `Acme\u001b]0;owned\u0007\u001b[2J`) {
		t.Errorf("exit %d, stdout %q; want the name with its control characters escaped", r.code, r.stdout)
	}
}
