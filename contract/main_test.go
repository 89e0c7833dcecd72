//go:build contract

package contract

import (
	"fmt"
	"os"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"go.uber.org/goleak"
)

// workDir holds what the tests write for Prism (the contract spec); it
// lives as long as the shared Prism does, so it belongs to TestMain, not to
// a test's TempDir.
var workDir string

// TestMain keeps the machine's CONDUCTOR_* variables out of every client
// here (the tests run in parallel, where t.Setenv is not allowed), and
// stops the shared Prism and the filter probe's fake before looking for
// leaked goroutines: Prism's output is read by one until it exits, and the
// fake serves on one.
func TestMain(m *testing.M) {
	for _, name := range []string{conductor.EnvSecretKey, conductor.EnvBaseURL, conductor.EnvPublishableKey} {
		os.Unsetenv(name)
	}
	dir, err := os.MkdirTemp("", "conductor-contract-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	stopPrism()
	stopProbe()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
