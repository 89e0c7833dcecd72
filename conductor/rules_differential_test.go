package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/facade"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// TestRulesAgreeWithTheSpec is the differential test of the client's
// rules (rules.gen.go, run by every facade method before sending) against
// a spec validator, kin-openapi. For every operation that takes a body or
// query parameters it builds, from the operation's schemas, a valid base
// request (every required field at every depth filled; only the required
// query parameters) and, for each constraint at every depth, a case just
// inside and one just outside its bound: maxLength at max and max+1
// characters (every other one in multi-byte characters, to catch counting
// bytes), minLength, minimum and maximum, every value of an enum and one
// outside it, minItems and maxItems, a required field removed (and a
// required query list given empty, which a query cannot tell from none),
// a date (2024-02-29) and a date that is not one (2024-02-30), a uuid and
// one a digit short, minProperties; and, for every operation on an
// object, its id at the length the path's {id} allows and one over (any
// other rule of the id fails the test). A nested constraint is reached
// with its optional parents present, each with only what it requires. The
// test fails on a keyword of a request schema it makes no cases for, and
// when a kind of constraint the schemas hold got fewer cases than it has
// places, or none inside or outside its bound.
//
// Each case's JSON is decoded into the method's parameters type, as a
// caller's value would hold it (a decoding error is "refused by the Go
// type"), and the method is called against a loopback server that records
// what it gets and answers a harmless 400. The client's verdict (refused
// with a *ValidationError naming the field and nothing sent, or sent)
// must be kin-openapi's on the same request (openapi3filter.ValidateRequest,
// with a validator for format uuid, which kin-openapi leaves unchecked),
// and every request the client sent must itself pass kin-openapi. The
// figure is logged, and the outcomes by kind; each disagreement, a bug in
// the rules or in the spec validator (or in this test's idea of a case),
// is listed.
//
// Cases the test does not make, because they are no bound of the schema
// but of Go's values: a required string left "" or a required date left
// zero is "missing" to the client (an unset field and an empty one are the
// same Go value), though JSON's "" would satisfy a schema with no
// minLength; and a required number or boolean left out cannot be told
// from 0 or false in Go, which the client sends (see requiredInGo).
// AuthSessions.Create is hand-written, with a duration for
// linkExpiryMins; the auth-session tests hold it to the spec.
//
// With -short, every 10th case of each kind is run (the first always);
// the full run is what make test runs.
func TestRulesAgreeWithTheSpec(t *testing.T) {
	doc, ops := loadOperations(t)
	// kin-openapi's classic validator, as the fake's (see
	// conductortest/validation.go): for a 3.1 document openapi3filter
	// takes its JSON Schema 2020-12 path, which compiles the operation's
	// schema again for every request: seven times the cost of the whole
	// test. The request schemas use no 3.1-only keyword (unsupported
	// fails on one), and both paths gave the same verdict on every case
	// when this test was written.
	classic := *doc
	classic.OpenAPI = "3.0.3"
	var cases []diffCase
	present, covered := map[string]int{}, map[string]int{}
	var skipped []string
	operations := 0
	for _, o := range ops {
		if (!o.HasBody && !o.HasQuery && !o.HasID) || o.SDKName() == "authSessions.create" {
			continue
		}
		m, err := facade.Find(o, o.GoMethod())
		if err != nil {
			t.Fatal(err)
		}
		op := doc.Paths.Find(o.Path).GetOperation(o.Method)
		g := &caseGen{t: t, o: o, method: m, route: &routers.Route{Spec: &classic, Path: o.Path, PathItem: doc.Paths.Find(o.Path), Method: o.Method, Operation: op}, covered: covered, skipped: &skipped}
		operations++
		scanID(op, present)
		if !o.HasBody && !o.HasQuery {
			g.objectID(op, map[string]any{})
			cases = append(cases, g.cases...)
			continue
		}
		scanConstraints(op, present)
		g.operation(op)
		cases = append(cases, g.cases...)
	}
	checkGeneratorCoverage(t, cases, present, covered)
	if len(skipped) > 0 {
		t.Logf("%d required numbers and booleans have no case left out, since Go sends 0 or false (see requiredInGo): %s", len(skipped), strings.Join(skipped, ", "))
	}

	run := cases
	if testing.Short() {
		run = sampleCases(cases, 10)
	}
	r := newRuleRunner(t)
	tally := ruleTally{byKind: map[string]*[4]int{}}
	var disagreements []string
	for _, c := range run {
		outcome, d := r.run(t, c)
		tally.count(c.kind, outcome)
		if d != "" {
			disagreements = append(disagreements, d)
		}
	}
	t.Logf("outcomes by kind (refused by both, sent and valid, refused by the Go type, disagree):\n%s", tally.table())
	t.Logf("%s", tally.figure(operations))
	if len(run) < len(cases) {
		t.Logf("(-short: %d of the %d cases, every 10th of each kind)", len(run), len(cases))
	}
	if len(disagreements) > 0 {
		t.Errorf("the client's rules and kin-openapi disagree on %d of %d cases; each is a bug in the rules (rules.gen.go, from cmd/apigen) or in the spec validator:\n%s",
			len(disagreements), len(run), strings.Join(disagreements, "\n"))
	}
}

