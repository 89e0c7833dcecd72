package conductortest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// connected starts a fake whose end-users end_usr_a and end_usr_b have
// connected QuickBooks Desktop.
func connected(t *testing.T, opts conductortest.Options) (*conductortest.Server, *conductor.Client) {
	t.Helper()
	srv := newServer(t, opts)
	for _, id := range []string{"end_usr_a", "end_usr_b"} {
		if err := srv.Connect(id); err != nil {
			t.Fatal(err)
		}
	}
	return srv, client(t, srv, conductor.WithMaxRetries(0))
}

func TestEachEndUserHasItsOwnData(t *testing.T) {
	_, c := connected(t, conductortest.Options{})
	ctx := context.Background()
	mine, err := c.QBD.Customers.Create(ctx, "end_usr_a", conductor.CustomerCreateParams{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.QBD.Customers.List(ctx, "end_usr_b", nil)
	if err != nil || len(page.Data) != 0 {
		t.Errorf("end_usr_b's customers: %v, %v; want none", page, err)
	}
	_, err = c.QBD.Customers.Retrieve(ctx, "end_usr_b", mine.ID)
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.Type != conductor.ErrorTypeIntegration || apiErr.IntegrationCode != "500" {
		t.Errorf("end_usr_b retrieving end_usr_a's customer: %v; want QuickBooks' not found (500)", err)
	}
}

func TestAnUnknownEndUserIs404(t *testing.T) {
	_, c := connected(t, conductortest.Options{})
	ctx := context.Background()
	_, err := c.QBD.Customers.List(ctx, "end_usr_nobody", nil)
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Code != "RESOURCE_MISSING" {
		t.Errorf("listing for an unknown end-user: %v; want 404 RESOURCE_MISSING", err)
	}
	if _, err := c.EndUsers.Retrieve(ctx, "end_usr_nobody"); !errors.Is(err, conductor.ErrNotFound) {
		t.Errorf("retrieving an unknown end-user: %v; want 404", err)
	}
	if _, err := c.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: "end_usr_nobody"}); !errors.Is(err, conductor.ErrNotFound) {
		t.Errorf("an auth session for an unknown end-user: %v; want 404", err)
	}
}

