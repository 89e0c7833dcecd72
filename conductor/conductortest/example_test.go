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
	ctx := context.Background()
	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	session, err := client.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: endUser.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(session.AuthFlowURL, srv.URL+"/qbd/auth_sess_client_secret_"))
	fmt.Println("valid for:", session.ExpiresAt.Sub(session.CreatedAt))
	fmt.Println("requests received:", len(srv.Requests()))

	// Until the end-user completes the flow (following AuthFlowURL's
	// link, or srv.Connect in a test), their QuickBooks is not reachable.
	_, err = client.QBD.HealthCheck(ctx, endUser.ID, conductor.WithMaxRetries(0))
	var apiErr *conductor.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Type)
	}
	// Output:
	// true
	// valid for: 30m0s
	// requests received: 2
	// INTEGRATION_CONNECTION_ERROR
}

// With Demo, the fake starts with a connected end-user and a small company
// file: customers, items and invoices, which the fake keeps as it changes
// them.
func ExampleOptions_demo() {
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	customer, err := client.QBD.Customers.Create(ctx, conductortest.DemoEndUserID, conductor.CustomerCreateParams{Name: "Hooli"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for c, err := range client.QBD.Customers.All(ctx, conductortest.DemoEndUserID, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(c.FullName)
	}
	_, err = client.QBD.Customers.Update(ctx, conductortest.DemoEndUserID, customer.ID, conductor.CustomerUpdateParams{RevisionNumber: "41"})
	var apiErr *conductor.Error
	if errors.As(err, &apiErr) {
		fmt.Println("stale revision:", apiErr.Type, apiErr.IntegrationCode)
	}
	// Output:
	// Acme Corporation
	// Globex
	// Initech
	// Hooli
	// stale revision: INTEGRATION_ERROR 3200
}

func ExampleServer_Enqueue() {
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		fmt.Println(err)
		return
	}
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
	ctx := context.Background()
	page, err := client.QBD.Customers.List(ctx, conductortest.DemoEndUserID, nil)
	fmt.Println("error:", err, "customers:", len(page.Data))
	fmt.Println("requests received:", len(srv.Requests()))

	// With retries off the caller sees the error.
	if err := srv.Enqueue(outage); err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.QBD.Customers.List(ctx, conductortest.DemoEndUserID, nil, conductor.WithMaxRetries(0))
	fmt.Println("server error:", errors.Is(err, conductor.ErrServer))
	// Output:
	// error: <nil> customers: 3
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
