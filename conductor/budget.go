package conductor

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"reflect"
	"sync"
)

// What decoding an answer may cost. MaxResponseBodyBytes caps the body,
// but not what encoding/json makes of it: each element of an array
// becomes a whole Go value, so `[{},{},...]` costs some 500 bytes of heap
// (an Invoice) for every 3 bytes of body, gigabytes for a capped body.
// Before decoding, one pass over the body (no allocation but a bounded
// stack) adds up what its arrays' elements will cost, and an answer that
// would cost more than a small multiple of its size is refused unread.
// Real answers cost less than their size: the spec requires every property
// of Conductor's objects, so each comes with all its keys, nulls included,
// which is more text than the Go value holds.

// decodeBudgetFactor and decodeBudgetSlack bound what an answer may cost
// to decode: decodeBudgetFactor times its size, plus decodeBudgetSlack so
// that a small answer with a few large objects is never refused.
const (
	decodeBudgetFactor = 4
	decodeBudgetSlack  = 1 << 20
)

// maxScanDepth is the deepest nesting the pass follows; encoding/json
// refuses deeper bodies (at 10000) itself.
const maxScanDepth = 10000

// minElementCost is what an array element costs at least, whatever the
// Go type holds it.
const minElementCost = 16

// checkDecodeCost refuses a body that would cost more than the budget to
// decode into a value of type t (a pointer to the result); it returns why,
// or "".
func checkDecodeCost(body []byte, t reflect.Type) string {
	cost := decodeCost(body, elementCosts(t))
	if cost > decodeBudget(len(body)) {
		return fmt.Sprintf("its arrays would take some %d MiB to decode from %d KiB of body (the limit is %d times the body's size, plus %d MiB); refused unread", cost>>20, len(body)>>10, decodeBudgetFactor, decodeBudgetSlack>>20)
	}
	return ""
}

// decodeBudget is what decoding a body of size bytes may cost.
func decodeBudget(size int) int64 {
	return int64(decodeBudgetFactor)*int64(size) + decodeBudgetSlack
}

// decodeCost adds up, for each element of each array in body, what it
// costs in the Go value: costs[d-1] for an element of an array nested in
// d-1 others (minElementCost beyond them). Strings, most of a body, are
// skipped a search at a time; the body need not be valid JSON (the
// decoder checks that).
func decodeCost(body []byte, costs []int64) int64 {
	var (
		cost  int64
		stack []byte // '[' or '{' for each open container
		depth int    // arrays open
		// elem says that the next value starts an element of the array
		// on top of the stack.
		elem bool
	)
	for i := 0; i < len(body); i++ {
		c := body[i]
		k := costClass[c]
		if k == classSpace {
			continue
		}
		if elem {
			elem = false
			if c != ']' {
				if depth <= len(costs) {
					cost += max(minElementCost, costs[depth-1])
				} else {
					cost += minElementCost
				}
			}
		}
		if k == classOther {
			continue
		}
		switch c {
		case '"':
			i = stringEnd(body, i)
		case '[', '{':
			if len(stack) == maxScanDepth {
				return cost
			}
			stack = append(stack, c)
			if c == '[' {
				depth++
				elem = true
			}
		case ']', '}':
			if n := len(stack); n > 0 {
				if stack[n-1] == '[' {
					depth--
				}
				stack = stack[:n-1]
			}
		case ',':
			elem = len(stack) > 0 && stack[len(stack)-1] == '['
		}
	}
	return cost
}

// The classes of bytes decodeCost tells apart.
const (
	classOther = iota // inside a number or literal, or a colon
	classSpace
	classSyntax // a quote, bracket, brace or comma
)

// costClass is the class of each byte.
var costClass = [256]uint8{
	' ': classSpace, '\t': classSpace, '\r': classSpace, '\n': classSpace,
	'"': classSyntax, '[': classSyntax, '{': classSyntax, ']': classSyntax, '}': classSyntax, ',': classSyntax,
}

// stringEnd is the index of the quote that ends the string whose opening
// quote is at body[start], or len(body) when it does not end. It reads
// eight bytes at a time, and goes straight to the first quote or
// backslash among them: the string's end, or an escape to step over.
func stringEnd(body []byte, start int) int {
	i := start + 1
	for i+8 <= len(body) {
		m := quotesAndBackslashes(binary.LittleEndian.Uint64(body[i:]))
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if body[i] == '"' {
			return i
		}
		i += 2 // a backslash, and the byte it escapes
	}
	for ; i < len(body); i++ {
		switch body[i] {
		case '"':
			return i
		case '\\':
			i++
		}
	}
	return len(body)
}

// quotesAndBackslashes has the high bit of each byte of w that is a quote
// or a backslash set, at least for the first such byte, and no bit before
// it: a byte of w^x is zero where w's equals x's, and (v-0x01..)&^v&0x80..
// marks the first zero byte of v exactly (a borrow can only mark bytes
// after it).
func quotesAndBackslashes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, b := w^(ones*'"'), w^(ones*'\\')
	return ((q-ones)&^q | (b-ones)&^b) & highs
}

// elementCosts of a type are, by depth of array nesting, the size of the
// largest element of a slice at that depth in the type (through
// pointers, structs' fields and slices): what one element of an array at
// that depth in the JSON may cost.
func elementCosts(t reflect.Type) []int64 {
	if c, ok := costsByType.Load(t); ok {
		return c.([]int64)
	}
	var costs []int64
	seen := map[struct {
		t     reflect.Type
		depth int
	}]bool{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		key := struct {
			t     reflect.Type
			depth int
		}{t, depth}
		if seen[key] || depth > 32 {
			return
		}
		seen[key] = true
		switch t.Kind() {
		case reflect.Pointer:
			walk(t.Elem(), depth)
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type, depth)
			}
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				return // []byte, json.RawMessage: text, not elements
			}
			for len(costs) <= depth {
				costs = append(costs, 0)
			}
			costs[depth] = max(costs[depth], int64(t.Elem().Size()))
			walk(t.Elem(), depth+1)
		case reflect.Map, reflect.Interface:
			// Free-form values (none in the spec's answers today): an
			// element may become a map, at some hundreds of bytes.
			for len(costs) <= depth {
				costs = append(costs, 0)
			}
			costs[depth] = max(costs[depth], 256)
			if t.Kind() == reflect.Map {
				walk(t.Elem(), depth)
			}
		}
	}
	walk(t, 0)
	costsByType.Store(t, costs)
	return costs
}

// costsByType caches elementCosts, by type.
var costsByType sync.Map
