//go:build contract

package contract

import (
	"errors"
	"net/http"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
)

// stateCase is a well-formed call whose answer depends on what the
// account holds. The fake keeps end-users, connections and objects, and
// answers as the API does; Prism keeps nothing and answers every
// well-formed request with success. why says what the API does.
type stateCase struct {
	name string
	op   string // the SDK name
	// endUser and id replace the call's usual ones when set.
	endUser, id string
	// revision replaces an update's revisionNumber when set.
	revision string
	// fake is how the fake refuses the call; Prism answers 200.
	fake refusal
	why  string
}

// refusal is a *conductor.Error as the API gives it.
type refusal struct {
	status          int
	typ             conductor.ErrorType
	integrationCode string
}

const (
	missingID        = "80000099-1700000000"
	missingEndUser   = "end_usr_nobody_here"
	qbdNotFound      = "500"  // QuickBooks: no object with this id
	qbdStaleRevision = "3200" // QuickBooks: the revision number is not the object's
)

var stateCases = []stateCase{
	{name: "an object QuickBooks does not have", op: "qbd.invoices.retrieve", id: missingID,
		fake: refusal{http.StatusBadRequest, conductor.ErrorTypeIntegration, qbdNotFound},
		why:  "QuickBooks refuses an id it does not hold (INTEGRATION_ERROR, its code 500)"},
	{name: "updating an object QuickBooks does not have", op: "qbd.customers.update", id: missingID,
		fake: refusal{http.StatusBadRequest, conductor.ErrorTypeIntegration, qbdNotFound},
		why:  "as for a retrieve"},
	{name: "deleting an object QuickBooks does not have", op: "qbd.invoices.delete", id: missingID,
		fake: refusal{http.StatusBadRequest, conductor.ErrorTypeIntegration, qbdNotFound},
		why:  "as for a retrieve"},
	{name: "voiding an object QuickBooks does not have", op: "qbd.bills.void", id: missingID,
		fake: refusal{http.StatusBadRequest, conductor.ErrorTypeIntegration, qbdNotFound},
		why:  "as for a retrieve"},
	{name: "a stale revisionNumber", op: "qbd.customers.update", revision: "7",
		fake: refusal{http.StatusBadRequest, conductor.ErrorTypeIntegration, qbdStaleRevision},
		why:  "QuickBooks refuses an update that does not carry the object's current revisionNumber (its code 3200): someone changed it since it was read"},
	{name: "an end-user the account does not have", op: "qbd.invoices.list", endUser: missingEndUser,
		fake: refusal{status: http.StatusNotFound, typ: conductor.ErrorTypeInvalidRequest},
		why:  "the API answers 404 RESOURCE_MISSING for an end-user id it does not know"},
	{name: "retrieving an end-user the account does not have", op: "endUsers.retrieve", id: missingEndUser,
		fake: refusal{status: http.StatusNotFound, typ: conductor.ErrorTypeInvalidRequest},
		why:  "as for the header"},
	{name: "an end-user who has not connected QuickBooks Desktop", op: "qbd.invoices.list", endUser: opsDoomedEndUser,
		fake: refusal{status: http.StatusBadGateway, typ: conductor.ErrorTypeIntegrationConnection},
		why:  "until an end-user completes an auth session's flow there is no QuickBooks Desktop to reach (INTEGRATION_CONNECTION_ERROR, 502)"},
	{name: "passthrough for an end-user who has not connected", op: "endUsers.passthrough", id: opsDoomedEndUser,
		fake: refusal{status: http.StatusBadGateway, typ: conductor.ErrorTypeIntegrationConnection},
		why:  "as for any QuickBooks Desktop operation"},
}

// TestStateDifferences makes each stateCase call through the client, on
// static Prism, which must answer it, and on the fake with the
// operations' fixtures, which must refuse it as the table says.
func TestStateDifferences(t *testing.T) {
	t.Parallel()
	spec := theSpec(t)
	ops := map[string]apispec.Operation{}
	for _, o := range spec.ops {
		ops[o.SDKName()] = o
	}
	for name, srv := range map[string]func(*testing.T) server{
		"conductortest": func(t *testing.T) server { return fakeServer(t, everyResource(spec)) },
		"prism":         staticPrism,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := srv(t)
			c := newClient(t, srv)
			for _, tc := range stateCases {
				t.Run(tc.name, func(t *testing.T) {
					if tc.why == "" {
						t.Fatal("the servers differ and the case does not say why")
					}
					o, ok := ops[tc.op]
					if !ok {
						t.Fatalf("the spec has no operation %s", tc.op)
					}
					req := requestFor(spec, o)
					endUser := opsEndUser
					if tc.endUser != "" {
						endUser = tc.endUser
					}
					if tc.id != "" {
						req.id = tc.id
					}
					if tc.revision != "" {
						req.params["revisionNumber"] = tc.revision
					}
					m, err := facade.Find(o, o.GoMethod())
					if err != nil {
						t.Fatal(err)
					}
					_, err = m.Call(callContext(t), c, facade.Args{EndUserID: endUser, ID: req.id, PathParams: req.pathParams, Params: req.params})
					if srv.fake == nil {
						if err != nil {
							t.Errorf("Prism refused it: %v", err)
						}
						return
					}
					var apiErr *conductor.Error
					if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.fake.status || apiErr.Type != tc.fake.typ || apiErr.IntegrationCode != tc.fake.integrationCode {
						t.Errorf("the fake answered %v; want %d %s (integration code %q): %s", err, tc.fake.status, tc.fake.typ, tc.fake.integrationCode, tc.why)
					}
				})
			}
		})
	}
}
