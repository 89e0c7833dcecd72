package conductortest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// heapAlloc runs a GC and returns what it left allocated in the whole
// process. Only when nothing else allocates is that what is live, so the
// test measures when its requests are done, or all blocked.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapSince is how much the live heap grew since base, a heapAlloc: none
// when the GC has since freed more than the test added (what earlier
// tests left behind), rather than a difference wrapped around.
func heapSince(base uint64) uint64 {
	return max(heapAlloc(), base) - base
}

// TestMemoryStaysWithinBudget fills a fake as a long flood would, and
// checks that what it holds stays under MemoryBudget: after more sessions
// than it keeps, hundreds of 1 MiB requests, as many end-users as it keeps
// with fields as long as a request allows, a thousand lists paged with
// filters as long as a URL allows, and as many QuickBooks objects as it
// keeps; then with 64 more 1 MiB requests in flight at once; then with
// lists of all those objects in flight; then with hundreds of connections
// that send most of a header block and stop. It measures the whole
// process, so it must not run in parallel with other tests (none here do).
func TestMemoryStaysWithinBudget(t *testing.T) {
	// The fake loads the OpenAPI document on start, before the baseline
	// is taken: the budget leaves it out as shared by every fake in the
	// process.
	srv := newServer(t)
	c := client(t, srv, conductor.WithMaxRetries(0))
	defer c.CloseIdleConnections()
	mustCreate(t, c, conductor.AuthSessionCreateParams{EndUserID: "end_usr_first"})
	// The bodies the test sends are the test's, not the fake's.
	stranger := bytes.Repeat([]byte{'x'}, 1<<20)
	huge := fmt.Appendf(nil, `{"endUserId":"end_usr_a","publishableKey":%q,"redirectUrl":"https://example.com/cb?state=%s"}`,
		srv.PublishableKey, bytes.Repeat([]byte{'a'}, 1<<20-200))
	const senders, megabyteRequests, inFlight, halfSentHeaders = 32, 256, 64, 400
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: inFlight}}
	defer hc.CloseIdleConnections()
	base := heapAlloc()

	// More sessions than the fake keeps, then the flood: 1 MiB requests
	// from many connections at once, most without a key (what strangers
	// would send) and one in sixteen creating a session with a redirect URL
	// of nearly 1 MiB (the costliest request to accept).
	var wg sync.WaitGroup
	var created atomic.Int32
	for range 4 {
		wg.Go(func() {
			for i := created.Add(1); i <= conductortest.MaxSessions+100; i = created.Add(1) {
				if _, err := create(t, c, conductor.AuthSessionCreateParams{EndUserID: fmt.Sprintf("end_usr_%d", i%64)}); err != nil {
					t.Errorf("Create %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	var sent atomic.Int32
	for range senders {
		wg.Go(func() {
			for i := sent.Add(1); i <= megabyteRequests; i = sent.Add(1) {
				header, body, want := http.Header{"Content-Type": {"application/json"}}, stranger, http.StatusUnauthorized
				if i%16 == 0 {
					header, body, want = authorized(srv), huge, http.StatusOK
				}
				if status := post(t, hc, srv, header, bytes.NewReader(body), int64(len(body))); status != want {
					t.Errorf("a 1 MiB request: status %d, want %d", status, want)
				}
			}
		})
	}
	wg.Wait()

	// End-users, as many as the fake keeps: each asked for with a
	// companyName of 60 KB, and when that is refused, with every field
	// of 1 KiB (the most the fake keeps).
	long, kib := strings.Repeat("c", 60_000), strings.Repeat("e", 1<<10)
	for i := len(testEndUsers.EndUsers); i < conductortest.MaxEndUsers; i++ {
		for _, fields := range []map[string]string{
			{"companyName": long, "sourceId": "s", "email": "e"},
			{"companyName": kib, "sourceId": kib, "email": kib},
		} {
			body, _ := json.Marshal(fields)
			status, answer := do(t, hc, "POST", srv.URL+"/end-users", authorized(srv), body)
			if status == http.StatusOK {
				break
			}
			if fields["email"] == kib {
				t.Fatalf("creating end-user %d: status %d: %.300s", i, status, answer)
			}
		}
	}

	// Lists paged with filters of 60 KB, more than MaxCursorBytes holds,
	// each asked for a page of one of two invoices.
	if err := srv.Connect("end_usr_b"); err != nil {
		t.Fatal(err)
	}
	listing := qbdHeader(srv, "end_usr_b")
	customer := newCustomer(t, srv, "end_usr_b")
	for range 2 {
		if r := send(t, srv, "POST", "/quickbooks-desktop/invoices", listing, fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-10-01"}`, customer)); r.status != http.StatusOK {
			t.Fatalf("creating an invoice: status %d: %.300s", r.status, r.body)
		}
	}
	filter := "&customerIds=" + customer + strings.Repeat("&customerIds="+strings.Repeat("8", 1000), 60)
	var paged int
	longFilterLists := conductortest.MaxCursorBytes/(60<<10) + 100
	for range longFilterLists {
		status, answer := do(t, hc, "GET", srv.URL+"/quickbooks-desktop/invoices?limit=1"+filter, listing, nil)
		switch {
		case status == http.StatusOK:
			paged++
		case status != http.StatusBadRequest || !bytes.Contains(answer, []byte("MaxCursor")):
			t.Fatalf("a list with a long filter: status %d: %.300s", status, answer)
		}
	}

	// QuickBooks objects, as many as the fake keeps: invoices whose memo
	// is nearly 1 MiB, created until the fake refuses one for its
	// MaxObjectBytes, then listed (each list decodes what it holds).
	if err := srv.Connect("end_usr_a"); err != nil {
		t.Fatal(err)
	}
	invoice := fmt.Appendf(nil, `{"customerId":%q,"transactionDate":"2024-10-01","memo":%q}`, newCustomer(t, srv, "end_usr_a"), bytes.Repeat([]byte{'m'}, 1<<20-200))
	qbd := qbdHeader(srv, "end_usr_a")
	refused := false
	for i := 0; i < 2*conductortest.MaxObjectBytes>>20 && !refused; i++ {
		r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbd, string(invoice))
		switch {
		case r.status == http.StatusBadRequest && bytes.Contains(r.body, []byte("MaxObjectBytes")):
			refused = true
		case r.status != http.StatusOK:
			t.Fatalf("creating invoice %d: status %d: %.300s", i, r.status, r.body)
		}
	}
	if !refused {
		t.Errorf("the fake kept creating invoices of 1 MiB past MaxObjectBytes (%d MiB)", conductortest.MaxObjectBytes>>20)
	}
	for range 4 {
		if r := send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=150", qbd, ""); r.status != http.StatusOK {
			t.Fatalf("listing the invoices: status %d", r.status)
		}
	}
	afterFlood := heapSince(base)

	// Then requests in flight: 1 MiB uploads that stop one byte short, so
	// that the fake has started on as many as it will and waits for the
	// rest. It is measured once it has taken room for as many as its
	// in-flight limit holds (the buffer of a body is made when its room is
	// taken); a fake that started on all of them shows it then too.
	release := make(chan struct{})
	for range inFlight {
		r, w := io.Pipe()
		go func() {
			w.Write(stranger[1:])
			<-release
			w.Write(stranger[:1])
			w.Close()
		}()
		wg.Go(func() {
			if status := post(t, hc, srv, nil, r, 1<<20); status != http.StatusUnauthorized {
				t.Errorf("a paused 1 MiB request: status %d, want 401", status)
			}
		})
	}
	waitFor(t, "the fake to take room for 4 bodies of 1 MiB", func() bool { return conductortest.InFlightBytes(srv) >= 4<<20 })
	withInFlight := heapSince(base)
	close(release)
	wg.Wait()

	// Then lists in flight: pages of every invoice, asked for on
	// connections that never read the answer, so that the fake holds each
	// page it has started to write.
	var unread []net.Conn
	for range 8 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /quickbooks-desktop/invoices?limit=150 HTTP/1.1\r\nHost: fake\r\nAuthorization: %s\r\nConductor-End-User-Id: end_usr_a\r\n\r\n", qbd.Get("Authorization"))
		unread = append(unread, conn)
	}
	// Each list is answered, the start of it read: the budget is
	// measured with the pages the fake writes, not with refusals, once
	// it writes all of them.
	for _, conn := range unread {
		status := make([]byte, len("HTTP/1.1 200"))
		if _, err := io.ReadFull(conn, status); err != nil || string(status) != "HTTP/1.1 200" {
			t.Fatalf("an unread list: %q, %v; want HTTP/1.1 200", status, err)
		}
	}
	withLists := heapSince(base)
	for _, conn := range unread {
		conn.Close()
	}

	// Then connections that send most of a header block, 60 lines of
	// 1 KB, and stop. It is measured once the fake has read as many
	// blocks as it keeps connections open: it closes the oldest of them
	// to take in others, so it never holds more at once.
	line := "X-Padding: " + strings.Repeat("h", 1000) + "\r\n"
	block := "GET /end-users HTTP/1.1\r\nHost: fake\r\n" + strings.Repeat(line, 60)
	readBefore := conductortest.BytesRead(srv)
	for range halfSentHeaders {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, block); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the fake to read 128 header blocks", func() bool {
		return conductortest.BytesRead(srv)-readBefore >= int64(128*len(block))
	})
	withHeaders := heapSince(base)

	t.Logf("held by the fake: %.1f MiB after %d sessions, %d requests of 1 MiB, %d end-users, %d paged lists of the %d asked for with 60 KB filters and %d MiB of invoices; %.1f MiB with %d more in flight; %.1f MiB with %d unread lists of every invoice; %.1f MiB with %d half-sent header blocks; the budget is %d MiB",
		float64(afterFlood)/(1<<20), conductortest.MaxSessions+101, megabyteRequests, conductortest.MaxEndUsers, paged, longFilterLists, conductortest.MaxObjectBytes>>20,
		float64(withInFlight)/(1<<20), inFlight, float64(withLists)/(1<<20), len(unread),
		float64(withHeaders)/(1<<20), halfSentHeaders, conductortest.MemoryBudget>>20)
	if most := max(afterFlood, withInFlight, withLists, withHeaders); most > conductortest.MemoryBudget {
		t.Errorf("the fake held %d MiB after the flood, %d MiB with requests in flight, %d MiB with lists in flight and %d MiB with header blocks in flight; the budget is %d MiB",
			afterFlood>>20, withInFlight>>20, withLists>>20, withHeaders>>20, conductortest.MemoryBudget>>20)
	}
}