// A diffCase is one request of an operation, made to sit just inside or
// just outside one constraint of its schemas.
type diffCase struct {
	op     apispec.Operation
	method *facade.Method
	route  *routers.Route
	// kind is the constraint the case is about (maxLength, enum,
	// required, ...), or "base" for the operation's valid base request.
	kind string
	// at is the constrained value's place: a query parameter's name or
	// a body field's JSON path (lines[0].description).
	at, what string
	// inside says the value is within the constraint's bound; the
	// request is then valid, since everything else in it is.
	inside bool
	// params are the query parameters or the body, as JSON values.
	params map[string]any
	// id is the object's id, when not testObjectID (a case of its
	// length).
	id string
}

// objectID is the case's object id.
func (c diffCase) objectID() string {
	if c.id != "" {
		return c.id
	}
	return testObjectID
}

func (c diffCase) String() string {
	where := "body"
	if c.op.HasQuery {
		where = "query"
	}
	side := "outside"
	if c.inside {
		side = "inside"
	}
	if c.kind == "base" {
		return fmt.Sprintf("%s: the base request (%s %s)", c.op.SDKName(), where, compactJSON(c.params))
	}
	return fmt.Sprintf("%s: %s %s %s, %s its bound (%s %s)", c.op.SDKName(), pathOr(c.at), c.kind, c.what, side, where, compactJSON(c.params))
}

// compactJSON is v in JSON, its long strings cut, for a message.
func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "..."
	}
	return s
}

// caseGen makes the cases of one operation.
type caseGen struct {
	t       *testing.T
	o       apispec.Operation
	method  *facade.Method
	route   *routers.Route
	cases   []diffCase
	covered map[string]int // constraints given their cases, by kind
	skipped *[]string      // required fields given no case (see requiredInGo)
	// strings counts the maxLength constraints seen, to write every
	// other one in multi-byte characters.
	strings int
}

// leftOut, given to a put, leaves the value out of its object.
var leftOut = &struct{ leftOut bool }{true}

// A put makes the whole request (query parameters or body) with v at
// one place, and every other value minimal.
type put func(v any) map[string]any

func (g *caseGen) skip(at string) {
	*g.skipped = append(*g.skipped, g.o.SDKName()+" "+at)
}

func (g *caseGen) add(kind, at, what string, inside bool, params map[string]any) {
	g.cases = append(g.cases, diffCase{op: g.o, method: g.method, route: g.route, kind: kind, at: at, what: what, inside: inside, params: params})
}

