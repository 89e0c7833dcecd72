package apigen

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// The rules of rules.gen.go are what the spec states of a request, one
// line per rule calling a primitive of conductor/check.go, in one
// function per Go type of a request: the query parameters' type or the
// body's, and each object nested in it. They are derived by walking each
// operation's schema and gen's struct side by side, by JSON name, so
// that each rule names the field as the spec does (lines[2].quantity).
//
// A schema keyword is either an annotation (description, example, ...),
// structure (type, properties, items) or a rule; a rule this file cannot
// write as a line (pattern, oneOf, multipleOf, a format it does not know,
// ...) fails generation, naming the operation and the field: a rule the
// spec states is never left out unseen.

// annotations are the keywords of a request schema that state no rule.
var annotations = map[string]bool{
	"description": true, "example": true, "examples": true, "default": true, "title": true, "deprecated": true,
}

// A rulesGen derives rules.gen.go.
type rulesGen struct {
	gen    *genInfo
	public map[string]string
	root   *yaml.Node
	// funcs are the check functions by gen type, in order of first use.
	funcs map[string]*ruleFunc
	order []*ruleFunc
	// sets are the enums' sets of values, by Go type and values.
	sets     map[string]*enumSet
	setOrder []*enumSet
	errs     []error
}

// A ruleFunc is the check function of one Go type.
type ruleFunc struct {
	// Name is the function's, Type the Go type it checks, Where the
	// schema it was first derived from.
	Name, Type, Where string
	// Query says that it checks an operation's query parameters, whose
	// nil pointer is no parameters: Nil are its lines then, one per
	// required parameter.
	Query bool
	Nil   []string
	// Lines are the rules, in the spec's order of the fields.
	Lines []string
}

// An enumSet is the values the spec allows a field of an enum type:
// all of the type's (Valid is the type's Valid method), or fewer, since
// the overlay gives a set that another one holds the larger one's type
// (then Valid is a function of rules.gen.go of those values).
type enumSet struct {
	// Type is the enum's Go type; Valid the function that accepts its
	// values; Allowed the constant that lists them for a message.
	Type, Valid, Allowed string
	// Text is the values, as a message lists them; Cases, for a set of
	// its own, the values quoted, for its switch.
	Text, Cases string
	Own         bool
}

func newRulesGen(g *genInfo, public map[string]string, spec []byte) (*rulesGen, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("apigen: reading the spec for its rules: %w", err)
	}
	return &rulesGen{gen: g, public: public, root: ynode(&doc), funcs: map[string]*ruleFunc{}, sets: map[string]*enumSet{}}, nil
}

// check is the call of o's rules in the generated method's check, such
// as checkInvoiceCreateParams(&c, nil, &params), or "" when the spec
// states no rule of o's request.
func (r *rulesGen) check(o apispec.Operation) string {
	op := ykey(ykey(ykey(r.root, "paths"), o.Path), strings.ToLower(o.Method))
	where := fmt.Sprintf("%s %s (%s)", o.Method, o.Path, o.SDKName())
	lines := r.pathParams(where, o, op)
	if params := r.params(where, o, op); params != "" {
		lines = append(lines, params)
	}
	return strings.Join(lines, "; ")
}

