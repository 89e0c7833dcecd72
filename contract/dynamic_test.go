//go:build contract

package contract

import (
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// dynamicCalls is how many sessions are asked of Prism's dynamic mode.
const dynamicCalls = 50

// TestPrismDynamic asks Prism's dynamic mode, which invents every response
// from the schema, for dynamicCalls sessions, and the facade must accept
// each one. Prism runs on the contract spec (see contractSpec), whose
// timestamps carry the format the facade decodes them with.
func TestPrismDynamic(t *testing.T) {
	t.Parallel()
	c := newClient(t, dynamicPrism(t))
	seen := map[string]bool{}
	for i := range dynamicCalls {
		s, err := c.AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: endUserA, LinkExpiry: time.Hour})
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

// TestStaticPrismAnswersWithExamples checks that the shared Prism, though
// started with -d, is static for a request that prefers it: the static
// cases would otherwise test invented answers, not the spec's examples.
func TestStaticPrismAnswersWithExamples(t *testing.T) {
	t.Parallel()
	for range 3 {
		s, err := newClient(t, staticPrism(t)).AuthSessions.Create(callContext(t), conductor.AuthSessionCreateParams{EndUserID: endUserA})
		if err != nil {
			t.Fatalf("Create with Prefer: dynamic=false: %v", err)
		}
		if s.ID != "auth_sess_1234567abcdefg" || s.CreatedAt != time.Date(2024, 1, 1, 12, 34, 56, 789e6, time.UTC) {
			t.Errorf("session %+v, want the spec's example", s)
		}
	}
}
