package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

const specPath = "../openapi.yaml"

// The ids every call of TestEveryOperationThroughHTTP is made with. The
// object id has characters a path must escape.
const (
	testEndUserID = "end_usr_1234567abcdefg"
	testObjectID  = "80000001-1234567890/ a"
)

// TestEveryOperationThroughHTTP calls every facade method, one per
// operation of openapi.yaml, found where internal/apispec names it
// (qbd.invoices.list is client.QBD.Invoices.List), against a server that
// records the request and answers with an example of the operation's 200
// body built from the spec, plus a key the spec does not have. For each it
// checks what was sent (method, path with the id escaped, the end-user
// header exactly when the operation takes it, every query parameter and
// body field given), that the answer decodes, and that WithResponse holds
// that body byte for byte, the status and the request id.
func TestEveryOperationThroughHTTP(t *testing.T) {
	doc, ops := loadOperations(t)
	var (
		mu   sync.Mutex
		last *http.Request
		body []byte
		resp []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last, body = r, b
		answer := resp
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Conductor-Request-Id", "req_test")
		w.Write(answer)
	}))
	defer srv.Close()
	client, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL+"/v1"), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()

	methods := 0
	for _, o := range ops {
		t.Run(o.SDKName(), func(t *testing.T) {
			op := doc.Paths.Find(o.Path).GetOperation(o.Method)
			ex := examples{doc: doc}
			answer := ex.response(op)
			if m, ok := answer.(map[string]any); ok {
				m["notInTheSpec"] = map[string]any{"kept": true}
			}
			query, _ := normalise(ex.query(op)).(map[string]any)
			reqBody, _ := normalise(ex.requestBody(op)).(map[string]any)
			if o.SDKName() == "authSessions.create" {
				// Its hand-written params take LinkExpiry as a duration,
				// which the example cannot fill by name; the auth-session
				// tests cover it.
				delete(reqBody, "linkExpiryMins")
			}
			mu.Lock()
			resp, _ = json.Marshal(answer)
			mu.Unlock()

			names := []string{o.GoMethod()}
			if o.Kind == apispec.List {
				names = append(names, "All")
			}
			for _, name := range names {
				m, err := facade.Find(o, name)
				if err != nil {
					t.Fatalf("%v: run `make generate`, or write it by hand if its service is hand-written", err)
				}
				var got conductor.Response
				args := facade.Args{EndUserID: testEndUserID, ID: testObjectID, Params: query, Options: []conductor.Option{conductor.WithResponse(&got)}}
				if o.HasBody {
					args.Params = reqBody
				}
				for range o.PathParams {
					args.PathParams = append(args.PathParams, "quickbooks_desktop") // the enum's one value
				}
				ctx := testdeadline.Context(t)
				out, err := m.Call(ctx, client, args)
				methods++
				switch {
				case name == "All":
					n := 0
					for _, err := range out.Seq2() {
						if err := err.Interface(); err != nil {
							t.Fatalf("All: %v", err)
						}
						n++
					}
					if n != 1 {
						t.Errorf("All yielded %d objects, want the example page's 1", n)
					}
				case err != nil:
					t.Fatalf("%s: %v", name, err)
				case out.IsZero():
					t.Fatalf("%s returned nothing", name)
				}

				mu.Lock()
				r, sent, answered := last, body, resp
				mu.Unlock()
				checkSent(t, o, r, sent, query, reqBody)
				want := conductor.Response{StatusCode: 200, RequestID: "req_test", Body: answered}
				if diff := cmp.Diff(want, got, ignoreHeader); diff != "" {
					t.Errorf("%s: Response (-want +got):\n%s", name, diff)
				}
				if name == "List" {
					if n := out.Elem().FieldByName("Data").Len(); n != 1 {
						t.Errorf("List returned %d objects, want the example page's 1", n)
					}
				}
			}
		})
	}
	if methods < 262 {
		t.Errorf("called %d methods; want at least one for each of the 262 operations", methods)
	}
}

// loadOperations reads openapi.yaml with kin-openapi, for its schemas, and
// with apispec, for the names.
func loadOperations(t *testing.T) (*openapi3.T, []apispec.Operation) {
	t.Helper()
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loadedSpec()
	if err != nil {
		t.Fatal(err)
	}
	s, err := apispec.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := s.Operations()
	if err != nil {
		t.Fatal(err)
	}
	return doc, ops
}