// pathParams are the rules of o's path parameters: the object id's
// length (QuickBooks' ids: at most 36 characters), and the values of an
// enum after it (passthrough's integrationSlug). What every id must be
// whatever the spec says (not empty, not dots) is the helpers' to check
// (call.go), SkipSpecChecks or not.
func (r *rulesGen) pathParams(where string, o apispec.Operation, op *yaml.Node) []string {
	types := r.gen.builders[builderName(o)]
	var lines []string
	for _, p := range yitems(ykey(op, "parameters")) {
		p = r.deref(p)
		name := yval(p, "name")
		if yval(p, "in") != "path" {
			continue
		}
		if name == "id" && o.HasID {
			s := r.deref(ykey(p, "schema"))
			used := map[string]bool{"type": true, "maxLength": true}
			if t := yval(s, "type"); t != "string" {
				r.fail(where, name, "an object id of type %q, which the methods take as a string; extend internal/apigen/rules.go", t)
			}
			if n := ykey(s, "maxLength"); n != nil {
				lines = append(lines, fmt.Sprintf("c.maxLength(nil, %q, id, %s)", name, r.integer(where, name, n)))
			}
			r.unused(where, name, s, used)
			continue
		}
		i := slices.Index(o.PathParams, name)
		if i < 0 {
			continue
		}
		if o.HasID {
			i++ // the builder takes the id first
		}
		s := r.deref(ykey(p, "schema"))
		used := map[string]bool{"type": true}
		if ykey(s, "enum") != nil && i < len(types) {
			goName := apispec.ParamName(name)
			if set := r.enum(where, name, types[i], s, used); set != nil {
				lines = append(lines, fmt.Sprintf("oneOf(&c, nil, %q, %s, %s, %s)", goName, goName, set.Valid, set.Allowed))
			}
		}
		r.unused(where, name, s, used)
	}
	return lines
}

// params is the call of the rules of o's query parameters or body, or ""
// when it takes neither or the spec states no rule of them.
func (r *rulesGen) params(where string, o apispec.Operation, op *yaml.Node) string {
	if !o.HasQuery && !o.HasBody {
		return ""
	}
	if o.HasQuery && o.HasBody {
		// The method takes one params, which cannot be both.
		r.fail(where, "", "query parameters and a body, whose rules would need two functions; extend internal/apigen/rules.go")
		return ""
	}
	if o.HasQuery {
		var props []prop
		for _, p := range yitems(ykey(op, "parameters")) {
			p = r.deref(p)
			if yval(p, "in") != "query" {
				continue
			}
			name := yval(p, "name")
			for k := range ypairs(p) {
				switch k {
				case "in", "name", "schema", "required", "description", "example", "examples", "deprecated", "style", "explode":
				default:
					if !strings.HasPrefix(k, "x-") {
						r.fail(where, name, "the parameter's %s is a rule apigen does not write; extend internal/apigen/rules.go", k)
					}
				}
			}
			props = append(props, prop{name: name, schema: ykey(p, "schema"), required: yval(p, "required") == "true"})
		}
		if fn := r.object(where, "", o.ParamsType(), props, true); fn != "" {
			return fn + "(&c, nil, params)"
		}
		return ""
	}
	body := r.deref(ykey(ykey(ykey(ykey(op, "requestBody"), "content"), "application/json"), "schema"))
	typ := r.gen.resolve(o.ParamsType())
	if under := r.gen.underlying[typ]; strings.HasPrefix(under, "map[") {
		return r.freeForm(where, typ, body)
	}
	used := map[string]bool{}
	props := r.properties(where, "", body, used)
	r.unused(where, "", body, used)
	if fn := r.object(where, "", o.ParamsType(), props, false); fn != "" {
		return fn + "(&c, nil, &params)"
	}
	return ""
}

// freeForm is the check of a body the spec leaves free-form (a map in
// Go, passthrough's): its number of properties.
func (r *rulesGen) freeForm(where, typ string, s *yaml.Node) string {
	var lines []string
	for k, v := range ypairs(s) {
		switch k {
		case "type", "additionalProperties":
			if k == "type" && v.Value != "object" || k == "additionalProperties" && !(v.Kind == yaml.ScalarNode && v.Value == "true") {
				r.fail(where, "", "a free-form body of %s %q; extend internal/apigen/rules.go", k, v.Value)
			}
		case "properties":
			if len(v.Content) > 0 {
				r.fail(where, "", "gen.%s is a map, but the spec gives the body properties; is gen/ up to date (make generate)?", typ)
			}
		case "minProperties":
			lines = append(lines, fmt.Sprintf("c.properties(at, %q, len(*v), %s)", "params", r.integer(where, "", v)))
		default:
			if !annotations[k] && !strings.HasPrefix(k, "x-") {
				r.fail(where, "", "the body's %s is a rule apigen does not write; extend internal/apigen/rules.go", k)
			}
		}
	}
	if prev, ok := r.funcs[typ]; ok {
		if !slices.Equal(prev.Lines, lines) {
			r.fail(where, "", "gen.%s is also %s, whose rules differ; is gen/ up to date (make generate)?", typ, prev.Where)
		}
		lines = prev.Lines
	} else if len(lines) > 0 {
		r.add(&ruleFunc{Type: typ, Where: where, Lines: lines})
	} else {
		r.funcs[typ] = &ruleFunc{Type: typ, Where: where}
	}
	if len(lines) == 0 {
		return ""
	}
	return r.funcs[typ].Name + "(&c, nil, &params)"
}

