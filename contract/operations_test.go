//go:build contract

package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// The ids every operation is called with, on every server. Prism accepts
// any; the fake starts with them (see everyResource).
const (
	// opsEndUser has connected QuickBooks Desktop and holds one object of
	// every resource, each with the id objectID: the spec's example id,
	// which the request bodies built from the spec's examples name in
	// every reference (customerId, lines[].itemId), and the fake refuses
	// a reference to an object the end-user does not have.
	opsEndUser = "end_usr_contract"
	// opsDoomedEndUser is the end-user endUsers.delete deletes, so that
	// opsEndUser outlives it.
	opsDoomedEndUser = "end_usr_contract_doomed"
	objectID         = "80000001-1234567890"
	// revision is the revisionNumber of the fake's fixture objects; an
	// update must send the object's current one.
	revision = "0"
)

// everyResource are the fake's fixtures for the operations: opsEndUser
// with one object of every QuickBooks Desktop resource, and
// opsDoomedEndUser.
func everyResource(spec *contractSpec) *conductortest.Fixtures {
	qbd := map[string][]map[string]any{}
	deleted := deletedResources(spec)
	for _, o := range spec.ops {
		// The resources the fake keeps objects of: those an operation
		// returns a component schema for.
		if o.Namespace == apispec.QBDNamespace && o.Resource != "" && o.ResultSchema != "" {
			qbd[o.Resource] = []map[string]any{{"id": objectID, "name": "Contract " + o.Resource}}
			if deleted[o.Resource] {
				qbd[o.Resource] = append(qbd[o.Resource], map[string]any{"id": deletedObjectID, "name": "Deleted " + o.Resource})
			}
		}
	}
	// Bills to pay are read off the books, not kept: the fixture bill is
	// open, of the fixture vendor, on the fixture A/P account and in the
	// fixture currency, due by the request's dueDate, so that the list
	// answers it.
	delete(qbd, "billsToPay")
	// So are transactions: every fixture transaction shows in them.
	delete(qbd, "transactions")
	maps.Copy(qbd["bills"][0], map[string]any{"vendorId": objectID, "payablesAccountId": objectID, "currencyId": objectID,
		"dueDate": "2024-10-01", "amountDue": "1000.00", "openAmount": "1000.00"})
	// The payments the operations create and update are applied to the
	// fixture invoice and bill: QuickBooks pays only the payment's own
	// customer's or vendor's open transactions, and at most what is left
	// of them, so both are the fixture customer's or vendor's and open for
	// more than the payments apply.
	maps.Copy(qbd["invoices"][0], map[string]any{"customerId": objectID, "subtotal": "1000.00", "balanceRemaining": "1000.00"})
	qbd["receivePayments"][0]["customerId"] = objectID
	qbd["billCheckPayments"][0]["vendorId"] = objectID
	qbd["billCreditCardPayments"][0]["vendorId"] = objectID
	for _, o := range spec.ops {
		if qbd[o.Resource] != nil {
			for _, id := range otherExampleIDs(spec, o) {
				qbd[o.Resource] = append(qbd[o.Resource], map[string]any{"id": id, "name": fmt.Sprint("Contract ", o.Resource, " ", id)})
			}
		}
	}
	return &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: opsEndUser, CompanyName: "Contract Inc.", Connected: true, QBD: qbd},
		{ID: opsDoomedEndUser, CompanyName: "Doomed Inc."},
	}}
}

// otherExampleIDs are the ids a list o is asked for, from its spec's
// example, besides objectID: the fixtures hold an object of each, as
// QuickBooks refuses a list asked for an id it does not have (a
// transaction's example id is not a list object's), and the ids make it
// ignore every other filter sent.
func otherExampleIDs(spec *contractSpec, o apispec.Operation) []any {
	if o.Kind != apispec.List {
		return nil
	}
	p := spec.operation(o).Parameters.GetByInAndName("query", "ids")
	if p == nil {
		return nil
	}
	ids, _ := requestValue(p.Schema, 0).([]any)
	var out []any // not in ids' array, the spec's own example
	for _, id := range ids {
		if id != objectID {
			out = append(out, id)
		}
	}
	return out
}

