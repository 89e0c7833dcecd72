package main

import (
	"bufio"
	"context"
	"io"
	"net/url"
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

// TestFakeServerOnEveryInterface runs fake-server as a container would,
// on 0.0.0.0, and uses what it prints with the command itself: the
// printed URL must be one a local client can reach and the client accepts.
func TestFakeServerOnEveryInterface(t *testing.T) {
	p := startProcess(t, nil, "fake-server", "--addr", "0.0.0.0:0")
	settings := readSettings(t, p.stdout)
	base, err := url.Parse(settings["CONDUCTOR_BASE_URL"])
	if err != nil || base.Hostname() != "127.0.0.1" || base.Port() == "0" {
		t.Errorf("printed CONDUCTOR_BASE_URL=%s, want http://127.0.0.1:<bound port>", settings["CONDUCTOR_BASE_URL"])
	}
	r := runCmd(t, settings, "auth-sessions", "create", "--end-user-id", "end_usr_a")
	if r.code != exitOK {
		t.Fatalf("auth-sessions create with what fake-server printed: exit %d, stderr %q", r.code, r.stderr)
	}
	if s := decodeSession(t, r.stdout); !strings.HasPrefix(s.AuthFlowUrl, settings["CONDUCTOR_BASE_URL"]+"/qbd/") {
		t.Errorf("authFlowUrl %q is not on the fake", s.AuthFlowUrl)
	}
	if stderr, want := p.stop(t, syscall.SIGTERM), "every interface, port "+base.Port(); !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say it listens on %q", stderr, want)
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
	p := startProcess(t, nil, "fake-server", "--addr", "127.0.0.1:0")
	settings := readSettings(t, p.stdout)
	if !strings.HasPrefix(settings["CONDUCTOR_SECRET_KEY"], "sk_conductor_fake_") {
		t.Errorf("printed secret key %q, want a random sk_conductor_fake_...", settings["CONDUCTOR_SECRET_KEY"])
	}
	createWith(t, settings)
	if stderr := p.stop(t, sig); !strings.HasSuffix(stderr, "stopped\n") {
		t.Errorf("stderr %q, want it to end by saying it stopped", stderr)
	}
}
