package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// The tests in this file drive each kind of write into an unknown outcome
// (the server answers 503, which may mean it carried the write out) and
// check what the default policy, ResolveWrites, finds out, over real HTTP
// in a synctest bubble, where the waits for a create's first attempt to
// land cost no real time.

const objectID = "80000001-1234567890"

// reqLine is what a test expects of one request: method and path.
type reqLine struct{ Method, Path string }

func lines(s *script) []reqLine {
	var out []reqLine
	for _, r := range s.got() {
		out = append(out, reqLine{r.method, r.path})
	}
	return out
}

func ok(body string) reply { return reply{status: 200, headers: jsonHeaders(), body: body} }

// integrationError is QuickBooks's error code as Conductor passes it on.
func integrationError(status int, code string) reply {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": "QuickBooks said no (" + code + ")", "userFacingMessage": "QuickBooks said no.", "type": "INTEGRATION_ERROR",
		"code": "INTEGRATION_ERROR", "integrationCode": code, "httpStatusCode": status, "requestId": "req_qb",
	}})
	return reply{status: status, headers: jsonHeaders(), body: string(b)}
}

const (
	customersPath = "/quickbooks-desktop/customers"
	customerPath  = customersPath + "/" + objectID
	invoicePath   = "/quickbooks-desktop/invoices/" + objectID
)

// updated is the customer after an update that renamed it to Acme Ltd.
const updatedJSON = `{"id":"80000001-1234567890","objectType":"qbd_customer","name":"Acme Ltd","fullName":"Acme Ltd","isActive":true,"revisionNumber":"2","createdAt":"2024-10-01T12:34:56-07:00","updatedAt":"2024-10-02T12:34:56-07:00"}`

func rename(t *testing.T, c *conductor.Client, opts ...conductor.Option) (*conductor.Customer, error) {
	t.Helper()
	return c.QBD.Customers.Update(context.Background(), testEndUserID, objectID, conductor.CustomerUpdateParams{RevisionNumber: "1", Name: new("Acme Ltd")}, opts...)
}

func TestAnUnknownUpdateIsResolved(t *testing.T) {
	t.Parallel()
	stale := integrationError(400, "3200")
	tests := []struct {
		name    string
		replies []reply
		want    []reqLine
		wantErr string // "" success, "conflict" the 3200 error
	}{
		{"applied: the re-send is stale and the object holds what was sent", []reply{failure(503), stale, ok(updatedJSON)},
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}, {"GET", customerPath}}, ""},
		{"not applied: one re-send applies it", []reply{failure(503), ok(updatedJSON)},
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}}, ""},
		{"someone else changed it: the caller's conflict", []reply{failure(503), stale, ok(customerJSON)},
			[]reqLine{{"POST", customerPath}, {"POST", customerPath}, {"GET", customerPath}}, "conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, tt.replies...)
			got, err := rename(t, srv.client(t, conductor.WithMaxRetries(0)))
			if diff := cmp.Diff(tt.want, lines(srv.script)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			var apiErr *conductor.Error
			switch tt.wantErr {
			case "":
				if err != nil || got.Name != "Acme Ltd" {
					t.Fatalf("got %+v, %v; want the renamed customer", got, err)
				}
			case "conflict":
				if errors.Is(err, conductor.ErrWriteUnconfirmed) || !errors.As(err, &apiErr) || apiErr.IntegrationCode != "3200" {
					t.Fatalf("err = %v; want the stale-revision error itself, not unconfirmed", err)
				}
			}
		})
	}
}

func TestAnUnknownDeleteIsResolved(t *testing.T) {
	t.Parallel()
	deletedJSON := `{"id":"80000001-1234567890","objectType":"qbd_invoice","deleted":true,"refNumber":"INV-1"}`
	tests := []struct {
		name    string
		replies []reply
		want    []reqLine
	}{
		{"applied: the retrieve finds nothing", []reply{failure(503), integrationError(404, "500")},
			[]reqLine{{"DELETE", invoicePath}, {"GET", invoicePath}}},
		{"not applied: the retrieve finds it, one re-send deletes it", []reply{failure(503), ok(invoiceJSONFor(`null`)), ok(deletedJSON)},
			[]reqLine{{"DELETE", invoicePath}, {"GET", invoicePath}, {"DELETE", invoicePath}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, tt.replies...)
			got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Delete(context.Background(), testEndUserID, objectID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, lines(srv.script)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if got.ID != objectID || !got.Deleted || got.ObjectType != "qbd_invoice" {
				t.Errorf("got %+v; want the invoice deleted", got)
			}
		})
	}
}

