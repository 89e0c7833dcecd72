package conductortest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
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
