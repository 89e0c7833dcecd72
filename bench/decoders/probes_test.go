package decoderbench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/gen"
)

// target is a struct of the kinds of fields the facade's types have:
// strings, numbers (the spec's counts are float64, a Go int where a
// caller would write one), booleans, a Date, a time.Time, a filter's
// DateTime (UnmarshalText), an enum, and free-form JSON.
type target struct {
	ID    string                  `json:"id"`
	N     int                     `json:"n"`
	F     float64                 `json:"f"`
	P     *float64                `json:"p"`
	B     bool                    `json:"b"`
	Due   *conductor.Date         `json:"dueDate"`
	At    time.Time               `json:"createdAt"`
	DT    *conductor.DateTime     `json:"dt"`
	Kind  conductor.ObjectType    `json:"objectType"`
	Any   any                     `json:"any"`
	Lines []conductor.InvoiceLine `json:"lines"`
}

// prefilled is what each probe decodes into, so that a decoder that
// leaves a field alone (null into a non-pointer) is told from one that
// zeroes it.
func prefilled() *target {
	return &target{ID: "pre", N: 7, F: 7.5, B: true, At: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Kind: "pre"}
}

// show renders a decoded target, and the error's kind, in one line.
func show(v *target, err error) string {
	var b strings.Builder
	if err != nil {
		kind := "err"
		var perr *time.ParseError
		if errors.As(err, &perr) {
			kind = "err(time.ParseError)"
		}
		fmt.Fprintf(&b, "%s %.80q → ", kind, err.Error())
	}
	fmt.Fprintf(&b, "id=%q n=%d f=%v b=%v kind=%q", v.ID, v.N, v.F, v.B, v.Kind)
	if v.P != nil {
		fmt.Fprintf(&b, " p=%v", *v.P)
	}
	if v.Due != nil {
		fmt.Fprintf(&b, " due=%s", v.Due.Time.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " at=%s", v.At.Format(time.RFC3339Nano))
	if v.DT != nil {
		text, _ := v.DT.MarshalText()
		fmt.Fprintf(&b, " dt=%s", text)
	}
	if v.Any != nil {
		fmt.Fprintf(&b, " any=%.60s", fmt.Sprintf("%T %v", v.Any, v.Any))
	}
	for _, l := range v.Lines {
		fmt.Fprintf(&b, " line=%v/%v", deref(l.Description), deref(l.Rate))
	}
	return b.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// probes are the hostile inputs: each a name and a body.
var probes = []struct{ name, body string }{
	{"duplicate key", `{"id":"first","id":"second"}`},
	{"duplicate key, differing case", `{"id":"first","ID":"second"}`},
	{"key in other case only", `{"ID":"upper","OBJECTTYPE":"x"}`},
	{"invalid UTF-8 in a string", "{\"id\":\"a\xffb\"}"},
	{"invalid UTF-8 in a key", "{\"i\xffd\":\"x\",\"id\":\"ok\"}"},
	{"1e400 into float64", `{"f":1e400}`},
	{"1e400 into any", `{"any":1e400}`},
	{"20-digit integer into int", `{"n":12345678901234567890}`},
	{"20-digit integer into float64", `{"f":12345678901234567890}`},
	{"fraction into int", `{"n":1.5}`},
	{"exponent into int", `{"n":1e2}`},
	{"\\u0000 escape", `{"id":"a\u0000b"}`},
	{"surrogate pair", `{"id":"\ud83d\ude00"}`},
	{"lone surrogate", `{"id":"\ud800x"}`},
	{"escaped slash", `{"id":"a\/b"}`},
	{"invalid escape", `{"id":"a\xb"}`},
	{"raw control character", "{\"id\":\"a\x01b\"}"},
	{"deep nesting 10001 into any", `{"any":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`},
	{"deep nesting 1000 into any", `{"any":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`},
	{"trailing data", `{"id":"a"} x`},
	{"second value", `{"id":"a"}{"id":"b"}`},
	{"trailing whitespace", "{\"id\":\"a\"}\n\t "},
	{"unknown fields", `{"id":"a","newField":{"tier":"gold"},"another":[1,2]}`},
	{"null into non-pointers", `{"id":null,"n":null,"f":null,"b":null,"createdAt":null,"objectType":null}`},
	{"null top level", `null`},
	{"array top level", `[]`},
	{"string into int", `{"n":"5","id":"after"}`},
	{"number into string", `{"id":5,"n":3}`},
	{"string into bool", `{"b":"true","n":4}`},
	{"object into string", `{"id":{},"n":4}`},
	{"bad Date", `{"dueDate":"2024-13-01","n":4}`},
	{"Date with time", `{"dueDate":"2024-10-01T00:00:00Z"}`},
	{"good Date", `{"dueDate":"2024-10-31"}`},
	{"date-time with offset", `{"createdAt":"2024-10-01T12:34:56-07:00"}`},
	{"date-time without offset", `{"createdAt":"2024-10-01T12:34:56"}`},
	{"date-time with space", `{"createdAt":"2024-10-01 12:34:56Z","n":4}`},
	{"date-time hour 24", `{"createdAt":"2024-10-01T24:00:00Z"}`},
	{"DateTime (UnmarshalText), wall clock", `{"dt":"2025-01-01T12:34:56"}`},
	{"DateTime (UnmarshalText), bad", `{"dt":"2025-01-01T99:00:00"}`},
	{"decimal string kept as written", `{"lines":[{"rate":"150.2500","description":"x"}]}`},
	{"decimal as a number", `{"lines":[{"rate":150.25}]}`},
	{"enum not in the spec", `{"objectType":"qbd_something_new"}`},
	{"NaN literal", `{"f":NaN}`},
	{"leading zero", `{"n":01}`},
	{"empty input", ``},
	{"truncated", `{"id":"a"`},
	{"BOM before value", "\xef\xbb\xbf{\"id\":\"a\"}"},
}

// outcome decodes body with d into a prefilled target, recovering a
// panic as an outcome.
func outcome(d Decoder, body []byte) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("PANIC %.80v", r)
		}
	}()
	v := prefilled()
	return show(v, d.Unmarshal(append([]byte(nil), body...), v))
}

