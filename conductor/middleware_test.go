package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

const endUserJSON = `{"id":"end_usr_1234567abcdefg","objectType":"end_user","companyName":"Acme","sourceId":"acct_42","email":"ap@acme.example","createdAt":"2024-10-01T12:34:56.000Z","integrationConnections":[]}`

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// trail records, in order, what the middlewares of a test did.
type trail struct {
	mu    sync.Mutex
	steps []string
}

func (tr *trail) add(format string, args ...any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.steps = append(tr.steps, fmt.Sprintf(format, args...))
}

func (tr *trail) got() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.steps...)
}

// named is a middleware that records when it is entered and left, with
// the attempt number its request's context carries and the status next
// gave it.
func (tr *trail) named(name string) conductor.Middleware {
	return func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		n, _ := conductor.AttemptFromContext(req.Context())
		tr.add("%s in %d", name, n)
		resp, err := next(req)
		if err != nil {
			tr.add("%s out %d error", name, n)
			return nil, err
		}
		tr.add("%s out %d %d", name, n, resp.StatusCode)
		return resp, nil
	}
}

// TestMiddlewareOrderAndAttempts: the first middleware given is the
// outermost, the client's are outside a call's, and a call retried after
// a 503 runs them once per attempt, each told its attempt's number.
func TestMiddlewareOrderAndAttempts(t *testing.T) {
	srv := newScriptServer(t, reply{status: 503, headers: map[string]string{"Retry-After-Ms": "1"}}, reply{200, jsonHeader, endUserJSON, 0})
	var tr trail
	c := srv.client(t, conductor.WithMiddleware(tr.named("a"), tr.named("b")), conductor.WithMiddleware(tr.named("c")))
	if _, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1", conductor.WithMiddleware(tr.named("call"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a in 1", "b in 1", "c in 1", "call in 1", "call out 1 503", "c out 1 503", "b out 1 503", "a out 1 503",
		"a in 2", "b in 2", "c in 2", "call in 2", "call out 2 200", "c out 2 200", "b out 2 200", "a out 2 200",
	}
	if diff := cmp.Diff(want, tr.got()); diff != "" {
		t.Errorf("middleware steps (-want +got):\n%s", diff)
	}
	if srv.count() != 2 {
		t.Errorf("server saw %d requests, want 2", srv.count())
	}
	if _, ok := conductor.AttemptFromContext(testdeadline.Context(t)); ok {
		t.Error("AttemptFromContext found an attempt in a context that is not an attempt's")
	}
}

// TestMiddlewarePerCall: a call's WithoutMiddleware drops the client's,
// and WithMiddleware after it gives the call only its own; the next call
// without options runs the client's again.
func TestMiddlewarePerCall(t *testing.T) {
	srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
	var tr trail
	c := srv.client(t, conductor.WithMiddleware(tr.named("client")))
	ctx := testdeadline.Context(t)
	if _, err := c.EndUsers.Retrieve(ctx, "end_usr_1", conductor.WithoutMiddleware(), conductor.WithMiddleware(tr.named("own"))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EndUsers.Retrieve(ctx, "end_usr_1", conductor.WithoutMiddleware()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EndUsers.Retrieve(ctx, "end_usr_1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"own in 1", "own out 1 200", "client in 1", "client out 1 200"}
	if diff := cmp.Diff(want, tr.got()); diff != "" {
		t.Errorf("middleware steps (-want +got):\n%s", diff)
	}
	if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithMiddleware(nil)); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("NewClient(WithMiddleware(nil)) = %v, want an error about the nil middleware", err)
	}
}

// TestMiddlewareSeesNoKey: a middleware that records everything it is
// given (the request's headers and URL, the response's status, headers
// and body, the error) finds no key in any of it, when the server echoes
// the key in a header and in the body and the call's id is the key
// itself; and the server still gets the key, and the real path.
func TestMiddlewareSeesNoKey(t *testing.T) {
	echo := map[string]string{"Content-Type": "application/json", "X-Echo": "Bearer " + testAPIKey}
	retrySoon := map[string]string{"Content-Type": "application/json", "X-Echo": "Bearer " + testAPIKey, "Retry-After-Ms": "1"}
	srv := newScriptServer(t,
		reply{status: 500, headers: retrySoon, body: envelope(500, "INTERNAL_ERROR", "X", "your key "+testAPIKey)},
		reply{status: 400, headers: echo, body: envelope(400, "INVALID_REQUEST_ERROR", "X", "your key "+testAPIKey)})
	var seen strings.Builder
	record := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		fmt.Fprintf(&seen, "%s %s %v\n", req.Method, req.URL, req.Header)
		resp, err := next(req)
		if err != nil {
			fmt.Fprintf(&seen, "error %v\n", err)
			return nil, err
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&seen, "%s %v %s %v\n", resp.Status, resp.Header, body, resp.Request.Header)
		return resp, nil
	}
	c := srv.client(t, conductor.WithMiddleware(record))
	_, err := c.EndUsers.Retrieve(testdeadline.Context(t), testAPIKey)
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("err = %v, want the 400 as *conductor.Error", err)
	}
	if strings.Contains(apiErr.Message, testAPIKey) || !strings.Contains(apiErr.Message, "[redacted]") {
		t.Errorf("the error's message %q, read after a middleware read the body, is not the redacted one", apiErr.Message)
	}
	got := seen.String()
	if strings.Contains(got, testAPIKey) {
		t.Errorf("a middleware saw the key:\n%s", got)
	}
	if !strings.Contains(got, "Bearer [redacted]") || strings.Count(got, "your key [redacted]") != 2 {
		t.Errorf("the middleware did not see the redacted request and responses:\n%s", got)
	}
	for _, r := range srv.got() {
		if r.header.Get("Authorization") != "Bearer "+testAPIKey || r.path != "/end-users/"+testAPIKey {
			t.Errorf("the server got %s with Authorization %q, want the key in both", r.path, r.header.Get("Authorization"))
		}
	}
}

