package conductortest

import (
	"encoding/json"
	"errors"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestTheDemoParsesOnlyWhatItUses: a fake with the demo company that
// lists invoices, as the command does when no key is set, has parsed the
// documents of the demo's three resources and of no other. Parsing them
// all took half a second and some 150 MB of every such command.
func TestTheDemoParsesOnlyWhatItUses(t *testing.T) {
	a, err := newAPI()
	if err != nil {
		t.Fatal(err)
	}
	srv := startWith(t, a, Options{Demo: true})
	parsed := func() []string {
		var out []string
		for key, r := range a.resources {
			if r.parsed.Load() {
				out = append(out, key)
			}
		}
		slices.Sort(out)
		return out
	}
	want := []string{"qbd.customers", "qbd.invoices", "qbd.serviceItems"}
	if diff := cmp.Diff(want, parsed()); diff != "" {
		t.Errorf("resources parsed to start the demo (-want +got):\n%s", diff)
	}
	c := clientOf(t, srv)
	page, err := c.QBD.Invoices.List(testdeadline.Context(t), DemoEndUserID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 3 {
		t.Errorf("the demo lists %d invoices, want its 3", len(page.Data))
	}
	if diff := cmp.Diff(want, parsed()); diff != "" {
		t.Errorf("resources parsed to list the demo's invoices (-want +got):\n%s", diff)
	}
	if _, err := c.EndUsers.List(testdeadline.Context(t)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append([]string{".endUsers"}, want...), parsed()); diff != "" {
		t.Errorf("resources parsed once end-users were listed too (-want +got):\n%s", diff)
	}
}

// TestTheIndexIsWhatTheWholeSpecSays: what the fake reads from the
// archive's index and from each resource's document (the schema of a
// resource's objects, the decimal properties of the request bodies, the
// filters that override the others) is what the whole spec, parsed at
// once as the fake parsed it before, gives.
func TestTheIndexIsWhatTheWholeSpecSays(t *testing.T) {
	embedded, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	whole, err := embedded.Document()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(whole)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAPI()
	if err != nil {
		t.Fatal(err)
	}
	// The other internal tests read rt.spec() of every route without
	// operation's error, which answers an empty operation for a document that cannot
	// be parsed: they would pass on nothing.
	for _, rt := range a.routes {
		if _, err := rt.operation(); err != nil {
			t.Errorf("%s %s: %v", rt.op.Method, rt.op.Path, err)
		}
	}

	formats := map[string]decimalFormat{}
	overriding := map[string]bool{}
	models := map[string]*openapi3.Schema{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for name, prop := range s.Properties {
			if f, ok := isDecimalString(prop); ok {
				if had, twice := formats[name]; twice && had != f {
					t.Errorf("the request bodies give %s two formats, %v and %v", name, had, f)
				}
				formats[name] = f
			}
			walk(prop.Value)
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
		for _, alt := range s.AnyOf {
			walk(alt.Value)
		}
	}
	for _, o := range embedded.Operations {
		op := doc.Paths.Find(o.Path).GetOperation(o.Method)
		walk(bodySchema(op))
		for _, ref := range op.Parameters {
			if p := ref.Value; p.In == "query" && strings.Contains(p.Description+" "+p.Schema.Value.Description, "QuickBooks will ignore all other query parameters") {
				overriding[p.Name] = true
			}
		}
		if o.ResultSchema != "" && o.Resource != "" {
			if _, done := models[resourceKey(o)]; !done || o.Kind != apispec.List {
				models[resourceKey(o)] = doc.Components.Schemas[o.ResultSchema].Value
			}
		}
	}
	if len(formats) == 0 || len(overriding) == 0 {
		t.Fatalf("the whole spec gives %d decimal properties and %d overriding filters; the oracle reads it wrong", len(formats), len(overriding))
	}
	if diff := cmp.Diff(formats, a.decimals, cmp.AllowUnexported(decimalFormat{})); diff != "" {
		t.Errorf("decimal properties (-whole spec +index):\n%s", diff)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(overriding)), a.overriding); diff != "" {
		t.Errorf("overriding filters (-whole spec +index):\n%s", diff)
	}
	for key := range a.resources {
		want, got := models[key], a.model(key)
		if (want == nil) != (got == nil) || (want == nil) != !a.hasModel(key) {
			t.Errorf("%s: a model in the whole spec: %v; in the archive: %v; hasModel: %v", key, want != nil, got != nil, a.hasModel(key))
			continue
		}
		if want == nil {
			continue
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: the model differs from the whole spec's", key)
		}
	}
	if len(models) != len(slices.DeleteFunc(slices.Collect(maps.Keys(a.resources)), func(k string) bool { return !a.hasModel(k) })) {
		t.Errorf("the whole spec has models of %d resources, the archive of another number", len(models))
	}
}

// TestASpecThatCannotBeReadIsAnInternalError: a resource whose document
// cannot be parsed is answered with a 500 that says why, for its
// operations only, and never with a panic.
func TestASpecThatCannotBeReadIsAnInternalError(t *testing.T) {
	a, err := newAPI()
	if err != nil {
		t.Fatal(err)
	}
	a.resources[".endUsers"].doc = func() (*openapi3.T, error) { return nil, errors.New("a broken document") }
	c := clientOf(t, startWith(t, a, Options{}))
	_, err = c.EndUsers.List(testdeadline.Context(t))
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError || !strings.Contains(apiErr.Message, "cannot read the spec of GET /end-users: a broken document") {
		t.Errorf("listing end-users with their spec unreadable = %v; want a 500 saying why", err)
	}
	if _, err := c.AuthSessions.Create(testdeadline.Context(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_x"}); err == nil || strings.Contains(err.Error(), "cannot read the spec") {
		t.Errorf("an auth session for an unknown end-user = %v; want the usual refusal, its spec being readable", err)
	}
}

// TestASpecWithoutTheOperationIsAnInternalError: a resource's document
// that parses but lacks one of the resource's operations (an archive
// built wrong), either the whole path or the method on it, is answered
// with a 500 naming the operation, not served with an empty spec or a
// panic.
func TestASpecWithoutTheOperationIsAnInternalError(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(item *openapi3.PathItem) *openapi3.PathItem
	}{
		{"no path", func(*openapi3.PathItem) *openapi3.PathItem { return nil }},
		{"no method", func(item *openapi3.PathItem) *openapi3.PathItem {
			without := *item
			without.Get = nil
			return &without
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := newAPI()
			if err != nil {
				t.Fatal(err)
			}
			res := a.resources[".endUsers"]
			read := res.doc
			res.doc = func() (*openapi3.T, error) {
				doc, err := read()
				if err != nil {
					return nil, err
				}
				edited := *doc
				edited.Paths = openapi3.NewPaths()
				for path, item := range doc.Paths.Map() {
					if path == "/end-users" {
						item = c.edit(item)
					}
					if item != nil {
						edited.Paths.Set(path, item)
					}
				}
				return &edited, nil
			}
			cl := clientOf(t, startWith(t, a, Options{}))
			_, err = cl.EndUsers.List(testdeadline.Context(t))
			var apiErr *conductor.Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError || !strings.Contains(apiErr.Message, "the spec of .endUsers has no GET /end-users") {
				t.Errorf("listing end-users with their operation missing from the spec = %v; want a 500 naming it", err)
			}
		})
	}
}

// startWith starts a fake on loopback that reads the spec through a,
// configured by opts, with keys of its own and the real clock unless opts
// gives them, and closes it when t ends.
func startWith(t *testing.T, a *api, opts Options) *Server {
	t.Helper()
	opts.SecretKey, opts.PublishableKey = "sk_conductor_fake_spec", "pk_conductor_fake_spec"
	if opts.Now == nil {
		opts.Now = time.Now
	}
	srv, err := prepareWith(a, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.start(l)
	t.Cleanup(srv.Close)
	return srv
}

// clientOf is a client of srv that does not retry, so that a 500 is
// answered at once.
func clientOf(t *testing.T, srv *Server) *conductor.Client {
	t.Helper()
	c, err := srv.Client(conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// TestAPanicInAnOperationStallsNoOtherRequest: an operation that panics
// while it holds the fake's state (here, its clock, which operations read
// under the lock, panics once) fails its own request, which net/http cuts
// off, and the fake goes on answering the next ones.
func TestAPanicInAnOperationStallsNoOtherRequest(t *testing.T) {
	a, err := newAPI()
	if err != nil {
		t.Fatal(err)
	}
	var armed atomic.Bool
	srv := startWith(t, a, Options{Demo: true, Now: func() time.Time {
		if armed.CompareAndSwap(true, false) {
			panic("conductortest: a bug in an operation")
		}
		return time.Now()
	}})
	c := clientOf(t, srv)
	ctx := testdeadline.Context(t)
	armed.Store(true)
	if _, err := c.QBD.Invoices.List(ctx, DemoEndUserID, nil); err == nil || armed.Load() {
		t.Fatalf("the list whose operation panicked = %v (the clock armed: %v); want it cut off", err, armed.Load())
	}
	if _, err := c.EndUsers.List(ctx); err != nil {
		t.Errorf("the request after a panic: %v; want it answered", err)
	}
}
