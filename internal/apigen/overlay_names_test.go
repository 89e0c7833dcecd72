package apigen_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// overlayNames runs a first generation's overlay on spec and returns
// what it sets, by target, of the keys that name and describe types.
func overlayNames(t *testing.T, spec string) map[string]map[string]any {
	t.Helper()
	out, err := apigen.Overlay([]byte(spec), nil)
	if err != nil {
		t.Fatalf("Overlay: %v", err)
	}
	return namesOf(t, out)
}

// namesOf returns what the overlay out sets, by target.
func namesOf(t *testing.T, out []byte) map[string]map[string]any {
	t.Helper()
	var doc struct {
		Actions []struct {
			Target string         `yaml:"target"`
			Update map[string]any `yaml:"update"`
		} `yaml:"actions"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, a := range doc.Actions {
		for k, v := range a.Update {
			if got[a.Target] == nil {
				got[a.Target] = map[string]any{}
			}
			got[a.Target][k] = v
		}
	}
	return got
}

const namesSpec = `openapi: 3.1.0
paths: {}
components:
  schemas:
    qbd_account:
      type: object
      title: The Account object
      summary: An account is a financial account.
      properties:
        objectType: {type: string, const: qbd_account}
        accountType: {type: string, enum: [bank, equity]}
        parent:
          anyOf:
            - type: object
              properties: {id: {type: string}, fullName: {type: string}}
            - type: "null"
          description: The parent account.
        addresses:
          type: array
          description: The addresses.
          items:
            type: object
            properties: {line1: {type: string}}
        entries:
          type: array
          description: The entries.
          items:
            type: object
            properties: {memo: {type: string}}
    qbd_account_filter:
      type: object
      title: The Account Filter object
      properties:
        objectType: {type: string, const: qbd_account_filter}
        accountType:
          type: array
          items: {type: string, enum: [bank, equity, all]}
        type: {type: string, enum: [a, b]}
        status: {type: string, enum: ["on", "off"]}
    status:
      type: object
      properties: {a: {type: string}}
`

// TestOverlayNamesEveryType pins the naming rules on a small spec: a
// component schema by its model name, described by its summary; a nullable
// nested object on its object branch, after its parent and property, with
// the property's description; an element of a list in the singular
// (addresses → Address, entries → Entry); one enum type per set of values,
// named for its property, the other set of that property qualified by its
// owner, as is one named like an object type (status beside a Status
// schema); and the const objectTypes one ObjectType whose constants are
// named for the schemas.
func TestOverlayNamesEveryType(t *testing.T) {
	got := overlayNames(t, namesSpec)
	s := "$.components.schemas."
	want := map[string]map[string]any{
		s + "qbd_account":                                     {"x-go-name": "Account", "description": "An account is a financial account."},
		s + "qbd_account_filter":                              {"x-go-name": "AccountFilter", "description": "The Account Filter object"},
		s + "qbd_account.properties.parent.anyOf[0]":          {"x-go-type-name": "AccountParent", "description": "The parent account."},
		s + "qbd_account.properties.addresses.items":          {"x-go-type-name": "AccountAddress", "description": "The addresses."},
		s + "qbd_account.properties.entries.items":            {"x-go-type-name": "AccountEntry", "description": "The entries."},
		s + "qbd_account.properties.objectType":               {"x-go-type": "ObjectType"},
		s + "qbd_account_filter.properties.objectType":        {"x-go-type": "ObjectType"},
		s + "qbd_account.properties.accountType":              {"x-go-type": "AccountType"},
		s + "qbd_account_filter.properties.accountType.items": {"x-go-type": "AccountFilterAccountType"},
		s + "qbd_account_filter.properties.type":              {"x-go-type": "AccountFilterType"},
		s + "qbd_account_filter.properties.status":            {"x-go-type": "AccountFilterStatus"},
	}
	for target, keys := range want {
		if diff := cmp.Diff(keys, got[target]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", target, diff)
		}
	}
	types := got["$.components.schemas"]
	enum := func(name string) any {
		m, _ := types[name].(map[string]any)
		return map[string]any{"enum": m["enum"], "x-enum-varnames": m["x-enum-varnames"]}
	}
	for name, w := range map[string]any{
		"ObjectType":               map[string]any{"enum": []any{"qbd_account", "qbd_account_filter"}, "x-enum-varnames": []any{"Account", "AccountFilter"}},
		"AccountType":              map[string]any{"enum": []any{"bank", "equity"}, "x-enum-varnames": []any{"Bank", "Equity"}},
		"AccountFilterAccountType": map[string]any{"enum": []any{"bank", "equity", "all"}, "x-enum-varnames": []any{"Bank", "Equity", "All"}},
	} {
		if diff := cmp.Diff(w, enum(name)); diff != "" {
			t.Errorf("enum type %s (-want +got):\n%s", name, diff)
		}
	}
	if len(types) != 5 {
		t.Errorf("the overlay adds %d enum types, want 5 (ObjectType, AccountType, AccountFilterAccountType, AccountFilterType, AccountFilterStatus)", len(types))
	}
}

// TestNamesAreShortenedMechanically pins that a nested name past the limit
// loses first the Params of its operation, then leading words of its
// longest property; that each name is shortened on its own, only when it
// runs long (Request fits and is whole, though its sibling Response is
// cut: a sibling added later must not rename it); and that the check
// finds stutters.
func TestNamesAreShortenedMechanically(t *testing.T) {
	spec := `openapi: 3.1.0
paths: {}
components:
  schemas:
    qbd_purchases_and_vendors_preferences:
      type: object
      properties:
        defaultDiscountAccount:
          type: object
          properties: {id: {type: string}}
`
	spec += `    qbd_receive_payments_records:
      type: object
      properties:
        creditCardTransaction:
          type: object
          properties:
            request: {type: object, properties: {a: {type: string}}}
            response: {type: object, properties: {a: {type: string}}}
`
	names := overlayNames(t, spec)
	s := "$.components.schemas."
	got := map[string]any{}
	for _, target := range []string{
		"qbd_purchases_and_vendors_preferences.properties.defaultDiscountAccount",
		"qbd_receive_payments_records.properties.creditCardTransaction.properties.request",
		"qbd_receive_payments_records.properties.creditCardTransaction.properties.response",
	} {
		got[target] = names[s+target]["x-go-type-name"]
	}
	want := map[string]any{
		"qbd_purchases_and_vendors_preferences.properties.defaultDiscountAccount":           "PurchasesAndVendorsPreferencesDiscountAccount",
		"qbd_receive_payments_records.properties.creditCardTransaction.properties.request":  "ReceivePaymentsRecordsCreditCardTransactionRequest",
		"qbd_receive_payments_records.properties.creditCardTransaction.properties.response": "ReceivePaymentsRecordsCardTransactionResponse",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shortened names (-want +got):\n%s", diff)
	}
	for name, want := range map[string]bool{"AccountAccountType": true, "AccountType": false, "InvoiceLineLineGroup": true, "ClassIDs": false} {
		if _, got := apigen.Stutters(name); got != want {
			t.Errorf("Stutters(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestOneEnumTypeWhateverTheOrder: two properties that take the same set
// of values, listed in another order, are one type with one set of
// constants, as the issue asks of every enum; not a second type whose
// qualified name says only that the spec listed them differently.
func TestOneEnumTypeWhateverTheOrder(t *testing.T) {
	got := overlayNames(t, `openapi: 3.1.0
paths: {}
components:
  schemas:
    qbd_bill:
      type: object
      properties: {status: {type: string, enum: [open, paid]}}
    qbd_invoice:
      type: object
      properties: {status: {type: string, enum: [paid, open]}}
`)
	s := "$.components.schemas."
	for _, target := range []string{s + "qbd_bill.properties.status", s + "qbd_invoice.properties.status"} {
		if diff := cmp.Diff(map[string]any{"x-go-type": "Status"}, got[target]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", target, diff)
		}
	}
	types := got["$.components.schemas"]
	if len(types) != 1 || types["Status"] == nil {
		t.Errorf("the overlay adds the enum types %v; want Status alone", types)
	}
}
