package conductortest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// state is what a fake remembers of the API, guarded by the Server's
// mutex: end-users, whether each has connected QuickBooks Desktop, each
// one's QuickBooks objects by resource, and the cursors of lists being
// paged. Objects are kept as compact JSON and decoded when read, which
// keeps them within the Server's object budget (Options.MaxObjectBytes)
// in all; cursors are kept within its cursor budgets (Options.MaxCursors
// and MaxCursorBytes).
type state struct {
	// The budgets, from Options or their defaults.
	maxObjectBytes, maxCursors, maxCursorBytes int
	endUsers                                   map[string]*endUser
	order                                      []string // end-user ids, oldest first
	bytes                                      int      // what the objects count against MaxObjectBytes
	seq                                        int64    // the last object sequence number given
	cursors                                    map[string]*cursor
	cursorBytes                                int // what the cursors count against MaxCursorBytes
	// showing is how many objects the answers prepared and not yet written
	// show (see pin), within showingLimit, maxShownAtOnce but in tests.
	showing, showingLimit int
	// deleted are what QuickBooks keeps of deleted objects, of every
	// end-user, oldest first; they count against MaxObjectBytes.
	deleted []*deletion
	// topLevel holds, in its objects, those of the top-level resources
	// the fake has no rules of its own for (see serveTopLevel); it is no
	// end-user, and in no list of them.
	topLevel *endUser
}

type endUser struct {
	ID          string
	CompanyName string
	SourceID    string
	Email       string
	CreatedAt   time.Time
	// ConnectedAt is when the end-user completed an auth session's flow,
	// or was marked connected; zero while not connected.
	ConnectedAt  time.Time
	ConnectionID string
	objects      map[string]*collection // by resource key: "qbd.invoices"
	// loc and skew are the time zone and clock skew of the end-user's
	// computer, by which QuickBooks stamps its objects; nil is UTC.
	loc  *time.Location
	skew time.Duration
	// balances are the last balances computed of a resource's objects
	// (balancesOf), kept until the books or the objects change.
	balances map[string]*balanceSheet
}

// clock is the time on the end-user's computer when the fake's is now.
func (eu *endUser) clock(now time.Time) time.Time {
	if eu.loc == nil {
		return now.UTC().Add(eu.skew)
	}
	return now.Add(eu.skew).In(eu.loc)
}

// location is the end-user's time zone.
func (eu *endUser) location() *time.Location {
	if eu.loc == nil {
		return time.UTC
	}
	return eu.loc
}

// collection is one resource's objects of one end-user, in the order they
// were created.
type collection struct {
	byID  map[string]*object
	order []*object // by seq, as put appends and never reorders
	// writes counts the puts and removals, so that a cursor can tell
	// whether the objects it counted are still as they were.
	writes int64
}

type object struct {
	id   string
	seq  int64
	data []byte // the object as the API returns it
	// name is what a reference to the object shows as fullName (see
	// findName), kept so that references need not decode the object.
	name string
	// updatedAt is the object's updatedAt (zero for none), kept so that
	// a list filtered by time, as a change feed's windows are, passes
	// over the objects outside it without decoding them; isActive (if
	// hasActive) is too, so that the status filter needs no decoding
	// either.
	updatedAt time.Time
	isActive  any
	hasActive bool
	// pins is how many answers being written show this version of the
	// object; gone, that it was since deleted or replaced. A gone object
	// still pinned stays counted against MaxObjectBytes until the last
	// such answer is written, so that slow readers cannot hold deleted
	// objects beyond it.
	pins int
	gone bool
}

// cursor is a list being paged: which list, with which filters, and how
// far it has got. Its token stays the same for the whole listing, as
// Conductor's does.
type cursor struct {
	endUser, resource, filters string
	after                      int64 // the seq of the last object given
	expires                    time.Time
	// remaining is how many objects after after passed the filters when
	// the collection's writes were writes: the next page's remainingCount
	// is it less that page's objects, without a walk of the rest, unless
	// an object was written since.
	remaining, writes int64
}

// objectOverhead is what an object costs beyond its JSON, id and name:
// the bookkeeping around it.
const objectOverhead = 136

// size is what o counts against MaxObjectBytes.
func (o *object) size() int { return len(o.data) + len(o.id) + len(o.name) + objectOverhead }

