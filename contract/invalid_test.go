//go:build contract

package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// rawRequest is a request built by hand from the spec, for what the client
// would never send.
type rawRequest struct {
	method, path string
	query        url.Values
	header       http.Header
	body         map[string]any // nil: no body
}

// rawRequestFor is o's well-formed request as the client sends it (see
// requestFor), every query parameter and body field included.
func rawRequestFor(spec *contractSpec, o apispec.Operation) rawRequest {
	req := requestFor(spec, o)
	r := rawRequest{method: o.Method, query: url.Values{}, header: http.Header{"Authorization": {"Bearer " + secretKey}}}
	path := strings.ReplaceAll(o.Path, "{id}", url.PathEscape(req.id))
	for i, name := range o.PathParams {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(req.pathParams[i]))
	}
	r.path = path
	if o.NeedsEndUser {
		r.header.Set(apispec.EndUserHeader, opsEndUser)
	}
	if bodySchema(spec.operation(o)) != nil {
		r.body = req.params
		if o.SDKName() == "authSessions.create" {
			r.body["publishableKey"] = publishableKey // which the client adds
		}
		r.header.Set("Content-Type", "application/json")
		return r
	}
	for name, v := range req.params {
		if items, ok := v.([]any); ok {
			for _, item := range items {
				r.query.Add(name, fmt.Sprint(item))
			}
			continue
		}
		r.query.Set(name, fmt.Sprint(v))
	}
	return r
}

// send sends r to srv and returns the status and the body.
func (r rawRequest) send(t *testing.T, srv server) (int, []byte) {
	t.Helper()
	target := srv.url + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(callContext(t), r.method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.header.Clone()
	for name, values := range srv.header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}

// breakage is one way to make a well-formed request break the spec.
type breakage struct {
	name string
	// apply breaks r, a request of o, and reports whether it could: not
	// every operation has a body, an enum or a required parameter.
	apply func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool
	// prism is Prism's answer where it is not the usual refusal, and why
	// it differs from the fake's, which always refuses.
	prism int
	why   string
}

var breakages = []breakage{
	{name: "an unknown body field", apply: func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool {
		schema := bodySchema(spec.operation(o))
		if schema == nil || schema.AdditionalProperties.Schema != nil || schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has {
			return false // none, or free-form (a passthrough's qbXML)
		}
		r.body["contractUnknownField"] = "x"
		return true
	}},
	{name: "a query parameter outside its enum", apply: func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool {
		for _, p := range spec.operation(o).Parameters {
			if p.Value.In == "query" && len(enumOf(p.Value.Schema)) > 0 {
				r.query.Set(p.Value.Name, "not_one_of_the_enum")
				return true
			}
		}
		return false
	}},
	{name: "a required query parameter missing", apply: func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool {
		if len(o.RequiredQuery) == 0 {
			return false
		}
		r.query.Del(o.RequiredQuery[0])
		return true
	}},
	// On one operation of each kind: Prism answers it in full, which
	// for all 262 would take longer than the rest of this test.
	{name: "an unknown query parameter", apply: func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool {
		if !firstOfItsKind(spec, o) {
			return false
		}
		r.query.Set("contractUnknownParameter", "x")
		return true
	}, prism: http.StatusOK,
		why: "OpenAPI cannot forbid a query parameter a spec does not list, so Prism ignores it; the fake refuses it, naming the parameters the operation takes, so that a misspelt filter is not silently ignored (the API's own answer is not documented)"},
	{name: "no " + apispec.EndUserHeader + " header", apply: func(spec *contractSpec, o apispec.Operation, r *rawRequest) bool {
		if !o.NeedsEndUser {
			return false
		}
		r.header.Del(apispec.EndUserHeader)
		return true
	}},
}

// firstOfItsKind says whether o is the first operation of its kind (list,
// create, void, report...) in the order of the SDK names.
func firstOfItsKind(spec *contractSpec, o apispec.Operation) bool {
	for _, x := range spec.ops {
		if x.Kind == o.Kind {
			return x.SDKName() == o.SDKName()
		}
	}
	return false
}

// enumOf is the enum of a parameter's schema or of its items.
func enumOf(ref *openapi3.SchemaRef) []any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if ref.Value.Type.Is("array") {
		return enumOf(ref.Value.Items)
	}
	return ref.Value.Enum
}

// TestInvalidRequestsAreRefusedAlike breaks the well-formed request of
// every operation each way that applies to it, and sends it by hand to
// static Prism and to the fake: both must refuse it, Prism with its 422
// (openapi.yaml declares no 4xx, so Prism makes one up), the fake with
// the API's 400 in Conductor's envelope, except where the breakage says
// why Prism answers otherwise.
func TestInvalidRequestsAreRefusedAlike(t *testing.T) {
	t.Parallel()
	spec := theSpec(t)
	for name, srv := range map[string]func(*testing.T) server{
		"conductortest": func(t *testing.T) server { return fakeServer(t, everyResource(spec)) },
		"prism":         staticPrism,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := srv(t)
			if srv.fake != nil {
				// Each request unbroken is one the spec accepts: the fake,
				// which checks it against the spec, answers it. Prism checks
				// against the same document, and TestEveryOperation shows it
				// accepts the client's equal requests.
				t.Run("unbroken", func(t *testing.T) {
					for _, o := range inStateOrder(spec.ops) {
						if status, body := rawRequestFor(spec, o).send(t, srv); status != http.StatusOK {
							t.Errorf("%s: status %d: %.300s", o.SDKName(), status, body)
						}
					}
				})
			}
			for _, b := range breakages {
				t.Run(b.name, func(t *testing.T) {
					broken := 0
					if b.prism != 0 && b.why == "" {
						t.Fatal("the servers differ and the breakage does not say why")
					}
					for _, o := range spec.ops {
						r := rawRequestFor(spec, o)
						if !b.apply(spec, o, &r) {
							continue
						}
						broken++
						status, body := r.send(t, srv)
						if srv.prism && b.prism != 0 {
							if status != b.prism {
								t.Errorf("%s: status %d, want %d (%s): %.300s", o.SDKName(), status, b.prism, b.why, body)
							}
							continue
						}
						checkRefused(t, srv, o, status, body)
					}
					if broken == 0 {
						t.Errorf("no operation could be broken this way")
					}
					t.Logf("%d operations", broken)
				})
			}
		})
	}
}

// checkRefused checks a refusal: Prism's 422, or the fake's 400 with
// Conductor's envelope.
func checkRefused(t *testing.T, srv server, o apispec.Operation, status int, body []byte) {
	t.Helper()
	if srv.prism {
		if status != prismRefused {
			t.Errorf("%s: status %d, want %d: %.300s", o.SDKName(), status, prismRefused, body)
		}
		return
	}
	var envelope struct {
		Error struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	if status != http.StatusBadRequest || json.Unmarshal(body, &envelope) != nil || envelope.Error.Type != "INVALID_REQUEST_ERROR" {
		t.Errorf("%s: status %d, %.300s; want 400 INVALID_REQUEST_ERROR", o.SDKName(), status, body)
	}
}
