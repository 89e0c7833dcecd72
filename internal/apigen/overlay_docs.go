package apigen

import (
	"maps"
	"slices"
)

// branchDescriptions returns an action for every property, under paths
// and components, whose schema has no description of its own but is a
// nullable union ({anyOf: [{type: string, description: ...}, {type:
// null}]}) whose one other branch has one: the spec describes the value
// there, where oapi-codegen, which documents a field by the property's
// own description, does not look. Without it the field (an invoice's
// externalId, isQueuedForPrint) has no doc comment in go doc.
func branchDescriptions(root map[string]any) []action {
	var actions []action
	walkSchemas(root, func(n map[string]any, path string) {
		props := mapOf(n["properties"])
		for _, name := range slices.Sorted(maps.Keys(props)) {
			prop := mapOf(props[name])
			if _, ok := prop["description"]; ok || prop == nil {
				continue
			}
			var described []string
			for _, b := range list(prop["anyOf"]) {
				if d, _ := mapOf(b)["description"].(string); d != "" && !isNull(mapOf(b)) {
					described = append(described, d)
				}
			}
			if len(described) == 1 {
				actions = append(actions, action{
					Target: path + ".properties" + key(name),
					Update: map[string]any{"description": described[0]},
				})
			}
		}
	})
	return actions
}
