package conductortest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// fillCursors pages end_usr_a's first customer until the fake keeps
// MaxCursors cursors, and checks that one more list is then refused.
func fillCursors(t *testing.T, srv *conductortest.Server) {
	t.Helper()
	for range conductortest.MaxCursors {
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
	srv, advance := pagedServer(t)
	fillCursors(t, srv)
	advance(10 * time.Second)
	wantCursor(t, srv, "once the cursors expired")
}

// TestDeletingAnEndUserDropsItsCursors: an end-user's cursors go with it
// and count no longer against MaxCursors.
func TestDeletingAnEndUserDropsItsCursors(t *testing.T) {
	srv, _ := pagedServer(t)
	fillCursors(t, srv)
	if r := send(t, srv, "DELETE", "/end-users/end_usr_a", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting end_usr_a: status %d, %.300s", r.status, r.body)
	}
	wantCursor(t, srv, "once the end-user whose cursors they were is deleted")
}
