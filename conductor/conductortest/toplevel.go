package conductortest

import (
	"fmt"
	"net/http"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// serveTopLevel answers an operation of a top-level resource the fake
// keeps no state for: one a newer spec adds beside end-users and auth
// sessions (integration connections, say), so that a client generated
// from that spec can call it against the fake. A list has no objects; a
// retrieve answers the object asked for, built from its schema as the
// fake builds every object (each required field empty); anything else is
// an error saying the fake cannot answer it. s.mu is held.
func (s *Server) serveTopLevel(rt *route, params map[string]string) (int, any, *Error) {
	o := rt.op
	b := &builder{
		now:   s.now().UTC().Truncate(1e9),
		name:  func(string) (string, bool) { return "", false },
		newID: s.newQBDID,
		newNumber: func() int64 {
			s.idSeq++
			return s.idSeq
		},
	}
	switch o.Kind {
	case apispec.List:
		return http.StatusOK, b.object(responseSchema(rt.spec), map[string]any{"objectType": "list", "url": "/v1" + o.Path, "data": []any{}}), nil
	case apispec.Retrieve:
		if model := s.api.models[resourceKey(o)]; model != nil && o.HasID {
			return http.StatusOK, b.object(model, map[string]any{idField(model): params["id"]}), nil
		}
	}
	return 0, nil, &Error{Type: "INTERNAL_ERROR", Code: "NOT_IMPLEMENTED", Message: fmt.Sprintf("The fake keeps no %s: it cannot answer %s %s.", o.Resource, o.Method, o.Path)}
}
