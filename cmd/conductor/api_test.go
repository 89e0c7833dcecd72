package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The commands over the API, run through run() against a fake with the
// demo company that the test starts and reaches as the real API would be
// reached, with CONDUCTOR_SECRET_KEY and CONDUCTOR_BASE_URL, so that state
// lasts from one command to the next.

const demo = conductortest.DemoEndUserID

// demoFake starts a fake with the demo company and returns it with the
// variables that point the command at it.
func demoFake(t *testing.T) (*conductortest.Server, map[string]string) {
	t.Helper()
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL}
}

// ok runs the command and fails the test unless it succeeds with nothing
// on stderr.
func ok(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	r := runCmd(t, vars, args...)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("conductor %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// object decodes what a command printed as one indented JSON object.
func object(t *testing.T, stdout string) map[string]any {
	t.Helper()
	var v map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&v); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON object (%v):\n%s", err, stdout)
	}
	if !strings.HasPrefix(stdout, "{\n  \"") {
		t.Errorf("stdout is not indented JSON:\n%s", stdout)
	}
	return v
}

// lines decodes what list --all printed: one JSON object a line.
func lines(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", line, err)
		}
		out = append(out, v)
	}
	return out
}

func ids(objects []any) []string {
	var out []string
	for _, o := range objects {
		out = append(out, o.(map[string]any)["id"].(string))
	}
	return out
}

func TestCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	created := object(t, ok(t, vars, "qbd", "customers", "create", "--end-user-id", demo, "--data", `{"name": "Hooli", "email": "ap@hooli.example"}`))
	id, _ := created["id"].(string)
	if id == "" || created["name"] != "Hooli" || created["email"] != "ap@hooli.example" || created["objectType"] != "qbd_customer" {
		t.Fatalf("create printed %v; want a qbd_customer Hooli with an id", created)
	}

	got := object(t, ok(t, vars, "qbd", "customers", "retrieve", "--end-user-id", demo, "--id", id))
	if got["id"] != id || got["name"] != "Hooli" {
		t.Errorf("retrieve printed %v; want the customer created", got)
	}

	rev, _ := got["revisionNumber"].(string)
	updated := object(t, ok(t, vars, "qbd", "customers", "update", "--end-user-id", demo, "--id", id,
		"--data", `{"revisionNumber": "`+rev+`", "name": "Hooli XYZ"}`))
	if updated["name"] != "Hooli XYZ" || updated["revisionNumber"] == rev {
		t.Errorf("update printed %v; want the new name and a new revision number", updated)
	}

	page := object(t, ok(t, vars, "qbd", "customers", "list", "--end-user-id", demo))
	names := map[string]bool{}
	for _, c := range page["data"].([]any) {
		names[c.(map[string]any)["name"].(string)] = true
	}
	if !names["Hooli XYZ"] || !names["Acme Corporation"] || len(names) != 4 || page["hasMore"] != false {
		t.Errorf("list has %v, hasMore %v; want the demo's three customers and the updated one, on one page", names, page["hasMore"])
	}

	// A stale revision number is QuickBooks' refusal: the API's error, 1.
	r := runCmd(t, vars, "qbd", "customers", "update", "--end-user-id", demo, "--id", id, "--data", `{"revisionNumber": "`+rev+`", "name": "Again"}`)
	if r.code != exitAPI || !strings.Contains(r.stderr, "type:       INTEGRATION_ERROR") || !strings.Contains(r.stderr, "revisionNumber") || r.stdout != "" {
		t.Errorf("a stale update: exit %d, stdout %q, stderr %q; want 1 and QuickBooks' error", r.code, r.stdout, r.stderr)
	}
}

// TestDataWithANullField: null is a field left out, as the API reads it.
// (The client adds the externalId it looks a create up by.)
func TestDataWithANullField(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	ok(t, vars, "qbd", "customers", "create", "--end-user-id", demo, "--data", `{"name": "Nulled", "email": null}`)
	reqs := srv.Requests()
	got := string(reqs[len(reqs)-1].Body)
	if !regexp.MustCompile(`^\{"externalId":"[0-9a-f-]{36}","name":"Nulled"\}$`).MatchString(got) {
		t.Errorf("the fake got the body %s, want {\"externalId\":\"<a UUID>\",\"name\":\"Nulled\"}", got)
	}
}

