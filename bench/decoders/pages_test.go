package decoderbench

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// pageSize is the page the facade asks for: the API's largest.
const pageSize = 150

// page is one answer body as the fake sent it, and the facade's type the
// client decodes it into.
type page struct {
	name string
	body []byte
	new  func() any
}

// books is one connected end-user with pageSize customers, service and
// inventory items, and invoices of three lines each, the first on a
// customer's and items' references and a due date, so that a page holds
// what QuickBooks writes: references with full names, decimal strings,
// dates and date-times in the end-user's offset.
func books() *conductortest.Fixtures {
	var customers, services, inventory, invoices []map[string]any
	for i := range pageSize {
		customers = append(customers, map[string]any{
			"id": fmt.Sprintf("8000%04X-1700000000", i+1), "name": fmt.Sprintf("Customer %d", i), "companyName": fmt.Sprintf("Customer %d LLC", i),
			"email": fmt.Sprintf("ap%d@customer.example", i), "phone": "555-0100", "firstName": "Ada", "lastName": "Lovelace",
			"billingAddress": map[string]any{"line1": "1 Main St", "city": "Springfield", "state": "CA", "postalCode": "94000", "country": "US"},
		})
		services = append(services, map[string]any{"id": fmt.Sprintf("8001%04X-1700000000", i+1), "name": fmt.Sprintf("Service %d", i)})
		inventory = append(inventory, map[string]any{"id": fmt.Sprintf("8002%04X-1700000000", i+1), "name": fmt.Sprintf("Part %d", i)})
	}
	for i := range pageSize {
		var lines []any
		for l := range 3 {
			lines = append(lines, map[string]any{
				"itemId": services[(i+l)%pageSize]["id"], "description": fmt.Sprintf("Consulting, line %d \"quoted\"\nsecond line", l),
				"quantity": float64(l + 1), "rate": "150.25",
			})
		}
		invoices = append(invoices, map[string]any{
			"customerId": customers[i%pageSize]["id"], "refNumber": fmt.Sprintf("INV-%d", 1000+i),
			"transactionDate": "2024-10-01", "dueDate": "2024-10-31", "memo": "Thank you for your business — merci",
			"lines": lines,
		})
	}
	return &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_bench", Connected: true, TimeZone: "America/Los_Angeles",
		QBD: map[string][]map[string]any{"customers": customers, "serviceItems": services, "inventoryItems": inventory, "invoices": invoices},
	}}}
}

var (
	pagesOnce sync.Once
	pagesList []page
	pagesErr  error
)

// pages lists one page of each resource from the fake, over raw HTTP,
// and keeps the bytes.
func pages(tb testing.TB) []page {
	pagesOnce.Do(func() { pagesList, pagesErr = fetchPages() })
	if pagesErr != nil {
		tb.Fatal(pagesErr)
	}
	return pagesList
}

func fetchPages() ([]page, error) {
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: books()})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	h := http.Header{"Authorization": {"Bearer " + srv.SecretKey}, "Conductor-End-User-Id": {"end_usr_bench"}}
	want := []struct {
		name, path string
		new        func() any
	}{
		{"invoices", "/quickbooks-desktop/invoices?limit=150", func() any { return new(conductor.InvoiceList) }},
		{"customers", "/quickbooks-desktop/customers?limit=150", func() any { return new(conductor.CustomerList) }},
		{"serviceItems", "/quickbooks-desktop/service-items?limit=150", func() any { return new(conductor.ServiceItemList) }},
		{"inventoryItems", "/quickbooks-desktop/inventory-items?limit=150", func() any { return new(conductor.InventoryItemList) }},
		{"report", "/quickbooks-desktop/reports/aging?reportType=ar_aging_detail", func() any { return new(conductor.Report) }},
	}
	var out []page
	for _, w := range want {
		req, err := http.NewRequest("GET", srv.URL+w.path, nil)
		if err != nil {
			return nil, err
		}
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return nil, fmt.Errorf("%s: %d %v: %.300s", w.path, resp.StatusCode, err, body)
		}
		out = append(out, page{w.name, body, w.new})
	}
	return out, nil
}

// TestPages shows what was listed, so a reader sees the pages are full,
// and writes each page to $DECODER_PAGES_DIR/<name>.json when that is
// set, for the programs in size/ to decode.
func TestPages(t *testing.T) {
	dir := os.Getenv("DECODER_PAGES_DIR")
	for _, p := range pages(t) {
		t.Logf("%s: %d bytes: %.400s", p.name, len(p.body), p.body)
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, p.name+".json"), p.body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
