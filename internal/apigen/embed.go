package apigen

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// EmbeddedSpec is the spec as the fake embeds it (internal/embeddedspec):
// a zip archive whose index (apispec.ArchiveIndex) lists the operations, and which
// holds, for each resource, a document of its own with the resource's
// operations and every component they reach. The fake so parses only the
// resources a program uses, each the first time it does: parsing the whole
// document with kin-openapi took half a second and some 150 MB of every
// command run against the in-process demo fake. One more entry
// (apispec.RestEntry) holds what no operation reaches, so that the entries
// merged are the whole document again.
//
// The documents are compact JSON, as kin-openapi writes the spec: it keeps
// scalars as the document writes them (a YAML decoder would turn an
// example such as 2024-10-31 into a timestamp). The bytes depend only on
// the spec and on Go's compress/flate.
func EmbeddedSpec(specData []byte) ([]byte, error) {
	js, doc, ops, err := readSpec(specData)
	if err != nil {
		return nil, err
	}
	var whole map[string]any
	if err := json.Unmarshal(js, &whole); err != nil {
		return nil, err
	}
	paths, _ := whole["paths"].(map[string]any)
	components, _ := whole["components"].(map[string]any)

	index := apispec.ArchiveIndex{
		Operations:        ops,
		Resources:         map[string]apispec.ArchiveResource{},
		DecimalProperties: decimalProperties(doc),
		OverridingFilters: overridingFilters(doc),
	}
	byResource := map[string]map[string]any{} // resource: its paths
	for _, o := range ops {
		key := apispec.ResourceKey(o)
		res := index.Resources[key]
		res.Entry = resourceEntry(key)
		// A resource's objects are the component schema its operations
		// answer with, an operation that answers with one object (a
		// retrieve) before a list.
		if o.ResultSchema != "" && o.Resource != "" && (res.Model == "" || o.Kind != apispec.List) {
			res.Model = o.ResultSchema
		}
		index.Resources[key] = res
		item, _ := paths[o.Path].(map[string]any)
		method := strings.ToLower(o.Method)
		if item == nil || item[method] == nil {
			return nil, fmt.Errorf("apigen: the spec names %s %s, which its paths do not hold", o.Method, o.Path)
		}
		if byResource[key] == nil {
			byResource[key] = map[string]any{}
		}
		own, _ := byResource[key][o.Path].(map[string]any)
		if own == nil {
			// What the path item says of all its operations.
			own = map[string]any{}
			for k, v := range item {
				if !isMethod(k) {
					own[k] = v
				}
			}
			byResource[key][o.Path] = own
		}
		own[method] = item[method]
	}

	entries := map[string][]byte{}
	reached := map[string]bool{}
	for key, resPaths := range byResource {
		part := map[string]any{}
		for k, v := range whole {
			if k != "paths" && k != "components" {
				part[k] = v
			}
		}
		part["paths"] = resPaths
		comps, err := closure(components, resPaths, reached)
		if err != nil {
			return nil, fmt.Errorf("apigen: resource %s: %w", key, err)
		}
		if model := index.Resources[key].Model; model != "" && !hasComponent(comps, "schemas", model) {
			return nil, fmt.Errorf("apigen: resource %s answers with schema %s, which its operations do not reach", key, model)
		}
		part["components"] = comps
		if entries[resourceEntry(key)], err = json.Marshal(part); err != nil {
			return nil, err
		}
		if _, err := openapi3.NewLoader().LoadFromData(entries[resourceEntry(key)]); err != nil {
			return nil, fmt.Errorf("apigen: the document of resource %s does not load: %w", key, err)
		}
	}

	rest := map[string]any{}
	for k, v := range whole {
		if k != "paths" && k != "components" {
			rest[k] = v
		}
	}
	restComps := map[string]any{}
	for kind, named := range components {
		m, _ := named.(map[string]any)
		left := map[string]any{}
		for name, v := range m {
			if !reached[kind+"/"+name] {
				left[name] = v
			}
		}
		if len(left) > 0 {
			restComps[kind] = left
		}
	}
	rest["components"] = restComps
	// Operations no resource serves (none in Conductor's spec) are kept
	// there too.
	restPaths := map[string]any{}
	for path, v := range paths {
		item, _ := v.(map[string]any)
		left := map[string]any{}
		for k, op := range item {
			if isMethod(k) && !slices.ContainsFunc(ops, func(o apispec.Operation) bool { return o.Path == path && strings.EqualFold(o.Method, k) }) {
				left[k] = op
			}
		}
		if len(left) > 0 {
			for k, x := range item {
				if !isMethod(k) {
					left[k] = x
				}
			}
			restPaths[path] = left
		}
	}
	if len(restPaths) > 0 {
		rest["paths"] = restPaths
	}
	if entries[apispec.RestEntry], err = json.Marshal(rest); err != nil {
		return nil, err
	}
	if entries[apispec.IndexEntry], err = json.Marshal(index); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		// No time: the bytes depend on the spec alone.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(entries[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readSpec reads the spec as the fake and the command see it: through
// kin-openapi, as compact JSON (kin-openapi keeps scalars as the document
// writes them), with its operations as internal/apispec names them.
func readSpec(specData []byte) (js []byte, doc *openapi3.T, ops []apispec.Operation, err error) {
	doc, err = openapi3.NewLoader().LoadFromData(specData)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("apigen: reading the spec: %w", err)
	}
	if js, err = json.Marshal(doc); err != nil {
		return nil, nil, nil, err
	}
	parsed, err := apispec.Parse(js)
	if err != nil {
		return nil, nil, nil, err
	}
	if ops, err = parsed.Operations(); err != nil {
		return nil, nil, nil, err
	}
	return js, doc, ops, nil
}

