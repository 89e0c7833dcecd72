package conductor_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The property test of the change feeds: seeded random interleavings of
// writes, clock moves, slow consumers and crashes against the fake, after
// which a copy kept from the feeds must equal the fake's state, and the
// changes delivered again after a crash must be within the bound the feed
// documents. CONDUCTOR_FEED_SEED=n runs the one scenario of seed n (the
// seed a failure prints); CONDUCTOR_FEED_SCENARIOS=n runs n scenarios of
// random seeds instead of the default 16 (the scenarios are consecutive
// seeds from a multiple of 256: one in 16 starts with more than a window
// in one second, and one in 64, from the 33rd on, writes that many within
// one second between runs, which costs seconds under -race).

const (
	feedScenariosDefault = 16
	// feedBulk is more objects than the feed reads in one window (600),
	// all stamped within the same second.
	feedBulk = 650
)

// feedSeeds are the seeds of the scenarios to run.
func feedSeeds(t *testing.T) []uint64 {
	if s := os.Getenv("CONDUCTOR_FEED_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CONDUCTOR_FEED_SEED=%q: not an unsigned integer", s)
		}
		return []uint64{seed}
	}
	n := feedScenariosDefault
	if s := os.Getenv("CONDUCTOR_FEED_SCENARIOS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("CONDUCTOR_FEED_SCENARIOS=%q: not a positive integer", s)
		}
		n = v
	}
	base := rand.Uint64() &^ 0xff
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = base + uint64(i)
	}
	return seeds
}

// TestChangeFeedProperty runs the scenarios: see the top of this file.
func TestChangeFeedProperty(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	var total feedTotals
	for _, seed := range feedSeeds(t) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("reproduce with: CONDUCTOR_FEED_SEED=%d go test -run 'TestChangeFeedProperty' ./conductor", seed)
				}
			})
			runFeedScenario(t, seed, &total)
		})
	}
	t.Logf("%+v", total)
}

// feedTotals count what the scenarios did, so that a run shows that they
// reach the cases they are for.
type feedTotals struct {
	Scenarios, Writes, Runs, Crashes, Delivered, Redelivered, LostBeforeResume int
	BulkSeconds, MaxOneSecond, CursorsExpired                                  int
}

// feedZones are the end-users' time zones: half hours, quarter hours, a
// day ahead of UTC and most of one behind, and daylight saving time.
var feedZones = []string{"UTC", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago"}

// feedStarts are where the fake's clock starts: around changes of daylight
// saving time in the US and in Europe, and an ordinary day.
var feedStarts = []time.Time{
	time.Date(2026, 3, 8, 9, 58, 30, 0, time.UTC),   // US clocks go forward at 10:00 UTC
	time.Date(2026, 11, 1, 8, 58, 30, 0, time.UTC),  // US clocks go back at 09:00 UTC
	time.Date(2026, 10, 25, 0, 58, 30, 0, time.UTC), // European clocks go back at 01:00 UTC
	time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC),
}

// feedWorld is one scenario's fake, its end-users and the programs that
// keep copies of their objects.
type feedWorld struct {
	t     *testing.T
	ctx   context.Context
	rng   *rand.Rand
	fake  *conductortest.Server
	c     *conductor.Client
	users []*feedUser
	total *feedTotals
	names int
	// perSecond counts the writes stamped in each second of the fake's
	// clock, to find the most in one.
	perSecond map[string]int
	offset    time.Duration // how far Advance has moved the fake's clock
	reads     *windowReads
}

// windowReads counts the pages read of each listing with a time window,
// by its cursor: the feed holds at most a window of 600 objects (4 pages
// of 150) at once, unless one second holds more. It also plays QuickBooks
// slow to answer a page: the cursor of the listing expires before it.
type windowReads struct {
	next http.RoundTripper
	fake *conductortest.Server
	mu   sync.Mutex
	// pages counts the pages after the first of each listing whose
	// window is more than one second.
	pages     map[string]int
	oneSecond bool
	// expireAt is which page after a first of this run finds its cursor
	// expired (0: none); expired counts those that did.
	expireAt, cursorPages, expired int
}

