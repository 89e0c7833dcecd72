package conductortest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxPage is the most objects a page of a paged list holds, and its
// default limit.
const maxPage = 150

// list answers a list operation: the end-user's objects of the resource
// that pass the filters, oldest first, in pages of at most limit for the
// lists Conductor pages. A paged list's cursor stays the same from page to
// page and must be used within the fake's CursorTTL of the page before it,
// as Conductor's must within 10 seconds. A list Conductor does not page
// (accounts, classes: no cursor) answers every object that passes unless
// limit is given, as openapi.yaml says of their limit. s.mu is held.
func (s *Server) list(rt *route, query map[string]any, eu *endUser) (int, any, *Error) {
	o := rt.op
	res := resourceKey(o)
	limit := math.MaxInt
	if o.Paginated {
		limit = maxPage
	}
	if l, ok := query["limit"].(float64); ok {
		limit = int(l)
	}
	now := s.now()
	token, _ := query["cursor"].(string)
	filters := map[string]any{}
	for k, v := range query {
		if k != "cursor" && k != "limit" {
			filters[k] = v
		}
	}
	key, _ := json.Marshal(filters) // map keys marshal sorted
	var after int64
	var kept *cursor
	if token != "" {
		c := s.state.cursors[token]
		if c == nil || c.endUser != eu.ID || c.resource != res || !now.Before(c.expires) {
			if c != nil && !now.Before(c.expires) {
				// Only an expired cursor is dropped: another end-user's,
				// or one sent to another list, stays good for its own.
				s.state.dropCursor(token)
			}
			return 0, nil, &Error{Type: "INVALID_REQUEST_ERROR", Code: "INVALID_CURSOR",
				Message: fmt.Sprintf("cursor: is unknown or has expired. A cursor must be used within %v of the page before it; start the list again without one.", s.cursorTTL)}
		}
		after = c.after
		if err := json.Unmarshal([]byte(c.filters), &filters); err != nil {
			return 0, nil, &Error{Type: "INTERNAL_ERROR", Code: "INTERNAL", Message: err.Error()}
		}
		key = []byte(c.filters)
		kept = c
	}
	if name := overriding(filters); name != "" && token == "" && mustAllBeFound(rt, name) {
		values, _ := filters[name].([]any)
		if missing := eu.objects[res].notFound(name, values, eu.location()); missing != nil {
			return 0, nil, notInQuickBooksBy(o.Model, strings.TrimSuffix(name, "s"), fmt.Sprint(missing))
		}
	}
	if _, ok := filters["status"]; !ok && takesParam(rt, "status") {
		filters["status"] = "active" // QuickBooks lists active objects unless asked
	}

	// A page costs what it shows (and the objects the filters pass over
	// to fill it), not the whole list: the objects after the page are
	// counted once, when the list starts, and the cursor keeps the count
	// from page to page. Only a write to the list's objects since the
	// page before makes its next page count them again.
	c := eu.objects[res]
	var writes int64
	if c != nil {
		writes = c.writes
	}
	// Balances come from the books: a write to them counts too.
	sheet := s.balancesOf(eu, res)
	if sheet != nil {
		writes += sheet.booksAt
	}
	counted := kept != nil && kept.writes == writes
	var data []*object
	rest := int64(0)
	window := timeWindow(filters, eu.location())
	// ids override every other filter (see overriding), and name the
	// stored id, which a transaction's JSON shows as transactionId.
	ids, byID := filters["ids"].([]any)
	pass := func(obj *object) bool {
		if byID {
			return slices.Contains(ids, any(obj.id))
		}
		if !window.holds(obj.updatedAt) {
			return false
		}
		if len(filters) == 0 {
			return true
		}
		v := obj.filterable(filters)
		sheet.fill(obj.id, v) // balances filtered as answered, computed
		return passes(v, filters, eu.location())
	}
	if c != nil {
		start, _ := c.index(after + 1) // c.order is by seq
		for _, obj := range c.order[start:] {
			if !pass(obj) {
				continue
			}
			if len(data) < limit {
				data = append(data, obj)
				after = obj.seq
				continue
			}
			if counted || !o.Paginated {
				rest = 1 // more there are; the count says how many
				break
			}
			rest++
		}
	}
	if counted {
		rest = kept.remaining - int64(len(data))
	}
	// Exactly as long as it is, as its length is what it counts.
	data = slices.Clone(data)
	if s.state.showing+len(data) > s.state.showingLimit {
		return 0, nil, invalid(fmt.Sprintf("the fake's answers not yet written show at most %d objects at once, those to clients slow to read them included, which this list would pass; ask with a smaller limit, or again once they are read.", s.state.showingLimit))
	}
	out := map[string]any{"objectType": "list", "url": "/v1" + o.Path}
	if schema := responseSchema(rt.spec()); schema != nil {
		if _, paged := schema.Properties["hasMore"]; paged {
			out["hasMore"], out["nextCursor"], out["remainingCount"] = false, nil, 0
			if o.Paginated && rest > 0 {
				if token == "" {
					token = newCursorToken()
				}
				next := &cursor{endUser: eu.ID, resource: res, filters: string(key), after: after, expires: now.Add(s.cursorTTL), remaining: rest, writes: writes}
				if msg := s.state.keepCursor(token, next, now, s.cursorTTL); msg != "" {
					return 0, nil, invalid(msg)
				}
				out["hasMore"], out["nextCursor"], out["remainingCount"] = true, token, rest
			} else if token != "" {
				s.state.dropCursor(token)
			}
		}
	}
	s.state.pin(data)
	return http.StatusOK, &page{fields: out, data: data}, nil
}

// page is a list as it is written: its fields, and the stored objects it
// shows, which put replaces and never changes in place. It is written
// object by object, so a page of everything the fake holds costs no copy
// of it however many clients are slow to read it; the objects stay pinned
// (see state.pin), and so counted against MaxObjectBytes even once
// deleted or replaced, until the Server unpins them when it is written.
type page struct {
	fields map[string]any // nil for a single object: then the page is it
	data   []*object
}

func (p *page) writeTo(w io.Writer) error {
	if p.fields == nil {
		_, err := w.Write(p.data[0].data)
		return err
	}
	fields, err := json.Marshal(p.fields)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"data":[`)
	for i, obj := range p.data {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(obj.data)
	}
	bw.WriteString("],")
	bw.Write(fields[1:]) // fields always has objectType, so is never {}
	return bw.Flush()
}

// newCursorToken looks like Conductor's cursors.
func newCursorToken() string {
	t := randomToken()
	return t[:8] + "-" + t[8:12] + "-" + t[12:16] + "-" + t[16:20] + "-" + t[20:26]
}

func takesParam(rt *route, name string) bool {
	return slices.ContainsFunc(rt.spec().Parameters, func(p *openapi3.ParameterRef) bool { return p.Value != nil && p.Value.Name == name })
}
