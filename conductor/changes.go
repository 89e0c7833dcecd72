package conductor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Change is one change of a resource's feed (the Changes methods, such as
// [InvoicesService.Changes]): an object created or updated (Object), or
// one deleted (Deleted). The last Change of every run has neither: the
// feed has caught up, and its Checkpoint is the one to store for the next
// run.
//
// Applied in the order they come, changes bring a copy of the
// end-user's objects up to date: each Object replaces the copy's object
// of its ID whole, and each Deleted removes the object of its ID, which
// the copy may never have held (one deleted before the copy began).
//
// An error ends a run. The Change it comes with holds no object, and its
// Checkpoint resumes after the last change delivered (where the since
// the run was given does, before any; a checkpoint the run could not
// read is given back as it was), so that storing it loses nothing: the
// next run starts where this one stopped. A loop that breaks early stops the run
// as cleanly.
type Change[T any] struct {
	// Object is the object as it is now, after a create or an update;
	// nil for a deletion or the caught-up Change.
	Object *T
	// Deleted is the object deleted; nil for an upsert or the
	// caught-up Change.
	Deleted *Deletion

	at       *feedState // the feed just after this change
	caughtUp bool
}

// Deletion is an object deleted in QuickBooks Desktop, as its deletion
// history records it.
type Deletion struct {
	// ID is the deleted object's id.
	ID string
	// DeletedAt is when it was deleted, by the end-user's clock.
	DeletedAt time.Time
}

// Checkpoint is where to resume the feed after c: store it once c is
// applied (in the same transaction as c, if the copy is a database), and
// pass it as since to the next run. Resuming from it never misses a
// change after c and delivers none of those up to c again, within the
// bounds and on the assumptions the README's "Keeping a copy in sync"
// states (more changes just before c than a checkpoint remembers come
// again).
func (c Change[T]) Checkpoint() Checkpoint {
	return c.at.checkpoint()
}

// CaughtUp reports whether c is the last Change of a run that went to
// its end: it holds neither an Object nor a Deletion, only the
// Checkpoint to store. The Change an error comes with is not.
func (c Change[T]) CaughtUp() bool { return c.caughtUp }

// ErrResyncNeeded is what a feed fails with (errors.Is) when its
// checkpoint is older than QuickBooks Desktop's history of deletions,
// which goes back 90 days: deletions since the checkpoint may have been
// forgotten, so the only way to a true copy is to replace it with a run
// from a zero Checkpoint ("").
var ErrResyncNeeded = errors.New("conductor: a full resync is needed")

// The feed's bounds; the README's "Keeping a copy in sync" states them as
// the assumptions the feed rests on.
const (
	// feedOverlap is how far before the last change delivered each run
	// looks again, for objects committed after others that QuickBooks
	// stamped later (and for those of the same second).
	feedOverlap = 10 * time.Minute
	// feedSkew is the most the end-user's clock, which stamps its
	// objects, may be off Conductor's (its responses' Date), either way.
	feedSkew = 24 * time.Hour
	// deletionHistory is how long QuickBooks Desktop lists a deletion.
	deletionHistory = 90 * 24 * time.Hour
	// feedWindow is the most objects the feed holds at once: it reads a
	// window of time whole before delivering its objects in order, and
	// narrows a window that holds more (unless it is one second).
	feedWindow = 600
	// feedSeenMax bounds what a checkpoint remembers of the changes
	// delivered within feedOverlap before it: beyond it, the oldest of
	// those are delivered again after a resume (never missed).
	feedSeenMax = 2000
)

// stamp is what a feed reads of an object: its id, revision and when
// QuickBooks last changed it.
type stamp struct {
	id, rev string
	at      time.Time
}

// feed is a resource's change feed, as its generated Changes method
// describes it.
type feed[T any] struct {
	// name is the resource's SDK name (qbd.invoices), which checkpoints
	// are bound to.
	name string
	// list is the resource's list operation, with no parameters: the
	// feed sets the time window (and status=all where the list takes a
	// status) itself.
	list request
	// listsActive says that the list shows active objects only unless
	// asked for all.
	listsActive bool
	// deleted is how QuickBooks records the resource's deletions.
	deleted deletedKind
	// stamp reads an object's stamp.
	stamp func(*T) stamp
}

// deletedKind says where the deletions of a resource are listed: by
// deleted-list-objects (list) or deleted-transactions, with this type.
type deletedKind struct {
	list bool
	typ  string
}