// waitFor waits until cond holds, for as long as the test may run: the
// fake has then taken in the load the test sent.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx := testdeadline.Context(t)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(10 * time.Millisecond): // how often to look, not a limit
		}
	}
}

// TestSlowListReadersHoldNoMoreThanTheBudget repeats what an attacker
// would to make the fake hold deleted objects: create invoices of
// 850 KB, ask for a list of them on a connection that never reads it
// (the fake writes it from the stored objects), then delete them. The
// objects such a list shows stay counted against MaxObjectBytes until it
// is written, so later creates are refused rather than the heap growing
// round after round. The fake's IOTimeout is far longer than the test, so
// that no slow reader is cut off.
func TestSlowListReadersHoldNoMoreThanTheBudget(t *testing.T) {
	srv := newServer(t, conductortest.Options{IOTimeout: time.Hour})
	if err := srv.Connect("end_usr_a"); err != nil {
		t.Fatal(err)
	}
	qbd := qbdHeader(srv, "end_usr_a")
	invoice := fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-10-01","memo":%q}`, newCustomer(t, srv, "end_usr_a"), strings.Repeat("m", 850_000))
	base := heapAlloc()
	var most uint64
	for round := range 8 {
		var ids []string
		for range 9 {
			r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbd, invoice)
			if r.status == http.StatusBadRequest && bytes.Contains(r.body, []byte("MaxObjectBytes")) {
				break
			}
			var created struct{ ID string }
			if err := json.Unmarshal(r.body, &created); r.status != http.StatusOK || err != nil {
				t.Fatalf("round %d: creating an invoice: status %d, %v: %.300s", round, r.status, err, r.body)
			}
			ids = append(ids, created.ID)
		}
		conn := dial(t, srv)
		conn.SetReadBuffer(4 << 10)
		fmt.Fprintf(conn, "GET /quickbooks-desktop/invoices?limit=150 HTTP/1.1\r\nHost: fake\r\nAuthorization: %s\r\nConductor-End-User-Id: end_usr_a\r\n\r\n", qbd.Get("Authorization"))
		status := make([]byte, len("HTTP/1.1 200"))
		if _, err := io.ReadFull(conn, status); err != nil || string(status) != "HTTP/1.1 200" {
			t.Fatalf("round %d: a list: %q, %v; want HTTP/1.1 200", round, status, err)
		}
		for _, id := range ids {
			if r := send(t, srv, "DELETE", "/quickbooks-desktop/invoices/"+id, qbd, ""); r.status != http.StatusOK {
				t.Fatalf("round %d: deleting an invoice: status %d: %.300s", round, r.status, r.body)
			}
		}
		held := heapSince(base)
		t.Logf("round %d: %d invoices created and deleted under a slow reader; the fake holds %.1f MiB", round, len(ids), float64(held)/(1<<20))
		most = max(most, held)
	}
	if most > conductortest.MemoryBudget {
		t.Errorf("with slow readers of lists of deleted invoices, the fake held %d MiB; the budget is %d MiB", most>>20, conductortest.MemoryBudget>>20)
	}
}

