package conductortest

import (
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// topLevelMissing is the API's answer for an id of a top-level resource
// it does not know, as endUserMissing is for an end-user's.
func topLevelMissing(o apispec.Operation, id string) *Error {
	return &Error{Type: "INVALID_REQUEST_ERROR", Code: "RESOURCE_MISSING", Message: fmt.Sprintf("No %s with id %q exists.", o.Model, id)}
}

// serveTopLevel answers an operation of a top-level resource the fake has
// no hand-written rules for: one a newer spec adds beside end-users and
// auth sessions (integration connections, say), so that a client
// generated from that spec can call it against the fake. It keeps that
// resource's objects as it keeps an end-user's QuickBooks objects, built
// from the resource's schema (each required field empty unless sent):
// a create stores one; a retrieve, update, delete or action (whose
// answer is the object, unchanged) finds it or answers 404; and a list
// shows them all, oldest first, written from the stored objects as a
// QuickBooks list is. s.mu is held.
func (s *Server) serveTopLevel(rt *route, params map[string]string, query, body map[string]any) (int, any, *Error) {
	o := rt.op
	res := resourceKey(o)
	model := s.api.model(res)
	owner := s.state.topLevel
	b := &builder{
		now:   s.now().UTC().Truncate(1e9),
		name:  func(string) (string, bool) { return "", false },
		newID: s.newQBDID,
		newNumber: func() int64 {
			s.idSeq++
			return s.idSeq
		},
	}
	notImplemented := &Error{Type: "INTERNAL_ERROR", Code: "NOT_IMPLEMENTED", Message: fmt.Sprintf("The fake does not know how to answer %s %s.", o.Method, o.Path)}
	if model == nil {
		return 0, nil, notImplemented
	}
	switch o.Kind {
	case apispec.List:
		// Written from the stored objects, pinned, as a QuickBooks list
		// is, so that slow readers hold no copy of them. A list whose
		// operation takes no limit shows them all, as it pages nothing.
		if !takesParam(rt, "limit") {
			query = maps.Clone(query)
			query["limit"] = float64(max(1, len(owner.objects[res].all())))
		}
		status, v, failed := s.list(rt, query, owner)
		if p, ok := v.(*page); ok && responseSchema(rt.spec()) != nil {
			// The list's other required fields, as the schema has them.
			p.fields = b.object(responseSchema(rt.spec()), p.fields)
			delete(p.fields, "data")
		}
		return status, v, failed

	case apispec.Create:
		v := b.object(model, body)
		if b.failed != "" {
			return 0, nil, invalid(b.failed)
		}
		id := strings.ToLower(o.Resource) + "_" + randomToken()[:14]
		for k, val := range map[string]any{idField(model): id, "createdAt": b.now.Format(timestampLayout), "updatedAt": b.now.Format(timestampLayout)} {
			if _, ok := model.Properties[k]; ok {
				v[k] = val
			}
		}
		if err := s.state.put(owner, res, id, v); err != nil {
			return 0, nil, invalid(err.Error())
		}
		return http.StatusOK, s.state.shown(owner, res, id), nil
	}
	if !o.HasID {
		return 0, nil, notImplemented
	}
	id := params["id"]
	v, ok := s.state.get(owner, res, id)
	if !ok {
		return 0, nil, topLevelMissing(o, id)
	}
	switch o.Kind {
	case apispec.Retrieve:
		return http.StatusOK, s.state.shown(owner, res, id), nil
	case apispec.Update:
		changes := b.object(model, body)
		if b.failed != "" {
			return 0, nil, invalid(b.failed)
		}
		for k := range body {
			if _, ok := changes[k]; ok {
				v[k] = changes[k]
			}
		}
		if _, ok := model.Properties["updatedAt"]; ok {
			v["updatedAt"] = b.now.Format(timestampLayout)
		}
		if err := s.state.put(owner, res, id, v); err != nil {
			return 0, nil, invalid(err.Error())
		}
		return http.StatusOK, s.state.shown(owner, res, id), nil
	case apispec.Delete:
		s.state.remove(owner, res, id)
		v["deleted"] = true
		return http.StatusOK, b.object(responseSchema(rt.spec()), v), nil
	case apispec.Action:
		// The fake knows no rules for what the action does (a refresh,
		// say): it answers with the object as stored, filled out to the
		// schema of the action's answer.
		switch schema := responseSchema(rt.spec()); {
		case schema == model:
			return http.StatusOK, s.state.shown(owner, res, id), nil
		case schema != nil:
			return http.StatusOK, b.object(schema, v), nil
		}
	}
	return 0, nil, notImplemented
}
