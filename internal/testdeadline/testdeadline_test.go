package testdeadline_test

import (
	"testing"
	"testing/synctest"

	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

func TestEndsBeforeTheTestsDeadline(t *testing.T) {
	ctx := testdeadline.Context(t)
	want, hasDeadline := t.Deadline()
	got, ok := ctx.Deadline()
	if ok != hasDeadline || (ok && !got.Before(want)) {
		t.Errorf("context deadline %v (%v); want one before the test's, %v (%v)", got, ok, want, hasDeadline)
	}
}

func TestInABubbleEndsWithTheTest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testdeadline.Context(t)
		if d, ok := ctx.Deadline(); ok {
			t.Errorf("deadline %v in a bubble, want none", d)
		}
		if ctx.Err() != nil {
			t.Errorf("ended already: %v", ctx.Err())
		}
	})
}