func TestInvoiceDeleteAndVoid(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	page := object(t, ok(t, vars, "qbd", "invoices", "list", "--end-user-id", demo))
	invoices := ids(page["data"].([]any))
	if len(invoices) != 3 {
		t.Fatalf("the demo has invoices %v, want 3", invoices)
	}

	voided := object(t, ok(t, vars, "qbd", "invoices", "void", "--end-user-id", demo, "--id", invoices[0]))
	if voided["id"] != invoices[0] || voided["voided"] != true {
		t.Errorf("void printed %v; want the invoice voided", voided)
	}
	after := object(t, ok(t, vars, "qbd", "invoices", "retrieve", "--end-user-id", demo, "--id", invoices[0]))
	if after["subtotal"] != "0.00" || !strings.HasPrefix(after["memo"].(string), "VOID:") {
		t.Errorf("after void, subtotal %v and memo %v; want 0.00 and VOID: ...", after["subtotal"], after["memo"])
	}

	deleted := object(t, ok(t, vars, "qbd", "invoices", "delete", "--end-user-id", demo, "--id", invoices[1]))
	if deleted["id"] != invoices[1] || deleted["deleted"] != true {
		t.Errorf("delete printed %v; want the invoice deleted", deleted)
	}
	r := runCmd(t, vars, "qbd", "invoices", "retrieve", "--end-user-id", demo, "--id", invoices[1])
	if r.code != exitAPI || !strings.Contains(r.stderr, "the API refused the call with status 400") || !strings.Contains(r.stderr, invoices[1]) {
		t.Errorf("retrieving a deleted invoice: exit %d, stderr %q; want 1 and QuickBooks' error", r.code, r.stderr)
	}
	left := ids(object(t, ok(t, vars, "qbd", "invoices", "list", "--end-user-id", demo))["data"].([]any))
	if len(left) != 2 || left[0] != invoices[0] || left[1] != invoices[2] {
		t.Errorf("after delete the list has %v, want %v", left, []string{invoices[0], invoices[2]})
	}
}

func TestEndUsersRoundTrip(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	created := object(t, ok(t, vars, "end-users", "create", "--data", `{"companyName": "Hooli", "sourceId": "acct_7", "email": "it@hooli.example"}`))
	id, _ := created["id"].(string)
	if !strings.HasPrefix(id, "end_usr_") || created["companyName"] != "Hooli" {
		t.Fatalf("create printed %v; want an end-user", created)
	}
	if got := object(t, ok(t, vars, "end-users", "retrieve", "--id", id)); got["sourceId"] != "acct_7" {
		t.Errorf("retrieve printed %v; want the end-user created", got)
	}
	if got := ids(object(t, ok(t, vars, "end-users", "list"))["data"].([]any)); len(got) != 2 || got[0] != demo || got[1] != id {
		t.Errorf("list has %v, want the demo's and the new one", got)
	}
	if got := object(t, ok(t, vars, "end-users", "delete", "--id", id)); got["deleted"] != true {
		t.Errorf("delete printed %v", got)
	}
	r := runCmd(t, vars, "end-users", "retrieve", "--id", id)
	if r.code != exitAPI || !strings.Contains(r.stderr, "status 404") || !strings.Contains(r.stderr, "code:       RESOURCE_MISSING") {
		t.Errorf("retrieving a deleted end-user: exit %d, stderr %q; want 1 and a 404", r.code, r.stderr)
	}
}

