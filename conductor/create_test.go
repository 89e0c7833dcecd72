package conductor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
)

func TestCreateReturnsTheSession(t *testing.T) {
	srv := newScriptServer(t, okReply)
	c := srv.client(t, conductor.WithHeader("Conductor-Timeout-Seconds", "30"))
	got, err := create(t, c, validParams)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	want := &conductor.AuthSession{
		ID:           "auth_sess_1234567abcdefg",
		ObjectType:   "auth_session",
		EndUserID:    "end_usr_1234567abcdefg",
		ClientSecret: "auth_sess_client_secret_1234567abcdefg",
		AuthFlowURL:  "https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_conductor_test_0123456789",
		RedirectURL:  "",
		CreatedAt:    time.Date(2024, 1, 1, 12, 34, 56, 789e6, time.UTC),
		ExpiresAt:    time.Date(2024, 1, 1, 13, 4, 56, 789e6, time.UTC),
		RequestID:    "req_ok",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("session mismatch (-want +got):\n%s", diff)
	}

	reqs := srv.got()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	gotReq := map[string]string{
		"method":        r.method,
		"path":          r.path,
		"Authorization": r.header.Get("Authorization"),
		"User-Agent":    r.header.Get("User-Agent"),
		"Content-Type":  r.header.Get("Content-Type"),
		"Timeout":       r.header.Get("Conductor-Timeout-Seconds"),
	}
	wantReq := map[string]string{
		"method":        "POST",
		"path":          "/auth-sessions",
		"Authorization": "Bearer " + testAPIKey,
		"User-Agent":    "conductor-go/" + conductor.Version,
		"Content-Type":  "application/json",
		"Timeout":       "30",
	}
	if diff := cmp.Diff(wantReq, gotReq); diff != "" {
		t.Errorf("request mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateKeepsTheBaseURLPath(t *testing.T) {
	srv := newScriptServer(t, okReply)
	c := srv.client(t, conductor.WithBaseURL(srv.URL+"/v1/"))
	if _, err := create(t, c, validParams); err != nil {
		t.Fatal(err)
	}
	if got := srv.got()[0].path; got != "/v1/auth-sessions" {
		t.Errorf("path = %q, want /v1/auth-sessions", got)
	}
}

func TestCreateReturnsRedirectURL(t *testing.T) {
	body := strings.Replace(sessionJSON, `"redirectUrl": null`, `"redirectUrl": "https://example.com/cb"`, 1)
	srv := newScriptServer(t, reply{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: body})
	got, err := create(t, srv.client(t), validParams)
	if err != nil {
		t.Fatal(err)
	}
	if got.RedirectURL != "https://example.com/cb" {
		t.Errorf("RedirectURL = %q", got.RedirectURL)
	}
}

func TestCreateRefusesAnInvalidSession(t *testing.T) {
	json := map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": "req_bad"}
	tests := []struct {
		name    string
		reply   reply
		message string
	}{
		{"bad JSON", reply{200, json, `{"id": "auth_sess_1",`, 0}, "unexpected end of JSON"},
		{"not an object", reply{200, json, `[1,2]`, 0}, "cannot unmarshal array"},
		{"wrong type for a field", reply{200, json, strings.Replace(sessionJSON, `"id": "auth_sess_1234567abcdefg"`, `"id": 7`, 1), 0}, "cannot unmarshal number"},
		{"wrong objectType", reply{200, json, strings.Replace(sessionJSON, `"objectType": "auth_session"`, `"objectType": "end_user"`, 1), 0}, `objectType is "end_user"`},
		{"missing objectType", reply{200, json, strings.Replace(sessionJSON, `"objectType": "auth_session",`, ``, 1), 0}, `objectType is ""`},
		{"missing id", reply{200, json, strings.Replace(sessionJSON, `"id": "auth_sess_1234567abcdefg",`, ``, 1), 0}, "no id"},
		{"missing client secret", reply{200, json, strings.Replace(sessionJSON, `"clientSecret": "auth_sess_client_secret_1234567abcdefg",`, ``, 1), 0}, "no clientSecret"},
		{"createdAt not RFC 3339", reply{200, json, strings.Replace(sessionJSON, `"2024-01-01T12:34:56.789Z"`, `"01/01/2024 12:34"`, 1), 0}, "createdAt"},
		{"expiresAt not RFC 3339", reply{200, json, strings.Replace(sessionJSON, `"2024-01-01T13:04:56.789Z"`, `"tomorrow"`, 1), 0}, "expiresAt"},
		{"HTML", reply{200, map[string]string{"Content-Type": "text/html"}, `<html>hi</html>`, 0}, "text/html"},
		{"empty", reply{200, json, ``, 0}, "unexpected end of JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, tt.reply)
			session, err := create(t, srv.client(t), validParams)
			if session != nil {
				t.Fatalf("session = %+v; want nil", session)
			}
			var apiErr *conductor.Error
			if !errors.As(err, &apiErr) || !errors.Is(err, conductor.ErrInvalidResponse) {
				t.Fatalf("err = %v (%T); want a *conductor.Error matching ErrInvalidResponse", err, err)
			}
			if !strings.Contains(apiErr.Message, tt.message) {
				t.Errorf("Message = %q, want it to mention %q", apiErr.Message, tt.message)
			}
			if apiErr.StatusCode != 200 || string(apiErr.Body) != tt.reply.body {
				t.Errorf("StatusCode = %d, Body = %q; want 200 and the body received", apiErr.StatusCode, apiErr.Body)
			}
			if errors.Is(err, conductor.ErrServer) {
				t.Error("an invalid 200 matches ErrServer")
			}
			if n := len(srv.got()); n != 1 {
				t.Errorf("server got %d requests; an invalid 200 must not be retried", n)
			}
		})
	}
}
