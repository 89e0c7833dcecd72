package conductor_test

import (
	"bytes"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// envLogChild, set in a child's environment, makes TestEnvLogChild run
// its calls; in the parent's test run it is unset and the test skips.
const envLogChild = "CONDUCTOR_TEST_ENVLOG_CHILD"

// TestEnvLogChild is the child process of TestEnvLog: with CONDUCTOR_LOG
// as the parent set it, it makes two clients with no logger, and calls a
// server that echoes the key in a failing answer and then succeeds; then
// a client with a logger of its own, which wins over CONDUCTOR_LOG, calls
// it once more; then a client with no logger renames a customer, a write
// whose answer is lost and which the client resolves (an info record).
func TestEnvLogChild(t *testing.T) {
	if os.Getenv(envLogChild) == "" {
		t.Skip("run by TestEnvLog as a child process")
	}
	echo := map[string]string{"Content-Type": "application/json", "Conductor-Request-Id": "req_" + testAPIKey}
	srv := newScriptServer(t, reply{status: 503, headers: echo, body: envelope(503, "INTERNAL_ERROR", "X", testAPIKey)}, reply{200, jsonHeader, endUserJSON, 0})
	for range 2 {
		c := srv.client(t, conductor.WithMaxRetries(1))
		if _, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1"); err != nil {
			t.Fatal(err)
		}
	}
	var own bytes.Buffer
	c := srv.client(t, conductor.WithLogger(slog.New(slog.NewTextHandler(&own, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if _, err := c.EndUsers.Retrieve(testdeadline.Context(t), "end_usr_1"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(own.String(), `msg="conductor: request"`); n != 1 {
		t.Fatalf("the client's own logger has %d records of its one attempt:\n%s", n, own.String())
	}
	write := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(updatedJSON))
	if _, err := rename(t, write.client(t, conductor.WithMaxRetries(0))); err != nil {
		t.Fatal(err)
	}
}

// TestEnvLog runs this test binary as a child with CONDUCTOR_LOG set, and
// reads its standard error: a level turns on the client's records at that
// level, redacted, but for the client given a logger; off, and a value
// that is not a level, leave it off, the latter with one warning for the
// process.
func TestEnvLog(t *testing.T) {
	if os.Getenv(envLogChild) != "" {
		t.Skip("the child runs only TestEnvLogChild")
	}
	for _, tc := range []struct {
		value    string
		want     []string // substrings of standard error
		count    int      // records of attempts
		resolved int      // records of writes resolved
	}{
		{"debug", []string{"level=WARN", "level=DEBUG", `msg="conductor: request"`, "request_id=req_[redacted]"}, 6, 1},
		{"info", []string{"level=WARN", "level=INFO", "status=503"}, 3, 1},
		{"warn", []string{"level=WARN", "status=503"}, 3, 0},
		{"error", nil, 0, 0},
		{"off", nil, 0, 0},
		{"verbose", []string{`conductor: CONDUCTOR_LOG is "verbose", not one of debug, info, warn, error, off; logging stays off`}, 0, 0},
	} {
		t.Run(tc.value, func(t *testing.T) {
			cmd := exec.CommandContext(testdeadline.Context(t), os.Args[0], "-test.run=^TestEnvLogChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), envLogChild+"=1", conductor.EnvLog+"="+tc.value)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if out, err := cmd.Output(); err != nil {
				t.Fatalf("child: %v\n%s\n%s", err, out, stderr.String())
			}
			got := stderr.String()
			if strings.Contains(got, testAPIKey) {
				t.Errorf("standard error has the key:\n%s", got)
			}
			for _, w := range tc.want {
				if strings.Count(got, w) == 0 {
					t.Errorf("standard error lacks %q:\n%s", w, got)
				}
			}
			// Two clients without a logger: the first's call gets a 503
			// then a 200, the second's a 200 (the script's last reply); the
			// rename a 503, a 400 and a 200: 6 attempts, 3 failed. The
			// client with a logger logs to it alone. A record is counted
			// in whatever format it has, slog's default included.
			if n := strings.Count(got, "conductor: request"); n != tc.count {
				t.Errorf("%d records of attempts, want %d:\n%s", n, tc.count, got)
			}
			if n := strings.Count(got, "conductor: write resolved"); n != tc.resolved {
				t.Errorf("%d records of writes resolved, want %d:\n%s", n, tc.resolved, got)
			}
			warnings := 0
			if tc.value == "verbose" {
				warnings = 1
			}
			if n := strings.Count(got, "CONDUCTOR_LOG is"); n != warnings {
				t.Errorf("%d warnings, want %d for the process:\n%s", n, warnings, got)
			}
		})
	}
}
