package conductortest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)

func TestCreateReturnsASessionOnTheFake(t *testing.T) {
	tests := []struct {
		name        string
		params      conductor.AuthSessionCreateParams
		wantExpires time.Duration
	}{
		{"defaults to 30 minutes", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}, 30 * time.Minute},
		{"15 minutes", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: 15 * time.Minute}, 15 * time.Minute},
		{"7 days", conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: 168 * time.Hour}, 168 * time.Hour},
		{"redirect echoed", conductor.AuthSessionCreateParams{EndUserID: "end_usr_b", LinkExpiry: 2 * time.Hour, RedirectURL: "https://example.com/cb?x=1"}, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, conductortest.Options{Now: func() time.Time { return fixedNow }})
			got, err := create(t, client(t, srv), tt.params)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			created := fixedNow.Truncate(time.Millisecond)
			want := &conductor.AuthSession{
				ObjectType:  "auth_session",
				EndUserID:   tt.params.EndUserID,
				RedirectURL: tt.params.RedirectURL,
				CreatedAt:   created,
				ExpiresAt:   created.Add(tt.wantExpires),
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(conductor.AuthSession{}, "ID", "ClientSecret", "AuthFlowURL", "RequestID")); diff != "" {
				t.Errorf("session mismatch (-want +got):\n%s", diff)
			}
			checkPrefix(t, "ID", got.ID, "auth_sess_")
			checkPrefix(t, "ClientSecret", got.ClientSecret, "auth_sess_client_secret_")
			checkPrefix(t, "RequestID", got.RequestID, "req_")
			if wantURL := srv.URL + "/qbd/" + got.ClientSecret + "?key=" + srv.PublishableKey; got.AuthFlowURL != wantURL {
				t.Errorf("AuthFlowURL = %q, want %q", got.AuthFlowURL, wantURL)
			}
		})
	}
}

func checkPrefix(t *testing.T, name, value, prefix string) {
	t.Helper()
	if !strings.HasPrefix(value, prefix) || len(value) <= len(prefix) {
		t.Errorf("%s = %q, want %s...", name, value, prefix)
	}
}

// TestCreateWireFormat checks what the client's time.Time hides: the
// timestamps' exact layout and a null redirectUrl.
func TestCreateWireFormat(t *testing.T) {
	srv := newServer(t)
	h := authorized(srv)
	h.Set("Content-Type", "application/json; charset=utf-8")
	r := send(t, srv, "POST", "/auth-sessions", h, `{"endUserId":"end_usr_a","publishableKey":"`+srv.PublishableKey+`"}`)
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	layout := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for _, field := range []string{"createdAt", "expiresAt"} {
		if s, _ := body[field].(string); !layout.MatchString(s) {
			t.Errorf("%s = %v, want UTC with milliseconds and Z", field, body[field])
		}
	}
	if v, ok := body["redirectUrl"]; !ok || v != nil {
		t.Errorf("redirectUrl = %v (present %v), want null", v, ok)
	}
	if got := r.header.Get("Conductor-Request-Id"); !strings.HasPrefix(got, "req_") {
		t.Errorf("Conductor-Request-Id = %q, want req_...", got)
	}
}

func TestMissingOrWrongKeyIs401(t *testing.T) {
	srv := newServer(t)
	body := `{"endUserId":"end_usr_a","publishableKey":"` + srv.PublishableKey + `"}`
	tests := []struct {
		name, authorization string
	}{
		{"no header", ""},
		{"wrong key", "Bearer sk_conductor_wrong_0123"},
		{"not bearer", "Basic " + srv.SecretKey},
		{"bearer without key", "Bearer "},
		{"publishable key", "Bearer " + srv.PublishableKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			if tt.authorization != "" {
				h.Set("Authorization", tt.authorization)
			}
			r := send(t, srv, "POST", "/auth-sessions", h, body)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401; body %s", r.status, r.body)
			}
			env := decodeEnvelope(t, r)
			if env.Error.Type != "AUTHENTICATION_ERROR" || env.Error.Code != "API_KEY_INVALID" {
				t.Errorf("type %q code %q, want AUTHENTICATION_ERROR API_KEY_INVALID", env.Error.Type, env.Error.Code)
			}
			if strings.Contains(string(r.body), "sk_conductor") {
				t.Errorf("body %s quotes a key", r.body)
			}
		})
	}
}