// changes runs a resource's feed from since: see the generated Changes
// methods. Only this is generic: the run (feedRun) sees each object as an
// any holding its *T, so that Go compiles it once, not once for each of
// the resources' types (it was some 40% of the package's machine code,
// and of the time a first build of a program importing conductor spends
// on the package).
func changes[T any](ctx context.Context, c *Client, since Checkpoint, opts []Option, f feed[T]) iter.Seq2[Change[T], error] {
	return func(yield func(Change[T], error) bool) {
		st, err := parseCheckpoint(since, f.name, f.list.endUser)
		if err != nil {
			yield(Change[T]{at: st}, err)
			return
		}
		r := &feedRun{c: c, opts: opts, st: st,
			f: feedSpec{
				name: f.name, list: f.list, listsActive: f.listsActive, deleted: f.deleted,
				stamp:   func(obj any) stamp { return f.stamp(obj.(*T)) },
				newPage: func() aPage { return new(Page[T]) },
			},
			yield: func(ch change) bool {
				out := Change[T]{Deleted: ch.deleted, at: ch.at, caughtUp: ch.caughtUp}
				if ch.object != nil {
					out.Object = ch.object.(*T)
				}
				return yield(out, nil)
			},
		}
		if err := r.run(ctx); err != nil && !errors.Is(err, errStopped) {
			yield(Change[T]{at: r.st.snapshot()}, err)
		}
	}
}

// feedSpec is a feed[T] as the run sees it: objects are *T in an any.
type feedSpec struct {
	name        string
	list        request
	listsActive bool
	deleted     deletedKind
	stamp       func(obj any) stamp
	newPage     func() aPage
}

// change is a Change[T] as the run makes it: object is a *T, or nil.
type change struct {
	object   any
	deleted  *Deletion
	at       *feedState
	caughtUp bool
}

// errStopped ends a run whose loop stopped early.
var errStopped = errors.New("stopped")

// feedRun is one run of a feed.
type feedRun struct {
	c     *Client
	f     feedSpec
	opts  []Option
	st    *feedState
	yield func(change) bool
	// serverNow is Conductor's time at the start of the run.
	serverNow time.Time
	// latest is the latest stamp the run has read (or its checkpoint
	// held): the end-user's clock read at least that when the last
	// window was read.
	latest time.Time
}

func (r *feedRun) run(ctx context.Context) error {
	if err := r.deletions(ctx); err != nil {
		return err
	}
	if err := r.upserts(ctx); err != nil {
		return err
	}
	if !r.yield(change{at: r.st.snapshot(), caughtUp: true}) {
		return errStopped
	}
	return nil
}

// deletions delivers the resource's deletions since the checkpoint, in
// the order they were made; from a zero checkpoint, it notes where the
// deletions to deliver begin, delivering none.
func (r *feedRun) deletions(ctx context.Context) error {
	st := r.st
	var after *DateTime
	if !st.deletedUntil.IsZero() {
		after = &DateTime{Time: overlapStart(st.deletedUntil).UTC()}
	}
	gone, now, err := r.listDeletions(ctx, after)
	if err != nil {
		return err
	}
	r.serverNow = now
	if after != nil {
		if horizon := now.Add(feedSkew - deletionHistory); after.Time.Before(horizon) {
			return fmt.Errorf("conductor: %s changes: the checkpoint needs the deletions since %s, but QuickBooks Desktop lists deletions for 90 days only (since %s, allowing for the end-user's clock being up to %v off Conductor's), so some may be forgotten; clear the copy and fill it again from a zero Checkpoint (\"\") (%w)",
				r.f.name, after.Time.Format(time.RFC3339), horizon.Format(time.RFC3339), feedSkew, ErrResyncNeeded)
		}
	}
	slices.SortFunc(gone, func(a, b Deletion) int {
		return cmp.Or(a.DeletedAt.Compare(b.DeletedAt), cmp.Compare(a.ID, b.ID))
	})
	for i := range gone {
		d := &gone[i]
		if st.goneSeen(d.ID) {
			continue
		}
		st.noteGone(d.ID, d.DeletedAt)
		if after == nil {
			continue // from a zero checkpoint, none of these is in the copy
		}
		if !r.yield(change{deleted: d, at: st.snapshot()}) {
			return errStopped
		}
	}
	// Every deletion stamped before the end-user's clock read now-skew
	// was in that list: the next run need not look before it.
	st.advanceDeleted(now.Add(-feedSkew))
	return nil
}

