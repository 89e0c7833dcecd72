package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// logBuffer collects JSON log records, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func TestLoggerWritesOneRecordPerAttempt(t *testing.T) {
	logger, buf := newLogger()
	srv := newScriptServer(t, failure(429, "Retry-After-Ms", "20", "Conductor-Request-Id", "req_first"), okReply)
	if _, err := create(t, srv.client(t, conductor.WithLogger(logger)), validParams); err != nil {
		t.Fatal(err)
	}
	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("got %d log records, want 2:\n%s", len(recs), buf)
	}
	for _, r := range recs {
		if _, ok := r["duration"].(float64); !ok {
			t.Errorf("record %v has no numeric duration", r)
		}
	}
	want := []map[string]any{
		{"level": "WARN", "msg": "conductor: request", "method": "POST", "path": "/auth-sessions", "status": 429.0, "request_id": "req_first", "attempt": 1.0, "retry_in": float64(20 * time.Millisecond)},
		{"level": "DEBUG", "msg": "conductor: request", "method": "POST", "path": "/auth-sessions", "status": 200.0, "request_id": "req_ok", "attempt": 2.0},
	}
	ignore := cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "time" || k == "duration" })
	if diff := cmp.Diff(want, recs, ignore); diff != "" {
		t.Errorf("log records mismatch (-want +got):\n%s", diff)
	}
}

func TestAuthSessionLogValueHidesTheClientSecret(t *testing.T) {
	srv := newScriptServer(t, okReply)
	session, err := create(t, srv.client(t), validParams)
	if err != nil {
		t.Fatal(err)
	}
	logger, buf := newLogger()
	logger.Info("created", "session", session)
	out := buf.String()
	if strings.Contains(out, session.ClientSecret) {
		t.Errorf("log shows the client secret: %s", out)
	}
	for _, want := range []string{session.ID, session.EndUserID, "https://connect.conductor.is/qbd/[redacted]?key=" + testPublishableKey} {
		if !strings.Contains(out, want) {
			t.Errorf("log %s lacks %q", out, want)
		}
	}
}

// TestTheKeyAppearsNowhere drives every kind of failure, with a logger
// attached, and checks each message and log line for the key and for the
// session's client secret.
func TestTheKeyAppearsNowhere(t *testing.T) {
	logger, logs := newLogger()
	echo := envelope(401, "AUTHENTICATION_ERROR", "API_KEY_INVALID", "bad key "+testAPIKey)
	servers := map[string]*scriptServer{
		"success":          newScriptServer(t, okReply),
		"echoing 401":      newScriptServer(t, reply{status: 401, headers: jsonHeaders(), body: echo}),
		"retried 503":      newScriptServer(t, failure(503, "Retry-After-Ms", "1")),
		"HTML 502":         newScriptServer(t, reply{status: 502, headers: map[string]string{"Content-Type": "text/html"}, body: "<p>" + testAPIKey + "</p>"}),
		"invalid 200":      newScriptServer(t, reply{status: 200, headers: jsonHeaders(), body: `{"objectType":"x"}`}),
		"redirect":         newScriptServer(t, reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/"}}),
		"stalls":           newScriptServer(t, reply{status: 200, stall: 5 * time.Second}),
		"invalid JSON 200": newScriptServer(t, reply{status: 200, headers: jsonHeaders(), body: `{"id":`}),
	}
	var messages []string
	for name, srv := range servers {
		c := srv.client(t, conductor.WithLogger(logger), conductor.WithTimeout(100*time.Millisecond), conductor.WithMaxRetries(1))
		messages = append(messages, fmt.Sprintf("%s: %v", name, c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c))
		_, err := create(t, c, validParams)
		messages = append(messages, fmt.Sprintf("%s: %v | %+v | %#v", name, err, err, err))
		// And once with the caller's context ending during the call.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err = c.AuthSessions.Create(ctx, validParams)
		cancel()
		messages = append(messages, fmt.Sprintf("%s, cancelled: %v", name, err))
	}
	bad := conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testAPIKey}
	_, err := create(t, servers["success"].client(t), bad)
	messages = append(messages, fmt.Sprint(err))
	for _, opt := range []conductor.Option{conductor.WithPublishableKey(testAPIKey), conductor.WithAPIKey(testAPIKey + "\n"), conductor.WithBaseURL("http://remote.example"), conductor.WithHeader("Authorization", testAPIKey)} {
		_, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), opt)
		messages = append(messages, fmt.Sprint(err))
		messages = append(messages, fmt.Sprintf("%v %+v %#v", opt, opt, opt))
	}
	messages = append(messages, strings.Split(logs.String(), "\n")...)

	if len(logs.records(t)) < len(servers)*2 {
		t.Fatalf("only %d log records; the logger was not used", len(logs.records(t)))
	}
	for _, m := range messages {
		if strings.Contains(m, testAPIKey) || strings.Contains(m, "SECRET_0123") {
			t.Errorf("the API key leaked: %s", m)
		}
		if strings.Contains(m, "auth_sess_client_secret_1234567abcdefg") {
			t.Errorf("the client secret leaked: %s", m)
		}
	}
}
