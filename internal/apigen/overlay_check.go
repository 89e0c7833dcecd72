package apigen

import (
	"fmt"
	"go/token"
	"maps"
	"slices"
)

// validate checks every name the overlay gives, so that a spec the rules
// cannot name fails generation with a message naming its schema, instead
// of oapi-codegen failing on a name that is not Go, silently dropping a
// constant it meets twice, or the facade's checks failing later on a name
// they cannot trace to the spec:
//
//   - a type's name is an exported Go identifier that says no word twice
//     (claim checks its length);
//   - a constant, its type's name then its value's (which begins with a
//     capital, or oapi-codegen would change it), is a Go identifier of at
//     most MaxNameLength characters that does not repeat
//     the words its type's name ends with, and no two values of one type
//     share it.
func (n *names) validate() {
	for _, name := range slices.Sorted(maps.Keys(n.types)) {
		where := n.types[name].where
		switch {
		case !token.IsIdentifier(name) || !token.IsExported(name):
			n.errs = append(n.errs, fmt.Errorf("apigen: %s would be the type %q, which is not an exported Go identifier; the naming rules in internal/apigen need a look", where, name))
		default:
			if w, ok := Stutters(name); ok {
				n.errs = append(n.errs, fmt.Errorf("apigen: %s would be the type %s, which says %s twice; the naming rules in internal/apigen need a look", where, name, w))
			}
		}
	}
	constants := map[string][]any{}
	for _, a := range n.actions {
		if a.Target != "$.components.schemas" {
			continue
		}
		update, _ := a.Update.(map[string]any)
		for typ, s := range update {
			if v, ok := mapOf(s)["x-enum-varnames"].([]any); ok {
				constants[typ] = v
			}
		}
	}
	for _, g := range n.enums {
		suffixes, ok := constants[g.name]
		if !ok || !token.IsIdentifier(g.name) {
			continue // reported above, or by enumTypes
		}
		where := g.uses[0].target
		byName := map[string][]string{}
		var order []string
		for i, v := range g.values {
			suffix, _ := suffixes[i].(string)
			name := g.name + suffix
			if byName[name] == nil {
				order = append(order, name)
			}
			byName[name] = append(byName[name], v)
			fail := func(format string, args ...any) {
				n.errs = append(n.errs, fmt.Errorf("apigen: the value %q of the enum %s (%s) would be the constant %s, "+format+"; the naming rules in internal/apigen need a look", append([]any{v, g.name, where, name}, args...)...))
			}
			switch {
			case suffix == "":
				fail("which says nothing of the value")
			case !startsUpper(suffix) || !token.IsIdentifier(name):
				fail("which is not an exported Go identifier")
			case len(name) > MaxNameLength:
				fail("longer than %d characters", MaxNameLength)
			default:
				if w, ok := StuttersAfter(g.name, name); ok {
					fail("which says %s twice", w)
				}
			}
		}
		for _, name := range order {
			if values := byName[name]; len(values) > 1 {
				n.errs = append(n.errs, fmt.Errorf("apigen: the values %q of the enum %s (%s) would all be the constant %s, and oapi-codegen would keep only one; the naming rules in internal/apigen need a look", values, g.name, where, name))
			}
		}
	}
}