func TestWrongKeyThroughTheClient(t *testing.T) {
	srv := newServer(t)
	_, err := create(t, client(t, srv, conductor.WithAPIKey("sk_conductor_revoked")), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, conductor.ErrAuthentication) {
		t.Fatalf("err = %v, want a 401 *conductor.Error", err)
	}
	if apiErr.Code != "API_KEY_INVALID" || !strings.HasPrefix(apiErr.RequestID, "req_") {
		t.Errorf("Code %q RequestID %q, want API_KEY_INVALID and req_...", apiErr.Code, apiErr.RequestID)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("fake got %d requests, want 1: a 401 is not retried", n)
	}
}

func TestBadBodyIs400NamingTheField(t *testing.T) {
	srv := newServer(t)
	pk := srv.PublishableKey
	tests := []struct {
		name, contentType, body string
		want                    string // the start of the message
	}{
		{"no endUserId", "", `{"publishableKey":"` + pk + `"}`, "endUserId:"},
		{"no publishableKey", "", `{"endUserId":"end_usr_a"}`, "publishableKey:"},
		{"endUserId a number", "", `{"endUserId":5,"publishableKey":"` + pk + `"}`, "endUserId: must be a string"},
		{"empty endUserId", "", `{"endUserId":"","publishableKey":"` + pk + `"}`, "endUserId:"},
		{"another publishableKey", "", `{"endUserId":"end_usr_a","publishableKey":"pk_conductor_other"}`, "publishableKey:"},
		{"linkExpiryMins a string", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","linkExpiryMins":"30"}`, "linkExpiryMins: must be a number"},
		{"linkExpiryMins 14", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","linkExpiryMins":14}`, "linkExpiryMins: must be from 15 to 10080"},
		{"linkExpiryMins 14.9", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","linkExpiryMins":14.9}`, "linkExpiryMins: must be from 15 to 10080"},
		{"linkExpiryMins 10081", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","linkExpiryMins":10081}`, "linkExpiryMins: must be from 15 to 10080"},
		{"redirectUrl not a URI", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","redirectUrl":"not a uri"}`, "redirectUrl: must be a string in format uri"},
		{"redirectUrl null", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","redirectUrl":null}`, "redirectUrl:"},
		{"unknown field", "", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `","endUserID":"x"}`, "endUserID: is not a known field"},
		{"array", "", `[]`, "The request body value must be an object"},
		{"not JSON", "", `endUserId=end_usr_a`, "The request body is not valid JSON"},
		{"truncated JSON", "", `{"endUserId":"end_usr_a"`, "The request body is not valid JSON"},
		{"empty body", "", ``, "The request body is not valid JSON"},
		{"not declared JSON", "text/plain", `{"endUserId":"end_usr_a","publishableKey":"` + pk + `"}`, "Content-Type:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := authorized(srv)
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			r := send(t, srv, "POST", "/auth-sessions", h, tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", r.status, r.body)
			}
			env := decodeEnvelope(t, r)
			if env.Error.Type != "INVALID_REQUEST_ERROR" {
				t.Errorf("type %q, want INVALID_REQUEST_ERROR", env.Error.Type)
			}
			if !strings.HasPrefix(env.Error.Message, tt.want) {
				t.Errorf("message %q, want it to start %q", env.Error.Message, tt.want)
			}
		})
	}
}

// TestBadBodyThroughTheClient sends what the client's own checks let
// through but the API refuses, and checks it arrives as *conductor.Error.
func TestBadBodyThroughTheClient(t *testing.T) {
	srv := newServer(t)
	_, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: "pk_conductor_other"})
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, conductor.ErrBadRequest) {
		t.Fatalf("err = %v, want a 400 *conductor.Error", err)
	}
	if apiErr.Type != "INVALID_REQUEST_ERROR" || !strings.HasPrefix(apiErr.Message, "publishableKey:") {
		t.Errorf("Type %q Message %q, want INVALID_REQUEST_ERROR about publishableKey", apiErr.Type, apiErr.Message)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	srv := newServer(t)
	body := `{"endUserId":"` + strings.Repeat("a", 1<<20) + `"}`
	r := send(t, srv, "POST", "/auth-sessions", authorized(srv), body)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", r.status)
	}
	if env := decodeEnvelope(t, r); env.Error.Type != "INVALID_REQUEST_ERROR" {
		t.Errorf("type %q, want INVALID_REQUEST_ERROR", env.Error.Type)
	}
}

func TestUnknownPathAndWrongMethod(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"POST", "/no-such-resource", http.StatusNotFound, "RESOURCE_MISSING", ""},
		{"PUT", "/end-users", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "GET, POST"},
		{"GET", "/", http.StatusNotFound, "RESOURCE_MISSING", ""},
		{"POST", "/v1/auth-sessions", http.StatusNotFound, "RESOURCE_MISSING", ""},
		{"GET", "/auth-sessions", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "POST"},
		{"DELETE", "/auth-sessions", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "POST"},
		{"POST", "/qbd/auth_sess_client_secret_x", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := send(t, srv, tt.method, tt.path, authorized(srv), `{}`)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			if env := decodeEnvelope(t, r); env.Error.Code != tt.code {
				t.Errorf("code %q, want %q", env.Error.Code, tt.code)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestRequestsRecordsCopies(t *testing.T) {
	srv := newServer(t)
	if _, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()
	if len(got) != 1 {
		t.Fatalf("Requests() has %d entries, want 1", len(got))
	}
	r := got[0]
	if r.Method != "POST" || r.Path != "/auth-sessions" || r.Header.Get("Authorization") != "Bearer "+srv.SecretKey {
		t.Errorf("request %s %s with Authorization %q; want POST /auth-sessions with the fake's key", r.Method, r.Path, r.Header.Get("Authorization"))
	}
	want := `{"endUserId":"end_usr_a","publishableKey":"` + srv.PublishableKey + `"}`
	if string(r.Body) != want {
		t.Errorf("body %s, want %s", r.Body, want)
	}
	r.Body[0] = 'X'
	r.Header.Set("Authorization", "changed")
	if again := srv.Requests()[0]; again.Body[0] != '{' || again.Header.Get("Authorization") == "changed" {
		t.Error("changing what Requests returned changed the fake's record")
	}
}

func TestConcurrentCreates(t *testing.T) {
	srv := newServer(t)
	c := client(t, srv)
	const n = 50
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := create(t, c, conductor.AuthSessionCreateParams{EndUserID: fmt.Sprintf("end_usr_%d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- s.ID + " " + s.ClientSecret
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id and secret %s given twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n || len(srv.Requests()) != n {
		t.Errorf("%d distinct sessions from %d requests, want %d of each", len(seen), len(srv.Requests()), n)
	}
}

func TestBadOptionsAreErrors(t *testing.T) {
	for _, o := range []conductortest.Options{
		{SecretKey: "pk_conductor_swapped"},
		{PublishableKey: "sk_conductor_swapped"},
		{SecretKey: "sk with space"},
		{Addr: "256.0.0.1:0"},
	} {
		if srv, err := conductortest.NewServerWithOptions(o); err == nil {
			srv.Close()
			t.Errorf("NewServerWithOptions(%+v) succeeded, want an error", o)
		}
	}
	srv := newServer(t)
	if c, err := srv.Client(conductor.WithMaxRetries(-1)); err == nil {
		t.Errorf("Client(WithMaxRetries(-1)) = %v, want an error", c)
	}
}

func TestCloseTwice(t *testing.T) {
	srv := newServer(t)
	srv.Close()
	srv.Close()
}

// bigListFixtures are a connected end-user, end_usr_big, with seven
// invoices of nearly 1 MiB each: a list of them is more than loopback's
// socket buffers hold, so a client that does not read it leaves the
// fake's write of it blocked.
func bigListFixtures() *conductortest.Fixtures {
	memo := strings.Repeat("m", 1<<20-200)
	fx := conductortest.FixtureEndUser{ID: "end_usr_big", Connected: true, QBD: map[string][]map[string]any{
		"customers": {{"id": "80000001-1", "name": "Globex"}},
	}}
	for range 7 {
		fx.QBD["invoices"] = append(fx.QBD["invoices"], map[string]any{"customerId": "80000001-1", "transactionDate": "2024-10-01", "memo": memo})
	}
	return &conductortest.Fixtures{EndUsers: append(slices.Clone(testEndUsers.EndUsers), fx)}
}

// dial opens a raw connection to srv, closed when the test ends.
func dial(t *testing.T, srv *conductortest.Server) *net.TCPConn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tcp := conn.(*net.TCPConn)
	// A fixed receive buffer: the kernel would otherwise grow it to hold
	// all of a large unread answer. (Much smaller, and window updates
	// would crawl once it is read.)
	tcp.SetReadBuffer(256 << 10)
	tcp.SetReadDeadline(deadlineOf(testdeadline.Context(t)))
	return tcp
}

// stallReading asks for the big list on a new connection and reads only
// the start of the answer: the fake has started to write it, and is left
// unable to finish. finish reads the rest, and fails the test unless the
// answer is whole.
func stallReading(t *testing.T, srv *conductortest.Server) (conn *net.TCPConn, finish func()) {
	t.Helper()
	conn = dial(t, srv)
	fmt.Fprintf(conn, "GET /quickbooks-desktop/invoices?limit=150 HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\nConductor-End-User-Id: end_usr_big\r\n\r\n", srv.SecretKey)
	status := make([]byte, len("HTTP/1.1 200"))
	if _, err := io.ReadFull(conn, status); err != nil || string(status) != "HTTP/1.1 200" {
		t.Fatalf("a list: %q, %v; want HTTP/1.1 200", status, err)
	}
	return conn, func() {
		t.Helper()
		resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(bytes.NewReader(status), conn)), nil)
		if err != nil {
			t.Fatalf("the rest of a slow reader's list: %v", err)
		}
		var page struct{ Data []json.RawMessage }
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || len(page.Data) != 7 {
			t.Errorf("a slow reader's list: %d invoices, %v; want all 7", len(page.Data), err)
		}
	}
}

// stallSending starts to create an auth session on a new connection and
// sends one byte of its body: the fake has started to read it (it asked
// for the body with "100 Continue"), and waits for the rest. finish sends
// the rest, and fails the test unless the session is created.
func stallSending(t *testing.T, srv *conductortest.Server) (conn *net.TCPConn, finish func()) {
	t.Helper()
	conn = dial(t, srv)
	body := fmt.Sprintf(`{"endUserId":"end_usr_a","publishableKey":%q}`, srv.PublishableKey)
	fmt.Fprintf(conn, "POST /auth-sessions HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", srv.SecretKey, len(body))
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("a body's start: %q, %v; want HTTP/1.1 100 Continue", line, err)
	}
	if _, err := r.ReadString('\n'); err != nil { // the blank line after it
		t.Fatal(err)
	}
	conn.Write([]byte(body[:1]))
	return conn, func() {
		t.Helper()
		if _, err := conn.Write([]byte(body[1:])); err != nil {
			t.Fatalf("the rest of a slow sender's body: %v", err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("a slow sender's answer: %v", err)
		}
		defer resp.Body.Close()
		var session struct{ ClientSecret string }
		err = json.NewDecoder(resp.Body).Decode(&session)
		if resp.StatusCode != http.StatusOK || err != nil || session.ClientSecret == "" {
			t.Errorf("a slow sender's answer: %s, %v, client secret %q; want 200 and a session", resp.Status, err, session.ClientSecret)
		}
	}
}

// TestSlowClientsDoNotStallOthers leaves two slow clients, as many as the
// fake works on requests at once, in the middle of a request or of an
// answer, then checks that ordinary calls are answered while they wait,
// and that the readers are then answered too: reading a body and writing
// an answer hold none of the fake's turns. The fake's IOTimeout is far
// longer than the test, so that nothing is answered because a slow
// client was cut off by it. (A sender that stops mid-body is cut off
// after a few seconds by the minimum body rate, so whether it is answered
// when it sends the rest depends on the machine's speed: it is not
// checked here.)
func TestSlowClientsDoNotStallOthers(t *testing.T) {
	for _, tt := range []struct {
		name   string
		stall  func(*testing.T, *conductortest.Server) (*net.TCPConn, func())
		finish bool
	}{
		{"readers that never read a large list", stallReading, true},
		{"senders that stop mid-body", stallSending, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, conductortest.Options{Fixtures: bigListFixtures(), IOTimeout: time.Hour})
			var finish []func()
			for range 2 {
				_, f := tt.stall(t, srv)
				finish = append(finish, f)
			}
			c := client(t, srv, conductor.WithMaxRetries(0))
			if _, err := c.AuthSessions.Create(testdeadline.Context(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
				t.Fatalf("with two slow clients, an ordinary call: %v", err)
			}
			if _, err := c.QBD.Invoices.List(testdeadline.Context(t), "end_usr_big", &conductor.InvoiceListParams{Limit: new(1)}); err != nil {
				t.Fatalf("with two slow clients, a list: %v", err)
			}
			if !tt.finish {
				return
			}
			for _, f := range finish {
				f()
			}
		})
	}
}

// TestBodiesWaitingForRoomDoNotStallOthers sends, on raw connections,
// more 1 MiB bodies than the fake reads at once (its 4 MiB of bodies in
// flight), each stopped after its first byte, then checks that an
// ordinary request without a body and an ordinary small one are answered
// through the client: a request with no body waits for no room, and the
// stalled senders, below the minimum body rate, are cut off and give
// their room back. The fake's IOTimeout is far longer than the test, so
// that only that rate can free the room.
func TestBodiesWaitingForRoomDoNotStallOthers(t *testing.T) {
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour})
	const senders = 6
	for i := range senders {
		conn := dial(t, srv)
		fmt.Fprintf(conn, "POST /auth-sessions HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", srv.SecretKey, 1<<20)
		if i < 4 {
			// The first four take all the room: the fake asks for their
			// bodies once it has taken it. The others wait for room.
			r := bufio.NewReader(conn)
			if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
				t.Fatalf("sender %d: %q, %v; want HTTP/1.1 100 Continue", i, line, err)
			}
		}
		conn.Write([]byte("{"))
	}
	c := client(t, srv, conductor.WithMaxRetries(0))
	if _, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_a"); err != nil {
		t.Fatalf("with %d senders stalled mid-body, a request without a body: %v", senders, err)
	}
	if _, err := c.AuthSessions.Create(testdeadline.Context(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
		t.Fatalf("with %d senders stalled mid-body, a small request: %v", senders, err)
	}
}

