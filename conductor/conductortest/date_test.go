package conductortest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestEveryAnswerIsDatedByTheFakesClock: every answer, whichever path
// gives it (a success, a refused key, a bad body, no such path, a method
// not allowed, an auth-flow page, a body too large, a queued answer, a
// fault), carries a Date header of the fake's clock, Advance included,
// as a real server's Date gives its own clock.
func TestEveryAnswerIsDatedByTheFakesClock(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	type call struct{ method, path, body string }
	calls := map[string]call{
		"list":               {"GET", "/quickbooks-desktop/customers", ""},
		"bad key":            {"GET", "/end-users", ""},
		"bad body":           {"POST", "/quickbooks-desktop/customers", `{"nmae": "x"}`},
		"no such path":       {"GET", "/nothing-here", ""},
		"method not allowed": {"PUT", "/end-users", ""},
		"auth-flow page":     {"GET", "/qbd/unknown-secret", ""},
		"body too large":     {"POST", "/quickbooks-desktop/customers", strings.Repeat(" ", 1<<20+1)},
		"queued answer":      {"GET", "/end-users", ""},
		"fault":              {"POST", "/quickbooks-desktop/customers", `{"name": "Acme"}`},
	}
	// dates answers each call, in the order of the names, and returns the
	// Date header of each.
	dates := func() map[string]string {
		got := map[string]string{}
		for _, name := range []string{"list", "bad key", "bad body", "no such path", "method not allowed", "auth-flow page", "body too large", "queued answer", "fault"} {
			c := calls[name]
			h := asEndUserA(srv)
			switch name {
			case "bad key":
				h.Set("Authorization", "Bearer sk_conductor_fake_wrong")
			case "queued answer":
				if err := srv.Enqueue(conductortest.Response{Status: http.StatusServiceUnavailable, Error: &conductortest.Error{Type: "INTERNAL_ERROR", Code: "SERVICE_UNAVAILABLE", Message: "down"}}); err != nil {
					t.Fatal(err)
				}
			case "fault":
				if err := srv.Enqueue(conductortest.Response{Fault: conductortest.TimeoutNoApply}); err != nil {
					t.Fatal(err)
				}
			}
			got[name] = send(t, srv, c.method, c.path, h, c.body).header.Get("Date")
		}
		return got
	}
	want := func(at time.Time) map[string]string {
		w := map[string]string{}
		for name := range calls {
			w[name] = at.Format(http.TimeFormat)
		}
		return w
	}
	if diff := cmp.Diff(want(clockStart), dates()); diff != "" {
		t.Errorf("Date headers at the fake's start (-want +got):\n%s", diff)
	}
	srv.Advance(91 * 24 * time.Hour)
	if diff := cmp.Diff(want(clockStart.Add(91*24*time.Hour)), dates()); diff != "" {
		t.Errorf("Date headers after Advance(91 days) (-want +got):\n%s", diff)
	}
}

// TestAQueuedAnswerKeepsItsDate: a queued Response that sets its own Date
// is answered with it, so that a test can play a server whose clock is
// off.
func TestAQueuedAnswerKeepsItsDate(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	const date = "Mon, 01 Jan 2024 00:00:00 GMT"
	if err := srv.Enqueue(conductortest.Response{Status: http.StatusOK, Header: http.Header{"Date": {date}}, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if got := send(t, srv, "GET", "/end-users", authorized(srv), "").header.Get("Date"); got != date {
		t.Errorf("Date %q; want the queued %q", got, date)
	}
}