func (r *windowReads) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	r.mu.Lock()
	defer r.mu.Unlock()
	// A page after the first sends only the cursor: the window is the
	// one of the last listing begun (the test reads one at a time).
	if c := q.Get("cursor"); req.Method != http.MethodGet {
	} else if c == "" {
		r.oneSecond = q.Has("updatedAfter") && q.Get("updatedAfter") == q.Get("updatedBefore")
	} else {
		if r.cursorPages++; r.cursorPages == r.expireAt {
			r.fake.Advance(11 * time.Second) // past the cursor's 10 s
			r.expired++
		}
		if !r.oneSecond {
			r.pages[c]++
		}
	}
	return r.next.RoundTrip(req)
}

// reset forgets the counts, of the test's own listings, before a run
// whose expireAt-th page after a first finds its cursor expired.
func (r *windowReads) reset(expireAt int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.pages)
	r.expireAt, r.cursorPages = expireAt, 0
}

// check fails t if a window of more than one second was read beyond 4
// pages, and forgets the counts; it returns how many cursors expired.
func (r *windowReads) check(t *testing.T) (expired int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for c, n := range r.pages {
		if n+1 > 4 {
			t.Fatalf("the feed read %d pages of one window of more than a second (cursor %s): more than the 600 objects it holds at most", n+1, c)
		}
	}
	clear(r.pages)
	r.expireAt = 0 // the run is over: the test's own listings are not slowed
	n := r.expired
	r.expired = 0
	return n
}

// feedUser is an end-user: what the test knows of its objects (id to
// revisionNumber), and the two programs copying them.
type feedUser struct {
	id        string
	anchor    string // a customer never deleted, which invoices are for
	invoices  *idSet
	customers *idSet
	active    map[string]bool
	inv       *feedProgram[conductor.Invoice]
	cust      *feedProgram[conductor.Customer]
}