// A prop is a field of an object, or a query parameter, as the spec
// states it.
type prop struct {
	name     string
	schema   *yaml.Node
	required bool
}

// properties are the fields of the object schema s, in the spec's order;
// used records the keywords they account for.
func (r *rulesGen) properties(where, at string, s *yaml.Node, used map[string]bool) []prop {
	used["type"], used["properties"], used["required"], used["additionalProperties"] = true, true, true, true
	if t := yval(s, "type"); t != "" && t != "object" {
		r.fail(where, at, "type %q where gen has a struct; is gen/ up to date (make generate)?", t)
	}
	if ap := ykey(s, "additionalProperties"); ap != nil && !(ap.Kind == yaml.ScalarNode && ap.Value == "false") {
		r.fail(where, at, "additionalProperties on an object gen makes a struct of; extend internal/apigen/rules.go")
	}
	required := map[string]bool{}
	for _, n := range yitems(ykey(s, "required")) {
		required[n.Value] = true
	}
	var props []prop
	for name, schema := range ypairs(ykey(s, "properties")) {
		props = append(props, prop{name: name, schema: schema, required: required[name]})
		delete(required, name)
	}
	for name := range required {
		r.fail(where, join(at, name), "required, but not a property of the object")
	}
	return props
}

// object is the check function of the Go type typ, whose fields are
// props, or "" when the spec states no rule of them.
func (r *rulesGen) object(where, at, typ string, props []prop, query bool) string {
	typ = r.gen.resolve(typ)
	fields, ok := r.gen.structs[typ]
	if !ok {
		r.fail(where, at, "gen.%s is not a struct; is gen/ up to date (make generate)?", typ)
		return ""
	}
	byJSON := map[string]genField{}
	for _, f := range fields {
		byJSON[f.json] = f
	}
	fn := &ruleFunc{Type: typ, Where: strings.TrimSpace(where + " " + at), Query: query}
	for _, p := range props {
		f, ok := byJSON[p.name]
		if !ok {
			r.fail(where, join(at, p.name), "gen.%s has no field %s; is gen/ up to date (make generate)?", typ, p.name)
			continue
		}
		fn.Lines = append(fn.Lines, r.field(where, join(at, p.name), f, p, query)...)
		if query && p.required {
			fn.Nil = append(fn.Nil, fmt.Sprintf("c.required(at, %q, true)", p.name))
		}
	}
	if prev, ok := r.funcs[typ]; ok {
		if !slices.Equal(prev.Lines, fn.Lines) || !slices.Equal(prev.Nil, fn.Nil) {
			r.fail(where, at, "gen.%s is also %s, whose rules differ; is gen/ up to date (make generate)?", typ, prev.Where)
		}
		return prev.Name
	}
	if len(fn.Lines) == 0 && len(fn.Nil) == 0 {
		r.funcs[typ] = fn
		return ""
	}
	return r.add(fn)
}

