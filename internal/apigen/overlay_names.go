package apigen

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// MaxNameLength is the longest exported name the generator gives a type
// or constant: past it a name stops being one a reader takes in at a glance.
const MaxNameLength = 50

// A typeName is one Go type of package gen named by the overlay, and what
// the spec says it is.
type typeName struct {
	// Doc is the spec's description of what the type is.
	Doc string
	// where is the schema it comes from, for errors.
	where string
	// component says that it is a component schema's.
	component bool
}

// names is what typeNames derives: the overlay actions that name every
// type of gen, and each name with its description.
type names struct {
	actions []action
	types   map[string]typeName
	enums   []*enumType
	errs    []error
	// prev are the names the previous generation published.
	prev *published
	// models are the Go names of the component schemas, by key.
	models map[string]string
}

// typeNames derives the names of gen's types, so that gen and the facade
// use one name for each type (conductor.Invoice = gen.Invoice):
//
//   - a component schema is named by x-go-name after apispec.ModelName:
//     qbd_invoice → Invoice;
//   - an inline object (or union) is named by x-go-type-name after its
//     parent and its property, an element of a list in the singular:
//     Invoice.customer → InvoiceCustomer, InvoiceCreateParams.lines[] →
//     InvoiceCreateParamsLine; a nullable object ({anyOf: [object, null]})
//     is named on its object branch, which gets the property's description;
//   - a schema without a description gets the spec's summary, else its
//     title, so that gen's doc comment says what the type is;
//   - every enum becomes one component schema per set of values, named for
//     its property (see enumTypes), and every occurrence points at it
//     through x-go-type.
//
// A location the previous generation named keeps its name (see
// published). A name given twice, or longer than MaxNameLength, is an
// error that names both schemas: generation stops instead of writing code
// that does not compile.
func typeNames(root map[string]any, ops []apispec.Operation, prev *published) *names {
	n := &names{types: map[string]typeName{}, prev: prev, models: modelNames(root, prev)}
	components := mapOf(mapOf(root["components"])["schemas"])
	// The components first, so that a nested type never takes the name
	// of one.
	for _, s := range slices.Sorted(maps.Keys(components)) {
		target := "$.components.schemas" + key(s)
		name := n.models[s]
		n.update(target, map[string]any{"x-go-name": name})
		n.define(name, target, mapOf(components[s]), describe(root, ops, s))
		n.types[name] = typeName{Doc: n.types[name].Doc, where: target, component: true}
	}
	for _, s := range slices.Sorted(maps.Keys(components)) {
		n.properties(mapOf(components[s]), "$.components.schemas"+key(s), []string{n.models[s]}, true)
	}
	for _, o := range ops {
		opPath := "$.paths" + key(o.Path) + "." + strings.ToLower(o.Method)
		op := mapOf(mapOf(mapOf(root["paths"])[o.Path])[strings.ToLower(o.Method)])
		where := o.Method + " " + o.Path
		for _, p := range list(op["parameters"]) {
			param := mapOf(p)
			name, _ := param["name"].(string)
			if param["in"] != "query" && param["in"] != "path" {
				continue
			}
			desc, _ := param["description"].(string)
			target := opPath + ".parameters[?@.name == '" + quote(name) + "'].schema"
			n.schema(mapOf(param["schema"]), target, []string{o.ParamsType()}, name, desc, false)
		}
		if body := jsonSchema(mapOf(op["requestBody"])); body != nil && body["$ref"] == nil {
			target := opPath + ".requestBody.content['application/json'].schema"
			what := "The parameters of " + o.SDKName() + " (" + where + "): " + sentence(o.Summary)
			if len(mapOf(body["properties"])) == 0 {
				// A free-form object (passthrough's): oapi-codegen names
				// no map, so the body becomes a component of that name.
				if d, _ := body["description"].(string); d != "" {
					what = d
				}
				n.update("$.components.schemas", map[string]any{o.ParamsType(): map[string]any{"type": "object", "additionalProperties": true, "description": what}})
				n.update(target, map[string]any{"x-go-type": o.ParamsType()})
				n.claim(o.ParamsType(), target, what)
			} else {
				n.define(o.ParamsType(), target, body, what)
				n.properties(body, target, []string{o.ParamsType()}, false)
			}
		}
		if result := jsonSchema(mapOf(mapOf(op["responses"])["200"])); result != nil && result["$ref"] == nil {
			name := o.ResultType()
			what := "What " + o.SDKName() + " (" + where + ") answers: " + sentence(o.Summary)
			if o.Kind == apispec.List {
				name = o.Model + "List"
				what = "A page of " + o.SDKName() + " (" + where + "): " + sentence(o.Summary)
			}
			target := opPath + ".responses['200'].content['application/json'].schema"
			n.define(name, target, result, what)
			n.properties(result, target, []string{name}, false)
		}
		if o.HasQuery {
			n.claim(o.ParamsType(), where+" query", "The query parameters of "+o.SDKName()+" ("+where+"): "+sentence(o.Summary))
		}
	}
	n.enumTypes(components)
	return n
}

