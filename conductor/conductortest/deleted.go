package conductortest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// deletedKeep is how long QuickBooks lists a deleted object: 90 days, of
// the fake's time.
const deletedKeep = 90 * 24 * time.Hour

// deletion is what QuickBooks keeps of a deleted object, as
// deleted-transactions or deleted-list-objects show it.
type deletion struct {
	endUser              string
	list                 bool   // a list object, shown by deleted-list-objects
	typ                  string // its transactionType or listType
	id                   string
	name                 string    // its refNumber (transaction) or fullName (list object); "" for none
	createdAt, deletedAt string    // as the end-user's clock wrote them
	at                   time.Time // when, by the fake's clock
}

// deletionOverhead is what a deletion costs beyond its strings.
const deletionOverhead = 160

// size is what d counts against MaxObjectBytes.
func (d *deletion) size() int {
	return len(d.endUser) + len(d.typ) + len(d.id) + len(d.name) + len(d.createdAt) + len(d.deletedAt) + deletionOverhead
}

// recordDeletion keeps what deleted-transactions or deleted-list-objects
// show of v, the object id of resource just deleted for eu, if resource
// is one of theirs.
func (s *Server) recordDeletion(eu *endUser, resource, id string, v map[string]any) {
	d := &deletion{endUser: eu.ID, id: id, at: s.now()}
	if t, ok := apispec.TransactionTypes[resource]; ok {
		d.typ, d.name = t, stringField(v, "refNumber")
	} else if t, ok := apispec.ListTypes[resource]; ok {
		d.list, d.typ, d.name = true, t, stringField(v, "fullName")
		if d.name == "" {
			d.name = stringField(v, "name")
		}
	} else {
		return
	}
	d.createdAt = stringField(v, "createdAt")
	d.deletedAt = eu.clock(d.at).Truncate(time.Second).Format(time.RFC3339)
	s.state.keepDeletion(d, d.at)
}

func stringField(v map[string]any, k string) string {
	s, _ := v[k].(string)
	return s
}

// keepDeletion keeps d, first dropping the deletions older than 90 days
// of the fake's time and, if d would not fit within the object budget, the
// oldest others; d is dropped if even that leaves no room.
func (st *state) keepDeletion(d *deletion, now time.Time) {
	st.pruneDeletions(now)
	for len(st.deleted) > 0 && st.bytes+d.size() > st.maxObjectBytes {
		st.dropOldestDeletion()
	}
	if st.bytes+d.size() > st.maxObjectBytes {
		return
	}
	st.bytes += d.size()
	st.deleted = append(st.deleted, d)
}

// pruneDeletions drops the deletions QuickBooks no longer lists at now.
func (st *state) pruneDeletions(now time.Time) {
	st.deleted = slices.DeleteFunc(st.deleted, func(d *deletion) bool {
		if now.Sub(d.at) > deletedKeep {
			st.bytes -= d.size()
			return true
		}
		return false
	})
}

// deletionBytes is what the records of deleted objects count.
func (st *state) deletionBytes() int {
	n := 0
	for _, d := range st.deleted {
		n += d.size()
	}
	return n
}

func (st *state) dropOldestDeletion() {
	st.bytes -= st.deleted[0].size()
	st.deleted[0] = nil
	st.deleted = st.deleted[1:]
}

// dropDeletions forgets the deletions of the end-user id.
func (st *state) dropDeletions(id string) {
	st.deleted = slices.DeleteFunc(st.deleted, func(d *deletion) bool {
		if d.endUser == id {
			st.bytes -= d.size()
			return true
		}
		return false
	})
}

// listDeleted answers deleted-transactions (list false) or
// deleted-list-objects (list true): eu's deletions of the types asked
// for within the last 90 days, filtered by deletedAfter and
// deletedBefore, grouped by type in the order of the enum's names and
// in each type by when they were deleted. s.mu is held.
func (s *Server) listDeleted(rt *route, query map[string]any, eu *endUser, list bool) (int, any, *Error) {
	param, objectType := "transactionTypes", "qbd_deleted_transaction"
	if list {
		param, objectType = "objectTypes", "qbd_deleted_list_object"
	}
	types := map[string]bool{}
	asked, _ := query[param].([]any)
	for _, t := range asked {
		types[fmt.Sprint(t)] = true
	}
	var bounds [2]*time.Time
	for i, name := range []string{"deletedAfter", "deletedBefore"} {
		if f, ok := query[name]; ok {
			t, err := parseWhen(name, fmt.Sprint(f), eu.location())
			if err != nil {
				return 0, nil, invalid(name + ": " + err.Error())
			}
			bounds[i] = &t
		}
	}
	s.state.pruneDeletions(s.now())
	var found []*deletion
	for _, d := range s.state.deleted {
		if d.endUser != eu.ID || d.list != list || !types[d.typ] {
			continue
		}
		at, _ := time.Parse(time.RFC3339, d.deletedAt)
		if (bounds[0] != nil && at.Before(*bounds[0])) || (bounds[1] != nil && at.After(*bounds[1])) {
			continue
		}
		found = append(found, d)
	}
	slices.SortStableFunc(found, func(a, b *deletion) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), a.at.Compare(b.at))
	})
	data := make([]any, 0, len(found))
	for _, d := range found {
		v := map[string]any{"id": d.id, "objectType": objectType, "createdAt": d.createdAt, "deletedAt": d.deletedAt}
		var name any
		if d.name != "" {
			name = d.name
		}
		if list {
			v["listType"], v["fullName"] = d.typ, name
		} else {
			v["transactionType"], v["refNumber"] = d.typ, name
		}
		data = append(data, v)
	}
	return http.StatusOK, map[string]any{"objectType": "list", "url": "/v1" + rt.op.Path, "data": data}, nil
}

// DeleteInQuickBooks deletes an object as the end-user does in QuickBooks
// Desktop itself, for the objects the API cannot delete, such as a
// customer or an item: it is gone from its lists and listed by
// deleted-list-objects (or deleted-transactions) for 90 days of the
// fake's time. resource is named as fixtures name it ("customers",
// "serviceItems"). A resource QuickBooks keeps no deletion history for,
// one no transactionType or listType of those lists names (transfers,
// item sites, templates), is removed and recorded nowhere: neither list
// ever shows it, so a change feed cannot see it go.
func (s *Server) DeleteInQuickBooks(endUserID, resource, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	eu := s.state.endUsers[endUserID]
	if eu == nil {
		return fmt.Errorf("conductortest: DeleteInQuickBooks: no end-user %q", endUserID)
	}
	if !s.api.hasModel(qbdKey(resource)) {
		return fmt.Errorf("conductortest: DeleteInQuickBooks: %q is not a QuickBooks Desktop resource; they are %s", resource, strings.Join(s.qbdResources(), ", "))
	}
	v, ok := s.state.get(eu, qbdKey(resource), id)
	if !ok {
		return fmt.Errorf("conductortest: DeleteInQuickBooks: end-user %q has no %s with the id %q", endUserID, resource, id)
	}
	s.state.remove(eu, qbdKey(resource), id)
	s.recordDeletion(eu, resource, id, v)
	return nil
}