// invoiceJSONFor is an invoice whose memo is memo (a JSON value).
func invoiceJSONFor(memo string) string {
	return `{"id":"80000001-1234567890","objectType":"qbd_invoice","refNumber":"INV-1","memo":` + memo + `,"revisionNumber":"2","createdAt":"2024-10-01T12:34:56-07:00","updatedAt":"2024-10-02T12:34:56-07:00"}`
}

func TestAnUnknownVoidIsResolved(t *testing.T) {
	t.Parallel()
	voidPath := invoicePath + "/void"
	tests := []struct {
		name    string
		replies []reply
		want    []reqLine
		wantErr bool
	}{
		{"applied: the retrieve shows it voided", []reply{failure(503), ok(invoiceJSONFor(`"VOID: wrong customer"`))},
			[]reqLine{{"POST", voidPath}, {"GET", invoicePath}}, false},
		{"not applied: one re-send voids it", []reply{failure(503), ok(invoiceJSONFor(`null`)), ok(strings.Replace(invoiceJSONFor(`"VOID:"`), `"revisionNumber"`, `"voided":true,"revisionNumber"`, 1))},
			[]reqLine{{"POST", voidPath}, {"GET", invoicePath}, {"POST", voidPath}}, false},
		{"gone: the retrieve's error", []reply{failure(503), integrationError(404, "500")},
			[]reqLine{{"POST", voidPath}, {"GET", invoicePath}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, tt.replies...)
			got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Void(context.Background(), testEndUserID, objectID)
			if diff := cmp.Diff(tt.want, lines(srv.script)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tt.wantErr {
				if err == nil || errors.Is(err, conductor.ErrWriteUnconfirmed) {
					t.Fatalf("err = %v; want the retrieve's not found", err)
				}
				return
			}
			if err != nil || got.ID != objectID || !got.Voided {
				t.Fatalf("got %+v, %v; want the invoice voided", got, err)
			}
		})
	}
}

// books is a customers endpoint that keeps what it creates: each create is
// answered by the next of answers (then 200), 503 after carrying it out
// when applyThen503, and lists filter by nothing but keep the order.
type books struct {
	mu       sync.Mutex
	answers  []string // "applied503", "dropped503", "ok"
	created  []map[string]any
	requests []received
}

func (b *books) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, received{r.Method, r.URL.Path + "?" + r.URL.RawQuery, r.Header.Clone(), body, time.Now()})
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet {
		data := []map[string]any{{"id": "80000009-1", "objectType": "qbd_customer", "name": "Other", "externalId": nil, "createdAt": "2024-10-01T12:34:56-07:00"}}
		data = append(data, b.created...)
		json.NewEncoder(w).Encode(map[string]any{"objectType": "list", "url": customersPath, "data": data, "hasMore": false, "nextCursor": nil})
		return
	}
	answer := "ok"
	if len(b.answers) > 0 {
		answer, b.answers = b.answers[0], b.answers[1:]
	}
	var sent map[string]any
	json.Unmarshal(body, &sent)
	obj := map[string]any{"id": "80000001-" + string(rune('0'+len(b.created))), "objectType": "qbd_customer", "name": sent["name"], "fullName": sent["name"],
		"externalId": sent["externalId"], "isActive": true, "revisionNumber": "1", "createdAt": time.Now().UTC().Format(time.RFC3339), "updatedAt": time.Now().UTC().Format(time.RFC3339)}
	if answer != "dropped503" {
		b.created = append(b.created, obj)
	}
	if answer != "ok" {
		w.WriteHeader(503)
		io.WriteString(w, envelope(503, "INTERNAL_ERROR", "TEST", "try again"))
		return
	}
	json.NewEncoder(w).Encode(obj)
}

func (b *books) posts() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []received
	for _, r := range b.requests {
		if r.method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

func (b *books) count() (creates, lists int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.requests {
		if r.method == http.MethodPost {
			creates++
		} else {
			lists++
		}
	}
	return creates, lists
}

func createAcme(c *conductor.Client, ctx context.Context, externalID *conductor.UUID, opts ...conductor.Option) (*conductor.Customer, error) {
	return c.QBD.Customers.Create(ctx, testEndUserID, conductor.CustomerCreateParams{Name: "Acme", ExternalID: externalID}, opts...)
}

func TestAnUnknownCreateThatLandedIsFoundAndNotSentAgain(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"applied503"}}
		got, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0)), context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if creates, lists := b.count(); creates != 1 || lists != 1 {
			t.Errorf("%d creates, %d lists; want 1 create (found by its externalId at the first look), 1 list", creates, lists)
		}
		if got.Name != "Acme" || got.ExternalID == nil || len(b.created) != 1 {
			t.Errorf("got %+v, books %v; want the one customer created", got, b.created)
		}
	})
}

