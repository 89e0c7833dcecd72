package apigen

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// Names, once published, are kept. The rules of typeNames and enumTypes
// name a type after what the whole spec holds (which enum of a property
// is found in most objects, which objects exist, how long a sibling's
// name is), so a spec that only adds would rename types users already
// write, or fail. Generation therefore takes the names it published last
// time as input, and the overlay it wrote last time is that record: it
// holds, per spec location, the x-go-name, x-go-type-name or x-go-type it
// gave, and each enum type with its values. No second file to keep in
// step, and nothing for `make generate` to write beyond what it writes
// today; since the overlay is derived and never edited, what it holds is
// exactly what was published. (A hand edit of a name in it would be kept
// too: the drift check sees only what the rules add; the overlay stays
// a file nobody edits.) To let the rules rename on purpose, generate
// without it (delete gen/overlay.yaml, then `make generate`).
//
//   - a location that had a name keeps it: a nested object its
//     x-go-type-name, an enum occurrence its enum type;
//   - an enum type keeps its name and its constants become the union of
//     the values of its occurrences (a Go string enum is open, so adding
//     a value in one place neither fails nor renames); each published
//     value keeps its constant's name (a value named after a schema the
//     spec did not have, LinkedObjectTypeQbdCharge, is not renamed when
//     qbd_charge comes), and only a new value is named by the rules: one
//     that would take a published constant's name fails generation
//     (validate), naming the enum, where it is and both values;
//   - a new location is named by the rules, and a new enum type never
//     takes the name of a published one whose occurrences are still in
//     the spec (it is qualified, as one named like an object is); a
//     nested object that would take a published name fails generation,
//     naming both schemas;
//   - names of locations that disappeared go with them.
//
// A component schema is named by apispec.ModelName, as the facade's
// methods and parameters are (VendorTypeListParams), unless the previous
// generation published that name for a nested type or an enum type still
// in the spec (Vendor.vendorType's VendorType, before a qbd_vendor_type
// object came; Job.status's enum Status, before a qbd_status object):
// then its type is qualified (VendorTypeObject, StatusObject), and keeps
// that name.

// published is what the previous generation named.
type published struct {
	// components is the x-go-name each component schema had.
	components map[string]string
	// types is the x-go-type-name each nested location had.
	types map[string]string
	// enumOf is the enum type each enum occurrence pointed at.
	enumOf map[string]string
	// values are each published enum type's values, in their order.
	values map[string][]string
	// constants are the names each published enum type gave its values
	// (x-enum-varnames, after the type's name), by type and value.
	constants map[string]map[string]string
}

// readPublished reads the names an overlay written by Overlay gave; no
// previous overlay (nil) is a first generation, with no names to keep.
func readPublished(prev []byte) (*published, error) {
	p := &published{components: map[string]string{}, types: map[string]string{}, enumOf: map[string]string{}, values: map[string][]string{}, constants: map[string]map[string]string{}}
	if len(bytes.TrimSpace(prev)) == 0 {
		return p, nil
	}
	var doc struct {
		Actions []struct {
			Target string `yaml:"target"`
			Update any    `yaml:"update"`
		} `yaml:"actions"`
	}
	if err := yaml.Unmarshal(prev, &doc); err != nil {
		return nil, fmt.Errorf("apigen: reading the previous overlay for the names it published: %w", err)
	}
	pointed := map[string]string{}
	for _, a := range doc.Actions {
		update := mapOf(a.Update)
		if a.Target == "$.components.schemas" {
			for name, s := range update {
				if schema := mapOf(s); schema["type"] == "string" {
					if values := enumValues(schema); values != nil {
						p.values[name] = values
						p.constants[name] = map[string]string{}
						for i, c := range list(schema["x-enum-varnames"]) {
							if c, ok := c.(string); ok && i < len(values) {
								p.constants[name][values[i]] = c
							}
						}
					}
				}
			}
			continue
		}
		if name, ok := update["x-go-name"].(string); ok {
			p.components[a.Target] = name
		}
		if name, ok := update["x-go-type-name"].(string); ok {
			p.types[a.Target] = name
		}
		if name, ok := update["x-go-type"].(string); ok {
			pointed[a.Target] = name
		}
	}
	// x-go-type also points the date and time filters at DateTime and
	// free-form bodies at their component: only enum types count.
	for target, name := range pointed {
		if p.values[name] != nil {
			p.enumOf[target] = name
		}
	}
	return p, nil
}

// modelNames are the Go names of the component schemas, by key: the one
// each had, else apispec.ModelName, qualified when the previous generation
// published that name for a nested type or an enum type still in the spec.
func modelNames(root map[string]any, prev *published) map[string]string {
	// nested are, per name published for a nested type or an enum type,
	// the locations that had it: the name stays taken while one of them
	// is in the spec (an enum type keeps its name while any of its
	// occurrences is left).
	nested := map[string][]string{}
	for target, name := range prev.types {
		nested[name] = append(nested[name], target)
	}
	for target, name := range prev.enumOf {
		nested[name] = append(nested[name], target)
	}
	components := mapOf(mapOf(root["components"])["schemas"])
	out := map[string]string{}
	for _, s := range slices.Sorted(maps.Keys(components)) {
		name, kept := prev.components["$.components.schemas"+key(s)]
		if !kept {
			name = apispec.ModelName(s)
			if slices.ContainsFunc(nested[name], func(target string) bool { return present(root, target) }) {
				name += "Object"
			}
		}
		out[s] = name
	}
	return out
}

// step is one selector of the targets Overlay writes: .name, ['name'],
// [index] or [?@.name == 'name'].
var step = regexp.MustCompile(`^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]|\[([0-9]+)\]|\[\?@\.name == '((?:[^'\\]|\\.)*)'\])`)

// present says whether target, a JSONPath Overlay wrote, names a node of
// root.
func present(root map[string]any, target string) bool {
	var node any = root
	unquote := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace
	for rest := strings.TrimPrefix(target, "$"); rest != ""; {
		m := step.FindStringSubmatch(rest)
		if m == nil {
			return false
		}
		rest = rest[len(m[0]):]
		switch {
		case m[1] != "" || strings.HasPrefix(m[0], "['"):
			k := m[1]
			if k == "" {
				k = unquote(m[2])
			}
			next, ok := mapOf(node)[k]
			if !ok {
				return false
			}
			node = next
		case m[3] != "":
			i, _ := strconv.Atoi(m[3])
			l := list(node)
			if i >= len(l) {
				return false
			}
			node = l[i]
		default:
			name := unquote(m[4])
			i := slices.IndexFunc(list(node), func(v any) bool { return mapOf(v)["name"] == name })
			if i < 0 {
				return false
			}
			node = list(node)[i]
		}
	}
	return true
}
