package conductortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// A list's query parameters are applied by name, as the spec names them
// for every list, never per resource: appliedBy says whether the fake
// applies a parameter to a list's objects, from the parameter's name and
// the fields of the objects listed; passesOne applies it; shape applies
// the parameters that leave parts of each object out. A parameter the
// fake does not apply is refused (unappliedFilter), never ignored.

// shapingParams leave parts of each object out of the answer instead of
// objects out of the list; passesOne lets every object through them.
var shapingParams = map[string]string{
	"includeLineItems":                  "",                           // every field of lines
	"includeLinkedTransactions":         "linkedTransactions",         //
	"includeComponentLineItems":         "componentLineItems",         //
	"excludeAlternateShippingAddresses": "alternateShippingAddresses", //
}

// appliedBy says whether the fake applies the query parameter p of a list
// of model's objects: the paging parameters, which list reads, and every
// filter whose field the objects have.
func appliedBy(model *openapi3.Schema, p *openapi3.Parameter) bool {
	// A required parameter names the list itself, and what answers the
	// list applies it: billsToPay's vendorId (see billsToPay).
	return p.Required || applies(model, p)
}

// applies says whether the fake filters a list of model's objects by p.
func applies(model *openapi3.Schema, p *openapi3.Parameter) bool {
	name := p.Name
	has := func(field string) bool { return model != nil && model.Properties[field] != nil }
	switch name {
	case "cursor", "limit", "ids", "updatedAfter", "updatedBefore":
		return true
	case "status":
		return has("isActive")
	case "names", "fullNames":
		return has("name") || has("fullName")
	case "refNumbers":
		return has("refNumber")
	case "transactionTypes": // the transactions view's
		return has("transactionType")
	case "transactionDateFrom", "transactionDateTo":
		return has("transactionDate")
	case "dueDate": // open bills due on or before it
		if has("dueDate") {
			return true
		}
		bill, _ := nonNull(model.Properties["bill"]) // billsToPay's
		return bill != nil && bill.Properties["dueDate"] != nil
	case "paymentStatus": // all, paid, not_paid; not transactions' open and closed
		return has("isPaid") && slices.Contains(p.Schema.Value.Enum, any("not_paid"))
	case "pendingStatus":
		return has("isPending")
	case "includeLineItems":
		return len(lineFields(model)) > 0
	}
	if field, ok := shapingParams[name]; ok {
		return has(field)
	}
	for _, field := range []string{"name", "refNumber"} {
		if op, ok := strings.CutPrefix(name, field); ok && slices.Contains([]string{"Contains", "StartsWith", "EndsWith", "From", "To"}, op) {
			return has(field) || field == "name" && has("fullName")
		}
	}
	if _, ok := amountFilter(name); ok {
		return has("totalBalance")
	}
	if ref, ok := refFilter(name); ok {
		return schemaRefers(&openapi3.SchemaRef{Value: model}, ref, 0)
	}
	// A filter by a field of the objects, of one value: accountType,
	// paymentMethodType.
	return has(name) && !p.Schema.Value.Type.Is("array")
}

// checkFilters refuses a list's filters that QuickBooks would refuse
// together, or that the fake does not apply. With a filter that makes
// QuickBooks ignore the others (ids), only it and the parameters that
// page or shape the answer are read, so the others can neither clash
// nor go unapplied.
func checkFilters(rt *route, query map[string]any) string {
	if name := overriding(query); name != "" {
		read := map[string]any{name: query[name]}
		for k, v := range query {
			if _, shaping := shapingParams[k]; shaping || k == "limit" || k == "cursor" {
				read[k] = v
			}
		}
		query = read
	}
	if msg := exclusiveFilters(rt, query); msg != "" {
		return msg
	}
	return unappliedFilter(rt, query)
}

