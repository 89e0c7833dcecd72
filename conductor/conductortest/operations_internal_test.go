package conductortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// TestEveryOperationAnswersAsTheSpecSays sends every operation of the spec
// to a fake whose connected end-user has one object of every resource, and
// checks that each answers 200 with a body that validates against the
// operation's response schema. Requests carry what the spec requires: the
// end-user header, required query parameters, and a body with every
// required field, built from the request schema as the fake builds
// objects. Writes that remove an object go last, so that every other
// operation finds its object.
func TestEveryOperationAnswersAsTheSpecSays(t *testing.T) {
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	const endUserID = "end_usr_operations"
	fx := FixtureEndUser{ID: endUserID, CompanyName: "Operations Inc.", Connected: true, QBD: map[string][]map[string]any{}}
	for key := range a.resources {
		if r, ok := strings.CutPrefix(key, "qbd."); ok && a.hasModel(key) && !computedList(r) {
			fx.QBD[r] = []map[string]any{{"id": fixtureID(r), "name": "Fixture " + r}}
		}
	}
	// A second bill is open, of the fixture vendor, for the bill payments
	// to pay, so that the fixture bill keeps its revision for its update.
	fx.QBD["bills"] = append(fx.QBD["bills"], map[string]any{"id": fixtureID("bills") + "-open", "vendorId": fixtureID("vendors"), "amountDue": "10.00"})
	s, err := NewServerWithOptions(Options{Fixtures: &Fixtures{EndUsers: []FixtureEndUser{fx}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A top-level resource the fake has no rules of its own for (one a
	// newer spec adds) holds an object with the id the requests name.
	for key := range a.resources {
		if r, ok := strings.CutPrefix(key, "."); ok && a.hasModel(key) && r != "endUsers" && r != "authSessions" {
			model := a.model(key)
			v := (&builder{name: func(string) (string, bool) { return "", false }, newID: s.newQBDID, newNumber: func() int64 { return 1 }}).object(model, map[string]any{idField(model): endUserID})
			if err := s.state.put(s.state.topLevel, key, endUserID, v); err != nil {
				t.Fatal(err)
			}
		}
	}

	routes := slices.Clone(a.routes)
	last := func(rt *route) int {
		switch rt.op.Kind {
		case apispec.Delete:
			return 2
		case apispec.Action:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(routes, func(x, y *route) int { return last(x) - last(y) })
	// The end-user goes last of all: deleting it removes its objects.
	i := slices.IndexFunc(routes, func(rt *route) bool { return rt.op.SDKName() == "endUsers.delete" })
	routes = append(append(routes[:i:i], routes[i+1:]...), routes[i])
	checked := 0
	for _, rt := range routes {
		o := rt.op
		t.Run(o.SDKName(), func(t *testing.T) {
			path := o.Path
			path = strings.ReplaceAll(path, "{integrationSlug}", "quickbooks_desktop")
			id := fixtureID(o.Resource)
			if o.Namespace == "" {
				id = endUserID
			}
			if o.Resource == transactionsResource {
				id = fixtureID("invoices") // the view shows every transaction
			}
			path = strings.ReplaceAll(path, "{id}", url.PathEscape(id))
			q := url.Values{}
			for _, p := range rt.spec().Parameters {
				if p.Value.In == "query" && p.Value.Required {
					v := example(p.Value.Schema)
					if items, ok := v.([]any); ok {
						v = items[0]
					}
					q.Set(p.Value.Name, fmt.Sprint(v))
				}
			}
			var body []byte
			if schema := bodySchema(rt.spec()); schema != nil {
				v, _ := example(&openapi3.SchemaRef{Value: schema}).(map[string]any)
				switch o.SDKName() {
				case "authSessions.create":
					v["publishableKey"], v["endUserId"] = s.PublishableKey, endUserID
					delete(v, "linkExpiryMins")
				case "endUsers.passthrough":
					v = map[string]any{"CompanyQueryRq": map[string]any{}}
				}
				if o.Kind == apispec.Update {
					v["revisionNumber"] = "0"
				}
				nameFixtures(o.Resource, o.Model, v)
				if o.SDKName() == "qbd.billCheckPayments.create" || o.SDKName() == "qbd.billCreditCardPayments.create" {
					// QuickBooks refuses an application with no amount.
					v["applyToTransactions"] = []any{map[string]any{"transactionId": fixtureID("bills") + "-open", "paymentAmount": "1.00"}}
				}
				body, _ = json.Marshal(v)
			}
			target := s.URL + path
			if len(q) > 0 {
				target += "?" + q.Encode()
			}
			req, _ := http.NewRequest(o.Method, target, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.SecretKey)
			req.Header.Set("Content-Type", "application/json")
			if o.NeedsEndUser {
				req.Header.Set(apispec.EndUserHeader, endUserID)
			}
			resp, err := s.transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d: %s\nsent %s", o.Method, target, resp.StatusCode, answer, body)
			}
			var v any
			if err := json.Unmarshal(answer, &v); err != nil {
				t.Fatalf("the answer is not JSON: %v", err)
			}
			schema := responseSchema(rt.spec())
			if err := schema.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
				t.Errorf("the answer does not validate against the spec:\n%v\nanswer: %.2000s", err, answer)
			}
			checked++
		})
	}
	if checked != len(a.routes) || checked < 262 {
		t.Errorf("checked %d operations of %d; want all 262", checked, len(a.routes))
	}
}

// fixtureID is the id of the test's object of a resource.
func fixtureID(resource string) string { return "FIXTURE-" + resource }

// example is a value of a request schema with its required properties
// only, and at least the least items an array takes.
func example(ref *openapi3.SchemaRef) any {
	sc, _ := nonNull(ref)
	switch {
	case sc == nil:
		return nil
	case sc.Const != nil:
		return sc.Const
	case len(sc.Enum) > 0:
		return sc.Enum[0]
	case isObject(sc):
		m := map[string]any{}
		for _, name := range sc.Required {
			m[name] = example(sc.Properties[name])
		}
		return m
	case sc.Type.Is("array"):
		n := max(1, int(sc.MinItems))
		items := make([]any, n)
		for i := range items {
			items[i] = example(sc.Items)
		}
		return items
	case sc.Type.Is("boolean"):
		return false
	case sc.Type.Is("integer"), sc.Type.Is("number"):
		if sc.Min != nil {
			return *sc.Min
		}
		return 1
	case sc.Format == "date":
		return time.Now().Format(time.DateOnly)
	case sc.Format == "uuid":
		return "12345678-abcd-abcd-abcd-1234567890ab"
	case sc.MaxLength != nil && *sc.MaxLength < 4:
		return "USD"[:*sc.MaxLength]
	}
	if _, ok := isDecimalString(ref); ok {
		return "1.00"
	}
	return "text"
}
