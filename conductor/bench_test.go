package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// The benchmarks compare three ways of creating an auth session against
// one in-process loopback server that does no work but write a fixed,
// real session, so that what the client does is all that differs:
//
//   - facade: conductor.Client, as users call it;
//   - generated: the gen client alone with a default http.Client;
//   - nethttp: a hand-written net/http call with a default http.Client
//     that decodes the session into a map[string]any: the floor that any
//     client adds to.
//
// Run them with `make bench`; BENCHMARKS.md has figures and the machine.

// benchServer counts the TCP connections it accepts.
type benchServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	body := []byte(sessionJSON)
	s := &benchServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Conductor-Request-Id"] = []string{"req_bench"}
		w.Write(body)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	b.Cleanup(s.Close)
	return s
}

// A createFunc makes one call; each implementation checks what it got.
type createFunc func(ctx context.Context) error

// An implementation gives a createFunc for a server, and a function that
// closes its idle connections, so each concurrent round starts cold.
type implementation func(*testing.B, *benchServer) (createFunc, func())

func facadeCreate(b *testing.B, srv *benchServer) (createFunc, func()) {
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL), conductor.WithPublishableKey(testPublishableKey))
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context) error {
		s, err := c.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg"})
		if err == nil && s.ID == "" {
			err = fmt.Errorf("no session")
		}
		return err
	}, c.CloseIdleConnections
}

func generatedCreate(b *testing.B, srv *benchServer) (createFunc, func()) {
	hc := &http.Client{}
	g, err := gen.NewClient(srv.URL, gen.WithHTTPClient(hc), gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+testAPIKey)
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context) error {
		resp, err := g.AuthSessionCreate(ctx, gen.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg", PublishableKey: testPublishableKey})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var s gen.AuthSession
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusOK || s.ID == "" {
			return fmt.Errorf("status %d: %v", resp.StatusCode, err)
		}
		return nil
	}, hc.CloseIdleConnections
}

func netHTTPCreate(b *testing.B, srv *benchServer) (createFunc, func()) {
	hc := &http.Client{}
	url := srv.URL + "/auth-sessions"
	return func(ctx context.Context) error {
		body, _ := json.Marshal(map[string]string{"endUserId": "end_usr_1234567abcdefg", "publishableKey": testPublishableKey})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+testAPIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var s map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusOK || s["objectType"] != "auth_session" {
			return fmt.Errorf("status %d: %v", resp.StatusCode, err)
		}
		return nil
	}, hc.CloseIdleConnections
}

var implementations = []struct {
	name string
	make implementation
}{
	{"impl=facade", facadeCreate},
	{"impl=generated", generatedCreate},
	{"impl=nethttp", netHTTPCreate},
}

// BenchmarkCreate is one caller making calls one after another.
func BenchmarkCreate(b *testing.B) {
	for _, impl := range implementations {
		b.Run(impl.name, func(b *testing.B) {
			srv := newBenchServer(b)
			create, _ := impl.make(b, srv)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := create(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateConcurrent is 64 callers making 30 calls each, per
// iteration, starting with no idle connection; it reports calls per
// second and the connections the server accepted per iteration.
func BenchmarkCreateConcurrent(b *testing.B) {
	const callers, callsEach = 64, 30
	for _, impl := range implementations {
		b.Run(impl.name, func(b *testing.B) {
			srv := newBenchServer(b)
			create, closeIdle := impl.make(b, srv)
			ctx := context.Background()
			var failed atomic.Int64
			start := time.Now()
			iterations := 0
			for b.Loop() {
				iterations++
				var wg sync.WaitGroup
				for range callers {
					wg.Go(func() {
						for range callsEach {
							if err := create(ctx); err != nil {
								failed.Add(1)
							}
						}
					})
				}
				wg.Wait()
				closeIdle()
			}
			elapsed := time.Since(start)
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d calls failed", n)
			}
			calls := float64(iterations * callers * callsEach)
			b.ReportMetric(calls/elapsed.Seconds(), "calls/s")
			b.ReportMetric(float64(srv.conns.Load())/float64(iterations), "conns/op")
		})
	}
}

// BenchmarkRedactEscapedBody reads 2xx JSON bodies of growing size through
// client.Gen(), so that what is measured is the engine's bounded read and
// the scan that redacts an echoed key, not decoding. The bodies are a list
// of invoices with many occurrences of the key's first letter and of its
// prefix, and one escape (a memo's line break, at the start), many (\n
// and \" in every memo), or none, for reference: a body with no backslash
// and no percent sign takes a single search. One escape used to make every
// later occurrence of "s" search again to the end of the body for a
// backslash, a cost that grew with the square of the size. ns/byte must
// stay about the same from 64 KiB to 8 MiB (MaxResponseBodyBytes).
func BenchmarkRedactEscapedBody(b *testing.B) {
	const (
		plain   = `{"objectType":"invoice","memo":"supplies shipped: sks","customer":{"fullName":"Sam's Stores"},"ref":"sk_conductor_test_"},`
		escaped = `{"objectType":"invoice","memo":"first line\nsecond line, \"supplies\" shipped","customer":{"fullName":"Sam's Stores"},"ref":"sk_conductor_test_"},`
	)
	for _, escapes := range []string{"none", "one", "many"} {
		for _, size := range []int{64 << 10, 1 << 20, conductor.MaxResponseBodyBytes} {
			b.Run(fmt.Sprintf("escapes=%s/size=%dKiB", escapes, size>>10), func(b *testing.B) {
				body := make([]byte, 0, size)
				body = append(body, `{"objectType":"list","data":[`...)
				if escapes != "none" {
					body = append(body, `{"memo":"two\nlines"},`...)
				}
				item := plain
				if escapes == "many" {
					item = escaped
				}
				for len(body)+len(item)+2 <= size {
					body = append(body, item...)
				}
				body = append(body[:len(body)-1], "]}"...)
				c, _, _ := fixedResponse(b, 200, http.Header{"Content-Type": {"application/json"}}, body)
				ctx := context.Background()
				params := gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey}
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					resp, err := c.Gen().AuthSessionCreate(ctx, params)
					if err != nil {
						b.Fatal(err)
					}
					if resp.ContentLength != int64(len(body)) && resp.Body == nil {
						b.Fatal("no body")
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(body)), "ns/byte")
			})
		}
	}
}
