//go:build contract

package contract

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"go.yaml.in/yaml/v3"
)

// dynamicCalls is how many sessions are asked of Prism's dynamic mode.
const dynamicCalls = 50

// TestPrismDynamic asks Prism's dynamic mode, which invents every response
// from the schema, for dynamicCalls sessions, and the facade must accept
// each one. Prism runs on timestampSpec, not openapi.yaml as it is: see
// there why.
func TestPrismDynamic(t *testing.T) {
	t.Parallel()
	c := newClient(t, startPrism(t, timestampSpec(t), "--dynamic"))
	seen := map[string]bool{}
	for i := range dynamicCalls {
		s, err := c.AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: time.Hour})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if s.ObjectType != "auth_session" || s.ID == "" || s.ClientSecret == "" || s.CreatedAt.IsZero() || s.ExpiresAt.IsZero() {
			t.Errorf("call %d: a session without its fields: %+v", i, s)
		}
		seen[s.ID] = true
	}
	// Dynamic means invented each time: identical answers would mean the
	// test ran against examples, not the schema.
	if len(seen) < dynamicCalls/2 {
		t.Errorf("only %d distinct ids in %d calls; Prism is not answering dynamically", len(seen), dynamicCalls)
	}
}

// timestampSpec writes a copy of openapi.yaml whose auth_session createdAt
// and expiresAt carry `format: date-time`, and returns its path. The seed
// gives them only `type: string`, but the API reference documents them as
// ISO 8601 timestamps, its examples are, and the facade (rightly) refuses
// anything else; without the format Prism's dynamic mode invents words
// such as "culpa in ad", which no Conductor response contains. Nothing
// else changes.
func timestampSpec(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	props := lookup(t, doc.Content[0], "components", "schemas", "auth_session", "properties")
	for _, field := range []string{"createdAt", "expiresAt"} {
		prop := lookup(t, props, field)
		prop.Content = append(prop.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "format"},
			&yaml.Node{Kind: yaml.ScalarNode, Value: "date-time"})
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lookup follows keys through nested YAML mappings.
func lookup(t *testing.T, node *yaml.Node, keys ...string) *yaml.Node {
	t.Helper()
	for _, key := range keys {
		found := false
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == key {
				node, found = node.Content[i+1], true
				break
			}
		}
		if !found {
			t.Fatalf("openapi.yaml has no %q where the test expects it", key)
		}
	}
	return node
}

// TestPrismDynamicWithExamplesPreferred checks the other way to a
// predictable dynamic Prism: the request header "Prefer: dynamic=false"
// makes it answer with the spec's example for that call.
func TestPrismDynamicWithExamplesPreferred(t *testing.T) {
	t.Parallel()
	c := newClient(t, startPrism(t, specPath, "--dynamic"), conductor.WithHeader("Prefer", "dynamic=false"))
	s, err := c.AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	if err != nil {
		t.Fatalf("Create with Prefer: dynamic=false: %v", err)
	}
	if s.ID != "auth_sess_1234567abcdefg" || s.CreatedAt != time.Date(2024, 1, 1, 12, 34, 56, 789e6, time.UTC) {
		t.Errorf("session %+v, want the spec's example", s)
	}
}