// update adds an overlay action that sets keys of the node at target.
func (n *names) update(target string, keys map[string]any) {
	if l := len(n.actions); l > 0 && n.actions[l-1].Target == target {
		if last, ok := n.actions[l-1].Update.(map[string]any); ok {
			maps.Copy(last, keys)
			return
		}
	}
	n.actions = append(n.actions, action{Target: target, Update: keys})
}

// define claims name for the type of schema at target and, when the
// schema has no description, gives it doc.
func (n *names) define(name, target string, schema map[string]any, doc string) {
	if d, _ := schema["description"].(string); d != "" {
		doc = d
	} else if doc != "" {
		n.update(target, map[string]any{"description": doc})
	}
	n.claim(name, target, doc)
}

// claim records that name is the type of the schema at where.
func (n *names) claim(name, where, doc string) {
	if prev, dup := n.types[name]; dup {
		n.errs = append(n.errs, fmt.Errorf("apigen: %s and %s would both be the type %s; the naming rules in internal/apigen need a look", prev.where, where, name))
		return
	}
	if len(name) > MaxNameLength {
		n.errs = append(n.errs, fmt.Errorf("apigen: %s would be the type %s, longer than %d characters; the naming rules in internal/apigen need a look", where, name, MaxNameLength))
	}
	n.types[name] = typeName{Doc: doc, where: where}
}

// properties names what the properties of the object schema at target,
// whose type's name is made of segs, need named.
func (n *names) properties(schema map[string]any, target string, segs []string, component bool) {
	// Each nested name is shortened on its own, and only when it runs
	// past MaxNameLength: a name that fits is never cut because a sibling
	// (even one added by a later spec) is long.
	props := mapOf(schema["properties"])
	for _, p := range slices.Sorted(maps.Keys(props)) {
		prop := mapOf(props[p])
		desc, _ := prop["description"].(string)
		n.schema(prop, target+".properties"+key(p), segs, p, desc, component)
	}
}

// schema names what the schema at target, property prop of the type
// named by segs, needs named: an inline object or union, after the parent
// and the property; an enum, as an occurrence of its enum type. desc is
// the description of the property, for a type that has none of its own.
func (n *names) schema(schema map[string]any, target string, segs []string, prop, desc string, component bool) {
	if schema == nil || schema["$ref"] != nil {
		return
	}
	if d, _ := schema["description"].(string); d != "" {
		desc = d
	}
	if values := enumValues(schema); values != nil {
		n.enums = append(n.enums, &enumType{uses: []enumUse{{target: target, owner: typeNameOf(segs), prop: apispec.Exported(prop), values: values, doc: desc, component: component}}})
		return
	}
	var branches []int
	for i, b := range list(schema["anyOf"]) {
		if !isNull(mapOf(b)) {
			branches = append(branches, i)
		}
	}
	if len(branches) == 1 && len(list(schema["oneOf"])) == 0 {
		// {anyOf: [X, null]}: X is the type, nullable.
		i := branches[0]
		n.schema(mapOf(list(schema["anyOf"])[i]), fmt.Sprintf("%s.anyOf[%d]", target, i), segs, prop, desc, component)
		return
	}
	if isArray(schema) {
		n.schema(mapOf(schema["items"]), target+".items", segs, singular(prop), desc, component)
		return
	}
	union := len(branches) > 1 || len(list(schema["oneOf"])) > 0
	if !union && len(mapOf(schema["properties"])) == 0 {
		return // a map, or any JSON
	}
	segs = append(slices.Clip(segs), apispec.Exported(prop))
	name, kept := n.prev.types[target]
	if !kept {
		name = typeNameOf(segs)
		if prev, taken := n.types[name]; taken && prev.component && mapOf(schema["properties"])["id"] != nil {
			// A reference to an object (its id and fullName) named like a
			// component schema (Customer.customerType, the CustomerType
			// object): the reference is CustomerTypeRef.
			name += "Ref"
		}
	} else if prev, taken := n.types[name]; taken && prev.component {
		n.errs = append(n.errs, fmt.Errorf("apigen: the component schema at %s would be the type %s, which the previous generation published for %s; a published name is kept, and a component schema is named only by its key (the facade's methods are named after it): rename one in the spec's local additions, or delete gen/overlay.yaml to rename on purpose", prev.where, name, target))
		return
	}
	n.update(target, map[string]any{"x-go-type-name": name})
	n.define(name, target, schema, desc)
	if !union {
		n.properties(schema, target, segs, component)
	}
}

