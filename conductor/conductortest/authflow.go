package conductortest

import (
	"html/template"
	"net/http"
	"strings"
)

// authFlowPath splits /qbd/<secret> and /qbd/<secret>/complete, the pages
// of the fake's auth flow.
func authFlowPath(path string) (secret string, complete, ok bool) {
	rest, ok := strings.CutPrefix(path, "/qbd/")
	if !ok {
		return "", false, false
	}
	secret, complete = strings.CutSuffix(rest, "/complete")
	if secret == "" || strings.Contains(secret, "/") {
		return "", false, false
	}
	return secret, complete, true
}

// flowPage stands in for Conductor's QuickBooks Desktop setup: one link
// that finishes the flow, so that a developer can test their redirect
// callback offline.
var flowPage = template.Must(template.New("flow").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect QuickBooks Desktop (fake)</title></head>
<body>
<h1>Connect QuickBooks Desktop</h1>
<p>This is conductortest's fake of Conductor's auth flow. Following the link connects the end-user's (fake) QuickBooks Desktop.</p>
<p><a id="complete" href="{{.}}">Complete the connection</a></p>
</body></html>
`))

// closedPage ends a flow whose session has no redirectUrl, where
// Conductor would close the tab.
const closedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connected (fake)</title></head>
<body><p>Connected. You can close this tab.</p></body></html>
`

// serveAuthFlow serves GET /qbd/<secret> and its completion link.
func (s *Server) serveAuthFlow(w http.ResponseWriter, r *http.Request, secret string, complete bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, Error{Type: "INVALID_REQUEST_ERROR", Code: "METHOD_NOT_ALLOWED", Message: r.Method + " is not allowed on the auth flow; use GET."})
		return
	}
	s.mu.Lock()
	sess, found := s.sessions.get(secret)
	s.mu.Unlock()
	if !found || !s.now().Before(sess.expiresAt) {
		writeError(w, http.StatusNotFound, Error{Type: "INVALID_REQUEST_ERROR", Code: "RESOURCE_MISSING", Message: "This auth session does not exist or has expired; create a new one."})
		return
	}
	if complete {
		// Completing the flow connects the end-user's QuickBooks Desktop,
		// as on Conductor; an end-user deleted meanwhile stays deleted.
		s.mu.Lock()
		if eu := s.state.endUsers[sess.endUserID]; eu != nil {
			s.connect(eu)
		}
		s.mu.Unlock()
	}
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case !complete:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		flowPage.Execute(w, "/qbd/"+secret+"/complete")
	case sess.redirectURL != nil:
		http.Redirect(w, r, *sess.redirectURL, http.StatusSeeOther)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(closedPage))
	}
}
