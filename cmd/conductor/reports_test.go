package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAgingReportOfTheDemoCompany: what a user of another language sees
// of the fake's reports, through the command: the demo company's three
// invoices of October 2024, over 90 days past due, in the A/R aging
// summary's total row.
func TestAgingReportOfTheDemoCompany(t *testing.T) {
	t.Parallel()
	_, vars := demoFake(t)
	rep := object(t, ok(t, vars, "qbd", "reports", "aging", "--end-user-id", demo, "--report-type", "ar_aging_summary"))
	rows, _ := rep["rows"].([]any)
	if len(rows) == 0 {
		t.Fatalf("the report has no rows: %v", rep)
	}
	total, _ := rows[len(rows)-1].(map[string]any)
	var got []string
	cells, _ := total["cells"].([]any)
	for _, c := range cells {
		cell, _ := c.(map[string]any)
		v, _ := cell["value"].(string)
		got = append(got, v)
	}
	want := []string{"TOTAL", "0.00", "0.00", "0.00", "0.00", "2547.00", "2547.00"}
	if diff := cmp.Diff(want, got); diff != "" || total["kind"] != "total" || len(rows) != 4 {
		t.Errorf("%d rows, the last a %v (-want +got):\n%s", len(rows), total["kind"], diff)
	}
}