// cursorOverhead is what a cursor costs beyond its token and filters.
const cursorOverhead = 176

// size is what c, kept under token, counts against MaxCursorBytes.
func (c *cursor) size(token string) int {
	return len(token) + len(c.endUser) + len(c.resource) + len(c.filters) + cursorOverhead
}

// newState is an empty state within the budgets opts gives, which
// NewServerWithOptions has checked and defaulted.
func newState(opts Options) *state {
	return &state{
		endUsers: map[string]*endUser{}, cursors: map[string]*cursor{}, topLevel: &endUser{objects: map[string]*collection{}},
		maxObjectBytes: opts.MaxObjectBytes, maxCursors: opts.MaxCursors, maxCursorBytes: opts.MaxCursorBytes,
		// One list alone always fits: every object costs objectOverhead
		// or more.
		showingLimit: max(maxShownAtOnce, opts.MaxObjectBytes/objectOverhead+1),
	}
}

func (st *state) collection(eu *endUser, resource string) *collection {
	c := eu.objects[resource]
	if c == nil {
		c = &collection{byID: map[string]*object{}}
		eu.objects[resource] = c
	}
	return c
}

// put stores v as the object id of resource, replacing any before, and
// refuses when the fake would hold more than its object budget.
func (st *state) put(eu *endUser, resource, id string, v map[string]any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c := st.collection(eu, resource)
	old := c.byID[id]
	o := &object{id: id, data: data, name: nameOf(v)}
	if at, ok := v["updatedAt"].(string); ok {
		o.updatedAt, _ = time.Parse(time.RFC3339, at)
		o.updatedAt = o.updatedAt.Truncate(time.Second) // QuickBooks filters by whole seconds
	}
	o.isActive, o.hasActive = v["isActive"]
	grow := o.size()
	if old != nil && old.pins == 0 {
		grow -= old.size()
	}
	// Objects come before the records of deleted ones, but a write that
	// would not fit even without them is refused with the records kept.
	if st.bytes+grow > st.maxObjectBytes && st.bytes-st.deletionBytes()+grow <= st.maxObjectBytes {
		for st.bytes+grow > st.maxObjectBytes && len(st.deleted) > 0 {
			st.dropOldestDeletion()
		}
	}
	if st.bytes+grow > st.maxObjectBytes {
		return fmt.Errorf("the fake holds at most %s of QuickBooks objects (MaxObjectBytes), counting those that lists still being written show, which this one would pass; delete some, or start a fake with a bigger Options.MaxObjectBytes (fake-server --max-object-mib)", mib(st.maxObjectBytes))
	}
	st.bytes += o.size()
	c.writes++
	if old != nil {
		// A new version in the old one's place: answers being written
		// may still show the old one.
		o.seq = old.seq
		c.byID[id] = o
		i, _ := c.index(old.seq)
		c.order[i] = o
		st.forget(old)
		return nil
	}
	st.seq++
	o.seq = st.seq
	c.byID[id] = o
	c.order = append(c.order, o)
	return nil
}

func (st *state) get(eu *endUser, resource, id string) (map[string]any, bool) {
	o := eu.objects[resource].find(id)
	if o == nil {
		return nil, false
	}
	return decodeObject(o.data), true
}

// all is the collection's objects, oldest first; none for nil.
func (c *collection) all() []*object {
	if c == nil {
		return nil
	}
	return c.order
}

// index is where the object seq is, or would be, in c.order.
func (c *collection) index(seq int64) (int, bool) {
	return slices.BinarySearchFunc(c.order, seq, func(o *object, seq int64) int { return cmp.Compare(o.seq, seq) })
}

func (c *collection) find(id string) *object {
	if c == nil {
		return nil
	}
	return c.byID[id]
}

func (st *state) remove(eu *endUser, resource, id string) {
	c := eu.objects[resource]
	o := c.find(id)
	if o == nil {
		return
	}
	delete(c.byID, id)
	if i, found := c.index(o.seq); found {
		c.order = slices.Delete(c.order, i, i+1)
	}
	c.writes++
	st.forget(o)
}

// forget stops counting o, deleted or replaced, against MaxObjectBytes,
// or marks it gone, to stop once no answer being written shows it.
func (st *state) forget(o *object) {
	o.gone = true
	if o.pins == 0 {
		st.bytes -= o.size()
	}
}

