package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestFakeServerBudgetFlags: --max-object-mib lets fake-server start with
// books past the default 8 MiB, which it refuses without the flag, and
// --max-cursors bounds the lists it pages at once.
func TestFakeServerBudgetFlags(t *testing.T) {
	t.Parallel()
	var invoices []string
	for i := range 4000 {
		invoices = append(invoices, fmt.Sprintf(`{"customerId": "80000001-1", "refNumber": "INV-%d", "memo": %q}`, i, strings.Repeat("m", 2000)))
	}
	path := writeFile(t, "books.json", `{"endUsers": [{"id": "end_usr_big", "connected": true, "qbd": {
		"customers": [{"id": "80000001-1", "name": "Globex"}], "invoices": [`+strings.Join(invoices, ",")+`]}}]}`)
	if r := runCmd(t, nil, "fake-server", "--addr", "127.0.0.1:0", "--fixtures", path); r.code != exitUsage || !strings.Contains(r.stderr, "MaxObjectBytes") {
		t.Fatalf("4,000 invoices of 2 KB within the default budget: exit %d, stderr %q; want 2 naming the budget, else this test shows nothing", r.code, r.stderr)
	}
	settings, stop := runningFakeServer(t, "--fixtures", path, "--max-object-mib", "32", "--max-cursors", "1")
	defer stop()
	list := func() (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequestWithContext(testdeadline.Context(t), "GET", settings["CONDUCTOR_BASE_URL"]+"/quickbooks-desktop/invoices?limit=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+settings["CONDUCTOR_SECRET_KEY"])
		req.Header.Set("Conductor-End-User-Id", "end_usr_big")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, v
	}
	if status, page := list(); status != http.StatusOK || page["remainingCount"] != float64(3999) {
		t.Errorf("the first list: status %d, remainingCount %v; want 200 and 3999", status, page["remainingCount"])
	}
	if status, answer := list(); status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(answer), "at most 1 lists") {
		t.Errorf("a second list with --max-cursors 1: status %d, %v; want 400 saying the fake pages at most 1 list", status, answer)
	}
}
