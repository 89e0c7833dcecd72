package conductor_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// TestAnOptionCannotSetTheClientsHeaders: a header set with WithHeader
// applies to every call, so one naming the end-user would send every write
// to that end-user's books, and one the body or connection depends on
// would break or replay requests. Each is refused, on the client and on a
// call, in any case, with a message naming it; nothing is sent.
func TestAnOptionCannotSetTheClientsHeaders(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, createdReply)
	c := srv.client(t)
	for _, name := range []string{
		"Conductor-End-User-Id", "conductor-end-user-id",
		"Authorization", "User-Agent",
		"Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding",
		"Host", "Connection", "Expect", "Accept-Encoding",
		"Idempotency-Key", "x-idempotency-key",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opt := conductor.WithHeader(name, "end_usr_someone_else")
			canonical := http.CanonicalHeaderKey(name)
			if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), opt); err == nil || !strings.Contains(err.Error(), canonical+" ") {
				t.Errorf("NewClient(WithHeader(%q)): err = %v; want a refusal naming %s", name, err, canonical)
			}
			_, err := createCustomer(t, c, opt)
			if err == nil || !strings.Contains(err.Error(), "cannot be overridden") {
				t.Errorf("Create(WithHeader(%q)): err = %v; want a refusal", name, err)
			}
		})
	}
	t.Cleanup(func() {
		if n := srv.count(); n != 0 {
			t.Errorf("server got %d requests, want none", n)
		}
	})
}

// TestTheEndUserAndIdempotencyMessagesSayWhy: the two refusals that guard
// money say what would go wrong.
func TestTheEndUserAndIdempotencyMessagesSayWhy(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Conductor-End-User-Id": "endUserID argument",
		"Idempotency-Key":       "send a create or update again",
	} {
		_, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithHeader(name, "x"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WithHeader(%q): err = %v; want it to say %q", name, err, want)
		}
	}
}

// TestGenEditorsCannotChangeTheClientsHeaders: a request editor of
// client.Gen() may name the end-user (Gen has no other way) and add its
// own headers, which win over WithHeader's; it may not replace the key,
// nor add a header that lets net/http replay a write.
func TestGenEditorsCannotChangeTheClientsHeaders(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, createdReply)
	c := srv.client(t, conductor.WithHeader("X-Trace", "client"))
	set := func(name, value string) gen.RequestEditorFn {
		return func(_ context.Context, r *http.Request) error {
			r.Header.Set(name, value)
			return nil
		}
	}
	body := gen.CustomerCreateJSONRequestBody{Name: "Acme"}
	for _, name := range []string{"Authorization", "User-Agent", "Idempotency-Key", "X-Idempotency-Key", "Content-Length", "Host"} {
		_, err := c.Gen().CustomerCreate(context.Background(), body, set(endUser, testEndUserID), set(name, "Bearer sk_other"))
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Fields[0].Field, name) {
			t.Errorf("editor setting %s: err = %v; want a *conductor.ValidationError naming it", name, err)
		}
	}
	if n := srv.count(); n != 0 {
		t.Fatalf("server got %d requests, want none", n)
	}

	resp, err := c.Gen().CustomerCreate(context.Background(), body, set(endUser, testEndUserID), set("X-Trace", "editor"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := srv.got()[0].header
	want := map[string]string{endUser: testEndUserID, "X-Trace": "editor", "Authorization": "Bearer " + testAPIKey}
	if diff := cmp.Diff(want, map[string]string{endUser: got.Get(endUser), "X-Trace": got.Get("X-Trace"), "Authorization": got.Get("Authorization")}); diff != "" {
		t.Errorf("headers sent (-want +got):\n%s", diff)
	}
}

const endUser = "Conductor-End-User-Id"