// checkSent compares the request the server got with what was asked for.
func checkSent(t *testing.T, o apispec.Operation, r *http.Request, body []byte, query, reqBody map[string]any) {
	t.Helper()
	if r.Method != o.Method {
		t.Errorf("method %s, want %s", r.Method, o.Method)
	}
	wantPath := "/v1" + strings.NewReplacer("{id}", url.PathEscape(testObjectID), "{integrationSlug}", "quickbooks_desktop").Replace(o.Path)
	if r.URL.EscapedPath() != wantPath {
		t.Errorf("path %s, want %s", r.URL.EscapedPath(), wantPath)
	}
	if got := r.Header.Values("Conductor-End-User-Id"); o.NeedsEndUser && (len(got) != 1 || got[0] != testEndUserID) || !o.NeedsEndUser && len(got) != 0 {
		t.Errorf("Conductor-End-User-Id %q; want it exactly when the operation acts for an end-user (%v)", got, o.NeedsEndUser)
	}
	if r.Header.Get("Authorization") != "Bearer "+testAPIKey {
		t.Error("no Authorization header")
	}
	q := r.URL.Query()
	q.Del("cursor") // All may add it; the examples page has one page
	for name, v := range query {
		var want []string
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				want = append(want, fmt.Sprint(e))
			}
		default:
			want = []string{fmt.Sprint(v)}
		}
		// A date and time filter goes out in the spec's form with an
		// offset (+00:00 where the example says Z): compare instants.
		// TestDateTimeFilters pins the form.
		instants := cmp.Transformer("instants", func(s string) string { return canonicalTimes(s).(string) })
		if diff := cmp.Diff(want, q[name], instants); diff != "" {
			t.Errorf("query %s (-want +sent):\n%s", name, diff)
		}
	}
	if extra := unexpected(q, query); len(extra) > 0 {
		t.Errorf("query has %v, which the call did not set", extra)
	}
	if reqBody == nil {
		if len(body) != 0 {
			t.Errorf("sent a body %s; the operation takes none", body)
		}
		return
	}
	var sent map[string]any
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatalf("the body sent is not a JSON object: %v", err)
	}
	for name, v := range reqBody {
		if diff := cmp.Diff(normalise(v), normalise(sent[name])); diff != "" {
			t.Errorf("body field %s (-example +sent):\n%s", name, diff)
		}
	}
}

func unexpected(q url.Values, query map[string]any) []string {
	var extra []string
	for name := range q {
		if _, ok := query[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	return extra
}

// normalise gives two JSON values one form: through encoding/json, with
// timestamps compared as instants.
func normalise(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return canonicalTimes(out)
}

func canonicalTimes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = canonicalTimes(e)
		}
	case []any:
		for i, e := range v {
			v[i] = canonicalTimes(e)
		}
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return ts.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}

// examples builds example values from the spec's schemas: a schema's own
// example where it has one, else a value of its type. Every property is
// given, optional ones too, so that every field of every type is sent and
// decoded once.
type examples struct {
	doc   *openapi3.T
	depth int
}

func (e examples) response(op *openapi3.Operation) any {
	r := op.Responses.Status(200)
	if r == nil || r.Value == nil {
		return map[string]any{}
	}
	v := e.value(r.Value.Content.Get("application/json").Schema)
	if m, ok := v.(map[string]any); ok {
		if _, list := m["data"]; list {
			// One page: All must not ask for another.
			m["hasMore"], m["nextCursor"], m["remainingCount"] = false, nil, 0
		}
	}
	return v
}

func (e examples) query(op *openapi3.Operation) map[string]any {
	q := map[string]any{}
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != "query" || p.Value.Name == "cursor" {
			continue
		}
		q[p.Value.Name] = e.value(p.Value.Schema)
	}
	if len(q) == 0 {
		return nil
	}
	return q
}

func (e examples) requestBody(op *openapi3.Operation) map[string]any {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	v, _ := e.value(op.RequestBody.Value.Content.Get("application/json").Schema).(map[string]any)
	if v == nil {
		v = map[string]any{}
	}
	return v
}

