package conductortest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: every
// test closes its Server, and Close must leave nothing running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