// listDeletions lists the resource's deletions after after (all kept,
// for nil) and returns them with Conductor's time of the answer.
func (r *feedRun) listDeletions(ctx context.Context, after *DateTime) ([]Deletion, time.Time, error) {
	var resp Response
	opts := append(slices.Clip(r.opts), WithResponse(&resp))
	qbd := r.c.QBD
	endUser := r.f.list.endUser
	var gone []Deletion
	if r.f.deleted.list {
		page, err := qbd.DeletedListObjects.List(ctx, endUser, &DeletedListObjectListParams{ObjectTypes: []ListType{ListType(r.f.deleted.typ)}, DeletedAfter: after}, opts...)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, d := range page.Data {
			if string(d.ListType) == r.f.deleted.typ {
				gone = append(gone, Deletion{ID: d.ID, DeletedAt: d.DeletedAt})
			}
		}
	} else {
		page, err := qbd.DeletedTransactions.List(ctx, endUser, &DeletedTransactionListParams{TransactionTypes: []DeletedTransactionType{DeletedTransactionType(r.f.deleted.typ)}, DeletedAfter: after}, opts...)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, d := range page.Data {
			if string(d.TransactionType) == r.f.deleted.typ {
				gone = append(gone, Deletion{ID: d.ID, DeletedAt: d.DeletedAt})
			}
		}
	}
	return gone, serverTime(resp.Header), nil
}

// serverTime is the time a response's Date header gives, or this
// machine's when it gives none that parses.
func serverTime(h http.Header) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t
	}
	return time.Now()
}

// upserts delivers the objects created or updated since the checkpoint,
// window by window, each in the order QuickBooks stamped them.
func (r *feedRun) upserts(ctx context.Context) error {
	st := r.st
	var lo time.Time // zero: from the beginning
	if !st.updatedUntil.IsZero() {
		lo = overlapStart(st.updatedUntil)
	}
	var hi time.Time // zero: open, up to now
	r.latest = st.updatedUntil
	for {
		objs, split, err := r.window(ctx, lo, hi)
		if err != nil {
			return err
		}
		if !split.IsZero() {
			hi = split
			continue
		}
		if err := r.deliver(objs); err != nil {
			return err
		}
		if hi.IsZero() {
			return nil
		}
		// The next window is twice this one, or open when this one's
		// width is unknown (it began at the beginning), or twice it
		// would reach the latest stamp read: a window read before its
		// end has come lacks what is written within it after, which
		// no later window would read, and the checkpoints of what
		// later windows deliver would leave the next run to look only
		// 10 minutes before them. An open window is the run's last,
		// or is narrowed to end at a stamp it read.
		from := lo
		lo = hi.Add(time.Second)
		hi = lo.Add(2 * lo.Sub(from))
		if from.IsZero() || !hi.Before(r.latest) || hi.After(r.serverNow.Add(feedSkew)) {
			hi = time.Time{}
		}
	}
}

// window reads the objects stamped from lo to hi, both included (zero:
// unbounded), whole. When they are more than feedWindow and the window is
// more than one second, it returns instead a narrower upper bound to try.
func (r *feedRun) window(ctx context.Context, lo, hi time.Time) ([]any, time.Time, error) {
	oneSecond := !lo.IsZero() && !hi.IsZero() && !hi.After(lo)
	for attempt := 1; ; attempt++ {
		var objs []any
		tooMany, total := false, 0
		var outside error
		err := r.c.pages(ctx, r.windowRequest(lo, hi), r.opts, r.f.newPage,
			func(page aPage) bool {
				for i := range page.len() {
					obj := page.item(i)
					if at := r.f.stamp(obj).at.Truncate(time.Second); at.After(r.latest) {
						r.latest = at
					}
					var keep bool
					if keep, outside = r.inWindow(obj, lo, hi); outside != nil {
						return false
					} else if keep {
						objs = append(objs, obj)
					}
				}
				total = len(objs)
				if info := page.info(); info.hasMore {
					total += max(info.remaining, 0)
				}
				if !oneSecond && total > feedWindow {
					tooMany = true
					return false
				}
				return true
			})
		switch {
		case err != nil && errors.Is(err, errCursorExpired) && attempt < 3:
			// A cursor expired while the window was read (the feed reads
			// a window without waiting on the loop, so QuickBooks was
			// slow): read the window again.
			continue
		case err != nil:
			return nil, time.Time{}, err
		case outside != nil:
			return nil, time.Time{}, outside
		case tooMany:
			return nil, r.narrower(objs, total, lo, hi), nil
		}
		return objs, time.Time{}, nil
	}
}

