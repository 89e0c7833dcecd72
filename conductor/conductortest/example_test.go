package conductortest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func ExampleNewServer() {
	srv := conductortest.NewServer()
	defer srv.Close()

	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	session, err := client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{
		EndUserID: "end_usr_1234567abcdefg",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(session.AuthFlowURL, srv.URL+"/qbd/auth_sess_client_secret_"))
	fmt.Println("valid for:", session.ExpiresAt.Sub(session.CreatedAt))
	fmt.Println("requests received:", len(srv.Requests()))
	// Output:
	// true
	// valid for: 30m0s
	// requests received: 1
}

func ExampleServer_Enqueue() {
	srv := conductortest.NewServer()
	defer srv.Close()

	// The next call gets an outage; the client's retry then succeeds.
	outage := conductortest.Response{
		Status: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After-Ms": {"10"}},
		Error:  &conductortest.Error{Type: "INTERNAL_ERROR", Code: "SERVICE_UNAVAILABLE", Message: "Try again."},
	}
	if err := srv.Enqueue(outage); err != nil {
		fmt.Println(err)
		return
	}
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg"})
	fmt.Println("error:", err)
	fmt.Println("requests received:", len(srv.Requests()))

	// With retries off the caller sees the error.
	if err := srv.Enqueue(outage); err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg"}, conductor.WithMaxRetries(0))
	fmt.Println("server error:", errors.Is(err, conductor.ErrServer))
	// Output:
	// error: <nil>
	// requests received: 2
	// server error: true
}

func ExampleServer_Client() {
	srv := conductortest.NewServer()
	defer srv.Close()

	// Options apply on top of the fake's settings: here a revoked key.
	client, err := srv.Client(conductor.WithAPIKey("sk_conductor_revoked"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.AuthSessions.Create(context.Background(), conductor.AuthSessionCreateParams{EndUserID: "end_usr_1234567abcdefg"})
	var apiErr *conductor.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, apiErr.Code)
		fmt.Println("request id given:", strings.HasPrefix(apiErr.RequestID, "req_"))
	}
	// Output:
	// 401 AUTHENTICATION_ERROR API_KEY_INVALID
	// request id given: true
}