// add names fn, the check function of a gen type, and adds it to the
// file under the type's name in package conductor.
func (r *rulesGen) add(fn *ruleFunc) string {
	public, ok := r.public[fn.Type]
	if !ok {
		r.errs = append(r.errs, fmt.Errorf("apigen: gen.%s (%s) has no name in package conductor", fn.Type, fn.Where))
		public = fn.Type
	}
	r.funcs[fn.Type] = fn
	fn.Name, fn.Type = "check"+public, public
	r.order = append(r.order, fn)
	return fn.Name
}

// A goType is a field's Go type: a pointer to, or a list of, or an elem.
type goType struct {
	ptr, slice bool
	elem       string
}

func parseType(expr string) goType {
	var t goType
	t.elem, t.ptr = strings.CutPrefix(expr, "*")
	t.elem, t.slice = strings.CutPrefix(t.elem, "[]")
	return t
}

// kind is what the rules know of a Go type: string, int, float64, bool,
// Date, DateTime, time.Time, UUID, enum, struct, or "" for another.
func (r *rulesGen) kind(name string) string {
	switch name {
	case "string", "int", "float64", "bool", "Date", "DateTime", "UUID", "time.Time":
		return name
	}
	name = r.gen.resolve(name)
	switch {
	case r.gen.structs[name] != nil:
		return "struct"
	case r.gen.valid[name] && r.gen.underlying[name] == "string":
		return "enum"
	}
	return ""
}

// schemaTypes are the Go kinds each JSON Schema type may be.
var schemaTypes = map[string][]string{
	"string":  {"string", "enum", "Date", "DateTime", "time.Time", "UUID"},
	"integer": {"int"},
	"number":  {"float64"},
	"boolean": {"bool"},
	"object":  {"struct"},
	"array":   {},
}

