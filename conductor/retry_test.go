package conductor_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

func jsonHeaders(kv ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

func failure(status int, kv ...string) reply {
	return reply{status: status, headers: jsonHeaders(kv...), body: envelope(status, "INTERNAL_ERROR", "TEST", "try again")}
}

// gaps returns the times between consecutive requests, measured by the
// server as they arrive.
func (s *scriptServer) gaps() []time.Duration {
	got := s.got()
	var out []time.Duration
	for i := 1; i < len(got); i++ {
		out = append(out, got[i].at.Sub(got[i-1].at))
	}
	return out
}

func TestRetriesRetryableStatusesAndResendsTheSameBody(t *testing.T) {
	t.Parallel()
	for _, status := range []int{408, 409, 429, 500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(status, "Retry-After-Ms", "5"), failure(status, "Retry-After-Ms", "5"), okReply)
			session, err := create(t, srv.client(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_r", LinkExpiry: time.Hour, RedirectURL: "https://example.com/cb"})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if session.RequestID != "req_ok" {
				t.Errorf("RequestID = %q, want the successful attempt's", session.RequestID)
			}
			got := srv.got()
			if len(got) != 3 {
				t.Fatalf("server got %d requests, want 3 (two retries)", len(got))
			}
			for i, r := range got[1:] {
				if !bytes.Equal(r.body, got[0].body) {
					t.Errorf("attempt %d sent %q, first attempt sent %q", i+2, r.body, got[0].body)
				}
				if r.header.Get("Authorization") != got[0].header.Get("Authorization") {
					t.Errorf("attempt %d lost the Authorization header", i+2)
				}
			}
		})
	}
}

func TestDoesNotRetryOtherStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 422} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(status), okReply)
			if _, err := create(t, srv.client(t), validParams); err == nil {
				t.Fatal("Create succeeded; want the error")
			}
			if n := len(srv.got()); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
		})
	}
}

func TestMaxRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []conductor.Option
		want int
	}{
		{"default is 2", nil, 3},
		{"zero turns retries off", []conductor.Option{conductor.WithMaxRetries(0)}, 1},
		{"per call wins", []conductor.Option{conductor.WithMaxRetries(4)}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(500, "Retry-After-Ms", "1"))
			_, err := create(t, srv.client(t), validParams, tt.opts...)
			if !errors.Is(err, conductor.ErrServer) {
				t.Fatalf("err = %v, want the last 500", err)
			}
			if n := len(srv.got()); n != tt.want {
				t.Errorf("server got %d requests, want %d", n, tt.want)
			}
		})
	}
}

func TestShouldRetryHeaderOverridesStatus(t *testing.T) {
	t.Parallel()
	t.Run("true on a 400", func(t *testing.T) {
		t.Parallel()
		srv := newScriptServer(t, failure(400, "X-Should-Retry", "true", "Retry-After-Ms", "1"), okReply)
		if _, err := create(t, srv.client(t), validParams); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if n := len(srv.got()); n != 2 {
			t.Errorf("server got %d requests, want 2", n)
		}
	})
	t.Run("false on a 503", func(t *testing.T) {
		t.Parallel()
		srv := newScriptServer(t, failure(503, "X-Should-Retry", "false"), okReply)
		if _, err := create(t, srv.client(t), validParams); !errors.Is(err, conductor.ErrServer) {
			t.Fatalf("err = %v, want the 503", err)
		}
		if n := len(srv.got()); n != 1 {
			t.Errorf("server got %d requests, want 1", n)
		}
	})
}

// Backoff waits 375-500 ms before the first retry, so a server's wait is
// recognisable by being clearly shorter or longer than that.
func TestRetryAfterHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		headers  []string
		min, max time.Duration
	}{
		{"retry-after-ms", []string{"Retry-After-Ms", "40"}, 40 * time.Millisecond, 300 * time.Millisecond},
		{"retry-after seconds", []string{"Retry-After", "1"}, time.Second, 1800 * time.Millisecond},
		// The date has whole seconds, so "in 2 s" means 1 to 2 s from now.
		{"retry-after date", []string{"Retry-After", "+2s"}, 900 * time.Millisecond, 2500 * time.Millisecond},
		{"ms wins over seconds", []string{"Retry-After-Ms", "40", "Retry-After", "5"}, 40 * time.Millisecond, 300 * time.Millisecond},
		{"over 60 s falls back to backoff", []string{"Retry-After", "61"}, 370 * time.Millisecond, 900 * time.Millisecond},
		{"zero falls back to backoff", []string{"Retry-After-Ms", "0"}, 370 * time.Millisecond, 900 * time.Millisecond},
		{"garbage falls back to backoff", []string{"Retry-After", "soon"}, 370 * time.Millisecond, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			headers := append([]string(nil), tt.headers...)
			if headers[1] == "+2s" {
				headers[1] = time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			}
			srv := newScriptServer(t, failure(429, headers...), okReply)
			if _, err := create(t, srv.client(t), validParams); err != nil {
				t.Fatalf("Create: %v", err)
			}
			gaps := srv.gaps()
			if len(gaps) != 1 {
				t.Fatalf("got %d retries, want 1", len(gaps))
			}
			if gaps[0] < tt.min || gaps[0] > tt.max {
				t.Errorf("waited %v before retrying, want between %v and %v", gaps[0], tt.min, tt.max)
			}
		})
	}
}