func runFeedScenario(t *testing.T, seed uint64, total *feedTotals) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	start := feedStarts[rng.IntN(len(feedStarts))].Add(time.Duration(rng.IntN(120)) * time.Second)
	w := &feedWorld{t: t, ctx: t.Context(), rng: rng, total: total, perSecond: map[string]int{}}
	fixtures := &conductortest.Fixtures{}
	nUsers := 2 + rng.IntN(2)
	bulkFixture := seed%16 == 8 // the first run reads more than a window of one second
	for i := range nUsers {
		u := &feedUser{id: fmt.Sprintf("end_usr_feed%d", i), anchor: fmt.Sprintf("%X-1700000000", 0x8000F000+i),
			invoices: newIDSet(), customers: newIDSet(), active: map[string]bool{}}
		skew := time.Duration(rng.Int64N(int64(40*time.Hour))) - 20*time.Hour
		skew = skew.Truncate(time.Second)
		fx := conductortest.FixtureEndUser{ID: u.id, CompanyName: "Feed " + strconv.Itoa(i), Connected: true,
			TimeZone: feedZones[rng.IntN(len(feedZones))], ClockSkew: skew.String(),
			QBD: map[string][]map[string]any{"customers": {{"id": u.anchor, "name": "Anchor"}}}}
		u.customers.put(u.anchor, "0")
		u.active[u.anchor] = true
		nInvoices := rng.IntN(30)
		if bulkFixture && i == 0 {
			nInvoices = feedBulk + rng.IntN(50)
		}
		for j := range nInvoices {
			id := fmt.Sprintf("%X-1700000000", 0x80010000+i*0x1000+j)
			fx.QBD["invoices"] = append(fx.QBD["invoices"], map[string]any{"id": id, "customerId": u.anchor, "transactionDate": "2026-01-02", "refNumber": fmt.Sprintf("F-%d", j)})
			u.invoices.put(id, "0")
		}
		for j := range rng.IntN(20) {
			id := fmt.Sprintf("%X-1700000000", 0x80020000+i*0x1000+j)
			fx.QBD["customers"] = append(fx.QBD["customers"], map[string]any{"id": id, "name": fmt.Sprintf("Fixture %d", j)})
			u.customers.put(id, "0")
			u.active[id] = true
		}
		fixtures.EndUsers = append(fixtures.EndUsers, fx)
		w.users = append(w.users, u)
		t.Logf("end-user %s: time zone %s, clock skew %s, %d invoices", u.id, fx.TimeZone, fx.ClockSkew, nInvoices)
	}
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Now: func() time.Time { return start }, Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	w.fake = fake
	// The client's requests go through reads, which counts the pages of
	// each window the feeds read.
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	w.reads = &windowReads{next: transport, fake: fake, pages: map[string]int{}}
	if w.c, err = fake.Client(conductor.WithHTTPClient(&http.Client{Transport: w.reads})); err != nil {
		t.Fatal(err)
	}
	for _, u := range w.users {
		u.inv = newFeedProgram(w, u.id, "invoices", w.c.QBD.Invoices.Changes, func(v *conductor.Invoice) (string, string) { return v.ID, v.RevisionNumber })
		u.cust = newFeedProgram(w, u.id, "customers", w.c.QBD.Customers.Changes, func(v *conductor.Customer) (string, string) { return v.ID, v.RevisionNumber })
	}
	total.Scenarios++

	steps := 20 + rng.IntN(20)
	bulkAt := -1
	if seed%64 == 32 { // in runs of more scenarios than the default
		bulkAt = rng.IntN(steps)
	}
	for step := range steps {
		if step == bulkAt {
			w.bulk(w.users[rng.IntN(len(w.users))])
		}
		switch r := rng.IntN(100); {
		case r < 45:
			w.write(w.users[rng.IntN(len(w.users))])
		case r < 60:
			w.advance()
		default:
			u := w.users[rng.IntN(len(w.users))]
			if rng.IntN(2) == 0 {
				u.inv.randomRun()
			} else {
				u.cust.randomRun()
			}
		}
	}

	// The end: each copy, after a run with nothing else going on, holds
	// what the fake holds.
	all := conductor.StatusAll
	for _, u := range w.users {
		u.inv.finalRun()
		u.cust.finalRun()
		invoices := map[string]conductor.Invoice{}
		for v, err := range w.c.QBD.Invoices.All(w.ctx, u.id, &conductor.InvoiceListParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			invoices[v.ID] = v
		}
		if diff := cmp.Diff(invoices, u.inv.mirror); diff != "" {
			t.Errorf("%s: the copy of the invoices from the feed is not the fake's (-fake +copy):\n%s", u.id, diff)
		}
		customers := map[string]conductor.Customer{}
		for v, err := range w.c.QBD.Customers.All(w.ctx, u.id, &conductor.CustomerListParams{Status: &all}) {
			if err != nil {
				t.Fatal(err)
			}
			customers[v.ID] = v
		}
		if diff := cmp.Diff(customers, u.cust.mirror); diff != "" {
			t.Errorf("%s: the copy of the customers from the feed is not the fake's (-fake +copy):\n%s", u.id, diff)
		}
	}
	for _, n := range w.perSecond {
		total.MaxOneSecond = max(total.MaxOneSecond, n)
	}
}

// stamped counts a write of u's in the second of the fake's clock it is
// stamped in.
func (w *feedWorld) stamped(u *feedUser) {
	w.total.Writes++
	w.perSecond[u.id+"@"+strconv.FormatInt(int64(w.offset/time.Second), 10)]++
}