// inWindow reports whether an object a window's list answered belongs
// to the window, by its stamp to the second (QuickBooks stamps whole
// seconds, and filters by them). The feed places every object by its
// stamp and narrows a window by updatedBefore: an object with no stamp,
// or one the filters should have left out, would be skipped, or would
// make the feed narrow a window that never holds fewer, so the run ends
// instead.
func (r *feedRun) inWindow(obj any, lo, hi time.Time) (bool, error) {
	s := r.f.stamp(obj)
	at := s.at.Truncate(time.Second)
	var filter string
	switch {
	case s.at.IsZero():
		return false, fmt.Errorf("conductor: %s changes: the list answered %s with no updatedAt, so the feed cannot tell when it changed; QuickBooks Desktop stamps every object it lists", r.f.name, s.id)
	case !lo.IsZero() && at.Before(lo):
		filter = "updatedAfter=" + lo.UTC().Format(filterLayout)
	case !hi.IsZero() && at.After(hi):
		filter = "updatedBefore=" + hi.UTC().Format(filterLayout)
	default:
		return true, nil
	}
	return false, fmt.Errorf("conductor: %s changes: the list asked with %s answered %s, updated at %s: the server did not apply the filter, which the feed needs to read a bounded window of changes at a time", r.f.name, filter, s.id, s.at.Format(time.RFC3339))
}

// narrower picks an upper bound for a window from lo to hi that held too
// many objects, objs being some of the total it holds: where, by their
// stamps, about half a window's worth would fall, and never past the
// middle of lo to hi, so each narrowing at least halves the window.
func (r *feedRun) narrower(objs []any, total int, lo, hi time.Time) time.Time {
	stamps := make([]time.Time, len(objs))
	for i, obj := range objs {
		stamps[i] = r.f.stamp(obj).at.Truncate(time.Second)
	}
	slices.SortFunc(stamps, time.Time.Compare)
	top := hi
	if top.IsZero() {
		top = stamps[len(stamps)-1]
	}
	if hi.IsZero() {
		// An open window counts every object up to the present, and is
		// opened again each time the windows reach the latest stamp
		// read: end it at the stamps read, the first page's most often.
		total = len(stamps)
	}
	split := stamps[min(len(stamps)*(feedWindow/2)/max(total, 1), len(stamps)-1)]
	if !lo.IsZero() {
		split = minTime(split, lo.Add(top.Sub(lo)/2).Truncate(time.Second))
	}
	if !hi.IsZero() && !split.Before(hi) {
		split = hi.Add(-time.Second)
	}
	if !lo.IsZero() && split.Before(lo) {
		split = lo
	}
	return split
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// filterLayout is the form of the time filters the feed sends: an
// instant with its offset, which QuickBooks reads as that instant
// whatever the end-user's time zone.
const filterLayout = "2006-01-02T15:04:05-07:00"

// windowRequest is the list request of the window from lo to hi.
func (r *feedRun) windowRequest(lo, hi time.Time) request {
	req := r.f.list
	build := req.build
	req.build = func(s *settings) (*http.Request, error) {
		hr, err := build(s)
		if err != nil {
			return hr, err
		}
		q := url.Values{}
		if !lo.IsZero() {
			q.Set("updatedAfter", lo.UTC().Format(filterLayout))
		}
		if !hi.IsZero() {
			q.Set("updatedBefore", hi.UTC().Format(filterLayout))
		}
		if r.f.listsActive {
			q.Set("status", "all")
		}
		hr.URL.RawQuery = q.Encode()
		return hr, nil
	}
	return req
}

// deliver yields a window's objects in the order QuickBooks stamped them,
// leaving out those already delivered at the same revision.
func (r *feedRun) deliver(objs []any) error {
	type item struct {
		s stamp
		i int
	}
	items := make([]item, 0, len(objs))
	for i, obj := range objs {
		s := r.f.stamp(obj)
		s.at = s.at.Truncate(time.Second)
		items = append(items, item{s, i})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		return cmp.Or(a.s.at.Compare(b.s.at), cmp.Compare(a.s.id, b.s.id))
	})
	st := r.st
	for _, it := range items {
		if st.seen(it.s) {
			continue
		}
		st.noteUpsert(it.s)
		if !r.yield(change{object: objs[it.i], at: st.snapshot()}) {
			return errStopped
		}
	}
	return nil
}
