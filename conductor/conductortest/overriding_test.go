package conductortest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAValueNotFoundRefusesTheList: ids, names, fullNames and refNumbers
// are looked up, not filtered by: as the spec says of each, QuickBooks
// refuses the whole list when one of the values matches nothing, with
// its "object not found" error, rather than answer the others alone.
func TestAValueNotFoundRefusesTheList(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers": {{"id": "C1", "name": "Alpha"}, {"id": "C2", "name": "Beta"}},
		"invoices":  {{"id": "I1", "refNumber": "INV-1"}, {"id": "I2", "refNumber": "INV-2"}},
		"vendors":   {{"id": "V1", "name": "Stationers"}},
	})
	found := []struct {
		path, field string
		want        []string
	}{
		{"customers?ids=C2&ids=C1", "id", []string{"C1", "C2"}},
		{"customers?fullNames=beta", "name", []string{"Beta"}},
		{"vendors?names=STATIONERS", "name", []string{"Stationers"}},
		{"invoices?refNumbers=INV-2", "id", []string{"I2"}},
	}
	for _, tt := range found {
		if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, tt.field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.path, diff)
		}
	}
	missing := []struct{ path, want string }{
		{"customers?ids=C1&ids=C9", `QuickBooks Desktop has no Customer with the id "C9".`},
		{"customers?fullNames=Alpha&fullNames=Gamma", `QuickBooks Desktop has no Customer with the fullName "Gamma".`},
		{"vendors?names=Gamma", `QuickBooks Desktop has no Vendor with the name "Gamma".`},
		{"invoices?refNumbers=inv-1", `QuickBooks Desktop has no Invoice with the refNumber "inv-1".`},
		{"invoices?ids=C1", `QuickBooks Desktop has no Invoice with the id "C1".`},
	}
	for _, tt := range missing {
		r := send(t, srv, "GET", "/quickbooks-desktop/"+tt.path, asEndUserA(srv), "")
		env := decodeEnvelope(t, r)
		got := []any{r.status, string(env.Error.Type), env.Error.Code, *env.Error.IntegrationCode, env.Error.Message}
		want := []any{400, "INTEGRATION_ERROR", "QBD_REQUEST_ERROR", "500", tt.want}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.path, diff)
		}
	}
}

// TestOverridingFilterIgnoresTheOthers: with ids (or names, fullNames,
// refNumbers) QuickBooks ignores every other filter, as the spec says, so
// the fake neither refuses two of them that could not go together, nor
// one it does not apply, nor hides what the default status would: the
// objects asked for are answered.
func TestOverridingFilterIgnoresTheOthers(t *testing.T) {
	srv := fixtureServer(t, map[string][]map[string]any{
		"customers":      {{"id": "C1", "name": "Alpha", "isActive": false}, {"id": "C2", "name": "Beta"}},
		"journalEntries": {{"id": "J1", "refNumber": "JE-1"}}, // shown in transactions
	})
	tests := []struct {
		path, field string
		want        []string
	}{
		{"customers?ids=C1&nameContains=x&nameStartsWith=y", "id", []string{"C1"}},
		{"customers?ids=C1", "id", []string{"C1"}},
		{"customers?fullNames=Alpha&totalBalance=1.00&totalBalanceGreaterThan=2.00", "id", []string{"C1"}},
		// A transaction shows its id as transactionId.
		{"transactions?ids=J1&postingStatus=posting", "transactionId", []string{"J1"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/"+tt.path, tt.field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.path, diff)
		}
	}
}
