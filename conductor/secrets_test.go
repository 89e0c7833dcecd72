package conductor_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
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

// jsonEscaped spells every character of s as a \uXXXX escape, as a JSON
// encoder may, so "sk_..." becomes "\u0073\u006b\u005f...".
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// percentEscaped spells every character of s as a URL percent-escape,
// with hex digits of the case given, so "sk_" becomes "%73%6B%5F".
func percentEscaped(s, format string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// leaksKey reports whether text shows the test key, or its secret middle,
// in any form a reader could turn back into it: plainly, or once text is
// decoded as JSON escapes, %q quoting and URL percent-escapes would be,
// each up to four times over, in any order.
func leaksKey(text string) bool {
	for range 5 {
		if strings.Contains(text, testAPIKey) || strings.Contains(text, "SECRET_0123") {
			return true
		}
		decoded := unspell(text)
		if decoded == text {
			return false
		}
		text = decoded
	}
	return false
}

// unspell decodes, in one pass, every \uXXXX escape of an ASCII character,
// every backslash escape of \ " /, and every %XX in text.
func unspell(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\' && i+5 < len(text) && text[i+1] == 'u':
			if v, err := strconv.ParseUint(text[i+2:i+6], 16, 16); err == nil && v < 0x80 {
				b.WriteByte(byte(v))
				i += 5
				continue
			}
		case c == '\\' && i+1 < len(text) && strings.IndexByte(`\"/`, text[i+1]) >= 0:
			b.WriteByte(text[i+1])
			i++
			continue
		case c == '%' && i+2 < len(text):
			if v, err := strconv.ParseUint(text[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// TestAnEchoedKeyIsRedactedEverywhere has servers echo the key in every
// place a response can carry it, with every spelling, and checks every
// string the caller or a logger can see: the message, each field of the
// *Error, the error with each fmt verb, and the log records.
func TestAnEchoedKeyIsRedactedEverywhere(t *testing.T) {
	t.Parallel()
	key, escaped, mixed := testAPIKey, jsonEscaped(testAPIKey), jsonEscaped(testAPIKey[:3])+testAPIKey[3:]
	upper, lower := percentEscaped(key, "%%%02X"), percentEscaped(key, "%%%02x")
	pctMixed := key[:2] + percentEscaped(key[2:10], "%%%02X") + key[10:20] + percentEscaped(key[20:], "%%%02x")
	validSession := func(field, value string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(sessionJSON), &m); err != nil {
			t.Fatal(err)
		}
		m[field] = "PLACEHOLDER"
		b, _ := json.Marshal(m)
		return strings.Replace(string(b), "PLACEHOLDER", value, 1)
	}
	envelopeWith := func(status int, msg string) string {
		return fmt.Sprintf(`{"error":{"message":"%s","userFacingMessage":"%s","type":"AUTHENTICATION_ERROR","code":"%s","httpStatusCode":%d,"requestId":"%s","integrationCode":"%s"}}`,
			msg, msg, msg, status, msg, msg)
	}
	html := map[string]string{"Content-Type": "text/html"}
	tests := []struct {
		name  string
		reply reply
	}{
		{"2xx HTML echo", reply{status: 200, headers: html, body: "<p>Bearer " + key + "</p>"}},
		{"2xx JSON echo, not a session", reply{status: 200, headers: jsonHeaders(), body: `{"echo":"` + escaped + `"}`}},
		{"2xx echoed objectType", reply{status: 200, headers: jsonHeaders(), body: validSession("objectType", key)}},
		{"2xx echoed escaped objectType", reply{status: 200, headers: jsonHeaders(), body: validSession("objectType", escaped)}},
		{"2xx echoed timestamp", reply{status: 200, headers: jsonHeaders(), body: validSession("createdAt", mixed)}},
		{"2xx JSON cut short after the key", reply{status: 200, headers: jsonHeaders(), body: `{"id":"` + escaped}},
		{"4xx envelope, plain", reply{status: 401, headers: jsonHeaders(), body: envelopeWith(401, "Bearer "+key)}},
		{"4xx envelope, escaped", reply{status: 401, headers: jsonHeaders(), body: envelopeWith(401, escaped)}},
		{"4xx envelope, partly escaped", reply{status: 403, headers: jsonHeaders(), body: envelopeWith(403, mixed)}},
		{"5xx HTML echo", reply{status: 502, headers: html, body: "<pre>Authorization: Bearer " + key + "</pre>"}},
		{"3xx Location", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?k=" + key}}},
		{"Content-Type", reply{status: 500, headers: map[string]string{"Content-Type": "text/" + key}, body: "oops"}},
		{"2xx Content-Type", reply{status: 200, headers: map[string]string{"Content-Type": "text/" + key}, body: "oops"}},
		{"Conductor-Request-Id", reply{status: 404, headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": key}, body: "{}"}},
		{"Conductor-Request-Id, JSON-escaped", reply{status: 404, headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": escaped}, body: "{}"}},
		{"Conductor-Request-Id, percent-escaped", reply{status: 404, headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": upper}, body: "{}"}},
		{"3xx Location, JSON-escaped", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?k=" + escaped}}},
		{"3xx Location, partly JSON-escaped", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?k=" + mixed}}},
		{"303 Location, underscores percent-escaped", reply{status: 303, headers: map[string]string{"Location": "https://elsewhere.example/?key=" + strings.ReplaceAll(key, "_", "%5F")}}},
		{"302 Location, every character %XX", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?key=" + upper}}},
		{"302 Location, every character %xx", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?key=" + lower}}},
		{"302 Location, plain, %XX and %xx mixed", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?key=" + pctMixed}}},
		{"302 Location, percent-escaped twice", reply{status: 302, headers: map[string]string{"Location": "https://elsewhere.example/?next=" + strings.ReplaceAll(upper, "%", "%25")}}},
		{"5xx HTML link, percent-escaped", reply{status: 502, headers: html, body: `<a href="/retry?key=` + pctMixed + `">retry</a>`}},
		{"4xx envelope, JSON-escaped percent-escapes", reply{status: 401, headers: jsonHeaders(), body: envelopeWith(401, "see /x?key="+strings.ReplaceAll(upper, "%", `\u0025`))}},
		{"2xx Conductor-Request-Id", reply{status: 200, headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": key}, body: "{}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			srv := newScriptServer(t, tt.reply)
			_, err := create(t, srv.client(t, conductor.WithLogger(logger), conductor.WithMaxRetries(0)), validParams)
			if err == nil {
				t.Fatal("Create succeeded; want an error")
			}
			seen := map[string]string{
				"Error()": err.Error(), "%v": fmt.Sprintf("%v", err), "%+v": fmt.Sprintf("%+v", err), "%#v": fmt.Sprintf("%#v", err),
				"log": logs.String(),
			}
			var apiErr *conductor.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want a *conductor.Error", err, err)
			}
			v := reflect.ValueOf(*apiErr)
			for i := range v.NumField() {
				if f := v.Type().Field(i); f.IsExported() {
					seen["Error."+f.Name] = fmt.Sprint(v.Field(i).Interface())
					if b, ok := v.Field(i).Interface().([]byte); ok {
						seen["Error."+f.Name] = string(b)
					}
				}
			}
			for where, text := range seen {
				if leaksKey(text) {
					t.Errorf("%s shows the key: %s", where, text)
				}
			}
			if !strings.Contains(string(apiErr.Body)+apiErr.Message+apiErr.RequestID+logs.String(), "[redacted]") {
				t.Errorf("no [redacted] marker anywhere; the echo was lost rather than redacted: %+v", apiErr)
			}
		})
	}
}

// TestAnEchoedKeyInATransportErrorIsRedacted covers a server whose answer
// is not HTTP and quotes the key: net/http's error quotes that answer.
func TestAnEchoedKeyInATransportErrorIsRedacted(t *testing.T) {
	t.Parallel()
	url, _ := rawServer(t, func(c net.Conn) { io.WriteString(c, "Bearer "+testAPIKey+"\r\n\r\n") })
	logger, logs := newLogger()
	_, err := create(t, rawClient(t, url, conductor.WithLogger(logger), conductor.WithMaxRetries(0)), validParams)
	if err == nil || !strings.Contains(err.Error(), "malformed HTTP") {
		t.Fatalf("err = %v; want net/http's malformed response error", err)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()} {
		if leaksKey(text) {
			t.Errorf("shows the key: %s", text)
		}
	}
}

// TestGenResponsesAreRedacted: what client.Gen() hands back is the
// response itself, so its status line, headers and trailers must be
// redacted as its body is; a server can put anything in a reason phrase.
func TestGenResponsesAreRedacted(t *testing.T) {
	t.Parallel()
	key := testAPIKey
	spellings := []string{key, jsonEscaped(key), percentEscaped(key, "%%%02x")}
	for _, status := range []int{200, 404} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			body := sessionJSON
			url, _ := rawServer(t, func(c net.Conn) {
				fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nLocation: /x?key=%s\r\nX-Echo: %s\r\n"+
					"Trailer: X-Trailer-Echo\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\nX-Trailer-Echo: %s\r\n\r\n",
					status, spellings[0], spellings[2], spellings[1], len(body), body, spellings[2])
			})
			logger, logs := newLogger()
			c := rawClient(t, url, conductor.WithLogger(logger), conductor.WithMaxRetries(0))
			resp, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey})
			seen := []string{fmt.Sprintf("%v %+v %#v", err, err, err), logs.String()}
			if status == 200 {
				if err != nil {
					t.Fatalf("Gen() call: %v", err)
				}
				b, _ := io.ReadAll(resp.Body)
				got := map[string]any{"status": resp.Status, "Location": resp.Header.Get("Location"), "X-Echo": resp.Header.Get("X-Echo"), "trailer": resp.Trailer.Get("X-Trailer-Echo")}
				want := map[string]any{"status": "200 [redacted]", "Location": "/x?key=[redacted]", "X-Echo": "[redacted]", "trailer": "[redacted]"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("response mismatch (-want +got):\n%s", diff)
				}
				seen = append(seen, resp.Status, fmt.Sprint(resp.Header), fmt.Sprint(resp.Trailer), string(b))
			} else if err == nil {
				t.Fatal("a 404 through Gen() gave no error")
			}
			for _, text := range seen {
				if leaksKey(text) {
					t.Errorf("shows the key: %s", text)
				}
			}
		})
	}
}

// TestABaseURLPasswordIsNeverShown: a base URL may carry user info; no
// printed client, generated client, log record or option error shows its
// password, and requests still carry the URL as given.
func TestABaseURLPasswordIsNeverShown(t *testing.T) {
	const password = "hunter2pass"
	var users []string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		users = append(users, r.URL.User.String())
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(sessionJSON)), ContentLength: int64(len(sessionJSON)), Request: r}, nil
	})}
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithPublishableKey(testPublishableKey),
		conductor.WithBaseURL("https://user:"+password+"@api.example/v1"), conductor.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, v := range []any{c, *c, c.Gen(), *c.Gen(), c.AuthSessions, *c.AuthSessions, c.QBD, *c.QBD, c.EndUsers} {
		for _, verb := range strings.Fields("%v %+v %#v %s %q %x %X %t %d %e %g %c %U %b %o %p %T") {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
	}
	logger, logs := newLogger()
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("client", "client", c, "gen", c.Gen())
	logger.Info("client", "client", c, "gen", c.Gen())
	if _, err := create(t, c, validParams, conductor.WithLogger(logger)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey}); err != nil {
		t.Fatal(err)
	}
	shown = append(shown, logs.String(), text.String())
	if diff := cmp.Diff([]string{"user:" + password, "user:" + password}, users); diff != "" {
		t.Errorf("user info the transport saw, facade then Gen() (-want +got):\n%s", diff)
	}
	if !strings.Contains(shown[0], "https://user:xxxxx@api.example/v1") {
		t.Errorf("client prints as %s; want the base URL with its password hidden", shown[0])
	}

	for _, raw := range []string{
		"http://user:" + password + "@remote.example/v1",     // plain http off loopback
		"ftp://user:" + password + "@api.example/v1",         // not http
		"https://user:" + password + "@api.example/v1?x=1",   // a query
		"user:" + password + "@api.example",                  // no scheme: parses as opaque
		"https://user:" + password + "%zz@api.example/v1",    // a bad escape in the password
		"https://user:" + password + "/x@api.example/v1",     // an unescaped / in the password
		"https://user:" + password + "?#@api.example:bad/v1", // ? and # in the password, then a bad port
	} {
		_, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(raw))
		if err == nil {
			t.Errorf("WithBaseURL(%q) accepted", raw)
			continue
		}
		t.Setenv(conductor.EnvBaseURL, raw)
		_, envErr := conductor.NewClient(conductor.WithAPIKey(testAPIKey))
		shown = append(shown, fmt.Sprintf("%v|%+v|%#v", err, err, err), fmt.Sprint(envErr))
	}
	for _, s := range shown {
		if strings.Contains(s, password) || strings.Contains(s, password[:6]) || leaksKey(s) {
			t.Errorf("shows the password or the key: %s", s)
		}
	}
}

// TestRedactingABodyWithoutTheKeyCopiesNothing: the scan for the key
// costs no allocation unless it finds one, with escapes or without, so a
// large page costs its own bytes once, not twice.
func TestRedactingABodyWithoutTheKeyCopiesNothing(t *testing.T) {
	for name, item := range map[string]string{
		"plain":   `{"memo":"supplies shipped: sks","ref":"sk_conductor_test_"},`,
		"escaped": `{"memo":"line\nline \"s\" 100% %73k \u0073k","ref":"sk_conductor_test_"},`,
	} {
		t.Run(name, func(t *testing.T) {
			body := []byte(`[` + strings.Repeat(item, (1<<20)/len(item)) + `{}]`)
			want := sha256.Sum256(body)
			c, _, _ := fixedResponse(t, 200, http.Header{"Content-Type": {"application/json"}}, body)
			call := func() {
				resp, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey})
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.New()
				if io.Copy(h, resp.Body); !bytes.Equal(h.Sum(nil), want[:]) {
					t.Fatal("the body changed though it holds no key")
				}
			}
			call()
			const calls = 5
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range calls {
				call()
			}
			runtime.ReadMemStats(&after)
			// Each call reads the body once; a redacted copy would double it.
			if per := (after.TotalAlloc - before.TotalAlloc) / calls; per > uint64(len(body))*3/2 {
				t.Errorf("a call allocated %d bytes for a %d-byte body; want under 1.5x: the body read once, no copy", per, len(body))
			}
		})
	}
}