// operation makes the cases of the operation's query parameters or body.
func (g *caseGen) operation(op *openapi3.Operation) {
	if s := bodySchemaOf(op); s != nil {
		base := minimal(s, 0).(map[string]any)
		g.add("base", "", "", true, deepCopy(base).(map[string]any))
		g.objectID(op, base)
		g.walk(s, "", func(v any) map[string]any { return v.(map[string]any) }, 0, nil)
		return
	}
	base := map[string]any{}
	var params []*openapi3.Parameter
	for _, ref := range op.Parameters {
		if p := ref.Value; p != nil && p.In == "query" {
			params = append(params, p)
			if p.Required {
				v := minimal(p.Schema.Value, 0)
				if list, ok := v.([]any); ok && len(list) == 0 {
					// A query cannot send an empty list: it would be
					// the parameter left out.
					v = []any{minimal(p.Schema.Value.Items.Value, 1)}
				}
				base[p.Name] = v
			}
		}
	}
	g.add("base", "", "", true, deepCopy(base).(map[string]any))
	g.objectID(op, base)
	for _, p := range params {
		name := p.Name
		at := func(v any) map[string]any {
			q := deepCopy(base).(map[string]any)
			if v == leftOut {
				delete(q, name)
			} else {
				q[name] = v
			}
			return q
		}
		if p.Required {
			g.covered["required"]++
			if requiredInGo(p.Schema.Value) {
				g.add("required", name, "left out", false, at(leftOut))
			} else {
				g.skip(name)
			}
			if p.Schema.Value.Type.Is("array") {
				g.add("required", name, "an empty list, which a query sends as the parameter left out", false, at([]any{}))
			}
		}
		g.walk(p.Schema.Value, name, at, 0, nil)
	}
}

// objectID makes the cases of the object id's length (the path's {id}:
// QuickBooks' ids have maxLength 36), with params the valid base request.
func (g *caseGen) objectID(op *openapi3.Operation, params map[string]any) {
	p := op.Parameters.GetByInAndName("path", "id")
	if p == nil || p.Schema.Value.MaxLength == nil {
		return
	}
	g.covered["path:maxLength"]++
	n := int(*p.Schema.Value.MaxLength)
	for _, k := range []int{n, n + 1} {
		g.cases = append(g.cases, diffCase{op: g.o, method: g.method, route: g.route, kind: "path:maxLength", at: "id",
			what: lengthWhat(k, false), inside: k == n, params: deepCopy(params).(map[string]any), id: textOf(k, false)})
	}
}

// scanID counts the constraints of op's object id, as objectID makes
// cases of them: only a maxLength (TestRulesAgreeWithTheSpec fails on
// any other, there being no case for it).
func scanID(op *openapi3.Operation, present map[string]int) {
	p := op.Parameters.GetByInAndName("path", "id")
	if p == nil {
		return
	}
	s := p.Schema.Value
	if s.MaxLength != nil {
		present["path:maxLength"]++
	}
	if s.MinLength > 0 || s.Pattern != "" || s.Format != "" || len(s.Enum) > 0 {
		present["path:other"]++
	}
}

