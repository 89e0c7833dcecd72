package conductor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
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

func TestConnectionErrorsAreRetried(t *testing.T) {
	t.Parallel()
	url, accepted := tcpServer(t, func(net.Conn) {}) // hang up before answering
	_, err := create(t, testClient(t, url), validParams)
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
		_, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey}, badHeader)
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Fields[0].Field, "X-Bad") {
			t.Errorf("header %q: err = %v; want a *conductor.ValidationError naming the header", value, err)
		}
	}
	if n := len(srv.got()); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// TestIntegrationDownIsNotRetried: INTEGRATION_CONNECTION_ERROR says the
// end-user's QuickBooks Desktop is not reachable; only the end-user can
// fix that, so asking again only delays telling them. Not for a read,
// not for a write, not even when the server adds x-should-retry: true.
func TestIntegrationDownIsNotRetried(t *testing.T) {
	t.Parallel()
	down := envelope(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", "QuickBooks Desktop is not running")
	calls := map[string]func(*conductor.Client) error{
		"read": func(c *conductor.Client) error {
			_, err := c.QBD.Customers.Retrieve(context.Background(), testEndUserID, "80000001-1234567890")
			return err
		},
		"auth session": func(c *conductor.Client) error { _, err := create(t, c, validParams); return err },
		"delete": func(c *conductor.Client) error {
			_, err := c.QBD.Invoices.Delete(context.Background(), testEndUserID, "80000001-1234567890")
			return err
		},
	}
	for name, call := range calls {
		for _, headers := range [][]string{nil, {"X-Should-Retry", "true"}} {
			t.Run(fmt.Sprint(name, headers), func(t *testing.T) {
				t.Parallel()
				srv := newScriptServer(t, reply{status: 502, headers: jsonHeaders(append(headers, "Retry-After-Ms", "1")...), body: down}, okReply)
				err := call(srv.client(t))
				var apiErr *conductor.Error
				if !errors.As(err, &apiErr) || apiErr.Type != conductor.ErrorTypeIntegrationConnection {
					t.Errorf("err = %v; want the INTEGRATION_CONNECTION_ERROR", err)
				}
				if errors.Is(err, conductor.ErrWriteUnconfirmed) {
					t.Errorf("err = %v; the request never reached QuickBooks, so nothing is unconfirmed", err)
				}
				if n := srv.count(); n != 1 {
					t.Errorf("server got %d requests, want 1", n)
				}
			})
		}
	}
}
