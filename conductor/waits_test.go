package conductor_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// The tests in this file measure waits: backoff, Retry-After, per-attempt
// timeouts, the caller's deadline. They run in a synctest bubble, where
// time is fake and only moves when every goroutine is blocked, so they
// take no real time and their bounds are exact, however loaded the
// machine. The client and the server still speak real HTTP, over
// net.Pipe connections, since a loopback socket would keep time from
// moving (a goroutine blocked on the network is not durably blocked).

// pipeNet is a listener whose connections are net.Pipe pairs made by its
// dial, for an http.Server and an http.Transport in the same bubble.
type pipeNet struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error {
	p.closeOnce.Do(func() { close(p.closed) })
	return nil
}

func (p *pipeNet) Addr() net.Addr { return pipeAddr{} }

func (p *pipeNet) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.conns <- server:
		return client, nil
	case <-p.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// bubbleServer serves handler inside the current bubble and returns a
// client for it with the test keys and opts. Call it only inside
// synctest.Test; everything stops when the bubble's test ends.
func bubbleServer(t *testing.T, handler http.Handler, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	p := &pipeNet{conns: make(chan net.Conn), closed: make(chan struct{})}
	srv := &http.Server{Handler: handler}
	go srv.Serve(p)
	tr := &http.Transport{DialContext: p.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	base := []conductor.Option{
		conductor.WithAPIKey(testAPIKey),
		// Any loopback URL: the transport dials the pipe whatever the host.
		conductor.WithBaseURL("http://127.0.0.1"),
		conductor.WithPublishableKey(testPublishableKey),
		conductor.WithHTTPClient(&http.Client{Transport: tr}),
	}
	c, err := conductor.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Backoff waits 375-500 ms before the first retry; a server's wait
// replaces it exactly.
func TestRetryAfterHeaders(t *testing.T) {
	t.Parallel()
	backoff := [2]time.Duration{375 * time.Millisecond, 500 * time.Millisecond}
	tests := []struct {
		name    string
		headers []string
		// date, when set, replaces the last header value with an HTTP
		// date that far from now; the bubble's clock starts on a whole
		// second, so the wait is exact.
		date     time.Duration
		min, max time.Duration
	}{
		{"retry-after-ms", []string{"Retry-After-Ms", "40"}, 0, 40 * time.Millisecond, 40 * time.Millisecond},
		{"retry-after-ms, fractional", []string{"Retry-After-Ms", "12.5"}, 0, 12500 * time.Microsecond, 12500 * time.Microsecond},
		{"retry-after seconds", []string{"Retry-After", "1"}, 0, time.Second, time.Second},
		{"retry-after date", []string{"Retry-After", ""}, 2 * time.Second, 2 * time.Second, 2 * time.Second},
		{"ms wins over seconds", []string{"Retry-After-Ms", "40", "Retry-After", "5"}, 0, 40 * time.Millisecond, 40 * time.Millisecond},
		{"60 s is honoured", []string{"Retry-After", "60"}, 0, time.Minute, time.Minute},
		{"over 60 s falls back to backoff", []string{"Retry-After", "61"}, 0, backoff[0], backoff[1]},
		{"zero falls back to backoff", []string{"Retry-After-Ms", "0"}, 0, backoff[0], backoff[1]},
		{"negative falls back to backoff", []string{"Retry-After", "-3"}, 0, backoff[0], backoff[1]},
		{"a date in the past falls back to backoff", []string{"Retry-After", ""}, -2 * time.Second, backoff[0], backoff[1]},
		{"garbage falls back to backoff", []string{"Retry-After", "soon"}, 0, backoff[0], backoff[1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				headers := slices.Clone(tt.headers)
				if tt.date != 0 {
					headers[len(headers)-1] = time.Now().Add(tt.date).UTC().Format(http.TimeFormat)
				}
				srv := &script{replies: []reply{failure(429, headers...), okReply}}
				// No deadline: a wait of a minute takes no real time, and a
				// hang would be reported as a deadlocked bubble.
				if _, err := bubbleServer(t, srv).AuthSessions.Create(context.Background(), validParams); err != nil {
					t.Fatalf("Create: %v", err)
				}
				gaps := srv.gaps()
				if len(gaps) != 1 {
					t.Fatalf("got %d retries, want 1", len(gaps))
				}
				if gaps[0] < tt.min || gaps[0] > tt.max {
					t.Errorf("waited %v before retrying, want %v to %v", gaps[0], tt.min, tt.max)
				}
			})
		})
	}
}

func TestBackoffGrows(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503)}}
		create(t, bubbleServer(t, srv, conductor.WithMaxRetries(6)), validParams)
		// 0.5 s, 1 s, 2 s, 4 s, then capped at 8 s, each less up to 25 %.
		want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		gaps := srv.gaps()
		if len(gaps) != len(want) {
			t.Fatalf("got %d retries, want %d", len(gaps), len(want))
		}
		for i, w := range want {
			if gaps[i] > w || gaps[i] < w*3/4 {
				t.Errorf("wait %d = %v, want %v less at most 25%%", i+1, gaps[i], w)
			}
		}
	})
}

