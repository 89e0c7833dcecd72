package conductor_test

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// These tests compare what the facade mirrors from openapi.yaml with the
// spec itself, so that a spec change cannot leave the facade behind
// silently. When one fails, the spec changed: update the facade (and this
// test's tables) to match, or question the spec change.

// loadedSpec is openapi.yaml read by kin-openapi, once for the package's
// tests: the whole spec takes a second or two to load. Tests only read it.
var loadedSpec = sync.OnceValues(func() (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromFile(specPath)
})

func specOperation(t *testing.T) (*openapi3.T, *openapi3.Operation) {
	t.Helper()
	doc, err := loadedSpec()
	if err != nil {
		t.Fatalf("loading openapi.yaml: %v", err)
	}
	item := doc.Paths.Value("/auth-sessions")
	if item == nil || item.Post == nil {
		t.Fatal("openapi.yaml has no POST /auth-sessions, which AuthSessions.Create wraps")
	}
	return doc, item.Post
}

func requestSchema(t *testing.T, op *openapi3.Operation) *openapi3.Schema {
	t.Helper()
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Fatal("POST /auth-sessions has no application/json request schema")
	}
	return mt.Schema.Value
}

func TestDefaultBaseURLIsTheSpecServer(t *testing.T) {
	doc, _ := specOperation(t)
	if len(doc.Servers) == 0 {
		t.Fatal("openapi.yaml lists no server; conductor.DefaultBaseURL mirrors servers[0].url")
	}
	if got := doc.Servers[0].URL; got != conductor.DefaultBaseURL {
		t.Errorf("openapi.yaml servers[0].url = %q, conductor.DefaultBaseURL = %q: make them agree", got, conductor.DefaultBaseURL)
	}
}

