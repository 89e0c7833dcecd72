package conductortest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestMaxEndUsers: the fake creates end-users up to MaxEndUsers and
// refuses the next with a 400 naming the limit; deleting one makes room
// again.
func TestMaxEndUsers(t *testing.T) {
	var fx conductortest.Fixtures
	for i := range conductortest.MaxEndUsers - 1 {
		fx.EndUsers = append(fx.EndUsers, conductortest.FixtureEndUser{ID: fmt.Sprintf("end_usr_%d", i)})
	}
	srv := newServer(t, conductortest.Options{Fixtures: &fx})
	create := func() rawResponse {
		return send(t, srv, "POST", "/end-users", authorized(srv), `{"companyName":"Acme","sourceId":"s","email":"e@example.com"}`)
	}
	if r := create(); r.status != http.StatusOK {
		t.Fatalf("end-user %d: status %d: %s", conductortest.MaxEndUsers, r.status, r.body)
	}
	want := fmt.Sprintf("The fake holds at most %d end-users (MaxEndUsers); delete some first.", conductortest.MaxEndUsers)
	r := create()
	if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != want {
		t.Fatalf("end-user %d: status %d, message %q; want 400, %q", conductortest.MaxEndUsers+1, r.status, env.Error.Message, want)
	}
	if r := send(t, srv, "DELETE", "/end-users/end_usr_0", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting end_usr_0: status %d: %s", r.status, r.body)
	}
	if r := create(); r.status != http.StatusOK {
		t.Errorf("an end-user after one was deleted: status %d: %s", r.status, r.body)
	}
}