// field is the rules of the field f, named at, as the spec states it.
func (r *rulesGen) field(where, at string, f genField, p prop, query bool) []string {
	s := r.deref(p.schema)
	t := parseType(f.typ)
	kind := r.kind(t.elem)
	name := strconv.Quote(p.name)
	x := "v." + f.name
	used := map[string]bool{"type": true}
	var lines []string
	line := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	if strings.HasPrefix(t.elem, "*") || strings.HasPrefix(t.elem, "[]") || kind == "" {
		r.fail(where, at, "gen's type %s is not one the rules know; extend internal/apigen/rules.go", f.typ)
		return nil
	}
	want := yval(s, "type")
	if t.slice != (want == "array") || !t.slice && !slices.Contains(schemaTypes[want], kind) {
		r.fail(where, at, "the spec's type %q, gen's %s; is gen/ up to date (make generate)?", want, f.typ)
		return nil
	}

	if t.slice {
		if p.required {
			if query {
				// A query writes no empty list: nil and empty are
				// both the parameter left out.
				line("c.required(at, %s, len(%s) == 0)", name, x)
			} else {
				line("c.requiredList(at, %s, %s == nil)", name, x)
			}
		}
		used["minItems"], used["maxItems"], used["items"] = true, true, true
		minItems, maxItems := ykey(s, "minItems"), ykey(s, "maxItems")
		if minItems != nil || maxItems != nil {
			lo, hi := "0", "-1"
			if minItems != nil {
				lo = r.integer(where, at, minItems)
			}
			if maxItems != nil {
				hi = r.integer(where, at, maxItems)
			}
			line("c.items(at, %s, %s == nil, %t, len(%s), %s, %s)", name, x, p.required, x, lo, hi)
		}
		lines = append(lines, r.elements(where, at+"[]", t.elem, kind, name, x, r.deref(ykey(s, "items")))...)
		r.unused(where, at, s, used)
		return lines
	}

	if p.required {
		switch {
		case t.ptr:
			line("c.required(at, %s, %s == nil)", name, x)
		case kind == "string" || kind == "enum":
			line("c.required(at, %s, %s == \"\")", name, x)
		case kind == "Date" || kind == "time.Time":
			line("c.required(at, %s, %s.IsZero())", name, x)
		case kind == "DateTime":
			r.fail(where, at, "a required date and time filter, which gen does not make a pointer; extend internal/apigen/rules.go")
		}
		// A number, a boolean, a UUID or an object that is not a pointer
		// is always sent: present, as the spec requires.
	} else if !t.ptr && kind != "struct" {
		r.fail(where, at, "optional, but gen's %s is not a pointer, so an unset one is sent; extend internal/apigen/rules.go", f.typ)
	}
	ifSet := ""
	if t.ptr {
		ifSet = "IfSet"
	}
	switch kind {
	case "string":
		// No string of a request has a minLength today, so check.go has
		// no primitive for it: a spec that adds one fails here, as the
		// unused keyword it is.
		used["maxLength"] = true
		if n := ykey(s, "maxLength"); n != nil {
			line("c.maxLength%s(at, %s, %s, %s)", ifSet, name, x, r.integer(where, at, n))
		}
		if fm := ykey(s, "format"); fm != nil {
			r.fail(where, at, "format %q on a string gen types as %s; extend internal/apigen/rules.go", fm.Value, f.typ)
			used["format"] = true
		}
	case "enum":
		set := r.enum(where, at, t.elem, s, used)
		if set != nil {
			line("oneOf%s(c, at, %s, %s, %s, %s)", ifSet, name, x, set.Valid, set.Allowed)
		}
	case "int", "float64":
		used["minimum"], used["maximum"] = true, true
		lo, hasLo := "0", "false"
		hi, hasHi := "0", "false"
		if n := ykey(s, "minimum"); n != nil {
			lo, hasLo = r.bound(where, at, n, kind), "true"
		}
		if n := ykey(s, "maximum"); n != nil {
			hi, hasHi = r.bound(where, at, n, kind), "true"
		}
		if hasLo == "true" || hasHi == "true" {
			line("between%s(c, at, %s, %s, %s, %s, %s, %s)", ifSet, name, x, lo, hasLo, hi, hasHi)
		}
	case "Date":
		used["format"] = true
		if fm := ykey(s, "format"); fm == nil || fm.Value != "date" {
			r.fail(where, at, "gen types it as a Date, but the spec gives it no format date; is gen/ up to date (make generate)?")
		}
		if t.ptr {
			line("c.dateIfSet(at, %s, %s)", name, x)
		} else {
			line("c.date(at, %s, %s)", name, x)
		}
	case "DateTime":
		// The date and time filters: the overlay makes them DateTime,
		// whose form is what the spec's description asks for.
		used["format"] = true
		if fm := ykey(s, "format"); fm != nil && fm.Value != "date-time" {
			r.fail(where, at, "gen types it as a DateTime, but the spec gives it format %q; extend internal/apigen/rules.go", fm.Value)
		}
		if !t.ptr {
			r.fail(where, at, "a date and time gen does not make a pointer; extend internal/apigen/rules.go")
		}
		line("c.dateTimeIfSet(at, %s, %s)", name, x)
	case "time.Time":
		// A date and time of a body: the overlay gives format date-time
		// to the properties the spec describes as one, which encoding/json
		// writes as RFC 3339.
		used["format"] = true
		if fm := ykey(s, "format"); fm != nil && fm.Value != "date-time" {
			r.fail(where, at, "gen types it as a time.Time, but the spec gives it format %q; extend internal/apigen/rules.go", fm.Value)
		}
		line("c.timestamp%s(at, %s, %s)", ifSet, name, x)
	case "UUID":
		// Any UUID is one: the type is the rule.
		used["format"] = true
		if fm := ykey(s, "format"); fm == nil || fm.Value != "uuid" {
			r.fail(where, at, "gen types it as a UUID, but the spec gives it no format uuid; is gen/ up to date (make generate)?")
		}
	case "struct":
		props := r.properties(where, at, s, used)
		fn := r.object(where, at, t.elem, props, false)
		switch {
		case fn == "":
		case t.ptr:
			line("if %s != nil {\np := field(at, %s)\n%s(c, &p, %s)\n}", x, name, fn, x)
		default:
			line("{\np := field(at, %s)\n%s(c, &p, &%s)\n}", name, fn, x)
		}
	}
	r.unused(where, at, s, used)
	return lines
}

