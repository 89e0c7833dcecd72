package conductor

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// route is one operation's method and path template, as routes lists them.
type route struct{ method, path string }

// checkTarget refuses, before anything is sent, a request that would go
// anywhere but to an operation of the spec under the base URL: the secret
// key goes with every request, so a request editor of [Client.Gen] that
// points req.URL at another host, port, scheme or path gets a
// *ValidationError. It is also what catches ids "." and ".." on the Gen()
// path: the generated builders resolve them (url.URL.Parse removes dot
// segments), so /invoices/. reaches the engine as /invoices/ and
// /invoices/.. as /quickbooks-desktop/; neither is a route.
func checkTarget(method string, u *url.URL, base *url.URL) error {
	refuse := func(reason string) error { return invalid("request URL", reason) }
	if !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Hostname(), base.Hostname()) || port(u) != port(base) {
		return refuse(fmt.Sprintf("the request goes to %s://%s, not to the base URL's %s://%s; the secret key is sent only there", u.Scheme, u.Host, base.Scheme, base.Host))
	}
	prefix := strings.TrimSuffix(base.EscapedPath(), "/") + "/"
	path := u.EscapedPath()
	if !strings.HasPrefix(path, prefix) {
		return refuse(fmt.Sprintf("the request's path is not under the base URL's path %q", prefix))
	}
	segments := strings.Split(path[len(prefix)-1:], "/")
	for _, seg := range segments {
		if plain, err := url.PathUnescape(seg); err != nil || plain == "." || plain == ".." {
			return refuse(`the request's path has a "." or ".." segment, which would make it another URL; an id cannot be "." or ".."`)
		}
	}
	if !matchesRoute(method, segments) {
		return refuse(fmt.Sprintf(`%s %s is no operation of the API (an id "." or ".." makes the path another one, and an id cannot be empty)`, method, path[len(prefix)-1:]))
	}
	return nil
}

// matchesRoute reports whether the segments of a path (after the base
// URL's, the first one empty) match a route of method; a {param} matches
// one non-empty segment.
func matchesRoute(method string, segments []string) bool {
	templates := routeTemplates()
	for k, r := range routes {
		if r.method != method {
			continue
		}
		tmpl := templates[k]
		if len(tmpl) != len(segments) {
			continue
		}
		ok := true
		for i, t := range tmpl {
			if strings.HasPrefix(t, "{") {
				ok = segments[i] != ""
			} else {
				ok = segments[i] == t
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// routeTemplates are the path templates of routes split at "/", by the
// same index; split once, not on every request.
var routeTemplates = sync.OnceValue(func() [][]string {
	t := make([][]string, len(routes))
	for k, r := range routes {
		t[k] = strings.Split(r.path, "/")
	}
	return t
})

// port is u's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}
