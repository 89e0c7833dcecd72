package apigen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// enumVarNames runs the overlay on one component with one enum property
// and returns its type's constants (after the type's name).
func enumVarNames(t *testing.T, prop string, values ...string) (string, []string) {
	t.Helper()
	spec := fmt.Sprintf("openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    qbd_company:\n      type: object\n      properties:\n        %s: {type: string, enum: ['%s']}\n", prop, strings.Join(values, "', '"))
	types := overlayNames(t, spec)["$.components.schemas"]
	for name, v := range types {
		var out []string
		for _, n := range v.(map[string]any)["x-enum-varnames"].([]any) {
			out = append(out, n.(string))
		}
		return name, out
	}
	t.Fatal("no enum type")
	return "", nil
}

// TaxForm + form_1040 is TaxFormForm1040 in conductor today: the stutter
// the names test names as forbidden (TaxFormFormT1), missed because a
// word followed by digits is one word to apigen's word splitter.
func TestAConstantDoesNotRepeatItsTypesLastWordBeforeDigits(t *testing.T) {
	typ, names := enumVarNames(t, "taxForm", "Form T1", "form_1040")
	for _, n := range names {
		if w, ok := apigen.StuttersAfter(typ, typ+n); ok || strings.HasPrefix(n, "Form") {
			t.Errorf("constant %s%s repeats %q of its type (StuttersAfter says %v)", typ, n, "Form", ok && w != "")
		}
	}
}

// Three values that camel-case alike would share one constant, and
// oapi-codegen keeps one constant per name, so a value would silently
// have none: generation fails instead, naming the schema and the values
// (the spec has no such values today; TestOverlayChecksEveryName runs the
// real one).
func TestEveryValueGetsItsOwnConstant(t *testing.T) {
	spec := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    qbd_company:\n      type: object\n      properties:\n        postingKind: {type: string, enum: [posting, non-posting, non_posting, NonPosting]}\n"
	_, err := apigen.Overlay([]byte(spec), nil)
	if err == nil {
		t.Fatal("Overlay succeeded: a value has no constant")
	}
	for _, want := range []string{"qbd_company.properties.postingKind", `["non-posting" "non_posting" "NonPosting"]`, "PostingKindNonPosting"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s:\n%v", want, err)
		}
	}
}

// An enum the spec does not describe says its values, in a sentence that
// reads: one property has them (not "which 1 properties ... share"), and
// past eight values it says how many more there are.
func TestAnUndescribedEnumSaysItsValues(t *testing.T) {
	spec := "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    qbd_company:\n      type: object\n      properties:\n        kind: {type: string, enum: [a, b]}\n        size: {type: string, enum: [s1, s2, s3, s4, s5, s6, s7, s8, s9, s10]}\n"
	got := map[string]any{}
	for name, v := range overlayNames(t, spec)["$.components.schemas"] {
		got[name] = v.(map[string]any)["description"]
	}
	want := map[string]any{
		"Kind": "The values of kind: a, b.",
		"Size": "The values of size: s1, s2, s3, s4, s5, s6, s7, s8 and 2 more.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
}