// TestASmallBodyPassesALargeOneWaitingForRoom: with 3.5 MiB of the
// fake's 4 MiB of bodies in flight taken by senders still sending, and a
// 1 MiB body waiting for room, an ordinary small request fits in what is
// left and is answered at once rather than queued behind the large one;
// the senders then finish and are answered too. The senders' grace is
// longer than the test, so only the fix can let the small request
// through, however slow the machine.
func TestASmallBodyPassesALargeOneWaitingForRoom(t *testing.T) {
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour})
	conductortest.SetBodyGrace(srv, time.Hour)
	body := func(n int) []byte {
		b := fmt.Sprintf(`{"endUserId":"end_usr_a","publishableKey":%q}`, srv.PublishableKey)
		return []byte(b + strings.Repeat(" ", n-len(b)))
	}
	start := func(n int) (net.Conn, *bufio.Reader) {
		conn := dial(t, srv)
		fmt.Fprintf(conn, "POST /auth-sessions HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", srv.SecretKey, n)
		return conn, bufio.NewReader(conn)
	}
	type sender struct {
		conn net.Conn
		r    *bufio.Reader
		body []byte
	}
	var senders []sender
	for _, n := range []int{1 << 20, 1 << 20, 1 << 20, 1 << 19} {
		conn, r := start(n)
		// The fake asks for the body once it has taken room for it.
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
			t.Fatalf("a sender of %d bytes: %q, %v; want HTTP/1.1 100 Continue", n, line, err)
		}
		if line, err := r.ReadString('\n'); err != nil || line != "\r\n" {
			t.Fatalf("after 100 Continue: %q, %v", line, err)
		}
		b := body(n)
		if _, err := conn.Write(b[:n-1]); err != nil {
			t.Fatal(err)
		}
		senders = append(senders, sender{conn, r, b[n-1:]})
	}
	start(1 << 20) // waits for room, and sends nothing
	waitFor(t, "the 1 MiB body to wait for room", func() bool { return conductortest.InFlightWaiting(srv) == 1 })

	c := client(t, srv, conductor.WithMaxRetries(0))
	if _, err := c.AuthSessions.Create(testdeadline.Context(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"}); err != nil {
		t.Fatalf("a small request with a large one waiting for room: %v", err)
	}
	for i, s := range senders {
		if _, err := s.conn.Write(s.body); err != nil {
			t.Fatalf("sender %d, its last byte: %v", i, err)
		}
		resp, err := http.ReadResponse(s.r, nil)
		if err != nil {
			t.Fatalf("sender %d: %v; want its answer", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("sender %d: status %d, want 200", i, resp.StatusCode)
		}
	}
}

// TestStalledHeadersDoNotLockOthersOut opens more connections than the
// fake keeps open (128), each sending the start of a request header and
// stopping, then checks that an ordinary call is answered: the fake
// closes connections that have waited longest for a whole header to make
// room for new ones. Its IOTimeout (and so its header timeout) is far
// longer than the test.
func TestStalledHeadersDoNotLockOthersOut(t *testing.T) {
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour})
	const conns = 140
	for range conns {
		conn := dial(t, srv)
		io.WriteString(conn, "GET /end-users HTTP/1.1\r\nHost: fake\r\n")
	}
	c := client(t, srv, conductor.WithMaxRetries(0))
	if _, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_a"); err != nil {
		t.Fatalf("with %d connections stalled mid-header, an ordinary call: %v", conns, err)
	}
}