func (e examples) value(ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil || e.depth > 12 {
		return nil
	}
	s := ref.Value
	next := examples{doc: e.doc, depth: e.depth + 1}
	switch {
	case strings.HasPrefix(s.Description, "The date and time"):
		// What the overlay makes a time.Time; the spec gives some no
		// example, and "text" would not decode.
		return "2024-10-01T12:34:56-07:00"
	case len(s.AnyOf) > 0:
		return next.value(s.AnyOf[0])
	case len(s.OneOf) > 0:
		return next.value(s.OneOf[0])
	case s.Type.Is("object") || len(s.Properties) > 0:
		m := map[string]any{}
		for name, p := range s.Properties {
			m[name] = next.value(p)
		}
		for i := len(m); i < int(s.MinProps); i++ {
			// A free-form object (passthrough's body) with too few.
			m[fmt.Sprintf("property%d", i)] = "text"
		}
		return m
	case s.Type.Is("array"):
		return []any{next.value(s.Items)}
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Example != nil && !(s.Type.Is("string") && s.Format != ""):
		if text, ok := s.Example.(string); ok && s.MaxLength != nil && uint64(len([]rune(text))) > *s.MaxLength {
			// Some of the spec's examples break its own maxLength
			// (shipmentOrigin's, a sales receipt's refNumber), which the
			// client refuses: cut to fit.
			return string([]rune(text)[:*s.MaxLength])
		}
		return s.Example
	case s.Type.Is("string"):
		switch s.Format {
		case "date":
			return "2024-10-01"
		case "date-time":
			return "2024-10-01T12:34:56Z"
		case "uuid":
			return "12345678-abcd-abcd-abcd-1234567890ab"
		case "uri":
			return "https://example.com/x"
		}
		return "text"
	case s.Type.Is("integer"):
		return 1
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return true
	}
	return nil
}

// TestDotsAreRefusedInEveryPathParameter: "." and ".." would be resolved
// out of the path (Retrieve of "." reads the list, Update of ".." creates),
// so each is refused in every path parameter of every operation, naming
// the parameter, and nothing is sent.
func TestDotsAreRefusedInEveryPathParameter(t *testing.T) {
	_, ops := loadOperations(t)
	srv := newScriptServer(t, okReply)
	client := srv.client(t, conductor.WithMaxRetries(0))
	defer client.CloseIdleConnections()
	checked := map[string]int{}
	for _, o := range ops {
		params := append([]string(nil), o.PathParams...)
		if o.HasID {
			params = append([]string{"id"}, params...)
		}
		for i, param := range params {
			for _, dots := range []string{".", ".."} {
				m, err := facade.Find(o, o.GoMethod())
				if err != nil {
					t.Fatal(err)
				}
				values := make([]string, len(params))
				for j := range values {
					values[j] = map[bool]string{true: "id_1", false: "quickbooks_desktop"}[j == 0 && o.HasID]
				}
				values[i] = dots
				args := facade.Args{EndUserID: testEndUserID}
				if o.HasID {
					args.ID, values = values[0], values[1:]
				}
				args.PathParams = values
				_, err = m.Call(context.Background(), client, args)
				var verr *conductor.ValidationError
				if !errors.As(err, &verr) || verr.Fields[0].Field != param || !strings.Contains(verr.Fields[0].Reason, "would change the request's path") {
					t.Errorf("%s with %s %q: %v; want a ValidationError for %s", o.SDKName(), param, dots, err, param)
				}
				checked[param]++
			}
		}
	}
	if n := srv.count(); n != 0 {
		t.Errorf("the server got %d requests; want none", n)
	}
	if checked["id"] < 2*100 || checked["integrationSlug"] != 2 {
		t.Errorf("checked %v; want every operation with an id, and passthrough's integrationSlug", checked)
	}
}

// TestOddIDsKeepThePathsShape: ids that look like dots once unescaped,
// or hold a slash, are escaped whole, so the request reaches the object's
// own path.
func TestOddIDsKeepThePathsShape(t *testing.T) {
	srv := newScriptServer(t, reply{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: `{"id":"x","objectType":"qbd_invoice"}`})
	client := srv.client(t, conductor.WithMaxRetries(0))
	defer client.CloseIdleConnections()
	ids := []string{"%2e", "%2e%2e", "%2E%2E", "./", "../", "a/..", "...", ". .", "..%2f", "?", "#"}
	for _, id := range ids {
		if _, err := client.QBD.Invoices.Retrieve(context.Background(), testEndUserID, id); err != nil {
			t.Errorf("Retrieve(%q): %v", id, err)
		}
	}
	var got []string
	for _, r := range srv.got() {
		got = append(got, r.path)
	}
	var want []string
	for _, id := range ids {
		want = append(want, "/quickbooks-desktop/invoices/"+id)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths the server got, unescaped (-want +got):\n%s", diff)
	}
}