func resourceEntry(key string) string { return "resources/" + key + ".json" }

func isMethod(k string) bool {
	switch k {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

// closure is every component that v refers to, directly or through other
// components, as a document's components object, with the security
// schemes, which operations name without a $ref. reached records each
// as kind/name.
func closure(components map[string]any, v any, reached map[string]bool) (map[string]any, error) {
	out := map[string]any{}
	if schemes, ok := components["securitySchemes"]; ok {
		out["securitySchemes"] = schemes
		for name := range schemes.(map[string]any) {
			reached["securitySchemes/"+name] = true
		}
	}
	todo := refsIn(v, nil)
	for len(todo) > 0 {
		ref := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		if !ok || !strings.HasPrefix(ref, "#/components/") || strings.Contains(name, "/") {
			return nil, fmt.Errorf("a $ref to %q, which is not a component of the document", ref)
		}
		if hasComponent(out, kind, name) {
			continue
		}
		named, _ := components[kind].(map[string]any)
		c, found := named[name]
		if !found {
			return nil, fmt.Errorf("a $ref to %q, which the document does not hold", ref)
		}
		if out[kind] == nil {
			out[kind] = map[string]any{}
		}
		out[kind].(map[string]any)[name] = c
		reached[kind+"/"+name] = true
		todo = refsIn(c, todo)
	}
	return out, nil
}

func hasComponent(comps map[string]any, kind, name string) bool {
	named, _ := comps[kind].(map[string]any)
	_, ok := named[name]
	return ok
}

// refsIn appends the $refs in v, a decoded JSON value, to out.
func refsIn(v any, out []string) []string {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			out = append(out, r)
		}
		// A discriminator's mapping names schemas by reference too (or by
		// name, which only the oneOf beside it resolves).
		if d, ok := x["discriminator"].(map[string]any); ok {
			mapping, _ := d["mapping"].(map[string]any)
			for _, target := range mapping {
				if r, ok := target.(string); ok && strings.HasPrefix(r, "#/") {
					out = append(out, r)
				}
			}
		}
		for _, e := range x {
			out = refsIn(e, out)
		}
	case []any:
		for _, e := range x {
			out = refsIn(e, out)
		}
	}
	return out
}

// decimalProperties is apispec.ArchiveIndex.DecimalProperties of doc.
func decimalProperties(doc *openapi3.T) map[string]string {
	out := map[string]string{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			prop := s.Properties[name]
			if prop.Value == nil {
				continue
			}
			if schema := nonNullAlternative(prop.Value); schema != nil && schema.Type.Is("string") {
				desc := prop.Value.Description + " " + schema.Description
				if strings.Contains(strings.ToLower(desc), "decimal string") {
					out[name] = desc
				}
			}
			walk(prop.Value)
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
		for _, alt := range s.AnyOf {
			walk(alt.Value)
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		// In a fixed order: a name the bodies give in two wordings (of
		// the same format) is indexed with the last walked.
		item := doc.Paths.Find(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if media := op.RequestBody.Value.Content.Get("application/json"); media != nil && media.Schema != nil {
				walk(media.Schema.Value)
			}
		}
	}
	return out
}

// nonNullAlternative is s, or the first alternative of its anyOf that is
// not null: the schema of a value a nullable property holds.
func nonNullAlternative(s *openapi3.Schema) *openapi3.Schema {
	if len(s.AnyOf) == 0 {
		return s
	}
	for _, alt := range s.AnyOf {
		if alt.Value != nil && !alt.Value.Type.Is("null") {
			return alt.Value
		}
	}
	return nil
}

// overridingFilters is apispec.ArchiveIndex.OverridingFilters of doc.
func overridingFilters(doc *openapi3.T) []string {
	var out []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, ref := range op.Parameters {
				p := ref.Value
				if p == nil || p.In != "query" {
					continue
				}
				desc := p.Description
				if p.Schema != nil && p.Schema.Value != nil {
					desc += " " + p.Schema.Value.Description
				}
				if strings.Contains(desc, "QuickBooks will ignore all other query parameters") {
					out = append(out, p.Name)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