// TestSlowClientsAreCutOff checks that a client that stops sending its
// request, or stops reading its answer, is disconnected after
// Options.IOTimeout: without an answer in the first case, and before the
// end of the answer in the second.
func TestSlowClientsAreCutOff(t *testing.T) {
	srv := newServer(t, conductortest.Options{Fixtures: bigListFixtures(), IOTimeout: 500 * time.Millisecond})
	reader, _ := stallReading(t, srv)
	// A sender stopped mid-body gets no answer at all (an empty one
	// would read as a success). Two, one after the other, also let the
	// fake's own clock pass the reader's timeout, which started first:
	// reading the list now must not let the fake finish writing it.
	for range 2 {
		sender, _ := stallSending(t, srv)
		if got, err := io.ReadAll(sender); err != nil || len(got) != 0 {
			t.Fatalf("a sender stopped mid-body read %q, %v; want the connection closed without an answer", got, err)
		}
	}
	// The reader, reading again, finds the answer cut short: its chunked
	// body ends without the last chunk.
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200"), reader)), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a reader that stopped read the list's %d bytes to the end (error %v); want it cut off", n, err)
	}
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// TestLongFieldsAre400 checks the length limits the fake applies: the
// spec's maxLength, as Conductor does, and its own 1 KiB for an
// end-user's fields, which the spec leaves unbounded; each refusal names
// the field.
func TestLongFieldsAre400(t *testing.T) {
	srv := newServer(t)
	if err := srv.Connect("end_usr_a"); err != nil {
		t.Fatal(err)
	}
	qbd := qbdHeader(srv, "end_usr_a")
	long := strings.Repeat("x", 1<<10+1)
	for _, tt := range []struct {
		name, path string
		header     http.Header
		body, want string
	}{
		{"companyName", "/end-users", authorized(srv), `{"companyName":"` + long + `","sourceId":"s","email":"e@example.com"}`, "companyName:"},
		{"sourceId", "/end-users", authorized(srv), `{"companyName":"Acme","sourceId":"` + long + `","email":"e@example.com"}`, "sourceId:"},
		{"email", "/end-users", authorized(srv), `{"companyName":"Acme","sourceId":"s","email":"` + long + `"}`, "email:"},
		{"a customer's name past the spec's maxLength", "/quickbooks-desktop/customers", qbd, `{"name":"` + strings.Repeat("n", 42) + `"}`, "name:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, "POST", tt.path, tt.header, tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %.300s", r.status, r.body)
			}
			if env := decodeEnvelope(t, r); !strings.HasPrefix(env.Error.Message, tt.want) {
				t.Errorf("message %q, want it to start %q", env.Error.Message, tt.want)
			}
		})
	}
}

