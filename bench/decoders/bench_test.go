package decoderbench

import "testing"

// BenchmarkDecodePage decodes one 150-object page of each resource into
// the facade's type, with each decoder, into a new value each time as
// the client does. Run the command several times rather than -count
// several, so that the decoders' runs interleave on a shared machine:
//
//	for i in 1 2 3 4 5 6; do go test -run '^$' -bench DecodePage -benchmem; done
func BenchmarkDecodePage(b *testing.B) {
	for _, p := range pages(b) {
		b.Run("page="+p.name, func(b *testing.B) {
			for _, d := range Decoders {
				b.Run("dec="+d.Name, func(b *testing.B) {
					// One decode before the timed loop, so that what a
					// decoder does once per type (sonic's JIT, goccy's
					// compiled decoders, the reflection caches) is not
					// counted in a short run.
					if err := d.Unmarshal(p.body, p.new()); err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(len(p.body)))
					b.ReportAllocs()
					for b.Loop() {
						if err := d.Unmarshal(p.body, p.new()); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