// excludesRE finds the filters a parameter's description says cannot go
// with it: "you cannot also use `nameStartsWith` or `nameEndsWith`", "Do
// not use `itemType` together with `itemIds` or `siteIds`".
var (
	excludesRE = regexp.MustCompile("(?:cannot also use|together with) ((?:`\\w+`(?:,? or |, | and )?)+)")
	quotedRE   = regexp.MustCompile("`(\\w+)`")
	// chooseRE finds a report parameter's group: "Choose only one
	// account filter per request: `accountType`, `accountIds`, or
	// `accountFullNames`.", "Choose either `reportDateMacro` or
	// `reportDateFrom`/`reportDateTo`." (names joined by / go together).
	chooseRE      = regexp.MustCompile("Choose (?:only one[^:.]*:|either) ([^.]*)")
	alternativeRE = regexp.MustCompile(",? or |, ")
)

// clashing are the parameters the description desc of the parameter
// name says cannot be given with it.
func clashing(name, desc string) []string {
	var out []string
	if m := excludesRE.FindStringSubmatch(desc); m != nil {
		for _, q := range quotedRE.FindAllStringSubmatch(m[1], -1) {
			out = append(out, q[1])
		}
	}
	if m := chooseRE.FindStringSubmatch(desc); m != nil {
		for _, alt := range alternativeRE.Split(m[1], -1) {
			names := quotedRE.FindAllStringSubmatch(alt, -1)
			if !slices.ContainsFunc(names, func(q []string) bool { return q[1] == name }) {
				for _, q := range names {
					out = append(out, q[1])
				}
			}
		}
	}
	return out
}

// exclusiveFilters refuses two filters given together that the spec's
// descriptions say QuickBooks takes only one of.
func exclusiveFilters(rt *route, query map[string]any) string {
	for _, ref := range rt.spec().Parameters {
		p := ref.Value
		if _, given := query[p.Name]; !given || p.In != "query" {
			continue
		}
		desc := p.Description + " " + p.Schema.Value.Description
		others := clashing(p.Name, desc)
		if strings.Contains(desc, "only use one total-balance filter at a time") {
			for name := range query {
				if strings.HasPrefix(name, "totalBalance") {
					others = append(others, name)
				}
			}
		}
		slices.Sort(others)
		for _, other := range others {
			if _, given := query[other]; given && other != p.Name {
				return fmt.Sprintf("%s, %s: QuickBooks takes only one of these filters at a time, as openapi.yaml says; give one of them.", p.Name, other)
			}
		}
	}
	return ""
}

// unappliedFilter is the refusal of the first query parameter of a list
// served by list that the fake does not apply, or "".
func unappliedFilter(rt *route, query map[string]any) string {
	if rt.op.Kind != apispec.List || rt.op.Namespace != apispec.QBDNamespace || listsDeleted(rt.op.Resource) {
		return ""
	}
	model, _ := rt.res.objects() // serveAPI has read the spec
	var refused []string
	for _, ref := range rt.spec().Parameters {
		p := ref.Value
		// The default asks for what the fake answers anyway
		// (includeLineItems=true).
		if v, given := query[p.Name]; given && p.In == "query" && !isDefault(p, v) && !appliedBy(model, p) {
			refused = append(refused, p.Name)
		}
	}
	if len(refused) == 0 {
		return ""
	}
	slices.Sort(refused)
	return fmt.Sprintf("%s: the fake does not apply this filter to %s, so it refuses it rather than answer as if it were applied; leave it out, or test it against QuickBooks.", refused[0], rt.op.Resource)
}

func isDefault(p *openapi3.Parameter, v any) bool {
	d := p.Schema.Value.Default
	return d != nil && fmt.Sprint(d) == fmt.Sprint(v)
}

// listsDeleted says whether resource is a list of deletions, which
// listDeleted answers with its own filters.
func listsDeleted(resource string) bool {
	return resource == "deletedTransactions" || resource == "deletedListObjects"
}

