package conductortest_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
	"go.uber.org/goleak"
)

// The writes the fault tests make, by raw HTTP so that the answer is seen
// as sent, whatever the conductor client would make of it.
const (
	customersPath = "/quickbooks-desktop/customers"
	invoicesPath  = "/quickbooks-desktop/invoices"
)

// faultFixtures: a customer to update and invoices to void and delete.
var faultFixtures = map[string][]map[string]any{
	"customers": {{"id": "C1", "name": "Globex"}},
	"invoices":  {{"id": "I1", "customerId": "C1", "memo": "Rush"}, {"id": "I2", "customerId": "C1"}},
}

// try sends one request on a connection of its own, so that nothing
// re-sends it when the fake drops the connection, and returns the whole
// answer or the transport's error.
func try(t *testing.T, srv *conductortest.Server, method, path string, header http.Header, body string) (rawResponse, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(testdeadline.Context(t), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, resp.Header, b}, err
}

// userA is the headers of a well-formed call for end_usr_a, with extra
// headers such as Conductor-Timeout-Seconds.
func userA(srv *conductortest.Server, extra ...string) http.Header {
	h := qbdHeader(srv, "end_usr_a")
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

// A write is one write of the fault tests and how to see its effect
// through a clean client.
type write struct {
	name         string
	method, path string
	body         string
	// applied reports whether the fake's state shows the write's effect.
	applied func(t *testing.T, c *conductor.Client) bool
}

var writes = []write{
	{"create", "POST", customersPath, `{"name":"Initech"}`, func(t *testing.T, c *conductor.Client) bool {
		return len(customersNamed(t, c, "Initech")) > 0
	}},
	{"update", "POST", customersPath + "/C1", `{"revisionNumber":"0","name":"Globex Corp"}`, func(t *testing.T, c *conductor.Client) bool {
		cust, err := c.QBD.Customers.Retrieve(testdeadline.Context(t), "end_usr_a", "C1")
		if err != nil {
			t.Fatal(err)
		}
		return cust.Name == "Globex Corp"
	}},
	{"delete", "DELETE", invoicesPath + "/I1", "", func(t *testing.T, c *conductor.Client) bool {
		_, err := c.QBD.Invoices.Retrieve(testdeadline.Context(t), "end_usr_a", "I1")
		if apiErr := (*conductor.Error)(nil); errors.As(err, &apiErr) && apiErr.IntegrationCode == "500" {
			return true
		} else if err != nil {
			t.Fatal(err)
		}
		return false
	}},
	{"void", "POST", invoicesPath + "/I1/void", "", func(t *testing.T, c *conductor.Client) bool {
		inv, err := c.QBD.Invoices.Retrieve(testdeadline.Context(t), "end_usr_a", "I1")
		if err != nil {
			t.Fatal(err)
		}
		return strings.HasPrefix(*inv.Memo, "VOID:")
	}},
}

// customersNamed are the ids of end_usr_a's customers named name: none
// when QuickBooks, asked by fullNames, answers that it has no such
// customer.
func customersNamed(t *testing.T, c *conductor.Client, name string) []string {
	t.Helper()
	page, err := c.QBD.Customers.List(testdeadline.Context(t), "end_usr_a", &conductor.CustomerListParams{FullNames: []string{name}})
	if apiErr := (*conductor.Error)(nil); errors.As(err, &apiErr) && apiErr.IntegrationCode == "500" {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cust := range page.Data {
		ids = append(ids, cust.ID)
	}
	return ids
}

// outcome is what a client got: "dropped", or the status and the
// envelope's type and code.
func outcome(t *testing.T, r rawResponse, err error) string {
	t.Helper()
	if err != nil {
		return "dropped"
	}
	if r.status == http.StatusOK {
		return "200"
	}
	env := decodeEnvelope(t, r)
	return fmt.Sprintf("%d %s %s", r.status, env.Error.Type, env.Error.Code)
}

const (
	answer5xx     = "500 INTERNAL_ERROR INTERNAL_SERVER_ERROR"
	answerTimeout = "504 INTEGRATION_ERROR QBD_REQUEST_TIMEOUT"
)

// holdLate makes the late writes of srv wait for the returned channel to
// close instead of their random moment, and returns the waits and
// bounds the fake drew for them.
func holdLate(srv *conductortest.Server) (release chan struct{}, drawn chan [2]time.Duration) {
	release = make(chan struct{})
	drawn = make(chan [2]time.Duration, 16)
	conductortest.SetLateMoments(srv, func(wait, bound time.Duration) <-chan struct{} {
		drawn <- [2]time.Duration{wait, bound}
		return release
	})
	return release, drawn
}

// TestEachFaultOnEachWrite: each fault, queued for one write of each
// kind, gives the client the answer it names (none, 500, Conductor's
// timeout), and the fake's books then show the write carried out or not:
// ApplyLate's only once its moment has come, which Settle waits for.
func TestEachFaultOnEachWrite(t *testing.T) {
	for _, w := range writes {
		for _, tt := range []struct {
			fault   conductortest.Fault
			answer  string
			applied bool
		}{
			{conductortest.ApplyThenDrop, "dropped", true},
			{conductortest.ApplyThen5xx, answer5xx, true},
			{conductortest.TimeoutNoApply, answerTimeout, false},
			{conductortest.ApplyLate, answerTimeout, true},
		} {
			t.Run(w.name+"/"+tt.fault.String(), func(t *testing.T) {
				srv := fixtureServer(t, faultFixtures)
				c := client(t, srv, conductor.WithMaxRetries(0))
				release, _ := holdLate(srv)
				if err := srv.Enqueue(conductortest.Response{Fault: tt.fault}); err != nil {
					t.Fatal(err)
				}
				r, err := try(t, srv, w.method, w.path, userA(srv, "Conductor-Timeout-Seconds", "600"), w.body)
				if got := outcome(t, r, err); got != tt.answer {
					t.Errorf("the client got %s (%s), want %s", got, r.body, tt.answer)
				}
				if tt.answer == answerTimeout && !strings.Contains(decodeEnvelope(t, r).Error.Message, "600 seconds") {
					t.Errorf("the timeout's message %s does not name the request's 600 seconds", r.body)
				}
				if got := w.applied(t, c); got != (tt.applied && tt.fault != conductortest.ApplyLate) {
					t.Errorf("right after the answer, applied = %v", got)
				}
				close(release)
				srv.Settle()
				if got := w.applied(t, c); got != tt.applied {
					t.Errorf("after Settle, applied = %v, want %v", got, tt.applied)
				}
			})
		}
	}
}

// TestAFaultOnARead: for a read, carrying it out is answering it: a
// queued ApplyThenDrop drops it, ApplyThen5xx answers 500, and the
// timeouts answer 504.
func TestAFaultOnARead(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	faults := []conductortest.Fault{conductortest.ApplyThenDrop, conductortest.ApplyThen5xx, conductortest.TimeoutNoApply, conductortest.ApplyLate, conductortest.NoFault}
	for _, f := range faults {
		if err := srv.Enqueue(conductortest.Response{Fault: f}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range faults {
		r, err := try(t, srv, "GET", customersPath+"/C1", userA(srv, "Conductor-Timeout-Seconds", "1"), "")
		got = append(got, outcome(t, r, err))
	}
	srv.Settle()
	if diff := cmp.Diff([]string{"dropped", answer5xx, answerTimeout, answerTimeout, "200"}, got); diff != "" {
		t.Errorf("answers to reads with faults (-want +got):\n%s", diff)
	}
}

// TestSettleWaitsForALateWrite: Settle returns only once a late write
// whose moment comes while it waits has been carried out.
func TestSettleWaitsForALateWrite(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	c := client(t, srv, conductor.WithMaxRetries(0))
	release, _ := holdLate(srv)
	if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
		t.Fatal(err)
	}
	if r, err := try(t, srv, "POST", customersPath, userA(srv), `{"name":"Initech"}`); outcome(t, r, err) != answerTimeout {
		t.Fatalf("late write answered %s, %v", r.body, err)
	}
	go func() {
		// Most likely once Settle waits, though Settle must wait
		// whenever the moment comes.
		time.Sleep(50 * time.Millisecond)
		close(release)
	}()
	srv.Settle()
	if ids := customersNamed(t, c, "Initech"); len(ids) != 1 {
		t.Errorf("after Settle, the late create made %v, want one customer", ids)
	}
}

// TestALateWriteMeetsTheStateOfItsMoment: a later update overtakes a
// late one with the same revisionNumber, which then fails unseen; a write
// the fake would refuse stays refused, late or not.
func TestALateWriteMeetsTheStateOfItsMoment(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	c := client(t, srv, conductor.WithMaxRetries(0))
	release, _ := holdLate(srv)
	late := func(path, body string) {
		t.Helper()
		if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
			t.Fatal(err)
		}
		if r, err := try(t, srv, "POST", path, userA(srv), body); outcome(t, r, err) != answerTimeout {
			t.Fatalf("late write answered %s, %v", r.body, err)
		}
	}
	late(customersPath+"/C1", `{"revisionNumber":"0","name":"Late"}`)
	late(customersPath, `{"name":"Umbrella","unknownField":1}`)
	late(customersPath+"/C404", `{"revisionNumber":"0","name":"Nobody"}`)
	if r, err := try(t, srv, "POST", customersPath+"/C1", userA(srv), `{"revisionNumber":"0","name":"Early"}`); err != nil || r.status != http.StatusOK {
		t.Fatalf("the overtaking update: %v %s", err, r.body)
	}
	close(release)
	srv.Settle()
	cust, err := c.QBD.Customers.Retrieve(testdeadline.Context(t), "end_usr_a", "C1")
	if err != nil {
		t.Fatal(err)
	}
	if cust.Name != "Early" || cust.RevisionNumber != "1" {
		t.Errorf("C1 is %q at revision %s; want Early at 1, the late update refused as stale", cust.Name, cust.RevisionNumber)
	}
	if ids := customersNamed(t, c, "Umbrella"); len(ids) != 0 {
		t.Errorf("a create with a bad body landed late: %v", ids)
	}
}

// TestALateWriteLandsBeforeItsTimeoutSeconds: the moment drawn for a
// late write is before its Conductor-Timeout-Seconds (an integer 1..3600,
// else 90) pass, and one that could not start by then is never carried
// out.
func TestALateWriteLandsBeforeItsTimeoutSeconds(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	c := client(t, srv, conductor.WithMaxRetries(0))
	release, drawn := holdLate(srv)
	for _, tt := range []struct {
		header   string
		min, max time.Duration
	}{
		{"", 0, 90 * time.Second},
		{"7", 0, 7 * time.Second},
		{"3600", 90 * time.Second, time.Hour},
		{"3601", 0, 90 * time.Second},
		{"0", 0, 90 * time.Second},
		{"1.5", 0, 90 * time.Second},
		{"1", 0, time.Second},
	} {
		if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
			t.Fatal(err)
		}
		r, err := try(t, srv, "POST", customersPath, userA(srv, "Conductor-Timeout-Seconds", tt.header), `{"name":"Late `+tt.header+`"}`)
		if got := outcome(t, r, err); got != answerTimeout {
			t.Fatalf("header %q: the client got %s", tt.header, got)
		}
		d := <-drawn
		if wait, bound := d[0], d[1]; wait < 0 || wait >= bound || bound <= tt.min || bound > tt.max {
			t.Errorf("header %q: waits %v of %v; want a wait within the bound, the bound within (%v, %v]", tt.header, wait, bound, tt.min, tt.max)
		}
	}
	// The last write's second has passed once a second has since its
	// answer; only then is its moment let come.
	time.Sleep(time.Second)
	close(release)
	srv.Settle()
	if ids := customersNamed(t, c, "Late 1"); len(ids) != 0 {
		t.Errorf("a late write landed after its Conductor-Timeout-Seconds: %v", ids)
	}
	if ids := customersNamed(t, c, "Late 3600"); len(ids) != 1 {
		t.Errorf("a late write within its seconds (an hour, however slow the machine): %v, want it landed once", ids)
	}
}

// TestSettleWaitsForLateWritesOnTheClock: without a test's hold, a late
// write waits for its random moment on the clock, and Settle for it.
func TestSettleWaitsForLateWritesOnTheClock(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	if err := srv.SetFaults(conductortest.Faults{Seed: 1, Rate: 1, Kinds: []conductortest.Fault{conductortest.ApplyLate}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r, err := try(t, srv, "POST", customersPath, userA(srv, "Conductor-Timeout-Seconds", "1"), fmt.Sprintf(`{"name":"Clock %d"}`, i))
		if got := outcome(t, r, err); got != answerTimeout {
			t.Fatalf("the client got %s", got)
		}
	}
	srv.Settle() // within a second of the last answer; else the test's deadline fails it
}

// calls is a fixed series of calls to a fake with faultFixtures: reads
// and calls outside QuickBooks Desktop, and writes to it.
var calls = []struct {
	method, path, body string
	write              bool
}{
	{"GET", customersPath, "", false},
	{"POST", customersPath, `{"name":"A"}`, true},
	{"GET", customersPath + "/C1", "", false},
	{"POST", customersPath + "/C1", `{"revisionNumber":"0","name":"B"}`, true},
	{"GET", "/quickbooks-desktop/health-check", "", false},
	{"POST", "/auth-sessions", `{"endUserId":"end_usr_a","publishableKey":"%s"}`, false},
	{"POST", "/end-users", `{"companyName":"Co","sourceId":"s1","email":"a@example.com"}`, false},
	{"POST", "/end-users/end_usr_a/passthrough/quickbooks_desktop", `{"CustomerQueryRq":{}}`, false},
	{"POST", invoicesPath + "/I1/void", "", true},
	{"DELETE", invoicesPath + "/I2", "", true},
	{"GET", invoicesPath, "", false},
}

// run sends calls in order and returns what each got.
func run(t *testing.T, srv *conductortest.Server) []string {
	t.Helper()
	var got []string
	for _, call := range calls {
		body := call.body
		if strings.Contains(body, "%s") {
			body = fmt.Sprintf(body, srv.PublishableKey)
		}
		r, err := try(t, srv, call.method, call.path, userA(srv, "Conductor-Timeout-Seconds", "1"), body)
		got = append(got, outcome(t, r, err))
	}
	return got
}

// TestRandomFaultsFallOnWritesOnly: at Rate 1 every write to QuickBooks
// Desktop gets the one kind asked for, and nothing else does; at Rate 0
// none does.
func TestRandomFaultsFallOnWritesOnly(t *testing.T) {
	for _, tt := range []struct {
		rate float64
		want string // what a write gets
	}{
		{1, answer5xx},
		{0, "200"},
	} {
		t.Run(fmt.Sprint(tt.rate), func(t *testing.T) {
			srv := fixtureServer(t, faultFixtures)
			if err := srv.SetFaults(conductortest.Faults{Seed: 7, Rate: 1, Kinds: []conductortest.Fault{conductortest.TimeoutNoApply}}); err != nil {
				t.Fatal(err)
			}
			if err := srv.SetFaults(conductortest.Faults{Seed: 7, Rate: tt.rate, Kinds: []conductortest.Fault{conductortest.ApplyThen5xx}}); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, call := range calls {
				if call.write {
					want = append(want, tt.want)
				} else {
					want = append(want, "200")
				}
			}
			if diff := cmp.Diff(want, run(t, srv)); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTheSameSeedDrawsTheSameFaults: the same series of calls under the
// same Faults gets the same faults; another seed, others.
func TestTheSameSeedDrawsTheSameFaults(t *testing.T) {
	series := func(seed uint64) []string {
		srv := fixtureServer(t, faultFixtures)
		if err := srv.SetFaults(conductortest.Faults{Seed: seed, Rate: 0.7}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range 24 {
			r, err := try(t, srv, "POST", customersPath, userA(srv, "Conductor-Timeout-Seconds", "1"), fmt.Sprintf(`{"name":"N%d"}`, i))
			got = append(got, outcome(t, r, err))
		}
		return got
	}
	first := series(42)
	if diff := cmp.Diff(first, series(42)); diff != "" {
		t.Errorf("two series with seed 42 (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(first, series(43)); diff == "" {
		t.Errorf("seeds 42 and 43 drew the same faults: %v", first)
	}
	for _, want := range []string{"200", "dropped", answer5xx, answerTimeout} {
		if !strings.Contains(strings.Join(first, ","), want) {
			t.Errorf("seed 42 drew no %s in %v", want, first)
		}
	}
}

// TestBadFaultsAreRefused: SetFaults and Enqueue refuse what cannot be
// meant, saying what is allowed, and change nothing.
func TestBadFaultsAreRefused(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	for _, tt := range []struct {
		f    conductortest.Faults
		want string
	}{
		{conductortest.Faults{Rate: -0.1}, "Rate -0.1 is not a share; use 0 (no faults) to 1 (every write)"},
		{conductortest.Faults{Rate: 1.5}, "Rate 1.5 is not a share"},
		{conductortest.Faults{Rate: math.NaN()}, "Rate NaN is not a share"},
		{conductortest.Faults{Rate: 1, Kinds: []conductortest.Fault{conductortest.ApplyLate, conductortest.NoFault}}, "Kinds[1] is NoFault; use ApplyThenDrop, ApplyLate, TimeoutNoApply or ApplyThen5xx"},
		{conductortest.Faults{Rate: 1, Kinds: []conductortest.Fault{9}}, "Kinds[0] is Fault(9)"},
	} {
		if err := srv.SetFaults(tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SetFaults(%+v) = %v, want an error saying %q", tt.f, err, tt.want)
		}
	}
	for _, tt := range []struct {
		r    conductortest.Response
		want string
	}{
		{conductortest.Response{Fault: conductortest.ApplyThen5xx, Status: 500}, "Fault is set with Status, Error or Body"},
		{conductortest.Response{Fault: conductortest.ApplyLate, Body: []byte("x")}, "Fault is set with Status, Error or Body"},
		{conductortest.Response{Fault: 5}, "Fault Fault(5) is unknown"},
	} {
		if err := srv.Enqueue(tt.r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Enqueue(%+v) = %v, want an error saying %q", tt.r, err, tt.want)
		}
	}
	if r, err := try(t, srv, "POST", customersPath, userA(srv), `{"name":"Fine"}`); outcome(t, r, err) != "200" {
		t.Errorf("after refused faults, a write got %s %v", r.body, err)
	}
}

// TestCloseEndsLateWrites: Close with late writes pending, one waiting
// on the clock and one held, leaves nothing running, and ends a Settle
// waiting for them; Settle after Close returns at once.
func TestCloseEndsLateWrites(t *testing.T) {
	running := goleak.IgnoreCurrent()
	srv := fixtureServer(t, faultFixtures)
	for range 2 {
		if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := try(t, srv, "POST", customersPath, userA(srv, "Conductor-Timeout-Seconds", "3600"), `{"name":"Never"}`); outcome(t, r, err) != answerTimeout {
		t.Fatalf("late write answered %s, %v", r.body, err)
	}
	holdLate(srv)
	if r, err := try(t, srv, "POST", customersPath, userA(srv), `{"name":"Held"}`); outcome(t, r, err) != answerTimeout {
		t.Fatalf("held write answered %s, %v", r.body, err)
	}
	settled := make(chan struct{})
	go func() {
		srv.Settle()
		close(settled)
	}()
	srv.Close()
	select {
	case <-settled:
	case <-testdeadline.Context(t).Done():
		t.Fatal("Settle still waits after Close")
	}
	srv.Settle()
	goleak.VerifyNone(t, running)
}

// TestFaultNames: the faults print as their names, for test failures.
func TestFaultNames(t *testing.T) {
	var got bytes.Buffer
	for f := range conductortest.Fault(6) {
		fmt.Fprint(&got, f, " ")
	}
	if want := "NoFault ApplyThenDrop ApplyLate TimeoutNoApply ApplyThen5xx Fault(5) "; got.String() != want {
		t.Errorf("names %q, want %q", got.String(), want)
	}
}

// TestLateWritesKeepBoundedMemory: late writes keep at most 4 MiB of
// their requests; one beyond is never carried out, and one after them,
// carried out, is.
func TestLateWritesKeepBoundedMemory(t *testing.T) {
	srv := fixtureServer(t, faultFixtures)
	c := client(t, srv, conductor.WithMaxRetries(0))
	release, _ := holdLate(srv)
	memo := strings.Repeat("m", 900<<10)
	for i := range 6 {
		if i == 5 {
			// Once carried out, they give their room back.
			close(release)
			srv.Settle()
		}
		if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf(`{"customerId":"C1","transactionDate":"2024-10-01","refNumber":"BIG-%d","memo":%q}`, i, memo)
		if r, err := try(t, srv, "POST", invoicesPath, userA(srv), body); outcome(t, r, err) != answerTimeout {
			t.Fatalf("late write %d answered %.200s, %v", i, r.body, err)
		}
	}
	srv.Settle()
	page, err := c.QBD.Invoices.List(testdeadline.Context(t), "end_usr_a", &conductor.InvoiceListParams{RefNumberStartsWith: new("BIG-")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inv := range page.Data {
		got = append(got, *inv.RefNumber)
	}
	slices.Sort(got) // released together, the writes land in any order
	if diff := cmp.Diff([]string{"BIG-0", "BIG-1", "BIG-2", "BIG-3", "BIG-5"}, got); diff != "" {
		t.Errorf("late writes of 900 KiB carried out (-want +got):\n%s", diff)
	}
}

// TestLateWritesHoldNoMoreThanTheirBytes: late writes hold at most the
// 4 MiB the fake promises of their requests, whatever those carry:
// thousands of tiny headers, each costing Go far more than its text, or a
// thousand requests, each with the structures that keep it. The request
// window is filled with the same small reads before and after, so that
// what grows is the late writes'.
func TestLateWritesHoldNoMoreThanTheirBytes(t *testing.T) {
	var names []string
	for _, a := range "abcdefghijklmnopqrstuvwxyz" {
		for _, b := range "abcdefghijklmnopqrstuvwxyz" {
			for _, c := range "abcdefgh" {
				names = append(names, "X"+string(a)+string(b)+string(c))
			}
		}
	}
	for _, tt := range []struct {
		name          string
		headers, body int
		count         int
	}{
		{"thousands of tiny headers", len(names), 0, 200},
		{"a thousand requests of 4 KB", 0, 4000, 1100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := fixtureServer(t, faultFixtures)
			never := make(chan struct{})
			conductortest.SetLateMoments(srv, func(wait, bound time.Duration) <-chan struct{} { return never })
			hc := &http.Client{Transport: &http.Transport{}}
			defer hc.CloseIdleConnections()
			fillWindow := func() {
				for range conductortest.RequestWindowLen {
					if status, _ := do(t, hc, "GET", srv.URL+"/quickbooks-desktop/health-check", userA(srv), nil); status != http.StatusOK {
						t.Fatalf("a health check: status %d", status)
					}
				}
			}
			fillWindow()
			base := heapAlloc()
			header := userA(srv)
			for _, name := range names[:tt.headers] {
				header[name] = []string{""}
			}
			for i := range tt.count {
				if err := srv.Enqueue(conductortest.Response{Fault: conductortest.ApplyLate}); err != nil {
					t.Fatal(err)
				}
				body := fmt.Sprintf(`{"name":"N%d","notes":%q}`, i, strings.Repeat("n", tt.body))
				if status, answer := do(t, hc, "POST", srv.URL+customersPath, header, []byte(body)); status != http.StatusGatewayTimeout {
					t.Fatalf("late write %d: status %d: %.200s", i, status, answer)
				}
			}
			fillWindow()
			held := heapSince(base)
			t.Logf("%d late writes with %d headers and %d-byte bodies: %.1f MiB held", tt.count, tt.headers, tt.body, float64(held)/(1<<20))
			if held > 4<<20 {
				t.Errorf("late writes held %.1f MiB; the fake promises at most 4 MiB of their requests", float64(held)/(1<<20))
			}
		})
	}
}