func TestBackoffGrows(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503))
	create(t, srv.client(t), validParams)
	gaps := srv.gaps()
	if len(gaps) != 2 {
		t.Fatalf("got %d retries, want 2", len(gaps))
	}
	// 0.5 s and 1 s, each less up to 25 % jitter. Timers never fire early,
	// so the lower bounds are exact; the upper ones leave room for a
	// loaded machine while still telling the first wait from the second.
	if gaps[0] < 370*time.Millisecond || gaps[0] > 740*time.Millisecond || gaps[1] < 740*time.Millisecond || gaps[1] > 2*time.Second {
		t.Errorf("waits = %v, want about 0.5 s then 1 s (less up to 25%%)", gaps)
	}
}

func TestContextEndsTheWaitAtOnce(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503, "Retry-After", "30"))
	c := srv.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.AuthSessions.Create(ctx, validParams)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Create returned after %v; the 30 s wait should end with the context", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	if !errors.Is(err, conductor.ErrServer) {
		t.Errorf("err = %v, want it to carry the last attempt's 503", err)
	}
	if n := len(srv.got()); n != 1 {
		t.Errorf("server got %d requests, want 1", n)
	}
}

func TestDeadlineBoundsTheWholeCall(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, reply{status: 200, stall: 10 * time.Second})
	c := srv.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.AuthSessions.Create(ctx, validParams)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Create returned after %v, want about 200 ms", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if n := len(srv.got()); n != 1 {
		t.Errorf("server got %d requests; an expired context must not be retried", n)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	t.Run("a slow attempt is retried", func(t *testing.T) {
		t.Parallel()
		srv := newScriptServer(t, reply{status: 200, stall: 5 * time.Second}, okReply)
		if _, err := create(t, srv.client(t, conductor.WithTimeout(150*time.Millisecond)), validParams); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if n := len(srv.got()); n != 2 {
			t.Errorf("server got %d requests, want 2", n)
		}
	})
	t.Run("the last timeout is the error", func(t *testing.T) {
		t.Parallel()
		srv := newScriptServer(t, reply{status: 200, stall: 5 * time.Second})
		_, err := create(t, srv.client(t, conductor.WithTimeout(100*time.Millisecond), conductor.WithMaxRetries(1)), validParams)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
		}
		if n := len(srv.got()); n != 2 {
			t.Errorf("server got %d requests, want 2", n)
		}
	})
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close() // hang up before answering
		}
	}()
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("http://"+ln.Addr().String()), conductor.WithPublishableKey(testPublishableKey))
	if err != nil {
		t.Fatal(err)
	}
	_, err = create(t, c, validParams)
	var apiErr *conductor.Error
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("err = %v; want a transport error, not an API error", err)
	}
	if n := accepted.Load(); n != 3 {
		t.Errorf("server accepted %d connections, want 3 (two retries)", n)
	}
}

func TestASuccessIsNeverRetried(t *testing.T) {
	t.Parallel()
	// x-should-retry applies to failures only: a created session is final.
	ok := okReply
	ok.headers = jsonHeaders("Conductor-Request-Id", "req_ok", "X-Should-Retry", "true")
	srv := newScriptServer(t, ok)
	if _, err := create(t, srv.client(t), validParams); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if n := len(srv.got()); n != 1 {
		t.Errorf("server got %d requests, want 1: a 2xx was sent again", n)
	}
}

func TestARequestNetHTTPWouldRefuseIsNeitherSentNorRetried(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, okReply)
	c := srv.client(t)
	// WithHeader refuses such values, so add one the way client.Gen()
	// lets a caller: with a request editor.
	for _, value := range []string{"a\x01b", "a\x7fb"} {
		badHeader := func(_ context.Context, r *http.Request) error {
			r.Header.Set("X-Bad", value)
			return nil
		}
		_, err := c.Gen().PostAuthSessions(context.Background(), gen.PostAuthSessionsJSONRequestBody{EndUserId: "end_usr_a", PublishableKey: testPublishableKey}, badHeader)
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Field, "X-Bad") {
			t.Errorf("header %q: err = %v; want a *conductor.ValidationError naming the header", value, err)
		}
	}
	if n := len(srv.got()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}