// refFilter reads an entity or account filter's name: customerIds (any of
// these ids) and vendorId (this one) filter by what the object refers to
// as customer or vendor.
func refFilter(name string) (string, bool) {
	if ref, ok := strings.CutSuffix(name, "Ids"); ok && ref != "" {
		return ref, true
	}
	if ref, ok := strings.CutSuffix(name, "Id"); ok && ref != "" {
		return ref, true
	}
	return "", false
}

// refKey says whether the field key holds a reference named ref: ref
// itself (customer), or ref as its last word (payablesAccount for
// account).
func refKey(key, ref string) bool {
	if key == ref {
		return true
	}
	r := []rune(ref)
	r[0] = unicode.ToUpper(r[0])
	return strings.HasSuffix(key, string(r))
}

// schemaRefers says whether the schema holds, at some depth (lines too), a
// reference named ref: an object with an id.
func schemaRefers(s *openapi3.SchemaRef, ref string, depth int) bool {
	v, _ := nonNull(s)
	if v == nil || depth > 4 {
		return false
	}
	if v.Items != nil {
		return schemaRefers(v.Items, ref, depth+1)
	}
	for key, prop := range v.Properties {
		if pv, _ := nonNull(prop); pv != nil && refKey(key, ref) && pv.Properties["id"] != nil {
			return true
		}
		if schemaRefers(prop, ref, depth+1) {
			return true
		}
	}
	return false
}

// refIDs are the ids of every reference named ref in v, lines included.
func refIDs(v any, ref string, ids map[any]bool) {
	switch v := v.(type) {
	case map[string]any:
		for key, f := range v {
			if r, ok := f.(map[string]any); ok && refKey(key, ref) && r["id"] != nil {
				ids[r["id"]] = true
			}
			refIDs(f, ref, ids) // the references of its lines
		}
	case []any:
		for _, f := range v {
			refIDs(f, ref, ids)
		}
	}
}

// amountFilter reads a total-balance filter's comparison: the sign of
// the object's amount minus the filter's that passes.
func amountFilter(name string) ([]int, bool) {
	switch name {
	case "totalBalance":
		return []int{0}, true
	case "totalBalanceGreaterThan":
		return []int{1}, true
	case "totalBalanceGreaterThanOrEqualTo":
		return []int{0, 1}, true
	case "totalBalanceLessThan":
		return []int{-1}, true
	case "totalBalanceLessThanOrEqualTo":
		return []int{-1, 0}, true
	}
	return nil, false
}