// typeNameOf is the name of a type made of segments, the name of its
// outermost type then the properties that lead to it (Invoice, Customer →
// InvoiceCustomer), without saying twice the words one segment repeats
// from the end of the one before (Account, AccountType → AccountType).
// Past MaxNameLength it is shortened mechanically: first without the
// Params of an operation's parameters (ReceivePaymentCreateParams,
// CreditCardTransaction, Request → ReceivePaymentCreateCreditCardTransactionRequest),
// then by dropping, from the longest property segment, its first word
// (PurchasesAndVendorsPreferences, DefaultDiscountAccount →
// PurchasesAndVendorsPreferencesDiscountAccount) and a linking word after
// it (ApplyToTransaction → Transaction), keeping one word of each.
func typeNameOf(segs []string) string { return typeNameWithin(segs, MaxNameLength) }

// typeNameWithin is typeNameOf shortened, as far as it can be, to limit
// characters.
func typeNameWithin(segs []string, limit int) string {
	return strings.Join(joinSegments(shorten(segs, limit, 1)), "")
}

// shorten returns segs with words dropped, by typeNameOf's rules, until
// the name they make has at most limit characters, or no segment after
// the first has more than keep words left.
func shorten(segs []string, limit, keep int) []string {
	ws := make([][]string, len(segs))
	for i, s := range segs {
		ws[i] = words(s)
	}
	length := func() int { return len(strings.Join(joinSegments(ws), "")) }
	if length() > limit && len(ws) > 1 {
		if r := ws[0]; len(r) > 1 && r[len(r)-1] == "Params" {
			ws[0] = r[:len(r)-1]
		}
	}
	for length() > limit && len(ws) > 1 {
		longest := 0
		for i := 1; i < len(ws); i++ {
			if len(ws[i]) > keep && (longest == 0 || len(ws[i]) > len(ws[longest])) {
				longest = i
			}
		}
		if longest == 0 {
			break // claim reports it
		}
		// ApplyToTransaction → Transaction, not ToTransaction.
		for ws[longest] = ws[longest][1:]; len(ws[longest]) > 1 && linking[ws[longest][0]]; {
			ws[longest] = ws[longest][1:]
		}
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = strings.Join(w, "")
	}
	return out
}

// joinSegments joins the words of segments, each without the words it
// begins with that the one before ends with.
func joinSegments[S ~[]string | ~string](segs []S) []string {
	var out []string
	for _, s := range segs {
		var w []string
		switch v := any(s).(type) {
		case string:
			w = words(v)
		case []string:
			w = v
		}
		out = joinWords(out, w)
	}
	return out
}

// linking are the words a shortened segment does not begin with.
var linking = map[string]bool{"And": true, "At": true, "By": true, "For": true, "From": true, "In": true, "Of": true, "On": true, "Or": true, "To": true}

// joinWords appends next to name's words, less the words next begins
// with that name ends with.
func joinWords(name, next []string) []string {
	for k := min(len(name), len(next)); k > 0; k-- {
		if slices.Equal(name[len(name)-k:], next[:k]) {
			return append(slices.Clip(name), next[k:]...)
		}
	}
	return append(slices.Clip(name), next...)
}

// describe is what the component schema s is, in the spec's words: its
// description, else its summary, else its title; else, rather than words
// made up from its name, where the spec uses it: the operations that
// answer it (EndUser: "What EndUsers.Create (POST /end-users) answers:
// Create an end-user."), else the properties of other schemas that hold
// it, with their descriptions (IntegrationConnection: "An element of
// EndUser.integrationConnections: The end-user's integration
// connections."); else that the spec neither describes nor uses it.
func describe(root map[string]any, ops []apispec.Operation, s string) string {
	components := mapOf(mapOf(root["components"])["schemas"])
	schema := mapOf(components[s])
	for _, k := range []string{"description", "summary", "title"} {
		if d, _ := schema[k].(string); d != "" {
			return d
		}
	}
	ref := "#/components/schemas/" + s
	var places []string
	for _, o := range ops {
		op := mapOf(mapOf(mapOf(root["paths"])[o.Path])[strings.ToLower(o.Method)])
		if jsonSchema(mapOf(mapOf(op["responses"])["200"]))["$ref"] == ref {
			places = append(places, "What "+o.SDKName()+" ("+o.Method+" "+o.Path+") answers: "+sentence(o.Summary))
		}
	}
	if places == nil {
		for _, c := range slices.Sorted(maps.Keys(components)) {
			props := mapOf(mapOf(components[c])["properties"])
			for _, p := range slices.Sorted(maps.Keys(props)) {
				prop := mapOf(props[p])
				what := "The " + p + " of " + apispec.ModelName(c)
				if isArray(prop) {
					what = "An element of " + apispec.ModelName(c) + "." + p
				}
				if !holds(prop, ref) {
					continue
				}
				if d, _ := prop["description"].(string); d != "" {
					what += ": " + sentence(d)
				} else {
					what += "."
				}
				places = append(places, what)
			}
		}
	}
	if places == nil {
		return "The spec's schema " + s + ", which it neither describes nor uses."
	}
	return strings.Join(places, " ")
}

