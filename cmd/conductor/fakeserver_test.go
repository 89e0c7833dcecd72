package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
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

// createWith creates a session for endUserID with a client set up from
// what fake-server printed, as another program would.
func createWith(t *testing.T, settings map[string]string, endUserID string) *conductor.AuthSession {
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
	s, err := c.AuthSessions.Create(testdeadline.Context(t), conductor.AuthSessionCreateParams{EndUserID: endUserID})
	if err != nil {
		t.Fatalf("Create against fake-server: %v", err)
	}
	return s
}

// writeFile writes content to a new file in a test's directory and returns
// its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFakeServerServesUntilCancelled(t *testing.T) {
	t.Parallel()
	fixtures := writeFile(t, "fixtures.json", `{"endUsers": [{"id": "end_usr_a", "companyName": "A", "connected": true,
		"qbd": {"customers": [{"id": "80000001-1700000000", "name": "Globex"}]}}]}`)
	settings, stop := runningFakeServer(t, "--secret-key", "sk_conductor_given", "--publishable-key", "pk_conductor_given", "--fixtures", fixtures)
	if settings["CONDUCTOR_SECRET_KEY"] != "sk_conductor_given" || settings["CONDUCTOR_PUBLISHABLE_KEY"] != "pk_conductor_given" || !strings.HasPrefix(settings["CONDUCTOR_BASE_URL"], "http://127.0.0.1:") {
		t.Errorf("printed %v; want the given keys and a loopback URL", settings)
	}
	customer := retrieveCustomer(t, settings, "end_usr_a", "80000001-1700000000")
	if customer.Name != "Globex" {
		t.Errorf("the customer of the fixtures is named %q, want Globex", customer.Name)
	}
	s := createWith(t, settings, "end_usr_a")
	if !strings.HasPrefix(s.AuthFlowURL, settings["CONDUCTOR_BASE_URL"]+"/qbd/") {
		t.Errorf("AuthFlowURL %q is not on the fake", s.AuthFlowURL)
	}
	if code, stderr := stop(); code != exitOK {
		t.Errorf("exit %d after cancel, want 0; stderr %q", code, stderr)
	}
}

// runningFakeServer runs fake-server on a free loopback port with args
// and returns the settings it printed. stop ends its context and returns
// its exit status and what it wrote on stderr; the test fails if it does
// not stop.
func runningFakeServer(t *testing.T, args ...string) (settings map[string]string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	outR, outW := io.Pipe()
	var stderr strings.Builder
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"fake-server", "--addr", "127.0.0.1:0"}, args...), env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: outW, stderr: &stderr})
		outW.Close()
	}()
	settings = readSettings(t, outR)
	go io.Copy(io.Discard, outR)
	return settings, func() (int, string) {
		t.Helper()
		cancel()
		select {
		case c := <-code:
			return c, stderr.String() // written before code was sent
		case <-testdeadline.Context(t).Done():
			t.Fatal("fake-server did not stop after its context ended")
			return 0, ""
		}
	}
}