// advance moves the fake's clock on: within the second, by a second,
// past a cursor's 10 s, by minutes, past the feed's 10 minute overlap,
// or rarely by days.
func (w *feedWorld) advance() {
	var d time.Duration
	switch r := w.rng.IntN(100); {
	case r < 20:
		d = 0
	case r < 45:
		d = time.Second
	case r < 65:
		d = 11 * time.Second
	case r < 85:
		d = time.Duration(w.rng.IntN(300)) * time.Second
	case r < 97:
		d = time.Duration(600+w.rng.IntN(1800)) * time.Second
	default:
		d = time.Duration(1+w.rng.IntN(5)) * 24 * time.Hour
	}
	w.offset += d
	w.fake.Advance(d)
}

// write makes one random change to u's objects, between runs; now and
// then as a late commit, stamped up to 10 minutes before it is committed
// (the most the feed allows for), which the test plays by moving the
// fake's clock back for the write.
func (w *feedWorld) write(u *feedUser) {
	late := time.Duration(0)
	if w.rng.IntN(8) == 0 {
		late = time.Duration(1+w.rng.IntN(600)) * time.Second
		w.fake.Advance(-late)
		w.offset -= late
	}
	w.writeNow(u)
	if late > 0 {
		w.fake.Advance(late)
		w.offset += late
	}
}

func (w *feedWorld) writeNow(u *feedUser) {
	t, ctx, c := w.t, w.ctx, w.c
	t.Helper()
	switch r := w.rng.IntN(100); {
	case r < 25 || u.invoices.len() == 0 && r < 50:
		w.createInvoice(u)
	case r < 40:
		id, rev := u.invoices.pick(w.rng)
		v, err := c.QBD.Invoices.Update(ctx, u.id, id, conductor.InvoiceUpdateParams{RevisionNumber: rev, Memo: new(fmt.Sprintf("memo %d", w.rng.IntN(1000)))})
		if err != nil {
			t.Fatalf("updating invoice %s: %v", id, err)
		}
		u.invoices.put(id, v.RevisionNumber)
	case r < 50:
		id, _ := u.invoices.pick(w.rng)
		if w.rng.IntN(3) == 0 {
			if err := w.fake.DeleteInQuickBooks(u.id, "invoices", id); err != nil {
				t.Fatal(err)
			}
		} else if _, err := c.QBD.Invoices.Delete(ctx, u.id, id); err != nil {
			t.Fatalf("deleting invoice %s: %v", id, err)
		}
		u.invoices.remove(id)
	case r < 70:
		w.names++
		v, err := c.QBD.Customers.Create(ctx, u.id, conductor.CustomerCreateParams{Name: fmt.Sprintf("Customer %d", w.names)})
		if err != nil {
			t.Fatalf("creating a customer: %v", err)
		}
		u.customers.put(v.ID, v.RevisionNumber)
		u.active[v.ID] = true
	case r < 85:
		id, rev := u.customers.pick(w.rng)
		p := conductor.CustomerUpdateParams{RevisionNumber: rev}
		if w.rng.IntN(2) == 0 {
			// Deactivated (or active again): the feed lists all.
			u.active[id] = !u.active[id]
			p.IsActive = new(u.active[id])
		} else {
			p.Note = new(fmt.Sprintf("note %d", w.rng.IntN(1000)))
		}
		v, err := c.QBD.Customers.Update(ctx, u.id, id, p)
		if err != nil {
			t.Fatalf("updating customer %s: %v", id, err)
		}
		u.customers.put(id, v.RevisionNumber)
	default:
		id, _ := u.customers.pick(w.rng)
		if id == u.anchor {
			return
		}
		if err := w.fake.DeleteInQuickBooks(u.id, "customers", id); err != nil {
			t.Fatal(err)
		}
		u.customers.remove(id)
	}
	w.stamped(u)
}

