package conductor

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"strings"
	"sync"
)

// Page is one page of a list: up to 150 objects for the lists Conductor
// pages (invoices, customers, ...), and every object for the others, which
// answer with one page whose HasMore is false.
type Page[T any] struct {
	// Data are the page's objects.
	Data []T `json:"data"`
	// HasMore says that another page follows: ask for it with NextCursor
	// within 10 seconds, or the cursor expires. The All methods do as long
	// as the loop spends less than that on each page, and end at the first
	// page whose HasMore is false, whatever its RemainingCount.
	HasMore bool `json:"hasMore"`
	// NextCursor asks for the next page (as the list's Cursor parameter).
	// Conductor keeps it the same for the whole listing, so the end is
	// HasMore false, never a new cursor. "" when there is none.
	NextCursor string `json:"nextCursor"`
	// RemainingCount is how many objects the pages after this one hold; 0
	// when the API gives no count.
	RemainingCount int `json:"remainingCount"`
}

// aPage is a *Page[T] seen by the helpers, which are not generic.
type aPage interface {
	hasData() bool
	len() int
	info() pageInfo
	// item is a pointer to the page's object i, as an any: a *T.
	item(i int) any
}

// pageInfo is what pages needs of a page to follow a listing.
type pageInfo struct {
	hasMore   bool
	cursor    string
	remaining int
	len       int
}

func (p *Page[T]) hasData() bool  { return p.Data != nil }
func (p *Page[T]) len() int       { return len(p.Data) }
func (p *Page[T]) item(i int) any { return &p.Data[i] }
func (p *Page[T]) info() pageInfo {
	return pageInfo{hasMore: p.HasMore, cursor: p.NextCursor, remaining: p.RemainingCount, len: len(p.Data)}
}

// maxPageObjects is the most objects a page of a paginated list may hold:
// Conductor's largest limit (1 to 150). A bigger page is refused as an
// invalid response rather than handed on; lists that are not paginated
// answer with every object at once and are bounded by the body's size
// (see checkDecodeCost).
const maxPageObjects = 150

// list makes a list operation and decodes its page into page.
func (c *Client) list(ctx context.Context, r request, opts []Option, page aPage) error {
	s, err := c.prepare(ctx, r, opts)
	if err != nil {
		return err
	}
	_, err = c.fetchPage(ctx, s, r, "", page)
	return err
}

// fetchPage asks for the page a cursor names ("" for the first) and
// decodes it into page. It returns a digest of the body, by which pages
// tells a page repeated byte for byte.
func (c *Client) fetchPage(ctx context.Context, s *settings, r request, cursor string, page aPage) (uint64, error) {
	req, err := r.build(s)
	if err == nil && cursor != "" {
		q := req.URL.Query()
		q.Set("cursor", cursor)
		req.URL.RawQuery = q.Encode()
	}
	resp, err := c.roundTrip(ctx, s, r, req, err)
	if err := decodeInto(resp, err, page); err != nil {
		return 0, err
	}
	body := resp.Body.(*readBody).data
	switch {
	case !page.hasData():
		return 0, invalidResponse(resp, body, "a list without its data array")
	case r.op&opPaginated != 0 && page.len() > maxPageObjects:
		return 0, invalidResponse(resp, body, "a page of %d objects; Conductor sends at most %d", page.len(), maxPageObjects)
	}
	d := digest(body)
	s.bodies.giveBack(body) // decoded, checked and digested: nothing refers to it now
	return d, nil
}

// digestSeed seeds the digests of pages. maphash reads 16 bytes at a time
// where FNV reads one, so a page of 400 KB costs microseconds, not a
// twelfth of reading it; and a seed the server cannot know leaves it no
// way to make two different pages collide.
var digestSeed = maphash.MakeSeed()

// digest is the 8-byte digest by which a listing tells a page repeated
// byte for byte.
func digest(body []byte) uint64 {
	return maphash.Bytes(digestSeed, body)
}

// all iterates over every object of every page of a list operation.
func all[T any](ctx context.Context, c *Client, r request, opts []Option) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := c.pages(ctx, r, opts,
			func() aPage { return new(Page[T]) },
			func(p aPage) bool {
				for _, v := range p.(*Page[T]).Data {
					if !yield(v, nil) {
						return false
					}
				}
				return true
			})
		if err != nil {
			yield(*new(T), err)
		}
	}
}

// errCursorExpired explains the likely cause when a page after the first
// is refused because of its cursor.
var errCursorExpired = errors.New("a cursor expires 10 seconds after the page before it arrived; All asks for the next page when the loop moves on to that one, so the loop body likely spent longer than that on the page before it: collect the objects first, or work on them elsewhere")

// aboutCursor reports whether an error answering a page after the first
// is about its cursor: a 4xx whose code or message names the cursor (the
// fake answers an expired one with INVALID_CURSOR; Conductor documents no
// code for it). Any other refusal, such as QuickBooks refusing a filter,
// is passed on as it is, and the first page, which has no cursor, never
// blames one.
func aboutCursor(err error) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.invalidResponse || apiErr.StatusCode < 400 || apiErr.StatusCode >= 500 {
		return false
	}
	return strings.Contains(strings.ToUpper(apiErr.Code), "CURSOR") || strings.Contains(strings.ToLower(apiErr.Message), "cursor")
}

