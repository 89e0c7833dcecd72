//go:build contract

package contract

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// prismBin is where `npm ci --prefix contract/prism` installs Prism.
var prismBin = filepath.Join("prism", "node_modules", ".bin", "prism")

// One Prism serves every test, in dynamic mode on the contract spec: it
// takes some ten seconds to load the 4 MB document, which is most of the
// time the contract tests take. Static mode is a request away: with the
// header "Prefer: dynamic=false" Prism answers that request with the
// spec's examples, exactly as `prism mock` without -d does (Prism merges
// the preference into its mock configuration per request), so the static
// and dynamic cases share the one process. See staticPrism.
var (
	prismOnce sync.Once
	prismProc *prism
	prismErr  error
)

// prismURL starts the shared Prism on first use and returns its base URL.
func prismURL(t *testing.T) string {
	t.Helper()
	prismOnce.Do(func() {
		var spec *contractSpec
		if spec, prismErr = loadContractSpec(); prismErr == nil {
			prismProc, prismErr = startPrism(testdeadline.Context(t), spec.path, "--dynamic")
		}
	})
	if prismErr != nil {
		t.Fatalf("the shared Prism: %v", prismErr)
	}
	return prismProc.url
}

// stopPrism stops the shared Prism, if it started; TestMain calls it once
// every test has run.
func stopPrism() {
	if prismProc == nil {
		return
	}
	ctx := context.Background()
	// No test is left to take a deadline from, so take the run's: -timeout
	// counts from the binary's start.
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 {
			end := runStart.Add(d)
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, end.Add(-max(time.Until(end)/20, time.Second)))
			defer cancel()
		}
	}
	prismProc.stop(ctx)
}

// runStart is about when the test binary started, which -timeout counts from.
var runStart = time.Now()

// prism is a running `prism mock`.
type prism struct {
	url     string
	cmd     *exec.Cmd
	drained chan struct{}
}

// startPrism runs `prism mock <spec>` on a free loopback port, plus args,
// and returns once Prism says it is listening, or an error if ctx ends
// first.
func startPrism(ctx context.Context, spec string, args ...string) (*prism, error) {
	if _, err := os.Stat(prismBin); err != nil {
		return nil, fmt.Errorf("Prism is not installed (%v); run `make test-contract`, which installs it with npm ci", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args = append([]string{"mock", "--host", "127.0.0.1", "--port", port}, args...)
	cmd := exec.Command(prismBin, append(args, spec)...)
	// Its own process group, so that stop ends Prism and anything it forks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting Prism: %v", err)
	}
	p := &prism{url: "http://127.0.0.1:" + port, cmd: cmd, drained: make(chan struct{})}
	log := &tailLog{}
	ready := make(chan struct{})
	go func() {
		defer close(p.drained)
		sc := bufio.NewScanner(out)
		// Prism logs each request with its body, which can pass the
		// scanner's default 64 KiB line.
		sc.Buffer(nil, 16<<20)
		listening := "Prism is listening on " + p.url
		for sc.Scan() {
			log.add(sc.Text())
			if strings.Contains(sc.Text(), listening) {
				close(ready)
				listening = "\x00" // never again
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
		return p, nil
	case <-p.drained:
		err = errors.New("Prism exited before listening")
	case <-ctx.Done():
		err = errors.New("Prism was not listening near the test's deadline")
	}
	p.stop(ctx)
	return nil, fmt.Errorf("%v:\n%s", err, log)
}

// stop ends Prism and waits until its output is drained; if that has not
// happened when ctx ends, it kills Prism.
func (p *prism) stop(ctx context.Context) {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.drained:
	case <-ctx.Done():
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.drained
	}
	p.cmd.Wait()
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before Prism does; Prism then exits and the test says so.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port), nil
}

// tailLog keeps Prism's last lines, to show when it fails to start.
type tailLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *tailLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if len(l.lines) > 40 {
		l.lines = l.lines[1:]
	}
}

func (l *tailLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