func TestAnUnknownCreateThatDidNotLandIsSentAgainOnlyOnceItCannotLand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"dropped503"}}
		start := time.Now()
		got, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0)), context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		posts := b.posts()
		if len(posts) != 2 || len(b.created) != 1 || got.ID == "" {
			t.Fatalf("%d creates, books %v; want exactly one re-send, one customer", len(posts), b.created)
		}
		// Sent with Conductor-Timeout-Seconds 90: it could land until 90 s
		// and a margin of 22.5 s after the 503.
		landBy := start.Add(90*time.Second + 22500*time.Millisecond)
		if posts[1].at.Before(landBy) {
			t.Errorf("re-sent %v after the first attempt; want no sooner than %v", posts[1].at.Sub(start), landBy.Sub(start))
		}
		if !bytes.Equal(jsonField(t, posts[0].body, "externalId"), jsonField(t, posts[1].body, "externalId")) {
			t.Errorf("re-sent with externalId %s, first %s; want the same", jsonField(t, posts[1].body, "externalId"), jsonField(t, posts[0].body, "externalId"))
		}
		if _, lists := b.count(); lists < 2 {
			t.Errorf("%d lists; want it looked up again while the first attempt could land", lists)
		}
	})
}

func jsonField(t *testing.T, body []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

var uuidV4 = regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)

func TestTheClientSetsAnExternalIDOnlyWhenTheCallerDidNot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{}
		c := bubbleServer(t, b)
		mine := conductor.UUID{0x12, 0x34}
		for _, id := range []*conductor.UUID{nil, &mine, nil} {
			if _, err := createAcme(c, context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := createAcme(c, context.Background(), nil, conductor.WithWritePolicy(conductor.ResendWrites)); err != nil {
			t.Fatal(err)
		}
		posts := b.posts()
		first, second, third := jsonField(t, posts[0].body, "externalId"), jsonField(t, posts[1].body, "externalId"), jsonField(t, posts[2].body, "externalId")
		if !uuidV4.Match(first) || !uuidV4.Match(third) || bytes.Equal(first, third) {
			t.Errorf("externalIds %s, %s; want two fresh UUID v4s", first, third)
		}
		if want := `"` + mine.String() + `"`; string(second) != want {
			t.Errorf("externalId %s; want the caller's %s", second, want)
		}
		if got := jsonField(t, posts[3].body, "externalId"); got != nil {
			t.Errorf("with ResendWrites, externalId %s; want none set", got)
		}
	})
}

func TestReportWritesReportsWhatItKnowsAtOnce(t *testing.T) {
	t.Parallel()
	report := conductor.WithWritePolicy(conductor.ReportWrites)
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"applied503"}}
		_, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0)), context.Background(), nil, report)
		var u *conductor.UnconfirmedWriteError
		if !errors.As(err, &u) || !errors.Is(err, conductor.ErrWriteUnconfirmed) {
			t.Fatalf("err = %v; want an *UnconfirmedWriteError", err)
		}
		sent := jsonField(t, b.posts()[0].body, "externalId")
		if `"`+u.ExternalID+`"` != string(sent) || u.Kind != "create" || u.SentAt.IsZero() || !strings.Contains(err.Error(), "compare each object's externalId with "+u.ExternalID) {
			t.Errorf("got %+v (%v); want kind create, the externalId sent (%s) in it and its message, and when", u, err, sent)
		}
		if creates, lists := b.count(); creates != 1 || lists != 0 {
			t.Errorf("%d creates, %d lists; want only the create", creates, lists)
		}
	})
	srv := newScriptServer(t, failure(503))
	_, err := rename(t, srv.client(t, conductor.WithMaxRetries(0)), report)
	var u *conductor.UnconfirmedWriteError
	if !errors.As(err, &u) || u.Kind != "update" || u.ID != objectID || srv.count() != 1 {
		t.Errorf("update: %v (%+v), %d requests; want kind update, its id, one request", err, u, srv.count())
	}
	_, err = srv.client(t, conductor.WithMaxRetries(0), report).QBD.Invoices.Void(context.Background(), testEndUserID, objectID)
	if !errors.As(err, &u) || u.Kind != "void" || u.ID != objectID || srv.count() != 2 {
		t.Errorf("void: %v (%+v), %d requests; want kind void, its id, one request more", err, u, srv.count())
	}
}

