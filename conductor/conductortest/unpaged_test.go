package conductortest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestAListConductorDoesNotPageAnswersEverything: a list without a cursor
// (classes, which take a limit, and inventory sites, which take none)
// answers every object when no limit is given, as openapi.yaml says
// ("returns all ... without limit"), and at most limit when one is; a
// paged list (customers) still answers pages of 150.
func TestAListConductorDoesNotPageAnswersEverything(t *testing.T) {
	const n = 160
	var classes, sites, customers []map[string]any
	var names []string
	for i := range n {
		name := fmt.Sprintf("N%03d", i)
		names = append(names, name)
		classes = append(classes, map[string]any{"name": name})
		sites = append(sites, map[string]any{"name": name})
		customers = append(customers, map[string]any{"name": name})
	}
	srv := newServer(t, conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true,
		QBD: map[string][]map[string]any{"classes": classes, "inventorySites": sites, "customers": customers},
	}}}})
	tests := []struct {
		path string
		want []string
	}{
		{"/quickbooks-desktop/classes", names},
		{"/quickbooks-desktop/classes?limit=5", names[:5]},
		{"/quickbooks-desktop/classes?limit=155", names[:155]},
		{"/quickbooks-desktop/classes?limit=1000", names},
		{"/quickbooks-desktop/inventory-sites", names},
		{"/quickbooks-desktop/customers", names[:150]},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listed(t, srv, tt.path, "name")); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tt.path, diff)
		}
	}
}

// TestAnswersNotYetWrittenShowABoundedNumberOfObjects: a list Conductor
// does not page has no limit of its own, so the objects that the answers
// not yet written show are bounded in all (maxShownAtOnce, here 10): with
// a slow reader's list of 8 invoices unwritten, a list of 5 classes is
// refused with a message naming the bound, one of 2 is answered, and so is
// the list of 5 once the slow reader is gone.
func TestAnswersNotYetWrittenShowABoundedNumberOfObjects(t *testing.T) {
	var classes []map[string]any
	for i := range 5 {
		classes = append(classes, map[string]any{"name": fmt.Sprintf("N%03d", i)})
	}
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour, Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"classes": classes, "customers": {{"id": "80000001-1", "name": "Globex"}}},
	}}}})
	conductortest.SetShowingLimit(srv, 10)
	qbd := asEndUserA(srv)
	// 8 invoices of 850 KB: a list of them is far more than the socket
	// buffers hold, so it stays unwritten while its reader reads nothing.
	invoice := fmt.Sprintf(`{"customerId":"80000001-1","transactionDate":"2024-10-01","memo":%q}`, strings.Repeat("m", 850_000))
	for range 8 {
		if r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbd, invoice); r.status != http.StatusOK {
			t.Fatalf("creating an invoice: status %d: %.300s", r.status, r.body)
		}
	}
	conn := dial(t, srv)
	fmt.Fprintf(conn, "GET /quickbooks-desktop/invoices HTTP/1.1\r\nHost: fake\r\nAuthorization: %s\r\nConductor-End-User-Id: end_usr_a\r\n\r\n", qbd.Get("Authorization"))
	status := make([]byte, len("HTTP/1.1 200"))
	if _, err := io.ReadFull(conn, status); err != nil || string(status) != "HTTP/1.1 200" {
		t.Fatalf("the slow reader's list: %q, %v; want HTTP/1.1 200", status, err)
	}

	r := send(t, srv, "GET", "/quickbooks-desktop/classes", qbd, "")
	if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || !strings.Contains(env.Error.Message, "at most 10 objects at once") {
		t.Errorf("5 classes while 8 invoices are unwritten: status %d, %s; want 400 naming the bound of 10", r.status, r.body)
	}
	if got := listed(t, srv, "/quickbooks-desktop/classes?limit=2", "name"); !cmp.Equal(got, []string{"N000", "N001"}) {
		t.Errorf("2 classes while 8 invoices are unwritten: %v; want [N000 N001]", got)
	}
	conn.Close()
	waitFor(t, "the slow reader's list to be given up", func() bool { return conductortest.Showing(srv) == 0 })
	if got := listed(t, srv, "/quickbooks-desktop/classes", "name"); len(got) != 5 {
		t.Errorf("the classes once the slow reader is gone: %v; want all 5", got)
	}
}
