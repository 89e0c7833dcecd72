package conductor_test

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// worstObject is the JSON object that costs the most heap per byte when
// decoded into t: every pointer field present with its smallest value
// (nested objects filled the same way, to depth levels), so each key
// costs an allocation.
func worstObject(t reflect.Type, depth int) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "objectType" {
			continue // the objectType is the caller's to give
		}
		v := worstValue(f.Type, depth)
		if v == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`"` + name + `":` + v)
	}
	b.WriteByte('}')
	return b.String()
}

func worstValue(t reflect.Type, depth int) string {
	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct && t.Elem().String() == "time.Time" {
			return `"2024-01-01T00:00:00Z"`
		}
		return worstValue(t.Elem(), depth)
	case reflect.Struct:
		if t.String() == "time.Time" {
			return `"2024-01-01T00:00:00Z"`
		}
		if depth == 0 {
			return "{}"
		}
		return worstObject(t, depth-1)
	case reflect.String:
		return `""`
	case reflect.Bool:
		return "true"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return "1"
	case reflect.Slice:
		return "[]"
	}
	return ""
}

// TestTheWorstAnswerCostsABoundedMultipleOfItsSize: a list of accounts
// built to hold the most heap per byte of body that the decode budget
// lets through: as many of the smallest valid accounts as the budget (4
// times the body plus 1 MiB of array elements) allows, beside accounts
// with every field present and nested objects empty, each of which costs
// an allocation. What the result holds stays under the documented bound
// (README, ErrInvalidResponse).
func TestTheWorstAnswerCostsABoundedMultipleOfItsSize(t *testing.T) {
	const size = 2 << 20
	full := worstObject(reflect.TypeFor[conductor.Account](), 0)
	full = `{"objectType":"qbd_account",` + strings.ReplaceAll(strings.TrimPrefix(full, "{"), `"id":""`, `"id":"1"`)
	const small = `{"objectType":"qbd_account","id":"1"}`
	elem := int(reflect.TypeFor[conductor.Account]().Size())
	worst := 0.0
	for _, share := range []float64{0, 0.25, 0.5, 0.75, 1} {
		w := int(share * size / float64(len(full)+1))
		// The most small ones the budget lets through beside w full ones.
		m := 0
		if elem > 4*(len(small)+1) {
			m = int(0.98 * float64(4*w*(len(full)+1)-w*elem+1<<20) / float64(elem-4*(len(small)+1)))
		}
		m = max(m, 0)
		data := strings.Repeat(full+",", w) + strings.Repeat(small+",", m)
		body := `{"objectType":"list","url":"/x","hasMore":false,"data":[` + strings.TrimSuffix(data, ",") + `]}`
		srv := newScriptServer(t, answer(body))
		c := srv.client(t, conductor.WithMaxRetries(0))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		page, err := c.QBD.Accounts.List(context.Background(), testEndUserID, nil)
		runtime.GC()
		runtime.ReadMemStats(&after)
		c.CloseIdleConnections()
		if err != nil {
			t.Fatalf("%d full and %d small accounts: %v", w, m, err)
		}
		held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		runtime.KeepAlive(page)
		limit := int64(worstHeldFactor*len(body)) + worstHeldSlack
		t.Logf("%d full, %d small accounts, %d KiB body: %d KiB held (%.1fx the body; bound %d KiB)", w, m, len(body)>>10, held>>10, float64(held)/float64(len(body)), limit>>10)
		if held > limit {
			t.Errorf("the result holds %d KiB for a %d KiB body; the documented bound is %d times plus %d MiB: %d KiB", held>>10, len(body)>>10, worstHeldFactor, worstHeldSlack>>20, limit>>10)
		}
		worst = max(worst, float64(held-worstHeldSlack)/float64(len(body)))
	}
	t.Logf("worst: %.1f times the body plus 2 MiB", worst)
}

// worstHeldFactor and worstHeldSlack are the documented bound on what a
// decoded answer holds: the body's size times the factor, plus the slack.
// The budget counts each array element at its type's size, but a decoded
// slice may have up to twice the capacity it needs, and pointer fields and
// nested objects, which it does not count, add some 1.3 times the body.
const (
	worstHeldFactor = 8
	worstHeldSlack  = 2 << 20
)