// pages hands each page of a list operation, in order, to each, until each
// returns false (then pages returns nil) or a page fails (then its error).
// While each works on one page, the next is already being fetched, so the
// network overlaps the caller's work and the cursor is used as soon as
// possible; at most that one page is held ahead. A failed page (after the
// engine's retries) ends the listing: no object is skipped or repeated.
// Stopping, or ctx ending, stops the fetch in flight, and pages returns
// only once it has stopped, so no goroutine outlives the loop; once ctx
// has ended, no page is handed on, even one that arrived before.
//
// A listing the server does not bring to an end ends in an error: a page
// that says more follow but gives no cursor to ask with, an empty page
// that says more follow, and a listing that repeats itself. Conductor
// keeps nextCursor the same for a whole listing, so the sign of a repeat
// is remainingCount (what QuickBooks' iterator has left), which each page
// lowers by its size. Objects written while the listing runs can raise
// it, so one page that does not lower it is not yet a repeat; a count
// that stays at or above its lowest for maxStalledPages pages in a row is
// (or a listing that outgrows its reading, which would not end either).
// Whatever the count, a page whose body is byte for byte one of the
// listing's earlier pages is a repeat: pages keeps an 8-byte digest of
// each. What it cannot tell is a server that sends no count and varies
// every page it repeats.
func (c *Client) pages(ctx context.Context, call request, opts []Option, newPage func() aPage, each func(aPage) bool) error {
	s, err := c.prepare(ctx, call, opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	s, deliver := s.forAll() // for WithResponse: see forAll
	s = s.lendingBodies()
	type result struct {
		page   aPage
		digest uint64
		err    error
	}
	fetch := func(cursor string) result {
		p := newPage()
		digest, err := c.fetchPage(ctx, s, call, cursor, p)
		return result{p, digest, err}
	}
	ahead := make(chan result, 1) // buffered: the fetch never waits for the caller
	r := fetch("")
	var l listing
	for n := 1; ; n++ {
		deliver()
		if r.err != nil {
			if n > 1 && aboutCursor(r.err) {
				return fmt.Errorf("%w (page %d; %w)", r.err, n, errCursorExpired)
			}
			return r.err
		}
		if err := ctx.Err(); err != nil {
			// The page arrived before the context ended (the loop body
			// may have ended it): a loop that cancels gets no object
			// after it.
			return stopped(n, ctx)
		}
		p := r.page.info()
		if err := l.follow(n, p, r.digest); err != nil {
			return err
		}
		if p.hasMore {
			wg.Go(func() { ahead <- fetch(p.cursor) })
		}
		if !each(r.page) || !p.hasMore {
			return nil
		}
		r = <-ahead
	}
}

// stopped is the error of a listing whose context ended before page n
// was handed on: it matches the context's error, and its cause when the
// context was cancelled with one.
func stopped(n int, ctx context.Context) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if cause == err {
		return fmt.Errorf("conductor: the list was stopped before page %d: %w", n, err)
	}
	return fmt.Errorf("conductor: the list was stopped before page %d: %w (%w)", n, err, cause)
}

// maxStalledPages is how many pages in a row may leave remainingCount at
// or above its lowest before pages calls the listing endless.
const maxStalledPages = 3

// listing is what pages remembers of the pages so far, to tell a listing
// that does not end.
type listing struct {
	seen    map[uint64]int // the page number of each body digest so far
	counted bool           // a page has given a remainingCount
	lowest  int            // remainingCount, lowest so far
	stalled int            // pages in a row that did not lower it
}

// follow checks page n, whose body has the given digest, and notes it.
func (l *listing) follow(n int, p pageInfo, digest uint64) error {
	if l.seen == nil {
		l.seen = map[uint64]int{}
	}
	earlier, same := l.seen[digest]
	if !same {
		l.seen[digest] = n
	}
	if !p.hasMore {
		return nil
	}
	switch {
	case p.cursor == "":
		return fmt.Errorf("conductor: page %d of the list says more objects follow (hasMore) but gives no nextCursor to ask for them; stopping rather than returning part of the list as all of it", n)
	case p.len == 0:
		return fmt.Errorf("conductor: page %d of the list is empty but says more follow; stopping rather than asking forever", n)
	case same:
		return fmt.Errorf("conductor: page %d of the list is page %d again, byte for byte, and says more follow; stopping rather than asking forever", n, earlier)
	}
	// 0 is also what an absent count decodes to: it counts only once an
	// earlier page gave a count; a negative one is read as 0.
	remaining := max(p.remaining, 0)
	switch {
	case !l.counted && remaining == 0:
	case !l.counted || remaining < l.lowest:
		l.counted, l.lowest, l.stalled = true, remaining, 0
	default:
		if l.stalled++; l.stalled >= maxStalledPages {
			return fmt.Errorf("conductor: page %d of the list says more follow, but remainingCount has not gone below %d for %d pages in a row (now %d): the listing repeats itself, or grows as fast as it is read; stopping rather than asking forever", n, l.lowest, l.stalled, p.remaining)
		}
	}
	return nil
}