// TestProbes runs each probe through each decoder and writes, as a
// markdown table to $DECODER_PROBES (else the log), each decoder's
// outcome where it differs from encoding/json's ("=" where the same).
func TestProbes(t *testing.T) {
	var tbl bytes.Buffer
	fmt.Fprintf(&tbl, "| probe | encoding/json |")
	for _, d := range Decoders[1:] {
		fmt.Fprintf(&tbl, " %s |", d.Name)
	}
	fmt.Fprintf(&tbl, "\n|---|---|%s\n", strings.Repeat("---|", len(Decoders)-1))
	for _, p := range probes {
		want := outcome(Decoders[0], []byte(p.body))
		fmt.Fprintf(&tbl, "| %s | %s |", p.name, cell(want))
		for _, d := range Decoders[1:] {
			got := outcome(d, []byte(p.body))
			if got == want {
				got = "="
			} else if errPrefix(got) && errPrefix(want) && tail(got) == tail(want) {
				got = "= (other message)"
			}
			fmt.Fprintf(&tbl, " %s |", cell(got))
		}
		tbl.WriteString("\n")
	}
	if out := os.Getenv("DECODER_PROBES"); out != "" {
		if err := os.WriteFile(out, tbl.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Logf("\n%s", tbl.Bytes())
	}
}

func errPrefix(s string) bool { return strings.HasPrefix(s, "err") }

// tail is an outcome without its error message: the kind of error and
// the value decoded.
func tail(s string) string {
	if i := strings.Index(s, " → "); i >= 0 {
		return s[:strings.Index(s, " ")] + s[i:]
	}
	return s
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", `\n`).Replace(s)
}

// fuzzInputs reads the []byte arguments of a fuzz target's seed corpus
// in conductor/testdata/fuzz.
func fuzzInputs(t *testing.T, target string) [][]byte {
	files, err := filepath.Glob(filepath.Join("..", "..", "conductor", "testdata", "fuzz", target, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus for %s: %v", target, err)
	}
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if lit, ok := strings.CutPrefix(line, "[]byte("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out = append(out, []byte(s))
			}
		}
	}
	return out
}

// TestFuzzCorpora decodes the response fuzz targets' corpora into the
// types the client decodes them into, with each decoder, and compares
// error or value with encoding/json's: a difference fails the test for
// the decoders in strict, and is logged for the others (segmentio's
// errors do not wrap *time.ParseError, which describeDecodeError needs).
func TestFuzzCorpora(t *testing.T) {
	for _, c := range []struct {
		target string
		new    func() any
	}{
		{"FuzzAuthSessionResponse", func() any { return new(gen.AuthSession) }},
		{"FuzzErrorResponse", func() any { return new(gen.ErrorResponse) }},
	} {
		for _, body := range fuzzInputs(t, c.target) {
			want := c.new()
			wantErr := Decoders[0].Unmarshal(body, want)
			for _, d := range Decoders[1:] {
				got := c.new()
				err := d.Unmarshal(append([]byte(nil), body...), got)
				report := t.Logf // a difference found and written down
				if strict[d.Name] {
					report = t.Errorf // one a compatible decoder must not have
				}
				switch {
				case (err != nil) != (wantErr != nil):
					report("%s %q with %s: err %v; encoding/json: %v", c.target, body, d.Name, err, wantErr)
				case err == nil && !cmp.Equal(want, got, cmpOpts):
					report("%s %q with %s differs: %s", c.target, body, d.Name, cmp.Diff(want, got, cmpOpts))
				case err != nil:
					var p1, p2 *time.ParseError
					if errors.As(wantErr, &p1) != errors.As(err, &p2) {
						report("%s %q with %s: err %v does not wrap *time.ParseError as encoding/json's %v does (or the reverse)", c.target, body, d.Name, err, wantErr)
					}
				}
			}
		}
	}
}

// TestDeepNestingAtTheCap decodes a body of the client's 8 MiB cap that
// is nothing but nesting, into any, with the decoder $DECODER_DEEP names
// (skipped when unset): a decoder without a depth limit recurses 4
// million deep, which may exhaust the goroutine stack and crash the
// process, so each decoder is run in a process of its own:
//
//	for d in std goccy ...; do DECODER_DEEP=$d go test -run DeepNesting; done
func TestDeepNestingAtTheCap(t *testing.T) {
	name := os.Getenv("DECODER_DEEP")
	if name == "" {
		t.Skip("DECODER_DEEP not set")
	}
	const half = 4 << 20
	body := append(bytes.Repeat([]byte("["), half), bytes.Repeat([]byte("]"), half)...)
	for _, d := range Decoders {
		if d.Name == name {
			var v any
			start := time.Now()
			err := d.Unmarshal(body, &v)
			t.Logf("%s: %d bytes of nesting: err %.100v, in %v", name, len(body), err, time.Since(start))
			return
		}
	}
	t.Fatalf("no decoder %q", name)
}
