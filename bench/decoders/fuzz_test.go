package decoderbench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// decodeAll decodes body into each target type with d, turning a panic
// into an error that says so.
func decodeAll(d Decoder, body []byte) (errs []error, panicked error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Errorf("%s panicked: %v", d.Name, r)
		}
	}()
	for _, v := range []any{new(gen.AuthSession), new(conductor.InvoiceList), new(conductor.Report), new(target)} {
		errs = append(errs, d.Unmarshal(append([]byte(nil), body...), v))
	}
	return errs, nil
}

// strict are the decoders that claim encoding/json's behaviour: where
// encoding/json refuses a body they must too, and the reverse.
var strict = map[string]bool{"jsonexp-v1": true, "goccy": true, "sonic-std": true}

// FuzzDecoders decodes arbitrary bodies into the facade's types with
// every decoder: none may panic, and those in strict must accept and
// refuse what encoding/json does.
//
//	go test -run '^$' -fuzz FuzzDecoders -fuzztime 60s -fuzzminimizetime 2s
func FuzzDecoders(f *testing.F) {
	for _, p := range probes {
		if len(p.body) < 4096 {
			f.Add([]byte(p.body))
		}
	}
	f.Add([]byte(`{"data":[{"id":"1","objectType":"qbd_invoice","createdAt":"2024-10-01T12:34:56-07:00","dueDate":"2024-10-31","lines":[{"rate":"1.00"}]}],"hasMore":false,"objectType":"list"}`))
	f.Add([]byte(`{"rows":[{"rowType":"data","rowNumber":1,"cells":[{"value":"x"}]},{"rowType":"total","cells":[]}],"columns":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		want, _ := decodeAll(Decoders[0], body)
		for _, d := range Decoders[1:] {
			got, panicked := decodeAll(d, body)
			if panicked != nil {
				t.Fatalf("%q: %v", body, panicked)
			}
			if strict[d.Name] {
				for i := range want {
					if (want[i] == nil) != (got[i] == nil) {
						t.Fatalf("%q into target %d: %s: %v; encoding/json: %v", body, i, d.Name, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestMalformedSequences decodes the probes, shuffled, many times over
// with each decoder into the same types, as a client decoding page after
// page does: a decoder that keeps state between calls (goccy/go-json
// issue 604: a panic after a sequence of malformed inputs) shows it here.
func TestMalformedSequences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var bodies [][]byte
	for _, p := range probes {
		if len(p.body) < 4096 {
			bodies = append(bodies, []byte(p.body))
		}
	}
	for _, d := range Decoders {
		for range 300 {
			r.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
			for _, b := range bodies {
				if _, panicked := decodeAll(d, b); panicked != nil {
					t.Fatalf("%q: %v", b, panicked)
				}
			}
		}
	}
}
