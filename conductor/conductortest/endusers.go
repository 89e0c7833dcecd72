package conductortest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// endUserMissing is the API's answer for an end-user id it does not know.
func endUserMissing(id string) *Error {
	return &Error{Type: "INVALID_REQUEST_ERROR", Code: "RESOURCE_MISSING", Message: fmt.Sprintf("No end-user with id %q exists.", id)}
}

// notConnected is Conductor's answer when the end-user's QuickBooks
// Desktop cannot be reached: here, until they complete an auth session's
// flow on the fake's page, or a test calls Server.Connect.
func notConnected(eu *endUser) *Error {
	return &Error{Type: "INTEGRATION_CONNECTION_ERROR", Code: "QBD_CONNECTION_ERROR",
		Message:           fmt.Sprintf("The end-user %s has not connected QuickBooks Desktop: they have not completed an auth session's flow (on the fake, follow its authFlowUrl; in tests, Server.Connect).", eu.ID),
		UserFacingMessage: "QuickBooks Desktop is not connected. Open QuickBooks Desktop and the Web Connector, then try again."}
}

// serveEndUsers answers the end-user operations. s.mu is held.
func (s *Server) serveEndUsers(rt *route, params map[string]string, body map[string]any) (int, any, *Error) {
	switch rt.op.Name {
	case "create":
		if len(s.state.endUsers) >= MaxEndUsers {
			return 0, nil, invalid(fmt.Sprintf("The fake holds at most %d end-users (MaxEndUsers); delete some first.", MaxEndUsers))
		}
		if msg := checkEndUserFields(str(body["companyName"]), str(body["sourceId"]), str(body["email"])); msg != "" {
			return 0, nil, invalid(msg)
		}
		eu := s.addEndUser("end_usr_"+randomToken()[:14], str(body["companyName"]), str(body["sourceId"]), str(body["email"]))
		return http.StatusOK, eu.asJSON(), nil
	case "list":
		data := []any{}
		for _, id := range s.state.order {
			data = append(data, s.state.endUsers[id].asJSON())
		}
		return http.StatusOK, map[string]any{"objectType": "list", "url": "/v1/end-users", "data": data}, nil
	}
	eu := s.state.endUsers[params["id"]]
	if eu == nil {
		return 0, nil, endUserMissing(params["id"])
	}
	switch rt.op.Name {
	case "retrieve":
		return http.StatusOK, eu.asJSON(), nil
	case "delete":
		s.state.dropEndUser(eu.ID)
		return http.StatusOK, map[string]any{"id": eu.ID, "objectType": "end_user", "deleted": true}, nil
	case "passthrough":
		if eu.ConnectedAt.IsZero() {
			return 0, nil, notConnected(eu)
		}
		return http.StatusOK, passthroughAnswer(body), nil
	}
	return 0, nil, &Error{Type: "INTERNAL_ERROR", Code: "NOT_IMPLEMENTED", Message: fmt.Sprintf("The fake does not know how to answer %s %s.", rt.op.Method, rt.op.Path)}
}

// passthroughAnswer answers each qbXML request of a passthrough (XRq) with
// an empty, successful response (XRs), as QuickBooks does for a query that
// finds nothing.
func passthroughAnswer(body map[string]any) map[string]any {
	out := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(body)) {
		if base, ok := strings.CutSuffix(name, "Rq"); ok {
			out[base+"Rs"] = map[string]any{"statusCode": "0", "statusSeverity": "Info", "statusMessage": "Status OK"}
		}
	}
	return out
}

// checkEndUserFields returns why an end-user's fields cannot be kept, or
// "": each is at most maxEndUserField bytes, so that MaxEndUsers bounds
// the end-users' bytes too.
func checkEndUserFields(companyName, sourceID, email string) string {
	for _, f := range []struct{ name, value string }{{"companyName", companyName}, {"sourceId", sourceID}, {"email", email}} {
		if len(f.value) > maxEndUserField {
			return fmt.Sprintf("%s: is %d bytes long; the fake keeps at most %d.", f.name, len(f.value), maxEndUserField)
		}
	}
	return ""
}

func (s *Server) addEndUser(id, companyName, sourceID, email string) *endUser {
	eu := &endUser{ID: id, CompanyName: companyName, SourceID: sourceID, Email: email, CreatedAt: s.now().UTC(), objects: map[string]*collection{}}
	s.state.endUsers[id] = eu
	s.state.order = append(s.state.order, id)
	return eu
}

// connect marks eu's QuickBooks Desktop connected. s.mu is held.
func (s *Server) connect(eu *endUser) {
	if eu.ConnectedAt.IsZero() {
		eu.ConnectedAt = s.now().UTC()
		eu.ConnectionID = "int_conn_" + randomToken()[:14]
	}
}

// Connect marks the end-user's QuickBooks Desktop connected, as completing
// an auth session's flow does, so that tests can call QuickBooks Desktop
// operations for it at once. It fails for an end-user the fake does not
// know.
func (s *Server) Connect(endUserID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	eu := s.state.endUsers[endUserID]
	if eu == nil {
		return fmt.Errorf("conductortest: Connect: no end-user %q", endUserID)
	}
	s.connect(eu)
	return nil
}

// forEndUser finds the end-user a QuickBooks Desktop operation is for and
// checks that it is connected. s.mu is held.
func (s *Server) forEndUser(r *http.Request) (*endUser, *Error) {
	id := strings.TrimSpace(r.Header.Get(apispec.EndUserHeader))
	eu := s.state.endUsers[id]
	if eu == nil {
		return nil, endUserMissing(id)
	}
	if eu.ConnectedAt.IsZero() {
		return nil, notConnected(eu)
	}
	return eu, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