// pin marks objs as shown by an answer about to be written; unpin, once
// it is written or abandoned, undoes it.
func (st *state) pin(objs []*object) {
	st.showing += len(objs)
	for _, o := range objs {
		o.pins++
	}
}

// shown is the object id of resource as an answer shows it: written from
// its stored JSON, pinned like a list's objects, so that an answer to a
// slow reader holds no copy of it. The object must exist.
func (st *state) shown(eu *endUser, resource, id string) *page {
	p := &page{data: []*object{eu.objects[resource].find(id)}}
	st.pin(p.data)
	return p
}

func (st *state) unpin(objs []*object) {
	st.showing -= len(objs)
	for _, o := range objs {
		o.pins--
		if o.pins == 0 && o.gone {
			st.bytes -= o.size()
		}
	}
}

// findName is what a reference to id shows as fullName, from any of the
// end-user's resources, and whether there is an object with that id.
func (st *state) findName(eu *endUser, id string) (string, bool) {
	for _, c := range eu.objects {
		if o := c.find(id); o != nil {
			return o.name, true
		}
	}
	return "", false
}

// nameOf is the object's full name, name or reference number: the first
// it has.
func nameOf(v map[string]any) string {
	for _, k := range []string{"fullName", "name", "refNumber"} {
		if s, ok := v[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// dropEndUser forgets an end-user and all its QuickBooks objects.
func (st *state) dropEndUser(id string) {
	eu := st.endUsers[id]
	if eu == nil {
		return
	}
	for _, c := range eu.objects {
		for _, o := range c.order {
			st.forget(o)
		}
	}
	st.dropDeletions(id)
	delete(st.endUsers, id)
	for i, x := range st.order {
		if x == id {
			st.order = append(st.order[:i], st.order[i+1:]...)
			break
		}
	}
	for token, c := range st.cursors {
		if c.endUser == id {
			st.dropCursor(token)
		}
	}
}

// keepCursor keeps c under token, replacing the cursor kept there before,
// and returns "" or why it cannot: a new cursor must fit within the
// cursor budgets once the expired ones are dropped. A cursor still within
// its TTL is never dropped to make room, as its list may go on.
func (st *state) keepCursor(token string, c *cursor, now time.Time, ttl time.Duration) string {
	grow := c.size(token)
	old := st.cursors[token]
	if old != nil {
		grow -= old.size(token)
	}
	full := func() bool {
		return old == nil && (len(st.cursors) >= st.maxCursors || st.cursorBytes+grow > st.maxCursorBytes)
	}
	if full() {
		for t, x := range st.cursors {
			if !now.Before(x.expires) {
				st.dropCursor(t)
			}
		}
	}
	if full() {
		return fmt.Sprintf("The fake pages at most %d lists at once, with %s of filters in all (MaxCursors, MaxCursorBytes); finish or abandon one, or wait %v for its cursor to expire.", st.maxCursors, mib(st.maxCursorBytes), ttl)
	}
	st.cursors[token] = c
	st.cursorBytes += grow
	return ""
}

// dropCursor forgets the cursor kept under token, if any.
func (st *state) dropCursor(token string) {
	if c := st.cursors[token]; c != nil {
		st.cursorBytes -= c.size(token)
		delete(st.cursors, token)
	}
}

func decodeObject(data []byte) map[string]any {
	var v map[string]any
	json.Unmarshal(data, &v) // the fake's own JSON
	return v
}

// asJSON is an end-user as the API returns it.
func (eu *endUser) asJSON() map[string]any {
	conns := []any{}
	if !eu.ConnectedAt.IsZero() {
		at := eu.ConnectedAt.UTC().Format(timestampLayout)
		conns = append(conns, map[string]any{
			"id": eu.ConnectionID, "objectType": "integration_connection", "createdAt": at,
			"integrationSlug": "quickbooks_desktop", "lastRequestAt": at, "lastSuccessfulRequestAt": at,
		})
	}
	return map[string]any{
		"id": eu.ID, "objectType": "end_user", "createdAt": eu.CreatedAt.UTC().Format(timestampLayout),
		"companyName": eu.CompanyName, "sourceId": eu.SourceID, "email": eu.Email,
		"integrationConnections": conns,
	}
}

// mib is n bytes as a budget's message says them: "8 MiB", or "1500 bytes"
// for a budget that is no whole number of MiB.
func mib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
