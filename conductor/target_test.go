package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

func setEndUser(_ context.Context, r *http.Request) error {
	r.Header.Set(endUser, testEndUserID)
	return nil
}

// TestGenDotIdsAreRefused: through Gen(), an id "." or ".." would make the
// path another operation's (the list, the create route, the namespace);
// the engine refuses such a request and sends nothing. The facade keeps
// its own check, whose error names the parameter.
func TestGenDotIdsAreRefused(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, reply{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: `{"objectType":"list","url":"/v1/quickbooks-desktop/invoices","data":[],"nextCursor":null,"remainingCount":0,"hasMore":false}`})
	c := srv.client(t, conductor.WithMaxRetries(0))
	ctx := context.Background()
	for _, id := range []string{".", "..", "%2e", "%2E%2E"} {
		calls := map[string]func() (*http.Response, error){
			"InvoiceRetrieve": func() (*http.Response, error) { return c.Gen().InvoiceRetrieve(ctx, id, setEndUser) },
			"InvoiceUpdate": func() (*http.Response, error) {
				return c.Gen().InvoiceUpdate(ctx, id, gen.InvoiceUpdateJSONRequestBody{RevisionNumber: "1"}, setEndUser)
			},
		}
		for name, call := range calls {
			resp, err := call()
			var verr *conductor.ValidationError
			if strings.HasPrefix(id, "%") {
				// Escaped by the builder (%252e): a literal id, sent as one.
				if err != nil {
					t.Errorf("%s(%q): %v; want it sent as a literal id", name, id, err)
				} else {
					resp.Body.Close()
				}
				continue
			}
			if !errors.As(err, &verr) {
				t.Errorf("%s(%q): err = %v; want a *conductor.ValidationError", name, id, err)
			}
		}
	}
	var paths []string
	for _, r := range srv.got() {
		paths = append(paths, r.method+" "+r.path)
	}
	want := []string{"GET /quickbooks-desktop/invoices/%2e", "POST /quickbooks-desktop/invoices/%2e", "GET /quickbooks-desktop/invoices/%2E%2E", "POST /quickbooks-desktop/invoices/%2E%2E"}
	if diff := cmp.Diff(want, paths, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("requests sent (-want +got):\n%s", diff)
	}

	_, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, "..")
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Field != "id" {
		t.Errorf("facade Retrieve(..): err = %v; want a *conductor.ValidationError naming id", err)
	}
}

// TestAGenEditorCannotSendTheKeyElsewhere: a request editor that points
// the request at another host, port, scheme or path outside the base
// URL's gets a *ValidationError; nothing is sent, so the key goes nowhere.
func TestAGenEditorCannotSendTheKeyElsewhere(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, okReply)
	other := newScriptServer(t, okReply)
	otherURL, _ := url.Parse(other.URL)
	c := srv.client(t, conductor.WithMaxRetries(0))
	edits := map[string]func(u *url.URL){
		"host": func(u *url.URL) { u.Host = otherURL.Host },
		// Another name for the same server, on the same port: the key
		// goes only to the base URL's host, whatever it resolves to.
		"host name": func(u *url.URL) { u.Host = "localhost:" + u.Port() },
		"port":      func(u *url.URL) { u.Host = u.Hostname() + ":" + otherURL.Port() },
		"scheme":    func(u *url.URL) { u.Scheme = "https" },
		"path":      func(u *url.URL) { u.Path = "/elsewhere" + u.Path },
		"route":     func(u *url.URL) { u.Path += "/extra" },
	}
	for name, edit := range edits {
		editor := func(_ context.Context, r *http.Request) error {
			edit(r.URL)
			return nil
		}
		_, err := c.Gen().AuthSessionCreate(context.Background(), gen.AuthSessionCreateParams{EndUserID: "end_usr_a", PublishableKey: testPublishableKey}, editor)
		var verr *conductor.ValidationError
		if !errors.As(err, &verr) {
			t.Errorf("editor changing the %s: err = %v; want a *conductor.ValidationError", name, err)
		}
	}
	if n, m := srv.count(), other.count(); n+m != 0 {
		t.Fatalf("servers got %d and %d requests, want none", n, m)
	}
}

// TestTheKeyAsAnIdIsRedacted: an id is shown in errors and logs as part
// of the path; when it is the key, the key is redacted there too.
func TestTheKeyAsAnIdIsRedacted(t *testing.T) {
	t.Parallel()
	notFound := newScriptServer(t, reply{status: 404, headers: map[string]string{"Content-Type": "application/json"}, body: envelope(404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", "no such invoice")})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for name, base := range map[string]string{"404": notFound.URL, "closed port": closed} {
		logger, logs := newLogger()
		c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(base), conductor.WithMaxRetries(1), conductor.WithLogger(logger))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, testAPIKey)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		var apiErr *conductor.Error
		path := ""
		if errors.As(err, &apiErr) {
			path = apiErr.Path
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), path, logs.String()} {
			if leaksKey(text) {
				t.Errorf("%s: shows the key: %s", name, text)
			}
		}
		if name == "404" && path != "/quickbooks-desktop/invoices/[redacted]" {
			t.Errorf("Error.Path = %q; want the key redacted", path)
		}
		if len(logs.records(t)) == 0 {
			t.Errorf("%s: no log record", name)
		}
	}
}

// TestAGenEditorCannotAddADotSegment: a request editor that puts a "."
// segment where an id goes is refused, though the path would still
// match the operation's route with "." as the id.
func TestAGenEditorCannotAddADotSegment(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, okReply)
	c := srv.client(t, conductor.WithMaxRetries(0))
	dot := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Conductor-End-User-Id", testEndUserID)
		r.URL.Path = strings.Replace(r.URL.Path, "/80000001-1/", "/./", 1)
		return nil
	}
	_, err := c.Gen().InvoiceVoid(context.Background(), "80000001-1", dot)
	var verr *conductor.ValidationError
	if !errors.As(err, &verr) {
		t.Errorf("err = %v; want a *conductor.ValidationError", err)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}

// TestAGenDeleteIsRetriedAsARead: a DELETE through Gen() is harmless to
// repeat, so a 503 is retried as for a read, where a POST's would not be.
func TestAGenDeleteIsRetriedAsARead(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, reply{status: 503, headers: map[string]string{"Retry-After": "0.01"}}, okReply)
	c := srv.client(t, conductor.WithMaxRetries(1))
	eu := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Conductor-End-User-Id", testEndUserID)
		return nil
	}
	if _, err := c.Gen().InvoiceDelete(context.Background(), "80000001-1", eu); err != nil {
		t.Fatalf("Gen().InvoiceDelete after a 503: %v; want the retry's answer", err)
	}
	if n := srv.count(); n != 2 {
		t.Errorf("server got %d requests, want 2: the 503, then the retry", n)
	}
}
