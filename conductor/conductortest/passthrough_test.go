package conductortest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPassthroughAnswersEachRequest: a passthrough answers each qbXML
// request (XRq) in its body with a successful, empty response (XRs), as
// QuickBooks answers a query that finds nothing.
func TestPassthroughAnswersEachRequest(t *testing.T) {
	srv := fixtureServer(t, nil)
	r := send(t, srv, "POST", "/end-users/end_usr_a/passthrough/quickbooks_desktop", authorized(srv),
		`{"CustomerQueryRq":{"MaxReturned":1},"InvoiceQueryRq":{}}`)
	if r.status != http.StatusOK {
		t.Fatalf("passthrough: status %d: %s", r.status, r.body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("passthrough answer %s: %v", r.body, err)
	}
	ok := map[string]any{"statusCode": "0", "statusSeverity": "Info", "statusMessage": "Status OK"}
	if diff := cmp.Diff(map[string]any{"CustomerQueryRs": ok, "InvoiceQueryRs": ok}, got); diff != "" {
		t.Errorf("passthrough answer (-want +got):\n%s", diff)
	}
}