// TestFakeServerBadFlagsExit2 gives fake-server what it cannot start with:
// each is the user's input, so the status is 2, and the message names the
// flag, never a Go option, and shows no key.
func TestFakeServerBadFlagsExit2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "127.0.0.1:99999"}, `--addr "127.0.0.1:99999": the port must be a number from 0 to 65535`},
		{[]string{"--addr", "127.0.0.1:http"}, `--addr "127.0.0.1:http": the port must be a number from 0 to 65535`},
		{[]string{"--addr", "localhost"}, `--addr "localhost": want host:port, such as 127.0.0.1:4010`},
		{[]string{"--addr", "[::1:4010"}, `--addr "[::1:4010": want host:port, such as 127.0.0.1:4010`},
		{[]string{"--addr", "256.0.0.1:0"}, `--addr "256.0.0.1:0": 256.0.0.1 is not an IP address`},
		{[]string{"--addr", "no such host:0"}, `--addr "no such host:0": no such host`},
		{[]string{"--secret-key", "pk_conductor_y0123"}, "--secret-key is a publishable key (pk_...); the API needs your secret key (sk_...)"},
		{[]string{"--secret-key", "sk_conductor y0123"}, "--secret-key contains whitespace or control characters"},
		{[]string{"--fault-rate", "1.5"}, "--fault-rate 1.5 is not a share: use 0 (no faults) to 1 (every write)"},
		{[]string{"--fault-rate", "-0.1"}, "--fault-rate -0.1 is not a share"},
		{[]string{"--fault-rate", "NaN"}, "--fault-rate NaN is not a share"},
		{[]string{"--fault-seed", "-1"}, `--fault-seed "-1": parse error`},
		{[]string{"--max-object-mib", "-1"}, `--max-object-mib "-1": parse error`},
		{[]string{"--max-object-mib", "65537"}, "--max-object-mib 65537 is more than this fake can count: use 0 (the default, 8) to 65536"},
		{[]string{"--max-cursors", "16777217"}, "--max-cursors 16777217 is more than this fake can count: use 0 (the default, 5000) to 16777216"},
		{[]string{"--publishable-key", "sk_conductor_y0123"}, "--publishable-key is a secret key (sk_...), which would be put in a URL shown to end-users"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, append([]string{"fake-server"}, tt.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if m := goNames.FindString(r.stderr); m != "" {
				t.Errorf("stderr names %q, which a command-line user cannot change: %q", m, r.stderr)
			}
			if strings.Contains(r.stderr, "y0123") {
				t.Errorf("stderr shows the key given: %q", r.stderr)
			}
		})
	}
}

