package facade_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// operation returns the operation of openapi.yaml named sdkName, from the
// document the command reads, decoded once for all the tests.
func operation(t *testing.T, sdkName string) apispec.Operation {
	t.Helper()
	s, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range s.Operations {
		if o.SDKName() == sdkName {
			return o
		}
	}
	t.Fatalf("openapi.yaml has no %s", sdkName)
	return apispec.Operation{}
}

// TestASignatureThatIsNotTheOperationsIsRefused changes what an operation
// implies, so that the facade's real method no longer fits it, and checks
// that Find says what it wanted.
func TestASignatureThatIsNotTheOperationsIsRefused(t *testing.T) {
	list := operation(t, "qbd.invoices.list")
	for _, tc := range []struct {
		name   string
		change func(o *apispec.Operation)
		method string
		want   string
	}{
		{"an id the path lacks", func(o *apispec.Operation) { o.HasID = true }, "List", "want the object's id next"},
		{"no end-user", func(o *apispec.Operation) { o.NeedsEndUser = false }, "List", "want the query parameters, as a pointer to a struct next"},
		{"a body, not a query", func(o *apispec.Operation) { o.HasQuery, o.HasBody = false, true }, "List", "want the body, as a struct or map next"},
		{"neither", func(o *apispec.Operation) { o.HasQuery = false }, "List", "want options last"},
		{"a path parameter", func(o *apispec.Operation) { o.PathParams = []string{"integrationSlug"} }, "List", "want the path parameter integrationSlug next"},
		{"no such method", func(o *apispec.Operation) {}, "Email", "has no facade method client.QBD.Invoices.Email"},
		{"no such service", func(o *apispec.Operation) { o.Resource = "widgets" }, "List", "has no facade method client.QBD.Widgets.List"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := list
			tc.change(&o)
			_, err := facade.Find(o, tc.method)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Find: %v; want an error saying %q", err, tc.want)
			}
		})
	}
	for _, name := range []string{"List", "All", "Changes"} {
		if _, err := facade.Find(list, name); err != nil {
			t.Errorf("Find(%s): %v", name, err)
		}
	}

	// A method that is not there is told apart from one that does not
	// fit: transfers have no change feed.
	if _, err := facade.Find(operation(t, "qbd.transfers.list"), "Changes"); !errors.Is(err, facade.ErrNoMethod) {
		t.Errorf("Find(transfers, Changes): %v; want ErrNoMethod", err)
	}
	wrong := list
	wrong.HasID = true
	if _, err := facade.Find(wrong, "List"); err == nil || errors.Is(err, facade.ErrNoMethod) {
		t.Errorf("Find of a method that does not fit: %v; want an error that is not ErrNoMethod", err)
	}
}

// externalID is the externalId the client gives a create: a version 4 UUID.
var externalID = regexp.MustCompile(`"externalId":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"`)

// TestCallSendsWhatItIsGiven calls two methods through HTTP with their
// parameters given each way Args allows, and checks what was sent.
func TestCallSendsWhatItIsGiven(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// A create carries the fresh externalId the client sets to look it
		// up by, should its answer be lost.
		body = externalID.ReplaceAll(body, []byte(`"externalId":"<a UUID>"`))
		got = append(got, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Conductor-End-User-Id")+" "+string(body))
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			json.NewEncoder(w).Encode(map[string]any{"id": "80000001-1", "objectType": "qbd_customer", "name": "Globex"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": []any{}, "hasMore": false})
	}))
	defer srv.Close()
	client, err := conductor.NewClient(conductor.WithAPIKey("sk_test_facade"), conductor.WithBaseURL(srv.URL), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()

	list, err := facade.Find(operation(t, "qbd.invoices.list"), "List")
	if err != nil {
		t.Fatal(err)
	}
	create, err := facade.Find(operation(t, "qbd.customers.create"), "Create")
	if err != nil {
		t.Fatal(err)
	}
	for _, params := range []any{nil, map[string]any(nil), map[string]any{"limit": 2}, conductor.InvoiceListParams{Limit: new(3)}, &conductor.InvoiceListParams{Limit: new(4)}} {
		if _, err := list.Call(ctx, client, facade.Args{EndUserID: "end_usr_a", Params: params}); err != nil {
			t.Errorf("List with %#v: %v", params, err)
		}
	}
	page, err := list.Call(ctx, client, facade.Args{EndUserID: "end_usr_a"})
	if _, ok := page.Interface().(*conductor.Page[conductor.Invoice]); !ok || err != nil {
		t.Errorf("List returned %v, %v; want a *conductor.Page[conductor.Invoice]", page.Type(), err)
	}
	customer, err := create.Call(ctx, client, facade.Args{EndUserID: "end_usr_b", Params: map[string]any{"name": "Globex"}})
	if c, ok := customer.Interface().(*conductor.Customer); !ok || err != nil || c.Name != "Globex" {
		t.Errorf("Create returned %v, %v; want the customer Globex", customer, err)
	}
	want := []string{
		"GET /quickbooks-desktop/invoices end_usr_a ",
		"GET /quickbooks-desktop/invoices end_usr_a ",
		"GET /quickbooks-desktop/invoices?limit=2 end_usr_a ",
		"GET /quickbooks-desktop/invoices?limit=3 end_usr_a ",
		"GET /quickbooks-desktop/invoices?limit=4 end_usr_a ",
		"GET /quickbooks-desktop/invoices end_usr_a ",
		`POST /quickbooks-desktop/customers end_usr_b {"externalId":"<a UUID>","name":"Globex"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests sent (-want +got):\n%s", diff)
	}

	// Parameters of another type are refused, naming both, and nothing is sent.
	if _, err := list.Call(ctx, client, facade.Args{EndUserID: "end_usr_a", Params: conductor.CustomerCreateParams{}}); err == nil || !strings.Contains(err.Error(), "InvoiceListParams, not") {
		t.Errorf("List with a customer's body: %v; want an error naming the type it takes", err)
	}
	if _, err := list.Call(ctx, client, facade.Args{EndUserID: "end_usr_a", Params: map[string]any{"limit": "two"}}); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("List with a limit of \"two\": %v; want an error saying it does not fit", err)
	}
	if _, err := list.Call(ctx, client, facade.Args{EndUserID: "end_usr_a", Params: map[string]any{"limt": 2}}); err == nil || !strings.Contains(err.Error(), `unknown field "limt"`) {
		t.Errorf("List with a misspelt limit: %v; want an error naming the unknown field", err)
	}
	if len(got) != len(want) {
		t.Errorf("%d requests sent; the refused calls sent some", len(got)-len(want))
	}
}