// elements are the rules of each element of the list x, of Go type elem,
// whose schema is s.
func (r *rulesGen) elements(where, at, elem, kind, name, x string, s *yaml.Node) []string {
	used := map[string]bool{"type": true}
	want := yval(s, "type")
	if !slices.Contains(schemaTypes[want], kind) {
		r.fail(where, at, "the spec's type %q, gen's %s; is gen/ up to date (make generate)?", want, elem)
		return nil
	}
	var lines []string
	switch kind {
	case "string":
		used["maxLength"] = true
		if n := ykey(s, "maxLength"); n != nil {
			lines = append(lines, fmt.Sprintf("c.maxLengthEach(at, %s, %s, %s)", name, x, r.integer(where, at, n)))
		}
	case "bool", "int", "float64":
		// Rules of such elements, which no list of the spec has today,
		// are the unused keywords below.
	case "enum":
		if set := r.enum(where, at, elem, s, used); set != nil {
			lines = append(lines, fmt.Sprintf("oneOfEach(c, at, %s, %s, %s, %s)", name, x, set.Valid, set.Allowed))
		}
	case "struct":
		props := r.properties(where, at, s, used)
		if fn := r.object(where, at, elem, props, false); fn != "" {
			lines = append(lines, fmt.Sprintf("for i := range %s {\np := element(at, %s, i)\n%s(c, &p, &%s[i])\n}", x, name, fn, x))
		}
	default:
		r.fail(where, at, "a list of %s, whose elements the rules do not know; extend internal/apigen/rules.go", elem)
	}
	r.unused(where, at, s, used)
	return lines
}

// enum is the set of values s allows a field of the enum type typ.
func (r *rulesGen) enum(where, at, typ string, s *yaml.Node, used map[string]bool) *enumSet {
	used["enum"], used["maxLength"], used["minLength"] = true, true, true
	var values []string
	for _, v := range yitems(ykey(s, "enum")) {
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			r.fail(where, at, "an enum value %q that is not a string; extend internal/apigen/rules.go", v.Value)
			return nil
		}
		values = append(values, v.Value)
	}
	if len(values) == 0 {
		r.fail(where, at, "gen types it as the enum %s, but the spec gives it no enum; is gen/ up to date (make generate)?", typ)
		return nil
	}
	// A length is implied by the values, when each of them has it.
	for _, v := range values {
		n := len([]rune(v))
		if m := ykey(s, "maxLength"); m != nil && n > atoi(m.Value) || ykey(s, "minLength") != nil && n < atoi(ykey(s, "minLength").Value) {
			r.fail(where, at, "the enum value %q is outside the spec's length; a rule for the length is needed: extend internal/apigen/rules.go", v)
		}
	}
	typ = r.gen.resolve(typ)
	var all []string
	for _, c := range r.gen.consts {
		if c.typ == typ {
			all = append(all, c.value)
		}
	}
	for _, v := range values {
		if !slices.Contains(all, v) {
			r.fail(where, at, "gen.%s has no value %q; is gen/ up to date (make generate)?", typ, v)
			return nil
		}
	}
	public := r.public[typ]
	if public == "" {
		r.fail(where, at, "the enum gen.%s has no name in package conductor", typ)
		return nil
	}
	sorted := slices.Sorted(slices.Values(values))
	own := len(sorted) != len(all)
	key := typ
	if own {
		key += "\x00" + strings.Join(sorted, "\x00")
	}
	if set, ok := r.sets[key]; ok {
		return set
	}
	set := &enumSet{Type: public, Valid: public + ".Valid", Allowed: "allowed" + public, Own: own}
	text := all
	if own {
		// Named for the first field that allows those values.
		base := public + "Of" + exported(strings.NewReplacer("[]", "", ".", " ").Replace(where+" "+at))
		set.Valid, set.Allowed, text = "is"+base, "allowed"+base, values
		set.Cases = quoted(values)
	}
	set.Text = strings.Join(text, ", ")
	r.sets[key] = set
	r.setOrder = append(r.setOrder, set)
	return set
}