// TestMiddlewareShortCircuit: a middleware may answer without calling
// next; nothing is sent, and its answer is the call's, checked as any is.
func TestMiddlewareShortCircuit(t *testing.T) {
	srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
	cached := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		return &http.Response{
			StatusCode: 200, Status: "200 OK",
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(strings.Replace(endUserJSON, "Acme", "Cached", 1))),
		}, nil
	}
	c := srv.client(t, conductor.WithMiddleware(cached))
	eu, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	if err != nil {
		t.Fatal(err)
	}
	if eu.CompanyName != "Cached" || srv.count() != 0 {
		t.Errorf("CompanyName %q after %d requests, want the middleware's answer and none sent", eu.CompanyName, srv.count())
	}
}

// TestMiddlewareErrors: a middleware's error is the attempt's: retried as
// a connection error is for a read; for a create, retried when it came
// before next (nothing was sent), and unconfirmed when it came after next
// sent the request. A middleware calling next twice in one attempt of a
// create sends it once.
func TestMiddlewareErrors(t *testing.T) {
	ctx := testdeadline.Context(t)
	boom := errors.New("boom")
	params := conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"}
	failing := func(before bool, times int) conductor.Middleware {
		var n int
		var mu sync.Mutex
		return func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
			mu.Lock()
			n++
			fail := n <= times
			mu.Unlock()
			if fail && before {
				return nil, boom
			}
			resp, err := next(req)
			if fail {
				return nil, boom
			}
			return resp, err
		}
	}
	t.Run("read retried", func(t *testing.T) {
		srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
		c := srv.client(t, conductor.WithMiddleware(failing(false, 1)))
		if _, err := c.EndUsers.Retrieve(ctx, "end_usr_1"); err != nil {
			t.Fatal(err)
		}
		if srv.count() != 2 {
			t.Errorf("%d requests, want 2: the middleware's error retried", srv.count())
		}
	})
	t.Run("read gives up", func(t *testing.T) {
		srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
		c := srv.client(t, conductor.WithMiddleware(failing(true, 5)), conductor.WithMaxRetries(1))
		_, err := c.EndUsers.Retrieve(ctx, "end_usr_1")
		if !errors.Is(err, boom) || srv.count() != 0 {
			t.Errorf("err = %v after %d requests, want boom and none sent", err, srv.count())
		}
	})
	t.Run("create before next retried", func(t *testing.T) {
		srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
		c := srv.client(t, conductor.WithMiddleware(failing(true, 1)), conductor.WithWritePolicy(conductor.ReportWrites))
		if _, err := c.EndUsers.Create(ctx, params); err != nil {
			t.Fatal(err)
		}
		if srv.count() != 1 {
			t.Errorf("%d requests, want 1", srv.count())
		}
	})
	t.Run("create after next unconfirmed", func(t *testing.T) {
		srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
		c := srv.client(t, conductor.WithMiddleware(failing(false, 1)), conductor.WithWritePolicy(conductor.ReportWrites))
		_, err := c.EndUsers.Create(ctx, params)
		if !errors.Is(err, conductor.ErrWriteUnconfirmed) || !errors.Is(err, boom) || srv.count() != 1 {
			t.Errorf("err = %v after %d requests, want an unconfirmed write wrapping boom, sent once", err, srv.count())
		}
	})
	t.Run("create next twice", func(t *testing.T) {
		srv := newScriptServer(t, reply{status: 503}, reply{200, jsonHeader, endUserJSON, 0})
		again := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
			resp, err := next(req)
			if err == nil && resp.StatusCode >= 500 {
				return next(req)
			}
			return resp, err
		}
		c := srv.client(t, conductor.WithMiddleware(again), conductor.WithWritePolicy(conductor.ReportWrites))
		_, err := c.EndUsers.Create(ctx, params)
		if !errors.Is(err, conductor.ErrWriteUnconfirmed) || srv.count() != 1 {
			t.Errorf("err = %v after %d requests, want an unconfirmed write, sent once", err, srv.count())
		}
		// A read may call next again: it is sent again.
		srv2 := newScriptServer(t, reply{status: 503, headers: map[string]string{"X-Should-Retry": "false"}}, reply{200, jsonHeader, endUserJSON, 0})
		c2 := srv2.client(t, conductor.WithMiddleware(again))
		if _, err := c2.EndUsers.Retrieve(ctx, "end_usr_1"); err != nil || srv2.count() != 2 {
			t.Errorf("read: err = %v after %d requests, want the second answer", err, srv2.count())
		}
	})
	t.Run("elsewhere refused", func(t *testing.T) {
		srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
		away := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
			r := req.Clone(req.Context())
			r.URL.Host = "example.com"
			return next(r)
		}
		c := srv.client(t, conductor.WithMiddleware(away), conductor.WithMaxRetries(0))
		_, err := c.EndUsers.Retrieve(ctx, "end_usr_1")
		var v *conductor.ValidationError
		if !errors.As(err, &v) || srv.count() != 0 {
			t.Errorf("err = %v after %d requests, want a ValidationError and nothing sent", err, srv.count())
		}
	})
}

