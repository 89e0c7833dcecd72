package conductor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// qbdDown is Conductor's answer when the end-user's QuickBooks Desktop
// cannot be reached: the request never reached QuickBooks.
func qbdDown() reply {
	return reply{status: 502, headers: jsonHeaders(), body: envelope(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", "QuickBooks Desktop is not running")}
}

// TestARefusedResendLeavesTheFirstAttemptUnknown: a re-send turned away
// before it reached QuickBooks (QuickBooks gone offline, a rate limit, the
// key refused) says nothing of what the first attempt did, which may have
// been carried out; the call must stay unconfirmed, never end as though
// the write had failed.
func TestARefusedResendLeavesTheFirstAttemptUnknown(t *testing.T) {
	t.Parallel()
	voidPath := invoicePath + "/void"
	unauthorized := reply{status: 401, headers: jsonHeaders(), body: envelope(401, "AUTHENTICATION_ERROR", "INVALID_API_KEY", "The API key is not valid.")}
	tests := []struct {
		name    string
		replies []reply
		call    func(c *conductor.Client) error
		want    []reqLine
	}{
		{"update, QuickBooks offline", []reply{failure(503), qbdDown()},
			func(c *conductor.Client) error { _, err := rename(t, c); return err },
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}}},
		{"update, a conflict with another request", []reply{failure(503), {status: 409, headers: jsonHeaders(), body: envelope(409, "INVALID_REQUEST_ERROR", "CONFLICT", "Another request for this end-user is in progress.")}},
			func(c *conductor.Client) error { _, err := rename(t, c); return err },
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}}},
		{"update, key refused", []reply{failure(503), unauthorized},
			func(c *conductor.Client) error { _, err := rename(t, c); return err },
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}}},
		{"delete, QuickBooks offline", []reply{failure(503), ok(invoiceJSONFor(`null`)), qbdDown()},
			func(c *conductor.Client) error {
				_, err := c.QBD.Invoices.Delete(context.Background(), testEndUserID, objectID)
				return err
			},
			[]reqLine{{"DELETE", invoicePath}, {"GET", invoicePath}, {"DELETE", invoicePath}}},
		{"void, QuickBooks offline", []reply{failure(503), ok(invoiceJSONFor(`null`)), qbdDown(), ok(invoiceJSONFor(`null`))},
			func(c *conductor.Client) error {
				_, err := c.QBD.Invoices.Void(context.Background(), testEndUserID, objectID)
				return err
			},
			[]reqLine{{"POST", voidPath}, {"GET", invoicePath}, {"POST", voidPath}, {"GET", invoicePath}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, tt.replies...)
			err := tt.call(srv.client(t, conductor.WithMaxRetries(0)))
			if diff := cmp.Diff(tt.want, lines(srv.script)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			var u *conductor.UnconfirmedWriteError
			if !errors.As(err, &u) || !errors.Is(err, conductor.ErrWriteUnconfirmed) {
				t.Fatalf("err = %v; want unconfirmed: the first attempt may have been carried out", err)
			}
		})
	}
}

// TestTextThatReadsAsANumberIsComparedAsText: "100" and "100.00" are the
// same amount, but a name or reference number of "0042" is not "42", nor
// "1/2" "2/4": an update whose re-send is stale, and whose object then
// holds someone else's text, is the caller's conflict, not applied.
func TestTextThatReadsAsANumberIsComparedAsText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ sent, stored string }{{"0042", "42"}, {"42", "0042"}, {"1/2", "2/4"}, {"1e2", "100"}, {"0x10", "16"}} {
		t.Run(tt.sent, func(t *testing.T) {
			t.Parallel()
			stored := strings.Replace(updatedJSON, `"name":"Acme Ltd"`, `"name":"`+tt.stored+`"`, 1)
			srv := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(stored))
			_, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Customers.Update(context.Background(), testEndUserID, objectID,
				conductor.CustomerUpdateParams{RevisionNumber: "1", Name: &tt.sent})
			var apiErr *conductor.Error
			if errors.Is(err, conductor.ErrWriteUnconfirmed) || !errors.As(err, &apiErr) || apiErr.IntegrationCode != "3200" {
				t.Fatalf("err = %v; want the stale-revision conflict: the customer is named %q, not %q", err, tt.stored, tt.sent)
			}
		})
	}
}

