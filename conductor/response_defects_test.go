package conductor_test

// Tests of what a Response holds at the edges: a call refused before it
// sends, a write whose body broke off, retries; and where it goes once
// filled in: JSON, logs, fmt.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestWithResponseIsZeroWhenARefusedOptionComesFirst: a call refused
// before sending leaves the zero Response, not the previous call's answer
// to be read as this one's, even when it is refused for an option given
// before WithResponse, or for a nil context; All too.
func TestWithResponseIsZeroWhenARefusedOptionComesFirst(t *testing.T) {
	ctx := testdeadline.Context(t)
	srv := newScriptServer(t, reply{status: 200, body: `{"id":"80000001-1234567890","objectType":"qbd_invoice"}`, headers: jsonHeaders("Conductor-Request-Id", "req_previous")})
	c := srv.client(t, conductor.WithMaxRetries(0))
	for _, tc := range []struct {
		name string
		call func(resp *conductor.Response) error
	}{
		{"a bad option before WithResponse", func(resp *conductor.Response) error {
			_, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, "80000001-1234567890", conductor.WithMaxRetries(-1), conductor.WithResponse(resp))
			return err
		}},
		{"a nil context", func(resp *conductor.Response) error {
			var nilContext context.Context // the nil context is the point
			_, err := c.QBD.Invoices.Retrieve(nilContext, testEndUserID, "80000001-1234567890", conductor.WithResponse(resp))
			return err
		}},
		{"All with a bad option before WithResponse", func(resp *conductor.Response) error {
			var err error
			for _, err = range c.QBD.Invoices.All(ctx, testEndUserID, nil, conductor.WithMaxRetries(-1), conductor.WithResponse(resp)) {
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp conductor.Response
			if _, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, "80000001-1234567890", conductor.WithResponse(&resp)); err != nil {
				t.Fatal(err)
			}
			before := srv.count()
			if err := tc.call(&resp); err == nil || srv.count() != before {
				t.Fatalf("err = %v, %d requests sent; want it refused before sending", err, srv.count()-before)
			}
			if diff := cmp.Diff(conductor.Response{}, resp); diff != "" {
				t.Errorf("Response after a call refused before sending still holds the last call's answer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAMarshalledResponseShowsNoSecret: encoding/json writes a Response,
// alone or inside a slice or struct (as slog's JSON handler does with
// those), as LogValue logs it: status, request id, body size; never the
// body (base64, the session's client secret) or the headers.
func TestAMarshalledResponseShowsNoSecret(t *testing.T) {
	resp := createdSessionResponse(t)
	type call struct {
		Name string
		Resp conductor.Response
	}
	var logs [3]*logBuffer
	var logger *slog.Logger
	logger, logs[0] = newLogger()
	logger.Info("calls", "responses", []conductor.Response{resp})
	logger, logs[1] = newLogger()
	logger.Info("call", "call", call{"create", resp})
	logger, logs[2] = newLogger()
	logger.Info("answer", "resp", resp) // LogValue
	marshalled, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	checkHidden(t, resp, map[string]string{
		"slog JSON handler, a slice":  logs[0].String(),
		"slog JSON handler, a struct": logs[1].String(),
		"json.Marshal":                string(marshalled),
	})
	want := map[string]any{"status": 200.0, "request_id": "req_ok", "body_bytes": float64(len(resp.Body))}
	for how, text := range map[string]string{"json.Marshal": string(marshalled), "LogValue": logs[2].String()} {
		var got map[string]any
		if err := json.Unmarshal([]byte(text), &got); err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if how == "LogValue" {
			got, _ = got["resp"].(map[string]any)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s of a Response (-want +got):\n%s", how, diff)
		}
	}
}

// TestAResponseInsideAPrintedValueShowsNoSecret: fmt calls Response's
// Format wherever it can: a Response in a slice, a map, an exported struct
// field, or behind a pointer there. (In an unexported field, and for %p
// of a Response, fmt calls no method and prints the fields, as Response's
// doc says.)
func TestAResponseInsideAPrintedValueShowsNoSecret(t *testing.T) {
	resp := createdSessionResponse(t)
	type exported struct{ Resp conductor.Response }
	type exportedPointer struct{ Resp *conductor.Response }
	var text strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("call", "call", exported{resp})
	printed := map[string]string{"slog text handler, an exported field": text.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		printed[verb+" of a slice"] = fmt.Sprintf(verb, []conductor.Response{resp})
		printed[verb+" of a map"] = fmt.Sprintf(verb, map[string]conductor.Response{"create": resp})
		printed[verb+" of an exported field"] = fmt.Sprintf(verb, exported{resp})
		printed[verb+" of a pointer in an exported field"] = fmt.Sprintf(verb, exportedPointer{&resp})
	}
	printed["%p of a pointer"] = fmt.Sprintf("%p", &resp)
	checkHidden(t, resp, printed)
	for how, text := range printed {
		if !strings.Contains(text, "req_ok") && how != "%p of a pointer" {
			t.Errorf("%s lacks the request id: %s", how, text)
		}
	}
}

// createdSessionResponse is the Response of an auth session's Create,
// whose body holds the client secret.
func createdSessionResponse(t *testing.T) conductor.Response {
	t.Helper()
	srv := newScriptServer(t, okReply)
	var resp conductor.Response
	if _, err := create(t, srv.client(t), validParams, conductor.WithResponse(&resp)); err != nil {
		t.Fatal(err)
	}
	return resp
}

// checkHidden fails for each text that shows resp's body or headers: the
// body as encoding/json writes it (base64), the client secret as fmt
// prints bytes ("97 117 116 104 ..."), a header value.
func checkHidden(t *testing.T, resp conductor.Response, printed map[string]string) {
	t.Helper()
	secretBytes := strings.Trim(fmt.Sprint([]byte("auth_sess_client_secret")), "[]")
	body64 := base64.StdEncoding.EncodeToString(resp.Body)
	for how, text := range printed {
		if strings.Contains(text, body64) || strings.Contains(text, secretBytes) || strings.Contains(text, "application/json") {
			t.Errorf("%s shows the body (client secret) or headers: %.300s", how, text)
		}
	}
}

// TestWithResponseKeepsTheRequestIDOfAnUnconfirmedWrite: a create
// answered 200 whose body breaks off fails with ErrWriteUnconfirmed, which
// tells the caller to find out whether it took effect; Conductor's support
// needs the request id for that. The Response keeps what arrived: the
// status, the headers and the request id, with no body.
func TestWithResponseKeepsTheRequestIDOfAnUnconfirmedWrite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Conductor-Request-Id", "req_unconfirmed")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		io.WriteString(w, `{"id":"80000001-1234567890","objectType":"qbd_customer"`) // then hangs up
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{} // of its own: the server hangs up on it
	t.Cleanup(tr.CloseIdleConnections)
	c := testClient(t, srv.URL, conductor.WithHTTPClient(&http.Client{Transport: tr}))
	var resp conductor.Response
	_, err := c.QBD.Customers.Create(testdeadline.Context(t), testEndUserID, conductor.CustomerCreateParams{Name: "Acme"}, conductor.WithResponse(&resp))
	if !errors.Is(err, conductor.ErrWriteUnconfirmed) {
		t.Fatalf("err = %v; want ErrWriteUnconfirmed", err)
	}
	want := conductor.Response{StatusCode: 200, RequestID: "req_unconfirmed"}
	if diff := cmp.Diff(want, resp, ignoreHeader); diff != "" || resp.Header.Get("Conductor-Request-Id") != "req_unconfirmed" {
		t.Errorf("Response after a 200 whose body broke off (-want +got):\n%s\nheaders %v\n(err: %v)", diff, resp.Header, err)
	}
}

// TestWithResponseCopiesOnlyTheAnswerItKeeps: WithResponse keeps one
// answer, the last attempt's, and copies only its body, not those of the
// attempts retried and thrown away: a call whose two 4 MiB 503s are
// retried before a 4 MiB 200 costs one extra body, not three. Measured in
// bytes, not time: the extra bytes WithResponse costs over the same call
// without it.
func TestWithResponseCopiesOnlyTheAnswerItKeeps(t *testing.T) {
	const size = 4 << 20
	big := strings.Repeat(" ", size)
	okBody := `{"id":"80000001-1234567890","objectType":"qbd_invoice"}` + big
	failBody := envelope(503, "INTERNAL_ERROR", "TEST", "try again") + big
	srv := newScriptServer(t,
		reply{status: 503, body: failBody, headers: jsonHeaders("Retry-After-Ms", "1")},
		reply{status: 503, body: failBody, headers: jsonHeaders("Retry-After-Ms", "1")},
		reply{status: 200, body: okBody, headers: jsonHeaders()},
	)
	c := srv.client(t, conductor.WithMaxRetries(2))
	ctx := testdeadline.Context(t)
	measure := func(opts ...conductor.Option) uint64 {
		srv.mu.Lock()
		srv.requests = nil
		srv.mu.Unlock()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, "80000001-1234567890", opts...); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	measure() // warm the connection pool
	without := measure()
	var resp conductor.Response
	with := measure(conductor.WithResponse(&resp))
	if len(resp.Body) != len(okBody) {
		t.Fatalf("Response body %d bytes, want %d", len(resp.Body), len(okBody))
	}
	if extra := int64(with) - int64(without); extra > size*3/2 {
		t.Errorf("WithResponse cost %d extra bytes (%.1f bodies) for a call that keeps one %d-byte body", extra, float64(extra)/size, size)
	}
}