func TestResendWritesSendsAWriteAgain(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503, "Retry-After-Ms", "1"), ok(updatedJSON))
	if _, err := rename(t, srv.client(t, conductor.WithWritePolicy(conductor.ResendWrites))); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]reqLine{{"POST", customerPath}, {"POST", customerPath}}, lines(srv.script)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestAResolutionIsOneLogRecord(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(updatedJSON))
	if _, err := rename(t, srv.client(t, conductor.WithMaxRetries(0), conductor.WithLogger(logger))); err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	for line := range strings.Lines(buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["msg"] == "conductor: write resolved" {
			delete(rec, "time")
			delete(rec, "duration")
			records = append(records, rec)
		}
	}
	want := []map[string]any{{
		"level": "INFO", "msg": "conductor: write resolved", "kind": "update", "method": "POST", "path": customerPath, "id": objectID,
		"checks": "resent; stale revision; retrieved; holds what was sent", "outcome": "applied", "requests": float64(2),
	}}
	if diff := cmp.Diff(want, records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestTheContextEndingWhileACreateIsLookedUpEndsTheCall(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"dropped503"}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		_, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0)), ctx, nil)
		if took := time.Since(start); took != 30*time.Second {
			t.Errorf("the call took %v; want it to end with its context, at 30s", took)
		}
		var u *conductor.UnconfirmedWriteError
		if !errors.As(err, &u) || !errors.Is(err, context.DeadlineExceeded) || u.ExternalID == "" {
			t.Fatalf("err = %v; want unconfirmed, with the deadline and the externalId to look for", err)
		}
		if creates, _ := b.count(); creates != 1 {
			t.Errorf("%d creates; want no re-send before the first could land", creates)
		}
	})
}

func TestWritesSayHowLongConductorMayWait(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, ok(updatedJSON))
	if _, err := rename(t, srv.client(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := rename(t, srv.client(t, conductor.WithTimeout(30500*time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	if _, err := rename(t, srv.client(t, conductor.WithHeader("Conductor-Timeout-Seconds", "7"))); err != nil {
		t.Fatal(err)
	}
	srv.client(t).QBD.Customers.Retrieve(context.Background(), testEndUserID, objectID)
	var got []string
	for _, r := range srv.got() {
		got = append(got, r.header.Get("Conductor-Timeout-Seconds"))
	}
	if diff := cmp.Diff([]string{"90", "30", "7", ""}, got); diff != "" {
		t.Errorf("Conductor-Timeout-Seconds (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"0", "3601", "ninety", " 9"} {
		if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithHeader("Conductor-Timeout-Seconds", bad)); err == nil || !strings.Contains(err.Error(), "1 to 3600") {
			t.Errorf("WithHeader(Conductor-Timeout-Seconds, %q): %v; want it refused, saying what is allowed", bad, err)
		}
	}
	if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithWritePolicy(7)); err == nil || !strings.Contains(err.Error(), "ResolveWrites") {
		t.Errorf("WithWritePolicy(7): %v; want it refused, naming the policies", err)
	}
}

// TestResolutionBacksOffAndGivesUp: an update whose every re-send goes
// unanswered too is sent again 5 times, each after the first waiting as a
// retry does (0.5 s, 1 s, 2 s, 4 s, less up to a quarter), then ends
// unconfirmed: resolution neither hammers a failing server nor runs for
// ever.
func TestResolutionBacksOffAndGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503)}}
		_, err := rename(t, bubbleServer(t, srv, conductor.WithMaxRetries(0)))
		var unsure *conductor.UnconfirmedWriteError
		if !errors.As(err, &unsure) || unsure.Kind != "update" || unsure.ID != objectID {
			t.Fatalf("err = %v; want an unconfirmed update of %s", err, objectID)
		}
		gaps := srv.gaps()
		if len(gaps) != 5 {
			t.Fatalf("%d requests; want the update and 5 re-sends", len(gaps)+1)
		}
		for i, gap := range gaps[1:] {
			if floor := 375 * time.Millisecond << i; gap < floor {
				t.Errorf("re-send %d came %v after the one before; want at least %v", i+2, gap, floor)
			}
		}
	})
}
