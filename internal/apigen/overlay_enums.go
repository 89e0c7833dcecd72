package apigen

import (
	"cmp"
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// An enumType is one Go type for a set of enum values, shared by every
// property and filter that takes that set.
type enumType struct {
	name string
	// segs make its name: its property's, after a qualifier if needed.
	segs   []string
	values []string
	uses   []enumUse
	// published says that the previous generation gave it its name,
	// which it keeps (see published).
	published bool
}

// An enumUse is one schema of the spec with an enum (or a const).
type enumUse struct {
	// target is the schema's JSONPath; owner the type that holds it
	// (Account, AccountListParams); prop its property, exported and, for
	// the elements of a list, in the singular (AccountType).
	target, owner, prop string
	values              []string
	// doc is the description of the property.
	doc string
	// component says that it is part of a component schema (an object of
	// the API), not of a request or an answer of one operation.
	component bool
}

// enumTypes gives every set of enum values one Go type, added to the
// components (so that oapi-codegen writes it and its constants once) and
// pointed at by x-go-type from every schema that has that set:
//
//   - enums with the same values are one type, named for their property:
//     the 16 account types of an account, of its create and update
//     parameters and of the list filter are all AccountType;
//   - single-value enums (the const objectType of every object, the kind
//     of a report row) with the same property are one type with a constant
//     per value: ObjectType, with ObjectTypeInvoice = "qbd_invoice", rather
//     than 181 types of one value each;
//   - where one property has several sets of values, the set found in the
//     most component schemas, then in the most places, keeps the plain name,
//     and each other set is qualified by the words its owners' names begin
//     with (the report filters' accountType is ReportAccountType), else by
//     its first owner's name;
//   - a property named for a Go keyword (type) is qualified even alone:
//     the type of an Error is ErrorType; so is one named like an object
//     type (a status beside a Status schema);
//   - a value that names a component schema names its constant after the
//     schema's type (ObjectTypeInvoice, not ObjectTypeQbdInvoice).
func (n *names) enumTypes(components map[string]any) {
	// index orders uses and groups as the spec does, whatever grouped
	// them: a first generation and one that keeps its names write the
	// same overlay.
	index := map[string]int{}
	for i, e := range n.enums {
		index[e.uses[0].target] = i
	}
	var groups []*enumType
	byKey := map[string]*enumType{}
	// Published types first: each keeps the occurrences it had, and
	// takes the new ones with a set of values one of those has.
	kept := map[string]*enumType{}
	var fresh []enumUse
	for _, e := range n.enums {
		u := e.uses[0]
		name, ok := n.prev.enumOf[u.target]
		if !ok {
			fresh = append(fresh, u)
			continue
		}
		g := kept[name]
		if g == nil {
			g = &enumType{name: name, segs: []string{name}, published: true}
			kept[name] = g
			groups = append(groups, g)
		}
		g.uses = append(g.uses, u)
	}
	for _, g := range groups {
		for _, u := range g.uses {
			if k := valuesKey(u); byKey[k] == nil {
				byKey[k] = g
			}
		}
	}
	for _, u := range fresh {
		k := valuesKey(u)
		g := byKey[k]
		if g == nil {
			g = &enumType{}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.uses = append(g.uses, u)
	}
	for _, g := range groups {
		g.values = g.unionValues(n.prev.values[g.name])
	}
	groups = mergeSubsets(groups)
	for _, g := range groups {
		slices.SortFunc(g.uses, func(a, b enumUse) int { return index[a.target] - index[b.target] })
	}
	slices.SortFunc(groups, func(a, b *enumType) int { return index[a.uses[0].target] - index[b.uses[0].target] })
	// Name each new group for its most common property.
	byName := map[string][]*enumType{}
	for _, g := range groups {
		if g.published {
			continue
		}
		count := map[string]int{}
		for _, u := range g.uses {
			count[u.prop]++
		}
		props := slices.SortedFunc(func(yield func(string) bool) {
			for p := range count {
				if !yield(p) {
					return
				}
			}
		}, func(a, b string) int {
			return cmp.Or(count[b]-count[a], strings.Compare(a, b))
		})
		g.name, g.segs = props[0], []string{props[0]}
		byName[g.name] = append(byName[g.name], g)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range byName {
			if !yield(k) {
				return
			}
		}
	}) {
		contenders := byName[name]
		slices.SortFunc(contenders, func(a, b *enumType) int {
			return cmp.Or(b.components()-a.components(), len(b.uses)-len(a.uses), strings.Compare(a.uses[0].target, b.uses[0].target))
		})
		if token.IsKeyword(strings.ToLower(name)) {
			// Type, alone, says nothing of what it is a type of.
			contenders = append(contenders, nil)
		}
		for _, g := range contenders[1:] {
			if g == nil {
				g = contenders[0]
			}
			g.segs = []string{g.qualifier(), name}
		}
	}
	n.enums = groups
	for _, g := range groups {
		if _, taken := n.types[typeNameOf(g.segs)]; (taken || kept[typeNameOf(g.segs)] != nil) && len(g.segs) == 1 && !g.published {
			// Named like an object (a status property beside a Status
			// schema), or like a published enum type (a new set of
			// values of a property whose other set was published
			// first): qualified, as the other sets of a property are.
			g.segs = []string{g.qualifier(), g.segs[0]}
		}
		var constants map[string]string
		if g.published {
			// Only a published type has constants to keep; a new one
			// may be named like a published one until qualified.
			constants = n.prev.constants[g.name]
		}
		varNames := g.varNames(components, constants)
		if g.published {
			// Its one segment is its name, which varNames does not cut.
			g.name = g.segs[0]
		} else if kept[g.name] != nil {
			n.errs = append(n.errs, fmt.Errorf("apigen: the enum of %s would be the type %s, which the previous generation published for %s; the naming rules in internal/apigen need a look", g.uses[0].target, g.name, kept[g.name].uses[0].target))
			continue
		}
		if components[g.name] != nil {
			n.errs = append(n.errs, fmt.Errorf("apigen: the enum of %s would be the type %s, which is the name of a component schema; the naming rules in internal/apigen need a look", g.uses[0].target, g.name))
			continue
		}
		doc := g.doc()
		n.claim(g.name, g.uses[0].target, doc)
		values := make([]any, len(g.values))
		for i, v := range g.values {
			values[i] = v
		}
		n.update("$.components.schemas", map[string]any{g.name: map[string]any{
			"type":            "string",
			"enum":            values,
			"x-enum-varnames": varNames,
			"description":     doc,
		}})
		for _, u := range g.uses {
			n.update(u.target, map[string]any{"x-go-type": g.name})
		}
	}
}

// valuesKey is what groups enum occurrences into one type: their set of
// values, or, for a single value (a const), their property.
func valuesKey(u enumUse) string {
	if len(u.values) == 1 {
		return "1\x00" + u.prop
	}
	return "N\x00" + strings.Join(slices.Sorted(slices.Values(u.values)), "\x00")
}

// unionValues are the values of g's uses: first those of published (its
// values last time) that some use still has, in their order, then the
// others in the order of the uses, so that a constant added never
// renumbers one published.
func (g *enumType) unionValues(published []string) []string {
	var out []string
	for _, v := range published {
		for _, u := range g.uses {
			if slices.Contains(u.values, v) {
				out = append(out, v)
				break
			}
		}
	}
	for _, u := range g.uses {
		for _, v := range u.values {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// mergeSubsets folds into a set of values found in component schemas the
// sets of the same property that are part of it and found in none: a
// report filter's reportType takes some of the report types, and is a
// ReportType, as a report's own reportType is.
func mergeSubsets(groups []*enumType) []*enumType {
	var out []*enumType
	for _, g := range groups {
		if g.components() > 0 || g.published {
			out = append(out, g)
			continue
		}
		var into *enumType
		for _, c := range groups {
			if c.components() == 0 || c.uses[0].prop != g.uses[0].prop || !subset(g.values, c.values) {
				continue
			}
			if into == nil || len(c.values) < len(into.values) {
				into = c
			}
		}
		if into == nil {
			out = append(out, g)
			continue
		}
		into.uses = append(into.uses, g.uses...)
	}
	return out
}

func subset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

// varNames are the names of g's constants after its type's name, one per
// value: the Go name of the component schema a value names (qbd_invoice →
// Invoice, so ObjectTypeInvoice), else the value in camel case
// (accounts_payable → AccountsPayable); without the words the type's name
// ends with (TaxForm + FormT1 → TaxFormT1, TaxForm + Form1040 → TaxFormV1040).
// A name that would begin with a digit begins with V, for value
// (DecimalPlacesV0): oapi-codegen would put an N before it, and the
// overlay gives the names oapi-codegen writes, so that validate checks them.
//
// A value in kept (the names the previous generation published for g's
// values) keeps its name whatever the rules now say; a new value named by
// the rules like one kept for another fails generation (validate checks
// every value of a type against the others), since renaming either would
// break code or depend on the order in which the values came.
//
// It also fixes g's name from its segments, as typeNameOf makes it but
// within maxEnumTypeLength, whatever its values: adding a value to an
// enum never renames its type. A constant that still runs past
// MaxNameLength, or two values with one name, fail generation (see
// validate) rather than being renamed by a rule that would hide what the
// value is or depend on the order of the values.
func (g *enumType) varNames(components map[string]any, kept map[string]string) []any {
	g.name = typeNameWithin(g.segs, maxEnumTypeLength)
	tw := words(g.name)
	out := make([]any, len(g.values))
	for i, v := range g.values {
		if c, ok := kept[v]; ok {
			out[i] = c
			continue
		}
		b := camelValue(v)
		if components[v] != nil {
			b = apispec.ModelName(v)
		}
		name := b
		if rest := joinWords(tw, words(b))[len(tw):]; len(rest) > 0 {
			name = strings.Join(rest, "")
		}
		if name != "" && !startsUpper(name) {
			name = "V" + name
		}
		out[i] = name
	}
	return out
}

func startsUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// maxEnumTypeLength is the longest name of an enum type, so that the
// name of every constant of up to 10 characters after it fits
// MaxNameLength (CreditCardTransactionRequestType + VoiceAuthorization).
const maxEnumTypeLength = MaxNameLength - 10

// camelValue is an enum value as the end of a Go name: accounts_payable
// → AccountsPayable, "Form T1" → FormT1, "xx,xxx" → XxXxx, 0 → 0; "" for
// a value with no letter or digit, which validate reports.
func camelValue(v string) string {
	var b strings.Builder
	upper := true
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z' && upper:
			b.WriteRune(r - 'a' + 'A')
			upper = false
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
			upper = false
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = true
		default:
			upper = true
		}
	}
	return b.String()
}

// components counts the uses of g in component schemas.
func (g *enumType) components() int {
	c := 0
	for _, u := range g.uses {
		if u.component {
			c++
		}
	}
	return c
}

// qualifier is what tells g from the other enums of its property: the
// words that the names of most of its owners (those that are component
// schemas, if any) begin with (ReportAgingParams, ReportJobParams,
// TransactionListParams → Report), else the words all of them end with
// (BillListParams, InvoiceListParams → List), else its first owner's
// name; less a Params or Response they end with.
func (g *enumType) qualifier() string {
	var owners [][]string
	for _, u := range g.uses {
		if u.component {
			owners = append(owners, words(u.owner))
		}
	}
	if owners == nil {
		for _, u := range g.uses {
			owners = append(owners, words(u.owner))
		}
	}
	first := map[string]int{}
	for _, o := range owners {
		first[o[0]]++
	}
	slices.SortFunc(owners, func(a, b []string) int {
		return cmp.Or(first[b[0]]-first[a[0]], strings.Compare(strings.Join(a, ""), strings.Join(b, "")))
	})
	lead, trail := owners[0], owners[0]
	if first[lead[0]] < 2 && len(owners) > 1 {
		lead = nil
	}
	for _, o := range owners[1:] {
		i := 0
		for i < len(lead) && i < len(o) && lead[i] == o[i] {
			i++
		}
		if o[0] == owners[0][0] {
			lead = lead[:i]
		}
		j := 0
		for j < len(trail) && j < len(o) && trail[len(trail)-1-j] == o[len(o)-1-j] {
			j++
		}
		trail = trail[len(trail)-j:]
	}
	common := lead
	if l := len(common); l > 0 && (common[l-1] == "Params" || common[l-1] == "Response") {
		common = common[:l-1]
	}
	if len(common) == 0 {
		common = trail
		if l := len(common); l > 0 && (common[l-1] == "Params" || common[l-1] == "Response") {
			common = common[:l-1]
		}
	}
	if len(common) == 0 {
		common = owners[0]
	}
	return strings.Join(common, "")
}

// doc is what g is: the first sentence of the description of its uses
// in component schemas when they are all one object's (AccountType: "The
// classification of this account ..."), or of every use when all say the
// same (ObjectType: "The type of object."); else, since one use's words
// would be wrong for the others (Status: "Filter for accounts ..."), the
// property, how many places share it, and its values.
func (g *enumType) doc() string {
	owners := map[string]bool{}
	sentences := map[string]bool{}
	first := ""
	for _, u := range g.uses {
		if u.component {
			owners[u.owner] = true
			if first == "" {
				first = firstSentence(u.doc)
			}
		}
		sentences[firstSentence(u.doc)] = true
	}
	switch {
	case len(owners) == 1 && first != "":
		return first
	case len(sentences) == 1 && firstSentence(g.uses[0].doc) != "":
		return firstSentence(g.uses[0].doc)
	}
	values := g.values
	more := ""
	if len(values) > 8 {
		values, more = values[:8], fmt.Sprintf(" and %d more", len(g.values)-8)
	}
	var props []string
	for _, u := range g.uses {
		if p := lowerFirst(u.prop); !slices.Contains(props, p) {
			props = append(props, p)
		}
	}
	slices.Sort(props)
	prop := strings.Join(props, " and ")
	if len(g.uses) == 1 {
		return fmt.Sprintf("The values of %s: %s%s.", prop, strings.Join(values, ", "), more)
	}
	return fmt.Sprintf("The values of %s, which %d properties and filters share: %s%s.", prop, len(g.uses), strings.Join(values, ", "), more)
}

// lowerFirst is an exported property's name as the spec spells it:
// AccountType → accountType.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// firstSentence is the first sentence of a description, on one line: up
// to a period and a space that do not end an abbreviation (U.S., e.g.).
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		word := s[strings.LastIndex(s[:i], " ")+1 : i]
		if len(word) > 1 && !strings.Contains(word, ".") {
			return s[:i+1]
		}
	}
	return s
}
