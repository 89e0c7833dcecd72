package bulkpages_test

import (
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/bulkpages"
)

// TestPages: the books list as 67 pages of some 400 KB.
func TestPages(t *testing.T) {
	pages, err := bulkpages.Pages()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	if want := (bulkpages.Invoices + bulkpages.PageSize - 1) / bulkpages.PageSize; len(pages) != want {
		t.Errorf("%d pages; want %d", len(pages), want)
	}
	t.Logf("%d pages, %d bytes, %d a page on average; first page starts %.600s", len(pages), total, total/len(pages), pages[0])
}
