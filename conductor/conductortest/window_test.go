package conductortest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// post sends body to the fake with header and returns the status.
func post(t *testing.T, hc *http.Client, srv *conductortest.Server, header http.Header, body io.Reader, length int64) int {
	req, err := http.NewRequest("POST", srv.URL+"/auth-sessions", body)
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header = header
	req.ContentLength = length
	resp, err := hc.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestRequestsKeepsTheMostRecent(t *testing.T) {
	srv := newServer(t)
	hc := &http.Client{}
	defer hc.CloseIdleConnections()

	const sent = conductortest.RequestWindowLen + 5
	for i := range sent {
		body := fmt.Appendf(nil, `{"n":%d}`, i)
		post(t, hc, srv, nil, bytes.NewReader(body), int64(len(body)))
	}
	got := srv.Requests()
	if len(got) != conductortest.RequestWindowLen {
		t.Fatalf("Requests() has %d entries after %d requests, want the last %d", len(got), sent, conductortest.RequestWindowLen)
	}
	for i, r := range got {
		if want := fmt.Sprintf(`{"n":%d}`, sent-conductortest.RequestWindowLen+i); string(r.Body) != want {
			t.Fatalf("Requests()[%d].Body = %s, want %s: the most recent, oldest first", i, r.Body, want)
		}
	}

	// Then large bodies: the window keeps the newest that fit in
	// RequestWindowBytes, whole, and drops the older ones.
	const large = conductortest.RequestWindowBytes>>20 + 3
	for i := range large {
		post(t, hc, srv, nil, bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, 1<<20)), 1<<20)
	}
	got = srv.Requests()
	total := 0
	for _, r := range got {
		total += len(r.Body)
		for name, values := range r.Header {
			total += len(name) + len(strings.Join(values, ""))
		}
	}
	if total > conductortest.RequestWindowBytes {
		t.Errorf("Requests() holds %d bytes of bodies and headers, more than RequestWindowBytes (%d)", total, conductortest.RequestWindowBytes)
	}
	if len(got) < 2 {
		t.Fatalf("Requests() has %d entries, want at least the last two large ones", len(got))
	}
	for i, r := range got[len(got)-2:] {
		want := bytes.Repeat([]byte{byte('a' + large - 2 + i)}, 1<<20)
		if !bytes.Equal(r.Body, want) {
			t.Errorf("recent large request %d: body of %d bytes starting %q, want the 1 MiB of %q sent", i, len(r.Body), r.Body[:min(len(r.Body), 8)], want[0])
		}
	}
	if bytes.HasPrefix(got[0].Body, []byte(`{"n":`)) {
		t.Errorf("Requests() still starts with %s, from before %d MiB of newer bodies", got[0].Body, large)
	}
}

func TestOldestSessionsAreForgotten(t *testing.T) {
	t.Run("by count", func(t *testing.T) {
		srv := newServer(t)
		c := client(t, srv, conductor.WithMaxRetries(0))
		defer c.CloseIdleConnections()
		oldest := mustCreate(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_oldest"})
		var n atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for n.Add(1) < conductortest.MaxSessions {
					if _, err := create(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		checkFlowPage(t, srv, oldest, http.StatusOK, "with MaxSessions sessions made")
		newest := mustCreate(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_newest"})
		checkFlowPage(t, srv, oldest, http.StatusNotFound, "after one session more than MaxSessions")
		checkFlowPage(t, srv, newest, http.StatusOK, "the newest session")
	})
	t.Run("by size", func(t *testing.T) {
		srv := newServer(t)
		c := client(t, srv, conductor.WithMaxRetries(0))
		defer c.CloseIdleConnections()
		const urlBytes = 64 << 10
		longURL := "https://example.com/cb?state=" + strings.Repeat("a", urlBytes)
		oldest := mustCreate(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_oldest", RedirectURL: longURL})
		var newest *conductor.AuthSession
		for range conductortest.MaxSessionBytes / urlBytes {
			newest = mustCreate(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", RedirectURL: longURL})
		}
		checkFlowPage(t, srv, oldest, http.StatusNotFound, "after MaxSessionBytes of newer redirect URLs")
		checkFlowPage(t, srv, newest, http.StatusOK, "the newest session")
	})
}

func mustCreate(t *testing.T, c *conductor.Client, p conductor.AuthSessionCreateParams) *conductor.AuthSession {
	t.Helper()
	s, err := create(t, c, p)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return s
}

func checkFlowPage(t *testing.T, srv *conductortest.Server, s *conductor.AuthSession, want int, when string) {
	t.Helper()
	if r := send(t, srv, "GET", pathOf(t, s.AuthFlowURL), nil, ""); r.status != want {
		t.Errorf("%s: the auth-flow page of %s: status %d, want %d", when, s.EndUserID, r.status, want)
	}
}