// walk makes the cases of the constraints of s and of what it holds.
// onPath are the schemas above s, to stop at a recursive one.
func (g *caseGen) walk(s *openapi3.Schema, at string, put put, depth int, onPath []*openapi3.Schema) {
	if s == nil || slices.Contains(onPath, s) || depth > 12 {
		return
	}
	onPath = append(onPath, s)
	g.unsupported(s, at)
	switch {
	case isObjectSchema(s):
		mine := minimal(s, depth).(map[string]any)
		if s.MinProps > 0 {
			g.covered["minProperties"]++
			g.add("minProperties", at, fmt.Sprintf("%d properties", s.MinProps), true, put(someProperties(mine, int(s.MinProps))))
			g.add("minProperties", at, fmt.Sprintf("%d properties", s.MinProps-1), false, put(someProperties(mine, int(s.MinProps)-1)))
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			prop := s.Properties[name].Value
			field := join(at, name)
			inObject := func(v any) map[string]any {
				o := deepCopy(mine).(map[string]any)
				if v == leftOut {
					delete(o, name)
				} else {
					o[name] = v
				}
				return put(o)
			}
			if slices.Contains(s.Required, name) {
				g.covered["required"]++
				if requiredInGo(prop) {
					g.add("required", field, "left out", false, inObject(leftOut))
				} else {
					g.skip(field)
				}
			}
			g.walk(prop, field, inObject, depth+1, onPath)
		}
		return
	case s.Type.Is("array") && s.Items != nil:
		item := minimal(s.Items.Value, depth+1)
		n := max(1, int(s.MinItems))
		items := func(k int) []any {
			out := make([]any, k)
			for i := range out {
				out[i] = deepCopy(item)
			}
			return out
		}
		if s.MinItems > 0 {
			g.covered["minItems"]++
			g.add("minItems", at, fmt.Sprintf("%d items", s.MinItems), true, put(items(int(s.MinItems))))
			g.add("minItems", at, fmt.Sprintf("%d items", s.MinItems-1), false, put(items(int(s.MinItems)-1)))
		}
		if s.MaxItems != nil {
			g.covered["maxItems"]++
			g.add("maxItems", at, fmt.Sprintf("%d items", *s.MaxItems), true, put(items(int(*s.MaxItems))))
			g.add("maxItems", at, fmt.Sprintf("%d items", *s.MaxItems+1), false, put(items(int(*s.MaxItems)+1)))
		}
		first := func(v any) map[string]any {
			list := items(n)
			list[0] = v
			return put(list)
		}
		g.walk(s.Items.Value, at+"[0]", first, depth+1, onPath)
		return
	}
	if len(s.Enum) > 0 {
		g.covered["enum"]++
		for _, v := range s.Enum {
			if v != nil {
				g.add("enum", at, fmt.Sprintf("%v", v), true, put(v))
			}
		}
		outside := any("not_one_of_the_enum")
		if !s.Type.Is("string") {
			outside = 987654321
		}
		g.add("enum", at, fmt.Sprint(outside), false, put(outside))
		return // its length and format are its values'
	}
	if s.Type.Is("integer") || s.Type.Is("number") {
		step := 1.0
		if s.Min != nil {
			g.covered["minimum"]++
			inside, outside := *s.Min, *s.Min-step
			if s.ExclusiveMin.IsTrue() {
				inside, outside = *s.Min+step, *s.Min
			}
			g.add("minimum", at, fmt.Sprint(inside), true, put(inside))
			g.add("minimum", at, fmt.Sprint(outside), false, put(outside))
		}
		if s.Max != nil {
			g.covered["maximum"]++
			inside, outside := *s.Max, *s.Max+step
			if s.ExclusiveMax.IsTrue() {
				inside, outside = *s.Max-step, *s.Max
			}
			g.add("maximum", at, fmt.Sprint(inside), true, put(inside))
			g.add("maximum", at, fmt.Sprint(outside), false, put(outside))
		}
		return
	}
	if !s.Type.Is("string") {
		return
	}
	switch s.Format {
	case "date":
		g.covered["format:date"]++
		g.add("format:date", at, "2024-02-29", true, put("2024-02-29"))
		g.add("format:date", at, "2024-02-30", false, put("2024-02-30"))
	case "uuid":
		g.covered["format:uuid"]++
		g.add("format:uuid", at, "123e4567-e89b-12d3-a456-426614174000", true, put("123e4567-e89b-12d3-a456-426614174000"))
		g.add("format:uuid", at, "123e4567-e89b-12d3-a456-42661417400", false, put("123e4567-e89b-12d3-a456-42661417400"))
	}
	if s.Format != "" {
		// A string of a format has its format's length: no string of
		// maxLength+1 characters is a date, and none of maxLength is
		// also a uuid.
		if s.MaxLength != nil || s.MinLength > 0 {
			g.t.Errorf("%s: %s has a format (%s) and a length: make this test build values of both", g.o.SDKName(), pathOr(at), s.Format)
		}
		return
	}
	if s.MaxLength != nil {
		g.covered["maxLength"]++
		g.strings++
		multi := g.strings%2 == 0
		n := int(*s.MaxLength)
		g.add("maxLength", at, lengthWhat(n, multi), true, put(textOf(n, multi)))
		g.add("maxLength", at, lengthWhat(n+1, multi), false, put(textOf(n+1, multi)))
	}
	if s.MinLength > 0 {
		g.covered["minLength"]++
		n := int(s.MinLength)
		g.add("minLength", at, lengthWhat(n, false), true, put(textOf(n, false)))
		// "" too: refused by the schema, and by the client whether it
		// reads it as too short or as missing.
		g.add("minLength", at, lengthWhat(n-1, false), false, put(textOf(n-1, false)))
	}
}

