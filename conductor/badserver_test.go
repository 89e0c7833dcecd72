package conductor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// rawServer accepts TCP connections on loopback and hands each, with its
// request already read, to misbehave, which can answer in ways net/http's
// server never would. It returns the base URL and the number of accepted
// connections; everything stops when the test ends.
func rawServer(t *testing.T, misbehave func(net.Conn)) (string, *atomic.Int32) {
	t.Helper()
	return tcpServer(t, func(conn net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		misbehave(conn)
	})
}

// tcpServer accepts TCP connections on loopback and hands each to serve,
// closing it after. It returns the base URL and the number of accepted
// connections; when the test ends it closes every connection and waits
// for serve to return.
func tcpServer(t *testing.T, serve func(net.Conn)) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			wg.Go(func() {
				defer conn.Close()
				go func() { <-done; conn.Close() }()
				serve(conn)
			})
		}
	})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String(), &accepted
}

func rawClient(t *testing.T, url string, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	// Each misbehaving server hangs up; a fresh transport keeps its dead
	// connections out of the shared pool.
	fresh := conductor.WithHTTPClient(&http.Client{Transport: &http.Transport{}})
	return testClient(t, url, append([]conductor.Option{fresh}, opts...)...)
}

const okHeaders = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

func TestBadServersEndInAnErrorAndAreRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		misbehave func(net.Conn)
		want      string // in the error
		deadline  bool   // the error wraps context.DeadlineExceeded
	}{
		{"truncated body", func(c net.Conn) {
			io.WriteString(c, okHeaders+"Content-Length: 1000\r\n\r\n"+sessionJSON[:40])
		}, "unexpected EOF", false},
		{"reset mid-response", func(c net.Conn) {
			io.WriteString(c, okHeaders+"Content-Length: 1000\r\n\r\n"+sessionJSON[:40])
			c.(*net.TCPConn).SetLinger(0) // close with RST instead of FIN
		}, "reading the 200 response", false},
		{"accepts and never answers", func(c net.Conn) {
			io.Copy(io.Discard, c) // until the client gives up
		}, "attempt timed out after 300ms", true},
		{"headers, then the body stalls", func(c net.Conn) {
			io.WriteString(c, okHeaders+"Content-Length: 1000\r\n\r\n"+sessionJSON[:40])
			io.Copy(io.Discard, c)
		}, "attempt timed out after 300ms", true},
		{"not HTTP", func(c net.Conn) {
			io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n")
		}, "malformed HTTP response", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, accepted := rawServer(t, tt.misbehave)
			// Only a server that never finishes may meet the attempt
			// timeout: the others get one no busy machine reaches.
			timeout := time.Hour
			if tt.deadline {
				timeout = 300 * time.Millisecond
			}
			c := rawClient(t, url, conductor.WithTimeout(timeout), conductor.WithMaxRetries(1))
			// How long the timeouts take is TestABodyIsReadOnlyWithinTheAttempt's
			// (in fake time, exactly); here, that they end the call.
			session, err := create(t, c, validParams)
			if err == nil || session != nil {
				t.Fatalf("Create = %v, %v; want an error", session, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.deadline {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = %v, want %v", got, tt.deadline)
			}
			if n := accepted.Load(); n != 2 {
				t.Errorf("server accepted %d connections, want 2 (one retry)", n)
			}
		})
	}
}

func TestEndlessBodyIsCut(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := create(t, rawClient(t, srv.URL), validParams)
	if err == nil || !strings.Contains(err.Error(), "exceeds the 8 MiB limit") {
		t.Fatalf("err = %v; want the body cap error", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("server got %d requests; a body over the cap must not be retried", n)
	}
}

func TestDeclaredHugeBodyIsRefusedUnread(t *testing.T) {
	t.Parallel()
	// Just over the cap, sent whole, and far over it, never sent.
	for _, length := range []int{conductor.MaxResponseBodyBytes + 1, 1000000000} {
		url, accepted := rawServer(t, func(c net.Conn) {
			io.WriteString(c, okHeaders+fmt.Sprintf("Content-Length: %d\r\n\r\n", length))
			if length <= conductor.MaxResponseBodyBytes+1 {
				io.WriteString(c, "{"+strings.Repeat(" ", length-2)+"}")
			}
		})
		_, err := create(t, rawClient(t, url), validParams)
		if err == nil || !strings.Contains(err.Error(), "exceeds the 8 MiB limit") {
			t.Fatalf("Content-Length %d: err = %v; want the body cap error", length, err)
		}
		if n := accepted.Load(); n != 1 {
			t.Errorf("Content-Length %d: server accepted %d connections; a body over the cap must not be retried", length, n)
		}
	}
}

func TestConnectionsAreReusedOnEveryPath(t *testing.T) {
	t.Parallel()
	bigHTML := "<html>" + strings.Repeat("proxy error ", 20000) + "</html>"
	srv := newScriptServer(t,
		okReply,
		failure(400),
		failure(503, "Retry-After-Ms", "1"), okReply, // a retry
		reply{status: 502, headers: map[string]string{"Content-Type": "text/html", "X-Should-Retry": "false"}, body: bigHTML},
		reply{status: 200, headers: jsonHeaders(), body: `{"objectType":"nope"}`},
		reply{status: 404, headers: jsonHeaders(), body: envelope(404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", "no")},
		okReply,
	)
	c := srv.client(t, conductor.WithHTTPClient(&http.Client{Transport: &http.Transport{}}), conductor.WithMaxRetries(1))
	for range 7 {
		create(t, c, validParams)
	}
	if n := len(srv.got()); n != 8 {
		t.Fatalf("server got %d requests, want 8", n)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("server saw %d connections for 8 sequential requests, want 1: a body was not drained or closed", n)
	}
}

// TestSwitchingProtocolsEndsTheCall: a 101 hands the raw connection over
// as the body, which no deadline bounds. The call must end at once with
// an error, not when the server finally hangs up.
func TestSwitchingProtocolsEndsTheCall(t *testing.T) {
	t.Parallel()
	url, accepted := rawServer(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: conductor\r\nConnection: Upgrade\r\n\r\n")
		io.Copy(io.Discard, c) // hold the connection until the client closes it
	})
	c := rawClient(t, url, conductor.WithTimeout(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := create(t, c, validParams)
		done <- err
	}()
	select {
	case err := <-done:
		var apiErr *conductor.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusSwitchingProtocols || !strings.Contains(err.Error(), "never does") {
			t.Errorf("err = %v; want a *conductor.Error for the 101", err)
		}
	case <-testdeadline.Context(t).Done():
		t.Fatal("Create still running near the test's deadline after a 101 answer; it is reading the switched connection")
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("server accepted %d connections, want 1: a 101 is not retried", n)
	}
}