func TestLinkExpiryLimitsMatchTheSpec(t *testing.T) {
	_, op := specOperation(t)
	prop := requestSchema(t, op).Properties["linkExpiryMins"]
	if prop == nil || prop.Value == nil {
		t.Fatal("the request has no linkExpiryMins; AuthSessionCreateParams.LinkExpiry sends it")
	}
	s := prop.Value
	mins, ok := s.Default.(float64)
	if !ok {
		t.Fatalf("linkExpiryMins default is %#v, want a number", s.Default)
	}
	if got := time.Duration(mins) * time.Minute; got != conductor.DefaultLinkExpiry {
		t.Errorf("linkExpiryMins default is %v, conductor.DefaultLinkExpiry is %v", got, conductor.DefaultLinkExpiry)
	}
	// The limits live only in prose; a reworded description fails here,
	// which is the point: read it and update the facade's limits.
	for _, c := range []struct {
		re   string
		unit time.Duration
		want time.Duration
		name string
	}{
		{`at least (\d+) minutes`, time.Minute, conductor.MinLinkExpiry, "MinLinkExpiry"},
		{`no more than (\d+) days`, 24 * time.Hour, conductor.MaxLinkExpiry, "MaxLinkExpiry"},
		{`defaults to (\d+) minutes`, time.Minute, conductor.DefaultLinkExpiry, "DefaultLinkExpiry"},
	} {
		m := regexp.MustCompile(c.re).FindStringSubmatch(s.Description)
		if m == nil {
			t.Errorf("linkExpiryMins description no longer says %q, which conductor.%s mirrors; read it and update the facade and this test:\n%s", c.re, c.name, s.Description)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if got := time.Duration(n) * c.unit; got != c.want {
			t.Errorf("linkExpiryMins description says %v (%q), conductor.%s is %v", got, m[0], c.name, c.want)
		}
	}
}

// requestFields maps each property of the request body to the
// AuthSessionCreateParams field that sends it.
var requestFields = map[string]string{
	"publishableKey": "PublishableKey",
	"endUserId":      "EndUserID",
	"linkExpiryMins": "LinkExpiry",
	"redirectUrl":    "RedirectURL",
}

// TestRequiredRequestFieldsMatchTheSpec leaves each parameter empty in
// turn and checks, through Create, that the facade refuses exactly the
// ones the spec requires.
func TestRequiredRequestFieldsMatchTheSpec(t *testing.T) {
	_, op := specOperation(t)
	schema := requestSchema(t, op)
	var props []string
	for name := range schema.Properties {
		props = append(props, name)
	}
	slices.Sort(props)
	if diff := cmp.Diff(slices.Sorted(maps.Keys(requestFields)), props); diff != "" {
		t.Fatalf("the request's properties differ from the fields AuthSessionCreateParams sends (-facade +spec):\n%s\nadd or remove a parameter in the facade, then update requestFields", diff)
	}
	full := conductor.AuthSessionCreateParams{
		EndUserID:      "end_usr_1234567abcdefg",
		PublishableKey: testPublishableKey,
		LinkExpiry:     time.Hour,
		RedirectURL:    "https://example.com/auth/conductor-callback",
	}
	// No client-wide publishable key, or an empty PublishableKey would not
	// be refused.
	clearEnv(t)
	srv := newScriptServer(t, okReply)
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, jsonName := range props {
		p := full
		f := reflect.ValueOf(&p).Elem().FieldByName(requestFields[jsonName])
		f.SetZero()
		_, err := create(t, c, p)
		var verr *conductor.ValidationError
		switch {
		case errors.As(err, &verr):
			if verr.Fields[0].Field != requestFields[jsonName] {
				t.Errorf("with %s empty, Create refused %s", requestFields[jsonName], verr.Fields[0].Field)
			}
			refused = append(refused, jsonName)
		case err != nil:
			t.Fatalf("with %s empty, Create = %v; want success or a *ValidationError", requestFields[jsonName], err)
		}
	}
	required := slices.Sorted(slices.Values(schema.Required))
	if diff := cmp.Diff(required, refused); diff != "" {
		t.Errorf("the fields Create refuses when empty differ from the request's required fields (-spec +facade):\n%s\nmake AuthSessionCreateParams' validation refuse exactly the required fields", diff)
	}
}

// nullableRequired are response fields the spec requires but allows to be
// null, which the generated *string cannot tell apart from a missing key:
// the facade accepts both, as "no value".
var nullableRequired = map[string]bool{"redirectUrl": true}

// TestRequiredResponseFieldsMatchTheSpec removes each property from an
// otherwise valid auth_session and checks that Create refuses the body
// exactly when the spec requires the property.
func TestRequiredResponseFieldsMatchTheSpec(t *testing.T) {
	doc, _ := specOperation(t)
	ref := doc.Components.Schemas["auth_session"]
	if ref == nil || ref.Value == nil {
		t.Fatal("openapi.yaml has no auth_session schema")
	}
	schema := ref.Value
	var body map[string]any
	if err := json.Unmarshal([]byte(sessionJSON), &body); err != nil {
		t.Fatal(err)
	}
	for name := range schema.Properties {
		if _, ok := body[name]; !ok {
			t.Errorf("auth_session has property %s, which the test body lacks: add it to sessionJSON", name)
		}
	}
	for name := range nullableRequired {
		p := schema.Properties[name]
		if !slices.Contains(schema.Required, name) || p == nil || !nullable(p.Value) {
			t.Errorf("nullableRequired lists %s, which auth_session no longer has as required and nullable: remove it", name)
		}
	}
	srv := newScriptServer(t)
	c := srv.client(t)
	for name := range schema.Properties {
		trimmed := map[string]any{}
		for k, v := range body {
			if k != name {
				trimmed[k] = v
			}
		}
		b, _ := json.Marshal(trimmed)
		srv.mu.Lock()
		srv.replies = []reply{{status: 200, headers: okReply.headers, body: string(b)}}
		srv.mu.Unlock()
		_, err := create(t, c, validParams)
		wantRefused := slices.Contains(schema.Required, name) && !nullableRequired[name]
		if refused := errors.Is(err, conductor.ErrInvalidResponse); refused != wantRefused {
			t.Errorf("auth_session without %s: Create = %v; want it refused: %v (required in the spec: %v)", name, err, wantRefused, slices.Contains(schema.Required, name))
		}
	}
}

// nullable reports whether a schema admits null: type [string, "null"], or
// anyOf [{type: string}, {type: "null"}] as Conductor's spec writes it.
func nullable(s *openapi3.Schema) bool {
	if s.Type.Includes(openapi3.TypeNull) {
		return true
	}
	for _, alt := range s.AnyOf {
		if alt.Value != nil && alt.Value.Type.Is(openapi3.TypeNull) {
			return true
		}
	}
	return false
}