// unsupported fails the test on a keyword of a request schema that it
// makes no cases for: the rules may check it, and nothing would hold
// them to the spec.
func (g *caseGen) unsupported(s *openapi3.Schema, at string) {
	var words []string
	if s.Pattern != "" {
		words = append(words, "pattern")
	}
	if s.MultipleOf != nil {
		words = append(words, "multipleOf")
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || len(s.AllOf) > 0 || s.Not != nil {
		words = append(words, "oneOf/anyOf/allOf/not")
	}
	if s.UniqueItems {
		words = append(words, "uniqueItems")
	}
	if s.MaxProps != nil {
		words = append(words, "maxProperties")
	}
	switch s.Format {
	case "", "date", "uuid":
	default:
		words = append(words, "format "+s.Format)
	}
	if len(words) > 0 {
		g.t.Errorf("%s: %s uses %s, which this test makes no cases for: extend it", g.o.SDKName(), pathOr(at), strings.Join(words, ", "))
	}
}

// requiredInGo says whether the client can tell a required value of
// schema s left out: a string is then "" (missing to the client, and to
// Conductor), a list nil, a date zero, an object, an enum or a pointer
// nil. A number or boolean left out is 0 or false, which the client sends
// as given: no request the client can be asked to make leaves it out, so
// the case would compare kin-openapi's verdict on JSON with a Go value
// the case does not describe.
func requiredInGo(s *openapi3.Schema) bool {
	if len(s.Enum) > 0 {
		return true
	}
	return !(s.Type.Is("integer") || s.Type.Is("number") || s.Type.Is("boolean"))
}

// text is a string of n characters: ASCII, or with multi=true two-,
// three- and four-byte characters, so that a rule counting bytes or UTF-16
// units refuses what the spec allows.
func textOf(n int, multi bool) string {
	if !multi {
		return strings.Repeat("x", n)
	}
	chars := []rune("é日😀")
	var b strings.Builder
	for i := range n {
		b.WriteRune(chars[i%len(chars)])
	}
	return b.String()
}

func lengthWhat(n int, multi bool) string {
	if multi {
		return fmt.Sprintf("%d multi-byte characters", n)
	}
	return fmt.Sprintf("%d characters", n)
}

// someProperties is m with n properties at least, for a free-form object:
// qbXML's request names.
func someProperties(m map[string]any, n int) map[string]any {
	out := deepCopy(m).(map[string]any)
	for i := 0; len(out) < n; i++ {
		out[fmt.Sprintf("CustomerQueryRq%d", i)] = map[string]any{}
	}
	for len(out) > n {
		delete(out, slices.Sorted(maps.Keys(out))[0])
	}
	return out
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

func pathOr(at string) string {
	if at == "" {
		return "the body"
	}
	return at
}

func isObjectSchema(s *openapi3.Schema) bool { return s.Type.Is("object") || len(s.Properties) > 0 }

// minimal is a value that s accepts in a request, with only what it
// requires: the first of an enum, the fewest items, the required
// properties, a string of the spec's example, or of its format, or of one
// character.
func minimal(s *openapi3.Schema, depth int) any {
	switch {
	case s == nil:
		return nil
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		for _, v := range s.Enum {
			if v != nil {
				return v
			}
		}
		return nil
	case isObjectSchema(s):
		m := map[string]any{}
		if depth > 12 {
			return m
		}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil {
				m[name] = minimal(p.Value, depth+1)
			}
		}
		if s.MinProps > 0 {
			return someProperties(m, int(s.MinProps))
		}
		return m
	case s.Type.Is("array") && s.Items != nil:
		out := make([]any, s.MinItems)
		for i := range out {
			out[i] = minimal(s.Items.Value, depth+1)
		}
		return out
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("integer"), s.Type.Is("number"):
		n := 1.0
		if s.Min != nil && n < *s.Min {
			n = *s.Min
		}
		if s.Max != nil && n > *s.Max {
			n = *s.Max
		}
		return n
	case s.Type.Is("string"):
		if ex, ok := s.Example.(string); ok && ex != "" && s.VisitJSON(ex, kinOptions...) == nil {
			// The spec's own: an amount as a decimal, say, for a
			// client that would check what the spec says in words.
			return ex
		}
		switch {
		case s.Format == "date":
			return "2024-10-01"
		case s.Format == "date-time", strings.HasPrefix(s.Description, "The date and time"):
			return "2024-10-01T12:34:56-07:00"
		case s.Format == "uuid":
			return "12345678-abcd-abcd-abcd-1234567890ab"
		}
		return textOf(max(1, int(s.MinLength)), false)
	}
	return nil
}

// deepCopy copies a JSON value, so that the cases share no map or slice.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func bodySchemaOf(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// scanConstraints counts, by kind, the constraints of op's query
// parameters and body, read on their own from the schemas: what the
// generator must have given cases to.
func scanConstraints(op *openapi3.Operation, present map[string]int) {
	var scan func(s *openapi3.Schema, onPath []*openapi3.Schema)
	scan = func(s *openapi3.Schema, onPath []*openapi3.Schema) {
		if s == nil || slices.Contains(onPath, s) || len(onPath) > 12 {
			return
		}
		onPath = append(onPath, s)
		count := func(kind string, ok bool) {
			if ok {
				present[kind]++
			}
		}
		enum := len(s.Enum) > 0
		count("enum", enum)
		count("maxLength", s.MaxLength != nil && !enum && s.Format == "")
		count("minLength", s.MinLength > 0 && !enum && s.Format == "")
		count("minimum", s.Min != nil && !enum)
		count("maximum", s.Max != nil && !enum)
		count("minItems", s.MinItems > 0)
		count("maxItems", s.MaxItems != nil)
		count("minProperties", s.MinProps > 0)
		count("format:"+s.Format, s.Format != "" && !enum)
		count("required", len(s.Required) > 0)
		present["required"] += max(0, len(s.Required)-1)
		for _, p := range s.Properties {
			scan(p.Value, onPath)
		}
		if s.Items != nil {
			scan(s.Items.Value, onPath)
		}
	}
	for _, ref := range op.Parameters {
		if p := ref.Value; p != nil && p.In == "query" {
			if p.Required {
				present["required"]++
			}
			scan(p.Schema.Value, nil)
		}
	}
	if s := bodySchemaOf(op); s != nil {
		scan(s, nil)
	}
}

// checkGeneratorCoverage fails the test when the generator made no case,
// or missed a constraint the schemas hold, or made no case inside or
// outside the bound of a kind of constraint the spec uses: the test would
// then pass whatever the rules did.
func checkGeneratorCoverage(t *testing.T, cases []diffCase, present, covered map[string]int) {
	t.Helper()
	inside, outside := map[string]int{}, map[string]int{}
	for _, c := range cases {
		if c.inside {
			inside[c.kind]++
		} else {
			outside[c.kind]++
		}
	}
	if len(cases) == 0 || inside["base"] == 0 {
		t.Fatal("the generator made no case")
	}
	var lines []string
	for _, kind := range slices.Sorted(maps.Keys(present)) {
		lines = append(lines, fmt.Sprintf("%-14s %5d in the spec, %5d with cases: %5d inside, %5d outside", kind, present[kind], covered[kind], inside[kind], outside[kind]))
		if covered[kind] != present[kind] {
			t.Errorf("%s: the spec's request schemas hold %d, the generator gave cases to %d", kind, present[kind], covered[kind])
		}
		if outside[kind] == 0 || inside[kind] == 0 && kind != "required" {
			t.Errorf("%s: the spec uses it, and the generator made %d cases inside its bound and %d outside", kind, inside[kind], outside[kind])
		}
	}
	t.Logf("constraints of the request schemas, by kind (base: %d operations):\n%s", inside["base"], strings.Join(lines, "\n"))
}

// sampleCases keeps every k-th case of each kind, inside and outside its
// bound, the first always.
func sampleCases(cases []diffCase, k int) []diffCase {
	seen := map[string]int{}
	var out []diffCase
	for _, c := range cases {
		key := fmt.Sprint(c.kind, c.inside)
		if seen[key]%k == 0 {
			out = append(out, c)
		}
		seen[key]++
	}
	return out
}

// The outcomes of a case.
const (
	refusedByBoth = iota
	sentValid
	refusedByGoType
	disagreed
)

// ruleTally counts the outcomes, by kind of constraint.
type ruleTally struct {
	byKind map[string]*[4]int
	total  [4]int
}

func (r *ruleTally) count(kind string, outcome int) {
	if r.byKind[kind] == nil {
		r.byKind[kind] = new([4]int)
	}
	r.byKind[kind][outcome]++
	r.total[outcome]++
}

// figure is the line to quote.
func (r *ruleTally) figure(operations int) string {
	n := r.total
	return fmt.Sprintf("%d cases over %d operations: %d agree (%d refused by both, %d sent and valid, %d refused by the Go type); %d disagree",
		n[0]+n[1]+n[2]+n[3], operations, n[0]+n[1]+n[2], n[refusedByBoth], n[sentValid], n[refusedByGoType], n[disagreed])
}

func (r *ruleTally) table() string {
	var lines []string
	for _, kind := range slices.Sorted(maps.Keys(r.byKind)) {
		n := r.byKind[kind]
		lines = append(lines, fmt.Sprintf("%-14s %5d %5d %5d %5d", kind, n[0], n[1], n[2], n[3]))
	}
	return strings.Join(lines, "\n")
}

// ruleRunner calls the facade against a loopback server that records what
// it gets and answers every request with a 400, which the client neither
// retries nor reads further.
type ruleRunner struct {
	client *conductor.Client
	mu     sync.Mutex
	got    []*http.Request // copies: the server's are its own
}

const ruleRefusal = `{"error":{"type":"INVALID_REQUEST_ERROR","code":"RECORDED","message":"recorded by the differential test"}}`

func newRuleRunner(t *testing.T) *ruleRunner {
	r := &ruleRunner{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		sent := httptest.NewRequest(req.Method, req.RequestURI, bytes.NewReader(body))
		sent.Header = req.Header.Clone()
		r.mu.Lock()
		r.got = append(r.got, sent)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, ruleRefusal)
	}))
	t.Cleanup(srv.Close)
	r.client = testClient(t, srv.URL+"/v1", conductor.WithMaxRetries(0))
	t.Cleanup(r.client.CloseIdleConnections)
	return r
}

