package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
	"go.uber.org/goleak"
)

// TestMain lets tests run this test binary as the command itself (see
// startProcess), so that a real signal reaches main and the command reads
// a real environment.
func TestMain(m *testing.M) {
	if os.Getenv(runMainVar) == "1" {
		// The arguments as a shell passes them (a script named
		// conductor that runs this binary, for the completion tests),
		// unless given as JSON.
		args := os.Args[1:]
		if encoded, ok := os.LookupEnv(argsVar); ok {
			args = nil
			if err := json.Unmarshal([]byte(encoded), &args); err != nil {
				fmt.Fprintln(os.Stderr, "bad", argsVar, err)
				os.Exit(3)
			}
		}
		os.Unsetenv(runMainVar)
		os.Unsetenv(argsVar)
		os.Args = append([]string{"conductor"}, args...)
		main()
		return
	}
	// The tests give the command its environment; clearing the process's
	// own CONDUCTOR_* variables once, here, keeps them from leaking into a
	// client that reads the environment, and leaves tests free to run in
	// parallel, which t.Setenv forbids.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "CONDUCTOR_") {
			os.Unsetenv(name)
		}
	}
	goleak.VerifyTestMain(m)
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command with vars as its whole environment and nothing
// on its standard input; TestMain has cleared the process's own
// CONDUCTOR_* variables so they cannot leak in.
func runCmd(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	return runCmdWithInput(t, vars, "", args...)
}

// runCmdWithInput is runCmd with stdin as the command's standard input.
func runCmdWithInput(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx := testdeadline.Context(t)
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr})
	return result{code, stdout.String(), stderr.String()}
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "Usage: conductor <command>"},
		{[]string{"help"}, "Usage: conductor <command>"},
		{[]string{"auth-sessions", "--help"}, "Usage: conductor auth-sessions <command>"},
		{[]string{"auth-sessions", "create", "--help"}, "--end-user-id ID"},
		{[]string{"auth-sessions", "create", "-h"}, "--link-expiry duration"},
		{[]string{"fake-server", "--help"}, "--addr address"},
		{[]string{"fake-server", "--help"}, "--fixtures file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, tt.args...)
			if r.code != exitOK || !strings.Contains(r.stdout, tt.want) || r.stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and help containing %q on stdout", r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}

// singleDashFlag finds a flag written as Go's flag package writes it, with
// one dash; the help, and so every message, writes two.
var singleDashFlag = regexp.MustCompile(`(^|[^-\w])-[a-z][a-z-]*`)

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "Usage: conductor <command>"},
		{[]string{"end-user"}, `unknown command "end-user"; did you mean "end-users"?`},
		{[]string{"invoices"}, "unknown command \"invoices\"\n\nUsage: conductor <command>"},
		{[]string{"end-users"}, "Usage: conductor end-users <method> [flags]"},
		{[]string{"auth-sessions"}, "Usage: conductor auth-sessions"},
		{[]string{"auth-sessions", "delete"}, `unknown command "delete"`},
		{[]string{"auth-sessions", "create"}, "--end-user-id is required"},
		{[]string{"auth-sessions", "create", "--end-user"}, "unknown flag --end-user; did you mean --end-user-id?\n"},
		{[]string{"auth-sessions", "create", "-end-user"}, "unknown flag --end-user; did you mean --end-user-id?\n"},
		{[]string{"auth-sessions", "create", "--end-user-id"}, "--end-user-id needs a value\n"},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_a", "extra"}, `unexpected argument "extra"`},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_a", "--link-expiry", "2"}, `--link-expiry "2": a duration needs a unit, such as 2h or 90m`},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_a", "--link-expiry", "90"}, `--link-expiry "90": a duration needs a unit, such as 2h or 90m`},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_a", "--link-expiry", "2 hours"}, `--link-expiry "2 hours": not a duration; write it as 2h, 90m or 1h30m`},
		{[]string{"auth-sessions", "create", "--end-user-id", "end_usr_a", "--link-expiry", "2d"}, `--link-expiry "2d": not a duration; write it as 2h, 90m or 1h30m (the units are h, m and s)`},
		{[]string{"fake-server", "--port", "1"}, "unknown flag --port\n"},
		{[]string{"fake-server", "--addr"}, "--addr needs a value\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q on stderr", r.code, r.stdout, r.stderr, tt.want)
			}
			if m := singleDashFlag.FindString(r.stderr); m != "" {
				t.Errorf("stderr writes a flag with one dash, %q:\n%s", m, r.stderr)
			}
		})
	}
}