func (w *feedWorld) createInvoice(u *feedUser) {
	w.t.Helper()
	v, err := w.c.QBD.Invoices.Create(w.ctx, u.id, conductor.InvoiceCreateParams{CustomerID: u.anchor, TransactionDate: conductor.Date{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		w.t.Fatalf("creating an invoice: %v", err)
	}
	u.invoices.put(v.ID, v.RevisionNumber)
}

// bulk creates more invoices than the feed's window within one second of
// the fake's clock.
func (w *feedWorld) bulk(u *feedUser) {
	for range feedBulk {
		w.createInvoice(u)
		w.stamped(u)
	}
	w.total.BulkSeconds++
}

// idSet is the ids of live objects and their revisionNumbers, picked from
// in a seeded order.
type idSet struct {
	ids []string
	rev map[string]string
	at  map[string]int
}

func newIDSet() *idSet { return &idSet{rev: map[string]string{}, at: map[string]int{}} }

func (s *idSet) len() int { return len(s.ids) }

func (s *idSet) put(id, rev string) {
	if _, ok := s.rev[id]; !ok {
		s.at[id] = len(s.ids)
		s.ids = append(s.ids, id)
	}
	s.rev[id] = rev
}

func (s *idSet) remove(id string) {
	i := s.at[id]
	last := s.ids[len(s.ids)-1]
	s.ids[i], s.at[last] = last, i
	s.ids = s.ids[:len(s.ids)-1]
	delete(s.at, id)
	delete(s.rev, id)
}

func (s *idSet) pick(rng *rand.Rand) (string, string) {
	id := s.ids[rng.IntN(len(s.ids))]
	return id, s.rev[id]
}

// feedProgram is a program keeping a copy (mirror) of one end-user's
// objects of one resource from its feed. It stores the copy and the
// checkpoint together, as one database transaction would, every `every`
// changes and at the end of each run; a crash loses what it applied since.
type feedProgram[T any] struct {
	w        *feedWorld
	endUser  string
	resource string
	changes  func(ctx context.Context, endUserID string, since conductor.Checkpoint, opts ...conductor.Option) iter.Seq2[conductor.Change[T], error]
	key      func(*T) (id, rev string)
	every    int

	mirror map[string]T
	stored conductor.Checkpoint
	undo   []feedUndo[T] // what to undo on a crash: the changes applied since the last store
	// durable are the changes delivered up to the stored checkpoint; the
	// feed must never deliver one of them again. pending are those
	// delivered after it; lost, those of a crashed run, which it may
	// deliver again, once each.
	durable map[string]bool
	pending []string
	lost    map[string]bool
	thisRun map[string]bool
}

type feedUndo[T any] struct {
	id  string
	old T
	had bool
}

func newFeedProgram[T any](w *feedWorld, endUser, resource string, changes func(context.Context, string, conductor.Checkpoint, ...conductor.Option) iter.Seq2[conductor.Change[T], error], key func(*T) (string, string)) *feedProgram[T] {
	every := []int{1, 1, 2, 7, 50, 1 << 30}[w.rng.IntN(6)]
	return &feedProgram[T]{w: w, endUser: endUser, resource: resource, changes: changes, key: key, every: every,
		mirror: map[string]T{}, durable: map[string]bool{}, lost: map[string]bool{}}
}

// randomRun is a run that may crash after some change, and whose loop
// body may be slow (the fake's clock moves past a cursor's life) or write
// to the end-user's objects while the feed is read.
func (p *feedProgram[T]) randomRun() {
	crashAfter := -1
	if p.w.rng.IntN(3) == 0 {
		crashAfter = 1 + p.w.rng.IntN(40)
	}
	busy := p.w.rng.IntN(4) // how busy the world is while the loop runs
	p.run(crashAfter, func() {
		if busy == 0 {
			return
		}
		if p.w.rng.IntN(10) < busy {
			p.w.advance()
		}
		if p.w.rng.IntN(10) < busy {
			// Committed as stamped: a late commit into a window the run
			// has read is the one case the README says a long run may
			// miss.
			p.w.writeNow(p.w.users[p.w.rng.IntN(len(p.w.users))])
		}
	})
}

// finalRun runs the feed with nothing else going on, which must catch up.
func (p *feedProgram[T]) finalRun() {
	if !p.run(-1, func() {}) {
		p.w.t.Fatalf("%s %s: the final run did not catch up", p.endUser, p.resource)
	}
}

// run runs the feed once from the stored checkpoint, calling body after
// applying each change, crashing after crashAfter changes (never, for
// -1). It reports whether the run caught up.
func (p *feedProgram[T]) run(crashAfter int, body func()) bool {
	t := p.w.t
	t.Helper()
	p.w.total.Runs++
	expireAt := 0
	if p.w.rng.IntN(2) == 0 || p.stored == "" { // always in a first run, which reads the most
		expireAt = 1 + p.w.rng.IntN(4)
	}
	p.w.reads.reset(expireAt)
	defer func() {
		p.w.total.CursorsExpired += p.w.reads.check(t)
	}()
	p.thisRun = map[string]bool{}
	n, sinceStore := 0, 0
	for ch, err := range p.changes(p.w.ctx, p.endUser, p.stored) {
		if err != nil {
			t.Fatalf("%s %s: the feed failed: %v", p.endUser, p.resource, err)
		}
		if ch.CaughtUp() {
			p.store(ch.Checkpoint())
			return true
		}
		if err := p.apply(ch); err != nil {
			t.Fatalf("%s %s: %v", p.endUser, p.resource, err)
		}
		n++
		if sinceStore++; sinceStore >= p.every {
			p.store(ch.Checkpoint())
			sinceStore = 0
		}
		if n == crashAfter {
			p.crash()
			return false
		}
		body()
	}
	t.Fatalf("%s %s: the feed ended without a caught-up Change", p.endUser, p.resource)
	return false
}

// apply applies one change to the copy, checking that it is not one the
// feed should not deliver again.
func (p *feedProgram[T]) apply(ch conductor.Change[T]) error {
	var id, k string
	switch {
	case ch.Object != nil:
		var rev string
		id, rev = p.key(ch.Object)
		k = id + "@" + rev
		if old, had := p.mirror[id]; had {
			if _, oldRev := p.key(&old); revNumber(oldRev) > revNumber(rev) {
				return fmt.Errorf("the feed delivered %s at revision %s after revision %s", id, rev, oldRev)
			}
		}
	case ch.Deleted != nil:
		id = ch.Deleted.ID
		k = id + " deleted"
	}
	switch {
	case p.durable[k]:
		return fmt.Errorf("the feed delivered %s again after a resume, though the stored checkpoint came after it", k)
	case p.thisRun[k]:
		return fmt.Errorf("the feed delivered %s twice in one run", k)
	case p.lost[k]:
		delete(p.lost, k)
		p.w.total.Redelivered++
	}
	p.w.total.Delivered++
	p.thisRun[k] = true
	p.pending = append(p.pending, k)
	old, had := p.mirror[id]
	p.undo = append(p.undo, feedUndo[T]{id, old, had})
	if ch.Object != nil {
		p.mirror[id] = *ch.Object
	} else {
		delete(p.mirror, id)
	}
	return nil
}

func revNumber(rev string) int {
	n, err := strconv.Atoi(rev)
	if err != nil {
		return -1
	}
	return n
}

// store stores the copy with the checkpoint cp.
func (p *feedProgram[T]) store(cp conductor.Checkpoint) {
	p.stored = cp
	for _, k := range p.pending {
		p.durable[k] = true
	}
	p.pending, p.undo = nil, nil
}

// crash loses what was applied since the last store.
func (p *feedProgram[T]) crash() {
	p.w.total.Crashes++
	for i := len(p.undo) - 1; i >= 0; i-- {
		u := p.undo[i]
		if u.had {
			p.mirror[u.id] = u.old
		} else {
			delete(p.mirror, u.id)
		}
	}
	for _, k := range p.pending {
		p.lost[k] = true
	}
	p.w.total.LostBeforeResume += len(p.pending)
	p.pending, p.undo = nil, nil
}
