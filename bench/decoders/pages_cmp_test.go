package decoderbench

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmpOpts compare what the decoders fill: unexported fields too (a
// report row keeps its union as raw JSON), times with their Equal.
var cmpOpts = cmp.Options{cmp.Exporter(func(reflect.Type) bool { return true })}

// TestPagesDecodeAlike decodes each page with each decoder and compares
// the value with encoding/json's: the custom UnmarshalJSON (Date, report
// rows) and time.Time's must have been called and give the same values.
func TestPagesDecodeAlike(t *testing.T) {
	for _, p := range pages(t) {
		want := p.new()
		if err := Decoders[0].Unmarshal(p.body, want); err != nil {
			t.Fatalf("%s: encoding/json: %v", p.name, err)
		}
		for _, d := range Decoders[1:] {
			got := p.new()
			if err := d.Unmarshal(p.body, got); err != nil {
				t.Errorf("%s with %s: %v", p.name, d.Name, err)
				continue
			}
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("%s with %s differs from encoding/json (-std +%s):\n%.2000s", p.name, d.Name, d.Name, diff)
			} else {
				t.Logf("%s with %s: same as encoding/json", p.name, d.Name)
			}
		}
	}
}
