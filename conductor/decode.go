package conductor

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// streaming decodes with the json/v2 engine, which decodes a page in some
// 0.6 of encoding/json's time with a quarter fewer allocations
// (BENCHMARKS.md, "Choosing the JSON decoder"), and encoding/json's
// behaviour but for errors: it checks and fills in the value in one pass
// and stops at the first error, where encoding/json checks the whole text
// first, then decodes on past a value of the wrong type. Where both
// succeed, the values are the same. Built with GOEXPERIMENT=jsonv2, the
// module is an alias of the standard library's encoding/json/v2.
var streaming = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false))

// decodeAnswer decodes an answer's body into out (a pointer), within the
// decode budget (see budget.go): it returns why the body was refused
// unread, or encoding/json's error, or neither.
//
// Most answers take one pass: a count of the body's brackets, commas and
// nulls bounds what they can cost (countedCost), and the body is decoded
// streaming, which stops at the first value of the wrong type. Only an
// answer the count cannot clear, or that fails to decode, takes the slow
// way: the exact cost pass, then encoding/json, whose values are the
// same and whose errors are the ones users know.
func decodeAnswer(body []byte, out any) (refused string, err error) {
	t := reflect.TypeOf(out)
	if countedCost(body, t) <= decodeBudget(len(body)) {
		if jsonv2.Unmarshal(body, out, streaming) == nil {
			return "", nil
		}
		reflect.ValueOf(out).Elem().SetZero() // what the failed decode filled in
	}
	if why := checkDecodeCost(body, t); why != "" {
		return why, nil
	}
	return "", json.Unmarshal(body, out)
}

// countedCost bounds from above what decoding body into a value of type t
// costs by decodeCost's measure, stopping at the first value of the wrong
// type, from counts of a few bytes (a vectorised search each):
//
//   - an element that is an object or an array starts with { or [, and
//     costs at most the largest element of t;
//   - a null element, which makes a zero element of any slice, is a null
//     not right after a colon (as a member's is in compact JSON);
//   - any other element follows [ or a comma, and costs at most the
//     largest element a scalar can become (a string, a number, a
//     pointer, a type that decodes itself from one): a scalar where a
//     struct is due is the first value of the wrong type, which ends
//     decoding, so one of them at most costs more.
//
// A page of 150 invoices counts some 1.2 MB against a budget of 2.7 MB;
// a body built to cost more than its size counts more than the budget and
// takes the exact pass.
func countedCost(body []byte, t reflect.Type) int64 {
	largest, scalar := elementSizes(t)
	arrays := int64(bytes.Count(body, []byte{'['}))
	containers := arrays + int64(bytes.Count(body, []byte{'{'}))
	nulls := int64(nullsNotAfterColon(body))
	scalars := arrays + int64(bytes.Count(body, []byte{','}))
	return (containers+nulls+1)*largest + scalars*scalar
}

// nullsNotAfterColon counts the nulls of body (in strings too) that do
// not follow a colon, as a member's does in compact JSON. It searches for
// their u, the least common of their letters in a page of English text.
func nullsNotAfterColon(body []byte) int {
	n := 0
	for i := 1; i+2 < len(body); i++ {
		j := bytes.IndexByte(body[i:len(body)-2], 'u')
		if j < 0 {
			break
		}
		i += j
		if body[i-1] == 'n' && body[i+1] == 'l' && body[i+2] == 'l' && (i < 2 || body[i-2] != ':') {
			n++
		}
	}
	return n
}

// elementSizes are, for a type, the cost of its largest array element
// (see elementCosts), and of the largest a scalar can become.
func elementSizes(t reflect.Type) (largest, scalar int64) {
	if s, ok := sizesByType.Load(t); ok {
		s := s.([2]int64)
		return s[0], s[1]
	}
	largest = minElementCost
	for _, c := range elementCosts(t) {
		largest = max(largest, c)
	}
	scalar = scalarElementCost(t)
	sizesByType.Store(t, [2]int64{largest, scalar})
	return largest, scalar
}

// sizesByType caches elementSizes, by type.
var sizesByType sync.Map

// decodesItself says that values of t decode themselves, from a scalar
// as well as anything else.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	for _, i := range []reflect.Type{
		reflect.TypeFor[json.Unmarshaler](), reflect.TypeFor[jsonv2.Unmarshaler](),
		reflect.TypeFor[jsonv2.UnmarshalerFrom](), reflect.TypeFor[encoding.TextUnmarshaler](),
	} {
		if t.Implements(i) || p.Implements(i) {
			return true
		}
	}
	return false
}

// scalarElementCost is the most an array element that is a scalar (a
// string, number, true or false) may cost in a value of type t without an
// error: the largest element of a slice whose elements are not structs,
// slices or arrays that refuse scalars.
func scalarElementCost(t reflect.Type) int64 {
	cost := int64(minElementCost)
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer:
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		case reflect.Slice, reflect.Array:
			e := t.Elem()
			switch {
			case e.Kind() == reflect.Uint8:
				return // []byte, json.RawMessage: text, not elements
			case e.Kind() == reflect.Map || e.Kind() == reflect.Interface:
				cost = max(cost, 256) // as elementCosts counts them
			case decodesItself(e) || (e.Kind() != reflect.Struct && e.Kind() != reflect.Slice && e.Kind() != reflect.Array):
				cost = max(cost, int64(e.Size()))
			}
			walk(e)
		case reflect.Map:
			walk(t.Elem())
		}
	}
	walk(t)
	return cost
}