// TestIdleConnectionsDoNotLockOthersOut opens more keep-alive connections
// than the fake keeps open (128), each asking for one thing and then
// idle, as clients' pools leave them, and checks that every one is
// answered: the fake closes idle connections to make room for new ones.
// Its IOTimeout (and so its idle timeout) is far longer than the test.
func TestIdleConnectionsDoNotLockOthersOut(t *testing.T) {
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour})
	const conns = 200
	var wg sync.WaitGroup
	for range conns {
		conn := dial(t, srv)
		wg.Go(func() {
			fmt.Fprintf(conn, "GET /end-users/end_usr_a HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\n\r\n", srv.SecretKey)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Errorf("a connection among %d: %v", conns, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("a connection among %d: %s, want 200", conns, resp.Status)
			}
		})
	}
	wg.Wait()
}

// TestBlankEndUserHeaderIs400: an end-user header of only white space,
// ASCII or not, is a 400 saying the header is required, as a missing one
// is, not a 404 for an end-user named by blanks. (net/http trims ASCII
// spaces and tabs from a header itself; the no-break and ideographic
// spaces reach the fake.)
func TestBlankEndUserHeaderIs400(t *testing.T) {
	srv := newServer(t)
	const want = "Conductor-End-User-Id: the header is required: the id (end_usr_...) of the end-user whose QuickBooks Desktop to use."
	for _, blank := range []string{"", "   ", "\u00a0", " \u3000 "} {
		h := authorized(srv)
		h.Set("Conductor-End-User-Id", blank)
		r := send(t, srv, "GET", "/quickbooks-desktop/customers", h, "")
		if env := decodeEnvelope(t, r); r.status != http.StatusBadRequest || env.Error.Message != want {
			t.Errorf("end-user header %q: status %d, message %q; want 400, %q", blank, r.status, env.Error.Message, want)
		}
	}
}