// holds reports whether the property schema is a reference to ref, or a
// list of them, or nullable one.
func holds(prop map[string]any, ref string) bool {
	if prop["$ref"] == ref || mapOf(prop["items"])["$ref"] == ref {
		return true
	}
	for _, b := range list(prop["anyOf"]) {
		if mapOf(b)["$ref"] == ref {
			return true
		}
	}
	return false
}

func isNull(schema map[string]any) bool { return schema["type"] == "null" }

func isArray(schema map[string]any) bool {
	if schema["type"] == "array" {
		return true
	}
	return slices.Contains(list(schema["type"]), any("array"))
}

// enumValues are the values of an enum (or const) of strings, or nil.
func enumValues(schema map[string]any) []string {
	raw := list(schema["enum"])
	if c, ok := schema["const"]; ok && len(raw) == 0 {
		raw = []any{c}
	}
	if len(raw) == 0 {
		return nil
	}
	values := make([]string, 0, len(raw))
	for _, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		values = append(values, s)
	}
	return values
}

// singular is the name of one element of a list property: lines → line,
// entries → entry, addresses → address, classIds → classId.
func singular(prop string) string {
	switch {
	case strings.HasSuffix(prop, "ies"):
		return strings.TrimSuffix(prop, "ies") + "y"
	case strings.HasSuffix(prop, "sses"), strings.HasSuffix(prop, "xes"), strings.HasSuffix(prop, "ches"), strings.HasSuffix(prop, "shes"):
		return strings.TrimSuffix(prop, "es")
	case strings.HasSuffix(prop, "ss"), strings.HasSuffix(prop, "us"), strings.HasSuffix(prop, "is"):
		return prop
	case strings.HasSuffix(prop, "s"):
		return strings.TrimSuffix(prop, "s")
	}
	return prop
}

// words splits an exported Go name into its words: InvoiceLineID →
// Invoice, Line, ID; QBDService → QBD, Service; Form1040 → Form, 1040, so
// that TaxForm + Form1040 is seen to say Form twice.
func words(name string) []string {
	var out []string
	start := 0
	isUpper := func(b byte) bool { return b >= 'A' && b <= 'Z' }
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	for i := 1; i < len(name); i++ {
		switch {
		case isDigit(name[i]) && !isDigit(name[i-1]):
			// a1, A1: the digits are a word of their own
		case isUpper(name[i]) && !isUpper(name[i-1]) && !isDigit(name[i-1]):
			// aB: a word starts at B
		case isUpper(name[i]) && isUpper(name[i-1]) && i+1 < len(name) && !isUpper(name[i+1]) && !isDigit(name[i+1]) && name[i+1] != 's':
			// ABc: a word starts at B (QBDService); IDs stays one word
		default:
			continue
		}
		out = append(out, name[start:i])
		start = i
	}
	return append(out, name[start:])
}

// Stutters reports whether an exported name says a run of words twice in
// a row (AccountAccountType, LineLine), and which.
func Stutters(name string) (string, bool) {
	w := words(name)
	for i := range w {
		for k := 1; i+2*k <= len(w); k++ {
			if slices.Equal(w[i:i+k], w[i+k:i+2*k]) {
				return strings.Join(w[i:i+k], ""), true
			}
		}
	}
	return "", false
}

// StuttersAfter reports whether the constant name, which begins with the
// name of its type, repeats after it the words the type's name ends with
// (TaxForm, TaxFormFormT1), and which. The value's own words may repeat:
// ThousandSeparatorGroupingXxXxxXxx says what the value is.
func StuttersAfter(typ, name string) (string, bool) {
	tw, vw := words(typ), words(strings.TrimPrefix(name, typ))
	for k := min(len(tw), len(vw)); k > 0; k-- {
		if slices.Equal(tw[len(tw)-k:], vw[:k]) {
			return strings.Join(vw[:k], ""), true
		}
	}
	return "", false
}

func quote(s string) string { return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) }

// sentence is s with one final period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return strings.TrimSuffix(s, ".") + "."
}

// err joins the errors of the derivation.
func (n *names) err() error { return errors.Join(n.errs...) }
