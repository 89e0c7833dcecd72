package apigen_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// TestAValueNeverRenamesItsType pins that an enum type is named whatever
// its values: a long value added to an enum whose type fits leaves the
// type's name alone, and fails generation naming the schema and the value
// when its constant would run long, instead of renaming the type (or
// shortening the value into another one's meaning).
func TestAValueNeverRenamesItsType(t *testing.T) {
	// Two reports share one set of summarizeColumnsBy, which is plain
	// SummarizeColumnsBy; the budget summary's own set is qualified.
	spec := func(values string) string {
		return "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n" +
			"    qbd_report_a: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [day, week]}}}\n" +
			"    qbd_report_b: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [day, week]}}}\n" +
			"    qbd_report_budget_summary: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [" + values + "]}}}\n"
	}
	got := map[string]any{}
	for name, v := range overlayNames(t, spec("class, customer, date"))["$.components.schemas"] {
		got[name] = v.(map[string]any)["x-enum-varnames"]
	}
	want := map[string]any{
		"SummarizeColumnsBy":                    []any{"Day", "Week"},
		"ReportBudgetSummarySummarizeColumnsBy": []any{"Class", "Customer", "Date"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enum types (-want +got):\n%s", diff)
	}
	_, err := apigen.Overlay([]byte(spec("class, customer, date, class_and_customer_type")), nil)
	if err == nil {
		t.Fatal("Overlay succeeded with a constant of 57 characters")
	}
	for _, w := range []string{"qbd_report_budget_summary.properties.summarizeColumnsBy", `"class_and_customer_type"`, "ReportBudgetSummarySummarizeColumnsByClassAndCustomerType", "longer than 50"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not name %s:\n%v", w, err)
		}
	}
}

// TestOverlayChecksEveryName pins that every name the overlay gives is
// checked where it is given: a spec whose names would not be Go, would
// say a word twice or would run long fails generation with a message
// naming the schema (and property and value), and never panics; that a
// spec the rules cannot name (two schemas, one name; a name past the
// limit) fails the same way, instead of producing code that does not
// compile; and that the real spec passes.
func TestOverlayChecksEveryName(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	for _, c := range []struct {
		name, schemas string
		want          []string
	}{
		{
			"a property that begins with a digit",
			"    qbd_company: {type: object, properties: {1st: {type: string, enum: [a, b]}}}\n",
			[]string{"$.components.schemas.qbd_company.properties['1st']", `"1st"`, "not an exported Go identifier"},
		},
		{
			"an empty property",
			"    qbd_company: {type: object, properties: {'': {type: string, enum: [a, b]}}}\n",
			[]string{"$.components.schemas.qbd_company.properties['']", "not an exported Go identifier"},
		},
		{
			"a constant past the limit",
			"    qbd_company: {type: object, properties: {kind: {type: string, enum: [a, " + strings.Repeat("very_", 12) + "long]}}}\n",
			[]string{"qbd_company.properties.kind", `"very_`, "KindVeryVery", "longer than 50"},
		},
		{
			"a value with no letter or digit",
			"    qbd_company: {type: object, properties: {kind: {type: string, enum: [a, '--']}}}\n",
			[]string{"qbd_company.properties.kind", `"--"`, "says nothing of the value"},
		},
		{
			"a type that stutters",
			"    qbd_account_account: {type: object, properties: {a: {type: string}}}\n",
			[]string{"$.components.schemas.qbd_account_account", "AccountAccount", "says Account twice"},
		},
		{
			"a constant that stutters",
			"    qbd_company: {type: object, properties: {taxForm: {type: string, enum: [a, Form_Form_1040]}}}\n",
			[]string{"qbd_company.properties.taxForm", `"Form_Form_1040"`, "says Form twice"},
		},
		{
			"two schemas, one name",
			"    qbd_invoice: {type: object, properties: {a: {type: string}}}\n    invoice: {type: object, properties: {a: {type: string}}}\n",
			[]string{"$.components.schemas.qbd_invoice", "$.components.schemas.invoice", "Invoice"},
		},
		{
			"a nested object named like a component",
			"    qbd_bill: {type: object, properties: {terms: {type: object, properties: {days: {type: number}}}}}\n    qbd_bill_terms: {type: object, properties: {a: {type: string}}}\n",
			[]string{"qbd_bill.properties.terms", "$.components.schemas.qbd_bill_terms", "BillTerms"},
		},
		{
			"a name past the limit",
			"    qbd_" + strings.Repeat("very_", 12) + "long: {type: object, properties: {a: {type: string}}}\n",
			[]string{"$.components.schemas.qbd_very_", "longer than 50"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := apigen.Overlay([]byte(head+c.schemas), nil)
			if err == nil {
				t.Fatal("Overlay succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not name %s:\n%v", w, err)
				}
			}
		})
	}
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	published, err := os.ReadFile("../../gen/overlay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, prev := range [][]byte{nil, published} {
		if _, err := apigen.Overlay(spec, prev); err != nil {
			t.Errorf("the real spec (with %d bytes of published names): %v", len(prev), err)
		}
	}
}