// TestAnAmountIsComparedAsANumber: QuickBooks keeps an amount sent as
// "100" as "100.00"; an update found stale whose object holds that is
// applied.
func TestAnAmountIsComparedAsANumber(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ sent, stored string }{{"100", `"100.00"`}, {"-0.5", `"-0.50"`}, {"7.10", `"7.1"`}} {
		t.Run(tt.sent, func(t *testing.T) {
			t.Parallel()
			stored := strings.Replace(updatedJSON, `"isActive":true`, `"isActive":true,"creditLimit":`+tt.stored, 1)
			srv := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(stored))
			_, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Customers.Update(context.Background(), testEndUserID, objectID,
				conductor.CustomerUpdateParams{RevisionNumber: "1", Name: new("Acme Ltd"), CreditLimit: &tt.sent})
			if err != nil {
				t.Fatalf("err = %v; want applied: %s is %s", err, tt.stored, tt.sent)
			}
		})
	}
}

// TestAnInactiveObjectCreatedIsFound: QuickBooks lists only active
// customers, vendors, items and employees unless asked for all; a create
// of an inactive one that landed must still be found by its externalId,
// not sent again once the first can no longer land (a second customer of
// the same name is refused: the caller would be told the create failed
// while it is in the books).
func TestAnInactiveObjectCreatedIsFound(t *testing.T) {
	t.Parallel()
	fake, c := faultyFake(t)
	if err := fake.Enqueue(conductortest.Response{Fault: conductortest.ApplyThenDrop}); err != nil {
		t.Fatal(err)
	}
	eu := conductortest.DemoEndUserID
	got, err := c.QBD.Customers.Create(context.Background(), eu, conductor.CustomerCreateParams{Name: "Dormant Ltd", IsActive: new(false)})
	if err != nil {
		t.Fatalf("create: %v; want the customer the first attempt created", err)
	}
	var names []string
	for cu, err := range c.QBD.Customers.All(context.Background(), eu, &conductor.CustomerListParams{Status: new(conductor.Status("all"))}) {
		if err != nil {
			t.Fatal(err)
		}
		if cu.Name == "Dormant Ltd" {
			names = append(names, cu.ID)
		}
	}
	if diff := cmp.Diff([]string{got.ID}, names); diff != "" {
		t.Errorf("the books' customers named Dormant Ltd (-want +got):\n%s", diff)
	}
}

// TestAnExternalIDFoundTwiceIsNotTakenForTheCreate: a caller that set an
// externalId it had used before (an hour ago) has two objects with it in
// the books once its create lands; the lookup cannot tell which is this
// call's, and must not return the old one as created.
func TestAnExternalIDFoundTwiceIsNotTakenForTheCreate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		reused := conductor.UUID{0x6f, 0x1c, 0x2e, 0x3a, 0x4b, 0x5d, 0x4e, 0x6f, 0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0, 0xf1}
		old := map[string]any{"id": "80000001-OLD", "objectType": "qbd_customer", "name": "Acme (last year's)", "fullName": "Acme (last year's)",
			"externalId": reused.String(), "isActive": true, "revisionNumber": "1",
			"createdAt": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "updatedAt": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}
		b := &books{answers: []string{"applied503"}, created: []map[string]any{old}}
		got, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0)), context.Background(), &reused)
		if err == nil && got.ID == "80000001-OLD" {
			t.Fatalf("got the customer created an hour ago with the same externalId, %+v; want this call's, or unconfirmed", got)
		}
		var u *conductor.UnconfirmedWriteError
		if !errors.As(err, &u) || u.ExternalID != reused.String() {
			t.Fatalf("got %+v, %v; want unconfirmed, naming the externalId found twice", got, err)
		}
		if !strings.Contains(err.Error(), "2 objects") {
			t.Errorf("err = %v; want it to say that 2 objects have the externalId", err)
		}
		if creates, _ := b.count(); creates != 1 {
			t.Errorf("%d creates; want no re-send", creates)
		}
	})
}

// TestWithResponseAfterAResolutionIsItsLastAnswer: a write the client
// resolved fills WithResponse's Response with the answer to the last
// request resolution made, as documented: here the retrieve's "no such
// object" that showed the delete done.
func TestWithResponseAfterAResolutionIsItsLastAnswer(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503), integrationError(404, "500"))
	var resp conductor.Response
	if _, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Delete(context.Background(), testEndUserID, objectID, conductor.WithResponse(&resp)); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 404 {
		t.Errorf("resp.StatusCode = %d; want 404, the retrieve's answer", resp.StatusCode)
	}
}
