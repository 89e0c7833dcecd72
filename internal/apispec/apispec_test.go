package apispec_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// shared is the folder of reference material beside this repository's
// clone: Conductor's published spec and the names its Node SDK gives each
// operation.
var shared = filepath.Join("..", "..", "..", "shared")

func readShared(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared, rel))
	if err != nil {
		// CI always has shared/; a clone elsewhere can run the rest.
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("%v; CI runs this test", err)
	}
	return b
}

// TestNamesAreConductors derives every operation's name from Conductor's
// published spec and compares it with the name Conductor's Node SDK gives
// it, for all 262.
func TestNamesAreConductors(t *testing.T) {
	spec, err := apispec.Parse(readShared(t, "specs/conductor-openapi-published.yml"))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(readShared(t, "reference/operation-names.tsv"))), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 3 {
			continue
		}
		want[f[0]+" "+f[1]] = f[2]
	}
	got := map[string]string{}
	for _, o := range ops {
		got[o.Method+" "+o.Path] = o.SDKName()
	}
	if len(want) != 262 {
		t.Fatalf("operation-names.tsv lists %d operations, want 262", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-Node SDK +derived):\n%s", diff)
	}
}

func TestShapes(t *testing.T) {
	spec, err := apispec.Parse([]byte(`
openapi: 3.1.0
paths:
  /quickbooks-desktop/invoices:
    get:
      parameters:
        - {name: Conductor-End-User-Id, in: header, required: true, schema: {type: string}}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        "200": {content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {$ref: "#/components/schemas/qbd_invoice"}}}}}}}
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/qbd_invoice"}}}}
  /quickbooks-desktop/invoices/{id}/void:
    post:
      responses:
        "200": {content: {application/json: {schema: {type: object}}}}
  /quickbooks-desktop/health-check:
    get:
      responses:
        "200": {content: {application/json: {schema: {type: object, properties: {status: {type: string}}}}}}
  /quickbooks-desktop/reports/aging:
    get:
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/qbd_report"}}}}
components:
  schemas:
    qbd_invoice: {type: object}
    qbd_report: {type: object}
`))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	type names struct{ SDK, ID, Go, Params, Result, Model string }
	var got []names
	for _, o := range ops {
		got = append(got, names{o.SDKName(), o.ID(), o.GoResource() + "." + o.GoMethod(), o.ParamsType(), o.ResultType(), o.Model})
	}
	want := []names{
		{"qbd.healthCheck", "HealthCheck", ".HealthCheck", "", "HealthCheckResponse", ""},
		{"qbd.invoices.create", "InvoiceCreate", "Invoices.Create", "InvoiceCreateParams", "", "Invoice"},
		{"qbd.invoices.list", "InvoiceList", "Invoices.List", "InvoiceListParams", "", "Invoice"},
		{"qbd.invoices.void", "InvoiceVoid", "Invoices.Void", "", "InvoiceVoidResponse", "Invoice"},
		{"qbd.reports.aging", "ReportAging", "Reports.Aging", "", "", "Report"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !ops[2].Paginated || !ops[2].NeedsEndUser || ops[2].Kind != apispec.List {
		t.Errorf("invoices.list = %+v; want a paginated list that needs the end-user", ops[2])
	}
}

// TestAShapeWithoutARuleIsAnError: a path the rules cannot name, or that
// would name something Go cannot spell, fails with the operation named;
// generating from it would give code that does not compile (an operation
// of no resource became a type named Service).
func TestAShapeWithoutARuleIsAnError(t *testing.T) {
	for _, op := range []string{
		"patch /quickbooks-desktop/invoices/{id}/lines/{line}",
		// An inline answer outside a namespace: no resource to hold it.
		"get /ping",
		"get /quickbooks-desktop/invoices.json",
		"get /quickbooks-desktop//invoices",
		"get /quickbooks-desktop/2fa-devices",
		// A resource cannot be named after a parameter.
		"get /{tenant}/invoices",
		"post /quickbooks-desktop/invoices/{id}/void/{type}",
		"post /quickbooks-desktop/invoices/{id}/void/{slug-}",
	} {
		method, path, _ := strings.Cut(op, " ")
		spec, err := apispec.Parse([]byte("paths:\n  " + path + ":\n    " + method + ":\n      responses:\n        \"200\": {content: {application/json: {schema: {type: object}}}}\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ToUpper(method) + " " + path + " has a shape the naming rules do not cover"
		if _, err := spec.Operations(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Operations() of %s: error = %v; want one naming the operation", op, err)
		}
	}
}

// TestAPathParameterGoPredeclaresIsAnError: a path parameter whose Go
// name Go predeclares (new, nil) would shadow what the generated method
// calls, and the code would not compile; the rules refuse it, naming the
// operation and the parameter.
func TestAPathParameterGoPredeclaresIsAnError(t *testing.T) {
	for _, name := range []string{"new", "nil"} {
		path := "/quickbooks-desktop/invoices/{id}/void/{" + name + "}"
		spec, err := apispec.Parse([]byte("paths:\n  " + path + ":\n    post:\n      responses:\n        \"200\": {content: {application/json: {schema: {type: object}}}}\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := "POST " + path + ": the path parameter " + name + " would be the Go name " + name
		if _, err := spec.Operations(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Operations() with {%s}: error = %v; want one saying %q", name, err, want)
		}
	}
}

// TestTwoOperationsOneGoName: two operations whose SDK names differ but
// whose Go names agree (a list of invoices under two resources:
// InvoiceList) would be one request builder and one parameters type
// written twice; the rules refuse them, naming both.
func TestTwoOperationsOneGoName(t *testing.T) {
	list := "      responses:\n        \"200\": {content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {$ref: \"#/components/schemas/qbd_invoice\"}}}}}}}\n"
	spec, err := apispec.Parse([]byte("paths:\n" +
		"  /quickbooks-desktop/invoices:\n    get:\n" + list +
		"  /quickbooks-desktop/sales:\n    get:\n" + list +
		"components:\n  schemas:\n    qbd_invoice: {type: object}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "GET /quickbooks-desktop/invoices and GET /quickbooks-desktop/sales are both named InvoiceList"
	if _, err := spec.Operations(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Operations() = %v; want an error saying %q", err, want)
	}
}

// TestSharedParametersCount: a parameter the spec shares through
// components/parameters says as much about the operation as one written
// in place: the end-user header, a required query parameter, a cursor.
func TestSharedParametersCount(t *testing.T) {
	spec, err := apispec.Parse([]byte(`
paths:
  /quickbooks-desktop/reports/aging:
    get:
      parameters:
        - $ref: "#/components/parameters/EndUser"
        - $ref: "#/components/parameters/ReportType"
        - $ref: "#/components/parameters/Cursor"
      responses:
        "200": {content: {application/json: {schema: {$ref: "#/components/schemas/qbd_report"}}}}
components:
  parameters:
    EndUser: {name: Conductor-End-User-Id, in: header, required: true, schema: {type: string}}
    ReportType: {name: reportType, in: query, required: true, schema: {type: string}}
    Cursor: {name: cursor, in: query, schema: {type: string}}
  schemas:
    qbd_report: {type: object}
`))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	o := ops[0]
	if !o.NeedsEndUser || !o.HasQuery || !o.Paginated || !slices.Equal(o.RequiredQuery, []string{"reportType"}) {
		t.Errorf("reports.aging = %+v; want the end-user header, a query with reportType required, and a cursor", o)
	}
}