// TestListAllStreamsEveryPage lists with a page of one object, so that
// --all must follow the cursor across pages, and checks each page was
// asked for with the filter given.
func TestListAllStreamsEveryPage(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	for _, name := range []string{"Initrode", "Umbrella", "Vandelay"} {
		ok(t, vars, "qbd", "customers", "create", "--end-user-id", demo, "--data", `{"name": "`+name+`"}`)
	}
	before := len(srv.Requests())
	out := ok(t, vars, "qbd", "customers", "list", "--end-user-id", demo, "--all", "--limit", "2", "--status", "active")
	got := lines(t, out)
	var names []string
	for _, c := range got {
		names = append(names, c["name"].(string))
	}
	want := []string{"Acme Corporation", "Globex", "Initech", "Initrode", "Umbrella", "Vandelay"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("--all printed %v, want %v, one a line", names, want)
	}
	reqs := srv.Requests()[before:]
	if len(reqs) != 3 {
		t.Fatalf("the fake got %d requests, want 3 pages of 2", len(reqs))
	}

	// The plain list prints the first page, with its cursor.
	page := object(t, ok(t, vars, "qbd", "customers", "list", "--end-user-id", demo, "--limit", "2"))
	if len(page["data"].([]any)) != 2 || page["hasMore"] != true || page["nextCursor"] == "" || page["remainingCount"] != float64(4) {
		t.Errorf("list --limit 2 printed hasMore %v, nextCursor %v, remainingCount %v; want the first page of 2 and 4 more", page["hasMore"], page["nextCursor"], page["remainingCount"])
	}
}

