package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
)

var sentinels = []error{
	conductor.ErrBadRequest, conductor.ErrAuthentication, conductor.ErrPermissionDenied,
	conductor.ErrNotFound, conductor.ErrConflict, conductor.ErrUnprocessableEntity,
	conductor.ErrRateLimited, conductor.ErrServer, conductor.ErrInvalidResponse,
}

func TestAPIErrorsByStatus(t *testing.T) {
	tests := []struct {
		status   int
		typ      string
		code     string
		sentinel error // nil: no sentinel matches
	}{
		{400, "INVALID_REQUEST_ERROR", "PARAMETER_INVALID", conductor.ErrBadRequest},
		{401, "AUTHENTICATION_ERROR", "API_KEY_INVALID", conductor.ErrAuthentication},
		{403, "PERMISSION_ERROR", "FORBIDDEN", conductor.ErrPermissionDenied},
		{404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", conductor.ErrNotFound},
		{409, "INVALID_REQUEST_ERROR", "CONFLICT", conductor.ErrConflict},
		{410, "INVALID_REQUEST_ERROR", "GONE", nil},
		{422, "INVALID_REQUEST_ERROR", "UNPROCESSABLE", conductor.ErrUnprocessableEntity},
		{429, "INVALID_REQUEST_ERROR", "RATE_LIMITED", conductor.ErrRateLimited},
		{500, "INTERNAL_ERROR", "INTERNAL", conductor.ErrServer},
		{502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", conductor.ErrServer},
		{503, "INTERNAL_ERROR", "UNAVAILABLE", conductor.ErrServer},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d envelope", tt.status), func(t *testing.T) {
			body := envelope(tt.status, tt.typ, tt.code, "what went wrong")
			srv := newScriptServer(t, reply{status: tt.status, headers: map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": "req_header"}, body: body})
			_, err := create(t, srv.client(t, conductor.WithMaxRetries(0)), validParams)
			var got *conductor.Error
			if !errors.As(err, &got) {
				t.Fatalf("err = %v (%T), want *conductor.Error", err, err)
			}
			want := &conductor.Error{
				Method: "POST", Path: "/auth-sessions",
				StatusCode: tt.status, Type: conductor.ErrorType(tt.typ), Code: tt.code, Message: "what went wrong",
				UserFacingMessage: "Something went wrong.", RequestID: "req_envelope", Body: []byte(body),
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(conductor.Error{})); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			wantMsg := fmt.Sprintf("conductor: POST /auth-sessions: %d %s %s: what went wrong (request req_envelope)", tt.status, tt.typ, tt.code)
			if err.Error() != wantMsg {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), wantMsg)
			}
			checkSentinels(t, err, tt.sentinel)
		})
		t.Run(fmt.Sprintf("%d not an envelope", tt.status), func(t *testing.T) {
			html := "<html><body><h1>Bad Gateway</h1></body></html>"
			srv := newScriptServer(t, reply{status: tt.status, headers: map[string]string{"Content-Type": "text/html", "Conductor-Request-Id": "req_header"}, body: html})
			_, err := create(t, srv.client(t, conductor.WithMaxRetries(0)), validParams)
			var got *conductor.Error
			if !errors.As(err, &got) {
				t.Fatalf("err = %v (%T), want *conductor.Error", err, err)
			}
			if got.StatusCode != tt.status || got.Type != "" || got.Code != "" || got.RequestID != "req_header" || string(got.Body) != html {
				t.Errorf("got %+v; want status %d, no type or code, the header's request id and the raw body", got, tt.status)
			}
			for _, part := range []string{fmt.Sprint(tt.status), "not a Conductor error envelope", "text/html", "Bad Gateway", "req_header"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Error() = %q, want it to contain %q", err, part)
				}
			}
			checkSentinels(t, err, tt.sentinel)
		})
	}
}

func checkSentinels(t *testing.T, err error, want error) {
	t.Helper()
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(err, %v) = %v, want %v", s, got, s == want)
		}
	}
}

func TestAPIErrorWithOddBodies(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"empty", "application/json", "", "the body is empty"},
		{"cut short", "application/json", `{"error":{"message":"boom","type":"INT`, "not a Conductor error envelope"},
		{"JSON but not the envelope", "application/json", `{"message":"nope"}`, `starting "{\"message\":\"nope\"}"`},
		{"an envelope without its type", "application/json", `{"error":{"message":"upstream down"}}`, "not a Conductor error envelope"},
		{"binary", "application/octet-stream", "\x00\x01\x02\xff", "4 bytes of application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, reply{status: 400, headers: map[string]string{"Content-Type": tt.contentType}, body: tt.body})
			_, err := create(t, srv.client(t), validParams)
			var got *conductor.Error
			if !errors.As(err, &got) || got.StatusCode != 400 {
				t.Fatalf("err = %v; want a 400 *conductor.Error", err)
			}
			if !strings.Contains(got.Message, tt.want) {
				t.Errorf("Message = %q, want it to contain %q", got.Message, tt.want)
			}
		})
	}
}

func TestIntegrationCodeIsLifted(t *testing.T) {
	body := `{"error":{"message":"QuickBooks refused","userFacingMessage":"QuickBooks refused","type":"INTEGRATION_ERROR","code":"QBD_REQUEST_ERROR","httpStatusCode":400,"integrationCode":"0x80040420","requestId":"req_qb"}}`
	srv := newScriptServer(t, reply{status: 400, headers: map[string]string{"Content-Type": "application/json"}, body: body})
	_, err := create(t, srv.client(t), validParams)
	var got *conductor.Error
	if !errors.As(err, &got) || got.IntegrationCode != "0x80040420" || got.RequestID != "req_qb" {
		t.Fatalf("err = %#v; want IntegrationCode 0x80040420 and RequestID req_qb", err)
	}
}

// TestAnErrorNamesItsOperation: a QuickBooks call's error says which
// operation failed, and its type is a constant to compare with.
func TestAnErrorNamesItsOperation(t *testing.T) {
	body := envelope(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", "QuickBooks Desktop is not running")
	srv := newScriptServer(t, reply{status: 502, headers: jsonHeaders(), body: body})
	_, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Retrieve(context.Background(), "end_usr_a", "80000001-1234567890")
	var got *conductor.Error
	if !errors.As(err, &got) {
		t.Fatalf("err = %v, want *conductor.Error", err)
	}
	if got.Method != "GET" || got.Path != "/quickbooks-desktop/invoices/80000001-1234567890" || got.Type != conductor.ErrorTypeIntegrationConnection {
		t.Errorf("Method %q, Path %q, Type %q; want the invoice's GET and ErrorTypeIntegrationConnection", got.Method, got.Path, got.Type)
	}
	want := "conductor: GET /quickbooks-desktop/invoices/80000001-1234567890: 502 INTEGRATION_CONNECTION_ERROR QBD_CONNECTION_ERROR: QuickBooks Desktop is not running (request req_envelope)"
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", err.Error(), want)
	}
}