// received returns and forgets what the server got.
func (r *ruleRunner) received() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// run runs one case; it returns its outcome and, for a disagreement, what
// to say.
func (r *ruleRunner) run(t *testing.T, c diffCase) (int, string) {
	t.Helper()
	kinErr := kinVerdict(c.route, c.objectID(), caseRequest(c))
	kinSays := "valid"
	if kinErr != nil {
		kinSays = "refused: " + kinReason(kinErr)
	}
	disagree := func(client string) (int, string) {
		return disagreed, fmt.Sprintf("%s\n\tclient: %s\n\tkin-openapi: %s", c, client, kinSays)
	}
	if c.inside == (kinErr != nil) {
		// Not a disagreement of the rules: the case is not what the test
		// meant it to be, and the generator needs a look.
		return disagree(fmt.Sprintf("not called: the test meant this case to be %s its bound, which kin-openapi does not find", map[bool]string{true: "inside", false: "outside"}[c.inside]))
	}

	args := facade.Args{EndUserID: testEndUserID, ID: c.objectID()}
	if c.method.Params != nil {
		params := reflect.New(c.method.Params)
		b, _ := json.Marshal(c.params)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(params.Interface()); err != nil {
			if kinErr == nil {
				return disagree(fmt.Sprintf("refused by the Go type %v: %v", c.method.Params, err))
			}
			return refusedByGoType, ""
		}
		args.Params = params.Interface()
	}
	for range c.op.PathParams {
		args.PathParams = append(args.PathParams, "quickbooks_desktop")
	}
	_, err := c.method.Call(testdeadline.Context(t), r.client, args)
	got := r.received()
	var verr *conductor.ValidationError
	var aerr *conductor.Error
	switch {
	case errors.As(err, &verr):
		if len(got) != 0 {
			return disagree(fmt.Sprintf("refused (%v), yet sent %d requests", err, len(got)))
		}
		if kinErr == nil {
			return disagree("refused: " + err.Error())
		}
		if !names(verr, c.at) {
			return disagree(fmt.Sprintf("refused, but without naming %s: %v", c.at, err))
		}
		return refusedByBoth, ""
	case !errors.As(err, &aerr) || aerr.Code != "RECORDED" || len(got) != 1:
		return disagree(fmt.Sprintf("neither refused nor sent once: %d requests, error %v", len(got), err))
	}
	if kinErr != nil {
		return disagree("sent it")
	}
	if err := kinVerdict(c.route, c.objectID(), got[0]); err != nil {
		return disagree("sent a request kin-openapi refuses: " + kinReason(err) + "; sent " + got[0].RequestURI)
	}
	return sentValid, ""
}

