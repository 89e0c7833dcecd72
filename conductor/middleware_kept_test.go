package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestAKeptNextSendsNothingAfterItsAttempt: a middleware that returns an
// error before calling next (so the attempt counts as not sent and the
// create is retried) but keeps next and calls it later sends nothing with
// it: the server gets the create once.
func TestAKeptNextSendsNothingAfterItsAttempt(t *testing.T) {
	srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0}, reply{200, jsonHeader, endUserJSON, 0})
	var mu sync.Mutex
	var keptNext conductor.MiddlewareNext
	var keptReq *http.Request
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if keptNext == nil {
			keptNext, keptReq = next, req
			return nil, errors.New("queued for later") // e.g. a rate limiter / hedger
		}
		return next(req)
	}
	c := srv.client(t, conductor.WithMiddleware(mw), conductor.WithWritePolicy(conductor.ReportWrites))
	params := conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"}
	if _, err := c.EndUsers.Create(testdeadline.Context(t), params); err != nil {
		t.Fatal(err)
	}
	// Later, the stored next is called (with a context of its own).
	resp, err := keptNext(keptReq.WithContext(context.Background()))
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
	}
	if err == nil || !strings.Contains(err.Error(), "called next after its attempt had ended") {
		t.Errorf("the kept next, called after its attempt = %v; want its refusal", err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("the server got the create %d times; a next kept past its attempt (counted as not sent) sent it again", n)
	}
}

// TestAMiddlewareCannotChangeTheMethod: next sends only the call's method:
// a middleware on a read that rewrites the request to a POST, and calls
// next twice, sends no write.
func TestAMiddlewareCannotChangeTheMethod(t *testing.T) {
	srv := newScriptServer(t, reply{status: 503, headers: map[string]string{"X-Should-Retry": "false"}}, reply{200, jsonHeader, endUserJSON, 0})
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Method = http.MethodPost
		r.URL.Path = strings.TrimSuffix(r.URL.Path, "/end_usr_1")
		r.Body = io.NopCloser(strings.NewReader(`{"companyName":"Acme","sourceId":"a","email":"a@b.c"}`))
		r.ContentLength = -1
		r.GetBody = nil
		resp, err := next(r)
		if err == nil && resp.StatusCode >= 500 {
			r.Body = io.NopCloser(strings.NewReader(`{"companyName":"Acme","sourceId":"a","email":"a@b.c"}`))
			return next(r)
		}
		return resp, err
	}
	c := srv.client(t, conductor.WithMiddleware(mw), conductor.WithMaxRetries(0))
	_, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	if err == nil || !strings.Contains(err.Error(), "changed the request's method from GET to POST") {
		t.Errorf("the read whose middleware made it a POST = %v; want next's refusal of the method", err)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server got %d requests; want none: next sends only the call's method", n)
	}
}

// TestAMiddlewaresOwnAnswerIsRedacted: a middleware's own answer that
// echoes the key in its status, header or body is redacted like next's.
func TestAMiddlewaresOwnAnswerIsRedacted(t *testing.T) {
	srv := newScriptServer(t)
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		return &http.Response{
			StatusCode: 400, Status: "400 " + testAPIKey,
			Header:  http.Header{"Content-Type": {"application/json"}, "X-K": {testAPIKey}},
			Body:    io.NopCloser(strings.NewReader(envelope(400, "INVALID_REQUEST_ERROR", "X", "key "+testAPIKey))),
			Request: &http.Request{Method: "GET"},
		}, errors.New("also an error " + testAPIKey)
	}
	c := srv.client(t, conductor.WithMiddleware(mw), conductor.WithMaxRetries(0))
	_, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	if err == nil || strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("err = %v", err)
	}
	mw2 := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		return &http.Response{
			StatusCode: 400, Status: "400 " + testAPIKey,
			Header: http.Header{"Content-Type": {"application/json"}, "X-K": {testAPIKey}},
			Body:   io.NopCloser(strings.NewReader(envelope(400, "INVALID_REQUEST_ERROR", "X", "key "+testAPIKey))),
		}, nil
	}
	_, err = c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1", conductor.WithoutMiddleware(), conductor.WithMiddleware(mw2))
	var ae *conductor.Error
	if !errors.As(err, &ae) || strings.Contains(err.Error(), testAPIKey) || strings.Contains(ae.Message, testAPIKey) {
		t.Errorf("err = %v", err)
	}
	mw3 := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		return &http.Response{StatusCode: 200}, nil // nil Body, nil Header
	}
	_, err = c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1", conductor.WithoutMiddleware(), conductor.WithMiddleware(mw3))
	t.Logf("nil body answer: %v", err)
	if srv.count() != 0 {
		t.Errorf("sent %d", srv.count())
	}
}

