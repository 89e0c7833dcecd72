package conductortest

import (
	"net"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// unspecifiedListener listens on loopback, as every server in these tests
// must, but reports the address a fake bound to every interface (as in a
// container) reports: 0.0.0.0 or ::, with the real port.
type unspecifiedListener struct {
	net.Listener
	ip net.IP
}

func (l unspecifiedListener) Addr() net.Addr {
	return &net.TCPAddr{IP: l.ip, Port: l.Listener.Addr().(*net.TCPAddr).Port}
}

// TestAllInterfacesGivesALoopbackURL checks that a fake bound to every
// interface names a URL a local client can use: the bound address itself
// (0.0.0.0 or ::) names no host to connect to, and the client refuses plain
// http to a host that is not loopback. The client then creates a session
// through it.
func TestAllInterfacesGivesALoopbackURL(t *testing.T) {
	for _, ip := range []net.IP{net.IPv4zero, net.IPv6unspecified} {
		t.Run(ip.String(), func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{SecretKey: "sk_conductor_fake_addr", PublishableKey: "pk_conductor_fake_addr", Now: time.Now}
			srv, err := prepare(opts)
			if err != nil {
				t.Fatal(err)
			}
			srv.start(unspecifiedListener{l, ip})
			defer srv.Close()
			u, err := url.Parse(srv.URL)
			if port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port); err != nil || u.Hostname() != "127.0.0.1" || u.Port() != port {
				t.Fatalf("URL = %q, want http://127.0.0.1:<bound port>", srv.URL)
			}
			c, err := srv.Client()
			if err != nil {
				t.Fatalf("srv.Client(): %v", err)
			}
			defer c.CloseIdleConnections()
			ctx := testdeadline.Context(t)
			eu, err := c.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "1", Email: "a@example.com"})
			if err != nil {
				t.Fatalf("EndUsers.Create through srv.Client(): %v", err)
			}
			if _, err := c.AuthSessions.Create(ctx, conductor.AuthSessionCreateParams{EndUserID: eu.ID}); err != nil {
				t.Fatalf("Create through srv.Client(): %v", err)
			}
		})
	}
}