// names says whether the client's refusal names the field at, where
// the case broke its constraint: refused for another reason, it agrees
// with kin-openapi only by chance. A list may be named for a problem of
// its element (includeColumns for includeColumns[0]); a case about the
// body itself (at "") anyhow.
func names(verr *conductor.ValidationError, at string) bool {
	if at == "" {
		return true
	}
	for _, f := range verr.Fields {
		// A required object left out is, in Go, an object of zero
		// values, whose own required fields the client names
		// (baseUnit.name for baseUnit).
		if f.Field == at || strings.HasPrefix(at, f.Field+"[") || strings.HasPrefix(f.Field, at+".") {
			return true
		}
	}
	return false
}

// caseRequest is the HTTP request a case describes, as the spec has it
// sent: its query parameters in the form style (a list as the parameter
// repeated), its body as JSON.
func caseRequest(c diffCase) *http.Request {
	u := &url.URL{Path: "/v1" + c.op.Path}
	var body io.Reader = http.NoBody
	if c.op.HasBody {
		b, _ := json.Marshal(c.params)
		body = bytes.NewReader(b)
	} else {
		q := url.Values{}
		for name, v := range c.params {
			if list, ok := v.([]any); ok {
				for _, e := range list {
					q.Add(name, fmt.Sprint(e))
				}
				continue
			}
			q.Set(name, fmt.Sprint(v))
		}
		u.RawQuery = q.Encode()
	}
	req := httptest.NewRequest(c.op.Method, u.String(), body)
	if c.op.HasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(apispec.EndUserHeader, testEndUserID)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	return req
}

// uuidFormat is JSON Schema's format uuid, RFC 4122's form: 32 hex digits
// in groups of 8-4-4-4-12 (any version, as the JSON Schema test suite
// has it). kin-openapi checks no uuid unless given a validator.
var uuidFormat = openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// kinOptions check a request's values, formats included.
var kinOptions = []openapi3.SchemaValidationOption{
	openapi3.VisitAsRequest(),
	openapi3.EnableFormatValidation(),
	openapi3.WithStringFormatValidator("uuid", uuidFormat),
}

// kinVerdict is kin-openapi's verdict on req as a request of route's
// operation: nil when it is valid, formats included.
func kinVerdict(route *routers.Route, id string, req *http.Request) error {
	params := map[string]string{"id": id}
	for _, p := range strings.Split(route.Path, "/") {
		if name, ok := strings.CutPrefix(p, "{"); ok && name != "id}" {
			params[strings.TrimSuffix(name, "}")] = "quickbooks_desktop"
		}
	}
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults:     true,
			SchemaValidationOptions: kinOptions,
		},
	})
}

// kinReason is the first line of kin-openapi's refusal, which names the
// field and the rule (the lines after dump the schema).
func kinReason(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "..."
	}
	return s
}
