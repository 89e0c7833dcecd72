package apigen_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// TestANextSpecAddsNamesWithoutRenaming: a spec that only adds (a value
// to one enum, a field to one object, an object) must keep every name the
// previous spec gave, or every user's code breaks on a minor update.
// Each case is a base spec and an addition to it; the names of the
// base's schemas (x-go-name, x-go-type-name, x-go-type) must not change.
func TestANextSpecAddsNamesWithoutRenaming(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	for _, c := range []struct{ name, base, added string }{
		{
			"an object gains a field named like another object's enum",
			"    qbd_report: {type: object, properties: {category: {type: string, enum: [aging, job]}}}\n",
			"    qbd_service_item: {type: object, properties: {category: {type: string, enum: [product, service]}}}\n" +
				"    qbd_service_item_group: {type: object, properties: {category: {type: string, enum: [product, service]}}}\n",
		},
		{
			"one value added to a qualified enum",
			"    qbd_report: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [a, b]}}}\n" +
				"    qbd_custom_report: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [a, b]}}}\n" +
				"    qbd_budget_summary_report: {type: object, properties: {summarizeColumnsBy: {type: string, enum: [class, date%s]}}}\n",
			// A value whose constant would run past 50 characters
			// (class_and_customer_type) fails generation, naming it:
			// TestAValueNeverRenamesItsType.
			", customer_type",
		},
		{
			"a nested object gains a sibling with a long name",
			"    qbd_sales_receipt: {type: object, properties: {creditCardTransaction: {type: object, properties: {request: {type: object, properties: {a: {type: string}}}%s}}}}\n",
			", responseFromProcessorDetails: {type: object, properties: {a: {type: string}}}",
		},
		{
			"a new object named like a reference",
			"    qbd_vendor: {type: object, properties: {vendorType: {type: object, properties: {id: {type: string}, fullName: {type: string}}}}}\n",
			"    qbd_vendor_type: {type: object, properties: {id: {type: string}, name: {type: string}}}\n",
		},
		{
			"a second property with the same values gains one more use",
			"    qbd_a: {type: object, properties: {columnsToReturn: {type: string, enum: [active_only, all]}}}\n" +
				"    qbd_b: {type: object, properties: {rowsToReturn: {type: string, enum: [active_only, all]}}}\n",
			"    qbd_c: {type: object, properties: {rowsToReturn: {type: string, enum: [active_only, all]}}}\n",
		},
		{
			"a new object named like a published enum type",
			"    qbd_job: {type: object, properties: {id: {type: string}, status: {type: string, enum: [open, closed]}}}\n",
			"    qbd_status: {type: object, properties: {id: {type: string}, name: {type: string}}}\n",
		},
		{
			"a new object named by a published constant's value",
			"    qbd_link: {type: object, properties: {linkedObjectType: {type: string, enum: [qbd_charge, qbd_check]}}}\n" +
				"    qbd_check: {type: object, properties: {id: {type: string}}}\n",
			"    qbd_charge: {type: object, properties: {id: {type: string}}}\n",
		},
		{
			"one object's enum gains a value the others lack",
			"    qbd_transaction: {type: object, properties: {transactionType: {type: string, enum: [bill, check%s]}}}\n" +
				"    qbd_linked_transaction: {type: object, properties: {transactionType: {type: string, enum: [bill, check]}}}\n",
			", transfer_inventory",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, next := head+c.base, head+c.base+c.added
			if strings.Contains(c.base, "%s") {
				base, next = head+strings.ReplaceAll(c.base, "%s", ""), head+strings.ReplaceAll(c.base, "%s", c.added)
			}
			published, err := apigen.Overlay([]byte(base), nil)
			if err != nil {
				t.Fatal(err)
			}
			out, err := apigen.Overlay([]byte(next), published)
			if err != nil {
				t.Fatalf("the next spec does not generate: %v", err)
			}
			before, after := namesOf(t, published), namesOf(t, out)
			// A constant is as published as its type: each value of
			// each enum type keeps its x-enum-varnames.
			for typ, s := range before["$.components.schemas"] {
				want := constantsOf(s)
				got := constantsOf(after["$.components.schemas"][typ])
				for v := range got {
					if _, ok := want[v]; !ok {
						delete(got, v) // a value the next spec added
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("the constants of %s were renamed (-before +after):\n%s", typ, diff)
				}
			}
			for target, keys := range before {
				if target == "$.components.schemas" {
					continue
				}
				want, got := map[string]any{}, map[string]any{}
				for _, k := range []string{"x-go-name", "x-go-type-name", "x-go-type"} {
					if keys[k] != nil {
						want[k], got[k] = keys[k], after[target][k]
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s was renamed (-before +after):\n%s", target, diff)
				}
			}
		})
	}
}

// constantsOf is the constant each value of an enum type, as the overlay
// writes it, is named by (after its type's name).
func constantsOf(schema any) map[string]any {
	s, _ := schema.(map[string]any)
	values, _ := s["enum"].([]any)
	names, _ := s["x-enum-varnames"].([]any)
	out := map[string]any{}
	for i, v := range values {
		if v, ok := v.(string); ok && i < len(names) {
			out[v] = names[i]
		}
	}
	return out
}

// TestANewNameNeverTakesAPublishedOne pins what the additions above are
// named: a new set of values of a published enum's property is qualified
// by its owners; a new object named like a published nested type is
// qualified (VendorTypeObject); an
// enum type that gains a value in one place has the union of its
// occurrences' values, the published ones first; and a first generation
// (no previous overlay) is named by the rules alone.
func TestANewNameNeverTakesAPublishedOne(t *testing.T) {
	head := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n"
	base := head +
		"    qbd_report: {type: object, properties: {category: {type: string, enum: [aging, job]}}}\n" +
		"    qbd_vendor: {type: object, properties: {vendorType: {type: object, properties: {id: {type: string}, fullName: {type: string}}}}}\n" +
		"    qbd_transaction: {type: object, properties: {transactionType: {type: string, enum: [bill, check]}}}\n" +
		"    qbd_linked_transaction: {type: object, properties: {transactionType: {type: string, enum: [bill, check]}}}\n"
	next := strings.Replace(base, "enum: [bill, check]}}}\n    qbd_linked", "enum: [bill, transfer_inventory, check]}}}\n    qbd_linked", 1) +
		"    qbd_service_item: {type: object, properties: {category: {type: string, enum: [product, service]}}}\n" +
		"    qbd_service_item_group: {type: object, properties: {category: {type: string, enum: [product, service]}}}\n" +
		"    qbd_vendor_type: {type: object, properties: {id: {type: string}, name: {type: string}}}\n"
	published, err := apigen.Overlay([]byte(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apigen.Overlay([]byte(next), published)
	if err != nil {
		t.Fatal(err)
	}
	got := namesOf(t, out)
	s := "$.components.schemas."
	want := map[string]any{
		s + "qbd_report.properties.category":             "Category",
		s + "qbd_service_item.properties.category":       "ServiceItemCategory",
		s + "qbd_service_item_group.properties.category": "ServiceItemCategory",
		s + "qbd_vendor.properties.vendorType":           "VendorType",
		s + "qbd_vendor_type":                            "VendorTypeObject",
		s + "qbd_transaction.properties.transactionType": "TransactionType",
	}
	for target := range want {
		for _, k := range []string{"x-go-type", "x-go-type-name", "x-go-name"} {
			if v := got[target][k]; v != nil {
				if diff := cmp.Diff(want[target], v); diff != "" {
					t.Errorf("%s %s (-want +got):\n%s", target, k, diff)
				}
			}
		}
	}
	txType, _ := got["$.components.schemas"]["TransactionType"].(map[string]any)
	if diff := cmp.Diff([]any{"bill", "check", "transfer_inventory"}, txType["enum"]); diff != "" {
		t.Errorf("TransactionType's values (-want +got):\n%s", diff)
	}
	// The same spec generated afresh takes the plain names by the rules.
	fresh := overlayNames(t, base+"    qbd_vendor_type: {type: object, properties: {id: {type: string}, name: {type: string}}}\n")
	if v := fresh[s+"qbd_vendor_type"]["x-go-name"]; v != "VendorType" {
		t.Errorf("a first generation names qbd_vendor_type %v, want VendorType", v)
	}
}
