//go:build contract

package contract

import (
	"bufio"
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
)

// prismBin is where `npm ci --prefix contract/prism` installs Prism.
var prismBin = filepath.Join("prism", "node_modules", ".bin", "prism")

// specPath is the document the client was generated from.
var specPath = filepath.Join("..", "openapi.yaml")

// startPrism runs `prism mock <spec>` on a free loopback port, plus args
// (such as -d), and returns its base URL once Prism says it is listening.
// The test's cleanup stops it.
func startPrism(t *testing.T, spec string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(prismBin); err != nil {
		t.Fatalf("Prism is not installed (%v); run `make test-contract`, which installs it with npm ci", err)
	}
	port := freePort(t)
	args = append([]string{"mock", "--host", "127.0.0.1", "--port", port}, args...)
	cmd := exec.Command(prismBin, append(args, spec)...)
	// Its own process group, so that cleanup stops Prism and anything it forks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting Prism: %v", err)
	}
	log := &tailLog{}
	ready := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(out)
		listening := "Prism is listening on http://127.0.0.1:" + port
		for sc.Scan() {
			log.add(sc.Text())
			if strings.Contains(sc.Text(), listening) {
				close(ready)
				listening = "\x00" // never again
			}
		}
		io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-drained:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-drained
		}
		cmd.Wait()
	})
	select {
	case <-ready:
	case <-drained:
		t.Fatalf("Prism exited before listening:\n%s", log)
	case <-time.After(60 * time.Second):
		t.Fatalf("Prism did not listen within 60s:\n%s", log)
	}
	return "http://127.0.0.1:" + port
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before Prism does; Prism then exits and the test says so.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
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
