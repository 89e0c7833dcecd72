package decoderbench

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// TestStringsOutliveTheBuffer decodes a page, then overwrites the body,
// as a client reusing one body buffer across the pages of a listing
// does, and checks the decoded strings did not change: a decoder whose
// strings point into the input would hand the caller values rewritten by
// the next page.
func TestStringsOutliveTheBuffer(t *testing.T) {
	p := pages(t)[0]
	want := new(conductor.InvoiceList)
	if err := Decoders[0].Unmarshal(p.body, want); err != nil {
		t.Fatal(err)
	}
	for _, d := range Decoders {
		buf := bytes.Clone(p.body)
		got := new(conductor.InvoiceList)
		if err := d.Unmarshal(buf, got); err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			if buf[i] >= 'a' && buf[i] <= 'z' || buf[i] >= '0' && buf[i] <= '9' {
				buf[i] = 'X'
			}
		}
		if got.Data[0].ID != want.Data[0].ID || *got.Data[0].Lines[0].Description != *want.Data[0].Lines[0].Description {
			t.Errorf("%s: after the body was overwritten, the first invoice's id is %q (want %q), its first line %q: its strings share the input's memory",
				d.Name, got.Data[0].ID, want.Data[0].ID, *got.Data[0].Lines[0].Description)
		} else {
			t.Logf("%s: strings are copies", d.Name)
		}
	}
}

// TestRetainedByOneString decodes a page of invoices 20 times, keeps only
// the first invoice's id of each, and measures the live heap: a decoder
// whose strings point into its own copy of the body keeps each page's
// whole body alive through one string.
func TestRetainedByOneString(t *testing.T) {
	p := pages(t)[0]
	for _, d := range Decoders {
		var kept []string
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range 20 {
			v := new(conductor.InvoiceList)
			if err := d.Unmarshal(p.body, v); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, v.Data[0].ID)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		t.Logf("%s: live heap after keeping 20 ids of 20 pages of %d bytes: %+d KiB", d.Name, len(p.body), (int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024)
		runtime.KeepAlive(kept)
	}
}
