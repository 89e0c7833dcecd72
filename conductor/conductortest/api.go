package conductortest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

// api is what the fake knows of Conductor's API: every operation of the
// spec that internal/embeddedspec holds (openapi.yaml, the document the
// client is generated from), named by internal/apispec as the client names it, with
// its schemas. Nothing in the fake lists operations by hand, so a new one
// in the spec is served without a change here.
//
// Each resource's schemas are parsed the first time the fake uses the
// resource: parsing the whole document took half a second and some
// 150 MB of every command run against the in-process demo fake, which
// uses three or four resources.
type api struct {
	routes []*route
	// resources are the spec's resources, by resourceKey.
	resources map[string]*resource
	// decimals are the formats of the request bodies' decimal strings, by
	// property name; no name has two.
	decimals map[string]decimalFormat
	// overriding are the filters with which, as their descriptions say,
	// "QuickBooks will ignore all other query parameters": ids, names,
	// fullNames, refNumbers.
	overriding []string
}

// resource is a resource of the spec, and its schemas once parsed.
type resource struct {
	key string
	// model is the component schema of its objects ("qbd_invoice"), or "".
	model string
	doc   func() (*openapi3.T, error)
	// parsed says that doc has been asked for: the fake's tests hold it
	// to the resources a program uses.
	parsed atomic.Bool
}

// route is one operation and how its path is matched.
type route struct {
	op   apispec.Operation
	res  *resource
	segs []string // the path's segments; "{name}" for a parameter
	// operation is the operation's part of its resource's document, found
	// once, or why it cannot be.
	operation func() (*openapi3.Operation, error)
}

// resourceKey names a resource in the fake's state and its fixtures.
func resourceKey(o apispec.Operation) string { return apispec.ResourceKey(o) }

// qbdKey is the resourceKey of a QuickBooks Desktop resource, named as
// fixtures name it: "invoices".
func qbdKey(resource string) string { return apispec.QBDNamespace + "." + resource }

// loadAPI reads the spec's index once for every fake in the process.
var loadAPI = sync.OnceValues(newAPI)

// newAPI reads the spec's index; each resource's document is parsed when
// first asked for.
func newAPI() (*api, error) {
	embedded, err := embeddedspec.Load()
	if err != nil {
		return nil, err
	}
	a := &api{resources: map[string]*resource{}, decimals: map[string]decimalFormat{}, overriding: embedded.OverridingFilters}
	for key, r := range embedded.Resources {
		res := &resource{key: key, model: r.Model}
		res.doc = sync.OnceValues(func() (*openapi3.T, error) {
			res.parsed.Store(true)
			js, err := embedded.Resource(key)
			if err != nil {
				return nil, err
			}
			doc, err := openapi3.NewLoader().LoadFromData(js)
			if err != nil {
				return nil, fmt.Errorf("the spec of %s: %w", key, err)
			}
			return doc, nil
		})
		a.resources[key] = res
	}
	for _, o := range embedded.Operations {
		res := a.resources[resourceKey(o)]
		if res == nil {
			return nil, fmt.Errorf("the spec's index names %s %s but no document of its resource", o.Method, o.Path)
		}
		rt := &route{op: o, res: res, segs: strings.Split(strings.Trim(o.Path, "/"), "/")}
		rt.operation = sync.OnceValues(func() (*openapi3.Operation, error) {
			doc, err := res.doc()
			if err != nil {
				return nil, err
			}
			if item := doc.Paths.Find(o.Path); item != nil {
				if op := item.GetOperation(o.Method); op != nil {
					return op, nil
				}
			}
			return nil, fmt.Errorf("the spec of %s has no %s %s", res.key, o.Method, o.Path)
		})
		a.routes = append(a.routes, rt)
	}
	for name, desc := range embedded.DecimalProperties {
		if f, ok := decimalFormatOf(desc); ok {
			a.decimals[name] = f
		}
	}
	return a, nil
}

// spec is the operation's part of the spec. serveAPI has found it (see
// operation) before anything asks; were it not, a document that cannot
// be parsed would give an empty operation here.
func (rt *route) spec() *openapi3.Operation {
	op, err := rt.operation()
	if err != nil {
		return &openapi3.Operation{Responses: openapi3.NewResponses()}
	}
	return op
}

// hasModel says whether the resource named key keeps objects of a schema.
func (a *api) hasModel(key string) bool {
	r := a.resources[key]
	return r != nil && r.model != ""
}

// model is the schema of the objects of the resource named key, or nil
// if it has none or its spec cannot be read.
func (a *api) model(key string) *openapi3.Schema {
	if r := a.resources[key]; r != nil {
		schema, _ := r.objects()
		return schema
	}
	return nil
}

// objects is the schema of r's objects: nil if it has none, or an error
// if its spec cannot be read or lacks it.
func (r *resource) objects() (*openapi3.Schema, error) {
	if r.model == "" {
		return nil, nil
	}
	doc, err := r.doc()
	if err != nil {
		return nil, err
	}
	if ref := doc.Components.Schemas[r.model]; ref != nil && ref.Value != nil {
		return ref.Value, nil
	}
	return nil, fmt.Errorf("the spec of %s has no schema %s", r.key, r.model)
}

// match finds the operation for method and an escaped path, and its path
// parameters, unescaped. When the path names a resource but not with this
// method, it returns the methods that are allowed.
func (a *api) match(method, escapedPath string) (*route, map[string]string, []string) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	var allowed []string
	for _, rt := range a.routes {
		params, ok := matchSegments(rt.segs, segs)
		if !ok {
			continue
		}
		if rt.op.Method == method {
			return rt, params, nil
		}
		allowed = append(allowed, rt.op.Method)
	}
	slices.Sort(allowed)
	return nil, nil, slices.Compact(allowed)
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[strings.Trim(p, "{}")] = v
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// responseSchema is the schema of an operation's 200 answer.
func responseSchema(op *openapi3.Operation) *openapi3.Schema {
	r := op.Responses.Status(200)
	if r == nil || r.Value == nil {
		return nil
	}
	media := r.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	return media.Schema.Value
}

// bodySchema is the schema of an operation's JSON request body, or nil.
func bodySchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	media := op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	return media.Schema.Value
}
