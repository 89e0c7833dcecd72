// Package bulkpages builds the pages of a bulk read, the books of issue 19's
// benchmarks: one end-user's 10,000 invoices of 3 lines each, 150 a page
// (67 pages of some 400 KB), as the fake (conductortest) lists them, and
// serves those pages from memory with a Content-Length, a server that costs
// next to nothing, so that what a client does with them is what a
// benchmark measures. The benchmarks of package conductor and the peers'
// benchmark (bench/peers, make bench-peers) read the same pages.
package bulkpages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

const (
	// Invoices is how many invoices the books hold.
	Invoices = 10_000
	// PageSize is the limit each page is asked for with: Conductor's largest.
	PageSize = 150
	// EndUser is the end-user whose books they are.
	EndUser = "end_usr_bulk"
	// Customer is the customer of every invoice.
	Customer = "80000001-1700000000"
	// ObjectBudget is the fake's Options.MaxObjectBytes that holds the
	// books (the default, 8 MiB, holds some 3,000 of these invoices).
	ObjectBudget = 256 << 20
)

// Fixtures are the books: EndUser, connected, with one customer and
// Invoices invoices of 3 lines each.
func Fixtures() *conductortest.Fixtures {
	invoices := make([]map[string]any, Invoices)
	for i := range invoices {
		lines := make([]any, 3)
		for j := range lines {
			lines[j] = map[string]any{
				"description": fmt.Sprintf("Consulting, week %d of the engagement with Globex: design reviews and on-site workshops", j+1),
				"quantity":    float64(2 + j), "rate": "150.00",
			}
		}
		invoices[i] = map[string]any{
			"customerId": Customer, "refNumber": fmt.Sprintf("INV-%d", i),
			"transactionDate": "2024-10-01", "dueDate": "2024-10-31",
			"memo":  "Thank you for your business. Payment is due within 30 days; please quote the invoice number with your payment.",
			"lines": lines,
		}
	}
	return &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: EndUser, CompanyName: "Acme", Connected: true,
		QBD: map[string][]map[string]any{
			"customers": {{"id": Customer, "name": "Globex"}},
			"invoices":  invoices,
		},
	}}}
}

// WriteFixtures writes the books to a new file at path as JSON, for
// conductor fake-server --fixtures (with --max-object-mib of at least
// ObjectBudget>>20): a fake in a process of its own, whose CPU a
// benchmark does not count.
func WriteFixtures(path string) error {
	data, err := json.Marshal(Fixtures())
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// NewFake starts a fake holding the books, whose cursors last a minute
// (a busy machine can take longer than 10 seconds between two pages of a
// profiled run). Close it when done.
func NewFake() (*conductortest.Server, error) {
	return conductortest.NewServerWithOptions(conductortest.Options{
		Fixtures: Fixtures(), MaxObjectBytes: ObjectBudget, CursorTTL: time.Minute,
	})
}

// Pages lists the books from a fake, page by page as a client would
// (limit=150, then the cursor), and returns each page's body as the fake
// wrote it.
func Pages() ([][]byte, error) {
	srv, err := NewFake()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	var pages [][]byte
	cursor := ""
	for {
		url := srv.URL + "/quickbooks-desktop/invoices?limit=" + strconv.Itoa(PageSize)
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
		req.Header.Set("Conductor-End-User-Id", EndUser)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("page %d: status %d: %.300s", len(pages)+1, resp.StatusCode, body)
		}
		pages = append(pages, body)
		next, more := nextCursor(body)
		if !more {
			return pages, nil
		}
		if next == "" || len(pages) > Invoices/PageSize+1 {
			return nil, fmt.Errorf("page %d: hasMore without a usable nextCursor", len(pages))
		}
		cursor = next
	}
}

// nextCursor reads a page's nextCursor and hasMore without decoding it (a
// fake's cursors are plain tokens, with nothing to unescape) or copying
// it.
func nextCursor(body []byte) (string, bool) {
	more := bytes.Contains(body, []byte(`"hasMore":true`))
	key := []byte(`"nextCursor":"`)
	i := bytes.Index(body, key)
	if i < 0 {
		return "", more
	}
	rest := body[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')]), more
}

// Server answers GET /quickbooks-desktop/invoices with the pages, in
// order: a request without a cursor starts a listing at the first page,
// and each with a cursor gets the next page of that listing. Every page
// carries the fake's one cursor, as Conductor keeps a listing's cursor the
// same throughout, so the Server follows one listing at a time: the
// benchmarks read the books sequentially.
type Server struct {
	pages [][]byte
	size  []string // each page's Content-Length

	mu   sync.Mutex
	next map[string]int // per cursor, the page its next request gets
}

// NewServer returns a Server of pages.
func NewServer(pages [][]byte) *Server {
	s := &Server{pages: pages, next: map[string]int{}}
	for _, p := range pages {
		s.size = append(s.size, strconv.Itoa(len(p)))
	}
	return s
}

// ServeHTTP serves a page, with Content-Length, without reading or
// checking the request further than its cursor: it costs next to nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/quickbooks-desktop/invoices" {
		http.NotFound(w, r)
		return
	}
	cursor := r.URL.Query().Get("cursor")
	i := 0
	if cursor != "" {
		s.mu.Lock()
		i = s.next[cursor]
		if i >= len(s.pages)-1 {
			delete(s.next, cursor)
		} else {
			s.next[cursor] = i + 1
		}
		s.mu.Unlock()
		if i == 0 {
			http.Error(w, `{"error":{"message":"The cursor is unknown or expired.","code":"INVALID_CURSOR","type":"INVALID_REQUEST_ERROR","httpStatusCode":400}}`, http.StatusBadRequest)
			return
		}
	} else if c, _ := nextCursor(s.pages[0]); c != "" {
		s.mu.Lock()
		s.next[c] = 1
		s.mu.Unlock()
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{s.size[i]}
	h["Conductor-Request-Id"] = []string{"req_bulk"}
	w.Write(s.pages[i])
}
