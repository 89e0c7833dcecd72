package conductortest_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// fewCursors is the Options.MaxCursors of the fakes fillCursors fills.
const fewCursors = 50

// cursorServer is pagedServer's fake, keeping fewCursors cursors.
func cursorServer(t *testing.T) (srv *conductortest.Server, advance func(time.Duration)) {
	t.Helper()
	now := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	three := []map[string]any{{"name": "A"}, {"name": "B"}, {"name": "C"}}
	srv = newServer(t, conductortest.Options{Now: clock, MaxCursors: fewCursors, Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{
		{ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"customers": three}},
		{ID: "end_usr_b", Connected: true, QBD: map[string][]map[string]any{"customers": three}},
	}}})
	return srv, func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

// fillCursors pages end_usr_a's first customer until the fake keeps
// its MaxCursors, fewCursors, and checks that one more list is then
// refused.
func fillCursors(t *testing.T, srv *conductortest.Server) {
	t.Helper()
	for range fewCursors {
		firstCursor(t, srv)
	}
	if r := page(t, srv, "end_usr_b", ""); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "MaxCursors") {
		t.Fatalf("a list past MaxCursors: status %d, %.300s; want 400 naming MaxCursors", r.status, r.body)
	}
}

// wantCursor checks that end_usr_b can page again.
func wantCursor(t *testing.T, srv *conductortest.Server, after string) {
	t.Helper()
	r := page(t, srv, "end_usr_b", "")
	if cursor, _ := decodeObject(t, r)["nextCursor"].(string); r.status != http.StatusOK || cursor == "" {
		t.Errorf("a list %s: status %d, %.300s; want a page with a cursor", after, r.status, r.body)
	}
}

// TestExpiredCursorsMakeRoomForANewList: with MaxCursors kept, the
// expired ones are dropped to make room, as MaxCursors says.
func TestExpiredCursorsMakeRoomForANewList(t *testing.T) {
	srv, advance := cursorServer(t)
	fillCursors(t, srv)
	advance(10 * time.Second)
	wantCursor(t, srv, "once the cursors expired")
}

// TestDeletingAnEndUserDropsItsCursors: an end-user's cursors go with it
// and count no longer against MaxCursors.
func TestDeletingAnEndUserDropsItsCursors(t *testing.T) {
	srv, _ := cursorServer(t)
	fillCursors(t, srv)
	if r := send(t, srv, "DELETE", "/end-users/end_usr_a", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting end_usr_a: status %d, %.300s", r.status, r.body)
	}
	wantCursor(t, srv, "once the end-user whose cursors they were is deleted")
}
