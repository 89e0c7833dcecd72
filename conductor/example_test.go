package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// exampleServer stands in for Conductor so that the examples run offline:
// it answers every request with the response given.
func exampleServer(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Conductor-Request-Id", "req_1234567abcdefg")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
}

func ExampleAuthSessionsService_Create() {
	srv := exampleServer(200, sessionJSON)
	defer srv.Close()

	// In production: conductor.NewClient() reads CONDUCTOR_SECRET_KEY.
	client, err := conductor.NewClient(
		conductor.WithAPIKey("sk_conductor_..."),
		conductor.WithBaseURL(srv.URL),
		conductor.WithPublishableKey("pk_conductor_..."),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	session, err := client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
		EndUserID:  "end_usr_1234567abcdefg",
		LinkExpiry: 30 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("send the end-user to:", session.AuthFlowURL)
	fmt.Println("valid for:", session.ExpiresAt.Sub(session.CreatedAt))
	// Output:
	// send the end-user to: https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_conductor_test_0123456789
	// valid for: 30m0s
}

func ExampleError() {
	srv := exampleServer(401, `{"error":{"message":"Invalid API key provided.","userFacingMessage":"An internal server error occurred. Please try again.","type":"AUTHENTICATION_ERROR","code":"API_KEY_INVALID","httpStatusCode":401,"requestId":"req_1234567abcdefg"}}`)
	defer srv.Close()

	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_revoked"), conductor.WithBaseURL(srv.URL))
	_, err := client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
		EndUserID:      "end_usr_1234567abcdefg",
		PublishableKey: "pk_conductor_...",
	})

	var apiErr *conductor.Error
	if errors.As(err, &apiErr) {
		fmt.Println("code:", apiErr.Code)
		fmt.Println("for support:", apiErr.RequestID)
	}
	fmt.Println("authentication problem:", errors.Is(err, conductor.ErrAuthentication))
	fmt.Println(err)
	// Output:
	// code: API_KEY_INVALID
	// for support: req_1234567abcdefg
	// authentication problem: true
	// conductor: POST /auth-sessions: 401 AUTHENTICATION_ERROR API_KEY_INVALID: Invalid API key provided. (request req_1234567abcdefg)
}

func ExampleValidationError() {
	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."))
	_, err := client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
		EndUserID:      "end_usr_1234567abcdefg",
		PublishableKey: "pk_conductor_...",
		LinkExpiry:     10 * time.Minute,
	})
	var verr *conductor.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Field)
		fmt.Println(err)
	}
	// Output:
	// LinkExpiry
	// conductor: invalid LinkExpiry: must be 0 (the server's default, 30m) or a whole number of minutes from 15m to 168h (7 days); got 10m0s
}
