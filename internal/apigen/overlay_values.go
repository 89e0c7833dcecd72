package apigen

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// This file derives the overlay actions that make the generated fields
// plain Go values. Two kinds:
//
//   - Optional lists and maps. oapi-codegen.yaml already makes them
//     slices and maps rather than pointers to them
//     (prefer-skip-optional-pointer-on-container-types); each optional
//     array or map property gets x-omitzero and no x-omitempty, so that a
//     nil slice is left out of a body and an empty, non-nil one is sent as
//     [] (omitempty would drop it, and with it the only way to send an
//     empty list).
//   - Date and time filters. A string query parameter whose description
//     lists the ISO 8601 forms it accepts, the one with an offset
//     (YYYY-MM-DDTHH:mm:ss±HH:mm) among them, is a gen.DateTime
//     (gen/values.go), which formats itself in that form; as a string
//     the caller had to format it, and a malformed one went out unchecked.

// dateTimeFilterForms is how the spec says that a string filter takes a
// date and time: its description lists "the following ISO 8601 formats",
// among them this one, which is the form gen.DateTime sends.
const (
	dateTimeFilterForms = "Accepts the following ISO 8601 formats"
	dateTimeFilterForm  = "YYYY-MM-DDTHH:mm:ss±HH:mm"
)

// dateTimeGoType is the type of the date and time filters, hand-written in
// package gen (gen/values.go).
const dateTimeGoType = "DateTime"

// plainValues returns the actions for both kinds, in document order of
// sorted keys.
func plainValues(root map[string]any) []action {
	var actions []action
	for _, target := range optionalContainers(root) {
		actions = append(actions, action{Target: target, Update: map[string]any{"x-omitempty": false, "x-omitzero": true}})
	}
	for _, target := range dateTimeFilters(root) {
		actions = append(actions, action{Target: target, Update: map[string]any{"x-go-type": dateTimeGoType}})
	}
	return actions
}

// optionalContainers returns a target for every property, under paths and
// components, that its object does not require and whose schema is an
// array or a map (an object with no properties of its own).
func optionalContainers(root map[string]any) []string {
	var targets []string
	walkSchemas(root, func(n map[string]any, path string) {
		props := mapOf(n["properties"])
		required := list(n["required"])
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if !slices.Contains(required, any(name)) && isContainer(root, mapOf(props[name])) {
				targets = append(targets, path+".properties"+key(name))
			}
		}
	})
	return targets
}

// isContainer says whether schema, or the component it refers to, becomes
// a Go slice or map: an array, or an object with no properties and no
// anyOf, oneOf or allOf (a map of whatever its additionalProperties say).
func isContainer(root map[string]any, schema map[string]any) bool {
	if ref, ok := schema["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			return false
		}
		schema = mapOf(mapOf(mapOf(root["components"])["schemas"])[name])
	}
	switch schema["type"] {
	case "array":
		return true
	case "object":
		return schema["properties"] == nil && schema["anyOf"] == nil && schema["oneOf"] == nil && schema["allOf"] == nil
	}
	return false
}

// dateTimeFilters returns a target for the schema of every inline string
// query parameter, with no format, whose description (its own or its
// schema's) lists the ISO 8601 forms it accepts, the one with an offset
// among them.
func dateTimeFilters(root map[string]any) []string {
	var targets []string
	paths := mapOf(root["paths"])
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item := mapOf(paths[p])
		for _, method := range slices.Sorted(maps.Keys(item)) {
			op := mapOf(item[method])
			for _, param := range list(op["parameters"]) {
				pm := mapOf(param)
				schema := mapOf(pm["schema"])
				name, _ := pm["name"].(string)
				desc, _ := pm["description"].(string)
				schemaDesc, _ := schema["description"].(string)
				text := desc + "\n" + schemaDesc
				if pm["in"] != "query" || name == "" || !isPlainString(schema) ||
					!strings.Contains(text, dateTimeFilterForms) || !strings.Contains(text, dateTimeFilterForm) {
					continue
				}
				targets = append(targets, fmt.Sprintf("$.paths%s.%s.parameters[?@.name == '%s'].schema", key(p), method, name))
			}
		}
	}
	return targets
}