// TestListFilters creates customers and invoices, some inactive, at known
// times, and checks the filters every list shares.
func TestListFilters(t *testing.T) {
	now := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tick := func() { mu.Lock(); now = now.Add(time.Hour); mu.Unlock() }
	_, c := connected(t, conductortest.Options{Now: clock})
	ctx := context.Background()
	ids := map[string]string{}
	for _, name := range []string{"Alpha", "Beta", "Gamma", "Delta"} {
		cu, err := c.QBD.Customers.Create(ctx, "end_usr_a", conductor.CustomerCreateParams{Name: name, IsActive: new(name != "Delta")})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = cu.ID
		tick()
	}
	names := func(p *conductor.CustomerListParams) []string {
		t.Helper()
		page, err := c.QBD.Customers.List(ctx, "end_usr_a", p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, cu := range page.Data {
			out = append(out, cu.FullName)
		}
		return out
	}
	status := func(s conductor.Status) *conductor.Status { return &s }
	tests := []struct {
		name   string
		params *conductor.CustomerListParams
		want   []string
	}{
		{"active by default", nil, []string{"Alpha", "Beta", "Gamma"}},
		{"all", &conductor.CustomerListParams{Status: status(conductor.StatusAll)}, []string{"Alpha", "Beta", "Gamma", "Delta"}},
		{"inactive", &conductor.CustomerListParams{Status: status(conductor.StatusInactive)}, []string{"Delta"}},
		{"ids, whatever else", &conductor.CustomerListParams{IDs: []string{ids["Gamma"], ids["Delta"]}, NameContains: new("zzz")}, []string{"Gamma", "Delta"}},
		{"name contains, without case", &conductor.CustomerListParams{NameContains: new("MM")}, []string{"Gamma"}},
		{"name starts with", &conductor.CustomerListParams{NameStartsWith: new("b")}, []string{"Beta"}},
		{"name from and to", &conductor.CustomerListParams{NameFrom: new("B"), NameTo: new("H")}, []string{"Beta", "Gamma"}},
		{"updated after", &conductor.CustomerListParams{UpdatedAfter: &conductor.DateTime{Time: time.Date(2024, 10, 1, 15, 0, 0, 0, time.FixedZone("", 2*60*60))}}, []string{"Beta", "Gamma"}},
		{"updated before", &conductor.CustomerListParams{UpdatedBefore: &conductor.DateTime{Time: time.Date(2024, 10, 1, 23, 59, 59, 0, time.UTC)}}, []string{"Alpha", "Beta", "Gamma"}},
		{"limit", &conductor.CustomerListParams{Limit: new(2)}, []string{"Alpha", "Beta"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, names(tt.params)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestACursorExpires: a page asked for after the cursor's time is refused,
// and through All the error says why.
func TestACursorExpires(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	_, c := connected(t, conductortest.Options{Now: clock, CursorTTL: 5 * time.Second})
	ctx := context.Background()
	for i := range 3 {
		if _, err := c.QBD.Customers.Create(ctx, "end_usr_a", conductor.CustomerCreateParams{Name: fmt.Sprint("C", i)}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := c.QBD.Customers.List(ctx, "end_usr_a", &conductor.CustomerListParams{Limit: new(1)})
	if err != nil || !page.HasMore || page.NextCursor == "" || page.RemainingCount != 2 {
		t.Fatalf("first page: %+v, %v; want one of three, with a cursor", page, err)
	}
	mu.Lock()
	now = now.Add(4 * time.Second)
	mu.Unlock()
	second, err := c.QBD.Customers.List(ctx, "end_usr_a", &conductor.CustomerListParams{Limit: new(1), Cursor: &page.NextCursor})
	if err != nil || second.NextCursor != page.NextCursor || second.RemainingCount != 1 {
		t.Fatalf("second page within the cursor's time: %+v, %v; want the same cursor, one left", second, err)
	}
	mu.Lock()
	now = now.Add(6 * time.Second)
	mu.Unlock()
	_, err = c.QBD.Customers.List(ctx, "end_usr_a", &conductor.CustomerListParams{Limit: new(1), Cursor: &page.NextCursor})
	if apiErr := (*conductor.Error)(nil); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(apiErr.Message, "expired") {
		t.Fatalf("third page after the cursor's time: %v; want 400, expired", err)
	}
}

// TestRequestsAreCheckedAgainstTheSpec: what the spec refuses, the fake
// refuses with a 400 naming it, before it touches its state.
func TestRequestsAreCheckedAgainstTheSpec(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	h := qbdHeader(srv, "end_usr_a")
	noEndUser := authorized(srv)
	tests := []struct {
		name, method, path string
		header             http.Header
		body, want         string
	}{
		{"unknown query parameter", "GET", "/quickbooks-desktop/customers?colour=red", h, "", "colour: is not a query parameter"},
		{"limit over 150", "GET", "/quickbooks-desktop/customers?limit=151", h, "", "limit: number must be at most 150"},
		{"not a number", "GET", "/quickbooks-desktop/customers?limit=ten", h, "", "limit: must be a number"},
		{"bad enum", "GET", "/quickbooks-desktop/customers?status=sleeping", h, "", "status: value is not one of the allowed values"},
		{"missing required query", "GET", "/quickbooks-desktop/reports/aging", h, "", "reportType: is required but missing"},
		{"no end-user header", "GET", "/quickbooks-desktop/customers", noEndUser, "", "Conductor-End-User-Id: the header is required"},
		{"unknown body field", "POST", "/quickbooks-desktop/customers", h, `{"name":"A","colour":"red"}`, "colour: is not a known field"},
		{"missing body field", "POST", "/quickbooks-desktop/customers", h, `{}`, "name: is required but missing"},
		{"wrong type", "POST", "/quickbooks-desktop/customers", h, `{"name":7}`, "name: must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, tt.method, tt.path, tt.header, tt.body)
			env := decodeEnvelope(t, r)
			if r.status != http.StatusBadRequest || !strings.HasPrefix(env.Error.Message, tt.want) {
				t.Errorf("status %d, message %q; want 400 starting %q", r.status, env.Error.Message, tt.want)
			}
		})
	}
	if page := send(t, srv, "GET", "/quickbooks-desktop/customers?status=all", h, ""); !strings.Contains(string(page.body), `"data":[]`) {
		t.Errorf("after the refusals the fake holds customers: %s", page.body)
	}
}

func TestFixturesFromAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fixtures.json")
	data := `{"endUsers": [{"id": "end_usr_acme", "companyName": "Acme", "sourceId": "acct_42", "email": "ap@acme.example", "connected": true,
	  "qbd": {
	    "invoices": [{"id": "80000002-1700000000", "customerId": "80000001-1700000000", "transactionDate": "2024-10-01", "refNumber": "INV-1",
	                  "lines": [{"description": "Consulting", "quantity": 2, "rate": "150.00"}]}],
	    "customers": [{"id": "80000001-1700000000", "name": "Globex"}]
	  }}]}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := conductortest.LoadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, conductortest.Options{Fixtures: f})
	c := client(t, srv)
	inv, err := c.QBD.Invoices.Retrieve(context.Background(), "end_usr_acme", "80000002-1700000000")
	if err != nil {
		t.Fatal(err)
	}
	if *inv.Customer.FullName != "Globex" || inv.Subtotal != "300.00" || *inv.RefNumber != "INV-1" {
		t.Errorf("invoice from fixtures: customer %v, subtotal %s; want Globex (listed after it), 300.00", inv.Customer.FullName, inv.Subtotal)
	}

	for _, bad := range []struct{ json, want string }{
		{`{"endUsers": [{"id": "end_usr_x", "qbd": {"widgets": [{}]}}]}`, `"widgets" is not a QuickBooks Desktop resource; they are accountTaxLines, accounts,`},
		{`{"endUsers": [{"id": "end_usr_x"}, {"id": "end_usr_x"}]}`, `the id "end_usr_x" is given twice`},
		{`{"endUsers": [{"id": "end_usr_x", "conected": true}]}`, `unknown field "conected"`},
	} {
		if err := os.WriteFile(path, []byte(bad.json), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := conductortest.LoadFixtures(path)
		if err == nil {
			_, err = conductortest.NewServerWithOptions(conductortest.Options{Fixtures: f})
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("fixtures %s: err = %v; want it to say %q", bad.json, err, bad.want)
		}
	}
}

// TestManyClientsAtOnce: 64 clients create and list at once; every create
// is kept, once (the race detector checks the rest).
func TestManyClientsAtOnce(t *testing.T) {
	srv, _ := connected(t, conductortest.Options{})
	var wg sync.WaitGroup
	var failed atomic.Int32
	const clients, each = 64, 4
	for i := range clients {
		c := client(t, srv)
		wg.Go(func() {
			defer c.CloseIdleConnections()
			for j := range each {
				if _, err := c.QBD.Customers.Create(context.Background(), "end_usr_a", conductor.CustomerCreateParams{Name: fmt.Sprintf("C%d-%d", i, j)}); err != nil {
					failed.Add(1)
				}
				if _, err := c.QBD.Customers.List(context.Background(), "end_usr_a", &conductor.CustomerListParams{Limit: new(5)}); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d calls failed", n)
	}
	seen := map[string]bool{}
	for cu, err := range client(t, srv).QBD.Customers.All(context.Background(), "end_usr_a", nil) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[cu.FullName] {
			t.Errorf("%s listed twice", cu.FullName)
		}
		seen[cu.FullName] = true
	}
	if len(seen) != clients*each {
		t.Errorf("the fake holds %d customers, want %d", len(seen), clients*each)
	}
}
