package conductor_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// customerJSON is a customer as the API answers a create.
const customerJSON = `{"id":"80000001-1234567890","objectType":"qbd_customer","name":"Acme","fullName":"Acme","isActive":true,"revisionNumber":"1","createdAt":"2024-10-01T12:34:56-07:00","updatedAt":"2024-10-01T12:34:56-07:00"}`

var createdReply = reply{status: 200, headers: jsonHeaders("Conductor-Request-Id", "req_ok"), body: customerJSON}

func createCustomer(t *testing.T, c *conductor.Client, opts ...conductor.Option) (*conductor.Customer, error) {
	t.Helper()
	return c.QBD.Customers.Create(context.Background(), testEndUserID, conductor.CustomerCreateParams{Name: "Acme"}, opts...)
}

// TestACreateThatTimedOutIsNotSentAgain: the server records the create,
// then takes longer than the attempt may. The create may have happened, so
// it is not sent again, and the error says so and how to check.
func TestACreateThatTimedOutIsNotSentAgain(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{{status: 200, stall: time.Minute}, createdReply}}
		_, err := createCustomer(t, bubbleServer(t, srv, conductor.WithTimeout(10*time.Second)))
		if !errors.Is(err, conductor.ErrWriteUnconfirmed) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want ErrWriteUnconfirmed and the attempt's deadline", err)
		}
		if !strings.Contains(err.Error(), "may have created") || !strings.Contains(err.Error(), "updatedAfter") {
			t.Errorf("err = %v; want it to say the object may exist and how to look for it", err)
		}
		if n := srv.count(); n != 1 {
			t.Errorf("server got %d creates, want 1: a second could create a second customer", n)
		}
	})
}

// TestWhenAWriteIsRetried drives creates, updates and voids into each kind
// of failure: those that certainly did not take effect are retried, the
// others are not, and say whether they may have taken effect.
func TestWhenAWriteIsRetried(t *testing.T) {
	t.Parallel()
	connFailure := envelope(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", "QuickBooks Desktop is not running")
	tests := []struct {
		name        string
		first       reply
		opts        []conductor.Option
		requests    int  // the server gets
		unconfirmed bool // the error matches ErrWriteUnconfirmed
	}{
		{"429 is retried", failure(429, "Retry-After-Ms", "1"), nil, 2, false},
		{"503 is not", failure(503), nil, 1, true},
		{"500 is not", failure(500), nil, 1, true},
		{"409 is not", failure(409), nil, 1, false},
		{"400 is not, and did not happen", failure(400), nil, 1, false},
		{"QuickBooks unreachable is not, and did not happen", reply{status: 502, headers: jsonHeaders(), body: connFailure}, nil, 1, false},
		{"x-should-retry true is", failure(503, "X-Should-Retry", "true", "Retry-After-Ms", "1"), nil, 2, false},
		{"503 with WithWriteRetries is", failure(503, "Retry-After-Ms", "1"), []conductor.Option{conductor.WithWriteRetries()}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, tt.first, createdReply)
			_, err := createCustomer(t, srv.client(t), tt.opts...)
			if n := len(srv.got()); n != tt.requests {
				t.Errorf("server got %d requests, want %d", n, tt.requests)
			}
			if got := errors.Is(err, conductor.ErrWriteUnconfirmed); got != tt.unconfirmed {
				t.Errorf("errors.Is(%v, ErrWriteUnconfirmed) = %v, want %v", err, got, tt.unconfirmed)
			}
			if tt.requests == 2 && err != nil {
				t.Errorf("the retry failed: %v", err)
			}
		})
	}
}

// TestReadsAndDeletesAreRetriedAsBefore: the write policy leaves them alone.
func TestReadsAndDeletesAreRetriedAsBefore(t *testing.T) {
	t.Parallel()
	retrieve := func(c *conductor.Client) error {
		_, err := c.QBD.Customers.Retrieve(context.Background(), testEndUserID, "80000001-1234567890")
		return err
	}
	deleteOne := func(c *conductor.Client) error {
		_, err := c.QBD.Invoices.Delete(context.Background(), testEndUserID, "80000001-1234567890")
		return err
	}
	deleted := reply{status: 200, headers: jsonHeaders(), body: `{"id":"80000001-1234567890","objectType":"qbd_invoice","deleted":true,"refNumber":null}`}
	for _, tt := range []struct {
		name string
		call func(*conductor.Client) error
		ok   reply
	}{{"retrieve", retrieve, createdReply}, {"delete", deleteOne, deleted}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(503, "Retry-After-Ms", "1"), tt.ok)
			if err := tt.call(srv.client(t)); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.got()); n != 2 {
				t.Errorf("server got %d requests, want 2: a failed read is retried", n)
			}
		})
	}
}

// TestUpdateAndVoidSayHowToCheck: the hint fits what the write does.
func TestUpdateAndVoidSayHowToCheck(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503))
	c := srv.client(t)
	_, err := c.QBD.Customers.Update(context.Background(), testEndUserID, "80000001-1234567890", conductor.CustomerUpdateParams{RevisionNumber: "1"})
	if !errors.Is(err, conductor.ErrWriteUnconfirmed) || !strings.Contains(err.Error(), "revisionNumber") {
		t.Errorf("update: %v; want ErrWriteUnconfirmed naming the revisionNumber to compare", err)
	}
	_, err = c.QBD.Invoices.Void(context.Background(), testEndUserID, "80000001-1234567890")
	if !errors.Is(err, conductor.ErrWriteUnconfirmed) || !strings.Contains(err.Error(), "Retrieve the object") {
		t.Errorf("void: %v; want ErrWriteUnconfirmed saying to retrieve the object", err)
	}
	if n := len(srv.got()); n != 2 {
		t.Errorf("server got %d requests, want 2: one each, none retried", n)
	}
}

// TestAWriteThatCouldNotConnectIsRetried: a refused connection sent
// nothing, so the write is retried, and its error does not say it may
// have happened.
func TestAWriteThatCouldNotConnectIsRetried(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL("http://"+addr),
		conductor.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = createCustomer(t, c, conductor.WithMaxRetries(1))
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts") || errors.Is(err, conductor.ErrWriteUnconfirmed) {
		t.Errorf("err = %v; want 2 attempts, and not ErrWriteUnconfirmed", err)
	}
}

// TestGenPostsAreWrites: client.Gen() cannot tell what a POST does, so it
// treats each as a write; auth sessions through the facade are retried,
// creating one twice being harmless.
func TestGenPostsAreWrites(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503, "Retry-After-Ms", "1"), okReply)
	c := srv.client(t)
	_, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey})
	if !errors.Is(err, conductor.ErrWriteUnconfirmed) || len(srv.got()) != 1 {
		t.Errorf("Gen POST: %v after %d requests; want ErrWriteUnconfirmed after 1", err, len(srv.got()))
	}
	if _, err := create(t, c, validParams); err != nil {
		t.Errorf("AuthSessions.Create after a 503: %v; want it retried", err)
	}
}