// TestBackoffIsJittered: after an outage, clients that all failed at the
// same instant must not all retry at the same instant.
func TestBackoffIsJittered(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const clients = 20
		var waits []time.Duration
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range clients {
			srv := &script{replies: []reply{failure(503), okReply}}
			c := bubbleServer(t, srv)
			wg.Go(func() {
				if _, err := create(t, c, validParams); err != nil {
					t.Error(err)
				}
				mu.Lock()
				waits = append(waits, srv.gaps()...)
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(waits) != clients {
			t.Fatalf("got %d retries from %d clients, want one each", len(waits), clients)
		}
		slices.Sort(waits)
		if waits[0] < 375*time.Millisecond || waits[clients-1] > 500*time.Millisecond {
			t.Errorf("first retries waited %v to %v, want within 375 ms to 500 ms", waits[0], waits[clients-1])
		}
		// Uniform jitter over 125 ms puts 20 waits at least 25 ms apart
		// from first to last with overwhelming probability; none at all
		// puts them on one instant.
		if spread := waits[clients-1] - waits[0]; spread < 25*time.Millisecond {
			t.Errorf("%d clients retried within %v of each other: the backoff has no jitter", clients, spread)
		}
	})
}

func TestContextEndsTheWaitAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503, "Retry-After", "30")}}
		c := bubbleServer(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.AuthSessions.Create(ctx, validParams)
		if took := time.Since(start); took != 150*time.Millisecond {
			t.Errorf("Create returned after %v; the 30 s wait should end with the context, at 150 ms", took)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want it to wrap context.Canceled", err)
		}
		if !errors.Is(err, conductor.ErrServer) {
			t.Errorf("err = %v, want it to carry the last attempt's 503", err)
		}
		if n := srv.count(); n != 1 {
			t.Errorf("server got %d requests, want 1", n)
		}
	})
}

func TestDeadlineBoundsTheWholeCall(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{{status: 200, stall: 10 * time.Second}}}
		c := bubbleServer(t, srv)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.AuthSessions.Create(ctx, validParams)
		if took := time.Since(start); took != 200*time.Millisecond {
			t.Errorf("Create returned after %v, want 200 ms", took)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
		}
		if n := srv.count(); n != 1 {
			t.Errorf("server got %d requests; an expired context must not be retried", n)
		}
	})
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	t.Run("a slow attempt is retried", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			srv := &script{replies: []reply{{status: 200, stall: 5 * time.Second}, okReply}}
			start := time.Now()
			if _, err := create(t, bubbleServer(t, srv, conductor.WithTimeout(150*time.Millisecond)), validParams); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if n := srv.count(); n != 2 {
				t.Errorf("server got %d requests, want 2", n)
			}
			// The first attempt's 150 ms, then a backoff of 375-500 ms.
			if took := time.Since(start); took < 525*time.Millisecond || took > 650*time.Millisecond {
				t.Errorf("Create took %v, want 150 ms plus one backoff", took)
			}
		})
	})
	t.Run("the last timeout is the error", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			srv := &script{replies: []reply{{status: 200, stall: 5 * time.Second}}}
			_, err := create(t, bubbleServer(t, srv, conductor.WithTimeout(100*time.Millisecond), conductor.WithMaxRetries(1)), validParams)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
			}
			if n := srv.count(); n != 2 {
				t.Errorf("server got %d requests, want 2", n)
			}
		})
	})
}

// TestABodyIsReadOnlyWithinTheAttempt covers servers that send headers and
// then stall the body, over net/http's transport and over one from
// WithHTTPClient whose bodies ignore the request's context: either way the
// attempt ends at its timeout.
func TestABodyIsReadOnlyWithinTheAttempt(t *testing.T) {
	t.Parallel()
	t.Run("net/http transport", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			stall := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusOK)
				io.WriteString(w, sessionJSON[:40])
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})
			start := time.Now()
			_, err := create(t, bubbleServer(t, stall, conductor.WithTimeout(300*time.Millisecond), conductor.WithMaxRetries(0)), validParams)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want the attempt's deadline", err)
			}
			if took := time.Since(start); took != 300*time.Millisecond {
				t.Errorf("Create took %v, want the 300 ms attempt timeout", took)
			}
		})
	})
	t.Run("a transport whose body ignores the context", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			var bodies []*io.PipeWriter
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				pr, pw := io.Pipe() // nothing is ever written: a read blocks until Close
				bodies = append(bodies, pw)
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: pr, ContentLength: -1, Request: r}, nil
			})}
			c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("https://api.example.com"),
				conductor.WithPublishableKey(testPublishableKey), conductor.WithHTTPClient(hc),
				conductor.WithTimeout(300*time.Millisecond), conductor.WithMaxRetries(0))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = create(t, c, validParams)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want the attempt's deadline", err)
			}
			if took := time.Since(start); took != 300*time.Millisecond {
				t.Errorf("Create took %v, want the 300 ms attempt timeout", took)
			}
			for _, pw := range bodies {
				pw.Close()
			}
		})
	})
}

// TestTheDefaultTimeoutOutlastsQuickBooks: Conductor waits up to 90 s for
// QuickBooks Desktop before it answers. An attempt timeout shorter than
// that would give up on a create that is being carried out, and leave the
// caller with an unconfirmed write every time QuickBooks is slow.
func TestTheDefaultTimeoutOutlastsQuickBooks(t *testing.T) {
	t.Parallel()
	if conductor.DefaultTimeout <= 90*time.Second {
		t.Errorf("DefaultTimeout = %v, want more than Conductor's 90 s", conductor.DefaultTimeout)
	}
	synctest.Test(t, func(t *testing.T) {
		slow := createdReply
		slow.stall = 95 * time.Second
		srv := &script{replies: []reply{slow}}
		start := time.Now()
		if _, err := createCustomer(t, bubbleServer(t, srv)); err != nil {
			t.Fatalf("a create answered after 95 s: %v; want it to succeed", err)
		}
		if took := time.Since(start); took != 95*time.Second {
			t.Errorf("Create took %v, want the server's 95 s", took)
		}
		if n := srv.count(); n != 1 {
			t.Errorf("server got %d creates, want 1", n)
		}
	})
}