// deletedObjectID is an object of each resource the deleted lists are
// asked about, which withDeletions deletes in QuickBooks before the test.
const deletedObjectID = "80000002-1700000000"

// deletedResources are the resources whose type the deleted-transactions
// and deleted-list-objects requests ask for.
func deletedResources(spec *contractSpec) map[string]bool {
	out := map[string]bool{}
	for _, o := range spec.ops {
		var param string
		var types map[string]string
		switch o.Resource {
		case "deletedTransactions":
			param, types = "transactionTypes", apispec.TransactionTypes
		case "deletedListObjects":
			param, types = "objectTypes", apispec.ListTypes
		default:
			continue
		}
		// The value requestFor sends, read here without it: requestFor
		// asks the probe fake, whose fixtures are built from this.
		asked, _ := requestValue(spec.operation(o).Parameters.GetByInAndName("query", param).Schema, 0).([]any)
		for resource, typ := range types {
			for _, a := range asked {
				if a == typ {
					out[resource] = true
				}
			}
		}
	}
	return out
}

// withDeletions deletes in QuickBooks, on srv's fake, the object
// deletedObjectID of each of deletedResources, so that the deleted lists
// answer one record each, as every other list answers its fixture: the
// fake lists what QuickBooks kept of objects deleted, not fixtures.
func withDeletions(t *testing.T, spec *contractSpec, srv server) server {
	t.Helper()
	for resource := range deletedResources(spec) {
		if err := srv.fake.DeleteInQuickBooks(opsEndUser, resource, deletedObjectID); err != nil {
			t.Fatalf("deleting %s %s: %v", resource, deletedObjectID, err)
		}
	}
	return srv
}

// TestEveryOperation calls every facade method, one for each of the 262
// operations of the spec and All for each list, through the conductor
// client, against the fake, static Prism and dynamic Prism, and checks
// that each succeeds and decodes, and that every answer it got conforms
// to the spec's response schema: the fake's must; Prism's do by
// construction, which checks the check. Each call sends every query
// parameter and body field the spec defines, with values it accepts, so
// that both servers check all of what the client encodes.
func TestEveryOperation(t *testing.T) {
	t.Parallel()
	spec := theSpec(t)
	for name, srv := range map[string]func(*testing.T) server{
		"conductortest": func(t *testing.T) server { return withDeletions(t, spec, fakeServer(t, everyResource(spec))) },
		"prism":         staticPrism,
		"prism-dynamic": dynamicPrism,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testEveryOperation(t, spec, srv(t))
		})
	}
}

