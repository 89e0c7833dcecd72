package conductortest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// clockStart is the start of the fake's clock in the tests of its clock.
var clockStart = time.Date(2024, 10, 1, 12, 34, 56, 0, time.UTC)

// clockServer starts a fake at clockStart whose end-users are those given,
// connected, each with three customers A, B and C.
func clockServer(t *testing.T, endUsers ...conductortest.FixtureEndUser) *conductortest.Server {
	t.Helper()
	for i := range endUsers {
		endUsers[i].Connected = true
		endUsers[i].QBD = map[string][]map[string]any{"customers": {{"id": "80000001-1", "name": "A"}, {"name": "B"}, {"name": "C"}}}
	}
	return newServer(t, conductortest.Options{Now: func() time.Time { return clockStart }, Fixtures: &conductortest.Fixtures{EndUsers: endUsers}})
}

// createCustomer creates a customer for endUser and returns it.
func createCustomer(t *testing.T, srv *conductortest.Server, endUser, name string) map[string]any {
	t.Helper()
	return decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers", qbdHeader(srv, endUser), fmt.Sprintf(`{"name": %q}`, name)))
}

// renameCustomer updates a customer's name and returns it.
func renameCustomer(t *testing.T, srv *conductortest.Server, endUser string, v map[string]any, name string) map[string]any {
	t.Helper()
	body := fmt.Sprintf(`{"name": %q, "revisionNumber": %q}`, name, v["revisionNumber"])
	return decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/customers/"+v["id"].(string), qbdHeader(srv, endUser), body))
}

// TestAdvanceMovesTheFakesClock: after Advance, a write is stamped at the
// moved time, and a cursor expires as if the time had passed.
func TestAdvanceMovesTheFakesClock(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	created := createCustomer(t, srv, "end_usr_a", "Acme")
	srv.Advance(90 * 24 * time.Hour)
	updated := renameCustomer(t, srv, "end_usr_a", created, "Acme Corp")
	got := map[string]any{"createdAt": updated["createdAt"], "updatedAt": updated["updatedAt"]}
	want := map[string]any{"createdAt": "2024-10-01T12:34:56Z", "updatedAt": "2024-12-30T12:34:56Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after Advance(90 days) (-want +got):\n%s", diff)
	}

	first := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/customers?limit=1", asEndUserA(srv), ""))
	srv.Advance(10 * time.Second)
	wantInvalidCursor(t, send(t, srv, "GET", "/quickbooks-desktop/customers?limit=1&cursor="+first["nextCursor"].(string), asEndUserA(srv), ""), "a cursor 10 s of fake time after its page")
}

// TestDateHeaderIsTheFakesClock: the fake's answers are dated by its clock,
// as Conductor's are by its own, so that a client that reads the server's
// time from Date (the change feeds do) sees the time the fake stamps by,
// moved by Advance, not this machine's.
func TestDateHeaderIsTheFakesClock(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	srv.Advance(36 * time.Hour)
	got := send(t, srv, "GET", "/quickbooks-desktop/customers", asEndUserA(srv), "").header.Get("Date")
	if want := clockStart.Add(36 * time.Hour).Format(http.TimeFormat); got != want {
		t.Errorf("Date = %q, want %q (the fake's clock)", got, want)
	}
}
