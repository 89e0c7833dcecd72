package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

const fakeServerSynopsis = "fake-server [--addr 127.0.0.1:4010] [--secret-key K] [--publishable-key K]"

// runFakeServer serves the fake until ctx ends (SIGINT or SIGTERM). It
// prints the settings a client needs as environment assignments, one a
// line, so a script can read them; printing the fake's own keys is the
// point here.
func runFakeServer(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fake-server", flag.ContinueOnError)
	var opts conductortest.Options
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:4010", "the `address` to listen on; port 0 picks a free one, and 0.0.0.0:PORT\nlistens on every interface (CONDUCTOR_BASE_URL then names 127.0.0.1)")
	fs.StringVar(&opts.SecretKey, "secret-key", "", "the secret `key` clients must send; default: a random sk_conductor_fake_...")
	fs.StringVar(&opts.PublishableKey, "publishable-key", "", "the publishable `key` bodies must carry; default: a random pk_conductor_fake_...")
	if code, done := parseFlags(fs, fakeServerSynopsis, args, stdout, stderr); done {
		return code
	}
	srv, err := conductortest.NewServerWithOptions(opts)
	if err != nil {
		fmt.Fprintf(stderr, "conductor fake-server: %v\n", err)
		return exitAPI
	}
	fmt.Fprintf(stdout, "CONDUCTOR_BASE_URL=%s\nCONDUCTOR_SECRET_KEY=%s\nCONDUCTOR_PUBLISHABLE_KEY=%s\n", srv.URL, srv.SecretKey, srv.PublishableKey)
	fmt.Fprintf(stderr, "conductor fake-server: a fake Conductor API is listening %s; stop it with Ctrl-C or SIGTERM\n", where(opts.Addr, srv.URL))
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "conductor fake-server: stopped")
	return exitOK
}

// where says where the fake listens. On every interface its URL names only
// loopback, so this says the rest, for clients on other machines.
func where(addr, baseURL string) string {
	host, _, err := net.SplitHostPort(addr)
	u, uerr := url.Parse(baseURL)
	if err != nil || uerr != nil {
		return "on " + baseURL
	}
	if ip, perr := netip.ParseAddr(host); host != "" && (perr != nil || !ip.IsUnspecified()) {
		return "on " + baseURL
	}
	return fmt.Sprintf("on every interface, port %s; on this machine at %s", u.Port(), baseURL)
}