// lineFields are the fields of model that hold its lines, which
// includeLineItems=false leaves empty: lines, expenseLines, lineGroups.
func lineFields(model *openapi3.Schema) []string {
	if model == nil {
		return nil
	}
	var out []string
	for key, prop := range model.Properties {
		if pv, _ := nonNull(prop); pv != nil && pv.Type.Is("array") &&
			(key == "lines" || key == "lineGroups" || strings.HasSuffix(key, "Lines") || strings.HasSuffix(key, "LineGroups")) &&
			key != "componentLineItems" {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// filterable is what filters need of o: when they are time and status
// filters and shaping parameters only, its isActive alone, since window
// has already applied the time filters (passes lets an object with no
// updatedAt through them); else o decoded whole.
func (o *object) filterable(filters map[string]any) map[string]any {
	for k := range filters {
		if _, shaping := shapingParams[k]; shaping {
			continue
		}
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

// overridingFilters are the filters with which, as their descriptions
// say, "QuickBooks will ignore all other query parameters": ids, names,
// fullNames, refNumbers.
func overridingFilters() []string {
	a, err := loadAPI()
	if err != nil {
		return nil
	}
	return a.overriding
}

// overriding is the filter of filters that makes QuickBooks ignore the
// others (ids before the rest, should a list be given two), or "".
func overriding(filters map[string]any) string {
	if _, ok := filters["ids"]; ok {
		return "ids"
	}
	for _, name := range overridingFilters() {
		if _, ok := filters[name]; ok {
			return name
		}
	}
	return ""
}

// mustAllBeFound says whether the spec says of rt's filter name that
// QuickBooks refuses a list when one of its values matches nothing: "If
// any of the values you specify in this parameter are not found, the
// request will return an error" (ids, names, fullNames, refNumbers).
func mustAllBeFound(rt *route, name string) bool {
	for _, ref := range rt.spec().Parameters {
		if p := ref.Value; p.In == "query" && p.Name == name {
			desc := strings.Join(strings.Fields(p.Description+" "+p.Schema.Value.Description), " ")
			return strings.Contains(desc, "not found, the request will return an error")
		}
	}
	return false
}

// notFound is the value of the overriding filter name (ids, fullNames,
// refNumbers) that no object of c matches, or nil: QuickBooks refuses the
// whole list then, as the spec's descriptions of those filters say ("If
// any of the values you specify in this parameter are not found, the
// request will return an error"), rather than answer the others alone.
func (c *collection) notFound(name string, values []any, loc *time.Location) any {
	missing := slices.Clone(values)
	if name == "ids" {
		missing = slices.DeleteFunc(missing, func(id any) bool {
			s, _ := id.(string)
			return c != nil && c.byID[s] != nil
		})
	} else if c != nil {
		for _, obj := range c.order {
			if len(missing) == 0 {
				break
			}
			v := decodeObject(obj.data)
			missing = slices.DeleteFunc(missing, func(f any) bool { return passesOne(v, name, []any{f}, loc) })
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return missing[0]
}

// passes applies a list's filters, each as passesOne does, but for one
// that overrides the others (ids): that one alone.
func passes(v map[string]any, filters map[string]any, loc *time.Location) bool {
	if name := overriding(filters); name != "" {
		return passesOne(v, name, filters[name], loc)
	}
	for name, f := range filters {
		if !passesOne(v, name, f, loc) {
			return false
		}
	}
	return true
}

// passesOne applies the filter name, as the spec's descriptions say
// QuickBooks does: names and full names without case, ref numbers with
// it; name and refNumber Contains, StartsWith and EndsWith (names without
// case), From and To (ref numbers of digits only as numbers); the time,
// date, status, payment status and amount filters; and any <x>Ids or
// <x>Id, an id of what the object (or one of its lines) refers to as x
// or as ...X (accountIds: payablesAccount.id, expenseLines.account.id).
// appliedBy says which filters a list's objects can be filtered by;
// unappliedFilter refuses the others before passesOne sees them.
func passesOne(v map[string]any, name string, f any, loc *time.Location) bool {
	if _, shaping := shapingParams[name]; shaping {
		return true
	}
	switch name { // ids: list matches the stored id, as passes never sees it
	case "names":
		return containsFold(f.([]any), v["name"]) || containsFold(f.([]any), v["fullName"])
	case "fullNames":
		return containsFold(f.([]any), v["fullName"])
	case "refNumbers":
		return contains(f.([]any), v["refNumber"])
	case "transactionTypes":
		return contains(f.([]any), "all") || contains(f.([]any), v["transactionType"])
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
	case "dueDate": // credits have no due date, and pass
		d, ok := v["dueDate"].(string)
		if bill, isBill := v["bill"].(map[string]any); isBill && !ok {
			d, ok = bill["dueDate"].(string) // billsToPay's
		}
		return !ok || d <= fmt.Sprint(f)
	case "paymentStatus":
		paid, _ := v["isPaid"].(bool)
		return f == "all" || (f == "paid") == paid
	case "pendingStatus":
		pending, _ := v["isPending"].(bool)
		return f == "all" || (f == "pending") == pending
	}
	if signs, ok := amountFilter(name); ok {
		got, ok1 := new(big.Rat).SetString(fmt.Sprint(v["totalBalance"]))
		want, ok2 := new(big.Rat).SetString(fmt.Sprint(f))
		return ok1 && ok2 && slices.Contains(signs, got.Cmp(want))
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
			return compareRange(field, got, want) >= 0
		case "To":
			return compareRange(field, got, want) <= 0
		}
	}
	if ref, ok := refFilter(name); ok {
		want, many := f.([]any)
		if !many {
			want = []any{f}
		}
		ids := map[any]bool{}
		refIDs(v, ref, ids)
		return slices.ContainsFunc(want, func(id any) bool { return ids[id] })
	}
	if _, many := f.([]any); !many { // the object's own field: accountType
		return v[name] == f
	}
	return true
}

// compareRange compares a value with a From or To bound: ref numbers of
// digits only as numbers, as the spec says QuickBooks does, the rest as
// strings.
func compareRange(field, got, want string) int {
	if field == "refNumber" && digitsOnly(got) && digitsOnly(want) {
		g, _ := new(big.Int).SetString(got, 10)
		w, _ := new(big.Int).SetString(want, 10)
		return g.Cmp(w)
	}
	return strings.Compare(got, want)
}

func digitsOnly(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func contains(list []any, v any) bool {
	return v != nil && slices.Contains(list, v)
}

// containsFold is contains for names, which QuickBooks compares without
// case.
func containsFold(list []any, v any) bool {
	s, ok := v.(string)
	return ok && slices.ContainsFunc(list, func(w any) bool { w2, ok := w.(string); return ok && strings.EqualFold(w2, s) })
}

// shape leaves out of p's objects what the list's shaping parameters ask
// to (includeLineItems=false: the lines; includeLinkedTransactions, false
// by default: the linked transactions), writing the objects it changes
// as copies the answer alone holds, so that the stored ones stay as they
// are. filters are the list's, those of its cursor for a later page.
func (st *state) shape(p *page, filters map[string]any, model *openapi3.Schema) {
	var empty []string
	if filters["includeLineItems"] == false {
		empty = append(empty, lineFields(model)...)
	}
	if filters["includeComponentLineItems"] == false {
		empty = append(empty, "componentLineItems")
	}
	if filters["includeLinkedTransactions"] != true {
		empty = append(empty, "linkedTransactions")
	}
	noAddresses := filters["excludeAlternateShippingAddresses"] == true
	copies := make([]*object, len(p.data))
	changed := false
	for i, o := range p.data {
		copies[i] = o
		needs := noAddresses && bytes.Contains(o.data, []byte(`"alternateShippingAddresses":[`))
		for _, k := range empty {
			needs = needs || bytes.Contains(o.data, []byte(`"`+k+`":[{`))
		}
		if !needs {
			continue
		}
		v := decodeObject(o.data)
		for _, k := range empty {
			if _, ok := v[k].([]any); ok {
				v[k] = []any{}
			}
		}
		if noAddresses {
			if _, ok := v["alternateShippingAddresses"]; ok {
				v["alternateShippingAddresses"] = nil
			}
		}
		data, err := json.Marshal(v)
		if err != nil {
			continue
		}
		copies[i] = &object{id: o.id, seq: o.seq, data: data}
		changed = true
	}
	if changed {
		st.unpin(p.data)
		p.data = copies
		st.pin(p.data)
	}
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

// updatedWindow is what a list's updatedAfter and updatedBefore filters
// let through, as passesOne reads them; a zero bound is none.
type updatedWindow struct{ after, before time.Time }

// timeWindow reads filters' updatedAfter and updatedBefore; one that does
// not parse bounds nothing, as passesOne lets everything through it, and
// neither does with ids (or another overriding filter), which make
// QuickBooks ignore every other filter.
func timeWindow(filters map[string]any, loc *time.Location) updatedWindow {
	var w updatedWindow
	if overriding(filters) != "" {
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

// parseWhen reads the value of the time filter name as QuickBooks does,
// in loc, the time zone of the end-user's computer: a date and time with
// an offset (that instant), one without (in loc), or a date (in loc): the
// start of that day for a lower bound (updatedAfter) and its end for an
// upper bound (updatedBefore).
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