// TestMiddlewareWrapsBody: a middleware that wraps the body next returned
// (as otelhttp does, to end its span when the body is read) hands back a
// body the client reads again; its length is the redacted one, not the
// server's Content-Length, when the server echoed the key; and Gen()'s
// requests go through the middleware too.
func TestMiddlewareWrapsBody(t *testing.T) {
	srv := newScriptServer(t, reply{status: 400, headers: jsonHeader, body: envelope(400, "INVALID_REQUEST_ERROR", "X", "your key "+testAPIKey)})
	var calls int
	wrap := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		calls++
		resp, err := next(req)
		if err == nil {
			resp.Body = io.NopCloser(resp.Body)
		}
		return resp, err
	}
	c := srv.client(t, conductor.WithMiddleware(wrap))
	_, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Message != "your key [redacted]" {
		t.Fatalf("err = %v, want the 400 with its redacted message", err)
	}
	resp, err := c.Gen().EndUserRetrieve(testdeadline.Context(t), "end_usr_1")
	if err == nil {
		resp.Body.Close()
	}
	if calls != 2 {
		t.Errorf("the middleware ran %d times, want 2: once for the call, once for Gen()'s", calls)
	}
}

// BenchmarkMiddleware is what a middleware that only calls next costs per
// call (an auth session created against a loopback server), next to a
// client without one, which takes the path it always did.
func BenchmarkMiddleware(b *testing.B) {
	pass := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) { return next(req) }
	for _, tc := range []struct {
		name string
		opts []conductor.Option
	}{
		{"none", nil},
		{"one", []conductor.Option{conductor.WithMiddleware(pass)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := newBenchServer(b)
			opts := append([]conductor.Option{conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL), conductor.WithPublishableKey(testPublishableKey)}, tc.opts...)
			c, err := conductor.NewClient(opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.AuthSessions.Create(ctx, validParams); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMiddlewareSeesNoKeyInErrors: a server whose answer is not HTTP and
// quotes the key makes net/http's error quote it; the error next gives a
// middleware has it redacted.
func TestMiddlewareSeesNoKeyInErrors(t *testing.T) {
	url, _ := rawServer(t, func(c net.Conn) { io.WriteString(c, "Bearer "+testAPIKey+"\r\n\r\n") })
	var seen []string
	record := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		seen = append(seen, fmt.Sprintf("%v %+v %#v", err, err, err))
		return resp, err
	}
	_, err := rawClient(t, url, conductor.WithMiddleware(record), conductor.WithMaxRetries(0)).EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1")
	if err == nil || !strings.Contains(err.Error(), "malformed HTTP") || len(seen) != 1 {
		t.Fatalf("err = %v, seen %q; want net/http's malformed response error, seen once", err, seen)
	}
	if leaksKey(seen[0]) || !strings.Contains(seen[0], "[redacted]") {
		t.Errorf("the middleware saw %s", seen[0])
	}
}

// TestMiddlewareConcurrentCalls: one client's middlewares run for many
// calls at once, each attempt with its own next (run it with -race).
func TestMiddlewareConcurrentCalls(t *testing.T) {
	srv := newScriptServer(t, reply{200, jsonHeader, endUserJSON, 0})
	var n atomic.Int32
	count := func(req *http.Request, next conductor.MiddlewareNext) (*http.Response, error) {
		n.Add(1)
		return next(req)
	}
	c := srv.client(t, conductor.WithMiddleware(count))
	ctx := testdeadline.Context(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.EndUsers.Retrieve(ctx, "end_usr_1", conductor.WithMiddleware(count)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n.Load() != 80 || srv.count() != 40 {
		t.Errorf("the middlewares ran %d times for %d requests, want 80 for 40", n.Load(), srv.count())
	}
}
