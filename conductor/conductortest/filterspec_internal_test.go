package conductortest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// TestEveryListParameterIsAppliedOrRefused: every query parameter of every
// list the spec lists, given a value that asks for something (not its
// default), is either one the fake applies (a 200) or refused with a 400
// that names it and says the fake does not apply it: none is accepted
// and ignored.
func TestEveryListParameterIsAppliedOrRefused(t *testing.T) {
	a, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServerWithOptions(Options{Fixtures: &Fixtures{EndUsers: []FixtureEndUser{{ID: "end_usr_a", Connected: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied, refused := 0, 0
	for _, rt := range a.routes {
		o := rt.op
		if o.Kind != apispec.List || o.Namespace != apispec.QBDNamespace || listsDeleted(o.Resource) {
			continue
		}
		required := url.Values{}
		for _, ref := range rt.spec().Parameters {
			if p := ref.Value; p.In == "query" && p.Required {
				required.Set(p.Name, fmt.Sprint(example(p.Schema)))
			}
		}
		for _, ref := range rt.spec().Parameters {
			p := ref.Value
			if p.In != "query" || p.Required || p.Name == "cursor" {
				continue
			}
			v := fmt.Sprint(example(p.Schema))
			if items, ok := example(p.Schema).([]any); ok {
				v = fmt.Sprint(items[0])
			}
			for _, e := range p.Schema.Value.Enum {
				if !isDefault(p, e) {
					v = fmt.Sprint(e)
					break
				}
			}
			switch {
			case p.Schema.Value.Type.Is("boolean"):
				v = fmt.Sprint(p.Schema.Value.Default != true)
			case isTimeFilter(p):
				v = "2024-01-01"
			case strings.HasPrefix(p.Name, "totalBalance"):
				v = "1.00"
			}
			q := url.Values{}
			for k, vs := range required {
				q[k] = vs
			}
			q.Set(p.Name, v)
			req, _ := http.NewRequest("GET", s.URL+o.Path+"?"+q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+s.SecretKey)
			req.Header.Set(apispec.EndUserHeader, "end_usr_a")
			resp, err := s.transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var env struct {
				Error struct{ Message, IntegrationCode string }
			}
			json.Unmarshal(body, &env)
			want := p.Name + ": the fake does not apply this filter to " + o.Resource
			// The end-user has no objects, so a filter of values that
			// must all be found (ids) is applied by refusing the list.
			notFound := mustAllBeFound(rt, p.Name) && resp.StatusCode == http.StatusBadRequest && env.Error.IntegrationCode == qbdNotFound
			switch {
			case appliedBy(a.model(resourceKey(o)), p) && (resp.StatusCode == http.StatusOK || notFound):
				applied++
			case !appliedBy(a.model(resourceKey(o)), p) && resp.StatusCode == http.StatusBadRequest && strings.HasPrefix(env.Error.Message, want):
				refused++
			default:
				t.Errorf("%s %s=%s: status %d, %s; want 200 if the fake applies it, else 400 %q...", o.SDKName(), p.Name, v, resp.StatusCode, body, want)
			}
		}
	}
	t.Logf("%d list parameters applied, %d refused", applied, refused)
	if applied == 0 || refused == 0 {
		t.Errorf("applied %d, refused %d: want some of each", applied, refused)
	}
}
