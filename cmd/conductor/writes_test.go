package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The command's writes go through the client's resolution of unknown
// outcomes, as the library's do.

// TestACreateWhoseAnswerIsLostIsFound: the fake carries the create out and
// drops the connection; the command finds the invoice by the externalId
// the client gave it, prints it and succeeds, and the books hold one.
func TestACreateWhoseAnswerIsLostIsFound(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyThenDrop}); err != nil {
		t.Fatal(err)
	}
	out := ok(t, vars, "qbd", "invoices", "create", "--end-user-id", demo,
		"--data", `{"customerId": "80000001-1700000001", "refNumber": "CLI-1", "transactionDate": "2026-12-01"}`)
	var printed struct {
		ID         string `json:"id"`
		RefNumber  string `json:"refNumber"`
		ExternalID string `json:"externalId"`
	}
	if err := json.Unmarshal([]byte(out), &printed); err != nil || printed.RefNumber != "CLI-1" || printed.ExternalID == "" {
		t.Fatalf("printed %q (%v); want the invoice CLI-1 with the externalId the client set", out, err)
	}
	if n := invoicesNumbered(t, srv, "CLI-1"); n != 1 {
		t.Errorf("the books hold %d invoices CLI-1; want 1", n)
	}
}

// TestAWriteLeftUnconfirmedExits3: a create without externalId (a class)
// carried out, then its answer lost, cannot be looked for: the command
// says that it may have taken effect, not that the API refused it, and
// exits 3, so that a script does not simply run it again.
func TestAWriteLeftUnconfirmedExits3(t *testing.T) {
	t.Parallel()
	srv, vars := demoFake(t)
	if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyThen5xx}); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, vars, "qbd", "classes", "create", "--end-user-id", demo, "--data", `{"name": "Overhead"}`)
	if r.code != exitUnconfirmed || !strings.Contains(r.stderr, "not confirmed") || strings.Contains(r.stderr, "refused") || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and a message that the write may have taken effect", r.code, r.stdout, r.stderr, exitUnconfirmed)
	}
}

// invoicesNumbered counts the fake's invoices with refNumber ref.
func invoicesNumbered(t *testing.T, srv *conductortest.Server, ref string) int {
	t.Helper()
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for inv, err := range c.QBD.Invoices.All(context.Background(), demo, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if inv.RefNumber != nil && *inv.RefNumber == ref {
			n++
		}
	}
	return n
}