// TestNextCalledConcurrentlySendsAWriteOnce: a middleware that calls next
// for a create from two goroutines at once sends it once (and, under
// -race, without a data race).
func TestNextCalledConcurrentlySendsAWriteOnce(t *testing.T) {
	srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0}, reply{200, jsonHeader, endUserJSON, 0})
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		res := make([]*http.Response, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := next(req.Clone(req.Context()))
				if err == nil {
					res[i] = r
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, r := range res {
			if r != nil {
				return r, nil
			}
		}
		return nil, errors.New("none")
	}
	c := srv.client(t, conductor.WithMiddleware(mw), conductor.WithWritePolicy(conductor.ReportWrites))
	params := conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"}
	c.EndUsers.Create(testdeadline.Context(t), params)
	if n := srv.count(); n != 1 {
		t.Errorf("the create reached the server %d times", n)
	}
}

// TestAKeptAnswerOutlivesTheListing: a middleware that keeps next's
// answers finds their bytes unchanged after the listing has read later
// pages.
func TestAKeptAnswerOutlivesTheListing(t *testing.T) {
	p := &pagedInvoices{total: 6}
	var mu sync.Mutex
	var kept []io.ReadCloser
	var firstRead []string
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			mu.Lock()
			firstRead = append(firstRead, string(b))
			kept = append(kept, resp.Body)
			mu.Unlock()
		}
		return resp, err // the client rewinds next's own body
	}
	c := pagedClient(t, p, conductor.WithMiddleware(mw))
	for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, b := range kept {
		if s, ok := b.(io.Seeker); ok {
			s.Seek(0, io.SeekStart)
		} else {
			t.Fatalf("page %d's body is no io.Seeker (%T): this test cannot read it again", i+1, b)
		}
		later, _ := io.ReadAll(b)
		if string(later) != firstRead[i] {
			t.Errorf("page %d's body, kept by the middleware, changed after the listing went on:\nfirst %.120s\nlater %.120s", i+1, firstRead[i], later)
		}
	}
}

// TestACachingMiddlewareGetsEveryPage: a middleware that caches next's
// answers by URL serves a second listing its first page as the first
// listing read it: what it cached is not a buffer the listing went on to
// read later pages into. (The second listing's cursor, from the cached
// page, is spent, so it ends there.)
func TestACachingMiddlewareGetsEveryPage(t *testing.T) {
	p := &pagedInvoices{total: 6}
	var mu sync.Mutex
	cache := map[string]*http.Response{}
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		key := req.URL.String()
		mu.Lock()
		hit := cache[key]
		mu.Unlock()
		if hit != nil && !strings.Contains(key, "cursor") {
			return hit, nil
		}
		resp, err := next(req)
		if err == nil {
			mu.Lock()
			cache[key] = resp
			mu.Unlock()
		}
		return resp, err
	}
	c := pagedClient(t, p, conductor.WithMiddleware(mw))
	list := func() ([]string, error) {
		var got []string
		for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
			if err != nil {
				return got, err
			}
			got = append(got, inv.ID)
		}
		return got, nil
	}
	first, err := list()
	if err != nil || len(first) != 6 {
		t.Fatalf("the first listing: %v, %v; want the 6 invoices", first, err)
	}
	second, _ := list()
	if len(second) < 2 || !slices.Equal(second[:2], first[:2]) {
		t.Errorf("the cached first page answered %v, want %v", second, first[:2])
	}
}

// TestAMiddlewareSeesNoKeyInARedirectOrSplitBody: a redirect whose
// Location echoes the key, and a key split across two chunks of a body,
// reach a middleware redacted.
func TestAMiddlewareSeesNoKeyInARedirectOrSplitBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://evil.example/?k="+testAPIKey)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(302)
		body := envelope(400, "INVALID_REQUEST_ERROR", "X", "key "+testAPIKey)
		half := strings.Index(body, testAPIKey) + len(testAPIKey)/2
		io.WriteString(w, body[:half])
		w.(http.Flusher).Flush() // a chunk of its own
		io.WriteString(w, body[half:])
	}))
	t.Cleanup(srv.Close)
	var seen strings.Builder
	mw := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err != nil {
			fmt.Fprintf(&seen, "err %v\n", err)
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&seen, "%s %v %s %v\n", resp.Status, resp.Header, b, resp.Request.Header)
		return resp, nil
	}
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL), conductor.WithMiddleware(mw), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	all := seen.String() + fmt.Sprintf("%v %+v", err, err)
	if strings.Contains(all, testAPIKey) {
		t.Errorf("the key leaked into what the middleware saw or the error:\n%s", all)
	}
	// It saw the answer, with the key redacted where it stood.
	for _, want := range []string{"Location:[https://evil.example/?k=[redacted]]", `"message":"key [redacted]"`} {
		if !strings.Contains(seen.String(), want) {
			t.Errorf("the middleware saw no %s:\n%s", want, seen.String())
		}
	}
}
