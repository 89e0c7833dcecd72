//go:build contract

package contract

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// dynamicCalls is how many sessions are asked of Prism's dynamic mode.
const dynamicCalls = 50

// TestPrismDynamic asks Prism's dynamic mode, which invents every response
// from the schema, for dynamicCalls sessions. Each body must parse as the
// generated gen.AuthSession. The facade must then either return the
// session or refuse it as ErrInvalidResponse for a defect the body really
// has: openapi.yaml gives createdAt and expiresAt no format, so Prism
// invents words such as "culpa in ad" for them, which no client can turn
// into a time.
func TestPrismDynamic(t *testing.T) {
	t.Parallel()
	c := newClient(t, startPrism(t, "--dynamic"))
	var accepted, refused int
	for i := range dynamicCalls {
		s, err := c.AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a", LinkExpiry: time.Hour})
		if err == nil {
			accepted++
			if s.ObjectType != "auth_session" || s.ID == "" || s.CreatedAt.IsZero() {
				t.Errorf("call %d: accepted a session without its fields: %+v", i, s)
			}
			continue
		}
		var apiErr *conductor.Error
		if !errors.As(err, &apiErr) || !errors.Is(err, conductor.ErrInvalidResponse) {
			t.Fatalf("call %d: %v; want a session or ErrInvalidResponse", i, err)
		}
		var a gen.AuthSession
		if err := json.Unmarshal(apiErr.Body, &a); err != nil {
			t.Fatalf("call %d: Prism's body does not parse as gen.AuthSession: %v\n%s", i, err, apiErr.Body)
		}
		field := defect(a)
		if field == "" {
			t.Errorf("call %d: the facade refused a body with no defect: %v\n%s", i, err, apiErr.Body)
		} else if !strings.Contains(apiErr.Message, field) {
			t.Errorf("call %d: the body's %s is bad but the error says %q", i, field, apiErr.Message)
		}
		refused++
	}
	t.Logf("Prism dynamic mode: %d of %d sessions parsed as gen.AuthSession; the facade accepted %d and refused %d for invented timestamps or empty fields", dynamicCalls, dynamicCalls, accepted, refused)
}

// defect names the first field of a that the API documents differently,
// in the order the facade checks them, or "".
func defect(a gen.AuthSession) string {
	switch {
	case a.ObjectType != gen.AuthSessionObjectTypeAuthSession:
		return "objectType"
	case a.Id == "":
		return "id"
	case a.EndUserId == "":
		return "endUserId"
	case a.ClientSecret == "":
		return "clientSecret"
	case a.AuthFlowUrl == "":
		return "authFlowUrl"
	}
	if _, err := time.Parse(time.RFC3339Nano, a.CreatedAt); err != nil {
		return "createdAt"
	}
	if _, err := time.Parse(time.RFC3339Nano, a.ExpiresAt); err != nil {
		return "expiresAt"
	}
	return ""
}

// TestPrismDynamicWithExamplesPreferred shows the way to sessions that
// parse from a dynamic Prism: the request header "Prefer: dynamic=false"
// makes it answer with the spec's example for that call.
func TestPrismDynamicWithExamplesPreferred(t *testing.T) {
	t.Parallel()
	c := newClient(t, startPrism(t, "--dynamic"), conductor.WithHeader("Prefer", "dynamic=false"))
	s, err := c.AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	if err != nil {
		t.Fatalf("Create with Prefer: dynamic=false: %v", err)
	}
	if s.ID != "auth_sess_1234567abcdefg" || s.CreatedAt != time.Date(2024, 1, 1, 12, 34, 56, 789e6, time.UTC) {
		t.Errorf("session %+v, want the spec's example", s)
	}
}
