package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// The variables that make this test binary run as the command (TestMain).
const (
	runMainVar = "CONDUCTOR_CLI_RUN_MAIN"
	argsVar    = "CONDUCTOR_CLI_ARGS" // the arguments, as a JSON array
)

// process is the command running as its own process.
type process struct {
	cmd    *exec.Cmd
	stdout io.Reader
	// stderr is safe to read only once exited is closed.
	stderr strings.Builder
	once   sync.Once
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

// startProcess runs this test binary as the command with args. Its
// environment is the test's without CONDUCTOR_* variables, plus env; its
// standard input is empty. The test's cleanup kills it if it is still
// running.
func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	return startProcessWithInput(t, env, nil, args...)
}

// startProcessWithInput is startProcess with stdin as the standard input.
func startProcessWithInput(t *testing.T, env map[string]string, stdin io.Reader, args ...string) *process {
	t.Helper()
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: exec.Command(os.Args[0], "-test.run=^$"), exited: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONDUCTOR_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, runMainVar+"=1", argsVar+"="+string(encoded))
	if os.Getenv("GORACE") == "" {
		// Under -race, a process sleeps a second as it exits, for
		// reports from other threads; the tests run a dozen.
		p.cmd.Env = append(p.cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	for name, value := range env {
		p.cmd.Env = append(p.cmd.Env, name+"="+value)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdout = stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.Stdin = stdin
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.wait()
	})
	return p
}

// runProcess runs the command as its own process to its end, as a person
// would from a shell with env as the CONDUCTOR_* variables.
func runProcess(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runProcessWithInput(t, env, nil, args...)
}

// runProcessWithInput is runProcess with stdin as the standard input.
func runProcessWithInput(t *testing.T, env map[string]string, stdin io.Reader, args ...string) result {
	t.Helper()
	p := startProcessWithInput(t, env, stdin, args...)
	var stdout strings.Builder
	p.stdout = io.TeeReader(p.stdout, &stdout)
	select {
	case <-p.wait():
	case <-testdeadline.Context(t).Done():
		t.Fatalf("conductor %s had not exited near the test's deadline", strings.Join(args, " "))
	}
	code := p.cmd.ProcessState.ExitCode()
	return result{code, stdout.String(), p.stderr.String()}
}

// wait reads stdout to its end, as Wait closes it, then waits for the
// process; the channel is closed when it has exited.
func (p *process) wait() <-chan struct{} {
	p.once.Do(func() {
		go func() {
			io.Copy(io.Discard, p.stdout)
			p.err = p.cmd.Wait()
			close(p.exited)
		}()
	})
	return p.exited
}

// stop ends the process with sig and returns its stderr.
func (p *process) stop(t *testing.T, sig os.Signal) string {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.wait():
	case <-testdeadline.Context(t).Done():
		t.Fatalf("the command had not exited after %v near the test's deadline", sig)
	}
	if p.err != nil {
		t.Errorf("exit after %v: %v; stderr %q", sig, p.err, p.stderr.String())
	}
	return p.stderr.String()
}
