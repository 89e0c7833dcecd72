package bulkpages_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
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

// TestWriteFixtures: the file holds the books, as fake-server --fixtures
// reads them.
func TestWriteFixtures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "books.json")
	if err := bulkpages.WriteFixtures(path); err != nil {
		t.Fatal(err)
	}
	got, err := conductortest.LoadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bulkpages.Fixtures(), got); diff != "" {
		t.Errorf("fixtures read back (-written +read):\n%s", diff)
	}
}
