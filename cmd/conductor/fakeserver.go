package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/config"
)

const fakeServerSynopsis = "fake-server [--addr 127.0.0.1:4010] [--secret-key K] [--publishable-key K] [--fixtures FILE] [--demo] [--fault-rate R] [--fault-seed N] [--max-object-mib N] [--max-cursors N]"

// maxObjectMiB and maxCursors bound --max-object-mib (64 GiB) and
// --max-cursors, far beyond any test's books, so that the budgets are
// numbers the fake can count on every platform.
const (
	maxObjectMiB = 64 << 10
	maxCursors   = 1 << 24
)

// fakeServerSettings are what fake-server's flags set.
type fakeServerSettings struct {
	opts               conductortest.Options
	faults             conductortest.Faults
	fixtures           string
	objectMiB, cursors uint
}

// flagSet defines fake-server's flags, on a set of their own, bound to s:
// the command parses it, and completion lists its flags.
func (s *fakeServerSettings) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("fake-server", flag.ContinueOnError)
	fs.StringVar(&s.opts.Addr, "addr", "127.0.0.1:4010", "the `address` to listen on; port 0 picks a free one, and 0.0.0.0:PORT\nlistens on every interface (CONDUCTOR_BASE_URL then names 127.0.0.1)")
	fs.StringVar(&s.opts.SecretKey, "secret-key", "", "the secret `key` clients must send; default: a random sk_conductor_fake_...")
	fs.StringVar(&s.opts.PublishableKey, "publishable-key", "", "the publishable `key` bodies must carry; default: a random pk_conductor_fake_...")
	fs.StringVar(&s.fixtures, "fixtures", "", "a JSON `file` of end-users and their QuickBooks Desktop objects to start with:\n{\"endUsers\": [{\"id\": \"end_usr_1\", \"connected\": true, \"qbd\": {\"customers\": [{\"name\": \"Acme\"}]}}]}")
	fs.BoolVar(&s.opts.Demo, "demo", false, "add a demo company: the connected end-user "+conductortest.DemoEndUserID+" with customers, items and invoices")
	fs.Float64Var(&s.faults.Rate, "fault-rate", 0, "the `share` of writes, from 0 to 1, that fail the hard ways at random: carried out, then\nthe connection dropped or a 500; Conductor's timeout, then carried out late or never")
	fs.Uint64Var(&s.faults.Seed, "fault-seed", 0, "the `seed` of the faults' draws: the same seed and the same writes in order, the same faults")
	fs.UintVar(&s.objectMiB, "max-object-mib", 0, fmt.Sprintf("the `MiB` of QuickBooks objects the fake holds, deleted ones' records included; 0 is the\ndefault, %d (some 3,000 invoices); a real company's books need more, and as much memory", conductortest.MaxObjectBytes>>20))
	fs.UintVar(&s.cursors, "max-cursors", 0, fmt.Sprintf("how many `lists` the fake pages at once; 0 is the default, %d", conductortest.MaxCursors))
	return fs
}

