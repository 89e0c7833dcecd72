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
	Data []T
	// HasMore says that another page follows: ask for it with NextCursor
	// within 10 seconds, or the cursor expires. The All methods do.
	HasMore bool
	// NextCursor asks for the next page (as the list's Cursor parameter).
	// Conductor keeps it the same for the whole listing, so the end is
	// HasMore false, never a new cursor. "" when there is none.
	NextCursor string
	// RemainingCount is how many objects the pages after this one hold; 0
	// when the API gives no count.
	RemainingCount int
}

// pageBody is a list's answer: {"data": [...], "hasMore": ..., ...}.
type pageBody[T any] struct {
	Data           []T      `json:"data"`
	HasMore        bool     `json:"hasMore"`
	NextCursor     *string  `json:"nextCursor"`
	RemainingCount *float64 `json:"remainingCount"`
}

func decodePage[T any](resp *http.Response, err error) (*Page[T], error) {
	b, err := decode[pageBody[T]](resp, err)
	if err != nil {
		return nil, err
	}
	if b.Data == nil {
		return nil, invalidResponse(resp, resp.Body.(*readBody).data, "a list without its data array")
	}
	p := &Page[T]{Data: b.Data, HasMore: b.HasMore}
	if b.NextCursor != nil {
		p.NextCursor = *b.NextCursor
	}
	if b.RemainingCount != nil {
		p.RemainingCount = int(*b.RemainingCount)
	}
	return p, nil
}

// pager fetches the page a cursor names, "" for the first.
type pager[T any] func(ctx context.Context, cursor string) (*Page[T], error)

// queryPager is a pager for a list that takes query parameters: every page
// is asked for with the caller's parameters, and the cursor after the first.
func queryPager[T, P any](c *Client, s *settings, o op, endUserID string, params *P, build buildQuery[P]) pager[T] {
	return func(ctx context.Context, cursor string) (*Page[T], error) {
		req, err := build(s.server, params)
		if err == nil && cursor != "" {
			q := req.URL.Query()
			q.Set("cursor", cursor)
			req.URL.RawQuery = q.Encode()
		}
		return decodePage[T](c.roundTrip(ctx, s, o, endUserID, req, err))
	}
}

func listNone[T any](ctx context.Context, c *Client, o op, endUserID string, build buildNone, opts []Option) (*Page[T], error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	req, err := build(s.server)
	return decodePage[T](c.roundTrip(ctx, s, o, endUserID, req, err))
}

func listQuery[T, P any](ctx context.Context, c *Client, o op, endUserID string, params *P, build buildQuery[P], opts []Option) (*Page[T], error) {
	s, err := c.prepare(ctx, o, endUserID, opts)
	if err != nil {
		return nil, err
	}
	if err := checkParams(o, params); err != nil {
		return nil, err
	}
	return queryPager[T](c, s, o, endUserID, params, build)(ctx, "")
}

func allNone[T any](ctx context.Context, c *Client, o op, endUserID string, build buildNone, opts []Option) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		page, err := listNone[T](ctx, c, o, endUserID, build, opts)
		if err != nil {
			yield(*new(T), err)
			return
		}
		for _, v := range page.Data {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func allQuery[T, P any](ctx context.Context, c *Client, o op, endUserID string, params *P, build buildQuery[P], opts []Option) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		s, err := c.prepare(ctx, o, endUserID, opts)
		if err == nil {
			if verr := checkParams(o, params); verr != nil {
				err = verr
			}
		}
		if err != nil {
			yield(*new(T), err)
			return
		}
		iterate(ctx, queryPager[T](c, s, o, endUserID, params, build), yield)
	}
}

// errCursorExpired explains the likely cause when a page after the first
// is refused.
var errCursorExpired = errors.New("a cursor expires 10 seconds after the page before it arrived; All asks for each page as soon as the previous one arrives, so the loop body spent longer than that on one page: collect the objects first, or work on them elsewhere")

// iterate yields every object of every page that fetch gives, in order.
// While the caller works on one page, the next is already being fetched,
// so the network overlaps the caller's work and the cursor is used as soon
// as possible; at most that one page is held ahead. A failed page (after
// the engine's retries) ends the iteration with its error: no object is
// skipped or repeated. Breaking out of the loop, or ctx ending, stops the
// fetch in flight and returns only once it has stopped, so no goroutine
// outlives the loop.
func iterate[T any](ctx context.Context, fetch pager[T], yield func(T, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type result struct {
		page *Page[T]
		err  error
	}
	ahead := make(chan result, 1) // buffered: the fetch never waits for the caller
	page, err := fetch(ctx, "")
	for pages := 1; ; pages++ {
		if err != nil {
			var apiErr *Error
			if pages > 1 && errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
				err = fmt.Errorf("%w (page %d; %w)", err, pages, errCursorExpired)
			}
			yield(*new(T), err)
			return
		}
		more := page.HasMore && page.NextCursor != ""
		if more && len(page.Data) == 0 {
			yield(*new(T), fmt.Errorf("conductor: page %d of the list is empty but says more follow; stopping rather than asking forever", pages))
			return
		}
		if more {
			cursor := page.NextCursor
			wg.Go(func() {
				p, err := fetch(ctx, cursor)
				ahead <- result{p, err}
			})
		}
		for _, v := range page.Data {
			if !yield(v, nil) {
				return
			}
		}
		if !more {
			return
		}
		r := <-ahead
		page, err = r.page, r.err
	}
}
