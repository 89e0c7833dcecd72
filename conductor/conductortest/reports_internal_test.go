package conductortest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// TestComputedReportsAreSchemaValid: every report the fake computes, with
// rows of every kind it writes, validates against the spec's report
// schema, as an answer of QuickBooks through Conductor does.
func TestComputedReportsAreSchemaValid(t *testing.T) {
	s, err := NewServerWithOptions(Options{Fixtures: &Fixtures{EndUsers: []FixtureEndUser{{
		ID: "end_usr_reports", Connected: true, QBD: map[string][]map[string]any{
			"customers": {{"id": "C1", "name": "Globex"}},
			"vendors":   {{"id": "V1", "name": "Stationers"}},
			"invoices": {
				{"customerId": "C1", "refNumber": "I-1", "transactionDate": "2025-01-01", "dueDate": "2025-01-31", "balanceRemaining": "10.00"},
				{"customerId": "C1", "refNumber": "I-2", "transactionDate": "2025-03-01", "balanceRemaining": "20.00"},
			},
			"bills": {
				{"vendorId": "V1", "refNumber": "B-1", "transactionDate": "2025-01-01", "dueDate": "2025-01-31", "openAmount": "30.00"},
				{"vendorId": "V1", "refNumber": "B-2", "transactionDate": "2025-03-01", "dueDate": "2025-04-30", "openAmount": "40.00"},
			},
		},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*openapi3.Schema{}
	for _, rt := range a.routes {
		if strings.HasPrefix(rt.op.Path, "/quickbooks-desktop/reports/") {
			schemas[rt.op.Path] = responseSchema(rt.spec())
		}
	}
	checked := 0
	for reportType, kind := range computedReports {
		path := "/quickbooks-desktop/reports/aging"
		if !kind.aging {
			path = "/quickbooks-desktop/reports/general-summary"
		}
		req, _ := http.NewRequest("GET", s.URL+path+"?"+url.Values{"reportType": {reportType}, "reportDateTo": {"2025-03-31"}}.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+s.SecretKey)
		req.Header.Set(apispec.EndUserHeader, "end_usr_reports")
		resp, err := s.transport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", reportType, resp.StatusCode, answer)
		}
		var v map[string]any
		if err := json.Unmarshal(answer, &v); err != nil {
			t.Fatal(err)
		}
		if rows, _ := v["rows"].([]any); len(rows) < 2 {
			t.Errorf("%s: %d rows; want the books' rows and a total", reportType, len(rows))
		}
		if err := schemas[path].VisitJSON(any(v), openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
			t.Errorf("%s does not validate against the spec:\n%v\nanswer: %.3000s", reportType, err, answer)
		}
		checked++
	}
	if checked != 6 {
		t.Errorf("checked %d reports; want 6", checked)
	}
}
