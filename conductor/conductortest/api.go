package conductortest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

// api is what the fake knows of Conductor's API: every operation of the
// spec that internal/embeddedspec holds (openapi.yaml, the document the
// client is generated from), named by internal/apispec as the client names it, with
// its schemas. Nothing in the fake lists operations by hand, so a new one
// in the spec is served without a change here.
type api struct {
	doc    *openapi3.T
	routes []*route
	// models are the component schemas of each resource's objects, by
	// namespace and resource ("qbd.invoices": qbd_invoice).
	models map[string]*openapi3.Schema
}

// route is one operation and how its path is matched.
type route struct {
	op   apispec.Operation
	spec *openapi3.Operation
	segs []string // the path's segments; "{name}" for a parameter
}

// resourceKey names a resource in the fake's state and its fixtures.
func resourceKey(o apispec.Operation) string { return o.Namespace + "." + o.Resource }

// qbdKey is the resourceKey of a QuickBooks Desktop resource, named as
// fixtures name it: "invoices".
func qbdKey(resource string) string { return apispec.QBDNamespace + "." + resource }

// loadAPI reads the spec once for every fake in the process, with
// kin-openapi for its schemas (some third of a second) and from the
// decoding the command shares, for the operations' names.
var loadAPI = sync.OnceValues(func() (*api, error) {
	embedded, err := embeddedspec.Load()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(embedded.JSON)
	if err != nil {
		return nil, err
	}
	a := &api{doc: doc, models: map[string]*openapi3.Schema{}}
	for _, o := range embedded.Operations {
		item := doc.Paths.Find(o.Path)
		if item == nil || item.GetOperation(o.Method) == nil {
			return nil, fmt.Errorf("the spec names %s %s but kin-openapi finds no such operation", o.Method, o.Path)
		}
		a.routes = append(a.routes, &route{op: o, spec: item.GetOperation(o.Method), segs: strings.Split(strings.Trim(o.Path, "/"), "/")})
		if o.ResultSchema != "" && o.Resource != "" {
			if ref := doc.Components.Schemas[o.ResultSchema]; ref != nil && ref.Value != nil {
				if _, done := a.models[resourceKey(o)]; !done || o.Kind != apispec.List {
					a.models[resourceKey(o)] = ref.Value
				}
			}
		}
	}
	return a, nil
})

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
