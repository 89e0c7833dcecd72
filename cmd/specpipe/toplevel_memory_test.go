package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestANewTopLevelListStaysWithinTheFakesBudget (on the copy
// TestTheNextSpecGrowsTheLibrary builds, whose integration connections
// can be listed and created): the fake's MemoryBudget
// (limits.go) promises that the lists of stored objects it answers are
// written from the stored objects, and that its heap stays within 32 MiB
// whatever it is sent. A list of a new top-level resource is instead built
// whole in memory (serveTopLevel), up to MaxObjectBytes of objects, and
// each waiting answer keeps its copy: eight clients that list and do not
// read hold eight copies.
func TestANewTopLevelListStaysWithinTheFakesBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	r := nextSpecCopy(t).r
	r.write(t, filepath.Join("nextmemory", "main.go"), []byte(`package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	srv := conductortest.NewServer()
	defer srv.Close()
	big := strings.Repeat("x", 900<<10)
	body, _ := json.Marshal(map[string]any{"endUserId": "end_usr_1", "lastRequestAt": big})
	stored := 0
	for range 20 {
		req, _ := http.NewRequest("POST", srv.URL+"/integration-connections", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			break
		}
		stored++
	}
	base := heap()
	var conns []net.Conn
	u, err := url.Parse(srv.URL)
	if err != nil {
		panic(err)
	}
	host, path := u.Host, u.Path
	for range 8 {
		c, err := net.Dial("tcp", host)
		if err != nil {
			panic(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET %s/integration-connections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", path, srv.SecretKey)
	}
	// A request that needs the fake's turn, after the eight lists.
	var peak uint64
	for range 20 {
		req, _ := http.NewRequest("GET", srv.URL+"/end-users", nil)
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		peak = max(peak, heap()-min(base, heap()))
	}
	fmt.Printf("stored %d objects; eight unread lists hold %d MiB more; budget %d MiB\n", stored, peak>>20, conductortest.MemoryBudget>>20)
	for _, c := range conns {
		c.Close()
	}
}
`))
	out := string(r.goOutput(t, "run", "./nextmemory"))
	t.Log(out)
	var stored, held, budget int
	if _, err := fmtSscanf(out, &stored, &held, &budget); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if stored == 0 {
		t.Fatalf("the fake stored no integration connection to list: %s", out)
	}
	if held > budget {
		t.Errorf("eight clients listing %d stored objects of a new top-level resource, reading nothing, make the fake hold %d MiB more, past its MemoryBudget of %d MiB", stored, held, budget)
	}
}

func fmtSscanf(out string, stored, held, budget *int) (int, error) {
	return fmt.Sscanf(strings.TrimSpace(out), "stored %d objects; eight unread lists hold %d MiB more; budget %d MiB", stored, held, budget)
}
