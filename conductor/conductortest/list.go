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
	"time"

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
	counted := kept != nil && kept.writes == writes
	var data []*object
	rest := int64(0)
	window := timeWindow(filters, eu.location())
	pass := func(obj *object) bool {
		return window.holds(obj.updatedAt) && (len(filters) == 0 || passes(obj.filterable(filters), filters, eu.location()))
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
	if schema := responseSchema(rt.spec); schema != nil {
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

// filterable is what filters need of o: when they are time and status
// filters only, its isActive alone, since window has already applied the
// time filters (passes lets an object with no updatedAt through them);
// else o decoded whole.
func (o *object) filterable(filters map[string]any) map[string]any {
	for k := range filters {
		switch k {
		case "updatedAfter", "updatedBefore", "status":
		default:
			return decodeObject(o.data)
		}
	}
	v := map[string]any{}
	if o.hasActive {
		v["isActive"] = o.isActive
	}
	return v
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
	return slices.ContainsFunc(rt.spec.Parameters, func(p *openapi3.ParameterRef) bool { return p.Value != nil && p.Value.Name == name })
}

// passes applies the filters every list shares, by name: ids, names and
// reference numbers; name and refNumber contains, starts with, ends with,
// from and to; updatedAfter and updatedBefore; transactionDateFrom and To;
// status (active, inactive, all); and any <x>Ids, an id of what the object
// refers to as x (customerIds: customer.id). With ids, QuickBooks ignores
// the other filters. Other filters the spec lists are accepted and not
// applied.
func passes(v map[string]any, filters map[string]any, loc *time.Location) bool {
	if ids, ok := filters["ids"].([]any); ok {
		return contains(ids, v["id"])
	}
	for name, f := range filters {
		if !passesOne(v, name, f, loc) {
			return false
		}
	}
	return true
}

func passesOne(v map[string]any, name string, f any, loc *time.Location) bool {
	switch name {
	case "names":
		return contains(f.([]any), v["name"]) || contains(f.([]any), v["fullName"])
	case "fullNames":
		return contains(f.([]any), v["fullName"])
	case "refNumbers":
		return contains(f.([]any), v["refNumber"])
	case "status":
		active, _ := v["isActive"].(bool)
		_, has := v["isActive"]
		return !has || f == "all" || (f == "active") == active
	case "updatedAfter", "updatedBefore":
		t, err := parseWhen(name, fmt.Sprint(f), loc)
		at, err2 := time.Parse(time.RFC3339, fmt.Sprint(v["updatedAt"]))
		at = at.Truncate(time.Second) // QuickBooks stamps, and filters by, whole seconds
		if err != nil || err2 != nil {
			return true
		}
		if name == "updatedAfter" {
			return !at.Before(t)
		}
		return !at.After(t)
	case "transactionDateFrom", "transactionDateTo":
		d, ok := v["transactionDate"].(string)
		if !ok {
			return true
		}
		if name == "transactionDateFrom" {
			return d >= fmt.Sprint(f)
		}
		return d <= fmt.Sprint(f)
	}
	for _, field := range []string{"name", "refNumber"} {
		op, ok := strings.CutPrefix(name, field)
		if !ok {
			continue
		}
		got, _ := v[field].(string)
		if field == "name" {
			if full, ok := v["fullName"].(string); ok {
				got = full
			}
		}
		want := fmt.Sprint(f)
		if field == "name" { // QuickBooks compares names without case
			got, want = strings.ToLower(got), strings.ToLower(want)
		}
		switch op {
		case "Contains":
			return strings.Contains(got, want)
		case "StartsWith":
			return strings.HasPrefix(got, want)
		case "EndsWith":
			return strings.HasSuffix(got, want)
		case "From":
			return got >= want
		case "To":
			return got <= want
		}
	}
	if ref, ok := strings.CutSuffix(name, "Ids"); ok {
		if r, ok := v[ref].(map[string]any); ok {
			return contains(f.([]any), r["id"])
		}
	}
	return true
}

func contains(list []any, v any) bool {
	return v != nil && slices.Contains(list, v)
}

// checkWhen refuses a date or time filter the fake could not apply, in
// the formats the spec lists for it: a date for a date filter
// (format: date, such as transactionDateFrom), and for a time filter
// (updatedAfter and the like, whose description lists "the following ISO
// 8601 formats") a date, or a date and time with or without an offset.
func checkWhen(p *openapi3.Parameter, s string) string {
	switch {
	case p.Schema.Value.Format == "date":
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Sprintf("%s: must be a date, YYYY-MM-DD, such as 2025-01-01.", p.Name)
		}
	case isTimeFilter(p):
		if _, err := parseWhen(p.Name, s, time.UTC); err != nil {
			return fmt.Sprintf("%s: must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:mm:ss), with an offset (Z, +02:00) or without one, such as 2025-01-01T12:34:56+00:00.", p.Name)
		}
	}
	return ""
}

// isTimeFilter says whether p is a filter by date and time, which the spec
// marks only in words.
func isTimeFilter(p *openapi3.Parameter) bool {
	return strings.Contains(p.Description+p.Schema.Value.Description, "Accepts the following ISO 8601 formats")
}

// parseWhen reads the value of the time filter name as QuickBooks does,
// in loc, the time zone of the end-user's computer: a date and time with
// an offset (that instant), one without (in loc), or a date (in loc): the
// start of that day for a lower bound (updatedAfter) and its end for an
// upper bound (updatedBefore).
// updatedWindow is what a list's updatedAfter and updatedBefore filters
// let through, as passesOne reads them; a zero bound is none.
type updatedWindow struct{ after, before time.Time }

// timeWindow reads filters' updatedAfter and updatedBefore; one that does
// not parse bounds nothing, as passesOne lets everything through it, and
// neither does with ids, which make QuickBooks ignore every other filter.
func timeWindow(filters map[string]any, loc *time.Location) updatedWindow {
	var w updatedWindow
	if _, ok := filters["ids"]; ok {
		return w
	}
	if f, ok := filters["updatedAfter"]; ok {
		w.after, _ = parseWhen("updatedAfter", fmt.Sprint(f), loc)
	}
	if f, ok := filters["updatedBefore"]; ok {
		w.before, _ = parseWhen("updatedBefore", fmt.Sprint(f), loc)
	}
	return w
}

// holds reports whether an object updated at (zero: unknown) may pass
// the window; passes decides for those it may.
func (w updatedWindow) holds(at time.Time) bool {
	switch {
	case at.IsZero():
		return true
	case !w.after.IsZero() && at.Before(w.after):
		return false
	case !w.before.IsZero() && at.After(w.before):
		return false
	}
	return true
}

func parseWhen(name, s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc); err == nil {
		return t, nil
	}
	day, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date or date and time: %q", s)
	}
	if strings.HasSuffix(name, "Before") || strings.HasSuffix(name, "To") {
		return day.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	return day, nil
}