// TestQueryFlagsAreSent checks that flags of each type reach the query
// as the spec names its parameters.
func TestQueryFlagsAreSent(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	queries := func() url.Values {
		reqs := srv.Requests()
		q, err := url.ParseQuery(reqs[len(reqs)-1].RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	ok(t, vars, "qbd", "invoices", "list", "--end-user-id", demo,
		"--limit", "10", "--customer-ids", "80000001-1700000001,80000002-1700000002", "--customer-ids", "80000003-1700000003",
		"--include-line-items=false", "--payment-status", "not_paid", "--transaction-date-from", "2024-10-01", "--updated-after", "2024-10-01T09:30:00Z", "--updated-before", "2024-10-02")
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != "GET" || last.Path != "/quickbooks-desktop/invoices" || last.Header.Get("Conductor-End-User-Id") != demo {
		t.Fatalf("the fake got %s %s for %q", last.Method, last.Path, last.Header.Get("Conductor-End-User-Id"))
	}
	want := url.Values{
		"limit": {"10"}, "customerIds": {"80000001-1700000001", "80000002-1700000002", "80000003-1700000003"},
		"includeLineItems": {"false"}, "paymentStatus": {"not_paid"}, "transactionDateFrom": {"2024-10-01"},
		// A time filter is sent in the spec's form with an offset (never
		// Z); a date alone, which QuickBooks reads in the end-user's time
		// zone, as given.
		"updatedAfter": {"2024-10-01T09:30:00+00:00"}, "updatedBefore": {"2024-10-02"},
	}
	if got := queries(); got.Encode() != want.Encode() {
		t.Errorf("query %s, want %s", got.Encode(), want.Encode())
	}

	ok(t, vars, "qbd", "invoices", "list", "--end-user-id", demo, "--limit", "150")
	if got := queries().Get("limit"); got != "150" {
		t.Errorf("--limit 150 sent limit=%s, want 150, the most allowed", got)
	}

	ok(t, vars, "qbd", "reports", "aging", "--end-user-id", demo, "--report-type", "ar_aging_summary")
	if got := queries().Encode(); got != "reportType=ar_aging_summary" {
		t.Errorf("the report's query is %s, want reportType=ar_aging_summary", got)
	}
	// A number as a person types it, which the refusal of NaN, Inf and
	// hexadecimal must not catch.
	ok(t, vars, "qbd", "reports", "budget-summary", "--end-user-id", demo, "--report-type", "balance_sheet_budget_overview", "--fiscal-year", "+2.024e3")
	if got := queries().Get("fiscalYear"); got != "2024" {
		t.Errorf("--fiscal-year +2.024e3 sent fiscalYear=%s, want 2024", got)
	}
}

func TestDataFromAFileAndFromStdin(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	path := filepath.Join(t.TempDir(), "customer.json")
	if err := os.WriteFile(path, []byte("{\n  \"name\": \"From a file\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := object(t, ok(t, vars, "qbd", "customers", "create", "--end-user-id", demo, "--data", "@"+path)); got["name"] != "From a file" {
		t.Errorf("--data @FILE created %v", got["name"])
	}
	r := runCmdWithInput(t, vars, `{"name": "From stdin"}`, "qbd", "customers", "create", "--end-user-id", demo, "--data", "-")
	if r.code != exitOK || object(t, r.stdout)["name"] != "From stdin" {
		t.Errorf("--data -: exit %d, stdout %q, stderr %q; want the customer from stdin", r.code, r.stdout, r.stderr)
	}
}

// TestWithoutAKeyTheDemoAnswers runs commands as on a fresh clone: no
// CONDUCTOR_SECRET_KEY, so an in-process fake with the demo company.
func TestWithoutAKeyTheDemoAnswers(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", demo, "--limit", "2")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got := ids(object(t, r.stdout)["data"].([]any)); len(got) != 2 {
		t.Errorf("the page has invoices %v, want 2 of the demo's", got)
	}
	if !strings.Contains(r.stderr, "in-process fake") || !strings.Contains(r.stderr, "end-user "+demo) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q; want one line saying a fake is used, naming %s", r.stderr, demo)
	}
	r = runCmd(t, nil, "qbd", "health-check", "--end-user-id", demo)
	if r.code != exitOK || object(t, r.stdout)["status"] != "ok" {
		t.Errorf("health-check: exit %d, stdout %q", r.code, r.stdout)
	}
	r = runCmd(t, nil, "qbd", "invoices", "list", "--end-user-id", "end_usr_nobody")
	if r.code != exitAPI || !strings.Contains(r.stderr, `No end-user with id "end_usr_nobody" exists.`) {
		t.Errorf("an unknown end-user: exit %d, stderr %q; want 1 and the fake's 404", r.code, r.stderr)
	}
}

// TestOnAFreshClone runs the command as its own process with no
// CONDUCTOR_* variable, as "go run ./cmd/conductor qbd invoices list
// --end-user-id end_usr_demo" does on a fresh clone.
func TestOnAFreshClone(t *testing.T) {
	t.Parallel()
	r := runProcess(t, nil, "qbd", "invoices", "list", "--end-user-id", demo)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got := ids(object(t, r.stdout)["data"].([]any)); len(got) != 3 {
		t.Errorf("the page has invoices %v, want the demo's 3", got)
	}
	if !strings.Contains(r.stderr, "in-process fake") || !strings.Contains(r.stderr, "end-user "+demo) {
		t.Errorf("stderr %q; want it to say a fake is used, naming %s", r.stderr, demo)
	}
}

// TestDataFromStdinOfAProcess pipes the body into the command's own
// process, which sends it to a fake the test started.
func TestDataFromStdinOfAProcess(t *testing.T) {
	t.Parallel()
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	vars := map[string]string{"CONDUCTOR_SECRET_KEY": srv.SecretKey, "CONDUCTOR_BASE_URL": srv.URL}
	r := runProcessWithInput(t, vars, strings.NewReader("{\"name\": \"Piped\",\n \"email\": \"a&b@piped.example\"}\n"),
		"qbd", "customers", "create", "--end-user-id", demo, "--data", "-")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	created := object(t, r.stdout)
	if created["name"] != "Piped" || !strings.Contains(r.stdout, `"a&b@piped.example"`) {
		t.Errorf("printed %s; want the customer piped in, with & unescaped", r.stdout)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "POST" || last.Path != "/quickbooks-desktop/customers" || !strings.Contains(string(last.Body), `"name":"Piped"`) {
		t.Errorf("the fake got %s %s %s", last.Method, last.Path, last.Body)
	}
}

func TestAPINetworkErrorExits1(t *testing.T) {
	t.Parallel()
	srv := conductortest.NewServer()
	url := srv.URL
	srv.Close() // nothing listens there any more
	r := runCmd(t, map[string]string{"CONDUCTOR_SECRET_KEY": "sk_conductor_x", "CONDUCTOR_BASE_URL": url}, "qbd", "invoices", "list", "--end-user-id", demo)
	if r.code != exitAPI || !strings.HasPrefix(r.stderr, "conductor qbd invoices list: ") || !strings.Contains(r.stderr, "connect") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and the connection error", r.code, r.stdout, r.stderr)
	}
}
