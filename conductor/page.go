package conductor

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
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
	// as the loop spends less than that on each page.
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
	next() (cursor string, more bool)
	len() int
}

func (p *Page[T]) hasData() bool { return p.Data != nil }
func (p *Page[T]) len() int      { return len(p.Data) }
func (p *Page[T]) next() (string, bool) {
	return p.NextCursor, p.HasMore && p.NextCursor != ""
}

// list makes a list operation and decodes its page into page.
func (c *Client) list(ctx context.Context, o op, endUserID string, build builder, opts []Option, page aPage) error {
	s, err := c.prepare(ctx, o, endUserID, "", opts)
	if err != nil {
		return err
	}
	return c.fetchPage(ctx, s, o, endUserID, build, "", page)
}

// fetchPage asks for the page a cursor names ("" for the first) and
// decodes it into page.
func (c *Client) fetchPage(ctx context.Context, s *settings, o op, endUserID string, build builder, cursor string, page aPage) error {
	req, err := build(s.server)
	if err == nil && cursor != "" {
		q := req.URL.Query()
		q.Set("cursor", cursor)
		req.URL.RawQuery = q.Encode()
	}
	resp, err := c.roundTrip(ctx, s, o, endUserID, req, err)
	if err := decodeInto(resp, err, page); err != nil {
		return err
	}
	if !page.hasData() {
		return invalidResponse(resp, resp.Body.(*readBody).data, "a list without its data array")
	}
	return nil
}

// all iterates over every object of every page of a list operation.
func all[T any](ctx context.Context, c *Client, o op, endUserID string, build builder, opts []Option) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := c.pages(ctx, o, endUserID, build, opts,
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
// is refused as a bad request.
var errCursorExpired = errors.New("a cursor expires 10 seconds after the page before it arrived; All asks for the next page when the loop moves on to that one, so the loop body likely spent longer than that on the page before it: collect the objects first, or work on them elsewhere")

// pages hands each page of a list operation, in order, to each, until each
// returns false (then pages returns nil) or a page fails (then its error).
// While each works on one page, the next is already being fetched, so the
// network overlaps the caller's work and the cursor is used as soon as
// possible; at most that one page is held ahead. A failed page (after the
// engine's retries) ends the listing: no object is skipped or repeated.
// Stopping, or ctx ending, stops the fetch in flight, and pages returns
// only once it has stopped, so no goroutine outlives the loop.
func (c *Client) pages(ctx context.Context, o op, endUserID string, build builder, opts []Option, newPage func() aPage, each func(aPage) bool) error {
	s, err := c.prepare(ctx, o, endUserID, "", opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	fetch := func(cursor string) (aPage, error) {
		p := newPage()
		return p, c.fetchPage(ctx, s, o, endUserID, build, cursor, p)
	}
	type result struct {
		page aPage
		err  error
	}
	ahead := make(chan result, 1) // buffered: the fetch never waits for the caller
	page, err := fetch("")
	for n := 1; ; n++ {
		if err != nil {
			var apiErr *Error
			if n > 1 && errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusNotFound) {
				err = fmt.Errorf("%w (page %d; %w)", err, n, errCursorExpired)
			}
			return err
		}
		cursor, more := page.next()
		if more && page.len() == 0 {
			return fmt.Errorf("conductor: page %d of the list is empty but says more follow; stopping rather than asking forever", n)
		}
		if more {
			wg.Go(func() {
				p, err := fetch(cursor)
				ahead <- result{p, err}
			})
		}
		if !each(page) || !more {
			return nil
		}
		r := <-ahead
		page, err = r.page, r.err
	}
}