func testEveryOperation(t *testing.T, spec *contractSpec, srv server) {
	rec := &recorder{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(rec.base.(*http.Transport).CloseIdleConnections)
	c := newClient(t, srv, conductor.WithHTTPClient(&http.Client{Transport: rec}))

	methods := 0
	for _, o := range inStateOrder(spec.ops) {
		t.Run(o.SDKName(), func(t *testing.T) {
			req := requestFor(spec, o)
			names := []string{o.GoMethod()}
			if o.Kind == apispec.List {
				names = append(names, "All")
			}
			for _, name := range names {
				m, err := facade.Find(o, name)
				if err != nil {
					t.Fatal(err)
				}
				args := facade.Args{EndUserID: opsEndUser, ID: req.id, PathParams: req.pathParams, Params: req.params}
				if name == "All" {
					args.Params = req.required
				}
				methods++
				rec.take()
				out, failed := m.Call(callContext(t), c, args)
				switch {
				case name == "All":
					// All asks for nothing until iterated.
					failed = checkAll(spec, srv, o, out, rec)
				case failed == nil:
					failed = checkResult(srv, o, req.id, out)
				}
				got := rec.take()
				var invalid []string
				for _, x := range got {
					if x.status != http.StatusOK {
						continue
					}
					if err := spec.checkResponse(o, x.body); err != nil {
						invalid = append(invalid, fmt.Sprintf("the answer to %s %s does not conform to the spec: %v\nanswer: %.1500s", x.method, x.path, err, x.body))
					}
				}
				if failed != nil {
					t.Errorf("%s: %v", name, failed)
				}
				for _, msg := range invalid {
					t.Errorf("%s: %s", name, msg)
				}
			}
		})
	}
	if methods < 262 {
		t.Errorf("called %d methods; want at least one for each of the 262 operations", methods)
	}
}

// checkResult checks what a method other than All returned.
func checkResult(srv server, o apispec.Operation, id string, out reflect.Value) error {
	if out.IsZero() {
		return errors.New("it returned nothing")
	}
	// The fake answers a retrieve from its fixtures: the object asked for.
	if srv.fake != nil && o.Kind == apispec.Retrieve && o.HasID {
		if got := out.Elem().FieldByName("ID"); got.IsValid() && got.String() != id {
			return fmt.Errorf("Retrieve(%q) returned the object %q", id, got)
		}
	}
	return nil
}

// emptyPageWithMore is how All refuses a page with no objects that says
// more follow, rather than ask for pages forever.
const emptyPageWithMore = "is empty but says more follow"

// moreWithoutCursor is how All refuses a page that says more follow but
// gives no cursor to ask for them, rather than end the list early.
const moreWithoutCursor = "gives no nextCursor to ask for them"

// checkAll runs All. The fake's must yield exactly the fixtures: one
// object, or for endUsers.list the two end-users. Prism's is read to its
// first object and stopped: static Prism answers every page with the
// example page, whose hasMore may be true, so the list would never end.
//
// Dynamic Prism may answer with no objects and hasMore true, or with
// hasMore true and no nextCursor, which the schema allows and the API
// never sends (a page holds up to 150 objects and says more follow only
// when they do, with the cursor to ask for them); All then fails rather
// than ask forever or stop early. That failure passes only when the page
// was such a page.
func checkAll(spec *contractSpec, srv server, o apispec.Operation, seq reflect.Value, rec *recorder) error {
	if srv.fake == nil {
		// Dynamic Prism invents pages that cannot go on: one that says
		// more follow with no objects, or with no cursor. All must refuse
		// them, and say which.
		_, err := iterate(seq, 1)
		if got := rec.peek(); err != nil && len(got) > 0 {
			var page struct {
				Data       []any   `json:"data"`
				HasMore    bool    `json:"hasMore"`
				NextCursor *string `json:"nextCursor"`
			}
			if json.Unmarshal(got[0].body, &page) == nil && page.HasMore {
				switch {
				case strings.Contains(err.Error(), emptyPageWithMore) && len(page.Data) == 0:
					return nil
				case strings.Contains(err.Error(), moreWithoutCursor) && (page.NextCursor == nil || *page.NextCursor == ""):
					return nil
				}
			}
		}
		return err
	}
	want := 1 + len(otherExampleIDs(spec, o))
	if o.Namespace == "" {
		want = 2
	}
	if o.Namespace == apispec.QBDNamespace && o.Resource == "transactions" {
		want = fixtureTransactions(spec)
	}
	n, err := iterate(seq, -1)
	if err == nil && n != want {
		err = fmt.Errorf("All yielded %d objects, want the fixtures' %d", n, want)
	}
	return err
}

// fixtureTransactions is how many of the fixtures the transactions list
// shows: every object, not deleted, of the resources whose objects are
// transactions of a type the list's schema has (time tracking is none).
func fixtureTransactions(spec *contractSpec) int {
	types := spec.doc.Components.Schemas["qbd_transaction"].Value.Properties["transactionType"].Value.Enum
	n := 0
	for r, objs := range everyResource(spec).EndUsers[0].QBD {
		if t, ok := apispec.TransactionTypes[r]; ok && slices.Contains(types, any(t)) {
			for _, v := range objs {
				if v["id"] != deletedObjectID {
					n++
				}
			}
		}
	}
	return n
}

// iterate runs an iter.Seq2[T, error], given as a reflect.Value, until it
// ends, yields an error or has yielded limit values (no limit when
// limit < 0), and returns how many values it yielded and the error.
func iterate(seq reflect.Value, limit int) (int, error) {
	n := 0
	for _, errv := range seq.Seq2() {
		if err, _ := errv.Interface().(error); err != nil {
			return n, err
		}
		if n++; n == limit {
			break
		}
	}
	return n, nil
}

// request is how an operation is called.
type request struct {
	id         string
	pathParams []string
	// params are the query parameters, every one the operation takes, or
	// the body, every field of it.
	params map[string]any
	// required are the query parameters the operation requires, or nil:
	// what All is called with, so that the fake's list is not filtered
	// down to nothing.
	required map[string]any
}

// requestFor builds the call of o: the ids the fake's fixtures hold, and
// values the spec accepts for every parameter and field.
func requestFor(spec *contractSpec, o apispec.Operation) request {
	op := spec.operation(o)
	r := request{id: objectID}
	if o.Namespace == "" {
		r.id = opsEndUser
		if o.Kind == apispec.Delete {
			r.id = opsDoomedEndUser
		}
	}
	for _, name := range o.PathParams {
		r.pathParams = append(r.pathParams, requestValue(op.Parameters.GetByInAndName("path", name).Schema, 0).(string))
	}
	for _, p := range op.Parameters {
		if p.Value.In != "query" || p.Value.Name == "cursor" {
			continue
		}
		v := requestValue(p.Value.Schema, 0)
		if r.params == nil {
			r.params = map[string]any{}
		}
		r.params[p.Value.Name] = v
		if p.Value.Required {
			if r.required == nil {
				r.required = map[string]any{}
			}
			r.required[p.Value.Name] = v
		}
	}
	r.params = withoutRefusedFilters(spec, o, r.params)
	if schema := bodySchema(op); schema != nil {
		body, _ := requestValue(&openapi3.SchemaRef{Value: schema}, 0).(map[string]any)
		switch {
		case o.SDKName() == "authSessions.create":
			// The client adds its publishable key; the duration is a
			// time.Duration, which JSON cannot fill by name.
			delete(body, "publishableKey")
			delete(body, "linkExpiryMins")
			body["endUserId"] = opsEndUser
		case o.SDKName() == "endUsers.passthrough":
			// A qbXML request, as a passthrough carries.
			body = map[string]any{"CompanyQueryRq": map[string]any{}}
		case o.Kind == apispec.Update:
			body["revisionNumber"] = revision
		}
		// A payment is applied, a credit applied and a transaction linked
		// to the fixture transaction: the fake refuses a reference to a
		// transaction the end-user does not have, as QuickBooks does, and
		// the spec's examples of these are no fixture's id.
		nameFixtureTransactions(body)
		r.params = body
	}
	return r
}

// nameFixtureTransactions points every transactionId,
// creditTransactionId and linkToTransactionIds of a request body, at any
// depth, at the fixture object.
func nameFixtureTransactions(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "transactionId", "creditTransactionId":
				v[k] = objectID
			case "linkToTransactionIds":
				v[k] = []any{objectID}
			default:
				nameFixtureTransactions(x)
			}
		}
	case []any:
		for _, x := range v {
			nameFixtureTransactions(x)
		}
	}
}

// bodySchema is the schema of an operation's JSON request body, or nil.
func bodySchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	media := op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	return media.Schema.Value
}

// inStateOrder orders operations so that each finds the fake's fixture
// it acts on as the fixtures left it: reads first, then creates (so that
// lists yield only the fixtures), updates (which must send the fixture's
// revisionNumber), voids and passthrough, and deletes last.
func inStateOrder(ops []apispec.Operation) []apispec.Operation {
	rank := map[apispec.Kind]int{apispec.Create: 2, apispec.Update: 4, apispec.Action: 6, apispec.Delete: 8}
	rankOf := func(o apispec.Operation) int {
		// A payment created or updated changes the invoice or bill it is
		// applied to (its balance, so its revisionNumber), so it goes
		// after their updates.
		if (o.Kind == apispec.Create || o.Kind == apispec.Update) && slices.Contains([]string{"receivePayments", "billCheckPayments", "billCreditCardPayments"}, o.Resource) {
			return rank[apispec.Update] + 1
		}
		return rank[o.Kind]
	}
	ops = slices.Clone(ops)
	slices.SortStableFunc(ops, func(a, b apispec.Operation) int { return rankOf(a) - rankOf(b) })
	return ops
}