// exported makes a Go name of words: the operation's SDK name and the
// field's path.
func exported(words string) string {
	_, words, _ = strings.Cut(words, "(")
	var b strings.Builder
	for _, w := range strings.FieldsFunc(words, func(r rune) bool { return r == ' ' || r == '.' || r == '(' || r == ')' || r == '/' }) {
		b.WriteString(apispec.Exported(w))
	}
	return b.String()
}

// integer is the non-negative integer of a length or a count.
func (r *rulesGen) integer(where, at string, n *yaml.Node) string {
	if v, err := strconv.Atoi(n.Value); err != nil || v < 0 {
		r.fail(where, at, "%q is not a count", n.Value)
		return "0"
	}
	return n.Value
}

// bound is a minimum or maximum as a Go constant of kind's type.
func (r *rulesGen) bound(where, at string, n *yaml.Node, kind string) string {
	if kind == "int" {
		if _, err := strconv.Atoi(n.Value); err != nil {
			r.fail(where, at, "the bound %q of an integer is not an integer", n.Value)
			return "0"
		}
		return n.Value
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		r.fail(where, at, "the bound %q is not a number", n.Value)
		return "0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// unused fails on each keyword of s that is neither an annotation nor
// used: a rule apigen does not write.
func (r *rulesGen) unused(where, at string, s *yaml.Node, used map[string]bool) {
	for k := range ypairs(s) {
		if !used[k] && !annotations[k] && !strings.HasPrefix(k, "x-") {
			r.fail(where, at, "the spec's %s is a rule apigen does not write; extend internal/apigen/rules.go (and conductor/check.go's primitives)", k)
		}
	}
}

func (r *rulesGen) fail(where, at, format string, args ...any) {
	if at != "" {
		where += ": " + at
	}
	r.errs = append(r.errs, fmt.Errorf("apigen: %s: %s", where, fmt.Sprintf(format, args...)))
}

// join is the path of the field name of the object at.
func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// deref follows a $ref to a component of the spec.
func (r *rulesGen) deref(n *yaml.Node) *yaml.Node {
	for range 10 {
		ref := ykey(n, "$ref")
		if ref == nil {
			return n
		}
		path, ok := strings.CutPrefix(ref.Value, "#/")
		if !ok {
			return nil
		}
		n = r.root
		for _, seg := range strings.Split(path, "/") {
			n = ykey(n, seg)
		}
	}
	return n
}

// ynode is n, past a document or an alias.
func ynode(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch {
		case n.Kind == yaml.AliasNode:
			n = n.Alias
		case n.Kind == yaml.DocumentNode && len(n.Content) > 0:
			n = n.Content[0]
		default:
			return n
		}
	}
	return nil
}

// ykey is the value of key in the mapping n, or nil.
func ykey(n *yaml.Node, key string) *yaml.Node {
	for k, v := range ypairs(n) {
		if k == key {
			return v
		}
	}
	return nil
}

// yval is the scalar value of key in the mapping n, or "".
func yval(n *yaml.Node, key string) string {
	if v := ykey(n, key); v != nil {
		return v.Value
	}
	return ""
}

// ypairs are the keys and values of the mapping n, in order.
func ypairs(n *yaml.Node) func(func(string, *yaml.Node) bool) {
	return func(yield func(string, *yaml.Node) bool) {
		n = ynode(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, ynode(n.Content[i+1])) {
				return
			}
		}
	}
}

// yitems are the elements of the sequence n.
func yitems(n *yaml.Node) []*yaml.Node {
	n = ynode(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = ynode(c)
	}
	return items
}

// err is every problem found, joined.
func (r *rulesGen) err() error { return errors.Join(r.errs...) }
