package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// readSettings reads the three assignments fake-server prints first.
func readSettings(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	settings := map[string]string{}
	sc := bufio.NewScanner(r)
	for len(settings) < 3 && sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("line %q is not NAME=value", sc.Text())
		}
		settings[name] = value
	}
	if len(settings) < 3 {
		t.Fatalf("fake-server printed %v before its output ended (%v)", settings, sc.Err())
	}
	return settings
}

// createWith creates a session with a client set up from what fake-server
// printed, as another program would.
func createWith(t *testing.T, settings map[string]string) *conductor.AuthSession {
	t.Helper()
	c, err := conductor.NewClient(
		conductor.WithAPIKey(settings["CONDUCTOR_SECRET_KEY"]),
		conductor.WithBaseURL(settings["CONDUCTOR_BASE_URL"]),
		conductor.WithPublishableKey(settings["CONDUCTOR_PUBLISHABLE_KEY"]),
		conductor.WithMaxRetries(0),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
	if err != nil {
		t.Fatalf("Create against fake-server: %v", err)
	}
	return s
}

func TestFakeServerServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr strings.Builder
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"fake-server", "--addr", "127.0.0.1:0", "--secret-key", "sk_conductor_given", "--publishable-key", "pk_conductor_given"}, func(string) string { return "" }, outW, &stderr)
		outW.Close()
	}()
	settings := readSettings(t, outR)
	if settings["CONDUCTOR_SECRET_KEY"] != "sk_conductor_given" || settings["CONDUCTOR_PUBLISHABLE_KEY"] != "pk_conductor_given" || !strings.HasPrefix(settings["CONDUCTOR_BASE_URL"], "http://127.0.0.1:") {
		t.Errorf("printed %v; want the given keys and a loopback URL", settings)
	}
	s := createWith(t, settings)
	if !strings.HasPrefix(s.AuthFlowURL, settings["CONDUCTOR_BASE_URL"]+"/qbd/") {
		t.Errorf("AuthFlowURL %q is not on the fake", s.AuthFlowURL)
	}
	cancel()
	go io.Copy(io.Discard, outR)
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit %d after cancel, want 0; stderr %q", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fake-server did not stop after its context ended")
	}
}

func TestFakeServerBadAddressExits1(t *testing.T) {
	r := runCmd(t, nil, "fake-server", "--addr", "127.0.0.1:99999")
	if r.code != exitAPI || !strings.Contains(r.stderr, "listen") {
		t.Errorf("exit %d, stderr %q; want 1 and the listen error", r.code, r.stderr)
	}
}

// TestFakeServerStopsOnSignals runs the command as its own process, as a
// user would, and stops it with a real signal.
func TestFakeServerStopsOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { testStopsOn(t, sig) })
	}
}

func testStopsOn(t *testing.T, sig syscall.Signal) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CONDUCTOR_CLI_RUN_MAIN=1", "CONDUCTOR_CLI_ARGS=fake-server --addr 127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // only if the test fails before Wait
	settings := readSettings(t, stdout)
	if !strings.HasPrefix(settings["CONDUCTOR_SECRET_KEY"], "sk_conductor_fake_") {
		t.Errorf("printed secret key %q, want a random sk_conductor_fake_...", settings["CONDUCTOR_SECRET_KEY"])
	}
	createWith(t, settings)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		// Wait closes the pipe, so read it to the end first.
		io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after %v: %v; stderr %q", sig, err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("fake-server did not exit after %v", sig)
	}
	if !strings.HasSuffix(stderr.String(), "stopped\n") {
		t.Errorf("stderr %q, want it to end by saying it stopped", stderr.String())
	}
}
