package conductor_test

import (
	"context"
	"encoding/json"
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
		fmt.Println(verr.Fields[0].Field)
		fmt.Println(err)
	}
	// Output:
	// LinkExpiry
	// conductor: invalid LinkExpiry: must be 0 (the server's default, 30m) or a whole number of minutes from 15m to 168h (7 days); got 10m0s
}

// exampleAPI stands in for Conductor with an answer per "METHOD path".
func exampleAPI(answers map[string]string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			body = `{"error":{"message":"no such route in this example","userFacingMessage":"","type":"INVALID_REQUEST_ERROR","code":"RESOURCE_MISSING","httpStatusCode":404,"requestId":"req_x"}}`
		}
		// An error envelope is sent with its own status.
		var env struct {
			Error *struct {
				Status int `json:"httpStatusCode"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(body), &env) == nil && env.Error != nil {
			w.WriteHeader(env.Error.Status)
		}
		io.WriteString(w, body)
	}))
}

// The path every integration starts with: an end-user for your customer,
// then an auth session whose link connects their QuickBooks Desktop.
func ExampleEndUsersService_Create() {
	srv := exampleAPI(map[string]string{
		"POST /end-users":     `{"id":"end_usr_1234567abcdefg","objectType":"end_user","companyName":"Acme","sourceId":"acct_42","email":"ap@acme.example","createdAt":"2024-10-01T12:34:56.000Z","integrationConnections":[]}`,
		"POST /auth-sessions": sessionJSON,
	})
	defer srv.Close()
	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."), conductor.WithBaseURL(srv.URL), conductor.WithPublishableKey("pk_conductor_..."))
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
	fmt.Println("end-user:", endUser.ID)
	fmt.Println("connect at:", session.AuthFlowURL)
	// Output:
	// end-user: end_usr_1234567abcdefg
	// connect at: https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_conductor_test_0123456789
}

// All pages through every invoice that matches, here those updated since a
// time; the loop body runs while the next page is fetched.
func ExampleInvoicesService_All() {
	srv := exampleAPI(map[string]string{
		"GET /quickbooks-desktop/invoices": `{"objectType":"list","url":"/v1/quickbooks-desktop/invoices","data":[` +
			`{"id":"80000001-1234567890","objectType":"qbd_invoice","refNumber":"INV-1","subtotal":"1000.00","balanceRemaining":"250.00"},` +
			`{"id":"80000002-1234567890","objectType":"qbd_invoice","refNumber":"INV-2","subtotal":"99.90","balanceRemaining":"0.00"}],` +
			`"nextCursor":null,"hasMore":false,"remainingCount":0}`,
	})
	defer srv.Close()
	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."), conductor.WithBaseURL(srv.URL))

	since := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	params := &conductor.InvoiceListParams{UpdatedAfter: &conductor.DateTime{Time: since}}
	for invoice, err := range client.QBD.Invoices.All(context.Background(), "end_usr_1234567abcdefg", params) {
		if err != nil {
			fmt.Println(err)
			return
		}
		// Money is a decimal string, never a float.
		fmt.Println(*invoice.RefNumber, invoice.Subtotal, "due:", *invoice.BalanceRemaining)
	}
	// Output:
	// INV-1 1000.00 due: 250.00
	// INV-2 99.90 due: 0.00
}

func ExampleCustomersService_Create() {
	srv := exampleAPI(map[string]string{
		"POST /quickbooks-desktop/customers": customerJSON,
	})
	defer srv.Close()
	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."), conductor.WithBaseURL(srv.URL))

	customer, err := client.QBD.Customers.Create(context.Background(), "end_usr_1234567abcdefg", conductor.CustomerCreateParams{Name: "Acme"})
	if errors.Is(err, conductor.ErrWriteUnconfirmed) {
		// Sent, but no answer: it may exist. Look before creating it again.
		fmt.Println(err)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(customer.ID, customer.FullName, "revision", customer.RevisionNumber)
	// Output:
	// 80000001-1234567890 Acme revision 1
}

// INTEGRATION_CONNECTION_ERROR means the end-user's QuickBooks Desktop (or
// its Web Connector) is not running: nothing to fix in your code, and
// Conductor advises not to alert on it. Tell the end-user instead.
func ExampleErrorType() {
	srv := exampleAPI(map[string]string{
		"GET /quickbooks-desktop/health-check": `{"error":{"message":"The end-user's QuickBooks Desktop is not running.","userFacingMessage":"QuickBooks Desktop is not running. Open it and try again.","type":"INTEGRATION_CONNECTION_ERROR","code":"QBD_CONNECTION_ERROR","httpStatusCode":502,"requestId":"req_1234567abcdefg"}}`,
	})
	defer srv.Close()
	client, _ := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."), conductor.WithBaseURL(srv.URL), conductor.WithMaxRetries(0))

	_, err := client.QBD.HealthCheck(context.Background(), "end_usr_1234567abcdefg")
	var apiErr *conductor.Error
	if errors.As(err, &apiErr) && apiErr.Type == conductor.ErrorTypeIntegrationConnection {
		fmt.Println("tell the end-user:", apiErr.UserFacingMessage)
		return
	}
	fmt.Println(err)
	// Output:
	// tell the end-user: QuickBooks Desktop is not running. Open it and try again.
}