// TestFakeServerFaultsWrites: with --fault-rate 1 every write fails one of
// the hard ways, and reads do not.
func TestFakeServerFaultsWrites(t *testing.T) {
	t.Parallel()
	settings, stop := runningFakeServer(t, "--demo", "--fault-rate", "1", "--fault-seed", "7")
	c, err := conductor.NewClient(conductor.WithAPIKey(settings["CONDUCTOR_SECRET_KEY"]), conductor.WithBaseURL(settings["CONDUCTOR_BASE_URL"]),
		conductor.WithMaxRetries(0), conductor.WithWritePolicy(conductor.ReportWrites), conductor.WithHeader("Conductor-Timeout-Seconds", "1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	tctx := testdeadline.Context(t)
	for i := range 4 {
		_, err := c.QBD.Classes.Create(tctx, conductortest.DemoEndUserID, conductor.ClassCreateParams{Name: fmt.Sprintf("Class %d", i)})
		if !errors.Is(err, conductor.ErrWriteUnconfirmed) {
			t.Errorf("create %d: err = %v; want every write to fail a hard way, unconfirmed", i, err)
		}
	}
	if _, err := c.QBD.Invoices.List(tctx, conductortest.DemoEndUserID, nil); err != nil {
		t.Errorf("a read failed: %v; want faults on writes only", err)
	}
	code, stderr := stop()
	if code != exitOK {
		t.Errorf("exit %d, want 0", code)
	}
	if !strings.Contains(stderr, "100% of writes fail at random (seed 7)") {
		t.Errorf("stderr %q does not say that writes fail", stderr)
	}
}

// retrieveCustomer retrieves a customer with a client set up from what
// fake-server printed.
func retrieveCustomer(t *testing.T, settings map[string]string, endUserID, id string) *conductor.Customer {
	t.Helper()
	c, err := conductor.NewClient(conductor.WithAPIKey(settings["CONDUCTOR_SECRET_KEY"]), conductor.WithBaseURL(settings["CONDUCTOR_BASE_URL"]), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	customer, err := c.QBD.Customers.Retrieve(testdeadline.Context(t), endUserID, id)
	if err != nil {
		t.Fatalf("Retrieve against fake-server: %v", err)
	}
	return customer
}

// TestFakeServerBadFixturesExit2 gives fake-server fixtures it cannot
// start with: the file is the user's input, so the status is 2, and the
// message names the flag and the reason.
func TestFakeServerBadFixturesExit2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
		demo          bool
		want          string
	}{
		{"not JSON", `{"endUsers": [`, false, "unexpected EOF"},
		{"an unknown field", `{"endUsers": [{"id": "end_usr_a", "conected": true}]}`, false, `unknown field "conected"`},
		{"an unknown resource", `{"endUsers": [{"id": "end_usr_a", "qbd": {"widgets": [{}]}}]}`, false, `"widgets" is not a QuickBooks Desktop resource`},
		{"an end-user twice", `{"endUsers": [{"id": "end_usr_a"}, {"id": "end_usr_a"}]}`, false, `the id "end_usr_a" is given twice`},
		{"the demo's end-user", `{"endUsers": [{"id": "end_usr_demo"}]}`, true, `the id "end_usr_demo" is given twice (--demo adds the end-user end_usr_demo)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "fixtures.json", tt.content)
			args := []string{"fake-server", "--addr", "127.0.0.1:0", "--fixtures", path}
			if tt.demo {
				args = append(args, "--demo")
			}
			r := runCmd(t, nil, args...)
			want := "conductor fake-server: --fixtures " + strconv.Quote(path) + ": "
			if r.code != exitUsage || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q ... %q", r.code, r.stdout, r.stderr, want, tt.want)
			}
			if m := goNames.FindString(r.stderr); m != "" {
				t.Errorf("stderr names %q, which a command-line user cannot change: %q", m, r.stderr)
			}
		})
	}
	t.Run("no such file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "absent.json")
		r := runCmd(t, nil, "fake-server", "--fixtures", path)
		want := "conductor fake-server: --fixtures " + strconv.Quote(path) + ": open " + path + ": no such file or directory\n"
		if r.code != exitUsage || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
		}
	})
}

// TestFakeServerAddressInUseExits1 starts fake-server on a port taken: the
// address is a good one, the machine's state is what fails, so the status
// is 1, and the message says what to do.
func TestFakeServerAddressInUseExits1(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := runCmd(t, nil, "fake-server", "--addr", l.Addr().String())
	want := "cannot listen on " + l.Addr().String() + ": the address is already in use; stop what uses it, or pass another --addr (port 0 picks a free one)"
	if r.code != exitAPI || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
}

// TestFakeServerStopsOnSignals runs the command as its own process, as a
// user would, and stops it with a real signal.
func TestFakeServerStopsOnSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel() // each waits for its own process, which loads the spec
			testStopsOn(t, sig)
		})
	}
}

func testStopsOn(t *testing.T, sig syscall.Signal) {
	p := startProcess(t, nil, "fake-server", "--addr", "127.0.0.1:0", "--demo")
	settings := readSettings(t, p.stdout)
	if !strings.HasPrefix(settings["CONDUCTOR_SECRET_KEY"], "sk_conductor_fake_") {
		t.Errorf("printed secret key %q, want a random sk_conductor_fake_...", settings["CONDUCTOR_SECRET_KEY"])
	}
	createWith(t, settings, conductortest.DemoEndUserID)
	stderr := p.stop(t, sig)
	if !strings.HasSuffix(stderr, "stopped\n") {
		t.Errorf("stderr %q, want it to end by saying it stopped", stderr)
	}
	if !strings.Contains(stderr, "the demo company's end-user is end_usr_demo\n") {
		t.Errorf("stderr %q does not name the demo end-user", stderr)
	}
}

// TestFakeServerStartsSmall checks that a fake-server with the demo
// company, once it has printed its settings, has at its peak taken well
// under what parsing the whole OpenAPI document took (170-200 MB): it
// parses the documents of the resources its fixtures use, and no other
// (some 30 MB in all; BENCHMARKS.md, "Command start-up").
func TestFakeServerStartsSmall(t *testing.T) {
	t.Parallel()
	if info, ok := debug.ReadBuildInfo(); ok && slices.Contains(info.Settings, debug.BuildSetting{Key: "-race", Value: "true"}) {
		t.Skip("the race detector's shadow memory is not given back; this measures a plain build")
	}
	p := startProcess(t, nil, "fake-server", "--addr", "127.0.0.1:0", "--demo")
	readSettings(t, p.stdout)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to read the process's memory from: %v", err)
	}
	kB := func(field string) int {
		for line := range strings.Lines(string(status)) {
			if rest, ok := strings.CutPrefix(line, field+":"); ok {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
				return n
			}
		}
		t.Fatalf("no %s in /proc/PID/status", field)
		return 0
	}
	const mostMB = 60
	if peak := kB("VmHWM"); peak > mostMB<<10 {
		t.Errorf("a fake-server with the demo company took %d MB to start, more than %d MB: it parsed more of the spec than its fixtures use", peak>>10, mostMB)
	}
}