// TestAnEmptyPathParameterIsNoResource: a path whose id is empty (//)
// names no resource: a 404 for the path, not an operation on an object
// whose id is "".
func TestAnEmptyPathParameterIsNoResource(t *testing.T) {
	srv := fixtureServer(t, nil)
	for _, tt := range []struct{ method, path string }{
		{"POST", "/end-users//passthrough/quickbooks_desktop"},
		{"POST", "/quickbooks-desktop/invoices//void"},
	} {
		r := send(t, srv, tt.method, tt.path, asEndUserA(srv), `{"CompanyQueryRq":{}}`)
		want := "There is no resource at " + tt.method + " " + tt.path + "."
		if env := decodeEnvelope(t, r); r.status != http.StatusNotFound || env.Error.Code != "RESOURCE_MISSING" || env.Error.Message != want {
			t.Errorf("%s %s: status %d, %s %q; want 404, RESOURCE_MISSING %q", tt.method, tt.path, r.status, env.Error.Code, env.Error.Message, want)
		}
	}
}

// TestAGivenAddressIsTheURL: a fake told to listen on a loopback address
// other than 127.0.0.1 names that address in its URL, and answers there.
// Where the machine has no such address the case is skipped.
func TestAGivenAddressIsTheURL(t *testing.T) {
	for _, tt := range []struct{ addr, host string }{{"127.0.0.2:0", "127.0.0.2"}, {"[::1]:0", "::1"}} {
		t.Run(tt.addr, func(t *testing.T) {
			srv, err := conductortest.NewServerWithOptions(conductortest.Options{Addr: tt.addr})
			if err != nil {
				t.Skipf("cannot listen on %s here: %v", tt.addr, err)
			}
			t.Cleanup(srv.Close)
			if u, err := url.Parse(srv.URL); err != nil || u.Hostname() != tt.host {
				t.Fatalf("URL %q; want one on %s", srv.URL, tt.host)
			}
			if r := send(t, srv, "GET", "/end-users", authorized(srv), ""); r.status != http.StatusOK {
				t.Errorf("listing end-users at %s: status %d: %s", srv.URL, r.status, r.body)
			}
		})
	}
}
