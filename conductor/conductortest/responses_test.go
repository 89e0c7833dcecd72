package conductortest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

var rateLimited = conductortest.Response{
	Status: http.StatusTooManyRequests,
	Header: http.Header{"Retry-After-Ms": {"10"}},
	Error:  &conductortest.Error{Type: "INVALID_REQUEST_ERROR", Code: "TOO_MANY_REQUESTS", Message: "Slow down."},
}

func TestA429IsRetried(t *testing.T) {
	srv := newServer(t)
	if err := srv.Enqueue(rateLimited); err != nil {
		t.Fatal(err)
	}
	session, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	if err != nil {
		t.Fatalf("Create after a 429: %v", err)
	}
	checkPrefix(t, "ID", session.ID, "auth_sess_")
	got := srv.Requests()
	if len(got) != 2 {
		t.Fatalf("fake got %d requests, want 2 (a 429, then the retry)", len(got))
	}
	if !bytes.Equal(got[0].Body, got[1].Body) || got[0].Header.Get("Authorization") != got[1].Header.Get("Authorization") {
		t.Errorf("the retry differs: %s then %s", got[0].Body, got[1].Body)
	}
}

func TestA429WithoutRetriesIsAnError(t *testing.T) {
	srv := newServer(t)
	if err := srv.Enqueue(rateLimited); err != nil {
		t.Fatal(err)
	}
	_, err := create(t, client(t, srv, conductor.WithMaxRetries(0)), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, conductor.ErrRateLimited) {
		t.Fatalf("err = %v, want a 429 *conductor.Error", err)
	}
	if apiErr.Code != "TOO_MANY_REQUESTS" || apiErr.Message != "Slow down." || apiErr.UserFacingMessage != "Slow down." {
		t.Errorf("Code %q Message %q UserFacingMessage %q; want the queued error", apiErr.Code, apiErr.Message, apiErr.UserFacingMessage)
	}
	checkPrefix(t, "RequestID", apiErr.RequestID, "req_")
}

func TestQueuedRawBodyAndEnvelope(t *testing.T) {
	srv := newServer(t)
	err := srv.Enqueue(
		conductortest.Response{Status: http.StatusBadGateway, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Bad gateway</html>")},
		conductortest.Response{Status: http.StatusServiceUnavailable, Header: http.Header{"Conductor-Request-Id": {"req_chosen"}},
			Error: &conductortest.Error{Type: "INTERNAL_ERROR", Code: "DOWN", Message: "m", UserFacingMessage: "u"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	// The queue answers before the key is checked: no Authorization here.
	r := send(t, srv, "POST", "/auth-sessions", nil, "")
	if r.status != http.StatusBadGateway || string(r.body) != "<html>Bad gateway</html>" || r.header.Get("Content-Type") != "text/html" {
		t.Errorf("first answer %d %q %q, want the queued 502 page", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = send(t, srv, "POST", "/auth-sessions", nil, "")
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("second answer %d, want the queued 503", r.status)
	}
	if env := decodeEnvelope(t, r); env.Error.Code != "DOWN" || env.Error.UserFacingMessage != "u" || env.Error.RequestID != "req_chosen" {
		t.Errorf("envelope %s, want the queued error with the queued request id", r.body)
	}
	if r = send(t, srv, "POST", "/auth-sessions", nil, ""); r.status != http.StatusUnauthorized {
		t.Errorf("third answer %d, want 401: the queue is empty again", r.status)
	}
}

func TestAStallEndsTheAttemptAndTheRetrySucceeds(t *testing.T) {
	// The stall outlasts the test: only the attempt timeout can end it.
	// A machine too busy to answer the retry within the timeout is given
	// a longer one, so that no speed makes the test fail.
	for timeout := 200 * time.Millisecond; ; timeout *= 2 {
		srv := newServer(t)
		if err := srv.Enqueue(conductortest.Response{Delay: 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		c := client(t, srv, conductor.WithTimeout(timeout), conductor.WithMaxRetries(1))
		_, err := create(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
		if n := len(srv.Requests()); n != 2 {
			t.Fatalf("fake got %d requests (Create: %v), want 2", n, err)
		}
		if errors.Is(err, context.DeadlineExceeded) && testdeadline.Context(t).Err() == nil {
			continue // the retry met the timeout too
		}
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		return
	}
}

func TestAStallAloneThenAnswersAsUsual(t *testing.T) {
	srv := newServer(t)
	if err := srv.Enqueue(conductortest.Response{Delay: 50 * time.Millisecond, Header: http.Header{"X-Stalled": {"yes"}}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := send(t, srv, "POST", "/auth-sessions", authorized(srv), `{"endUserId":"end_usr_a","publishableKey":"`+srv.PublishableKey+`"}`)
	if r.status != http.StatusOK || r.header.Get("X-Stalled") != "yes" {
		t.Errorf("status %d X-Stalled %q, want 200 with the queued header", r.status, r.header.Get("X-Stalled"))
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("answered after %v, before the 50ms delay", took)
	}
}

func TestCloseEndsAStall(t *testing.T) {
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Enqueue(conductortest.Response{Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	c := client(t, srv, conductor.WithMaxRetries(0))
	done := make(chan error, 1)
	go func() {
		_, err := c.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
		done <- err
	}()
	// Nothing signals that the request reached the fake's handler but the
	// record it makes there, so wait for that.
	waitFor(t, "the request to reach the fake", func() bool { return len(srv.Requests()) > 0 })
	ctx := testdeadline.Context(t)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not return while a request was stalled")
	}
	if err := <-done; err == nil {
		t.Error("Create succeeded; want an error, as the stalled request got no answer")
	}
}

func TestEnqueueRefusesContradictions(t *testing.T) {
	srv := newServer(t)
	bad := []conductortest.Response{
		{Status: 42},
		{Delay: -time.Second},
		{Status: 500, Body: []byte("x"), Error: &conductortest.Error{}},
		{Body: []byte("no status")},
	}
	for _, r := range bad {
		if err := srv.Enqueue(rateLimited, r); err == nil {
			t.Errorf("Enqueue(%+v) succeeded, want an error", r)
		}
	}
	// Nothing was queued, not even the valid first response.
	if _, err := create(t, client(t, srv, conductor.WithMaxRetries(0)), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
		t.Errorf("Create: %v; want success with an empty queue", err)
	}
}
