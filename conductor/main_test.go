package conductor_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: a
// retry timer, a response body reader, a connection nobody closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