// do sends a request on hc and reads the whole answer.
func do(t *testing.T, hc *http.Client, method, url string, header http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}

func TestOversizedHeadersAre431(t *testing.T) {
	srv := newServer(t)
	h := authorized(srv)
	// net/http lets 4 KiB beyond MaxHeaderBytes through.
	padding := conductortest.MaxHeaderBytes + 4<<10
	h.Set("X-Padding", strings.Repeat("a", padding))
	if r := send(t, srv, "POST", "/auth-sessions", h, `{}`); r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d for a header of %d bytes, want 431", r.status, padding)
	}
}

// TestDeletingMakesRoom fills a fake's MaxObjectBytes with invoices of
// nearly 1 MiB, then checks that deleting one, or deleting their
// end-user, makes room for as much again: what is deleted no longer
// counts against the limit.
func TestDeletingMakesRoom(t *testing.T) {
	srv := newServer(t)
	ids, bigInvoice := fillWithInvoices(t, srv, "end_usr_a")
	if r := send(t, srv, "DELETE", "/quickbooks-desktop/invoices/"+ids[0], qbdHeader(srv, "end_usr_a"), ""); r.status != http.StatusOK {
		t.Fatalf("deleting an invoice: status %d: %.300s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbdHeader(srv, "end_usr_a"), bigInvoice); r.status != http.StatusOK {
		t.Errorf("creating an invoice after deleting one as large: status %d: %.300s", r.status, r.body)
	}

	if r := send(t, srv, "DELETE", "/end-users/end_usr_a", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting the end-user: status %d: %.300s", r.status, r.body)
	}
	if again, _ := fillWithInvoices(t, srv, "end_usr_b"); len(again) != len(ids) {
		t.Errorf("after deleting the end-user that had %d invoices of 1 MiB, another got room for %d", len(ids), len(again))
	}
}

// bigInvoice is an invoice of nearly 1 MiB for the customer, for the fake
// to be filled with a few.
func bigInvoice(customer string) string {
	return fmt.Sprintf(`{"customerId":%q,"transactionDate":"2024-10-01","memo":%q}`, customer, strings.Repeat("m", 1<<20-200))
}

func qbdHeader(srv *conductortest.Server, endUser string) http.Header {
	h := authorized(srv)
	h.Set("Conductor-End-User-Id", endUser)
	return h
}

// fillWithInvoices connects endUser and creates a customer and then a
// bigInvoice for it until the fake refuses one for MaxObjectBytes, and
// returns the ids of those it created and the invoice's body.
func fillWithInvoices(t *testing.T, srv *conductortest.Server, endUser string) (ids []string, invoice string) {
	t.Helper()
	if err := srv.Connect(endUser); err != nil {
		t.Fatal(err)
	}
	invoice = bigInvoice(newCustomer(t, srv, endUser))
	for range 2 * conductortest.MaxObjectBytes >> 20 {
		r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbdHeader(srv, endUser), invoice)
		if r.status == http.StatusBadRequest && bytes.Contains(r.body, []byte("MaxObjectBytes")) {
			return ids, invoice
		}
		var created struct{ ID string }
		if err := json.Unmarshal(r.body, &created); r.status != http.StatusOK || err != nil {
			t.Fatalf("creating invoice %d: status %d, %v: %.300s", len(ids), r.status, err, r.body)
		}
		ids = append(ids, created.ID)
	}
	t.Fatalf("the fake kept creating invoices of 1 MiB past MaxObjectBytes (%d MiB)", conductortest.MaxObjectBytes>>20)
	return nil, ""
}

// TestAnUpdateTakesTheRoomOfWhatItReplaces: with MaxObjectBytes full, an
// invoice can still be updated to one as large, since the new version
// replaces the old one rather than adding to it.
func TestAnUpdateTakesTheRoomOfWhatItReplaces(t *testing.T) {
	srv := newServer(t)
	ids, _ := fillWithInvoices(t, srv, "end_usr_a")
	update := fmt.Sprintf(`{"revisionNumber":"0","memo":%q}`, strings.Repeat("n", 1<<20-200))
	if r := send(t, srv, "POST", "/quickbooks-desktop/invoices/"+ids[0], qbdHeader(srv, "end_usr_a"), update); r.status != http.StatusOK {
		t.Errorf("updating an invoice of 1 MiB with MaxObjectBytes full: status %d: %.300s", r.status, r.body)
	}
}
