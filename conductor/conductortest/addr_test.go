package conductortest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestAllInterfacesGivesALoopbackURL binds the fake as a container would,
// to every interface, and checks that URL is one a local client can use:
// the bound address itself (0.0.0.0 or ::) names no host to connect to,
// and the client refuses plain http to a host that is not loopback.
func TestAllInterfacesGivesALoopbackURL(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		t.Run(addr, func(t *testing.T) {
			srv := newServer(t, conductortest.Options{Addr: addr})
			u, err := url.Parse(srv.URL)
			if err != nil {
				t.Fatalf("URL %q: %v", srv.URL, err)
			}
			if u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" {
				t.Errorf("URL = %q, want http://127.0.0.1:<bound port>", srv.URL)
			}
			s, err := create(t, client(t, srv), conductor.AuthSessionCreateParams{EndUserID: "end_usr_a"})
			if err != nil {
				t.Fatalf("Create through srv.Client(): %v", err)
			}
			if r := send(t, srv, "GET", pathOf(t, s.AuthFlowURL), nil, ""); r.status != http.StatusOK {
				t.Errorf("the auth-flow page at %s: status %d, want 200", s.AuthFlowURL, r.status)
			}
		})
	}
}
