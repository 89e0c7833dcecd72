package conductortest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestTimestampsAreTheEndUsersClock: QuickBooks stamps an object with the
// end-user's computer's clock, in its time zone and with its offset, at
// the fake's time plus the end-user's skew; another end-user's stay UTC.
func TestTimestampsAreTheEndUsersClock(t *testing.T) {
	srv := clockServer(t,
		conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "America/Los_Angeles", ClockSkew: "-3h"},
		conductortest.FixtureEndUser{ID: "end_usr_b"})
	// 12:34:56Z - 3h is 09:34:56Z, 02:34:56 in Los Angeles (PDT, -07:00).
	created := createCustomer(t, srv, "end_usr_a", "Acme")
	srv.Advance(90 * 24 * time.Hour) // into PST, -08:00
	updated := renameCustomer(t, srv, "end_usr_a", created, "Acme Corp")
	other := createCustomer(t, srv, "end_usr_b", "Globex")
	got := []any{created["createdAt"], updated["createdAt"], updated["updatedAt"], other["updatedAt"]}
	want := []any{"2024-10-01T02:34:56-07:00", "2024-10-01T02:34:56-07:00", "2024-12-30T01:34:56-08:00", "2024-12-30T12:34:56Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("createdAt, createdAt and updatedAt after an update, another end-user's updatedAt (-want +got):\n%s", diff)
	}
	fixture := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/customers?fullNames=A", asEndUserA(srv), ""))
	if got := fieldOfEach(fixture, "updatedAt"); !cmp.Equal(got, []string{"2024-10-01T02:34:56-07:00"}) {
		t.Errorf("a fixture's updatedAt: %v; want it on the end-user's clock too", got)
	}
}

// TestTimeFiltersAreReadInTheEndUsersZone: a time filter without an
// offset, or a date, is read in the end-user's time zone; one with an
// offset is that instant.
func TestTimeFiltersAreReadInTheEndUsersZone(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "America/Los_Angeles"})
	// A, B and C at 05:34:56-07:00; Late an hour later.
	srv.Advance(time.Hour)
	createCustomer(t, srv, "end_usr_a", "Late")
	tests := []struct {
		query string
		want  []string
	}{
		{"updatedAfter=2024-10-01T06:00:00", []string{"Late"}},
		{"updatedAfter=2024-10-01T06:00:00Z", []string{"A", "B", "C", "Late"}},
		{"updatedAfter=2024-10-01T06:00:00-07:00", []string{"Late"}},
		{"updatedBefore=2024-10-01T06:00:00", []string{"A", "B", "C"}},
		{"updatedBefore=2024-09-30", nil},
		{"updatedAfter=2024-10-01&updatedBefore=2024-10-01", []string{"A", "B", "C", "Late"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listed(t, srv, "/quickbooks-desktop/customers?"+tt.query, "name")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestBadTimeZoneOrSkewIsRefusedAtLoad: an unknown time zone or a skew
// that is no duration stops the fake from starting, with an error naming
// the field and the value.
func TestBadTimeZoneOrSkewIsRefusedAtLoad(t *testing.T) {
	for _, tt := range []struct {
		eu   conductortest.FixtureEndUser
		want []string
	}{
		{conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "Mars/Olympus_Mons"}, []string{"end_usr_a", "timeZone", `"Mars/Olympus_Mons"`, "IANA"}},
		{conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "Local"}, []string{"timeZone", `"Local"`}},
		{conductortest.FixtureEndUser{ID: "end_usr_a", ClockSkew: "3 hours"}, []string{"end_usr_a", "clockSkew", `"3 hours"`, `"-3h"`}},
	} {
		srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{tt.eu}}})
		if err == nil {
			srv.Close()
			t.Errorf("%+v: started; want an error", tt.eu)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not say %s", tt.eu, err, w)
			}
		}
	}
}

// TestTimeZoneAndSkewFromAFixturesFile: a fixtures file gives them as
// "timeZone" and "clockSkew", a Go duration.
func TestTimeZoneAndSkewFromAFixturesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fixtures.json")
	data := `{"endUsers": [{"id": "end_usr_a", "connected": true, "timeZone": "Asia/Kolkata", "clockSkew": "90s"}]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := conductortest.LoadFixtures(path)
	if err != nil {
		t.Fatalf("LoadFixtures: %v", err)
	}
	srv := newServer(t, conductortest.Options{Now: func() time.Time { return clockStart }, Fixtures: f})
	// 12:34:56Z + 90 s is 12:36:26Z, 18:06:26 in India (+05:30).
	if got := createCustomer(t, srv, "end_usr_a", "Acme")["createdAt"]; got != "2024-10-01T18:06:26+05:30" {
		t.Errorf("createdAt %v; want 2024-10-01T18:06:26+05:30", got)
	}
}

// TestADateAloneCoversALongDay: updatedBefore as a date alone is the end
// of that day in the end-user's zone, even on the 25-hour day when
// daylight saving time ends (2024-11-03 in Los Angeles).
func TestADateAloneCoversALongDay(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a", TimeZone: "America/Los_Angeles"})
	srv.Advance(time.Date(2024, 11, 4, 7, 30, 0, 0, time.UTC).Sub(clockStart)) // 23:30 PST on 2024-11-03
	if got := createCustomer(t, srv, "end_usr_a", "Late")["updatedAt"]; got != "2024-11-03T23:30:00-08:00" {
		t.Fatalf("updatedAt %v; want 2024-11-03T23:30:00-08:00", got)
	}
	if diff := cmp.Diff([]string{"Late"}, listed(t, srv, "/quickbooks-desktop/customers?updatedAfter=2024-11-03&updatedBefore=2024-11-03", "name")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