// runFakeServer serves the fake until ctx ends (SIGINT or SIGTERM). It
// prints the settings a client needs as environment assignments, one a
// line, so a script can read them; printing the fake's own keys is the
// point here. Flags that cannot work, fixtures included, exit 2 before
// anything starts.
func runFakeServer(ctx context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	var set fakeServerSettings
	fs := set.flagSet()
	opts, faults := &set.opts, &set.faults
	fixtures, objectMiB, cursors := &set.fixtures, &set.objectMiB, &set.cursors
	usage := func(w io.Writer) { printUsage(fs, fakeServerSynopsis, w) }
	if code, done := parseFlags(fs, args, nil, usage, usage, stdout, stderr); done {
		return code
	}
	if err := checkAddr(opts.Addr); err != nil {
		fmt.Fprintf(stderr, "conductor fake-server: --addr %q: %v\n", opts.Addr, err)
		return exitUsage
	}
	// Keys are checked here, by the rules the fake applies, so that the
	// message names the flag; it never quotes the key.
	for _, k := range []struct {
		flag, value string
		check       func(string) error
	}{
		{"--secret-key", opts.SecretKey, config.SecretKey},
		{"--publishable-key", opts.PublishableKey, config.PublishableKey},
	} {
		if k.value == "" {
			continue // a random key
		}
		if err := k.check(k.value); err != nil {
			fmt.Fprintf(stderr, "conductor fake-server: %s %v\n", k.flag, err)
			return exitUsage
		}
	}
	if *objectMiB > maxObjectMiB {
		fmt.Fprintf(stderr, "conductor fake-server: --max-object-mib %d is more than this fake can count: use 0 (the default, %d) to %d\n", *objectMiB, conductortest.MaxObjectBytes>>20, maxObjectMiB)
		return exitUsage
	}
	if *cursors > maxCursors {
		fmt.Fprintf(stderr, "conductor fake-server: --max-cursors %d is more than this fake can count: use 0 (the default, %d) to %d\n", *cursors, conductortest.MaxCursors, maxCursors)
		return exitUsage
	}
	opts.MaxObjectBytes, opts.MaxCursors = int(*objectMiB)<<20, int(*cursors)
	if math.IsNaN(faults.Rate) || faults.Rate < 0 || faults.Rate > 1 {
		fmt.Fprintf(stderr, "conductor fake-server: --fault-rate %v is not a share: use 0 (no faults) to 1 (every write)\n", faults.Rate)
		return exitUsage
	}
	if *fixtures != "" {
		f, err := conductortest.LoadFixtures(*fixtures)
		if err != nil {
			fmt.Fprintf(stderr, "conductor fake-server: --fixtures %q: %v\n", *fixtures, cause(err))
			return exitUsage
		}
		opts.Fixtures = f
	}
	srv, err := conductortest.NewServerWithOptions(*opts)
	var netErr *net.OpError
	switch {
	case err != nil && errors.As(err, &netErr):
		return listenFailed(opts.Addr, err, stderr)
	case err != nil && opts.Fixtures != nil:
		// Not the listener: what the fake refused is in the fixtures (an
		// unknown resource, an id given twice, one the demo also has).
		fmt.Fprintf(stderr, "conductor fake-server: --fixtures %q: %v%s\n", *fixtures, cause(err), demoNote(opts.Demo))
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "conductor fake-server: cannot start: %v\n", cause(err))
		return exitAPI
	}
	if err := srv.SetFaults(*faults); err != nil {
		// The rate was checked above; the kinds are the fake's own.
		srv.Close()
		fmt.Fprintf(stderr, "conductor fake-server: %v\n", cause(err))
		return exitUsage
	}
	// Decoding the OpenAPI document on start leaves some 130 MB of
	// garbage, which the runtime would otherwise keep from the system
	// for minutes: idle, the process holds about 50 MB instead of
	// 170-200 MB (BENCHMARKS.md).
	debug.FreeOSMemory()
	fmt.Fprintf(stdout, "CONDUCTOR_BASE_URL=%s\nCONDUCTOR_SECRET_KEY=%s\nCONDUCTOR_PUBLISHABLE_KEY=%s\n", srv.URL, srv.SecretKey, srv.PublishableKey)
	fmt.Fprintf(stderr, "conductor fake-server: a fake Conductor API is listening %s; stop it with Ctrl-C or SIGTERM\n", where(opts.Addr, srv.URL))
	if opts.Demo {
		fmt.Fprintf(stderr, "conductor fake-server: the demo company's end-user is %s\n", conductortest.DemoEndUserID)
	}
	if faults.Rate > 0 {
		fmt.Fprintf(stderr, "conductor fake-server: %g%% of writes fail at random (seed %d)\n", 100*faults.Rate, faults.Seed)
	}
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "conductor fake-server: stopped")
	return exitOK
}

// cause is err without the wrapping that names the Go package or option
// it came through, which a command-line user cannot act on.
func cause(err error) error {
	for {
		inner := errors.Unwrap(err)
		if inner == nil || !strings.HasPrefix(err.Error(), "conductortest:") {
			return err
		}
		err = inner
	}
}

// demoNote says where an end-user the fixtures give twice may come from.
func demoNote(demo bool) string {
	if !demo {
		return ""
	}
	return " (--demo adds the end-user " + conductortest.DemoEndUserID + ")"
}

// checkAddr checks that addr is host:port with a port number, as --addr
// must be. A host name is left to the listener, which resolves it; a host
// of digits and dots must be an IP address, as no name is made of those.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, such as 127.0.0.1:4010 or 0.0.0.0:4010 (port 0 picks a free one)")
	}
	if n, err := strconv.Atoi(port); err != nil || strings.Trim(port, "0123456789") != "" || n > 65535 {
		return errors.New("the port must be a number from 0 to 65535")
	}
	if host != "" && strings.Trim(host, "0123456789.") == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("%s is not an IP address", host)
		}
	}
	return nil
}

// listenFailed reports why the fake could not listen on addr, which
// checkAddr found well formed, and returns the exit status. A host name
// that names nothing is the person's input (2). An address that is in use,
// not this machine's or not permitted is the machine's state, not a
// mistake in what was typed (1), though another --addr may get round it.
func listenFailed(addr string, err error, stderr io.Writer) int {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		fmt.Fprintf(stderr, "conductor fake-server: --addr %q: %s\n", addr, dnsErr.Err)
		if dnsErr.IsNotFound {
			return exitUsage
		}
		return exitAPI
	case errors.Is(err, syscall.EADDRINUSE):
		fmt.Fprintf(stderr, "conductor fake-server: cannot listen on %s: the address is already in use; stop what uses it, or pass another --addr (port 0 picks a free one)\n", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		fmt.Fprintf(stderr, "conductor fake-server: cannot listen on %s: it is not an address of this machine; pass another --addr, such as 127.0.0.1:4010 or 0.0.0.0:4010\n", addr)
	case errors.Is(err, syscall.EACCES):
		fmt.Fprintf(stderr, "conductor fake-server: cannot listen on %s: permission denied (ports below 1024 need privileges); pass another --addr\n", addr)
	default:
		if cause := errors.Unwrap(err); cause != nil {
			err = cause
		}
		fmt.Fprintf(stderr, "conductor fake-server: cannot listen on %s: %v\n", addr, err)
	}
	return exitAPI
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
